package accountsbook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

// writeFixtureBook writes the fixture's workbook to a file and returns its path and the result.
func writeFixtureBook(t *testing.T) (string, Result) {
	t.Helper()
	src, opt := fixture(t)
	var buf bytes.Buffer
	res, err := WriteXLSX(context.Background(), &buf, src, opt)
	if err != nil {
		t.Fatalf("WriteXLSX() error = %v", err)
	}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, res
}

func TestWriteXLSX_Result(t *testing.T) {
	src, opt := fixture(t)
	type call struct{ done, total int }
	var calls []call
	opt.Progress = func(done, total int) { calls = append(calls, call{done, total}) }
	var buf bytes.Buffer
	res, err := WriteXLSX(context.Background(), &buf, src, opt)
	if err != nil {
		t.Fatalf("WriteXLSX() error = %v", err)
	}
	if got, want := res.Totals, wantTotals(); !reflect.DeepEqual(got, want) {
		t.Errorf("Totals =\n%+v\nwant\n%+v", got, want)
	}
	if got, want := res.Rows, wantTotals().Rows; got != want {
		t.Errorf("Rows = %+v, want %+v", got, want)
	}
	sum := sha256.Sum256(buf.Bytes())
	if got, want := res.SHA256, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("SHA256 = %s, want %s (of the bytes written)", got, want)
	}
	if got, want := res.Bytes, int64(buf.Len()); got != want {
		t.Errorf("Bytes = %d, want %d", got, want)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("PK\x03\x04")) {
		t.Errorf("the output does not start as a zip file: % x", buf.Bytes()[:4])
	}
	if res.Files != nil {
		t.Errorf("Files = %v, want none for xlsx", res.Files)
	}
	if got, want := calls, []call{{0, 22}, {22, 22}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Progress calls = %v, want %v", got, want)
	}
	if src.previews != 1 {
		t.Errorf("AccountsPreview called %d times, want 1 (for the progress total)", src.previews)
	}

	// Without a progress bar there is no preview to wait for.
	src, opt = fixture(t)
	if _, err := WriteXLSX(context.Background(), &bytes.Buffer{}, src, opt); err != nil {
		t.Fatal(err)
	}
	if src.previews != 0 {
		t.Errorf("AccountsPreview called %d times without Progress, want 0", src.previews)
	}
}

