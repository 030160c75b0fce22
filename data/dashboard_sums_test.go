package data

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDashboardSums_FollowTheOrders checks that sales_hours and shipment_times (migration 0023) are always
// what the orders and parcels give worked out afresh, through an import, status steps, cancelling, a source
// correcting an order's date, channel, currency, total, ship-by and delivery dates, a line getting its SKU,
// and deleting; and that the sales reports built on them give the sums worked out here order by order, for
// bounds cut mid-hour, in zones half and three quarters of an hour off UTC.
func TestDashboardSums_FollowTheOrders(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	check := func(t *testing.T, after string) {
		t.Helper()
		got, want := keptSalesHours(t, s), freshSalesHours(t, s)
		if !maps.Equal(got, want) {
			for k, w := range want {
				if got[k] != w {
					t.Fatalf("after %s: sales_hours %s = %v, the orders sum to %v", after, k, got[k], w)
				}
			}
			for k, g := range got {
				if _, ok := want[k]; !ok {
					t.Fatalf("after %s: sales_hours %s = %v, no order sums to it", after, k, g)
				}
			}
		}
		if got, want := keptShipmentTimes(t, s), freshShipmentTimes(t, s); !slices.Equal(got, want) {
			t.Fatalf("after %s: shipment_times differs from the parcels worked out afresh:\n got %v\nwant %v", after, got, want)
		}
		checkSalesReports(t, s, after)
	}
	check(t, "the demo")

	orders, err := s.Orders(ctx, OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var open, gone []Order
	for _, o := range orders {
		if o.Status.Open() {
			open = append(open, o)
		} else if o.Status != StatusCancelled {
			gone = append(gone, o)
		}
	}
	if len(open) < 3 || len(gone) < 2 {
		t.Fatalf("the demo has %d open and %d shipped orders, want more", len(open), len(gone))
	}

	for _, o := range open[:2] {
		if _, err := s.SetOrderStatus(ctx, o.ID, StatusCancelled); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetOrderStatus(ctx, open[2].ID, nextStatus(open[2].Status)); err != nil {
		t.Fatal(err)
	}
	check(t, "cancelling two orders and moving one on")

	// A source corrects two orders: one placed 3 h 17 min later, in another currency and for more; one
	// moved to a channel spelt in capitals.
	for i, o := range gone[:2] {
		full, err := s.Order(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			full.PlacedAt = full.PlacedAt.Add(3*time.Hour + 17*time.Minute)
			full.Currency, full.Total = "EUR", full.Total+555
			full.DeliveredAt = full.ShippedAt.Add(50*time.Hour + 123*time.Millisecond)
		} else {
			full.Total += 1
			full.ShipBy = full.ShippedAt.Add(-time.Hour) // now late
			full.DeliveredAt = time.Time{}
		}
		if _, err := s.ApplyOrders(ctx, []Order{full}); err != nil {
			t.Fatal(err)
		}
	}
	check(t, "correcting two orders, their dates among them")

	fresh := Order{Channel: "ETSY", ExternalID: "HOURS-1", Status: StatusPaid, PlacedAt: demoNow.Add(-90 * time.Minute),
		Currency: "GBP", Total: 4321, Lines: []OrderLine{{ChannelSKU: "NO-SUCH-SKU", Name: "Something new", Quantity: 2, UnitPrice: 2000}}}
	if _, err := s.ApplyOrders(ctx, []Order{fresh}); err != nil {
		t.Fatal(err)
	}
	check(t, "a new order on a channel spelt in capitals")

	// Its line gets a SKU with a cost: the order's cost moves, and its hour's with it.
	var sku string
	if err := s.read.QueryRowContext(ctx, `SELECT sku FROM variants WHERE active = 1 AND currency = 'GBP' AND cost > 0 LIMIT 1`).Scan(&sku); err != nil {
		t.Fatal(err)
	}
	if n, err := s.MapUnmatched(ctx, Alias{Channel: "etsy", ChannelKey: "NO-SUCH-SKU", SKU: sku}); err != nil || n != 1 {
		t.Fatalf("MapUnmatched = %d, %v; want 1 line mapped", n, err)
	}
	check(t, "mapping the new order's line to a SKU")

	imported, err := s.OrderByKey(ctx, "ETSY", "HOURS-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `DELETE FROM orders WHERE id IN (?, ?)`, imported.ID, gone[1].ID); err != nil {
		t.Fatal(err)
	}
	check(t, "deleting two orders")
}

// nextStatus is the status an open order moves on to.
func nextStatus(st Status) Status {
	switch st {
	case StatusNew:
		return StatusPaid
	case StatusPaid:
		return StatusPicking
	case StatusPicking:
		return StatusPacked
	default:
		return StatusShipped
	}
}

// salesSums is what a report or an hour of sales_hours holds for one group and currency.
type salesSums struct{ orders, revenue, units, cost, uncosted int64 }

// keptSalesHours reads sales_hours, leaving out rows that hold nothing (an hour whose orders all went).
func keptSalesHours(t *testing.T, s *Store) map[string]salesSums {
	t.Helper()
	out := map[string]salesSums{}
	err := scanRows(context.Background(), s.read, `SELECT hour, lower(channel), currency, orders, revenue, units, cost, uncosted
		FROM sales_hours`, func(r *sql.Rows) error {
		var hour, channel, currency string
		var v salesSums
		if err := r.Scan(&hour, &channel, &currency, &v.orders, &v.revenue, &v.units, &v.cost, &v.uncosted); err != nil {
			return err
		}
		if v != (salesSums{}) {
			out[hour+" "+channel+" "+currency] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// soldOrder is an order as the reports count it.
type soldOrder struct {
	placed            time.Time
	channel, currency string
	sums              salesSums
}

// soldOrders reads every order that counts as a sale, with its lines summed from the lines themselves.
func soldOrders(t *testing.T, s *Store) []soldOrder {
	t.Helper()
	var out []soldOrder
	err := scanRows(context.Background(), s.read, `SELECT o.placed_at, o.channel, o.currency, o.total,
			COALESCE(SUM(l.quantity * l.pack), 0), COALESCE(SUM(l.quantity * l.pack * l.unit_cost), 0),
			COALESCE(SUM(CASE WHEN l.unit_cost IS NULL THEN l.quantity * l.pack END), 0)
		FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id WHERE o.status <> 'cancelled' GROUP BY o.id`, func(r *sql.Rows) error {
		var o soldOrder
		var placed string
		if err := r.Scan(&placed, &o.channel, &o.currency, &o.sums.revenue, &o.sums.units, &o.sums.cost, &o.sums.uncosted); err != nil {
			return err
		}
		o.placed, o.sums.orders = parseTime(placed), 1
		out = append(out, o)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (a *salesSums) add(b salesSums) {
	a.orders += b.orders
	a.revenue += b.revenue
	a.units += b.units
	a.cost += b.cost
	a.uncosted += b.uncosted
}

// freshSalesHours sums the orders by UTC hour, channel and currency, as sales_hours should hold them.
func freshSalesHours(t *testing.T, s *Store) map[string]salesSums {
	t.Helper()
	out := map[string]salesSums{}
	for _, o := range soldOrders(t, s) {
		k := o.placed.UTC().Format("2006-01-02T15") + " " + strings.ToLower(o.channel) + " " + o.currency
		v := out[k]
		v.add(o.sums)
		out[k] = v
	}
	return out
}

// checkSalesReports compares SalesReport by day and by channel with the orders summed one by one.
func checkSalesReports(t *testing.T, s *Store, after string) {
	t.Helper()
	ctx := context.Background()
	orders := soldOrders(t, s)
	var zones []*time.Location
	for _, name := range []string{"Asia/Kolkata", "Australia/Eucla", "America/New_York"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		zones = append(zones, loc)
	}
	zones = append(zones, time.UTC)
	spans := [][2]time.Time{
		{demoNow.AddDate(0, 0, -120), demoNow.AddDate(0, 0, 2)},
		{demoNow.Add(-7*24*time.Hour - 17*time.Minute), demoNow.Add(-13 * time.Minute)},         // cut mid-hour at both ends
		{demoNow.Add(-2*time.Hour - 50*time.Minute), demoNow.Add(-2*time.Hour - 5*time.Minute)}, // within one hour
		{demoNow.Add(-26*time.Hour + 30*time.Minute), demoNow.Add(-90 * time.Minute)},
	}
	for _, loc := range zones {
		for _, span := range spans {
			for _, by := range []string{"day", "channel"} {
				want := map[string]salesSums{}
				for _, o := range orders {
					if o.placed.Before(span[0]) || !o.placed.Before(span[1]) {
						continue
					}
					k := strings.ToLower(o.channel)
					if by == "day" {
						k = o.placed.In(loc).Format("2006-01-02")
					}
					k += " " + o.currency
					v := want[k]
					v.add(o.sums)
					want[k] = v
				}
				rows, err := s.SalesReport(ctx, span[0], span[1], by, loc)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]salesSums{}
				for _, r := range rows {
					if r.Margin != r.Revenue-r.Cost {
						t.Errorf("after %s: %s %s margin %d, want revenue − cost", after, r.Key, r.Currency, r.Margin)
					}
					got[r.Key+" "+r.Currency] = salesSums{int64(r.Orders), r.Revenue, r.Units, r.Cost, r.Uncosted}
				}
				if !maps.Equal(got, want) {
					keys := slices.Sorted(maps.Keys(want))
					t.Fatalf("after %s: SalesReport(%s to %s by %s, %s) differs from the orders:\n got %v\nwant %v (%s)", after,
						span[0].Format(time.RFC3339), span[1].Format(time.RFC3339), by, loc, got, want, fmt.Sprint(keys))
				}
			}
		}
	}
}

// TestMigrations_DashboardSums checks that migration 0023 sums the orders and parcels a shop already has:
// a demo shop taken back to version 22 (what 0023 made gone, what it dropped back) is opened again.
func TestMigrations_DashboardSums(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 200})
	want, wantTimes := freshSalesHours(t, s), freshShipmentTimes(t, s)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER orders_sales_delete`, `DROP TRIGGER orders_sales_update`, `DROP TABLE sales_hours`,
		`DROP INDEX status_waits_ended_length`, `DROP INDEX orders_channel_placed`,
		`CREATE INDEX orders_channel_placed ON orders(channel, placed_at, status, currency, total, discount, shipping, tax,
			line_units, line_cost, uncosted_units)`,
		`DROP TRIGGER shipments_times_insert`, `DROP TRIGGER shipments_times_update`, `DROP TRIGGER orders_shipment_times`,
		`DROP TABLE shipment_times`, `DROP INDEX purchase_order_lines_short`, `CREATE INDEX shipments_carrier ON shipments(carrier, service, shipped_at)`,
		`CREATE INDEX orders_id_delivery ON orders(id, ship_by, delivered_at)`, `DROP INDEX orders_id_shipped`, `PRAGMA user_version = 22`} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if got := keptSalesHours(t, s); len(want) < 50 || !maps.Equal(got, want) {
		t.Errorf("after migrating, sales_hours has %d hours, the orders sum to %d (equal: %v)", len(got), len(want), maps.Equal(got, want))
	}
	if got := keptShipmentTimes(t, s); len(wantTimes) < 50 || !slices.Equal(got, wantTimes) {
		t.Errorf("after migrating, shipment_times has %d parcels, the shipments %d (equal: %v)", len(got), len(wantTimes), slices.Equal(got, wantTimes))
	}
}

// TestDashboardSums_SyncedInOneBatch checks a device receiving, in one batch, orders inserted and then
// cancelled or changed on another device: the changes reach orders the receiving write has not counted
// yet.
func TestDashboardSums_SyncedInOneBatch(t *testing.T) {
	ctx := context.Background()
	a, b, _, _, hub := twoDevices(t)
	orders := []Order{shopOrder("B-1", StatusPaid, "MUG", 1), shopOrder("B-2", StatusPaid, "MUG", 2), shopOrder("B-3", StatusPaid, "MUG", 1)}
	if _, err := a.ApplyOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetOrderStatus(ctx, orderRowID("shopify", "B-1"), StatusCancelled); err != nil {
		t.Fatal(err)
	}
	corrected := orders[1]
	corrected.PlacedAt, corrected.Total = corrected.PlacedAt.Add(5*time.Hour), corrected.Total+100
	if _, err := a.ApplyOrders(ctx, []Order{corrected}); err != nil {
		t.Fatal(err)
	}
	hub.publish(t, a)
	cur, err := b.SyncCursor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ApplyRemote(ctx, hub.ops[cur:], uint64(len(hub.ops))); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Store{a, b} {
		got, want := keptSalesHours(t, s), freshSalesHours(t, s)
		if !maps.Equal(got, want) || len(want) != 2 {
			t.Errorf("sales_hours %v, the orders sum to %v (two hours)", got, want)
		}
	}
}

// keptShipmentTimes reads shipment_times, a line per parcel in order id order.
func keptShipmentTimes(t *testing.T, s *Store) []string {
	t.Helper()
	return textRows(t, s, `SELECT order_id, carrier, service, shipped_at, ship_by, on_time, delivered, measured, transit_ms
		FROM shipment_times ORDER BY order_id`)
}

// freshShipmentTimes works each parcel's figures out from the shipments and their orders: handed over by
// the ship-by date, and the time to delivery, with the times parsed in Go.
func freshShipmentTimes(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	err := scanRows(context.Background(), s.read, `SELECT sh.order_id, sh.carrier, sh.service, sh.shipped_at, o.ship_by, o.delivered_at
		FROM shipments sh JOIN orders o ON o.id = sh.order_id ORDER BY sh.order_id`, func(r *sql.Rows) error {
		var id int64
		var carrier, service, shipped string
		var shipBy, delivered sql.NullString
		if err := r.Scan(&id, &carrier, &service, &shipped, &shipBy, &delivered); err != nil {
			return err
		}
		at := parseTime(shipped)
		b := func(v bool) int {
			if v {
				return 1
			}
			return 0
		}
		onTime := shipBy.Valid && !at.After(parseTime(shipBy.String))
		measured := delivered.Valid && !parseTime(delivered.String).Before(at)
		transit := "<nil>"
		if measured {
			transit = fmt.Sprint(parseTime(delivered.String).Sub(at).Milliseconds())
		}
		out = append(out, fmt.Sprintf("%d %s %s %s %d %d %d %d %s", id, carrier, service, shipped,
			b(shipBy.Valid), b(onTime), b(delivered.Valid), b(measured), transit))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// textRows reads a query's rows, each as its values separated by spaces.
func textRows(t *testing.T, s *Store, query string) []string {
	t.Helper()
	var out []string
	err := scanRows(context.Background(), s.read, query, func(r *sql.Rows) error {
		cols, err := r.Columns()
		if err != nil {
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, " "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
