// Command genimport writes large, realistic marketplace exports for Backroom's import benchmarks and
// crash tests: a Shopify orders_export.csv in the current 79-column header, the same data as an .xlsx
// (as a user who saved the export from Excel has it), and an Amazon All Orders report (TSV). Orders come
// from a catalogue of a few thousand SKUs, with multi-item orders, real quoting and the quirks of the
// real files (apostrophe-guarded zips, quoted empty cells, newlines in Note Attributes). The same seed
// gives the same bytes.
//
//	go run ./bench/genimport -format shopify-csv -lines 100000 -o orders_export.csv
//	go run ./bench/genimport -format shopify-xlsx -lines 100000 -o orders_export.xlsx
//	go run ./bench/genimport -format amazon-tsv -lines 100000 -o all_orders.txt
//	go run ./bench/genimport -format skus -o skus.txt      # the catalogue: SKU, TAB, title, TAB, price
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
)

func main() {
	format := flag.String("format", "shopify-csv", "what to write: shopify-csv, shopify-xlsx, amazon-tsv or skus")
	lines := flag.Int("lines", 100_000, "how many line items (rows) to write")
	skus := flag.Int("skus", 3000, "how many SKUs the catalogue has")
	seed := flag.Uint64("seed", 1, "random seed; the same seed writes the same file")
	out := flag.String("o", "-", "output file; - for standard output")
	flag.Parse()
	if err := run(*format, *lines, *skus, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genimport:", err)
		os.Exit(1)
	}
}

func run(format string, lines, skus int, seed uint64, out string) error {
	if lines < 1 || skus < 10 {
		return fmt.Errorf("need at least 1 line and 10 SKUs")
	}
	var write func(io.Writer, *shop, int) error
	switch format {
	case "shopify-csv":
		write = writeShopifyCSV
	case "shopify-xlsx":
		write = writeShopifyXLSX
	case "amazon-tsv":
		write = writeAmazonTSV
	case "skus":
		write = writeSKUs
	default:
		return fmt.Errorf("unknown format %q", format)
	}
	w := io.Writer(os.Stdout)
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := write(w, newShop(seed, skus), lines); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		return f.Close()
	}
	return nil
}

// orders yields orders until they hold exactly lines line items; the last one is cut short if needed.
func (s *shop) orders(lines int) iter.Seq[order] {
	return func(yield func(order) bool) {
		written := 0
		for written < lines {
			o := s.order(float64(written) / float64(lines))
			if rest := lines - written; len(o.Lines) > rest {
				o.Lines = o.Lines[:rest]
			}
			written += len(o.Lines)
			if !yield(o) {
				return
			}
		}
	}
}

// writeSKUs writes the catalogue: SKU, title and price in cents, TAB-separated, one SKU a line.
func writeSKUs(w io.Writer, s *shop, _ int) error {
	bw := bufio.NewWriter(w)
	for _, p := range s.catalogue {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%d\n", p.SKU, p.Product, p.Option, p.Price)
	}
	return bw.Flush()
}
