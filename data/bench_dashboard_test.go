package data

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// BenchmarkDashboardCards is what the owner's Dashboard reads besides Overview and the sales report,
// each card as the app asks for it (app/dashboard.go, ops_figures.go, dashboard_purchasing.go,
// support_load.go, exceptions.go), and
// all of them one after the other, which is the wait before every card is filled: the goal is
// that everything recomputes in under 200 ms on the large shop.
func BenchmarkDashboardCards(b *testing.B) {
	ctx := context.Background()
	cards := []struct {
		name string
		read func(s *Store, now time.Time) error
	}{
		{"StatusAges", func(s *Store, now time.Time) error {
			_, err := s.StatusAges(ctx, now.AddDate(0, 0, -30), now.Add(time.Minute))
			return err
		}},
		{"StuckOrders", func(s *Store, now time.Time) error {
			_, err := s.StuckOrders(ctx, 48*time.Hour)
			return err
		}},
		{"CarrierFigures", func(s *Store, now time.Time) error {
			_, err := s.CarrierFigures(ctx, now.AddDate(0, 0, -30), now.Add(48*time.Hour))
			return err
		}},
		{"ReturnRates", func(s *Store, now time.Time) error {
			_, _, err := s.ReturnRates(ctx, now.AddDate(0, 0, -90), time.Time{})
			return err
		}},
		{"AtRisk", func(s *Store, now time.Time) error {
			_, err := s.AtRisk(ctx)
			return err
		}},
		{"SupplierPerformance", func(s *Store, now time.Time) error {
			_, err := s.SupplierPerformance(ctx, now)
			return err
		}},
		{"OverduePOs", func(s *Store, now time.Time) error { // the dashboard shows how many
			_, err := s.CountOverduePOs(ctx, now)
			return err
		}},
		{"ContingencyAlerts", func(s *Store, now time.Time) error {
			_, err := s.ContingencyAlerts(ctx, false)
			return err
		}},
		{"TicketRates", func(s *Store, now time.Time) error { // the support load card
			_, err := s.TicketRates(ctx, now.AddDate(0, 0, -30), now)
			return err
		}},
		{"Exceptions", func(s *Store, now time.Time) error { // the exceptions card: the open ones, and their age limits
			if _, err := s.Exceptions(ctx, true); err != nil {
				return err
			}
			_, err := s.ExceptionLimits(ctx)
			return err
		}},
	}
	for _, size := range benchSizes {
		s := benchStore(b, size.products, size.orders)
		now := s.Now()
		// The exceptions the app keeps up to date in the background (a large shop has thousands of late orders).
		if err := s.RefreshExceptions(ctx); err != nil {
			b.Fatal(err)
		}
		for _, c := range cards {
			b.Run(size.name+"/"+c.name, func(b *testing.B) {
				for b.Loop() {
					if err := c.read(s, now); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(size.name+"/All", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Overview(ctx, now, time.UTC); err != nil {
					b.Fatal(err)
				}
				if _, err := s.SalesReport(ctx, now.AddDate(0, 0, -30), now, "channel", time.UTC); err != nil {
					b.Fatal(err)
				}
				for _, c := range cards {
					if err := c.read(s, now); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		// AllAtOnce is how the app reads them: every card at once over the store's read connections
		// (app/background.go inParallel), so the page waits for its slowest figure and the cores share
		// the rest.
		b.Run(size.name+"/AllAtOnce", func(b *testing.B) {
			for b.Loop() {
				reads := []func(s *Store, now time.Time) error{
					func(s *Store, now time.Time) error { _, err := s.Overview(ctx, now, time.UTC); return err },
					func(s *Store, now time.Time) error {
						_, err := s.SalesReport(ctx, now.AddDate(0, 0, -30), now, "channel", time.UTC)
						return err
					},
				}
				for _, c := range cards {
					reads = append(reads, c.read)
				}
				errs := make([]error, len(reads))
				var wg sync.WaitGroup
				for i, read := range reads {
					wg.Go(func() { errs[i] = read(s, now) })
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
