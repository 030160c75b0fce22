package devicesync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// TestConverge_Random runs a random schedule of changes on three devices (the hub host, a laptop with
// a slow clock and a till with a fast one) while their connections are cut and healed at random and the
// hub restarts. After everything heals they must hold identical data and the stock the schedule adds up
// to. The seed is logged; SYNC_SEED=n replays a schedule and SYNC_STEPS=n makes it longer.
func TestConverge_Random(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SYNC_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SYNC_SEED=%q: %v", s, err)
		}
		seed = n
	}
	steps := 80
	if s := os.Getenv("SYNC_STEPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("SYNC_STEPS=%q: %v", s, err)
		}
		steps = n
	}
	t.Logf("seed %d, %d steps (replay with SYNC_SEED=%d)", seed, steps, seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("FAILED with seed %d: replay with SYNC_SEED=%d go test ./app/devicesync/ -run TestConverge_Random", seed, seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ctx := context.Background()

	skus := []string{"MUG", "CUP", "BOWL"}
	stock := map[string]int64{}
	desk := openStore(t, 0)
	for _, sku := range skus {
		mustVariant(t, desk, sku, 1500)
		mustAdjust(t, desk, sku, 50)
		stock[sku] = 50
	}
	th := hostHub(t, desk, dedupeTiny)
	stores := []*data.Store{desk, pairDevice(t, th, "Laptop", -2*time.Minute), pairDevice(t, th, "Till", time.Minute)}
	devs := make([]*testDevice, len(stores))
	for i, s := range stores {
		devs[i] = runDevice(t, fmt.Sprint("device ", i), s, th)
	}
	waitConverged(t, th, stores...)

	// Orders come from a pool: the same order id always has the same lines, as when two devices import
	// the same marketplace file. An order's stock leaves the shelf once, when it ships, whoever ships it.
	placed := time.Now().Add(-time.Hour)
	order := func(n int) data.Order {
		return shopOrder(fmt.Sprintf("R-%d", n), data.StatusPaid, skus[n%len(skus)], int64(1+n%3), placed)
	}
	shipped := map[int]bool{}
	cut := make([]bool, len(devs))
	for step := range steps {
		i := rng.IntN(len(devs))
		s, d := stores[i], devs[i]
		switch r := rng.IntN(100); {
		case r < 25:
			sku, delta := skus[rng.IntN(len(skus))], int64(1+rng.IntN(5))
			mustAdjust(t, s, sku, delta)
			stock[sku] += delta
		case r < 50:
			mustOrders(t, s, order(rng.IntN(12)))
		case r < 62:
			n := rng.IntN(12)
			o, err := s.OrderByKey(ctx, "shopify", order(n).ExternalID)
			if errors.Is(err, data.ErrNotFound) {
				break
			}
			if err != nil {
				t.Fatalf("step %d: OrderByKey: %v", step, err)
			}
			if o.Status == data.StatusShipped {
				break
			}
			if _, err := s.ShipOrder(ctx, o.ID, data.Shipment{Carrier: "Royal Mail", Tracking: fmt.Sprint("RM", n)}); err != nil {
				t.Fatalf("step %d: device %d ShipOrder(R-%d): %v", step, i, n, err)
			}
			if !shipped[n] {
				shipped[n] = true
				stock[order(n).Lines[0].SKU] -= order(n).Lines[0].Quantity
			}
		case r < 75:
			price := int64(1000 + rng.IntN(2000))
			if _, err := s.UpdateVariant(ctx, skus[rng.IntN(len(skus))], data.VariantUpdate{Price: &price}); err != nil {
				t.Fatalf("step %d: UpdateVariant: %v", step, err)
			}
		case r < 90:
			if cut[i] {
				d.proxy.Heal()
			} else {
				d.proxy.Cut()
			}
			cut[i] = !cut[i]
		case r < 92:
			th.restart()
		case r < 94: // the hub's storage is lost: it rebuilds its log from the host's database
			th.stop()
			th.cfg.StoreDir = t.TempDir()
			th.start()
		default:
			time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
		}
		d.dev.Nudge()
	}
	for i, d := range devs {
		if cut[i] {
			d.proxy.Heal()
		}
		d.dev.Nudge()
	}
	waitConverged(t, th, stores...)
	for i, s := range stores {
		for _, sku := range skus {
			if got := onHand(t, s, sku); got != stock[sku] {
				t.Errorf("device %d: %s on hand = %d, want %d", i, sku, got, stock[sku])
			}
		}
	}
	d := dump(t, desk)
	for n := range 12 {
		if got := countRows(d, "orders", fmt.Sprintf(`"R-%d"`, n)); got > 1 {
			t.Errorf("R-%d stored %d times, want at most once", n, got)
		}
	}
}
