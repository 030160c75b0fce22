package app

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// The periods the sales page offers, in the order of its menu.
const (
	salesLast7     = "Last 7 days"
	salesLast30    = "Last 30 days"
	salesThisMonth = "This month"
	salesLast3     = "Last 3 months"
	salesLast12    = "Last 12 months"
	salesCustom    = "Choose dates…"
)

func salesPeriods() []string {
	return []string{salesLast7, salesLast30, salesThisMonth, salesLast3, salesLast12, salesCustom}
}

// salesTop is how many products or channels the ranking chart names; the rest share one "Other" bar.
const salesTop = 15

// salesQuery is what the sales page asks the store for: orders placed in [from, to), by a grouping.
type salesQuery struct {
	from, to time.Time // local midnights; to is exclusive
	by       string    // one of data.SalesGroupings
}

// salesReport is a query's answer, with the shop's own currency, which the page shows first.
type salesReport struct {
	q        salesQuery
	rows     []data.SalesRow
	shopCurr string
}

// salesPage is the owner's and accountant's sales and margin: a period, a grouping, and the figures as
// a chart or a table, one currency at a time (Backroom keeps no exchange rates, so pounds and euros are
// never added up). It is a page of the dashboard, opened from its sales card.
type salesPage struct {
	a      *App
	export *xlsxSaver
	query  latest
	ctx    context.Context    // the computation under way or last finished
	stop   context.CancelFunc // cancels it; nil when none runs

	back      *widget.Button
	exportBtn *widget.Button
	period    *widget.Select
	from, to  *widget.DateEntry
	apply     *widget.Button
	custom    *fyne.Container
	span      *widget.Label // the days the period covers
	busy      *widget.Activity
	by        *segmented
	mode      *segmented // chart or table
	currency  *widget.Select
	currBox   *fyne.Container
	summary   *widget.Label
	uncosted  *widget.Label
	empty     *widget.Label
	chart     *barChart
	chartBox  fyne.CanvasObject
	table     *widget.Table
	tableBox  fyne.CanvasObject
	root      fyne.CanvasObject

	q      salesQuery
	report *salesReport // the figures on display; nil before the first answer
	cur    string       // the currency on display
	cols   []gridColumn // the table's columns for the grouping on display
	lines  []salesLine  // the table's rows before formatting, and their total
	total  data.SalesRow
	orders bool       // the total has an order count
	narrow bool       // products are listed with their SKU in one column, as the window is narrow
	cells  [][]string // the table's rows, totals last
	totals int        // index of the totals row in cells
	styles [][]widget.Importance
}

const (
	salesChart = "Chart"
	salesTable = "Table"
)

func newSalesPage(a *App, export *xlsxSaver, back func()) *salesPage {
	sp := &salesPage{a: a, export: export}
	sp.back = widget.NewButtonWithIcon("Dashboard", theme.NavigateBackIcon(), back)
	sp.back.Importance = widget.LowImportance
	sp.exportBtn = export.button("sales", sp.workbook)
	sp.period = widget.NewSelect(salesPeriods(), nil)
	sp.from, sp.to = widget.NewDateEntry(), widget.NewDateEntry()
	sp.apply = widget.NewButton("Show", sp.onApply)
	sp.custom = container.NewHBox(widget.NewLabel("From"), fixedWidth(sp.from, 150), widget.NewLabel("to"), fixedWidth(sp.to, 150), sp.apply)
	sp.custom.Hide()
	sp.span = widget.NewLabel("")
	sp.busy = widget.NewActivity()
	sp.busy.Hide()
	var groups []string
	for _, g := range data.SalesGroupings() {
		groups = append(groups, capitalized(g))
	}
	sp.by = newSegmented(groups, func(g string) {
		sp.q.by = strings.ToLower(g)
		sp.load()
	})
	sp.mode = newSegmented([]string{salesChart, salesTable}, func(string) { sp.render() })
	sp.mode.set(salesChart)
	sp.currency = widget.NewSelect(nil, func(c string) {
		if c != sp.cur {
			sp.cur = c
			sp.render()
		}
	})
	sp.currBox = container.NewHBox(widget.NewLabel("Currency"), sp.currency)
	sp.currBox.Hide()
	sp.summary = widget.NewLabel("")
	sp.summary.Wrapping = fyne.TextWrapWord
	sp.uncosted = widget.NewLabel("")
	sp.uncosted.Wrapping = fyne.TextWrapWord
	sp.uncosted.Importance = widget.WarningImportance
	sp.uncosted.Hide()
	sp.empty = widget.NewLabel("")
	sp.empty.Wrapping = fyne.TextWrapWord
	sp.empty.Alignment = fyne.TextAlignCenter
	sp.empty.Hide()
	sp.chart = newBarChart()
	sp.table = &widget.Table{
		Length:        func() (int, int) { return len(sp.cells), len(sp.cols) },
		CreateCell:    func() fyne.CanvasObject { return tableLabel() },
		UpdateCell:    sp.updateCell,
		ShowHeaderRow: true,
		CreateHeader:  func() fyne.CanvasObject { l := tableLabel(); l.TextStyle.Bold = true; return l },
		UpdateHeader:  sp.updateHeader,
	}
	sp.table.ExtendBaseWidget(sp.table)
	sp.table.OnSelected = func(widget.TableCellID) { sp.table.UnselectAll() }

	now := a.store.Now().In(time.Local)
	from, to, by := salesPeriod(salesLast30, now)
	sp.q = salesQuery{from: from, to: to, by: by}
	sp.by.set(capitalized(by))
	sp.period.SetSelected(salesLast30)
	sp.period.OnChanged = sp.onPeriod // after the first choice: nothing loads until the page opens
	return sp
}

func tableLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// content is the page, built once.
func (sp *salesPage) content() fyne.CanvasObject {
	if sp.root != nil {
		return sp.root
	}
	header := screenHeader("Sales and margin",
		"Revenue is what customers paid: order totals by period and channel (shipping and tax included), line prices by product. "+
			"Cost of goods is each unit at the cost in force when its order was placed. Cancelled orders are left out.",
		sp.exportBtn)
	periodRow := container.NewHBox(widget.NewLabel("Period"), fixedWidth(sp.period, 170), sp.custom, sp.span, sp.busy)
	groupRow := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("By"), sp.by.box), container.NewHBox(sp.currBox, sp.mode.box))
	top := container.NewVBox(container.NewHBox(sp.back), header, periodRow, groupRow, sp.summary)
	sp.chartBox = container.NewVScroll(sp.chart)
	sp.tableBox = container.New(&fillColumns{fit: sp.fitColumns}, sp.table)
	sp.chartBox.Hide() // until there are figures
	sp.tableBox.Hide()
	body := container.NewStack(sp.chartBox, sp.tableBox, container.NewCenter(fixedWidth(sp.empty, 460)))
	sp.root = container.NewPadded(container.NewBorder(top, sp.uncosted, nil, nil, body))
	return sp.root
}

// open shows the page's figures, computing them afresh. A period such as "Last 30 days" is worked out
// again, so a window left open overnight moves on with the calendar.
func (sp *salesPage) open() {
	if p := sp.period.Selected; p != salesCustom {
		sp.q.from, sp.q.to, _ = salesPeriod(p, sp.a.store.Now().In(time.Local))
	}
	sp.load()
}

// leave stops the computation under way: nobody is looking any more.
func (sp *salesPage) leave() {
	if sp.stop != nil {
		sp.stop()
		sp.stop = nil
	}
	sp.query.next() // an answer already on its way is dropped
	sp.busy.Stop()
	sp.busy.Hide()
}

// salesPeriod is the local days a period menu entry covers as of now, and the grouping that reads best
// for it: days for a month or less, weeks for a quarter, months for a year. The longer periods start
// on the first of a month, so their first month is whole.
func salesPeriod(name string, now time.Time) (from, to time.Time, by string) {
	y, m, d := now.Date()
	loc := now.Location()
	to = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	switch name {
	case salesLast7:
		return time.Date(y, m, d-6, 0, 0, 0, 0, loc), to, "day"
	case salesThisMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc), to, "day"
	case salesLast3:
		return time.Date(y, m-2, 1, 0, 0, 0, 0, loc), to, "week"
	case salesLast12:
		return time.Date(y, m-11, 1, 0, 0, 0, 0, loc), to, "month"
	}
	return time.Date(y, m, d-29, 0, 0, 0, 0, loc), to, "day"
}

