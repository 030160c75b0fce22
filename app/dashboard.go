package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// dashboardScreen is the owner's morning view: what needs doing today, each figure opening the list
// behind it, and how the last 30 days sold. Money appears only for roles that may see it.
type dashboardScreen struct {
	a     *App
	query latest

	title  *canvas.Text
	asOf   *widget.RichText
	reload *widget.Button

	// The dashboard's pages: sales and margin, and for those who cannot reach the Fulfillment screen's
	// tab, the packing figures. A page covers the dashboard until its back button is pressed.
	export      *xlsxSaver
	salesPage   *salesPage
	packing     *packingFigures // nil until first opened
	packingView fyne.CanvasObject
	packingBack *widget.Button
	openSales   *widget.Button // "Sales and margin"; hidden for roles without PermViewCosts
	openPacking *widget.Button // "Packing figures"; hidden for roles without PermViewAudit
	home        fyne.CanvasObject
	page        *fyne.Container
	pageOn      string // "" when the dashboard itself is on display, else pageSales or pagePacking

	toShipToday *figureTile
	late        *figureTile
	open        *figureTile
	oversold    *figureTile
	outOfStock  *figureTile
	unmatched   *figureTile
	atRisk      *figureTile // owner only: SKUs a channel lists more of than can be sold
	mailReview  *figureTile // owner only: order e-mails Backroom could not read

	statuses    map[data.Status]*figureTile
	statusRow   *fyne.Container
	sales       *fyne.Container // the sales card; hidden for roles without PermViewCosts
	salesTable  *gridTable
	salesEmpty  *widget.Label
	lastSales   []data.ChannelSales // what the sales card shows, for its export
	salesExport *widget.Button
	recent      *fyne.Container
	recentEmpty *widget.Label

	// returns is the return-rate card: owner and accountant only, as the packer's dashboard is their queue.
	returns       *fyne.Container
	returnsTable  *gridTable
	returnsWhy    *widget.Label
	returnsEmpty  *widget.Label
	lastReturns   []data.ReturnRate // what the returns card was given, for its export
	lastReasons   map[data.ReturnReason]int64
	returnsExport *widget.Button

	body *fyne.Container // everything, laid out again when a card grows or shrinks
	// exceptions lists the open exceptions, overdue first: owner only, nil for everyone else.
	exceptions *exceptionsCard
	support    *supportLoadCard // tickets per 100 orders by product and reason: owner only, nil for everyone else
	ops        *opsCards        // bottlenecks and carriers: owner and accountant

	now time.Time // when the figures on screen were computed
}

// dashboardData is everything the dashboard shows, read in one background job.
type dashboardData struct {
	now                time.Time
	overview           data.Overview
	recent             []data.Order
	shopName           string
	atRisk, mailReview int // owner only
	// Return rates of the orders shipped in the last 90 days, and the returned units per reason.
	returnRates   []data.ReturnRate
	returnReasons map[data.ReturnReason]int64
}

// returnDays is the window the return rates look back over: long enough for parcels to come back.
const returnDays = 90

// The dashboard's pages.
const (
	pageSales   = "sales"
	pagePacking = "packing"
)

