package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testStream stands in for the hub's stream: every device's ops in the order they were published, each
// op id once (the hub's message-id dedupe; the devices must not rely on it, see TestSync_Redelivery).
type testStream struct {
	ops  []SyncOp
	seen map[string]bool
}

func (h *testStream) publish(tb testing.TB, s *Store) int {
	tb.Helper()
	ctx := context.Background()
	if h.seen == nil {
		h.seen = map[string]bool{}
	}
	sent := 0
	for {
		ops, err := s.PendingOps(ctx, 100)
		if err != nil {
			tb.Fatalf("PendingOps: %v", err)
		}
		if len(ops) == 0 {
			return sent
		}
		ids := make([]string, len(ops))
		for i, op := range ops {
			if !h.seen[op.ID] {
				h.seen[op.ID] = true
				h.ops = append(h.ops, op)
			}
			ids[i] = op.ID
		}
		if err := s.MarkPublished(ctx, ids); err != nil {
			tb.Fatalf("MarkPublished: %v", err)
		}
		sent += len(ops)
	}
}

// pull applies what s has not seen of the stream, in batches, as a device's consumer does.
func (h *testStream) pull(tb testing.TB, s *Store) SyncApplied {
	tb.Helper()
	ctx := context.Background()
	var total SyncApplied
	for {
		cur, err := s.SyncCursor(ctx)
		if err != nil {
			tb.Fatalf("SyncCursor: %v", err)
		}
		if int(cur) >= len(h.ops) {
			return total
		}
		end := min(int(cur)+7, len(h.ops))
		res, err := s.ApplyRemote(ctx, h.ops[cur:end], uint64(end))
		if err != nil {
			tb.Fatalf("ApplyRemote: %v", err)
		}
		total.Applied += res.Applied
		total.Skipped += res.Skipped
		total.Parked += res.Parked
		total.Oversold = append(total.Oversold, res.Oversold...)
	}
}

func (h *testStream) syncAll(tb testing.TB, stores ...*Store) {
	tb.Helper()
	for range 2 {
		for _, s := range stores {
			h.publish(tb, s)
		}
		for _, s := range stores {
			h.pull(tb, s)
		}
	}
}

func dumpShared(tb testing.TB, s *Store) string {
	tb.Helper()
	var b bytes.Buffer
	if err := s.DumpShared(context.Background(), &b); err != nil {
		tb.Fatalf("DumpShared: %v", err)
	}
	return b.String()
}

func requireSameDump(tb testing.TB, a, b *Store) {
	tb.Helper()
	da, db := dumpShared(tb, a), dumpShared(tb, b)
	if da == db {
		return
	}
	la, lb := strings.Split(da, "\n"), strings.Split(db, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			tb.Fatalf("shared data differs at line %d:\n  A: %s\n  B: %s", i+1, la[i], lb[i])
		}
	}
	tb.Fatalf("shared data differs in length: %d lines and %d lines", len(la), len(lb))
}

// twoDevices makes a founding device A with one SKU and 10 units, and a device B joined to it, synced.
func twoDevices(t *testing.T) (a, b *Store, clockA, clockB *time.Time, hub *testStream) {
	t.Helper()
	ctx := context.Background()
	ta, tb := testNow, testNow.Add(-2*time.Minute) // B's wall clock is two minutes slow
	clockA, clockB = &ta, &tb
	a, b = mustOpenAt(t, clockA), mustOpenAt(t, clockB)
	mustVariant(t, a, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, a, "MUG", 10)
	if err := a.EnableSync(ctx, true); err != nil {
		t.Fatalf("EnableSync(founding): %v", err)
	}
	if err := b.EnableSync(ctx, false); err != nil {
		t.Fatalf("EnableSync(joining): %v", err)
	}
	hub = &testStream{}
	hub.syncAll(t, a, b)
	requireSameDump(t, a, b)
	if l := mustLevel(t, b, "MUG"); l.OnHand != 10 {
		t.Fatalf("B's MUG on hand after joining = %d, want 10", l.OnHand)
	}
	return a, b, clockA, clockB, hub
}

