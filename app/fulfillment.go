package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// fulfillmentScreen is the packing desk: the open orders, most urgent first, a pick list for the ones
// ticked, and buttons that move them on. It is built for standing at a bench: large type, and a field
// that takes a scanned or typed order number and ticks that order on Enter.
type fulfillmentScreen struct {
	a         *App
	query     latest
	pickQuery latest

	now      time.Time
	orders   []data.Order // the queue, in display order
	selected map[int64]bool
	picks    []data.PickItem // matched items, in walking order
	unpicked []data.PickItem // lines that matched no SKU

	reload       *widget.Button
	find         *widget.Entry
	selectUrgent *widget.Button
	selectAll    *widget.Button
	clear        *widget.Button
	count        *widget.Label
	startPicking *enterButton
	markPacked   *enterButton
	markShipped  *enterButton
	bulkShip     *bulkShipDialog // the untracked-shipping dialog last opened
	message      *widget.Label

	queue      *widget.List
	queueEmpty *widget.Label
	queueCount *widget.Label

	pickTitle       *widget.Label
	pickList        *widget.List
	pickEmpty       *widget.Label
	unmatchedBox    *fyne.Container
	unmatchedRows   *fyne.Container
	unmatchedScroll *container.Scroll

	packing  *packingParts // the pack station, the ship dialog and the packing figures
	returns  *returnsPart  // "Record a return…" and its dialog
	printing *printTools   // the pick list and packing slips as PDF
}

// urgency says how soon an open order must leave.
type urgency int

const (
	urgencyLater urgency = iota
	urgencyToday
	urgencyLate
)

func newFulfillmentScreen(a *App) *fulfillmentScreen {
	sc := &fulfillmentScreen{a: a, selected: map[int64]bool{}}
	sc.reload = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), sc.refresh)
	sc.find = widget.NewEntry()
	sc.find.SetPlaceHolder("Scan or type an order number, then Enter")
	sc.find.OnSubmitted = sc.onFind
	sc.selectUrgent = widget.NewButton("Tick late and due today", sc.onSelectUrgent)
	sc.selectAll = widget.NewButton("Tick all", sc.onSelectAll)
	sc.clear = widget.NewButton("Clear", sc.onClear)
	sc.count = widget.NewLabel("")
	sc.count.TextStyle.Bold = true

	sc.startPicking = newEnterButton("Start picking", theme.ListIcon(), func() { sc.onAdvance(data.StatusPicking) })
	sc.markPacked = newEnterButton("Mark packed", theme.ConfirmIcon(), func() { sc.onAdvance(data.StatusPacked) })
	sc.markShipped = newEnterButton("Mark shipped…", theme.MailSendIcon(), sc.onShipUntracked)
	sc.markShipped.Importance = widget.HighImportance
	sc.message = widget.NewLabel("")
	sc.message.Wrapping = fyne.TextWrapWord
	sc.message.Hide()

	sc.queue = widget.NewList(func() int { return len(sc.orders) }, sc.createQueueRow, sc.updateQueueRow)
	sc.queue.OnSelected = func(id widget.ListItemID) {
		sc.queue.UnselectAll()
		if id >= 0 && id < len(sc.orders) {
			o := sc.orders[id]
			sc.setSelected(o.ID, !sc.selected[o.ID])
		}
	}
	sc.queueEmpty = widget.NewLabel("Nothing to ship. New orders appear here as they come in.")
	sc.queueEmpty.Alignment = fyne.TextAlignCenter
	sc.queueEmpty.Importance = widget.LowImportance
	sc.queueEmpty.Hide()
	sc.queueCount = widget.NewLabel("")

	sc.pickTitle = widget.NewLabelWithStyle("Pick list", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.pickTitle.SizeName = theme.SizeNameSubHeadingText
	sc.pickList = widget.NewList(func() int { return len(sc.picks) }, sc.createPickRow, sc.updatePickRow)
	sc.pickList.OnSelected = func(widget.ListItemID) { sc.pickList.UnselectAll() }
	sc.pickEmpty = widget.NewLabel("Tick orders on the left: what to pick\nfor them appears here, in shelf order.")
	sc.pickEmpty.Alignment = fyne.TextAlignCenter
	sc.pickEmpty.Importance = widget.LowImportance
	sc.unmatchedRows = container.NewVBox()
	warn := widget.NewLabelWithStyle("Not matched to a SKU: pick these by their listing name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	warn.Importance = widget.DangerImportance
	sc.unmatchedScroll = container.NewVScroll(sc.unmatchedRows)
	sc.unmatchedBox = container.NewVBox(widget.NewSeparator(), warn, sc.unmatchedScroll)
	sc.unmatchedBox.Hide()
	sc.packing = newPackingParts(sc)
	sc.returns = newReturnsPart(a)
	sc.printing = newPrintTools(sc)
	sc.updateSelection()
	return sc
}

func (sc *fulfillmentScreen) view() fyne.CanvasObject {
	header := screenHeader("Fulfillment",
		"Open orders, most urgent first. Tick orders to get their pick list, then move them on. "+
			"Pack a ticked order on the Pack station tab, scanning every item; Ship… records carrier and tracking.",
		sc.reload)
	tools := container.NewBorder(nil, nil, nil,
		container.NewHBox(sc.selectUrgent, sc.selectAll, sc.clear, sc.returns.open),
		container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, sc.find))
	actions := container.NewBorder(nil, nil, sc.count, container.NewHBox(sc.startPicking,
		sc.packing.packButton, sc.packing.shipButton, sc.markPacked, sc.markShipped))

	left := container.NewBorder(
		container.NewVBox(sectionHeading("Queue", ""), sc.queueCount), nil, nil, nil,
		container.NewStack(sc.queue, container.NewCenter(sc.queueEmpty)))
	right := container.NewBorder(
		container.NewVBox(widget.NewSeparator(), sc.pickTitle, sc.printing.view()), sc.unmatchedBox, nil, nil,
		container.NewStack(sc.pickList, container.NewCenter(sc.pickEmpty)))
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.Offset = 0.52

	top := container.NewVBox(header, tools, actions, sc.message)
	content := container.NewBorder(top, nil, nil, nil, split)
	return container.NewThemeOverride(container.NewPadded(sc.packing.withTabs(content)), largeText{sc.a.fyne.Settings().Theme()})
}

