package data_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
	_ "github.com/mattn/go-sqlite3"
)

// The crash test re-executes this test binary as the child that does the work; these variables tell
// the copy it is the child and where to work.
const (
	crashChildEnv = "BACKROOM_CRASH_CHILD" // the working folder: shop.db and journal
	crashSeedEnv  = "BACKROOM_CRASH_SEED"
)

// crashFixtures are real-looking marketplace exports: the child imports each many times over, with its
// order numbers made unique per import, so every import is hundreds of new orders in one transaction.
var crashFixtures = []string{
	"shopify_orders_2025.csv", "ebay_orders_us.csv", "ebay_orders_au.csv", "etsy_orders.csv",
	"amazon_all_orders.txt", "tiktok_orders_us.csv", "woo_orders.csv",
}

// journalEntry is one line of the child's journal. The child writes "begin" before an operation and
// "commit" after the store returned from it, so a commit line is only written for a committed operation,
// and a begin without its commit is the one operation the kill may have caught half-way.
type journalEntry struct {
	Op    int    `json:"op"`
	State string `json:"state"` // begin, commit, fail
	Kind  string `json:"kind"`  // import, adjust, pack, ship
	// import
	File   string `json:"file,omitempty"`
	Orders int    `json:"orders,omitempty"`
	Lines  int    `json:"lines,omitempty"`
	// adjust
	SKU   string `json:"sku,omitempty"`
	Delta int64  `json:"delta,omitempty"`
	// pack, ship
	Order int64  `json:"order,omitempty"`
	Err   string `json:"err,omitempty"`
}

// envInt reads a whole number from the environment, for the soak settings.
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}

// testSeed is the seed of a randomised test: CRASH_SEED when set, to repeat a failure, else the clock.
func testSeed(t *testing.T) uint64 {
	if v := os.Getenv("CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CRASH_SEED=%q: want a number", v)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// fixtureOrders reads the orders of each crash fixture with the real importers.
func fixtureOrders(t testing.TB) map[string][]data.Order {
	t.Helper()
	out := map[string][]data.Order{}
	for _, name := range crashFixtures {
		f, err := os.Open(filepath.Join("..", "testdata", "imports", name))
		if err != nil {
			t.Fatal(err)
		}
		file, err := importers.Open(f, name, importers.Options{Currency: "USD", Location: time.UTC})
		if err != nil {
			f.Close()
			t.Fatalf("%s: %v", name, err)
		}
		for it := range file.Items(context.Background()) {
			if it.Err != nil {
				t.Fatalf("%s: %v", name, it.Err)
			}
			if it.Order != nil && len(it.Problems) == 0 {
				out[name] = append(out[name], *it.Order)
			}
		}
		file.Close()
		f.Close()
		if len(out[name]) == 0 {
			t.Fatalf("%s: no orders read", name)
		}
	}
	return out
}

// fixtureSKUs are the SKUs the fixtures' lines name, which the shop is given so their orders move stock.
func fixtureSKUs(orders map[string][]data.Order) []string {
	seen := map[string]bool{}
	var skus []string
	for _, os := range orders {
		for _, o := range os {
			for _, l := range o.Lines {
				for _, s := range []string{l.SKU, l.ChannelSKU} {
					if s != "" && !seen[strings.ToLower(s)] {
						seen[strings.ToLower(s)] = true
						skus = append(skus, s)
					}
				}
			}
		}
	}
	sort.Strings(skus)
	return skus
}

// makeShop creates a shop at path that sells every fixture SKU, each with 1,000 in stock.
func makeShop(t testing.TB, path string, skus []string) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, sku := range skus {
		if _, err := s.AddVariant(ctx, data.NewVariant{SKU: sku, ProductName: "Product " + sku, Price: int64(100 * (i + 1)), Currency: "USD"}); err != nil {
			t.Fatalf("AddVariant %s: %v", sku, err)
		}
		if _, err := s.AdjustStock(ctx, data.Adjustment{SKU: sku, Delta: 1000, Reason: data.ReasonReceipt, Note: "opening stock"}); err != nil {
			t.Fatalf("AdjustStock %s: %v", sku, err)
		}
	}
}

