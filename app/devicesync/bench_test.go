package devicesync

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// makeOps records at least n new ops on s by importing orders (each order is several ops: the order,
// its lines, its stock reservation), and returns how many it made. prefix keeps order ids apart.
func makeOps(tb testing.TB, s *data.Store, prefix string, n int) int {
	tb.Helper()
	ctx := context.Background()
	st, err := s.SyncStatus(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	start := st.Waiting
	placed := time.Now().Add(-time.Hour)
	for i := 0; ; {
		orders := make([]data.Order, 0, 50)
		for range 50 {
			orders = append(orders, shopOrder(fmt.Sprintf("%s-%d", prefix, i), data.StatusPaid, "MUG", 1, placed))
			i++
		}
		mustOrders(tb, s, orders...)
		if st, err = s.SyncStatus(ctx); err != nil {
			tb.Fatal(err)
		}
		if st.Waiting-start >= n {
			return st.Waiting - start
		}
	}
}

// benchShop is a hub host and one paired laptop, both synced.
func benchShop(b *testing.B) (*testHub, *data.Store, *data.Store) {
	b.Helper()
	desk := openStore(b, 0)
	mustVariant(b, desk, "MUG", 1800)
	mustAdjust(b, desk, "MUG", 1_000_000)
	th := hostHub(b, desk, 0)
	laptop := pairDevice(b, th, "Laptop", 0)
	for _, s := range []*data.Store{desk, laptop} {
		if _, err := NewDevice(s, Options{}).SyncNow(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	return th, desk, laptop
}

// BenchmarkHub_Throughput measures ops per second through the hub: one device sends a batch of about
// 2,000 ops (SyncNow) and the other receives and applies them (SyncNow). "send-ops/s" is the sending
// half alone.
func BenchmarkHub_Throughput(b *testing.B) {
	ctx := context.Background()
	_, desk, laptop := benchShop(b)
	sender, receiver := NewDevice(desk, Options{}), NewDevice(laptop, Options{})
	var ops int
	var sendTime, total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n := makeOps(b, desk, fmt.Sprintf("T%d", i), 2000)
		b.StartTimer()
		began := time.Now()
		res, err := sender.SyncNow(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sent := time.Since(began)
		got, err := receiver.SyncNow(ctx)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(began)
		sendTime += sent
		if res.Sent != n || got.Received < n {
			b.Fatalf("sent %d and received %d of %d ops", res.Sent, got.Received, n)
		}
		ops += n
	}
	b.ReportMetric(float64(ops)/total.Seconds(), "ops/s")
	b.ReportMetric(float64(ops)/sendTime.Seconds(), "send-ops/s")
}

// BenchmarkConverge_10000 measures how long two devices take to converge, running their sync loops,
// after a partition in which they made 10,000 ops between them (5,000 each).
func BenchmarkConverge_10000(b *testing.B) {
	var total time.Duration
	var ops int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		th, desk, laptop := benchShop(b)
		a := runDevice(b, "desk", desk, th)
		l := runDevice(b, "laptop", laptop, th)
		waitConverged(b, th, desk, laptop)
		a.proxy.Cut()
		l.proxy.Cut()
		ops += makeOps(b, desk, "D", 5000) + makeOps(b, laptop, "L", 5000)
		b.StartTimer()
		began := time.Now()
		a.proxy.Heal()
		l.proxy.Heal()
		a.dev.Nudge()
		l.dev.Nudge()
		waitConverged(b, th, desk, laptop)
		total += time.Since(began)
		b.StopTimer()
		a.stop()
		l.stop()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/converge")
	b.ReportMetric(float64(ops)/float64(b.N), "ops")
}
