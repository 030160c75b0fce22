package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// recentReturns is how many returns the dialog lists: enough to see the last few went in, not a report.
const recentReturns = 6

// returnReasonLabels names the return reasons for people. A function, not a package variable, so
// nothing can change the table at run time.
func returnReasonLabels() map[data.ReturnReason]string {
	return map[data.ReturnReason]string{
		data.ReturnDamaged: "Damaged", data.ReturnWrongItem: "Wrong item", data.ReturnChangedMind: "Changed mind",
		data.ReturnLate: "Late", data.ReturnOther: "Other",
	}
}

// returnConditionLabels names the conditions returned goods arrive in.
func returnConditionLabels() map[data.ReturnCondition]string {
	return map[data.ReturnCondition]string{
		data.ConditionAsNew: "As new", data.ConditionOpened: "Opened", data.ConditionDamaged: "Damaged",
	}
}

const (
	restockLabel  = "Back on the shelf"
	writeOffLabel = "Write off"
)

// returnsPart records goods customers send back, from the Fulfillment screen: find the order by its
// number, choose the shipped line, and say how many units came back, why, in what state, whether they
// go back on the shelf, and what was refunded. The dialog stays open for the next parcel and lists the
// latest returns, so the person unpacking a sack of returns sees each one go in.
type returnsPart struct {
	a    *App
	open *widget.Button // "Record a return…"

	query   latest
	order   data.Order
	matches []data.Order
	lines   []data.ReturnableLine

	d           *dialog.CustomDialog
	find        *widget.Entry
	findButton  *widget.Button
	choice      *widget.Select // which order, when two channels share the number
	summary     *widget.Label
	line        *widget.Select
	units       *widget.Entry
	reason      *widget.Select
	condition   *widget.RadioGroup
	disposition *widget.RadioGroup
	refund      *widget.Entry
	note        *widget.Entry
	problem     *widget.Label
	done        *widget.Label
	record      *widget.Button
	recent      *fyne.Container
}

func newReturnsPart(a *App) *returnsPart {
	p := &returnsPart{a: a}
	p.open = widget.NewButtonWithIcon("Record a return…", theme.MailReplyIcon(), p.onOpen)
	if a.store != nil && !a.store.Can(data.PermWorkOrders) {
		p.open.Disable()
	}
	return p
}

func (p *returnsPart) onOpen() {
	p.build()
	p.d.Show()
	p.a.win.Canvas().Focus(p.find)
	p.loadRecent()
}

