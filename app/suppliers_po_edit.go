package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// poEditor is the dialog that writes a draft purchase order: its lines (a SKU, how many, at what cost;
// the cost defaults to the supplier's price), the expected day, where it is delivered and notes. A new
// order is written when first saved, since a purchase order needs a line.
type poEditor struct {
	t       *poTab
	editing *poView // nil for a new order
	sp      data.Supplier
	items   map[string]data.SupplierItem // the supplier's items by lower-case SKU
	locs    []data.Location
	costs   bool

	lines    []*poEditLine
	layout   *gridColumnsLayout
	linesBox *fyne.Container
	add      *widget.SelectEntry
	addLine  *widget.Button
	expected *widget.DateEntry
	location *widget.Select
	notes    *widget.Entry
	total    *widget.Label
	message  *widget.Label
	save     *widget.Button
	dialog   *dialog.CustomDialog
	lookups  latest
}

// poEditLine is one line of the editor.
type poEditLine struct {
	sku    string
	name   *widget.Label
	qty    *widget.Entry
	cost   *widget.Entry
	amount *widget.Label
	remove *widget.Button
	row    *fyne.Container
}

const poEditorWidth = 820

// poEditorSetup is what the editor loads before it opens.
type poEditorSetup struct {
	items []data.SupplierItem
	locs  []data.Location
}

// openEditor starts a new order (v nil: first pick the supplier) or edits the draft v.
func (t *poTab) openEditor(v *poView) {
	if v != nil {
		t.loadEditor(v, v.supplier)
		return
	}
	if len(t.suppliers) == 0 {
		dialog.ShowInformation("New purchase order", "Add a supplier on the Suppliers tab first: an order goes to one supplier.", t.a.win)
		return
	}
	t.pickSupplier()
}

// pickSupplier asks whom a new order goes to, then opens the editor for it.
func (t *poTab) pickSupplier() {
	// An unavailable supplier can be drafted for (it may be back before the order goes), but it says so.
	var names []string
	for _, s := range t.suppliers {
		name := s.Name
		if !s.Available() {
			name += " (unavailable)"
		}
		names = append(names, name)
	}
	pick := widget.NewSelect(names, nil)
	pick.SetSelected(names[0])
	for i, s := range t.suppliers {
		if s.ID == t.supplierID() {
			pick.SetSelected(names[i])
		}
	}
	note := mutedText("The order is in the supplier's currency, at its prices. Nothing is saved until the draft has a line.")
	var d *dialog.CustomDialog
	start := widget.NewButtonWithIcon("Start draft", theme.NavigateNextIcon(), func() {
		for i, s := range t.suppliers {
			if names[i] == pick.Selected {
				d.Hide()
				t.loadEditor(nil, s)
				return
			}
		}
	})
	start.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("New purchase order", container.NewVBox(widget.NewForm(widget.NewFormItem("Supplier", pick)), note), t.a.win)
	d.SetButtons([]fyne.CanvasObject{cancel, start})
	d.Resize(fyne.NewSize(440, d.MinSize().Height))
	d.Show()
}

// loadEditor reads the supplier's items and the locations, then opens the editor.
func (t *poTab) loadEditor(v *poView, sp data.Supplier) {
	store := t.a.store
	run(t.a.bg, func(ctx context.Context) (poEditorSetup, error) {
		items, err := store.SupplierItems(ctx, sp.ID)
		if err != nil {
			return poEditorSetup{}, err
		}
		locs, err := store.Locations(ctx)
		return poEditorSetup{items, locs}, err
	}, func(s poEditorSetup, err error) {
		if err != nil {
			showError(t.a.win, err)
			return
		}
		t.showEditor(v, sp, s)
	})
}

