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

// supplierItems is the lower half of the Suppliers tab: what the chosen supplier sells and, for the
// chosen item, every supplier of that SKU in rank order, with the buttons that change the ranking.
// Ranks belong to the SKU, not to the supplier: making one supplier primary moves the others down.
type supplierItems struct {
	t *supplierListTab
	a *App

	supplier data.Supplier
	table    *pagedTable[data.SupplierItem]
	add      *widget.Button

	// The ranking of the chosen item's SKU.
	chosen    string // the SKU
	sources   []data.SupplierItem
	loads     latest
	rankPanel *fyne.Container
	hint      fyne.CanvasObject // says to choose an item, until one is
	rankHead  *widget.Label
	rankNote  *widget.RichText
	ranks     *gridTable
	primary   *widget.Button
	up        *widget.Button
	down      *widget.Button
	editItem  *widget.Button
	remove    *widget.Button

	form *itemForm // the Add item / Edit item dialog, while open
}

func newSupplierItems(t *supplierListTab) *supplierItems {
	a := t.a
	it := &supplierItems{t: t, a: a}
	cols := []column[data.SupplierItem]{
		{title: "SKU", width: 110, grow: 1, text: func(i data.SupplierItem) string { return i.SKU }},
		{title: "Name", width: 140, grow: 3, text: func(i data.SupplierItem) string { return i.Name }},
		{title: "Rank", width: 84, text: func(i data.SupplierItem) string { return i.RankName() }, style: rankStyle},
		{title: "Their SKU", width: 100, grow: 1, drop: 3, text: func(i data.SupplierItem) string { return i.SupplierSKU }},
		{title: "Pack", width: 56, align: fyne.TextAlignTrailing, drop: 2, text: func(i data.SupplierItem) string { return groupDigits(i.PackSize) }},
		{title: "MOQ", width: 56, align: fyne.TextAlignTrailing, drop: 1, text: func(i data.SupplierItem) string { return groupDigits(i.MinOrderQty) }},
	}
	if a.store.Can(data.PermViewCosts) {
		cols = append(cols, column[data.SupplierItem]{title: "Unit cost", width: 84, align: fyne.TextAlignTrailing,
			text: func(i data.SupplierItem) string { return itemCost(i) }})
	}
	it.table = newPagedTable(a, "SKUs", cols, func(i data.SupplierItem) string { return strings.ToLower(i.SKU) })
	it.table.onSelected = func(i data.SupplierItem) { it.choose(i.SKU) }

	it.add = widget.NewButtonWithIcon("Add item…", theme.ContentAddIcon(), func() { it.openForm(nil) })
	it.rankHead = widget.NewLabel("")
	it.rankHead.TextStyle.Bold = true
	it.rankHead.Truncation = fyne.TextTruncateEllipsis
	it.rankNote = mutedText("")
	rankCols := []gridColumn{{title: "Rank", width: 82}, {title: "Supplier", width: 80}, {title: "Lead", width: 68, align: fyne.TextAlignTrailing}}
	if a.store.Can(data.PermViewCosts) {
		rankCols = append(rankCols, gridColumn{title: "Cost", width: 64, align: fyne.TextAlignTrailing})
	}
	it.ranks = newGridTable(1, rankCols...)
	it.primary = widget.NewButton("Make primary", func() { it.moveTo(1) })
	it.up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { it.moveBy(-1) })
	it.down = widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { it.moveBy(1) })
	it.editItem = widget.NewButtonWithIcon("", theme.DocumentCreateIcon(), it.onEditItem)
	it.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), it.onRemove)
	it.remove.Importance = widget.DangerImportance
	if !a.store.Can(data.PermManageSuppliers) {
		for _, b := range []*widget.Button{it.add, it.primary, it.up, it.down, it.editItem, it.remove} {
			b.Hide()
		}
	}
	return it
}

