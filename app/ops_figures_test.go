package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// opsTestApp is the test shop with shopify 2002 (packed, ship by tomorrow) handed to Royal Mail, and
// the operations cards alone in the window, loaded.
func opsTestApp(t *testing.T, name string) (*App, *opsCards) {
	t.Helper()
	ctx := context.Background()
	a := newTestAppAs(t, name)
	holdUI(t, a)
	o, err := a.base.OrderByKey(ctx, "shopify", "2002")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.base.ShipOrder(ctx, o.ID, data.Shipment{Carrier: "Royal Mail", Service: "Tracked 48", Tracking: "AB123456789GB"}); err != nil {
		t.Fatal(err)
	}
	c := newOpsCards(a)
	a.win.SetContent(container.NewVScroll(container.NewPadded(c.view())))
	c.load()
	settle(a)
	return a, c
}

// links lists the text of the hyperlinks inside o.
func links(o fyne.CanvasObject) map[string]*widget.Hyperlink {
	out := map[string]*widget.Hyperlink{}
	walk(o, func(obj fyne.CanvasObject) {
		if l, ok := obj.(*widget.Hyperlink); ok {
			out[l.Text] = l
		}
	})
	return out
}

func TestOpsCards(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		a, c := opsTestApp(t, testOwner)
		// Placed in the last 30 days: 1002 new, 1001 paid (imported so), 2002 packed then shipped just now;
		// 1003 and 2001 came in cancelled and shipped, so they waited in no open status. All within a minute.
		wantAges := [][]string{
			{"New", "1", "< 1 min", "< 1 min", "< 1 min"},
			{"Paid", "1", "< 1 min", "< 1 min", "< 1 min"},
			{"Picking", "0", "–", "–", "–"},
			{"Packed", "1", "< 1 min", "< 1 min", "< 1 min"},
		}
		if !slices.EqualFunc(c.ages.rows, wantAges, slices.Equal) || !c.ages.box.Visible() {
			t.Errorf("bottlenecks table = %q, want %q", c.ages.rows, wantAges)
		}
		// 2002 was due tomorrow and left now: on time; not delivered, so no transit yet. 2001 and 3001
		// were imported shipped without a shipment.
		wantCarriers := [][]string{{"Royal Mail", "Tracked 48", "1", "100%", "–"}}
		if !slices.EqualFunc(c.carrierTable.rows, wantCarriers, slices.Equal) || !c.carrierTable.box.Visible() {
			t.Errorf("carriers table = %q, want %q", c.carrierTable.rows, wantCarriers)
		}
		for _, s := range []string{"Bottlenecks", "Carriers, last 30 days", "Stuck longer than 2 days: none", "Avg transit", "Longest"} {
			if !hasText(c.root, s) {
				t.Errorf("cards do not show %q; they show %q", s, texts(c.root))
			}
		}
		if len(links(c.stuck)) != 0 {
			t.Errorf("stuck list = %v, want none", links(c.stuck))
		}

		// Everything open is stuck for longer than a millisecond: 1001 and 1002, in the order they came in.
		c.stuckAfter = time.Millisecond
		c.load()
		settle(a)
		if got, want := c.stuckTitle.Text, "Stuck longer than < 1 min: 2 orders"; got != want {
			t.Errorf("stuck title = %q, want %q", got, want)
		}
		ls := links(c.stuck)
		if len(ls) != 2 || ls["1001"] == nil || ls["1002"] == nil || !hasText(c.stuck, "Paid") || !hasText(c.stuck, "New") {
			t.Fatalf("stuck list = %v, %q", ls, texts(c.stuck))
		}
		link := ls["1001"]
		// A hyperlink follows only taps on its text, not on the padding around it.
		test.TapAt(link, fyne.NewPos(theme.InnerPadding()+2, link.Size().Height/2))
		settle(a)
		sc, ok := a.screens[sectionOrders].(*ordersScreen)
		if !ok || a.current != sectionOrders || sc.order == nil || sc.order.ExternalID != "1001" {
			t.Errorf("tapping 1001 shows %q (orders screen built: %v)", a.current, ok)
		} else if got := sc.search.Text; got != "1001" {
			t.Errorf("orders searched for %q, want 1001", got)
		}
	})
	t.Run("Accountant", func(t *testing.T) {
		_, c := opsTestApp(t, testAccountant)
		if !c.root.Visible() || len(c.carrierTable.rows) != 1 || len(c.ages.rows) != 4 {
			t.Errorf("accountant's cards: visible %v, carriers %q, ages %q", c.root.Visible(), c.carrierTable.rows, c.ages.rows)
		}
	})
	t.Run("PackerSeesNothing", func(t *testing.T) {
		_, c := opsTestApp(t, testPacker)
		if c.root.Visible() || len(c.ages.rows) != 0 {
			t.Errorf("packer's cards: visible %v, ages %q", c.root.Visible(), c.ages.rows)
		}
	})
}

