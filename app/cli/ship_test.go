package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// shipTestDB is a demo shop copy with order 7001 on both Etsy and eBay, and shopify order #7002 paid
// for 2 × the first SKU of the demo.
func shipTestDB(t *testing.T) (path, sku string) {
	t.Helper()
	path = demoDB(t)
	ctx := context.Background()
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	levels, err := s.StockLevels(ctx, data.StockFilter{})
	if err != nil || len(levels) == 0 {
		t.Fatalf("stock levels: %v, %d", err, len(levels))
	}
	for _, l := range levels {
		if !l.Kit && l.OnHand > 5 {
			sku = l.SKU
			break
		}
	}
	now := time.Now()
	line := []data.OrderLine{{SKU: sku, Quantity: 2, UnitPrice: 1000}}
	if _, err := s.ApplyOrders(ctx, []data.Order{
		{Channel: "etsy", ExternalID: "7001", Status: data.StatusPaid, PlacedAt: now.Add(-time.Hour), Currency: "GBP", Lines: line},
		{Channel: "ebay", ExternalID: "7001", Status: data.StatusPaid, PlacedAt: now.Add(-time.Hour), Currency: "GBP", Lines: line},
		{Channel: "shopify", ExternalID: "#7002", Status: data.StatusPaid, PlacedAt: now.Add(-time.Hour), Currency: "GBP", Lines: line},
	}); err != nil {
		t.Fatal(err)
	}
	return path, sku
}

func TestRun_Ship(t *testing.T) {
	path, sku := shipTestDB(t)
	env := map[string]string{"BACKROOM_DB": path}

	t.Run("OK", func(t *testing.T) {
		before := onHand(t, env, sku)
		out := mustRun(t, env, "ship", "7002", "--carrier", "Royal Mail", "--service", "Tracked 48", "--tracking", "ab 1234 5678 9gb")
		if want := "shopify order #7002: paid → shipped, Royal Mail Tracked 48, tracking AB123456789GB, " + time.Now().Format("2006-01-02") + "\n"; out != want {
			t.Errorf("ship = %q, want %q", out, want)
		}
		if got, want := onHand(t, env, sku), before-2; got != want {
			t.Errorf("%s on hand after shipping = %v, want %v", sku, got, want)
		}
		// Shipping again corrects the tracking and takes nothing more off stock.
		var got map[string]any
		if err := json.Unmarshal([]byte(mustRun(t, env, "ship", "#7002", "--carrier", "DPD", "--tracking", "15501234567890",
			"--date", time.Now().AddDate(0, 0, -1).Format("2006-01-02"), "--json")), &got); err != nil {
			t.Fatal(err)
		}
		checkKeys(t, "shipment", got, sorted("channel", "external_id", "status", "carrier", "service", "tracking", "shipped_at"))
		if got["carrier"] != "DPD" || got["tracking"] != "15501234567890" || got["status"] != "shipped" {
			t.Errorf("ship again --json = %v, want DPD 15501234567890 shipped", got)
		}
		if at, _ := time.Parse(time.RFC3339, got["shipped_at"].(string)); at.Local().Format("2006-01-02") != time.Now().AddDate(0, 0, -1).Format("2006-01-02") {
			t.Errorf("shipped_at = %v, want yesterday", got["shipped_at"])
		}
		if got, want := onHand(t, env, sku), before-2; got != want {
			t.Errorf("%s on hand after shipping twice = %v, want %v", sku, got, want)
		}
	})

	t.Run("AmbiguousOrder", func(t *testing.T) {
		r := runCLI(t, env, "ship", "7001", "--carrier", "Evri", "--tracking", "H00A1234567890")
		if r.code != 2 || !strings.Contains(r.stderr, "7001") || !strings.Contains(r.stderr, "--channel") {
			t.Errorf("ambiguous order: exit %d, stderr %q, want exit 2 naming 7001 and --channel", r.code, r.stderr)
		}
		out := mustRun(t, env, "ship", "7001", "--channel", "ebay", "--carrier", "Evri", "--tracking", "H00A1234567890")
		if !strings.HasPrefix(out, "ebay order 7001: paid → shipped") {
			t.Errorf("ship --channel ebay = %q", out)
		}
	})

	t.Run("UnknownOrder", func(t *testing.T) {
		r := runCLI(t, env, "ship", "NOPE-9", "--carrier", "DHL", "--tracking", "123")
		if r.code != 1 || !strings.Contains(r.stderr, "NOPE-9") {
			t.Errorf("unknown order: exit %d, stderr %q, want exit 1 naming NOPE-9", r.code, r.stderr)
		}
	})

	t.Run("NoCarrier", func(t *testing.T) {
		r := runCLI(t, env, "ship", "7002", "--tracking", "123")
		if r.code != 2 || !strings.Contains(r.stderr, "7002") || !strings.Contains(r.stderr, "--carrier") {
			t.Errorf("no carrier: exit %d, stderr %q, want exit 2 naming 7002 and --carrier", r.code, r.stderr)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		r := runCLI(t, env, "ship", "7001", "--channel", "etsy", "--carrier", "DHL", "--tracking", "123",
			"--date", time.Now().AddDate(0, 0, 5).Format("2006-01-02"))
		if r.code != 1 || !strings.Contains(r.stderr, "etsy order 7001") || !strings.Contains(r.stderr, "future") {
			t.Errorf("ship date in the future: exit %d, stderr %q, want exit 1 naming the order and the date", r.code, r.stderr)
		}
		if r := runCLI(t, env, "ship", "7002", "--carrier", "DHL", "--tracking", "1", "--date", "26/11/2026"); r.code != 2 {
			t.Errorf("bad date: exit %d, want 2", r.code)
		}
	})
}
