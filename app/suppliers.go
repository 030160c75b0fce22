package app

import (
	"context"
	"fmt"
	"log"
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

// supplierTab is one tab of the Suppliers section. Each is built once; refresh runs when the section
// is shown with the tab on display and whenever the tab is chosen.
type supplierTab interface {
	view() fyne.CanvasObject
	refresh()
}

// suppliersScreen is the Suppliers section: the businesses the shop buys from and what they sell it,
// the purchase orders placed with them, and the planning tabs built on both.
type suppliersScreen struct {
	a *App

	tabs    *container.AppTabs
	entries []supplierTab // parallel to tabs.Items
	list    *supplierListTab
	orders  *poTab
	ordersT *container.TabItem
}

func newSuppliersScreen(a *App) *suppliersScreen {
	sc := &suppliersScreen{a: a, tabs: container.NewAppTabs()}
	sc.list = newSupplierListTab(sc)
	sc.orders = newPOTab(sc)
	sc.addTab("Suppliers", theme.AccountIcon(), sc.list)
	sc.ordersT = sc.addTab("Purchase orders", theme.DocumentIcon(), sc.orders)
	// Tabs from suppliers_reorder.go, suppliers_performance.go, suppliers_contingency.go, suppliers_whatif.go:
	sc.addTab("Reorder", theme.ContentAddIcon(), newReorderTab(sc))
	sc.addTab("Performance", theme.HistoryIcon(), newPerformanceTab(sc))
	sc.addTab(contingencyTabTitle, theme.WarningIcon(), newContingencyTab(sc))
	sc.addTab("What if", theme.QuestionIcon(), newWhatIfTab(sc))

	sc.tabs.OnSelected = func(*container.TabItem) { sc.refresh() }
	return sc
}

// addTab puts a tab at the end of the section and returns its item.
func (sc *suppliersScreen) addTab(title string, icon fyne.Resource, t supplierTab) *container.TabItem {
	item := container.NewTabItemWithIcon(title, icon, container.NewPadded(t.view()))
	sc.tabs.Append(item)
	sc.entries = append(sc.entries, t)
	return item
}

func (sc *suppliersScreen) view() fyne.CanvasObject {
	header := screenHeader("Suppliers",
		"Who you buy from and what they sell you, the orders you place with them and what has arrived.")
	return container.NewPadded(container.NewBorder(header, nil, nil, nil, sc.tabs))
}

// refresh reloads the tab on display.
func (sc *suppliersScreen) refresh() {
	if i := sc.tabs.SelectedIndex(); i >= 0 && i < len(sc.entries) {
		sc.entries[i].refresh()
	}
}

// openPO shows one purchase order on the Purchase orders tab.
func (sc *suppliersScreen) openPO(id int64) {
	if sc.tabs.Selected() != sc.ordersT {
		sc.tabs.Select(sc.ordersT)
	}
	sc.orders.open(id)
}

// showPOList shows the Purchase orders tab listing one of the poFilter… groups, such as the late ones.
func (sc *suppliersScreen) showPOList(filter string) {
	sc.orders.setFilter(filter)
	if sc.tabs.Selected() != sc.ordersT {
		sc.tabs.Select(sc.ordersT) // refreshes the tab
	} else {
		sc.orders.refresh()
	}
}

// afterChange reloads what a change on this screen touched: the tab on display, and the other screens
// when next shown (each reloads as it opens). Every change here (a delivery, a supplier's availability,
// an order sent or given up, a ranking) is something contingency plans watch, so they are evaluated again.
func (sc *suppliersScreen) afterChange() {
	sc.a.contingenciesChanged()
	if sc.a.showing(sc) {
		sc.refresh()
	}
}

// problemText is what a dialog says when the store refused or failed; the whole chain goes to the log.
func problemText(err error) string {
	msg := data.UserMessage(err)
	if msg != err.Error() {
		log.Printf("backroom: %v", err)
	}
	return msg
}

// supplierListTab lists the suppliers and, for the chosen one, its terms and the SKUs it sells.
type supplierListTab struct {
	sc *suppliersScreen
	a  *App

	list    *pagedTable[data.Supplier]
	add     *widget.Button
	message *widget.Label
	chosen  *data.Supplier

	// The chosen supplier's panel.
	panel        *fyne.Container
	empty        fyne.CanvasObject // says to choose a supplier, until one is
	head         *widget.Label
	away         *widget.Label // why the supplier is unavailable, while it is
	facts        *widget.RichText
	notes        *widget.RichText
	edit         *widget.Button
	availability *widget.Button
	items        *supplierItems

	// The dialogs, while open.
	form        *supplierForm
	unavailable *unavailableForm
}

func newSupplierListTab(sc *suppliersScreen) *supplierListTab {
	a := sc.a
	t := &supplierListTab{sc: sc, a: a}
	t.list = newPagedTable(a, "suppliers", []column[data.Supplier]{
		{title: "Name", width: 150, grow: 2, sort: "name", text: func(s data.Supplier) string { return s.Name }},
		{title: "Contact", width: 110, grow: 1, drop: 2, text: func(s data.Supplier) string { return s.Contact }},
		{title: "E-mail", width: 150, grow: 1.5, drop: 3, text: func(s data.Supplier) string { return s.Email }},
		{title: "Lead time", width: 90, align: fyne.TextAlignTrailing, sort: "lead",
			text: func(s data.Supplier) string { return plural(s.LeadTimeDays, "day", "days") }},
		{title: "Min. order", width: 95, align: fyne.TextAlignTrailing, drop: 1, sort: "min",
			text: func(s data.Supplier) string { return minOrderText(s) }},
		{title: "SKUs", width: 64, align: fyne.TextAlignTrailing, sort: "items", descFirst: true,
			text: func(s data.Supplier) string { return fmt.Sprint(s.Items) }},
		{title: "Status", width: 100, sort: "status", text: availabilityText, style: availabilityStyle},
	}, func(s data.Supplier) string { return s.ID })
	t.list.sortBy("name", false)
	t.list.emptyText = "No suppliers yet. Add the businesses you buy stock from."
	t.list.onSelected = t.onChoose

	t.add = widget.NewButtonWithIcon("Add supplier…", theme.ContentAddIcon(), func() { t.openForm(nil) })
	t.add.Importance = widget.HighImportance
	t.message = widget.NewLabel("")
	t.message.Wrapping = fyne.TextWrapWord
	t.message.Hide()

	t.head = detailHeading("")
	t.away = widget.NewLabel("")
	t.away.Importance = widget.DangerImportance
	t.away.Truncation = fyne.TextTruncateEllipsis
	t.away.Hide()
	t.facts = mutedLine("")
	t.notes = mutedLine("")
	t.notes.Hide()
	t.edit = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), t.onEdit)
	t.availability = widget.NewButtonWithIcon("Mark unavailable…", theme.CancelIcon(), t.onAvailability)
	t.items = newSupplierItems(t)
	if !a.store.Can(data.PermManageSuppliers) {
		t.add.Hide()
		t.edit.Hide()
		t.availability.Hide()
	}
	return t
}

