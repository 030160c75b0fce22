package importers

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/backroom-app/backroom/data"
)

// generated writes a file with bench/genimport (the generator of the import benchmarks in
// bench/import.sh) and returns its bytes.
func generated(b *testing.B, format string, lines string) []byte {
	b.Helper()
	out := filepath.Join(b.TempDir(), "export")
	cmd := exec.Command("go", "run", "../bench/genimport", "-format", format, "-lines", lines, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("genimport: %v\n%s", err, msg)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkImportShopifyCSV imports 10,000 line items of a Shopify orders export into a new shop:
// reading, checking and writing, in one transaction, as "backroom import" does.
func BenchmarkImportShopifyCSV(b *testing.B) {
	body := generated(b, "shopify-csv", "10000")
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		s := testStore(b)
		b.StartTimer()
		f, err := Open(bytes.NewReader(body), "orders_export.csv", Options{Currency: "USD"})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		res, err := s.Import(ctx, data.ImportFile{Name: f.Name, Format: f.FormatID(), SHA256: "bench"}, f.Items(ctx), data.ImportOptions{})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if res.Lines != 10000 || len(res.Errors) > 0 {
			b.Fatalf("imported %d lines, errors %v", res.Lines, res.Errors)
		}
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkReadShopifyCSV only reads and checks the same file, without a store: the parser's share.
func BenchmarkReadShopifyCSV(b *testing.B) {
	body := generated(b, "shopify-csv", "10000")
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for range b.N {
		f, err := Open(bytes.NewReader(body), "orders_export.csv", Options{Currency: "USD"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for it := range f.Items(context.Background()) {
			if it.Err != nil || it.Order == nil {
				b.Fatalf("item: %+v", it)
			}
			n += len(it.Order.Lines)
		}
		f.Close()
		if n != 10000 {
			b.Fatalf("read %d lines", n)
		}
	}
}

// BenchmarkReadShopifyXLSX reads the same 10,000 lines from a workbook, as a user who saved the export
// from Excel has them.
func BenchmarkReadShopifyXLSX(b *testing.B) {
	body := generated(b, "shopify-xlsx", "10000")
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for range b.N {
		f, err := Open(bytes.NewReader(body), "orders_export.xlsx", Options{Currency: "USD"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for it := range f.Items(context.Background()) {
			if it.Err != nil || it.Order == nil || len(it.Problems) > 0 {
				b.Fatalf("item: %+v", it)
			}
			n += len(it.Order.Lines)
		}
		f.Close()
		if n != 10000 {
			b.Fatalf("read %d lines", n)
		}
	}
}
