package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// Choices of the orders screen's filters that are not a single status, channel or period.
const (
	choiceAllStatuses = "All statuses"
	choiceOpen        = "Open (to ship)"
	choiceDueToday    = "Open, ship by today"
	choiceLate        = "Open, late"
	choiceAllChannels = "All channels"
	periodAllTime     = "All time"
	periodToday       = "Today"
	period7Days       = "Last 7 days"
	period30Days      = "Last 30 days"
	period90Days      = "Last 90 days"
	periodCustom      = "Custom dates"
	dateLayout        = "2006-01-02"
	// searchDelay is how long typing must pause before the list follows it.
	searchDelay = 250 * time.Millisecond
)

// periodDays are the quick date ranges: how many days back from today they start.
var periodDays = map[string]int{periodToday: 0, period7Days: 6, period30Days: 29, period90Days: 89}

// ordersScreen lists orders from every channel, filtered and paged, with the chosen order's detail
// beside the list: lines, totals, address, history and the buttons that move it forward.
type ordersScreen struct {
	a *App

	status  *widget.Select
	channel *widget.Select
	period  *widget.Select
	from    *widget.Entry
	to      *widget.Entry
	search  *widget.Entry
	problem *widget.Label // what is wrong with the filters
	list    *pagedTable[data.Order]

	// statusSets holds status choices made by showFilter that the menu does not have ("Paid + packed").
	statusSets  map[string][]data.Status
	channelKeys map[string]string // display name → channel
	quiet       bool              // set while code, not a person, changes the filters
	typing      latest

	split       *container.Split
	detail      *fyne.Container
	order       *data.Order // the order on display, nil for none
	detailLoads latest

	// The detail's widgets, rebuilt for each order.
	title    *widget.Label
	badge    *widget.Label
	actions  map[data.Status]*widget.Button
	dates    *fyne.Container
	customer *widget.Label
	shipTo   *widget.Label
	lines    *gridTable
	totals   *fyne.Container
	history  *gridTable
}

func newOrdersScreen(a *App) *ordersScreen {
	sc := &ordersScreen{a: a, quiet: true, statusSets: map[string][]data.Status{}, channelKeys: map[string]string{}}
	statusOptions := []string{choiceAllStatuses, choiceOpen, choiceDueToday, choiceLate}
	for _, s := range data.Statuses() {
		statusOptions = append(statusOptions, statusLabel(s))
	}
	sc.status = widget.NewSelect(statusOptions, func(string) { sc.onFilterChanged() })
	sc.status.SetSelected(choiceAllStatuses)
	sc.channel = widget.NewSelect([]string{choiceAllChannels}, func(string) { sc.onFilterChanged() })
	sc.channel.SetSelected(choiceAllChannels)
	sc.period = widget.NewSelect([]string{periodAllTime, periodToday, period7Days, period30Days, period90Days, periodCustom}, sc.onPeriod)
	sc.period.SetSelected(periodAllTime)
	sc.from = widget.NewEntry()
	sc.from.SetPlaceHolder("From YYYY-MM-DD")
	sc.from.OnChanged = func(string) { sc.onDateTyped() }
	sc.to = widget.NewEntry()
	sc.to.SetPlaceHolder("To YYYY-MM-DD")
	sc.to.OnChanged = func(string) { sc.onDateTyped() }
	sc.search = widget.NewEntry()
	sc.search.SetPlaceHolder("Search order id, customer or SKU")
	sc.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	sc.search.OnChanged = func(string) {
		if !sc.quiet {
			debounce(a.bg, &sc.typing, searchDelay, sc.apply)
		}
	}
	sc.search.OnSubmitted = func(string) { sc.typing.next(); sc.apply() }
	sc.problem = widget.NewLabel("")
	sc.problem.Importance = widget.DangerImportance
	sc.problem.Hide()

	sc.list = newPagedTable(a, "orders", sc.columns(), func(o data.Order) string { return fmt.Sprint(o.ID) })
	sc.list.sortBy("placed", true)
	sc.list.emptyText = "No orders match these filters"
	sc.list.onSelected = func(o data.Order) { sc.openOrder(o.ID) }
	sc.quiet = false
	return sc
}

