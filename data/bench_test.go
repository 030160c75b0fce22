package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchSizes are compared in the same run: a shop of a few months and the target of 100,000 orders and
// 20,000 products. A query that scales with the table shows up as a large ratio between the two.
var benchSizes = []struct {
	name             string
	products, orders int
}{
	{"small", 2_000, 1_000},
	{"large", 20_000, 100_000},
}

// benchDemoStory names the demo shop's story in the benchmark file's name, so a file generated before
// the story changed is not reused: bump it when GenerateDemo writes different data (purchase orders,
// shipments, returns…), as the schema's hash cannot tell.
const benchDemoStory = 4

// benchStore opens a generated shop of the given size. Generating 100,000 orders takes minutes, so the
// file is kept in the system temp folder and reused by later runs of the same story. A file made before
// a new migration is upgraded by Open like any shop's database, which is what a real shop meets too; one
// from a newer schema than this code knows (an older checkout) is generated again.
func benchStore(b *testing.B, products, orders int) *Store {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), "backroom-bench")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("story%d-p%d-o%d.db", benchDemoStory, products, orders))
	done := path + ".done"
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	open := func() (*Store, error) { return Open(ctx, path, Options{Now: func() time.Time { return now }}) }
	if _, err := os.Stat(done); err == nil {
		s, err := open()
		if err == nil {
			b.Cleanup(func() { s.Close() })
			return s
		}
		if !errors.Is(err, ErrTooNew) {
			b.Fatal(err)
		}
	}
	os.Remove(done)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	s, err := open()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := s.GenerateDemo(ctx, DemoOptions{Seed: 7, Products: products, Orders: orders, Now: now}); err != nil {
		b.Fatalf("GenerateDemo: %v", err)
	}
	b.Logf("generated %d products and %d orders in %v", products, orders, time.Since(start).Round(time.Millisecond))
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkOrdersFirstPage is what the Orders screen does when it opens: count the matches and load
// the newest page of 200.
func BenchmarkOrdersFirstPage(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		s := benchStore(b, size.products, size.orders)
		filters := map[string]OrderFilter{
			"all":            {Limit: 200},
			"open":           {Statuses: OpenStatuses(), Limit: 200},
			"channel+status": {Channel: "etsy", Statuses: []Status{StatusDelivered}, Limit: 200},
		}
		for _, name := range []string{"all", "open", "channel+status"} {
			f := filters[name]
			b.Run(size.name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					if _, err := s.CountOrders(ctx, f); err != nil {
						b.Fatal(err)
					}
					page, err := s.Orders(ctx, f)
					if err != nil || len(page) == 0 {
						b.Fatalf("Orders = %d rows, %v", len(page), err)
					}
				}
			})
		}
	}
}

// BenchmarkInventoryFirstPage is the Inventory screen opening: count and the first 200 SKUs with
// on-hand, reserved and available, sorted by SKU or by available (which needs every SKU's figures).
func BenchmarkInventoryFirstPage(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		s := benchStore(b, size.products, size.orders)
		for _, sort := range []StockSort{SortSKU, SortAvailable} {
			b.Run(fmt.Sprintf("%s/by_%s", size.name, sort), func(b *testing.B) {
				for b.Loop() {
					if _, err := s.CountVariants(ctx, "", false); err != nil {
						b.Fatal(err)
					}
					page, err := s.StockLevels(ctx, StockFilter{Sort: sort, Limit: 200})
					if err != nil || len(page) == 0 {
						b.Fatalf("StockLevels = %d rows, %v", len(page), err)
					}
				}
			})
		}
	}
}

// BenchmarkSearch is a person typing into the search boxes: an order id, a customer's name, a SKU, and a
// product name in the inventory.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		s := benchStore(b, size.products, size.orders)
		recent, err := s.Orders(ctx, OrderFilter{Limit: 1})
		if err != nil || len(recent) == 0 {
			b.Fatalf("no orders: %v", err)
		}
		o, err := s.Order(ctx, recent[0].ID)
		if err != nil || len(o.Lines) == 0 {
			b.Fatalf("order without lines: %v", err)
		}
		sku := o.Lines[0].SKU
		surname := o.CustomerName
		if i := len(surname) - 5; i > 0 {
			surname = surname[i:]
		}
		searches := []struct{ name, q string }{
			{"order_id", o.ExternalID},
			{"customer", surname},
			{"sku", sku},
		}
		for _, q := range searches {
			f := OrderFilter{Search: q.q, Limit: 200}
			b.Run(size.name+"/orders_by_"+q.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := s.CountOrders(ctx, f); err != nil {
						b.Fatal(err)
					}
					page, err := s.Orders(ctx, f)
					if err != nil || len(page) == 0 {
						b.Fatalf("Orders(%q) = %d rows, %v", f.Search, len(page), err)
					}
				}
			})
		}
		b.Run(size.name+"/inventory_by_name", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountVariants(ctx, "mug", false); err != nil {
					b.Fatal(err)
				}
				if _, err := s.StockLevels(ctx, StockFilter{Search: "mug", Limit: 200}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOverview is the dashboard opening: order counts by status, late orders, stock problems over
// every SKU and 30 days of sales by channel.
func BenchmarkOverview(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		s := benchStore(b, size.products, size.orders)
		b.Run(size.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Overview(ctx, s.Now(), time.UTC); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
