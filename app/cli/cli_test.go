package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// demoTemplate is a database holding the demo shop, made once by TestMain; tests work on copies.
var demoTemplate string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "backroom-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	demoTemplate = filepath.Join(dir, "demo.db")
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"--db", demoTemplate, "demo"}, Env{Stdout: &out, Stderr: &errb}); code != 0 {
		fmt.Fprintf(os.Stderr, "make the demo database: exit %d: %s", code, errb.String())
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// demoDB returns a private copy of the demo database.
func demoDB(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(demoTemplate)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "shop.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line with env as the whole environment.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Env{
		Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""),
		Getenv:  func(k string) string { return env[k] },
		Version: "1.2.3",
		OpenGUI: func(context.Context, string) error { return fmt.Errorf("no window in tests") },
	})
	return result{code, out.String(), errb.String()}
}

// mustRun runs the command line and fails the test unless it exits 0.
func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	r := runCLI(t, env, args...)
	if r.code != 0 {
		t.Fatalf("backroom %s: exit %d, want 0; stderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// decodeList decodes a JSON array of objects.
func decodeList(t *testing.T, out string) []map[string]any {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("output is not a JSON array of objects: %v\n%s", err, out)
	}
	return list
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func checkKeys(t *testing.T, what string, m map[string]any, want []string) {
	t.Helper()
	if got := keys(m); !slices.Equal(got, want) {
		t.Errorf("%s keys = %v, want %v", what, got, want)
	}
}

func TestRun_Demo(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": filepath.Join(t.TempDir(), "new", "shop.db")}
	out := mustRun(t, env, "demo")
	if !strings.Contains(out, "Made the demo shop") || !strings.Contains(out, "Jamie Lee (packer, PIN 1234)") {
		t.Errorf("demo output = %q, want a summary with the users", out)
	}
	r := runCLI(t, env, "demo")
	if got, want := r.code, 1; got != want {
		t.Errorf("second demo: exit %d, want %d", got, want)
	}
	if want := "backroom: demo: the database already has products or orders; the demo shop only goes into an empty one\n"; r.stderr != want {
		t.Errorf("second demo stderr = %q, want %q", r.stderr, want)
	}
}

func TestRun_ProductsList(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	full := sorted("sku", "name", "barcodes", "price", "cost", "currency", "active")
	noCost := sorted("sku", "name", "barcodes", "price", "currency", "active")

	t.Run("Owner", func(t *testing.T) {
		list := decodeList(t, mustRun(t, env, "products", "list", "--json"))
		if got, want := len(list), 60; got != want { // 61 SKUs, one discontinued
			t.Errorf("products = %d, want %d", got, want)
		}
		for _, p := range list {
			checkKeys(t, fmt.Sprint("product ", p["sku"]), p, full)
			if _, ok := p["barcodes"].([]any); !ok {
				t.Errorf("barcodes of %v = %#v, want an array", p["sku"], p["barcodes"])
			}
		}
		all := decodeList(t, mustRun(t, env, "products", "list", "--json", "--all"))
		if got, want := len(all), 61; got != want {
			t.Errorf("products --all = %d, want %d", got, want)
		}
	})
	t.Run("Search", func(t *testing.T) {
		list := decodeList(t, mustRun(t, env, "products", "list", "--search", "Stoneware mug", "--json"))
		var skus []string
		for _, p := range list {
			skus = append(skus, p["sku"].(string))
		}
		if want := []string{"FK-MUG-CHALK", "FK-MUG-INK", "FK-MUG-RUST", "FK-MUG-SAGE"}; !slices.Equal(skus, want) {
			t.Errorf("products --search 'Stoneware mug' = %v, want %v", skus, want)
		}
		if got, want := list[3]["price"], 1400.0; got != want {
			t.Errorf("price of FK-MUG-SAGE = %v, want %v (minor units)", got, want)
		}
	})
	t.Run("PackerSeesNoCost", func(t *testing.T) {
		packer := map[string]string{"BACKROOM_DB": env["BACKROOM_DB"], "BACKROOM_USER": "Jamie Lee", "BACKROOM_PIN": "1234"}
		for _, p := range decodeList(t, mustRun(t, packer, "products", "list", "--json")) {
			checkKeys(t, fmt.Sprint("packer's product ", p["sku"]), p, noCost)
		}
		table := mustRun(t, packer, "products", "list")
		if strings.Contains(table, "COST") {
			t.Errorf("packer's table has a COST column:\n%s", table)
		}
	})
	t.Run("AccountantSeesCost", func(t *testing.T) {
		acct := map[string]string{"BACKROOM_DB": env["BACKROOM_DB"], "BACKROOM_PIN": "2468"}
		list := decodeList(t, mustRun(t, acct, "products", "list", "--json", "--user", "Priya Shah"))
		checkKeys(t, "accountant's product", list[0], full)
	})
	t.Run("WrongPIN", func(t *testing.T) {
		r := runCLI(t, map[string]string{"BACKROOM_DB": env["BACKROOM_DB"], "BACKROOM_USER": "Jamie Lee", "BACKROOM_PIN": "9999"},
			"products", "list")
		if r.code != 1 || r.stderr != "backroom: products list: wrong name or PIN\n" {
			t.Errorf("wrong PIN: exit %d, stderr %q, want exit 1 and \"wrong name or PIN\"", r.code, r.stderr)
		}
	})
	t.Run("Table", func(t *testing.T) {
		table := mustRun(t, env, "products", "list", "--search", "FK-MUG-SAGE")
		lines := strings.Split(strings.TrimSpace(table), "\n")
		if got, want := len(lines), 2; got != want {
			t.Fatalf("table lines = %d, want %d:\n%s", got, want, table)
		}
		// The demo's deliveries come at changing prices, so the cost is the moving average the store
		// holds; the table must print that one.
		list := decodeList(t, mustRun(t, env, "products", "list", "--json", "--search", "FK-MUG-SAGE"))
		cost, ok := list[0]["cost"].(float64)
		if !ok || cost < 400 || cost > 560 {
			t.Fatalf("FK-MUG-SAGE cost = %v, want about £4.80 in pence", list[0]["cost"])
		}
		for _, want := range []string{"FK-MUG-SAGE", "Stoneware mug – Sage", "£14.00", data.FormatMoney(int64(cost), "GBP")} {
			if !strings.Contains(lines[1], want) {
				t.Errorf("table row %q, want it to contain %q", lines[1], want)
			}
		}
	})
}

func TestRun_ProductsAdd(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	out := mustRun(t, env, "products", "add", "--sku", "FK-MUG-OLIVE", "--name", "Stoneware mug", "--variant", "Olive",
		"--price", "14.50", "--cost", "4.90", "--barcode", "5060418799991", "--barcode", "OLD-1", "--bin", "A-01-4", "--json")
	var p map[string]any
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("products add --json: %v\n%s", err, out)
	}
	checkKeys(t, "added product", p, sorted("sku", "name", "barcodes", "price", "cost", "currency", "active"))
	want := map[string]any{"sku": "FK-MUG-OLIVE", "name": "Stoneware mug – Olive", "price": 1450.0, "cost": 490.0,
		"currency": "GBP", "active": true, "barcodes": []any{"5060418799991", "OLD-1"}}
	if got := fmt.Sprint(p); got != fmt.Sprint(want) {
		t.Errorf("added product = %s, want %s", got, fmt.Sprint(want))
	}

	r := runCLI(t, env, "products", "add", "--sku", "FK-MUG-OLIVE", "--name", "Stoneware mug")
	if r.code != 1 || !strings.Contains(r.stderr, "FK-MUG-OLIVE already exists") {
		t.Errorf("duplicate SKU: exit %d, stderr %q, want exit 1 naming the SKU", r.code, r.stderr)
	}
	r = runCLI(t, env, "products", "add", "--name", "No SKU")
	if r.code != 2 {
		t.Errorf("products add without --sku: exit %d, want 2", r.code)
	}
	r = runCLI(t, env, "products", "add", "--sku", "X-1", "--name", "Bad price", "--price", "12.345")
	if r.code != 2 || !strings.Contains(r.stderr, "--price") {
		t.Errorf("bad price: exit %d, stderr %q, want exit 2 about --price", r.code, r.stderr)
	}

	empty := map[string]string{"BACKROOM_DB": filepath.Join(t.TempDir(), "empty.db")}
	r = runCLI(t, empty, "products", "add", "--sku", "00001", "--name", "First thing", "--price", "3")
	if r.code != 2 || !strings.Contains(r.stderr, "--currency") {
		t.Errorf("first product without currency: exit %d, stderr %q, want exit 2 asking for --currency", r.code, r.stderr)
	}
	out = mustRun(t, empty, "products", "add", "--sku", "00001", "--name", "First thing", "--price", "3", "--currency", "eur")
	if want := "Added 00001  First thing  €3.00\n"; out != want {
		t.Errorf("products add = %q, want %q", out, want)
	}
}

func TestRun_StockList(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	list := decodeList(t, mustRun(t, env, "stock", "list", "--json"))
	if got, want := len(list), 60; got != want {
		t.Errorf("stock list = %d SKUs, want %d", got, want)
	}
	negative := 0
	for _, s := range list {
		checkKeys(t, fmt.Sprint("stock of ", s["sku"]), s, sorted("sku", "name", "on_hand", "reserved", "available"))
		if s["on_hand"].(float64) < 0 {
			negative++
		}
	}
	if negative == 0 {
		t.Errorf("SKUs with negative stock = 0, want the demo's oversold one")
	}

	// Kits are left out: the store sorts them by their own (empty) ledger, not by what their parts make.
	var sortedList []map[string]any
	for _, s := range decodeList(t, mustRun(t, env, "stock", "list", "--json", "--sort", "available", "--desc")) {
		if sku := s["sku"].(string); !strings.HasPrefix(sku, "FK-GIFT-") && sku != "FK-CDL-TRIO" {
			sortedList = append(sortedList, s)
		}
	}
	for i := 1; i < len(sortedList); i++ {
		if prev, cur := sortedList[i-1]["available"].(float64), sortedList[i]["available"].(float64); prev < cur {
			t.Fatalf("stock --sort available --desc: %v before %v, want largest first", prev, cur)
		}
	}
	garage := decodeList(t, mustRun(t, env, "stock", "list", "--json", "--location", "garage", "--search", "FK-TPC-BLK"))
	total := decodeList(t, mustRun(t, env, "stock", "list", "--json", "--search", "FK-TPC-BLK"))
	if len(garage) != 1 || len(total) != 1 || garage[0]["on_hand"] != total[0]["on_hand"] {
		t.Errorf("stock of the garage's FK-TPC-BLK = %v, want all of %v", garage, total)
	}
	if r := runCLI(t, env, "stock", "list", "--location", "Attic"); r.code != 1 || !strings.Contains(r.stderr, `"Attic"`) {
		t.Errorf("unknown location: exit %d, stderr %q, want exit 1 naming it", r.code, r.stderr)
	}
	if r := runCLI(t, env, "stock", "list", "--sort", "price"); r.code != 2 {
		t.Errorf("stock list --sort price: exit %d, want 2", r.code)
	}
}

// onHand reads one SKU's on-hand stock through the command line.
func onHand(t *testing.T, env map[string]string, sku string) float64 {
	t.Helper()
	for _, s := range decodeList(t, mustRun(t, env, "stock", "list", "--json", "--search", sku)) {
		if s["sku"] == sku {
			return s["on_hand"].(float64)
		}
	}
	t.Fatalf("stock list has no %s", sku)
	return 0
}

func TestRun_StockAdjust(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	before := onHand(t, env, "FK-TEA-SENCHA")

	out := mustRun(t, env, "stock", "adjust", "FK-TEA-SENCHA", "-3", "--reason", "pouches split in the post")
	if got, want := onHand(t, env, "FK-TEA-SENCHA"), before-3; got != want {
		t.Errorf("on hand after -3 = %v, want %v", got, want)
	}
	if !strings.Contains(out, "FK-TEA-SENCHA") || !strings.Contains(out, fmt.Sprintf("now %d on hand", int(before-3))) {
		t.Errorf("stock adjust output = %q, want the new on-hand", out)
	}

	packer := map[string]string{"BACKROOM_DB": env["BACKROOM_DB"], "BACKROOM_USER": "Jamie Lee", "BACKROOM_PIN": "1234"}
	mustRun(t, packer, "stock", "adjust", "--kind", "receipt", "--reason", "found a box", "FK-TEA-SENCHA", "+5")
	if got, want := onHand(t, env, "FK-TEA-SENCHA"), before+2; got != want {
		t.Errorf("on hand after +5 = %v, want %v", got, want)
	}
	hist := decodeList(t, mustRun(t, env, "stock", "history", "FK-TEA-SENCHA", "--json", "--limit", "2"))
	if len(hist) != 2 || hist[0]["quantity"] != 5.0 || hist[0]["user"] != "Jamie Lee" || hist[0]["reason"] != "receipt" ||
		hist[1]["quantity"] != -3.0 || hist[1]["note"] != "pouches split in the post" {
		t.Errorf("stock history = %v, want the +5 receipt by Jamie Lee, then the -3", hist)
	}
	checkKeys(t, "movement", hist[0], sorted("at", "location", "quantity", "reason", "ref_type", "ref_id", "note", "user"))

	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"UnknownSKU", []string{"stock", "adjust", "FK-XYZ", "-1", "--reason", "x"}, 1, "backroom: stock adjust: there is no SKU FK-XYZ\n"},
		{"NoReason", []string{"stock", "adjust", "FK-TEA-SENCHA", "-1"}, 2, "--reason is required"},
		{"NotANumber", []string{"stock", "adjust", "FK-TEA-SENCHA", "three", "--reason", "x"}, 2, `"three"`},
		{"Zero", []string{"stock", "adjust", "FK-TEA-SENCHA", "0", "--reason", "x"}, 1, "changes nothing"},
		{"Kit", []string{"stock", "adjust", "FK-GIFT-MUGTEA", "1", "--reason", "x"}, 1, "is a kit"},
		{"BadKind", []string{"stock", "adjust", "FK-TEA-SENCHA", "1", "--reason", "x", "--kind", "sale"}, 2, "--kind"},
		{"MissingDelta", []string{"stock", "adjust", "FK-TEA-SENCHA", "--reason", "x"}, 2, "signed change"},
		{"HistoryUnknownSKU", []string{"stock", "history", "FK-XYZ"}, 1, "there is no SKU FK-XYZ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, env, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.inStderr) {
				t.Errorf("backroom %s: exit %d, stderr %q; want exit %d, stderr with %q", strings.Join(tc.args, " "),
					r.code, r.stderr, tc.code, tc.inStderr)
			}
		})
	}
	if got, want := onHand(t, env, "FK-TEA-SENCHA"), before+2; got != want {
		t.Errorf("on hand after the refused changes = %v, want %v", got, want)
	}
}

