package app

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
)

// notMapped is the choice for a field the file has no column for.
const notMapped = "(not in this file)"

// The kinds a mapped layout can hold, as the dialog names them.
var mappingKinds = []struct {
	kind  importers.Kind
	label string
}{
	{importers.KindOrders, "Orders"},
	{importers.KindProducts, "Products"},
	{importers.KindStock, "Stock counts"},
}

// The date orders of importers.DateOrders, with an example each.
var dateOrderLabels = map[string]string{
	"YMD": "Year first: 2026-03-31",
	"MDY": "Month first: 03/31/2026",
	"DMY": "Day first: 31/03/2026",
}

// mappingDialog asks which column of an unknown layout holds what. It is saved under the header's
// signature, so the next file with the same columns imports without asking.
type mappingDialog struct {
	sc   *importsScreen
	job  *importJob
	info *fileInfo

	d         *dialog.CustomDialog
	name      *widget.Entry
	kind      *widget.RadioGroup
	channel   *widget.SelectEntry
	dateOrder *widget.Select
	currency  *widget.Entry
	fieldBox  *fyne.Container
	fields    []importers.Field
	columns   map[string]*widget.Select // field key → its column
	samples   map[string]*widget.RichText
	message   *widget.Label
	save      *widget.Button
}

// openMapping shows the mapping dialog for a file, filled in from its saved mapping or from guesses
// made from the column names.
func (sc *importsScreen) openMapping(job *importJob) {
	if job.info == nil {
		return
	}
	if !sc.a.store.Can(data.PermImport) {
		dialog.ShowInformation("Map columns", "Only the shop's owner can teach Backroom a new layout.", sc.a.win)
		return
	}
	m := &mappingDialog{sc: sc, job: job, info: job.info, columns: map[string]*widget.Select{}, samples: map[string]*widget.RichText{}}
	sc.mapping = m
	m.build()
}

func (m *mappingDialog) build() {
	info := m.info
	saved := info.mapping
	m.name = widget.NewEntry()
	m.name.SetPlaceHolder("such as Faire orders")
	m.channel = widget.NewSelectEntry([]string{"shopify", "etsy", "amazon", "ebay", "woocommerce", "tiktok"})
	m.channel.SetPlaceHolder("such as faire")
	var labels []string
	for _, k := range mappingKinds {
		labels = append(labels, k.label)
	}
	m.kind = widget.NewRadioGroup(labels, nil)
	m.kind.Horizontal = true
	m.kind.Required = true
	var dateLabels []string
	for _, o := range importers.DateOrders {
		dateLabels = append(dateLabels, dateOrderLabels[o])
	}
	m.dateOrder = widget.NewSelect(dateLabels, nil)
	m.currency = widget.NewEntry()
	m.currency.SetPlaceHolder("the shop's " + info.currency)
	m.message = widget.NewLabel("")
	m.message.Importance = widget.DangerImportance
	m.message.Wrapping = fyne.TextWrapWord
	m.message.Hide()
	m.fieldBox = container.NewVBox()

	kind := guessKind(info.header)
	order := guessDateOrder(info.header, info.preview)
	if saved != nil {
		m.name.SetText(saved.Name)
		m.channel.SetText(saved.Channel)
		kind = importers.Kind(saved.Kind)
		if o := saved.Options["date_order"]; o != "" {
			order = o
		}
		m.currency.SetText(saved.Options["currency"])
	}
	m.dateOrder.SetSelected(dateOrderLabels[order])
	m.kind.SetSelected(kindLabel(kind))
	m.showFields(kind, saved)
	m.kind.OnChanged = func(label string) { m.showFields(kindOfLabel(label), nil) }

	intro := widget.NewLabel(fmt.Sprintf("Backroom does not know the layout of %s. Say which column holds what; the mapping is saved, "+
		"and the next file with these %d columns imports without asking.", m.job.src.name, len(info.header)))
	intro.Wrapping = fyne.TextWrapWord
	about := widget.NewForm(
		widget.NewFormItem("The file holds", m.kind),
		widget.NewFormItem("Layout name", m.name),
		widget.NewFormItem("Channel", m.channel),
		widget.NewFormItem("Dates are written", m.dateOrder),
		widget.NewFormItem("Currency", m.currency),
	)
	about.Items[2].HintText = "where the orders were sold, in lower case: faire, notonthehighstreet…"
	about.Items[4].HintText = "for amounts when no column names the currency; empty is the shop's " + info.currency
	heads := container.New(&gridColumnsLayout{widths: []float32{190, 230, 180}, grow: 2},
		boldLabel("Field"), boldLabel("Column in the file"), boldLabel("First value"))
	body := container.NewVBox(intro, about, widget.NewSeparator(), heads, m.fieldBox)

	m.save = widget.NewButtonWithIcon("Save and import", theme.ConfirmIcon(), m.onSave)
	m.save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { m.d.Hide() })
	scroll := container.NewVScroll(container.NewPadded(body))
	m.d = dialog.NewCustomWithoutButtons("Map the columns of "+m.job.src.name,
		container.NewBorder(nil, m.message, nil, nil, scroll), m.sc.a.win)
	m.d.SetButtons([]fyne.CanvasObject{cancel, m.save})
	m.d.Resize(fyne.NewSize(760, 620))
	m.d.Show()
	m.sc.a.win.Canvas().Focus(m.name)
}