func (sc *ordersScreen) columns() []column[data.Order] {
	now := time.Now
	late := func(o data.Order) bool { return orderLate(o, now()) }
	return []column[data.Order]{
		{title: "Placed", width: 140, sort: "placed", descFirst: true, text: func(o data.Order) string { return whenText(o.PlacedAt) }},
		{title: "Channel", width: 116, drop: 3, text: func(o data.Order) string { return channelLabel(o.Channel) }},
		{title: "Order", width: 110, grow: 1, text: func(o data.Order) string { return o.ExternalID }},
		{title: "Customer", width: 120, grow: 2, text: func(o data.Order) string { return o.CustomerName }},
		{title: "Items", width: 64, drop: 2, align: fyne.TextAlignTrailing, text: func(o data.Order) string { return groupDigits(o.Items) }},
		{title: "Total", width: 90, align: fyne.TextAlignTrailing, text: func(o data.Order) string { return data.FormatMoney(o.Total, o.Currency) }},
		{title: "Status", width: 110, text: func(o data.Order) string {
			if late(o) {
				return statusLabel(o.Status) + " · late"
			}
			return statusLabel(o.Status)
		}, style: func(o data.Order) widget.Importance { return statusImportance(o, now()) }},
		{title: "Ship by", width: 104, drop: 1, text: func(o data.Order) string { return dayText(o.ShipBy) }, style: func(o data.Order) widget.Importance {
			if late(o) {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		}},
	}
}

func (sc *ordersScreen) view() fyne.CanvasObject {
	filters := container.NewHBox(
		fixedWidth(sc.status, 180), fixedWidth(sc.channel, 150), fixedWidth(sc.period, 140),
		fixedWidth(sc.from, 150), fixedWidth(sc.to, 150),
	)
	top := container.NewVBox(
		screenHeader("Orders", "Every order from every channel, newest first. Choose one to see its lines and move it on."),
		container.NewBorder(nil, nil, filters, nil, sc.search), sc.problem)
	sc.detail = container.NewStack()
	sc.detail.Hide()
	sc.split = container.NewHSplit(sc.list.view(), sc.detail)
	sc.split.Offset = 0.56
	return container.NewBorder(top, nil, nil, nil, sc.split)
}

// refresh reloads the channel list, the page on display and the open order.
func (sc *ordersScreen) refresh() {
	st := sc.a.store
	run(sc.a.bg, func(ctx context.Context) ([]string, error) {
		return st.Channels(ctx)
	}, func(channels []string, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.setChannels(channels)
	})
	if sc.list.src == nil {
		sc.apply()
	} else {
		sc.list.reload()
	}
	if sc.order != nil {
		sc.openOrder(sc.order.ID)
	}
}

func (sc *ordersScreen) setChannels(channels []string) {
	opts := []string{choiceAllChannels}
	for _, c := range channels {
		name := channelLabel(c)
		sc.channelKeys[name] = c
		opts = append(opts, name)
	}
	if sel := sc.channel.Selected; sel != "" && !slices.Contains(opts, sel) {
		opts = append(opts, sel)
	}
	sc.channel.SetOptions(opts)
}

// showFilter shows the orders a filter matches, setting the screen's filters to say so. The dashboard
// uses it for "late orders", "to ship today" and the like.
func (sc *ordersScreen) showFilter(f data.OrderFilter) {
	sc.quiet = true
	sc.status.SetSelected(sc.statusChoice(f))
	if f.Channel == "" {
		sc.channel.SetSelected(choiceAllChannels)
	} else {
		name := channelLabel(f.Channel)
		sc.channelKeys[name] = strings.ToLower(f.Channel)
		if !slices.Contains(sc.channel.Options, name) {
			sc.channel.SetOptions(append(sc.channel.Options, name))
		}
		sc.channel.SetSelected(name)
	}
	sc.from.SetText(dateText(f.From))
	to := f.To
	if !to.IsZero() {
		to = to.Add(-time.Nanosecond) // the entry is inclusive, the filter's end exclusive
	}
	sc.to.SetText(dateText(to))
	sc.period.SetSelected(periodChoice(sc.from.Text, sc.to.Text, time.Now()))
	sc.search.SetText(f.Search)
	sc.quiet = false
	sc.typing.next()
	sc.closeDetail()
	sc.apply()
}

// statusChoice is the status menu entry for a filter, adding one when the menu has none.
func (sc *ordersScreen) statusChoice(f data.OrderFilter) string {
	open := slices.Equal(f.Statuses, data.OpenStatuses())
	switch {
	case len(f.Statuses) == 0 && f.ShipByBefore.IsZero():
		return choiceAllStatuses
	case open && f.ShipByBefore.IsZero():
		return choiceOpen
	case open && f.ShipByBefore.After(time.Now()):
		return choiceDueToday
	case open:
		return choiceLate
	case len(f.Statuses) == 1 && f.ShipByBefore.IsZero():
		return statusLabel(f.Statuses[0])
	}
	names := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		names[i] = statusLabel(s)
	}
	label := strings.Join(names, " + ")
	if label == "" {
		label = "Any status"
	}
	if !f.ShipByBefore.IsZero() {
		label += ", ship by " + dayText(f.ShipByBefore)
	}
	if _, ok := sc.statusSets[label]; !ok {
		sc.status.SetOptions(append(sc.status.Options, label))
	}
	sc.statusSets[label] = f.Statuses
	return label
}

