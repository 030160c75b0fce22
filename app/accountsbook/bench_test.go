package accountsbook

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// The benchmark of issue 8: a year of 100,000 orders to xlsx, against the sqlite3 shell writing the
// same rows as CSV, in the same run, each as a process of its own so that its peak memory (the
// kernel's maxrss of the child) is its own.
//
//	go test -run '^$' -bench AccountsWorkbook -benchtime 3x -timeout 30m ./app/accountsbook/

// benchShop is the demo generator's large shop (as `backroom demo --products 20000 --orders 100000`
// makes it, and as data's benchmarks use): its orders span the 90 days before 20 November 2026.
const (
	benchProducts = 20_000
	benchOrders   = 100_000
)

var benchNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// benchChildEnv, when set, makes the test binary the benchmark's child: it exports the shop named in it
// and exits (see TestMain).
const benchChildEnv = "BACKROOM_ACCOUNTSBOOK_BENCH_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(benchChildEnv); spec != "" {
		if err := benchChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchPeriod is the calendar year 2026 in London: every order of the shop.
func benchPeriod() (data.AccountsPeriod, error) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return data.AccountsPeriod{}, err
	}
	return data.YearPeriod(2026, loc), nil
}

type benchResult struct {
	Rows  data.AccountsRows
	Bytes int64
}