// refresh reloads the queue; ticks stay on the orders that are still open.
func (sc *fulfillmentScreen) refresh() {
	current := sc.query.next()
	store := sc.a.store
	sc.packing.refresh()
	sc.reload.Disable()
	run(sc.a.bg, func(ctx context.Context) ([]data.Order, error) {
		return store.Orders(ctx, data.OrderFilter{Statuses: data.OpenStatuses()})
	}, func(orders []data.Order, err error) {
		if !current() {
			return
		}
		sc.reload.Enable()
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.showQueue(store.Now(), orders)
	})
}

func (sc *fulfillmentScreen) showQueue(now time.Time, orders []data.Order) {
	sc.now = now
	sortQueue(orders)
	sc.orders = orders
	open := map[int64]bool{}
	late, today := 0, 0
	for _, o := range orders {
		open[o.ID] = true
		switch sc.urgencyOf(o) {
		case urgencyLate:
			late++
		case urgencyToday:
			today++
		}
	}
	for id := range sc.selected {
		if !open[id] {
			delete(sc.selected, id)
		}
	}
	sc.queueCount.SetText(fmt.Sprintf("%s · %d late · %d due today", plural(len(orders), "open order", "open orders"), late, today))
	if len(orders) == 0 {
		sc.queueEmpty.Show()
	} else {
		sc.queueEmpty.Hide()
	}
	sc.queue.Refresh()
	sc.updateSelection()
}

// sortQueue puts the orders with the earliest ship-by first, so late ones lead, then those due today,
// then later ones; orders without a ship-by date go last, oldest first.
func sortQueue(orders []data.Order) {
	sort.SliceStable(orders, func(i, j int) bool {
		a, b := orders[i], orders[j]
		if a.ShipBy.IsZero() != b.ShipBy.IsZero() {
			return !a.ShipBy.IsZero()
		}
		if !a.ShipBy.Equal(b.ShipBy) {
			return a.ShipBy.Before(b.ShipBy)
		}
		if !a.PlacedAt.Equal(b.PlacedAt) {
			return a.PlacedAt.Before(b.PlacedAt)
		}
		return a.ID < b.ID
	})
}