func (sc *ordersScreen) onFilterChanged() {
	if sc.quiet {
		return
	}
	sc.typing.next()
	sc.apply()
}

func (sc *ordersScreen) onPeriod(choice string) {
	if sc.quiet {
		return
	}
	days, ok := periodDays[choice]
	sc.quiet = true
	switch {
	case ok:
		now := time.Now()
		sc.from.SetText(now.AddDate(0, 0, -days).Format(dateLayout))
		sc.to.SetText(now.Format(dateLayout))
	case choice == periodAllTime:
		sc.from.SetText("")
		sc.to.SetText("")
	}
	sc.quiet = false
	if choice == periodCustom {
		if c := sc.a.win.Canvas(); c != nil {
			c.Focus(sc.from)
		}
		return
	}
	sc.typing.next()
	sc.apply()
}

func (sc *ordersScreen) onDateTyped() {
	if sc.quiet {
		return
	}
	sc.quiet = true
	sc.period.SetSelected(periodChoice(sc.from.Text, sc.to.Text, time.Now()))
	sc.quiet = false
	debounce(sc.a.bg, &sc.typing, searchDelay, sc.apply)
}

// filter reads the filters as a person set them; the message says what is wrong when they can't be used.
func (sc *ordersScreen) filter(now time.Time) (data.OrderFilter, string) {
	var f data.OrderFilter
	choice := sc.status.Selected
	switch choice {
	case choiceAllStatuses, "":
	case choiceOpen:
		f.Statuses = data.OpenStatuses()
	case choiceDueToday:
		f.Statuses = data.OpenStatuses()
		y, m, d := now.Date()
		f.ShipByBefore = time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())
	case choiceLate:
		f.Statuses = data.OpenStatuses()
		f.ShipByBefore = now
	default:
		if set, ok := sc.statusSets[choice]; ok {
			f.Statuses = set
			break
		}
		for _, s := range data.Statuses() {
			if statusLabel(s) == choice {
				f.Statuses = []data.Status{s}
			}
		}
	}
	if c := sc.channel.Selected; c != "" && c != choiceAllChannels {
		f.Channel = sc.channelKeys[c]
		if f.Channel == "" {
			f.Channel = strings.ToLower(c)
		}
	}
	from, err := parseDay(sc.from.Text)
	if err != nil {
		return f, fmt.Sprintf("The From date %q is not a date: write it as YYYY-MM-DD, for example %s.", sc.from.Text, now.Format(dateLayout))
	}
	to, err := parseDay(sc.to.Text)
	if err != nil {
		return f, fmt.Sprintf("The To date %q is not a date: write it as YYYY-MM-DD, for example %s.", sc.to.Text, now.Format(dateLayout))
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return f, "The From date is after the To date."
	}
	f.From = from
	if !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	f.Search = strings.TrimSpace(sc.search.Text)
	return f, ""
}

