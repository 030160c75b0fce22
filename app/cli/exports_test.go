package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// shipDemoOrders ships the first open order of each channel in the demo database at path, the amazon one
// without a tracking number, and returns their ids by channel.
func shipDemoOrders(t *testing.T, path string, when time.Time) map[string]string {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := map[string]string{}
	for _, ch := range []string{"amazon", "shopify", "ebay", "etsy"} {
		list, err := s.Orders(ctx, data.OrderFilter{Channel: ch, Statuses: data.OpenStatuses(), Limit: 1})
		if err == nil && len(list) == 0 {
			// The demo's orders are placed relative to today, so on some days a channel has none open.
			list, err = addOpenOrder(ctx, s, ch, when)
		}
		if err != nil || len(list) == 0 {
			t.Fatalf("no open %s order in the demo: %v", ch, err)
		}
		sh := data.Shipment{Carrier: "Royal Mail", Service: "Tracked 48", Tracking: "AB" + ch + "123GB", ShippedAt: when}
		if ch == "amazon" {
			sh.Tracking = ""
		}
		if _, err := s.ShipOrder(ctx, list[0].ID, sh); err != nil {
			t.Fatal(err)
		}
		ids[ch] = list[0].ExternalID
	}
	return ids
}

// addOpenOrder imports a paid order of one of the demo's SKUs on channel ch and returns it.
func addOpenOrder(ctx context.Context, s *data.Store, ch string, when time.Time) ([]data.Order, error) {
	vs, err := s.Variants(ctx, data.VariantFilter{Limit: 1})
	if err != nil || len(vs) == 0 {
		return nil, fmt.Errorf("no SKU in the demo: %v", err)
	}
	o := data.Order{Channel: ch, ExternalID: "TEST-" + strings.ToUpper(ch), Status: data.StatusPaid, Currency: vs[0].Currency,
		PlacedAt: when.Add(-24 * time.Hour), CustomerName: "Test Customer",
		ShipTo:   data.Address{Name: "Test Customer", Line1: "1 High Street", City: "Leeds", Postcode: "LS1 1AA", Country: "GB"},
		Lines:    []data.OrderLine{{SKU: vs[0].SKU, Name: vs[0].SKU, Quantity: 1, UnitPrice: vs[0].Price}},
		Subtotal: vs[0].Price, Total: vs[0].Price}
	if _, err := s.ApplyOrders(ctx, []data.Order{o}); err != nil {
		return nil, err
	}
	return s.Orders(ctx, data.OrderFilter{Channel: ch, Statuses: data.OpenStatuses(), Limit: 1})
}

func TestExportShipments(t *testing.T) {
	db := demoDB(t)
	ids := shipDemoOrders(t, db, time.Now().Add(-time.Hour))
	dir := t.TempDir()

	t.Run("Amazon", func(t *testing.T) {
		out := filepath.Join(dir, "amazon.txt")
		got := mustRun(t, nil, "--db", db, "export", "shipments", "--channel", "amazon", "--out", out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		// The demo's own parcels of the last days are in the file too; the one shipped above is among
		// them, once, and named as having no tracking number.
		lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
		if len(lines) < 2 || lines[0] != "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method" {
			t.Fatalf("file = %q, want the header and rows", b)
		}
		if want := fmt.Sprintf("%s written to %s\n", plural(len(lines)-1, "order", "orders"), out); !strings.HasPrefix(got, want) ||
			!strings.Contains(got, "no tracking number: "+ids["amazon"]) {
			t.Errorf("summary = %q, want %q and the order without tracking named", got, want)
		}
		day := time.Now().Add(-time.Hour).Format("2006-01-02")
		if want := ids["amazon"] + "\t\t\t" + day + "\tRoyal Mail\t\t\tTracked 48"; !slices.Contains(lines[1:], want) {
			t.Errorf("rows = %q, want one %q", lines[1:], want)
		}
		if _, err := os.Stat(out + ".part"); !os.IsNotExist(err) {
			t.Errorf("the temporary file is left behind: %v", err)
		}
	})

	t.Run("ShopifyJSON", func(t *testing.T) {
		out := filepath.Join(dir, "shopify.csv")
		got := mustRun(t, nil, "--db", db, "export", "shipments", "--channel", "shopify", "--out", out, "--json")
		var sum map[string]any
		if err := json.Unmarshal([]byte(got), &sum); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, got)
		}
		checkKeys(t, "summary", sum, sorted("channel", "file", "orders", "rows", "no_tracking"))
		if n, _ := sum["orders"].(float64); n < 1 || sum["channel"] != "shopify" || len(sum["no_tracking"].([]any)) != 0 {
			t.Errorf("summary = %v", sum)
		}
		b, _ := os.ReadFile(out)
		if want := "Order Name,Tracking Number,Tracking Company,Tracking URL,Notify Customer\r\n"; !strings.HasPrefix(string(b), want) ||
			!strings.Contains(string(b), ",ABSHOPIFY123GB,Royal Mail,,TRUE\r\n") {
			t.Errorf("file = %q", b)
		}
	})

	t.Run("Window", func(t *testing.T) {
		out := filepath.Join(dir, "ebay-old.csv")
		got := mustRun(t, nil, "--db", db, "export", "shipments", "--channel", "ebay", "--out", out, "--since", "2020-01-01", "--until", "2020-01-31")
		if got != "0 orders written to "+out+"\n" {
			t.Errorf("summary = %q, want 0 orders for a month long past", got)
		}
	})

	t.Run("Etsy", func(t *testing.T) {
		r := runCLI(t, nil, "--db", db, "export", "shipments", "--channel", "etsy", "--out", filepath.Join(dir, "etsy.csv"))
		if r.code != exitError || !strings.Contains(r.stderr, "Etsy takes tracking numbers only on the order page or through its API") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("Usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"export", "shipments", "--out", filepath.Join(dir, "x")},
			{"export", "shipments", "--channel", "amazon"},
			{"export", "shipments", "--channel", "woocommerce", "--out", filepath.Join(dir, "x")},
			{"export", "shipments", "--channel", "amazon", "--out", filepath.Join(dir, "x"), "--since", "26/11/2026"},
		} {
			if r := runCLI(t, nil, append([]string{"--db", db}, args...)...); r.code != exitUsage {
				t.Errorf("backroom %s: exit %d, want %d; stderr %q", strings.Join(args, " "), r.code, exitUsage, r.stderr)
			}
		}
	})
}
