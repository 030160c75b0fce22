package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

// Times of the sales shop: SKUs are created at costT0 and the mug's cost goes from 500 to 600 at costT1.
var (
	costT0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	costT1 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
)

// salesShop is a small shop whose sales are worked out by hand in TestStore_SalesReport. In New York
// (UTC−5 in November and December) order 2001 falls on 30 November although it is 1 December in UTC.
//
//	SKUs: MUG cost 500, from costT1 600; CARD cost 100; GIFT (own cost 999, never used) = MUG + 2 CARD;
//	      Etsy's MUG-3PK is 3 MUG.
//	1000 shopify 2026-10-31 12:00Z  MUG×1 @1800                      total 1800  cost 500 (before the first cost: the first)
//	1001 shopify 2026-11-29 15:00Z  MUG×2 @1800, shipping 400        total 4000  cost 1000
//	1002 shopify 2026-11-30 12:00Z  MUG×1 @1800, unmatched XYZ×2 @500 total 2800 cost 600 (the new cost, from that instant)
//	2001 etsy    2026-12-01 03:00Z  MUG-3PK×1 @4500, CARD×3 @300     total 5400  cost 3×600 + 3×100 = 2100
//	2002 etsy    2026-12-01 06:00Z  GIFT×1 @2000                     total 2000  cost 600 + 2×100 = 800
//	3001 amazon  2026-12-01 12:00Z  MUG×1 @2100 EUR                  total 2100  cost unknown in EUR
//	1003 shopify 2026-12-02 12:00Z  MUG×5, cancelled                 left out
//	1004 shopify 2026-12-07 15:00Z  CARD×1 @300                      total 300   cost 100
func salesShop(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	clock := costT0
	s, err := Open(ctx, filepath.Join(t.TempDir(), "shop.db"), Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 500)
	mustVariant(t, s, "CARD", "Greeting card", 300, 100)
	mustVariant(t, s, "GIFT", "Gift set", 2000, 999)
	if err := s.SetKit(ctx, "GIFT", []KitComponent{{SKU: "MUG", Quantity: 1}, {SKU: "CARD", Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, Alias{Channel: "etsy", ChannelKey: "MUG-3PK", SKU: "MUG", Pack: 3}); err != nil {
		t.Fatal(err)
	}
	clock = costT1
	cost := int64(600)
	if _, err := s.UpdateVariant(ctx, "MUG", VariantUpdate{Cost: &cost}); err != nil {
		t.Fatal(err)
	}
	clock = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	// Days count from 1 November, so 0 is 31 October and 31 is 1 December.
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC) }
	order := func(channel, id string, placed time.Time, status Status, currency string, extra int64, lines ...OrderLine) Order {
		o := Order{Channel: channel, ExternalID: id, Status: status, PlacedAt: placed, Currency: currency, Lines: lines, Shipping: extra}
		for _, l := range lines {
			o.Subtotal += l.UnitPrice * l.Quantity
		}
		o.Total = o.Subtotal + o.Shipping
		return o
	}
	line := func(sku string, qty, price int64) OrderLine {
		return OrderLine{SKU: sku, Name: sku, Quantity: qty, UnitPrice: price}
	}
	orders := []Order{
		order("shopify", "1000", at(0, 12), StatusDelivered, "GBP", 0, line("MUG", 1, 1800)),
		order("shopify", "1001", at(29, 15), StatusShipped, "GBP", 400, line("MUG", 2, 1800)),
		order("shopify", "1002", at(30, 12), StatusPaid, "GBP", 0, line("MUG", 1, 1800),
			OrderLine{ChannelSKU: "XYZ", Name: "Mystery item", Quantity: 2, UnitPrice: 500}),
		order("etsy", "2001", at(31, 3), StatusPaid, "GBP", 0,
			OrderLine{ChannelSKU: "MUG-3PK", Name: "Mugs, 3-pack", Quantity: 1, UnitPrice: 4500}, line("CARD", 3, 300)),
		order("etsy", "2002", at(31, 6), StatusPaid, "GBP", 0, line("GIFT", 1, 2000)),
		order("amazon", "3001", at(31, 12), StatusPaid, "EUR", 0, line("MUG", 1, 2100)),
		order("shopify", "1003", at(32, 12), StatusCancelled, "GBP", 0, line("MUG", 5, 1800)),
		order("shopify", "1004", at(37, 15), StatusPaid, "GBP", 0, line("CARD", 1, 300)),
	}
	if got, want := orders[0].PlacedAt, time.Date(2026, 10, 31, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("order 1000 placed %v, want %v", got, want)
	}
	res, err := s.ApplyOrders(ctx, orders)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != len(orders) || res.Unmatched != 1 {
		t.Fatalf("ApplyOrders = %+v, want %d new and 1 unmatched line", res, len(orders))
	}
	return s
}