func newDashboardScreen(a *App) *dashboardScreen {
	sc := &dashboardScreen{a: a, statuses: map[data.Status]*figureTile{}}
	sc.title = canvas.NewText("Today", theme.Color(theme.ColorNameForeground))
	sc.title.TextSize = 26
	sc.title.TextStyle.Bold = true
	sc.asOf = mutedText("")
	sc.reload = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), sc.load)
	sc.export = newXLSXSaver(a)
	sc.salesPage = newSalesPage(a, sc.export, sc.showHome)
	sc.openSales = widget.NewButtonWithIcon("Sales and margin", theme.InfoIcon(), func() { sc.showPage(pageSales) })
	sc.openPacking = widget.NewButtonWithIcon("Packing figures", theme.ListIcon(), sc.onPackingFigures)
	if !a.store.Can(data.PermViewCosts) {
		sc.openSales.Hide()
	}
	if !a.store.Can(data.PermViewAudit) {
		sc.openPacking.Hide()
	}
	if a.nav != nil {
		// App has no hook for leaving a section. Every way to another section selects it in the sidebar
		// (App.show does too), so the dashboard listens there to stop its page's work when left.
		next := a.nav.OnSelected
		a.nav.OnSelected = func(id widget.ListItemID) {
			if id < len(a.visible) && a.visible[id].name != sectionDashboard {
				sc.leave()
			}
			if next != nil {
				next(id)
			}
		}
	}

	endOfToday := func() time.Time {
		l := sc.now.In(time.Local)
		return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, time.Local)
	}
	sc.toShipToday = newFigureTile("To ship today", "open, due by tonight", false, func() {
		a.showOrders(data.OrderFilter{Statuses: data.OpenStatuses(), ShipByBefore: endOfToday()})
	})
	sc.late = newFigureTile("Late", "open, past their ship-by date", true, func() {
		a.showOrders(data.OrderFilter{Statuses: data.OpenStatuses(), ShipByBefore: sc.now})
	})
	sc.open = newFigureTile("Open orders", "not shipped yet", false, func() {
		a.showOrders(data.OrderFilter{Statuses: data.OpenStatuses()})
	})
	sc.oversold = newFigureTile("Oversold SKUs", "more on orders than on the shelf", true, func() { a.show(sectionInventory) })
	sc.outOfStock = newFigureTile("Out of stock", "nothing left to sell", true, func() { a.show(sectionInventory) })
	var openImports func()
	if a.canShow(sectionImports) {
		openImports = a.showUnmatched
	}
	sc.unmatched = newFigureTile("Unmatched order lines", "items that match none of your SKUs", true, openImports)
	sc.atRisk = newFigureTile("At risk", "listed on a channel beyond what you can sell", true, func() { a.show(sectionChannelStock) })
	sc.mailReview = newFigureTile("Order e-mails to review", "looked like orders, could not be read", true, func() { a.show(sectionMail) })

	sc.statusRow = container.NewGridWithColumns(len(data.Statuses()))
	for _, st := range data.Statuses() {
		st := st
		t := newFigureTile(statusLabel(st), "", false, func() {
			a.showOrders(data.OrderFilter{Statuses: []data.Status{st}})
		})
		t.value.TextSize = 24
		sc.statuses[st] = t
		sc.statusRow.Add(t.root)
	}
	sc.salesTable = newGridTable(-1,
		gridColumn{title: "Channel", width: 140},
		gridColumn{title: "Orders", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Revenue", width: 120, align: fyne.TextAlignTrailing},
		gridColumn{title: "Cost of goods", width: 120, align: fyne.TextAlignTrailing},
		gridColumn{title: "Gross margin", width: 120, align: fyne.TextAlignTrailing},
		gridColumn{title: "Margin %", width: 90, align: fyne.TextAlignTrailing})
	sc.salesEmpty = widget.NewLabel("No sales in the last 30 days.")
	sc.salesEmpty.Importance = widget.LowImportance
	sc.salesEmpty.Hide()
	sc.returnsTable = newGridTable(1,
		gridColumn{title: "SKU", width: 140},
		gridColumn{title: "Product", width: 200},
		gridColumn{title: "Shipped", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Returned", width: 95, align: fyne.TextAlignTrailing},
		gridColumn{title: "Rate", width: 70, align: fyne.TextAlignTrailing})
	sc.returnsWhy = widget.NewLabel("")
	sc.returnsWhy.Wrapping = fyne.TextWrapWord
	sc.returnsEmpty = widget.NewLabel(fmt.Sprintf("Nothing shipped in the last %d days came back.", returnDays))
	sc.returnsEmpty.Importance = widget.LowImportance
	sc.ops = newOpsCards(a)
	sc.ops.export = sc.export
	sc.recent = container.NewVBox()
	sc.recentEmpty = widget.NewLabel("No orders yet. They appear here as soon as the first one is recorded.")
	sc.recentEmpty.Importance = widget.LowImportance
	return sc
}

func (sc *dashboardScreen) view() fyne.CanvasObject {
	header := container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(sc.openSales, sc.openPacking, sc.reload)),
		container.NewVBox(sc.title, sc.asOf))
	grid := &tileGrid{most: 3, changed: func() { sc.home.Refresh() }}
	tiles := container.New(grid,
		sc.toShipToday.root, sc.late.root, sc.open.root,
		sc.oversold.root, sc.outOfStock.root, sc.unmatched.root)
	purchasing := newPurchasingDashboard(sc.a)
	if sc.ownerFigures() {
		// The owner's extra figures make nine tiles: three rows of three, what needs doing first on top.
		tiles = container.New(grid,
			sc.toShipToday.root, sc.late.root, sc.open.root,
			sc.mailReview.root, sc.atRisk.root, purchasing.tile(),
			sc.oversold.root, sc.outOfStock.root, sc.unmatched.root)
	}
	sc.salesExport = sc.export.button("sales-by-channel", sc.salesWorkbook)
	details := widget.NewButtonWithIcon("Chart and periods", theme.NavigateNextIcon(), func() { sc.showPage(pageSales) })
	details.Importance = widget.LowImportance
	sc.sales = container.NewVBox(
		cardHeading("Sales, last 30 days", "Revenue is order totals; cost of goods is each unit at the cost in force when its order was placed.",
			details, sc.salesExport),
		sc.salesTable.box, sc.salesEmpty)
	if !sc.a.store.Can(data.PermViewCosts) {
		sc.sales.Hide()
	}
	var exceptions, support fyne.CanvasObject = container.NewVBox(), container.NewVBox()
	if sc.a.store.Can(data.PermManageMail) {
		sc.exceptions = newExceptionsCard(sc.a)
		exceptions = sc.exceptions.view()
		sc.support = newSupportLoadCard(sc.a)
		support = sc.support.view()
	}
	sc.body = container.NewVBox(
		header,
		exceptions, // past their age limit, they belong at the top of the owner's day
		support,    // customers' tickets per product and reason, beside what waits on the owner
		tiles,
		sectionHeading("Orders by status", "Every order ever recorded; tap a status to list its orders."),
		sc.statusRow,
		sc.sales,
		purchasing.alertsCard(),
		sc.returnsCard(),
		sc.ops.view(),
		purchasing.suppliersCard(),
		sectionHeading("Recent orders", "The last 10 orders placed, from every channel."),
		sc.recent,
		sc.recentEmpty,
	)
	sc.home = container.NewVScroll(container.NewPadded(sc.body))
	sc.page = container.NewStack()
	sc.page.Hide()
	return container.NewStack(sc.home, sc.page)
}

