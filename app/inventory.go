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

const (
	choiceAllLocations = "All locations"
	// movementsShown is how much of a SKU's ledger the detail panel reads.
	movementsShown = 200
)

// adjustKinds are the reasons a person may give a manual stock change, as the dialog offers them.
var adjustKinds = []struct {
	title  string
	reason data.Reason
}{
	{"Adjustment: damaged, lost, found", data.ReasonAdjustment},
	{"Count: difference a count found", data.ReasonCount},
	{"Receipt: goods arrived", data.ReasonReceipt},
	{"Return: a customer sent it back", data.ReasonReturn},
}

// inventoryScreen lists every SKU with its stock, searchable by SKU, name or a scanned barcode, and
// shows the chosen one beside the list: its facts, stock per location and its ledger of movements.
type inventoryScreen struct {
	a *App

	search   *widget.Entry
	location *widget.Select
	inactive *widget.Check
	add      *widget.Button
	list     *pagedTable[data.StockLevel]

	locations []data.Location
	currency  string // the shop's currency, for new products
	quiet     bool
	typing    latest

	split       *container.Split
	detail      *fyne.Container
	shown       *skuDetail // the SKU on display, nil for none
	detailLoads latest

	// The detail's widgets, rebuilt for each SKU.
	title      *widget.Label
	facts      *fyne.Container
	edit       *widget.Button
	adjust     *widget.Button
	byLocation *gridTable
	movements  *gridTable

	// The dialogs, while open.
	form       *productForm
	adjustment *adjustForm

	// Labels (inventory_labels.go): the header's button, the detail's, and the dialog while open.
	listLabels *widget.Button
	skuLabels  *widget.Button
	labelsForm *labelsForm
}

// skuDetail is everything the detail panel shows, loaded in one go.
type skuDetail struct {
	variant    data.Variant
	level      data.StockLevel
	byLocation []data.LocationStock
	movements  []data.Movement
}

type inventorySetup struct {
	locations []data.Location
	currency  string
}

func newInventoryScreen(a *App) *inventoryScreen {
	sc := &inventoryScreen{a: a, quiet: true}
	sc.search = widget.NewEntry()
	sc.search.SetPlaceHolder("Search SKU or name, or scan a barcode")
	sc.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	sc.search.OnChanged = func(string) {
		if !sc.quiet {
			debounce(a.bg, &sc.typing, searchDelay, sc.apply)
		}
	}
	sc.search.OnSubmitted = sc.onSearchSubmitted
	sc.location = widget.NewSelect([]string{choiceAllLocations}, func(string) { sc.onFilterChanged() })
	sc.location.SetSelected(choiceAllLocations)
	sc.inactive = widget.NewCheck("Show inactive", func(bool) { sc.onFilterChanged() })
	sc.add = widget.NewButtonWithIcon("Add product", theme.ContentAddIcon(), sc.onAdd)
	sc.add.Importance = widget.HighImportance
	if !a.store.Can(data.PermEditCatalog) {
		sc.add.Hide()
	}
	sc.listLabels = widget.NewButtonWithIcon("Labels…", theme.DocumentPrintIcon(), sc.onListLabels)

	sc.list = newPagedTable(a, "products", sc.columns(), func(l data.StockLevel) string { return strings.ToLower(l.SKU) })
	sc.list.sortBy(string(data.SortSKU), false)
	sc.list.onSelected = func(l data.StockLevel) { sc.openSKU(l.SKU) }
	sc.quiet = false
	return sc
}

