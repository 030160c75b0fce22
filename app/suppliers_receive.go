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

// poReceiver is the Receive dialog: what arrived of each line of a sent order, typed or counted with a
// barcode scanner, booked into the ledger in one go.
//
// Quantities start at what is still to come, so a complete delivery is one tap. Counting by scanning
// starts from nothing instead: the first scan sets every line to 0 unless a quantity was already typed
// by hand, and each scan then adds 1 to its line.
type poReceiver struct {
	t       *poTab
	po      data.PurchaseOrder
	rows    []*receiveRow
	layout  *gridColumnsLayout
	scan    *widget.Entry
	scanned bool // a scan has counted
	typed   bool // a quantity was typed by hand
	quiet   bool // quantities are being set by the dialog, not typed
	heard   *widget.Label
	note    *widget.Entry
	message *widget.Label
	confirm *widget.Button
	content *fyne.Container
	dialog  *dialog.CustomDialog

	// After receiving.
	result *receiveResult
	done   *widget.Button
}

type receiveRow struct {
	line data.POLine
	qty  *widget.Entry
}

// receiveResult is what a delivery did: the order after it and the new on-hand of each SKU received.
type receiveResult struct {
	po       data.PurchaseOrder
	received []data.POReceipt
	onHand   map[string]int64
}

const receiverWidth = 760

func (t *poTab) onReceive() {
	if t.shown == nil || !t.shown.po.Status.Open() {
		return
	}
	t.openReceiver(t.shown.po)
}

func (t *poTab) openReceiver(po data.PurchaseOrder) {
	r := &poReceiver{t: t, po: po}
	r.layout = &gridColumnsLayout{widths: []float32{120, 200, 72, 76, 70, 90}, grow: 1}
	head := []string{"SKU", "Item", "Ordered", "Received", "To come", "Arrived now"}
	var cells []fyne.CanvasObject
	for i, h := range head {
		l := widget.NewLabel(h)
		l.TextStyle.Bold = true
		if i >= 2 {
			l.Alignment = fyne.TextAlignTrailing
		}
		cells = append(cells, l)
	}
	rows := container.NewVBox()
	for _, l := range po.Lines {
		row := &receiveRow{line: l, qty: widget.NewEntry()}
		row.qty.SetText(strconv.FormatInt(l.Outstanding(), 10))
		row.qty.Validator = func(s string) error {
			if _, ok := receivedQuantity(s); !ok {
				return fmt.Errorf("a whole number, 0 or more")
			}
			return nil
		}
		row.qty.OnChanged = func(string) {
			if !r.quiet {
				r.typed = true
			}
		}
		row.qty.OnSubmitted = func(string) { r.onConfirm() }
		number := func(n int64) *widget.Label {
			lb := widget.NewLabel(groupDigits(n))
			lb.Alignment = fyne.TextAlignTrailing
			return lb
		}
		sku := widget.NewLabel(l.SKU)
		sku.Truncation = fyne.TextTruncateEllipsis
		name := widget.NewLabel(l.Name)
		name.Truncation = fyne.TextTruncateEllipsis
		toCome := number(l.Outstanding())
		if l.Outstanding() > 0 {
			toCome.Importance = widget.HighImportance
		}
		rows.Add(container.New(r.layout, sku, name, number(l.Quantity), number(l.Received), toCome, row.qty))
		r.rows = append(r.rows, row)
	}
	r.scan = widget.NewEntry()
	r.scan.SetPlaceHolder("scan a barcode or type a SKU, then Enter: adds 1 to its line")
	r.scan.ActionItem = widget.NewIcon(theme.SearchIcon())
	r.scan.OnSubmitted = r.onScan
	r.heard = widget.NewLabel("")
	r.heard.Wrapping = fyne.TextWrapWord
	r.heard.Hide()
	r.note = widget.NewEntry()
	r.note.SetPlaceHolder("e.g. delivery note 4471, one box dented")
	r.message = widget.NewLabel("")
	r.message.Importance = widget.DangerImportance
	r.message.Wrapping = fyne.TextWrapWord
	r.message.Hide()

	scroll := container.NewVScroll(rows)
	scroll.SetMinSize(fyne.NewSize(0, min(float32(len(po.Lines))*44, 264)))
	intro := fmt.Sprintf("Goods go into stock at %s. Quantities start at what is still to come; change those that differ. "+
		"Scanning counts from 0 instead.", po.Location)
	form := widget.NewForm(&widget.FormItem{Text: "Note", Widget: r.note, HintText: "Optional: kept with each receipt in the ledger"})
	first := container.NewVBox(
		mutedText(intro),
		r.scan,
		r.heard,
		container.New(r.layout, cells...),
		scroll,
		form,
		r.message,
	)
	r.content = container.NewStack(first)
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { r.dialog.Hide() })
	r.confirm = widget.NewButtonWithIcon("Receive", theme.DownloadIcon(), r.onConfirm)
	r.confirm.Importance = widget.HighImportance
	r.dialog = dialog.NewCustomWithoutButtons("Receive "+po.Number+" from "+po.SupplierName, r.content, t.a.win)
	r.dialog.SetButtons([]fyne.CanvasObject{cancel, r.confirm})
	r.dialog.SetOnClosed(func() {
		if t.receiver == r {
			t.receiver = nil
		}
	})
	r.dialog.Resize(fyne.NewSize(receiverWidth, r.dialog.MinSize().Height))
	t.receiver = r
	r.dialog.Show()
	if c := t.a.win.Canvas(); c != nil {
		c.Focus(r.scan)
	}
}