func (t *poTab) showEditor(v *poView, sp data.Supplier, setup poEditorSetup) {
	e := &poEditor{t: t, editing: v, sp: sp, items: map[string]data.SupplierItem{}, locs: setup.locs,
		costs: t.a.store.Can(data.PermViewCosts)}
	var options []string
	for _, it := range setup.items {
		e.items[strings.ToLower(it.SKU)] = it
		options = append(options, it.SKU+" — "+it.Name)
	}
	widths := []float32{120, 200, 92}
	if e.costs {
		widths = append(widths, 96, 96)
	}
	widths = append(widths, 40)
	e.layout = &gridColumnsLayout{widths: widths, grow: 1}
	e.linesBox = container.NewVBox()

	e.add = widget.NewSelectEntry(options)
	e.add.SetPlaceHolder("SKU or barcode, or pick from " + sp.Name + "'s items")
	e.add.OnSubmitted = func(string) { e.onAdd() }
	e.addLine = widget.NewButtonWithIcon("Add line", theme.ContentAddIcon(), e.onAdd)
	e.expected = widget.NewDateEntry()
	e.location = widget.NewSelect(nil, nil)
	for _, l := range setup.locs {
		e.location.Options = append(e.location.Options, l.Name)
		if (v == nil && l.IsDefault) || (v != nil && l.ID == v.po.LocationID) {
			e.location.Selected = l.Name
		}
	}
	e.notes = widget.NewMultiLineEntry()
	e.notes.SetMinRowsVisible(2)
	e.notes.SetPlaceHolder("For the supplier: printed on the order")
	e.total = widget.NewLabel("")
	e.total.TextStyle.Bold = true
	e.total.Alignment = fyne.TextAlignTrailing
	e.message = widget.NewLabel("")
	e.message.Importance = widget.DangerImportance
	e.message.Wrapping = fyne.TextWrapWord
	e.message.Hide()

	title, action := "New purchase order to "+sp.Name, "Save draft"
	if v != nil {
		title = "Edit " + v.po.Number + " to " + sp.Name
		if v.po.ExpectedAt != nil {
			day := v.po.ExpectedAt.UTC()
			e.expected.SetDate(&day)
		}
		e.notes.SetText(v.po.Notes)
		for _, l := range v.po.Lines {
			var cost *int64
			if !v.po.CostsHidden {
				c := l.UnitCost
				cost = &c
			}
			e.addRow(l.SKU, l.Name, l.Quantity, cost)
		}
	}

	head := []string{"SKU", "Item", "Quantity"}
	if e.costs {
		head = append(head, "Unit cost", "Line total")
	}
	head = append(head, "")
	var cells []fyne.CanvasObject
	for i, h := range head {
		l := widget.NewLabel(h)
		l.TextStyle.Bold = true
		if i >= 2 {
			l.Alignment = fyne.TextAlignTrailing
		}
		cells = append(cells, l)
	}
	lines := container.NewVScroll(e.linesBox)
	lines.SetMinSize(fyne.NewSize(0, 220))
	addRow := container.NewBorder(nil, nil, nil, e.addLine, e.add)
	form := widget.NewForm(
		&widget.FormItem{Text: "Expected", Widget: fixedWidth(e.expected, 200), HintText: "Optional: the day is settled when the order is sent"},
	)
	if len(e.location.Options) > 1 {
		form.AppendItem(&widget.FormItem{Text: "Deliver to", Widget: fixedWidth(e.location, 200)})
	}
	form.Append("Notes", e.notes)
	terms := fmt.Sprintf("Prices in %s. %s promises %s", sp.Currency, sp.Name, plural(sp.LeadTimeDays, "day", "days"))
	if sp.MinOrderValue > 0 {
		terms += " and takes orders from " + data.FormatMoney(sp.MinOrderValue, sp.Currency)
	}
	content := container.NewVBox(
		mutedText(terms+"."),
		container.New(e.layout, cells...),
		lines,
		container.NewBorder(nil, nil, nil, e.total, addRow),
		form,
		e.message,
	)
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { e.dialog.Hide() })
	e.save = widget.NewButtonWithIcon(action, theme.DocumentSaveIcon(), e.onSave)
	e.save.Importance = widget.HighImportance
	e.dialog = dialog.NewCustomWithoutButtons(title, content, t.a.win)
	e.dialog.SetButtons([]fyne.CanvasObject{cancel, e.save})
	e.dialog.SetOnClosed(func() {
		if t.editor == e {
			t.editor = nil
		}
	})
	e.dialog.Resize(fyne.NewSize(poEditorWidth, e.dialog.MinSize().Height))
	t.editor = e
	e.updateTotal()
	e.dialog.Show()
	if c := t.a.win.Canvas(); c != nil {
		c.Focus(e.add)
	}
}

// itemHint says how the supplier sells a SKU: "packs of 6, at least 12", or that it is not on its list.
func (e *poEditor) itemHint(sku string) string {
	it, ok := e.items[strings.ToLower(sku)]
	if !ok {
		return "not on " + e.sp.Name + "'s list"
	}
	var parts []string
	if it.PackSize > 1 {
		parts = append(parts, fmt.Sprintf("packs of %d", it.PackSize))
	}
	if it.MinOrderQty > 1 {
		parts = append(parts, fmt.Sprintf("at least %d", it.MinOrderQty))
	}
	return strings.Join(parts, ", ")
}

