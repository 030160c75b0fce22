package app

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/backroom-app/backroom/data"
)

// onHand is a SKU's stock on hand, read as the owner.
func onHand(t *testing.T, a *App, sku string) int64 {
	t.Helper()
	l, err := a.base.StockLevel(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	return l.OnHand
}

// signInWhileHeld opens the test shop and signs name in while the test holds the UI. newTestAppAs signs
// in on the test goroutine without holding it, so the first screen's background results can arrive
// while that screen is still being built, which -race reports.
func signInWhileHeld(t *testing.T, name string) *App {
	t.Helper()
	a := newTestApp(t)
	holdUI(t, a)
	u, err := a.base.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	a.signedIn(a.base.As(u))
	settle(a)
	return a
}

// findReturnOrder types an order number into the returns dialog and waits for its lines.
func findReturnOrder(a *App, p *returnsPart, number string) {
	p.find.SetText(number)
	p.find.OnSubmitted(number)
	waitUI(a)
}

func TestReturns_Record(t *testing.T) {
	ctx := context.Background()

	t.Run("RestockAsPacker", func(t *testing.T) {
		a := signInWhileHeld(t, testPacker)
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		p := sc.returns
		if p.open.Disabled() {
			t.Fatal("Record a return… is disabled for the packer")
		}
		test.Tap(p.open)
		waitUI(a)
		before := onHand(t, a, "TOWEL")

		findReturnOrder(a, p, "#2001") // shopify 2001: one tea towel, shipped
		if !p.summary.Visible() || !strings.Contains(p.summary.Text, "2001") {
			t.Fatalf("summary = %q (shown %v), want shopify order 2001", p.summary.Text, p.summary.Visible())
		}
		if got, want := p.line.Selected, "1 · TOWEL Tea towel — 1 shipped, 0 back"; got != want {
			t.Errorf("line = %q, want the only line chosen: %q", got, want)
		}
		p.reason.SetSelected("Damaged")
		p.condition.SetSelected("Opened")
		p.refund.SetText("8.00")
		test.Tap(p.record)
		waitUI(a)

		if p.problem.Visible() {
			t.Fatalf("problem shown: %q", p.problem.Text)
		}
		if got := onHand(t, a, "TOWEL"); got != before+1 {
			t.Errorf("TOWEL on hand = %d, want %d", got, before+1)
		}
		if want := "Recorded: 1 × TOWEL from Shopify order 2001, back on stock: put it in bin G-1; refund £8.00. " +
			"Everything has come back: the order is now returned."; p.done.Text != want {
			t.Errorf("done = %q, want %q", p.done.Text, want)
		}
		list, err := a.base.Returns(ctx, data.ReturnFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].UserName != testPacker || list[0].Refund != 800 || list[0].Condition != data.ConditionOpened {
			t.Errorf("returns = %+v", list)
		}
		if !hasText(p.recent, "2001") || !hasText(p.recent, "refund £8.00") {
			t.Errorf("recent returns show %q, want the one just recorded", texts(p.recent))
		}
		if !p.record.Disabled() {
			t.Error("Record return is enabled although nothing on the order is left to come back")
		}
	})

	t.Run("WriteOffMovesNothing", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		p := sc.returns
		test.Tap(p.open)
		waitUI(a)
		before := onHand(t, a, "MUG-BLUE")
		findReturnOrder(a, p, "3001") // amazon 3001: two blue mugs, delivered
		p.units.SetText("3")
		p.reason.SetSelected("Wrong item")
		p.disposition.SetSelected(writeOffLabel)
		test.Tap(p.record)
		waitUI(a)
		if !p.problem.Visible() || !strings.Contains(p.problem.Text, "Only 2 of line 1 can still come back") {
			t.Errorf("three of two mugs: problem %q (shown %v)", p.problem.Text, p.problem.Visible())
		}
		p.units.SetText("2")
		test.Tap(p.record)
		waitUI(a)
		if got := onHand(t, a, "MUG-BLUE"); got != before {
			t.Errorf("MUG-BLUE on hand = %d after a write-off, want %d", got, before)
		}
		if !strings.Contains(p.done.Text, "written off") {
			t.Errorf("done = %q", p.done.Text)
		}
	})

	t.Run("UnknownOrder", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		p := sc.returns
		test.Tap(p.open)
		waitUI(a)
		findReturnOrder(a, p, "1001") // paid, not shipped
		if !p.problem.Visible() || !strings.Contains(p.problem.Text, "There is no shipped order 1001") || !p.record.Disabled() {
			t.Errorf("problem %q (shown %v), record disabled %v", p.problem.Text, p.problem.Visible(), p.record.Disabled())
		}
	})
}

// TestReturns_Screenshots saves the returns dialog as PNG files in the folder named by BACKROOM_SCREENSHOTS.
func TestReturns_Screenshots(t *testing.T) {
	save := screenshots(t, "returns")
	a := signInWhileHeld(t, testPacker)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(1200, 860))
	sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
	shot := func(name string) { t.Helper(); save(a, name) }
	shot("1-fulfillment")
	p := sc.returns
	test.Tap(p.open)
	waitUI(a)
	findReturnOrder(a, p, "3001")
	p.reason.SetSelected("Damaged")
	p.condition.SetSelected("Damaged")
	p.refund.SetText("12.00")
	shot("2-form")
	test.Tap(p.record)
	waitUI(a)
	shot("3-recorded")
}
