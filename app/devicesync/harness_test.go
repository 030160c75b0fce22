package devicesync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// The harness runs a whole shop inside one test: a hub host's database with the embedded hub on
// 127.0.0.1, and devices with databases of their own, each reaching the hub through a proxy the test
// can cut.

// openStore opens a new database in its own temporary folder; skew shifts its wall clock.
func openStore(tb testing.TB, skew time.Duration) *data.Store {
	tb.Helper()
	now := time.Now
	if skew != 0 {
		now = func() time.Time { return time.Now().Add(skew) }
	}
	s, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "shop.db"), data.Options{Now: now})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// testHub is a running hub that a test may restart.
type testHub struct {
	tb       testing.TB
	store    *data.Store
	storeDir string
	listen   string
	cfg      HubConfig
	mu       sync.Mutex
	hub      *Hub
}

// hostHub makes store the hub host (founding with whatever it holds) and starts the hub.
func hostHub(tb testing.TB, store *data.Store, dedupe time.Duration) *testHub {
	tb.Helper()
	ctx := context.Background()
	if err := HostHub(ctx, store, "Packing desk", "127.0.0.1:-1"); err != nil {
		tb.Fatalf("HostHub: %v", err)
	}
	th := &testHub{tb: tb, store: store, storeDir: tb.TempDir(), listen: "127.0.0.1:-1"}
	th.cfg = HubConfig{Listen: th.listen, StoreDir: th.storeDir, duplicates: dedupe}
	th.start()
	tb.Cleanup(th.stop)
	return th
}

func (th *testHub) start() {
	th.tb.Helper()
	h, err := StartHub(context.Background(), th.store, th.cfg)
	if err != nil {
		th.tb.Fatalf("StartHub: %v", err)
	}
	th.mu.Lock()
	th.hub = h
	th.mu.Unlock()
	// A restart comes back on the same port, as the hub of a shop does.
	th.cfg.Listen = "127.0.0.1:" + strconv.Itoa(h.port)
}

func (th *testHub) stop() {
	th.mu.Lock()
	h := th.hub
	th.hub = nil
	th.mu.Unlock()
	if h != nil {
		h.Shutdown()
	}
}

func (th *testHub) restart() {
	th.tb.Helper()
	th.stop()
	th.start()
}

func (th *testHub) get() *Hub {
	th.mu.Lock()
	defer th.mu.Unlock()
	return th.hub
}

func (th *testHub) addr() string { return th.get().ns.Addr().String() }

// code makes a pairing code for a device on this machine.
func (th *testHub) code() string {
	th.tb.Helper()
	pc, err := th.get().NewPairingCode(context.Background(), "127.0.0.1")
	if err != nil {
		th.tb.Fatalf("NewPairingCode: %v", err)
	}
	return pc.Code
}

// testDevice is one device's database with its sync loop running behind a proxy.
type testDevice struct {
	name   string
	store  *data.Store
	proxy  *proxy
	dev    *Device
	cancel context.CancelFunc
	done   chan error
}

// runDevice starts store's sync loop through a new proxy to the hub.
func runDevice(tb testing.TB, name string, store *data.Store, th *testHub) *testDevice {
	tb.Helper()
	d := &testDevice{name: name, store: store, proxy: newProxy(tb, th.addr())}
	d.start(tb)
	tb.Cleanup(d.stop)
	return d
}

func (d *testDevice) start(tb testing.TB) {
	d.dev = NewDevice(d.store, Options{Dial: d.proxy.Dial})
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan error, 1)
	go func() { d.done <- d.dev.Run(ctx) }()
}

func (d *testDevice) stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	<-d.done
	d.cancel = nil
}

// pairDevice opens an empty database and pairs it with the hub.
func pairDevice(tb testing.TB, th *testHub, name string, skew time.Duration) *data.Store {
	tb.Helper()
	s := openStore(tb, skew)
	if _, err := Pair(context.Background(), s, th.code(), name); err != nil {
		tb.Fatalf("Pair(%s): %v", name, err)
	}
	return s
}