func boldLabel(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func kindLabel(k importers.Kind) string {
	for _, mk := range mappingKinds {
		if mk.kind == k {
			return mk.label
		}
	}
	return mappingKinds[0].label
}

func kindOfLabel(label string) importers.Kind {
	for _, mk := range mappingKinds {
		if mk.label == label {
			return mk.kind
		}
	}
	return importers.KindOrders
}

// showFields lists the fields of a kind of file, each with a choice of the file's columns, set from a
// saved mapping or guessed from the column names.
func (m *mappingDialog) showFields(kind importers.Kind, saved *data.ColumnMapping) {
	m.fields = importers.MappingFields(kind)
	m.columns = map[string]*widget.Select{}
	m.samples = map[string]*widget.RichText{}
	chosen := guessColumns(m.fields, m.info.header)
	if saved != nil {
		chosen = saved.Columns
	}
	options := append([]string{notMapped}, m.info.header...)
	var rows []fyne.CanvasObject
	for _, f := range m.fields {
		label := f.Label
		if f.Required {
			label += " *"
		}
		name := widget.NewLabel(label)
		name.Truncation = fyne.TextTruncateEllipsis
		sample := mutedLine("")
		sel := widget.NewSelect(options, func(col string) { setMutedText(sample, m.sampleOf(col)) })
		if col := chosen[f.Key]; col != "" {
			sel.SetSelected(col)
		} else {
			sel.SetSelected(notMapped)
		}
		m.columns[f.Key], m.samples[f.Key] = sel, sample
		row := container.New(&gridColumnsLayout{widths: []float32{190, 230, 180}, grow: 2}, name, sel, sample)
		rows = append(rows, row)
		if f.Hint != "" {
			rows = append(rows, container.New(&gridColumnsLayout{widths: []float32{190, 410}, grow: 1}, canvasStrut(0, 0), mutedLine(f.Hint)))
		}
	}
	m.fieldBox.Objects = rows
	m.fieldBox.Refresh()
	if m.channel != nil {
		if kind == importers.KindOrders {
			m.channel.Enable()
		} else {
			m.channel.Disable()
		}
	}
}

// sampleOf is the first value the preview has in a column, so the owner sees what they picked.
func (m *mappingDialog) sampleOf(col string) string {
	if col == "" || col == notMapped {
		return ""
	}
	for i, h := range m.info.header {
		if h != col {
			continue
		}
		for _, r := range m.info.preview {
			if v := strings.TrimSpace(r.Cell(i)); v != "" {
				return oneLine(v)
			}
		}
		return "(empty in the first rows)"
	}
	return ""
}

// mappingFromForm reads the dialog into a mapping, or says what is missing.
func (m *mappingDialog) mappingFromForm() (data.ColumnMapping, string) {
	kind := kindOfLabel(m.kind.Selected)
	cm := data.ColumnMapping{Signature: m.info.signature, Name: strings.TrimSpace(m.name.Text), Header: m.info.header,
		Kind: string(kind), Columns: map[string]string{}, Options: map[string]string{}}
	if kind == importers.KindOrders {
		cm.Channel = strings.ToLower(strings.TrimSpace(m.channel.Text))
	}
	for _, f := range m.fields {
		if col := m.columns[f.Key].Selected; col != "" && col != notMapped {
			cm.Columns[f.Key] = col
		}
	}
	for code, label := range dateOrderLabels {
		if label == m.dateOrder.Selected {
			cm.Options["date_order"] = code
		}
	}
	if c := strings.ToUpper(strings.TrimSpace(m.currency.Text)); c != "" {
		if !data.ValidCurrency(c) {
			return cm, fmt.Sprintf("%q is not a currency code; write one like GBP, EUR or USD, or leave it empty.", c)
		}
		cm.Options["currency"] = c
	}
	switch {
	case cm.Name == "":
		return cm, "Give the layout a name, such as “Faire orders”, so you recognise it in the history."
	case kind == importers.KindOrders && cm.Channel == "":
		return cm, "Say which channel these orders were sold on."
	}
	var missing []string
	for _, f := range m.fields {
		if f.Required && cm.Columns[f.Key] == "" {
			missing = append(missing, f.Label)
		}
	}
	if len(missing) > 0 {
		return cm, "Choose the column for " + strings.Join(missing, ", ") + "."
	}
	if kind == importers.KindOrders && cm.Columns["sku"] == "" && cm.Columns["item_name"] == "" {
		return cm, "Choose the column with the SKU or the item name, so Backroom knows what was sold."
	}
	return cm, ""
}

// onSave stores the mapping and imports the file with it.
func (m *mappingDialog) onSave() {
	cm, problem := m.mappingFromForm()
	if problem != "" {
		showFormProblem(m.sc.a.win, m.d, m.message, 760, problem, nil)
		return
	}
	store := m.sc.a.store
	m.save.Disable()
	run(m.sc.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.SaveColumnMapping(ctx, cm)
	}, func(_ struct{}, err error) {
		m.save.Enable()
		if err != nil {
			showFormProblem(m.sc.a.win, m.d, m.message, 760, data.UserMessage(err), nil)
			return
		}
		m.d.Hide()
		m.info.useMapping(cm)
		// Other queued files with the same columns read with it too.
		for _, j := range m.sc.jobs {
			if j != m.job && j.info != nil && j.info.signature == cm.Signature {
				j.info.useMapping(cm)
			}
		}
		m.sc.setNote(fmt.Sprintf("Saved the layout “%s”: files with these columns now import without asking.", cm.Name), widget.SuccessImportance)
		m.sc.updateQueue()
		if m.sc.shown == m.job {
			m.sc.showJob(m.job)
		}
		if m.job.state == jobReady || m.job.state == jobDone {
			m.sc.onImportJob(m.job)
		}
	})
}