// defaultQuantity is the least the supplier sells of a SKU, in whole packs; 1 for an item it does not list.
func (e *poEditor) defaultQuantity(sku string) int64 {
	it, ok := e.items[strings.ToLower(sku)]
	if !ok {
		return 1
	}
	q := max(it.MinOrderQty, 1)
	if it.PackSize > 1 {
		q = (q + it.PackSize - 1) / it.PackSize * it.PackSize
	}
	return q
}

// addRow puts a line at the end of the editor.
func (e *poEditor) addRow(sku, name string, qty int64, cost *int64) *poEditLine {
	l := &poEditLine{sku: sku}
	sk := widget.NewLabel(sku)
	sk.Truncation = fyne.TextTruncateEllipsis
	label := name
	if hint := e.itemHint(sku); hint != "" {
		label += " · " + hint
	}
	l.name = widget.NewLabel(label)
	l.name.Truncation = fyne.TextTruncateEllipsis
	l.qty = widget.NewEntry()
	l.qty.SetText(strconv.FormatInt(qty, 10))
	l.qty.Validator = func(s string) error {
		if _, ok := wholeAtLeast1(s); !ok {
			return fmt.Errorf("a whole number of at least 1")
		}
		return nil
	}
	l.qty.OnChanged = func(string) { e.updateTotal() }
	l.cost = widget.NewEntry()
	if cost != nil {
		l.cost.SetText(data.FormatDecimal(*cost, e.sp.Currency))
	}
	l.cost.SetPlaceHolder("0.00")
	l.cost.OnChanged = func(string) { e.updateTotal() }
	l.amount = widget.NewLabel("")
	l.amount.Alignment = fyne.TextAlignTrailing
	l.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { e.removeRow(l) })
	l.remove.Importance = widget.LowImportance
	cells := []fyne.CanvasObject{sk, l.name, l.qty}
	if e.costs {
		cells = append(cells, l.cost, l.amount)
	}
	cells = append(cells, l.remove)
	l.row = container.New(e.layout, cells...)
	e.lines = append(e.lines, l)
	e.linesBox.Add(l.row)
	return l
}

func (e *poEditor) removeRow(l *poEditLine) {
	for i, x := range e.lines {
		if x == l {
			e.lines = append(e.lines[:i], e.lines[i+1:]...)
			break
		}
	}
	e.linesBox.Remove(l.row)
	e.updateTotal()
}

// lineCost reads a line's cost entry: nil when empty (the supplier's price applies), false when unreadable.
func (e *poEditor) lineCost(l *poEditLine) (*int64, bool) {
	s := strings.TrimSpace(l.cost.Text)
	if s == "" || !e.costs {
		return nil, true
	}
	v, err := data.ParseMoney(s, e.sp.Currency)
	if err != nil || v < 0 {
		return nil, false
	}
	return &v, true
}

// updateTotal works out each line's total and the order's as quantities and costs are typed.
func (e *poEditor) updateTotal() {
	if !e.costs {
		e.total.SetText(plural(len(e.lines), "line", "lines"))
		return
	}
	var total int64
	ok := true
	for _, l := range e.lines {
		q, qok := wholeAtLeast1(l.qty.Text)
		c, cok := e.lineCost(l)
		if !qok || !cok {
			l.amount.SetText("?")
			ok = false
			continue
		}
		var unit int64
		if c != nil {
			unit = *c
		} else if it, found := e.items[strings.ToLower(l.sku)]; found && it.UnitCost != nil {
			unit = *it.UnitCost
		}
		l.amount.SetText(data.FormatMoney(q*unit, e.sp.Currency))
		total += q * unit
	}
	text := plural(len(e.lines), "line", "lines") + " · Total " + data.FormatMoney(total, e.sp.Currency)
	if !ok {
		text = plural(len(e.lines), "line", "lines") + " · Total ?"
	}
	e.total.Importance = widget.MediumImportance
	if ok && e.sp.MinOrderValue > 0 && total < e.sp.MinOrderValue && len(e.lines) > 0 {
		text += " (below the minimum)"
		e.total.Importance = widget.WarningImportance
	}
	e.total.SetText(text)
}

