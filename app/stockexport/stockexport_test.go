package stockexport

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
)

func listing(channel, channelSKU, sku string, pack, qty int64) data.ChannelListing {
	return data.ChannelListing{Channel: channel, ChannelSKU: channelSKU, SKU: sku, Pack: pack, Quantity: qty}
}

// listings mixes the channels, so every test also checks that a file holds only its own channel's rows.
func listings() []data.ChannelListing {
	mug := data.ChannelListing{Channel: "shopify", ChannelSKU: "MUG-BLUE", SKU: "MUG-BLUE", Pack: 1, Name: "Women's Enamel Mug",
		Option: "Blue / Large", Barcode: "5012345678900", Price: 1250, Currency: "GBP", Location: "Main Street Shop",
		OnHand: 9, Reserved: 2, Sellable: 7, Quantity: 7}
	// The same SKU at a second location, whose name needs quoting; sold out there.
	mugWarehouse := mug
	mugWarehouse.Location, mugWarehouse.OnHand, mugWarehouse.Reserved, mugWarehouse.Sellable, mugWarehouse.Quantity = "Warehouse, Unit 4", 0, 0, 0, 0
	tee := data.ChannelListing{Channel: "shopify", ChannelSKU: "TEE-M", SKU: "TEE-M", Pack: 1, Name: "Logo T-shirt", Location: "Main Street Shop"}
	// A multipack alias: Shopify's own variant, of which Backroom knows only the SKU.
	twoPack := data.ChannelListing{Channel: "shopify", ChannelSKU: "MUG-BLUE-2PK", SKU: "MUG-BLUE", Pack: 2, Name: "Women's Enamel Mug",
		Option: "Blue / Large", Location: "Main Street Shop", OnHand: 7, Sellable: 7, Quantity: 3}
	return []data.ChannelListing{
		mug, listing("amazon", "AMZ-MUG-BLUE", "MUG-BLUE", 1, 5), mugWarehouse, listing("ebay", "MUG-BLUE", "MUG-BLUE", 1, 7),
		tee, listing("amazon", "TEE-M", "TEE-M", 1, 0), listing("woocommerce", "MUG-BLUE", "MUG-BLUE", 1, 7),
		twoPack, listing("amazon", "MUG-2PK", "MUG-BLUE", 2, 2), listing("ebay", "TEE-M", "TEE-M", 1, 0),
		// Below zero never reaches a channel.
		listing("amazon", "CANDLE", "CANDLE", 1, -2),
		listing("ebay", "EB-MUG-2PK", "MUG-BLUE", 2, 3),
		// A SKU WooCommerce's exporter would write as '-A1, and one with a space.
		listing("woocommerce", "-A1", "-A1", 1, 0), listing("woocommerce", "TEE M", "TEE-M", 1, 0),
		listing("etsy", "MUG-BLUE", "MUG-BLUE", 1, 7), listing("etsy", "TEE-M", "TEE-M", 1, 0),
	}
}

func write(t *testing.T, channel string) ([]byte, Result) {
	t.Helper()
	var buf bytes.Buffer
	res, err := Write(&buf, channel, listings())
	if err != nil {
		t.Fatalf("Write(%s): %v", channel, err)
	}
	return buf.Bytes(), res
}

func TestWrite_Fixtures(t *testing.T) {
	for _, tc := range []struct {
		channel, fixture string
		rows, zero       int
	}{
		{"shopify", "stock_shopify.csv", 4, 1},
		{"amazon", "stock_amazon.txt", 4, 2},
		{"ebay", "stock_ebay.csv", 3, 1},
		{"woocommerce", "stock_woocommerce.csv", 3, 2},
		{"etsy", "stock_etsy.csv", 2, 1},
	} {
		t.Run(tc.channel, func(t *testing.T) {
			got, res := write(t, tc.channel)
			path := filepath.Join("testdata", "exports", tc.fixture)
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s file differs from %s\ngot:\n%q\nwant:\n%q", tc.channel, path, got, want)
			}
			if res.Listings != tc.rows || res.Zero != tc.zero {
				t.Errorf("Result = %+v, want %d listings, %d at 0", res, tc.rows, tc.zero)
			}
		})
	}
}

// count is a SKU and quantity as our importer reads them back.
type count struct {
	SKU      string
	Location string
	OnHand   int64
}

// readBack reads b with Backroom's own importer, through mapping when no known layout matches.
func readBack(t *testing.T, name string, b []byte, mapping map[string]string) (*importers.File, []count) {
	t.Helper()
	f, err := importers.Open(bytes.NewReader(b), name, importers.Options{Currency: "GBP"})
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	if mapping != nil {
		if err := f.UseMapping(data.ColumnMapping{Name: name, Kind: string(importers.KindStock), Columns: mapping}); err != nil {
			t.Fatalf("UseMapping: %v (header %q)", err, f.Header)
		}
	}
	var got []count
	for it := range f.Items(context.Background()) {
		if it.Err != nil {
			t.Fatalf("read %s: %v", name, it.Err)
		}
		for _, p := range it.Problems {
			if !p.Warning {
				t.Errorf("read %s: rows %d–%d: %s", name, it.FirstRow, it.LastRow, p)
			}
		}
		if it.Count != nil {
			got = append(got, count{it.Count.SKU, it.Count.Location, it.Count.OnHand})
		}
	}
	return f, got
}

