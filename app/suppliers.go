package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// suppliersScreen lists the businesses the shop buys from and, for the chosen one, the SKUs it sells
// and on what terms. Unit costs show only for roles that may see costs.
type suppliersScreen struct {
	a *App

	list      *pagedTable[data.Supplier]
	items     *pagedTable[data.SupplierItem]
	itemsHead *widget.Label
	add       *widget.Button
	chosen    data.Supplier

	// The add-supplier dialog, kept for tests.
	addDialog   *dialog.CustomDialog
	addForm     *widget.Form
	addName     *widget.Entry
	addContact  *widget.Entry
	addEmail    *widget.Entry
	addPhone    *widget.Entry
	addCurrency *widget.SelectEntry
	addLead     *widget.Entry
	addNotes    *widget.Entry
	addSave     *widget.Button
	addMessage  *widget.Label
}

func newSuppliersScreen(a *App) *suppliersScreen {
	sc := &suppliersScreen{a: a}
	sc.list = newPagedTable(a, "suppliers", []column[data.Supplier]{
		{title: "Name", width: 150, grow: 2, sort: "name", text: func(s data.Supplier) string { return s.Name }},
		{title: "Contact", width: 110, grow: 1, text: func(s data.Supplier) string { return s.Contact }},
		{title: "Email", width: 150, grow: 1.5, text: func(s data.Supplier) string { return s.Email }},
		{title: "Phone", width: 120, text: func(s data.Supplier) string { return s.Phone }},
		{title: "Lead time", width: 90, align: fyne.TextAlignTrailing, sort: "lead",
			text: func(s data.Supplier) string { return plural(s.LeadTimeDays, "day", "days") }},
		{title: "SKUs", width: 70, align: fyne.TextAlignTrailing, sort: "items", descFirst: true,
			text: func(s data.Supplier) string { return fmt.Sprint(s.Items) }},
	}, func(s data.Supplier) string { return s.ID })
	sc.list.sortBy("name", false)
	sc.list.emptyText = "No suppliers yet. Add the businesses you buy stock from."
	sc.list.onSelected = sc.onChoose

	costs := a.store.Can(data.PermViewCosts)
	cols := []column[data.SupplierItem]{
		{title: "SKU", width: 130, text: func(it data.SupplierItem) string { return it.SKU }},
		{title: "Name", width: 180, grow: 3, text: func(it data.SupplierItem) string { return it.Name }},
		{title: "Supplier's SKU", width: 120, grow: 1, text: func(it data.SupplierItem) string { return it.SupplierSKU }},
		{title: "Pack size", width: 80, align: fyne.TextAlignTrailing, text: func(it data.SupplierItem) string { return fmt.Sprint(it.PackSize) }},
		{title: "Preferred", width: 90, text: func(it data.SupplierItem) string {
			if it.Preferred {
				return "Preferred"
			}
			return ""
		}, style: func(it data.SupplierItem) widget.Importance {
			if it.Preferred {
				return widget.SuccessImportance
			}
			return widget.MediumImportance
		}},
	}
	if costs {
		cols = append(cols, column[data.SupplierItem]{title: "Unit cost", width: 100, align: fyne.TextAlignTrailing,
			text: func(it data.SupplierItem) string {
				if it.UnitCost == nil {
					return ""
				}
				return data.FormatMoney(*it.UnitCost, it.Currency)
			}})
	}
	sc.items = newPagedTable(a, "SKUs", cols, func(it data.SupplierItem) string { return it.SKU })
	sc.items.emptyText = "Choose a supplier above to see the SKUs it sells."
	sc.itemsHead = widget.NewLabelWithStyle("Items", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.itemsHead.SizeName = theme.SizeNameSubHeadingText
	sc.itemsHead.Truncation = fyne.TextTruncateEllipsis

	sc.add = widget.NewButtonWithIcon("Add supplier…", theme.ContentAddIcon(), sc.onAdd)
	sc.add.Importance = widget.HighImportance
	if !a.store.Can(data.PermManageSuppliers) {
		sc.add.Hide()
	}
	return sc
}

func (sc *suppliersScreen) view() fyne.CanvasObject {
	header := screenHeader("Suppliers",
		"Who you buy from, how long they take and what they sell you. "+
			"Issue 7 adds purchase orders, lead times learned from real deliveries and backup suppliers.",
		sc.add)
	bottom := container.NewBorder(container.NewVBox(widget.NewSeparator(), sc.itemsHead), nil, nil, nil, sc.items.view())
	split := container.NewVSplit(sc.list.view(), bottom)
	split.Offset = 0.5
	return container.NewPadded(container.NewBorder(header, nil, nil, nil, split))
}

func (sc *suppliersScreen) refresh() {
	store := sc.a.store
	var all []data.Supplier
	src := pageSource[data.Supplier]{
		count: func(ctx context.Context) (int, error) {
			var err error
			all, err = store.Suppliers(ctx)
			return len(all), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.Supplier, error) {
			sortSuppliers(all, q.sort, q.desc)
			return all[q.offset:min(q.offset+q.limit, len(all))], nil
		},
	}
	sc.list.setSource(src)
	if sc.chosen.ID != "" {
		sc.loadItems(sc.chosen)
	} else if sc.items.src == nil {
		sc.items.setSource(listSource(func(context.Context) ([]data.SupplierItem, error) { return nil, nil }))
	}
}

func sortSuppliers(all []data.Supplier, key string, desc bool) {
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if desc {
			a, b = b, a
		}
		switch key {
		case "lead":
			if a.LeadTimeDays != b.LeadTimeDays {
				return a.LeadTimeDays < b.LeadTimeDays
			}
		case "items":
			if a.Items != b.Items {
				return a.Items < b.Items
			}
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

func (sc *suppliersScreen) onChoose(s data.Supplier) {
	sc.chosen = s
	sc.loadItems(s)
}

func (sc *suppliersScreen) loadItems(s data.Supplier) {
	store := sc.a.store
	head := "Items from " + s.Name
	if s.LeadTimeDays > 0 {
		head += fmt.Sprintf(" · usually %s to arrive", plural(s.LeadTimeDays, "day", "days"))
	}
	sc.itemsHead.SetText(head)
	sc.items.emptyText = s.Name + " has no SKUs recorded yet."
	var all []data.SupplierItem
	sc.items.setSource(pageSource[data.SupplierItem]{
		count: func(ctx context.Context) (int, error) {
			var err error
			all, err = store.SupplierItems(ctx, s.ID)
			return len(all), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.SupplierItem, error) {
			return all[q.offset:min(q.offset+q.limit, len(all))], nil
		},
	})
}

// onAdd opens the add-supplier dialog, with the shop's currency filled in.
func (sc *suppliersScreen) onAdd() {
	sc.addName = widget.NewEntry()
	sc.addName.SetPlaceHolder("Company name")
	sc.addName.Validator = requiredText("a supplier needs a name")
	sc.addContact = widget.NewEntry()
	sc.addContact.SetPlaceHolder("Who you deal with")
	sc.addEmail = widget.NewEntry()
	sc.addEmail.SetPlaceHolder("orders@example.com")
	sc.addEmail.Validator = func(s string) error {
		s = strings.TrimSpace(s)
		if s != "" && (!strings.Contains(s, "@") || strings.ContainsAny(s, " ,;")) {
			return fmt.Errorf("this does not look like an e-mail address")
		}
		return nil
	}
	sc.addPhone = widget.NewEntry()
	sc.addCurrency = widget.NewSelectEntry([]string{"GBP", "EUR", "USD", "CAD", "AUD"})
	sc.addCurrency.Validator = func(s string) error {
		if !data.ValidCurrency(strings.ToUpper(strings.TrimSpace(s))) {
			return fmt.Errorf("a three-letter code such as GBP")
		}
		return nil
	}
	sc.addLead = widget.NewEntry()
	sc.addLead.SetPlaceHolder("days from order to delivery")
	sc.addLead.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 365 {
			return fmt.Errorf("a whole number of days, 0 to 365")
		}
		return nil
	}
	sc.addNotes = widget.NewMultiLineEntry()
	sc.addNotes.SetMinRowsVisible(2)
	sc.addForm = widget.NewForm(
		widget.NewFormItem("Name", sc.addName),
		widget.NewFormItem("Contact", sc.addContact),
		widget.NewFormItem("E-mail", sc.addEmail),
		widget.NewFormItem("Phone", sc.addPhone),
		widget.NewFormItem("Currency", sc.addCurrency),
		widget.NewFormItem("Lead time", sc.addLead),
		widget.NewFormItem("Notes", sc.addNotes),
	)
	sc.addMessage = widget.NewLabel("")
	sc.addMessage.Importance = widget.DangerImportance
	sc.addMessage.Wrapping = fyne.TextWrapWord
	sc.addSave = widget.NewButtonWithIcon("Add supplier", theme.ConfirmIcon(), sc.onAddSave)
	sc.addSave.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { sc.addDialog.Hide() })
	sc.addName.OnSubmitted = func(string) { sc.onAddSave() }

	sc.addDialog = dialog.NewCustomWithoutButtons("Add a supplier",
		fixedWidth(container.NewVBox(sc.addForm, sc.addMessage), 460), sc.a.win)
	sc.addDialog.SetButtons([]fyne.CanvasObject{cancel, sc.addSave})
	sc.addDialog.Show()
	sc.a.win.Canvas().Focus(sc.addName)

	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (string, error) {
		return store.Setting(ctx, data.SettingCurrency)
	}, func(cur string, err error) {
		if err == nil && sc.addCurrency.Text == "" {
			if cur == "" {
				cur = "GBP"
			}
			sc.addCurrency.SetText(cur)
		}
	})
}