// TestWriteXLSX_OpenPyXL reads the workbook back with openpyxl: sheets, types, formats, frozen
// header rows, filters, widths, the document's properties, and formula-like text kept as text.
func TestWriteXLSX_OpenPyXL(t *testing.T) {
	path, _ := writeFixtureBook(t)
	book := openpyxl(t, path)

	var names []string
	for _, s := range book.Sheets {
		names = append(names, s.Name)
	}
	wantNames := []string{"Summary", "Sales", "Refunds and returns", "Cost of goods sold", "Stock valuation at 2026-10-31", "Purchases"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("sheets = %q, want %q", names, wantNames)
	}
	for k, want := range map[string]string{
		"title": "Hattie's Homewares accounts 2026-10", "subject": "2026-10-01 to 2026-10-31", "creator": "Backroom",
		"lastModifiedBy": "Hattie", "category": "Accounts", "created": "2026-11-02T09:15:00",
	} {
		if got := book.Properties[k]; got != want {
			t.Errorf("property %s = %v, want %q", k, got, want)
		}
	}
	if d, _ := book.Properties["description"].(string); !strings.Contains(d, "Hattie's Homewares for 2026-10-01 to 2026-10-31 (Europe/London)") {
		t.Errorf("description = %q, want it to say whose and which period", d)
	}

	filters := map[string]string{"Sales": "O8", "Refunds and returns": "M4", "Cost of goods sold": "J8",
		"Stock valuation at 2026-10-31": "F4", "Purchases": "I3"}
	for _, s := range book.Sheets[1:] {
		if s.Freeze != "A2" {
			t.Errorf("%s: frozen at %q, want the header row frozen (A2)", s.Name, s.Freeze)
		}
		if got, want := strings.ReplaceAll(s.Filter, "$", ""), "A1:"+filters[s.Name]; got != want {
			t.Errorf("%s: auto filter %q, want %s", s.Name, s.Filter, want)
		}
		if s.Cells["A1"].Bold != true {
			t.Errorf("%s: header not bold", s.Name)
		}
		for ref, c := range s.Cells {
			if c.Type == "f" {
				t.Errorf("%s!%s is a formula (%v): detail sheets hold values only", s.Name, ref, c.V)
			}
		}
	}

	sales := book.Sheets[1]
	if got := sales.Widths; got["G"] != 40 || got["A"] != 11 || got["N"] != 15 {
		t.Errorf("Sales widths = %v, want Product 40, Date 11, Total 15", got)
	}
	type want struct {
		v      any
		typ    string
		format string
		date   bool
		quote  bool
	}
	const gbp, jpy, kwd = `#,##0.00 "GBP"`, `#,##0 "JPY"`, `#,##0.000 "KWD"`
	check := func(s inspectedSheet, ref string, w want) {
		t.Helper()
		c := s.cell(t, ref)
		got := want{c.V, c.Type, c.Format, c.Date, c.Quote}
		if f, ok := c.V.(float64); ok {
			if wf, ok := w.v.(float64); ok && math.Abs(f-wf) < 1e-9 {
				got.v = w.v
			}
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s!%s = %#v, want %#v", s.Name, ref, got, w)
		}
	}
	// 23:30 UTC on 30 September is 00:30 on 1 October in London: the date and time are London's.
	check(sales, "A2", want{"2026-10-01T00:00:00", "d", "yyyy-mm-dd", true, false})
	check(sales, "B2", want{"00:30:00", "d", "hh:mm", true, false})
	check(sales, "C2", want{"etsy", "s", "General", false, false})
	check(sales, "D2", want{"E-001", "s", "General", false, false})
	check(sales, "E2", want{1.0, "n", "#,##0", false, false})
	check(sales, "F2", want{"007", "s", "General", false, false}) // leading zeros kept
	check(sales, "H2", want{2.0, "n", "#,##0", false, false})
	check(sales, "I2", want{12.0, "n", gbp, false, false})
	check(sales, "J2", want{24.0, "n", gbp, false, false})
	check(sales, "K2", want{1.0, "n", gbp, false, false})
	check(sales, "L2", want{2.0, "n", gbp, false, false})
	check(sales, "N2", want{25.0, "n", gbp, false, false})
	check(sales, "O2", want{"GBP", "s", "General", false, false})
	check(sales, "L3", want{1.95, "n", gbp, false, false})
	// 12:05:09 UTC in October is 13:05:09 in London (summer time); on the 26th London is back on GMT.
	check(sales, "B4", want{"13:05:09", "d", "hh:mm", true, false})
	check(sales, "B5", want{"10:00:00", "d", "hh:mm", true, false})
	check(sales, "D4", want{"00123", "s", "General", false, false})
	check(sales, "F4", want{"0042", "s", "General", false, false})
	// Formula-like text: text cells, marked with the quote prefix, never formulas.
	check(sales, "G4", want{injection, "s", "General", false, true})
	check(sales, "G5", want{"+1", "s", "General", false, true})
	check(sales, "D6", want{"-2", "s", "General", false, true})
	check(sales, "G6", want{"@SUM(A1)", "s", "General", false, true})
	check(sales, "G2", want{"Stoneware mug", "s", "General", false, false})
	if _, ok := sales.Cells["F6"]; ok {
		t.Errorf("Sales!F6 = %v, want empty (a line matching no SKU)", sales.Cells["F6"].V)
	}
	// Currencies without decimals and with three.
	check(sales, "I7", want{1500.0, "n", jpy, false, false})
	check(sales, "N7", want{3300.0, "n", jpy, false, false})
	check(sales, "I8", want{12.345, "n", kwd, false, false})
	// 23:59 UTC on the 31st, after the clocks went back, is still October in London.
	check(sales, "A8", want{"2026-10-31T00:00:00", "d", "yyyy-mm-dd", true, false})

	refunds := book.Sheets[2]
	check(refunds, "E3", want{"2026-09-02T00:00:00", "d", "yyyy-mm-dd", true, false})
	check(refunds, "I2", want{"damaged", "s", "General", false, false})
	check(refunds, "L2", want{12.0, "n", gbp, false, false})

	costs := book.Sheets[3]
	for _, ref := range []string{"G6", "H6"} {
		if c, ok := costs.Cells[ref]; ok {
			t.Errorf("Cost of goods sold!%s = %v, want empty for a cost that is not known", ref, c.V)
		}
	}
	check(costs, "J6", want{unknownCost, "s", "General", false, false})
	check(costs, "H5", want{12.15, "n", `#,##0.00 "EUR"`, false, false})

	stock := book.Sheets[4]
	check(stock, "A2", want{"007", "s", "General", false, false})
	check(stock, "C2", want{10.0, "n", "#,##0", false, false})
	check(stock, "E3", want{28.5, "n", gbp, false, false})

	purchases := book.Sheets[5]
	check(purchases, "C3", want{"\tTabby ceramics", "s", "General", false, true})
	check(purchases, "H2", want{48.0, "n", gbp, false, false})

	summary := book.Sheets[0]
	check(summary, "B4", want{"2026-10-01T00:00:00", "d", "yyyy-mm-dd", true, false})
	check(summary, "B5", want{"2026-10-31T00:00:00", "d", "yyyy-mm-dd", true, false})
	check(summary, "B6", want{"Europe/London", "s", "General", false, false})
	// Created at 09:15 UTC on 2 November is 09:15 in London (GMT).
	check(summary, "B7", want{"2026-11-02T09:15:00", "d", "yyyy-mm-dd hh:mm", true, false})
	checkSummaryFormulas(t, summary)
}

