package app

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/backroom-app/backroom/data"
)

// queueNumbers lists the order numbers of the fulfillment queue in display order.
func queueNumbers(sc *fulfillmentScreen) []string {
	var out []string
	for _, o := range sc.orders {
		out = append(out, o.ExternalID)
	}
	return out
}

// pressEnter types Enter into a focused widget.
func pressEnter(w fyne.Focusable) {
	w.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// scan types an order number into the find field and presses Enter, as a barcode scanner does.
func scan(sc *fulfillmentScreen, number string) {
	test.Type(sc.find, number)
	pressEnter(sc.find)
}

func TestFulfillment(t *testing.T) {
	ctx := context.Background()

	t.Run("QueueAndPickList", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		// A second order for the sage apron, with no ship-by date, so the pick list has a sum to make.
		if _, err := a.base.ApplyOrders(ctx, []data.Order{{Channel: "shopify", ExternalID: "2003", Status: data.StatusPaid,
			PlacedAt: time.Now().Add(-time.Hour), Currency: "GBP",
			Lines: []data.OrderLine{{SKU: "APRON-SAGE", Quantity: 3}, {SKU: "MUG-BLUE", Quantity: 1}}}}); err != nil {
			t.Fatal(err)
		}
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		// Late 1001 first, then by ship-by (2002 tomorrow, 1002 in two days), then 2003 without a date.
		if got, want := queueNumbers(sc), []string{"1001", "2002", "1002", "2003"}; !reflect.DeepEqual(got, want) {
			t.Errorf("queue = %v, want %v", got, want)
		}
		if got := sc.urgencyOf(sc.orders[0]); got != urgencyLate {
			t.Errorf("urgency of 1001 = %v, want late", got)
		}
		if text, _ := sc.shipByText(sc.orders[0]); text[:4] != "LATE" {
			t.Errorf("ship-by text of 1001 = %q, want it to start with LATE", text)
		}

		test.Tap(sc.selectAll)
		waitUI(a)
		type pick struct {
			SKU, Bin string
			Qty      int64
			Orders   string
		}
		var got []pick
		for _, it := range sc.picks {
			got = append(got, pick{it.SKU, it.Bin, it.Quantity, fmt.Sprint(it.Orders)})
		}
		want := []pick{
			{"APRON-SAGE", "A-01", 5, "[1001 2003]"},
			{"APRON-RUST", "A-02", 4, "[2002]"},
			{"MUG-BLUE", "B-01", 2, "[1002 2003]"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("pick list = %+v, want %+v", got, want)
		}
		if len(sc.unpicked) != 1 || sc.unpicked[0].Name != "Soy candle" || !sc.unmatchedBox.Visible() {
			t.Errorf("unmatched picks = %+v (shown %v), want the soy candle, shown", sc.unpicked, sc.unmatchedBox.Visible())
		}
		if got, want := sc.pickTitle.Text, "Pick list · 4 orders, 12 units"; got != want {
			t.Errorf("pick title = %q, want %q", got, want)
		}

		test.Tap(sc.clear)
		waitUI(a)
		if len(sc.picks) != 0 || sc.markShipped.Disabled() == false {
			t.Errorf("after Clear: %d picks, Mark shipped enabled = %v; want none and disabled", len(sc.picks), !sc.markShipped.Disabled())
		}
		sc.queue.Select(1) // tapping a row ticks it
		waitUI(a)
		if got := sc.selectedOrders(); len(got) != 1 || got[0].ExternalID != "2002" {
			t.Errorf("ticked after tapping row 1 = %v, want 2002", got)
		}
		if !sc.startPicking.Disabled() {
			t.Error("Start picking is enabled for a packed order, want disabled")
		}
	})

	t.Run("MarkShippedMovesStockOnce", func(t *testing.T) {
		a := newTestApp(t)
		holdUI(t, a)
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		scan(sc, "#1001")
		waitUI(a)
		if got := sc.selectedOrders(); len(got) != 1 || got[0].ExternalID != "1001" {
			t.Fatalf("ticked after scanning 1001 = %v, want 1001", got)
		}
		pressEnter(sc.markShipped)
		sc.bulkShip.carrier.SetText("Royal Mail")
		sc.bulkShip.service.SetText("2nd Class")
		test.Tap(sc.bulkShip.ship)
		waitUI(a)

		o, err := a.base.OrderByKey(ctx, "etsy", "1001")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != data.StatusShipped {
			t.Errorf("1001 status = %s, want shipped", o.Status)
		}
		if sh, ok, err := a.base.Shipment(ctx, o.ID); !ok || err != nil || sh.Carrier != "Royal Mail" || sh.Service != "2nd Class" || sh.Tracking != "" {
			t.Errorf("shipment of 1001 = %+v, %v, %v", sh, ok, err)
		}
		if got, want := queueNumbers(sc), []string{"2002", "1002"}; !reflect.DeepEqual(got, want) {
			t.Errorf("queue after shipping = %v, want %v", got, want)
		}
		if len(sc.selected) != 0 {
			t.Errorf("ticks after shipping = %v, want none (1001 left the queue)", sc.selected)
		}
		// Moving it on again, as delivered, must not deduct a second time.
		if _, err := a.base.SetOrderStatus(ctx, o.ID, data.StatusDelivered); err != nil {
			t.Fatal(err)
		}
		l, err := a.base.StockLevel(ctx, "APRON-SAGE")
		if err != nil {
			t.Fatal(err)
		}
		if l.OnHand != 8 || l.Reserved != 0 {
			t.Errorf("APRON-SAGE on hand %d, reserved %d; want 8 and 0 (10 received, 2 shipped once)", l.OnHand, l.Reserved)
		}
		ms, _ := a.base.Movements(ctx, "APRON-SAGE", 0, 0)
		sales := 0
		for _, m := range ms {
			if m.Reason == data.ReasonSale {
				sales++
			}
		}
		if sales != 1 {
			t.Errorf("sale movements of APRON-SAGE = %d, want 1", sales)
		}
	})

	t.Run("PackerWorksTheQueue", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		holdUI(t, a)
		if got, want := a.current, sectionFulfillment; got != want {
			t.Errorf("packer opens on %q, want %q", got, want)
		}
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		scan(sc, "1002")
		waitUI(a)
		test.Tap(sc.startPicking)
		waitUI(a)
		if got := sc.selectedOrders(); len(got) != 1 || got[0].Status != data.StatusPicking {
			t.Fatalf("ticked after Start picking = %+v, want 1002 still ticked, picking", got)
		}
		// Nothing was checked into the box yet: Mark packed refuses and says where to pack it.
		test.Tap(sc.markPacked)
		waitUI(a)
		if !strings.Contains(sc.message.Text, "Not packed yet") || !strings.Contains(sc.message.Text, "1002") {
			t.Errorf("Mark packed before packing says %q", sc.message.Text)
		}
		// The mug has no barcode and the candle matched no SKU: both are confirmed by hand.
		packed, err := a.base.OrderByKey(ctx, "etsy", "1002")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range packed.Lines {
			if _, err := a.store.PackByHand(ctx, packed.ID, l.LineNo, l.SKU, l.Quantity); err != nil {
				t.Fatalf("by hand, line %d: %v", l.LineNo, err)
			}
		}
		test.Tap(sc.markPacked)
		waitUI(a)
		o, err := a.base.OrderByKey(ctx, "etsy", "1002")
		if err != nil {
			t.Fatal(err)
		}
		var steps []data.Status
		for _, h := range o.History {
			steps = append(steps, h.Status)
		}
		if want := []data.Status{data.StatusNew, data.StatusPicking, data.StatusPacked}; !reflect.DeepEqual(steps, want) {
			t.Errorf("1002 history = %v, want %v", steps, want)
		}
		if got, want := o.History[len(o.History)-1].UserName, testPacker; got != want {
			t.Errorf("packed by %q, want %q", got, want)
		}
	})
}
