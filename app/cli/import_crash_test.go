package cli

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// importCounts is what an import of the crash test's file leaves in the shop.
type importCounts struct {
	Orders, Lines, SaleMovements, Imports int
	StockOut                              int64 // units taken out of stock by sales
}

// TestImport_KilledMidFile kills "backroom import" with SIGKILL at several points of a 50,000-line
// Shopify export and checks the shop holds either nothing of the file or all of it: no orders without
// their lines, no stock moved for orders that are not there, no import logged that did not happen.
func TestImport_KilledMidFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports a 50,000-line file several times")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "backroom")
	gen := filepath.Join(dir, "genimport")
	for _, b := range []struct{ out, pkg string }{{bin, "../.."}, {gen, "../../bench/genimport"}} {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	file := filepath.Join(dir, "orders_export.csv")
	skus := filepath.Join(dir, "skus.txt")
	for _, args := range [][]string{
		{"-format", "shopify-csv", "-lines", "50000", "-skus", "300", "-o", file},
		{"-format", "skus", "-skus", "300", "-o", skus},
	} {
		if out, err := exec.Command(gen, args...).CombinedOutput(); err != nil {
			t.Fatalf("genimport %v: %v\n%s", args, err, out)
		}
	}
	template := filepath.Join(dir, "template.db")
	makeCatalogue(t, template, skus)

	// One full import says what "all of it" is and how long an import takes here.
	db := copyDB(t, template, filepath.Join(dir, "full.db"))
	start := time.Now()
	if out, err := exec.Command(bin, "--db", db, "import", file).CombinedOutput(); err != nil {
		t.Fatalf("full import: %v\n%s", err, out)
	}
	took := time.Since(start)
	all := countImport(ctx, t, db)
	if all.Orders == 0 || all.Lines != 50000 || all.SaleMovements == 0 || all.Imports != 1 {
		t.Fatalf("full import left %+v, want every order, 50000 lines, stock moved for shipped orders and one import logged", all)
	}
	t.Logf("full import: %v, %+v", took.Round(time.Millisecond), all)

	none, whole := 0, 0
	for _, at := range []float64{0.1, 0.5, 0.9, 1.2} {
		t.Run(fmt.Sprintf("at%03.0fpercent", at*100), func(t *testing.T) {
			db := copyDB(t, template, filepath.Join(t.TempDir(), "shop.db"))
			cmd := exec.Command(bin, "--db", db, "import", file)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(float64(took) * at))
			cmd.Process.Kill()    // SIGKILL: no deferred cleanup, no rollback, no checkpoint
			waitErr := cmd.Wait() // "signal: killed", or nil when the import had finished first
			got := countImport(ctx, t, db)
			switch {
			case got == (importCounts{}):
				none++
			case got == all:
				whole++
			default:
				t.Fatalf("killed after %v: the shop holds part of the file: %+v, want none of it or all of it (%+v)",
					time.Duration(float64(took)*at).Round(time.Millisecond), got, all)
			}
			t.Logf("SIGKILL after %v (process: %v): %+v", time.Duration(float64(took)*at).Round(time.Millisecond), waitErr, got)
		})
	}
	if none == 0 {
		t.Errorf("no kill landed before the import committed (full import took %v); the test checked nothing", took)
	}
	t.Logf("%d kills left nothing, %d left the whole file", none, whole)
}

// makeCatalogue creates a shop whose SKUs are the generator's, so shipped orders move stock.
func makeCatalogue(t *testing.T, path, skus string) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f, err := os.Open(skus)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t") // SKU, product, option, price in cents
		price, err := strconv.ParseInt(fields[3], 10, 64)
		if err != nil {
			t.Fatalf("skus line %q: %v", sc.Text(), err)
		}
		if _, err := s.AddVariant(ctx, data.NewVariant{SKU: fields[0], ProductName: fields[1], Title: fields[2], Price: price, Currency: "USD"}); err != nil {
			t.Fatalf("AddVariant %s: %v", fields[0], err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// copyDB copies a closed database file (its WAL was checkpointed on close) to a new path.
func copyDB(t *testing.T, from, to string) string {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return to
}

// countImport opens the shop as Backroom does (recovering the WAL a killed process left), checks the
// file is intact, and counts what the import wrote.
func countImport(ctx context.Context, t *testing.T, path string) importCounts {
	t.Helper()
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatalf("open the shop after the import: %v", err)
	}
	n, err := s.CountOrders(ctx, data.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	c := importCounts{Orders: n}
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v; want ok", check, err)
	}
	for _, q := range []struct {
		dst   any
		query string
	}{
		{&c.Lines, `SELECT count(*) FROM order_lines`},
		{&c.SaleMovements, `SELECT count(*) FROM stock_movements WHERE reason = 'sale'`},
		{&c.StockOut, `SELECT COALESCE(-SUM(quantity), 0) FROM stock_movements WHERE reason = 'sale'`},
		{&c.Imports, `SELECT count(*) FROM import_log WHERE outcome = 'imported'`},
	} {
		if err := raw.QueryRowContext(ctx, q.query).Scan(q.dst); err != nil {
			t.Fatalf("%s: %v", q.query, err)
		}
	}
	return c
}
