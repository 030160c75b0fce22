package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/backroom-app/backroom/data"
)

// shopifyHeader is the header of Shopify's Admin › Orders › Export, in its current 79 columns.
const shopifyHeader = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"

// sheet writes rows under a header, each row given as column → value, as a marketplace writes CSV.
func sheet(header string, rows ...map[string]string) []byte {
	cols, err := csv.NewReader(strings.NewReader(header)).Read()
	if err != nil {
		panic(err)
	}
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

// shopifyOrder is one order of a Shopify export: its first row carries the order's fields, the others
// only the item.
func shopifyOrder(name, created, status string, items ...[3]string) []map[string]string {
	var rows []map[string]string
	for i, it := range items {
		r := map[string]string{"Name": name, "Email": "buyer@example.com", "Created at": created,
			"Lineitem quantity": it[1], "Lineitem name": "Item " + it[0], "Lineitem sku": it[0], "Lineitem price": it[2]}
		if i == 0 {
			r["Financial Status"], r["Fulfillment Status"], r["Currency"] = "paid", status, "GBP"
			r["Subtotal"], r["Total"], r["Billing Name"] = "24.00", "24.00", "Jane Doe"
		}
		rows = append(rows, r)
	}
	return rows
}

// shopifyExport is a Shopify export of three orders, 5001 with two items.
func shopifyExport() []byte {
	var rows []map[string]string
	rows = append(rows, shopifyOrder("#5001", "2026-11-20 10:15:00 +0000", "unfulfilled", [3]string{"APRON-SAGE", "1", "24.00"}, [3]string{"MUG-BLUE", "2", "12.00"})...)
	rows = append(rows, shopifyOrder("#5002", "2026-11-21 11:00:00 +0000", "fulfilled", [3]string{"TOWEL", "1", "8.00"})...)
	rows = append(rows, shopifyOrder("#5003", "2026-11-22 12:30:00 +0000", "unfulfilled", [3]string{"MUG-BLUE", "1", "12.00"})...)
	return sheet(shopifyHeader, rows...)
}

// bytesSource is a file in memory.
func bytesSource(name string, b []byte) importSource {
	return importSource{name: name, open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// addFile queues one file on the Imports screen and waits until it is read.
func addFile(t *testing.T, a *App, sc *importsScreen, src importSource) *importJob {
	t.Helper()
	sc.addFiles(src)
	settle(a)
	job := sc.jobs[len(sc.jobs)-1]
	if job.state != jobReady {
		t.Fatalf("%s after reading: state %s, error %v", src.name, job.state, job.err)
	}
	return job
}

func countOrders(t *testing.T, a *App, channel string) int {
	t.Helper()
	n, err := a.base.CountOrders(context.Background(), data.OrderFilter{Channel: channel})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func importLog(t *testing.T, a *App) []data.ImportLogEntry {
	t.Helper()
	log, err := a.base.ImportLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

func TestImports_ShopifyPreviewCheckAndImport(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)
	if !sc.empty.Visible() || sc.filePanel.Visible() {
		t.Fatal("before a file is chosen the Import tab should show its empty state")
	}
	before := countOrders(t, a, "shopify")

	job := addFile(t, a, sc, bytesSource("orders_export.csv", shopifyExport()))

	if got, want := sc.fileName.Text, "orders_export.csv"; got != want {
		t.Errorf("file name = %q, want %q", got, want)
	}
	if got, want := sc.format.Text, "Shopify orders"; got != want {
		t.Errorf("format = %q, want %q", got, want)
	}
	if got, want := sc.holds.Text, "Orders from Shopify"; got != want {
		t.Errorf("holds = %q, want %q", got, want)
	}
	if meta := sc.fileMeta.String(); !strings.Contains(meta, "CSV") || !strings.Contains(meta, "header on row 1") {
		t.Errorf("file facts = %q, want the layout and the header row", meta)
	}
	if sc.notice.Visible() {
		t.Errorf("a new file shows a notice: %q", sc.notice.Text)
	}
	if got, want := len(sc.preview.rows), 4; got != want {
		t.Fatalf("preview rows = %d, want %d", got, want)
	}
	if got, want := sc.preview.header[0], "Name"; got != want {
		t.Errorf("preview header starts %q, want %q", got, want)
	}
	if got, want := sc.preview.cellText(1, 20), "MUG-BLUE"; got != want { // Lineitem sku of row 3
		t.Errorf("preview row 3 SKU = %q, want %q", got, want)
	}
	if got, want := sc.preview.rows[0].Num, 2; got != want {
		t.Errorf("first preview row is numbered %d, want %d (the header is row 1)", got, want)
	}

	// Check: exact counts, nothing written.
	test.Tap(sc.check)
	settle(a)
	if got := countOrders(t, a, "shopify"); got != before {
		t.Fatalf("orders after Check = %d, want %d: a check writes nothing", got, before)
	}
	if got, want := sc.summary.Text, "Checked; nothing was written. Importing would give 3 new orders (4 order lines)."; got != want {
		t.Errorf("check summary = %q, want %q", got, want)
	}
	if len(importLog(t, a)) != 0 {
		t.Error("a check was written to the import log")
	}

	test.Tap(sc.importButton)
	settle(a)
	if job.result == nil || !job.result.Committed {
		t.Fatalf("import result = %+v, err %v", job.result, job.err)
	}
	if got, want := countOrders(t, a, "shopify"), before+3; got != want {
		t.Errorf("shopify orders after import = %d, want %d", got, want)
	}
	if got, want := sc.summary.Text, "Imported 3 new orders (4 order lines)."; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if sc.problemsBox.Visible() || sc.skip.Visible() {
		t.Error("a clean import shows a problems table or the skip button")
	}
	if sc.progressBox.Visible() {
		t.Error("the progress bar is still shown after the import")
	}

	t.Run("History", func(t *testing.T) {
		sc.tabs.Select(sc.historyTab)
		settle(a)
		if got := len(sc.history.rows); got != 1 {
			t.Fatalf("history rows = %d, want 1", got)
		}
		if got, want := sc.history.cellText(0, 2), "orders_export.csv"; got != want {
			t.Errorf("history file = %q, want %q", got, want)
		}
		if got, want := sc.history.cellText(0, 3), "Shopify orders"; got != want {
			t.Errorf("history format = %q, want %q", got, want)
		}
		if got, want := sc.history.cellText(0, 4), "Imported"; got != want {
			t.Errorf("history outcome = %q, want %q", got, want)
		}
		if got, want := sc.history.cellText(0, 5), "3 new orders (4 order lines)"; got != want {
			t.Errorf("history result = %q, want %q", got, want)
		}
		sc.tabs.Select(sc.importTab)
	})

	t.Run("ReimportSaysSoFirst", func(t *testing.T) {
		again := addFile(t, a, sc, bytesSource("orders_export (1).csv", shopifyExport()))
		if sc.shown != again {
			t.Fatal("the new file is not on display")
		}
		if !sc.notice.Visible() || !strings.HasPrefix(sc.notice.Text, "Already imported on ") || !strings.Contains(sc.notice.Text, testOwner) {
			t.Fatalf("notice = %q (visible %v), want the already-imported notice", sc.notice.Text, sc.notice.Visible())
		}
		if text, _ := jobStatus(again); text != "Imported before" {
			t.Errorf("queue status = %q, want %q", text, "Imported before")
		}
		// Import asks first; saying yes imports, and nothing changes.
		test.Tap(sc.importButton)
		test.Tap(overlayButton(t, a, "Yes"))
		settle(a)
		if again.result == nil || again.result.OrdersUnchanged != 3 || again.result.OrdersNew != 0 {
			t.Fatalf("re-import result = %+v, want 3 unchanged", again.result)
		}
		if got, want := countOrders(t, a, "shopify"), before+3; got != want {
			t.Errorf("shopify orders after re-import = %d, want %d", got, want)
		}
	})
}

func TestImports_ErrorsWriteNothingUntilSkipped(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)
	before := countOrders(t, a, "shopify")

	rows := shopifyOrder("#6001", "2026-11-20 10:15:00 +0000", "unfulfilled", [3]string{"APRON-SAGE", "1", "24.00"})
	rows = append(rows, shopifyOrder("#6002", "2026-11-20 11:15:00 +0000", "unfulfilled", [3]string{"MUG-BLUE", "two", "12.00"})...)
	rows = append(rows, shopifyOrder("#6003", "2026-11-20 12:15:00 +0000", "unfulfilled", [3]string{"TOWEL", "1", "8.00"})...)
	job := addFile(t, a, sc, bytesSource("bad_orders.csv", sheet(shopifyHeader, rows...)))

	test.Tap(sc.importButton)
	settle(a)
	if got := countOrders(t, a, "shopify"); got != before {
		t.Fatalf("orders after a refused import = %d, want %d", got, before)
	}
	if job.result == nil || !job.result.Rejected() {
		t.Fatalf("result = %+v, want a refused file", job.result)
	}
	if !strings.HasPrefix(sc.summary.Text, "Nothing was imported: 1 row has errors") {
		t.Errorf("summary = %q, want it to say nothing was imported", sc.summary.Text)
	}
	if !sc.problemsBox.Visible() {
		t.Fatal("the problems table is hidden")
	}
	if got := len(sc.problems.rows); got != 1 {
		t.Fatalf("problem rows = %d, want 1: %+v", got, sc.problems.rows)
	}
	got := []string{sc.problems.cellText(0, 0), sc.problems.cellText(0, 1), sc.problems.cellText(0, 2), sc.problems.cellText(0, 3), sc.problems.cellText(0, 4)}
	want := []string{"Error", "bad_orders.csv", "3", "Lineitem quantity", "two"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("problem = %q, want %q", got, want)
	}
	if sc.problems.cellText(0, 5) == "" {
		t.Error("the problem has no reason")
	}
	if !sc.skip.Visible() || sc.skip.Text != "Import the valid orders and skip the 1 listed" {
		t.Fatalf("skip button = %q (visible %v)", sc.skip.Text, sc.skip.Visible())
	}
	if log := importLog(t, a); len(log) != 1 || log[0].Outcome != "rejected" {
		t.Errorf("import log = %+v, want one refused import", log)
	}

	test.Tap(sc.skip)
	settle(a)
	if got, want := countOrders(t, a, "shopify"), before+2; got != want {
		t.Errorf("orders after skipping = %d, want %d", got, want)
	}
	if got, want := sc.summary.Text, "Imported 2 new orders (2 order lines). Skipped 1 order with errors, listed below."; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if sc.skip.Visible() {
		t.Error("the skip button is still offered after skipping")
	}
	if !sc.problemsBox.Visible() || len(sc.problems.rows) != 1 {
		t.Error("the skipped row is no longer listed")
	}
	if log := importLog(t, a); len(log) != 2 || log[0].Outcome != "partial" {
		t.Errorf("import log = %+v, want a partial import on top", log)
	}

	t.Run("HistoryShowsStoredProblems", func(t *testing.T) {
		sc.tabs.Select(sc.historyTab)
		settle(a)
		if got := len(sc.history.rows); got != 2 {
			t.Fatalf("history rows = %d, want 2", got)
		}
		if got, want := sc.history.cellText(1, 4), "Not imported"; got != want {
			t.Errorf("refused import's outcome = %q, want %q", got, want)
		}
		sc.history.choose(1)
		settle(a)
		if !sc.historyBox.Visible() || len(sc.historyProblems.rows) != 1 {
			t.Fatalf("history problems = %+v, want the one error", sc.historyProblems.rows)
		}
		if got, want := sc.historyProblems.cellText(0, 3), "Lineitem quantity"; got != want {
			t.Errorf("history problem column = %q, want %q", got, want)
		}
	})
}

// fairHeader is a layout Backroom does not know.
const fairHeader = "Order Ref,Order Date,Product Code,Qty,Unit Price,Buyer,Country"

func TestImports_UnknownLayoutIsMappedOnce(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)

	first := sheet(fairHeader,
		map[string]string{"Order Ref": "F-100", "Order Date": "21/11/2026", "Product Code": "APRON-SAGE", "Qty": "2", "Unit Price": "24.00", "Buyer": "Lena", "Country": "DE"},
		map[string]string{"Order Ref": "F-101", "Order Date": "22/11/2026", "Product Code": "MUG-BLUE", "Qty": "1", "Unit Price": "12.00", "Buyer": "Ola", "Country": "NO"})
	job := addFile(t, a, sc, bytesSource("faire-nov.csv", first))
	if job.info.known {
		t.Fatal("the unknown layout was recognised")
	}
	if !strings.Contains(sc.notice.Text, "does not know this layout") {
		t.Errorf("notice = %q", sc.notice.Text)
	}
	m := sc.mapping
	if m == nil || m.job != job || a.win.Canvas().Overlays().Top() == nil {
		t.Fatal("the mapping dialog did not open for the unknown layout")
	}
	// Guessed from the column names and the dates.
	for field, col := range map[string]string{"order_id": "Order Ref", "date": "Order Date", "sku": "Product Code", "quantity": "Qty",
		"unit_price": "Unit Price", "customer_name": "Buyer", "ship_country": "Country"} {
		if got := m.columns[field].Selected; got != col {
			t.Errorf("guessed column for %s = %q, want %q", field, got, col)
		}
	}
	if got, want := m.dateOrder.Selected, dateOrderLabels["DMY"]; got != want {
		t.Errorf("guessed date order = %q, want %q", got, want)
	}
	if got, want := m.samples["sku"].String(), "APRON-SAGE"; got != want {
		t.Errorf("sample SKU = %q, want %q", got, want)
	}

	// Saving without a name or channel says what is missing and saves nothing.
	test.Tap(m.save)
	settle(a)
	if !m.message.Visible() || !strings.Contains(m.message.Text, "name") {
		t.Errorf("message = %q, want it to ask for a name", m.message.Text)
	}
	m.name.SetText("Faire orders")
	test.Tap(m.save)
	settle(a)
	if !strings.Contains(m.message.Text, "channel") {
		t.Errorf("message = %q, want it to ask for the channel", m.message.Text)
	}
	m.channel.SetText("faire")
	test.Tap(m.save)
	settle(a)

	if job.result == nil || !job.result.Committed || job.result.OrdersNew != 2 {
		t.Fatalf("result after saving the mapping = %+v, err %v", job.result, job.err)
	}
	if got := countOrders(t, a, "faire"); got != 2 {
		t.Errorf("faire orders = %d, want 2", got)
	}
	if got, want := sc.format.Text, "Faire orders (your column mapping)"; got != want {
		t.Errorf("format = %q, want %q", got, want)
	}
	o, err := a.base.Orders(context.Background(), data.OrderFilter{Channel: "faire", Search: "F-100"})
	if err != nil || len(o) != 1 {
		t.Fatalf("order F-100: %v, %v", o, err)
	}
	if got, want := o[0].PlacedAt.In(time.Local).Format("2006-01-02"), "2026-11-21"; got != want {
		t.Errorf("F-100 placed %s, want %s (day first)", got, want)
	}

	// The next file of that shape imports without asking.
	sc.mapping = nil
	second := sheet(fairHeader,
		map[string]string{"Order Ref": "F-102", "Order Date": "23/11/2026", "Product Code": "TOWEL", "Qty": "3", "Unit Price": "8.00", "Buyer": "Kai", "Country": "DK"})
	job2 := addFile(t, a, sc, bytesSource("faire-dec.csv", second))
	if sc.mapping != nil {
		t.Fatal("the mapping dialog opened again for a layout already mapped")
	}
	if !job2.info.known || sc.format.Text != "Faire orders (your column mapping)" {
		t.Fatalf("second file's format = %q (known %v)", sc.format.Text, job2.info.known)
	}
	test.Tap(sc.importButton)
	settle(a)
	if got := countOrders(t, a, "faire"); got != 3 {
		t.Errorf("faire orders after the second file = %d, want 3", got)
	}
}

// pipeSource serves a file's bytes at once for reading and previewing, and through a pipe the test
// feeds for the import, so the test can cancel it half way.
func pipeSource(name string, b []byte) (importSource, *io.PipeWriter) {
	pr, pw := io.Pipe()
	var opened atomic.Int32
	return importSource{name: name, open: func() (io.ReadCloser, error) {
		if opened.Add(1) <= 2 {
			return io.NopCloser(bytes.NewReader(b)), nil
		}
		return pr, nil
	}}, pw
}

func TestImports_CancelLeavesTheShopUnchanged(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)
	before := countOrders(t, a, "shopify")

	var rows []map[string]string
	for i := range 3000 {
		rows = append(rows, shopifyOrder(fmt.Sprintf("#%d", 10000+i), "2026-11-20 10:15:00 +0000", "unfulfilled", [3]string{"MUG-BLUE", "1", "12.00"})...)
	}
	b := sheet(shopifyHeader, rows...)
	src, pw := pipeSource("big_export.csv", b)
	job := addFile(t, a, sc, src)

	test.Tap(sc.importButton)
	if !sc.progressBox.Visible() || !sc.cancel.Visible() {
		t.Fatal("no progress bar with a Cancel button while importing")
	}
	// Half the file goes through: the import has read and applied part of it.
	half := len(b) / 2
	if _, err := pw.Write(b[:half]); err != nil {
		t.Fatal(err)
	}
	for job.read.Load() < int64(half)/2 {
		time.Sleep(time.Millisecond)
	}
	sc.updateProgress(job)
	if sc.progress.Value <= 0 || sc.progress.Value >= 1 {
		t.Errorf("progress half way = %v", sc.progress.Value)
	}
	test.Tap(sc.cancel)
	pw.CloseWithError(io.ErrClosedPipe)
	settle(a)

	if !job.cancelled {
		t.Fatalf("job after Cancel: state %s, result %+v, err %v", job.state, job.result, job.err)
	}
	if got, want := sc.summary.Text, "Import cancelled. Nothing of this file was written."; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if got := countOrders(t, a, "shopify"); got != before {
		t.Errorf("orders after a cancelled import = %d, want %d", got, before)
	}
	if log := importLog(t, a); len(log) != 0 {
		t.Errorf("a cancelled import was logged: %+v", log)
	}
	if sc.progressBox.Visible() {
		t.Error("the progress bar is still shown after cancelling")
	}
	if sc.importButton.Disabled() {
		t.Error("Import is disabled after cancelling; the file can be imported again")
	}
}

func TestImports_DroppedFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) fyne.URI {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return storage.NewFileURI(p)
	}
	other := sheet(shopifyHeader, shopifyOrder("#7001", "2026-11-23 09:00:00 +0000", "unfulfilled", [3]string{"TOWEL", "1", "8.00"})...)
	uris := []fyne.URI{write("a.csv", shopifyExport()), write("b.csv", other), write("notes.csv", []byte("just one line\n"))}

	t.Run("OwnerImportsAllInTurn", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		showScreen[*dashboardScreen](t, a, sectionDashboard)
		before := countOrders(t, a, "shopify")

		a.onDropped(fyne.NewPos(10, 10), uris)
		settle(a)
		if a.current != sectionImports {
			t.Fatalf("section after a drop = %q, want Imports", a.current)
		}
		sc := a.screens[sectionImports].(*importsScreen)
		if got := len(sc.jobs); got != 3 {
			t.Fatalf("queued files = %d, want 3", got)
		}
		if !sc.queueBox.Visible() {
			t.Error("the list of files is hidden with three files")
		}
		if sc.shown != sc.jobs[0] || sc.format.Text != "Shopify orders" {
			t.Errorf("on display: %q as %q, want a.csv as Shopify orders", sc.fileName.Text, sc.format.Text)
		}
		if sc.jobs[2].state != jobFailed {
			t.Errorf("notes.csv state = %s, want failed", sc.jobs[2].state)
		}
		if !sc.importAll.Visible() || sc.importAll.Text != "Import all 2 files" {
			t.Fatalf("import all = %q (visible %v)", sc.importAll.Text, sc.importAll.Visible())
		}
		test.Tap(sc.importAll)
		settle(a)
		if got, want := countOrders(t, a, "shopify"), before+4; got != want {
			t.Errorf("shopify orders after importing all = %d, want %d", got, want)
		}
		for i, want := range []string{"Imported", "Imported", "Cannot be imported"} {
			if got, _ := jobStatus(sc.jobs[i]); got != want {
				t.Errorf("file %d status = %q, want %q", i, got, want)
			}
		}
		if !strings.HasPrefix(sc.note.Text, "Imported 2 files.") {
			t.Errorf("note = %q", sc.note.Text)
		}
		sc.queue.Select(2)
		if !sc.notice.Visible() || sc.notice.Text == "" || !sc.check.Disabled() {
			t.Errorf("the unreadable file shows notice %q, check enabled %v", sc.notice.Text, !sc.check.Disabled())
		}

		sc.onClear()
		if len(sc.jobs) != 0 || !sc.empty.Visible() {
			t.Errorf("after clearing: %d files, empty state %v", len(sc.jobs), sc.empty.Visible())
		}
	})

	t.Run("PackerCannotImport", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		holdUI(t, a)
		before := countOrders(t, a, "")
		a.onDropped(fyne.NewPos(10, 10), uris[:1])
		settle(a)
		if a.current == sectionImports {
			t.Error("a packer's drop opened Imports")
		}
		if top := a.win.Canvas().Overlays().Top(); top == nil || !hasText(top, "Only the shop's owner") {
			t.Error("a packer's drop did not say why nothing happens")
		}
		if got := countOrders(t, a, ""); got != before {
			t.Errorf("orders after a packer's drop = %d, want %d", got, before)
		}
	})
}