func (t *supplierListTab) view() fyne.CanvasObject {
	note := "Choose a supplier to see what it sells you and where it ranks for each item."
	if !t.a.store.Can(data.PermManageSuppliers) {
		note = "Choose a supplier to see what it sells the shop, and who else sells each item."
	}
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(t.add), mutedLine(note)), t.message)
	actions := container.NewHBox(t.edit, t.availability, t.items.add)
	panelHead := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, nil, container.NewCenter(actions), t.head), t.away, t.facts, t.notes)
	t.panel = container.NewBorder(panelHead, nil, nil, nil, t.items.view())
	t.empty = container.NewCenter(widget.NewLabel("Choose a supplier above to see what it sells."))
	bottom := container.NewStack(t.empty, t.panel)
	t.panel.Hide()
	split := container.NewVSplit(t.list.view(), bottom)
	split.Offset = 0.5
	return container.NewBorder(top, nil, nil, nil, split)
}

func (t *supplierListTab) refresh() {
	store := t.a.store
	var all []data.Supplier
	chosen := ""
	if t.chosen != nil {
		chosen = t.chosen.ID
	}
	t.list.setSource(pageSource[data.Supplier]{
		count: func(ctx context.Context) (int, error) {
			var err error
			all, err = store.Suppliers(ctx)
			// The chosen supplier's panel follows its row: an edit elsewhere shows here too.
			for _, s := range all {
				if s.ID == chosen {
					fyne.Do(func() { t.showSupplier(s) })
				}
			}
			return len(all), err
		},
		page: func(_ context.Context, q pageQuery) ([]data.Supplier, error) {
			sortSuppliers(all, q.sort, q.desc)
			return all[q.offset:min(q.offset+q.limit, len(all))], nil
		},
	})
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
		case "min":
			if a.MinOrderValue != b.MinOrderValue {
				return a.MinOrderValue < b.MinOrderValue
			}
		case "status":
			if a.Available() != b.Available() {
				return !a.Available()
			}
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

func availabilityText(s data.Supplier) string {
	if s.Available() {
		return "Available"
	}
	return "Unavailable"
}

func availabilityStyle(s data.Supplier) widget.Importance {
	if s.Available() {
		return widget.SuccessImportance
	}
	return widget.DangerImportance
}

func minOrderText(s data.Supplier) string {
	if s.MinOrderValue == 0 {
		return "—"
	}
	return data.FormatMoney(s.MinOrderValue, s.Currency)
}

func (t *supplierListTab) onChoose(s data.Supplier) {
	t.showSupplier(s)
}

// showSupplier fills the panel under the list with one supplier: its terms and its items.
func (t *supplierListTab) showSupplier(s data.Supplier) {
	changed := t.chosen == nil || t.chosen.ID != s.ID
	t.chosen = &s
	t.list.markSelected(s.ID)
	t.head.SetText(s.Name)
	var parts []string
	for _, p := range []string{s.Contact, s.Email, s.Phone} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	terms := "promises " + plural(s.LeadTimeDays, "day", "days")
	if s.MinOrderValue > 0 {
		terms += " · orders of at least " + data.FormatMoney(s.MinOrderValue, s.Currency)
	}
	terms += " · prices in " + s.Currency
	parts = append(parts, terms)
	setMutedText(t.facts, strings.Join(parts, " · "))
	if s.Available() {
		t.away.Hide()
	} else {
		away := "Unavailable since " + s.UnavailableSince.Local().Format("2 Jan 2006")
		if s.UnavailableNote != "" {
			away += ": " + s.UnavailableNote
		}
		t.away.SetText(away)
		t.away.Show()
	}
	if s.Notes != "" {
		setMutedText(t.notes, strings.ReplaceAll(s.Notes, "\n", " · "))
		t.notes.Show()
	} else {
		t.notes.Hide()
	}
	if s.Available() {
		t.availability.SetText("Mark unavailable…")
		t.availability.SetIcon(theme.CancelIcon())
	} else {
		t.availability.SetText("Mark available")
		t.availability.SetIcon(theme.ConfirmIcon())
	}
	if !t.panel.Visible() {
		t.empty.Hide()
		t.panel.Show()
	}
	t.panel.Refresh() // the lines shown under the name may have changed: lay the panel out again
	t.items.show(s, changed)
}

// say reports what a change did, above the list.
func (t *supplierListTab) say(msg string, imp widget.Importance) {
	t.message.Importance = imp
	t.message.SetText(msg)
	t.message.Show()
}

func (t *supplierListTab) onEdit() {
	if t.chosen != nil {
		s := *t.chosen
		t.openForm(&s)
	}
}

// onAvailability marks the chosen supplier available at once, or asks why it is unavailable.
func (t *supplierListTab) onAvailability() {
	if t.chosen == nil {
		return
	}
	s := *t.chosen
	if s.Available() {
		t.openUnavailable(s)
		return
	}
	store := t.a.store
	t.availability.Disable()
	run(t.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.SetSupplierAvailable(ctx, s.ID, true, "")
	}, func(_ struct{}, err error) {
		t.availability.Enable()
		if err != nil {
			showError(t.a.win, err)
			return
		}
		t.say(s.Name+" is available again.", widget.SuccessImportance)
		t.sc.afterChange()
	})
}