func TestRun_OrdersList(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	list := decodeList(t, mustRun(t, env, "orders", "list", "--json"))
	if got, want := len(list), 200; got != want {
		t.Fatalf("orders = %d, want %d", got, want)
	}
	unmatched := 0
	for _, o := range list {
		checkKeys(t, fmt.Sprint("order ", o["external_id"]), o,
			sorted("channel", "external_id", "status", "placed_at", "currency", "total", "lines"))
		if _, err := time.Parse(time.RFC3339, o["placed_at"].(string)); err != nil {
			t.Errorf("placed_at %q: %v, want RFC 3339", o["placed_at"], err)
		}
		lines, _ := o["lines"].([]any)
		if len(lines) == 0 {
			t.Errorf("order %v has lines %#v, want at least one", o["external_id"], o["lines"])
		}
		for _, l := range lines {
			line := l.(map[string]any)
			if line["sku"] == nil {
				unmatched++
				checkKeys(t, "unmatched line", line, sorted("sku", "channel_sku", "name", "quantity", "unit_price"))
			} else {
				checkKeys(t, "line", line, sorted("sku", "name", "quantity", "unit_price"))
			}
		}
	}
	if unmatched == 0 {
		t.Errorf("unmatched lines = 0, want the demo's")
	}
	if !strings.HasPrefix(mustRun(t, env, "orders", "list", "--json"), "[\n{") {
		t.Errorf("orders list --json does not start with one element per line")
	}

	t.Run("Status", func(t *testing.T) {
		got := decodeList(t, mustRun(t, env, "orders", "list", "--json", "--status", "paid, packed"))
		if len(got) == 0 {
			t.Fatal("orders --status paid,packed = none, want some")
		}
		for _, o := range got {
			if o["status"] != "paid" && o["status"] != "packed" {
				t.Errorf("orders --status paid,packed gave a %v order", o["status"])
			}
		}
		open := decodeList(t, mustRun(t, env, "orders", "list", "--json", "--status", "open"))
		if len(open) < len(got) {
			t.Errorf("open orders = %d, want at least the %d paid and packed", len(open), len(got))
		}
		if r := runCLI(t, env, "orders", "list", "--status", "paid,lost"); r.code != 2 || !strings.Contains(r.stderr, `"lost"`) {
			t.Errorf("orders --status lost: exit %d, stderr %q, want exit 2 naming it", r.code, r.stderr)
		}
	})
	t.Run("ChannelAndLimit", func(t *testing.T) {
		got := decodeList(t, mustRun(t, env, "orders", "list", "--json", "--channel", "Etsy", "--limit", "7"))
		if len(got) != 7 {
			t.Errorf("orders --channel etsy --limit 7 = %d orders, want 7", len(got))
		}
		for _, o := range got {
			if o["channel"] != "etsy" {
				t.Errorf("orders --channel etsy gave a %v order", o["channel"])
			}
		}
	})
	t.Run("Days", func(t *testing.T) {
		day := time.Now().AddDate(0, 0, -10).Format("2006-01-02")
		got := decodeList(t, mustRun(t, env, "orders", "list", "--json", "--from", day, "--to", day))
		for _, o := range got {
			placed, _ := time.Parse(time.RFC3339, o["placed_at"].(string))
			if d := placed.Local().Format("2006-01-02"); d != day {
				t.Errorf("orders --from %s --to %s gave one placed on %s", day, day, d)
			}
		}
		if r := runCLI(t, env, "orders", "list", "--from", "12/05/2026"); r.code != 2 {
			t.Errorf("orders --from 12/05/2026: exit %d, want 2", r.code)
		}
	})
	t.Run("None", func(t *testing.T) {
		if got := mustRun(t, env, "orders", "list", "--json", "--search", "nobody-at-all"); got != "[]\n" {
			t.Errorf("orders list with no match = %q, want %q", got, "[]\n")
		}
	})
}