func (sc *inventoryScreen) columns() []column[data.StockLevel] {
	muted := func(l data.StockLevel) widget.Importance {
		if !l.Active {
			return widget.LowImportance
		}
		return widget.MediumImportance
	}
	number := func(n func(data.StockLevel) int64) func(data.StockLevel) string {
		return func(l data.StockLevel) string { return groupDigits(n(l)) }
	}
	return []column[data.StockLevel]{
		{title: "SKU", width: 130, grow: 1, sort: string(data.SortSKU), text: func(l data.StockLevel) string { return l.SKU }, style: muted},
		{title: "Name", width: 160, grow: 3, sort: string(data.SortName), text: func(l data.StockLevel) string {
			name := l.Name
			if l.Kit {
				name += " (kit)"
			}
			if !l.Active {
				name += " (inactive)"
			}
			return name
		}, style: muted},
		{title: "Bin", width: 70, drop: 2, text: func(l data.StockLevel) string { return l.Bin }},
		{title: "On hand", width: 90, align: fyne.TextAlignTrailing, sort: string(data.SortOnHand), descFirst: true,
			text: number(func(l data.StockLevel) int64 { return l.OnHand })},
		{title: "Reserved", width: 100, drop: 1, align: fyne.TextAlignTrailing, sort: string(data.SortReserved), descFirst: true,
			text: number(func(l data.StockLevel) int64 { return l.Reserved })},
		{title: "Available", width: 112, align: fyne.TextAlignTrailing, sort: string(data.SortAvailable),
			text: number(func(l data.StockLevel) int64 { return l.Available }),
			style: func(l data.StockLevel) widget.Importance {
				if l.Available < 0 {
					return widget.DangerImportance
				}
				return widget.MediumImportance
			}},
		{title: "Price", width: 90, drop: 3, align: fyne.TextAlignTrailing, text: func(l data.StockLevel) string { return data.FormatMoney(l.Price, l.Currency) }},
	}
}

func (sc *inventoryScreen) view() fyne.CanvasObject {
	top := container.NewVBox(
		screenHeader("Inventory", "Stock of every SKU, counted from its ledger of movements. Scan a barcode into the search to find an item.", sc.listLabels, sc.add),
		container.NewBorder(nil, nil, nil, container.NewHBox(fixedWidth(sc.location, 170), sc.inactive), sc.search))
	sc.detail = container.NewStack()
	sc.detail.Hide()
	sc.split = container.NewHSplit(sc.list.view(), sc.detail)
	sc.split.Offset = 0.6
	return container.NewBorder(top, nil, nil, nil, sc.split)
}

// refresh reloads the locations, the page on display and the SKU on display.
func (sc *inventoryScreen) refresh() {
	st := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (inventorySetup, error) {
		locs, err := st.Locations(ctx)
		if err != nil {
			return inventorySetup{}, err
		}
		cur, err := st.Setting(ctx, data.SettingCurrency)
		return inventorySetup{locations: locs, currency: cur}, err
	}, func(s inventorySetup, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.locations, sc.currency = s.locations, s.currency
		opts := []string{choiceAllLocations}
		for _, l := range s.locations {
			opts = append(opts, l.Name)
		}
		sc.location.SetOptions(opts)
		if sc.locationID() == "" && sc.location.Selected != choiceAllLocations {
			sc.quiet = true
			sc.location.SetSelected(choiceAllLocations)
			sc.quiet = false
		}
	})
	if sc.list.src == nil {
		sc.apply()
	} else {
		sc.list.reload()
	}
	if sc.shown != nil {
		sc.openSKU(sc.shown.variant.SKU)
	}
}

// showSKU shows one SKU: the list narrowed to it and its detail beside it.
func (sc *inventoryScreen) showSKU(sku string) {
	sc.quiet = true
	sc.search.SetText(sku)
	sc.quiet = false
	sc.typing.next()
	sc.apply()
	sc.openSKU(sku)
}

func (sc *inventoryScreen) onFilterChanged() {
	if sc.quiet {
		return
	}
	sc.typing.next()
	sc.apply()
}

// onSearchSubmitted is Enter in the search field, which is what a barcode scanner sends after the
// code: an exact barcode or SKU opens the item at once.
func (sc *inventoryScreen) onSearchSubmitted(text string) {
	sc.typing.next()
	sc.apply()
	code := strings.TrimSpace(text)
	if code == "" {
		return
	}
	st := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (data.Variant, error) {
		return st.VariantByBarcode(ctx, code)
	}, func(v data.Variant, err error) {
		if err == nil {
			sc.openSKU(v.SKU)
		}
	})
}

func (sc *inventoryScreen) locationID() string {
	for _, l := range sc.locations {
		if l.Name == sc.location.Selected {
			return l.ID
		}
	}
	return ""
}