func rankStyle(i data.SupplierItem) widget.Importance {
	if i.Rank == 1 {
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

func itemCost(i data.SupplierItem) string {
	if i.UnitCost == nil {
		return ""
	}
	return data.FormatMoney(*i.UnitCost, i.Currency)
}

// view is the items table with the chosen item's ranking beside it.
func (it *supplierItems) view() fyne.CanvasObject {
	// One row of buttons, most of them icons, so the ranking keeps its room in a short window.
	actions := container.NewBorder(nil, nil, nil, container.NewHBox(it.up, it.down, it.editItem, it.remove), it.primary)
	if !it.a.store.Can(data.PermManageSuppliers) {
		actions = container.NewVBox()
	}
	it.rankPanel = container.NewBorder(
		it.rankHead, actions, nil, nil,
		container.NewVScroll(container.NewVBox(it.ranks.box, it.rankNote)))
	it.rankPanel.Hide()
	it.hint = container.NewCenter(fixedWidth(mutedText("Choose an item to see all its suppliers in order."), 220))
	split := container.NewHSplit(it.table.view(), container.NewPadded(container.NewStack(it.hint, it.rankPanel)))
	split.Offset = 0.6
	return split
}

// show lists a supplier's items; fresh says the supplier changed, so the chosen item is let go.
func (it *supplierItems) show(s data.Supplier, fresh bool) {
	it.supplier = s
	if fresh {
		it.chosen = ""
		it.loads.next()
		it.hideRanks()
		it.table.markSelected("")
	}
	it.table.emptyText = s.Name + " has no items recorded yet."
	if it.a.store.Can(data.PermManageSuppliers) {
		it.table.emptyText += " Add the SKUs it sells with Add item…."
	}
	store := it.a.store
	var all []data.SupplierItem
	id := s.ID
	src := pageSource[data.SupplierItem]{
		count: func(ctx context.Context) (int, error) {
			var err error
			all, err = store.SupplierItems(ctx, id)
			return len(all), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.SupplierItem, error) {
			return all[q.offset:min(q.offset+q.limit, len(all))], nil
		},
	}
	if fresh {
		it.table.setSource(src)
	} else {
		it.table.src = &src
		it.table.reload()
	}
	if it.chosen != "" {
		it.choose(it.chosen)
	}
}

// choose shows who sells sku, in rank order.
func (it *supplierItems) choose(sku string) {
	it.chosen = sku
	it.table.markSelected(strings.ToLower(sku))
	store := it.a.store
	load(it.a.bg, it.a.win, &it.loads, func(ctx context.Context) ([]data.SupplierItem, error) {
		return store.SKUSuppliers(ctx, sku)
	}, it.showRanks)
}

// mine is the chosen supplier's own entry among the SKU's suppliers.
func (it *supplierItems) mine() (data.SupplierItem, bool) {
	for _, s := range it.sources {
		if s.SupplierID == it.supplier.ID {
			return s, true
		}
	}
	return data.SupplierItem{}, false
}

func (it *supplierItems) showRanks(sources []data.SupplierItem) {
	it.sources = sources
	own, ok := it.mine()
	if !ok {
		// The item went (removed here or on another device): nothing to rank.
		it.chosen = ""
		it.hideRanks()
		return
	}
	it.rankHead.SetText("Who sells " + own.SKU + ", in order")
	note := own.Name + ": orders go to the primary; backups step in when it cannot supply."
	if len(sources) == 1 {
		note = own.Name + ": " + own.SupplierName + " is its only supplier. Add the item to another supplier to give it a backup."
	}
	for _, s := range sources {
		if !s.Available {
			note += " Names in red are marked unavailable."
			break
		}
	}
	setMutedText(it.rankNote, note)
	var rows [][]string
	for _, s := range sources {
		row := []string{s.RankName(), s.SupplierName, plural(s.LeadTimeDays, "day", "days")}
		if it.a.store.Can(data.PermViewCosts) {
			row = append(row, itemCost(s))
		}
		rows = append(rows, row)
	}
	it.ranks.setRows(rows, func(row, col int) widget.Importance {
		s := sources[row]
		switch {
		case col == 1 && !s.Available:
			return widget.DangerImportance
		case s.SupplierID == it.supplier.ID:
			return widget.HighImportance
		}
		return widget.MediumImportance
	})
	setEnabled(it.primary, own.Rank > 1)
	setEnabled(it.up, own.Rank > 1)
	setEnabled(it.down, own.Rank < len(sources))
	it.hint.Hide()
	it.rankPanel.Show()
	it.rankPanel.Refresh()
}

// hideRanks puts the hint back in place of the ranking.
func (it *supplierItems) hideRanks() {
	it.rankPanel.Hide()
	it.hint.Show()
}

// moveBy moves the chosen supplier's item up (-1) or down (+1) among the SKU's suppliers.
func (it *supplierItems) moveBy(d int) {
	if own, ok := it.mine(); ok {
		it.moveTo(own.Rank + d)
	}
}

// moveTo gives the chosen supplier rank r for the chosen SKU; the others close up around it.
func (it *supplierItems) moveTo(r int) {
	own, ok := it.mine()
	if !ok || r < 1 || r > len(it.sources) || r == own.Rank {
		return
	}
	own.Rank = r
	store := it.a.store
	for _, b := range []*widget.Button{it.primary, it.up, it.down} {
		b.Disable()
	}
	run(it.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.SetSupplierItem(ctx, own)
	}, func(_ struct{}, err error) {
		if err != nil {
			showError(it.a.win, err)
		}
		it.show(it.supplier, false)
	})
}

func (it *supplierItems) onRemove() {
	own, ok := it.mine()
	if !ok {
		return
	}
	msg := fmt.Sprintf("%s will no longer be listed as a supplier of %s.", own.SupplierName, own.SKU)
	if len(it.sources) > 1 && own.Rank == 1 {
		msg += fmt.Sprintf(" %s becomes the primary.", it.sources[1].SupplierName)
	}
	store := it.a.store
	d := dialog.NewConfirm("Remove "+own.SKU+"?", msg, func(yes bool) {
		if !yes {
			return
		}
		run(it.a.bg, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, store.RemoveSupplierItem(ctx, own.SupplierID, own.SKU)
		}, func(_ struct{}, err error) {
			if err != nil {
				showError(it.a.win, err)
				return
			}
			it.t.say(fmt.Sprintf("%s no longer lists %s.", own.SupplierName, own.SKU), widget.SuccessImportance)
			it.chosen = ""
			it.hideRanks()
			it.t.sc.afterChange()
		})
	}, it.a.win)
	d.SetConfirmText("Remove")
	d.Show()
}

