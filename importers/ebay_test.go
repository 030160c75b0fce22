package importers

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

// orderGist is what a test checks of an order, written so a failure shows the difference plainly.
type orderGist struct {
	ID, Status, Currency                     string
	Placed, Paid, Shipped                    string
	Subtotal, Shipping, Tax, Discount, Total int64
	Customer, Email, ShipTo                  string
	Lines                                    []string // SKU | name | quantity | unit price
}

func gistOf(o data.Order) orderGist {
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02 15:04 MST")
	}
	g := orderGist{ID: o.ExternalID, Status: string(o.Status), Currency: o.Currency, Placed: when(o.PlacedAt), Paid: when(o.PaidAt),
		Shipped: when(o.ShippedAt), Subtotal: o.Subtotal, Shipping: o.Shipping, Tax: o.Tax, Discount: o.Discount, Total: o.Total,
		Customer: o.CustomerName, Email: o.CustomerEmail, ShipTo: o.ShipTo.String()}
	for _, l := range o.Lines {
		g.Lines = append(g.Lines, fmt.Sprintf("%s | %s | %d | %d", l.SKU, l.Name, l.Quantity, l.UnitPrice))
	}
	return g
}

func gistsOf(orders []data.Order) []orderGist {
	var out []orderGist
	for _, o := range orders {
		out = append(out, gistOf(o))
	}
	return out
}

