package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

// stockShop makes a shop in a temporary folder: a mug with 9 at the Shop (the default location) and 4 in the
// Warehouse, a T-shirt with none, an Amazon two-pack of the mug, and an Amazon rule keeping 1 back.
func stockShop(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, v := range []data.NewVariant{
		{SKU: "MUG-BLUE", ProductName: "Enamel Mug", Title: "Blue", Price: 1250, Currency: "GBP"},
		{SKU: "TEE-M", ProductName: "Logo T-shirt", Title: "M", Price: 1800, Currency: "GBP"},
	} {
		if _, err := s.AddVariant(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, loc := range []string{"Shop", "Warehouse"} { // the first is the default
		if _, err := s.AddLocation(ctx, loc, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []data.Adjustment{{SKU: "MUG-BLUE", Delta: 9, Note: "opening stock"}, {SKU: "MUG-BLUE", Delta: 4, Note: "opening stock", Location: "Warehouse"}} {
		if _, err := s.AdjustStock(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetAlias(ctx, data.Alias{Channel: "amazon", ChannelKey: "AMZ-MUG-2PK", SKU: "MUG-BLUE", Pack: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetListingRule(ctx, data.ListingRule{Channel: "amazon", Buffer: 1}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExportStock(t *testing.T) {
	db := stockShop(t)
	dir := t.TempDir()

	t.Run("Amazon", func(t *testing.T) {
		out := filepath.Join(dir, "amazon.txt")
		got := mustRun(t, nil, "--db", db, "export", "stock", "--channel", "amazon", "--out", out)
		if want := "3 listings written to " + out + " (1 SKU at 0)\n"; got != want {
			t.Errorf("summary = %q, want %q", got, want)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		// 13 on hand less the buffer of 1; the two-pack lists 12 ÷ 2.
		want := "sku\tprice\tminimum-seller-allowed-price\tmaximum-seller-allowed-price\tquantity\thandling-time\tfulfillment-channel\r\n" +
			"MUG-BLUE\t\t\t\t12\t\t\r\n" + "AMZ-MUG-2PK\t\t\t\t6\t\t\r\n" + "TEE-M\t\t\t\t0\t\t\r\n"
		if string(b) != want {
			t.Errorf("file = %q, want %q", b, want)
		}
		if _, err := os.Stat(out + ".part"); !os.IsNotExist(err) {
			t.Errorf("the temporary file is left behind: %v", err)
		}
		s, err := data.Open(context.Background(), db, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		exports, err := s.StockExports(context.Background(), "amazon")
		if err != nil {
			t.Fatal(err)
		}
		if len(exports) != 1 || exports[0].File != out || exports[0].Lines != 3 {
			t.Errorf("StockExports(amazon) = %+v, want the one export of %s with 3 lines", exports, out)
		}
	})

	t.Run("ShopifyLocation", func(t *testing.T) {
		out := filepath.Join(dir, "shopify.csv")
		got := mustRun(t, nil, "--db", db, "export", "stock", "--channel", "Shopify", "--out", out, "--location", "warehouse")
		if want := "2 listings written to " + out + " (1 SKU at 0)\n"; got != want {
			t.Errorf("summary = %q, want %q", got, want)
		}
		b, _ := os.ReadFile(out)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) != 3 || !strings.HasSuffix(lines[0], ",On hand (current),On hand (new)") ||
			lines[1] != "enamel-mug,Enamel Mug,,Blue,,,,,MUG-BLUE,,,Warehouse,,,,,,,4" ||
			lines[2] != "logo-t-shirt,Logo T-shirt,,M,,,,,TEE-M,,,Warehouse,,,,,,,0" {
			t.Errorf("file = %q, want the header and the Warehouse rows", b)
		}
	})

	t.Run("ShopifyEveryLocation", func(t *testing.T) {
		out := filepath.Join(dir, "shopify-all.csv")
		got := mustRun(t, nil, "--db", db, "export", "stock", "--channel", "shopify", "--out", out)
		if want := "4 listings written to " + out + " (1 SKU at 0)\n"; got != want {
			t.Errorf("summary = %q, want %q", got, want)
		}
	})

	t.Run("WooCommerceJSON", func(t *testing.T) {
		out := filepath.Join(dir, "woo.csv")
		got := mustRun(t, nil, "--db", db, "export", "stock", "--channel", "woocommerce", "--out", out, "--json")
		var sum map[string]any
		if err := json.Unmarshal([]byte(got), &sum); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, got)
		}
		checkKeys(t, "summary", sum, sorted("channel", "file", "listings", "zero"))
		if sum["channel"] != "woocommerce" || sum["file"] != out || sum["listings"] != float64(2) || sum["zero"] != float64(1) {
			t.Errorf("summary = %v", sum)
		}
		b, _ := os.ReadFile(out)
		if want := "\ufeffID,SKU,\"In stock?\",Stock\n,MUG-BLUE,1,13\n,TEE-M,0,0\n"; string(b) != want {
			t.Errorf("file = %q, want %q", b, want)
		}
	})

	t.Run("Etsy", func(t *testing.T) {
		out := filepath.Join(dir, "etsy.csv")
		got := mustRun(t, nil, "--db", db, "export", "stock", "--channel", "etsy", "--out", out)
		if !strings.HasPrefix(got, "2 listings written to "+out+" (1 SKU at 0)\n") || !strings.Contains(got, "Etsy takes no stock upload") {
			t.Errorf("summary = %q, want the count and a word on Etsy having no upload", got)
		}
	})

	t.Run("EbayBOM", func(t *testing.T) {
		out := filepath.Join(dir, "ebay.csv")
		mustRun(t, nil, "--db", db, "export", "stock", "--channel", "ebay", "--out", out)
		b, _ := os.ReadFile(out)
		if !strings.HasPrefix(string(b), "\ufeff#INFO,Version=1.0.0,") || !strings.Contains(string(b), "\r\nRevise,,,,,,,,13,,,MUG-BLUE\r\n") {
			t.Errorf("file = %q", b)
		}
	})

	t.Run("UnknownLocation", func(t *testing.T) {
		r := runCLI(t, nil, "--db", db, "export", "stock", "--channel", "shopify", "--out", filepath.Join(dir, "x.csv"), "--location", "Garage")
		if r.code != exitError || !strings.Contains(r.stderr, `no location is called "Garage"`) || !strings.Contains(r.stderr, "Warehouse") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "x.csv")); !os.IsNotExist(err) {
			t.Errorf("a file was written for an unknown location: %v", err)
		}
	})

	t.Run("Usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"export", "stock", "--out", filepath.Join(dir, "x")},
			{"export", "stock", "--channel", "amazon"},
			{"export", "stock", "--channel", "tiktok", "--out", filepath.Join(dir, "x")},
			{"export", "stock", "--channel", "amazon", "--out", filepath.Join(dir, "x"), "--location", "Warehouse"},
			{"export", "stock", "--channel", "amazon", "--out", filepath.Join(dir, "x"), "extra"},
		} {
			if r := runCLI(t, nil, append([]string{"--db", db}, args...)...); r.code != exitUsage {
				t.Errorf("backroom %s: exit %d, want %d; stderr %q", strings.Join(args, " "), r.code, exitUsage, r.stderr)
			}
		}
	})
}