// TestImports_Screenshots saves pictures of the Imports screen's states for a person to look at, in
// the folder named by BACKROOM_SCREENSHOTS.
func TestImports_Screenshots(t *testing.T) {
	save := screenshots(t, "imports")
	a := newTestApp(t)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(1200, 780))
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)
	shot := func(name string) { t.Helper(); save(a, name) }
	shot("1-empty")
	addFile(t, a, sc, bytesSource("orders_export.csv", shopifyExport()))
	shot("2-preview")
	test.Tap(sc.importButton)
	settle(a)
	shot("3-imported")
	rows := shopifyOrder("#6001", "2026-11-20 10:15:00 +0000", "unfulfilled", [3]string{"APRON-SAGE", "1", "24.00"})
	rows = append(rows, shopifyOrder("#6002", "2026-11-20 11:15:00 +0000", "unfulfilled", [3]string{"MUG-BLUE", "two", "12.00"})...)
	rows = append(rows, shopifyOrder("#6003", "2026-11-20 1:15 PM", "unfulfilled", [3]string{"TOWEL", "1", "8.00"})...)
	addFile(t, a, sc, bytesSource("bad_orders.csv", sheet(shopifyHeader, rows...)))
	test.Tap(sc.importButton)
	settle(a)
	shot("4-errors")
	addFile(t, a, sc, bytesSource("orders_export.csv", shopifyExport()))
	shot("5-again")
	addFile(t, a, sc, bytesSource("faire-nov.csv", sheet(fairHeader,
		map[string]string{"Order Ref": "F-100", "Order Date": "21/11/2026", "Product Code": "APRON-SAGE", "Qty": "2", "Unit Price": "24.00", "Buyer": "Lena", "Country": "DE"})))
	shot("6-mapping")
	sc.mapping.d.Hide()
	sc.tabs.Select(sc.historyTab)
	settle(a)
	sc.history.choose(1)
	settle(a)
	shot("7-history")
	sc.tabs.Select(sc.unmatchedTab)
	settle(a)
	shot("8-unmatched")
	sc.tabs.Select(sc.importTab)
	job := addFile(t, a, sc, bytesSource("inventory_export.csv", sheet("Handle,Title,SKU,Location,On hand (current)",
		map[string]string{"Handle": "mug", "Title": "Mug", "SKU": "MUG-BLUE", "Location": "1 Example Street", "On hand (current)": "9"})))
	test.Tap(sc.check)
	settle(a)
	shot("9-new-location")
	if job.result != nil && len(job.result.LocationsAdded) > 0 {
		test.Tap(sc.placeLocations)
		settle(a)
		shot("10-place-locations")
	}
}

