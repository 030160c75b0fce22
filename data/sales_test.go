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

// lineCosts reads the unit costs the lines of an order keep, in line order; -1 stands for none (NULL).
func lineCosts(t *testing.T, s *Store, channel, externalID string) []int64 {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), `SELECT COALESCE(l.unit_cost, -1) FROM order_lines l
		JOIN orders o ON o.id = l.order_id WHERE o.channel = ? AND o.external_id = ? ORDER BY l.line_no`, channel, externalID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStore_LineCosts checks the unit cost each order line keeps from when it is stored, and that the
// report follows it rather than the costs of today.
func TestStore_LineCosts(t *testing.T) {
	ctx := context.Background()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	novemberNY := func(t *testing.T, s *Store, by string) []SalesRow {
		t.Helper()
		got, err := s.SalesReport(ctx, time.Date(2026, 11, 1, 0, 0, 0, 0, ny), time.Date(2026, 12, 1, 0, 0, 0, 0, ny), by, ny)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	setCost := func(t *testing.T, s *Store, sku string, cost int64) {
		t.Helper()
		if _, err := s.UpdateVariant(ctx, sku, VariantUpdate{Cost: &cost}); err != nil {
			t.Fatal(err)
		}
	}
	apply := func(t *testing.T, s *Store, o Order) {
		t.Helper()
		if _, err := s.ApplyOrders(ctx, []Order{o}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("StoredWithTheOrder", func(t *testing.T) {
		s := salesShop(t)
		tests := []struct {
			channel, id string
			want        []int64
		}{
			{"shopify", "1000", []int64{500}},     // before MUG's first recorded cost: that first cost
			{"shopify", "1001", []int64{500}},     // the day before the change
			{"shopify", "1002", []int64{600, -1}}, // from the change on; the unmatched line has none
			{"etsy", "2001", []int64{600, 100}},   // MUG-3PK is per MUG, the unit of stock
			{"etsy", "2002", []int64{800}},        // GIFT by its parts, 600 + 2×100, not its own 999
			{"amazon", "3001", []int64{-1}},       // MUG's cost is in GBP, the order in EUR
			{"shopify", "1003", []int64{600}},     // cancelled orders keep theirs too
			{"shopify", "1004", []int64{100}},
		}
		for _, tt := range tests {
			if got := lineCosts(t, s, tt.channel, tt.id); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s order %s line costs = %v, want %v", tt.channel, tt.id, got, tt.want)
			}
		}
	})

	t.Run("LaterCostChangeKeepsMargin", func(t *testing.T) {
		s := salesShop(t)
		before := novemberNY(t, s, "product")
		setCost(t, s, "MUG", 900) // from the shop's now, 5 December
		setCost(t, s, "CARD", 150)
		if got := novemberNY(t, s, "product"); !reflect.DeepEqual(got, before) {
			t.Errorf("November by product after a cost change =\n%s\nwant as before\n%s", salesTable(got), salesTable(before))
		}
		if got := lineCosts(t, s, "etsy", "2002"); !reflect.DeepEqual(got, []int64{800}) {
			t.Errorf("GIFT line cost after its parts' costs changed = %v, want [800]", got)
		}
		// An order placed after the change takes the new costs: GIFT is 900 + 2×150.
		apply(t, s, Order{Channel: "etsy", ExternalID: "2003", Status: StatusPaid, Currency: "GBP",
			PlacedAt: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), Total: 2500,
			Lines: []OrderLine{{SKU: "GIFT", Quantity: 1, UnitPrice: 2500}, {SKU: "MUG", Quantity: 2, UnitPrice: 1800}}})
		if got, want := lineCosts(t, s, "etsy", "2003"), []int64{1200, 900}; !reflect.DeepEqual(got, want) {
			t.Errorf("order placed after the change: line costs = %v, want %v", got, want)
		}
	})

	t.Run("LateImportForAPastDate", func(t *testing.T) {
		s := salesShop(t)
		setCost(t, s, "MUG", 900)
		// Imported on 5 December, placed on 15 November when MUG cost 500.
		apply(t, s, Order{Channel: "shopify", ExternalID: "0999", Status: StatusDelivered, Currency: "GBP",
			PlacedAt: time.Date(2026, 11, 15, 15, 0, 0, 0, time.UTC), Total: 3600,
			Lines: []OrderLine{{SKU: "MUG", Quantity: 2, UnitPrice: 1800}}})
		if got, want := lineCosts(t, s, "shopify", "0999"), []int64{500}; !reflect.DeepEqual(got, want) {
			t.Errorf("late order's line costs = %v, want %v", got, want)
		}
		got := novemberNY(t, s, "channel")
		want := []SalesRow{
			{Key: "etsy", Label: "etsy", Currency: "GBP", Orders: 1, Units: 6, Revenue: 5400, Cost: 2100, Margin: 3300}, // 2001, 30 Nov in New York
			// 0999 (2×500), 1001 (2×500) and 1002 (600, and 2 units matching no SKU).
			{Key: "shopify", Label: "shopify", Currency: "GBP", Orders: 3, Units: 7, Revenue: 3600 + 4000 + 2800, Cost: 2600, Margin: 10400 - 2600, Uncosted: 2},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("November by channel =\n%s\nwant\n%s", salesTable(got), salesTable(want))
		}
	})

	t.Run("MatchedLater", func(t *testing.T) {
		s := salesShop(t)
		setCost(t, s, "CARD", 150) // after 1002 was placed: its line is costed at 100
		n, err := s.MapUnmatched(ctx, Alias{Channel: "shopify", ChannelKey: "XYZ", SKU: "card"})
		if err != nil || n != 1 {
			t.Fatalf("MapUnmatched = %d, %v, want 1 line", n, err)
		}
		if got, want := lineCosts(t, s, "shopify", "1002"), []int64{600, 100}; !reflect.DeepEqual(got, want) {
			t.Errorf("1002's line costs after matching XYZ to CARD = %v, want %v", got, want)
		}
		got, err := s.SalesReport(ctx, costT1, costT1.Add(time.Hour), "product", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		want := []SalesRow{
			{Key: "CARD", Label: "Greeting card", Currency: "GBP", Orders: 1, Units: 2, Revenue: 1000, Cost: 200, Margin: 800},
			{Key: "MUG", Label: "Stoneware mug", Currency: "GBP", Orders: 1, Units: 1, Revenue: 1800, Cost: 600, Margin: 1200},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("1002 by product =\n%s\nwant\n%s", salesTable(got), salesTable(want))
		}
	})

	t.Run("KitPartInAnotherCurrency", func(t *testing.T) {
		s := salesShop(t)
		eur := "EUR"
		if _, err := s.UpdateVariant(ctx, "CARD", VariantUpdate{Currency: &eur}); err != nil {
			t.Fatal(err)
		}
		apply(t, s, Order{Channel: "etsy", ExternalID: "2004", Status: StatusPaid, Currency: "GBP",
			PlacedAt: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), Total: 2000,
			Lines: []OrderLine{{SKU: "GIFT", Quantity: 1, UnitPrice: 2000}, {SKU: "MUG", Quantity: 1, UnitPrice: 1800}}})
		// The whole kit is uncosted, not costed at its GBP part alone.
		if got, want := lineCosts(t, s, "etsy", "2004"), []int64{-1, 600}; !reflect.DeepEqual(got, want) {
			t.Errorf("line costs with a kit part costed in EUR = %v, want %v", got, want)
		}
		got, err := s.SalesReport(ctx, time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), "day", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		want := []SalesRow{{Key: "2026-12-06", Label: "Sun 6 Dec 2026", Currency: "GBP", Orders: 1, Units: 2, Revenue: 2000, Cost: 600, Margin: 1400, Uncosted: 1}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("6 December =\n%s\nwant\n%s", salesTable(got), salesTable(want))
		}
	})

	t.Run("SourceCorrectsDateOrCurrency", func(t *testing.T) {
		s := salesShop(t)
		o, err := s.OrderByKey(ctx, "shopify", "1002")
		if err != nil {
			t.Fatal(err)
		}
		o.ID, o.History = 0, nil
		o.PlacedAt = costT1.Add(-time.Hour) // before MUG went to 600
		apply(t, s, o)
		if got, want := lineCosts(t, s, "shopify", "1002"), []int64{500, -1}; !reflect.DeepEqual(got, want) {
			t.Errorf("1002's line costs dated an hour earlier = %v, want %v", got, want)
		}
		a, err := s.OrderByKey(ctx, "amazon", "3001")
		if err != nil {
			t.Fatal(err)
		}
		a.ID, a.History, a.Currency = 0, nil, "GBP"
		apply(t, s, a)
		if got, want := lineCosts(t, s, "amazon", "3001"), []int64{600}; !reflect.DeepEqual(got, want) {
			t.Errorf("3001's line costs in GBP = %v, want %v", got, want)
		}
	})
}

// TestStore_SalesReportByProductOutOfOrder covers the corrections salesByProduct makes to the range of
// order ids a period spans: orders in the range but placed outside the period, cancelled, or in another
// currency than most of the period's.
func TestStore_SalesReportByProductOutOfOrder(t *testing.T) {
	ctx := context.Background()
	s := salesShop(t)
	mustVariant(t, s, "TEA", "Earl Grey", 900, 250)
	// Stored after the others (ids 9 to 11), placed in the middle of them. 1006 is cancelled, and the
	// only order with TEA.
	orders := []Order{
		{Channel: "shopify", ExternalID: "1005", Status: StatusPaid, Currency: "GBP", PlacedAt: time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC),
			Total: 600, Lines: []OrderLine{{SKU: "CARD", Quantity: 2, UnitPrice: 300}}},
		{Channel: "shopify", ExternalID: "1006", Status: StatusCancelled, Currency: "GBP", PlacedAt: time.Date(2026, 11, 30, 19, 0, 0, 0, time.UTC),
			Total: 2900, Lines: []OrderLine{{SKU: "TEA", Quantity: 1, UnitPrice: 900}, {ChannelSKU: "XYZ", Name: "Mystery item", Quantity: 4, UnitPrice: 500}}},
		{Channel: "amazon", ExternalID: "3002", Status: StatusPaid, Currency: "EUR", PlacedAt: time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC),
			Total: 4200, Lines: []OrderLine{{SKU: "MUG", Quantity: 2, UnitPrice: 2100}}},
	}
	if _, err := s.ApplyOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	// 29 November to 2 December (UTC) spans ids 2 to 11: 1003 (cancelled, id 7), 1004 (7 December, id 8)
	// and 1006 (cancelled, id 10) are in that range but not in the report.
	got, err := s.SalesReport(ctx, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), "product", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	row := func(key, label, currency string, orders int, units, revenue, cost, uncosted int64) SalesRow {
		return SalesRow{Key: key, Label: label, Currency: currency, Orders: orders, Units: units,
			Revenue: revenue, Cost: cost, Margin: revenue - cost, Uncosted: uncosted}
	}
	want := []SalesRow{
		row("", "Lines matching no SKU", "GBP", 1, 2, 1000, 0, 2),
		row("CARD", "Greeting card", "GBP", 2, 5, 900+600, 500, 0),                 // 2001, 1005
		row("GIFT", "Gift set", "GBP", 1, 1, 2000, 800, 0),                         // 2002
		row("MUG", "Stoneware mug", "EUR", 2, 3, 2100+4200, 0, 3),                  // 3001, 3002
		row("MUG", "Stoneware mug", "GBP", 3, 6, 3600+1800+4500, 1000+600+1800, 0), // 1001, 1002, 2001
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SalesReport(by product) =\n%s\nwant\n%s", salesTable(got), salesTable(want))
	}

	t.Run("MostOrdersInAnotherCurrency", func(t *testing.T) {
		// 1 December in UTC holds 2001 and 2002 in GBP, 3001 and 3002 in EUR: a third EUR order makes
		// EUR the currency most of its orders are in, so the GBP ones become the corrections.
		if _, err := s.ApplyOrders(ctx, []Order{{Channel: "amazon", ExternalID: "3003", Status: StatusPaid, Currency: "EUR",
			PlacedAt: time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), Total: 2100, Lines: []OrderLine{{SKU: "MUG", Quantity: 1, UnitPrice: 2100}}}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.SalesReport(ctx, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), "product", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		want := []SalesRow{
			row("CARD", "Greeting card", "GBP", 1, 3, 900, 300, 0),
			row("GIFT", "Gift set", "GBP", 1, 1, 2000, 800, 0),
			row("MUG", "Stoneware mug", "EUR", 3, 4, 2100+4200+2100, 0, 4),
			row("MUG", "Stoneware mug", "GBP", 1, 3, 4500, 1800, 0),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SalesReport(1 Dec by product) =\n%s\nwant\n%s", salesTable(got), salesTable(want))
		}
	})
}

