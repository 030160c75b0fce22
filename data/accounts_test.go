package data

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// accountsZone is the owner's zone in the accounts tests: London changes to summer time on 29 March
// 2026 at 01:00 UTC, so March there runs from 1 March 00:00 UTC to 31 March 23:00 UTC.
func accountsZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

// utc is a time of 2026 in UTC.
func utc(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, time.UTC)
}

// accountsShop is a GBP shop whose March 2026 (London time) is worked out by hand in the tests below.
//
//	SKUs: MUG cost 500, 600 from 20 Mar 12:00, 700 from 5 Apr; CARD 100; TAG "Gift tag – Kraft" 40;
//	      BOX 200, then 250 from the delivery of 5 Mar.
//	Ledger: 1 Feb MUG +10, CARD +20, TAG +3; 1 Mar CARD −2 (S-2 delivered); 5 Mar BOX +4 (PO);
//	      15 Mar MUG −2, TAG −3, CARD +1 (S-2 return, restocked); 2 Apr MUG +5; 3 Apr BOX +6 (PO).
//	Refunds: S-2 300 on 15 Mar (in), 300 on 2 Apr (out).
//	Orders (UTC):
//	S-1 shopify 28 Feb 23:30  MUG×1 @1000                                     out: 23:30 GMT on 28 Feb
//	S-2 shopify  1 Mar 00:00  CARD×2 @300, delivered                  total 600   in: the first instant
//	E-3 etsy    10 Mar 12:00  MUG×2 @1000, CARD×1 @550, TAG×3 @150,
//	                          discount 100, shipping 499, tax 533 included  total 3399
//	S-5 shopify 12 Mar 09:00  MUG×5 @1000, cancelled                              left out
//	A-9 amazon  15 Mar 10:00  no lines, tax 250                       total 1500
//	S-4 shopify 20 Mar 12:00  MUG, CARD, TAG ×1 @100, shipping 100    total 400   MUG at 600 from that instant
//	A-8 amazon  29 Mar 00:30  MUG×1 @2100 EUR                         total 2100  cost unknown in EUR
//	E-6 etsy    31 Mar 22:30  MUG×1 @1000, "Mystery item" ×1 @700     total 1700  in: 23:30 BST on 31 Mar
//	E-7 etsy    31 Mar 23:30  CARD×1 @550                                         out: 00:30 BST on 1 Apr
func accountsShop(t *testing.T) (*Store, *time.Time) {
	t.Helper()
	ctx := context.Background()
	clock := utc(time.January, 5, 9, 0)
	s := mustOpenAt(t, &clock)
	mustVariant(t, s, "MUG", "Stoneware mug", 1000, 500)
	mustVariant(t, s, "CARD", "Greeting card", 550, 100)
	if _, err := s.AddVariant(ctx, NewVariant{SKU: "TAG", ProductName: "Gift tag", Title: "Kraft", Price: 150, Cost: 40, Currency: "GBP"}); err != nil {
		t.Fatal(err)
	}
	mustVariant(t, s, "BOX", "Cardboard box", 900, 200)
	alder := mustSupplier(t, s, "Alder Clay", 7)
	po := mustCreatePO(t, s, NewPO{SupplierID: alder.ID, Lines: []NewPOLine{{SKU: "BOX", Quantity: 10, UnitCost: poCost(250)}}})
	mustSendPO(t, s, po.ID, nil)

	clock = utc(time.February, 1, 9, 0)
	mustAdjust(t, s, "MUG", 10)
	mustAdjust(t, s, "CARD", 20)
	mustAdjust(t, s, "TAG", 3)

	clock = utc(time.March, 1, 10, 0)
	s2 := periodOrder("shopify", "S-2", utc(time.March, 1, 0, 0), StatusDelivered, "GBP", 0, 0, 0, accountsLineOf("CARD", 2, 300))
	if _, err := s.ApplyOrders(ctx, []Order{s2}); err != nil {
		t.Fatal(err)
	}
	s2, err := s.OrderByKey(ctx, "shopify", "S-2")
	if err != nil {
		t.Fatal(err)
	}

	clock = utc(time.March, 5, 9, 0)
	mustReceivePO(t, s, po.ID, POReceipt{LineNo: 1, Quantity: 4})

	clock = utc(time.March, 15, 9, 0)
	mustAdjust(t, s, "MUG", -2)
	mustAdjust(t, s, "TAG", -3)
	if _, err := s.RecordReturn(ctx, Return{OrderID: s2.ID, LineNo: 1, Units: 1, Reason: ReturnChangedMind, Condition: ConditionAsNew,
		Disposition: Restock, Refund: 300}); err != nil {
		t.Fatal(err)
	}

	clock = utc(time.March, 20, 12, 0)
	setCost(t, s, "MUG", 600)

	clock = utc(time.April, 2, 9, 0)
	mustAdjust(t, s, "MUG", 5)
	if _, err := s.RecordReturn(ctx, Return{OrderID: s2.ID, LineNo: 1, Units: 1, Reason: ReturnDamaged, Condition: ConditionDamaged,
		Disposition: WriteOff, Refund: 300}); err != nil {
		t.Fatal(err)
	}

	clock = utc(time.April, 3, 9, 0)
	mustReceivePO(t, s, po.ID, POReceipt{LineNo: 1, Quantity: 6})

	clock = utc(time.April, 5, 9, 0)
	setCost(t, s, "MUG", 700)

	clock = utc(time.April, 10, 9, 0)
	e3 := periodOrder("etsy", "E-3", utc(time.March, 10, 12, 0), StatusPaid, "GBP", 100, 499, 533,
		accountsLineOf("MUG", 2, 1000), accountsLineOf("CARD", 1, 550), accountsLineOf("TAG", 3, 150))
	e3.Total = 3000 - 100 + 499 // the tax is in the prices
	a9 := Order{Channel: "amazon", ExternalID: "A-9", Status: StatusPaid, PlacedAt: utc(time.March, 15, 10, 0), Currency: "GBP",
		Subtotal: 1250, Tax: 250, Total: 1500}
	orders := []Order{
		periodOrder("shopify", "S-1", utc(time.February, 28, 23, 30), StatusPaid, "GBP", 0, 0, 0, accountsLineOf("MUG", 1, 1000)),
		e3,
		periodOrder("shopify", "S-5", utc(time.March, 12, 9, 0), StatusCancelled, "GBP", 0, 0, 0, accountsLineOf("MUG", 5, 1000)),
		a9,
		periodOrder("shopify", "S-4", utc(time.March, 20, 12, 0), StatusPaid, "GBP", 0, 100, 0,
			accountsLineOf("MUG", 1, 100), accountsLineOf("CARD", 1, 100), accountsLineOf("TAG", 1, 100)),
		periodOrder("amazon", "A-8", utc(time.March, 29, 0, 30), StatusPaid, "EUR", 0, 0, 0, accountsLineOf("MUG", 1, 2100)),
		periodOrder("etsy", "E-6", utc(time.March, 31, 22, 30), StatusPaid, "GBP", 0, 0, 0,
			accountsLineOf("MUG", 1, 1000), OrderLine{ChannelSKU: "XYZ", Name: "Mystery item", Quantity: 1, UnitPrice: 700}),
		periodOrder("etsy", "E-7", utc(time.March, 31, 23, 30), StatusPaid, "GBP", 0, 0, 0, accountsLineOf("CARD", 1, 550)),
	}
	res, err := s.ApplyOrders(ctx, orders)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != len(orders) || res.Unmatched != 1 {
		t.Fatalf("ApplyOrders = %+v, want %d new and 1 unmatched line", res, len(orders))
	}
	return s, &clock
}