// unavailableForm asks why a supplier cannot supply before marking it so.
type unavailableForm struct {
	t       *supplierListTab
	note    *widget.Entry
	message *widget.Label
	save    *widget.Button
	dialog  *dialog.CustomDialog
}

func (t *supplierListTab) openUnavailable(s data.Supplier) {
	f := &unavailableForm{t: t}
	f.note = widget.NewEntry()
	f.note.SetPlaceHolder("e.g. closed until 6 January")
	f.note.OnSubmitted = func(string) { f.onSave(s) }
	f.message = widget.NewLabel("")
	f.message.Importance = widget.DangerImportance
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()
	explain := mutedText("Purchase orders cannot be sent to it until it is marked available again, and contingency plans " +
		"that watch for an unavailable supplier act now. Orders already sent stay open.")
	form := widget.NewForm(&widget.FormItem{Text: "Why", Widget: f.note, HintText: "Shown with the supplier until it is available again"})
	cancel := widget.NewButton("Cancel", func() { f.dialog.Hide() })
	f.save = widget.NewButtonWithIcon("Mark unavailable", theme.ConfirmIcon(), func() { f.onSave(s) })
	f.save.Importance = widget.DangerImportance
	f.dialog = dialog.NewCustomWithoutButtons("Mark "+s.Name+" unavailable", container.NewVBox(explain, form, f.message), t.a.win)
	f.dialog.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.dialog.SetOnClosed(func() {
		if t.unavailable == f {
			t.unavailable = nil
		}
	})
	f.dialog.Resize(fyne.NewSize(480, f.dialog.MinSize().Height))
	t.unavailable = f
	f.dialog.Show()
	if c := t.a.win.Canvas(); c != nil {
		c.Focus(f.note)
	}
}

