package cli

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// atRiskDB is a shop with 10 mugs and 1 jar: Etsy was last sent 8 mugs (buffer 2, no order yet), then an
// order took 3 mugs' worth, leaving 7 sellable ≤ 8 listed; an order for 2 jars against 1 oversells it.
func atRiskDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, v := range []data.NewVariant{
		{SKU: "MUG", ProductName: "Stoneware mug", Price: 1800, Currency: "GBP"},
		{SKU: "JAR", ProductName: "Honey jar", Price: 700, Currency: "GBP"},
	} {
		if _, err := s.AddVariant(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	for sku, n := range map[string]int64{"MUG": 10, "JAR": 1} {
		if _, err := s.AdjustStock(ctx, data.Adjustment{SKU: sku, Delta: n, Reason: data.ReasonReceipt, Note: "delivery"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetListingRule(ctx, data.ListingRule{Channel: "etsy", Buffer: 2}); err != nil {
		t.Fatal(err)
	}
	ls, err := s.ChannelListings(ctx, "etsy", false)
	if err != nil {
		t.Fatal(err)
	}
	var sent []data.ChannelListing
	for _, l := range ls {
		if l.SKU == "MUG" {
			sent = append(sent, l)
		}
	}
	if _, err := s.LogStockExport(ctx, "etsy", "etsy.csv", sent); err != nil {
		t.Fatal(err)
	}
	order := func(number, sku string, qty int64, ago time.Duration) data.Order {
		return data.Order{Channel: "shopify", ExternalID: number, Status: data.StatusPaid, Currency: "GBP", PlacedAt: time.Now().Add(-ago),
			Lines: []data.OrderLine{{SKU: sku, Quantity: qty, UnitPrice: 1000}}}
	}
	if _, err := s.ApplyOrders(ctx, []data.Order{order("#1001", "MUG", 3, 2*time.Hour), order("#1002", "JAR", 2, time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportAtRisk(t *testing.T) {
	db := atRiskDB(t)

	t.Run("JSON", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "report", "at-risk", "--json"))
		want := []map[string]any{
			{"sku": "JAR", "name": "Honey jar", "sellable": float64(0), "channel": "", "listed": float64(0), "oversold": true, "orders": []any{"#1002"}},
			{"sku": "MUG", "name": "Stoneware mug", "sellable": float64(7), "channel": "etsy", "listed": float64(8), "oversold": false, "orders": []any{}},
		}
		if !reflect.DeepEqual(list, want) {
			t.Errorf("report at-risk --json = %v, want %v", list, want)
		}
	})

	t.Run("Table", func(t *testing.T) {
		got := mustRun(t, nil, "--db", db, "report", "at-risk")
		lines := strings.Split(strings.TrimSpace(got), "\n")
		if len(lines) != 3 {
			t.Fatalf("table has %d lines, want a header and 2 rows:\n%s", len(lines), got)
		}
		for i, want := range [][]string{
			{"SKU", "NAME", "SELLABLE", "CHANNEL", "LAST", "LISTED", "OVERSOLD", "ORDERS"},
			{"JAR", "Honey", "jar", "0", "–", "–", "#1002"},
			{"MUG", "Stoneware", "mug", "7", "etsy", "8"},
		} {
			if f := strings.Fields(lines[i]); !reflect.DeepEqual(f, want) {
				t.Errorf("line %d = %q, want fields %q", i, lines[i], want)
			}
		}
	})

	t.Run("Nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "empty.db")
		s, err := data.Open(context.Background(), path, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if got := mustRun(t, nil, "--db", path, "report", "at-risk", "--json"); got != "[]\n" {
			t.Errorf("empty shop --json = %q, want []", got)
		}
		if got := mustRun(t, nil, "--db", path, "report", "at-risk"); !strings.HasPrefix(got, "Nothing at risk") {
			t.Errorf("empty shop table = %q", got)
		}
	})

	t.Run("Demo", func(t *testing.T) {
		decodeList(t, mustRun(t, nil, "--db", demoDB(t), "report", "at-risk", "--json"))
	})

	t.Run("Usage", func(t *testing.T) {
		if r := runCLI(t, nil, "--db", db, "report", "at-risk", "extra"); r.code != exitUsage {
			t.Errorf("extra argument: exit %d, want %d", r.code, exitUsage)
		}
	})
}