func TestSync_ConcurrentChangesConverge(t *testing.T) {
	ctx := context.Background()
	a, b, clockA, clockB, hub := twoDevices(t)

	// Apart: A sells 3 in three orders, B sells 4 in one; both import web order #1001 (2 units).
	*clockA, *clockB = clockA.Add(time.Minute), clockB.Add(time.Minute)
	for _, id := range []string{"A-1", "A-2", "A-3"} {
		if _, err := a.ApplyOrders(ctx, []Order{shopOrder(id, StatusShipped, "MUG", 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.ApplyOrders(ctx, []Order{shopOrder("B-1", StatusShipped, "MUG", 4)}); err != nil {
		t.Fatal(err)
	}
	web := shopOrder("#1001", StatusPaid, "MUG", 2)
	ra, err := a.ApplyOrders(ctx, []Order{web})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ApplyOrders(ctx, []Order{web}); err != nil {
		t.Fatal(err)
	}
	if ra.New != 1 {
		t.Fatalf("A's import of #1001: new = %d", ra.New)
	}
	id := orderRowID("shopify", "#1001")
	// B ships #1001; A, later by the clock, only moves it to picking: shipped must survive.
	if _, err := b.ShipOrder(ctx, id, Shipment{Carrier: "Royal Mail", Tracking: "RM1"}); err != nil {
		t.Fatalf("B ShipOrder: %v", err)
	}
	// Both edit the price; A's edit is the later one.
	priceB, priceA := int64(1900), int64(2100)
	if _, err := b.UpdateVariant(ctx, "MUG", VariantUpdate{Price: &priceB}); err != nil {
		t.Fatal(err)
	}
	*clockA = clockA.Add(time.Minute)
	if _, err := a.SetOrderStatus(ctx, id, StatusPicking); err != nil {
		t.Fatalf("A SetOrderStatus: %v", err)
	}
	if _, err := a.UpdateVariant(ctx, "MUG", VariantUpdate{Price: &priceA}); err != nil {
		t.Fatal(err)
	}

	hub.syncAll(t, a, b)
	requireSameDump(t, a, b)
	for name, s := range map[string]*Store{"A": a, "B": b} {
		if l := mustLevel(t, s, "MUG"); l.OnHand != 10-3-4-2 || l.Reserved != 0 {
			t.Errorf("%s: MUG on hand %d reserved %d, want 1 and 0", name, l.OnHand, l.Reserved)
		}
		o, err := s.Order(ctx, id)
		if err != nil {
			t.Fatalf("%s: order #1001: %v", name, err)
		}
		if o.Status != StatusShipped {
			t.Errorf("%s: #1001 status %s, want shipped", name, o.Status)
		}
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE external_id = '#1001'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: #1001 stored %d times (%v), want once", name, n, err)
		}
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM stock_movements WHERE ref_type = 'order' AND ref_id = ?`, "shopify:#1001").Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: #1001 moved stock %d times (%v), want once", name, n, err)
		}
		v, err := s.Variant(ctx, "MUG")
		if err != nil {
			t.Fatal(err)
		}
		if v.Price != priceA {
			t.Errorf("%s: price %d, want A's later %d", name, v.Price, priceA)
		}
	}
}

func TestSync_OversoldShows(t *testing.T) {
	ctx := context.Background()
	a, b, _, _, hub := twoDevices(t)
	// Apart, each device takes an order for 6 of the 10: each alone is fine, together they are not.
	if _, err := a.ApplyOrders(ctx, []Order{shopOrder("A-1", StatusPaid, "MUG", 6)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ApplyOrders(ctx, []Order{shopOrder("B-1", StatusPaid, "MUG", 6)}); err != nil {
		t.Fatal(err)
	}
	hub.publish(t, a)
	hub.publish(t, b)
	got := hub.pull(t, a)
	if len(got.Oversold) != 1 || got.Oversold[0] != "MUG" {
		t.Errorf("A's pull reported oversold %v, want [MUG]", got.Oversold)
	}
	if l := mustLevel(t, a, "MUG"); l.Available != -2 {
		t.Errorf("A: MUG available %d, want -2", l.Available)
	}
	risk, err := a.AtRisk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range risk {
		found = found || r.SKU == "MUG"
	}
	if !found {
		t.Errorf("the at-risk list does not show MUG: %+v", risk)
	}
	// And as an exception someone must handle, naming both orders.
	if err := a.RefreshExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	ex, err := a.Exceptions(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var summary string
	for _, e := range ex {
		if e.Kind == ExceptionAtRiskSKU && e.Ref == "MUG" {
			summary = e.Summary
		}
	}
	if want := "MUG is oversold: 2 units short for open orders A-1, B-1"; summary != want && summary != "MUG is oversold: 2 units short for open orders B-1, A-1" {
		t.Errorf("at-risk exception %q, want %q", summary, want)
	}
}

func TestSync_Redelivery(t *testing.T) {
	ctx := context.Background()
	a, b, _, _, hub := twoDevices(t)
	if _, err := a.ApplyOrders(ctx, []Order{shopOrder("A-1", StatusShipped, "MUG", 3)}); err != nil {
		t.Fatal(err)
	}
	hub.publish(t, a)
	hub.pull(t, b)
	// The hub's dedupe window has passed and everything arrives again, from the start.
	res, err := b.ApplyRemote(ctx, hub.ops, uint64(len(hub.ops)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 0 || res.Skipped != len(hub.ops) {
		t.Errorf("redelivery applied %d, skipped %d of %d", res.Applied, res.Skipped, len(hub.ops))
	}
	if l := mustLevel(t, b, "MUG"); l.OnHand != 7 {
		t.Errorf("B: MUG on hand %d after redelivery, want 7", l.OnHand)
	}
	requireSameDump(t, a, b)
}

func TestSync_JoinRefusesAShop(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	if err := s.EnableSync(ctx, false); !errors.Is(err, ErrShopNotEmpty) {
		t.Errorf("joining with a shop of its own: %v, want ErrShopNotEmpty", err)
	}
	if st, err := s.SyncStatus(ctx); err != nil || st.Enabled {
		t.Errorf("sync enabled after a refused join: %+v, %v", st, err)
	}
}

func TestSync_ThirdDeviceFromStream(t *testing.T) {
	ctx := context.Background()
	a, b, _, _, hub := twoDevices(t)
	if _, err := b.ApplyOrders(ctx, []Order{shopOrder("B-1", StatusShipped, "MUG", 4)}); err != nil {
		t.Fatal(err)
	}
	if err := a.SetSetting(ctx, SettingShopName, "Clay & Co"); err != nil {
		t.Fatal(err)
	}
	hub.syncAll(t, a, b)
	c := mustOpen(t)
	if err := c.EnableSync(ctx, false); err != nil {
		t.Fatal(err)
	}
	hub.pull(t, c)
	requireSameDump(t, a, c)
	if name, _ := c.Setting(ctx, SettingShopName); name != "Clay & Co" {
		t.Errorf("C's shop name %q", name)
	}
}

func TestSync_ConcurrentDeleteAndInsertConverge(t *testing.T) {
	ctx := context.Background()
	a, b, clockA, _, hub := twoDevices(t)
	codes := []string{"5012345678900"}
	if _, err := a.UpdateVariant(ctx, "MUG", VariantUpdate{Barcodes: &codes}); err != nil {
		t.Fatal(err)
	}
	hub.syncAll(t, a, b)
	// Apart: B replaces the barcodes with two; A, later, clears them.
	two := []string{"5012345678900", "5012345678917"}
	if _, err := b.UpdateVariant(ctx, "MUG", VariantUpdate{Barcodes: &two}); err != nil {
		t.Fatal(err)
	}
	*clockA = clockA.Add(time.Minute)
	none := []string{}
	if _, err := a.UpdateVariant(ctx, "MUG", VariantUpdate{Barcodes: &none}); err != nil {
		t.Fatal(err)
	}
	hub.syncAll(t, a, b)
	requireSameDump(t, a, b)
	v, err := b.Variant(ctx, "MUG")
	if err != nil {
		t.Fatal(err)
	}
	// A's clearing deleted the code it knew; the one B added, which A never saw, stays.
	if len(v.Barcodes) != 1 || v.Barcodes[0] != "5012345678917" {
		t.Errorf("barcodes after merge: %v, want [5012345678917]", v.Barcodes)
	}
}

func TestSync_FutureClockWaits(t *testing.T) {
	ctx := context.Background()
	a, b, clockA, clockB, hub := twoDevices(t)
	// A's clock runs an hour fast: its edit is kept by B but not applied until B's clock is within
	// five minutes of it, or every edit B made after would lose to it.
	*clockA = clockA.Add(time.Hour)
	price := int64(2500)
	if _, err := a.UpdateVariant(ctx, "MUG", VariantUpdate{Price: &price}); err != nil {
		t.Fatal(err)
	}
	hub.publish(t, a)
	got := hub.pull(t, b)
	if got.Parked != 1 {
		t.Fatalf("parked %d, want 1", got.Parked)
	}
	if st, _ := b.SyncStatus(ctx); st.Parked != 1 {
		t.Errorf("status parked %d, want 1", st.Parked)
	}
	if v, _ := b.Variant(ctx, "MUG"); v.Price != 1800 {
		t.Errorf("B applied a price from the future: %d", v.Price)
	}
	*clockB = clockB.Add(time.Hour)
	if _, err := b.ApplyRemote(ctx, nil, 0); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Variant(ctx, "MUG"); v.Price != 2500 {
		t.Errorf("B's price once its clock caught up: %d, want 2500", v.Price)
	}
	if st, _ := b.SyncStatus(ctx); st.Parked != 0 {
		t.Errorf("status parked %d after the retry, want 0", st.Parked)
	}
	requireSameDump(t, a, b)
}

// TestSync_RandomSchedules runs random changes on three devices that publish and pull at random, with
// redelivery, then checks they converge: identical shared data, stock equal to its ledger, each order
// once. SYNC_SEED=n replays one schedule; the seed is printed on failure.
func TestSync_RandomSchedules(t *testing.T) {
	seeds := []int64{1, 2, 3, 4, 5}
	if env := os.Getenv("SYNC_SEED"); env != "" {
		n, err := strconv.ParseInt(env, 10, 64)
		if err != nil {
			t.Fatalf("SYNC_SEED=%q: %v", env, err)
		}
		seeds = []int64{n}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("replay with SYNC_SEED=%d", seed)
				}
			}()
			randomSchedule(t, seed)
		})
	}
}

func randomSchedule(t *testing.T, seed int64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	a, b, clockA, clockB, hub := twoDevices(t)
	clockC := testNow.Add(time.Minute)
	c := mustOpenAt(t, &clockC)
	if err := c.EnableSync(ctx, false); err != nil {
		t.Fatal(err)
	}
	hub.pull(t, c)
	devices := []*Store{a, b, c}
	clocks := []*time.Time{clockA, clockB, &clockC}
	mustVariant(t, a, "BOWL", "Serving bowl", 3200, 1100)
	mustAdjust(t, a, "BOWL", 50)
	hub.syncAll(t, devices...)
	skus := []string{"MUG", "BOWL"}
	statuses := []Status{StatusPicking, StatusPacked, StatusShipped, StatusCancelled}
	for step := 0; step < 150; step++ {
		i := rng.IntN(3)
		s := devices[i]
		*clocks[i] = clocks[i].Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
		sku := skus[rng.IntN(len(skus))]
		switch rng.IntN(8) {
		case 0:
			mustAdjust(t, s, sku, int64(rng.IntN(5)+1))
		case 1: // an order several devices may import
			o := shopOrder(fmt.Sprintf("W-%d", rng.IntN(12)), StatusPaid, sku, int64(rng.IntN(3)+1))
			if _, err := s.ApplyOrders(ctx, []Order{o}); err != nil {
				t.Fatalf("step %d ApplyOrders: %v", step, err)
			}
		case 2:
			price := int64(1000 + rng.IntN(3000))
			if _, err := s.UpdateVariant(ctx, sku, VariantUpdate{Price: &price}); err != nil {
				t.Fatalf("step %d UpdateVariant: %v", step, err)
			}
		case 3: // move an order this device knows on, when its rules allow
			id := orderRowID("shopify", fmt.Sprintf("W-%d", rng.IntN(12)))
			if o, err := s.Order(ctx, id); err == nil {
				next := statuses[rng.IntN(len(statuses))]
				if o.Status.CanMoveTo(next) {
					if next == StatusShipped {
						_, err = s.ShipOrder(ctx, id, Shipment{Carrier: "DPD", Tracking: fmt.Sprint("T", step)})
					} else {
						_, err = s.SetOrderStatus(ctx, id, next)
					}
					if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrInvalid) {
						t.Fatalf("step %d status of %d to %s: %v", step, id, next, err)
					}
				}
			}
		case 4:
			codes := []string{fmt.Sprintf("50123456%05d", rng.IntN(4))}
			if _, err := s.UpdateVariant(ctx, sku, VariantUpdate{Barcodes: &codes}); err != nil && !errors.Is(err, ErrConflict) {
				t.Fatalf("step %d barcodes: %v", step, err)
			}
		case 5:
			hub.publish(t, s)
		case 6:
			hub.pull(t, s)
		case 7: // a redelivery of a stretch of the stream the device already has
			if cur, _ := s.SyncCursor(ctx); cur > 0 {
				from := rng.IntN(int(cur))
				if _, err := s.ApplyRemote(ctx, hub.ops[from:cur], cur); err != nil {
					t.Fatalf("step %d redelivery: %v", step, err)
				}
			}
		}
	}
	hub.syncAll(t, devices...)
	requireSameDump(t, a, b)
	requireSameDump(t, a, c)
	for _, s := range devices {
		var bad int
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT sku, SUM(quantity) q FROM stock_movements GROUP BY sku) m
			LEFT JOIN (SELECT sku, SUM(on_hand) q FROM stock_levels GROUP BY sku) l USING (sku) WHERE l.q IS NOT m.q`).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("%d SKUs whose stock differs from their ledger (%v)", bad, err)
		}
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM orders GROUP BY channel, external_id HAVING count(*) > 1)`).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("%d orders stored twice (%v)", bad, err)
		}
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM sync_ops WHERE parked <> ''`).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("%d ops parked (%v)", bad, err)
		}
		if got, want := keptSalesHours(t, s), freshSalesHours(t, s); !maps.Equal(got, want) {
			t.Errorf("sales_hours %v, the orders sum to %v", got, want)
		}
		if got, want := keptShipmentTimes(t, s), freshShipmentTimes(t, s); !slices.Equal(got, want) {
			t.Errorf("shipment_times %v, the parcels give %v", got, want)
		}
	}
}