func (it *supplierItems) onEditItem() {
	if own, ok := it.mine(); ok {
		it.openForm(&own)
	}
}

// itemForm is the Add item and Edit item dialog: which SKU, the supplier's code and price for it, how
// it is packed, the fewest it sells, and (when adding) where it ranks among the SKU's suppliers.
type itemForm struct {
	it       *supplierItems
	editing  *data.SupplierItem
	sku      *widget.Entry
	found    *widget.Label // the SKU's name, or why it is not one
	theirs   *widget.Entry
	cost     *widget.Entry
	pack     *widget.Entry
	moq      *widget.Entry
	rank     *widget.Select
	message  *widget.Label
	save     *widget.Button
	dialog   *dialog.CustomDialog
	lookups  latest
	resolved string // the SKU the entry names, "" while unknown
}

const itemFormWidth = 540

// The rank choices of the Add item dialog; "last" is after the SKU's current suppliers.
var itemRanks = []string{"Last, after its other suppliers", "Primary", "Backup 1", "Backup 2", "Backup 3"}

func (it *supplierItems) openForm(editing *data.SupplierItem) {
	s := it.supplier
	f := &itemForm{it: it, editing: editing}
	f.sku = widget.NewEntry()
	f.sku.SetPlaceHolder("our SKU, or scan its barcode")
	f.sku.OnChanged = func(string) { debounce(it.a.bg, &f.lookups, searchDelay, f.lookUp) }
	f.found = widget.NewLabel(" ")
	f.found.Truncation = fyne.TextTruncateEllipsis
	f.found.Importance = widget.LowImportance
	f.theirs = widget.NewEntry()
	f.theirs.SetPlaceHolder("the supplier's own code, if any")
	f.cost = widget.NewEntry()
	f.cost.SetPlaceHolder("per unit, in " + s.Currency)
	f.pack = widget.NewEntry()
	f.pack.SetText("1")
	f.moq = widget.NewEntry()
	f.moq.SetText("1")
	f.rank = widget.NewSelect(itemRanks, nil)
	f.rank.SetSelected(itemRanks[0])
	f.message = widget.NewLabel("")
	f.message.Importance = widget.DangerImportance
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()

	form := widget.NewForm(
		widget.NewFormItem("SKU", container.NewVBox(f.sku, f.found)),
		widget.NewFormItem("Their SKU", f.theirs),
	)
	if it.a.store.Can(data.PermViewCosts) {
		form.AppendItem(&widget.FormItem{Text: "Unit cost", Widget: f.cost, HintText: "What one of our units costs from " + s.Name})
	}
	form.AppendItem(&widget.FormItem{Text: "Pack size", Widget: f.pack, HintText: "Our units in one of its packs; orders are rounded up to whole packs"})
	form.AppendItem(&widget.FormItem{Text: "Minimum", Widget: f.moq, HintText: "The fewest of our units it sells of this item"})
	title, action := "Add an item to "+s.Name, "Add item"
	if editing == nil {
		form.AppendItem(&widget.FormItem{Text: "Rank", Widget: f.rank, HintText: "Where it stands among the SKU's suppliers"})
	} else {
		title, action = "Edit "+editing.SKU+" from "+s.Name, "Save"
		f.sku.SetText(editing.SKU)
		f.sku.Disable()
		f.resolved = editing.SKU
		f.found.SetText(editing.Name + " · " + editing.RankName())
		f.theirs.SetText(editing.SupplierSKU)
		if editing.UnitCost != nil {
			f.cost.SetText(data.FormatDecimal(*editing.UnitCost, s.Currency))
		}
		f.pack.SetText(strconv.FormatInt(editing.PackSize, 10))
		f.moq.SetText(strconv.FormatInt(editing.MinOrderQty, 10))
	}
	for _, e := range []*widget.Entry{f.sku, f.theirs, f.cost, f.pack, f.moq} {
		e.OnSubmitted = func(string) { f.onSave() }
	}
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { f.dialog.Hide() })
	f.save = widget.NewButtonWithIcon(action, theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.dialog = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, f.message), it.a.win)
	f.dialog.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.dialog.SetOnClosed(func() {
		if it.form == f {
			it.form = nil
		}
	})
	f.dialog.Resize(fyne.NewSize(itemFormWidth, f.dialog.MinSize().Height))
	it.form = f
	f.dialog.Show()
	if c := it.a.win.Canvas(); c != nil {
		if editing == nil {
			c.Focus(f.sku)
		} else {
			c.Focus(f.theirs)
		}
	}
}

