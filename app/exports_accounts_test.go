package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

// findButton finds a visible button by its text inside o.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(o, func(obj fyne.CanvasObject) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no %q button; there is %q", text, texts(o))
	}
	return found
}

// showAccountsDays shows the last 60 days up to today on the accounts part, through its Custom dates.
func showAccountsDays(t *testing.T, a *App, ae *accountsExport) data.AccountsPeriod {
	t.Helper()
	test.Tap(ae.kind.buttons[accountsCustom])
	today := a.store.Now().In(ae.zone)
	from := today.AddDate(0, 0, -60)
	ae.from.SetDate(&from)
	ae.to.SetDate(&today)
	test.Tap(ae.show)
	waitUI(a)
	p, err := data.NewAccountsPeriod(from, today, ae.zone)
	if err != nil {
		t.Fatal(err)
	}
	if ae.shown == nil || ae.shown.period.Key() != p.Key() {
		t.Fatalf("the preview shows %v, want %v", ae.shown, p)
	}
	return p
}

func TestExportsAccounts(t *testing.T) {
	a := newTestApp(t)
	sc := showScreen[*exportsScreen](t, a, sectionExports)
	ae := sc.accounts

	t.Run("OpensOnLastMonth", func(t *testing.T) {
		now := a.store.Now().In(ae.zone)
		last := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, ae.zone)
		if got, want := ae.pick.Selected, last.Format("January 2006"); got != want {
			t.Errorf("period menu = %q, want %q, the last complete month", got, want)
		}
		if got, want := ae.period.From, last; !got.Equal(want) {
			t.Errorf("period from %v, want %v", got, want)
		}
		test.Tap(ae.kind.buttons[accountsQuarter])
		waitUI(a)
		q := (int(now.Month())-1)/3 + 1
		qy := now.Year()
		if q--; q == 0 {
			q, qy = 4, qy-1
		}
		if want := data.QuarterPeriod(qy, q, ae.zone); ae.period.Key() != want.Key() {
			t.Errorf("Quarter opens on %v, want %v, the last complete quarter", ae.period, want)
		}
		test.Tap(ae.kind.buttons[accountsYear])
		waitUI(a)
		if want := data.YearPeriod(now.Year()-1, ae.zone); ae.period.Key() != want.Key() {
			t.Errorf("Year opens on %v, want %v", ae.period, want)
		}
	})

	p := showAccountsDays(t, a, ae)

	t.Run("Preview", func(t *testing.T) {
		// The test shop's orders of the last 60 days, cancelled 1003 left out; costs at the seeded unit
		// costs, the Etsy candle unknown. Margin = total − tax − refunds − cost.
		want := [][]string{
			{"Amazon", "GBP", "1", "£24.00", "£0.00", "£0.00", "£8.00", "£16.00"},
			{"Etsy", "GBP", "2", "£72.95", "£0.00", "£0.00", "£23.00", "£49.95"},
			{"Shopify", "GBP", "2", "£115.40", "£16.00", "£0.00", "£40.50", "£58.90"},
			{"Total", "GBP", "5", "£212.35", "£16.00", "£0.00", "£71.50", "£124.85"},
		}
		if got := ae.totals.rows; !slices.EqualFunc(got, want, slices.Equal[[]string]) {
			t.Errorf("preview =\n%q\nwant\n%q", got, want)
		}
		if !strings.Contains(ae.rows.Text, "Sales 6 ·") || !strings.Contains(ae.extra.Text, "1 sold line has no known cost") {
			t.Errorf("rows %q, extra %q", ae.rows.Text, ae.extra.Text)
		}
		if !strings.HasPrefix(ae.changes.Text, "This period has not been exported yet") || ae.changeCard.Visible() {
			t.Errorf("changes = %q before any export", ae.changes.Text)
		}
		if ae.export.Disabled() {
			t.Error("Export is disabled with the figures in")
		}
	})

	dir := t.TempDir()
	path := filepath.Join(dir, "books.xlsx")
	t.Run("Export", func(t *testing.T) {
		ae.saver.choose = saveTo(t, path)
		ae.alsoCSV.SetChecked(true)
		ae.lock.SetChecked(true)
		test.Tap(ae.export)
		waitUI(a)
		waitUI(a)
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("the workbook does not open: %v", err)
		}
		rows, err := f.GetRows("Sales")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(rows), 1+6; got != want {
			t.Errorf("Sales sheet has %d rows, want a header and 6 lines", got)
		}
		csvs, _ := filepath.Glob(filepath.Join(dir, "books (CSV)", "*.csv"))
		if len(csvs) < 5 {
			t.Errorf("CSV files = %v, want one per sheet in %q", csvs, "books (CSV)")
		}
		b, _ := os.ReadFile(path)
		sum := sha256.Sum256(b)
		log, err := a.store.AccountsExports(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].Format != "xlsx" || log[0].File != "books.xlsx" || log[0].SHA256 != hex.EncodeToString(sum[:]) ||
			!log[0].Locked || log[0].User != testOwner || log[0].Rows.Sales != 6 || log[1].Format != "csv" {
			t.Errorf("export log = %+v, want the locked workbook over its CSV files", log)
		}
		if ae.lastFile != path || !strings.HasPrefix(ae.result.Text, "Saved "+path) || !strings.Contains(ae.result.Text, "The period is locked") {
			t.Errorf("result = %q", ae.result.Text)
		}
		if len(ae.log.rows) != 2 || ae.log.rows[0][1] != "books.xlsx" || ae.log.rows[0][7] != "yes" || ae.log.rows[1][1] != "books (CSV)"+string(filepath.Separator) {
			t.Errorf("log tab rows = %q", ae.log.rows)
		}
		if want := ae.periodText(p) + ", locked by " + testOwner; !hasText(ae.locks, want) {
			t.Errorf("locked periods = %q, want %q", texts(ae.locks), want)
		}
		if !ae.lock.Disabled() || ae.lock.Checked || !strings.Contains(ae.span.Text, "locked by "+testOwner) {
			t.Errorf("a locked period offers to lock it again: span %q, check %q", ae.span.Text, ae.lock.Text)
		}
		if !strings.Contains(ae.changes.Text, "by "+testOwner+" (books.xlsx); nothing has changed since") {
			t.Errorf("changes after the export = %q", ae.changes.Text)
		}
	})

	t.Run("HeldAndChanged", func(t *testing.T) {
		// An order placed an hour ago arrives: the period is locked, so it waits.
		res, err := a.store.ApplyOrders(context.Background(), []data.Order{{Channel: "etsy", ExternalID: "1004", Status: data.StatusPaid,
			Currency: "GBP", PlacedAt: time.Now().Add(-time.Hour), Subtotal: 1200, Total: 1200,
			Lines: []data.OrderLine{{SKU: "MUG-BLUE", Name: "Blue mug", Quantity: 1, UnitPrice: 1200}}}})
		if err != nil || res.Held != 1 {
			t.Fatalf("ApplyOrders() = %+v, %v; want it held", res, err)
		}
		sc.refresh()
		waitUI(a)
		if !ae.heldBox.Visible() || !strings.HasPrefix(ae.heldNote.Text, "1 import is held back") {
			t.Errorf("held note = %q (visible %v)", ae.heldNote.Text, ae.heldBox.Visible())
		}
		if got, want := ae.logTab.Text, "Export log and locks (1 held)"; got != want {
			t.Errorf("log tab = %q, want %q", got, want)
		}
		test.Tap(findButton(t, ae.heldBox, "Review"))
		if sc.tabs.Selected() != ae.logTab {
			t.Error("Review does not open the log tab")
		}
		if !hasText(ae.held, "New order Etsy 1004") {
			t.Errorf("held changes = %q", texts(ae.held))
		}
		if !strings.Contains(ae.changes.Text, "nothing has changed since") {
			t.Errorf("a held order changed the books: %q", ae.changes.Text)
		}
		test.Tap(findButton(t, ae.held, "Apply"))
		waitUI(a)
		waitUI(a)
		if want := "since then 1 order added."; !strings.Contains(ae.changes.Text, want) {
			t.Errorf("changes = %q, want %q", ae.changes.Text, want)
		}
		if !ae.changeCard.Visible() || len(ae.changeList.rows) != 1 || ae.changeList.rows[0][0] != "Added" || ae.changeList.rows[0][2] != "1004" || ae.changeList.rows[0][5] != "£12.00" {
			t.Errorf("changed orders = %q", ae.changeList.rows)
		}
		if ae.heldBox.Visible() || len(ae.holding) != 0 {
			t.Errorf("still held after Apply: %q", texts(ae.held))
		}
	})

	t.Run("Unlock", func(t *testing.T) {
		test.Tap(findButton(t, ae.locks, "Unlock"))
		test.Tap(overlayButton(t, a, "Unlock"))
		waitUI(a)
		if locks, _ := a.store.PeriodLocks(context.Background()); len(locks) != 0 {
			t.Errorf("locks after Unlock = %+v", locks)
		}
		if !hasText(ae.locks, "No period is locked.") {
			t.Errorf("locked periods = %q", texts(ae.locks))
		}
		if ae.lock.Disabled() || strings.Contains(ae.span.Text, "locked") {
			t.Errorf("after Unlock: span %q, lock check disabled %v", ae.span.Text, ae.lock.Disabled())
		}
	})

}