func TestWrite_ReadBack(t *testing.T) {
	t.Run("Shopify", func(t *testing.T) {
		// Our Shopify inventory importer knows the layout and takes On hand (new) where it is filled.
		b, _ := write(t, "shopify")
		f, got := readBack(t, "inventory.csv", b, nil)
		if f.FormatID() != "shopify-inventory" {
			t.Errorf("format = %s, want shopify-inventory", f.FormatID())
		}
		want := []count{{"MUG-BLUE", "Main Street Shop", 7}, {"MUG-BLUE", "Warehouse, Unit 4", 0}, {"TEE-M", "Main Street Shop", 0},
			{"MUG-BLUE-2PK", "Main Street Shop", 3}}
		if !slices.Equal(got, want) {
			t.Errorf("read back %v, want %v", got, want)
		}
	})

	t.Run("Amazon", func(t *testing.T) {
		// No Amazon order layout claims the file; read through a stock mapping, as an owner would map it.
		b, _ := write(t, "amazon")
		f, got := readBack(t, "price-quantity.txt", b, map[string]string{"sku": "sku", "quantity": "quantity"})
		if !strings.HasPrefix(f.Layout, "tab-separated") {
			t.Errorf("layout = %q, want tab-separated text", f.Layout)
		}
		want := []count{{"AMZ-MUG-BLUE", "", 5}, {"TEE-M", "", 0}, {"MUG-2PK", "", 2}, {"CANDLE", "", 0}}
		if !slices.Equal(got, want) {
			t.Errorf("read back %v, want %v", got, want)
		}
	})

	t.Run("Ebay", func(t *testing.T) {
		b, _ := write(t, "ebay")
		// The whole file, as eBay gives it: our importer passes over the #INFO line to the header.
		if !bytes.HasPrefix(b, []byte("\ufeff#INFO,")) {
			t.Fatalf("file starts %q, want the byte order mark and #INFO", b[:min(len(b), 12)])
		}
		_, got := readBack(t, "revise.csv", b, map[string]string{"sku": "Custom label (SKU)", "quantity": "Available quantity"})
		want := []count{{"MUG-BLUE", "", 7}, {"TEE-M", "", 0}, {"EB-MUG-2PK", "", 3}}
		if !slices.Equal(got, want) {
			t.Errorf("read back %v, want %v", got, want)
		}
	})
}

func TestWrite_Empty(t *testing.T) {
	for _, ch := range Channels() {
		var buf bytes.Buffer
		res, err := Write(&buf, ch, nil)
		if err != nil {
			t.Fatalf("Write(%s, nil): %v", ch, err)
		}
		if res != (Result{}) {
			t.Errorf("Write(%s, nil) = %+v, want nothing written", ch, res)
		}
		lines := strings.Split(strings.TrimRight(buf.String(), "\r\n"), "\n")
		wantLines := 1
		if ch == "ebay" {
			wantLines = 2 // #INFO and the header
		}
		if len(lines) != wantLines {
			t.Errorf("Write(%s, nil) = %q, want the header only", ch, buf.String())
		}
	}
}

func TestWrite_UnknownChannel(t *testing.T) {
	var buf bytes.Buffer
	_, err := Write(&buf, "tiktok", listings())
	if !errors.Is(err, ErrNoStockFile) {
		t.Fatalf("Write(tiktok) error = %v, want ErrNoStockFile", err)
	}
	if buf.Len() != 0 {
		t.Errorf("Write(tiktok) wrote %q, want nothing", buf.String())
	}
}

func TestWrite_CaseInsensitive(t *testing.T) {
	got, _ := write(t, " Amazon ")
	want, _ := write(t, "amazon")
	if !bytes.Equal(got, want) {
		t.Errorf("Write(\" Amazon \") = %q, want the amazon file", got)
	}
}

func TestShopifyHandle(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Women's Snowboard", "womens-snowboard"},
		{"Blue Mug, large (350 ml)", "blue-mug-large-350-ml"},
		{"  Crème brûlée – tin ", "crème-brûlée-tin"},
		{"Tom’s T-shirt", "toms-t-shirt"},
		{"", ""},
	} {
		if got := shopifyHandle(tc.in); got != tc.want {
			t.Errorf("shopifyHandle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestShopifyOptions(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Default Title", nil},
		{"Blue", []string{"Blue"}},
		{"Blue / Large", []string{"Blue", "Large"}},
		{"Blue / Large / Cotton / Organic", []string{"Blue", "Large", "Cotton / Organic"}},
	} {
		if got := shopifyOptions(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("shopifyOptions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPerLocation(t *testing.T) {
	for _, ch := range Channels() {
		if got, want := PerLocation(ch), ch == "shopify"; got != want {
			t.Errorf("PerLocation(%s) = %v, want %v", ch, got, want)
		}
	}
}
