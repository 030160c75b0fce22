package importers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

// productGist is what a test checks of a product record and its stock count.
func productGist(it data.ImportItem) string {
	p := it.Product
	opt := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	active := "-"
	if p.Active != nil {
		active = fmt.Sprint(*p.Active)
	}
	count := "-"
	if it.Count != nil {
		count = fmt.Sprintf("%s=%d", it.Count.SKU, it.Count.OnHand)
	}
	return fmt.Sprintf("row %d: %s | %s | %s | barcodes %v | price %s cost %s %s | active %s | stock %s",
		it.FirstRow, p.SKU, p.ProductName, p.Title, p.Barcodes, opt(p.Price), opt(p.Cost), p.Currency, active, count)
}

func productGists(tb testing.TB, items []data.ImportItem) []string {
	tb.Helper()
	var out []string
	for _, it := range items {
		if it.Err != nil {
			tb.Fatalf("read error: %v", it.Err)
		}
		if it.Product != nil {
			out = append(out, productGist(it))
		}
	}
	return out
}

func TestWooProducts(t *testing.T) {
	tests := []struct {
		file     string
		want     []string
		problems []string
	}{
		{
			// The official sample: a variable product (no record, its name goes to its variations), a
			// compound type, a draft, and a grouped and an external product that hold no stock.
			file: "woo_products_sample.csv",
			want: []string{
				"row 3: woo-vneck-tee-red | Awesome V-Neck T-Shirt | Red | barcodes [] | price 2000 cost - USD | active true | stock woo-vneck-tee-red=12",
				"row 4: woo-vneck-tee-green | Awesome V-Neck T-Shirt | Green / Large | barcodes [] | price 2000 cost - USD | active true | stock woo-vneck-tee-green=0",
				"row 5: woo-album | Album |  | barcodes [] | price 1500 cost - USD | active true | stock -",
				"row 6: woo-beanie | Beanie |  | barcodes [] | price 2000 cost - USD | active false | stock woo-beanie=31",
			},
		},
		{
			// WC 9.2+: GTIN, Low stock amount, Cost of goods; guarded values, decimal commas, a parent
			// without a SKU (Parent=id:103), "parent" stock, backorders below zero, private and pending.
			file: "woo_products_current.csv",
			want: []string{
				"row 2: -123 | =Sale Mug |  | barcodes [4006381333931] | price 1250 cost 420 USD | active true | stock -123=7",
				"row 3: TEA-EARL | Earl Grey, loose |  | barcodes [36000291452] | price 850 cost - USD | active false | stock TEA-EARL=0",
				"row 5: TIN-S | Tea Tin | Small | barcodes [] | price 999 cost - USD | active true | stock -",
				"row 6: TIN-L | Tea Tin | Large | barcodes [] | price 1400 cost - USD | active false | stock TIN-L=5",
				"row 7: GIFT-CARD | Gift card |  | barcodes [] | price - cost -  | active false | stock -",
			},
			problems: []string{
				`row 3, GTIN, UPC, EAN, or ISBN "36000291452": a GTIN has 8, 12, 13 or 14 digits and this one has 11; a spreadsheet program may have dropped its leading zeros`,
				`row 3, Stock "-3": WooCommerce counts backorders as stock below zero; recorded as 0 on hand`,
				`row 4, Stock "40": this variable product keeps one stock count for all its variations; Backroom counts stock per SKU, so the count was not imported: manage stock on each variation to import it`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := openFixture(t, tt.file)
			if f.FormatID() != "woocommerce-products" || f.Format.Kind != KindProducts {
				t.Fatalf("format %s", f.FormatID())
			}
			items := collect(t, f)
			if got := productGists(t, items); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("products:\n got %q\nwant %q", got, tt.want)
			}
			if got := problems(items); !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.problems)
			}
		})
	}
}