// refresh reloads the dashboard's figures, and the page on display if one is.
func (sc *dashboardScreen) refresh() {
	sc.load()
	switch sc.pageOn {
	case pageSales:
		sc.salesPage.open()
	case pagePacking:
		sc.packing.refresh()
	}
}

// showPage covers the dashboard with one of its pages and computes its figures.
func (sc *dashboardScreen) showPage(name string) {
	sc.leave()
	sc.pageOn = name
	switch name {
	case pageSales:
		sc.page.Objects = []fyne.CanvasObject{sc.salesPage.content()}
		sc.salesPage.open()
	case pagePacking:
		if sc.packing == nil {
			sc.packing = newPackingFigures(sc.a)
			sc.packing.export = sc.export
			sc.packingBack = widget.NewButtonWithIcon("Dashboard", theme.NavigateBackIcon(), sc.showHome)
			sc.packingBack.Importance = widget.LowImportance
			sc.packingView = container.NewPadded(container.NewBorder(container.NewHBox(sc.packingBack), nil, nil, nil, sc.packing.view()))
		}
		sc.page.Objects = []fyne.CanvasObject{sc.packingView}
		sc.packing.refresh()
	}
	sc.home.Hide()
	sc.page.Show()
	sc.page.Refresh()
}

// showHome goes back from a page to the dashboard.
func (sc *dashboardScreen) showHome() {
	sc.leave()
	sc.pageOn = ""
	sc.page.Hide()
	sc.page.Objects = nil
	sc.home.Show()
	sc.load()
}

// leave stops the work of the page on display: it is being left.
func (sc *dashboardScreen) leave() {
	if sc.pageOn == pageSales {
		sc.salesPage.leave()
	}
}

// onPackingFigures opens the packing figures: on the Fulfillment screen's tab for those who work
// there, else (the accountant) as a page of the dashboard.
func (sc *dashboardScreen) onPackingFigures() {
	if sc.a.canShow(sectionFulfillment) {
		if f, ok := sc.a.show(sectionFulfillment).(*fulfillmentScreen); ok && f.packing.figuresTab != nil {
			f.packing.tabs.Select(f.packing.figuresTab)
		}
		return
	}
	sc.showPage(pagePacking)
}