// TestStore_OverviewSales checks the dashboard's 30 days of sales by channel against the same hand-worked
// shop as the report: costs are the ones the lines keep, a kit's by its parts.
func TestStore_OverviewSales(t *testing.T) {
	s := salesShop(t)
	ov, err := s.Overview(context.Background(), time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	// From 8 November: all but 1000 (31 October) and the cancelled 1003. Most revenue first.
	want := []ChannelSales{
		{Channel: "etsy", Currency: "GBP", Orders: 2, Revenue: 7400, Cost: 2900},
		{Channel: "shopify", Currency: "GBP", Orders: 3, Revenue: 7100, Cost: 1700, Uncosted: 2},
		{Channel: "amazon", Currency: "EUR", Orders: 1, Revenue: 2100, Cost: 0, Uncosted: 1},
	}
	if !reflect.DeepEqual(ov.Sales30d, want) {
		t.Errorf("Overview().Sales30d = %+v, want %+v", ov.Sales30d, want)
	}
}

// TestMigrations_LineCosts opens a file made before migration 0012 with orders in it: each line gets the
// unit cost in force when its order was placed, worked out from the cost history as the report did
// before the cost was kept with the line.
//
//	MUG:  500 GBP from 1 January; 600 and then 650 (the higher id wins the tie) from 1 June
//	CARD: 100 GBP from 1 March;   TEA: 300 EUR from 1 January
//	GIFT = MUG + 2 CARD;          BOX = MUG + TEA
func TestMigrations_LineCosts(t *testing.T) {
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
	if names[11] != "migrations/0012_line_costs.sql" {
		t.Fatalf("migration 12 is %s, want 0012_line_costs.sql", names[11])
	}
	for i, name := range names[:11] {
		script, err := migrationFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := applyMigration(ctx, conn, i, string(script)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	stamp := `'2026-01-01T00:00:00.000Z', 1, 'old'`  // created_at, hlc, device_id
	stamp2 := `'2026-01-01T00:00:00.000Z', ` + stamp // created_at, updated_at, …
	queries := []string{`INSERT INTO products(id, name, created_at, hlc, device_id) VALUES ('p1', 'Things', ` + stamp + `)`}
	for _, v := range []struct{ sku, currency string }{{"MUG", "GBP"}, {"CARD", "GBP"}, {"TEA", "EUR"}, {"GIFT", "GBP"}, {"BOX", "GBP"}} {
		queries = append(queries, `INSERT INTO variants(sku, product_id, currency, created_at, updated_at, hlc, device_id)
			VALUES ('`+v.sku+`', 'p1', '`+v.currency+`', `+stamp2+`)`)
	}
	queries = append(queries,
		`INSERT INTO cost_history(id, sku, cost, currency, from_at, hlc, device_id) VALUES
			(1, 'MUG', 500, 'GBP', '2026-01-01T00:00:00.000Z', 1, 'old'),
			(2, 'TEA', 300, 'EUR', '2026-01-01T00:00:00.000Z', 1, 'old'),
			(3, 'CARD', 100, 'GBP', '2026-03-01T00:00:00.000Z', 1, 'old'),
			(4, 'MUG', 600, 'GBP', '2026-06-01T00:00:00.000Z', 1, 'old'),
			(5, 'MUG', 650, 'GBP', '2026-06-01T00:00:00.000Z', 1, 'old'),
			(6, 'GIFT', 999, 'GBP', '2026-01-01T00:00:00.000Z', 1, 'old')`,
		`INSERT INTO kit_components(kit_sku, component_sku, quantity) VALUES ('GIFT', 'MUG', 1), ('GIFT', 'CARD', 2), ('BOX', 'MUG', 1), ('BOX', 'TEA', 1)`,
		`INSERT INTO orders(id, channel, external_id, status, placed_at, currency, created_at, updated_at, hlc, device_id) VALUES
			(1, 'shop', '1', 'delivered', '2026-02-01T00:00:00.000Z', 'GBP', `+stamp2+`),
			(2, 'shop', '2', 'paid', '2026-06-01T00:00:00.000Z', 'GBP', `+stamp2+`),
			(3, 'shop', '3', 'paid', '2026-05-31T23:59:59.999Z', 'GBP', `+stamp2+`),
			(4, 'shop', '4', 'paid', '2026-07-01T00:00:00.000Z', 'EUR', `+stamp2+`)`,
		`INSERT INTO order_lines(order_id, line_no, sku, quantity) VALUES
			(1, 1, 'MUG', 1), (1, 2, 'card', 1), (1, 3, NULL, 1),
			(2, 1, 'MUG', 1), (2, 2, 'GIFT', 1), (2, 3, 'BOX', 1),
			(3, 1, 'MUG', 1), (3, 2, 'card', 1),
			(4, 1, 'TEA', 1), (4, 2, 'MUG', 1), (4, 3, 'BOX', 1)`,
	)
	for _, q := range queries {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	raw.Close()

	s, err := Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		order string
		want  []int64
	}{
		// MUG's first cost; CARD before its first recorded cost takes it (and its SKU in any case);
		// the line without a SKU has none.
		{"1", []int64{500, 100, -1}},
		// From the instant of the change, the later of two rows; GIFT by its parts 650 + 2×100; BOX
		// has a part costed in EUR.
		{"2", []int64{650, 850, -1}},
		{"3", []int64{500, 100}}, // a millisecond before the change
		// In EUR: TEA is known, MUG is not, so neither is BOX.
		{"4", []int64{300, -1, -1}},
	}
	for _, tt := range tests {
		if got := lineCosts(t, s, "shop", tt.order); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("order %s line costs after migrating = %v, want %v", tt.order, got, tt.want)
		}
	}

	// June holds orders 2 and 4; order 3, between them, is taken back out of the product sums, including
	// its line written "card", which counts with CARD.
	got, err := s.SalesReport(ctx, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC), "product", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	row := func(sku, currency string, cost, uncosted int64) SalesRow {
		return SalesRow{Key: sku, Label: "Things", Currency: currency, Orders: 1, Units: 1, Cost: cost, Margin: -cost, Uncosted: uncosted}
	}
	want := []SalesRow{
		row("BOX", "EUR", 0, 1), row("BOX", "GBP", 0, 1), row("GIFT", "GBP", 850, 0),
		row("MUG", "EUR", 0, 1), row("MUG", "GBP", 650, 0), row("TEA", "EUR", 300, 0),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("June by product after migrating =\n%s\nwant\n%s", salesTable(got), salesTable(want))
	}
}