func TestRun_OrdersStatus(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	paid := decodeList(t, mustRun(t, env, "orders", "list", "--json", "--status", "paid", "--limit", "1"))
	if len(paid) != 1 {
		t.Fatal("no paid order in the demo")
	}
	id, channel := paid[0]["external_id"].(string), paid[0]["channel"].(string)
	out := mustRun(t, env, "orders", "status", id, "packed", "--channel", channel)
	if want := fmt.Sprintf("%s order %s: paid → packed\n", channel, id); out != want {
		t.Errorf("orders status = %q, want %q", out, want)
	}
	now := decodeList(t, mustRun(t, env, "orders", "list", "--json", "--search", id, "--channel", channel))
	if len(now) != 1 || now[0]["status"] != "packed" {
		t.Errorf("order %s after the change = %v, want packed", id, now)
	}
	if r := runCLI(t, env, "orders", "status", id, "paid", "--channel", channel); r.code != 1 || !strings.Contains(r.stderr, "cannot become paid") {
		t.Errorf("moving back: exit %d, stderr %q, want exit 1", r.code, r.stderr)
	}
	if r := runCLI(t, env, "orders", "status", "NOPE-1", "packed"); r.code != 1 || !strings.Contains(r.stderr, "NOPE-1") {
		t.Errorf("unknown order: exit %d, stderr %q, want exit 1 naming it", r.code, r.stderr)
	}
	if r := runCLI(t, env, "orders", "status", id, "lost"); r.code != 2 {
		t.Errorf("unknown status: exit %d, want 2", r.code)
	}
}

