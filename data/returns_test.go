package data

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// returnsShop is packingShop with orders 5001 (2 mugs, 1 card) and 5002 (a gift set) shipped.
func returnsShop(t *testing.T) (owner, packer *Store, order5001, order5002 int64) {
	t.Helper()
	ctx := context.Background()
	owner, packer, order5001 = packingShop(t)
	if _, err := owner.ShipOrder(ctx, order5001, Shipment{Carrier: "Royal Mail", Tracking: "AB1GB"}); err != nil {
		t.Fatal(err)
	}
	gift, err := owner.OrderByKey(ctx, "shopify", "5002")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.ShipOrder(ctx, gift.ID, Shipment{Carrier: "Royal Mail"}); err != nil {
		t.Fatal(err)
	}
	return owner, packer, order5001, gift.ID
}

// returnMovements lists the return movements of a SKU.
func returnMovements(t *testing.T, s *Store, sku string) []Movement {
	t.Helper()
	all, err := s.Movements(context.Background(), sku, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []Movement
	for _, m := range all {
		if m.Reason == ReasonReturn {
			out = append(out, m)
		}
	}
	return out
}

func TestStore_RecordReturn(t *testing.T) {
	ctx := context.Background()

	t.Run("Restock", func(t *testing.T) {
		owner, packer, id, _ := returnsShop(t)
		before := mustLevel(t, owner, "MUG").OnHand // 10 − 2 sold
		r, err := packer.RecordReturn(ctx, Return{OrderID: id, SKU: "mug", Units: 1, Reason: ReturnDamaged, Condition: ConditionAsNew,
			Disposition: Restock, Refund: 1800, Note: " box dented "})
		if err != nil {
			t.Fatal(err)
		}
		if r.LineNo != 1 || r.SKU != "MUG" || r.Bin != "A-01" || r.Note != "box dented" || r.Currency != "GBP" || r.UserName != "Jamie" {
			t.Errorf("RecordReturn() = %+v", r)
		}
		if got, want := mustLevel(t, owner, "MUG").OnHand, before+1; got != want {
			t.Errorf("MUG on hand = %d, want %d", got, want)
		}
		ms := returnMovements(t, owner, "MUG")
		if len(ms) != 1 || ms[0].Quantity != 1 || ms[0].RefType != "order" || ms[0].RefID != "shopify:5001" {
			t.Fatalf("return movements = %+v, want one of +1 referring to the order", ms)
		}
		list, err := packer.Returns(ctx, ReturnFilter{OrderID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Refund != 1800 || list[0].Name != "Stoneware mug" || list[0].Bin != "A-01" || list[0].ExternalID != "5001" {
			t.Errorf("Returns() = %+v", list)
		}
		if o, _ := owner.Order(ctx, id); o.Status != StatusShipped {
			t.Errorf("status = %s after a part came back, want shipped", o.Status)
		}
	})

	t.Run("WriteOffMovesNothing", func(t *testing.T) {
		owner, _, id, _ := returnsShop(t)
		before := mustLevel(t, owner, "CARD").OnHand
		if _, err := owner.RecordReturn(ctx, Return{OrderID: id, LineNo: 2, Units: 1, Reason: ReturnDamaged, Condition: ConditionDamaged,
			Disposition: WriteOff}); err != nil {
			t.Fatal(err)
		}
		if got := mustLevel(t, owner, "CARD").OnHand; got != before {
			t.Errorf("CARD on hand = %d after a write-off, want %d unchanged", got, before)
		}
		if ms := returnMovements(t, owner, "CARD"); len(ms) != 0 {
			t.Errorf("a write-off made movements %+v", ms)
		}
		list, _ := owner.Returns(ctx, ReturnFilter{})
		if len(list) != 1 || list[0].Disposition != WriteOff || list[0].Bin != "" {
			t.Errorf("Returns() = %+v, want the write-off without a bin", list)
		}
	})

	t.Run("OverReturnRefused", func(t *testing.T) {
		owner, packer, id, _ := returnsShop(t)
		ret := Return{OrderID: id, LineNo: 1, Units: 2, Reason: ReturnChangedMind, Condition: ConditionOpened, Disposition: Restock}
		if _, err := packer.RecordReturn(ctx, ret); err != nil {
			t.Fatal(err)
		}
		ret.Units = 1
		_, err := packer.RecordReturn(ctx, ret)
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("third mug of two: error %v, want ErrConflict", err)
		}
		if got, want := UserMessage(err), "shopify order 5001 line 1 shipped 2 × MUG and 2 came back already: 1 more cannot be returned"; got != want {
			t.Errorf("message = %q, want %q", got, want)
		}
		if ms := returnMovements(t, owner, "MUG"); len(ms) != 1 || ms[0].Quantity != 2 {
			t.Errorf("return movements = %+v, want the one of +2", ms)
		}
	})

	t.Run("EverythingBackMovesToReturned", func(t *testing.T) {
		owner, packer, id, _ := returnsShop(t)
		for _, r := range []Return{
			{OrderID: id, LineNo: 1, Units: 2, Reason: ReturnLate, Condition: ConditionAsNew, Disposition: Restock},
			{OrderID: id, LineNo: 2, Units: 1, Reason: ReturnLate, Condition: ConditionAsNew, Disposition: Restock},
		} {
			if _, err := packer.RecordReturn(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		o, err := owner.Order(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != StatusReturned {
			t.Errorf("status = %s, want returned", o.Status)
		}
		// The sale movements stand, once each: only the returns put the goods back.
		if got := mustLevel(t, owner, "MUG").OnHand; got != 9 {
			t.Errorf("MUG on hand = %d, want 9: 10 − 2 for the order − 1 for the gift set + 2 back", got)
		}
		_, err = packer.RecordReturn(ctx, Return{OrderID: id, LineNo: 1, Units: 1, Reason: ReturnLate, Condition: ConditionAsNew, Disposition: Restock})
		if !errors.Is(err, ErrConflict) {
			t.Errorf("return from a returned order: error %v, want ErrConflict", err)
		}
	})

	t.Run("KitRestocksComponents", func(t *testing.T) {
		owner, _, _, gift := returnsShop(t)
		mug, card := mustLevel(t, owner, "MUG").OnHand, mustLevel(t, owner, "CARD").OnHand
		r, err := owner.RecordReturn(ctx, Return{OrderID: gift, SKU: "GIFT", Units: 1, Reason: ReturnWrongItem, Condition: ConditionAsNew, Disposition: Restock})
		if err != nil {
			t.Fatal(err)
		}
		if mustLevel(t, owner, "MUG").OnHand != mug+1 || mustLevel(t, owner, "CARD").OnHand != card+1 {
			t.Errorf("a returned gift set did not put its mug and card back")
		}
		if r.Bin != "A-01, B-02" {
			t.Errorf("Bin = %q, want both components' bins", r.Bin)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		owner, packer, id, _ := returnsShop(t)
		open, err := owner.ApplyOrders(ctx, []Order{shopOrder("5003", StatusPaid, "MUG", 1)})
		if err != nil || open.New != 1 {
			t.Fatal(err)
		}
		unshipped, _ := owner.OrderByKey(ctx, "shopify", "5003")
		acct, err := owner.AddUser(ctx, "Ben", RoleAccountant, "4321")
		if err != nil {
			t.Fatal(err)
		}
		accountant, err := owner.Login(ctx, acct.Name, "4321")
		if err != nil {
			t.Fatal(err)
		}
		ok := Return{OrderID: id, LineNo: 1, Units: 1, Reason: ReturnDamaged, Condition: ConditionDamaged, Disposition: WriteOff}
		for name, tc := range map[string]struct {
			s    *Store
			r    Return
			kind error
		}{
			"Unshipped":    {packer, Return{OrderID: unshipped.ID, LineNo: 1, Units: 1, Reason: ReturnDamaged, Condition: ConditionAsNew, Disposition: Restock}, ErrConflict},
			"Accountant":   {accountant, ok, ErrPermission},
			"NoUnits":      {packer, func() Return { r := ok; r.Units = 0; return r }(), ErrInvalid},
			"BadReason":    {packer, func() Return { r := ok; r.Reason = "bored"; return r }(), ErrInvalid},
			"NoCondition":  {packer, func() Return { r := ok; r.Condition = ""; return r }(), ErrInvalid},
			"NoLine":       {packer, func() Return { r := ok; r.LineNo = 9; return r }(), ErrNotFound},
			"WrongSKU":     {packer, func() Return { r := ok; r.SKU = "CARD"; return r }(), ErrInvalid},
			"RefundTooBig": {packer, func() Return { r := ok; r.Refund = 3601; return r }(), ErrConflict},
		} {
			if _, err := tc.s.RecordReturn(ctx, tc.r); !errors.Is(err, tc.kind) {
				t.Errorf("%s: error %v, want %v", name, err, tc.kind)
			}
		}
		if list, _ := owner.Returns(ctx, ReturnFilter{}); len(list) != 0 {
			t.Errorf("refused returns were recorded: %+v", list)
		}
	})
}

func TestStore_ReturnRates(t *testing.T) {
	ctx := context.Background()
	owner, packer, id, gift := returnsShop(t)
	for _, r := range []Return{
		{OrderID: id, LineNo: 1, Units: 1, Reason: ReturnDamaged, Condition: ConditionDamaged, Disposition: WriteOff},
		{OrderID: id, LineNo: 2, Units: 1, Reason: ReturnChangedMind, Condition: ConditionAsNew, Disposition: Restock},
		{OrderID: gift, LineNo: 1, Units: 1, Reason: ReturnDamaged, Condition: ConditionOpened, Disposition: Restock},
	} {
		if _, err := packer.RecordReturn(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	rates, byReason, err := owner.ReturnRates(ctx, testNow.Add(-24*time.Hour), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []ReturnRate{
		{SKU: "CARD", Name: "Greeting card", Sold: 1, Returned: 1, Rate: 1},
		{SKU: "GIFT", Name: "Gift set", Sold: 1, Returned: 1, Rate: 1},
		{SKU: "MUG", Name: "Stoneware mug", Sold: 2, Returned: 1, Rate: 0.5},
	}
	if len(rates) != len(want) {
		t.Fatalf("ReturnRates() = %+v, want %+v", rates, want)
	}
	for i := range want {
		if rates[i] != want[i] {
			t.Errorf("ReturnRates()[%d] = %+v, want %+v", i, rates[i], want[i])
		}
	}
	if byReason[ReturnDamaged] != 2 || byReason[ReturnChangedMind] != 1 || len(byReason) != 2 {
		t.Errorf("by reason = %v, want damaged 2, changed-mind 1", byReason)
	}
	// Orders shipped before the window do not count, nor do their returns.
	rates, byReason, err = owner.ReturnRates(ctx, testNow.Add(24*time.Hour), testNow.Add(48*time.Hour))
	if err != nil || len(rates) != 0 || len(byReason) != 0 {
		t.Errorf("ReturnRates(later window) = %+v, %v, %v; want nothing", rates, byReason, err)
	}
}

// TestRankReturnRates checks the ranking by rate × units returned, worked out by hand.
func TestRankReturnRates(t *testing.T) {
	rates := []ReturnRate{
		{SKU: "ONE-OF-TWO", Sold: 2, Returned: 1, Rate: 0.5},     // 0.5
		{SKU: "FORTY", Sold: 200, Returned: 40, Rate: 0.2},       // 8
		{SKU: "ALL-THREE", Sold: 3, Returned: 3, Rate: 1},        // 3
		{SKU: "SIX-OF-TWELVE", Sold: 12, Returned: 6, Rate: 0.5}, // 3, a lower rate than ALL-THREE
		{SKU: "A-ONE-OF-TWO", Sold: 2, Returned: 1, Rate: 0.5},   // as ONE-OF-TWO: by SKU
		{SKU: "NONE-SOLD", Sold: 0, Returned: 1, Rate: 0},        // 0
	}
	rankReturnRates(rates)
	var got []string
	for _, r := range rates {
		got = append(got, r.SKU)
	}
	want := []string{"FORTY", "ALL-THREE", "SIX-OF-TWELVE", "A-ONE-OF-TWO", "ONE-OF-TWO", "NONE-SOLD"}
	if !slices.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
}