// apply shows the orders the filters match, from the first page.
func (sc *ordersScreen) apply() {
	f, problem := sc.filter(time.Now())
	if problem != "" {
		sc.problem.SetText(problem)
		sc.problem.Show()
		return
	}
	sc.problem.Hide()
	st := sc.a.store
	sc.list.setSource(pageSource[data.Order]{
		count: func(ctx context.Context) (int, error) { return st.CountOrders(ctx, f) },
		page: func(ctx context.Context, q pageQuery) ([]data.Order, error) {
			// The store lists newest first; oldest first is the same list read from the other end.
			g := f
			g.Offset, g.Limit = q.offset, q.limit
			if !q.desc {
				g.Offset = q.total - q.offset - q.limit
				if g.Offset < 0 {
					g.Limit += g.Offset
					g.Offset = 0
				}
				if g.Limit <= 0 {
					return nil, nil
				}
			}
			orders, err := st.Orders(ctx, g)
			if !q.desc {
				slices.Reverse(orders)
			}
			return orders, err
		},
	})
}

// openOrder loads an order and shows it beside the list.
func (sc *ordersScreen) openOrder(id int64) {
	st := sc.a.store
	load(sc.a.bg, sc.a.win, &sc.detailLoads, func(ctx context.Context) (data.Order, error) {
		return st.Order(ctx, id)
	}, sc.showOrder)
}

func (sc *ordersScreen) closeDetail() {
	sc.detailLoads.next()
	sc.order = nil
	sc.list.markSelected("")
	sc.detail.Hide()
	sc.split.Refresh()
}