func TestRun_Users(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	list := decodeList(t, mustRun(t, env, "users", "list", "--json"))
	if got, want := len(list), 3; got != want {
		t.Fatalf("users = %d, want %d", got, want)
	}
	checkKeys(t, "user", list[0], sorted("name", "role", "has_pin", "active"))

	r := runCLI(t, env, "users", "add", "--name", "Sam Reed", "--role", "packer")
	if r.code != 1 || !strings.Contains(r.stderr, "needs a PIN") {
		t.Errorf("packer without a PIN: exit %d, stderr %q, want exit 1", r.code, r.stderr)
	}
	withPIN := map[string]string{"BACKROOM_DB": env["BACKROOM_DB"], "BACKROOM_NEW_PIN": "4321"}
	if out := mustRun(t, withPIN, "users", "add", "--name", "Sam Reed", "--role", "packer"); out != "Added Sam Reed (packer, with a PIN)\n" {
		t.Errorf("users add = %q", out)
	}
	sam := map[string]string{"BACKROOM_DB": env["BACKROOM_DB"], "BACKROOM_USER": "Sam Reed", "BACKROOM_PIN": "4321"}
	mustRun(t, sam, "stock", "list")
	if r := runCLI(t, sam, "users", "add", "--name", "Eve", "--role", "owner"); r.code != 1 || !strings.Contains(r.stderr, "may not manage users") {
		t.Errorf("a packer adding users: exit %d, stderr %q, want exit 1", r.code, r.stderr)
	}
}