// onAdd adds the SKU typed, scanned or picked as a line; one already on the order gets its quantity
// focused instead.
func (e *poEditor) onAdd() {
	text := strings.TrimSpace(e.add.Text)
	if text == "" {
		e.problem("Type a SKU, scan a barcode or pick one of "+e.sp.Name+"'s items, then Add line.", e.add)
		return
	}
	code, _, _ := strings.Cut(text, " — ") // a picked option is "SKU — name"
	code = strings.TrimSpace(code)
	if it, ok := e.items[strings.ToLower(code)]; ok {
		e.addSKU(it.SKU, it.Name)
		return
	}
	store := e.t.a.store
	load(e.t.a.bg, e.t.a.win, &e.lookups, func(ctx context.Context) (data.Variant, error) {
		v, err := store.VariantByBarcode(ctx, code)
		if err != nil {
			return data.Variant{}, nil // said in the dialog below
		}
		return v, nil
	}, func(v data.Variant) {
		switch {
		case v.SKU == "":
			e.problem(fmt.Sprintf("There is no SKU or barcode %s in the catalogue.", code), e.add)
		case len(v.Kit) > 0:
			e.problem(v.SKU+" is a kit: order its parts instead.", e.add)
		default:
			e.addSKU(v.SKU, v.Name())
		}
	})
}

func (e *poEditor) addSKU(sku, name string) {
	for i, l := range e.lines {
		if strings.EqualFold(l.sku, sku) {
			e.problem(fmt.Sprintf("%s is already on line %d: change its quantity there.", l.sku, i+1), l.qty)
			e.add.SetText("")
			return
		}
	}
	var cost *int64
	if it, ok := e.items[strings.ToLower(sku)]; ok && it.UnitCost != nil {
		c := *it.UnitCost
		cost = &c
	}
	l := e.addRow(sku, name, e.defaultQuantity(sku), cost)
	e.add.SetText("")
	e.message.Hide()
	e.updateTotal()
	if c := e.t.a.win.Canvas(); c != nil {
		c.Focus(l.qty)
	}
}

func (e *poEditor) problem(msg string, field fyne.Focusable) {
	showFormProblem(e.t.a.win, e.dialog, e.message, poEditorWidth, msg, field)
}

// onSave checks every line, then writes the draft in the background and opens it.
func (e *poEditor) onSave() {
	if len(e.lines) == 0 {
		e.problem("A purchase order needs at least one line: add a SKU above.", e.add)
		return
	}
	n := data.NewPO{SupplierID: e.sp.ID, Notes: strings.TrimSpace(e.notes.Text)}
	for i, l := range e.lines {
		q, ok := wholeAtLeast1(l.qty.Text)
		if !ok {
			e.problem(fmt.Sprintf("Line %d (%s): the quantity %q is not a whole number of at least 1.", i+1, l.sku, l.qty.Text), l.qty)
			return
		}
		c, ok := e.lineCost(l)
		if !ok {
			e.problem(fmt.Sprintf("Line %d (%s): the unit cost %q is not an amount in %s, such as 4.25.", i+1, l.sku, l.cost.Text, e.sp.Currency), l.cost)
			return
		}
		n.Lines = append(n.Lines, data.NewPOLine{SKU: l.sku, Quantity: q, UnitCost: c})
	}
	if strings.TrimSpace(e.expected.Text) != "" {
		if err := e.expected.Validate(); err != nil || e.expected.Date == nil {
			e.problem(fmt.Sprintf("Expected: %q is not a day; pick one from the calendar or leave it empty.", e.expected.Text), e.expected)
			return
		}
		y, m, d := e.expected.Date.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		n.ExpectedAt = &day
	}
	for _, l := range e.locs {
		if l.Name == e.location.Selected {
			n.LocationID = l.ID
		}
	}
	store := e.t.a.store
	editing := e.editing
	e.save.Disable()
	run(e.t.a.bg, func(ctx context.Context) (data.PurchaseOrder, error) {
		if editing != nil {
			n.SupplierID = ""
			return store.UpdatePO(ctx, editing.po.ID, n)
		}
		return store.CreatePO(ctx, n)
	}, func(po data.PurchaseOrder, err error) {
		e.save.Enable()
		if err != nil {
			e.problem(problemText(err), e.lineField(err))
			return
		}
		e.dialog.Hide()
		t := e.t
		t.shown = &poView{po: po} // so the page keeps the message below when it opens
		t.open(po.ID)
		t.say(po.Number+" is saved as a draft. Send it when it is ready.", widget.SuccessImportance)
		t.reloadList(false)
		t.sc.afterChange()
	})
}

// lineField is the quantity entry of the line a store error names ("line 2: …"), so the cursor goes
// where the problem is.
func (e *poEditor) lineField(err error) fyne.Focusable {
	var n int
	if _, scanErr := fmt.Sscanf(data.UserMessage(err), "line %d:", &n); scanErr == nil && n >= 1 && n <= len(e.lines) {
		return e.lines[n-1].qty
	}
	return nil
}
