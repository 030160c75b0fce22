package cli

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// salesDB is a shop with four orders in November 2026, placed at noon UTC so they fall on the same day in
// any time zone the tests run in:
//
//	#1 shopify 10 Nov  MUG×2 @1800 + 400 shipping  total 4000  cost 2×500
//	#2 etsy    11 Nov  CARD×3 @300                 total 900   cost 3×100
//	#3 shopify 11 Nov  MUG×1, cancelled            left out
//	#4 amazon  12 Nov  MUG×1 @2100 EUR             total 2100  cost unknown in EUR
//
// The mug's cost rises to 600 after the orders were placed, which must not change their cost. Jamie is
// a packer with PIN 1234.
func salesDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	s, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, v := range []data.NewVariant{
		{SKU: "MUG", ProductName: "Stoneware mug", Price: 1800, Cost: 500, Currency: "GBP"},
		{SKU: "CARD", ProductName: "Greeting card", Price: 300, Cost: 100, Currency: "GBP"},
	} {
		if _, err := s.AddVariant(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	cost := int64(600)
	if _, err := s.UpdateVariant(ctx, "MUG", data.VariantUpdate{Cost: &cost}); err != nil {
		t.Fatal(err)
	}
	order := func(channel, number string, day int, status data.Status, currency string, shipping int64, sku string, qty, price int64) data.Order {
		return data.Order{Channel: channel, ExternalID: number, Status: status, Currency: currency,
			PlacedAt: time.Date(2026, 11, day, 12, 0, 0, 0, time.UTC),
			Lines:    []data.OrderLine{{SKU: sku, Quantity: qty, UnitPrice: price}},
			Subtotal: qty * price, Shipping: shipping, Total: qty*price + shipping}
	}
	if _, err := s.ApplyOrders(ctx, []data.Order{
		order("shopify", "#1", 10, data.StatusShipped, "GBP", 400, "MUG", 2, 1800),
		order("etsy", "#2", 11, data.StatusPaid, "GBP", 0, "CARD", 3, 300),
		order("shopify", "#3", 11, data.StatusCancelled, "GBP", 0, "MUG", 1, 1800),
		order("amazon", "#4", 12, data.StatusPaid, "EUR", 0, "MUG", 1, 2100),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, "Jamie", data.RolePacker, "1234"); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportSales(t *testing.T) {
	db := salesDB(t)

	t.Run("JSON", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "report", "sales", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "channel", "--json"))
		want := []map[string]any{
			{"key": "amazon", "label": "amazon", "currency": "EUR", "orders": 1.0, "units": 1.0, "revenue": 2100.0, "cost": 0.0, "margin": 2100.0, "uncosted": 1.0},
			{"key": "etsy", "label": "etsy", "currency": "GBP", "orders": 1.0, "units": 3.0, "revenue": 900.0, "cost": 300.0, "margin": 600.0},
			{"key": "shopify", "label": "shopify", "currency": "GBP", "orders": 1.0, "units": 2.0, "revenue": 4000.0, "cost": 1000.0, "margin": 3000.0},
		}
		if !reflect.DeepEqual(list, want) {
			t.Errorf("report sales --by channel --json =\n%v\nwant\n%v", list, want)
		}
	})
	t.Run("ToIsIncluded", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "report", "sales", "--from", "2026-11-10", "--to", "2026-11-11", "--json"))
		want := []map[string]any{
			{"key": "2026-11-10", "label": "Tue 10 Nov 2026", "currency": "GBP", "orders": 1.0, "units": 2.0, "revenue": 4000.0, "cost": 1000.0, "margin": 3000.0},
			{"key": "2026-11-11", "label": "Wed 11 Nov 2026", "currency": "GBP", "orders": 1.0, "units": 3.0, "revenue": 900.0, "cost": 300.0, "margin": 600.0},
		}
		if !reflect.DeepEqual(list, want) {
			t.Errorf("report sales 10-11 Nov by day =\n%v\nwant\n%v", list, want)
		}
	})
	t.Run("Table", func(t *testing.T) {
		got := mustRun(t, nil, "--db", db, "report", "sales", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "channel")
		for _, want := range []string{
			"Sales from 1 Nov 2026 to 30 Nov 2026, by channel",
			"CHANNEL  ORDERS  UNITS  REVENUE    COST  MARGIN  MARGIN %",
			"etsy       1      3    £9.00   £3.00   £6.00     66.7%",
			"shopify       1      2   £40.00  £10.00  £30.00     75.0%",
			"Total GBP       2      5   £49.00  £13.00  £36.00     73.5%",
			"Total EUR       1      1   €21.00   €0.00  €21.00    100.0%",
			"1 unit is costed at 0",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("report sales table lacks %q:\n%s", want, got)
			}
		}
	})
	t.Run("ProductTableHasNames", func(t *testing.T) {
		got := mustRun(t, nil, "--db", db, "report", "sales", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "product")
		for _, want := range []string{"SKU", "NAME", "Stoneware mug", "Greeting card"} {
			if !strings.Contains(got, want) {
				t.Errorf("report sales --by product lacks %q:\n%s", want, got)
			}
		}
	})
	t.Run("NoSales", func(t *testing.T) {
		got := mustRun(t, nil, "--db", db, "report", "sales", "--from", "2025-01-01", "--to", "2025-01-31", "--by", "month")
		if got != "No sales from 1 Jan 2025 to 31 Jan 2025.\n" {
			t.Errorf("report sales with no orders = %q", got)
		}
		if got := mustRun(t, nil, "--db", db, "report", "sales", "--from", "2025-01-01", "--to", "2025-01-31", "--json"); got != "[]\n" {
			t.Errorf("report sales --json with no orders = %q, want []", got)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		got := mustRun(t, nil, "--db", db, "report", "sales")
		if !strings.HasPrefix(got, "Sales from ") && !strings.HasPrefix(got, "No sales from ") {
			t.Errorf("report sales with defaults = %q", got)
		}
	})
	t.Run("ErrBadFlags", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"--by", "year"}, `--by "year"`},
			{[]string{"--from", "2026-13-01"}, `--from "2026-13-01"`},
			{[]string{"--to", "26/11/2026"}, `--to "26/11/2026"`},
			{[]string{"--from", "2026-11-20", "--to", "2026-11-10"}, "--to 2026-11-10 is before --from 2026-11-20"},
		} {
			r := runCLI(t, nil, append([]string{"--db", db, "report", "sales"}, tt.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("report sales %v: exit %d, stderr %q, want exit %d naming %s", tt.args, r.code, r.stderr, exitUsage, tt.want)
			}
		}
	})
	t.Run("ErrPackerRefused", func(t *testing.T) {
		r := runCLI(t, map[string]string{"BACKROOM_USER": "Jamie", "BACKROOM_PIN": "1234"}, "--db", db, "report", "sales")
		if r.code != exitError || !strings.Contains(r.stderr, "may not") {
			t.Errorf("packer report sales: exit %d, stderr %q, want exit %d and a refusal", r.code, r.stderr, exitError)
		}
	})
}