// ownerFigures reports whether the person sees the owner's tiles: channel stock at risk and order
// e-mails to review, which lead to screens only the owner has.
func (sc *dashboardScreen) ownerFigures() bool {
	return sc.a.canShow(sectionChannelStock) && sc.a.canShow(sectionMail)
}

// returnsCard is where the owner sees which products come back and why.
func (sc *dashboardScreen) returnsCard() fyne.CanvasObject {
	sc.returnsExport = sc.export.button("returns", sc.returnsWorkbook)
	sc.returns = container.NewVBox(
		cardHeading("Returns", fmt.Sprintf("Of the orders shipped in the last %d days: the products whose returns weigh most (rate × units back), and why.", returnDays),
			sc.returnsExport),
		sc.returnsTable.box, sc.returnsWhy, sc.returnsEmpty)
	if !sc.a.store.Can(data.PermViewAudit) {
		sc.returns.Hide()
	}
	return sc.returns
}

// showReturns fills the returns card: the products with returns, highest rate first, and the reasons.
func (sc *dashboardScreen) showReturns(rates []data.ReturnRate, reasons map[data.ReturnReason]int64) {
	sc.lastReturns, sc.lastReasons = rates, reasons
	setEnabled(sc.returnsExport, len(rates) > 0)
	const shown = 8
	var rows [][]string
	var listed []data.ReturnRate
	for _, r := range rates {
		if r.Returned == 0 || len(rows) == shown {
			continue
		}
		listed = append(listed, r)
		rows = append(rows, []string{r.SKU, r.Name, groupDigits(r.Sold), groupDigits(r.Returned), fmt.Sprintf("%.0f%%", r.Rate*100)})
	}
	var why []string
	for _, reason := range data.ReturnReasons() {
		if n := reasons[reason]; n > 0 {
			why = append(why, fmt.Sprintf("%s %s", strings.ToLower(returnReasonLabels()[reason]), groupDigits(n)))
		}
	}
	defer sc.body.Refresh() // the card's parts show and hide: lay the page out again
	if len(rows) == 0 {
		sc.returnsTable.box.Hide()
		sc.returnsWhy.Hide()
		sc.returnsEmpty.Show()
		return
	}
	sc.returnsTable.setRows(rows, func(row, col int) widget.Importance {
		if col == 4 && listed[row].Rate >= 0.1 {
			return widget.DangerImportance
		}
		return widget.MediumImportance
	})
	sc.returnsWhy.SetText("Units returned by reason: " + strings.Join(why, " · ") + ".")
	sc.returnsTable.box.Show()
	sc.returnsWhy.Show()
	sc.returnsEmpty.Hide()
}

// load reads the figures in the background and shows them; an older answer never replaces a newer one.
func (sc *dashboardScreen) load() {
	if sc.body != nil {
		sc.ops.load()
	}
	if sc.exceptions != nil {
		sc.exceptions.load()
	}
	if sc.support != nil {
		sc.support.load()
	}
	current := sc.query.next()
	store := sc.a.store
	ownerFigures := sc.ownerFigures()
	sc.reload.Disable()
	run(sc.a.bg, func(ctx context.Context) (dashboardData, error) {
		d := dashboardData{now: store.Now()}
		// The figures are independent reads: done at once, the page waits for the slowest of them.
		reads := []func(context.Context) error{
			func(ctx context.Context) (err error) {
				d.overview, err = store.Overview(ctx, d.now, time.Local)
				return err
			},
			func(ctx context.Context) (err error) {
				if d.recent, err = store.Orders(ctx, data.OrderFilter{Limit: 10}); err != nil {
					return err
				}
				d.shopName, err = store.Setting(ctx, data.SettingShopName)
				return err
			},
		}
		if store.Can(data.PermViewAudit) {
			reads = append(reads, func(ctx context.Context) (err error) {
				d.returnRates, d.returnReasons, err = store.ReturnRates(ctx, d.now.AddDate(0, 0, -returnDays), time.Time{})
				return err
			})
		}
		if ownerFigures {
			reads = append(reads, func(ctx context.Context) error {
				risks, err := store.AtRisk(ctx)
				if err != nil {
					return err
				}
				skus := map[string]bool{}
				for _, r := range risks {
					skus[strings.ToLower(r.SKU)] = true
				}
				d.atRisk = len(skus)
				d.mailReview, err = store.CountMailToReview(ctx)
				return err
			})
		}
		return d, inParallel(ctx, reads...)
	}, func(d dashboardData, err error) {
		if !current() {
			return
		}
		sc.reload.Enable()
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.show(d)
	})
}

