package devicesync

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/backroom-app/backroom/data"
)

// dedupeTiny is the hub's deduplication window in these tests: short enough that a resend arrives as a
// second message, so only the devices' own op-id checks keep it from counting twice.
const dedupeTiny = 100 * time.Millisecond

// countRows counts the rows of table in a dump that contain every one of parts.
func countRows(dump, table string, parts ...string) int {
	n, in := 0, false
	for _, line := range strings.Split(dump, "\n") {
		if strings.HasPrefix(line, "# ") {
			in = strings.HasPrefix(line, "# "+table+" ")
			continue
		}
		if !in {
			continue
		}
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

// TestConverge is the scenario: a packing desk hosting the hub and a laptop whose clock is two
// minutes slow, both cut off from the hub; while apart both sell the same SKU, both import the same web
// order, both edit the SKU's price and the order's status. The hub restarts while the desk is sending.
// Afterwards both hold identical data, stock is what was sold counted once, and a third device built
// from the stream holds the same.
func TestConverge(t *testing.T) {
	ctx := context.Background()
	desk := openStore(t, 0)
	mustVariant(t, desk, "MUG", 1800)
	mustAdjust(t, desk, "MUG", 10)
	th := hostHub(t, desk, dedupeTiny)
	laptop := pairDevice(t, th, "Laptop", -2*time.Minute)
	a := runDevice(t, "desk", desk, th)
	b := runDevice(t, "laptop", laptop, th)
	waitConverged(t, th, desk, laptop)
	if got := onHand(t, laptop, "MUG"); got != 10 {
		t.Fatalf("laptop's MUG after joining = %d, want 10", got)
	}

	a.proxy.Cut()
	b.proxy.Cut()
	// Cut off, the laptop says so in its status (Settings › Devices shows it).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st, err := laptop.SyncStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(st.LastError, "hub unreachable") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cut-off laptop's status shows no error: %+v", st)
		}
	}
	placed := time.Now().Add(-time.Hour)
	for _, id := range []string{"A-1", "A-2", "A-3"} {
		mustOrders(t, desk, shopOrder(id, data.StatusShipped, "MUG", 1, placed))
	}
	mustOrders(t, laptop, shopOrder("B-1", data.StatusShipped, "MUG", 4, placed))
	web := shopOrder("#1001", data.StatusPaid, "MUG", 2, placed)
	mustOrders(t, desk, web)
	mustOrders(t, laptop, web)
	onDesk, err := desk.OrderByKey(ctx, "shopify", "#1001")
	if err != nil {
		t.Fatal(err)
	}
	onLaptop, err := laptop.OrderByKey(ctx, "shopify", "#1001")
	if err != nil {
		t.Fatal(err)
	}
	// The laptop ships #1001 and sets a price; the desk, later, moves #1001 only to picking and sets
	// another price: shipped must survive (status only moves forward), the desk's price must win.
	if _, err := laptop.ShipOrder(ctx, onLaptop.ID, data.Shipment{Carrier: "Royal Mail", Tracking: "RM1"}); err != nil {
		t.Fatalf("laptop ShipOrder: %v", err)
	}
	priceB, priceA := int64(1900), int64(2100)
	if _, err := laptop.UpdateVariant(ctx, "MUG", data.VariantUpdate{Price: &priceB}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if _, err := desk.SetOrderStatus(ctx, onDesk.ID, data.StatusPicking); err != nil {
		t.Fatalf("desk SetOrderStatus: %v", err)
	}
	if _, err := desk.UpdateVariant(ctx, "MUG", data.VariantUpdate{Price: &priceA}); err != nil {
		t.Fatal(err)
	}
	a.dev.Nudge()
	b.dev.Nudge()

	// The desk reconnects and starts sending; the hub restarts under it; then the laptop comes back.
	a.proxy.Heal()
	a.dev.Nudge()
	time.Sleep(20 * time.Millisecond)
	th.restart()
	b.proxy.Heal()
	waitConverged(t, th, desk, laptop)

	for name, s := range map[string]*data.Store{"desk": desk, "laptop": laptop} {
		if got, want := onHand(t, s, "MUG"), int64(10-3-4-2); got != want {
			t.Errorf("%s: MUG on hand = %d, want %d", name, got, want)
		}
		o, err := s.OrderByKey(ctx, "shopify", "#1001")
		if err != nil {
			t.Fatalf("%s: #1001: %v", name, err)
		}
		if o.Status != data.StatusShipped {
			t.Errorf("%s: #1001 is %s, want shipped", name, o.Status)
		}
		v, err := s.Variant(ctx, "MUG")
		if err != nil {
			t.Fatal(err)
		}
		if v.Price != priceA {
			t.Errorf("%s: MUG price = %d, want the desk's later %d", name, v.Price, priceA)
		}
		if n := countRows(dump(t, s), "orders", `"#1001"`); n != 1 {
			t.Errorf("%s: #1001 stored %d times, want once", name, n)
		}
		if st, err := s.SyncStatus(ctx); err != nil || st.LastError != "" || st.LastSync.IsZero() {
			t.Errorf("%s: status after healing = %+v (%v), want a last sync and no error", name, st, err)
		}
	}

	t.Run("ThirdDeviceFromStream", func(t *testing.T) {
		till := pairDevice(t, th, "Till", 0)
		if _, err := NewDevice(till, Options{}).SyncNow(ctx); err != nil {
			t.Fatalf("SyncNow: %v", err)
		}
		waitConverged(t, th, desk, laptop, till)
	})

	t.Run("DuplicatedAndReorderedDeliveries", func(t *testing.T) {
		msgs := readStream(t, th)
		fresh := pairDevice(t, th, "Spare", 0)
		rng := rand.New(rand.NewPCG(1, 2))
		var batches [][]streamOp
		for i := 0; i < len(msgs); {
			n := 1 + rng.IntN(7)
			batches = append(batches, msgs[i:min(i+n, len(msgs))])
			i += n
		}
		apply := func(batch []streamOp) {
			t.Helper()
			ops := make([]data.SyncOp, len(batch))
			for i, m := range batch {
				ops[i] = m.op
			}
			if _, err := fresh.ApplyRemote(ctx, ops, batch[len(batch)-1].seq); err != nil {
				t.Fatalf("ApplyRemote: %v", err)
			}
		}
		for i, batch := range batches {
			apply(batch)
			apply(batch) // delivered twice
			if i > 0 && rng.IntN(3) == 0 {
				old := append([]streamOp(nil), batches[rng.IntN(i)]...)
				rng.Shuffle(len(old), func(x, y int) { old[x], old[y] = old[y], old[x] })
				apply(old) // an older batch again, late and shuffled
			}
		}
		if cur, _ := fresh.SyncCursor(ctx); cur != msgs[len(msgs)-1].seq {
			t.Errorf("cursor after late deliveries = %d, want %d", cur, msgs[len(msgs)-1].seq)
		}
		requireSameDumps(t, desk, fresh)
		if got := onHand(t, fresh, "MUG"); got != 1 {
			t.Errorf("MUG on hand = %d, want 1", got)
		}
	})
}

// streamOp is one op as the stream holds it.
type streamOp struct {
	seq uint64
	op  data.SyncOp
}

// readStream reads the whole stream through the hub's own connection.
func readStream(tb testing.TB, th *testHub) []streamOp {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	h := th.get()
	last, err := h.lastSeq(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	cons, err := h.js.OrderedConsumer(ctx, streamName, jetstream.OrderedConsumerConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	var out []streamOp
	for len(out) == 0 || out[len(out)-1].seq < last {
		fb, err := cons.Fetch(int(min(500, last-uint64(len(out)))), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			tb.Fatal(err)
		}
		for m := range fb.Messages() {
			meta, err := m.Metadata()
			if err != nil {
				tb.Fatal(err)
			}
			op, ok := decodeOp(h.shopID, m.Subject(), m.Data())
			if !ok {
				tb.Fatalf("stream message %d is not an op: %s", meta.Sequence.Stream, m.Data())
			}
			out = append(out, streamOp{meta.Sequence.Stream, op})
		}
		if ctx.Err() != nil {
			tb.Fatalf("read %d of %d stream messages", len(out), last)
		}
	}
	return out
}

// TestConverge_KilledBeforeMarkPublished: a device sends its changes and dies before recording that
// the hub has them. Started again, it sends them again, after the hub's deduplication window: the
// stream holds them twice, and every device still counts them once.
func TestConverge_KilledBeforeMarkPublished(t *testing.T) {
	ctx := context.Background()
	desk := openStore(t, 0)
	mustVariant(t, desk, "MUG", 1800)
	mustAdjust(t, desk, "MUG", 10)
	th := hostHub(t, desk, dedupeTiny)
	laptop := pairDevice(t, th, "Laptop", 0)
	deskDev, laptopDev := NewDevice(desk, Options{}), NewDevice(laptop, Options{})
	for _, d := range []*Device{deskDev, laptopDev, deskDev} {
		if _, err := d.SyncNow(ctx); err != nil {
			t.Fatalf("SyncNow: %v", err)
		}
	}
	mustOrders(t, laptop, shopOrder("L-1", data.StatusShipped, "MUG", 3, time.Now().Add(-time.Hour)))
	pending, err := laptop.PendingOps(ctx, 1000)
	if err != nil || len(pending) == 0 {
		t.Fatalf("PendingOps = %d ops, %v", len(pending), err)
	}
	// Sent, acknowledged, and then the process died.
	c, err := laptopDev.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range pending {
		body := mustJSON(t, op)
		if _, err := c.js.Publish(ctx, opsSubject(c.shop, laptop.DeviceID()), body, jetstream.WithMsgID(op.ID)); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	c.close()
	before, _ := th.get().lastSeq(ctx)
	time.Sleep(3 * dedupeTiny)

	res, err := NewDevice(laptop, Options{}).SyncNow(ctx)
	if err != nil {
		t.Fatalf("SyncNow after the crash: %v", err)
	}
	if res.Sent != len(pending) {
		t.Errorf("sent %d after the crash, want the %d unrecorded again", res.Sent, len(pending))
	}
	after, _ := th.get().lastSeq(ctx)
	if after-before != uint64(len(pending)) {
		t.Fatalf("the hub took %d of %d resent ops: its deduplication hid the resend, so this test proves nothing", after-before, len(pending))
	}
	if _, err := deskDev.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	waitConverged(t, th, desk, laptop)
	if got := onHand(t, desk, "MUG"); got != 7 {
		t.Errorf("desk's MUG = %d, want 7: the sale counted once", got)
	}
}