func (f *unavailableForm) onSave(s data.Supplier) {
	note := strings.TrimSpace(f.note.Text)
	store := f.t.a.store
	f.save.Disable()
	run(f.t.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.SetSupplierAvailable(ctx, s.ID, false, note)
	}, func(_ struct{}, err error) {
		f.save.Enable()
		if err != nil {
			showFormProblem(f.t.a.win, f.dialog, f.message, 480, problemText(err), nil)
			return
		}
		f.dialog.Hide()
		f.t.say(s.Name+" is marked unavailable.", widget.WarningImportance)
		f.t.sc.afterChange()
	})
}

// supplierForm is the Add supplier and Edit dialog. Problems show inside it, so nothing typed is lost.
type supplierForm struct {
	t        *supplierListTab
	editing  *data.Supplier // nil when adding
	name     *widget.Entry
	contact  *widget.Entry
	email    *widget.Entry
	phone    *widget.Entry
	currency *widget.SelectEntry
	lead     *widget.Entry
	minOrder *widget.Entry
	notes    *widget.Entry
	message  *widget.Label
	save     *widget.Button
	dialog   *dialog.CustomDialog
}

const supplierFormWidth = 520

// openForm opens the supplier dialog: empty with the shop's currency to add one, or filled in to edit s.
func (t *supplierListTab) openForm(s *data.Supplier) {
	f := &supplierForm{t: t, editing: s}
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder("Company name")
	f.contact = widget.NewEntry()
	f.contact.SetPlaceHolder("Who you deal with")
	f.email = widget.NewEntry()
	f.email.SetPlaceHolder("orders@example.com")
	f.phone = widget.NewEntry()
	f.currency = widget.NewSelectEntry([]string{"GBP", "EUR", "USD", "CAD", "AUD"})
	f.lead = widget.NewEntry()
	f.lead.SetPlaceHolder("days from order to delivery")
	f.minOrder = widget.NewEntry()
	f.minOrder.SetPlaceHolder("empty for none")
	f.notes = widget.NewMultiLineEntry()
	f.notes.SetMinRowsVisible(2)
	f.message = widget.NewLabel("")
	f.message.Importance = widget.DangerImportance
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()

	form := widget.NewForm(
		widget.NewFormItem("Name", f.name),
		widget.NewFormItem("Contact", f.contact),
		widget.NewFormItem("E-mail", f.email),
		widget.NewFormItem("Phone", f.phone),
		&widget.FormItem{Text: "Currency", Widget: f.currency, HintText: "What it invoices in; its prices are kept in it"},
		&widget.FormItem{Text: "Lead time", Widget: f.lead, HintText: "Days it promises from order to delivery"},
		&widget.FormItem{Text: "Minimum order", Widget: f.minOrder, HintText: "The smallest order it accepts, in its currency"},
		widget.NewFormItem("Notes", f.notes),
	)
	title, action := "Add a supplier", "Add supplier"
	if s != nil {
		title, action = "Edit "+s.Name, "Save"
		f.name.SetText(s.Name)
		f.contact.SetText(s.Contact)
		f.email.SetText(s.Email)
		f.phone.SetText(s.Phone)
		f.currency.SetText(s.Currency)
		f.lead.SetText(strconv.Itoa(s.LeadTimeDays))
		if s.MinOrderValue > 0 {
			f.minOrder.SetText(data.FormatDecimal(s.MinOrderValue, s.Currency))
		}
		f.notes.SetText(s.Notes)
	}
	for _, e := range []*widget.Entry{f.name, f.contact, f.email, f.phone, f.lead, f.minOrder} {
		e.OnSubmitted = func(string) { f.onSave() }
	}
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { f.dialog.Hide() })
	f.save = widget.NewButtonWithIcon(action, theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.dialog = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, f.message), t.a.win)
	f.dialog.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.dialog.SetOnClosed(func() {
		if t.form == f {
			t.form = nil
		}
	})
	f.dialog.Resize(fyne.NewSize(supplierFormWidth, f.dialog.MinSize().Height))
	t.form = f
	f.dialog.Show()
	if c := t.a.win.Canvas(); c != nil {
		c.Focus(f.name)
	}
	if s == nil {
		store := t.a.store
		run(t.a.bg, func(ctx context.Context) (string, error) {
			return store.Setting(ctx, data.SettingCurrency)
		}, func(cur string, err error) {
			if err == nil && f.currency.Text == "" {
				if cur == "" {
					cur = "GBP"
				}
				f.currency.SetText(cur)
			}
		})
	}
}

