package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"log"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// prefShipAfterPack remembers, per desk, whether the ship dialog follows "Mark packed" at once: desks
// that print the label with the box want it, desks that ship in one batch at the end of the day do not.
const prefShipAfterPack = "pack_ship_after_pack"

// packStation is the packer's bench: one entry that always has the keyboard, where the USB scanner
// types an order number and then each item's code, each followed by Enter. What the store says about
// every scan is shown big across the top, in red with a sound when the scan was refused, so the packer
// can keep their eyes on the box. Everything works from the keyboard: the keys are listed at the foot.
type packStation struct {
	a       *App
	queue   *fulfillmentScreen // refreshed after a change, so the queue shows where orders stand
	beep    func()             // the refusal sound; tests count calls instead
	sound   *errorSound
	packing bool           // an order is at the station
	state   data.PackState // the order at the station, as the store last said
	line    int            // the line F2 and F3 act on, an index into state.Lines
	choose  *orderChoice   // an order number two channels share, waiting for the packer to say which
	pending []string       // codes scanned while the store was still answering the last one
	busy    bool
	visit   int           // counts orders opened, so an answer about an order the packer has left is not shown
	dialog  dialog.Dialog // the open dialog, which has the keyboard; nil while the entry has it
	ship    *shipDialog   // the ship dialog last opened from the station, for tests

	entry        *stationEntry
	banner       *canvas.Rectangle
	bannerTitle  *widget.Label
	bannerDetail *widget.Label
	markPacked   *enterButton
	flash        *canvas.Rectangle
	orderTitle   *widget.Label
	orderInfo    *widget.Label
	units        *canvas.Text
	rows         *fyne.Container
	rowBacks     []*canvas.Rectangle
	scroll       *container.Scroll
	idle         *fyne.Container // with no order at the station: the orders waiting, most urgent first
	nextRows     *fyne.Container
	nextQuery    latest
	bannerBox    *fyne.Container
	head         *fyne.Container // the order's name, due date and units; hidden with no order
	top          *fyne.Container
	body         *fyne.Container // the station without its flash sheet
	shipAfter    *widget.Check
	content      fyne.CanvasObject
}

// orderChoice is an order number found on several channels.
type orderChoice struct {
	code     string
	channels []string
}

// bannerTone is the colour of the message across the top of the station.
type bannerTone int

const (
	toneNeutral bannerTone = iota
	toneGood
	toneBad
	toneAsk
)

func newPackStation(a *App, queue *fulfillmentScreen) *packStation {
	st := &packStation{a: a, queue: queue, line: -1, sound: &errorSound{}}
	st.beep = func() { st.sound.play(a.bg) }

	st.entry = newStationEntry()
	st.entry.SetPlaceHolder("Scan or type, then Enter")
	st.entry.OnSubmitted = st.onSubmit
	st.entry.keys = map[fyne.KeyName]func(){
		fyne.KeyF2:     st.onByHand,
		fyne.KeyF3:     st.onOverride,
		fyne.KeyF5:     st.onReset,
		fyne.KeyEscape: st.onLeave,
		fyne.KeyUp:     func() { st.moveLine(-1) },
		fyne.KeyDown:   func() { st.moveLine(1) },
	}

	st.banner = canvas.NewRectangle(color.Transparent)
	st.banner.CornerRadius = theme.InputRadiusSize()
	st.banner.StrokeWidth = 3
	st.bannerTitle = widget.NewLabel("")
	st.bannerTitle.TextStyle.Bold = true
	st.bannerTitle.SizeName = theme.SizeNameHeadingText
	st.bannerTitle.Wrapping = fyne.TextWrapWord
	st.bannerDetail = widget.NewLabel("")
	st.bannerDetail.Wrapping = fyne.TextWrapWord
	st.markPacked = newEnterButton("Mark packed", theme.ConfirmIcon(), st.onMarkPacked)
	st.markPacked.Importance = widget.SuccessImportance
	st.markPacked.Hide()
	st.flash = canvas.NewRectangle(color.Transparent)

	st.orderTitle = widget.NewLabel("")
	st.orderTitle.TextStyle.Bold = true
	st.orderTitle.SizeName = theme.SizeNameSubHeadingText
	st.orderTitle.Truncation = fyne.TextTruncateEllipsis
	st.orderInfo = widget.NewLabel("")
	st.orderInfo.Truncation = fyne.TextTruncateEllipsis
	st.units = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	st.units.TextSize = 30
	st.units.TextStyle.Bold = true
	st.units.Alignment = fyne.TextAlignTrailing
	st.rows = container.NewVBox()
	st.scroll = container.NewVScroll(container.NewPadded(st.rows)) // room for the chosen line's outline
	st.nextRows = container.NewVBox()
	st.idle = container.NewBorder(sectionHeading("Waiting to be packed", ""), nil, nil, nil, container.NewVScroll(st.nextRows))

	st.shipAfter = widget.NewCheck("Ship straight after packing", func(on bool) {
		a.fyne.Preferences().SetBool(prefShipAfterPack, on)
		st.focus()
	})
	st.shipAfter.SetChecked(a.fyne.Preferences().BoolWithFallback(prefShipAfterPack, true))
	st.show(data.PackState{})
	return st
}

