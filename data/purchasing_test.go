package data

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// poCost points at a unit cost.
func poCost(c int64) *int64 { return &c }

// purchasingShop is a GBP shop with a clock the test moves: MUG (10 on hand at 4.00), TEA (none, 2.50),
// CARD (not sold by the supplier), EURO (costed in EUR) and the kit GIFT; Alder Clay (7 days) sells MUG
// at 6.00 and TEA at 2.50.
func purchasingShop(t *testing.T) (s *Store, clock *time.Time, alder Supplier) {
	t.Helper()
	ctx := context.Background()
	now := testNow
	clock = &now
	s = mustOpenAt(t, clock)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 400)
	mustVariant(t, s, "TEA", "Earl Grey", 900, 250)
	mustVariant(t, s, "CARD", "Greeting card", 300, 80)
	if _, err := s.AddVariant(ctx, NewVariant{SKU: "EURO", ProductName: "Imported jug", Price: 3000, Cost: 1000, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	mustVariant(t, s, "GIFT", "Gift set", 2600, 0)
	if err := s.SetKit(ctx, "GIFT", []KitComponent{{SKU: "MUG", Quantity: 1}, {SKU: "TEA", Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	mustAdjust(t, s, "MUG", 10)
	alder = mustSupplier(t, s, "Alder Clay", 7)
	mustSupplierItem(t, s, SupplierItem{SupplierID: alder.ID, SKU: "MUG", SupplierSKU: "AC-MUG", UnitCost: poCost(600), PackSize: 6})
	mustSupplierItem(t, s, SupplierItem{SupplierID: alder.ID, SKU: "TEA", SupplierSKU: "AC-TEA", UnitCost: poCost(250)})
	return s, clock, alder
}

func mustCreatePO(t *testing.T, s *Store, p NewPO) PurchaseOrder {
	t.Helper()
	po, err := s.CreatePO(context.Background(), p)
	if err != nil {
		t.Fatalf("CreatePO: %v", err)
	}
	return po
}

func mustSendPO(t *testing.T, s *Store, id int64, expected *time.Time) PurchaseOrder {
	t.Helper()
	po, err := s.SendPO(context.Background(), id, expected)
	if err != nil {
		t.Fatalf("SendPO(%d): %v", id, err)
	}
	return po
}

func mustReceivePO(t *testing.T, s *Store, id int64, lines ...POReceipt) PurchaseOrder {
	t.Helper()
	po, err := s.ReceivePO(context.Background(), id, lines, "")
	if err != nil {
		t.Fatalf("ReceivePO(%d, %v): %v", id, lines, err)
	}
	return po
}

func mustCost(t *testing.T, s *Store, sku string) int64 {
	t.Helper()
	v, err := s.Variant(context.Background(), sku)
	if err != nil || v.Cost == nil {
		t.Fatalf("Variant(%s) = %+v, %v", sku, v, err)
	}
	return *v.Cost
}

func TestMovingAverage(t *testing.T) {
	for _, c := range []struct{ onHand, cost, q, unit, want int64 }{
		{10, 400, 30, 600, 550}, // (4000 + 18000) / 40
		{0, 250, 5, 300, 300},   // nothing on hand: the delivery's cost
		{-4, 250, 5, 300, 300},  // oversold stock carries no cost
		{1, 100, 1, 101, 101},   // 100.5 rounds up
		{3, 100, 2, 101, 100},   // 100.4 rounds down
		{2, 100, 1, 101, 100},   // 100.33
		{1, 100, 2, 101, 101},   // 100.67
	} {
		if got := movingAverage(c.onHand, c.cost, c.q, c.unit); got != c.want {
			t.Errorf("movingAverage(%d at %d + %d at %d) = %d, want %d", c.onHand, c.cost, c.q, c.unit, got, c.want)
		}
	}
}

func TestStore_PurchaseOrder(t *testing.T) {
	ctx := context.Background()
	s, clock, alder := purchasingShop(t)
	created := *clock

	po := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Notes: " spring restock ", Lines: []NewPOLine{
		{SKU: "mug", Quantity: 30},
		{SKU: "TEA", Quantity: 12, UnitCost: poCost(300)},
	}})
	if po.Number != "PO-00001" || po.Status != POStatusDraft || po.Currency != "GBP" || po.Location != "Shop" || po.Notes != "spring restock" ||
		!po.CreatedAt.Equal(created) || po.SentAt != nil || po.Origin != POOriginManual {
		t.Errorf("created %+v", po)
	}
	wantLines := []POLine{
		{LineNo: 1, SKU: "MUG", Name: "Stoneware mug", SupplierSKU: "AC-MUG", Quantity: 30, UnitCost: 600},
		{LineNo: 2, SKU: "TEA", Name: "Earl Grey", SupplierSKU: "AC-TEA", Quantity: 12, UnitCost: 300},
	}
	if !slices.Equal(po.Lines, wantLines) || po.Total != 30*600+12*300 {
		t.Errorf("lines %+v total %d, want %+v total %d", po.Lines, po.Total, wantLines, 30*600+12*300)
	}

	t.Run("ErrLines", func(t *testing.T) {
		for _, c := range []struct {
			lines []NewPOLine
			kind  error
			say   string
		}{
			{nil, ErrInvalid, "at least one line"},
			{[]NewPOLine{{SKU: "MUG", Quantity: 1}, {SKU: "NOPE", Quantity: 1}}, ErrNotFound, "line 2: there is no SKU NOPE"},
			{[]NewPOLine{{SKU: "MUG", Quantity: 0}}, ErrInvalid, "line 1: the quantity of MUG"},
			{[]NewPOLine{{SKU: "GIFT", Quantity: 1}}, ErrInvalid, "line 1: GIFT is a kit"},
			{[]NewPOLine{{SKU: "MUG", Quantity: 1}, {SKU: "TEA", Quantity: 1}, {SKU: "Mug", Quantity: 2}}, ErrInvalid, "line 3: MUG is already on line 1"},
			{[]NewPOLine{{SKU: "MUG", Quantity: 1, UnitCost: poCost(-1)}}, ErrInvalid, "line 1: the unit cost"},
		} {
			_, err := s.CreatePO(ctx, NewPO{SupplierID: alder.ID, Lines: c.lines})
			if !errors.Is(err, c.kind) || !strings.Contains(UserMessage(err), c.say) {
				t.Errorf("CreatePO(%v) = %v, want %v saying %q", c.lines, err, c.kind, c.say)
			}
		}
		if _, err := s.CreatePO(ctx, NewPO{SupplierID: "nobody", Lines: []NewPOLine{{SKU: "MUG", Quantity: 1}}}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown supplier: %v", err)
		}
	})

	t.Run("DraftRules", func(t *testing.T) {
		if _, err := s.ReceivePO(ctx, po.ID, []POReceipt{{LineNo: 1, Quantity: 1}}, ""); !errors.Is(err, ErrConflict) {
			t.Errorf("receiving a draft: %v, want ErrConflict", err)
		}
		// A SKU the supplier is not known to sell can be ordered; without a cost it costs 0.
		up, err := s.UpdatePO(ctx, po.ID, NewPO{Notes: "spring restock", Lines: []NewPOLine{
			{SKU: "MUG", Quantity: 30}, {SKU: "TEA", Quantity: 12, UnitCost: poCost(300)}, {SKU: "CARD", Quantity: 50}, {SKU: "EURO", Quantity: 2, UnitCost: poCost(1500)},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got := up.Lines[2]; got != (POLine{LineNo: 3, SKU: "CARD", Name: "Greeting card", Quantity: 50}) || up.Number != po.Number {
			t.Errorf("CARD line = %+v", got)
		}
		po = up
	})

	lead := time.Duration(alder.LeadTimeDays) * 24 * time.Hour
	*clock = clock.Add(time.Hour)
	sent := *clock
	po = mustSendPO(t, s, po.ID, nil)
	if po.Status != POStatusSent || !po.SentAt.Equal(sent) || !po.ExpectedAt.Equal(sent.Add(lead)) {
		t.Errorf("sent %v at %v expected %v, want at %v expected %v", po.Status, po.SentAt, po.ExpectedAt, sent, sent.Add(lead))
	}
	if _, err := s.SendPO(ctx, po.ID, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("sending twice: %v", err)
	}
	if _, err := s.UpdatePO(ctx, po.ID, NewPO{Lines: []NewPOLine{{SKU: "MUG", Quantity: 1}}}); !errors.Is(err, ErrConflict) {
		t.Errorf("changing a sent order: %v", err)
	}

	// First delivery: all the mugs (10 on hand at 4.00 + 30 at 6.00 → 5.50), 5 of the 12 tea, the EURO jugs.
	*clock = clock.Add(6 * 24 * time.Hour)
	first := *clock
	po = mustReceivePO(t, s, po.ID, POReceipt{LineNo: 1, Quantity: 30}, POReceipt{LineNo: 2, Quantity: 5}, POReceipt{LineNo: 3, Quantity: 0},
		POReceipt{LineNo: 4, Quantity: 2})
	if po.Status != POStatusPartlyReceived || po.ReceivedAt != nil {
		t.Errorf("after the first delivery: %v received at %v, want partly received", po.Status, po.ReceivedAt)
	}
	if got, want := []int64{po.Lines[0].Received, po.Lines[1].Received, po.Lines[2].Received, po.Lines[3].Received}, []int64{30, 5, 0, 2}; !slices.Equal(got, want) {
		t.Errorf("received %v, want %v", got, want)
	}
	if got, want := mustLevel(t, s, "MUG").OnHand, int64(40); got != want {
		t.Errorf("MUG on hand = %d, want %d", got, want)
	}
	if got, want := mustCost(t, s, "MUG"), int64(550); got != want {
		t.Errorf("MUG cost = %d, want %d", got, want)
	}
	if got, want := mustCost(t, s, "TEA"), int64(300); got != want { // none on hand: 5 at 3.00
		t.Errorf("TEA cost = %d, want %d", got, want)
	}
	if got, want := mustCost(t, s, "EURO"), int64(1000); got != want {
		t.Errorf("EURO cost = %d, want %d (kept: another currency)", got, want)
	}
	if len(po.CostNotUpdated) != 1 || !strings.HasPrefix(po.CostNotUpdated[0], "EURO: its cost is kept in EUR") {
		t.Errorf("CostNotUpdated = %q, want EURO's currency", po.CostNotUpdated)
	}
	hist, err := s.CostHistory(ctx, "MUG")
	if err != nil {
		t.Fatal(err)
	}
	if want := []CostChange{{SKU: "MUG", Cost: 400, Currency: "GBP", From: created}, {SKU: "MUG", Cost: 550, Currency: "GBP", From: first}}; !slices.Equal(hist, want) {
		t.Errorf("MUG cost history = %+v, want %+v", hist, want)
	}
	ms, err := s.Movements(ctx, "MUG", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m := ms[0]; m.Quantity != 30 || m.Reason != ReasonReceipt || m.RefType != "purchase_order" || m.RefID != poRef(po.ID) ||
		m.Location != "Shop" || !m.At.Equal(first) || !strings.Contains(m.Note, "PO-00001") {
		t.Errorf("MUG receipt movement = %+v", m)
	}

	if _, err := s.CancelPO(ctx, po.ID, "too slow"); !errors.Is(err, ErrConflict) {
		t.Errorf("cancelling a partly received order: %v, want ErrConflict", err)
	}
	for _, bad := range [][]POReceipt{
		{{LineNo: 9, Quantity: 1}},
		{{LineNo: 2, Quantity: -1}},
		{{LineNo: 2, Quantity: 1}, {LineNo: 2, Quantity: 1}},
		{{LineNo: 2, Quantity: 0}},
	} {
		if _, err := s.ReceivePO(ctx, po.ID, bad, ""); err == nil {
			t.Errorf("ReceivePO(%v) accepted", bad)
		}
	}

	// Second delivery: 9 more tea (14 of 12: the extra is accepted and counted) at 3.00, and the cards
	// at no known cost. Every line is complete, so the order is received.
	*clock = clock.Add(2 * 24 * time.Hour)
	second := *clock
	po = mustReceivePO(t, s, po.ID, POReceipt{LineNo: 2, Quantity: 9}, POReceipt{LineNo: 3, Quantity: 50})
	if po.Status != POStatusReceived || po.ReceivedAt == nil || !po.ReceivedAt.Equal(second) || po.Lines[1].Received != 14 {
		t.Errorf("after the second delivery: %v at %v, TEA received %d", po.Status, po.ReceivedAt, po.Lines[1].Received)
	}
	if got, want := mustLevel(t, s, "TEA").OnHand, int64(14); got != want {
		t.Errorf("TEA on hand = %d, want %d", got, want)
	}
	if got, want := mustCost(t, s, "CARD"), int64(80); got != want {
		t.Errorf("CARD cost = %d, want %d (the order gave none)", got, want)
	}
	if len(po.CostNotUpdated) != 1 || !strings.HasPrefix(po.CostNotUpdated[0], "CARD: the order gives no unit cost") {
		t.Errorf("CostNotUpdated = %q", po.CostNotUpdated)
	}
	if _, err := s.ReceivePO(ctx, po.ID, []POReceipt{{LineNo: 1, Quantity: 1}}, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("receiving against a received order: %v", err)
	}

	rs, err := s.POReceipts(ctx, po.ID)
	if err != nil {
		t.Fatal(err)
	}
	type delivery struct {
		line int
		sku  string
		qty  int64
		at   time.Time
	}
	var got []delivery
	for _, r := range rs {
		got = append(got, delivery{r.LineNo, r.SKU, r.Quantity, r.At})
		if r.UserName != "system" {
			t.Errorf("receipt by %q, want system", r.UserName)
		}
	}
	want := []delivery{{1, "MUG", 30, first}, {2, "TEA", 5, first}, {4, "EURO", 2, first}, {2, "TEA", 9, second}, {3, "CARD", 50, second}}
	if !slices.Equal(got, want) {
		t.Errorf("POReceipts = %v, want %v", got, want)
	}

	log, err := s.AuditLog(ctx, "purchase_order", poRef(po.ID), 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if want := []string{"receive", "receive", "send", "update", "create"}; !slices.Equal(actions, want) {
		t.Errorf("audit of the order = %v, want %v", actions, want)
	}

	t.Run("Numbers", func(t *testing.T) {
		next := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 6}}})
		if next.Number != "PO-00002" {
			t.Errorf("second order = %s, want PO-00002", next.Number)
		}
	})
}

func TestStore_CancelAndClosePO(t *testing.T) {
	ctx := context.Background()
	s, clock, alder := purchasingShop(t)
	newPO := func() PurchaseOrder {
		return mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 12}, {SKU: "TEA", Quantity: 6}}})
	}

	draft := newPO()
	c, err := s.CancelPO(ctx, draft.ID, "ordered by phone instead")
	if err != nil || c.Status != POStatusCancelled || c.CancelledAt == nil || !c.CancelledAt.Equal(*clock) || c.Notes != "Cancelled: ordered by phone instead" {
		t.Errorf("cancel a draft: %+v, %v", c, err)
	}
	if _, err := s.CancelPO(ctx, draft.ID, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("cancel twice: %v", err)
	}
	if _, err := s.SendPO(ctx, draft.ID, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("send a cancelled order: %v", err)
	}

	sent := newPO()
	mustSendPO(t, s, sent.ID, nil)
	if _, err := s.ClosePO(ctx, sent.ID, "never mind"); !errors.Is(err, ErrConflict) {
		t.Errorf("close an order nothing of which arrived: %v, want ErrConflict", err)
	}
	if c, err := s.CancelPO(ctx, sent.ID, ""); err != nil || c.Status != POStatusCancelled || c.Notes != "" {
		t.Errorf("cancel a sent order: %+v, %v", c, err)
	}

	part := newPO()
	mustSendPO(t, s, part.ID, nil)
	*clock = clock.Add(24 * time.Hour)
	mustReceivePO(t, s, part.ID, POReceipt{LineNo: 1, Quantity: 12})
	*clock = clock.Add(24 * time.Hour)
	closed, err := s.ClosePO(ctx, part.ID, "tea discontinued")
	if err != nil || closed.Status != POStatusReceived || !closed.ReceivedAt.Equal(*clock) || closed.Lines[1].Received != 0 ||
		!strings.Contains(closed.Notes, "Closed short: tea discontinued") {
		t.Errorf("close short: %+v, %v", closed, err)
	}
	if _, err := s.ClosePO(ctx, part.ID, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("close twice: %v", err)
	}
	if _, err := s.CancelPO(ctx, part.ID, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("cancel a received order: %v", err)
	}

	// A supplier marked unavailable is not sent orders.
	held := newPO()
	if err := s.SetSupplierAvailable(ctx, alder.ID, false, "kiln broken"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendPO(ctx, held.ID, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("send to an unavailable supplier: %v, want ErrConflict", err)
	}
	past := clock.Add(-48 * time.Hour)
	if err := s.SetSupplierAvailable(ctx, alder.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendPO(ctx, held.ID, &past); !errors.Is(err, ErrInvalid) {
		t.Errorf("expected before it is sent: %v, want ErrInvalid", err)
	}

	all, err := s.PurchaseOrders(ctx, POFilter{Statuses: []POStatus{POStatusCancelled}})
	if err != nil || len(all) != 2 || all[0].ID != sent.ID || all[1].ID != draft.ID {
		t.Errorf("cancelled orders = %v, %v; want %d and %d, newest first", all, err, sent.ID, draft.ID)
	}
}

// poDay is a time in the performance test's story: d days after 1 May 2026, at hh:mm UTC.
func poDay(d, hh, mm int) time.Time { return time.Date(2026, 5, 1+d, hh, mm, 0, 0, time.UTC) }

func TestStore_SupplierPerformance(t *testing.T) {
	ctx := context.Background()
	s, clock, alder := purchasingShop(t) // Alder promises 7 days
	birch := mustSupplier(t, s, "Birch Wholesale", 5)
	mustSupplierItem(t, s, SupplierItem{SupplierID: birch.ID, SKU: "MUG", UnitCost: poCost(650)})

	// history writes one order for 6 mugs, sent at sent, expected on expected, with deliveries at the
	// given times (each of 6 mugs, or of 3 when short).
	history := func(sent, expected time.Time, deliveries ...time.Time) PurchaseOrder {
		t.Helper()
		*clock = sent
		po := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 6}}})
		mustSendPO(t, s, po.ID, &expected)
		for _, at := range deliveries {
			*clock = at
			q := int64(6)
			if len(deliveries) > 1 {
				q = 3
			}
			po = mustReceivePO(t, s, po.ID, POReceipt{LineNo: 1, Quantity: q})
		}
		return po
	}
	// On time: expected on day 10, completed at 23:30 that day (the last minutes of the day still count).
	a := history(poDay(0, 9, 30), poDay(10, 9, 30), poDay(10, 23, 30))
	// Late: expected on day 30, half came on day 31, the rest on day 33 at 08:00: 3 days late.
	b := history(poDay(20, 9, 30), poDay(30, 9, 30), poDay(31, 12, 0), poDay(33, 8, 0))
	// Early: expected on day 50, came on day 47.
	c := history(poDay(40, 9, 30), poDay(50, 9, 30), poDay(47, 9, 30))
	// Closed short: not measured.
	*clock = poDay(64, 10, 0)
	short := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 6}}})
	mustSendPO(t, s, short.ID, nil)
	*clock = poDay(65, 10, 0)
	mustReceivePO(t, s, short.ID, POReceipt{LineNo: 1, Quantity: 2})
	if _, err := s.ClosePO(ctx, short.ID, "the rest is out of stock"); err != nil {
		t.Fatal(err)
	}
	// Open: one sent, expected day 80; one partly received, expected day 79; one sent, expected day 90.
	*clock = poDay(70, 9, 0)
	open1 := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 6}}})
	mustSendPO(t, s, open1.ID, new(poDay(80, 12, 0)))
	open2 := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "TEA", Quantity: 6}, {SKU: "MUG", Quantity: 6}}})
	mustSendPO(t, s, open2.ID, new(poDay(79, 12, 0)))
	open3 := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 6}}})
	mustSendPO(t, s, open3.ID, new(poDay(90, 12, 0)))
	*clock = poDay(78, 9, 0)
	mustReceivePO(t, s, open2.ID, POReceipt{LineNo: 1, Quantity: 6})
	// A draft counts for nothing.
	mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 6}}})

	daysA := 10 + 14.0/24 // day 0 09:30 → day 10 23:30
	daysB := 13 - 1.5/24  // day 20 09:30 → day 33 08:00
	daysC := 7.0          // day 40 09:30 → day 47 09:30
	mean := (daysA + daysB + daysC) / 3
	sd := math.Sqrt(((daysA-mean)*(daysA-mean) + (daysB-mean)*(daysB-mean) + (daysC-mean)*(daysC-mean)) / 2)

	// Day 80 at 10:00: open1 is due today (not late yet), open2 was due yesterday (late), open3 is not due.
	perf, err := s.SupplierPerformance(ctx, poDay(80, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(perf) != 2 || perf[0].Name != "Alder Clay" || perf[1].Name != "Birch Wholesale" {
		t.Fatalf("SupplierPerformance = %+v", perf)
	}
	p := perf[0]
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if p.Received != 3 || !near(p.LearnedDays, mean) || !near(p.LeadStdDev, sd) || !near(p.OnTimeRate, 2.0/3) ||
		!near(p.AverageDelayDays, 1.0) || p.PromisedDays != 7 || p.OpenPOs != 3 || p.LatePOs != 1 || p.ClosedShort != 1 ||
		p.Trend != "" || !p.Available {
		t.Errorf("Alder = %+v\nwant 3 measured, learned %.4f ± %.4f, on time 2/3, delay 1.0, 3 open, 1 late, 1 short", p, mean, sd)
	}
	var numbers []string
	var late []float64
	for _, l := range p.Recent {
		numbers = append(numbers, l.Number)
		late = append(late, l.LateDays)
	}
	if !slices.Equal(numbers, []string{a.Number, b.Number, c.Number}) || !slices.Equal(late, []float64{0, 3, 0}) ||
		!near(p.Recent[1].Days, daysB) || !p.Recent[1].SentAt.Equal(poDay(20, 9, 30)) || !p.Recent[1].ReceivedAt.Equal(poDay(33, 8, 0)) {
		t.Errorf("Recent = %+v", p.Recent)
	}
	if q := perf[1]; q.Received != 0 || q.LearnedDays != 5 || q.OnTimeRate != -1 || q.Recent != nil || q.OpenPOs != 0 {
		t.Errorf("Birch, with no orders = %+v, want learned = promised 5, on-time -1", q)
	}

	// A minute into day 81, open1 is late too.
	if perf, err = s.SupplierPerformance(ctx, poDay(81, 0, 1)); err != nil || perf[0].LatePOs != 2 {
		t.Errorf("LatePOs on day 81 = %d, %v; want 2", perf[0].LatePOs, err)
	}
	overdue, err := s.OverduePOs(ctx, poDay(81, 0, 1))
	if err != nil || len(overdue) != 2 || overdue[0].ID != open2.ID || overdue[1].ID != open1.ID || !overdue[0].Late(poDay(81, 0, 1)) {
		t.Errorf("OverduePOs = %v, %v; want %s then %s", overdue, err, open2.Number, open1.Number)
	}
	if overdue, _ := s.OverduePOs(ctx, poDay(80, 23, 59)); len(overdue) != 1 || overdue[0].ID != open2.ID {
		t.Errorf("OverduePOs at the end of day 80 = %v, want only %s", overdue, open2.Number)
	}
	for _, at := range []time.Time{poDay(81, 0, 1), poDay(80, 23, 59)} {
		list, _ := s.OverduePOs(ctx, at)
		if n, err := s.CountOverduePOs(ctx, at); err != nil || n != len(list) {
			t.Errorf("CountOverduePOs(%v) = %d, %v; OverduePOs lists %d", at, n, err, len(list))
		}
	}

	lts, err := s.SupplierLeadTimes(ctx, alder.ID)
	if err != nil || len(lts) != 3 || !lts[0].OnTime() || lts[1].OnTime() {
		t.Errorf("SupplierLeadTimes = %+v, %v", lts, err)
	}

	t.Run("Filter", func(t *testing.T) {
		tea, err := s.PurchaseOrders(ctx, POFilter{SKU: "tea"})
		if err != nil || len(tea) != 1 || tea[0].ID != open2.ID || len(tea[0].Lines) != 2 {
			t.Errorf("orders with TEA = %+v, %v", tea, err)
		}
		openOnes, err := s.PurchaseOrders(ctx, POFilter{SupplierID: alder.ID, Statuses: []POStatus{POStatusSent, POStatusPartlyReceived}})
		if err != nil || len(openOnes) != 3 || openOnes[0].ID != open3.ID {
			t.Errorf("open orders = %d, %v; want 3, newest first", len(openOnes), err)
		}
		page, err := s.PurchaseOrders(ctx, POFilter{Limit: 2, Offset: 1})
		if err != nil || len(page) != 2 || page[0].ID != open3.ID {
			t.Errorf("second and third newest = %+v, %v", page, err)
		}
		if none, err := s.PurchaseOrders(ctx, POFilter{SupplierID: birch.ID}); err != nil || len(none) != 0 {
			t.Errorf("Birch's orders = %v, %v", none, err)
		}
	})
}

func TestLeadTrend(t *testing.T) {
	leads := func(days ...float64) []POLeadTime {
		var out []POLeadTime
		for _, d := range days {
			out = append(out, POLeadTime{Days: d})
		}
		return out
	}
	for _, c := range []struct {
		days []float64
		want string
	}{
		{[]float64{5, 5, 9}, ""},
		{[]float64{5, 5, 9, 9}, "worse"},
		{[]float64{9, 9, 5, 5}, "better"},
		{[]float64{5, 5, 5.9, 5.9}, "steady"},         // under a day longer
		{[]float64{20, 20, 100, 22.5, 22.5}, "worse"}, // the middle one sits out; 2.5 > 10% of 20
		{[]float64{20, 20, 21.9, 21.9}, "steady"},     // 1.9 days, under 10% of 20
	} {
		if got := leadTrend(leads(c.days...)); got != c.want {
			t.Errorf("leadTrend(%v) = %q, want %q", c.days, got, c.want)
		}
	}
}

func TestStore_PurchasingPermissions(t *testing.T) {
	ctx := context.Background()
	s, _, alder := purchasingShop(t)
	packerUser, err := s.AddUser(ctx, "Jamie", RolePacker, "1234")
	if err != nil {
		t.Fatal(err)
	}
	accountantUser, err := s.AddUser(ctx, "Priya", RoleAccountant, "2468")
	if err != nil {
		t.Fatal(err)
	}
	packer, accountant := s.As(packerUser), s.As(accountantUser)
	newPO := NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "MUG", Quantity: 30}}}

	for name, st := range map[string]*Store{"packer": packer, "accountant": accountant} {
		if _, err := st.CreatePO(ctx, newPO); !errors.Is(err, ErrPermission) {
			t.Errorf("%s creates a PO: %v", name, err)
		}
	}
	po := mustCreatePO(t, s, newPO)
	if _, err := packer.SendPO(ctx, po.ID, nil); !errors.Is(err, ErrPermission) {
		t.Errorf("packer sends a PO: %v", err)
	}
	if _, err := packer.UpdatePO(ctx, po.ID, newPO); !errors.Is(err, ErrPermission) {
		t.Errorf("packer changes a PO: %v", err)
	}
	if _, err := packer.CancelPO(ctx, po.ID, ""); !errors.Is(err, ErrPermission) {
		t.Errorf("packer cancels a PO: %v", err)
	}
	if err := packer.SetSupplierAvailable(ctx, alder.ID, false, ""); !errors.Is(err, ErrPermission) {
		t.Errorf("packer marks a supplier unavailable: %v", err)
	}
	mustSendPO(t, s, po.ID, nil)

	seen, err := packer.PurchaseOrder(ctx, po.ID)
	if err != nil || !seen.CostsHidden || seen.Total != 0 || seen.Lines[0].UnitCost != 0 || seen.Lines[0].Quantity != 30 {
		t.Errorf("packer's view of the PO = %+v, %v; want quantities without costs", seen, err)
	}
	if list, err := packer.PurchaseOrders(ctx, POFilter{}); err != nil || len(list) != 1 || list[0].Total != 0 || list[0].Lines[0].UnitCost != 0 {
		t.Errorf("packer's list = %+v, %v", list, err)
	}
	if items, err := packer.SKUSuppliers(ctx, "MUG"); err != nil || len(items) != 1 || items[0].UnitCost != nil {
		t.Errorf("packer's SKUSuppliers = %+v, %v; want no cost", items, err)
	}
	if own, err := accountant.PurchaseOrder(ctx, po.ID); err != nil || own.CostsHidden || own.Total != 18000 {
		t.Errorf("accountant's view = %+v, %v; want costs", own, err)
	}

	// Receiving is moving stock: the packer may, the accountant may not. The cost still averages right.
	if _, err := accountant.ReceivePO(ctx, po.ID, []POReceipt{{LineNo: 1, Quantity: 30}}, ""); !errors.Is(err, ErrPermission) {
		t.Errorf("accountant receives: %v", err)
	}
	got, err := packer.ReceivePO(ctx, po.ID, []POReceipt{{LineNo: 1, Quantity: 30}}, "box 1 of 1")
	if err != nil || got.Status != POStatusReceived || got.Total != 0 {
		t.Fatalf("packer receives: %+v, %v", got, err)
	}
	if c := mustCost(t, s, "MUG"); c != 550 {
		t.Errorf("MUG cost after the packer's receipt = %d, want 550", c)
	}
	rs, err := s.POReceipts(ctx, po.ID)
	if err != nil || len(rs) != 1 || rs[0].UserName != "Jamie" {
		t.Errorf("POReceipts = %+v, %v; want Jamie's", rs, err)
	}
}