func TestWooProducts_Bad(t *testing.T) {
	want := []string{
		`row 2, SKU: the product has no SKU; Backroom keeps products by SKU, so give it one in WooCommerce (Inventory tab) and export again`,
		`row 3, Stock "lots": the stock is not a whole number`,
		`row 4, Regular price "five": is not an amount of money`,
		`row 5, GTIN, UPC, EAN, or ISBN "4.00638E+12": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
		`row 6, Published "yes": is not one of 1 (published), 0 (private), -1 (draft) or 2 (pending)`,
	}
	if got := problems(collect(t, openFixture(t, "woo_products_bad.csv"))); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	s := testStore(t)
	res := importInto(t, s, openFixture(t, "woo_products_bad.csv"), data.ImportOptions{})
	if !res.Rejected() || len(res.Errors) != len(want) {
		t.Errorf("import: %+v, want it rejected", res)
	}
	if n, err := s.CountVariants(context.Background(), "", true); err != nil || n != 0 {
		t.Errorf("CountVariants() = %d, %v; want 0: a refused file writes nothing", n, err)
	}
}

func TestWooProducts_Import(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	if res := importTwice(t, s, "woo_products_current.csv"); res.ProductsNew != 5 || res.StockCounted != 2 {
		t.Fatalf("first import: %+v", res)
	}
	v, err := s.Variant(ctx, "TIN-L")
	if err != nil {
		t.Fatal(err)
	}
	if v.ProductName != "Tea Tin" || v.Title != "Large" || v.Price != 1400 || v.Active {
		t.Errorf("TIN-L = %+v; want Tea Tin – Large at 14.00, inactive (a draft)", v)
	}
	mug, err := s.Variant(ctx, "-123")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mug.Barcodes, []string{"4006381333931"}) || mug.Price != 1250 || mug.Cost == nil || *mug.Cost != 420 {
		t.Errorf("-123 = %+v; want barcode 4006381333931, price 12.50, cost 4.20", mug)
	}
	levels, err := s.StockLevels(ctx, data.StockFilter{Search: "-123", IncludeInactive: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(levels) != 1 || levels[0].OnHand != 7 {
		t.Errorf("StockLevels(-123) = %+v; want 7 on hand", levels)
	}
}

func TestWooOrders(t *testing.T) {
	tests := []struct {
		file     string
		want     []orderGist
		problems []string
	}{
		{
			file: "woo_orders.csv",
			want: []orderGist{
				// Two product rows repeat the order's columns; its totals are taken once.
				{ID: "1001", Status: "shipped", Currency: "USD", Placed: "2026-11-02 14:05 UTC", Subtotal: 6200, Shipping: 750, Tax: 452,
					Discount: 500, Total: 6902, Customer: "Jane Example", Email: "jane@example.com",
					ShipTo: "Jane Example, 1 Example Street, Portland, ME, 04101, US",
					Lines:  []string{"-123 | Sale Mug | 2 | 1250", "TIN-S | Tea Tin - Small | 1 | 3200"}},
				{ID: "1002", Status: "paid", Currency: "USD", Placed: "2026-11-03 09:00 UTC", Subtotal: 2400, Total: 2400,
					Customer: "John Example", Email: "john@example.com", ShipTo: "John Example, 2 Example Avenue, Suite 4, Toronto, ON, M5V 2T6, CA",
					Lines: []string{"TEA-EARL | Earl Grey, loose | 3 | 800"}},
				{ID: "1003", Status: "new", Currency: "USD", Placed: "2026-11-04 18:30 UTC", Subtotal: 999, Shipping: 300, Total: 1299,
					Customer: "Sam Example", Email: "sam@example.com", Lines: []string{"TIN-S | Tea Tin - Small | 1 | 999"}},
				{ID: "1004", Status: "cancelled", Currency: "USD", Placed: "2026-11-05 08:15 UTC", Subtotal: 2000, Total: 2000,
					Customer: "Kim Example", Email: "kim@example.com", Lines: []string{" | Gift card | 1 | 2000"}},
			},
			problems: []string{
				`row 2, Postcode (Shipping) "4101": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 04101`,
			},
		},
		{
			// Order ID, Item Name, Order Line Subtotal, Full Name; order columns on the first row only.
			file: "woo_orders_first_row_only.csv",
			want: []orderGist{
				{ID: "2050", Status: "shipped", Currency: "GBP", Placed: "2026-10-30 16:45 UTC", Subtotal: 4000, Shipping: 395, Tax: 666,
					Total: 3995, Customer: "Ana Example", Email: "ana@example.com",
					ShipTo: "Ana Example, 3 Example Lane, Unit 2, Leeds, West Yorkshire, LS1 4AP, GB",
					Lines:  []string{"CANDLE-L | Candle, large | 3 | 1000", "WICK | Spare wicks | 3 | 333"}},
				{ID: "2051", Status: "new", Currency: "GBP", Placed: "2026-10-31 10:00 UTC", Subtotal: 600, Total: 600,
					Customer: "Ben Example", Email: "ben@example.com", Lines: []string{"CANDLE-S | Candle, small | 1 | 600"}},
			},
			problems: []string{
				`row 3, Order Line Subtotal "10.00": the line total does not divide evenly by the quantity 3; the unit price was rounded down`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := openFixture(t, tt.file)
			if f.FormatID() != "woocommerce-orders" {
				t.Fatalf("format %s", f.FormatID())
			}
			items := collect(t, f)
			if got := gistsOf(orders(t, items)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("orders:\n got %+v\nwant %+v", got, tt.want)
			}
			if got := problems(items); !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.problems)
			}
		})
	}
}

func TestWooOrders_Bad(t *testing.T) {
	want := []string{
		`row 2, Order ID: this product row has no order number and no order above it to belong to`,
		`row 3, Order Status "Abgeschlossen": is not a WooCommerce order status Backroom knows (pending payment, on hold, processing, completed, cancelled, refunded, failed)`,
		`row 4, Order Date "30/10/2026": is not a date like 2025-03-29 14:49:50, 2025-03-29 14:49 or March 29, 2025 14:49`,
		`row 4, Quantity "0": the quantity must be at least 1`,
	}
	if got := problems(collect(t, openFixture(t, "woo_orders_bad.csv"))); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	s := testStore(t)
	res := importInto(t, s, openFixture(t, "woo_orders_bad.csv"), data.ImportOptions{})
	if !res.Rejected() {
		t.Errorf("import: %+v, want it rejected", res)
	}
	if n, err := s.CountOrders(context.Background(), data.OrderFilter{}); err != nil || n != 0 {
		t.Errorf("CountOrders() = %d, %v; want 0", n, err)
	}
}

func TestWooOrders_Import(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	if res := importTwice(t, s, "woo_orders.csv"); res.OrdersNew != 4 || res.Lines != 5 {
		t.Fatalf("first import: %+v", res)
	}
	// A later export: order 1002 was completed (sent) since.
	later := bytes.Replace(readFixture(t, "woo_orders.csv"), []byte(`"1002","Processing"`), []byte(`"1002","Completed"`), 1)
	res := importInto(t, s, openBytes(t, "woo_orders_later.csv", later), data.ImportOptions{})
	if res.OrdersUpdated != 1 || res.OrdersUnchanged != 3 || res.OrdersNew != 0 {
		t.Fatalf("later import: %+v, want 1 updated and 3 unchanged", res)
	}
	o, err := s.OrderByKey(ctx, "woocommerce", "1002")
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != data.StatusShipped {
		t.Errorf("order 1002 is %s, want shipped", o.Status)
	}
	if n, err := s.CountOrders(ctx, data.OrderFilter{Channel: "woocommerce"}); err != nil || n != 4 {
		t.Errorf("CountOrders() = %d, %v; want 4", n, err)
	}
}

func TestWooStatus(t *testing.T) {
	for in, want := range map[string]data.Status{
		"Completed": data.StatusShipped, "completed": data.StatusShipped, "wc-completed": data.StatusShipped,
		"Processing": data.StatusPaid, "On hold": data.StatusNew, "on-hold": data.StatusNew, "Pending payment": data.StatusNew,
		"pending": data.StatusNew, "Cancelled": data.StatusCancelled, "Refunded": data.StatusCancelled, "Failed": data.StatusCancelled,
		"Draft": data.StatusNew, "checkout-draft": data.StatusNew,
	} {
		if got, ok := wooStatus(in); !ok || got != want {
			t.Errorf("wooStatus(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	if _, ok := wooStatus("Abgeschlossen"); ok {
		t.Errorf("wooStatus(Abgeschlossen) is known; want it refused")
	}
}

func TestWooUnguard(t *testing.T) {
	for in, want := range map[string]string{"'-123": "-123", "'=A1": "=A1", "'+1": "+1", "'@x": "@x", "'Tis": "'Tis", "'": "'", "AB-1": "AB-1"} {
		if got := wooUnguard(in); got != want {
			t.Errorf("wooUnguard(%q) = %q, want %q", in, got, want)
		}
	}
}

func fuzzWoo(f *testing.F, pattern, formatID string) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "imports", pattern))
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Open(bytes.NewReader(b), "fuzz.csv", Options{Currency: "EUR"})
		if err != nil {
			return
		}
		defer file.Close()
		if file.Format != nil && !strings.EqualFold(file.Format.ID, formatID) {
			return
		}
		for range file.Items(context.Background()) {
		}
	})
}

func FuzzWooProducts(f *testing.F) { fuzzWoo(f, "woo_products_*.csv", "woocommerce-products") }

func FuzzWooOrders(f *testing.F) { fuzzWoo(f, "woo_orders*.csv", "woocommerce-orders") }
