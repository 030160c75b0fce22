package data

import (
	"context"
	"database/sql"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// AtRisk reads the stock of the SKUs SQLite picks as possibly at risk, not of every SKU. On the demo shop
// with stock files sent to three channels (one with a buffer, one per location), then stock lost, kits'
// parts run down and a new SKU counted below nothing, it must list exactly what comparing every SKU lists.
func TestStore_AtRiskPicksWhatEverySKUShows(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	if err := s.SetListingRule(ctx, ListingRule{Channel: "etsy", Buffer: 2}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		channel     string
		perLocation bool
	}{{"etsy", false}, {"ebay", false}, {"shopify", true}} {
		listings, err := s.ChannelListings(ctx, c.channel, c.perLocation)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LogStockExport(ctx, c.channel, c.channel+".csv", listings); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, atLeast int) {
		t.Helper()
		got, err := s.AtRisk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := atRiskFromEverySKU(t, s)
		if len(want) < atLeast {
			t.Fatalf("comparing every SKU finds %d at risk, want at least %d for the test to mean something", len(want), atLeast)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AtRisk() =\n%+v\nwant\n%+v", got, want)
		}
	}
	t.Run("JustExported", func(t *testing.T) { check(t, 0) })

	t.Run("StockLost", func(t *testing.T) {
		// Every fifth SKU with stock loses some, some all and more; and every kit part loses one.
		var skus []string
		var onHand []int64
		if err := scanRows(ctx, s.read, `SELECT sku, SUM(on_hand) FROM stock_levels GROUP BY sku HAVING SUM(on_hand) > 0 ORDER BY sku`, func(r *sql.Rows) error {
			var sku string
			var n int64
			if err := r.Scan(&sku, &n); err != nil {
				return err
			}
			skus, onHand = append(skus, sku), append(onHand, n)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var parts []string
		if err := scanRowsTest(s, `SELECT DISTINCT component_sku FROM kit_components`, &parts); err != nil {
			t.Fatal(err)
		}
		if len(parts) == 0 {
			t.Fatal("the demo has no kits")
		}
		lose := func(sku string, n int64) {
			t.Helper()
			if _, err := s.AdjustStock(ctx, Adjustment{SKU: sku, Delta: -n, Note: "lost"}); err != nil {
				t.Fatalf("AdjustStock(%s, -%d): %v", sku, n, err)
			}
		}
		for i := 0; i < len(skus); i += 5 {
			lose(skus[i], []int64{1, onHand[i], onHand[i] + 3}[i/5%3])
		}
		for _, p := range parts {
			lose(p, 1)
		}
		// A SKU added since the files went out, counted short before anything arrived: oversold, unlisted.
		mustVariant(t, s, "LATE-1", "Late arrival", 900, 300)
		lose("LATE-1", 2)
		check(t, 20)
	})
}

// atRiskFromEverySKU is AtRisk as it was before SQLite picked the SKUs: every active SKU's stock read,
// and every line of each channel's latest stock file.
func atRiskFromEverySKU(t *testing.T, s *Store) []AtRisk {
	t.Helper()
	ctx := context.Background()
	p, err := s.stockPicture(ctx, s.read, nil)
	if err != nil {
		t.Fatal(err)
	}
	var channels []string
	if err := scanRowsTest(s, `SELECT DISTINCT channel FROM stock_exports ORDER BY channel`, &channels); err != nil {
		t.Fatal(err)
	}
	listed := map[string]map[string]int64{}
	for _, c := range channels {
		e, err := s.lastExport(ctx, s.read, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range e.lines {
			k := strings.ToLower(l.sku)
			if listed[k] == nil {
				listed[k] = map[string]int64{}
			}
			listed[k][c] += l.quantity * max(l.pack, 1)
		}
	}
	rules, err := s.ListingRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	margin := map[string]bool{}
	for _, r := range rules {
		margin[r.Channel] = r.Buffer > 0 || r.SharePct > 0 && r.SharePct < 100
	}
	var oversold []string
	for i := range p.items {
		it := &p.items[i]
		if onHand, reserved, _ := p.level(it, ""); len(it.kit) == 0 && reserved > onHand {
			oversold = append(oversold, it.sku)
		}
	}
	orders, err := s.openOrdersBySKU(ctx, oversold)
	if err != nil {
		t.Fatal(err)
	}
	var out []AtRisk
	for i := range p.items {
		it := &p.items[i]
		k := strings.ToLower(it.sku)
		onHand, reserved, sellable := p.level(it, "")
		isOversold := len(it.kit) == 0 && reserved > onHand
		var held []string
		var short int64
		if isOversold {
			held, short = orders[k], reserved-onHand
		}
		name := it.name
		if it.option != "" {
			name += " – " + it.option
		}
		n := len(out)
		chs := make([]string, 0, len(listed[k]))
		for c := range listed[k] {
			chs = append(chs, c)
		}
		sort.Strings(chs)
		for _, c := range chs {
			if u := listed[k][c]; u > 0 && (sellable < u || sellable == u && margin[c]) {
				out = append(out, AtRisk{SKU: it.sku, Name: name, Sellable: sellable, Channel: c, Listed: u, Oversold: isOversold, Short: short, Orders: held})
			}
		}
		if isOversold && len(out) == n {
			out = append(out, AtRisk{SKU: it.sku, Name: name, Sellable: sellable, Oversold: true, Short: short, Orders: held})
		}
	}
	return out
}