func (f *supplierForm) problem(msg string, field fyne.Focusable) {
	showFormProblem(f.t.a.win, f.dialog, f.message, supplierFormWidth, msg, field)
}

// onSave checks what was typed, then adds or updates the supplier in the background.
func (f *supplierForm) onSave() {
	name := strings.TrimSpace(f.name.Text)
	if name == "" {
		f.problem("A supplier needs a name.", f.name)
		return
	}
	email := strings.TrimSpace(f.email.Text)
	if email != "" && (!strings.Contains(email, "@") || strings.ContainsAny(email, " ,;")) {
		f.problem(fmt.Sprintf("E-mail: %q does not look like an e-mail address.", email), f.email)
		return
	}
	currency := strings.ToUpper(strings.TrimSpace(f.currency.Text))
	if !data.ValidCurrency(currency) {
		f.problem("Currency: a three-letter code such as GBP, EUR or USD.", f.currency)
		return
	}
	lead := 0
	if s := strings.TrimSpace(f.lead.Text); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 365 {
			f.problem(fmt.Sprintf("Lead time: %q is not a whole number of days from 0 to 365.", s), f.lead)
			return
		}
		lead = n
	}
	var minOrder int64
	if s := strings.TrimSpace(f.minOrder.Text); s != "" {
		v, err := data.ParseMoney(s, currency)
		if err != nil {
			f.problem("Minimum order: "+err.Error()+".", f.minOrder)
			return
		}
		if v < 0 {
			f.problem("Minimum order: it cannot be below 0; leave it empty for none.", f.minOrder)
			return
		}
		minOrder = v
	}
	sp := data.Supplier{Name: name, Contact: strings.TrimSpace(f.contact.Text), Email: email,
		Phone: strings.TrimSpace(f.phone.Text), Currency: currency, LeadTimeDays: lead, MinOrderValue: minOrder,
		Notes: strings.TrimSpace(f.notes.Text)}
	store := f.t.a.store
	editing := f.editing
	if editing != nil {
		sp.ID = editing.ID
	}
	f.save.Disable()
	run(f.t.a.bg, func(ctx context.Context) (data.Supplier, error) {
		if editing != nil {
			return store.UpdateSupplier(ctx, sp)
		}
		return store.AddSupplier(ctx, sp)
	}, func(saved data.Supplier, err error) {
		f.save.Enable()
		if err != nil {
			f.problem(problemText(err), nil)
			return
		}
		f.dialog.Hide()
		t := f.t
		if editing == nil {
			t.say(saved.Name+" is added. Now add the items it sells with Add item….", widget.SuccessImportance)
		} else {
			t.say(saved.Name+" is saved.", widget.SuccessImportance)
		}
		t.showSupplier(saved)
		t.sc.afterChange()
	})
}
