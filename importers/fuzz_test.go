package importers

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

// fuzzFile opens b and reads every item; it must never panic, and every record must be something the
// store could take or a problem naming where it is.
func fuzzFile(t *testing.T, name string, b []byte) {
	f, err := Open(bytes.NewReader(b), name, Options{Currency: "USD"})
	if err != nil {
		if err.Error() == "" {
			t.Fatal("empty error")
		}
		return
	}
	defer f.Close()
	for it := range f.Items(context.Background()) {
		if it.Err != nil {
			continue
		}
		for _, p := range it.Problems {
			if p.Reason == "" {
				t.Fatalf("a problem without a reason: %+v", p)
			}
		}
		if o := it.Order; o != nil && !hasErrors(it) {
			for _, l := range o.Lines {
				if l.Quantity <= 0 {
					t.Fatalf("order %s accepted with quantity %d", o.ExternalID, l.Quantity)
				}
			}
		}
	}
}

func hasErrors(it data.ImportItem) bool {
	for _, p := range it.Problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

func seedFixtures(f *testing.F, prefix string) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "imports", prefix+"*"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzOpen feeds arbitrary bytes through layout detection, CSV/TSV/xlsx reading and whichever
// format the header matches.
func FuzzOpen(f *testing.F) {
	seedFixtures(f, "")
	f.Add([]byte("\ufeffa;b\r\n1;\"2\n3\"\r\n"))
	f.Add([]byte("order-id\tsku\n1\t\"x\n"))
	f.Add([]byte{0xFF, 0xFE, 'a', 0})
	f.Fuzz(func(t *testing.T, b []byte) { fuzzFile(t, "fuzz.csv", b) })
}

// FuzzShopifyOrders mutates Shopify order exports.
func FuzzShopifyOrders(f *testing.F) {
	seedFixtures(f, "shopify_orders")
	f.Fuzz(func(t *testing.T, b []byte) {
		if !bytes.HasPrefix(b, []byte("Name,")) {
			b = append([]byte(shopifyHeader+"\n"), b...)
		}
		fuzzFile(t, "orders_export.csv", b)
	})
}

// FuzzParseAmount checks the money reader never panics and that what it accepts it reads back.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.50", "$1,234.56", "AU $3,000.00", "116,99 €", "EUR 90,00", "(12.00)", "-$12.00", "1.234,50", "1 234,50", "1'234.50", "6.6", "0", "¥1500"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, decimalComma bool) {
		v, _, err := parseAmount(s, "", decimalComma)
		if err != nil {
			return
		}
		if v != 0 && !strings.ContainsAny(s, "123456789") {
			t.Fatalf("%q read as %d", s, v)
		}
	})
}

// FuzzMappedOrders mutates a file read through a column mapping.
func FuzzMappedOrders(f *testing.F) {
	f.Add([]byte("Order,Placed,Item code,Units,Unit price\nF-1,02/01/2026,MUG,2,\"9,50\"\nF-1,02/01/2026,TEA,1,4.00\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Open(bytes.NewReader(b), "mapped.csv", Options{})
		if err != nil {
			return
		}
		defer file.Close()
		if len(file.Header) < 4 {
			return
		}
		m := data.ColumnMapping{Name: "fuzz", Kind: "orders", Channel: "faire", Options: map[string]string{"date_order": "DMY"},
			Columns: map[string]string{"order_id": file.Header[0], "date": file.Header[1], "sku": file.Header[2], "quantity": file.Header[3]}}
		if file.UseMapping(m) != nil {
			return
		}
		for range file.Items(context.Background()) {
		}
	})
}
