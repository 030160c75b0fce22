package data

import (
	"context"
	"fmt"
	"time"
)

// Overview is the owner's morning summary: what needs doing today and how sales went.
type Overview struct {
	OpenOrders    int // not yet shipped or cancelled
	ToShipToday   int // open, with a ship-by date before the end of today
	LateOrders    int // open, past their ship-by date
	Oversold      int // SKUs with more reserved than on hand
	OutOfStock    int // active SKUs with nothing available
	UnmatchedLine int // order lines whose item matched no SKU
	Products      int // active SKUs
	StatusCounts  map[Status]int

	// Sales over the last 30 days per currency; empty for users who may not see money figures.
	Sales30d []ChannelSales
}

// ChannelSales is one channel's sales in one currency over a period.
type ChannelSales struct {
	Channel  string
	Currency string
	Orders   int
	Revenue  int64 // order totals, minor units
	Cost     int64 // cost of goods at today's unit costs, minor units
}

// Overview computes the dashboard figures as of now; day boundaries follow loc.
func (s *Store) Overview(ctx context.Context, now time.Time, loc *time.Location) (Overview, error) {
	ov := Overview{StatusCounts: map[Status]int{}}
	if loc == nil {
		loc = time.Local
	}
	local := now.In(loc)
	endOfDay := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
	rows, err := s.read.QueryContext(ctx, `SELECT status, count(*) FROM orders GROUP BY status`)
	if err != nil {
		return ov, fmt.Errorf("count orders: %w", err)
	}
	for rows.Next() {
		var st Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return ov, fmt.Errorf("count orders: %w", err)
		}
		ov.StatusCounts[st] = n
		if st.Open() {
			ov.OpenOrders += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ov, fmt.Errorf("count orders: %w", err)
	}
	err = s.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(ship_by IS NOT NULL AND ship_by < ?), 0), COALESCE(SUM(ship_by IS NOT NULL AND ship_by < ?), 0)
		FROM orders WHERE status IN `+openStatuses, formatTime(endOfDay), formatTime(now)).Scan(&ov.ToShipToday, &ov.LateOrders)
	if err != nil {
		return ov, fmt.Errorf("count late orders: %w", err)
	}
	err = s.read.QueryRowContext(ctx, `WITH levels AS (
		SELECT v.sku, `+forSKU(onHandExpr, "v.sku")+` AS on_hand, `+forSKU(reservedExpr, "v.sku")+` AS reserved
		FROM variants v
		WHERE v.active = 1 AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku))
		SELECT count(*), COALESCE(SUM(reserved > on_hand), 0), COALESCE(SUM(on_hand - reserved <= 0), 0) FROM levels`, "").
		Scan(&ov.Products, &ov.Oversold, &ov.OutOfStock)
	if err != nil {
		return ov, fmt.Errorf("count stock problems: %w", err)
	}
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
		WHERE l.sku IS NULL AND o.status NOT IN ('cancelled')`).Scan(&ov.UnmatchedLine)
	if err != nil {
		return ov, fmt.Errorf("count unmatched lines: %w", err)
	}
	if !s.Can(PermViewCosts) {
		return ov, nil
	}
	srows, err := s.read.QueryContext(ctx, `SELECT o.channel, o.currency, count(*), SUM(o.total),
		SUM((SELECT COALESCE(SUM(l.quantity * l.pack * COALESCE(v.cost, 0)), 0) FROM order_lines l LEFT JOIN variants v ON v.sku = l.sku WHERE l.order_id = o.id))
		FROM orders o WHERE o.placed_at >= ? AND o.status NOT IN ('cancelled')
		GROUP BY o.channel, o.currency ORDER BY SUM(o.total) DESC`, formatTime(now.AddDate(0, 0, -30)))
	if err != nil {
		return ov, fmt.Errorf("sum sales: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var cs ChannelSales
		if err := srows.Scan(&cs.Channel, &cs.Currency, &cs.Orders, &cs.Revenue, &cs.Cost); err != nil {
			return ov, fmt.Errorf("sum sales: %w", err)
		}
		ov.Sales30d = append(ov.Sales30d, cs)
	}
	return ov, srows.Err()
}