func TestImports_MappedStockCount(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)

	b := sheet("Item code,Counted,Shelf",
		map[string]string{"Item code": "MUG-BLUE", "Counted": "15", "Shelf": "Shop"},
		map[string]string{"Item code": "APRON-SAGE", "Counted": "10", "Shelf": "Shop"})
	job := addFile(t, a, sc, bytesSource("stocktake.csv", b))
	m := sc.mapping
	if m == nil {
		t.Fatal("no mapping dialog for an unknown layout")
	}
	m.kind.SetSelected("Stock counts")
	if got, want := len(m.fields), 3; got != want {
		t.Fatalf("stock count fields = %d, want %d", got, want)
	}
	if !m.channel.Disabled() {
		t.Error("the channel is asked for a stock count")
	}
	m.name.SetText("Shelf count")
	m.columns["sku"].SetSelected("Item code")
	m.columns["quantity"].SetSelected("Counted")
	m.columns["location"].SetSelected("Shelf")
	test.Tap(m.save)
	settle(a)
	if job.result == nil || !job.result.Committed {
		t.Fatalf("result = %+v, err %v, message %q", job.result, job.err, m.message.Text)
	}
	if got, want := sc.summary.Text, "Imported a new stock count for 1 SKU."; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	levels, err := a.base.StockLevels(context.Background(), data.StockFilter{Search: "MUG-BLUE"})
	if err != nil || len(levels) != 1 {
		t.Fatalf("stock of MUG-BLUE: %v, %v", levels, err)
	}
	if got, want := levels[0].OnHand, int64(15); got != want {
		t.Errorf("MUG-BLUE on hand after the count = %d, want %d", got, want)
	}
}