// periodOrder is an order whose subtotal is its lines' value and whose total adds up as a shop
// charging tax on top would have it.
func periodOrder(channel, id string, placed time.Time, status Status, currency string, discount, shipping, tax int64, lines ...OrderLine) Order {
	o := Order{Channel: channel, ExternalID: id, Status: status, PlacedAt: placed, Currency: currency, Lines: lines,
		Discount: discount, Shipping: shipping, Tax: tax}
	for _, l := range lines {
		o.Subtotal += l.Quantity * l.UnitPrice
	}
	o.Total = o.Subtotal - discount + shipping + tax
	return o
}

func accountsLineOf(sku string, qty, price int64) OrderLine {
	return OrderLine{SKU: sku, Name: sku + " as the channel calls it", Quantity: qty, UnitPrice: price}
}

func setCost(t *testing.T, s *Store, sku string, cost int64) {
	t.Helper()
	if _, err := s.UpdateVariant(context.Background(), sku, VariantUpdate{Cost: &cost}); err != nil {
		t.Fatal(err)
	}
}

func march(t *testing.T) AccountsPeriod {
	t.Helper()
	return MonthPeriod(2026, time.March, accountsZone(t))
}

func TestAccountsPeriod_Bounds(t *testing.T) {
	loc := accountsZone(t)
	for _, c := range []struct {
		p          AccountsPeriod
		start, end time.Time
	}{
		{MonthPeriod(2026, time.March, loc), utc(time.March, 1, 0, 0), utc(time.March, 31, 23, 0)},
		{MonthPeriod(2026, time.October, loc), utc(time.September, 30, 23, 0), utc(time.November, 1, 0, 0)},
		{QuarterPeriod(2026, 1, loc), utc(time.January, 1, 0, 0), utc(time.March, 31, 23, 0)},
		{YearPeriod(2026, time.UTC), utc(time.January, 1, 0, 0), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		start, end := c.p.Bounds()
		if !start.Equal(c.start) || !end.Equal(c.end) {
			t.Errorf("%s in %s: Bounds() = %v, %v; want %v, %v", c.p, c.p.Location, start, end, c.start, c.end)
		}
	}
	if _, err := NewAccountsPeriod(utc(time.March, 2, 0, 0), utc(time.March, 1, 0, 0), loc); !errors.Is(err, ErrInvalid) {
		t.Errorf("a period ending before it starts: err = %v, want ErrInvalid", err)
	}
}

func TestShareOut(t *testing.T) {
	for _, c := range []struct {
		amount  int64
		weights []int64
		want    []int64
	}{
		{100, []int64{2000, 550, 450}, []int64{67, 18, 15}},             // 66.67, 18.33, 15
		{499, []int64{2000, 550, 450}, []int64{333, 91, 75}},            // 332.67, 91.48, 74.85
		{-533, []int64{2000, 550, 450}, []int64{-355, -98, -80}},        // as 533, negated
		{100, []int64{100, 100, 100}, []int64{34, 33, 33}},              // 99 rounded, the penny on the first of the largest
		{2, []int64{1, 1, 1}, []int64{0, 1, 1}},                         // 0.67 each rounds to 1: the largest gives one back
		{5, []int64{0, 10}, []int64{0, 5}},                              // a free line gets nothing
		{1 << 40, []int64{1 << 40, 1 << 40}, []int64{1 << 39, 1 << 39}}, // past 64 bits in the product
	} {
		sum, largest := int64(0), 0
		for i, w := range c.weights {
			sum += w
			if w > c.weights[largest] {
				largest = i
			}
		}
		got := make([]int64, len(c.weights))
		shareOut(got, c.amount, c.weights, sum, largest)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("shareOut(%d over %v) = %v, want %v", c.amount, c.weights, got, c.want)
		}
	}
}