func (sc *fulfillmentScreen) urgencyOf(o data.Order) urgency {
	if o.ShipBy.IsZero() {
		return urgencyLater
	}
	if o.ShipBy.Before(sc.now) {
		return urgencyLate
	}
	l := sc.now.In(time.Local)
	if o.ShipBy.Before(time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, time.Local)) {
		return urgencyToday
	}
	return urgencyLater
}

// shipByText says when an order must leave, in words that put urgency first.
func (sc *fulfillmentScreen) shipByText(o data.Order) (string, widget.Importance) {
	if o.ShipBy.IsZero() {
		return "No ship-by date", widget.LowImportance
	}
	local := o.ShipBy.In(time.Local)
	switch sc.urgencyOf(o) {
	case urgencyLate:
		return "LATE · was due " + local.Format("Mon 2 Jan"), widget.DangerImportance
	case urgencyToday:
		return "TODAY · by " + local.Format("15:04"), widget.WarningImportance
	}
	return "Ship by " + local.Format("Mon 2 Jan"), widget.MediumImportance
}

// A queue row: a tick box and a colour bar for urgency, then two lines: the order and when it must leave;
// the customer, the channel, the items and where it stands. The customer and channel give way (with an
// ellipsis) when the row is narrow, never the date; long order ids (TikTok's 18 digits) truncate last.
func (sc *fulfillmentScreen) createQueueRow() fyne.CanvasObject {
	check := widget.NewCheck("", nil)
	bar := canvas.NewRectangle(color.Transparent)
	bar.SetMinSize(fyne.NewSize(5, 5))
	order := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	order.Truncation = fyne.TextTruncateEllipsis
	shipBy := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	customer := widget.NewLabel("")
	customer.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel("")
	detail.Alignment = fyne.TextAlignTrailing
	top := container.NewBorder(nil, nil, nil, shipBy, order)
	bottom := container.NewBorder(nil, nil, nil, detail, customer)
	return container.NewBorder(nil, nil, container.NewHBox(bar, check), nil, container.NewVBox(top, bottom))
}

func (sc *fulfillmentScreen) updateQueueRow(id widget.ListItemID, obj fyne.CanvasObject) {
	if id < 0 || id >= len(sc.orders) {
		return
	}
	o := sc.orders[id]
	// NewBorder keeps the centre first, then the sides in the order top, bottom, left, right.
	row := obj.(*fyne.Container)
	lines, lead := row.Objects[0].(*fyne.Container), row.Objects[1].(*fyne.Container)
	bar, check := lead.Objects[0].(*canvas.Rectangle), lead.Objects[1].(*widget.Check)
	top, bottom := lines.Objects[0].(*fyne.Container), lines.Objects[1].(*fyne.Container)
	order, shipBy := top.Objects[0].(*widget.Label), top.Objects[1].(*widget.Label)
	customer, detail := bottom.Objects[0].(*widget.Label), bottom.Objects[1].(*widget.Label)

	check.OnChanged = nil
	check.SetChecked(sc.selected[o.ID])
	check.OnChanged = func(on bool) { sc.setSelected(o.ID, on) }

	order.SetText(o.ExternalID)
	name := o.CustomerName
	if name == "" {
		name = o.ShipTo.Name
	}
	customer.SetText(name + " · " + channelLabel(o.Channel))
	text, imp := sc.shipByText(o)
	shipBy.Text, shipBy.Importance = text, imp
	shipBy.Refresh()
	detail.SetText(plural(int(o.Items), "item", "items") + " · " + statusLabel(o.Status))

	var fill color.Color = color.Transparent
	switch sc.urgencyOf(o) {
	case urgencyLate:
		fill = theme.Color(theme.ColorNameError)
	case urgencyToday:
		fill = theme.Color(theme.ColorNameWarning)
	}
	bar.FillColor = fill
	bar.Refresh()
}

