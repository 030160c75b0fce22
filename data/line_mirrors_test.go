package data

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// order_lines.shipped_at mirrors its order's shipping time while the order counts as gone, set when a
// line is stored and kept by a trigger on orders: after the demo shop, and after orders ship, arrive, are cancelled, are imported again shipped
// with other lines and have their shipping time corrected, it must say what the orders say, and the
// return rates must count the units sold that joining each line to its order counts.
func TestOrderLines_ShippedAtFollowsTheOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	check := func(t *testing.T) {
		t.Helper()
		var lines, wrong int
		err := s.read.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE l.shipped_at IS NOT
				CASE WHEN o.status IN ('shipped', 'delivered', 'returned') THEN o.shipped_at END)
			FROM order_lines l JOIN orders o ON o.id = l.order_id`).Scan(&lines, &wrong)
		if err != nil {
			t.Fatal(err)
		}
		if lines < 300 || wrong != 0 {
			t.Errorf("%d of %d order lines have a shipping time other than their order's", wrong, lines)
		}
		from, to := demoNow.AddDate(0, 0, -60), demoNow.AddDate(0, 0, 1)
		rates, byReason, err := s.ReturnRates(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(rates) == 0 {
			t.Fatal("ReturnRates() is empty, want the demo's returns")
		}
		var returned int64
		for _, r := range rates {
			var sold, back int64
			var name string
			err := s.read.QueryRowContext(ctx, `SELECT
					(SELECT COALESCE(SUM(l.quantity * MAX(l.pack, 1)), 0) FROM order_lines l JOIN orders o ON o.id = l.order_id
						WHERE l.sku = ?1 AND o.status IN ('shipped', 'delivered', 'returned') AND o.shipped_at >= ?2 AND o.shipped_at < ?3),
					(SELECT COALESCE(SUM(r.units), 0) FROM returns r JOIN orders o ON o.id = r.order_id
						WHERE r.sku = ?1 AND o.status IN ('shipped', 'delivered', 'returned') AND o.shipped_at >= ?2 AND o.shipped_at < ?3),
					(SELECT p.name || CASE WHEN v.title <> '' THEN ' ' || v.title ELSE '' END FROM variants v JOIN products p ON p.id = v.product_id
						WHERE v.sku = ?1)`,
				r.SKU, formatTime(from), formatTime(to)).Scan(&sold, &back, &name)
			if err != nil {
				t.Fatal(err)
			}
			if r.Sold != sold || r.Returned != back || r.Name != name {
				t.Errorf("ReturnRates() %s (%s): %d sold, %d back; its orders shipped %d and %d came back (%s)", r.SKU, r.Name, r.Sold, r.Returned, sold, back, name)
			}
			returned += r.Returned
		}
		var reasons int64
		for _, n := range byReason {
			reasons += n
		}
		if reasons < returned || returned == 0 {
			t.Errorf("ReturnRates() counts %d units back by reason, %d by SKU", reasons, returned)
		}
	}
	t.Run("Demo", check)

	t.Run("OrdersMove", func(t *testing.T) {
		pick := func(query string) int64 {
			t.Helper()
			var id int64
			if err := s.read.QueryRowContext(ctx, query).Scan(&id); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return id
		}
		packed := pick(`SELECT id FROM orders WHERE status IN ('paid', 'picking', 'packed') ORDER BY id LIMIT 1`)
		if _, err := s.ShipOrder(ctx, packed, Shipment{Carrier: "Royal Mail", Service: "Tracked 48"}); err != nil {
			t.Fatalf("ShipOrder: %v", err)
		}
		shipped := pick(`SELECT id FROM orders WHERE status = 'shipped' ORDER BY id LIMIT 1`)
		if _, err := s.SetOrderStatus(ctx, shipped, StatusDelivered); err != nil {
			t.Fatalf("SetOrderStatus: %v", err)
		}
		open := pick(`SELECT id FROM orders WHERE status IN ('new', 'paid') ORDER BY id DESC LIMIT 1`)
		if _, err := s.SetOrderStatus(ctx, open, StatusCancelled); err != nil {
			t.Fatalf("SetOrderStatus: %v", err)
		}
		// Imported again as shipped, with a line more: the order moves and its lines are stored anew.
		again := pick(`SELECT id FROM orders WHERE status IN ('paid', 'picking', 'packed') ORDER BY id LIMIT 1`)
		o, err := s.Order(ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		o.Status, o.ShippedAt = StatusShipped, demoNow.Add(-time.Hour)
		o.Lines = append(o.Lines, OrderLine{LineNo: len(o.Lines) + 1, SKU: o.Lines[0].SKU, Name: o.Lines[0].Name, Quantity: 2,
			UnitPrice: o.Lines[0].UnitPrice})
		if res, err := s.ApplyOrders(ctx, []Order{o}); err != nil || res.Updated != 1 {
			t.Fatalf("ApplyOrders() = %+v, %v; want the order updated", res, err)
		}
		if _, err := s.write.ExecContext(ctx, `UPDATE orders SET shipped_at = ? WHERE id = ?`,
			formatTime(demoNow.Add(-40*24*time.Hour)), shipped); err != nil {
			t.Fatal(err)
		}
		var lines sql.NullString
		if err := s.read.QueryRowContext(ctx, `SELECT min(shipped_at) FROM order_lines WHERE order_id = ?`, again).Scan(&lines); err != nil || !lines.Valid {
			t.Fatalf("the lines of order %d imported again have no shipping time (%v)", again, err)
		}
		check(t)
	})
}

// orders.line_units, line_cost and uncosted_units sum the order's lines, summed again wherever the store
// writes lines: after the demo shop, and after an order is imported again with a line more, that line matching no SKU is mapped,
// another order is imported again placed earlier (its lines costed anew) and orders are deleted,
// they must be what summing the lines gives, and the sales by channel what summing the joined lines gives.
func TestOrders_LineSumsFollowTheLines(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	check := func(t *testing.T) {
		t.Helper()
		var orders, wrong int
		err := s.read.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE o.line_units <> COALESCE(l.units, 0)
				OR o.line_cost <> COALESCE(l.cost, 0) OR o.uncosted_units <> COALESCE(l.uncosted, 0))
			FROM orders o LEFT JOIN (SELECT order_id, SUM(quantity * pack) AS units, SUM(quantity * pack * unit_cost) AS cost,
				SUM(CASE WHEN unit_cost IS NULL THEN quantity * pack END) AS uncosted FROM order_lines GROUP BY order_id) l
			ON l.order_id = o.id`).Scan(&orders, &wrong)
		if err != nil {
			t.Fatal(err)
		}
		if orders < 100 || wrong != 0 {
			t.Errorf("%d of %d orders have line sums other than their lines'", wrong, orders)
		}
		from, to := demoNow.AddDate(0, 0, -40), demoNow.AddDate(0, 0, 1)
		got, err := s.SalesReport(ctx, from, to, "channel", time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 2 {
			t.Fatalf("SalesReport() by channel = %+v, want the demo's channels", got)
		}
		for _, r := range got {
			var units, cost, uncosted int64
			err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(l.quantity * l.pack), 0), COALESCE(SUM(l.quantity * l.pack * l.unit_cost), 0),
					COALESCE(SUM(CASE WHEN l.unit_cost IS NULL THEN l.quantity * l.pack END), 0)
				FROM orders o JOIN order_lines l ON l.order_id = o.id
				WHERE o.channel = ? AND o.currency = ? AND o.status <> 'cancelled' AND o.placed_at >= ? AND o.placed_at < ?`,
				r.Label, r.Currency, formatTime(from), formatTime(to)).Scan(&units, &cost, &uncosted)
			if err != nil {
				t.Fatal(err)
			}
			if r.Units != units || r.Cost != cost || r.Uncosted != uncosted {
				t.Errorf("SalesReport() %s %s: %d units, cost %d, %d uncosted; its lines sum to %d, %d, %d",
					r.Label, r.Currency, r.Units, r.Cost, r.Uncosted, units, cost, uncosted)
			}
		}
	}
	t.Run("Demo", check)

	t.Run("LinesChange", func(t *testing.T) {
		var again int64
		if err := s.read.QueryRowContext(ctx, `SELECT id FROM orders WHERE status IN ('new', 'paid') ORDER BY id LIMIT 1`).Scan(&again); err != nil {
			t.Fatal(err)
		}
		o, err := s.Order(ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		o.PlacedAt = o.PlacedAt.Add(-time.Hour)
		o.Lines = append(o.Lines, OrderLine{LineNo: len(o.Lines) + 1, ChannelSKU: "NOT-OURS", Name: "Something else", Quantity: 3, UnitPrice: 500})
		if res, err := s.ApplyOrders(ctx, []Order{o}); err != nil || res.Updated != 1 {
			t.Fatalf("ApplyOrders() = %+v, %v; want the order updated", res, err)
		}
		if _, err := s.MapUnmatched(ctx, Alias{Channel: o.Channel, ChannelKey: "NOT-OURS", SKU: o.Lines[0].SKU, Pack: 2}); err != nil {
			t.Fatalf("MapUnmatched: %v", err)
		}
		// Another imported again placed a month earlier, its lines as they were: they are costed anew.
		var recost int64
		if err := s.read.QueryRowContext(ctx, `SELECT id FROM orders WHERE status IN ('new', 'paid') AND id <> ? ORDER BY id LIMIT 1`, again).Scan(&recost); err != nil {
			t.Fatal(err)
		}
		r, err := s.Order(ctx, recost)
		if err != nil {
			t.Fatal(err)
		}
		var before int64
		if err := s.read.QueryRowContext(ctx, `SELECT line_cost FROM orders WHERE id = ?`, recost).Scan(&before); err != nil {
			t.Fatal(err)
		}
		r.PlacedAt = r.PlacedAt.AddDate(0, -3, 0)
		if res, err := s.ApplyOrders(ctx, []Order{r}); err != nil || res.Updated != 1 {
			t.Fatalf("ApplyOrders() = %+v, %v; want the order updated", res, err)
		}
		var after int64
		if err := s.read.QueryRowContext(ctx, `SELECT line_cost FROM orders WHERE id = ?`, recost).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after == before {
			t.Errorf("order %d placed three months earlier still costs %d: the test wants costs that changed", recost, after)
		}
		if _, err := s.write.ExecContext(ctx, `DELETE FROM orders WHERE id IN (SELECT o.id FROM orders o WHERE o.status IN `+openStatuses+`
			AND NOT EXISTS (SELECT 1 FROM contingency_held_orders c WHERE c.order_id = o.id) ORDER BY o.id DESC LIMIT 3)`); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
}
