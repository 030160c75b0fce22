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

// emptyDB makes a new shop database with nothing in it.
func emptyDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shop.db")
	s, err := data.Open(context.Background(), path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path
}

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "imports", name) }

// decodeReports reads "import --json" output: one object per line.
func decodeReports(t *testing.T, out string) []map[string]any {
	t.Helper()
	var reps []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line is not a JSON object: %v\n%s", err, line)
		}
		reps = append(reps, m)
	}
	return reps
}

func countOrders(t *testing.T, db string) int {
	t.Helper()
	s, err := data.Open(context.Background(), db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.CountOrders(context.Background(), data.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRun_ImportJSON(t *testing.T) {
	db := emptyDB(t)
	file := fixture("shopify_orders_2025.csv")
	reps := decodeReports(t, mustRun(t, nil, "--db", db, "import", "--json", file))
	if len(reps) != 1 {
		t.Fatalf("%d reports for one file", len(reps))
	}
	r := reps[0]
	checkKeys(t, "import report", r, sorted("file", "format", "orders_new", "orders_updated", "orders_unchanged", "lines", "errors",
		"imported", "dry_run", "unmatched", "products_new", "products_updated", "products_unchanged", "stock_counted", "skipped",
		"warnings", "already_imported", "orders_held"))
	if r["file"] != file || r["format"] != "shopify-orders" || r["orders_new"] != 5.0 || r["lines"] != 8.0 || r["imported"] != true ||
		len(r["errors"].([]any)) != 0 || r["already_imported"] != nil {
		t.Errorf("report = %v", r)
	}

	// The same file again is recognised before anything is read.
	r = decodeReports(t, mustRun(t, nil, "--db", db, "import", "--json", file))[0]
	if earlier, ok := r["already_imported"].(map[string]any); !ok || earlier["file"] != "shopify_orders_2025.csv" || r["orders_new"] != 0.0 {
		t.Errorf("second import = %v", r)
	}
	out := mustRun(t, nil, "--db", db, "import", file)
	if !strings.Contains(out, "imported before, on ") || !strings.Contains(out, "use --again") {
		t.Errorf("text for a file imported before: %s", out)
	}
	r = decodeReports(t, mustRun(t, nil, "--db", db, "import", "--json", "--again", file))[0]
	if r["orders_unchanged"] != 5.0 || r["orders_new"] != 0.0 || r["orders_updated"] != 0.0 {
		t.Errorf("--again = %v", r)
	}
	if n := countOrders(t, db); n != 5 {
		t.Errorf("%d orders after three imports of one file, want 5", n)
	}
}

func TestRun_ImportRefusesBadFilesWhole(t *testing.T) {
	db := emptyDB(t)
	dir := t.TempDir()
	good, err := os.ReadFile(fixture("shopify_orders_2025.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "orders_export.csv")
	broken := strings.Replace(string(good), "-0700,2,Vesicularia", "-0700,two,Vesicularia", 1)
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(dir, "faire.csv")
	if err := os.WriteFile(unknown, []byte("Order,Placed,Item code,Units\nF-1,2026-01-02,MUG,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	res := runCLI(t, nil, "--db", db, "import", "--json", bad, unknown)
	if res.code != exitError || !strings.Contains(res.stderr, "2 files were refused") {
		t.Fatalf("exit %d, stderr %s", res.code, res.stderr)
	}
	reps := decodeReports(t, res.stdout)
	errs := reps[0]["errors"].([]any)
	want := map[string]any{"row": 3.0, "column": "Lineitem quantity", "value": "two", "reason": "the quantity is not a whole number"}
	if len(errs) != 1 || !equalJSON(errs[0], want) || reps[0]["imported"] != false || reps[0]["orders_new"] != 0.0 {
		t.Errorf("bad file report = %v", reps[0])
	}
	if e := reps[1]["errors"].([]any); len(e) != 1 || e[0].(map[string]any)["row"] != 0.0 ||
		!strings.Contains(e[0].(map[string]any)["reason"].(string), "map its columns once in Backroom's Imports screen") {
		t.Errorf("unknown layout report = %v", reps[1])
	}
	if n := countOrders(t, db); n != 0 {
		t.Fatalf("%d orders written from refused files", n)
	}

	res = runCLI(t, nil, "--db", db, "import", bad)
	for _, want := range []string{"refused, nothing imported", `row 3, Lineitem quantity "two": the quantity is not a whole number`, "--skip-invalid"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, res.stdout)
		}
	}

	out := mustRun(t, nil, "--db", db, "import", "--dry-run", "--skip-invalid", bad)
	if !strings.Contains(out, "would import") || !strings.Contains(out, "4 new") || countOrders(t, db) != 0 {
		t.Errorf("dry run wrote orders or said: %s", out)
	}
	r := decodeReports(t, mustRun(t, nil, "--db", db, "import", "--json", "--skip-invalid", bad))[0]
	if r["orders_new"] != 4.0 || r["skipped"] != 1.0 || r["imported"] != true {
		t.Errorf("--skip-invalid = %v", r)
	}
	if n := countOrders(t, db); n != 4 {
		t.Errorf("%d orders after skipping the bad one, want 4", n)
	}
}

func TestRun_ImportUsage(t *testing.T) {
	if res := runCLI(t, nil, "--db", emptyDB(t), "import"); res.code != exitUsage || !strings.Contains(res.stderr, "name at least one file") {
		t.Fatalf("import without files: %+v", res)
	}
	res := runCLI(t, nil, "--db", emptyDB(t), "import", "/no/such/file.csv")
	if res.code != exitError || !strings.Contains(res.stdout, "/no/such/file.csv: not imported: open /no/such/file.csv: no such file or directory") {
		t.Fatalf("missing file: %+v", res)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestRun_ImportLocations(t *testing.T) {
	db := emptyDB(t)
	mustRun(t, nil, "--db", db, "products", "add", "--sku", "TOTE", "--name", "Tote", "--price", "15", "--currency", "USD")
	mustRun(t, nil, "--db", db, "stock", "adjust", "TOTE", "2", "--reason", "found in the shop")
	file := filepath.Join(t.TempDir(), "inventory_export.csv")
	inventory := "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),Available (not editable),On hand (current),On hand (new)\n" +
		"tote,Tote,Title,Default Title,,,,,TOTE,,,1 Example Street,,0,0,0,4,4,\n"
	if err := os.WriteFile(file, []byte(inventory), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, nil, "--db", db, "import", "--dry-run", file)
	if !strings.Contains(out, `Location "1 Example Street": a location Backroom did not have, added as a new one`) {
		t.Fatalf("a dry run must name the new location:\n%s", out)
	}
	if res := runCLI(t, nil, "--db", db, "import", "--location", "1 Example Street", file); res.code != exitUsage {
		t.Fatalf("--location without =: exit %d", res.code)
	}
	r := decodeReports(t, mustRun(t, nil, "--db", db, "import", "--json", "--location", "1 Example Street=Shop", file))[0]
	if r["stock_counted"] != 1.0 || len(r["warnings"].([]any)) != 0 {
		t.Fatalf("import with --location = %v", r)
	}
	locs := decodeList(t, mustRun(t, nil, "--db", db, "stock", "list", "--json"))
	if len(locs) != 1 || locs[0]["on_hand"] != 4.0 {
		t.Fatalf("stock after the import = %v, want 4 on hand", locs)
	}
}