func (sc *dashboardScreen) show(d dashboardData) {
	sc.now = d.now
	ov := d.overview
	if d.shopName != "" {
		sc.title.Text = d.shopName + " today"
	} else {
		sc.title.Text = "Today"
	}
	sc.title.Color = theme.Color(theme.ColorNameForeground)
	sc.title.Refresh()
	setMutedText(sc.asOf, fmt.Sprintf("%s · figures as of %s", d.now.In(time.Local).Format("Monday 2 January 2006"),
		d.now.In(time.Local).Format("15:04")))

	sc.toShipToday.set(ov.ToShipToday)
	sc.late.set(ov.LateOrders)
	sc.open.set(ov.OpenOrders)
	sc.oversold.set(ov.Oversold)
	sc.outOfStock.set(ov.OutOfStock)
	sc.unmatched.set(ov.UnmatchedLine)
	sc.atRisk.set(d.atRisk)
	sc.mailReview.set(d.mailReview)
	for st, t := range sc.statuses {
		t.set(ov.StatusCounts[st])
	}

	if sc.a.store.Can(data.PermViewAudit) {
		sc.showReturns(d.returnRates, d.returnReasons)
	}
	if sc.a.store.Can(data.PermViewCosts) {
		sc.showSales(ov.Sales30d)
		sc.sales.Show()
	} else {
		sc.sales.Hide()
	}
	sc.showRecent(d.recent)
}

// showSales fills the sales table: one row per channel and currency, then a total per currency.
func (sc *dashboardScreen) showSales(sales []data.ChannelSales) {
	sc.lastSales = sales
	setEnabled(sc.salesExport, len(sales) > 0)
	if len(sales) == 0 {
		sc.salesTable.setRows(nil, nil)
		sc.salesEmpty.Show()
		return
	}
	sc.salesEmpty.Hide()
	var rows [][]string
	var negative []bool
	totals := map[string]*data.ChannelSales{}
	var currencies []string
	add := func(cs data.ChannelSales) {
		margin := cs.Revenue - cs.Cost
		rows = append(rows, []string{channelLabel(cs.Channel), groupDigits(int64(cs.Orders)),
			data.FormatMoney(cs.Revenue, cs.Currency), data.FormatMoney(cs.Cost, cs.Currency),
			data.FormatMoney(margin, cs.Currency), marginPercent(margin, cs.Revenue)})
		negative = append(negative, margin < 0)
	}
	for _, cs := range sales {
		add(cs)
		t := totals[cs.Currency]
		if t == nil {
			t = &data.ChannelSales{Channel: "Total", Currency: cs.Currency}
			totals[cs.Currency] = t
			currencies = append(currencies, cs.Currency)
		}
		t.Orders += cs.Orders
		t.Revenue += cs.Revenue
		t.Cost += cs.Cost
	}
	firstTotal := len(rows)
	for _, c := range currencies {
		t := *totals[c]
		if len(currencies) > 1 {
			t.Channel = "Total " + c
		}
		add(t)
	}
	sc.salesTable.setRows(rows, func(row, col int) widget.Importance {
		switch {
		case col >= 4 && negative[row]:
			return widget.DangerImportance
		case row >= firstTotal:
			return widget.HighImportance
		}
		return widget.MediumImportance
	})
}

func marginPercent(margin, revenue int64) string {
	if revenue == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", float64(margin)*100/float64(revenue))
}

