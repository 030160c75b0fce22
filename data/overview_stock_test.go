package data

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// countStockProblems puts its counts together from parts that each read little. On the demo shop, then
// with stock lost (some SKUs to nothing, some below), SKUs retired, a kit holding stock of its own and
// more sold than is on hand, it must count what comparing every SKU counts.
func TestOverview_StockProblemsCountEverySKU(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	check := func(t *testing.T) {
		t.Helper()
		var got Overview
		if err := s.countStockProblems(ctx, &got); err != nil {
			t.Fatal(err)
		}
		want := stockProblemsOfEverySKU(t, s)
		if got.Products != want.Products || got.Oversold != want.Oversold || got.OutOfStock != want.OutOfStock {
			t.Errorf("countStockProblems() = %d SKUs, %d oversold, %d out of stock; want %d, %d, %d",
				got.Products, got.Oversold, got.OutOfStock, want.Products, want.Oversold, want.OutOfStock)
		}
	}
	t.Run("Demo", check)

	t.Run("StockLostAndSKUsRetired", func(t *testing.T) {
		var skus []string
		if err := scanRowsTest(s, `SELECT sku FROM stock_levels GROUP BY sku HAVING SUM(on_hand) > 0 ORDER BY sku`, &skus); err != nil {
			t.Fatal(err)
		}
		var held []string
		if err := scanRowsTest(s, `SELECT DISTINCT sku FROM order_lines WHERE open = 1 AND sku IS NOT NULL ORDER BY sku`, &held); err != nil {
			t.Fatal(err)
		}
		var parts, kits []string
		if err := scanRowsTest(s, `SELECT DISTINCT component_sku FROM kit_components`, &parts); err != nil {
			t.Fatal(err)
		}
		if err := scanRowsTest(s, `SELECT DISTINCT kit_sku FROM kit_components`, &kits); err != nil {
			t.Fatal(err)
		}
		if len(held) < 10 || len(parts) == 0 {
			t.Fatalf("the demo has %d SKUs held by open orders and %d kit parts, want some of each", len(held), len(parts))
		}
		onHand := func(sku string) int64 {
			var n sql.NullInt64
			if err := s.read.QueryRowContext(ctx, `SELECT SUM(on_hand) FROM stock_levels WHERE sku = ?`, sku).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n.Int64
		}
		adjust := func(sku string, delta int64) {
			t.Helper()
			if _, err := s.AdjustStock(ctx, Adjustment{SKU: sku, Delta: delta, Note: "test"}); err != nil {
				t.Fatalf("AdjustStock(%s, %d): %v", sku, delta, err)
			}
		}
		for i, sku := range skus {
			switch i % 7 {
			case 0:
				adjust(sku, -onHand(sku))
			case 1:
				adjust(sku, -onHand(sku)-2)
			}
		}
		for i, sku := range held {
			if i%3 == 0 && onHand(sku) != 0 {
				adjust(sku, -onHand(sku))
			}
		}
		adjust(parts[0], -onHand(parts[0])-1)
		// Kits hold no stock through the app; an older version's or a hand-made movement can still give one some.
		if _, err := s.write.ExecContext(ctx, `INSERT INTO stock_movements(id, sku, location_id, quantity, reason, device_id, hlc, created_at)
			SELECT 'kit-stock', ?, id, 4, 'adjustment', 'test', 1, '2026-01-01T00:00:00.000Z' FROM locations LIMIT 1`, kits[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.write.ExecContext(ctx, `UPDATE variants SET active = 0 WHERE rowid % 11 = 0 OR sku = ? OR sku = ?`, held[1], parts[len(parts)-1]); err != nil {
			t.Fatal(err)
		}
		check(t)
	})

	// Stock in two places: some left in one and owed in the other, making nothing, less, or still some.
	t.Run("StockOwedInAnotherLocation", func(t *testing.T) {
		loc, err := s.AddLocation(ctx, "Overflow unit", "warehouse")
		if err != nil {
			t.Fatal(err)
		}
		var skus []string
		if err := scanRowsTest(s, `SELECT sku FROM stock_levels WHERE sku NOT IN (SELECT kit_sku FROM kit_components)
			GROUP BY sku HAVING SUM(on_hand) > 3 ORDER BY sku LIMIT 30`, &skus); err != nil {
			t.Fatal(err)
		}
		if len(skus) < 30 {
			t.Fatalf("%d SKUs with stock, want 30", len(skus))
		}
		for i, sku := range skus {
			var n int64
			if err := s.read.QueryRowContext(ctx, `SELECT SUM(on_hand) FROM stock_levels WHERE sku = ?`, sku).Scan(&n); err != nil {
				t.Fatal(err)
			}
			owed := []int64{n, n + 2, n - 1}[i%3] // nothing left in all, less than nothing, one left
			if _, err := s.AdjustStock(ctx, Adjustment{SKU: sku, Delta: -owed, Note: "test", Location: loc.ID}); err != nil {
				t.Fatal(err)
			}
		}
		check(t)
	})
}

// stockProblemsOfEverySKU is countStockProblems as it was: every SKU's stock and reservations read into
// Go and compared.
func stockProblemsOfEverySKU(t *testing.T, s *Store) Overview {
	t.Helper()
	ctx := context.Background()
	sums := func(query string) map[string]int64 {
		out := map[string]int64{}
		if err := scanRows(ctx, s.read, query, func(r *sql.Rows) error {
			var sku string
			var n int64
			if err := r.Scan(&sku, &n); err != nil {
				return err
			}
			out[strings.ToLower(sku)] += n
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	onHand := sums(`SELECT sku, SUM(on_hand) FROM stock_levels GROUP BY sku`)
	reserved := sums(`SELECT COALESCE(k.component_sku, l.sku), SUM(l.quantity * l.pack * COALESCE(k.quantity, 1))
		FROM order_lines l LEFT JOIN kit_components k ON k.kit_sku = l.sku
		WHERE l.open = 1 AND l.sku IS NOT NULL GROUP BY 1`)
	var skus []string
	if err := scanRowsTest(s, `SELECT sku FROM variants v WHERE v.active = 1 AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku)`, &skus); err != nil {
		t.Fatal(err)
	}
	var ov Overview
	for _, sku := range skus {
		key := strings.ToLower(sku)
		ov.Products++
		if reserved[key] > onHand[key] {
			ov.Oversold++
		}
		if onHand[key]-reserved[key] <= 0 {
			ov.OutOfStock++
		}
	}
	return ov
}
