package importers

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// testStore opens a fresh shop database in a temporary folder, acting as the owner.
func testStore(tb testing.TB) *data.Store {
	tb.Helper()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	s, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "shop.db"), data.Options{Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// csvFile writes rows under a header, with each row given as column name → value, the way a
// marketplace would: comma-separated, quoted only where needed, LF line ends.
func csvFile(header string, rows ...map[string]string) []byte {
	cols := splitHeader(header)
	var b bytes.Buffer
	b.WriteString(header + "\n")
	w := csv.NewWriter(&b)
	for _, r := range rows {
		rec := make([]string, len(cols))
		for i, c := range cols {
			rec[i] = r[c]
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

func splitHeader(header string) []string {
	r := csv.NewReader(strings.NewReader(header))
	r.LazyQuotes = true
	cols, err := r.Read()
	if err != nil {
		panic(err)
	}
	return cols
}

// openBytes opens b as a file called name, failing the test when it cannot be opened.
func openBytes(tb testing.TB, name string, b []byte) *File {
	tb.Helper()
	f, err := Open(bytes.NewReader(b), name, Options{Currency: "USD"})
	if err != nil {
		tb.Fatalf("Open(%s): %v", name, err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// openFixture opens testdata/imports/<name>.
func openFixture(tb testing.TB, name string) *File {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "imports", name))
	if err != nil {
		tb.Fatal(err)
	}
	return openBytes(tb, name, b)
}

// collect reads every item of a file without a store.
func collect(tb testing.TB, f *File) []data.ImportItem {
	tb.Helper()
	return slices.Collect(f.Items(context.Background()))
}

// importInto applies a file to the store.
func importInto(tb testing.TB, s *data.Store, f *File, opt data.ImportOptions) data.ImportResult {
	tb.Helper()
	res, err := s.Import(context.Background(), data.ImportFile{Name: f.Name, Format: f.FormatID(), SHA256: "test-" + f.Name}, f.Items(context.Background()), opt)
	if err != nil {
		tb.Fatalf("Import(%s): %v", f.Name, err)
	}
	return res
}

// orders collects the orders of items, failing on any item with errors.
func orders(tb testing.TB, items []data.ImportItem) []data.Order {
	tb.Helper()
	var out []data.Order
	for _, it := range items {
		if it.Err != nil {
			tb.Fatalf("read error: %v", it.Err)
		}
		for _, p := range it.Problems {
			if !p.Warning {
				tb.Fatalf("rows %d–%d: %s", it.FirstRow, it.LastRow, p)
			}
		}
		if it.Order != nil {
			out = append(out, *it.Order)
		}
	}
	return out
}

// problems lists every problem of items as strings.
func problems(items []data.ImportItem) []string {
	var out []string
	for _, it := range items {
		for _, p := range it.Problems {
			out = append(out, p.String())
		}
		if it.Err != nil {
			out = append(out, "fatal: "+it.Err.Error())
		}
	}
	return out
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "imports", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// importTwice imports a fixture into s, checks it went in whole, imports it again and checks the second
// time changed nothing: no order, product or stock count new or updated. It returns the first result.
func importTwice(tb testing.TB, s *data.Store, fixture string) data.ImportResult {
	tb.Helper()
	first := importInto(tb, s, openFixture(tb, fixture), data.ImportOptions{})
	if !first.Committed || len(first.Errors) != 0 {
		tb.Fatalf("first import of %s: %+v", fixture, first)
	}
	again := importInto(tb, s, openFixture(tb, fixture), data.ImportOptions{})
	orders := first.OrdersNew + first.OrdersUpdated + first.OrdersUnchanged
	products := first.ProductsNew + first.ProductsUpdated + first.ProductsUnchanged
	if again.OrdersUnchanged != orders || again.OrdersNew+again.OrdersUpdated != 0 || again.ProductsUnchanged != products ||
		again.ProductsNew+again.ProductsUpdated != 0 || again.StockCounted != 0 {
		tb.Fatalf("second import of %s changed something: %+v", fixture, again)
	}
	return first
}