// apply shows the SKUs the search and filters match, from the first page.
func (sc *inventoryScreen) apply() {
	search := strings.TrimSpace(sc.search.Text)
	inactive := sc.inactive.Checked
	loc := sc.locationID()
	if search == "" {
		sc.list.emptyText = "No products yet"
		if sc.a.store.Can(data.PermEditCatalog) {
			sc.list.emptyText += ": add one with Add product"
		}
	} else {
		sc.list.emptyText = fmt.Sprintf("No products match %q", search)
	}
	st := sc.a.store
	sc.list.setSource(pageSource[data.StockLevel]{
		count: func(ctx context.Context) (int, error) { return st.CountVariants(ctx, search, inactive) },
		page: func(ctx context.Context, q pageQuery) ([]data.StockLevel, error) {
			return st.StockLevels(ctx, data.StockFilter{Search: search, IncludeInactive: inactive, Location: loc,
				Sort: data.StockSort(q.sort), Descending: q.desc, Limit: q.limit, Offset: q.offset})
		},
	})
}

// openSKU loads one SKU's detail and shows it beside the list.
func (sc *inventoryScreen) openSKU(sku string) {
	st := sc.a.store
	load(sc.a.bg, sc.a.win, &sc.detailLoads, func(ctx context.Context) (skuDetail, error) {
		var d skuDetail
		var err error
		if d.variant, err = st.Variant(ctx, sku); err != nil {
			return d, err
		}
		if d.level, err = st.StockLevel(ctx, d.variant.SKU); err != nil {
			return d, err
		}
		if d.byLocation, err = st.StockByLocation(ctx, d.variant.SKU); err != nil {
			return d, err
		}
		d.movements, err = st.Movements(ctx, d.variant.SKU, movementsShown, 0)
		return d, err
	}, sc.showDetail)
}

func (sc *inventoryScreen) closeDetail() {
	sc.detailLoads.next()
	sc.shown = nil
	sc.list.markSelected("")
	sc.detail.Hide()
	sc.split.Refresh()
}