func TestStore_CostHistory(t *testing.T) {
	ctx := context.Background()
	s := salesShop(t)
	history := func() []CostChange {
		t.Helper()
		h, err := s.CostHistory(ctx, "mug")
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	want := []CostChange{
		{SKU: "MUG", Cost: 500, Currency: "GBP", From: costT0},
		{SKU: "MUG", Cost: 600, Currency: "GBP", From: costT1},
	}
	if got := history(); !reflect.DeepEqual(got, want) {
		t.Fatalf("CostHistory(MUG) = %+v, want %+v", got, want)
	}

	t.Run("UnchangedCostAddsNothing", func(t *testing.T) {
		price, cost := int64(1900), int64(600)
		if _, err := s.UpdateVariant(ctx, "MUG", VariantUpdate{Price: &price, Cost: &cost}); err != nil {
			t.Fatal(err)
		}
		if got := history(); !reflect.DeepEqual(got, want) {
			t.Errorf("CostHistory(MUG) = %+v, want %+v", got, want)
		}
	})
	t.Run("Import", func(t *testing.T) {
		cost := int64(650)
		res, err := s.Import(ctx, ImportFile{Name: "products.csv", Size: 1, SHA256: "cd", Format: "test-products"},
			itemsOf(ImportItem{FirstRow: 2, LastRow: 2, Product: &ProductRecord{SKU: "MUG", Cost: &cost}}), ImportOptions{})
		if err != nil || res.ProductsUpdated != 1 {
			t.Fatalf("Import = %+v, %v, want one product updated", res, err)
		}
		got := history()
		if len(got) != 3 || got[2].Cost != 650 || !got[2].From.Equal(s.Now()) {
			t.Errorf("CostHistory(MUG) = %+v, want a third entry of 650 from %v", got, s.Now())
		}
	})
	t.Run("CurrencyChange", func(t *testing.T) {
		eur := "EUR"
		if _, err := s.UpdateVariant(ctx, "CARD", VariantUpdate{Currency: &eur}); err != nil {
			t.Fatal(err)
		}
		got, err := s.CostHistory(ctx, "CARD")
		if err != nil || len(got) != 2 || got[1].Currency != "EUR" || got[1].Cost != 100 {
			t.Errorf("CostHistory(CARD) = %+v, %v, want 100 GBP then 100 EUR", got, err)
		}
	})
	t.Run("ErrPackerRefused", func(t *testing.T) {
		packer := s.As(User{Name: "Jamie", Role: RolePacker, Active: true})
		if _, err := packer.CostHistory(ctx, "MUG"); !errors.Is(err, ErrPermission) {
			t.Errorf("packer CostHistory error = %v, want ErrPermission", err)
		}
	})
}

// TestMigrations_CostHistory opens a file made before migration 0010 with a SKU in it: the SKU's history
// starts with its cost as it stood, from when the SKU was created.
func TestMigrations_CostHistory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if names[9] != "migrations/0010_cost_history.sql" {
		t.Fatalf("migration 10 is %s, want 0010_cost_history.sql", names[9])
	}
	for i, name := range names[:9] {
		script, err := migrationFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := applyMigration(ctx, conn, i, string(script)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO products(id, name, created_at, hlc, device_id) VALUES ('p1', 'Stoneware mug', '2026-01-02T03:04:05.000Z', 1, 'old')`,
		`INSERT INTO variants(sku, product_id, price, cost, currency, created_at, updated_at, hlc, device_id)
			VALUES ('MUG', 'p1', 1800, 480, 'GBP', '2026-01-02T03:04:05.000Z', '2026-06-01T00:00:00.000Z', 1, 'old')`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	raw.Close()

	s, err := Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.CostHistory(ctx, "MUG")
	if err != nil {
		t.Fatal(err)
	}
	want := []CostChange{{SKU: "MUG", Cost: 480, Currency: "GBP", From: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CostHistory(MUG) after migrating = %+v, want %+v", got, want)
	}
}

func TestStore_SalesReport(t *testing.T) {
	ctx := context.Background()
	s := salesShop(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, ny)
	to := time.Date(2027, 1, 1, 0, 0, 0, 0, ny)
	row := func(key, label, currency string, orders int, units, revenue, cost, uncosted int64) SalesRow {
		return SalesRow{Key: key, Label: label, Currency: currency, Orders: orders, Units: units,
			Revenue: revenue, Cost: cost, Margin: revenue - cost, Uncosted: uncosted}
	}
	tests := []struct {
		by   string
		want []SalesRow
	}{
		{"day", []SalesRow{
			row("2026-10-31", "Sat 31 Oct 2026", "GBP", 1, 1, 1800, 500, 0),
			row("2026-11-29", "Sun 29 Nov 2026", "GBP", 1, 2, 4000, 1000, 0),
			row("2026-11-30", "Mon 30 Nov 2026", "GBP", 2, 9, 8200, 2700, 2), // 1002 and, in New York, 2001
			row("2026-12-01", "Tue 1 Dec 2026", "EUR", 1, 1, 2100, 0, 1),
			row("2026-12-01", "Tue 1 Dec 2026", "GBP", 1, 1, 2000, 800, 0),
			row("2026-12-07", "Mon 7 Dec 2026", "GBP", 1, 1, 300, 100, 0),
		}},
		{"week", []SalesRow{
			row("2026-W44", "26 Oct 2026 – 1 Nov 2026", "GBP", 1, 1, 1800, 500, 0),
			row("2026-W48", "23 Nov 2026 – 29 Nov 2026", "GBP", 1, 2, 4000, 1000, 0),
			row("2026-W49", "30 Nov 2026 – 6 Dec 2026", "EUR", 1, 1, 2100, 0, 1),
			row("2026-W49", "30 Nov 2026 – 6 Dec 2026", "GBP", 3, 10, 10200, 3500, 2),
			row("2026-W50", "7 Dec 2026 – 13 Dec 2026", "GBP", 1, 1, 300, 100, 0),
		}},
		{"month", []SalesRow{
			row("2026-10", "October 2026", "GBP", 1, 1, 1800, 500, 0),
			row("2026-11", "November 2026", "GBP", 3, 11, 12200, 3700, 2),
			row("2026-12", "December 2026", "EUR", 1, 1, 2100, 0, 1),
			row("2026-12", "December 2026", "GBP", 2, 2, 2300, 900, 0),
		}},
		{"channel", []SalesRow{
			row("amazon", "amazon", "EUR", 1, 1, 2100, 0, 1),
			row("etsy", "etsy", "GBP", 2, 7, 7400, 2900, 0),
			row("shopify", "shopify", "GBP", 4, 7, 8900, 2200, 2),
		}},
		// By product, revenue is the lines' (no shipping): 1001's 400 is not in MUG's 11,700.
		{"product", []SalesRow{
			row("", "Lines matching no SKU", "GBP", 1, 2, 1000, 0, 2),
			row("CARD", "Greeting card", "GBP", 2, 4, 1200, 400, 0),
			row("GIFT", "Gift set", "GBP", 1, 1, 2000, 800, 0),
			row("MUG", "Stoneware mug", "EUR", 1, 1, 2100, 0, 1),
			row("MUG", "Stoneware mug", "GBP", 4, 7, 11700, 3900, 0), // 500 + 2×500 + 600 + 3×600
		}},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			got, err := s.SalesReport(ctx, from, to, tt.by, ny)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SalesReport(by %s) =\n%s\nwant\n%s", tt.by, salesTable(got), salesTable(tt.want))
			}
		})
	}

	t.Run("DayInUTC", func(t *testing.T) {
		got, err := s.SalesReport(ctx, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), "day", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		want := []SalesRow{
			row("2026-12-01", "Tue 1 Dec 2026", "EUR", 1, 1, 2100, 0, 1),
			row("2026-12-01", "Tue 1 Dec 2026", "GBP", 2, 7, 7400, 2900, 0), // 2001 and 2002
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SalesReport(1 Dec UTC) =\n%s\nwant\n%s", salesTable(got), salesTable(want))
		}
	})
	t.Run("PeriodBounds", func(t *testing.T) {
		// From is included and to is not: 30 November in New York holds 1002 and 2001 only.
		got, err := s.SalesReport(ctx, time.Date(2026, 11, 30, 0, 0, 0, 0, ny), time.Date(2026, 12, 1, 0, 0, 0, 0, ny), "month", ny)
		if err != nil {
			t.Fatal(err)
		}
		want := []SalesRow{row("2026-11", "November 2026", "GBP", 2, 9, 8200, 2700, 2)}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SalesReport(30 Nov) =\n%s\nwant\n%s", salesTable(got), salesTable(want))
		}
	})
	t.Run("MarginPercent", func(t *testing.T) {
		r := row("x", "x", "GBP", 1, 1, 8000, 2000, 0)
		if pct, ok := r.MarginPercent(); !ok || pct != 75 {
			t.Errorf("MarginPercent = %v, %v, want 75, true", pct, ok)
		}
		if _, ok := (SalesRow{}).MarginPercent(); ok {
			t.Error("MarginPercent of no revenue is ok, want not")
		}
	})
	t.Run("ErrPackerRefused", func(t *testing.T) {
		packer := s.As(User{Name: "Jamie", Role: RolePacker, Active: true})
		if _, err := packer.SalesReport(ctx, from, to, "day", ny); !errors.Is(err, ErrPermission) {
			t.Errorf("packer SalesReport error = %v, want ErrPermission", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := s.SalesReport(ctx, from, to, "year", ny); !errors.Is(err, ErrInvalid) {
			t.Errorf("SalesReport(by year) error = %v, want ErrInvalid", err)
		}
		if _, err := s.SalesReport(ctx, to, from, "day", ny); !errors.Is(err, ErrInvalid) {
			t.Errorf("SalesReport(to before from) error = %v, want ErrInvalid", err)
		}
	})
}

func salesTable(rows []SalesRow) string {
	var out string
	for _, r := range rows {
		out += fmt.Sprintf("  %+v\n", r)
	}
	return out
}

// BenchmarkSalesReport is the owner's sales report over the whole generated shop (its orders span the
// 90 days before now), by month, by day and by product.
func BenchmarkSalesReport(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		s := benchStore(b, size.products, size.orders)
		to := s.Now().Add(24 * time.Hour)
		from := to.AddDate(0, 0, -100)
		for _, by := range []string{"month", "day", "product"} {
			b.Run(size.name+"/"+by, func(b *testing.B) {
				var rows []SalesRow
				for b.Loop() {
					var err error
					if rows, err = s.SalesReport(ctx, from, to, by, time.UTC); err != nil || len(rows) == 0 {
						b.Fatalf("SalesReport = %d rows, %v", len(rows), err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
			})
		}
	}
}
