package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/app/accountsbook"
	"github.com/backroom-app/backroom/app/documents"
	"github.com/backroom-app/backroom/app/shipexport"
	"github.com/backroom-app/backroom/app/stockexport"
	"github.com/backroom-app/backroom/data"
)

// hostile is a customer name (and product name, SKU, tracking number…) that a spreadsheet would turn
// into a live link if a file wrote it as it is.
const hostile = `=HYPERLINK("http://x","y")`

// TestExports_NoFormulas writes outside text that looks like a formula through every export path and
// wants it back as text: in CSV behind a leading apostrophe, in xlsx as a string cell without a formula
// (read back with excelize, and with openpyxl when it is installed).
func TestExports_NoFormulas(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	s, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.AddVariant(ctx, data.NewVariant{SKU: "MUG", ProductName: hostile, Price: 1200, Cost: 400, Currency: "GBP", Bin: "@A1"})
	must(err)
	_, err = s.AdjustStock(ctx, data.Adjustment{SKU: "MUG", Delta: 5, Reason: data.ReasonReceipt, Note: "delivery"})
	must(err)
	placed := time.Date(2026, 11, 18, 14, 5, 0, 0, time.UTC)
	_, err = s.ApplyOrders(ctx, []data.Order{{Channel: "shopify", ExternalID: "#1001", Status: data.StatusPaid, Currency: "GBP",
		PlacedAt: placed, PaidAt: placed, CustomerName: hostile, CustomerEmail: "+cmd@example.com", Subtotal: 1200, Total: 1200,
		Lines: []data.OrderLine{{SKU: "MUG", Quantity: 1, UnitPrice: 1200}}}})
	must(err)

	var csvs = map[string][]byte{}
	var buf bytes.Buffer
	_, err = writeOrdersCSV(ctx, &buf, s, time.UTC, nil)
	must(err)
	csvs["orders.csv"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	_, err = writeStockCSV(ctx, &buf, s, time.UTC, nil)
	must(err)
	csvs["stock.csv"] = bytes.Clone(buf.Bytes())

	period, err := data.NewAccountsPeriod(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), time.UTC)
	must(err)
	dir := t.TempDir()
	res, err := accountsbook.WriteCSV(ctx, dir, s, accountsbook.Options{Period: period, Shop: hostile})
	must(err)
	for _, p := range res.Files {
		b, err := os.ReadFile(p)
		must(err)
		csvs["accounts "+filepath.Base(p)] = b
	}

	// The marketplace files escape what could call a function (sheetcell.Key).
	for _, ch := range stockexport.Channels() {
		buf.Reset()
		_, err := stockexport.Write(&buf, ch, []data.ChannelListing{{Channel: ch, ChannelSKU: hostile, SKU: hostile, Pack: 1,
			Name: hostile, Option: hostile, Currency: "GBP", Location: hostile, Quantity: 3}})
		must(err)
		csvs["stock file "+ch] = bytes.Clone(buf.Bytes())
	}
	for _, ch := range []string{"shopify", "ebay", "amazon"} {
		buf.Reset()
		_, err := shipexport.Write(&buf, ch, []data.ShippedOrder{{
			Order:    data.Order{Channel: ch, ExternalID: hostile, CustomerName: hostile, Currency: "GBP"},
			Shipment: data.Shipment{Carrier: hostile, Service: hostile, Tracking: hostile, ShippedAt: now}}}, shipexport.Options{Location: time.UTC})
		must(err)
		csvs["shipments "+ch] = bytes.Clone(buf.Bytes())
	}

	for name, b := range csvs {
		cells := csvCells(t, name, b)
		found := 0
		for _, c := range cells {
			if strings.Contains(c, "HYPERLINK") {
				found++
				if !strings.HasPrefix(c, "'") {
					t.Errorf("%s: cell %q is not escaped", name, c)
				}
			}
			if strings.HasPrefix(c, "+cmd") {
				t.Errorf("%s: cell %q is not escaped", name, c)
			}
		}
		if found == 0 && !strings.HasPrefix(name, "accounts ") {
			t.Errorf("%s has no hostile cell: %q", name, cells)
		}
	}
	if c := csvCells(t, "orders.csv", csvs["orders.csv"]); !contains(c, "'"+hostile) || !contains(c, "'+cmd@example.com") {
		t.Errorf("orders.csv cells %q, want the customer and email escaped", c)
	}
	if c := csvCells(t, "sales.csv", csvs["accounts sales.csv"]); !contains(c, "'"+hostile) {
		t.Errorf("accounts sales.csv cells %q, want the product name escaped", c)
	}

	xlsxs := map[string][]byte{}
	buf.Reset()
	_, err = accountsbook.WriteXLSX(ctx, &buf, s, accountsbook.Options{Period: period, Shop: hostile, Author: hostile})
	must(err)
	xlsxs["accounts.xlsx"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	must(writeWorkbook(&buf, workbook{sheets: []figureSheet{{name: "Customers", columns: []string{"Customer", "Orders"},
		rows: [][]any{{hostile, 1}, {"@SUM(A1)", 2}}, totals: 2}}, about: [][2]string{{"Shop", hostile}}}))
	xlsxs["figures.xlsx"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	must(documents.PurchaseOrderXLSX(&buf, documents.ShopInfo{Name: hostile, Address: hostile}, data.Supplier{Name: hostile, Currency: "GBP"},
		data.PurchaseOrder{Number: "PO-0001", Currency: "GBP", Total: 800,
			Lines: []data.POLine{{SKU: hostile, Name: hostile, Quantity: 2, UnitCost: 400}}}))
	xlsxs["purchase order.xlsx"] = bytes.Clone(buf.Bytes())

	xlsxDir := t.TempDir()
	for name, b := range xlsxs {
		noFormulaHolds(t, name, b)
		must(os.WriteFile(filepath.Join(xlsxDir, name), b, 0o644))
	}
	openpyxlNoFormulas(t, xlsxDir)
}

func contains(cells []string, want string) bool {
	for _, c := range cells {
		if c == want {
			return true
		}
	}
	return false
}

// csvCells reads a CSV or tab-separated file into its cells.
func csvCells(t *testing.T, name string, b []byte) []string {
	t.Helper()
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	if first, _, _ := strings.Cut(string(b), "\n"); strings.Contains(first, "\t") {
		r.Comma = '\t'
	}
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var cells []string
	for _, rec := range recs {
		cells = append(cells, rec...)
	}
	return cells
}

// formulaElem is a cell formula in a sheet's XML.
var formulaElem = regexp.MustCompile(`<f[ >][^<]*`)

// noFormulaHolds wants every cell of the workbook that shows the hostile text to be a string without a
// formula, and no formula anywhere in the package to mention it.
func noFormulaHolds(t *testing.T, name string, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, _ := io.ReadAll(rc)
		rc.Close()
		for _, f := range formulaElem.FindAll(x, -1) {
			if bytes.Contains(f, []byte("HYPERLINK")) || bytes.Contains(f, []byte("@SUM")) {
				t.Errorf("%s %s: a formula from outside text: %s", name, zf.Name, f)
			}
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer f.Close()
	found := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				if !strings.Contains(v, "HYPERLINK") && !strings.HasPrefix(v, "@SUM") {
					continue
				}
				found++
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, err := f.GetCellFormula(sheet, cell); err != nil || fm != "" {
					t.Errorf("%s %s!%s: formula %q (%v)", name, sheet, cell, fm, err)
				}
				if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
					t.Errorf("%s %s!%s = %q is a cell of type %v, not a string", name, sheet, cell, v, typ)
				}
			}
		}
	}
	if found == 0 {
		t.Errorf("%s: the hostile text is in no cell", name)
	}
}

// openpyxlNoFormulas reads every workbook in dir with openpyxl, which is how many scripts read our
// exports, and wants no cell holding the hostile text to be a formula there either.
func openpyxlNoFormulas(t *testing.T, dir string) {
	t.Helper()
	var py string
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Log("openpyxl is not installed (apt install python3-openpyxl); checked with excelize only")
		return
	}
	const script = `
import glob, os, sys, openpyxl
bad, seen = [], 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.xlsx"))):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and ("HYPERLINK" in c.value or c.value.startswith("@SUM")):
                    seen += 1
                    if c.data_type == "f":
                        bad.append("%s %s!%s" % (os.path.basename(path), ws.title, c.coordinate))
print("seen", seen, "formulas", bad)
sys.exit(1 if bad or not seen else 0)
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	t.Logf("openpyxl: %s", bytes.TrimSpace(out))
	if err != nil {
		t.Errorf("openpyxl finds formulas from outside text: %v\n%s", err, out)
	}
}