// showRecent lists the last orders; each order number opens it in Orders.
func (sc *dashboardScreen) showRecent(orders []data.Order) {
	sc.recent.RemoveAll()
	if len(orders) == 0 {
		sc.recentEmpty.Show()
		return
	}
	sc.recentEmpty.Hide()
	money := sc.a.store.Can(data.PermViewCosts)
	// Narrow enough for a 1024-pixel window beside the sidebar; the customer takes what is left.
	widths := []float32{150, 95, 145, 60, 110, 135}
	titles := []string{"Order", "Channel", "Customer", "Items", "Status", "Placed"}
	if money {
		widths = []float32{150, 95, 125, 60, 95, 110, 135}
		titles = []string{"Order", "Channel", "Customer", "Items", "Total", "Status", "Placed"}
	}
	cols := &gridColumnsLayout{widths: widths, grow: 2}
	label := func(text string, right bool) *widget.Label {
		l := widget.NewLabel(text)
		l.Truncation = fyne.TextTruncateEllipsis
		if right {
			l.Alignment = fyne.TextAlignTrailing
		}
		return l
	}
	var head []fyne.CanvasObject
	for _, t := range titles {
		l := label(t, t == "Items" || t == "Total")
		l.TextStyle.Bold = true
		head = append(head, l)
	}
	sc.recent.Add(container.New(cols, head...))
	for _, o := range orders {
		o := o
		link := widget.NewHyperlink(o.ExternalID, nil)
		link.Truncation = fyne.TextTruncateEllipsis
		link.OnTapped = func() { sc.a.showOrders(data.OrderFilter{Search: o.ExternalID}) }
		cells := []fyne.CanvasObject{link, label(channelLabel(o.Channel), false), label(o.CustomerName, false),
			label(groupDigits(o.Items), true)}
		if money {
			cells = append(cells, label(data.FormatMoney(o.Total, o.Currency), true))
		}
		status := label(statusLabel(o.Status), false)
		if o.Status.Open() && !o.ShipBy.IsZero() && o.ShipBy.Before(sc.now) {
			status.SetText(statusLabel(o.Status) + " · late")
			status.Importance = widget.DangerImportance
		}
		cells = append(cells, status, label(o.PlacedAt.In(time.Local).Format("Mon 2 Jan 15:04"), false))
		sc.recent.Add(container.New(cols, cells...))
	}
}

// figureTile is a large figure with a caption that opens the list behind it when tapped. A danger tile
// turns red when its figure is above zero, because then something needs doing.
type figureTile struct {
	root    fyne.CanvasObject
	button  *widget.Button // the tappable card; nil when there is nothing to open
	value   *canvas.Text
	caption *canvas.Text
	hint    *canvas.Text
	accent  *canvas.Rectangle
	danger  bool
	n       int
}

func newFigureTile(caption, hint string, danger bool, onTap func()) *figureTile {
	t := &figureTile{danger: danger}
	t.value = canvas.NewText("–", theme.Color(theme.ColorNameForeground))
	t.value.TextSize = 38
	t.value.TextStyle.Bold = true
	t.caption = canvas.NewText(caption, theme.Color(theme.ColorNameForeground))
	t.caption.TextSize = theme.TextSize()
	t.caption.TextStyle.Bold = true
	t.hint = canvas.NewText(hint, theme.Color(theme.ColorNamePlaceHolder))
	t.hint.TextSize = theme.CaptionTextSize()
	t.accent = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	t.accent.SetMinSize(fyne.NewSize(4, 4))
	texts := container.NewVBox(t.value, t.caption)
	if hint != "" {
		texts.Add(t.hint)
	}
	content := container.NewBorder(nil, nil, t.accent, nil, container.NewPadded(texts))
	if onTap == nil {
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		bg.CornerRadius = theme.InputRadiusSize()
		t.root = container.NewStack(bg, content)
		return t
	}
	t.button = widget.NewButton("", onTap)
	t.root = container.NewStack(t.button, content)
	return t
}

// set shows a figure, in the danger colour when it asks for attention.
func (t *figureTile) set(n int) {
	t.n = n
	t.value.Text = fmt.Sprint(n)
	t.value.Color = theme.Color(theme.ColorNameForeground)
	t.accent.FillColor = theme.Color(theme.ColorNamePrimary)
	if t.danger && n > 0 {
		t.value.Color = theme.Color(theme.ColorNameError)
		t.accent.FillColor = theme.Color(theme.ColorNameError)
	} else if t.danger {
		t.accent.FillColor = theme.Color(theme.ColorNameSuccess)
	}
	t.caption.Color = theme.Color(theme.ColorNameForeground)
	t.hint.Color = theme.Color(theme.ColorNamePlaceHolder)
	t.value.Refresh()
	t.caption.Refresh()
	t.hint.Refresh()
	t.accent.Refresh()
}

// sectionHeading is the bold title of a part of a screen with a muted line explaining it.
func sectionHeading(title, note string) fyne.CanvasObject {
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.SizeName = theme.SizeNameSubHeadingText
	if note == "" {
		return container.NewVBox(layout.NewSpacer(), t)
	}
	return container.NewVBox(t, mutedText(note))
}