// showOrder fills the detail panel with one order.
func (sc *ordersScreen) showOrder(o data.Order) {
	sc.order = &o
	sc.list.markSelected(fmt.Sprint(o.ID))
	now := time.Now()

	sc.title = detailHeading(fmt.Sprintf("%s order %s", channelLabel(o.Channel), o.ExternalID))
	closeButton := widget.NewButtonWithIcon("", theme.WindowCloseIcon(), sc.closeDetail)
	closeButton.Importance = widget.LowImportance
	badgeText := statusLabel(o.Status)
	if orderLate(o, now) {
		badgeText += " · late: ship-by date passed"
	}
	sc.badge = widget.NewLabel(badgeText)
	sc.badge.TextStyle.Bold = true
	sc.badge.Importance = statusImportance(o, now)

	sc.actions = map[data.Status]*widget.Button{}
	var buttons []fyne.CanvasObject
	if sc.a.store.Can(data.PermWorkOrders) {
		for i, next := range o.Status.Next() {
			b := widget.NewButton(actionTitle(next), func() { sc.onMove(next) })
			switch {
			case next == data.StatusCancelled || next == data.StatusReturned:
				b.Importance = widget.DangerImportance
			case i == 0:
				b.Importance = widget.HighImportance
			}
			sc.actions[next] = b
			buttons = append(buttons, b)
		}
	}
	header := container.NewVBox(
		container.NewBorder(nil, nil, nil, closeButton, sc.title),
		sc.badge,
	)
	if len(buttons) > 0 {
		var size fyne.Size
		for _, b := range buttons {
			size = size.Max(b.MinSize())
		}
		header.Add(container.NewGridWrap(size, buttons...))
	}

	sc.dates = factsForm()
	for _, d := range []struct {
		name string
		at   time.Time
	}{{"Placed", o.PlacedAt}, {"Paid", o.PaidAt}, {"Ship by", o.ShipBy}, {"Shipped", o.ShippedAt}, {"Delivered", o.DeliveredAt}} {
		if d.at.IsZero() {
			continue
		}
		v := factValue(whenText(d.at))
		if d.name == "Ship by" && orderLate(o, now) {
			v.Importance = widget.DangerImportance
		}
		sc.dates.Add(factKey(d.name))
		sc.dates.Add(v)
	}

	customer := o.CustomerName
	if o.CustomerEmail != "" {
		customer += "\n" + o.CustomerEmail
	}
	sc.customer = widget.NewLabel(strings.TrimSpace(customer))
	sc.customer.Wrapping = fyne.TextWrapWord
	sc.shipTo = widget.NewLabel(addressLines(o.ShipTo))
	sc.shipTo.Wrapping = fyne.TextWrapWord

	sc.lines = newGridTable(1,
		gridColumn{title: "SKU", width: 104},
		gridColumn{title: "Item", width: 100},
		gridColumn{title: "Qty", width: 44, align: fyne.TextAlignTrailing},
		gridColumn{title: "Price", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Total", width: 84, align: fyne.TextAlignTrailing},
	)
	var rows [][]string
	for _, l := range o.Lines {
		sku := l.SKU
		if sku == "" {
			sku = "unmatched: " + l.ChannelSKU
		}
		qty := groupDigits(l.Quantity)
		if l.Pack > 1 {
			qty += fmt.Sprintf(" ×%d", l.Pack)
		}
		rows = append(rows, []string{sku, l.Name, qty, data.FormatMoney(l.UnitPrice, o.Currency),
			data.FormatMoney(l.UnitPrice*l.Quantity, o.Currency)})
	}
	sc.lines.setRows(rows, func(row, col int) widget.Importance {
		if col == 0 && o.Lines[row].SKU == "" {
			return widget.WarningImportance
		}
		return widget.MediumImportance
	})

	sc.totals = factsForm()
	money := func(name string, amount int64, bold bool) {
		v := factValue(data.FormatMoney(amount, o.Currency))
		v.Alignment = fyne.TextAlignTrailing
		v.TextStyle.Bold = bold
		k := factKey(name)
		if bold {
			k.TextStyle.Bold = true
			k.Importance = widget.MediumImportance
		}
		sc.totals.Add(k)
		sc.totals.Add(v)
	}
	money("Subtotal", o.Subtotal, false)
	money("Shipping", o.Shipping, false)
	money("Tax", o.Tax, false)
	if o.Discount != 0 {
		money("Discount", -absAmount(o.Discount), false)
	}
	money("Total", o.Total, true)

	sc.history = newGridTable(2,
		gridColumn{title: "Status", width: 110},
		gridColumn{title: "When", width: 150},
		gridColumn{title: "Who", width: 110},
	)
	var hist [][]string
	for i := len(o.History) - 1; i >= 0; i-- {
		h := o.History[i]
		hist = append(hist, []string{statusLabel(h.Status), whenText(h.At), h.UserName})
	}
	sc.history.setRows(hist, nil)

	people := container.NewVBox(factKey("Customer"), sc.customer, factKey("Ship to"), sc.shipTo)
	body := container.NewVBox(
		container.NewGridWithColumns(2, sc.dates, people),
		sectionTitle("Lines"),
		sc.lines.box,
		container.NewBorder(nil, nil, nil, fixedWidth(sc.totals, 220)),
		sectionTitle("History"),
		sc.history.box,
		sentLogBox(sc.a, o.ID),
	)
	sc.detail.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(header, widget.NewSeparator()), nil, nil, nil,
		container.NewScroll(container.NewPadded(body)),
	)}
	showPanel(sc.split, sc.detail)
}