// summaryFigures are the fixture's Summary rows as the hand-worked table in fixture has them, in
// major units: orders, lines, goods, discount, shipping, tax, total, refunds, cost, margin.
func summaryFigures() map[[2]string][10]float64 {
	return map[[2]string][10]float64{
		{"amazon", "GBP"}:       {1, 1, 9, 0, 0, 0, 9, 5, 0, 4},
		{"ebay", "GBP"}:         {0, 0, 0, 0, 0, 0, 0, 3, 0, -3},
		{"etsy", "GBP"}:         {1, 2, 48, 2, 3.95, 0, 49.95, 12, 17.5, 20.45},
		{"shopify", "GBP"}:      {1, 1, 9.99, 0, 0, 2, 11.99, 0, 3, 6.99},
		{"All channels", "GBP"}: {3, 4, 66.99, 2, 3.95, 2, 70.94, 20, 20.5, 28.44},
		{"shopify", "EUR"}:      {1, 1, 37.5, 0, 0, 7.5, 45, 0, 12.15, 25.35},
		{"All channels", "EUR"}: {1, 1, 37.5, 0, 0, 7.5, 45, 0, 12.15, 25.35},
		{"etsy", "JPY"}:         {1, 1, 3000, 0, 0, 300, 3300, 0, 1000, 2000},
		{"All channels", "JPY"}: {1, 1, 3000, 0, 0, 300, 3300, 0, 1000, 2000},
		{"shopify", "KWD"}:      {1, 1, 12.345, 0, 0, 0, 12.345, 0, 5, 7.345},
		{"All channels", "KWD"}: {1, 1, 12.345, 0, 0, 0, 12.345, 0, 5, 7.345},
	}
}

// otherFigures are the Summary's stock and purchase rows.
func otherFigures() map[[2]string]float64 {
	return map[[2]string]float64{
		{"Stock value at 2026-10-31", "GBP"}: 68.5, {"Stock value at 2026-10-31", "EUR"}: 20.25,
		{"Purchases received", "GBP"}: 48, {"Purchases received", "EUR"}: 24.3,
	}
}