func TestRun_OwnerWithPIN(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shop.db")
	store, err := data.Open(context.Background(), db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddUser(context.Background(), "Alex", data.RoleOwner, "7777"); err != nil {
		t.Fatal(err)
	}
	store.Close()
	env := map[string]string{"BACKROOM_DB": db}
	r := runCLI(t, env, "users", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "--user NAME") || !strings.Contains(r.stderr, "BACKROOM_PIN") {
		t.Errorf("no --user with an owner's PIN: exit %d, stderr %q, want exit 1 asking for --user and BACKROOM_PIN", r.code, r.stderr)
	}
	r = runCLI(t, env, "users", "list", "--user", "Alex")
	if r.code != 1 || !strings.Contains(r.stderr, "BACKROOM_PIN") {
		t.Errorf("--user without a PIN and no terminal: exit %d, stderr %q, want exit 1 naming BACKROOM_PIN", r.code, r.stderr)
	}
	env["BACKROOM_PIN"] = "7777"
	mustRun(t, env, "users", "list", "--user", "Alex")
}

func TestRun_NoDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "missing", "shop.db")
	r := runCLI(t, nil, "--db", db, "orders", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "there is no Backroom database at "+db) {
		t.Errorf("orders list on a missing file: exit %d, stderr %q, want exit 1", r.code, r.stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("orders list made %s, want no file", db)
	}
	notDB := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notDB, []byte("shopping list: milk"), 0o600)
	if r := runCLI(t, nil, "--db", notDB, "stock", "list"); r.code != 1 || !strings.Contains(r.stderr, "is not a database file") {
		t.Errorf("stock list on a text file: exit %d, stderr %q, want exit 1", r.code, r.stderr)
	}
}

