package data

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// opsShop is a shop whose orders move at set hours after testNow (t0), with the clock moved by hand
// before each step:
//
//	order  placed   history (hours after t0)                                   shipment
//	A      t0−1h    new 0, paid 2, picking 3, packed 7, shipped 8, delivered 56  Royal Mail Tracked 48 at 8, ship by 8
//	B      t0−1h    new 0, paid 4, picking 5, packed 6, shipped 30, delivered 54 royal mail tracked 48 at 30, ship by 24
//	C      t0−1h    new 0, paid 10 (still paid)
//	D      t0−1h    new 0 (still new)
//	E      t0−10d   picking −1 (still picking: placed before the period)
//	F      t0−1h    new 0, cancelled 1
//	G      t0−1h    new 0, shipped 9                                            DPD Next Day at 9, no ship-by
//
// The figures are read at t0+72h.
func opsShop(t *testing.T) (owner *Store, ids map[string]int64) {
	t.Helper()
	ctx := context.Background()
	clock := testNow
	s, err := Open(ctx, filepath.Join(t.TempDir(), "shop.db"), Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := func(hours int) { clock = testNow.Add(time.Duration(hours) * time.Hour) }
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 50)

	order := func(id string, status Status, placed, shipBy time.Time) Order {
		o := shopOrder(id, status, "MUG", 1)
		o.PlacedAt, o.ShipBy = placed, shipBy
		return o
	}
	placed := testNow.Add(-time.Hour)
	at(-1)
	if _, err := s.ApplyOrders(ctx, []Order{order("E", StatusPicking, testNow.AddDate(0, 0, -10), time.Time{})}); err != nil {
		t.Fatal(err)
	}
	at(0)
	if _, err := s.ApplyOrders(ctx, []Order{
		order("A", StatusNew, placed, testNow.Add(8*time.Hour)),
		order("B", StatusNew, placed, testNow.Add(24*time.Hour)),
		order("C", StatusNew, placed, time.Time{}),
		order("D", StatusNew, placed, time.Time{}),
		order("F", StatusNew, placed, time.Time{}),
		order("G", StatusNew, placed, time.Time{}),
	}); err != nil {
		t.Fatal(err)
	}
	ids = map[string]int64{}
	for _, id := range []string{"A", "B", "C", "D", "E", "F", "G"} {
		o, err := s.OrderByKey(ctx, "shopify", id)
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = o.ID
	}
	move := func(hours int, id string, next Status) {
		t.Helper()
		at(hours)
		if _, err := s.SetOrderStatus(ctx, ids[id], next); err != nil {
			t.Fatalf("move %s to %s: %v", id, next, err)
		}
	}
	ship := func(hours int, id, carrier, service string) {
		t.Helper()
		at(hours)
		if _, err := s.ShipOrder(ctx, ids[id], Shipment{Carrier: carrier, Service: service}); err != nil {
			t.Fatalf("ship %s: %v", id, err)
		}
	}
	move(1, "F", StatusCancelled)
	move(2, "A", StatusPaid)
	move(3, "A", StatusPicking)
	move(4, "B", StatusPaid)
	move(5, "B", StatusPicking)
	move(6, "B", StatusPacked)
	move(7, "A", StatusPacked)
	ship(8, "A", "Royal Mail", "Tracked 48")
	ship(9, "G", "DPD", "Next Day")
	move(10, "C", StatusPaid)
	ship(30, "B", "royal mail", "tracked 48")
	move(54, "B", StatusDelivered)
	move(56, "A", StatusDelivered)
	at(72)
	return s, ids
}

// opsPeople signs in an accountant and a packer of the shop.
func opsPeople(t *testing.T, s *Store) (accountant, packer *Store) {
	t.Helper()
	ctx := context.Background()
	var err error
	if _, err = s.AddUser(ctx, "Ava", RoleAccountant, "5678"); err != nil {
		t.Fatal(err)
	}
	if _, err = s.AddUser(ctx, "Jamie", RolePacker, "1234"); err != nil {
		t.Fatal(err)
	}
	if accountant, err = s.Login(ctx, "Ava", "5678"); err != nil {
		t.Fatal(err)
	}
	if packer, err = s.Login(ctx, "Jamie", "1234"); err != nil {
		t.Fatal(err)
	}
	return accountant, packer
}