// checkSummaryFormulas checks every figure of the Summary is a live formula over the detail sheets (or
// the rows above, for totals) whose cached value is the hand-worked figure, in its currency's format.
func checkSummaryFormulas(t *testing.T, s inspectedSheet) {
	t.Helper()
	cols := "CDEFGHIJKL"
	for key, figs := range summaryFigures() {
		r := s.row(t, key[0], key[1])
		for i, want := range figs {
			ref := string(cols[i]) + r
			c := s.cell(t, ref)
			if f, ok := c.Cached.(float64); !ok || math.Abs(f-want) > 1e-9 {
				t.Errorf("Summary!%s (%v) cached %v, want %v", ref, key, c.Cached, want)
			}
			formula, _ := c.V.(string)
			switch {
			case i == 0 && key[0] != "All channels":
				if c.Type != "n" {
					t.Errorf("Summary!%s (orders) = %v, want a number", ref, c.V)
				}
				continue // distinct orders have no plain formula
			case key[0] == "All channels" && i < 9:
				if !strings.HasPrefix(formula, "=SUM(") {
					t.Errorf("Summary!%s = %v, want =SUM(…) of the channels above", ref, c.V)
				}
			case i == 1:
				if !strings.HasPrefix(formula, "=COUNTIFS(Sales!") {
					t.Errorf("Summary!%s = %v, want =COUNTIFS over Sales", ref, c.V)
				}
			case i == 9:
				if want := "=I" + r + "-H" + r + "-J" + r + "-K" + r; formula != want {
					t.Errorf("Summary!%s = %v, want %s", ref, c.V, want)
				}
			default:
				if !strings.HasPrefix(formula, "=SUMIFS(") || !strings.Contains(formula, `"="&$A`+r) || !strings.Contains(formula, `"="&$B`+r) {
					t.Errorf("Summary!%s = %v, want =SUMIFS over a detail sheet by channel and currency", ref, c.V)
				}
			}
			if c.Type != "f" {
				t.Errorf("Summary!%s type %q, want a formula", ref, c.Type)
			}
			if i >= 2 {
				if want := moneyFormat(key[1]); c.Format != want {
					t.Errorf("Summary!%s format %q, want %q", ref, c.Format, want)
				}
			}
		}
	}
	for key, want := range otherFigures() {
		ref := "C" + s.row(t, key[0], key[1])
		c := s.cell(t, ref)
		if f, ok := c.Cached.(float64); !ok || math.Abs(f-want) > 1e-9 || c.Type != "f" {
			t.Errorf("Summary!%s (%v) = %v cached %v, want a formula worth %v", ref, key, c.V, c.Cached, want)
		}
	}
	found := false
	for _, c := range s.Cells {
		if v, _ := c.V.(string); strings.HasPrefix(v, "1 sold line has no known cost") {
			found = true
		}
	}
	if !found {
		t.Error("Summary has no note about the sold line without a known cost")
	}
}