// A device restored from a backup receives back the changes it made after that backup (they are in
// the stream), and the changes it makes next are not taken for those.
func TestSync_RestoredDeviceCatchesUp(t *testing.T) {
	ctx := context.Background()
	a, b, clockA, _, hub := twoDevices(t)
	rep, err := a.Backup(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// After the backup A sells 3 and tells the hub.
	if _, err := a.ApplyOrders(ctx, []Order{shopOrder("A-1", StatusShipped, "MUG", 3)}); err != nil {
		t.Fatal(err)
	}
	hub.syncAll(t, a, b)
	path := a.Path()
	a.Close()
	if _, err := Restore(ctx, path, rep.Backup.Path, RestoreOptions{}); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	a, err = Open(ctx, path, Options{Now: func() time.Time { return *clockA }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if l := mustLevel(t, a, "MUG"); l.OnHand != 10 {
		t.Fatalf("restored A: MUG on hand %d, want the backup's 10", l.OnHand)
	}
	// Before hearing from the hub, the restored A sells 2 more.
	*clockA = clockA.Add(time.Minute)
	if _, err := a.ApplyOrders(ctx, []Order{shopOrder("A-2", StatusShipped, "MUG", 2)}); err != nil {
		t.Fatal(err)
	}
	hub.syncAll(t, a, b)
	requireSameDump(t, a, b)
	for name, s := range map[string]*Store{"A": a, "B": b} {
		if l := mustLevel(t, s, "MUG"); l.OnHand != 5 {
			t.Errorf("%s: MUG on hand %d, want 10-3-2 = 5", name, l.OnHand)
		}
	}
}

// A hub rebuilt with a new log: a device that meets the new epoch starts over from the log's start and
// sends its own changes again; meeting the same epoch again changes nothing.
func TestSync_NoteHubEpoch(t *testing.T) {
	ctx := context.Background()
	a, b, _, _, hub := twoDevices(t)
	if reset, err := a.NoteHubEpoch(ctx, "e1", uint64(len(hub.ops))); err != nil || reset {
		t.Fatalf("first epoch: reset %v, %v; want it recorded without starting over", reset, err)
	}
	if reset, err := a.NoteHubEpoch(ctx, "e1", uint64(len(hub.ops))); err != nil || reset {
		t.Fatalf("same epoch: reset %v, %v", reset, err)
	}
	reset, err := a.NoteHubEpoch(ctx, "e2", 0)
	if err != nil || !reset {
		t.Fatalf("new epoch: reset %v, %v; want a start over", reset, err)
	}
	st, err := a.SyncStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Cursor != 0 || st.Waiting == 0 {
		t.Errorf("after a new epoch: cursor %d, waiting %d; want 0 and all of A's own ops", st.Cursor, st.Waiting)
	}
	// B never recorded an epoch and meets the rebuilt log before anything is in it: it has applied
	// beyond its end, so it starts over too; both converge on the new log.
	fresh := &testStream{}
	if reset, err := b.NoteHubEpoch(ctx, "e2", 0); err != nil || !reset {
		t.Fatalf("B beyond the new log's end: reset %v, %v", reset, err)
	}
	fresh.syncAll(t, a, b)
	requireSameDump(t, a, b)
}

// Two devices create a location under the same name while apart: the second to arrive breaks the name's
// uniqueness on the other, and is kept aside (parked, with why) while the rest of its batch applies.
func TestSync_ConflictParksOnlyThatOp(t *testing.T) {
	ctx := context.Background()
	a, b, _, _, hub := twoDevices(t)
	if _, err := a.AddLocation(ctx, "Garage", "garage"); err != nil {
		t.Fatal(err)
	}
	mustAdjust(t, a, "MUG", 5)
	if _, err := b.AddLocation(ctx, "Garage", "garage"); err != nil {
		t.Fatal(err)
	}
	hub.publish(t, a)
	got := hub.pull(t, b)
	if got.Parked != 1 {
		t.Fatalf("B parked %d ops, want A's Garage alone", got.Parked)
	}
	if l := mustLevel(t, b, "MUG"); l.OnHand != 15 {
		t.Errorf("B: MUG on hand %d, want A's +5 applied beside the conflict (15)", l.OnHand)
	}
	var why string
	if err := b.read.QueryRowContext(ctx, `SELECT parked FROM sync_ops WHERE parked <> ''`).Scan(&why); err != nil || !strings.Contains(why, "conflicts") {
		t.Errorf("parked op's reason %q (%v)", why, err)
	}
	if st, _ := b.SyncStatus(ctx); st.Parked != 1 {
		t.Errorf("B's status shows %d parked", st.Parked)
	}
}
