package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/backroom-app/backroom/data"
)

func TestDashboard(t *testing.T) {
	ctx := context.Background()

	t.Run("Figures", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		late, err := a.base.Orders(ctx, data.OrderFilter{Statuses: data.OpenStatuses(), ShipByBefore: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := sc.late.value.Text, "1"; got != want || len(late) != 1 {
			t.Errorf("late tile = %s, want %s (seeded late orders: %d)", got, want, len(late))
		}
		if got, want := sc.late.value.Color, theme.Color(theme.ColorNameError); got != want {
			t.Errorf("late figure colour = %v, want the error colour %v", got, want)
		}
		for name, tc := range map[string]struct {
			tile *figureTile
			want string
		}{
			"open":      {sc.open, "3"},      // 1001 paid, 1002 new, 2002 packed
			"oversold":  {sc.oversold, "1"},  // APRON-RUST: 3 on hand, 4 on order
			"unmatched": {sc.unmatched, "1"}, // the candle on 1002
			"shipped":   {sc.statuses[data.StatusShipped], "1"},
			"delivered": {sc.statuses[data.StatusDelivered], "1"},
		} {
			if got := tc.tile.value.Text; got != tc.want {
				t.Errorf("%s tile = %s, want %s", name, got, tc.want)
			}
		}
		if !sc.sales.Visible() {
			t.Error("owner's sales table is hidden, want shown")
		}
		// Last 30 days: etsy 1001 + 1002 (51.95 + 21.00; 1003 is cancelled), shopify 2001 + 2002 (8.00 + 107.40).
		for _, want := range []string{"Revenue", "Etsy", "£72.95", "Shopify", "£115.40", "£188.35"} {
			if !hasText(sc.sales, want) {
				t.Errorf("sales table has no %q; it shows %q", want, texts(sc.sales))
			}
		}
		if got, want := len(sc.recent.Objects), 1+6; got != want {
			t.Errorf("recent orders rows = %d, want %d (header and 6 orders)", got, want)
		}
	})

	t.Run("LateTileOpensLateOrders", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		test.Tap(sc.late.button)
		waitUI(a)
		if got, want := a.current, sectionOrders; got != want {
			t.Fatalf("section after tapping Late = %q, want %q", got, want)
		}
		orders := a.views[a.current]
		if !hasText(orders, "1001") {
			t.Errorf("Orders after tapping Late does not list late order 1001; it shows %q", texts(orders))
		}
		if hasText(orders, "1002") || hasText(orders, "2002") {
			t.Errorf("Orders after tapping Late lists orders that are not late: %q", texts(orders))
		}
	})

	t.Run("UnmatchedTileOpensImports", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		test.Tap(sc.unmatched.button)
		waitUI(a)
		if got, want := a.current, sectionImports; got != want {
			t.Errorf("section after tapping Unmatched = %q, want %q", got, want)
		}
		if imp, ok := a.screens[sectionImports].(*importsScreen); !ok || imp.tabs.Selected() != imp.unmatchedTab {
			t.Errorf("Imports opened on another tab than the unmatched queue")
		}
	})

	t.Run("PackerSeesNoMoney", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		holdUI(t, a)
		sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
		if sc.sales.Visible() {
			t.Error("packer's dashboard shows the sales table")
		}
		view := a.views[a.current]
		for _, s := range texts(view) {
			if strings.ContainsAny(s, "£$€") || strings.Contains(s, "Revenue") || strings.Contains(s, "margin") {
				t.Errorf("packer's dashboard shows money: %q", s)
			}
		}
		if got, want := sc.late.value.Text, "1"; got != want {
			t.Errorf("packer's late tile = %s, want %s", got, want)
		}
		if sc.unmatched.button != nil {
			t.Error("packer's unmatched tile is tappable, but packers have no Imports section")
		}
	})
}

// TestDashboard_Returns: the owner sees which products came back and why; the packer's dashboard has no
// returns card.
func TestDashboard_Returns(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	o, err := a.base.OrderByKey(ctx, "shopify", "2001") // shipped 4 days ago: 1 × TOWEL
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.RecordReturn(ctx, data.Return{OrderID: o.ID, SKU: "TOWEL", Units: 1, Reason: data.ReturnDamaged,
		Condition: data.ConditionDamaged, Disposition: data.WriteOff}); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
	sc.load() // the dashboard opened before the return was recorded
	settle(a)
	if !sc.returns.Visible() || !hasText(sc.returns, "TOWEL") || !hasText(sc.returns, "100%") || !hasText(sc.returnsWhy, "damaged 1") {
		t.Errorf("returns card shows %q", texts(sc.returns))
	}

	p := newTestAppAs(t, testPacker)
	holdUI(t, p)
	psc := showScreen[*dashboardScreen](t, p, sectionDashboard)
	if psc.returns.Visible() {
		t.Error("the packer's dashboard shows return rates")
	}
}

func TestDashboard_Screenshots(t *testing.T) {
	save := screenshots(t, "dashboard")
	ctx := context.Background()
	a := newTestApp(t)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(1200, 1700))
	holdUI(t, a)
	o, err := a.base.OrderByKey(ctx, "amazon", "3001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.RecordReturn(ctx, data.Return{OrderID: o.ID, SKU: "MUG-BLUE", Units: 1, Reason: data.ReturnChangedMind,
		Condition: data.ConditionAsNew, Disposition: data.Restock}); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
	sc.load()
	settle(a)
	save(a, "1-owner")
}

// TestDashboard_OwnerTiles: the owner's dashboard counts SKUs at risk and order e-mails waiting for
// review; the packer's has neither.
func TestDashboard_OwnerTiles(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	if _, err := a.store.ApplyMail(ctx, data.MailBatch{Messages: []data.MailMessage{{MessageID: "odd@example.com",
		Subject: "Order 77", Kind: data.MailUnknownOrder, Raw: []byte("Subject: Order 77\r\n\r\n1 mug\r\n")}}}); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
	sc.load()
	settle(a)
	if got := sc.mailReview.value.Text; got != "1" {
		t.Errorf("mail to review tile = %s, want 1", got)
	}
	if got := sc.atRisk.value.Text; got != "1" { // APRON-RUST: 4 on order, 3 on hand
		t.Errorf("at-risk tile = %s, want 1", got)
	}
	if !sc.ownerFigures() {
		t.Error("the owner's dashboard leaves out the owner's tiles")
	}

	p := newTestAppAs(t, testPacker)
	holdUI(t, p)
	psc := showScreen[*dashboardScreen](t, p, sectionDashboard)
	if psc.ownerFigures() || psc.atRisk.value.Text != "0" || psc.mailReview.value.Text != "0" {
		t.Errorf("the packer's dashboard has the owner's tiles: at risk %s, mail %s", psc.atRisk.value.Text, psc.mailReview.value.Text)
	}
}