// lookUp finds the SKU (or barcode) typed so far and says what it is, in the background.
func (f *itemForm) lookUp() {
	code := strings.TrimSpace(f.sku.Text)
	f.resolved = ""
	if code == "" {
		f.found.SetText(" ")
		return
	}
	store := f.it.a.store
	supplier := f.it.supplier.ID
	type found struct {
		v       data.Variant
		sources []data.SupplierItem
	}
	load(f.it.a.bg, f.it.a.win, &f.lookups, func(ctx context.Context) (found, error) {
		v, err := store.VariantByBarcode(ctx, code)
		if err != nil {
			return found{}, nil // shown as "no such SKU"; the save says so in words too
		}
		srcs, err := store.SKUSuppliers(ctx, v.SKU)
		return found{v, srcs}, err
	}, func(r found) {
		if r.v.SKU == "" {
			f.found.Importance = widget.DangerImportance
			f.found.SetText(fmt.Sprintf("No SKU or barcode %s in the catalogue", code))
			return
		}
		f.resolved = r.v.SKU
		text := r.v.Name()
		imp := widget.LowImportance
		switch {
		case len(r.v.Kit) > 0:
			text += ": a kit; add its parts instead"
			imp = widget.DangerImportance
		case len(r.sources) == 0:
			text += " · no supplier yet"
		default:
			text += " · " + plural(len(r.sources), "supplier", "suppliers") + " already"
			for _, s := range r.sources {
				if s.SupplierID == supplier {
					text = r.v.Name() + ": already sold by this supplier; saving updates its terms"
					imp = widget.WarningImportance
				}
			}
		}
		if r.v.SKU != code && !strings.EqualFold(r.v.SKU, code) {
			text = r.v.SKU + " · " + text
		}
		f.found.Importance = imp
		f.found.SetText(text)
	})
}