// screenHeader is the title block at the top of a section: a large title and a line saying what the
// section is for, with optional buttons on the right.
func screenHeader(title, note string, actions ...fyne.CanvasObject) fyne.CanvasObject {
	t := canvas.NewText(title, theme.Color(theme.ColorNameForeground))
	t.TextSize = 26
	t.TextStyle.Bold = true
	left := container.NewVBox(t)
	if note != "" {
		left.Add(mutedText(note))
	}
	if len(actions) == 0 {
		return left
	}
	return container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(actions...)), left)
}

// mutedText is wrapped secondary text: explanations and captions.
func mutedText(s string) *widget.RichText {
	rt := mutedLine(s)
	rt.Wrapping = fyne.TextWrapWord
	rt.Truncation = fyne.TextTruncateOff
	return rt
}

// mutedLine is one line of secondary text, cut short with an ellipsis when it does not fit.
func mutedLine(s string) *widget.RichText {
	rt := widget.NewRichText(&widget.TextSegment{Text: s, Style: widget.RichTextStyle{
		ColorName: theme.ColorNamePlaceHolder, Inline: true, SizeName: theme.SizeNameText}})
	rt.Truncation = fyne.TextTruncateEllipsis
	return rt
}

// setMutedText changes the text of a mutedText or mutedLine.
func setMutedText(rt *widget.RichText, s string) {
	seg := rt.Segments[0].(*widget.TextSegment)
	if seg.Text != s {
		seg.Text = s
		rt.Refresh()
	}
}

// channelLabel writes a channel the way shops name it.
func channelLabel(c string) string {
	switch strings.ToLower(c) {
	case "ebay":
		return "eBay"
	case "woocommerce":
		return "WooCommerce"
	case "tiktok", "tiktok shop", "tiktok_shop":
		return "TikTok Shop"
	}
	return capitalized(c)
}

// statusLabel writes a status for people.
func statusLabel(s data.Status) string { return capitalized(string(s)) }

// capitalized writes a stored word (a status, a role) as people see it: "packer" is "Packer".
func capitalized(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%s %s", groupDigits(int64(n)), many)
}

// tileGrid lays the figure tiles out in rows of equal cells: most to a row when the width allows, else
// fewer (a number that divides the tiles, so no row is left half full). Its least width is that of two
// columns, so a small window gets more rows rather than a dashboard cut off on the right.
type tileGrid struct {
	most    int
	cols    int    // columns of the last layout
	changed func() // called when a new width changes the columns, as the rows' height changes too
}

func (g *tileGrid) cell(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

// columnsFor is how many columns fit width.
func (g *tileGrid) columnsFor(objects []fyne.CanvasObject, width float32) int {
	cell, pad := g.cell(objects), theme.Padding()
	for c := g.most; c > 1; c-- {
		if len(objects)%c == 0 && float32(c)*cell.Width+float32(c-1)*pad <= width {
			return c
		}
	}
	return min(2, len(objects))
}

func (g *tileGrid) rows(n, cols int) int { return (n + cols - 1) / max(cols, 1) }

func (g *tileGrid) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	cols := g.columnsFor(objects, size.Width)
	if cols != g.cols && g.cols != 0 && g.changed != nil {
		defer g.changed()
	}
	g.cols = cols
	pad := theme.Padding()
	rows := g.rows(len(objects), cols)
	w := (size.Width - float32(cols-1)*pad) / float32(cols)
	h := (size.Height - float32(rows-1)*pad) / float32(rows)
	for i, o := range objects {
		o.Move(fyne.NewPos(float32(i%cols)*(w+pad), float32(i/cols)*(h+pad)))
		o.Resize(fyne.NewSize(w, h))
	}
}

func (g *tileGrid) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if len(objects) == 0 {
		return fyne.Size{}
	}
	cell, pad := g.cell(objects), theme.Padding()
	cols := g.cols
	if cols == 0 {
		cols = g.most
	}
	narrow := min(2, len(objects))
	rows := g.rows(len(objects), cols)
	return fyne.NewSize(float32(narrow)*cell.Width+float32(narrow-1)*pad, float32(rows)*cell.Height+float32(rows-1)*pad)
}
