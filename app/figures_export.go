package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

// workbook is a set of figure tables to save as one .xlsx file, with a last sheet saying what they are.
type workbook struct {
	sheets []figureSheet
	about  [][2]string // the "About" sheet: what, period, when saved…; none when empty
}

// figureSheet is a table of figures as a spreadsheet wants it: typed cells, so the spreadsheet sums the
// money, sorts the dates and shows percentages itself. A cell is one of
//
//	string          text
//	int, int64      a whole number
//	float64         a number, shown with one decimal (a rate per hour)
//	data.Money      a number in its currency's format (£1,234.50), not text: sums work
//	ratio           a share, shown as a percentage
//	dateCell        a date (and time) in the zone the screen shows, in a given format
//	time.Time       a date and time, in this computer's zone
//	time.Duration   a length of time as hours and minutes ([h]:mm)
//	nil             an empty cell
type figureSheet struct {
	name    string // at most 31 characters, none of []:*?/\
	columns []string
	rows    [][]any
	// totals is the index of the first totals row, drawn bold; len(rows) or more for none.
	totals int
}

// ratio is a share (0.375) written as a percentage (37.5%).
type ratio float64

// dateCell is a date written as a spreadsheet date with format, such as "yyyy-mm-dd" or "mmmm yyyy".
type dateCell struct {
	t      time.Time
	format string
}

const (
	xlsxDate     = "yyyy-mm-dd"
	xlsxDateTime = "yyyy-mm-dd hh:mm"
	xlsxMonth    = "mmmm yyyy"
	xlsxDuration = "[h]:mm"
	xlsxPercent  = "0.0%"
)

// writeWorkbook writes b as an .xlsx workbook: per sheet a bold header row, frozen so it stays in view,
// columns wide enough for what they hold, and every number stored as a number with its format.
func writeWorkbook(w io.Writer, b workbook) error {
	f := excelize.NewFile()
	defer f.Close()
	styles := xlsxStyles{f: f, ids: map[string]int{}}
	first := true
	for _, sh := range b.sheets {
		if err := writeSheet(f, &styles, sh, first); err != nil {
			return fmt.Errorf("write sheet %s: %w", sh.name, err)
		}
		first = false
	}
	if len(b.about) > 0 {
		if err := writeAbout(f, &styles, b.about); err != nil {
			return fmt.Errorf("write sheet About: %w", err)
		}
	}
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "Backroom", Title: b.sheets[0].name}); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