// benchChild writes the workbook of the shop at db to out, as `backroom export accounts` will: open the
// shop, stream the year into the file, close. A db of "synthetic:N" is no shop but N generated order
// lines (see syntheticSource).
func benchChild(spec string) error {
	db, out, _ := strings.Cut(spec, "|")
	ctx := context.Background()
	var src Source
	if n, ok := strings.CutPrefix(db, "synthetic:"); ok {
		lines, err := strconv.Atoi(n)
		if err != nil {
			return err
		}
		src = syntheticSource{lines: lines}
	} else {
		s, err := data.Open(ctx, db, data.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		src = s
	}
	p, err := benchPeriod()
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	res, err := WriteXLSX(ctx, w, src, Options{Period: p, Shop: "Demo shop", Author: "bench"})
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	b, _ := json.Marshal(benchResult{Rows: res.Rows, Bytes: res.Bytes})
	fmt.Printf("ACCOUNTSBENCH %s\n", b)
	return nil
}

// syntheticSource makes up a year of a shop with the given number of order lines (2.5 a order), generated
// as they are read, as the store streams them: a line of sales and one of costs each, a return for one
// line in 30, a purchase order delivery for one in 4, and 20,000 SKUs in stock. It measures the writing
// alone, at sizes the demo shop does not reach.
type syntheticSource struct{ lines int }

func (s syntheticSource) line(i int) (placed time.Time, order, sku, product string, qty, price int64) {
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	placed = start.Add(time.Duration(i) * (365 * 24 * time.Hour / time.Duration(s.lines)))
	order = fmt.Sprintf("%07d", i*2/5+1000)
	n := (i * 7919) % 20_000
	return placed, order, fmt.Sprintf("SKU-%05d", n), fmt.Sprintf("Stoneware mug, glaze %d", n), int64(1 + i%3), int64(500 + n%4000)
}

func syntheticChannel(i int) string {
	return [...]string{"amazon", "ebay", "etsy", "shopify", "woocommerce"}[i*2/5%5]
}

func (s syntheticSource) AccountsPreview(ctx context.Context, p data.AccountsPeriod) (data.AccountsTotals, error) {
	return data.AccountsTotals{Rows: data.AccountsRows{Sales: s.lines, Costs: s.lines, Refunds: s.lines / 30, Stock: 20_000, Purchases: s.lines / 4}}, nil
}

func (s syntheticSource) AccountsSales(ctx context.Context, p data.AccountsPeriod, fn func(data.SaleLine) error) error {
	for i := range s.lines {
		placed, order, sku, product, qty, price := s.line(i)
		err := fn(data.SaleLine{OrderRef: int64(i * 2 / 5), Placed: placed, Channel: syntheticChannel(i), OrderID: order,
			LineNo: 1 + i%3, SKU: sku, Product: product, Quantity: qty, UnitPrice: price, Discount: int64(i % 50), Shipping: 199,
			Tax: qty * price / 6, Total: qty*price - int64(i%50) + 199, Currency: "GBP"})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s syntheticSource) AccountsRefunds(ctx context.Context, p data.AccountsPeriod, fn func(data.RefundLine) error) error {
	for i := 0; i < s.lines; i += 30 {
		placed, order, sku, product, _, price := s.line(i)
		err := fn(data.RefundLine{At: placed.Add(72 * time.Hour), Channel: syntheticChannel(i), OrderID: order, OrderPlaced: placed,
			SKU: sku, Product: product, Units: 1, Reason: data.ReturnChangedMind, Condition: "as-new", Disposition: "restock", Refund: price, Currency: "GBP"})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s syntheticSource) AccountsCosts(ctx context.Context, p data.AccountsPeriod, fn func(data.CostLine) error) error {
	for i := range s.lines {
		placed, order, sku, product, qty, price := s.line(i)
		err := fn(data.CostLine{Placed: placed, Channel: syntheticChannel(i), OrderID: order, SKU: sku, Product: product,
			Units: qty, UnitCost: price / 3, Cost: qty * (price / 3), Currency: "GBP", Known: i%100 != 0})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s syntheticSource) AccountsStock(ctx context.Context, p data.AccountsPeriod, fn func(data.StockValue) error) error {
	for n := range 20_000 {
		if err := fn(data.StockValue{SKU: fmt.Sprintf("SKU-%05d", n), Product: fmt.Sprintf("Stoneware mug, glaze %d", n),
			OnHand: int64(n % 40), UnitCost: int64(160 + n%1300), Value: int64(n%40) * int64(160+n%1300), Currency: "GBP"}); err != nil {
			return err
		}
	}
	return nil
}

func (s syntheticSource) AccountsPurchases(ctx context.Context, p data.AccountsPeriod, fn func(data.PurchaseLine) error) error {
	for i := 0; i < s.lines; i += 4 {
		placed, _, sku, product, _, price := s.line(i)
		err := fn(data.PurchaseLine{Received: placed, PONumber: fmt.Sprintf("PO-%05d", i/40), Supplier: "Alder Clay", SKU: sku,
			Product: product, Quantity: 12, UnitCost: price / 3, Total: 12 * (price / 3), Currency: "GBP"})
		if err != nil {
			return err
		}
	}
	return nil
}

// benchShopPath is the generated shop, kept in the system temp folder between runs (generating it takes
// minutes on two cores) and made again when the migrations or the demo generator change.
func benchShopPath(tb testing.TB) string {
	tb.Helper()
	h := sha256.New()
	var sources []string
	for _, pattern := range []string{"../../data/migrations/*.sql", "../../data/demo*.go"} {
		m, _ := filepath.Glob(pattern)
		sources = append(sources, m...)
	}
	if len(sources) == 0 {
		tb.Fatal("cannot find data's migrations and demo generator to key the cached shop by")
	}
	slices.Sort(sources)
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(src), len(b))
		h.Write(b)
	}
	dir := filepath.Join(os.TempDir(), "backroom-bench")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("accounts-%x-p%d-o%d.db", h.Sum(nil)[:6], benchProducts, benchOrders))
	if _, err := os.Stat(path + ".done"); err == nil {
		return path
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	ctx := context.Background()
	s, err := data.Open(ctx, path, data.Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	if _, err := s.GenerateDemo(ctx, data.DemoOptions{Seed: 7, Products: benchProducts, Orders: benchOrders, Now: benchNow}); err != nil {
		tb.Fatalf("GenerateDemo: %v", err)
	}
	s.Close()
	tb.Logf("generated the shop in %v", time.Since(start).Round(time.Second))
	if err := os.WriteFile(path+".done", nil, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// sqliteScript has the sqlite3 shell write the rows of the five detail sheets as CSV files into dir,
// read as the store reads them (the same tables, joins, periods and order), without what Backroom
// adds on top: sharing each order's discount, shipping, tax and total out over its lines.
func sqliteScript(p data.AccountsPeriod, dir string) string {
	start, end := p.Bounds()
	const layout = "2006-01-02T15:04:05.000Z"
	from, to := start.Format(layout), end.Format(layout)
	out := func(name string) string { return ".output " + filepath.Join(dir, name) + "\n" }
	return ".headers on\n.mode csv\n" +
		out("sales.csv") + `SELECT o.placed_at, o.channel, o.external_id, l.line_no, l.sku,
			COALESCE(pr.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END, l.name, ''),
			l.quantity, l.unit_price, l.quantity * l.unit_price, o.discount, o.shipping, o.tax, o.total, o.currency
		FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
		LEFT JOIN variants v ON v.sku = l.sku LEFT JOIN products pr ON pr.id = v.product_id
		WHERE o.placed_at >= '` + from + `' AND o.placed_at < '` + to + `' AND o.status <> 'cancelled'
		ORDER BY o.placed_at, o.id, l.line_no;
` + out("refunds.csv") + `SELECT r.at, o.channel, o.external_id, o.placed_at, r.sku,
			COALESCE(pr.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END, l.name, ''),
			r.units, r.reason, r.condition, r.disposition, r.refund, o.currency
		FROM returns r JOIN orders o ON o.id = r.order_id
		LEFT JOIN order_lines l ON l.order_id = r.order_id AND l.line_no = r.line_no
		LEFT JOIN variants v ON v.sku = r.sku LEFT JOIN products pr ON pr.id = v.product_id
		WHERE r.at >= '` + from + `' AND r.at < '` + to + `' ORDER BY r.at, r.id;
` + out("costs.csv") + `SELECT o.placed_at, o.channel, o.external_id, l.sku,
			COALESCE(pr.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END, l.name, ''),
			l.quantity * l.pack, l.unit_cost, l.quantity * l.pack * l.unit_cost, o.currency,
			CASE WHEN l.unit_cost IS NULL THEN 'cost unknown' ELSE '' END
		FROM orders o JOIN order_lines l ON l.order_id = o.id
		LEFT JOIN variants v ON v.sku = l.sku LEFT JOIN products pr ON pr.id = v.product_id
		WHERE o.placed_at >= '` + from + `' AND o.placed_at < '` + to + `' AND o.status <> 'cancelled'
		ORDER BY o.placed_at, o.id, l.line_no;
` + out("stock.csv") + `SELECT v.sku, pr.name, v.title, m.on_hand, COALESCE(h.cost, 0), m.on_hand * COALESCE(h.cost, 0),
			COALESCE(h.currency, v.currency)
		FROM (SELECT sku, SUM(quantity) AS on_hand FROM stock_movements WHERE created_at < '` + to + `' GROUP BY sku) AS m
		JOIN variants v ON v.sku = m.sku JOIN products pr ON pr.id = v.product_id
		LEFT JOIN cost_history h ON h.id = COALESCE(
			(SELECT e.id FROM cost_history e WHERE e.sku = v.sku AND e.from_at < '` + to + `' ORDER BY e.from_at DESC, e.id DESC LIMIT 1),
			(SELECT f.id FROM cost_history f WHERE f.sku = v.sku ORDER BY f.from_at, f.id LIMIT 1))
		WHERE m.on_hand <> 0 ORDER BY v.sku;
` + out("purchases.csv") + `SELECT r.received_at, po.number, COALESCE(sp.name, ''), r.sku, COALESCE(pr.name, ''), COALESCE(v.title, ''),
			r.quantity, pl.unit_cost, r.quantity * pl.unit_cost, po.currency
		FROM po_receipts r JOIN purchase_orders po ON po.id = r.po_id
		JOIN purchase_order_lines pl ON pl.po_id = r.po_id AND pl.line_no = r.line_no
		LEFT JOIN suppliers sp ON sp.id = po.supplier_id
		LEFT JOIN variants v ON v.sku = r.sku LEFT JOIN products pr ON pr.id = v.product_id
		WHERE r.received_at >= '` + from + `' AND r.received_at < '` + to + `' ORDER BY r.received_at, r.id;
.output stdout
`
}

// measured is one run of a child process: how long it took and its peak resident memory.
type measured struct {
	wall   time.Duration
	peakMB float64
	stdout string
}

// run runs cmd and measures it. The peak memory comes from GNU time (%M) when it is installed: the
// rusage Go gets back for its own child is no good here, because Go starts children sharing its memory
// until they exec, and Linux then counts the parent's peak (this benchmark's, hundreds of MB) as the
// child's. Without GNU time, the child's VmHWM is polled from /proc every few milliseconds instead.
func run(tb testing.TB, cmd *exec.Cmd) measured {
	tb.Helper()
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	var report string
	if gnuTime, err := exec.LookPath("time"); err == nil && exec.Command(gnuTime, "-f", "%M", "true").Run() == nil {
		report = filepath.Join(tb.TempDir(), "time")
		wrapped := exec.Command(gnuTime, append([]string{"-f", "%M", "-o", report, cmd.Path}, cmd.Args[1:]...)...)
		wrapped.Env, wrapped.Stdin, wrapped.Stdout, wrapped.Stderr = cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr
		cmd = wrapped
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	var polled float64
	stop := make(chan struct{})
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			if b, err := os.ReadFile(status); err == nil {
				for _, line := range strings.Split(string(b), "\n") {
					var kb float64
					if _, err := fmt.Sscanf(line, "VmHWM: %f kB", &kb); err == nil {
						polled = max(polled, kb/1024)
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(stop)
	<-polling
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, errOut.String())
	}
	m := measured{wall: wall, peakMB: polled, stdout: out.String()}
	if report != "" {
		b, err := os.ReadFile(report)
		var kb float64
		if _, serr := fmt.Sscanf(strings.TrimSpace(string(b)), "%f", &kb); err != nil || serr != nil {
			tb.Fatalf("read GNU time's report %q: %v %v", b, err, serr)
		}
		m.peakMB = kb / 1024
	}
	return m
}

func countLines(tb testing.TB, path string) int {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	n := 0
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func BenchmarkAccountsWorkbook(b *testing.B) {
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("skipped: the sqlite3 shell is not installed")
	}
	db := benchShopPath(b)
	p, err := benchPeriod()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	book := filepath.Join(dir, FileName(p, "Demo shop"))
	csvDir := filepath.Join(dir, "sqlite3")
	if err := os.MkdirAll(csvDir, 0o755); err != nil {
		b.Fatal(err)
	}
	script := sqliteScript(p, csvDir)

	// The workbook is written twice per run: as Go sets the process up by default, and with a soft memory
	// limit of 100 MiB (GOMEMLIMIT, or debug.SetMemoryLimit in the program), which the command line
	// export sets: excelize keeps up to about 20 MB per large sheet until the file is written (75 MB
	// here), and by default Go lets the heap grow to twice its live data before collecting.
	var xlsx, limited, shell []measured
	var res benchResult
	child := func(env ...string) measured {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOGC=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(append(cmd.Env, benchChildEnv+"="+db+"|"+book), env...)
		m := run(b, cmd)
		line, ok := strings.CutPrefix(strings.TrimSpace(m.stdout), "ACCOUNTSBENCH ")
		if !ok || json.Unmarshal([]byte(line), &res) != nil {
			b.Fatalf("the child wrote %q", m.stdout)
		}
		return m
	}
	for b.Loop() {
		xlsx = append(xlsx, child())
		limited = append(limited, child("GOMEMLIMIT=100MiB"))
		cmd := exec.Command(sqlite3, "-bail", db)
		cmd.Stdin = strings.NewReader(script)
		shell = append(shell, run(b, cmd))
		n := len(xlsx) - 1
		b.Logf("run %d: xlsx %.2f s, %.1f MB peak; with GOMEMLIMIT=100MiB %.2f s, %.1f MB peak; sqlite3 %.2f s, %.1f MB peak", n+1,
			xlsx[n].wall.Seconds(), xlsx[n].peakMB, limited[n].wall.Seconds(), limited[n].peakMB, shell[n].wall.Seconds(), shell[n].peakMB)
	}

	// The shell wrote the same rows: a header line and a line per row in each file (the product names
	// of the demo have no line breaks).
	r := res.Rows
	for name, want := range map[string]int{"sales.csv": r.Sales, "refunds.csv": r.Refunds, "costs.csv": r.Costs, "stock.csv": r.Stock, "purchases.csv": r.Purchases} {
		if got := countLines(b, filepath.Join(csvDir, name)) - 1; got != want {
			b.Errorf("sqlite3 wrote %d rows to %s, the workbook %d", got, name, want)
		}
	}
	median := func(ms []measured, f func(measured) float64) float64 {
		v := make([]float64, len(ms))
		for i, m := range ms {
			v[i] = f(m)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	secs := func(m measured) float64 { return m.wall.Seconds() }
	peak := func(m measured) float64 { return m.peakMB }
	xs, ls, ss := median(xlsx, secs), median(limited, secs), median(shell, secs)
	b.ReportMetric(xs, "xlsx-s")
	b.ReportMetric(ls, "xlsx-limit-s")
	b.ReportMetric(ss, "sqlite3-s")
	b.ReportMetric(xs/ss, "ratio")
	b.ReportMetric(ls/ss, "limit-ratio")
	b.ReportMetric(median(xlsx, peak), "xlsx-peak-MB")
	b.ReportMetric(median(limited, peak), "xlsx-limit-peak-MB")
	b.ReportMetric(median(shell, peak), "sqlite3-peak-MB")
	b.ReportMetric(float64(r.Sales+r.Refunds+r.Costs+r.Stock+r.Purchases), "rows")
	b.ReportMetric(float64(res.Bytes)/(1<<20), "xlsx-MB")
	b.Logf("rows: %+v; workbook %.1f MB", r, float64(res.Bytes)/(1<<20))
}

// BenchmarkAccountsWorkbookSynthetic writes a made-up year of 250,000 order lines (no store, no SQL):
// the writing alone at the size issue 8 names, and whether its memory stays flat as the year grows.
func BenchmarkAccountsWorkbookSynthetic(b *testing.B) {
	dir := b.TempDir()
	book := filepath.Join(dir, "synthetic.xlsx")
	for _, lines := range []int{100_000, 250_000} {
		b.Run(strconv.Itoa(lines), func(b *testing.B) {
			var runs, limited []measured
			var res benchResult
			child := func(env ...string) measured {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				for _, kv := range os.Environ() {
					if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOGC=") {
						cmd.Env = append(cmd.Env, kv)
					}
				}
				cmd.Env = append(append(cmd.Env, fmt.Sprintf("%s=synthetic:%d|%s", benchChildEnv, lines, book)), env...)
				m := run(b, cmd)
				line, ok := strings.CutPrefix(strings.TrimSpace(m.stdout), "ACCOUNTSBENCH ")
				if !ok || json.Unmarshal([]byte(line), &res) != nil {
					b.Fatalf("the child wrote %q", m.stdout)
				}
				return m
			}
			for b.Loop() {
				runs = append(runs, child())
				limited = append(limited, child("GOMEMLIMIT=100MiB"))
			}
			worst := func(ms []measured) (secs, peak float64) {
				for _, m := range ms {
					secs, peak = max(secs, m.wall.Seconds()), max(peak, m.peakMB)
				}
				return secs, peak
			}
			s, p := worst(runs)
			ls, lp := worst(limited)
			b.ReportMetric(s, "xlsx-s")
			b.ReportMetric(p, "xlsx-peak-MB")
			b.ReportMetric(ls, "xlsx-limit-s")
			b.ReportMetric(lp, "xlsx-limit-peak-MB")
			r := res.Rows
			b.ReportMetric(float64(r.Sales+r.Refunds+r.Costs+r.Stock+r.Purchases), "rows")
			b.ReportMetric(float64(res.Bytes)/(1<<20), "xlsx-MB")
		})
	}
}