func TestRun_Usage(t *testing.T) {
	env := map[string]string{"BACKROOM_DB": demoDB(t)}
	for _, tc := range []struct {
		name     string
		args     []string
		inStderr string
	}{
		{"UnknownCommand", []string{"frobnicate"}, `there is no command "frobnicate"`},
		{"UnknownSubcommand", []string{"stock", "count"}, `there is no command "stock count"`},
		{"MissingSubcommand", []string{"orders"}, "orders needs a command: list, status"},
		{"UnknownFlag", []string{"stock", "list", "--colour"}, "backroom: stock list: flag provided but not defined: -colour"},
		{"UnknownGlobalFlag", []string{"--verbose", "stock", "list"}, "flag provided but not defined: -verbose"},
		{"MissingFlagValue", []string{"orders", "list", "--limit"}, "flag needs an argument"},
		{"BadFlagValue", []string{"orders", "list", "--limit", "ten"}, "invalid value"},
		{"ExtraArgument", []string{"products", "list", "mugs"}, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, env, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.inStderr) || !strings.Contains(r.stderr, "--help") {
				t.Errorf("backroom %s: exit %d, stderr %q; want exit 2 with %q and a hint", strings.Join(tc.args, " "),
					r.code, r.stderr, tc.inStderr)
			}
			if r.stdout != "" {
				t.Errorf("backroom %s wrote %q to stdout, want nothing", strings.Join(tc.args, " "), r.stdout)
			}
		})
	}
}