// onImportJob imports a job as the Import button does, after putting it on display.
func (sc *importsScreen) onImportJob(job *importJob) {
	if sc.shown != job {
		sc.showJob(job)
	}
	sc.onImport()
}

// guessKind tells an order export from a product list or a stock count by its column names.
func guessKind(header []string) importers.Kind {
	has := func(words ...string) bool {
		for _, h := range header {
			n := strings.ToLower(h)
			for _, w := range words {
				if strings.Contains(n, w) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("order"):
		return importers.KindOrders
	case has("price", "cost", "barcode", "ean", "upc", "title", "name"):
		return importers.KindProducts
	case has("sku") && has("qty", "quantity", "stock", "on hand", "count"):
		return importers.KindStock
	}
	return importers.KindOrders
}

// columnWords are the words that name each field in the headers of exports Backroom does not know, best
// first. An exact match wins over a column that only contains the word.
var columnWords = map[string][]string{
	"order_id":       {"order id", "order number", "order no", "order #", "order ref", "order reference", "order", "reference"},
	"date":           {"order date", "date", "created", "placed", "purchase date"},
	"quantity":       {"quantity", "qty", "units", "stock on hand", "on hand", "stock", "count"},
	"sku":            {"sku", "item sku", "product code", "item code", "code"},
	"item_name":      {"item name", "product name", "item", "product", "title", "description"},
	"unit_price":     {"unit price", "item price", "price"},
	"currency":       {"currency"},
	"status":         {"order status", "status"},
	"shipped_date":   {"shipped date", "ship date", "shipped", "dispatched"},
	"customer_name":  {"customer name", "buyer name", "customer", "buyer"},
	"customer_email": {"email", "e-mail"},
	"total":          {"order total", "total"},
	"shipping":       {"shipping", "postage", "delivery"},
	"tax":            {"tax", "vat"},
	"ship_name":      {"ship to name", "recipient", "ship name"},
	"ship_address1":  {"address 1", "address1", "address", "street"},
	"ship_city":      {"city", "town"},
	"ship_region":    {"state", "region", "county", "province"},
	"ship_postcode":  {"postcode", "post code", "zip", "postal code"},
	"ship_country":   {"country"},
	"name":           {"product name", "name", "product", "title"},
	"title":          {"variant", "option", "colour", "color", "size"},
	"price":          {"price", "retail price"},
	"cost":           {"cost", "unit cost"},
	"barcode":        {"barcode", "ean", "upc", "gtin"},
	"location":       {"location", "warehouse", "bin"},
}

// guessColumns picks a column for each field by its name; each column is used once, fields in order.
func guessColumns(fields []importers.Field, header []string) map[string]string {
	used := map[int]bool{}
	out := map[string]string{}
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = strings.Join(strings.Fields(strings.ToLower(strings.NewReplacer("_", " ", "-", " ", ".", " ").Replace(h))), " ")
	}
	find := func(word string, exact bool) int {
		for i, n := range norm {
			if used[i] || n == "" {
				continue
			}
			if exact && n == word || !exact && strings.Contains(n, word) {
				return i
			}
		}
		return -1
	}
	for _, exact := range []bool{true, false} {
		for _, f := range fields {
			if _, done := out[f.Key]; done {
				continue
			}
			for _, w := range columnWords[f.Key] {
				if i := find(w, exact); i >= 0 {
					used[i], out[f.Key] = true, header[i]
					break
				}
			}
		}
	}
	return out
}

var numericDate = regexp.MustCompile(`^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{2,4})`)

// guessDateOrder reads the first dates of a file: a first part over 12 is a day, a second part over 12
// is a day, a four-digit first part is a year. It falls back to year first, the unambiguous default.
func guessDateOrder(header []string, rows []importers.Row) string {
	dateCols := map[int]bool{}
	for i, h := range header {
		if n := strings.ToLower(h); strings.Contains(n, "date") || strings.Contains(n, "created") || strings.Contains(n, "placed") {
			dateCols[i] = true
		}
	}
	order := ""
	for _, r := range rows {
		for i := range dateCols {
			m := numericDate.FindStringSubmatch(strings.TrimSpace(r.Cell(i)))
			if m == nil {
				continue
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			switch {
			case len(m[1]) == 4:
				return "YMD"
			case a > 12:
				return "DMY"
			case b > 12:
				return "MDY"
			}
			order = "MDY" // ambiguous so far: month first is the commonest export
		}
	}
	if order == "" {
		return "YMD"
	}
	return order
}