// view is the station: the message and the entry at the top, the order's lines below, the keys at
// the foot. A red sheet over it all flashes on a refused scan.
func (st *packStation) view() fyne.CanvasObject {
	base := largeText{st.a.fyne.Settings().Theme()}
	entry := container.NewThemeOverride(st.entry, scaledText{Theme: base, text: 1.4})
	st.bannerBox = container.NewBorder(nil, nil, nil, container.NewCenter(st.markPacked), container.NewVBox(st.bannerTitle, st.bannerDetail))
	message := container.NewThemeOverride(container.NewStack(st.banner, container.NewPadded(st.bannerBox)),
		scaledText{Theme: base, heading: 1.4})
	st.head = container.NewBorder(nil, nil, nil, container.NewCenter(st.units), container.NewVBox(st.orderTitle, st.orderInfo))
	st.head.Hidden = !st.packing
	st.top = container.NewVBox(message, entry, st.head, widget.NewSeparator())

	var hints []fyne.CanvasObject
	for _, k := range [][2]string{{"Enter", "scan"}, {"↑ ↓", "choose line"}, {"F2", "by hand"}, {"F3", "override"},
		{"F5", "start again"}, {"Esc", "leave order"}} {
		key := widget.NewLabelWithStyle(k[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		what := mutedLine(k[1])
		what.Truncation = fyne.TextTruncateOff
		hints = append(hints, container.NewHBox(key, what))
	}
	foot := container.NewBorder(widget.NewSeparator(), nil, nil, st.shipAfter, container.NewHBox(hints...))
	st.body = container.NewBorder(st.top, foot, nil, nil, container.NewStack(st.scroll, st.idle))
	st.content = container.NewStack(st.body, st.flash)
	return st.content
}

// focus gives the keyboard back to the entry, unless a dialog has it.
func (st *packStation) focus() {
	if st.dialog != nil {
		return
	}
	if c := st.a.win.Canvas(); c != nil {
		c.Focus(st.entry)
	}
}

// say sets the message across the top.
func (st *packStation) say(tone bannerTone, title, detail string) {
	var fill, stroke color.Color
	imp := widget.MediumImportance
	switch tone {
	case toneGood:
		fill, stroke, imp = tint(theme.ColorNameSuccess, 0x38), theme.Color(theme.ColorNameSuccess), widget.SuccessImportance
	case toneBad:
		fill, stroke, imp = tint(theme.ColorNameError, 0x40), theme.Color(theme.ColorNameError), widget.DangerImportance
	case toneAsk:
		fill, stroke, imp = tint(theme.ColorNameWarning, 0x40), theme.Color(theme.ColorNameWarning), widget.WarningImportance
	default:
		fill, stroke = color.Transparent, theme.Color(theme.ColorNameInputBorder)
	}
	st.banner.FillColor, st.banner.StrokeColor = fill, stroke
	st.banner.Refresh()
	st.bannerTitle.Importance = imp
	st.bannerTitle.SetText(title)
	st.bannerDetail.SetText(detail)
	if detail == "" {
		st.bannerDetail.Hide()
	} else {
		st.bannerDetail.Show()
	}
	st.relayoutBanner()
}

// relayoutBanner lays the message out again after a part of it was shown or hidden: Fyne does not
// lay out a container again by itself when a child only changes visibility.
func (st *packStation) relayoutBanner() {
	if st.bannerBox != nil {
		st.bannerBox.Refresh()
	}
}

// tint is a theme colour made see-through, for backgrounds under text.
func tint(n fyne.ThemeColorName, alpha uint8) color.Color {
	r, g, b, _ := theme.Color(n).RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}

// refuse tells the packer, as loudly as the desk allows, that what they just did was refused.
func (st *packStation) refuse(title, detail string) {
	st.say(toneBad, title, detail)
	red := tint(theme.ColorNameError, 0xa0)
	st.flash.FillColor = red
	st.flash.Refresh()
	canvas.NewColorRGBAAnimation(red, color.Transparent, 700*time.Millisecond, func(c color.Color) {
		st.flash.FillColor = c
		st.flash.Refresh()
	}).Start()
	st.beep()
}

// idleMessage is what the station says with no order at it.
func (st *packStation) idleMessage() {
	st.say(toneNeutral, "Scan an order", "The barcode on the packing slip, or the order number typed, then Enter.")
}

// onSubmit takes what the scanner or the packer typed.
func (st *packStation) onSubmit(text string) {
	st.entry.SetText("")
	code := strings.TrimSpace(text)
	switch {
	case st.busy:
		if code != "" {
			st.pending = append(st.pending, code) // a scanner is faster than the store; keep the order of scans
		}
	case st.choose != nil:
		st.onChannel(code)
	case !st.packing:
		if code != "" {
			st.openOrder(code, "")
		}
	case code == "" && st.state.Complete():
		st.onMarkPacked()
	case code != "":
		st.scan(code)
	}
}

// next takes the first code scanned while the store was busy.
func (st *packStation) next() {
	st.busy = false
	if len(st.pending) == 0 {
		return
	}
	code := st.pending[0]
	st.pending = st.pending[1:]
	st.onSubmit(code)
}

// openOrder finds the order a code names and opens it for packing.
func (st *packStation) openOrder(code, channel string) {
	store := st.a.store
	st.busy = true
	st.visit++
	visit := st.visit
	type opened struct {
		state    data.PackState
		channels []string // set when the number needs a channel
	}
	run(st.a.bg, func(ctx context.Context) (opened, error) {
		o, err := store.FindOrderToPack(ctx, code, channel)
		if errors.Is(err, data.ErrConflict) && channel == "" {
			chans, cerr := channelsOf(ctx, store, code)
			if cerr != nil {
				return opened{}, cerr
			}
			if len(chans) > 1 {
				return opened{channels: chans}, nil
			}
		}
		if err != nil {
			return opened{}, err
		}
		state, err := store.StartPack(ctx, o.ID)
		return opened{state: state}, err
	}, func(res opened, err error) {
		defer st.next()
		if visit != st.visit {
			return
		}
		switch {
		case err != nil:
			st.refuse(data.UserMessage(err), "Check the number and scan again.")
			logUnexpected(err)
		case len(res.channels) > 0:
			st.choose = &orderChoice{code: code, channels: res.channels}
			var keys []string
			for i, c := range res.channels {
				keys = append(keys, fmt.Sprintf("%d for %s", i+1, channelLabel(c)))
			}
			st.say(toneAsk, fmt.Sprintf("Order %s is on %s", code, joinAnd(labels(res.channels))),
				"Which one? Type "+joinOr(keys)+", then Enter. Esc cancels.")
		default:
			st.packing, st.line = true, -1
			st.show(res.state)
			st.say(toneNeutral, "Scan each item", fmt.Sprintf("%s order %s is open. Scan every item as it goes into the box.",
				channelLabel(res.state.Order.Channel), res.state.Order.ExternalID))
			st.sayComplete()
		}
		st.focus()
	})
}

// channelsOf lists the channels with an open order of this number, for a number two channels share.
func channelsOf(ctx context.Context, store *data.Store, code string) ([]string, error) {
	bare := strings.TrimPrefix(strings.TrimSpace(code), "#")
	orders, err := store.Orders(ctx, data.OrderFilter{Search: bare,
		Statuses: []data.Status{data.StatusNew, data.StatusPaid, data.StatusPicking, data.StatusPacked}})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range orders {
		if strings.TrimPrefix(o.ExternalID, "#") == bare && !slices.Contains(out, o.Channel) {
			out = append(out, o.Channel)
		}
	}
	slices.Sort(out) // the same question the same way every time
	return out, nil
}

func labels(channels []string) []string {
	out := make([]string, len(channels))
	for i, c := range channels {
		out[i] = channelLabel(c)
	}
	return out
}

func joinAnd(parts []string) string { return joinLast(parts, " and ") }

func joinOr(parts []string) string { return joinLast(parts, " or ") }

// joinLast writes "a, b and c".
func joinLast(parts []string, last string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + last + parts[len(parts)-1]
}

// onChannel takes the answer to "which channel?": its number in the list or its name.
func (st *packStation) onChannel(answer string) {
	ch := st.choose
	pick := ""
	if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(ch.channels) {
		pick = ch.channels[n-1]
	}
	for _, c := range ch.channels {
		if strings.EqualFold(answer, c) || strings.EqualFold(answer, channelLabel(c)) {
			pick = c
		}
	}
	if pick == "" {
		st.say(toneAsk, fmt.Sprintf("Order %s is on %s", ch.code, joinAnd(labels(ch.channels))),
			fmt.Sprintf("%q is none of them. Type the number in front of the channel, then Enter. Esc cancels.", answer))
		return
	}
	st.choose = nil
	st.openOrder(ch.code, pick)
}

// scan checks one item's code against the order.
func (st *packStation) scan(code string) {
	store, id, visit := st.a.store, st.state.Order.ID, st.visit
	st.busy = true
	run(st.a.bg, func(ctx context.Context) (data.ScanResult, error) {
		return store.PackScan(ctx, id, code)
	}, func(res data.ScanResult, err error) {
		defer st.next()
		if visit != st.visit {
			return
		}
		if err != nil {
			st.refuse(data.UserMessage(err), "")
			logUnexpected(err)
			return
		}
		before := st.state
		st.show(res.State)
		if res.Outcome.Bad() {
			detail := "Take it out of the box: it does not belong to this order. The scan is logged."
			switch res.Outcome {
			case data.ScanOverQuantity:
				detail = "Take the extra one out of the box. The scan is logged."
			case data.ScanUnknownCode:
				detail = "Check the item and its label, and scan again. The scan is logged."
			}
			st.refuse(res.Message, detail)
			return
		}
		i := changedLine(before, st.state)
		st.flashLine(i)
		name := ""
		if i >= 0 {
			name = st.state.Lines[i].Name
		}
		st.say(toneGood, "✓ "+res.Message, name)
		st.sayComplete()
	})
}

// changedLine is the line that gained units between two states of the same order; -1 for none.
func changedLine(before, after data.PackState) int {
	if len(before.Lines) != len(after.Lines) {
		return -1
	}
	for i := range after.Lines {
		if after.Lines[i].Packed > before.Lines[i].Packed {
			return i
		}
	}
	return -1
}

// sayComplete replaces the message with the call to mark the order packed once every line is done.
func (st *packStation) sayComplete() {
	if st.packing && st.state.Complete() {
		packed, _ := st.state.Units()
		st.say(toneGood, "Complete: press Enter to mark packed",
			fmt.Sprintf("All %s are in the box. Close it and press Enter.", plural(int(packed), "unit", "units")))
		st.markPacked.Show()
	} else {
		st.markPacked.Hide()
	}
	st.relayoutBanner()
}

// show draws the order's lines. The line F2 and F3 act on stays where it was unless it is done, then
// moves to the next line still open.
func (st *packStation) show(state data.PackState) {
	st.state = state
	if !st.packing {
		st.orderTitle.SetText("No order at the station")
		st.orderInfo.SetText("")
		st.units.Text = ""
		st.units.Refresh()
		st.rows.RemoveAll()
		st.rowBacks = nil
		st.scroll.Hide()
		st.idle.Show()
		st.markPacked.Hide()
		st.showHead(false)
		st.idleMessage()
		return
	}
	st.idle.Hide()
	st.scroll.Show()
	st.showHead(true)
	o := state.Order
	name := o.CustomerName
	if name == "" {
		name = o.ShipTo.Name
	}
	st.orderTitle.SetText(fmt.Sprintf("%s order %s · %s", channelLabel(o.Channel), o.ExternalID, name))
	q := fulfillmentScreen{now: st.a.store.Now()}
	due, _ := q.shipByText(o)
	st.orderInfo.SetText(due + " · " + statusLabel(o.Status) + " · " + plural(len(state.Lines), "line", "lines"))
	switch q.urgencyOf(o) {
	case urgencyLate:
		st.orderInfo.Importance = widget.DangerImportance
	case urgencyToday:
		st.orderInfo.Importance = widget.WarningImportance
	default:
		st.orderInfo.Importance = widget.MediumImportance
	}
	st.orderInfo.Refresh()
	packed, want := state.Units()
	st.units.Text = fmt.Sprintf("%d / %d units", packed, want)
	st.units.Color = theme.Color(theme.ColorNameForeground)
	if state.Complete() {
		st.units.Color = theme.Color(theme.ColorNameSuccess)
	}
	st.units.Refresh()

	if st.line < 0 || st.line >= len(state.Lines) || state.Lines[st.line].Done() {
		st.line = st.nextOpenLine(max(st.line, 0))
	}
	st.rows.RemoveAll()
	st.rowBacks = st.rowBacks[:0]
	for i, l := range state.Lines {
		row, back := st.lineRow(l, i == st.line)
		st.rows.Add(row)
		st.rowBacks = append(st.rowBacks, back)
	}
	st.scrollToLine()
}

// showHead shows or hides the order's heading, and lays the top out again when that changed.
func (st *packStation) showHead(on bool) {
	if st.head == nil || st.head.Visible() == on {
		return
	}
	st.head.Hidden = !on
	st.body.Refresh()
}

// nextOpenLine is the first line at or after from (wrapping round) that is not done; from itself when
// all are.
func (st *packStation) nextOpenLine(from int) int {
	n := len(st.state.Lines)
	for k := range n {
		if i := (from + k) % n; !st.state.Lines[i].Done() {
			return i
		}
	}
	if from < n {
		return from
	}
	return n - 1
}

// lineRow draws one line: the bin big on the left, what it is in the middle, "packed / wanted" big on
// the right; green when done, outlined when F2 and F3 act on it.
func (st *packStation) lineRow(l data.PackLine, selected bool) (fyne.CanvasObject, *canvas.Rectangle) {
	back := canvas.NewRectangle(color.Transparent)
	back.CornerRadius = theme.InputRadiusSize()
	if l.Done() {
		back.FillColor = tint(theme.ColorNameSuccess, 0x30)
	}
	if selected {
		back.StrokeColor, back.StrokeWidth = theme.Color(theme.ColorNamePrimary), 3
	}
	bin := canvas.NewText(l.Bin, theme.Color(theme.ColorNameForeground))
	if l.Bin == "" {
		bin.Text, bin.Color = "no bin", theme.Color(theme.ColorNamePlaceHolder)
	}
	bin.TextSize, bin.TextStyle.Bold = 24, true
	count := canvas.NewText(fmt.Sprintf("%d / %d", l.Packed, l.Want), theme.Color(theme.ColorNameForeground))
	count.TextSize, count.TextStyle.Bold, count.Alignment = 34, true, fyne.TextAlignTrailing
	if l.Done() {
		count.Color = theme.Color(theme.ColorNameSuccess)
	}
	what := l.SKU
	if what == "" {
		what = "no SKU"
	}
	title := widget.NewLabelWithStyle(what+" · "+l.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	var notes []string
	switch {
	case len(l.Barcodes) > 0:
		notes = append(notes, "scan "+strings.Join(l.Barcodes, " or "))
	case l.SKU == "":
		notes = append(notes, "matches no SKU of the shop: check it by its name, F2 by hand")
	default:
		notes = append(notes, "no barcode: scan or type the SKU, or F2 by hand")
	}
	if l.Kit != "" {
		notes = append(notes, "part of kit "+l.Kit)
	}
	if l.Done() {
		notes = append([]string{"done"}, notes...)
	}
	detail := mutedLine(strings.Join(notes, " · "))
	row := container.NewBorder(nil, nil,
		fixedWidth(container.NewCenter(bin), 110), fixedWidth(container.NewCenter(count), 150),
		container.NewVBox(layout.NewSpacer(), title, detail, layout.NewSpacer()))
	return container.NewStack(back, container.NewPadded(row)), back
}

// flashLine lights a line up for a moment after a good scan, so the packer sees which it counted for.
func (st *packStation) flashLine(i int) {
	if i < 0 || i >= len(st.rowBacks) {
		return
	}
	back := st.rowBacks[i]
	rest := back.FillColor
	start := tint(theme.ColorNameSuccess, 0xc0)
	end := color.NRGBAModel.Convert(rest).(color.NRGBA)
	back.FillColor = start
	back.Refresh()
	canvas.NewColorRGBAAnimation(start, end, 600*time.Millisecond, func(c color.Color) {
		back.FillColor = c
		back.Refresh()
	}).Start()
}

// moveLine chooses the line F2 and F3 act on.
func (st *packStation) moveLine(by int) {
	if !st.packing || len(st.state.Lines) == 0 {
		return
	}
	st.line = (st.line + by + len(st.state.Lines)) % len(st.state.Lines)
	st.show(st.state)
	st.sayComplete()
}

func (st *packStation) scrollToLine() {
	if st.line < 0 || st.line >= len(st.rows.Objects) {
		return
	}
	st.rows.Refresh()
	row := st.rows.Objects[st.line]
	top, bottom := row.Position().Y, row.Position().Y+row.Size().Height
	view := st.scroll.Size().Height
	switch {
	case top < st.scroll.Offset.Y:
		st.scroll.ScrollToOffset(fyne.NewPos(0, top))
	case view > 0 && bottom > st.scroll.Offset.Y+view:
		st.scroll.ScrollToOffset(fyne.NewPos(0, bottom-view))
	}
}

// indexOf finds a line again in the state now shown: by order line and SKU, as kits repeat the line.
func (st *packStation) indexOf(l data.PackLine) int {
	for i, x := range st.state.Lines {
		if x.LineNo == l.LineNo && strings.EqualFold(x.SKU, l.SKU) {
			return i
		}
	}
	return -1
}

// selectedLine is the line F2 and F3 act on; ok is false without an order.
func (st *packStation) selectedLine() (data.PackLine, bool) {
	if !st.packing || st.line < 0 || st.line >= len(st.state.Lines) {
		return data.PackLine{}, false
	}
	return st.state.Lines[st.line], true
}

// onByHand confirms units of the chosen line that has no barcode to scan.
func (st *packStation) onByHand() {
	l, ok := st.selectedLine()
	if !ok || st.busy {
		return
	}
	switch {
	case l.Done():
		st.say(toneAsk, lineLabel(l)+" is complete", "Choose another line with ↑ ↓.")
		return
	case len(l.Barcodes) > 0:
		st.say(toneAsk, lineLabel(l)+" has a barcode: scan it",
			"By hand is for items without one. If the label will not scan, F3 overrides with a reason.")
		return
	}
	units := newStationEntry()
	units.SetText(strconv.FormatInt(l.Want-l.Packed, 10))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	form := container.NewVBox(
		widget.NewLabel(fmt.Sprintf("How many of %s are in the box?\n%d still to pack.", lineLabel(l), l.Want-l.Packed)),
		units, problem)
	store, id := st.a.store, st.state.Order.ID
	st.askUnits(l, "Pack by hand", "Count them", form, units, problem, func(n int64) func(context.Context) (data.PackState, error) {
		return func(ctx context.Context) (data.PackState, error) {
			return store.PackByHand(ctx, id, l.LineNo, l.SKU, n)
		}
	}, nil)
}

// onOverride counts units of the chosen line although a check failed: a reason, and an owner's PIN
// when the shop asks for one.
func (st *packStation) onOverride() {
	l, ok := st.selectedLine()
	if !ok || st.busy {
		return
	}
	if l.Done() {
		st.say(toneAsk, lineLabel(l)+" is complete", "Choose another line with ↑ ↓.")
		return
	}
	store := st.a.store
	run(st.a.bg, func(ctx context.Context) (string, error) {
		return store.Setting(ctx, data.SettingOverrideNeedsOwner)
	}, func(needs string, err error) {
		if err != nil {
			showError(st.a.win, err)
			return
		}
		st.showOverride(l, needs == "1" && store.User().Role != data.RoleOwner)
	})
}

func (st *packStation) showOverride(l data.PackLine, needsOwner bool) {
	units := newStationEntry()
	units.SetText(strconv.FormatInt(l.Want-l.Packed, 10))
	reason := newStationEntry()
	reason.SetPlaceHolder("Why it is right: label torn, swap the customer agreed to…")
	owner := newStationEntry()
	owner.SetPlaceHolder("Owner's name")
	pin := newStationEntry()
	pin.Password = true
	pin.SetPlaceHolder("Owner's PIN")
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	problem.Hide()
	items := []*widget.FormItem{
		{Text: "Units", Widget: units, HintText: fmt.Sprintf("%d still to pack", l.Want-l.Packed)},
		{Text: "Reason", Widget: reason, HintText: "Required: it goes into the pack log"},
	}
	text := fmt.Sprintf("Count %s although the check failed.", lineLabel(l))
	if needsOwner {
		items = append(items, &widget.FormItem{Text: "Owner", Widget: owner}, &widget.FormItem{Text: "PIN", Widget: pin})
		text += " This shop asks for the owner's name and PIN for every override."
	}
	intro := widget.NewLabel(text)
	intro.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(intro, widget.NewForm(items...), problem)
	store, id := st.a.store, st.state.Order.ID
	st.askUnits(l, "Override", "Override", form, units, problem, func(n int64) func(context.Context) (data.PackState, error) {
		why, approval := reason.Text, data.Approval{Name: owner.Text, PIN: pin.Text}
		return func(ctx context.Context) (data.PackState, error) {
			return store.PackOverride(ctx, id, l.LineNo, l.SKU, n, why, approval)
		}
	}, func() (string, fyne.Focusable) {
		switch {
		case strings.TrimSpace(reason.Text) == "":
			return "Say why the item is right although the check failed.", reason
		case needsOwner && strings.TrimSpace(owner.Text) == "":
			return "The owner must approve: their name and PIN.", owner
		case needsOwner && pin.Text == "":
			return "The owner must approve: their name and PIN.", pin
		}
		return "", nil
	}, reason, owner, pin)
}

// askUnits shows a small keyboard dialog around a units entry: Enter in any of its entries confirms,
// Esc cancels. check, when set, says what is missing before the store is asked; save reads the dialog's
// fields (on the UI goroutine) into the work that asks the store.
func (st *packStation) askUnits(l data.PackLine, title, confirm string, form fyne.CanvasObject, units *stationEntry, problem *widget.Label,
	save func(units int64) func(context.Context) (data.PackState, error), check func() (string, fyne.Focusable), more ...*stationEntry) {
	var d *dialog.CustomDialog
	var ok *enterButton
	closeDialog := func() {
		d.Hide()
	}
	submit := func() {
		n, err := strconv.ParseInt(strings.TrimSpace(units.Text), 10, 64)
		if err != nil || n <= 0 {
			showFormProblem(st.a.win, d, problem, 480, "Type how many units, a whole number.", units)
			return
		}
		if check != nil {
			if msg, field := check(); msg != "" {
				showFormProblem(st.a.win, d, problem, 480, msg, field)
				return
			}
		}
		ok.Disable()
		visit := st.visit
		run(st.a.bg, save(n),
			func(state data.PackState, err error) {
				ok.Enable()
				if err != nil {
					logUnexpected(err)
					showFormProblem(st.a.win, d, problem, 480, data.UserMessage(err), units)
					return
				}
				closeDialog()
				if visit != st.visit {
					return
				}
				st.show(state)
				i := st.indexOf(l)
				st.flashLine(i)
				if i >= 0 {
					l = st.state.Lines[i]
				}
				st.say(toneGood, fmt.Sprintf("✓ %s: %d of %d", lineLabel(l), l.Packed, l.Want), fmt.Sprintf("%s counted (%s).", plural(int(n), "unit", "units"), strings.ToLower(title)))
				st.sayComplete()
			})
	}
	cancel := newEnterButton("Cancel", theme.CancelIcon(), closeDialog)
	ok = newEnterButton(confirm, theme.ConfirmIcon(), submit)
	ok.Importance = widget.HighImportance
	for _, e := range append([]*stationEntry{units}, more...) {
		e.OnSubmitted = func(string) { submit() }
		e.keys = map[fyne.KeyName]func(){fyne.KeyEscape: closeDialog}
	}
	d = dialog.NewCustomWithoutButtons(title, form, st.a.win)
	d.SetButtons([]fyne.CanvasObject{cancel, ok})
	st.openDialog(d, units)
	if len(more) > 0 {
		st.a.win.Canvas().Focus(more[0]) // the reason: the units are usually right as offered
	}
}

// openDialog shows d with focus in first, and gives the keyboard back to the station when it closes.
func (st *packStation) openDialog(d dialog.Dialog, first fyne.Focusable) {
	st.dialog = d
	d.SetOnClosed(func() {
		st.dialog = nil
		st.focus()
	})
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
	if first != nil {
		st.a.win.Canvas().Focus(first)
	}
}

// lineLabel names a line for the packer.
func lineLabel(l data.PackLine) string {
	if l.SKU == "" {
		return strconv.Quote(l.Name)
	}
	return l.SKU
}

// onReset starts the order again after a confirmation; the log keeps what was counted.
func (st *packStation) onReset() {
	if !st.packing || st.busy {
		return
	}
	packed, _ := st.state.Units()
	o := st.state.Order
	var d *dialog.CustomDialog
	cancel := newEnterButton("Cancel", theme.CancelIcon(), func() { d.Hide() })
	again := newEnterButton("Start again", theme.ViewRefreshIcon(), func() {
		d.Hide()
		store, visit := st.a.store, st.visit
		run(st.a.bg, func(ctx context.Context) (data.PackState, error) {
			return store.ResetPack(ctx, o.ID)
		}, func(state data.PackState, err error) {
			if visit != st.visit {
				return
			}
			if err != nil {
				st.refuse(data.UserMessage(err), "")
				logUnexpected(err)
				return
			}
			st.line = -1
			st.show(state)
			st.say(toneNeutral, "Started again", "Empty the box and scan every item again.")
		})
	})
	again.Importance = widget.DangerImportance
	msg := widget.NewLabel(fmt.Sprintf("Start order %s again? The %s counted so far no longer count; empty the box and scan "+
		"everything again. The log keeps what was scanned.", o.ExternalID, plural(int(packed), "unit", "units")))
	msg.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustomWithoutButtons("Start again", msg, st.a.win)
	d.SetButtons([]fyne.CanvasObject{cancel, again})
	st.openDialog(d, again)
}

// onLeave puts the order aside (the log keeps how far it got), cancels a channel question, or with
// nothing at the station goes back to the queue.
func (st *packStation) onLeave() {
	switch {
	case st.choose != nil:
		st.choose = nil
		st.idleMessage()
	case st.packing:
		o := st.state.Order
		st.leave()
		st.loadNext()
		st.say(toneNeutral, fmt.Sprintf("Left order %s", o.ExternalID),
			"Nothing is lost: scan it again to carry on where you stopped. Scan the next order.")
	default:
		st.queue.showQueueTab()
	}
}

// leave clears the station.
func (st *packStation) leave() {
	st.visit++
	st.packing, st.pending, st.line = false, nil, -1
	st.show(data.PackState{})
}

// onMarkPacked moves the complete order to packed, then ships it or waits for the next order.
func (st *packStation) onMarkPacked() {
	if !st.packing || st.busy || !st.state.Complete() {
		return
	}
	store, id, visit := st.a.store, st.state.Order.ID, st.visit
	st.busy = true
	run(st.a.bg, func(ctx context.Context) (data.Order, error) {
		return store.MarkPacked(ctx, id)
	}, func(o data.Order, err error) {
		defer st.next()
		if visit != st.visit {
			return
		}
		if err != nil {
			st.refuse(data.UserMessage(err), "")
			logUnexpected(err)
			return
		}
		st.leave()
		st.loadNext()
		st.say(toneGood, fmt.Sprintf("✓ Order %s is packed", o.ExternalID), "Scan the next order.")
		st.queue.refresh()
		if st.shipAfter.Checked {
			st.openShip(o)
		}
	})
}

// openShip asks how the order leaves; afterwards the station waits for the next order.
func (st *packStation) openShip(o data.Order) {
	st.ship = showShipDialog(st.a, o, func(shipped data.Order, ok bool) {
		st.dialog = nil
		if ok {
			st.say(toneGood, fmt.Sprintf("✓ Order %s is shipped", shipped.ExternalID), "Scan the next order.")
			st.queue.refresh()
		}
		st.focus()
	})
	st.dialog = st.ship.d
}

// open puts an order from the queue at the station, as if its number had been scanned.
func (st *packStation) open(o data.Order) {
	st.leave()
	st.openOrder(o.ExternalID, o.Channel)
}

// logUnexpected logs errors that are not the store's refusals, which the station shows as they are.
func logUnexpected(err error) {
	var de *data.Error
	if !errors.As(err, &de) && !isCancelled(err) {
		log.Printf("backroom: pack station: %v", err)
	}
}

// stationEntry is an entry that hands chosen keys (F2, Esc…) to the station instead of ignoring them:
// Fyne sends keys only to the focused widget, and at the station that is always this entry.
type stationEntry struct {
	widget.Entry
	keys map[fyne.KeyName]func()
}

func newStationEntry() *stationEntry {
	e := &stationEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey runs the station's action for the key, or types it.
func (e *stationEntry) TypedKey(ev *fyne.KeyEvent) {
	if fn := e.keys[ev.Name]; fn != nil {
		fn()
		return
	}
	e.Entry.TypedKey(ev)
}

// scaledText enlarges the station's entry and message beyond largeText, to be read from a step away.
type scaledText struct {
	fyne.Theme
	text, heading float32
}

// Size scales body text by text and headings by heading (1 when unset).
func (t scaledText) Size(n fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(n)
	switch {
	case n == theme.SizeNameText && t.text > 0:
		return s * t.text
	case n == theme.SizeNameHeadingText && t.heading > 0:
		return s * t.heading
	}
	return s
}

// packingParts are what the pack station adds to the Fulfillment screen: tabs for the queue, the
// station and (for those who may see them) the packing figures, and the queue's Pack and Ship buttons.
type packingParts struct {
	sc      *fulfillmentScreen
	station *packStation
	figures *packingFigures // nil for people who may not see them

	tabs                   *container.AppTabs
	queueTab, stationTab   *container.TabItem
	figuresTab             *container.TabItem
	packButton, shipButton *enterButton // beside the queue's other moves
	ship                   *shipDialog  // the ship dialog last opened from the queue, for tests
}

func newPackingParts(sc *fulfillmentScreen) *packingParts {
	p := &packingParts{sc: sc, station: newPackStation(sc.a, sc)}
	if sc.a.store.Can(data.PermViewAudit) {
		p.figures = newPackingFigures(sc.a)
	}
	p.packButton = newEnterButton("Pack", theme.ConfirmIcon(), p.onPack)
	p.shipButton = newEnterButton("Ship…", theme.MailSendIcon(), p.onShip)
	return p
}

// withTabs puts the queue, the station and the figures on tabs.
func (p *packingParts) withTabs(queue fyne.CanvasObject) fyne.CanvasObject {
	p.queueTab = container.NewTabItemWithIcon("Queue and pick list", theme.ListIcon(), queue)
	p.stationTab = container.NewTabItemWithIcon("Pack station", theme.ConfirmIcon(), p.station.view())
	p.tabs = container.NewAppTabs(p.queueTab, p.stationTab)
	if p.figures != nil {
		p.figuresTab = container.NewTabItemWithIcon("Packing figures", theme.InfoIcon(), p.figures.view())
		p.tabs.Append(p.figuresTab)
	}
	p.tabs.OnSelected = func(*container.TabItem) { p.refresh() }
	return p.tabs
}

// refresh brings the tab on display up to date: the station takes the keyboard, the figures reload.
func (p *packingParts) refresh() {
	if p.tabs == nil {
		return
	}
	switch p.tabs.Selected() {
	case p.stationTab:
		if !p.station.packing {
			p.station.loadNext()
		}
		p.station.focus()
	case p.figuresTab:
		p.figures.refresh()
	}
}

// updateButtons enables Pack and Ship for exactly one ticked order that can still be packed or shipped.
func (p *packingParts) updateButtons(sel []data.Order) {
	one := len(sel) == 1
	setEnabled(p.packButton, one && sel[0].Status.CanMoveTo(data.StatusPacked))
	setEnabled(p.shipButton, one && (sel[0].Status.CanMoveTo(data.StatusShipped)))
}

// onPack opens the ticked order at the station.
func (p *packingParts) onPack() {
	sel := p.sc.selectedOrders()
	if len(sel) != 1 {
		return
	}
	p.tabs.Select(p.stationTab)
	p.station.open(sel[0])
}

// onShip asks how the ticked order leaves.
func (p *packingParts) onShip() {
	sel := p.sc.selectedOrders()
	if len(sel) != 1 {
		return
	}
	p.ship = showShipDialog(p.sc.a, sel[0], func(o data.Order, shipped bool) {
		if shipped {
			p.sc.say(fmt.Sprintf("Shipped %s order %s.", channelLabel(o.Channel), o.ExternalID))
			p.sc.refresh()
		}
	})
}

// showQueueTab goes back from the station to the queue.
func (sc *fulfillmentScreen) showQueueTab() {
	sc.packing.tabs.Select(sc.packing.queueTab)
}

// loadNext lists the orders waiting to be packed, most urgent first, for a station with no order.
func (st *packStation) loadNext() {
	store := st.a.store
	load(st.a.bg, st.a.win, &st.nextQuery, func(ctx context.Context) ([]data.Order, error) {
		return store.Orders(ctx, data.OrderFilter{Statuses: []data.Status{data.StatusNew, data.StatusPaid, data.StatusPicking}})
	}, st.showNext)
}

// waitingShown is how many waiting orders the idle station lists; the queue has them all.
const waitingShown = 8

func (st *packStation) showNext(orders []data.Order) {
	sortQueue(orders)
	q := fulfillmentScreen{now: st.a.store.Now()}
	st.nextRows.RemoveAll()
	if len(orders) == 0 {
		none := widget.NewLabel("Nothing is waiting to be packed.")
		none.Importance = widget.LowImportance
		st.nextRows.Add(none)
	}
	for i, o := range orders {
		if i == waitingShown {
			st.nextRows.Add(mutedLine(fmt.Sprintf("and %d more on the queue", len(orders)-waitingShown)))
			break
		}
		number := widget.NewLabelWithStyle(o.ExternalID, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		number.SizeName = theme.SizeNameSubHeadingText
		number.Truncation = fyne.TextTruncateEllipsis
		due, imp := q.shipByText(o)
		when := widget.NewLabelWithStyle(due, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		when.Importance = imp
		name := o.CustomerName
		if name == "" {
			name = o.ShipTo.Name
		}
		who := widget.NewLabel(fmt.Sprintf("%s · %s · %s", channelLabel(o.Channel), name, plural(int(o.Items), "item", "items")))
		who.Truncation = fyne.TextTruncateEllipsis
		st.nextRows.Add(container.NewBorder(nil, nil, fixedWidth(number, 220), when, who))
	}
	st.nextRows.Refresh()
}