func (f *itemForm) problem(msg string, field fyne.Focusable) {
	showFormProblem(f.it.a.win, f.dialog, f.message, itemFormWidth, msg, field)
}

// wholeAtLeast1 reads a count typed in a form: a whole number of at least 1.
func wholeAtLeast1(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil && n >= 1
}

func (f *itemForm) onSave() {
	s := f.it.supplier
	code := strings.TrimSpace(f.sku.Text)
	if code == "" {
		f.problem("Which SKU does "+s.Name+" sell? Type it or scan its barcode.", f.sku)
		return
	}
	var cost *int64
	if f.it.a.store.Can(data.PermViewCosts) {
		var c int64
		if t := strings.TrimSpace(f.cost.Text); t != "" {
			v, err := data.ParseMoney(t, s.Currency)
			if err != nil || v < 0 {
				f.problem(fmt.Sprintf("Unit cost: %q is not an amount in %s, such as 4.25.", t, s.Currency), f.cost)
				return
			}
			c = v
		}
		cost = &c
	}
	pack, ok := wholeAtLeast1(f.pack.Text)
	if !ok {
		f.problem(fmt.Sprintf("Pack size: %q is not a whole number of at least 1.", f.pack.Text), f.pack)
		return
	}
	moq, ok := wholeAtLeast1(f.moq.Text)
	if !ok {
		f.problem(fmt.Sprintf("Minimum: %q is not a whole number of at least 1.", f.moq.Text), f.moq)
		return
	}
	item := data.SupplierItem{SupplierID: s.ID, SupplierSKU: strings.TrimSpace(f.theirs.Text), UnitCost: cost,
		PackSize: pack, MinOrderQty: moq}
	if f.editing != nil {
		item.SKU = f.editing.SKU // Rank 0 keeps its place, even if another device moved it meanwhile
	} else {
		for i, r := range itemRanks {
			if r == f.rank.Selected {
				item.Rank = i // "Last" is 0, "Primary" 1, "Backup 1" 2…
			}
		}
	}
	store := f.it.a.store
	resolved := f.resolved
	f.save.Disable()
	run(f.it.a.bg, func(ctx context.Context) (string, error) {
		sku := resolved
		if sku == "" {
			v, err := store.VariantByBarcode(ctx, code)
			if err != nil {
				return "", err
			}
			sku = v.SKU
		}
		if item.SKU == "" {
			item.SKU = sku
		}
		return item.SKU, store.SetSupplierItem(ctx, item)
	}, func(sku string, err error) {
		f.save.Enable()
		if err != nil {
			field := fyne.Focusable(nil)
			if f.editing == nil {
				field = f.sku
			}
			f.problem(problemText(err), field)
			return
		}
		f.dialog.Hide()
		it := f.it
		if f.editing == nil {
			it.t.say(fmt.Sprintf("%s now lists %s.", s.Name, sku), widget.SuccessImportance)
		}
		it.chosen = sku
		it.t.sc.afterChange()
		if !it.a.showing(it.t.sc) {
			it.show(it.supplier, false)
		}
	})
}
