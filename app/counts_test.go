package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// TestCounts_BlindCountThenApproval: the packer counts shelf A-01 by scanning without seeing what the
// ledger expects and hands it over; the owner sees the difference and approves it with a reason.
func TestCounts_BlindCountThenApproval(t *testing.T) {
	ctx := context.Background()
	a := newTestAppAs(t, testPacker)
	holdUI(t, a)
	sc := showScreen[*countsScreen](t, a, sectionCounts)
	sc.location.SetSelected("Shop")
	sc.bin.SetText("A-01")
	test.Tap(sc.start)
	settle(a)
	if !sc.panel.Visible() || sc.current.ID == 0 || len(sc.current.Lines) != 1 {
		t.Fatalf("after start: panel %v, count %+v", sc.panel.Visible(), sc.current)
	}
	if hasText(sc.linesBox, "Ledger") {
		t.Error("the packer sees what the ledger expects: the count is not blind")
	}
	for range 3 {
		sc.scan.SetText("5012345678900")
		sc.scan.OnSubmitted(sc.scan.Text)
		settle(a)
	}
	if sc.message.Text != "APRON-SAGE: 3 counted" || sc.message.Importance != widget.SuccessImportance {
		t.Errorf("after three scans: %q", sc.message.Text)
	}
	sc.scan.OnSubmitted("no-such-code")
	settle(a)
	if sc.message.Importance != widget.DangerImportance || !hasText(sc.message, "unknown code no-such-code") {
		t.Errorf("unknown code: %q", sc.message.Text)
	}
	test.Tap(sc.submit)
	settle(a)
	if sc.current.Status != data.CountSubmitted || !sc.approve.Hidden {
		t.Fatalf("after submit: %s, approve shown to the packer %v", sc.current.Status, !sc.approve.Hidden)
	}
	if l, _ := a.store.StockLevel(ctx, "APRON-SAGE"); l.OnHand != 10 {
		t.Errorf("stock moved before approval: %d", l.OnHand)
	}

	owner, err := a.base.UserByName(ctx, testOwner)
	if err != nil {
		t.Fatal(err)
	}
	a.signedIn(a.base.As(owner))
	settle(a)
	sc = showScreen[*countsScreen](t, a, sectionCounts)
	if len(sc.counts) != 1 {
		t.Fatalf("owner sees %d open counts", len(sc.counts))
	}
	sc.open.Select(0)
	settle(a)
	if !hasText(sc.linesBox, "Ledger") || !hasText(sc.summary, "Approving changes 1 SKU") {
		t.Errorf("owner's view: %q / %q", texts(sc.linesBox), sc.summary.Text)
	}
	test.Tap(sc.approve)
	sc.reason.SetText("monthly shelf count")
	sc.approving.Submit()
	settle(a)
	if l, _ := a.store.StockLevel(ctx, "APRON-SAGE"); l.OnHand != 3 {
		t.Errorf("after approval: %d on hand, want 3", l.OnHand)
	}
	if len(sc.counts) != 0 || sc.panel.Visible() {
		t.Errorf("after approval: %d open counts, panel %v", len(sc.counts), sc.panel.Visible())
	}
}

func TestCounts_Screenshots(t *testing.T) {
	save := screenshots(t, "counts")
	a := newTestApp(t)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(1200, 780))
	holdUI(t, a)
	sc := showScreen[*countsScreen](t, a, sectionCounts)
	shot := func(name string) { t.Helper(); save(a, name) }
	shot("1-start")
	sc.location.SetSelected("Shop")
	test.Tap(sc.start)
	settle(a)
	for _, code := range []string{"5012345678900", "5012345678900", "MUG-BLUE", "TOWEL"} {
		sc.scan.OnSubmitted(code)
		settle(a)
	}
	shot("2-counting")
	test.Tap(sc.approve)
	shot("3-approve")
}
