package data

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAccounts reads a year of the benchmark shop as the accountant's workbook does: every sales
// line (100,000 orders, about 162,000 lines on the large shop), every cost line, the other sheets, the
// preview's totals, and the fingerprint pass an export log entry makes. The goal is the whole
// workbook in about a second, of which these reads are the larger part. Each also reports the CPU time
// the process spent (cpu-ms/op), which a busy machine does not inflate as it does the wall time.
func BenchmarkAccounts(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		s := benchStore(b, size.products, size.orders)
		p := YearPeriod(2026, time.UTC)
		b.Run(size.name+"/Sales", func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				n := 0
				if err := s.AccountsSales(ctx, p, func(SaleLine) error { n++; return nil }); err != nil || n == 0 {
					b.Fatalf("AccountsSales = %d lines, %v", n, err)
				}
				b.ReportMetric(float64(n), "lines")
			}
		})
		b.Run(size.name+"/Costs", func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				n := 0
				if err := s.AccountsCosts(ctx, p, func(CostLine) error { n++; return nil }); err != nil || n == 0 {
					b.Fatalf("AccountsCosts = %d lines, %v", n, err)
				}
			}
		})
		b.Run(size.name+"/Refunds+Stock+Purchases", func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				if err := s.AccountsRefunds(ctx, p, func(RefundLine) error { return nil }); err != nil {
					b.Fatal(err)
				}
				if err := s.AccountsStock(ctx, p, func(StockValue) error { return nil }); err != nil {
					b.Fatal(err)
				}
				if err := s.AccountsPurchases(ctx, p, func(PurchaseLine) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/Preview", func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := s.AccountsPreview(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The pass LogAccountsExport and AccountsChanges make over the period, without the writes.
		b.Run(size.name+"/Fingerprints", func(b *testing.B) {
			defer reportCPU(b)()
			for b.Loop() {
				var fp fingerprinter
				n := 0
				if err := periodOrders(ctx, s.read, p, true, func(o *accountsOrder) error {
					fp.of(o)
					n++
					return nil
				}, "fingerprint"); err != nil || n == 0 {
					b.Fatalf("fingerprinted %d orders, %v", n, err)
				}
			}
		})
	}
}

// reportCPU starts counting the process's CPU time; the function it returns reports it per op.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
