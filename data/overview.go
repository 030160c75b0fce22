package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
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

// ChannelSales is one channel's sales in one currency over a period, summed as SalesReport sums them by
// channel, so the dashboard and the report agree.
type ChannelSales struct {
	Channel  string
	Currency string
	Orders   int
	Revenue  int64 // order totals, minor units
	// Cost is the cost of goods at the unit costs in force when each order was placed (kept with its
	// lines), minor units.
	Cost int64
	// Uncosted counts units whose cost is not known in Currency and so count 0 in Cost: lines matching
	// no SKU yet, and SKUs (or kit parts) whose cost is kept in another currency.
	Uncosted int64
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
	if err := s.countStockProblems(ctx, &ov); err != nil {
		return ov, err
	}
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
		WHERE l.sku IS NULL AND o.status NOT IN ('cancelled')`).Scan(&ov.UnmatchedLine)
	if err != nil {
		return ov, fmt.Errorf("count unmatched lines: %w", err)
	}
	if !s.Can(PermViewCosts) {
		return ov, nil
	}
	// No end: an order dated ahead of this device's clock still counts.
	sales, err := s.salesByChannel(ctx, now.AddDate(0, 0, -30), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return ov, fmt.Errorf("sum sales: %w", err)
	}
	sort.Slice(sales, func(i, j int) bool {
		a, b := sales[i], sales[j]
		if a.Revenue != b.Revenue {
			return a.Revenue > b.Revenue
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return a.Currency < b.Currency
	})
	for _, r := range sales {
		ov.Sales30d = append(ov.Sales30d, ChannelSales{Channel: r.Label, Currency: r.Currency, Orders: r.Orders,
			Revenue: r.Revenue, Cost: r.Cost, Uncosted: r.Uncosted})
	}
	return ov, nil
}

// countStockProblems counts active SKUs, oversold ones and those with nothing to sell. It reads every SKU's
// stock level and sums the open lines once each and compares in Go: asking SQLite for every SKU's figures one SKU
// at a time costs four times as much on a shop with 20,000 SKUs.
func (s *Store) countStockProblems(ctx context.Context, ov *Overview) error {
	sums := func(query string) (map[string]int64, error) {
		rows, err := s.read.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]int64{}
		for rows.Next() {
			var sku string
			var n int64
			if err := rows.Scan(&sku, &n); err != nil {
				return nil, err
			}
			out[strings.ToLower(sku)] += n
		}
		return out, rows.Err()
	}
	onHand, err := sums(`SELECT sku, SUM(on_hand) FROM stock_levels GROUP BY sku`)
	if err != nil {
		return fmt.Errorf("sum stock: %w", err)
	}
	reserved, err := sums(`SELECT COALESCE(k.component_sku, l.sku), SUM(l.quantity * l.pack * COALESCE(k.quantity, 1))
		FROM order_lines l LEFT JOIN kit_components k ON k.kit_sku = l.sku
		WHERE l.open = 1 AND l.sku IS NOT NULL GROUP BY 1`)
	if err != nil {
		return fmt.Errorf("sum reserved stock: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT sku FROM variants v
		WHERE v.active = 1 AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku)`)
	if err != nil {
		return fmt.Errorf("list SKUs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sku string
		if err := rows.Scan(&sku); err != nil {
			return fmt.Errorf("list SKUs: %w", err)
		}
		key := strings.ToLower(sku)
		ov.Products++
		if reserved[key] > onHand[key] {
			ov.Oversold++
		}
		if onHand[key]-reserved[key] <= 0 {
			ov.OutOfStock++
		}
	}
	return rows.Err()
}
