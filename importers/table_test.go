package importers

import (
	"archive/zip"
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

// rowsOf reads every row of a text table.
func rowsOf(t *testing.T, b []byte) ([]Row, string) {
	t.Helper()
	tb, err := openText(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("openText: %v", err)
	}
	var out []Row
	for {
		r, err := tb.next()
		if err != nil {
			break
		}
		out = append(out, r)
	}
	return out, tb.describe()
}

func TestText_EncodingsDelimitersAndQuirks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		want   [][]string
		nums   []int
		layout string
	}{
		{"BOM stripped", "\ufeffName,Qty\n#1,2\n", [][]string{{"Name", "Qty"}, {"#1", "2"}}, []int{1, 2}, "CSV"},
		{"CRLF", "a,b\r\n1,2\r\n", [][]string{{"a", "b"}, {"1", "2"}}, []int{1, 2}, "CSV"},
		{"semicolons", "Bestellnummer;Gesamtbetrag\n12-345;\"116,99 €\"\n", [][]string{{"Bestellnummer", "Gesamtbetrag"}, {"12-345", "116,99 €"}}, []int{1, 2}, "CSV, semicolon-separated"},
		{"tabs with CSV quoting (Excel's tab-delimited save)", "Sale Date\tFull Name\n1/4/2024\t\"Jane \"\"J\"\" Example\"\n", [][]string{{"Sale Date", "Full Name"}, {"1/4/2024", `Jane "J" Example`}}, []int{1, 2}, "tab-separated text"},
		{"Amazon: tabs, no quoting", "order-id\tproduct-name\tquantity\n111-1\t12\" ruler, \"steel\t1\n", [][]string{{"order-id", "product-name", "quantity"}, {"111-1", `12" ruler, "steel`, "1"}}, []int{1, 2}, "tab-separated text"},
		{"quoted newline counts as one row", "a,b\n\"line 1\nline 2\",x\ny,z\n", [][]string{{"a", "b"}, {"line 1\nline 2", "x"}, {"y", "z"}}, []int{1, 2, 3}, "CSV"},
		{"blank lines keep spreadsheet row numbers", "\na,b\n\n1,2\n", [][]string{{"a", "b"}, {"1", "2"}}, []int{2, 4}, "CSV"},
		{"lazy quote inside a field", "a,b\n5\" plate,2\n", [][]string{{"a", "b"}, {`5" plate`, "2"}}, []int{1, 2}, "CSV"},
		{"ragged rows", "a,b,c\n1\n1,2,3,4\n", [][]string{{"a", "b", "c"}, {"1"}, {"1", "2", "3", "4"}}, []int{1, 2, 3}, "CSV"},
		{"Windows-1252", "name,city\nJ\xfcrgen,K\xf6ln\n", [][]string{{"name", "city"}, {"Jürgen", "Köln"}}, []int{1, 2}, "CSV, Windows-1252 text"},
		{"UTF-16 with BOM", string([]byte{0xFF, 0xFE, 'a', 0, ',', 0, 'b', 0, '\n', 0, '1', 0, ',', 0, '2', 0, '\n', 0}), [][]string{{"a", "b"}, {"1", "2"}}, []int{1, 2}, "CSV"},
		{"eBay's leading line of commas", ",,,\n\"Sales Record Number\",\"Order Number\",a,b\n", [][]string{{"", "", "", ""}, {"Sales Record Number", "Order Number", "a", "b"}}, []int{1, 2}, "CSV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, layout := rowsOf(t, []byte(tc.in))
			if len(rows) != len(tc.want) {
				t.Fatalf("%d rows %+v, want %d", len(rows), rows, len(tc.want))
			}
			for i, r := range rows {
				if strings.Join(r.Cells, "|") != strings.Join(tc.want[i], "|") || r.Num != tc.nums[i] {
					t.Errorf("row %d = %d %q, want %d %q", i, r.Num, r.Cells, tc.nums[i], tc.want[i])
				}
			}
			if layout != tc.layout {
				t.Errorf("layout %q, want %q", layout, tc.layout)
			}
		})
	}
}