func TestEbayOrders(t *testing.T) {
	tests := []struct {
		file     string
		headerAt int
		want     []orderGist
		warnings []string
	}{
		{
			file: "ebay_orders_us.csv", headerAt: 2, // below a line of bare commas
			want: []orderGist{
				{ID: "11-10000-00001", Status: "paid", Currency: "USD", Placed: "2026-09-18 00:00 UTC", Paid: "2026-09-18 00:00 UTC",
					Subtotal: 9000, Tax: 799, Total: 9799, Customer: "Jane Example", Email: "jane@example.com",
					ShipTo: "Jane Example, 1 Example Street, Boston, MA, 02134, United States",
					Lines:  []string{"PKM-PIKA-EX | 2024 Pokemon Pikachu ex 247/191 Surging Sparks | 1 | 9000"}},
				// A summary row, then one row per item; the totals are the summary's, taken once.
				{ID: "11-10000-00003", Status: "shipped", Currency: "USD", Placed: "2026-08-25 00:00 UTC", Paid: "2026-08-26 00:00 UTC",
					Shipped: "2026-08-27 00:00 UTC", Subtotal: 4200, Shipping: 500, Tax: 355, Total: 5055, Customer: "John Example",
					Email: "john@example.com", ShipTo: "John Example, 2 Example Avenue, Apt 3, Austin, TX, 78701, United States",
					Lines: []string{"SLV-100 | Card Sleeves 100 pack | 1 | 1400", `BOX-100 | Deck Box "Ultra" 100+ (Color:Blue) | 2 | 1400`}},
				// No Order Number: the Sales Record Number stands in.
				{ID: "150", Status: "new", Currency: "USD", Placed: "2026-09-30 23:45 UTC", Subtotal: 2500, Shipping: 400, Total: 2900,
					Customer: "Sam Example", Email: "sam@example.com", ShipTo: "Sam Example, 5 Example Road, Hartford, CT, 06103, United States",
					Lines: []string{"TL-25 | Top Loaders 25 pack | 2 | 1250"}},
			},
		},
		{
			file: "ebay_orders_au.csv", headerAt: 2, // below a blank line
			want: []orderGist{
				{ID: "21-12345-67890", Status: "shipped", Currency: "AUD", Placed: "2026-05-26 00:00 UTC", Paid: "2026-05-26 00:00 UTC",
					Shipped: "2026-05-28 00:00 UTC", Subtotal: 300000, Shipping: 2500, Total: 302500, Customer: "Alex Example",
					Email: "alex@example.com", ShipTo: "Alex Example, 7 Example Parade, Sydney, NSW, 2000, Australia",
					Lines: []string{"LENS-50 | Vintage Camera Lens 50mm | 1 | 300000"}},
				// "$0.00" beside AU $ amounts is the same Australian dollar.
				{ID: "21-12345-67891", Status: "new", Currency: "AUD", Placed: "2026-06-03 00:00 UTC", Subtotal: 3000, Total: 3000,
					Customer: "Alex Example", Email: "alex@example.com", ShipTo: "Alex Example, 7 Example Parade, Sydney, NSW, 2000, Australia",
					Lines: []string{"CAP-52 | Lens Cap 52mm | 4 | 750"}},
			},
		},
		{
			file: "ebay_orders_de.csv", headerAt: 2,
			want: []orderGist{
				{ID: "23-12345-12345", Status: "shipped", Currency: "EUR", Placed: "2025-12-10 00:00 UTC", Paid: "2025-12-10 00:00 UTC",
					Shipped: "2025-12-12 00:00 UTC", Subtotal: 11249, Shipping: 450, Total: 11699, Customer: "Jürgen Beispiel",
					Email: "juergen@example.com", ShipTo: "Jürgen Beispiel, Beispielstraße 1, München, 80331, Deutschland",
					Lines: []string{"10300-NEU | LEGO 10300 Zurück in die Zukunft Zeitmaschine | 1 | 11249"}},
				{ID: "23-12345-12346", Status: "paid", Currency: "EUR", Placed: "2026-03-03 00:00 UTC", Paid: "2026-03-04 00:00 UTC",
					Subtotal: 105998, Total: 105998, Customer: "Jürgen Beispiel", Email: "juergen@example.com",
					ShipTo: "Jürgen Beispiel, Beispielstraße 1, München, 80331, Deutschland",
					Lines:  []string{"75313 | LEGO 75313 AT-AT | 1 | 79999", "10497 | LEGO 10497 Galaxy Explorer | 1 | 25999"}},
			},
		},
		{
			file: "ebay_orders_fr.csv", headerAt: 1,
			want: []orderGist{
				{ID: "05-11111-22222", Status: "new", Currency: "EUR", Placed: "2026-10-05 00:00 UTC", Subtotal: 123450, Shipping: 400,
					Lines: []string{" | Dracaufeu ex | 1 | 123450"}},
				{ID: "05-11111-22223", Status: "new", Currency: "EUR", Placed: "2026-12-17 00:00 UTC", Subtotal: 3600,
					Lines: []string{" | Pikachu ex | 3 | 1200"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := openFixture(t, tt.file)
			if f.FormatID() != "ebay-orders" || f.HeaderAt != tt.headerAt {
				t.Fatalf("format %s, header on row %d; want ebay-orders, row %d", f.FormatID(), f.HeaderAt, tt.headerAt)
			}
			items := collect(t, f)
			if got := gistsOf(orders(t, items)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("orders:\n got %+v\nwant %+v", got, tt.want)
			}
			if got := problems(items); !reflect.DeepEqual(got, tt.warnings) {
				t.Errorf("problems = %q, want %q", got, tt.warnings)
			}
		})
	}
}

// eBay writes no time zone: its dates are the shop's local time.
func TestEbayOrders_ShopTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	f, err := Open(bytes.NewReader(readFixture(t, "ebay_orders_us.csv")), "ebay_orders_us.csv", Options{Currency: "USD", Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := orders(t, collect(t, f))
	if want := time.Date(2026, 9, 30, 23, 45, 0, 0, ny); !got[2].PlacedAt.Equal(want) || got[2].PlacedAt.Location() != ny {
		t.Errorf("PlacedAt = %v, want %v", got[2].PlacedAt, want)
	}
}

func TestEbayOrders_Problems(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"ebay_orders_excel.csv", []string{
			`row 2, Item Number "2.2E+11": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
			`row 2, Tracking Number "9.40011E+21": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
		}},
		{"ebay_orders_bad.csv", []string{
			`row 3, Shipping And Handling "$4.00": the amount is in USD but the order is in EUR`,
			`row 4, Sale Date "2026/20/09": is not a date like Mar-29-25, Mar-29-25 14:49:50 or 29-Mar-25`,
			`row 4, Quantity "two": the quantity is not a whole number`,
			`row 5, Order Number "11-10000-00012": 2 rows share this order number but none is the order's summary row (Item Number and Item Title blank, with the Total Price); is the file sorted or filtered, or are two orders numbered alike?`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := problems(collect(t, openFixture(t, tt.file))); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
			s := testStore(t)
			res := importInto(t, s, openFixture(t, tt.file), data.ImportOptions{})
			if !res.Rejected() || len(res.Errors) != len(tt.want) {
				t.Errorf("import: %+v, want it rejected with %d errors", res, len(tt.want))
			}
			if n, err := s.CountOrders(context.Background(), data.OrderFilter{}); err != nil || n != 0 {
				t.Errorf("CountOrders() = %d, %v; want 0: a refused file writes nothing", n, err)
			}
		})
	}
}

// Saved from Excel as a workbook: the 12-digit Item Number survives as a number, the 22-digit
// tracking number does not, and a date cell arrives as a date.
func TestEbayOrders_Workbook(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	_ = x.SetSheetRow("Sheet1", "A1", &[]any{"Sales Record Number", "Order Number", "Item Number", "Item Title", "Custom Label",
		"Quantity", "Sold For", "Total Price", "Sale Date", "Tracking Number"})
	sold := time.Date(2026, 9, 18, 0, 0, 0, 0, time.UTC)
	_ = x.SetSheetRow("Sheet1", "A2", &[]any{149, "11-10000-00001", 220000000001, "Sleeves", "SLV-1", 1, "$9.00", "$9.00", sold, ""})
	_ = x.SetSheetRow("Sheet1", "A3", &[]any{150, "11-10000-00002", 220000000002, "Binder", "BND-1", 1, "$20.00", "$20.00", sold,
		float64(9400111899223197428490)})
	style, _ := x.NewStyle(&excelize.Style{NumFmt: 15}) // d-mmm-yy
	_ = x.SetCellStyle("Sheet1", "I2", "I3", style)
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f := openBytes(t, "eBay-OrdersReport.xlsx", buf.Bytes())
	if f.FormatID() != "ebay-orders" {
		t.Fatalf("format %s", f.FormatID())
	}
	items := collect(t, f)
	want := []orderGist{{ID: "11-10000-00001", Status: "new", Currency: "USD", Placed: "2026-09-18 00:00 UTC", Subtotal: 900, Total: 900,
		Lines: []string{"SLV-1 | Sleeves | 1 | 900"}}}
	if got := gistsOf(orders(t, items[:1])); !reflect.DeepEqual(got, want) {
		t.Errorf("orders:\n got %+v\nwant %+v", got, want)
	}
	wantProblems := []string{`row 3, Tracking Number "9400111899223190000000": this id was stored as a number, which keeps only 15 digits, ` +
		`so its last digits may be wrong; format the column as Text and export again`}
	if got := problems(items); !reflect.DeepEqual(got, wantProblems) {
		t.Errorf("problems:\n got %q\nwant %q", got, wantProblems)
	}
}

func TestEbayOrders_SummaryWithoutItems(t *testing.T) {
	b := []byte("\"Sales Record Number\",\"Order Number\",\"Item Number\",\"Item Title\",\"Quantity\",\"Sold For\",\"Total Price\",\"Sale Date\"\n" +
		"\"7\",\"11-10000-00070\",\"\",\"\",\"2\",\"$10.00\",\"$10.00\",\"Sep-18-26\"\n" +
		"\"8\",\"11-10000-00080\",\"220000000080\",\"Poster\",\"3\",\"$5.00\",\"$15.00\",\"Sep-18-26\"\n" +
		"\"9\",\"11-10000-00090\",\"\",\"\",\"3\",\"$9.00\",\"$9.00\",\"Sep-18-26\"\n" +
		"\"9\",\"11-10000-00090\",\"220000000091\",\"Pin\",\"1\",\"$3.00\",\"\",\"Sep-18-26\"\n")
	items := collect(t, openBytes(t, "eBay-OrdersReport.csv", b))
	want := []string{
		`row 2, Item Title: this order's summary row has no item rows after it; the file is incomplete or was filtered`,
		`row 4, Quantity "3": the summary row counts 3 items but the order's item rows add up to 1; are some of its rows missing from the file?`,
	}
	if got := problems(items); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

func TestEbayOrders_Import(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	if res := importTwice(t, s, "ebay_orders_us.csv"); res.OrdersNew != 3 || res.Lines != 4 {
		t.Fatalf("first import: %+v", res)
	}

	// A later report: order 11-10000-00001 has shipped since.
	later := editEbayReport(t, readFixture(t, "ebay_orders_us.csv"), "149", "Shipped On Date", "Sep-20-26")
	res := importInto(t, s, openBytes(t, "eBay-OrdersReport-later.csv", later), data.ImportOptions{})
	if res.OrdersUpdated != 1 || res.OrdersUnchanged != 2 || res.OrdersNew != 0 {
		t.Fatalf("later import: %+v, want 1 updated and 2 unchanged", res)
	}
	o, err := s.OrderByKey(ctx, "ebay", "11-10000-00001")
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != data.StatusShipped || !o.ShippedAt.Equal(time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("order 11-10000-00001: status %s, shipped %v; want shipped on 2026-09-20", o.Status, o.ShippedAt)
	}
	if n, err := s.CountOrders(ctx, data.OrderFilter{Channel: "ebay"}); err != nil || n != 3 {
		t.Errorf("CountOrders() = %d, %v; want 3", n, err)
	}
}

// editEbayReport sets one cell of the rows whose Sales Record Number is record.
func editEbayReport(tb testing.TB, b []byte, record, column, value string) []byte {
	tb.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	recs, err := r.ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	col := -1
	for _, rec := range recs {
		for i, c := range rec {
			if c == column {
				col = i
			}
		}
		if col >= 0 && rec[0] == record {
			rec[col] = value
		}
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.WriteAll(recs)
	return out.Bytes()
}

func FuzzEbayOrders(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "imports", "ebay_*.csv"))
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Open(bytes.NewReader(b), "fuzz.csv", Options{Currency: "AUD"})
		if err != nil {
			return
		}
		defer file.Close()
		if file.Format != nil && file.Format.ID != "ebay-orders" {
			return
		}
		for range file.Items(context.Background()) {
		}
	})
}
