package data

import (
	"context"
	"fmt"
	"sort"
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

// negativeStockSKUs lists the SKUs with less than nothing in some location, among which are all those with
// less than nothing in all: summing every SKU's locations to find the few took 4 ms on a large shop, where
// picking out the negative rows takes under one.
const negativeStockSKUs = `(SELECT sku FROM stock_levels WHERE on_hand < 0)`

// countStockProblems counts the plain SKUs (active, not kits), the oversold ones and those with nothing to
// sell, in SQLite. Comparing every SKU's stock with what open orders hold, in Go or in SQLite, cost a
// hundred milliseconds on a shop with 20,000 SKUs; most SKUs have no open orders, so the counts are put
// together from parts that each read little. A SKU without open orders has nothing to sell exactly when
// it has nothing on hand, and is oversold exactly when it has less: so the SKUs with stock are counted
// from stock_levels alone (those with stock somewhere, less the few a negative location takes back to
// nothing), less the ones that are not plain, less the plain ones open orders hold all of
// (held: those with open lines of their own holding at least what is on hand, and every kit part, as
// kits' lines hold them too); the oversold are among held, or have less than nothing with no open orders.
func (s *Store) countStockProblems(ctx context.Context, ov *Overview) error {
	plain := func(sku string) string {
		return `(EXISTS (SELECT 1 FROM variants v WHERE v.sku = ` + sku + ` AND v.active = 1)
			AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = ` + sku + `))`
	}
	var products, inStock int
	err := s.read.QueryRowContext(ctx, `WITH kits(sku) AS (SELECT DISTINCT kit_sku FROM kit_components),
			held(units, on_hand) AS MATERIALIZED (
				SELECT units, on_hand FROM (SELECT l.sku AS sku, SUM(l.quantity * l.pack) AS units, `+forSKU(onHandAll, "l.sku")+` AS on_hand
					FROM order_lines l WHERE l.open = 1 AND l.sku IS NOT NULL GROUP BY l.sku) d
				WHERE on_hand <= units AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.component_sku = d.sku) AND `+plain("d.sku")+`
				UNION ALL SELECT `+forSKU(reservedExpr, "p.sku")+`, `+forSKU(onHandAll, "p.sku")+`
					FROM (SELECT DISTINCT component_sku AS sku FROM kit_components) p WHERE `+plain("p.sku")+`)
		SELECT (SELECT count(*) FROM variants WHERE active = 1) - (SELECT count(*) FROM kits k JOIN variants v ON v.sku = k.sku AND v.active = 1),
			(SELECT count(*) FROM (SELECT DISTINCT sku FROM stock_levels WHERE on_hand > 0))
				- (SELECT count(*) FROM (SELECT sku FROM stock_levels WHERE sku IN `+negativeStockSKUs+`
					GROUP BY sku HAVING SUM(on_hand) <= 0 AND MAX(on_hand) > 0))
				- (SELECT count(*) FROM variants v WHERE v.active = 0 AND `+forSKU(onHandAll, "v.sku")+` > 0)
				- (SELECT count(*) FROM kits k JOIN variants v ON v.sku = k.sku AND v.active = 1 WHERE `+forSKU(onHandAll, "k.sku")+` > 0)
				- (SELECT count(*) FROM held WHERE on_hand > 0 AND on_hand <= units),
			(SELECT count(*) FROM held WHERE units > on_hand)
				+ (SELECT count(*) FROM (SELECT sku FROM stock_levels WHERE sku IN `+negativeStockSKUs+`
						GROUP BY sku HAVING SUM(on_hand) < 0) n
					WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.open = 1 AND l.sku = n.sku)
					AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.component_sku = n.sku) AND `+plain("n.sku")+`)`).
		Scan(&products, &inStock, &ov.Oversold)
	if err != nil {
		return fmt.Errorf("count stock problems: %w", err)
	}
	ov.Products, ov.OutOfStock = products, products-inStock
	return nil
}