func (sc *fulfillmentScreen) setSelected(id int64, on bool) {
	if on {
		sc.selected[id] = true
	} else {
		delete(sc.selected, id)
	}
	sc.queue.Refresh()
	sc.updateSelection()
}

func (sc *fulfillmentScreen) onSelectUrgent() {
	for _, o := range sc.orders {
		if sc.urgencyOf(o) != urgencyLater {
			sc.selected[o.ID] = true
		}
	}
	sc.queue.Refresh()
	sc.updateSelection()
}

func (sc *fulfillmentScreen) onSelectAll() {
	for _, o := range sc.orders {
		sc.selected[o.ID] = true
	}
	sc.queue.Refresh()
	sc.updateSelection()
}

func (sc *fulfillmentScreen) onClear() {
	clear(sc.selected)
	sc.queue.Refresh()
	sc.updateSelection()
}

// onFind ticks the order whose number was scanned or typed, and scrolls to it.
func (sc *fulfillmentScreen) onFind(text string) {
	want := strings.TrimPrefix(strings.TrimSpace(text), "#")
	if want == "" {
		return
	}
	for i, o := range sc.orders {
		if strings.EqualFold(strings.TrimPrefix(o.ExternalID, "#"), want) {
			sc.say(fmt.Sprintf("Ticked %s order %s.", channelLabel(o.Channel), o.ExternalID))
			sc.find.SetText("")
			sc.selected[o.ID] = true
			sc.queue.ScrollTo(i)
			sc.queue.Refresh()
			sc.updateSelection() // last: it starts background work
			return
		}
	}
	sc.say(fmt.Sprintf("No open order %q is waiting to ship.", strings.TrimSpace(text)))
	sc.find.SetText("")
}

// say shows a line about what just happened, or hides the line when s is empty.
func (sc *fulfillmentScreen) say(s string) {
	sc.message.SetText(s)
	if s == "" {
		sc.message.Hide()
	} else {
		sc.message.Show()
	}
}

