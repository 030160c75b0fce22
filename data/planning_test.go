package data

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"
)

// planClock is a test clock the test moves by hand: every write is stamped with the time it is set to.
type planClock struct{ now time.Time }

func (c *planClock) set(t time.Time)     { c.now = t }
func (c *planClock) add(d time.Duration) { c.now = c.now.Add(d) }
func (c *planClock) Now() time.Time      { return c.now }

// openPlanShop opens an empty store whose clock is c, starting at testNow.
func openPlanShop(t *testing.T) (*Store, *planClock) {
	t.Helper()
	c := &planClock{now: testNow}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "shop.db"), Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

// planOrder is a one-line GBP order placed at `at`.
func planOrder(id string, status Status, at time.Time, sku string, qty int64) Order {
	return Order{Channel: "shopify", ExternalID: id, Status: status, Currency: "GBP", PlacedAt: at, CustomerName: "Ada Lovelace",
		Lines: []OrderLine{{SKU: sku, Quantity: qty, UnitPrice: 1000}}, Subtotal: 1000 * qty, Total: 1000 * qty}
}

func near(got, want float64) bool { return math.Abs(got-want) < 1e-9*math.Max(1, math.Abs(want)) }

func TestNormalQuantile(t *testing.T) {
	// Reference values of the standard normal quantile (Φ⁻¹), to 10 significant digits.
	for _, tt := range []struct{ p, want float64 }{
		{0.5, 0},
		{0.90, 1.281551565545},
		{0.95, 1.644853626951},
		{0.975, 1.959963984540},
		{0.99, 2.326347874041},
		{0.999, 3.090232306168},
		{0.01, -2.326347874041},
		{0.001, -3.090232306168},
		{0.02, -2.053748910632}, // below Acklam's low break point
	} {
		if got := normalQuantile(tt.p); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("normalQuantile(%v) = %.12f, want %.12f", tt.p, got, tt.want)
		}
	}
}