func TestExportsAccounts_Roles(t *testing.T) {
	t.Run("Accountant", func(t *testing.T) {
		a := newTestAppAs(t, testAccountant)
		sc := showScreen[*exportsScreen](t, a, sectionExports)
		ae := sc.accounts
		if ae.lock != nil || ae.applyAll != nil {
			t.Error("the accountant is offered locking or applying held changes")
		}
		showAccountsDays(t, a, ae)
		path := filepath.Join(t.TempDir(), "ava.xlsx")
		ae.saver.choose = saveTo(t, path)
		test.Tap(ae.export)
		waitUI(a)
		waitUI(a)
		if _, err := excelize.OpenFile(path); err != nil {
			t.Fatalf("the accountant's workbook: %v", err)
		}
		log, err := a.store.AccountsExports(context.Background(), 0)
		if err != nil || len(log) != 1 || log[0].User != testAccountant || log[0].Locked {
			t.Errorf("export log = %+v, %v; want the accountant's unlocked export", log, err)
		}
		if len(ae.log.rows) != 1 || ae.log.rows[0][3] != testAccountant {
			t.Errorf("log tab = %q", ae.log.rows)
		}
	})
	t.Run("Packer", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		if a.canShow(sectionExports) {
			t.Error("a packer sees Exports, and with it costs and margins")
		}
	})
}

func TestExportsAccounts_Cancel(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*exportsScreen](t, a, sectionExports)
	ae := sc.accounts
	showAccountsDays(t, a, ae)
	dir := t.TempDir()
	path := filepath.Join(dir, "books.xlsx")
	ae.saver.choose = saveTo(t, path)
	ae.alsoCSV.SetChecked(true)
	// The writer's first progress report waits for the UI, which the test holds: Cancel is pressed while
	// the export is under way.
	test.Tap(ae.export)
	test.Tap(overlayButton(t, a, "Cancel"))
	settle(a)
	settle(a)
	if got, want := ae.result.Text, "Export cancelled; no file was kept."; got != want {
		t.Errorf("result = %q, want %q", got, want)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a cancelled export left %v", left)
	}
	if log, err := a.store.AccountsExports(context.Background(), 0); err != nil || len(log) != 0 {
		t.Errorf("a cancelled export is logged: %+v, %v", log, err)
	}
}