func TestParseStoredTime(t *testing.T) {
	for _, s := range []string{"2026-03-31T22:30:05.123Z", "2024-02-29T00:00:00.000Z", "2026-03-31T22:30:05Z", "2026-03-31T22:30:05.123+01:00", "nonsense"} {
		if got, want := parseStoredTime(s), parseTime(s); !got.Equal(want) || got.Location() != want.Location() {
			t.Errorf("parseStoredTime(%q) = %v, parseTime says %v", s, got, want)
		}
	}
}

func TestStore_AccountsSales(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	ids := map[string]int64{}
	for _, key := range []string{"S-2", "E-3", "A-9", "S-4", "A-8", "E-6"} {
		ch := map[byte]string{'S': "shopify", 'E': "etsy", 'A': "amazon"}[key[0]]
		o, err := s.OrderByKey(ctx, ch, key)
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = o.ID
	}
	var got []SaleLine
	if err := s.AccountsSales(ctx, march(t), func(l SaleLine) error {
		got = append(got, l)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	row := func(id string, placed time.Time, line int, sku, product string, qty, price, discount, shipping, tax, total int64, currency string) SaleLine {
		ch := map[byte]string{'S': "shopify", 'E': "etsy", 'A': "amazon"}[id[0]]
		status := StatusPaid
		if id == "S-2" {
			status = StatusReturned // both cards came back, the second in April: returned orders stay in
		}
		return SaleLine{OrderRef: ids[id], Placed: placed, Channel: ch, OrderID: id, Status: status, LineNo: line, SKU: sku, Product: product,
			Quantity: qty, UnitPrice: price, Discount: discount, Shipping: shipping, Tax: tax, Total: total, Currency: currency}
	}
	e3, s4 := utc(time.March, 10, 12, 0), utc(time.March, 20, 12, 0)
	want := []SaleLine{
		row("S-2", utc(time.March, 1, 0, 0), 1, "CARD", "Greeting card", 2, 300, 0, 0, 0, 600, "GBP"),
		// Discount 100, shipping 499 and tax 533 by value 2000 : 550 : 450; the tax is inside the total
		// (3000 − 100 + 499), so each line's total leaves its share of it out again.
		row("E-3", e3, 1, "MUG", "Stoneware mug", 2, 1000, 67, 333, 355, 2266, "GBP"),
		row("E-3", e3, 2, "CARD", "Greeting card", 1, 550, 18, 91, 98, 623, "GBP"),
		row("E-3", e3, 3, "TAG", "Gift tag – Kraft", 3, 150, 15, 75, 80, 510, "GBP"),
		row("A-9", utc(time.March, 15, 10, 0), 0, "", "", 0, 0, 0, 0, 250, 1500, "GBP"),
		row("S-4", s4, 1, "MUG", "Stoneware mug", 1, 100, 0, 34, 0, 134, "GBP"),
		row("S-4", s4, 2, "CARD", "Greeting card", 1, 100, 0, 33, 0, 133, "GBP"),
		row("S-4", s4, 3, "TAG", "Gift tag – Kraft", 1, 100, 0, 33, 0, 133, "GBP"),
		row("A-8", utc(time.March, 29, 0, 30), 1, "MUG", "Stoneware mug", 1, 2100, 0, 0, 0, 2100, "EUR"),
		row("E-6", utc(time.March, 31, 22, 30), 1, "MUG", "Stoneware mug", 1, 1000, 0, 0, 0, 1000, "GBP"),
		row("E-6", utc(time.March, 31, 22, 30), 2, "", "Mystery item", 1, 700, 0, 0, 0, 700, "GBP"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccountsSales(March) =")
		for _, l := range got {
			t.Errorf("  %+v", l)
		}
		t.Errorf("want")
		for _, l := range want {
			t.Errorf("  %+v", l)
		}
	}
	totals := map[string]int64{}
	for _, l := range got {
		totals[l.OrderID] += l.Total
	}
	for id, total := range map[string]int64{"S-2": 600, "E-3": 3399, "A-9": 1500, "S-4": 400, "A-8": 2100, "E-6": 1700} {
		if totals[id] != total {
			t.Errorf("lines of %s add up to %d, the order's total is %d", id, totals[id], total)
		}
	}

	t.Run("UTCDays", func(t *testing.T) {
		// In UTC, 31 March runs to midnight: E-7 (23:30) is in.
		var last SaleLine
		if err := s.AccountsSales(ctx, MonthPeriod(2026, time.March, time.UTC), func(l SaleLine) error {
			last = l
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if last.OrderID != "E-7" {
			t.Errorf("last line of March in UTC is of %s, want E-7", last.OrderID)
		}
	})

	t.Run("CallerErrorComesBack", func(t *testing.T) {
		stop := errors.New("disk full")
		n := 0
		err := s.AccountsSales(ctx, march(t), func(SaleLine) error {
			n++
			return stop
		})
		if err != stop || n != 1 {
			t.Errorf("AccountsSales with a failing fn = %v after %d lines, want the fn's error as it was after 1", err, n)
		}
	})
}

func TestStore_AccountsRefunds(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	var got []RefundLine
	if err := s.AccountsRefunds(ctx, march(t), func(r RefundLine) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []RefundLine{{At: utc(time.March, 15, 9, 0), Channel: "shopify", OrderID: "S-2", OrderPlaced: utc(time.March, 1, 0, 0), SKU: "CARD",
		Product: "Greeting card", Units: 1, Reason: ReturnChangedMind, Condition: "as-new", Disposition: "restock", Refund: 300, Currency: "GBP"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccountsRefunds(March) = %+v\nwant %+v", got, want)
	}
}

func TestStore_AccountsCosts(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	var got []CostLine
	if err := s.AccountsCosts(ctx, march(t), func(c CostLine) error {
		got = append(got, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cost := func(id string, placed time.Time, sku, product string, units, unit int64, currency string, known bool) CostLine {
		ch := map[byte]string{'S': "shopify", 'E': "etsy", 'A': "amazon"}[id[0]]
		return CostLine{Placed: placed, Channel: ch, OrderID: id, SKU: sku, Product: product, Units: units, UnitCost: unit, Cost: units * unit,
			Currency: currency, Known: known}
	}
	e3, s4, e6 := utc(time.March, 10, 12, 0), utc(time.March, 20, 12, 0), utc(time.March, 31, 22, 30)
	want := []CostLine{
		cost("S-2", utc(time.March, 1, 0, 0), "CARD", "Greeting card", 2, 100, "GBP", true),
		cost("E-3", e3, "MUG", "Stoneware mug", 2, 500, "GBP", true), // before 600 came in
		cost("E-3", e3, "CARD", "Greeting card", 1, 100, "GBP", true),
		cost("E-3", e3, "TAG", "Gift tag – Kraft", 3, 40, "GBP", true),
		cost("S-4", s4, "MUG", "Stoneware mug", 1, 600, "GBP", true), // placed the instant 600 came in
		cost("S-4", s4, "CARD", "Greeting card", 1, 100, "GBP", true),
		cost("S-4", s4, "TAG", "Gift tag – Kraft", 1, 40, "GBP", true),
		cost("A-8", utc(time.March, 29, 0, 30), "MUG", "Stoneware mug", 1, 0, "EUR", false), // the cost is in GBP
		cost("E-6", e6, "MUG", "Stoneware mug", 1, 600, "GBP", true),                        // 700 came in April
		cost("E-6", e6, "", "Mystery item", 1, 0, "GBP", false),                             // no SKU
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccountsCosts(March) =")
		for _, c := range got {
			t.Errorf("  %+v", c)
		}
		t.Errorf("want")
		for _, c := range want {
			t.Errorf("  %+v", c)
		}
	}
}

func TestStore_AccountsStock(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	var got []StockValue
	if err := s.AccountsStock(ctx, march(t), func(v StockValue) error {
		got = append(got, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []StockValue{
		{SKU: "BOX", Product: "Cardboard box", OnHand: 4, UnitCost: 250, Value: 1000, Currency: "GBP"},   // the 5 March delivery's cost
		{SKU: "CARD", Product: "Greeting card", OnHand: 19, UnitCost: 100, Value: 1900, Currency: "GBP"}, // 20 − 2 sold + 1 back
		{SKU: "MUG", Product: "Stoneware mug", OnHand: 8, UnitCost: 600, Value: 4800, Currency: "GBP"},   // 10 − 2; 600 from 20 Mar, 700 only from 5 Apr
	} // TAG: 3 − 3 is none
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccountsStock(March) = %+v\nwant %+v", got, want)
	}

	t.Run("BeforeTheFirstCost", func(t *testing.T) {
		// At the end of January nothing was on hand yet (the first movements are of 1 February).
		n := 0
		if err := s.AccountsStock(ctx, MonthPeriod(2026, time.January, accountsZone(t)), func(StockValue) error {
			n++
			return nil
		}); err != nil || n != 0 {
			t.Errorf("AccountsStock(January) = %d rows, %v; want none", n, err)
		}
	})
}

func TestStore_AccountsPurchases(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	var got []PurchaseLine
	if err := s.AccountsPurchases(ctx, march(t), func(l PurchaseLine) error {
		got = append(got, l)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	pos, err := s.PurchaseOrders(ctx, POFilter{})
	if err != nil || len(pos) != 1 {
		t.Fatalf("PurchaseOrders = %v, %v", pos, err)
	}
	want := []PurchaseLine{{Received: utc(time.March, 5, 9, 0), PONumber: pos[0].Number, Supplier: "Alder Clay", SKU: "BOX", Product: "Cardboard box",
		Quantity: 4, UnitCost: 250, Total: 1000, Currency: "GBP"}} // the 6 of 3 April are April's
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccountsPurchases(March) = %+v\nwant %+v", got, want)
	}
}

func TestStore_AccountsPreview(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	p := march(t)
	got, err := s.AccountsPreview(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := AccountsTotals{
		Rows: AccountsRows{Sales: 11, Refunds: 1, Costs: 10, Stock: 3, Purchases: 1},
		Channels: []AccountsChannelTotal{
			{Channel: "amazon", Currency: "EUR", Orders: 1, Lines: 1, Goods: 2100, Total: 2100},
			{Channel: "amazon", Currency: "GBP", Orders: 1, Lines: 1, Tax: 250, Total: 1500},
			{Channel: "etsy", Currency: "GBP", Orders: 2, Lines: 5, Goods: 4700, Discount: 100, Shipping: 499, Tax: 533, Total: 5099,
				Cost: 1000 + 100 + 120 + 600},
			{Channel: "shopify", Currency: "GBP", Orders: 2, Lines: 4, Goods: 900, Shipping: 100, Total: 1000, Refunds: 300,
				Cost: 200 + 600 + 100 + 40},
		},
		UnknownCosts: 2,
		StockValue:   []CurrencyAmount{{Currency: "GBP", Amount: 7700}},
		Purchases:    []CurrencyAmount{{Currency: "GBP", Amount: 1000}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccountsPreview(March) = %+v\nwant %+v", got, want)
	}

	t.Run("SumsOfTheStreams", func(t *testing.T) {
		sums := streamTotals(t, s, p)
		if !reflect.DeepEqual(got, sums) {
			t.Errorf("AccountsPreview = %+v\nthe streams add up to %+v", got, sums)
		}
	})
}

// streamTotals adds up the accounts streams of p as a workbook's Summary sheet would.
func streamTotals(t *testing.T, s *Store, p AccountsPeriod) AccountsTotals {
	t.Helper()
	ctx := context.Background()
	var out AccountsTotals
	var keys [][2]string
	chans := map[[2]string]*AccountsChannelTotal{}
	ch := func(name, currency string) *AccountsChannelTotal {
		k := [2]string{name, currency}
		if chans[k] == nil {
			chans[k] = &AccountsChannelTotal{Channel: name, Currency: currency}
			keys = append(keys, k)
		}
		return chans[k]
	}
	orders := map[int64]bool{}
	if err := s.AccountsSales(ctx, p, func(l SaleLine) error {
		c := ch(l.Channel, l.Currency)
		if !orders[l.OrderRef] {
			orders[l.OrderRef] = true
			c.Orders++
		}
		c.Lines++
		c.Goods += l.Quantity * l.UnitPrice
		c.Discount += l.Discount
		c.Shipping += l.Shipping
		c.Tax += l.Tax
		c.Total += l.Total
		out.Rows.Sales++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AccountsRefunds(ctx, p, func(r RefundLine) error {
		ch(r.Channel, r.Currency).Refunds += r.Refund
		out.Rows.Refunds++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AccountsCosts(ctx, p, func(c CostLine) error {
		ch(c.Channel, c.Currency).Cost += c.Cost
		if !c.Known {
			out.UnknownCosts++
		}
		out.Rows.Costs++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stock, bought := map[string]int64{}, map[string]int64{}
	if err := s.AccountsStock(ctx, p, func(v StockValue) error {
		stock[v.Currency] += v.Value
		out.Rows.Stock++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AccountsPurchases(ctx, p, func(l PurchaseLine) error {
		bought[l.Currency] += l.Total
		out.Rows.Purchases++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		out.Channels = append(out.Channels, *chans[k])
	}
	sortChannelTotals(out.Channels)
	out.StockValue, out.Purchases = currencyAmounts(stock), currencyAmounts(bought)
	return out
}

func TestStore_AccountsPermissions(t *testing.T) {
	ctx := context.Background()
	s, _ := accountsShop(t)
	p := march(t)
	packer := s.As(User{Name: "Jamie Lee", Role: RolePacker, Active: true})
	accountant := s.As(User{Name: "Priya Shah", Role: RoleAccountant, Active: true})
	none := func(any) error { return nil }
	calls := map[string]func(*Store) error{
		"AccountsCosts": func(s *Store) error { return s.AccountsCosts(ctx, p, func(c CostLine) error { return none(c) }) },
		"AccountsStock": func(s *Store) error { return s.AccountsStock(ctx, p, func(v StockValue) error { return none(v) }) },
		"AccountsPurchases": func(s *Store) error {
			return s.AccountsPurchases(ctx, p, func(l PurchaseLine) error { return none(l) })
		},
		"AccountsPreview": func(s *Store) error {
			_, err := s.AccountsPreview(ctx, p)
			return err
		},
	}
	for name, call := range calls {
		if err := call(packer); !errors.Is(err, ErrPermission) {
			t.Errorf("%s as a packer: err = %v, want ErrPermission", name, err)
		}
		if err := call(accountant); err != nil {
			t.Errorf("%s as the accountant: %v", name, err)
		}
	}
	// Sales and refunds hold no costs, but they are the accounts export's, and a packer exports nothing.
	if err := packer.AccountsSales(ctx, p, func(SaleLine) error { return nil }); !errors.Is(err, ErrPermission) {
		t.Errorf("AccountsSales as a packer: err = %v, want ErrPermission", err)
	}
	if err := packer.AccountsRefunds(ctx, p, func(RefundLine) error { return nil }); !errors.Is(err, ErrPermission) {
		t.Errorf("AccountsRefunds as a packer: err = %v, want ErrPermission", err)
	}
}

// TestAccountsQueryPlans keeps the accounts' reads on their indexes: a year of a large shop is read in
// about a second only if no query scans the orders, lines or deliveries of other periods, or sorts what
// it reads. SQLite plans the same on an empty database, as Backroom keeps no statistics.
func TestAccountsQueryPlans(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	// Allowed: the channels' walk (g), the period's currencies (cur, a DISTINCT of a few values), and
	// stock, which sums the whole ledger up to the end through its covering index and sorts a row per SKU.
	allowed := []string{"SCAN g", "SCAN cur", "USE TEMP B-TREE FOR DISTINCT", "SCAN m",
		"SCAN stock_movements USING COVERING INDEX stock_movements_sku_at", "USE TEMP B-TREE FOR ORDER BY (stock)"}
	for name, q := range map[string]string{
		"sales":        periodOrdersSQL(false),
		"fingerprints": periodOrdersSQL(true),
		"channel sums": channelSumsSQL,
		"stock":        `SELECT sku, on_hand, cost, currency FROM (` + stockAtSQL + `) ORDER BY sku`,
		"purchases":    `SELECT r.received_at, po.number, r.sku ` + receiptsSQL + ` ORDER BY r.received_at, r.id`,
	} {
		var plan []string
		if err := scanRows(ctx, s.read, `EXPLAIN QUERY PLAN `+q, func(rows *sql.Rows) error {
			var id, parent, unused int
			var detail string
			err := rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
			return err
		}, "2026-01-01", "2027-01-01"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, step := range plan {
			if !strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "TEMP B-TREE") {
				continue
			}
			ok := false
			for _, a := range allowed {
				ok = ok || step == a || strings.HasPrefix(step, a+" ") || a == step+" ("+name+")"
			}
			if !ok {
				t.Errorf("%s: plan has %q:\n  %s", name, step, strings.Join(plan, "\n  "))
			}
		}
	}
}