func TestStore_PlanningSettings(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	got, err := s.PlanningSettings(ctx)
	if want := (PlanningSettings{VelocityDays: 56, ServiceLevel: 95, CoverDays: 30}); err != nil || got != want {
		t.Fatalf("defaults = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []struct {
		key   Setting
		value string
	}{
		{SettingVelocityDays, "6"}, {SettingVelocityDays, "366"}, {SettingVelocityDays, "10.5"}, {SettingVelocityDays, "many"},
		{SettingServiceLevel, "49.9"}, {SettingServiceLevel, "100"}, {SettingCoverDays, "-1"},
	} {
		if err := s.SetSetting(ctx, bad.key, bad.value); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetSetting(%s, %q) = %v, want invalid", bad.key, bad.value, err)
		}
	}
	for key, value := range map[Setting]string{SettingVelocityDays: "28", SettingServiceLevel: "99.5", SettingCoverDays: "0"} {
		if err := s.SetSetting(ctx, key, value); err != nil {
			t.Fatalf("SetSetting(%s, %s): %v", key, value, err)
		}
	}
	got, err = s.PlanningSettings(ctx)
	if want := (PlanningSettings{VelocityDays: 28, ServiceLevel: 99.5, CoverDays: 0}); err != nil || got != want {
		t.Fatalf("after setting = %+v, %v; want %+v", got, err, want)
	}
	if err := s.SetSetting(ctx, SettingVelocityDays, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PlanningSettings(ctx); got.VelocityDays != 56 {
		t.Errorf("cleared velocity_days = %d, want the default 56", got.VelocityDays)
	}
}

// TestStore_SalesVelocity follows MUG over a 10-day window (day i runs from start+i×24h, start = now −
// 10 days) in which it sells out on day 1 and is restocked on day 5:
//
//	before  +5 received                     on hand 5
//	day 0   order 2, shipped                on hand 3           in stock, sold 2
//	day 1   order 3 at exactly start+24h    on hand 0           in stock, sold 3
//	day 2–4 nothing                                             out (empty, no sale)
//	day 5   +10 received, nothing sold      on hand 10          out (started empty, no sale)
//	day 6   order 4, shipped                on hand 6           in stock, sold 4
//	day 7   a gift kit (1 MUG + 2 CARD)                         in stock, sold 1
//	day 8   order 1; a cancelled order of 5                     in stock, sold 1
//	day 9   Amazon 2-pack listing × 1 = 2 units                 in stock, sold 2
//
// In stock 6 days, 13 units: 13/6 a day; daily units 2,3,4,1,1,2 have Σx² = 35, so the sample variance
// is (35 − 6×(13/6)²)/5 = 41/30. CARD has no stock ever and sold only on day 7: 1 day, 2 a day, spread 0.
func TestStore_SalesVelocity(t *testing.T) {
	ctx := context.Background()
	s, c := openPlanShop(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustVariant(t, s, "CARD", "Greeting card", 300, 50)
	mustVariant(t, s, "GIFT", "Gift set", 2000, 0)
	mustVariant(t, s, "IDLE", "Never sold", 100, 10)
	if err := s.SetKit(ctx, "GIFT", []KitComponent{{SKU: "MUG", Quantity: 1}, {SKU: "CARD", Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, Alias{Channel: "amazon", ChannelKey: "B0MUG2PACK", SKU: "MUG", Pack: 2}); err != nil {
		t.Fatal(err)
	}
	now := testNow
	start := now.Add(-10 * 24 * time.Hour)
	day := func(i int, h time.Duration) time.Time { return start.Add(time.Duration(i)*24*time.Hour + h) }

	c.set(start.Add(-time.Hour))
	mustAdjust(t, s, "mug", 5) // lower case on purpose: the result is keyed as the catalogue writes it
	c.set(day(0, 2*time.Hour))
	mustOrders(t, s, planOrder("1", StatusShipped, c.now, "MUG", 2))
	c.set(day(1, 0))
	mustOrders(t, s, planOrder("2", StatusShipped, c.now, "MUG", 3))
	c.set(day(5, time.Hour))
	mustAdjust(t, s, "MUG", 10)
	c.set(day(6, time.Hour))
	mustOrders(t, s, planOrder("3", StatusShipped, c.now, "MUG", 4))
	c.set(day(7, time.Hour))
	mustOrders(t, s, planOrder("4", StatusPaid, c.now, "GIFT", 1))
	c.set(day(8, time.Hour))
	mustOrders(t, s, planOrder("5", StatusPaid, c.now, "MUG", 1), planOrder("6", StatusCancelled, c.now, "MUG", 5))
	c.set(day(9, time.Hour))
	amazon := planOrder("7", StatusPaid, c.now, "", 1)
	amazon.Channel, amazon.Lines[0].ChannelSKU = "amazon", "B0MUG2PACK"
	// Outside the window on both sides: just before its start, and at now itself.
	mustOrders(t, s, amazon, planOrder("8", StatusPaid, start.Add(-time.Millisecond), "MUG", 7), planOrder("9", StatusPaid, now, "MUG", 7))
	c.set(now)

	got, err := s.SalesVelocity(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	mug := got["MUG"]
	if mug.SKU != "MUG" || mug.Units != 13 || mug.InStockDays != 6 || !near(mug.PerDay, 13.0/6) || !near(mug.StdDev, math.Sqrt(41.0/30)) {
		t.Errorf("MUG = %+v, want 13 units over 6 days, %.6f a day, spread %.6f", mug, 13.0/6, math.Sqrt(41.0/30))
	}
	if card := got["CARD"]; card.Units != 2 || card.InStockDays != 1 || card.PerDay != 2 || card.StdDev != 0 {
		t.Errorf("CARD = %+v, want 2 units on its 1 day", card)
	}
	if idle, ok := got["IDLE"]; !ok || idle.Units != 0 || idle.InStockDays != 0 || idle.PerDay != 0 {
		t.Errorf("IDLE = %+v (listed %v), want listed with nothing", idle, ok)
	}
	if _, ok := got["GIFT"]; ok {
		t.Error("the kit has a velocity of its own; its sales belong to its parts")
	}
	if _, err := s.SalesVelocity(ctx, now, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("a window of 0 days: %v", err)
	}
}

// planSupplier adds a supplier and its offers: each item is SKU, unit cost, pack, MOQ in that order
// of rank among the SKU's suppliers (0 = after the others).
func planSupplier(t *testing.T, s *Store, name, currency string, leadDays int, minOrder int64) Supplier {
	t.Helper()
	sp, err := s.AddSupplier(context.Background(), Supplier{Name: name, Currency: currency, LeadTimeDays: leadDays, MinOrderValue: minOrder})
	if err != nil {
		t.Fatalf("AddSupplier(%s): %v", name, err)
	}
	return sp
}

func planSupplierItem(t *testing.T, s *Store, sp Supplier, sku string, cost, pack, moq int64) {
	t.Helper()
	if err := s.SetSupplierItem(context.Background(), SupplierItem{SupplierID: sp.ID, SKU: sku, UnitCost: &cost, PackSize: pack, MinOrderQty: moq}); err != nil {
		t.Fatalf("SetSupplierItem(%s, %s): %v", sp.Name, sku, err)
	}
}

// planPO drafts and sends a one-line PO at the clock's time, expected after expectDays (0: the promise).
func planPO(t *testing.T, s *Store, sp Supplier, sku string, qty int64, expected *time.Time) PurchaseOrder {
	t.Helper()
	ctx := context.Background()
	po, err := s.CreatePO(ctx, NewPO{SupplierID: sp.ID, Lines: []NewPOLine{{SKU: sku, Quantity: qty}}})
	if err != nil {
		t.Fatalf("CreatePO: %v", err)
	}
	if po, err = s.SendPO(ctx, po.ID, expected); err != nil {
		t.Fatalf("SendPO: %v", err)
	}
	return po
}

func planReceive(t *testing.T, s *Store, po PurchaseOrder) {
	t.Helper()
	var rs []POReceipt
	for _, l := range po.Lines {
		rs = append(rs, POReceipt{LineNo: l.LineNo, Quantity: l.Quantity - l.Received})
	}
	if _, err := s.ReceivePO(context.Background(), po.ID, rs, "delivery"); err != nil {
		t.Fatalf("ReceivePO(%s): %v", po.Number, err)
	}
}

// reorderShop is the fixed history of the reorder tests, planned at testNow with a 10-day velocity
// window, 95 % service level and 10 days of cover.
//
// Hollow Pottery (GBP, promised 7 days, minimum order £500.00) supplies MUG (£4.00, packs of 12, MOQ 24)
// and JUG (£2.50, packs of 24, MOQ 120). Two POs of 100 MUGs took 6.0 and 8.0 days: learned lead time 7
// days, spread √2. A third PO of 12 MUGs, sent 2 days ago and expected in 5 days, is open.
// Kiln & Co (GBP, 3 days, nothing measured) is MUG's backup at £4.50; Töpferei Ost (EUR, 10 days) is
// JUG's at €2.80.
//
// MUG: 40 on hand at the window's start; 6 sold and shipped on days 0, 2, 4, 6, 8: in stock all 10 days,
// d = 3, daily units 6,0,6,0,… → sample variance 10×9/9 = 10. On hand 10, sellable 10, on order 12.
// JUG: never stocked; one paid order of 5 on day 3: in stock 1 day (it sold), d = 5, σd = 0; sellable −5.
// CARD sells (2 on day 5, no stock) but has no supplier; IDLE has a supplier and never sells.
func reorderShop(t *testing.T) (s *Store, c *planClock, hollow, kiln, ost Supplier, open PurchaseOrder) {
	t.Helper()
	ctx := context.Background()
	s, c = openPlanShop(t)
	now := testNow
	for _, v := range [][2]string{{"MUG", "Stoneware mug"}, {"JUG", "Milk jug"}, {"CARD", "Greeting card"}, {"IDLE", "Vase"}, {"GIFT", "Gift set"}} {
		mustVariant(t, s, v[0], v[1], 1800, 400)
	}
	if err := s.SetKit(ctx, "GIFT", []KitComponent{{SKU: "MUG", Quantity: 1}, {SKU: "CARD", Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	for key, value := range map[Setting]string{SettingVelocityDays: "10", SettingServiceLevel: "95", SettingCoverDays: "10"} {
		if err := s.SetSetting(ctx, key, value); err != nil {
			t.Fatal(err)
		}
	}
	hollow = planSupplier(t, s, "Hollow Pottery", "GBP", 7, 50000)
	kiln = planSupplier(t, s, "Kiln & Co", "GBP", 3, 0)
	ost = planSupplier(t, s, "Töpferei Ost", "EUR", 10, 0)
	planSupplierItem(t, s, hollow, "MUG", 400, 12, 24)
	planSupplierItem(t, s, hollow, "JUG", 250, 24, 120)
	planSupplierItem(t, s, hollow, "IDLE", 900, 1, 1)
	planSupplierItem(t, s, kiln, "MUG", 450, 6, 6)
	planSupplierItem(t, s, ost, "JUG", 280, 1, 1)

	t0 := now.Add(-40 * 24 * time.Hour)
	c.set(t0)
	po1 := planPO(t, s, hollow, "MUG", 100, nil)
	c.set(t0.Add(6 * 24 * time.Hour))
	planReceive(t, s, po1)
	c.set(t0.Add(10 * 24 * time.Hour))
	po2 := planPO(t, s, hollow, "MUG", 100, nil)
	c.set(t0.Add(18 * 24 * time.Hour))
	planReceive(t, s, po2)
	c.set(t0.Add(20 * 24 * time.Hour))
	if _, err := s.AdjustStock(ctx, Adjustment{SKU: "MUG", Delta: -160, Note: "moved to the other shop"}); err != nil {
		t.Fatal(err)
	}
	start := now.Add(-10 * 24 * time.Hour)
	for i := 0; i < 10; i += 2 {
		c.set(start.Add(time.Duration(i)*24*time.Hour + 3*time.Hour))
		mustOrders(t, s, planOrder("M"+string(rune('0'+i)), StatusShipped, c.now, "MUG", 6))
	}
	c.set(start.Add(3*24*time.Hour + time.Hour))
	mustOrders(t, s, planOrder("J1", StatusPaid, c.now, "JUG", 5))
	c.set(start.Add(5*24*time.Hour + time.Hour))
	mustOrders(t, s, planOrder("C1", StatusPaid, c.now, "CARD", 2))
	c.set(now.Add(-2 * 24 * time.Hour))
	expected := now.Add(5 * 24 * time.Hour)
	open = planPO(t, s, hollow, "MUG", 12, &expected)
	c.set(now)
	return s, c, hollow, kiln, ost, open
}

func TestStore_ReorderPlan(t *testing.T) {
	ctx := context.Background()
	s, _, hollow, _, _, open := reorderShop(t)
	now := testNow
	lines, err := s.ReorderPlan(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]ReorderLine{}
	var order []string
	for _, l := range lines {
		by[l.SKU] = l
		order = append(order, l.SKU)
	}
	// Needing an order first, soonest out first (CARD and JUG are out now, by SKU, MUG in 3⅓ days); then
	// the rest. The kit GIFT is never planned: its parts are.
	if got, want := fmt.Sprint(order), "[CARD JUG MUG IDLE]"; got != want {
		t.Errorf("plan order = %s, want %s (the kit GIFT never listed)", got, want)
	}

	z := 1.6448536269514722
	mug := by["MUG"]
	// Safety stock: z × √(7×10 + 3²×2) = 1.6449 × √88 = 15.43 → 16; reorder point 3×7 + 15.43 = 36.43 → 37.
	if mug.OnHand != 10 || mug.Reserved != 0 || mug.Sellable != 10 || mug.OnOrder != 12 {
		t.Errorf("MUG stock = %d/%d/%d, on order %d; want 10/0/10, 12", mug.OnHand, mug.Reserved, mug.Sellable, mug.OnOrder)
	}
	if mug.Velocity.Units != 30 || mug.Velocity.InStockDays != 10 || !near(mug.Velocity.PerDay, 3) || !near(mug.Velocity.StdDev, math.Sqrt(10)) {
		t.Errorf("MUG velocity = %+v, want 30 units over 10 days, 3 a day, spread √10", mug.Velocity)
	}
	if !near(mug.LeadDays, 7) || !near(mug.LeadStdDev, math.Sqrt2) {
		t.Errorf("MUG lead = %v ± %v, want 7 ± √2", mug.LeadDays, mug.LeadStdDev)
	}
	if ss := z * math.Sqrt(88); mug.SafetyStock != 16 || mug.ReorderPoint != 37 || ss < 15 || ss > 16 {
		t.Errorf("MUG safety stock %d, reorder point %d; want 16 and 37", mug.SafetyStock, mug.ReorderPoint)
	}
	if !near(mug.DaysOfCover, 10.0/3) || mug.StockOutAt == nil || !mug.StockOutAt.Equal(now.Add(80*time.Hour)) {
		t.Errorf("MUG cover %v days, out at %v; want 3⅓ days, %v", mug.DaysOfCover, mug.StockOutAt, now.Add(80*time.Hour))
	}
	if mug.NextReceiptAt == nil || !mug.NextReceiptAt.Equal(*open.ExpectedAt) {
		t.Errorf("MUG next receipt = %v, want %v", mug.NextReceiptAt, open.ExpectedAt)
	}
	// 10 + 12 = 22 ≤ 37: order 37 + 3×10 − 22 = 45, at least the MOQ of 24, in packs of 12: 48.
	if mug.Supplier == nil || mug.Supplier.SupplierID != hollow.ID || !mug.NeedsOrder || mug.SuggestQty != 48 {
		t.Errorf("MUG supplier %+v, needs order %v, suggest %d; want Hollow Pottery, true, 48", mug.Supplier, mug.NeedsOrder, mug.SuggestQty)
	}

	jug := by["JUG"]
	// d = 5, σd = 0: safety z × √(0 + 25×2) = 11.63 → 12; reorder point 35 + 11.63 → 47. Oversold by 5:
	// order 47 + 50 + 5 = 102, MOQ 120 (a multiple of the pack of 24): 120.
	if jug.Sellable != -5 || jug.Velocity.InStockDays != 1 || jug.Velocity.PerDay != 5 || jug.SafetyStock != 12 || jug.ReorderPoint != 47 {
		t.Errorf("JUG = %+v", jug)
	}
	if !jug.NeedsOrder || jug.SuggestQty != 120 || jug.DaysOfCover != 0 || jug.StockOutAt == nil || !jug.StockOutAt.Equal(now) {
		t.Errorf("JUG needs %v, suggest %d, cover %v, out at %v; want true, 120, 0, now", jug.NeedsOrder, jug.SuggestQty, jug.DaysOfCover, jug.StockOutAt)
	}

	// CARD: no supplier, so no lead time: the reorder point is 0 and it needs ordering once oversold.
	if card := by["CARD"]; card.Supplier != nil || card.LeadDays != 0 || card.ReorderPoint != 0 || !card.NeedsOrder || card.SuggestQty != 22 {
		t.Errorf("CARD = %+v; want no supplier, reorder point 0, order 0 + 2×10 + 2 = 22", card)
	}
	if idle := by["IDLE"]; idle.NeedsOrder || idle.DaysOfCover != -1 || idle.StockOutAt != nil || idle.SuggestQty != 0 {
		t.Errorf("IDLE = %+v; want nothing to order, no cover figure, no stock-out", idle)
	}

	// A better service level needs more safety stock: 99 % → z = 2.3263: √88 × 2.3263 = 21.82 → 22.
	if err := s.SetSetting(ctx, SettingServiceLevel, "99"); err != nil {
		t.Fatal(err)
	}
	lines, _ = s.ReorderPlan(ctx, now)
	for _, l := range lines {
		if l.SKU == "MUG" && (l.SafetyStock != 22 || l.ReorderPoint != 43) {
			t.Errorf("MUG at 99%%: safety %d, reorder point %d; want 22, 43", l.SafetyStock, l.ReorderPoint)
		}
	}
}

// planPacker is a packer's view of the store: no costs, no supplier changes.
func planPacker(t *testing.T, s *Store) *Store {
	t.Helper()
	ctx := context.Background()
	if u, err := s.UserByName(ctx, "Jamie"); err == nil {
		return s.As(u)
	}
	u, err := s.AddUser(ctx, "Jamie", RolePacker, "1234")
	if err != nil {
		t.Fatal(err)
	}
	return s.As(u)
}

func TestStore_ReorderSuggestions(t *testing.T) {
	ctx := context.Background()
	s, _, hollow, kiln, _, open := reorderShop(t)
	now := testNow
	groups, err := s.ReorderSuggestions(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].SupplierID != hollow.ID || groups[1].SupplierID != "" {
		t.Fatalf("groups = %+v, want Hollow Pottery, then the lines without a supplier", groups)
	}
	h := groups[0]
	// 48 MUGs at £4.00 + 120 JUGs at £2.50 = £492.00, under the £500.00 minimum.
	if len(h.Lines) != 2 || h.Lines[0].SKU != "JUG" || h.Lines[1].SKU != "MUG" || h.Total != 49200 || h.MinOrderValue != 50000 || !h.BelowMinimum || h.Currency != "GBP" {
		t.Errorf("Hollow Pottery = %+v, want JUG and MUG, £492.00 total, below the £500.00 minimum", h)
	}
	if n := groups[1]; len(n.Lines) != 1 || n.Lines[0].SKU != "CARD" || n.BelowMinimum {
		t.Errorf("no supplier = %+v, want CARD", n)
	}

	packer := planPacker(t, s)
	pg, err := packer.ReorderSuggestions(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if pg[0].Total != 0 || pg[0].MinOrderValue != 0 || pg[0].Lines[0].Supplier.UnitCost != nil || !pg[0].BelowMinimum {
		t.Errorf("a packer sees %+v; want no money (the minimum flag is no price)", pg[0])
	}
	if _, _, err := packer.DraftPOsFromSuggestions(ctx, now, nil); !errors.Is(err, ErrPermission) {
		t.Errorf("a packer drafts POs: %v", err)
	}

	if pos, skipped, err := s.DraftPOsFromSuggestions(ctx, now, []string{kiln.ID}); err != nil || len(pos) != 0 || len(skipped) != 0 {
		t.Errorf("drafting for a supplier with no suggestion = %v, %v, %v; want nothing", pos, skipped, err)
	}
	pos, skipped, err := s.DraftPOsFromSuggestions(ctx, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	// MUG is on the open PO already: skipped. JUG is drafted alone; CARD has nobody to order from.
	if len(skipped) != 1 || skipped[0] != (SkippedReorder{SKU: "MUG", SupplierID: hollow.ID, PO: open.Number}) {
		t.Errorf("skipped = %+v, want MUG on %s", skipped, open.Number)
	}
	if len(pos) != 1 {
		t.Fatalf("drafted %d POs, want 1", len(pos))
	}
	po := pos[0]
	if po.Status != POStatusDraft || po.Origin != POOriginReorder || po.SupplierID != hollow.ID || len(po.Lines) != 1 ||
		po.Lines[0].SKU != "JUG" || po.Lines[0].Quantity != 120 || po.Lines[0].UnitCost != 250 || po.Total != 30000 {
		t.Errorf("draft = %+v, want 120 JUG at £2.50 from Hollow Pottery, origin reorder", po)
	}
	// Again: the draft now holds JUG, so nothing is ordered twice.
	pos, skipped, err = s.DraftPOsFromSuggestions(ctx, now, nil)
	if err != nil || len(pos) != 0 || len(skipped) != 2 || skipped[0].SKU != "JUG" || skipped[0].PO != po.Number {
		t.Errorf("second press = %+v, %+v, %v; want nothing drafted, JUG and MUG skipped", pos, skipped, err)
	}
}

func TestStore_WhatIfSupplierStops(t *testing.T) {
	ctx := context.Background()
	s, c, hollow, kiln, ost, _ := reorderShop(t)
	now := testNow
	if _, err := s.WhatIfSupplierStops(ctx, now, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown supplier: %v", err)
	}
	got, err := s.WhatIfSupplierStops(ctx, now, hollow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].SKU != "IDLE" || got[1].SKU != "JUG" || got[2].SKU != "MUG" {
		t.Fatalf("what if Hollow Pottery stops = %+v, want IDLE, JUG, MUG", got)
	}
	// IDLE never sells: it never runs out, and nobody else supplies it.
	if idle := got[0]; idle.StockOutWithout != nil || idle.StockOutWith != nil || idle.Backup != nil || idle.DaysShort != 0 {
		t.Errorf("IDLE = %+v", idle)
	}
	// JUG is oversold now; Töpferei Ost needs 10 days and charges in EUR: 10 days short, no comparison.
	jug := got[1]
	if jug.StockOutWithout == nil || !jug.StockOutWithout.Equal(now) || jug.Backup == nil || jug.Backup.SupplierID != ost.ID ||
		jug.BackupLeadDays != 10 || jug.StockOutWith == nil || !jug.StockOutWith.Equal(now) || jug.DaysShort != 10 ||
		!jug.CurrencyMismatch || jug.UnitCostDiff != 0 || jug.CostDiff90d != 0 || jug.Currency != "GBP" {
		t.Errorf("JUG = %+v", jug)
	}
	// MUG: 10 sellable at 3 a day run out in 80 hours (Hollow's own open PO does not count); Kiln & Co
	// delivers in 3 days = 72 hours, in time. It costs 50p more a unit: 50 × 90 days × 3 a day = £135.00.
	mug := got[2]
	if mug.StockOutWithout == nil || !mug.StockOutWithout.Equal(now.Add(80*time.Hour)) || mug.Backup == nil ||
		mug.Backup.SupplierID != kiln.ID || mug.BackupLeadDays != 3 || mug.StockOutWith != nil || mug.DaysShort != 0 ||
		mug.UnitCostDiff != 50 || mug.CostDiff90d != 13500 || mug.CurrencyMismatch || mug.Sellable != 10 || !near(mug.PerDay, 3) {
		t.Errorf("MUG = %+v", mug)
	}

	packer := planPacker(t, s)
	pg, err := packer.WhatIfSupplierStops(ctx, now, hollow.ID)
	if err != nil || pg[2].UnitCostDiff != 0 || pg[2].CostDiff90d != 0 || pg[2].Backup.UnitCost != nil {
		t.Errorf("a packer sees %+v, %v; want no money", pg[2], err)
	}

	// Kiln & Co backs up MUG but is not its source: its stopping changes nothing.
	if got, err := s.WhatIfSupplierStops(ctx, now, kiln.ID); err != nil || len(got) != 0 {
		t.Errorf("what if Kiln & Co stops = %+v, %v; want nothing", got, err)
	}
	// With Hollow Pottery marked unavailable, Kiln & Co is where MUG comes from. If Kiln stops too, only
	// Hollow's open PO (due in 5 days = 120 hours) is coming: out at 80 hours, 40 hours short → 2 days.
	if err := s.SetSupplierAvailable(ctx, hollow.ID, false, "kiln broke"); err != nil {
		t.Fatal(err)
	}
	c.set(now)
	got, err = s.WhatIfSupplierStops(ctx, now, kiln.ID)
	if err != nil || len(got) != 1 {
		t.Fatalf("what if Kiln & Co stops too = %+v, %v; want MUG", got, err)
	}
	if mug := got[0]; mug.SKU != "MUG" || mug.Backup != nil || mug.StockOutWithout == nil || !mug.StockOutWithout.Equal(now.Add(80*time.Hour)) ||
		mug.StockOutWith == nil || !mug.StockOutWith.Equal(now.Add(80*time.Hour)) || mug.DaysShort != 2 {
		t.Errorf("MUG = %+v; want out at +80h with or without, 2 days short", mug)
	}
	// A PO of 6 from Kiln due in 2 days pushes the stock-out without Hollow to 2 days + (10 − 6 + 6)/3
	// days = 128 hours; Kiln's 3 days still beat it.
	if err := s.SetSupplierAvailable(ctx, hollow.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	due := now.Add(48 * time.Hour)
	planPO(t, s, kiln, "MUG", 6, &due)
	got, err = s.WhatIfSupplierStops(ctx, now, hollow.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mug := got[2]; mug.StockOutWithout == nil || !mug.StockOutWithout.Equal(now.Add(128*time.Hour)) || mug.StockOutWith != nil {
		t.Errorf("MUG with Kiln's PO = %+v; want out at +128h without, none with", mug)
	}
}