// renamedOrders is the fixture's orders copies times over, each copy's order numbers marked with the
// operation, so "~op12." finds every order operation 12 imported.
func renamedOrders(orders []data.Order, op, copies int) (items iter.Seq[data.ImportItem], nOrders, nLines int) {
	for _, o := range orders {
		nOrders += copies
		nLines += copies * len(o.Lines)
	}
	return func(yield func(data.ImportItem) bool) {
		for c := range copies {
			for _, o := range orders {
				o.ExternalID = fmt.Sprintf("%s~op%d.%d", o.ExternalID, op, c)
				o.Lines = append([]data.OrderLine(nil), o.Lines...)
				if !yield(data.ImportItem{Order: &o}) {
					return
				}
			}
		}
	}, nOrders, nLines
}

// TestCrashChild is the child of TestCrash_KilledAtRandom: it runs operations until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("the child process of TestCrash_KilledAtRandom")
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 0x6b696c6c))
	ctx := context.Background()
	fixtures := fixtureOrders(t)
	skus := fixtureSKUs(fixtures)

	path := filepath.Join(dir, "journal")
	next := 1
	for _, e := range readJournal(t, path) {
		next = max(next, e.Op+1)
	}
	journal, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	// Each line is one write(2): it reaches the kernel before the next operation starts, and a SIGKILL
	// does not lose what the kernel has (only a power cut would, and that is not what is tested here).
	write := func(e journalEntry) {
		b, _ := json.Marshal(e)
		if _, err := journal.Write(append(b, '\n')); err != nil {
			t.Fatal(err)
		}
	}
	s, err := data.Open(ctx, filepath.Join(dir, "shop.db"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	// A child whose parent died stops by itself instead of running on.
	deadline := time.Now().Add(2 * time.Minute)
	for op := next; time.Now().Before(deadline); op++ {
		e := journalEntry{Op: op}
		var run func() error
		switch k := rng.IntN(10); {
		case k < 3:
			name := crashFixtures[rng.IntN(len(crashFixtures))]
			copies := 10 + rng.IntN(60)
			items, nOrders, nLines := renamedOrders(fixtures[name], op, copies)
			e.Kind, e.File, e.Orders, e.Lines = "import", fmt.Sprintf("op%d-%s", op, name), nOrders, nLines
			sum := sha256.Sum256([]byte(e.File))
			run = func() error {
				res, err := s.Import(ctx, data.ImportFile{Name: e.File, Size: int64(nLines), SHA256: hex.EncodeToString(sum[:]), Format: "crash-test"}, items, data.ImportOptions{})
				if err == nil && (!res.Committed || res.OrdersNew != nOrders) {
					err = fmt.Errorf("import committed=%v with %d new orders, want %d", res.Committed, res.OrdersNew, nOrders)
				}
				return err
			}
		case k < 6:
			e.Kind, e.SKU = "adjust", skus[rng.IntN(len(skus))]
			e.Delta = int64(rng.IntN(9) - 4)
			if e.Delta == 0 {
				e.Delta = 7
			}
			run = func() error {
				_, err := s.AdjustStock(ctx, data.Adjustment{SKU: e.SKU, Delta: e.Delta, Note: fmt.Sprintf("crash op %d", op)})
				return err
			}
		case k < 8:
			o, ok := pickOrder(ctx, t, s, rng, data.StatusNew, data.StatusPaid, data.StatusPicking)
			if !ok {
				continue
			}
			e.Kind, e.Order = "pack", o.ID
			run = func() error { return packOrder(ctx, s, o.ID) }
		default:
			o, ok := pickOrder(ctx, t, s, rng, data.StatusPacked)
			if !ok {
				continue
			}
			e.Kind, e.Order = "ship", o.ID
			run = func() error {
				_, err := s.ShipOrder(ctx, o.ID, data.Shipment{Carrier: "Royal Mail", Tracking: fmt.Sprintf("CR%dGB", op)})
				return err
			}
		}
		e.State = "begin"
		write(e)
		if err := run(); err != nil {
			e.State, e.Err = "fail", err.Error()
			write(e)
			continue
		}
		e.State = "commit"
		write(e)
	}
}

// pickOrder picks one of the shop's orders in one of the statuses at random.
func pickOrder(ctx context.Context, t *testing.T, s *data.Store, rng *rand.Rand, statuses ...data.Status) (data.Order, bool) {
	orders, err := s.Orders(ctx, data.OrderFilter{Statuses: statuses, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) == 0 {
		return data.Order{}, false
	}
	return orders[rng.IntN(len(orders))], true
}

// packOrder packs every line as the pack station does (by scan when the item has a barcode, by hand
// otherwise) and marks the order packed: each step is a transaction, the last one is the operation.
func packOrder(ctx context.Context, s *data.Store, id int64) error {
	st, err := s.StartPack(ctx, id)
	if err != nil {
		return err
	}
	for _, l := range st.Lines {
		for l.Packed < l.Want {
			if len(l.Barcodes) > 0 {
				if _, err := s.PackScan(ctx, id, l.Barcodes[0]); err != nil {
					return err
				}
				l.Packed++
				continue
			}
			if _, err := s.PackByHand(ctx, id, l.LineNo, l.SKU, l.Want-l.Packed); err != nil {
				return err
			}
			l.Packed = l.Want
		}
	}
	_, err = s.MarkPacked(ctx, id)
	return err
}

func readJournal(t testing.TB, path string) []journalEntry {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []journalEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e journalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("journal line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// crashStats is what the kills found, over the whole run.
type crashStats struct {
	kills, committed, checks int
	caught                   map[string]int // in-flight operations by kind and outcome: "import: none"
}

// TestCrash_KilledAtRandom runs a child process that imports marketplace files, adjusts stock, packs
// and ships orders, and SIGKILLs it at random moments, KILLS times (20 by default; `make soak` runs
// 200). After each kill the shop must open, pass integrity_check, hold every operation the child
// logged as committed, hold all or none of the one it was in, and its stock must add up. CRASH_SEED
// repeats a run's choices (the kill timing is the machine's).
func TestCrash_KilledAtRandom(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process many times")
	}
	kills := envInt(t, "KILLS", 20)
	seed := testSeed(t)
	t.Logf("seed %d (repeat with CRASH_SEED=%d), %d kills", seed, seed, kills)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	makeShop(t, db, fixtureSKUs(fixtureOrders(t)))

	stats := crashStats{caught: map[string]int{}}
	start := time.Now()
	for k := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, fmt.Sprintf("%s=%d", crashSeedEnv, seed+uint64(k)))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			ok := false
			for sc.Scan() {
				if sc.Text() == "ready" && !ok {
					ok = true
					ready <- true
				}
			}
			if !ok {
				ready <- false
			}
			io.Copy(io.Discard, stdout)
		}()
		if !<-ready {
			cmd.Wait()
			t.Fatalf("kill %d: the child stopped before it was ready (seed %d):\n%s", k, seed, stderr.String())
		}
		// Mostly early, inside the first operations; sometimes later, after the shop has grown.
		wait := time.Duration(rng.Int64N(int64(400 * time.Millisecond)))
		if rng.IntN(5) == 0 {
			wait = time.Duration(rng.Int64N(int64(2 * time.Second)))
		}
		time.Sleep(wait)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("kill %d: the child ended by itself (%v), not by the kill (seed %d):\n%s", k, err, seed, stderr.String())
		}
		stats.kills++
		checkAfterCrash(t, db, readJournal(t, filepath.Join(dir, "journal")), &stats)
		if t.Failed() {
			t.Fatalf("kill %d after %v failed the checks (seed %d)", k, wait, seed)
		}
	}
	kinds := make([]string, 0, len(stats.caught))
	for k := range stats.caught {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var caught []string
	for _, k := range kinds {
		caught = append(caught, fmt.Sprintf("%s %d", k, stats.caught[k]))
	}
	t.Logf("%d kills survived in %v: %d operations committed, %d operation checks after kills; caught in flight: %s",
		stats.kills, time.Since(start).Round(time.Millisecond), stats.committed, stats.checks, strings.Join(caught, ", "))
	if stats.committed == 0 {
		t.Errorf("the child committed nothing: the test checked nothing")
	}
}