func (sc *suppliersScreen) onAddSave() {
	if err := sc.addForm.Validate(); err != nil {
		sc.addMessage.SetText("Check the fields marked in red: " + err.Error() + ".")
		return
	}
	lead, _ := strconv.Atoi(strings.TrimSpace(sc.addLead.Text))
	sp := data.Supplier{
		Name:         strings.TrimSpace(sc.addName.Text),
		Contact:      strings.TrimSpace(sc.addContact.Text),
		Email:        strings.TrimSpace(sc.addEmail.Text),
		Phone:        strings.TrimSpace(sc.addPhone.Text),
		Currency:     strings.ToUpper(strings.TrimSpace(sc.addCurrency.Text)),
		LeadTimeDays: lead,
		Notes:        strings.TrimSpace(sc.addNotes.Text),
	}
	store := sc.a.store
	sc.addSave.Disable()
	run(sc.a.bg, func(ctx context.Context) (data.Supplier, error) {
		return store.AddSupplier(ctx, sp)
	}, func(added data.Supplier, err error) {
		sc.addSave.Enable()
		if err != nil {
			sc.addMessage.SetText(data.UserMessage(err))
			return
		}
		sc.addDialog.Hide()
		sc.chosen = added
		sc.list.markSelected(added.ID)
		sc.refresh()
	})
}