func TestStore_StatusAges(t *testing.T) {
	ctx := context.Background()
	s, _ := opsShop(t)
	accountant, packer := opsPeople(t, s)
	h := func(f float64) time.Duration { return time.Duration(f * float64(time.Hour)) }

	t.Run("OK", func(t *testing.T) {
		got, err := accountant.StatusAges(ctx, testNow.Add(-2*time.Hour), testNow.Add(72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := []StatusAge{
			// new: F 1, A 2, B 4, G 9, C 10, D 72 (still new at t0+72h); E was placed before the period.
			{Status: StatusNew, Orders: 6, Average: 98 * time.Hour / 6, Median: h(6.5), Longest: h(72)},
			// paid: A 1, B 1, C 62 (still paid).
			{Status: StatusPaid, Orders: 3, Average: 64 * time.Hour / 3, Median: h(1), Longest: h(62)},
			// picking: B 1, A 4.
			{Status: StatusPicking, Orders: 2, Average: h(2.5), Median: h(2.5), Longest: h(4)},
			// packed: A 1, B 24.
			{Status: StatusPacked, Orders: 2, Average: h(12.5), Median: h(12.5), Longest: h(24)},
		}
		if len(got) != len(want) {
			t.Fatalf("StatusAges() = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("StatusAges()[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
	})
	t.Run("OnlyOrdersPlacedInThePeriod", func(t *testing.T) {
		got, err := s.StatusAges(ctx, testNow.AddDate(0, 0, -11), testNow.AddDate(0, 0, -9))
		if err != nil {
			t.Fatal(err)
		}
		// E alone: picking since t0−1h, 73 hours by t0+72h; nothing in the other statuses.
		if got[2].Orders != 1 || got[2].Longest != h(73) || got[0].Orders != 0 || got[0].Average != 0 {
			t.Errorf("StatusAges() = %+v, want E alone, 73h in picking", got)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		if _, err := packer.StatusAges(ctx, testNow, testNow.Add(time.Hour)); !errors.Is(err, ErrPermission) {
			t.Errorf("packer StatusAges() error = %v, want ErrPermission", err)
		}
	})
}

func TestStore_StuckOrders(t *testing.T) {
	ctx := context.Background()
	s, ids := opsShop(t)
	accountant, packer := opsPeople(t, s)

	// At t0+72h: E picking since t0−1h (73h), D new since t0 (72h), C paid since t0+10h (62h).
	for _, tc := range []struct {
		longer time.Duration
		want   []string
	}{
		{72 * time.Hour, []string{"E"}},
		{62 * time.Hour, []string{"E", "D"}}, // C is in paid for exactly 62h: not longer
		{48 * time.Hour, []string{"E", "D", "C"}},
		{80 * time.Hour, nil},
	} {
		got, err := accountant.StuckOrders(ctx, tc.longer)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, st := range got {
			names = append(names, st.Order.ExternalID)
			if st.Order.ID != ids[st.Order.ExternalID] || st.Status != st.Order.Status {
				t.Errorf("StuckOrders(%v): %+v", tc.longer, st)
			}
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("StuckOrders(%v) = %v, want %v", tc.longer, names, tc.want)
		}
	}
	got, err := s.StuckOrders(ctx, 48*time.Hour)
	if err != nil || len(got) != 3 {
		t.Fatalf("StuckOrders(48h) = %+v, %v", got, err)
	}
	if g, w := got[0].Since, testNow.Add(-time.Hour); !g.Equal(w) || got[0].Status != StatusPicking {
		t.Errorf("E stuck since %v in %s, want %v in picking", g, got[0].Status, w)
	}
	if g, w := got[2].Since, testNow.Add(10*time.Hour); !g.Equal(w) || got[2].Status != StatusPaid {
		t.Errorf("C stuck since %v in %s, want %v in paid", g, got[2].Status, w)
	}
	for _, st := range got {
		full, err := s.Order(ctx, st.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o := st.Order; o.Channel != full.Channel || o.ExternalID != full.ExternalID || !o.PlacedAt.Equal(full.PlacedAt) ||
			o.PlacedAt.Location().String() != full.PlacedAt.Location().String() || !o.ShipBy.Equal(full.ShipBy) {
			t.Errorf("stuck order %+v, want the id, channel, number, placing time and ship-by of %+v", o, full)
		}
	}
	if _, err := packer.StuckOrders(ctx, time.Hour); !errors.Is(err, ErrPermission) {
		t.Errorf("packer StuckOrders() error = %v, want ErrPermission", err)
	}
}

func TestStore_CarrierFigures(t *testing.T) {
	ctx := context.Background()
	s, _ := opsShop(t)
	accountant, packer := opsPeople(t, s)

	t.Run("OK", func(t *testing.T) {
		got, err := accountant.CarrierFigures(ctx, testNow, testNow.Add(72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := []CarrierFigures{
			{Carrier: "DPD", Service: "Next Day", Shipped: 1},
			// A on its ship-by hour (on time), B six hours after (late); transits 48h and 24h.
			{Carrier: "Royal Mail", Service: "Tracked 48", Shipped: 2, OnTime: 1, WithShipBy: 2, Delivered: 2, AverageTransit: 36 * time.Hour},
		}
		if len(got) != len(want) {
			t.Fatalf("CarrierFigures() = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("CarrierFigures()[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
		if r := got[1].OnTimeRate(); r != 0.5 {
			t.Errorf("Royal Mail OnTimeRate() = %v, want 0.5", r)
		}
		if r := got[0].OnTimeRate(); r != 0 {
			t.Errorf("DPD OnTimeRate() = %v, want 0 (no ship-by dates)", r)
		}
	})
	t.Run("OnlyShipmentsInThePeriod", func(t *testing.T) {
		// B was handed over at t0+30h, the end of the period: left out.
		got, err := s.CarrierFigures(ctx, testNow, testNow.Add(30*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1].Shipped != 1 || got[1].OnTime != 1 || got[1].AverageTransit != 48*time.Hour || got[1].OnTimeRate() != 1 {
			t.Errorf("CarrierFigures() = %+v, want Royal Mail with A alone", got)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		if _, err := packer.CarrierFigures(ctx, testNow, testNow.Add(time.Hour)); !errors.Is(err, ErrPermission) {
			t.Errorf("packer CarrierFigures() error = %v, want ErrPermission", err)
		}
	})
}