func writeSheet(f *excelize.File, styles *xlsxStyles, sh figureSheet, first bool) error {
	if first {
		if err := f.SetSheetName("Sheet1", sh.name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(sh.name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sh.name)
	if err != nil {
		return err
	}
	for c, width := range columnWidths(sh) {
		if err := sw.SetColWidth(c+1, c+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	head, err := styles.id("text", "", true)
	if err != nil {
		return err
	}
	cells := make([]any, len(sh.columns))
	for c, title := range sh.columns {
		cells[c] = excelize.Cell{StyleID: head, Value: title}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for r, row := range sh.rows {
		cells := make([]any, len(row))
		for c, v := range row {
			if cells[c], err = styles.cell(v, r >= sh.totals); err != nil {
				return err
			}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", r+2), cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// writeAbout writes the About sheet: names in bold, what they say beside them, no header.
func writeAbout(f *excelize.File, styles *xlsxStyles, rows [][2]string) error {
	const name = "About"
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 16); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 100); err != nil {
		return err
	}
	bold, err := styles.id("text", "", true)
	if err != nil {
		return err
	}
	for r, row := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", r+1), []any{excelize.Cell{StyleID: bold, Value: row[0]}, row[1]}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxStyles makes each cell style once: by kind of value, currency and boldness.
type xlsxStyles struct {
	f   *excelize.File
	ids map[string]int
}

func (s *xlsxStyles) id(format, currency string, bold bool) (int, error) {
	key := fmt.Sprintf("%s|%s|%v", format, currency, bold)
	if id, ok := s.ids[key]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if bold {
		st.Font = &excelize.Font{Bold: true}
	}
	switch format {
	case "text":
	case "int":
		st.NumFmt = 3 // #,##0
	case "money":
		code := moneyFormat(currency)
		st.CustomNumFmt = &code
	default:
		code := format
		st.CustomNumFmt = &code
	}
	id, err := s.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	s.ids[key] = id
	return id, nil
}

// cell turns a figureSheet value into a styled spreadsheet cell.
func (s *xlsxStyles) cell(v any, bold bool) (excelize.Cell, error) {
	format, currency := "text", ""
	switch x := v.(type) {
	case nil:
	case string:
		// Stored as text: a workbook's cells carry their type, so "=SUM(…)" in a name is never run.
	case int, int64:
		format = "int"
	case float64:
		format = "#,##0.0"
	case data.Money:
		format, currency = "money", x.Currency
		v = float64(x.Amount) / pow10(data.MinorDigits(x.Currency))
	case ratio:
		format, v = xlsxPercent, float64(x)
	case dateCell:
		format, v = x.format, excelSerial(x.t)
	case time.Time:
		if x.IsZero() {
			v = nil
			break
		}
		format, v = xlsxDateTime, excelSerial(x.Local())
	case time.Duration:
		format, v = xlsxDuration, x.Hours()/24
	default:
		return excelize.Cell{}, fmt.Errorf("a figure of type %T has no cell format", v)
	}
	id, err := s.id(format, currency, bold)
	return excelize.Cell{StyleID: id, Value: v}, err
}

func pow10(n int) float64 {
	p := 1.0
	for range n {
		p *= 10
	}
	return p
}

// excelSerial is t's wall-clock date and time as a spreadsheet serial number: days since 30 December
// 1899, the fraction being the time of day. The wall clock, not the instant, so a sale at 00:30 in
// London shows on its own day whatever zone the spreadsheet is opened in.
func excelSerial(t time.Time) float64 {
	y, m, d := t.Date()
	wall := time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	return wall.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

// moneyFormat is a spreadsheet number format showing a currency's amounts as FormatMoney writes them:
// its symbol or code, grouped thousands and the currency's decimals, negatives with a minus.
func moneyFormat(currency string) string {
	number := "#,##0"
	if d := data.MinorDigits(currency); d > 0 {
		number += "." + strings.Repeat("0", d)
	}
	zero := data.FormatMoney(0, currency) // "£0.00", or "0.00 SEK" for a currency without a symbol
	if i := strings.IndexAny(zero, "0123456789"); i > 0 {
		sym := `"` + zero[:i] + `"`
		return sym + number + ";-" + sym + number
	}
	code := ` "` + currency + `"`
	return number + code + ";-" + number + code
}

// columnWidths sizes each column to its header and widest value as shown, in characters, within reason.
func columnWidths(sh figureSheet) []float64 {
	widths := make([]float64, len(sh.columns))
	for c, title := range sh.columns {
		widths[c] = float64(utf8.RuneCountInString(title))
	}
	for _, row := range sh.rows {
		for c, v := range row {
			widths[c] = max(widths[c], float64(utf8.RuneCountInString(shownText(v))))
		}
	}
	for c := range widths {
		widths[c] = min(max(widths[c]+2, 8), 60)
	}
	return widths
}

// shownText is about what a spreadsheet shows for a value, for sizing its column.
func shownText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return groupDigits(int64(x))
	case int64:
		return groupDigits(x)
	case data.Money:
		return data.FormatMoney(x.Amount, x.Currency)
	case ratio:
		return "100.0%"
	case dateCell:
		if x.format == xlsxMonth {
			return "September 2026"
		}
		return x.format
	case time.Time:
		return xlsxDateTime
	case time.Duration:
		return "1000:00"
	}
	return fmt.Sprint(v)
}

// xlsxSaver saves workbooks where the person chooses, writing them off the UI goroutine.
type xlsxSaver struct {
	a *App
	// choose asks where to save a file named name; tests replace it to skip the dialog.
	choose func(name string, save func(fyne.URIWriteCloser, error))
	// saved is where the last workbook went, for the message and for tests.
	saved string
}

func newXLSXSaver(a *App) *xlsxSaver {
	x := &xlsxSaver{a: a}
	x.choose = func(name string, save func(fyne.URIWriteCloser, error)) {
		d := dialog.NewFileSave(save, a.win)
		d.SetFileName(name)
		d.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx"}))
		d.Resize(fyne.NewSize(860, 560))
		d.Show()
	}
	return x
}

// button is an "Export xlsx…" button saving what book returns as a file named after what (sales,
// carriers…) and today. book runs on the UI goroutine when tapped; it returns false when there is
// nothing to save yet. The button starts disabled: its screen enables it once there are figures.
func (x *xlsxSaver) button(what string, book func() (workbook, bool)) *widget.Button {
	b := widget.NewButtonWithIcon("Export xlsx…", theme.DocumentSaveIcon(), func() {
		wb, ok := book()
		if !ok {
			dialog.ShowInformation("Nothing to export", "There are no figures to save yet.", x.a.win)
			return
		}
		x.save(fmt.Sprintf("backroom-%s-%s.xlsx", what, x.a.store.Now().In(time.Local).Format("2006-01-02")), wb)
	})
	b.Importance = widget.LowImportance
	b.Disable()
	return b
}

// save asks where to save wb, then writes it in the background. A failed write removes its file.
func (x *xlsxSaver) save(name string, wb workbook) {
	x.choose(name, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(x.a.win, err)
			return
		}
		if wc == nil {
			return // the person closed the dialog
		}
		run(x.a.bg, func(context.Context) (struct{}, error) {
			err := writeWorkbook(wc, wb)
			if cerr := wc.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("close %s: %w", wc.URI().Name(), cerr)
			}
			if err != nil {
				_ = storage.Delete(wc.URI())
			}
			return struct{}{}, err
		}, func(_ struct{}, err error) {
			if err != nil {
				showError(x.a.win, err)
				return
			}
			x.saved = wc.URI().Path()
			dialog.ShowInformation("Saved", "Saved "+x.saved, x.a.win)
		})
	})
}

// cardHeading is a dashboard card's title and note with its actions (Export xlsx…) on the right.
func cardHeading(title, note string, actions ...fyne.CanvasObject) fyne.CanvasObject {
	h := sectionHeading(title, note)
	if len(actions) == 0 {
		return h
	}
	return container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(actions...)), h)
}

// The dashboard's cards as workbooks. Each saves the whole list behind its card, where the card shows
// the first few.

// salesWorkbook is the sales card as a spreadsheet: a row per channel and currency, a total per currency.
func (sc *dashboardScreen) salesWorkbook() (workbook, bool) {
	if len(sc.lastSales) == 0 {
		return workbook{}, false
	}
	sh := figureSheet{name: "Sales by channel", columns: []string{"Channel", "Currency", "Orders", "Revenue", "Cost of goods", "Gross margin", "Margin %"}}
	row := func(name string, cs data.ChannelSales) []any {
		money := func(v int64) data.Money { return data.Money{Amount: v, Currency: cs.Currency} }
		var pct any
		if cs.Revenue != 0 {
			pct = ratio(float64(cs.Revenue-cs.Cost) / float64(cs.Revenue))
		}
		return []any{name, cs.Currency, cs.Orders, money(cs.Revenue), money(cs.Cost), money(cs.Revenue - cs.Cost), pct}
	}
	totals := map[string]*data.ChannelSales{}
	var currencies []string
	for _, cs := range sc.lastSales {
		sh.rows = append(sh.rows, row(channelLabel(cs.Channel), cs))
		t := totals[cs.Currency]
		if t == nil {
			t = &data.ChannelSales{Currency: cs.Currency}
			totals[cs.Currency] = t
			currencies = append(currencies, cs.Currency)
		}
		t.Orders += cs.Orders
		t.Revenue += cs.Revenue
		t.Cost += cs.Cost
	}
	sh.totals = len(sh.rows)
	for _, c := range currencies {
		sh.rows = append(sh.rows, row("Total "+c, *totals[c]))
	}
	now := sc.a.store.Now()
	return workbook{sheets: []figureSheet{sh}, about: [][2]string{
		{"Report", "Sales by channel, last 30 days"},
		{"From", now.AddDate(0, 0, -30).In(time.Local).Format("2 January 2006 15:04")},
		{"To", now.In(time.Local).Format("2 January 2006 15:04")},
		{"Revenue", "Order totals (shipping and tax included); cancelled orders are left out."},
		{"Cost of goods", "Each unit at the cost in force when its order was placed."},
	}}, true
}

// returnsWorkbook is the returns card as a spreadsheet: every product shipped with its returns (the card
// shows the top few), and the returned units per reason.
func (sc *dashboardScreen) returnsWorkbook() (workbook, bool) {
	if len(sc.lastReturns) == 0 {
		return workbook{}, false
	}
	rates := figureSheet{name: "Return rates", columns: []string{"SKU", "Product", "Shipped", "Returned", "Return rate"}}
	for _, r := range sc.lastReturns {
		rates.rows = append(rates.rows, []any{r.SKU, r.Name, r.Sold, r.Returned, ratio(r.Rate)})
	}
	rates.totals = len(rates.rows)
	reasons := figureSheet{name: "Reasons", columns: []string{"Reason", "Units returned"}}
	for _, reason := range data.ReturnReasons() {
		reasons.rows = append(reasons.rows, []any{returnReasonLabels()[reason], sc.lastReasons[reason]})
	}
	reasons.totals = len(reasons.rows)
	now := sc.a.store.Now()
	return workbook{sheets: []figureSheet{rates, reasons}, about: [][2]string{
		{"Report", "Returns"},
		{"Orders", fmt.Sprintf("Shipped from %s to %s", now.AddDate(0, 0, -returnDays).In(time.Local).Format("2 January 2006"),
			now.In(time.Local).Format("2 January 2006"))},
		{"Return rate", "Units returned ÷ units shipped, counted against the orders they came from."},
		{"Order", "By return rate × units returned, highest first, as on the dashboard."},
	}}, true
}

// bottlenecksWorkbook is the bottlenecks card as a spreadsheet: the waits per status, and every stuck
// order (the card lists the first few).
func (c *opsCards) bottlenecksWorkbook() (workbook, bool) {
	if c.last == nil {
		return workbook{}, false
	}
	d := c.last
	ages := figureSheet{name: "Waits", columns: []string{"Status", "Orders", "Average (h:mm)", "Median (h:mm)", "Longest (h:mm)"}}
	for _, a := range d.ages {
		row := []any{statusLabel(a.Status), a.Orders, nil, nil, nil}
		if a.Orders > 0 {
			row[2], row[3], row[4] = a.Average, a.Median, a.Longest
		}
		ages.rows = append(ages.rows, row)
	}
	ages.totals = len(ages.rows)
	stuck := figureSheet{name: "Stuck orders", columns: []string{"Order", "Channel", "Status", "Since", "Waiting (h:mm)"}}
	for _, st := range d.stuck {
		stuck.rows = append(stuck.rows, []any{st.Order.ExternalID, channelLabel(st.Order.Channel), statusLabel(st.Status),
			dateCell{st.Since.In(time.Local), xlsxDateTime}, d.now.Sub(st.Since)})
	}
	stuck.totals = len(stuck.rows)
	return workbook{sheets: []figureSheet{ages, stuck}, about: [][2]string{
		{"Report", "Bottlenecks"},
		{"Waits", fmt.Sprintf("How long the orders placed in the %d days to %s waited in each open status; an open order's wait runs until then.",
			opsDays, d.now.In(time.Local).Format("2 January 2006 15:04"))},
		{"Stuck orders", fmt.Sprintf("Open orders in their status for longer than %s.", thresholdText(c.stuckAfter))},
	}}, true
}

// carriersWorkbook is the carriers card as a spreadsheet, with the counts behind each rate.
func (c *opsCards) carriersWorkbook() (workbook, bool) {
	if c.last == nil || len(c.last.carriers) == 0 {
		return workbook{}, false
	}
	sh := figureSheet{name: "Carriers", columns: []string{"Carrier", "Service", "Shipped", "With ship-by date", "On time",
		"On-time rate", "Delivered", "Average transit (h:mm)"}}
	for _, f := range c.last.carriers {
		row := []any{f.Carrier, f.Service, f.Shipped, f.WithShipBy, f.OnTime, nil, f.Delivered, nil}
		if f.WithShipBy > 0 {
			row[5] = ratio(f.OnTimeRate())
		}
		if f.Delivered > 0 {
			row[7] = f.AverageTransit
		}
		sh.rows = append(sh.rows, row)
	}
	sh.totals = len(sh.rows)
	return workbook{sheets: []figureSheet{sh}, about: [][2]string{
		{"Report", fmt.Sprintf("Carriers, the %d days to %s", opsDays, c.last.now.In(time.Local).Format("2 January 2006 15:04"))},
		{"On time", "Handed over by the order's ship-by date, of the parcels whose order had one."},
		{"Transit", "Handover to delivery, where the delivery date is known."},
	}}, true
}

// workbook is the packing figures as a spreadsheet, one row per person and day.
func (pf *packingFigures) workbook() (workbook, bool) {
	if len(pf.days) == 0 {
		return workbook{}, false
	}
	sh := figureSheet{name: "Packing", columns: []string{"Day", "Person", "Orders", "Items", "Orders per hour", "Items per hour",
		"Accuracy", "Scans", "Refused", "Overrides", "First", "Last"}}
	for _, d := range pf.days {
		h := d.Hours()
		sh.rows = append(sh.rows, []any{dateCell{d.Day, xlsxDate}, d.UserName, d.Orders, d.Items, float64(d.Orders) / h,
			float64(d.Items) / h, ratio(d.Accuracy()), d.Scans, d.BadScans, d.Overrides,
			dateCell{d.First.In(time.Local), xlsxDateTime}, dateCell{d.Last.In(time.Local), xlsxDateTime}})
	}
	sh.totals = len(sh.rows)
	return workbook{sheets: []figureSheet{sh}, about: [][2]string{
		{"Report", fmt.Sprintf("Packing figures, last %d days", packingDays)},
		{"Accuracy", "1 − refused scans ÷ scans; overrides are counted apart."},
		{"Per hour", "The hours run from a person's first entry of the day to their last (at least a quarter of an hour)."},
	}}, true
}