func TestOpen_BadFiles(t *testing.T) {
	shopify := readFixture(t, "shopify_orders_2025.csv")
	xlsx := shopifyWorkbook(t, shopify, nil)
	huge := append([]byte(shopifyHeader+"\n#1,\""), bytes.Repeat([]byte("x"), 5<<20)...)
	huge = append(huge, "\"\n"...)
	for _, tc := range []struct {
		name, file string
		in         []byte
		want       string // the error of Open, or of reading the rows when Open succeeds
	}{
		{"empty", "orders.csv", nil, "orders.csv is empty"},
		{"only blank lines", "orders.csv", []byte("\n\n\n"), "orders.csv has no rows with anything in them"},
		{"binary", "orders.csv", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00"), "orders.csv is not a spreadsheet: it holds binary data, not text"},
		{"old xls", "orders.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "orders.xls is an old Excel 97–2003 workbook (.xls); open it and save it as .xlsx or CSV, then import that"},
		{"pdf", "orders.pdf", []byte("%PDF-1.7\n"), "orders.pdf is a PDF document, not a spreadsheet; download the report as CSV or Excel"},
		{"truncated xlsx", "orders.xlsx", xlsx[:len(xlsx)/2], "orders.xlsx: the workbook cannot be opened (damaged or cut off?)"},
		{"zip that is no workbook", "orders.xlsx", zipOf(t, "readme.txt", "hello"), "orders.xlsx: the workbook cannot be opened (damaged or cut off?)"},
		{"5 MB cell", "orders.csv", huge, "orders.csv: row 2, column 2: a cell of 5 MB; no export has cells that large, so this is not a marketplace file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Open(bytes.NewReader(tc.in), tc.file, Options{})
			if err == nil {
				defer f.Close()
				for it := range f.Items(context.Background()) {
					if it.Err != nil {
						err = it.Err
					}
				}
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestOpen_HeaderOnlyAndUnknownLayouts(t *testing.T) {
	f := openBytes(t, "orders_export.csv", []byte(shopifyHeader+"\n"))
	if items := collect(t, f); len(items) != 0 || f.FormatID() != "shopify-orders" {
		t.Fatalf("header-only file: %d items, format %s", len(items), f.FormatID())
	}
	f = openBytes(t, "faire.csv", []byte("Order,Placed,Item code,Units,Unit price\nF-1,2026-01-02,MUG,2,9.50\n"))
	if f.Format != nil || f.FormatID() != "unknown" || f.HeaderAt != 1 || len(f.Preview) != 1 {
		t.Fatalf("unknown layout read as %s, header at %d, %d preview rows", f.FormatID(), f.HeaderAt, len(f.Preview))
	}
	items := collect(t, f)
	if len(items) != 1 || items[0].Err == nil || !strings.Contains(items[0].Err.Error(), "its columns need mapping once") {
		t.Fatalf("reading an unknown layout: %+v", items)
	}
}

func TestMappedLayout(t *testing.T) {
	file := []byte("Order,Placed,Item code,Units,Unit price,Buyer\nF-1,02/01/2026,MUG,2,\"9,50\",Ana\nF-1,02/01/2026,TEA,1,4.00,Ana\nF-2,03/01/2026,MUG,x,9.50,Bo\n")
	f := openBytes(t, "faire.csv", file)
	m := data.ColumnMapping{Signature: f.Signature(), Name: "Faire orders", Channel: "faire", Kind: "orders",
		Columns: map[string]string{"order_id": "Order", "date": "Placed", "sku": "Item code", "quantity": "Units", "unit_price": "Unit price", "customer_name": "Buyer"},
		Options: map[string]string{"date_order": "DMY", "currency": "EUR"}}
	if err := f.UseMapping(m); err != nil {
		t.Fatal(err)
	}
	items := collect(t, f)
	if len(items) != 2 {
		t.Fatalf("%d items", len(items))
	}
	o := items[0].Order
	if o == nil || o.ExternalID != "F-1" || o.Channel != "faire" || o.Currency != "EUR" || o.PlacedAt.Day() != 2 || o.PlacedAt.Month() != 1 ||
		len(o.Lines) != 2 || o.Lines[0].UnitPrice != 950 || o.Subtotal != 2300 || o.CustomerName != "Ana" || o.Status != data.StatusPaid {
		t.Fatalf("F-1 = %+v", o)
	}
	if p := problems(items[1:]); len(p) != 1 || p[0] != `row 4, Units "x": the quantity is not a whole number` {
		t.Fatalf("F-2 problems %q", p)
	}
	if err := openBytes(t, "other.csv", []byte("A,B\n1,2\n")).UseMapping(m); err == nil || !strings.Contains(err.Error(), "other.csv has no column") {
		t.Fatalf("mapping a file without the columns: %v", err)
	}
}

// shopifyWorkbook saves a Shopify orders CSV as Excel would: every cell that looks like a number
// becomes a number cell, and cells named in asText stay text.
func shopifyWorkbook(t testing.TB, csvBytes []byte, asText map[string]bool) []byte {
	t.Helper()
	tb, err := openText(bytes.NewReader(csvBytes))
	if err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	defer x.Close()
	var header []string
	for r := 1; ; r++ {
		row, err := tb.next()
		if err != nil {
			break
		}
		if r == 1 {
			header = row.Cells
		}
		for c, v := range row.Cells {
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			if n, ok := numberCell(v); ok && r > 1 && !asText[header[c]] {
				_ = x.SetCellValue("Sheet1", cell, n)
			} else {
				_ = x.SetCellStr("Sheet1", cell, v)
			}
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func numberCell(v string) (float64, bool) {
	if v == "" || strings.ContainsAny(v, " -:") {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

func zipOf(t testing.TB, name, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	fw, err := w.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestShopifyOrders_XLSX(t *testing.T) {
	csvBytes := readFixture(t, "shopify_orders_2025.csv")
	want := orders(t, collect(t, openBytes(t, "orders_export.csv", csvBytes)))
	f := openBytes(t, "orders_export.xlsx", shopifyWorkbook(t, csvBytes, nil))
	if f.FormatID() != "shopify-orders" || !strings.HasPrefix(f.Layout, "Excel workbook") {
		t.Fatalf("format %s, layout %s", f.FormatID(), f.Layout)
	}
	got := orders(t, collect(t, f))
	if len(got) != len(want) {
		t.Fatalf("%d orders from xlsx, %d from CSV", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ExternalID != w.ExternalID || g.Total != w.Total || g.Status != w.Status || !g.PlacedAt.Equal(w.PlacedAt) ||
			len(g.Lines) != len(w.Lines) || g.ShipTo != w.ShipTo {
			t.Errorf("xlsx order %d = %+v\nCSV: %+v", i, g, w)
		}
		for j := range w.Lines {
			if g.Lines[j] != w.Lines[j] {
				t.Errorf("xlsx %s line %d = %+v, CSV %+v", g.ExternalID, j, g.Lines[j], w.Lines[j])
			}
		}
	}
}

func TestXLSX_NumbersThatShouldBeText(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"Order", "Placed", "Item code", "Units"})
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{6295486857475, "2026-01-02", 4006381333931, 2})
	_ = x.SetSheetRow("Sheet1", "A3", &[]any{float64(583870900000000001), "2026-01-02", "SKU-1", 1})
	_ = x.SetSheetRow("Sheet1", "A4", &[]any{"6.29549E+12", "2026-01-02", "SKU-1", 1})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f := openBytes(t, "orders.xlsx", buf.Bytes())
	if err := f.UseMapping(data.ColumnMapping{Name: "Sheet", Kind: "orders", Channel: "faire",
		Columns: map[string]string{"order_id": "Order", "date": "Placed", "sku": "Item code", "quantity": "Units"}}); err != nil {
		t.Fatal(err)
	}
	items := collect(t, f)
	if o := items[0].Order; o == nil || o.ExternalID != "6295486857475" || o.Lines[0].SKU != "4006381333931" || o.Lines[0].Quantity != 2 {
		t.Errorf("a 13-digit id stored as a number must come back exactly: %+v", o)
	}
	got := problems(items[1:])
	want := []string{
		`row 3, Order "583870900000000000": this id was stored as a number, which keeps only 15 digits, so its last digits may be wrong; format the column as Text and export again`,
		`row 4, Order "6.29549E+12": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