func TestRun_Help(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			for _, h := range []string{"--help", "-h"} {
				args := append(strings.Fields(c.name), h)
				r := runCLI(t, nil, args...)
				if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: backroom "+c.name) || r.stderr != "" {
					t.Errorf("backroom %s: exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout",
						strings.Join(args, " "), r.code, r.stdout, r.stderr)
				}
			}
			r := runCLI(t, nil, append([]string{"help"}, strings.Fields(c.name)...)...)
			if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: backroom "+c.name) {
				t.Errorf("backroom help %s: exit %d, stdout %q", c.name, r.code, r.stdout)
			}
		})
	}
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		r := runCLI(t, map[string]string{"BACKROOM_DB": "/data/shop.db"}, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "stock adjust") || !strings.Contains(r.stdout, "/data/shop.db") {
			t.Errorf("backroom %s: exit %d, stdout %q; want the command list and the database path", args, r.code, r.stdout)
		}
	}
	for _, args := range [][]string{{"products", "--help"}, {"help", "orders"}} {
		r := runCLI(t, nil, args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "Usage: backroom "+args[len(args)-1]+" COMMAND") &&
			!strings.HasPrefix(r.stdout, "Usage: backroom "+args[0]+" COMMAND") {
			t.Errorf("backroom %s: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}

func TestRun_Version(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, nil, args...)
		if got, want := r.stdout, "backroom 1.2.3\n"; r.code != 0 || got != want {
			t.Errorf("backroom %s = %q (exit %d), want %q", args, got, r.code, want)
		}
	}
}

func TestRun_OpenGUI(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"Flag", []string{"--db", filepath.Join(dir, "a", "flag.db")}, nil, filepath.Join(dir, "a", "flag.db")},
		{"Env", nil, map[string]string{"BACKROOM_DB": filepath.Join(dir, "b", "env.db")}, filepath.Join(dir, "b", "env.db")},
		{"Default", nil, map[string]string{"XDG_DATA_HOME": filepath.Join(dir, "xdg"), "HOME": dir},
			filepath.Join(dir, "xdg", "backroom", "backroom.db")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "Default" && runtime.GOOS != "linux" {
				t.Skip("the Linux default path")
			}
			var got string
			var errb bytes.Buffer
			code := Run(context.Background(), tc.args, Env{Stderr: &errb, Getenv: func(k string) string { return tc.env[k] },
				OpenGUI: func(_ context.Context, path string) error { got = path; return nil }})
			if code != 0 || got != tc.want {
				t.Errorf("backroom %v opened the window on %q (exit %d, %s), want %q", tc.args, got, code, errb.String(), tc.want)
			}
			if _, err := os.Stat(filepath.Dir(tc.want)); err != nil {
				t.Errorf("the database folder: %v, want it made", err)
			}
		})
	}
}