// waitConverged waits until every device has sent everything and applied the whole stream, the
// stream has stopped growing, and then requires identical dumps.
func waitConverged(tb testing.TB, th *testHub, stores ...*data.Store) {
	tb.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(120 * time.Second)
	var why string
	stable := 0
	for time.Now().Before(deadline) {
		why = ""
		last, err := th.get().lastSeq(ctx)
		if err != nil {
			why = err.Error()
		}
		for i, s := range stores {
			if why != "" {
				break
			}
			st, err := s.SyncStatus(ctx)
			switch {
			case err != nil:
				why = err.Error()
			case st.Waiting > 0:
				why = fmt.Sprintf("device %d has %d changes waiting (last error %q)", i, st.Waiting, st.LastError)
			case st.Cursor != last:
				why = fmt.Sprintf("device %d is at %d of %d (last error %q)", i, st.Cursor, last, st.LastError)
			}
		}
		if why == "" {
			if stable++; stable >= 3 {
				requireSameDumps(tb, stores...)
				return
			}
		} else {
			stable = 0
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("devices did not converge in 120 s: %s", why)
}

func dump(tb testing.TB, s *data.Store) string {
	tb.Helper()
	var b bytes.Buffer
	if err := s.DumpShared(context.Background(), &b); err != nil {
		tb.Fatalf("DumpShared: %v", err)
	}
	return b.String()
}

func requireSameDumps(tb testing.TB, stores ...*data.Store) {
	tb.Helper()
	first := dump(tb, stores[0])
	for i, s := range stores[1:] {
		other := dump(tb, s)
		if other == first {
			continue
		}
		la, lb := strings.Split(first, "\n"), strings.Split(other, "\n")
		for j := 0; j < len(la) && j < len(lb); j++ {
			if la[j] != lb[j] {
				tb.Fatalf("device 0 and device %d differ at dump line %d:\n  0: %s\n  %d: %s", i+1, j+1, la[j], i+1, lb[j])
			}
		}
		tb.Fatalf("device 0 and device %d dumps differ in length: %d and %d lines", i+1, len(la), len(lb))
	}
}

func mustVariant(tb testing.TB, s *data.Store, sku string, price int64) {
	tb.Helper()
	if _, err := s.AddVariant(context.Background(), data.NewVariant{SKU: sku, ProductName: "Product " + sku, Price: price, Cost: price / 3, Currency: "GBP"}); err != nil {
		tb.Fatalf("AddVariant(%s): %v", sku, err)
	}
}

func mustAdjust(tb testing.TB, s *data.Store, sku string, delta int64) {
	tb.Helper()
	if _, err := s.AdjustStock(context.Background(), data.Adjustment{SKU: sku, Delta: delta, Reason: data.ReasonReceipt, Note: "delivery"}); err != nil {
		tb.Fatalf("AdjustStock(%s, %d): %v", sku, delta, err)
	}
}

func shopOrder(id string, status data.Status, sku string, qty int64, placed time.Time) data.Order {
	return data.Order{
		Channel: "shopify", ExternalID: id, Status: status, Currency: "GBP",
		PlacedAt: placed, CustomerName: "Ada Lovelace",
		Lines:    []data.OrderLine{{SKU: sku, Name: "Product " + sku, Quantity: qty, UnitPrice: 1800}},
		Subtotal: 1800 * qty, Total: 1800 * qty,
	}
}

func mustOrders(tb testing.TB, s *data.Store, orders ...data.Order) {
	tb.Helper()
	if _, err := s.ApplyOrders(context.Background(), orders); err != nil {
		tb.Fatalf("ApplyOrders: %v", err)
	}
}

func onHand(tb testing.TB, s *data.Store, sku string) int64 {
	tb.Helper()
	l, err := s.StockLevel(context.Background(), sku)
	if err != nil {
		tb.Fatalf("StockLevel(%s): %v", sku, err)
	}
	return l.OnHand
}

// freePort returns a port nothing listens on, for "hub unreachable".
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
