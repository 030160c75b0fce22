package data

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// syncBenchOrders makes n two-line orders of one SKU, as an import would bring them.
func syncBenchOrders(n int) []Order {
	out := make([]Order, n)
	for i := range out {
		o := shopOrder(fmt.Sprintf("#%d", 100000+i), StatusPaid, "MUG", 1)
		o.Lines = append(o.Lines, OrderLine{LineNo: 2, SKU: "MUG", Name: "Stoneware mug", Quantity: 2, UnitPrice: 1800})
		out[i] = o
	}
	return out
}

// BenchmarkSyncCapture compares importing 2,000 orders into a shop that does not sync with one that
// does, in the same run: the second pays for recording every row as an op (triggers, stamps, clocks).
func BenchmarkSyncCapture(b *testing.B) {
	ctx := context.Background()
	orders := syncBenchOrders(2000)
	for _, syncing := range []bool{false, true} {
		name := "solo"
		if syncing {
			name = "syncing"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := Open(ctx, filepath.Join(b.TempDir(), "shop.db"), Options{Now: func() time.Time { return testNow }})
				if err != nil {
					b.Fatal(err)
				}
				mustVariant(b, s, "MUG", "Stoneware mug", 1800, 650)
				if syncing {
					if err := s.EnableSync(ctx, true); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := s.ApplyOrders(ctx, orders); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Close()
			}
			b.ReportMetric(float64(len(orders))*float64(b.N)/b.Elapsed().Seconds(), "orders/s")
		})
	}
}

// BenchmarkSyncApply measures a device applying another's ops in the batches a consumer hands it:
// 2,000 imported orders, about 12,000 ops.
func BenchmarkSyncApply(b *testing.B) {
	ctx := context.Background()
	a, err := Open(ctx, filepath.Join(b.TempDir(), "a.db"), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	mustVariant(b, a, "MUG", "Stoneware mug", 1800, 650)
	if err := a.EnableSync(ctx, true); err != nil {
		b.Fatal(err)
	}
	if _, err := a.ApplyOrders(ctx, syncBenchOrders(2000)); err != nil {
		b.Fatal(err)
	}
	ops, _, err := a.SyncOps(ctx, 0, 1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d ops", len(ops))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"), Options{Now: func() time.Time { return testNow }})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.EnableSync(ctx, false); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for from := 0; from < len(ops); from += 500 {
			to := min(from+500, len(ops))
			if _, err := s.ApplyRemote(ctx, ops[from:to], uint64(to)); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		s.Close()
	}
	b.ReportMetric(float64(len(ops))*float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSyncFounding measures turning sync on for the 100,000-order benchmark shop: every shared row
// recorded as an op in one write (a copy of the shop, as the benchmark file is shared).
func BenchmarkSyncFounding(b *testing.B) {
	ctx := context.Background()
	src := benchStore(b, 20_000, 100_000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "copy.db")
		if _, err := src.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
			b.Fatal(err)
		}
		s, err := Open(ctx, path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.EnableSync(ctx, true); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		st, err := s.SyncStatus(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Waiting), "ops")
		s.Close()
	}
}