func (sp *salesPage) onPeriod(name string) {
	if name == salesCustom {
		from, last := sp.q.from, sp.q.to.AddDate(0, 0, -1)
		sp.from.SetDate(&from)
		sp.to.SetDate(&last)
		sp.custom.Show()
		sp.span.Hide()
		sp.relayout()
		return
	}
	sp.custom.Hide()
	sp.span.Show()
	sp.relayout()
	from, to, by := salesPeriod(name, sp.a.store.Now().In(time.Local))
	sp.q.from, sp.q.to = from, to
	if isPeriodGrouping(sp.q.by) { // a chosen channel or product ranking stays
		sp.q.by = by
		sp.by.set(capitalized(by))
	}
	sp.load()
}

// onApply shows the chosen dates, both included.
func (sp *salesPage) onApply() {
	if sp.from.Date == nil || sp.to.Date == nil {
		dialog.ShowInformation("Choose the dates", "Type or pick both the first and the last day.", sp.a.win)
		return
	}
	f, l := *sp.from.Date, *sp.to.Date
	from := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, time.Local)
	to := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, time.Local)
	if !to.After(from) {
		dialog.ShowInformation("Check the dates", "The last day comes before the first.", sp.a.win)
		return
	}
	sp.q.from, sp.q.to = from, to
	sp.load()
}

func isPeriodGrouping(by string) bool { return by == "day" || by == "week" || by == "month" }

// load computes the figures in the background; a newer request or leaving the page cancels it.
func (sp *salesPage) load() {
	if sp.stop != nil {
		sp.stop()
	}
	q := sp.q
	ctx, cancel := context.WithCancel(sp.a.bg.ctx)
	sp.ctx, sp.stop = ctx, cancel
	current := sp.query.next()
	store := sp.a.store
	sp.span.SetText(spanText(q.from, q.to))
	sp.busy.Show()
	sp.busy.Start()
	if sp.report == nil {
		sp.empty.SetText("Working out the figures…")
		sp.empty.Show()
		sp.relayout()
	}
	run(sp.a.bg, func(context.Context) (salesReport, error) {
		r := salesReport{q: q}
		var err error
		if r.rows, err = store.SalesReport(ctx, q.from, q.to, q.by, time.Local); err != nil {
			return r, err
		}
		r.shopCurr, err = store.Setting(ctx, data.SettingCurrency)
		return r, err
	}, func(r salesReport, err error) {
		cancel()
		if !current() {
			return
		}
		sp.stop = nil
		sp.busy.Stop()
		sp.busy.Hide()
		if err != nil {
			if !isCancelled(err) {
				showError(sp.a.win, err)
			}
			return
		}
		sp.show(r)
	})
}

// spanText writes the days [from, to) cover: "28 Oct – 26 Nov 2026".
func spanText(from, to time.Time) string {
	last := to.AddDate(0, 0, -1)
	switch {
	case from.Equal(last) || last.Before(from):
		return from.Format("Mon 2 Jan 2006")
	case from.Year() != last.Year():
		return from.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
	}
	return from.Format("2 Jan") + " – " + last.Format("2 Jan 2006")
}

// show takes a new answer: the currencies it has, biggest first, then the figures of the one on display.
func (sp *salesPage) show(r salesReport) {
	sp.report = &r
	curs := salesCurrencies(r.rows)
	keep := false
	for _, c := range curs {
		keep = keep || c == sp.cur
	}
	if !keep {
		sp.cur = ""
		for _, c := range curs {
			if c == r.shopCurr {
				sp.cur = c
			}
		}
		if sp.cur == "" && len(curs) > 0 {
			sp.cur = curs[0]
		}
	}
	sp.currency.Options = curs
	sp.currency.Selected = sp.cur
	sp.currency.Refresh()
	if len(curs) > 1 {
		sp.currBox.Show()
	} else {
		sp.currBox.Hide()
	}
	sp.render()
}