// receivedQuantity reads a quantity that arrived: empty is none.
func receivedQuantity(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

func (r *poReceiver) say(msg string, imp widget.Importance) {
	r.heard.Importance = imp
	r.heard.SetText(msg)
	r.heard.Show()
}

// onScan adds 1 to the line of a scanned code. A code that is a line's SKU counts at once; a barcode is
// looked up in the store first.
func (r *poReceiver) onScan(code string) {
	code = strings.TrimSpace(code)
	r.scan.SetText("")
	if c := r.t.a.win.Canvas(); c != nil {
		c.Focus(r.scan)
	}
	if code == "" {
		return
	}
	for _, row := range r.rows {
		if strings.EqualFold(row.line.SKU, code) {
			r.count(row)
			return
		}
	}
	store := r.t.a.store
	run(r.t.a.bg, func(ctx context.Context) (data.Variant, error) {
		return store.VariantByBarcode(ctx, code)
	}, func(v data.Variant, err error) {
		if err != nil {
			r.say(fmt.Sprintf("Unknown code %s: it is no barcode or SKU of this shop.", code), widget.DangerImportance)
			return
		}
		for _, row := range r.rows {
			if strings.EqualFold(row.line.SKU, v.SKU) {
				r.count(row)
				return
			}
		}
		r.say(fmt.Sprintf("%s (%s) is not on %s: put it aside, or book it with Adjust stock in Inventory.", v.SKU, v.Name(), r.po.Number),
			widget.DangerImportance)
	})
}

// count adds one scanned unit to a line, starting every line from 0 on the first scan when nothing was
// typed by hand.
func (r *poReceiver) count(row *receiveRow) {
	r.quiet = true
	defer func() { r.quiet = false }()
	reset := !r.scanned && !r.typed
	if reset {
		for _, x := range r.rows {
			x.qty.SetText("0")
		}
	}
	r.scanned = true
	n, ok := receivedQuantity(row.qty.Text)
	if !ok {
		n = 0
	}
	n++
	row.qty.SetText(strconv.FormatInt(n, 10))
	msg := fmt.Sprintf("%s: %d counted", row.line.SKU, n)
	imp := widget.SuccessImportance
	switch out := row.line.Outstanding(); {
	case n > out:
		msg += fmt.Sprintf(", %d more than was still to come", n-out)
		imp = widget.WarningImportance
	case n == out:
		msg += ", the line is complete"
	default:
		msg += fmt.Sprintf(" of %d to come", out)
	}
	if reset {
		msg += ". Counting by scan: the other lines start from 0."
	}
	r.say(msg, imp)
}

func (r *poReceiver) problem(msg string, field fyne.Focusable) {
	showFormProblem(r.t.a.win, r.dialog, r.message, receiverWidth, msg, field)
}

// onConfirm checks the quantities, asks before booking more than was ordered, then receives.
func (r *poReceiver) onConfirm() {
	var got []data.POReceipt
	var over []string
	for _, row := range r.rows {
		q, ok := receivedQuantity(row.qty.Text)
		if !ok {
			r.problem(fmt.Sprintf("%s: %q is not a whole number of units, 0 or more.", row.line.SKU, row.qty.Text), row.qty)
			return
		}
		if q == 0 {
			continue
		}
		got = append(got, data.POReceipt{LineNo: row.line.LineNo, Quantity: q})
		if out := row.line.Outstanding(); q > out {
			over = append(over, fmt.Sprintf("%s: %d arrived, %d were still to come (%d extra)", row.line.SKU, q, out, q-out))
		}
	}
	if len(got) == 0 {
		r.problem("Nothing to receive: type how many of each line arrived, or scan them.", r.rows[0].qty)
		return
	}
	if len(over) == 0 {
		r.receive(got)
		return
	}
	msg := widget.NewLabel("More arrived than was ordered:\n" + strings.Join(over, "\n") +
		"\n\nBook the extra units too? They go into stock and count as received on the order.")
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("More than ordered", "Book them all", "Go back", fixedWidth(msg, 440), func(yes bool) {
		if yes {
			r.receive(got)
		}
	}, r.t.a.win)
	d.Show()
}

// receive books the delivery in the background and then shows what it did.
func (r *poReceiver) receive(got []data.POReceipt) {
	store := r.t.a.store
	id, note := r.po.ID, strings.TrimSpace(r.note.Text)
	skus := map[int]string{}
	for _, l := range r.po.Lines {
		skus[l.LineNo] = l.SKU
	}
	r.confirm.Disable()
	run(r.t.a.bg, func(ctx context.Context) (receiveResult, error) {
		po, err := store.ReceivePO(ctx, id, got, note)
		if err != nil {
			return receiveResult{}, err
		}
		res := receiveResult{po: po, received: got, onHand: map[string]int64{}}
		for _, g := range got {
			lv, err := store.StockLevel(ctx, skus[g.LineNo])
			if err != nil {
				return res, err
			}
			res.onHand[lv.SKU] = lv.OnHand
		}
		return res, nil
	}, func(res receiveResult, err error) {
		r.confirm.Enable()
		if err != nil && res.po.ID == 0 {
			r.problem(problemText(err), nil)
			return
		}
		if err != nil {
			showError(r.t.a.win, err) // booked, but the new stock could not be read back
		}
		r.result = &res
		r.showResult(skus)
		r.t.afterChange()
	})
}

// showResult replaces the dialog's content with what the delivery did: the new on-hand of each SKU,
// the order's state, and any cost that was not updated, with why.
func (r *poReceiver) showResult(skus map[int]string) {
	res := r.result
	var units int64
	table := newGridTable(0, gridColumn{title: "SKU", width: 160},
		gridColumn{title: "Arrived now", width: 120, align: fyne.TextAlignTrailing},
		gridColumn{title: "On hand now", width: 120, align: fyne.TextAlignTrailing})
	var rows [][]string
	for _, g := range res.received {
		sku := skus[g.LineNo]
		units += g.Quantity
		on := "?"
		for k, v := range res.onHand {
			if strings.EqualFold(k, sku) {
				on = groupDigits(v)
			}
		}
		rows = append(rows, []string{sku, "+" + groupDigits(g.Quantity), on})
	}
	table.setRows(rows, func(_, col int) widget.Importance {
		if col == 1 {
			return widget.SuccessImportance
		}
		return widget.MediumImportance
	})
	state := "It is now fully received."
	if res.po.Status == data.POStatusPartlyReceived {
		var toCome int64
		for _, l := range res.po.Lines {
			toCome += l.Outstanding()
		}
		state = fmt.Sprintf("It is now partly received: %s still to come.", plural(int(toCome), "unit", "units"))
	}
	head := widget.NewLabel(fmt.Sprintf("Received %s of %s. %s", plural(int(units), "unit", "units"), res.po.Number, state))
	r.t.say(head.Text, widget.SuccessImportance)
	head.Importance = widget.SuccessImportance
	head.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(head, table.box)
	if len(res.po.CostNotUpdated) > 0 {
		warn := widget.NewLabel("Costs left as they were:\n" + strings.Join(res.po.CostNotUpdated, "\n"))
		warn.Importance = widget.WarningImportance
		warn.Wrapping = fyne.TextWrapWord
		box.Add(warn)
	} else if r.t.a.store.Can(data.PermViewCosts) {
		box.Add(mutedText("Each SKU's cost is now the average of the stock that was there and this delivery, so margins use it from now on."))
	}
	r.content.Objects = []fyne.CanvasObject{box}
	r.content.Refresh()
	r.done = widget.NewButtonWithIcon("Done", theme.ConfirmIcon(), func() { r.dialog.Hide() })
	r.dialog.SetButtons([]fyne.CanvasObject{r.done})
	r.dialog.Resize(fyne.NewSize(receiverWidth, r.dialog.MinSize().Height))
}