// checkAfterCrash opens the shop the way Backroom does after a crash and checks it against the journal.
func checkAfterCrash(t *testing.T, path string, journal []journalEntry, stats *crashStats) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	levels, err := s.StockLevels(ctx, data.StockFilter{IncludeInactive: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	one := func(dst any, query string, args ...any) {
		t.Helper()
		if err := raw.QueryRowContext(ctx, query, args...).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	var check string
	one(&check, `PRAGMA integrity_check`)
	if check != "ok" {
		t.Fatalf("integrity_check: %s", check)
	}
	var n int
	one(&n, `SELECT count(*) FROM pragma_foreign_key_check`)
	if n != 0 {
		t.Errorf("foreign_key_check finds %d rows pointing nowhere", n)
	}

	// The running totals are the ledger's sums, location by location.
	one(&n, `SELECT count(*) FROM (
		SELECT sku, location_id, SUM(quantity) AS q FROM stock_movements GROUP BY sku, location_id) m
		FULL JOIN stock_levels l ON l.sku = m.sku AND l.location_id = m.location_id
		WHERE COALESCE(m.q, 0) <> COALESCE(l.on_hand, 0)`)
	if n != 0 {
		t.Errorf("stock_levels disagrees with the sum of stock_movements for %d SKU and location pairs", n)
	}
	// What the store reports per SKU is the ledger, less the units on open orders' lines.
	for _, l := range levels {
		var onHand, reserved int64
		one(&onHand, `SELECT COALESCE(SUM(quantity), 0) FROM stock_movements WHERE sku = ?`, l.SKU)
		one(&reserved, `SELECT COALESCE(SUM(ol.quantity * ol.pack), 0) FROM order_lines ol JOIN orders o ON o.id = ol.order_id
			WHERE ol.sku = ? AND o.status IN ('new', 'paid', 'picking', 'packed')`, l.SKU)
		if !l.Kit && (l.OnHand != onHand || l.Reserved != reserved) {
			t.Errorf("%s: StockLevels says on hand %d, reserved %d; the ledger says %d and the open orders' lines %d",
				l.SKU, l.OnHand, l.Reserved, onHand, reserved)
		}
	}
	// Every order is whole: its lines hold stock back exactly while it is open, and it has moved its
	// lines' stock exactly when it has shipped. (That it has all its lines is checked per import below:
	// some exports, such as Etsy's sold orders, carry orders without items.)
	one(&n, `SELECT count(*) FROM order_lines ol JOIN orders o ON o.id = ol.order_id
		WHERE ol.open <> (o.status IN ('new', 'paid', 'picking', 'packed'))`)
	if n != 0 {
		t.Errorf("%d order lines hold stock back against their order's status", n)
	}
	one(&n, `SELECT count(*) FROM orders o
		WHERE COALESCE((SELECT SUM(quantity * pack) FROM order_lines WHERE order_id = o.id AND sku IS NOT NULL), 0)
		      * (o.status IN ('shipped', 'delivered', 'returned'))
		   <> COALESCE((SELECT -SUM(quantity) FROM stock_movements WHERE reason = 'sale' AND ref_type = 'order' AND ref_id = o.channel || ':' || o.external_id), 0)`)
	if n != 0 {
		t.Errorf("%d orders' sale movements disagree with their lines and status", n)
	}
	one(&n, `SELECT count(*) FROM shipments sh JOIN orders o ON o.id = sh.order_id WHERE o.status NOT IN ('shipped', 'delivered', 'returned')`)
	if n != 0 {
		t.Errorf("%d orders have a shipment but are not shipped", n)
	}

	// Each operation in the journal: committed ones are there, the one the kill caught is all or none.
	begun := map[int]journalEntry{}
	done := map[int]string{}
	for _, e := range journal {
		switch e.State {
		case "begin":
			begun[e.Op] = e
		case "commit", "fail":
			done[e.Op] = e.State
			if e.State == "fail" {
				t.Errorf("operation %d (%s) failed in the child: %s", e.Op, e.Kind, e.Err)
			}
		}
	}
	held := readShopByOp(t, raw)
	stats.committed = 0
	caught := 0 // the operation this kill interrupted: the last one begun and not ended
	for op := range begun {
		if done[op] == "" {
			caught = max(caught, op)
		}
	}
	for op, e := range begun {
		state := done[op]
		if state == "commit" {
			stats.committed++
		}
		stats.checks++
		present, whole := operationPresent(t, one, held, e)
		switch {
		case !whole:
			t.Errorf("operation %d (%s %+v) is half there", op, e.Kind, e)
		case state == "commit" && !present:
			t.Errorf("operation %d (%s %+v) was committed but is missing", op, e.Kind, e)
		case state == "fail" && present:
			t.Errorf("operation %d (%s) failed but is there", op, e.Kind)
		case op == caught:
			if present {
				stats.caught[e.Kind+": all"]++
			} else {
				stats.caught[e.Kind+": none"]++
			}
		}
	}
}

// operationPresent says whether the shop holds the journal's operation, and whether it holds it whole
// (all of it or none of it).
func operationPresent(t *testing.T, one func(any, string, ...any), held shopByOp, e journalEntry) (present, whole bool) {
	t.Helper()
	var n int
	switch e.Kind {
	case "import":
		got := held.imports[e.Op]
		present = got != (importHeld{})
		return present, !present || got == importHeld{orders: e.Orders, lines: e.Lines, logged: 1}
	case "adjust":
		got := held.adjusts[e.Op]
		return got.n > 0, got.n == 0 || (got.n == 1 && got.qty == e.Delta)
	case "pack":
		var status string
		one(&status, `SELECT status FROM orders WHERE id = ?`, e.Order)
		one(&n, `SELECT count(*) FROM pack_scans WHERE order_id = ? AND outcome = 'packed'`, e.Order)
		moved := status == "packed" || status == "shipped"
		// An order packed, then shipped by a later operation, is still packed as far as this one goes.
		return moved, (n > 0) == moved
	case "ship":
		var status string
		one(&status, `SELECT status FROM orders WHERE id = ?`, e.Order)
		var any int
		one(&n, `SELECT count(*) FROM shipments WHERE order_id = ? AND tracking = ?`, e.Order, fmt.Sprintf("CR%dGB", e.Op))
		one(&any, `SELECT count(*) FROM shipments WHERE order_id = ?`, e.Order)
		// An operation the kill caught that left nothing may see the order shipped by a later one.
		if n == 0 {
			return false, status != "shipped" || any == 1
		}
		return true, status == "shipped"
	}
	t.Fatalf("journal operation %d of unknown kind %q", e.Op, e.Kind)
	return false, false
}

// importHeld is what the shop holds of one import operation; adjustHeld of one stock adjustment.
type (
	importHeld struct{ orders, lines, logged int }
	adjustHeld struct {
		n   int
		qty int64
	}
)

// shopByOp is what the shop holds of each import and adjustment operation, read in a few grouped
// queries: checking the whole journal after every kill one operation at a time grew with the square of
// the run's length.
type shopByOp struct {
	imports map[int]importHeld
	adjusts map[int]adjustHeld
}

func readShopByOp(t *testing.T, raw *sql.DB) shopByOp {
	t.Helper()
	held := shopByOp{imports: map[int]importHeld{}, adjusts: map[int]adjustHeld{}}
	scan := func(query string, fn func(rows *sql.Rows) error) {
		t.Helper()
		rows, err := raw.Query(query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	// External ids are "<the file's id>~op<op>.<copy>".
	const opOf = `CAST(substr(o.external_id, instr(o.external_id, '~op') + 3) AS INTEGER)`
	scan(`SELECT `+opOf+`, count(*), COALESCE(SUM((SELECT count(*) FROM order_lines WHERE order_id = o.id)), 0)
		FROM orders o WHERE instr(o.external_id, '~op') > 0 GROUP BY 1`, func(rows *sql.Rows) error {
		var op int
		var h importHeld
		err := rows.Scan(&op, &h.orders, &h.lines)
		held.imports[op] = h
		return err
	})
	// File names are "op<op>-<fixture>".
	scan(`SELECT CAST(substr(file_name, 3) AS INTEGER), count(*) FROM import_log
		WHERE file_name LIKE 'op%' AND outcome = 'imported' GROUP BY 1`, func(rows *sql.Rows) error {
		var op, n int
		err := rows.Scan(&op, &n)
		h := held.imports[op]
		h.logged = n
		held.imports[op] = h
		return err
	})
	scan(`SELECT CAST(substr(note, 10) AS INTEGER), count(*), SUM(quantity) FROM stock_movements
		WHERE note LIKE 'crash op %' GROUP BY 1`, func(rows *sql.Rows) error {
		var op int
		var h adjustHeld
		err := rows.Scan(&op, &h.n, &h.qty)
		held.adjusts[op] = h
		return err
	})
	return held
}