// salesCurrencies lists the report's currencies, the most revenue first.
func salesCurrencies(rows []data.SalesRow) []string {
	revenue := map[string]int64{}
	var out []string
	for _, r := range rows {
		if _, ok := revenue[r.Currency]; !ok {
			out = append(out, r.Currency)
		}
		revenue[r.Currency] += r.Revenue
	}
	sort.SliceStable(out, func(i, j int) bool {
		if revenue[out[i]] != revenue[out[j]] {
			return revenue[out[i]] > revenue[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// salesLine is one row of the chart and table: a period (with no sales, it is all zero), a channel or a
// product, in one currency.
type salesLine struct {
	data.SalesRow
	start time.Time // a period's first day
	short string    // its name under a chart bar: "2 Nov", "Nov"
}

// lines are the report's rows in currency, in display order: periods in time order, every period of the
// range included; channels and products by revenue, largest first.
func (r *salesReport) lines(currency string) []salesLine {
	var rows []data.SalesRow
	for _, row := range r.rows {
		if row.Currency == currency {
			rows = append(rows, row)
		}
	}
	if !isPeriodGrouping(r.q.by) {
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].Revenue != rows[j].Revenue {
				return rows[i].Revenue > rows[j].Revenue
			}
			return rows[i].Key < rows[j].Key
		})
		out := make([]salesLine, len(rows))
		for i, row := range rows {
			out[i] = salesLine{SalesRow: row, short: row.Label}
			if r.q.by == "channel" {
				out[i].Label = channelLabel(row.Label)
				out[i].short = out[i].Label
			}
		}
		return out
	}
	byKey := map[string]data.SalesRow{}
	for _, row := range rows {
		byKey[row.Key] = row
	}
	slots := periodSlots(r.q.from, r.q.to, r.q.by)
	out := make([]salesLine, 0, len(slots))
	for _, s := range slots {
		row, ok := byKey[s.Key]
		if !ok {
			row = data.SalesRow{Key: s.Key, Currency: currency}
		}
		row.Label = s.Label
		delete(byKey, s.Key)
		out = append(out, salesLine{SalesRow: row, start: s.start, short: s.short})
	}
	// A row outside the slots would be a bug in one of the two calendars: show it rather than lose it.
	for _, row := range rows {
		if _, ok := byKey[row.Key]; ok {
			out = append(out, salesLine{SalesRow: row, short: row.Key})
		}
	}
	return out
}

// periodSlots lists every day, ISO week or month that [from, to) touches, keyed as data.SalesReport
// keys them, so periods without sales show as zero rather than vanish.
func periodSlots(from, to time.Time, by string) []salesLine {
	var out []salesLine
	y, m, d := from.Date()
	loc := from.Location()
	var start time.Time
	switch by {
	case "day":
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	case "week":
		start = time.Date(y, m, d-(int(from.Weekday())+6)%7, 0, 0, 0, 0, loc)
	default:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	for i := 0; start.Before(to); i++ {
		var s salesLine
		s.start = start
		sy, sm, sd := start.Date()
		var next time.Time
		switch by {
		case "day":
			next = time.Date(sy, sm, sd+1, 0, 0, 0, 0, loc)
			s.Key, s.Label, s.short = start.Format("2006-01-02"), start.Format("Mon 2 Jan 2006"), start.Format("2 Jan")
		case "week":
			next = time.Date(sy, sm, sd+7, 0, 0, 0, 0, loc)
			wy, w := start.ISOWeek()
			s.Key = fmt.Sprintf("%04d-W%02d", wy, w)
			s.Label = spanText(start, next)
			s.short = start.Format("2 Jan")
		default:
			next = time.Date(sy, sm+1, 1, 0, 0, 0, 0, loc)
			s.Key, s.Label, s.short = start.Format("2006-01"), start.Format("January 2006"), start.Format("Jan")
			if i == 0 || sm == time.January {
				s.short = start.Format("Jan 2006")
			}
		}
		out = append(out, s)
		start = next
	}
	return out
}

// salesTotal sums lines. By product an order with two products is in two lines, so its order count
// would be counted twice: orders is false then.
func salesTotal(lines []salesLine, by, currency string) (t data.SalesRow, orders bool) {
	t.Currency = currency
	for _, l := range lines {
		t.Orders += l.Orders
		t.Units += l.Units
		t.Revenue += l.Revenue
		t.Cost += l.Cost
		t.Margin += l.Margin
		t.Uncosted += l.Uncosted
	}
	return t, by != "product"
}

// relayout lays the page out again after parts of it showed or hid: Fyne does not do it by itself.
func (sp *salesPage) relayout() {
	if sp.root == nil {
		return
	}
	sp.root.Refresh()
	if sp.uncosted.Visible() {
		// A wrapped label knows its height only once it has its width: lay out again with it.
		sp.root.Refresh()
	}
}

// render draws the figures of the currency on display as the chart or the table.
func (sp *salesPage) render() {
	if sp.report == nil {
		return
	}
	defer sp.relayout()
	r := sp.report
	lines := r.lines(sp.cur)
	setEnabled(sp.exportBtn, len(r.rows) > 0)
	if len(r.rows) == 0 {
		sp.empty.SetText(sp.emptyText(r.q))
		sp.empty.Show()
		sp.chartBox.Hide()
		sp.tableBox.Hide()
		sp.summary.SetText("")
		sp.summary.Hide()
		sp.uncosted.Hide()
		return
	}
	sp.empty.Hide()
	total, withOrders := salesTotal(lines, r.q.by, sp.cur)
	sp.summary.SetText(salesSummary(total, withOrders))
	sp.summary.Show()
	if total.Uncosted > 0 {
		sp.uncosted.SetText(uncostedText(total.Uncosted, sp.a.canShow(sectionImports)))
		sp.uncosted.Show()
	} else {
		sp.uncosted.Hide()
	}
	sp.chart.set(salesChartData(lines, r.q.by, sp.cur))
	sp.lines, sp.total, sp.orders = lines, total, withOrders
	sp.fillTable()
	if sp.mode.selected == salesTable {
		sp.chartBox.Hide()
		sp.tableBox.Show()
	} else {
		sp.tableBox.Hide()
		sp.chartBox.Show()
	}
}

func (sp *salesPage) emptyText(q salesQuery) string {
	s := fmt.Sprintf("No sales from %s.", spanText(q.from, q.to))
	if sp.a.canShow(sectionImports) {
		return s + " Orders count here once they are in Backroom: import your channels' order files in Imports, " +
			"or choose a longer period."
	}
	return s + " Choose a longer period, or ask the owner to import the channels' orders."
}

func salesSummary(t data.SalesRow, withOrders bool) string {
	s := fmt.Sprintf("Revenue %s · cost of goods %s · gross margin %s",
		data.FormatMoney(t.Revenue, t.Currency), data.FormatMoney(t.Cost, t.Currency), data.FormatMoney(t.Margin, t.Currency))
	if pct, ok := t.MarginPercent(); ok {
		s += fmt.Sprintf(" (%.1f%%)", pct)
	}
	if withOrders {
		s += " · " + plural(t.Orders, "order", "orders")
	}
	return s + " · " + plural(int(t.Units), "unit", "units")
}

func uncostedText(units int64, canImport bool) string {
	s := fmt.Sprintf("%s costed at 0, so the margin shown is too high: their order lines match no SKU yet, "+
		"or their SKU's cost is kept in another currency than the order's.", plural(int(units), "unit was", "units were"))
	if canImport {
		s += " Imports → Unmatched matches lines to SKUs; Inventory sets costs."
	}
	return s
}

// salesChartData is the chart for lines: periods as columns of revenue with the gross margin as a line
// through them; channels and products as a ranking of revenue bars with the margin inside each, the
// top salesTop named and the rest summed as "Other".
func salesChartData(lines []salesLine, by, currency string) chartData {
	scale := pow10(data.MinorDigits(currency))
	major := func(v int64) float64 { return float64(v) / scale }
	d := chartData{barName: "Revenue", tick: func(v float64) string { return compactMoney(v, currency) }}
	if isPeriodGrouping(by) {
		d.lineName = "Gross margin"
		for _, l := range lines {
			d.labels = append(d.labels, l.short)
			d.bars = append(d.bars, major(l.Revenue))
			d.line = append(d.line, major(l.Margin))
			note := ""
			if l.Revenue != 0 {
				note = compactMoney(major(l.Revenue), currency)
			}
			d.notes = append(d.notes, note)
		}
		return d
	}
	d.horizontal = true
	d.innerName = "Gross margin"
	add := func(label string, revenue, margin int64) {
		d.labels = append(d.labels, label)
		d.bars = append(d.bars, major(revenue))
		d.inner = append(d.inner, major(margin))
		note := data.FormatMoney(revenue, currency)
		if revenue != 0 {
			note += fmt.Sprintf(" · %.0f%% margin", float64(margin)*100/float64(revenue))
		}
		d.notes = append(d.notes, note)
	}
	var other data.SalesRow
	others := 0
	for i, l := range lines {
		if i < salesTop || len(lines) == salesTop+1 {
			add(l.Label, l.Revenue, l.Margin)
			continue
		}
		others++
		other.Revenue += l.Revenue
		other.Margin += l.Margin
	}
	if others > 0 {
		add(fmt.Sprintf("Other (%s)", plural(others, singular(byNoun(by)), byNoun(by))), other.Revenue, other.Margin)
		d.lastIsRest = true
	}
	return d
}

func byNoun(by string) string {
	if by == "channel" {
		return "channels"
	}
	return "products"
}

// compactMoney writes an axis value short: £0, £250, £1.5k, £12k, £1.2M.
func compactMoney(v float64, currency string) string {
	a := math.Abs(v)
	var num string
	switch {
	case a >= 1e6:
		num = trimDecimal(v/1e6) + "M"
	case a >= 1e3:
		num = trimDecimal(v/1e3) + "k"
	case a >= 10 || a == 0:
		num = fmt.Sprintf("%.0f", v)
	default:
		num = trimDecimal(v)
	}
	zero := data.FormatMoney(0, currency)
	if i := strings.IndexAny(zero, "0123456789"); i > 0 {
		if strings.HasPrefix(num, "-") {
			return "-" + zero[:i] + num[1:]
		}
		return zero[:i] + num
	}
	return num + " " + currency
}

// trimDecimal writes v with at most one decimal, and none when it is whole: 1.5, 12, 2.
func trimDecimal(v float64) string {
	if math.Abs(v) >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
}

// salesColumns are the table's columns for a grouping; narrow puts a product's SKU in its name column.
func salesColumns(by string, narrow bool) []gridColumn {
	// A figure's column is at least as wide as its bold title in a label, so the titles read in full.
	num := func(title string, w float32) gridColumn {
		head := fyne.MeasureText(title, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding() + 2
		return gridColumn{title: title, width: max(w, float32(math.Ceil(float64(head)))), align: fyne.TextAlignTrailing}
	}
	var cols []gridColumn
	switch by {
	case "product":
		cols = []gridColumn{{title: "SKU", width: 110}, {title: "Product", width: 160}}
		if narrow {
			cols = []gridColumn{{title: "Product", width: 170}}
		}
	case "channel":
		cols = []gridColumn{{title: "Channel", width: 140}}
	case "week":
		cols = []gridColumn{{title: "Week", width: 170}}
	default:
		cols = []gridColumn{{title: capitalized(by), width: 130}}
	}
	// "Uncosted" counts units; the note under the table says what they are.
	return append(cols, num("Orders", 60), num("Units", 60), num("Revenue", 90), num("Cost of goods", 100),
		num("Gross margin", 100), num("Margin %", 75), num("Uncosted", 80))
}

// fillTable puts the lines and their total in the table.
func (sp *salesPage) fillTable() {
	by := sp.report.q.by
	sp.cols = salesColumns(by, sp.narrow)
	sp.cells, sp.styles = nil, nil
	add := func(first []string, r data.SalesRow, orders bool) {
		cells := append(first, "–", groupDigits(r.Units), data.FormatMoney(r.Revenue, r.Currency),
			data.FormatMoney(r.Cost, r.Currency), data.FormatMoney(r.Margin, r.Currency), "–", groupDigits(r.Uncosted))
		if orders {
			cells[len(first)] = groupDigits(int64(r.Orders))
		}
		if pct, ok := r.MarginPercent(); ok {
			cells[len(first)+5] = fmt.Sprintf("%.1f%%", pct)
		}
		styles := make([]widget.Importance, len(cells))
		for i := range styles {
			styles[i] = widget.MediumImportance
		}
		if r.Margin < 0 {
			styles[len(first)+4], styles[len(first)+5] = widget.DangerImportance, widget.DangerImportance
		}
		if r.Uncosted > 0 {
			styles[len(first)+6] = widget.WarningImportance
		}
		sp.cells = append(sp.cells, cells)
		sp.styles = append(sp.styles, styles)
	}
	for _, l := range sp.lines {
		first := []string{l.Label}
		switch {
		case by != "product":
		case sp.narrow && l.Key != "":
			first = []string{l.Label + " · " + l.Key}
		case !sp.narrow:
			sku := l.Key
			if sku == "" {
				sku = "–"
			}
			first = []string{sku, l.Label}
		}
		add(first, l.SalesRow, true)
	}
	sp.totals = len(sp.cells)
	first := []string{"Total"}
	if len(sp.cols) == 9 {
		first = []string{"Total", ""}
	}
	add(first, sp.total, sp.orders)
	sp.fitColumns(sp.tableBox.Size().Width)
	sp.table.Refresh()
}

func (sp *salesPage) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= len(sp.cells) || id.Col >= len(sp.cols) {
		l.SetText("")
		return
	}
	bold := id.Row >= sp.totals
	text, align, imp := sp.cells[id.Row][id.Col], sp.cols[id.Col].align, sp.styles[id.Row][id.Col]
	if l.Text != text || l.Alignment != align || l.Importance != imp || l.TextStyle.Bold != bold {
		l.Text, l.Alignment, l.Importance, l.TextStyle.Bold = text, align, imp, bold
		l.Refresh()
	}
}

func (sp *salesPage) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Col < 0 || id.Col >= len(sp.cols) {
		l.SetText("")
		return
	}
	l.Alignment = sp.cols[id.Col].align
	l.SetText(sp.cols[id.Col].title)
}

// fitColumns gives the name columns the width the figures leave, so the table fills its area; in a
// narrow window every column gives up width in proportion, down to a floor, before the table scrolls
// sideways.
func (sp *salesPage) fitColumns(width float32) {
	if sp.report == nil {
		return
	}
	width -= theme.ScrollBarSize()
	// Products need two name columns; when both would be cut short, the SKU joins the name.
	narrow := sp.report.q.by == "product" && !salesColumnsFit(salesColumns("product", false), width)
	if narrow != sp.narrow {
		sp.narrow = narrow
		sp.fillTable() // which fits the new columns
		return
	}
	for i, w := range salesColumnWidths(sp.cols, width) {
		sp.table.SetColumnWidth(i, w)
	}
}

// salesColumnsFit reports whether cols fit width with the names at their floor and the figures whole.
func salesColumnsFit(cols []gridColumn, width float32) bool {
	for _, c := range cols {
		width -= theme.Padding()
		if c.align == fyne.TextAlignTrailing {
			width -= c.width
		} else {
			width -= min(c.width, salesNameFloor)
		}
	}
	return width >= 0
}

// salesNameFloor is the least width of a name column, enough for "Thu 26 Nov 2026".
const salesNameFloor = 125

func salesColumnWidths(cols []gridColumn, width float32) []float32 {
	const figureFloor = 0.85 // narrower, amounts no longer read: scroll instead
	pad := theme.Padding()
	var names, figures float32 // the widths asked for
	for _, c := range cols {
		width -= pad
		if c.align == fyne.TextAlignTrailing {
			figures += c.width
		} else {
			names += c.width
		}
	}
	out := make([]float32, len(cols))
	// The name columns take what the figures leave: more when there is room, less down to a floor.
	nameScale := float32(1)
	if names > 0 {
		nameScale = (width - figures) / names
	}
	var used float32
	for i, c := range cols {
		if c.align != fyne.TextAlignTrailing {
			out[i] = max(c.width*nameScale, min(c.width, salesNameFloor))
			used += out[i]
		}
	}
	// Then the figures give up width in proportion, down to a floor.
	figureScale := float32(1)
	if left := width - used; left < figures {
		figureScale = max(left/figures, figureFloor)
	}
	for i, c := range cols {
		if c.align == fyne.TextAlignTrailing {
			out[i] = c.width * figureScale
		}
		out[i] = float32(int(out[i]))
	}
	return out
}

// workbook is the report on display as a spreadsheet: every currency, each with its own total, and an
// About sheet saying what was asked.
func (sp *salesPage) workbook() (workbook, bool) {
	if sp.report == nil || len(sp.report.rows) == 0 {
		return workbook{}, false
	}
	return salesWorkbook(*sp.report, sp.a.store.Now()), true
}

func salesWorkbook(r salesReport, now time.Time) workbook {
	by := r.q.by
	var first []string
	switch by {
	case "day":
		first = []string{"Day"}
	case "week":
		first = []string{"Week", "Week starting"}
	case "month":
		first = []string{"Month"}
	case "channel":
		first = []string{"Channel"}
	default:
		first = []string{"SKU", "Product"}
	}
	sh := figureSheet{name: "Sales by " + by, columns: append(first, "Currency", "Orders", "Units", "Revenue", "Cost of goods",
		"Gross margin", "Margin %", "Uncosted units")}
	row := func(key []any, l data.SalesRow, orders bool) []any {
		cells := append(key, l.Currency, nil, l.Units, data.Money{Amount: l.Revenue, Currency: l.Currency},
			data.Money{Amount: l.Cost, Currency: l.Currency}, data.Money{Amount: l.Margin, Currency: l.Currency}, nil, l.Uncosted)
		if orders {
			cells[len(key)+1] = l.Orders
		}
		if pct, ok := l.MarginPercent(); ok {
			cells[len(key)+6] = ratio(pct / 100)
		}
		return cells
	}
	var totals [][]any
	for _, cur := range salesCurrencies(r.rows) {
		lines := r.lines(cur)
		for _, l := range lines {
			var key []any
			switch by {
			case "day":
				key = []any{dateCell{l.start, xlsxDate}}
			case "week":
				key = []any{l.Key, dateCell{l.start, xlsxDate}}
			case "month":
				key = []any{dateCell{l.start, xlsxMonth}}
			case "channel":
				key = []any{l.Label}
			default:
				key = []any{l.Key, l.Label}
			}
			sh.rows = append(sh.rows, row(key, l.SalesRow, true))
		}
		t, withOrders := salesTotal(lines, by, cur)
		key := []any{"Total " + cur}
		if len(first) == 2 {
			key = append(key, nil)
		}
		totals = append(totals, row(key, t, withOrders))
	}
	sh.totals = len(sh.rows)
	sh.rows = append(sh.rows, totals...)
	return workbook{sheets: []figureSheet{sh}, about: [][2]string{
		{"Report", "Sales and margin by " + by},
		{"From", r.q.from.Format("Monday 2 January 2006")},
		{"To", r.q.to.AddDate(0, 0, -1).Format("Monday 2 January 2006") + " (included)"},
		{"Saved", now.In(time.Local).Format("2 January 2006 15:04")},
		{"Revenue", "What customers paid: order totals (shipping and tax included) by period and channel; line prices × quantity by product. Cancelled orders are left out."},
		{"Cost of goods", "Each unit at its SKU's cost in force when the order was placed; a kit at its parts' costs."},
		{"Uncosted units", "Units costed at 0: lines that match no SKU yet, or SKUs whose cost is kept in another currency than the order's. Where there are any, the margin is overstated."},
		{"Currencies", "Each currency has its own rows and total: Backroom keeps no exchange rates, so amounts in different currencies are never added."},
	}}
}

// segmented is a row of buttons of which one is chosen, drawn highlighted: a switch between a few
// ways of showing the same thing.
type segmented struct {
	box      *fyne.Container
	buttons  map[string]*widget.Button
	selected string
}

// newSegmented makes the switch; onChange runs when the person picks another option, not on set.
func newSegmented(options []string, onChange func(string)) *segmented {
	s := &segmented{box: container.NewHBox(), buttons: map[string]*widget.Button{}}
	for _, o := range options {
		o := o
		b := widget.NewButton(o, func() {
			if s.selected == o {
				return
			}
			s.set(o)
			onChange(o)
		})
		s.buttons[o] = b
		s.box.Add(b)
	}
	return s
}

func (s *segmented) set(option string) {
	s.selected = option
	for o, b := range s.buttons {
		imp := widget.LowImportance
		if o == option {
			imp = widget.HighImportance
		}
		if b.Importance != imp {
			b.Importance = imp
			b.Refresh()
		}
	}
}