func TestImports_UnmatchedTabStillMaps(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)
	sc.tabs.Select(sc.unmatchedTab)
	if got, want := sc.unmatchedTab.Text, "Unmatched SKUs (1)"; got != want {
		t.Errorf("tab = %q, want %q", got, want)
	}
	if len(sc.unmatched.rows) != 1 {
		t.Fatalf("unmatched rows = %d, want the candle", len(sc.unmatched.rows))
	}
	sc.unmatched.choose(0)
	test.Tap(sc.mapSKU)
	sc.mapTo.SetText("TOWEL")
	test.Tap(sc.mapSave)
	settle(a)
	if !strings.Contains(sc.message.Text, "1 order line matched") {
		t.Errorf("message = %q", sc.message.Text)
	}
	settle(a)
	if got, want := sc.unmatchedTab.Text, "Unmatched SKUs"; got != want {
		t.Errorf("tab after mapping = %q, want %q", got, want)
	}
}

func TestImports_NewLocationsArePlacedAfterACheck(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*importsScreen](t, a, sectionImports)
	ctx := context.Background()
	if _, err := a.base.AdjustStock(ctx, data.Adjustment{SKU: "MUG-BLUE", Delta: 1, Reason: data.ReasonCount, Note: "found"}); err != nil {
		t.Fatal(err)
	}
	locs, err := a.base.Locations(ctx)
	if err != nil || len(locs) == 0 {
		t.Fatalf("locations: %v, %v", locs, err)
	}
	shop := locs[0].Name

	b := sheet("Handle,Title,Option1 Name,Option1 Value,SKU,HS Code,COO,Location,On hand (current),On hand (new)",
		map[string]string{"Handle": "mug", "Title": "Mug", "Option1 Name": "Colour", "Option1 Value": "Blue", "SKU": "MUG-BLUE",
			"Location": "1 Example Street", "On hand (current)": "9"})
	job := addFile(t, a, sc, bytesSource("inventory_export.csv", b))
	test.Tap(sc.check)
	settle(a)
	if job.result == nil || len(job.result.LocationsAdded) != 1 || !sc.placeLocations.Visible() {
		t.Fatalf("after the check: result %+v, place button shown %v", job.result, sc.placeLocations.Visible())
	}
	test.Tap(sc.placeLocations)
	settle(a)
	pick := sc.locationPicks["1 Example Street"]
	if pick == nil || pick.Selected != newLocationChoice || !slices.Contains(pick.Options, shop) {
		t.Fatalf("location pick = %+v", pick)
	}
	pick.SetSelected(shop)
	sc.useLocations(job)
	settle(a)
	if job.result == nil || len(job.result.LocationsAdded) != 0 || sc.placeLocations.Visible() {
		t.Fatalf("the check with the location placed still adds one: %+v", job.result)
	}
	test.Tap(sc.importButton)
	settle(a)
	if job.result == nil || !job.result.Committed {
		t.Fatalf("import: %+v, %v", job.result, job.err)
	}
	after, err := a.base.Locations(ctx)
	if err != nil || len(after) != len(locs) {
		t.Fatalf("locations after the import: %d, want still %d (%v)", len(after), len(locs), err)
	}
	byLoc, err := a.base.StockByLocation(ctx, "MUG-BLUE")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range byLoc {
		if l.Location == shop && l.OnHand != 9 {
			t.Errorf("MUG-BLUE at %s = %d, want the counted 9", shop, l.OnHand)
		}
	}
}