func TestDefaultDBPath(t *testing.T) {
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", map[string]string{"HOME": "/home/alex"}, "/home/alex/.local/share/backroom/backroom.db"},
		{"linux", map[string]string{"HOME": "/home/alex", "XDG_DATA_HOME": "/data"}, "/data/backroom/backroom.db"},
		{"linux", map[string]string{"HOME": "/home/alex", "XDG_DATA_HOME": "relative"}, "/home/alex/.local/share/backroom/backroom.db"},
		{"freebsd", map[string]string{"HOME": "/home/alex"}, "/home/alex/.local/share/backroom/backroom.db"},
		{"darwin", map[string]string{"HOME": "/Users/alex"}, "/Users/alex/Library/Application Support/Backroom/backroom.db"},
		{"windows", map[string]string{"APPDATA": "/appdata"}, filepath.Join("/appdata", "Backroom", "backroom.db")},
		{"linux", map[string]string{"HOME": "/home/alex", "BACKROOM_DB": "/srv/shop.db"}, "/srv/shop.db"},
	} {
		got, err := defaultDBPath(tc.goos, func(k string) string { return tc.env[k] })
		if err != nil || got != tc.want {
			t.Errorf("defaultDBPath(%s, %v) = %q, %v, want %q", tc.goos, tc.env, got, err, tc.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		wantPos    []string
		wantReason string
		wantJSON   bool
	}{
		{[]string{"SKU", "-3", "--reason", "broke"}, []string{"SKU", "-3"}, "broke", false},
		{[]string{"--reason", "broke", "SKU", "-3"}, []string{"SKU", "-3"}, "broke", false},
		{[]string{"SKU", "--json", "+5", "--reason=found"}, []string{"SKU", "+5"}, "found", true},
		{[]string{"--reason", "-2 in the post", "SKU", "-2.5"}, []string{"SKU", "-2.5"}, "-2 in the post", false},
		{[]string{"--json", "--", "--odd-sku", "-1"}, []string{"--odd-sku", "-1"}, "", true},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		reason := fs.String("reason", "", "")
		js := fs.Bool("json", false, "")
		pos, err := parseFlags(fs, tc.args)
		if err != nil || !slices.Equal(pos, tc.wantPos) || *reason != tc.wantReason || *js != tc.wantJSON {
			t.Errorf("parseFlags(%q) = %q, %v (reason %q, json %v), want %q (reason %q, json %v)", tc.args, pos, err,
				*reason, *js, tc.wantPos, tc.wantReason, tc.wantJSON)
		}
	}
	for _, a := range []string{"-3", "+5", "-2.5", "42"} {
		if !isNumber(a) {
			t.Errorf("isNumber(%q) = false, want true", a)
		}
	}
	for _, a := range []string{"-", "-x", "--json", "-3x", "-.5", "1.", "+"} {
		if isNumber(a) {
			t.Errorf("isNumber(%q) = true, want false", a)
		}
	}
}

func TestRun_OrdersListPaging(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shop.db")
	store, err := data.Open(context.Background(), db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 1,300 orders in four bursts placed in the same second, so pages end inside a burst.
	base := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var orders []data.Order
	for i := range 1300 {
		orders = append(orders, data.Order{Channel: "woocommerce", ExternalID: fmt.Sprint(5000 + i), Status: data.StatusPaid,
			Currency: "EUR", PlacedAt: base.Add(time.Duration(i/350) * time.Second), Lines: []data.OrderLine{{Name: "Mug", Quantity: 1}}})
	}
	if _, err := store.ApplyOrders(context.Background(), orders); err != nil {
		t.Fatal(err)
	}
	store.Close()
	env := map[string]string{"BACKROOM_DB": db}
	for _, args := range [][]string{{}, {"--status", "paid,new"}, {"--limit", "777"}} {
		list := decodeList(t, mustRun(t, env, append([]string{"orders", "list", "--json"}, args...)...))
		want := 1300
		if len(args) > 0 && args[0] == "--limit" {
			want = 777
		}
		seen := map[any]bool{}
		for i, o := range list {
			if seen[o["external_id"]] {
				t.Errorf("orders list %v: %v twice", args, o["external_id"])
			}
			seen[o["external_id"]] = true
			if i > 0 && o["placed_at"].(string) > list[i-1]["placed_at"].(string) {
				t.Errorf("orders list %v: %v after %v, want newest first", args, o["placed_at"], list[i-1]["placed_at"])
			}
		}
		if got := len(seen); got != want {
			t.Errorf("orders list %v = %d distinct orders, want %d", args, got, want)
		}
	}
}