func TestOpsWaitText(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Second, "< 1 min"},
		{45 * time.Minute, "45 min"},
		{3 * time.Hour, "3 h"},
		{3*time.Hour + 20*time.Minute + 10*time.Second, "3 h 20 min"},
		{52 * time.Hour, "2 d 4 h"},
		{48*time.Hour + 20*time.Minute, "2 d"},
	} {
		if got := waitText(tc.d); got != tc.want {
			t.Errorf("waitText(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := thresholdText(48 * time.Hour); got != "2 days" {
		t.Errorf("thresholdText(48h) = %q, want 2 days", got)
	}
}

// TestOpsScreenshots saves the two cards alone in a window, for a person to look at.
func TestOpsScreenshots(t *testing.T) {
	save := screenshots(t, "ops")
	a, c := opsTestApp(t, testOwner)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(900, 760))
	c.stuckAfter = time.Millisecond
	c.load()
	settle(a)
	save(a, "cards")
}

// TestOpsScreenshots_Sample draws the cards with figures of a busy week, to see long waits laid out.
func TestOpsScreenshots_Sample(t *testing.T) {
	save := screenshots(t, "ops")
	a, c := opsTestApp(t, testOwner)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(900, 900))
	now := time.Now()
	h := time.Hour
	var stuck []data.StuckOrder
	for i, id := range []string{"113-1234567-1234567", "1001", "2002", "3004", "3005", "3006", "3007", "3008", "3009", "3010", "3011", "3012"} {
		since := now.Add(-time.Duration(100-i*4) * h)
		stuck = append(stuck, data.StuckOrder{Order: data.Order{ID: int64(i + 1), Channel: "amazon", ExternalID: id, Status: data.StatusPaid},
			Status: data.StatusPaid, Since: since})
	}
	c.show(opsData{now: now,
		ages: []data.StatusAge{
			{Status: data.StatusNew, Orders: 1234, Average: 3*h + 20*time.Minute, Median: 2 * h, Longest: 52 * h},
			{Status: data.StatusPaid, Orders: 1180, Average: 26 * h, Median: 18 * h, Longest: 9*24*h + 5*h},
			{Status: data.StatusPicking, Orders: 1102, Average: 45 * time.Minute, Median: 30 * time.Minute, Longest: 7 * h},
			{Status: data.StatusPacked, Orders: 1100, Average: 5 * h, Median: 4 * h, Longest: 30 * h},
		},
		stuck: stuck,
		carriers: []data.CarrierFigures{
			{Carrier: "DPD", Service: "Next Day", Shipped: 212, OnTime: 205, WithShipBy: 210, Delivered: 190, AverageTransit: 22 * h},
			{Carrier: "Evri", Service: "", Shipped: 15},
			{Carrier: "Parcelforce Worldwide", Service: "express48 large parcels", Shipped: 1502, OnTime: 1200, WithShipBy: 1500, Delivered: 1400, AverageTransit: 2*24*h + 4*h},
		},
	})
	save(a, "sample")
	if got := len(links(c.stuck)); got != stuckShown || c.stuckMore.Text != "Show all 12" {
		t.Errorf("stuck list shows %d orders and %q, want %d and Show all 12", got, c.stuckMore.Text, stuckShown)
	}
	test.Tap(c.stuckMore)
	if got := len(links(c.stuck)); got != 12 || c.stuckMore.Visible() {
		t.Errorf("after Show all: %d orders, button visible %v", got, c.stuckMore.Visible())
	}
}