// onMove is an action button: cancelling and returning ask first, the rest happen at once.
func (sc *ordersScreen) onMove(next data.Status) {
	if sc.order == nil {
		return
	}
	o := *sc.order
	name := fmt.Sprintf("%s order %s", channelLabel(o.Channel), o.ExternalID)
	switch next {
	case data.StatusCancelled:
		d := dialog.NewConfirm("Cancel order",
			fmt.Sprintf("Cancel %s for %s?\nThe stock it holds back becomes available again. This cannot be undone.", name, o.CustomerName),
			func(ok bool) {
				if ok {
					sc.move(o.ID, next)
				}
			}, sc.a.win)
		d.SetConfirmText("Cancel order")
		d.SetDismissText("Keep order")
		d.Show()
	case data.StatusReturned:
		d := dialog.NewConfirm("Mark returned",
			fmt.Sprintf("Mark %s as returned?\nReturned goods are not put back in stock by this: check them, then record\nwhat can be sold again with Adjust stock in Inventory (kind: return).", name),
			func(ok bool) {
				if ok {
					sc.move(o.ID, next)
				}
			}, sc.a.win)
		d.SetConfirmText("Mark returned")
		d.SetDismissText("Not now")
		d.Show()
	default:
		sc.move(o.ID, next)
	}
}

func (sc *ordersScreen) move(id int64, next data.Status) {
	for _, b := range sc.actions {
		b.Disable()
	}
	st := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (data.Order, error) {
		return st.SetOrderStatus(ctx, id, next)
	}, func(_ data.Order, err error) {
		if err != nil {
			for _, b := range sc.actions {
				b.Enable()
			}
			showError(sc.a.win, err)
			return
		}
		// Refreshing reloads the list and this order, whose buttons stay off until it has.
		sc.a.changed()
		if !sc.a.showing(sc) {
			sc.refresh()
		}
	})
}

// orderLate reports whether an order still to ship has passed its ship-by date.
func orderLate(o data.Order, now time.Time) bool {
	return o.Status.Open() && !o.ShipBy.IsZero() && o.ShipBy.Before(now)
}

func statusImportance(o data.Order, now time.Time) widget.Importance {
	switch {
	case orderLate(o, now):
		return widget.DangerImportance
	case o.Status == data.StatusNew:
		return widget.HighImportance
	case o.Status == data.StatusShipped || o.Status == data.StatusDelivered:
		return widget.SuccessImportance
	case o.Status == data.StatusReturned:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// actionTitle is the button that moves an order to status s.
func actionTitle(s data.Status) string {
	switch s {
	case data.StatusPicking:
		return "Start picking"
	case data.StatusCancelled:
		return "Cancel order"
	}
	return "Mark " + string(s)
}

// whenText is a moment in local time: "26 Nov 2026 14:05"; "" for none.
func whenText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2 Jan 2006 15:04")
}

// dayText is a date in local time: "26 Nov 2026".
func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2 Jan 2006")
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(dateLayout)
}

// parseDay reads a YYYY-MM-DD date as local midnight; empty is the zero time.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(dateLayout, s, time.Local)
}

// periodChoice names the quick period the dates amount to, or custom dates.
func periodChoice(from, to string, now time.Time) string {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" && to == "" {
		return periodAllTime
	}
	if to == now.Format(dateLayout) {
		for name, days := range periodDays {
			if from == now.AddDate(0, 0, -days).Format(dateLayout) {
				return name
			}
		}
	}
	return periodCustom
}

func addressLines(a data.Address) string {
	var lines []string
	for _, l := range []string{a.Name, a.Line1, a.Line2, strings.TrimSpace(a.City + " " + a.Postcode), a.Region, a.Country} {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return "No address given"
	}
	return strings.Join(lines, "\n")
}

func absAmount(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
