package app

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
)

// salesNow is the sales tests' clock: Thursday 26 November 2026, 15:00 here.
var salesNow = time.Date(2026, 11, 26, 15, 0, 0, 0, time.Local)

// salesTestApp opens a shop whose clock stands at salesNow, signed in as name, with:
//
//	SKU    currency  price  cost
//	MUG    GBP       12.00  4.00
//	APRON  GBP       24.00  9.50
//	DISH   EUR       12.50  4.05
//
// and these orders (placed here, local time):
//
//	etsy E3     10 Nov 09:00  GBP  12.00  1 × MUG
//	etsy E1     24 Nov 10:00  GBP  27.95  2 × MUG (24.00) + 3.95 shipping
//	etsy E2     25 Nov 12:00  GBP  24.00  1 × APRON
//	etsy E4     25 Nov 13:00  GBP  99.00  cancelled: counts nowhere
//	shopify S1  25 Nov 18:00  GBP  36.00  3 × MUG
//	amazon A1   26 Nov 11:00  GBP   9.00  1 × a candle matching no SKU: uncosted
//	shopify S2  26 Nov 09:00  EUR  15.00  1 × DISH
func salesTestApp(t *testing.T, name string) *App {
	t.Helper()
	ctx := context.Background()
	fa := newUIApp(t)
	base, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{Now: func() time.Time { return salesNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { base.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	must(base.SetSetting(ctx, data.SettingCurrency, "GBP"))
	for _, u := range []struct {
		name string
		role data.Role
		pin  string
	}{{testOwner, data.RoleOwner, ""}, {testPacker, data.RolePacker, "1234"}, {testAccountant, data.RoleAccountant, "5678"}} {
		_, err := base.AddUser(ctx, u.name, u.role, u.pin)
		must(err)
	}
	for _, v := range []data.NewVariant{
		{SKU: "MUG", ProductName: "Stoneware mug", Price: 1200, Cost: 400, Currency: "GBP"},
		{SKU: "APRON", ProductName: "Linen apron", Price: 2400, Cost: 950, Currency: "GBP"},
		{SKU: "DISH", ProductName: "Crème brûlée dish", Price: 1250, Cost: 405, Currency: "EUR"},
	} {
		_, err := base.AddVariant(ctx, v)
		must(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.Local) }
	line := func(sku string, qty int64, price int64) []data.OrderLine {
		return []data.OrderLine{{SKU: sku, Name: sku, Quantity: qty, UnitPrice: price}}
	}
	_, err = base.ApplyOrders(ctx, []data.Order{
		{Channel: "etsy", ExternalID: "E3", Status: data.StatusDelivered, PlacedAt: at(10, 9), Currency: "GBP", Subtotal: 1200, Total: 1200, Lines: line("MUG", 1, 1200)},
		{Channel: "etsy", ExternalID: "E1", Status: data.StatusShipped, PlacedAt: at(24, 10), Currency: "GBP", Subtotal: 2400, Shipping: 395, Total: 2795, Lines: line("MUG", 2, 1200)},
		{Channel: "etsy", ExternalID: "E2", Status: data.StatusPaid, PlacedAt: at(25, 12), Currency: "GBP", Subtotal: 2400, Total: 2400, Lines: line("APRON", 1, 2400)},
		{Channel: "etsy", ExternalID: "E4", Status: data.StatusCancelled, PlacedAt: at(25, 13), Currency: "GBP", Subtotal: 9900, Total: 9900, Lines: line("APRON", 4, 2475)},
		{Channel: "shopify", ExternalID: "S1", Status: data.StatusPaid, PlacedAt: at(25, 18), Currency: "GBP", Subtotal: 3600, Total: 3600, Lines: line("MUG", 3, 1200)},
		{Channel: "amazon", ExternalID: "A1", Status: data.StatusNew, PlacedAt: at(26, 11), Currency: "GBP", Subtotal: 900, Total: 900,
			Lines: []data.OrderLine{{ChannelSKU: "CANDLE", Name: "Soy candle", Quantity: 1, UnitPrice: 900}}},
		{Channel: "shopify", ExternalID: "S2", Status: data.StatusNew, PlacedAt: at(26, 9), Currency: "EUR", Subtotal: 1250, Tax: 250, Total: 1500, Lines: line("DISH", 1, 1250)},
	})
	must(err)

	a := New(ctx, fa, base)
	a.keys = keychain.NewWith("backroom-test", keychain.NewMemory())
	t.Cleanup(a.Stop)
	u, err := base.UserByName(ctx, name)
	must(err)
	d := fa.driver
	d.lock()
	a.signedIn(base.As(u))
	d.unlock()
	a.bg.wait()
	holdUI(t, a)
	return a
}

// openSalesPage opens the dashboard and its sales page, and waits for the figures.
func openSalesPage(t *testing.T, a *App) (*dashboardScreen, *salesPage) {
	t.Helper()
	sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
	test.Tap(sc.openSales)
	waitUI(a)
	if sc.pageOn != pageSales {
		t.Fatalf("tapping %q opened page %q", sc.openSales.Text, sc.pageOn)
	}
	return sc, sc.salesPage
}

// saveXLSXTo makes the saver write into dir instead of asking with a dialog.
func saveXLSXTo(x *xlsxSaver, dir string) {
	x.choose = func(name string, save func(fyne.URIWriteCloser, error)) {
		save(storage.Writer(storage.NewFileURI(filepath.Join(dir, name))))
	}
}

// chartValues are the bars' values, read back from their drawn heights (or widths) in pixels per unit
// of the first non-zero bar: proportional heights give back the values.
func chartValues(t *testing.T, c *barChart) []float64 {
	t.Helper()
	r := test.WidgetRenderer(c).(*barChartRenderer)
	length := func(i int) float32 {
		if c.data.horizontal {
			return r.bars[i].Size().Width
		}
		return r.bars[i].Size().Height
	}
	var unit float32
	for i, v := range c.data.bars {
		if v != 0 {
			unit = length(i) / float32(v)
			break
		}
	}
	out := make([]float64, len(r.bars))
	for i := range r.bars {
		if unit > 0 {
			out[i] = math.Round(float64(length(i)/unit)*100) / 100
		}
	}
	return out
}

func TestSalesPage(t *testing.T) {
	t.Run("ChartByDay", func(t *testing.T) {
		a := salesTestApp(t, testOwner)
		a.win.Resize(fyne.NewSize(1200, 780))
		_, sp := openSalesPage(t, a)
		// Last 30 days, by day, in the shop's currency: a bar for every day from 28 Oct, sales or not.
		if got := len(sp.chart.data.bars); got != 30 || sp.cur != "GBP" || sp.chart.data.horizontal {
			t.Fatalf("chart of %s: %d bars (horizontal %v), want 30 upright GBP bars", sp.cur, got, sp.chart.data.horizontal)
		}
		sp.period.SetSelected(salesLast7)
		waitUI(a)
		// 20 to 26 Nov: E1 £27.95 on the 24th; E2 £24 and S1 £36 on the 25th; A1 £9 on the 26th.
		want := []float64{0, 0, 0, 0, 27.95, 60, 9}
		if got := chartValues(t, sp.chart); !slices.Equal(got, want) {
			t.Errorf("bars read back as %v, want %v", got, want)
		}
		// Margin: £27.95 − 2 mugs at £4; £60 − £9.50 − 3 × £4; £9 with nothing costed.
		if got, want := sp.chart.data.line, []float64{0, 0, 0, 0, 19.95, 38.5, 9}; !slices.Equal(got, want) {
			t.Errorf("margin line %v, want %v", got, want)
		}
		if got, want := sp.chart.data.labels[4], "24 Nov"; got != want {
			t.Errorf("fifth bar is named %q, want %q", got, want)
		}
		if got, want := sp.summary.Text, "Revenue £96.95 · cost of goods £29.50 · gross margin £67.45 (69.6%) · 4 orders · 7 units"; got != want {
			t.Errorf("summary %q, want %q", got, want)
		}
		if !sp.uncosted.Visible() || !strings.HasPrefix(sp.uncosted.Text, "1 unit was costed at 0") {
			t.Errorf("uncosted note %q (shown %v), want it to say the candle was costed at 0", sp.uncosted.Text, sp.uncosted.Visible())
		}
		if !sp.currBox.Visible() || !slices.Equal(sp.currency.Options, []string{"GBP", "EUR"}) {
			t.Errorf("currency choice %v (shown %v), want GBP then EUR", sp.currency.Options, sp.currBox.Visible())
		}
	})

	t.Run("Table", func(t *testing.T) {
		a := salesTestApp(t, testOwner)
		_, sp := openSalesPage(t, a)
		sp.period.SetSelected(salesLast7)
		waitUI(a)
		test.Tap(sp.mode.buttons[salesTable])
		if !sp.tableBox.Visible() || sp.chartBox.Visible() {
			t.Fatalf("after tapping Table: table shown %v, chart shown %v", sp.tableBox.Visible(), sp.chartBox.Visible())
		}
		wantRows := [][]string{
			{"Fri 20 Nov 2026", "0", "0", "£0.00", "£0.00", "£0.00", "–", "0"},
			{"Sat 21 Nov 2026", "0", "0", "£0.00", "£0.00", "£0.00", "–", "0"},
			{"Sun 22 Nov 2026", "0", "0", "£0.00", "£0.00", "£0.00", "–", "0"},
			{"Mon 23 Nov 2026", "0", "0", "£0.00", "£0.00", "£0.00", "–", "0"},
			{"Tue 24 Nov 2026", "1", "2", "£27.95", "£8.00", "£19.95", "71.4%", "0"},
			{"Wed 25 Nov 2026", "2", "4", "£60.00", "£21.50", "£38.50", "64.2%", "0"},
			{"Thu 26 Nov 2026", "1", "1", "£9.00", "£0.00", "£9.00", "100.0%", "1"},
			{"Total", "4", "7", "£96.95", "£29.50", "£67.45", "69.6%", "1"},
		}
		checkTable(t, sp, wantRows)
		// What the table draws: its cells on screen include the totals.
		for _, want := range []string{"Uncosted", "Tue 24 Nov 2026", "£96.95", "69.6%"} {
			if !hasText(sp.tableBox, want) {
				t.Errorf("the table on screen has no %q", want)
			}
		}

		sp.currency.SetSelected("EUR")
		checkTable(t, sp, append(slices.Repeat([][]string{{"", "0", "0", "€0.00", "€0.00", "€0.00", "–", "0"}}, 6),
			[]string{"Thu 26 Nov 2026", "1", "1", "€15.00", "€4.05", "€10.95", "73.0%", "0"},
			[]string{"Total", "1", "1", "€15.00", "€4.05", "€10.95", "73.0%", "0"}))
		if sp.uncosted.Visible() {
			t.Error("the euro figures have nothing uncosted, but the note shows")
		}

		test.Tap(sp.mode.buttons[salesChart])
		if sp.tableBox.Visible() || !sp.chartBox.Visible() {
			t.Error("tapping Chart does not bring the chart back")
		}
	})

	t.Run("ByProduct", func(t *testing.T) {
		a := salesTestApp(t, testOwner)
		_, sp := openSalesPage(t, a)
		test.Tap(sp.by.buttons["Product"])
		waitUI(a)
		// Last 30 days: mugs on E3, E1 and S1 (6 × £12), the apron, the unmatched candle; largest first.
		d := sp.chart.data
		if !d.horizontal || !slices.Equal(d.labels, []string{"Stoneware mug", "Linen apron", "Lines matching no SKU"}) {
			t.Fatalf("product chart: horizontal %v, names %q", d.horizontal, d.labels)
		}
		if got, want := chartValues(t, sp.chart), []float64{72, 24, 9}; !slices.Equal(got, want) {
			t.Errorf("bars read back as %v, want %v", got, want)
		}
		if got, want := d.inner, []float64{48, 14.5, 9}; !slices.Equal(got, want) {
			t.Errorf("margins inside the bars %v, want %v", got, want)
		}
		test.Tap(sp.mode.buttons[salesTable])
		// A total of orders by product would count an order once per product in it: left out.
		checkTable(t, sp, [][]string{
			{"MUG", "Stoneware mug", "3", "6", "£72.00", "£24.00", "£48.00", "66.7%", "0"},
			{"APRON", "Linen apron", "1", "1", "£24.00", "£9.50", "£14.50", "60.4%", "0"},
			{"–", "Lines matching no SKU", "1", "1", "£9.00", "£0.00", "£9.00", "100.0%", "1"},
			{"Total", "", "–", "8", "£105.00", "£33.50", "£71.50", "68.1%", "1"},
		})
		// In a small window the SKU joins the product's name, so the figures keep their width.
		a.win.Resize(fyne.NewSize(1024, 700))
		checkTable(t, sp, [][]string{
			{"Stoneware mug · MUG", "3", "6", "£72.00"},
			{"Linen apron · APRON"},
			{"Lines matching no SKU", "1", "1", "£9.00"},
			{"Total", "–", "8", "£105.00", "£33.50", "£71.50", "68.1%", "1"},
		})
	})

	t.Run("TopProductsAndOther", func(t *testing.T) {
		var lines []salesLine
		for i := range 20 {
			lines = append(lines, salesLine{SalesRow: data.SalesRow{Key: fmt.Sprint(i), Label: fmt.Sprintf("Product %d", i),
				Currency: "GBP", Revenue: int64(2000 - i*100), Margin: int64(1000 - i*50)}})
		}
		d := salesChartData(lines, "product", "GBP")
		if got := len(d.bars); got != salesTop+1 {
			t.Fatalf("%d bars for 20 products, want the top %d and Other", got, salesTop)
		}
		// Products 15 to 19 earn 5.00, 4.00, 3.00, 2.00 and 1.00: £15 together, £7.50 margin.
		if got, want := d.labels[salesTop], "Other (5 products)"; got != want {
			t.Errorf("last bar %q, want %q", got, want)
		}
		if d.bars[salesTop] != 15 || d.inner[salesTop] != 7.5 || !d.lastIsRest {
			t.Errorf("Other is %v with margin %v, want 15 and 7.5", d.bars[salesTop], d.inner[salesTop])
		}
	})

	t.Run("Empty", func(t *testing.T) {
		a := salesTestApp(t, testOwner)
		_, sp := openSalesPage(t, a)
		sp.period.SetSelected(salesCustom)
		from, to := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 31, 0, 0, 0, 0, time.UTC)
		sp.from.SetDate(&from)
		sp.to.SetDate(&to)
		test.Tap(sp.apply)
		waitUI(a)
		if !sp.empty.Visible() || sp.chartBox.Visible() || sp.tableBox.Visible() {
			t.Fatalf("no sales: empty note shown %v, chart %v, table %v", sp.empty.Visible(), sp.chartBox.Visible(), sp.tableBox.Visible())
		}
		if got, want := sp.empty.Text, "No sales from 1 Jan – 31 Jan 2020."; !strings.HasPrefix(got, want) || !strings.Contains(got, "Imports") {
			t.Errorf("empty note %q, want it to start %q and point to Imports", got, want)
		}
		if !sp.exportBtn.Disabled() {
			t.Error("Export xlsx… is enabled with nothing to export")
		}
	})

	t.Run("LeavingCancels", func(t *testing.T) {
		a := salesTestApp(t, testOwner)
		sc, sp := openSalesPage(t, a)
		sp.period.SetSelected(salesLast7) // the answer waits: the test holds the UI
		ctx := sp.ctx
		a.show(sectionOrders)
		if ctx.Err() == nil {
			t.Fatal("going to Orders left the sales figures computing")
		}
		settle(a)
		if got := len(sp.chart.data.bars); got != 30 {
			t.Errorf("the cancelled answer was shown: %d bars, want the 30 days still", got)
		}
		a.show(sectionDashboard)
		waitUI(a)
		if sc.pageOn != pageSales || len(sp.chart.data.bars) != 7 {
			t.Errorf("back on the dashboard: page %q with %d bars, want the sales page computed again with 7", sc.pageOn, len(sp.chart.data.bars))
		}
		test.Tap(sp.back)
		waitUI(a)
		if sc.pageOn != "" || sc.page.Visible() || !sc.home.Visible() {
			t.Errorf("after Back: page %q shown %v, dashboard shown %v", sc.pageOn, sc.page.Visible(), sc.home.Visible())
		}
	})
}

// checkTable compares the sales table's rows, totals last; an empty wanted cell is not compared.
func checkTable(t *testing.T, sp *salesPage, want [][]string) {
	t.Helper()
	if len(sp.cells) != len(want) || sp.totals != len(want)-1 {
		t.Fatalf("table has %d rows, totals at %d; want %d rows, totals last:\n%q", len(sp.cells), sp.totals, len(want), sp.cells)
	}
	for i, row := range want {
		for j, cell := range row {
			if cell != "" && sp.cells[i][j] != cell {
				t.Errorf("row %d: %q, want %q", i+1, sp.cells[i], row)
				break
			}
		}
	}
}

// TestSalesPage_Export: the workbook holds every currency's rows as numbers, matching the report, and
// LibreOffice shows them in their formats.
func TestSalesPage_Export(t *testing.T) {
	a := salesTestApp(t, testOwner)
	sc, sp := openSalesPage(t, a)
	dir := t.TempDir()
	saveXLSXTo(sc.export, dir)
	sp.period.SetSelected(salesLast7)
	waitUI(a)
	test.Tap(sp.exportBtn)
	waitUI(a)
	path := filepath.Join(dir, "backroom-sales-2026-11-26.xlsx")
	if sc.export.saved != path {
		t.Fatalf("saved to %q, want %q", sc.export.saved, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sh = "Sales by day"
	rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows[0], ","), "Day,Currency,Orders,Units,Revenue,Cost of goods,Gross margin,Margin %,Uncosted units"; got != want {
		t.Errorf("header %s, want %s", got, want)
	}
	// 7 days in pounds, 7 in euros (the report's order: most revenue first), then a total per currency.
	if got := len(rows); got != 1+14+2 {
		t.Fatalf("%d rows, want 17:\n%q", got, rows)
	}
	// Every row of the report is in the workbook with the same figures, its day as a date.
	report, err := a.store.SalesReport(context.Background(), time.Date(2026, 11, 20, 0, 0, 0, 0, time.Local),
		time.Date(2026, 11, 27, 0, 0, 0, 0, time.Local), "day", time.Local)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range report {
		day, _ := time.ParseInLocation("2006-01-02", r.Key, time.Local)
		found := false
		for i, row := range rows[1:15] {
			if row[0] != strconv.FormatFloat(excelSerial(day), 'f', -1, 64) || row[1] != r.Currency {
				continue
			}
			found = true
			cell := func(col string) string { return fmt.Sprintf("%s%d", col, i+2) }
			for col, want := range map[string]float64{"C": float64(r.Orders), "D": float64(r.Units), "E": float64(r.Revenue) / 100,
				"F": float64(r.Cost) / 100, "G": float64(r.Margin) / 100, "I": float64(r.Uncosted)} {
				if got := number(t, f, sh, cell(col)); math.Abs(got-want) > 1e-9 {
					t.Errorf("%s %s column %s = %v, want %v", r.Key, r.Currency, col, got, want)
				}
			}
			if pct, _ := r.MarginPercent(); math.Abs(number(t, f, sh, cell("H"))-pct/100) > 1e-9 {
				t.Errorf("%s %s margin %% = %v, want %v", r.Key, r.Currency, number(t, f, sh, cell("H")), pct/100)
			}
			if format, _ := style(t, f, sh, cell("E")); format != moneyFormat(r.Currency) {
				t.Errorf("%s %s revenue format %q, want %q", r.Key, r.Currency, format, moneyFormat(r.Currency))
			}
		}
		if !found {
			t.Errorf("report row %s %s is not in the workbook", r.Key, r.Currency)
		}
	}
	if got, want := rows[15][:7], []string{"Total GBP", "GBP", "4", "7", "96.95", "29.5", "67.45"}; !slices.Equal(got, want) {
		t.Errorf("pound total %q, want %q", got, want)
	}
	if got, want := rows[16][:7], []string{"Total EUR", "EUR", "1", "1", "15", "4.05", "10.95"}; !slices.Equal(got, want) {
		t.Errorf("euro total %q, want %q", got, want)
	}
	if _, bold := style(t, f, sh, "E16"); !bold {
		t.Error("the totals are not bold")
	}

	shown := libreOfficeCSV(t, b)
	for _, want := range [][]string{
		{"2026-11-24", "GBP", "1", "2", "£27.95", "£8.00", "£19.95", "71.4%", "0"},
		{"2026-11-26", "EUR", "1", "1", "€15.00", "€4.05", "€10.95", "73.0%", "0"},
		{"Total GBP", "GBP", "4", "7", "£96.95", "£29.50", "£67.45", "69.6%", "1"},
	} {
		if !slices.ContainsFunc(shown, func(row []string) bool { return slices.Equal(row, want) }) {
			t.Errorf("LibreOffice shows no row %q; it shows:\n%q", want, shown)
		}
	}
}

// TestDashboard_Exports: each card of the dashboard saves its table.
func TestDashboard_Exports(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	o, err := a.base.OrderByKey(ctx, "shopify", "2001") // shipped 4 days ago: 1 × TOWEL
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.RecordReturn(ctx, data.Return{OrderID: o.ID, SKU: "TOWEL", Units: 1, Reason: data.ReturnDamaged,
		Condition: data.ConditionDamaged, Disposition: data.WriteOff}); err != nil {
		t.Fatal(err)
	}
	if o, err = a.base.OrderByKey(ctx, "shopify", "2002"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.base.ShipOrder(ctx, o.ID, data.Shipment{Carrier: "Royal Mail", Service: "Tracked 48"}); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
	sc.load() // the dashboard opened before the return and the parcel
	waitUI(a)
	dir := t.TempDir()
	saveXLSXTo(sc.export, dir)
	day := time.Now().Format("2006-01-02")
	for _, tc := range []struct {
		button *widget.Button
		file   string
		sheet  string
		want   []string // the first data row, as stored
	}{
		// Last 30 days, most revenue first: shopify 2001 and 2002 (8.00 + 107.40), a towel at 2.50 and 4 aprons at 9.50.
		{sc.salesExport, "sales-by-channel", "Sales by channel", []string{"Shopify", "GBP", "2", "115.4", "40.5", "74.9"}},
		{sc.returnsExport, "returns", "Return rates", []string{"TOWEL", "Tea towel", "1", "1", "1"}},
		{sc.ops.bottlenecksExport, "bottlenecks", "Waits", []string{"New", "1"}},
		{sc.ops.carriersExport, "carriers", "Carriers", []string{"Royal Mail", "Tracked 48", "1", "1", "1", "1"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			test.Tap(tc.button)
			waitUI(a)
			f, err := excelize.OpenFile(filepath.Join(dir, "backroom-"+tc.file+"-"+day+".xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows(tc.sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 2 || !slices.Equal(rows[1][:len(tc.want)], tc.want) {
				t.Errorf("rows %q, want the first to start %q", rows, tc.want)
			}
			if panes, _ := f.GetPanes(tc.sheet); !panes.Freeze {
				t.Error("the header row is not frozen")
			}
		})
	}
}

// TestDashboard_Pages: who sees the links to the sales and packing pages, and where they go. The
// accountant cannot reach the Fulfillment screen, so the packing figures open on the dashboard.
func TestDashboard_Pages(t *testing.T) {
	t.Run("Accountant", func(t *testing.T) {
		a := salesTestApp(t, testAccountant)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		if a.canShow(sectionFulfillment) {
			t.Fatal("the accountant has the Fulfillment screen: the link is not needed")
		}
		if !sc.openSales.Visible() || !sc.openPacking.Visible() || !sc.sales.Visible() {
			t.Fatalf("accountant: sales link %v, packing link %v, sales card %v; want all shown",
				sc.openSales.Visible(), sc.openPacking.Visible(), sc.sales.Visible())
		}
		test.Tap(sc.openPacking)
		waitUI(a)
		if sc.pageOn != pagePacking || !sc.page.Visible() || !hasText(sc.page, "Nobody has packed") {
			t.Errorf("after Packing figures: page %q, showing %q", sc.pageOn, texts(sc.page))
		}
		test.Tap(sc.packingBack)
		waitUI(a)
		if sc.pageOn != "" || !sc.home.Visible() {
			t.Fatalf("after Back: page %q, dashboard shown %v", sc.pageOn, sc.home.Visible())
		}
		test.Tap(sc.openSales)
		waitUI(a)
		if sc.pageOn != pageSales || len(sc.salesPage.chart.data.bars) != 30 {
			t.Errorf("accountant's sales page %q with %d bars, want 30", sc.pageOn, len(sc.salesPage.chart.data.bars))
		}
	})
	t.Run("OwnerGoesToFulfillment", func(t *testing.T) {
		a := salesTestApp(t, testOwner)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		test.Tap(sc.openPacking)
		waitUI(a)
		f, ok := a.screens[sectionFulfillment].(*fulfillmentScreen)
		if a.current != sectionFulfillment || !ok || f.packing.tabs.Selected() != f.packing.figuresTab {
			t.Errorf("owner's Packing figures opened %q, want Fulfillment on its figures tab", a.current)
		}
	})
	t.Run("PackerSeesNeither", func(t *testing.T) {
		a := salesTestApp(t, testPacker)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		if sc.openSales.Visible() || sc.openPacking.Visible() {
			t.Errorf("packer sees the sales link %v, the packing link %v", sc.openSales.Visible(), sc.openPacking.Visible())
		}
	})
}

func TestSalesScreenshots(t *testing.T) {
	save := screenshots(t, "sales")
	for _, size := range []struct {
		name string
		size fyne.Size
	}{{"default", fyne.NewSize(1200, 780)}, {"small", fyne.NewSize(1024, 700)}} {
		a := salesTestApp(t, testOwner)
		a.fyne.Settings().SetTheme(theme.DefaultTheme())
		a.win.Resize(size.size)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		save(a, size.name+"-1-dashboard")
		test.Tap(sc.openSales)
		waitUI(a)
		sp := sc.salesPage
		save(a, size.name+"-2-last30-by-day")
		sp.period.SetSelected(salesLast7)
		waitUI(a)
		save(a, size.name+"-3-last7-by-day")
		test.Tap(sp.mode.buttons[salesTable])
		save(a, size.name+"-4-last7-table")
		test.Tap(sp.mode.buttons[salesChart])
		test.Tap(sp.by.buttons["Product"])
		waitUI(a)
		save(a, size.name+"-5-last7-by-product")
		test.Tap(sp.mode.buttons[salesTable])
		save(a, size.name+"-5b-last7-by-product-table")
		test.Tap(sp.mode.buttons[salesChart])
		sp.period.SetSelected(salesLast12)
		waitUI(a)
		save(a, size.name+"-6-last12-by-product")
		test.Tap(sp.by.buttons["Month"])
		waitUI(a)
		save(a, size.name+"-7-last12-by-month")
		sp.currency.SetSelected("EUR")
		test.Tap(sp.mode.buttons[salesTable])
		save(a, size.name+"-8-last12-month-eur-table")
		sp.period.SetSelected(salesCustom)
		save(a, size.name+"-9-custom")
	}
}

// TestSalesScreenshots_Dashboard saves the whole dashboard (a tall window) as the owner and as the
// accountant, and the accountant's packing figures page.
func TestSalesScreenshots_Dashboard(t *testing.T) {
	save := screenshots(t, "sales")
	for _, who := range []string{testOwner, testAccountant} {
		a := salesTestApp(t, who)
		a.fyne.Settings().SetTheme(theme.DefaultTheme())
		a.win.Resize(fyne.NewSize(1024, 2000))
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		save(a, "dashboard-"+who)
		if who == testAccountant {
			a.win.Resize(fyne.NewSize(1024, 700))
			test.Tap(sc.openPacking)
			waitUI(a)
			save(a, "small-packing-"+who)
		}
	}
}
