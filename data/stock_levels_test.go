package data

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// stock_levels is the ledger's running total, kept by a trigger: after everything the demo shop does
// (receipts, sales, returns, counts, transfers) and a few movements by hand, it must equal the ledger
// summed, SKU by SKU and location by location.
func TestStockLevels_MatchTheLedger(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	locs, err := s.Locations(ctx)
	if err != nil || len(locs) < 2 {
		t.Fatalf("Locations() = %v, %v; want the demo's two or more", locs, err)
	}
	levels, err := s.StockLevels(ctx, StockFilter{Limit: 1})
	if err != nil || len(levels) == 0 {
		t.Fatalf("StockLevels() = %v, %v", levels, err)
	}
	sku := levels[0].SKU
	if _, err := s.AdjustStock(ctx, Adjustment{SKU: sku, Location: locs[0].ID, Delta: 7, Note: "found a box"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Transfer(ctx, sku, 3, locs[0].ID, locs[1].ID, "to the garage"); err != nil {
		t.Fatal(err)
	}
	ledger := map[[2]string]int64{}
	err = scanRows(ctx, s.read, `SELECT lower(sku), location_id, SUM(quantity) FROM stock_movements GROUP BY sku, location_id`, func(r *sql.Rows) error {
		var k [2]string
		var n int64
		if err := r.Scan(&k[0], &k[1], &n); err != nil {
			return err
		}
		ledger[k] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	kept := map[[2]string]int64{}
	err = scanRows(ctx, s.read, `SELECT lower(sku), location_id, on_hand FROM stock_levels`, func(r *sql.Rows) error {
		var k [2]string
		var n int64
		if err := r.Scan(&k[0], &k[1], &n); err != nil {
			return err
		}
		kept[k] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) < 50 {
		t.Fatalf("the demo's ledger has %d SKU-locations, want a real shop's worth", len(ledger))
	}
	if len(kept) != len(ledger) {
		t.Errorf("stock_levels has %d rows, the ledger %d SKU-locations", len(kept), len(ledger))
	}
	for k, n := range ledger {
		if kept[k] != n {
			t.Errorf("stock_levels %s at %s = %d, the ledger sums to %d", k[0], k[1], kept[k], n)
		}
	}
	moved := [2]string{}
	for k := range ledger {
		if k[1] == locs[1].ID && k[0] == strings.ToLower(sku) {
			moved = k
		}
	}
	if moved[0] == "" {
		t.Errorf("the transfer of %s to %s left no stock level there", sku, locs[1].Name)
	}
}