// selectedOrders are the ticked orders in queue order.
func (sc *fulfillmentScreen) selectedOrders() []data.Order {
	var out []data.Order
	for _, o := range sc.orders {
		if sc.selected[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

// updateSelection enables the moves that apply to at least one ticked order and reloads the pick list.
func (sc *fulfillmentScreen) updateSelection() {
	sel := sc.selectedOrders()
	if len(sel) == 0 {
		sc.count.SetText("No orders ticked")
	} else {
		sc.count.SetText(plural(len(sel), "order", "orders") + " ticked")
	}
	for _, b := range []struct {
		button *enterButton
		next   data.Status
	}{{sc.startPicking, data.StatusPicking}, {sc.markPacked, data.StatusPacked}, {sc.markShipped, data.StatusShipped}} {
		can := false
		for _, o := range sel {
			can = can || o.Status.CanMoveTo(b.next)
		}
		setEnabled(b.button, can)
	}
	setEnabled(sc.clear, len(sel) > 0)
	setEnabled(sc.selectAll, len(sc.orders) > 0)
	sc.packing.updateButtons(sel)
	sc.printing.update(len(sel))
	sc.loadPickList(sel)
}

func (sc *fulfillmentScreen) loadPickList(sel []data.Order) {
	if len(sel) == 0 {
		sc.pickQuery.next() // an answer still on its way is for orders no longer ticked
		sc.showPickList(nil, 0)
		return
	}
	ids := make([]int64, len(sel))
	for i, o := range sel {
		ids[i] = o.ID
	}
	store := sc.a.store
	load(sc.a.bg, sc.a.win, &sc.pickQuery, func(ctx context.Context) ([]data.PickItem, error) {
		return store.PickList(ctx, ids)
	}, func(items []data.PickItem) { sc.showPickList(items, len(ids)) })
}

func (sc *fulfillmentScreen) showPickList(items []data.PickItem, orders int) {
	sc.picks, sc.unpicked = nil, nil
	var units int64
	for _, it := range items {
		units += it.Quantity
		if it.Unmatched {
			sc.unpicked = append(sc.unpicked, it)
		} else {
			sc.picks = append(sc.picks, it)
		}
	}
	if orders == 0 {
		sc.pickTitle.SetText("Pick list")
		sc.pickEmpty.Show()
	} else {
		sc.pickTitle.SetText(fmt.Sprintf("Pick list · %s, %s", plural(orders, "order", "orders"), plural(int(units), "unit", "units")))
		sc.pickEmpty.Hide()
	}
	sc.pickList.Refresh()
	sc.unmatchedRows.RemoveAll()
	for _, it := range sc.unpicked {
		what := it.Name
		if it.ChannelSKU != "" {
			what += " (" + channelLabel(it.Channel) + " " + it.ChannelSKU + ")"
		}
		l := widget.NewLabel(fmt.Sprintf("%d × %s · order %s", it.Quantity, what, strings.Join(it.Orders, ", ")))
		l.Wrapping = fyne.TextWrapWord
		sc.unmatchedRows.Add(l)
	}
	if len(sc.unpicked) > 0 {
		// At most about three lines high, so the pick list keeps its room.
		sc.unmatchedScroll.SetMinSize(fyne.NewSize(0, min(sc.unmatchedRows.MinSize().Height, 3*theme.TextSize()*2.6)))
		sc.unmatchedBox.Show()
	} else {
		sc.unmatchedBox.Hide()
	}
}

// A pick row: the bin in large type on the left, how many on the right, what and for which orders between.
func (sc *fulfillmentScreen) createPickRow() fyne.CanvasObject {
	bin := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	bin.SizeName = theme.SizeNameSubHeadingText
	qty := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	qty.SizeName = theme.SizeNameSubHeadingText
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	detail := mutedLine("")
	return container.NewBorder(nil, nil, fixedWidth(bin, 96), fixedWidth(qty, 64), container.NewVBox(name, detail))
}

func (sc *fulfillmentScreen) updatePickRow(id widget.ListItemID, obj fyne.CanvasObject) {
	if id < 0 || id >= len(sc.picks) {
		return
	}
	it := sc.picks[id]
	row := obj.(*fyne.Container)
	middle := row.Objects[0].(*fyne.Container)
	bin := row.Objects[1].(*fyne.Container).Objects[0].(*widget.Label)
	qty := row.Objects[2].(*fyne.Container).Objects[0].(*widget.Label)
	name, detail := middle.Objects[0].(*widget.Label), middle.Objects[1].(*widget.RichText)
	if it.Bin == "" {
		bin.Text, bin.Importance = "no bin", widget.LowImportance
	} else {
		bin.Text, bin.Importance = it.Bin, widget.MediumImportance
	}
	bin.Refresh()
	qty.SetText(fmt.Sprintf("× %d", it.Quantity))
	name.SetText(it.Name)
	parts := []string{it.SKU}
	if it.Location != "" && len(sc.locationsInPicks()) > 1 {
		parts = append(parts, it.Location)
	}
	if len(it.Kits) > 0 {
		parts = append(parts, "in kit "+strings.Join(it.Kits, ", "))
	}
	parts = append(parts, "for "+strings.Join(it.Orders, ", "))
	setMutedText(detail, strings.Join(parts, " · "))
}

// locationsInPicks lists the locations the pick list spans; a location is worth naming only when there
// are several.
func (sc *fulfillmentScreen) locationsInPicks() map[string]bool {
	locs := map[string]bool{}
	for _, it := range sc.picks {
		locs[it.Location] = true
	}
	return locs
}

// advanceResult counts what a move did.
type advanceResult struct {
	moved    []string // order numbers
	skipped  []string // order numbers that could not make the move
	unpacked []string // order numbers not yet checked complete at the pack station
}

// onAdvance moves every ticked order that can make the move; the others are named in the message.
func (sc *fulfillmentScreen) onAdvance(next data.Status) {
	sel := sc.selectedOrders()
	var ids []int64
	var res advanceResult
	numbers := map[int64]string{}
	for _, o := range sel {
		if o.Status.CanMoveTo(next) {
			ids = append(ids, o.ID)
			numbers[o.ID] = o.ExternalID
		} else {
			res.skipped = append(res.skipped, o.ExternalID)
		}
	}
	if len(ids) == 0 {
		return
	}
	store := sc.a.store
	for _, b := range []*enterButton{sc.startPicking, sc.markPacked, sc.markShipped} {
		b.Disable()
	}
	run(sc.a.bg, func(ctx context.Context) (advanceResult, error) {
		for _, id := range ids {
			var o data.Order
			var err error
			if next == data.StatusPacked {
				// Packed means every item was checked into the box: the store refuses an order whose
				// lines are not complete at the pack station.
				o, err = store.MarkPacked(ctx, id)
			} else {
				o, err = store.SetOrderStatus(ctx, id, next)
			}
			if errors.Is(err, data.ErrConflict) && next == data.StatusPacked {
				res.unpacked = append(res.unpacked, numbers[id])
				continue
			}
			if errors.Is(err, data.ErrConflict) {
				// Moved on elsewhere (another desk, an import) since the queue was read.
				res.skipped = append(res.skipped, numbers[id])
				continue
			}
			if err != nil {
				return res, err
			}
			res.moved = append(res.moved, o.ExternalID)
		}
		return res, nil
	}, func(res advanceResult, err error) {
		msg := ""
		if len(res.moved) > 0 {
			msg = fmt.Sprintf("%s %s: %s.", strings.ToUpper(moveVerb(next)[:1])+moveVerb(next)[1:],
				plural(len(res.moved), "order", "orders"), strings.Join(res.moved, ", "))
		}
		if len(res.skipped) > 0 {
			msg += fmt.Sprintf(" Left as they were (already further on): %s.", strings.Join(res.skipped, ", "))
		}
		if len(res.unpacked) > 0 {
			msg += fmt.Sprintf(" Not packed yet, as not every item was checked into the box: %s; pack them at the Pack station.",
				strings.Join(res.unpacked, ", "))
		}
		sc.say(strings.TrimSpace(msg))
		if err != nil {
			showError(sc.a.win, err)
		}
		sc.refresh()
	})
}

// onShipUntracked ships the ticked orders with one carrier and no tracking number, through the store's
// shipping so each gets its shipment record.
func (sc *fulfillmentScreen) onShipUntracked() {
	var open []data.Order
	for _, o := range sc.selectedOrders() {
		if o.Status.CanMoveTo(data.StatusShipped) {
			open = append(open, o)
		}
	}
	if len(open) == 0 {
		return
	}
	sc.bulkShip = showBulkShipDialog(sc.a, open, func(moved, skipped []string, err error) {
		msg := ""
		if len(moved) > 0 {
			msg = fmt.Sprintf("Shipped %s: %s.", plural(len(moved), "order", "orders"), strings.Join(moved, ", "))
		}
		if len(skipped) > 0 {
			msg += fmt.Sprintf(" Left as they were (cancelled or moved on elsewhere): %s.", strings.Join(skipped, ", "))
		}
		sc.say(strings.TrimSpace(msg))
		if err != nil {
			showError(sc.a.win, err)
		}
		sc.refresh()
	})
}

func moveVerb(s data.Status) string {
	switch s {
	case data.StatusPicking:
		return "started picking"
	case data.StatusPacked:
		return "packed"
	case data.StatusShipped:
		return "shipped"
	}
	return "moved"
}

// enterButton is a button that also fires on Enter when it has keyboard focus, as people at a packing
// bench expect; Fyne's button answers only to Space.
type enterButton struct {
	widget.Button
}

func newEnterButton(label string, icon fyne.Resource, tapped func()) *enterButton {
	b := &enterButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey fires the button on Enter or Return.
func (b *enterButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		b.Tapped(&fyne.PointEvent{})
		return
	}
	b.Button.TypedKey(ev)
}

// largeText is the app's theme with bigger type, for screens read at arm's length.
type largeText struct{ fyne.Theme }

// Size enlarges text and the icons that sit beside it.
func (t largeText) Size(n fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameSubHeadingText, theme.SizeNameInlineIcon:
		return s * 1.15
	}
	return s
}