// build makes the dialog afresh, so every opening starts empty.
func (p *returnsPart) build() {
	p.order, p.matches, p.lines = data.Order{}, nil, nil
	p.find = widget.NewEntry()
	p.find.SetPlaceHolder("Order number from the parcel or the channel")
	p.find.OnSubmitted = func(string) { p.onFind() }
	p.findButton = widget.NewButtonWithIcon("Find", theme.SearchIcon(), p.onFind)
	p.choice = widget.NewSelect(nil, p.onChoose)
	p.choice.PlaceHolder = "Two channels have this number: choose"
	p.choice.Hide()
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord
	p.summary.Hide()

	p.line = widget.NewSelect(nil, func(string) { p.onLine() })
	p.line.PlaceHolder = "Find the order first"
	p.units = widget.NewEntry()
	p.units.SetText("1")
	var reasons []string
	for _, r := range data.ReturnReasons() {
		reasons = append(reasons, returnReasonLabels()[r])
	}
	p.reason = widget.NewSelect(reasons, nil)
	p.reason.PlaceHolder = "Why did it come back?"
	var conditions []string
	for _, c := range data.ReturnConditions() {
		conditions = append(conditions, returnConditionLabels()[c])
	}
	p.condition = widget.NewRadioGroup(conditions, nil)
	p.condition.Horizontal = true
	p.condition.Required = true
	p.condition.SetSelected(returnConditionLabels()[data.ConditionAsNew])
	p.disposition = widget.NewRadioGroup([]string{restockLabel, writeOffLabel}, nil)
	p.disposition.Horizontal = true
	p.disposition.Required = true
	p.disposition.SetSelected(restockLabel)
	p.refund = widget.NewEntry()
	p.refund.SetPlaceHolder("0.00")
	p.note = widget.NewEntry()
	p.note.SetPlaceHolder("optional")
	p.problem = widget.NewLabel("")
	p.problem.Importance = widget.DangerImportance
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Hide()
	p.done = widget.NewLabel("")
	p.done.Importance = widget.SuccessImportance
	p.done.Wrapping = fyne.TextWrapWord
	p.done.Hide()
	p.recent = container.NewVBox()

	form := widget.NewForm(
		&widget.FormItem{Text: "Line", Widget: p.line},
		&widget.FormItem{Text: "Units", Widget: p.units, HintText: "units that came back"},
		&widget.FormItem{Text: "Reason", Widget: p.reason},
		&widget.FormItem{Text: "Arrived", Widget: p.condition},
		&widget.FormItem{Text: "Goes", Widget: p.disposition, HintText: "a write-off moves no stock: the sale already took it off"},
		&widget.FormItem{Text: "Refund", Widget: p.refund, HintText: "in the order's currency"},
		&widget.FormItem{Text: "Note", Widget: p.note},
	)
	findRow := container.NewBorder(nil, nil, nil, p.findButton, p.find)
	heading := widget.NewLabelWithStyle("Recent returns", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	content := container.NewVBox(findRow, p.choice, p.summary, widget.NewSeparator(), form, p.problem, p.done,
		widget.NewSeparator(), heading, p.recent)
	p.record = widget.NewButtonWithIcon("Record return", theme.ConfirmIcon(), p.onRecord)
	p.record.Importance = widget.HighImportance
	p.record.Disable()
	closeButton := widget.NewButton("Close", func() { p.d.Hide() })
	p.d = dialog.NewCustomWithoutButtons("Record a return", content, p.a.win)
	p.d.SetButtons([]fyne.CanvasObject{closeButton, p.record})
	p.d.Resize(fyne.NewSize(640, p.d.MinSize().Height))
}

// foundOrders is what a search for an order number found: the shipped orders with that number, and the
// lines of the one order when there is exactly one.
type foundOrders struct {
	orders []data.Order
	lines  []data.ReturnableLine
}

func (p *returnsPart) onFind() {
	number := strings.TrimSpace(p.find.Text)
	if number == "" {
		p.showProblem("Type or scan the order number.", p.find)
		return
	}
	store := p.a.store
	current := p.query.next()
	p.findButton.Disable()
	run(p.a.bg, func(ctx context.Context) (foundOrders, error) {
		bare := strings.TrimPrefix(number, "#")
		list, err := store.Orders(ctx, data.OrderFilter{Search: bare, Statuses: []data.Status{data.StatusShipped, data.StatusDelivered, data.StatusReturned}})
		if err != nil {
			return foundOrders{}, err
		}
		var f foundOrders
		for _, o := range list {
			if o.ExternalID == bare || o.ExternalID == "#"+bare {
				f.orders = append(f.orders, o)
			}
		}
		if len(f.orders) == 1 {
			f.lines, err = store.ReturnableLines(ctx, f.orders[0].ID)
		}
		return f, err
	}, func(f foundOrders, err error) {
		if !current() {
			return
		}
		p.findButton.Enable()
		if err != nil {
			showError(p.a.win, err)
			return
		}
		p.showFound(number, f)
	})
}

func (p *returnsPart) showFound(number string, f foundOrders) {
	p.matches = f.orders
	p.choice.Hide()
	switch len(f.orders) {
	case 0:
		p.setOrder(data.Order{}, nil)
		p.showProblem(fmt.Sprintf("There is no shipped order %s. Returns come from shipped or delivered orders.", number), p.find)
	case 1:
		p.setOrder(f.orders[0], f.lines)
	default:
		p.setOrder(data.Order{}, nil)
		var options []string
		for _, o := range f.orders {
			options = append(options, fmt.Sprintf("%s %s · %s", channelLabel(o.Channel), o.ExternalID, o.CustomerName))
		}
		p.choice.Options = options
		p.choice.ClearSelected()
		p.choice.Show()
		p.resize()
	}
}

// onChoose loads the lines of the order chosen among several with the same number.
func (p *returnsPart) onChoose(string) {
	i := p.choice.SelectedIndex()
	if i < 0 || i >= len(p.matches) {
		return
	}
	o := p.matches[i]
	store := p.a.store
	current := p.query.next()
	run(p.a.bg, func(ctx context.Context) ([]data.ReturnableLine, error) {
		return store.ReturnableLines(ctx, o.ID)
	}, func(lines []data.ReturnableLine, err error) {
		if !current() {
			return
		}
		if err != nil {
			showError(p.a.win, err)
			return
		}
		p.setOrder(o, lines)
	})
}

// setOrder shows an order and its lines; a zero order clears them.
func (p *returnsPart) setOrder(o data.Order, lines []data.ReturnableLine) {
	p.order, p.lines = o, lines
	p.problem.Hide()
	p.line.ClearSelected()
	p.line.Options = nil
	p.record.Disable()
	if o.ID == 0 {
		p.summary.Hide()
		p.line.PlaceHolder = "Find the order first"
		p.line.Refresh()
		p.resize()
		return
	}
	text := fmt.Sprintf("%s order %s · %s · %s", channelLabel(o.Channel), o.ExternalID, o.CustomerName, o.Status)
	if !o.ShippedAt.IsZero() {
		text += " " + o.ShippedAt.Local().Format("2 Jan 2006")
	}
	p.summary.SetText(text)
	p.summary.Show()
	left := 0
	for _, l := range lines {
		p.line.Options = append(p.line.Options, returnLineLabel(l))
		if l.Left() > 0 {
			left++
		}
	}
	p.line.PlaceHolder = "Which item came back?"
	switch {
	case o.Status == data.StatusReturned || left == 0:
		p.showProblem("Everything on this order has come back already.", nil)
	case len(lines) == 1:
		p.line.SetSelectedIndex(0)
	}
	p.line.Refresh()
	p.resize()
}

// returnLineLabel names an order line with what can still come back of it.
func returnLineLabel(l data.ReturnableLine) string {
	what := l.SKU
	if what == "" {
		what = "(no SKU)"
	}
	if l.Name != "" {
		what += " " + l.Name
	}
	return fmt.Sprintf("%d · %s — %d shipped, %d back", l.LineNo, what, l.Shipped, l.Returned)
}

func (p *returnsPart) onLine() {
	i := p.line.SelectedIndex()
	if i < 0 || i >= len(p.lines) {
		p.record.Disable()
		return
	}
	if p.lines[i].Left() > 0 {
		p.record.Enable()
	} else {
		p.record.Disable()
	}
}

func (p *returnsPart) onRecord() {
	i := p.line.SelectedIndex()
	if p.order.ID == 0 || i < 0 || i >= len(p.lines) {
		p.showProblem("Find the order and choose the item that came back.", p.find)
		return
	}
	l := p.lines[i]
	units, err := strconv.ParseInt(strings.TrimSpace(p.units.Text), 10, 64)
	if err != nil || units <= 0 {
		p.showProblem("Say how many units came back, e.g. 1.", p.units)
		return
	}
	if units > l.Left() {
		p.showProblem(fmt.Sprintf("Only %d of line %d can still come back: %d shipped, %d back already.", l.Left(), l.LineNo, l.Shipped, l.Returned), p.units)
		return
	}
	reason, ok := choice(returnReasonLabels(), p.reason.Selected)
	if !ok {
		p.showProblem("Choose why it came back.", nil)
		return
	}
	condition, _ := choice(returnConditionLabels(), p.condition.Selected)
	var refund int64
	if s := strings.TrimSpace(p.refund.Text); s != "" {
		if refund, err = data.ParseMoney(s, p.order.Currency); err != nil {
			p.showProblem("Write the refund as an amount, e.g. 12.50: "+data.UserMessage(err), p.refund)
			return
		}
	}
	ret := data.Return{OrderID: p.order.ID, LineNo: l.LineNo, SKU: l.SKU, Units: units, Reason: reason, Condition: condition,
		Disposition: data.Restock, Refund: refund, Note: p.note.Text}
	if p.disposition.Selected == writeOffLabel {
		ret.Disposition = data.WriteOff
	}
	store := p.a.store
	p.record.Disable()
	run(p.a.bg, func(ctx context.Context) (recorded, error) {
		r, err := store.RecordReturn(ctx, ret)
		if err != nil {
			return recorded{}, err
		}
		lines, err := store.ReturnableLines(ctx, r.OrderID)
		if err != nil {
			return recorded{}, err
		}
		o, err := store.Order(ctx, r.OrderID)
		return recorded{r, o, lines}, err
	}, func(rec recorded, err error) {
		if err != nil {
			p.record.Enable()
			p.showProblem(data.UserMessage(err), nil)
			return
		}
		p.showRecorded(rec)
	})
}

// recorded is a return just recorded with its order as it now stands.
type recorded struct {
	ret   data.Return
	order data.Order
	lines []data.ReturnableLine
}

func (p *returnsPart) showRecorded(rec recorded) {
	r := rec.ret
	msg := fmt.Sprintf("Recorded: %d × %s from %s order %s, ", r.Units, returnWhat(r), channelLabel(r.Channel), r.ExternalID)
	if r.Disposition == data.Restock {
		msg += "back on stock"
		switch {
		case strings.Contains(r.Bin, ","):
			msg += ": put the parts in bins " + r.Bin
		case r.Bin != "":
			msg += ": put it in bin " + r.Bin
		}
	} else {
		msg += "written off"
	}
	if r.Refund > 0 {
		msg += "; refund " + data.FormatMoney(r.Refund, r.Currency)
	}
	if rec.order.Status == data.StatusReturned {
		msg += ". Everything has come back: the order is now returned."
	} else {
		msg += "."
	}
	p.setOrder(rec.order, rec.lines)
	p.problem.Hide() // "everything has come back" is in the message already
	p.units.SetText("1")
	p.refund.SetText("")
	p.note.SetText("")
	p.reason.ClearSelected()
	p.done.SetText(msg)
	p.done.Show()
	p.loadRecent()
	p.a.changed()
}

func returnWhat(r data.Return) string {
	if r.SKU != "" {
		return r.SKU
	}
	return r.Name
}

// loadRecent lists the latest returns under the form.
func (p *returnsPart) loadRecent() {
	store := p.a.store
	run(p.a.bg, func(ctx context.Context) ([]data.Return, error) {
		return store.Returns(ctx, data.ReturnFilter{Limit: recentReturns})
	}, func(list []data.Return, err error) {
		if err != nil {
			showError(p.a.win, err)
			return
		}
		p.recent.RemoveAll()
		if len(list) == 0 {
			none := widget.NewLabel("None yet.")
			none.Importance = widget.LowImportance
			p.recent.Add(none)
		}
		for _, r := range list {
			went := "restocked"
			if r.Disposition == data.WriteOff {
				went = "written off"
			}
			text := fmt.Sprintf("%s  %s %s  %d × %s  %s · arrived %s · %s", r.At.Local().Format("2 Jan 15:04"), channelLabel(r.Channel),
				r.ExternalID, r.Units, returnWhat(r), returnReasonLabels()[r.Reason], strings.ToLower(returnConditionLabels()[r.Condition]), went)
			if r.Refund > 0 {
				text += "  refund " + data.FormatMoney(r.Refund, r.Currency)
			}
			p.recent.Add(widget.NewLabel(text))
		}
		p.resize()
	})
}

func (p *returnsPart) showProblem(msg string, field fyne.Focusable) {
	p.done.Hide()
	showFormProblem(p.a.win, p.d, p.problem, 640, msg, field)
	p.resize()
}

// resize fits the dialog to its content. It measures twice: a wrapping label knows how many lines it
// needs only once it has been laid out at the dialog's width.
func (p *returnsPart) resize() {
	if p.d == nil {
		return
	}
	for range 2 {
		p.d.Resize(fyne.NewSize(640, p.d.MinSize().Height))
	}
}

// choice is the value a label stands for.
func choice[V comparable](labels map[V]string, label string) (V, bool) {
	for v, l := range labels {
		if l == label && label != "" {
			return v, true
		}
	}
	var zero V
	return zero, false
}