// showDetail fills the detail panel with one SKU.
func (sc *inventoryScreen) showDetail(d skuDetail) {
	sc.shown = &d
	v, lv := d.variant, d.level
	sc.list.markSelected(strings.ToLower(v.SKU))
	st := sc.a.store

	sc.title = detailHeading(v.Name())
	closeButton := widget.NewButtonWithIcon("", theme.WindowCloseIcon(), sc.closeDetail)
	closeButton.Importance = widget.LowImportance
	sub := v.SKU
	if !v.Active {
		sub += " · inactive: not offered for sale"
	}
	subtitle := widget.NewLabel(sub)
	subtitle.Truncation = fyne.TextTruncateEllipsis

	sc.edit = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), sc.onEdit)
	sc.adjust = widget.NewButtonWithIcon("Adjust stock", theme.ContentAddIcon(), sc.onAdjust)
	sc.adjust.Importance = widget.HighImportance
	actions := container.NewHBox()
	if st.Can(data.PermMoveStock) {
		actions.Add(sc.adjust)
		if len(v.Kit) > 0 {
			sc.adjust.Disable() // a kit's stock is its parts'
		}
	}
	if st.Can(data.PermEditCatalog) {
		actions.Add(sc.edit)
	}
	sc.skuLabels = widget.NewButtonWithIcon("Labels…", theme.DocumentPrintIcon(), sc.onSKULabels)
	actions.Add(sc.skuLabels) // the packer too: labels are printed on the floor
	header := container.NewVBox(container.NewBorder(nil, nil, nil, closeButton, sc.title), subtitle)
	if len(actions.Objects) > 0 {
		header.Add(actions)
	}

	tiles := container.NewGridWithColumns(3,
		stockFigure("On hand", lv.OnHand, widget.MediumImportance),
		stockFigure("Reserved", lv.Reserved, widget.MediumImportance),
		stockFigure("Available", lv.Available, availableImportance(lv.Available)),
	)

	sc.facts = factsForm()
	fact := func(k, val string) {
		sc.facts.Add(factKey(k))
		sc.facts.Add(factValue(val))
	}
	fact("Barcodes", orDash(strings.Join(v.Barcodes, ", ")))
	fact("Price", data.FormatMoney(v.Price, v.Currency))
	if st.Can(data.PermViewCosts) && v.Cost != nil {
		cost := data.FormatMoney(*v.Cost, v.Currency)
		if v.Price > 0 && *v.Cost > 0 {
			cost += fmt.Sprintf("  (margin %d%%)", (v.Price-*v.Cost)*100/v.Price)
		}
		fact("Cost", cost)
	}
	stored := sc.locationName(v.LocationID)
	if v.Bin != "" {
		stored = strings.TrimPrefix(stored+" · bin "+v.Bin, " · ")
	}
	fact("Stored at", orDash(stored))
	if len(v.Kit) > 0 {
		var parts []string
		for _, c := range v.Kit {
			parts = append(parts, fmt.Sprintf("%d × %s", c.Quantity, c.SKU))
		}
		fact("Kit of", strings.Join(parts, ", "))
	}

	sc.byLocation = newGridTable(0,
		gridColumn{title: "Location", width: 160},
		gridColumn{title: "On hand", width: 84, align: fyne.TextAlignTrailing},
	)
	var locRows [][]string
	for _, l := range d.byLocation {
		locRows = append(locRows, []string{l.Location, groupDigits(l.OnHand)})
	}
	sc.byLocation.setRows(locRows, nil)

	// The location column only says something when the SKU has been in more than one place.
	severalPlaces := len(d.byLocation) > 1
	cols := []gridColumn{
		{title: "When", width: 112},
		{title: "Change", width: 70, align: fyne.TextAlignTrailing},
		{title: "Reason", width: 100},
		{title: "Note", width: 90},
	}
	if severalPlaces {
		cols = append(cols, gridColumn{title: "Location", width: 84})
	}
	cols = append(cols, gridColumn{title: "Who", width: 92})
	sc.movements = newGridTable(3, cols...)
	var moves [][]string
	now := time.Now()
	for _, m := range d.movements {
		row := []string{shortWhen(m.At, now), signed(m.Quantity), reasonLabel(m.Reason), movementNote(m)}
		if severalPlaces {
			row = append(row, m.Location)
		}
		moves = append(moves, append(row, m.UserName))
	}
	sc.movements.setRows(moves, func(row, col int) widget.Importance {
		if col != 1 {
			return widget.MediumImportance
		}
		if d.movements[row].Quantity < 0 {
			return widget.DangerImportance
		}
		return widget.SuccessImportance
	})

	body := container.NewVBox(tiles, sc.facts)
	if len(v.Kit) > 0 {
		body.Add(mutedText("A kit holds no stock itself: its figures are how many whole kits its parts make."))
	} else {
		body.Add(sectionTitle("Stock by location"))
		if len(locRows) == 0 {
			body.Add(mutedText("No stock has been recorded for this SKU yet."))
		} else {
			body.Add(sc.byLocation.box)
		}
	}
	title := "Movements, newest first"
	if len(d.movements) == movementsShown {
		title = fmt.Sprintf("Newest %d movements", movementsShown)
	}
	body.Add(sectionTitle(title))
	if len(moves) == 0 {
		body.Add(mutedText("Nothing has moved yet."))
	} else {
		body.Add(sc.movements.box)
	}

	sc.detail.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(header, widget.NewSeparator()), nil, nil, nil,
		container.NewScroll(container.NewPadded(body)),
	)}
	showPanel(sc.split, sc.detail)
}

// defaultCurrency is the shop's currency setting, or else the currency the products on display use.
func (sc *inventoryScreen) defaultCurrency() string {
	if sc.currency != "" {
		return sc.currency
	}
	if len(sc.list.rows) > 0 {
		return sc.list.rows[0].Currency
	}
	return ""
}

func (sc *inventoryScreen) locationName(id string) string {
	for _, l := range sc.locations {
		if l.ID == id || (id == "" && l.IsDefault) {
			return l.Name
		}
	}
	return ""
}

// afterChange reloads what a change touched: the screen on display, and this one if it is not.
func (sc *inventoryScreen) afterChange() {
	sc.a.changed()
	if !sc.a.showing(sc) {
		sc.refresh()
	}
}