// TestWriteXLSX_LibreOfficeRecalculates has LibreOffice recalculate the Summary from the detail sheets,
// with every cached value zeroed first, and checks the results are the hand-worked totals; and that the
// formula-like text of the detail sheets comes out as the text it is.
func TestWriteXLSX_LibreOfficeRecalculates(t *testing.T) {
	path, _ := writeFixtureBook(t)
	zeroed := filepath.Join(t.TempDir(), "zeroed.xlsx")
	if n := withoutCachedValues(t, path, zeroed); n < 100 {
		t.Fatalf("zeroed %d cached formula values, want every Summary figure (over 100)", n)
	}
	sheets := libreOfficeCSV(t, zeroed)

	summary := sheets["Summary"]
	if len(summary) == 0 {
		t.Fatalf("LibreOffice wrote no Summary; sheets: %v", keys(sheets))
	}
	rows := map[[2]string][]string{}
	for _, r := range summary {
		if len(r) >= 3 {
			rows[[2]string{r[0], r[1]}] = r
		}
	}
	for key, figs := range summaryFigures() {
		r, ok := rows[key]
		if !ok {
			t.Errorf("LibreOffice's Summary has no row %v", key)
			continue
		}
		for i, want := range figs {
			got, err := strconv.ParseFloat(r[2+i], 64)
			if err != nil || math.Abs(got-want) > 1e-9 {
				t.Errorf("LibreOffice's Summary %v column %d = %q, want %v", key, i+3, r[2+i], want)
			}
		}
	}
	for key, want := range otherFigures() {
		r, ok := rows[key]
		if got, err := strconv.ParseFloat(r[2], 64); !ok || err != nil || math.Abs(got-want) > 1e-9 {
			t.Errorf("LibreOffice's Summary %v = %v, want %v", key, r, want)
		}
	}

	sales := sheets["Sales"]
	if len(sales) != 8 {
		t.Fatalf("LibreOffice's Sales has %d rows, want 8: %q", len(sales), sales)
	}
	for _, c := range []struct {
		row, col int
		want     string
	}{
		{1, 5, "007"}, {3, 3, "00123"}, {3, 5, "0042"}, {3, 6, injection}, {4, 6, "+1"}, {5, 3, "-2"}, {5, 6, "@SUM(A1)"},
		{1, 0, "2026-10-01"},
	} {
		if got := sales[c.row][c.col]; got != c.want {
			t.Errorf("LibreOffice's Sales row %d column %d = %q, want %q", c.row+1, c.col+1, got, c.want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestWriteXLSX_SourceFails(t *testing.T) {
	for _, c := range []struct{ at, sheet string }{
		{"sales", "Sales"}, {"refunds", "Refunds and returns"}, {"costs", "Cost of goods sold"},
		{"stock", "Stock valuation at 2026-10-31"}, {"purchases", "Purchases"},
	} {
		t.Run(c.at, func(t *testing.T) {
			src, opt := fixture(t)
			src.failAt = c.at
			var buf bytes.Buffer
			_, err := WriteXLSX(context.Background(), &buf, src, opt)
			if !errors.Is(err, errFake) {
				t.Fatalf("WriteXLSX() error = %v, want the source's", err)
			}
			if !strings.Contains(err.Error(), "sheet "+c.sheet) {
				t.Errorf("error %q does not name the sheet %s", err, c.sheet)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing, want none", buf.Len())
			}
		})
	}
}

func TestWriteXLSX_Cancelled(t *testing.T) {
	src, opt := fixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if _, err := WriteXLSX(ctx, &buf, src, opt); !errors.Is(err, context.Canceled) {
		t.Fatalf("WriteXLSX() error = %v, want context.Canceled", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes, want none", buf.Len())
	}
}

// failingWriter fails after n bytes, like a full disk.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("no space left on device")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteXLSX_WriterFails(t *testing.T) {
	src, opt := fixture(t)
	_, err := WriteXLSX(context.Background(), &failingWriter{n: 1000}, src, opt)
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("WriteXLSX() error = %v, want the writer's", err)
	}
}

// TestChannelNamesIgnoreCase: the store matches channel names whatever their case, and so does SUMIFS,
// so "Etsy" and "etsy" must be one Summary row, or each row's formula would count both.
func TestChannelNamesIgnoreCase(t *testing.T) {
	_, opt := fixture(t)
	src := &fakeSource{sales: []data.SaleLine{
		{OrderRef: 1, Placed: utc("2026-10-02T10:00:00Z"), Channel: "Etsy", OrderID: "1", LineNo: 1, Quantity: 1, UnitPrice: 1000, Total: 1000, Currency: "GBP"},
		{OrderRef: 2, Placed: utc("2026-10-03T10:00:00Z"), Channel: "etsy", OrderID: "2", LineNo: 1, Quantity: 1, UnitPrice: 500, Total: 500, Currency: "GBP"},
		{OrderRef: 3, Placed: utc("2026-10-03T11:00:00Z"), Channel: "amazon", OrderID: "3", LineNo: 1, Quantity: 1, UnitPrice: 200, Total: 200, Currency: "GBP"},
	}}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := WriteXLSX(context.Background(), f, src, opt)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := []data.AccountsChannelTotal{
		{Channel: "amazon", Currency: "GBP", Orders: 1, Lines: 1, Goods: 200, Total: 200},
		{Channel: "Etsy", Currency: "GBP", Orders: 2, Lines: 2, Goods: 1500, Total: 1500},
	}
	if !reflect.DeepEqual(res.Totals.Channels, want) {
		t.Errorf("Channels = %+v, want %+v", res.Totals.Channels, want)
	}
	sheets := libreOfficeCSV(t, path)
	var got [][]string
	for _, r := range sheets["Summary"] {
		if len(r) > 8 && r[1] == "GBP" {
			got = append(got, []string{r[0], r[3], r[8]})
		}
	}
	if want := [][]string{{"amazon", "1", "2"}, {"Etsy", "2", "15"}, {"All channels", "3", "17"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("LibreOffice's Summary (channel, lines, total) = %q, want %q", got, want)
	}
}

func TestWriteXLSX_NoPeriod(t *testing.T) {
	src, _ := fixture(t)
	if _, err := WriteXLSX(context.Background(), &bytes.Buffer{}, src, Options{}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("WriteXLSX() without a period error = %v, want ErrInvalid", err)
	}
	if _, err := WriteCSV(context.Background(), t.TempDir(), src, Options{}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("WriteCSV() without a period error = %v, want ErrInvalid", err)
	}
}

// TestWriteXLSX_FormulaLikeShop: the shop's and the author's names are text on the Summary too.
func TestWriteXLSX_FormulaLikeShop(t *testing.T) {
	src, opt := fixture(t)
	opt.Shop, opt.Author = `=cmd|' /C calc'!A0`, "@me"
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = WriteXLSX(context.Background(), f, src, opt)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	summary := openpyxl(t, path).Sheets[0]
	for ref, want := range map[string]string{"A1": opt.Shop + " accounts 2026-10", "B2": opt.Shop, "B8": "@me"} {
		if c := summary.cell(t, ref); c.V != want || c.Type != "s" || !c.Quote {
			t.Errorf("Summary!%s = %q type %q quote %v, want quoted text %q", ref, c.V, c.Type, c.Quote, want)
		}
	}
}