func stockFigure(caption string, n int64, imp widget.Importance) fyne.CanvasObject {
	c := widget.NewLabel(caption)
	c.Importance = widget.LowImportance
	v := widget.NewLabel(groupDigits(n))
	v.TextStyle.Bold = true
	v.SizeName = theme.SizeNameSubHeadingText
	v.Importance = imp
	return container.NewVBox(c, v)
}

// shortWhen is a moment in local time, without the year when it is this year's: "26 Nov 14:05".
func shortWhen(t, now time.Time) string {
	t = t.Local()
	if t.Year() == now.Local().Year() {
		return t.Format("2 Jan 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

func availableImportance(n int64) widget.Importance {
	if n < 0 {
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// signed writes a stock change with its sign: +10, -2.
func signed(n int64) string {
	if n > 0 {
		return "+" + groupDigits(n)
	}
	return groupDigits(n)
}

func reasonLabel(r data.Reason) string {
	if r == "" {
		return ""
	}
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}

// movementNote is the note a person wrote, or what the movement refers to.
func movementNote(m data.Movement) string {
	if m.Note != "" {
		return m.Note
	}
	if m.RefType == "order" {
		if ch, id, ok := strings.Cut(m.RefID, ":"); ok {
			return channelLabel(ch) + " order " + id
		}
	}
	return m.RefID
}

// productForm is the Add product and Edit dialog. Problems are shown inside it, so nothing typed is lost.
type productForm struct {
	sc       *inventoryScreen
	editing  *data.Variant // nil when adding
	sku      *widget.Entry
	name     *widget.Entry
	title    *widget.Entry
	price    *widget.Entry
	cost     *widget.Entry
	currency *widget.Entry
	barcodes *widget.Entry
	bin      *widget.Entry
	location *widget.Select
	active   *widget.Check
	message  *widget.Label
	save     *widget.Button
	cancel   *widget.Button
	dialog   *dialog.CustomDialog
}

func (sc *inventoryScreen) onAdd() { sc.openProductForm(nil) }

func (sc *inventoryScreen) onEdit() {
	if sc.shown != nil {
		v := sc.shown.variant
		sc.openProductForm(&v)
	}
}

func (sc *inventoryScreen) openProductForm(v *data.Variant) {
	f := &productForm{sc: sc, editing: v}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		return e
	}
	f.sku = entry("e.g. APRON-SAGE-M")
	f.name = entry("e.g. Linen apron")
	f.title = entry("e.g. Sage / M; empty when there are no options")
	f.price = entry("e.g. 24.00")
	f.cost = entry("e.g. 9.50")
	f.currency = entry("e.g. GBP")
	f.currency.SetText(sc.defaultCurrency())
	f.barcodes = entry("e.g. 5012345678900, 0012345678905")
	f.bin = entry("e.g. A-03")
	f.location = widget.NewSelect(nil, nil)
	f.location.PlaceHolder = "Default location"
	for _, l := range sc.locations {
		f.location.Options = append(f.location.Options, l.Name)
	}
	f.active = widget.NewCheck("Offered for sale", nil)
	f.active.SetChecked(true)
	f.message = widget.NewLabel("")
	f.message.Importance = widget.DangerImportance
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()

	form := widget.NewForm(
		widget.NewFormItem("SKU", f.sku),
		widget.NewFormItem("Product name", f.name),
		widget.NewFormItem("Option", f.title),
		widget.NewFormItem("Price", f.price),
	)
	if sc.a.store.Can(data.PermViewCosts) {
		form.Append("Cost", f.cost)
	}
	form.Append("Currency", f.currency)
	form.AppendItem(&widget.FormItem{Text: "Barcodes", Widget: f.barcodes, HintText: "Separate several with commas"})
	form.Append("Bin", f.bin)
	title := "Add product"
	if v == nil {
		if len(f.location.Options) > 0 {
			form.Append("Location", f.location)
		}
	} else {
		title = "Edit " + v.SKU
		f.sku.SetText(v.SKU)
		f.sku.Disable()
		f.name.SetText(v.ProductName)
		f.title.SetText(v.Title)
		f.price.SetText(data.FormatDecimal(v.Price, v.Currency))
		if v.Cost != nil {
			f.cost.SetText(data.FormatDecimal(*v.Cost, v.Currency))
		}
		f.currency.SetText(v.Currency)
		f.barcodes.SetText(strings.Join(v.Barcodes, ", "))
		f.bin.SetText(v.Bin)
		f.active.SetChecked(v.Active)
		form.Append("Status", f.active)
	}
	form.Refresh()

	for _, e := range []*widget.Entry{f.sku, f.name, f.title, f.price, f.cost, f.currency, f.barcodes, f.bin} {
		e.OnSubmitted = func(string) { f.onSave() }
	}
	f.cancel = widget.NewButton("Cancel", func() { f.dialog.Hide() })
	f.save = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.dialog = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, f.message), sc.a.win)
	f.dialog.SetButtons([]fyne.CanvasObject{f.cancel, f.save})
	f.dialog.SetOnClosed(func() {
		if sc.form == f {
			sc.form = nil
		}
	})
	f.dialog.Resize(fyne.NewSize(560, f.dialog.MinSize().Height))
	sc.form = f
	f.dialog.Show()
	if c := sc.a.win.Canvas(); c != nil {
		if v == nil {
			c.Focus(f.sku)
		} else {
			c.Focus(f.name)
		}
	}
}

// problem shows what is wrong and puts the cursor where it can be put right.
func (f *productForm) problem(msg string, field fyne.Focusable) {
	showFormProblem(f.sc.a.win, f.dialog, f.message, 560, msg, field)
}

// onSave checks what a person typed, then adds or updates the SKU in the background.
func (f *productForm) onSave() {
	currency := strings.ToUpper(strings.TrimSpace(f.currency.Text))
	if !data.ValidCurrency(currency) {
		f.problem("The currency is a three-letter code such as GBP, EUR or USD.", f.currency)
		return
	}
	if strings.TrimSpace(f.price.Text) == "" {
		f.problem("Type a price, such as 24.00.", f.price)
		return
	}
	price, err := data.ParseMoney(f.price.Text, currency)
	if err != nil {
		f.problem("Price: "+err.Error()+".", f.price)
		return
	}
	var cost int64
	if strings.TrimSpace(f.cost.Text) != "" {
		if cost, err = data.ParseMoney(f.cost.Text, currency); err != nil {
			f.problem("Cost: "+err.Error()+".", f.cost)
			return
		}
	}
	var barcodes []string
	for _, b := range strings.Split(f.barcodes.Text, ",") {
		if b = strings.TrimSpace(b); b != "" {
			barcodes = append(barcodes, b)
		}
	}
	sc, st := f.sc, f.sc.a.store
	f.save.Disable()
	if f.editing == nil {
		n := data.NewVariant{
			SKU: strings.TrimSpace(f.sku.Text), ProductName: f.name.Text, Title: f.title.Text, Barcodes: barcodes,
			Price: price, Cost: cost, Currency: currency, Location: f.location.Selected, Bin: strings.TrimSpace(f.bin.Text),
		}
		run(sc.a.bg, func(ctx context.Context) (data.Variant, error) {
			return st.AddVariant(ctx, n)
		}, f.done)
		return
	}
	name, title, bin, active := f.name.Text, f.title.Text, strings.TrimSpace(f.bin.Text), f.active.Checked
	u := data.VariantUpdate{ProductName: &name, Title: &title, Barcodes: &barcodes, Price: &price, Currency: &currency, Bin: &bin, Active: &active}
	if st.Can(data.PermViewCosts) {
		u.Cost = &cost
	}
	sku := f.editing.SKU
	run(sc.a.bg, func(ctx context.Context) (data.Variant, error) {
		return st.UpdateVariant(ctx, sku, u)
	}, f.done)
}

func (f *productForm) done(v data.Variant, err error) {
	f.save.Enable()
	if err != nil {
		f.problem(data.UserMessage(err), nil)
		return
	}
	f.dialog.Hide()
	f.sc.afterChange()
	f.sc.openSKU(v.SKU)
}

// adjustForm is the Adjust stock dialog: a signed change, its kind, why, and where.
type adjustForm struct {
	sc       *inventoryScreen
	sku      string
	delta    *widget.Entry
	kind     *widget.Select
	note     *widget.Entry
	location *widget.Select
	message  *widget.Label
	save     *widget.Button
	dialog   *dialog.CustomDialog
}

func (sc *inventoryScreen) onAdjust() {
	if sc.shown == nil {
		return
	}
	v := sc.shown.variant
	f := &adjustForm{sc: sc, sku: v.SKU}
	f.delta = widget.NewEntry()
	f.delta.SetPlaceHolder("e.g. -2 or +10")
	var kinds []string
	for _, k := range adjustKinds {
		kinds = append(kinds, k.title)
	}
	f.kind = widget.NewSelect(kinds, nil)
	f.kind.SetSelected(kinds[0])
	f.note = widget.NewEntry()
	f.note.SetPlaceHolder("e.g. dropped two in the stockroom")
	f.location = widget.NewSelect(nil, nil)
	for _, l := range sc.locations {
		f.location.Options = append(f.location.Options, l.Name)
	}
	switch {
	case sc.locationID() != "":
		f.location.SetSelected(sc.location.Selected)
	case sc.locationName(v.LocationID) != "":
		f.location.SetSelected(sc.locationName(v.LocationID))
	}
	f.message = widget.NewLabel("")
	f.message.Importance = widget.DangerImportance
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()

	form := widget.NewForm(
		&widget.FormItem{Text: "Change", Widget: f.delta, HintText: "Units added (+) or taken away (−); for a count, the difference found"},
		widget.NewFormItem("Kind", f.kind),
		&widget.FormItem{Text: "Reason", Widget: f.note, HintText: "Required: the ledger keeps it for good"},
	)
	if len(f.location.Options) > 1 {
		form.Append("Location", f.location)
	}
	f.delta.OnSubmitted = func(string) { f.onSave() }
	f.note.OnSubmitted = func(string) { f.onSave() }

	cancel := widget.NewButton("Cancel", func() { f.dialog.Hide() })
	f.save = widget.NewButtonWithIcon("Record", theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.dialog = dialog.NewCustomWithoutButtons("Adjust stock of "+v.SKU, container.NewVBox(form, f.message), sc.a.win)
	f.dialog.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.dialog.SetOnClosed(func() {
		if sc.adjustment == f {
			sc.adjustment = nil
		}
	})
	f.dialog.Resize(fyne.NewSize(520, f.dialog.MinSize().Height))
	sc.adjustment = f
	f.dialog.Show()
	if c := sc.a.win.Canvas(); c != nil {
		c.Focus(f.delta)
	}
}

// problem shows what is wrong and puts the cursor where it can be put right.
func (f *adjustForm) problem(msg string, field fyne.Focusable) {
	showFormProblem(f.sc.a.win, f.dialog, f.message, 520, msg, field)
}

// onSave records the movement in the background.
func (f *adjustForm) onSave() {
	text := strings.TrimPrefix(strings.TrimSpace(f.delta.Text), "+")
	text = strings.Replace(text, "−", "-", 1)
	delta, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		f.problem("Type the change as a whole number, such as -2 or +10.", f.delta)
		return
	}
	if delta == 0 {
		f.problem("A change of 0 changes nothing.", f.delta)
		return
	}
	if strings.TrimSpace(f.note.Text) == "" {
		f.problem("Say why the stock changes: the ledger keeps the reason.", f.note)
		return
	}
	adj := data.Adjustment{SKU: f.sku, Delta: delta, Note: f.note.Text, Location: f.location.Selected}
	for _, k := range adjustKinds {
		if k.title == f.kind.Selected {
			adj.Reason = k.reason
		}
	}
	st := f.sc.a.store
	f.save.Disable()
	run(f.sc.a.bg, func(ctx context.Context) (data.Movement, error) {
		return st.AdjustStock(ctx, adj)
	}, func(_ data.Movement, err error) {
		f.save.Enable()
		if err != nil {
			f.problem(data.UserMessage(err), nil)
			return
		}
		f.dialog.Hide()
		f.sc.afterChange()
	})
}
