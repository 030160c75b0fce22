package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"
)

// recordCost appends sku's unit cost as it now stands to the cost history, unless that is already the cost
// in force. Every write that sets a cost calls it in its own transaction (adding a SKU, editing one, a
// product file's import), so the history cannot miss a change that the variants table shows.
func (t *tx) recordCost(ctx context.Context, sku string) error {
	rowID, err := t.nextRowID(ctx, "cost_history")
	if err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `INSERT INTO cost_history(id, sku, cost, currency, from_at, hlc, device_id)
		SELECT ?, v.sku, v.cost, v.currency, ?, ?, ? FROM variants v WHERE v.sku = ? AND NOT EXISTS (
			SELECT 1 FROM cost_history h WHERE h.id = (SELECT id FROM cost_history WHERE sku = v.sku ORDER BY from_at DESC, id DESC LIMIT 1)
			AND h.cost = v.cost AND h.currency = v.currency)`, rowID, t.nowText(), t.hlc, t.s.device, sku)
	if err != nil {
		return fmt.Errorf("record cost of %s: %w", sku, err)
	}
	return nil
}

// CostChange is one entry of a SKU's cost history: Cost has been in force since From.
type CostChange struct {
	SKU      string
	Cost     int64 // minor units of Currency
	Currency string
	From     time.Time
}

// CostHistory lists a SKU's unit costs, oldest first. Only users who may see costs may ask.
func (s *Store) CostHistory(ctx context.Context, sku string) ([]CostChange, error) {
	if err := s.require(PermViewCosts); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT sku, cost, currency, from_at FROM cost_history WHERE sku = ? ORDER BY from_at, id`, sku)
	if err != nil {
		return nil, fmt.Errorf("read cost history of %s: %w", sku, err)
	}
	defer rows.Close()
	var out []CostChange
	for rows.Next() {
		var c CostChange
		var from string
		if err := rows.Scan(&c.SKU, &c.Cost, &c.Currency, &from); err != nil {
			return nil, fmt.Errorf("read cost history of %s: %w", sku, err)
		}
		c.From = parseTime(from)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cost history of %s: %w", sku, err)
	}
	return out, nil
}

// SalesGroupings are the ways SalesReport can group sales, in the order screens offer them.
func SalesGroupings() []string { return []string{"day", "week", "month", "channel", "product"} }

// SalesRow is one group of sales in one currency: a day, an ISO week, a month, a channel or a SKU.
type SalesRow struct {
	Key      string // day "2026-11-26", ISO week "2026-W48", month "2026-11", channel, or SKU ("" for lines matching no SKU)
	Label    string // the key as people read it: "Thu 26 Nov 2026", "23 Nov 2026 – 29 Nov 2026", "November 2026", the product's name
	Currency string
	Orders   int   // orders placed in the group; by product, the orders with a line of that SKU
	Units    int64 // our units sold (channel quantity × pack); a kit counts as one unit of the kit
	// Revenue, Cost and Margin are minor units of Currency; Margin is Revenue − Cost.
	Revenue, Cost, Margin int64
	// Uncosted counts units costed at 0 because their cost is not known in Currency: lines that match no
	// SKU yet, and SKUs (or kit parts) whose cost is kept in another currency, as Backroom keeps no exchange
	// rates. Margin is overstated by whatever those units cost.
	Uncosted int64
}

// MarginPercent is the margin as a share of revenue, in percent; ok is false when there was no revenue.
func (r SalesRow) MarginPercent() (pct float64, ok bool) {
	if r.Revenue == 0 {
		return 0, false
	}
	return float64(r.Margin) * 100 / float64(r.Revenue), true
}

// lineCostSQL is the SQL for the unit cost a line keeps (order_lines.unit_cost): the cost of one unit of
// sku, in currency, in force at the stored time at; for a kit, its parts' costs times their quantities.
// The cost in force is the SKU's latest cost_history row from at or before at (ties go to the higher id),
// and for an order placed before the SKU's first recorded cost, that first cost: the best known. It is
// NULL when sku is NULL, has no cost history, or has (or a kit part has) its cost in another currency,
// as Backroom keeps no exchange rates. Its arguments are SQL expressions; migration 0012 applies the
// same rule to the lines stored before it.
//
// Each write that stores a line or gives it a SKU sets its cost this way, in the same transaction, and
// so does a source correcting an order's date or currency. Later changes to costs or to a kit's parts
// never rewrite it, which is what keeps a sale at the cost in force when it was made; a line whose cost
// was unknown stays uncosted.
func lineCostSQL(sku, at, currency string) string {
	costOf := func(of string) string {
		return `(SELECT CASE WHEN h.currency = ` + currency + ` THEN h.cost END FROM cost_history h WHERE h.id = COALESCE(
			(SELECT e.id FROM cost_history e WHERE e.sku = ` + of + ` AND e.from_at <= ` + at + ` ORDER BY e.from_at DESC, e.id DESC LIMIT 1),
			(SELECT f.id FROM cost_history f WHERE f.sku = ` + of + ` ORDER BY f.from_at, f.id LIMIT 1)))`
	}
	return `(CASE WHEN ` + sku + ` IS NULL THEN NULL
		WHEN EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = ` + sku + `) THEN (
			SELECT CASE WHEN count(*) = count(parts.cost) THEN SUM(parts.cost * parts.quantity) END FROM (
				SELECT k.quantity, ` + costOf("k.component_sku") + ` AS cost FROM kit_components k WHERE k.kit_sku = ` + sku + `) AS parts)
		ELSE ` + costOf(sku) + ` END)`
}

// SalesReport sums the orders placed from from up to (not including) to, grouped by day, week (ISO, from
// Monday), month, channel or product, with day boundaries in loc. Cancelled orders are left out; returned
// ones stay in, as on the dashboard.
//
// Revenue is what customers paid: the order totals (shipping, tax and discounts included, as
// Store.Overview counts them) when grouping by period or channel, and the lines' unit price × quantity
// when grouping by product, since a total cannot be split between products. Cost is each line's units at
// the unit cost the line keeps: its SKU's cost in force when the order was placed, a kit's the sum of its
// parts' (see lineCostSQL). Only users who may see costs may ask.
//
// SQLite does the sums and sends back a row per group: on a 100,000-order shop, reading the lines into Go
// to cost them took longer than the 200 ms a report may take.
func (s *Store) SalesReport(ctx context.Context, from, to time.Time, by string, loc *time.Location) ([]SalesRow, error) {
	if err := s.require(PermViewCosts); err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.Local
	}
	if !to.After(from) {
		return nil, errorf(ErrInvalid, "the sales report must end after it starts (%s to %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	var out []SalesRow
	var err error
	switch by {
	case "day", "week", "month":
		out, err = s.salesByPeriod(ctx, salesPeriods(from, to, by, loc))
	case "channel":
		out, err = s.salesByChannel(ctx, from, to)
	case "product":
		out, err = s.salesByProduct(ctx, from, to)
	default:
		return nil, errorf(ErrInvalid, "sales cannot be grouped by %q; use %s", by, strings.Join(SalesGroupings(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("sum sales: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}

// salesPeriod is a day, week or month of a report, cut to the report's bounds.
type salesPeriod struct {
	key, label string
	from, to   time.Time
}

// salesPeriods cuts from–to into the days, ISO weeks or months of loc. Go works out the bounds, as
// SQLite knows no time zones: where clocks change, a day is 23 or 25 hours long.
func salesPeriods(from, to time.Time, by string, loc *time.Location) []salesPeriod {
	var out []salesPeriod
	for t := from.In(loc); t.Before(to); {
		y, m, d := t.Date()
		var p salesPeriod
		var start, end time.Time
		switch by {
		case "day":
			start, end = time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc)
			p.key, p.label = start.Format("2006-01-02"), start.Format("Mon 2 Jan 2006")
		case "week":
			back := (int(t.Weekday()) + 6) % 7 // days since Monday
			start, end = time.Date(y, m, d-back, 0, 0, 0, 0, loc), time.Date(y, m, d-back+7, 0, 0, 0, 0, loc)
			wy, w := start.ISOWeek()
			p.key = fmt.Sprintf("%04d-W%02d", wy, w)
			p.label = start.Format("2 Jan 2006") + " – " + time.Date(y, m, d-back+6, 0, 0, 0, 0, loc).Format("2 Jan 2006")
		default:
			start, end = time.Date(y, m, 1, 0, 0, 0, 0, loc), time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
			p.key, p.label = start.Format("2006-01"), start.Format("January 2006")
		}
		if !end.After(t) { // a zone whose midnight does not exist; never seen, but the loop must end
			end = t.Add(time.Hour)
		}
		p.from, p.to = start, end
		if p.from.Before(from) {
			p.from = from
		}
		if p.to.After(to) {
			p.to = to
		}
		out = append(out, p)
		t = end
	}
	return out
}

// sumLines sums an order's lines onto it (orders.line_units, line_cost, uncosted_units; migration 0016),
// as the sales report sums them, and moves its hour in sales_hours with them (0023). Whatever writes an
// order's lines calls it.
// Three subqueries rather than UPDATE … FROM one: on every order of an import, that form cost twenty
// times as much.
func (t *tx) sumLines(ctx context.Context, orderID int64) error {
	// An order sales_hours already counts moves its hour's line sums by the difference, taken from the
	// sums before they change.
	if !t.uncounted[orderID] {
		if _, err := t.ExecContext(ctx, `INSERT INTO sales_hours(hour, channel, currency, orders, revenue, units, cost, uncosted)
			SELECT substr(o.placed_at, 1, 13), o.channel, o.currency, 0, 0,
				(SELECT COALESCE(SUM(quantity * pack), 0) FROM order_lines WHERE order_id = ?1) - o.line_units,
				(SELECT COALESCE(SUM(quantity * pack * unit_cost), 0) FROM order_lines WHERE order_id = ?1) - o.line_cost,
				(SELECT COALESCE(SUM(CASE WHEN unit_cost IS NULL THEN quantity * pack END), 0) FROM order_lines WHERE order_id = ?1) - o.uncosted_units
			FROM orders o WHERE o.id = ?1 AND o.status <> 'cancelled'
			ON CONFLICT DO UPDATE SET units = units + excluded.units, cost = cost + excluded.cost, uncosted = uncosted + excluded.uncosted`,
			orderID); err != nil {
			return fmt.Errorf("sum the lines of order %d into its sales: %w", orderID, err)
		}
	}
	if _, err := t.ExecContext(ctx, `UPDATE orders SET
			line_units = (SELECT COALESCE(SUM(quantity * pack), 0) FROM order_lines WHERE order_id = ?1),
			line_cost = (SELECT COALESCE(SUM(quantity * pack * unit_cost), 0) FROM order_lines WHERE order_id = ?1),
			uncosted_units = (SELECT COALESCE(SUM(CASE WHEN unit_cost IS NULL THEN quantity * pack END), 0) FROM order_lines WHERE order_id = ?1)
		WHERE id = ?1`, orderID); err != nil {
		return fmt.Errorf("sum the lines of order %d: %w", orderID, err)
	}
	return nil
}

// saleInserted notes an order this write inserted. sales_hours (migration 0023) counts it once the
// write is done with it, with its lines summed (countSales): counting each new order as it is stored, by a
// trigger or a statement of its own, made a 10,000-line import 15–20 % slower.
func (t *tx) saleInserted(orderID int64) {
	if t.uncounted == nil {
		t.uncounted = map[int64]bool{}
	}
	t.uncounted[orderID] = true
}

// countSales adds the orders this write inserted to sales_hours, but the cancelled ones, in one statement;
// from then on its triggers follow them. Store.update calls it before committing, and whatever changes or
// deletes an order otherwise than by summing its lines calls it first: a trigger would take the order out
// of an hour it was never added to.
func (t *tx) countSales(ctx context.Context) error {
	if len(t.uncounted) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(t.uncounted))
	for id := range t.uncounted {
		ids = append(ids, id)
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO sales_hours(hour, channel, currency, orders, revenue, units, cost, uncosted)
		SELECT substr(placed_at, 1, 13), channel, currency, count(*), SUM(total), SUM(line_units), SUM(line_cost), SUM(uncosted_units)
		FROM orders WHERE id IN (SELECT value FROM json_each(?)) AND status <> 'cancelled' GROUP BY 1, 2, 3
		ON CONFLICT DO UPDATE SET orders = orders + excluded.orders, revenue = revenue + excluded.revenue, units = units + excluded.units,
			cost = cost + excluded.cost, uncosted = uncosted + excluded.uncosted`, string(list)); err != nil {
		return fmt.Errorf("count %d new orders in the sales: %w", len(ids), err)
	}
	clear(t.uncounted)
	return nil
}

// salesByPeriod sums orders by period (sumSalesHours).
func (s *Store) salesByPeriod(ctx context.Context, periods []salesPeriod) ([]SalesRow, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	ranges := make([]salesRange, len(periods))
	labels := make(map[string]string, len(periods))
	for i, p := range periods {
		ranges[i] = newSalesRange(p.key, p.from, p.to)
		labels[p.key] = p.label
	}
	var out []SalesRow
	err := s.sumSalesHours(ctx, ranges, "x.key", func(key string, r SalesRow) {
		r.Key, r.Label = key, labels[key]
		out = append(out, r)
	})
	return out, err
}

// salesByChannel sums the orders placed from–to by channel (sumSalesHours).
func (s *Store) salesByChannel(ctx context.Context, from, to time.Time) ([]SalesRow, error) {
	var out []SalesRow
	err := s.sumSalesHours(ctx, []salesRange{newSalesRange("", from, to)}, "x.channel COLLATE NOCASE", func(channel string, r SalesRow) {
		r.Key, r.Label = strings.ToLower(channel), channel
		out = append(out, r)
	})
	return out, err
}

// salesRange is a span of time a report sums, split where sales_hours (migration 0023) can take over:
// the whole hours [fromHour, toHour) come from there, and the orders of the part-hours at the ends,
// [from, headTo) and [tailFrom, to), from the orders themselves. The bounds are stored times (text), the
// hours placed_at's first 13 characters. A span within one hour has no whole hours and one end.
type salesRange struct {
	key              string
	from, headTo     string
	fromHour, toHour string
	tailFrom, to     string
}

// newSalesRange splits [from, to) at the first and the last whole hour inside it.
func newSalesRange(key string, from, to time.Time) salesRange {
	first := from.UTC().Truncate(time.Hour)
	if first.Before(from) {
		first = first.Add(time.Hour)
	}
	last := to.UTC().Truncate(time.Hour)
	r := salesRange{key: key, from: formatTime(from), to: formatTime(to)}
	if !first.Before(last) {
		r.headTo, r.tailFrom = r.to, r.to
		return r
	}
	r.headTo, r.tailFrom = formatTime(first), formatTime(last)
	r.fromHour, r.toHour = r.headTo[:13], r.tailFrom[:13]
	return r
}

// sumSalesHours sums the orders placed in each range per group and currency, the group being an SQL
// expression over the summed rows x (x.key, the range's key, or x.channel), and calls add with each group
// that has orders. SQLite sends back a row per group; no order of a whole hour is read.
func (s *Store) sumSalesHours(ctx context.Context, ranges []salesRange, group string, add func(group string, r SalesRow)) error {
	list := make([][7]string, len(ranges))
	for i, r := range ranges {
		list[i] = [7]string{r.key, r.from, r.headTo, r.fromHour, r.toHour, r.tailFrom, r.to}
	}
	js, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return scanRows(ctx, s.read, `WITH g(key, lo, head_to, from_hour, to_hour, tail_from, hi) AS (
			SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6 FROM json_each(?1)),
		x(key, channel, currency, orders, revenue, units, cost, uncosted) AS (
			SELECT g.key, h.channel, h.currency, h.orders, h.revenue, h.units, h.cost, h.uncosted
				FROM g JOIN sales_hours h ON h.hour >= g.from_hour AND h.hour < g.to_hour
			UNION ALL SELECT g.key, o.channel, o.currency, 1, o.total, o.line_units, o.line_cost, o.uncosted_units
				FROM g JOIN orders o ON o.placed_at >= g.lo AND o.placed_at < g.head_to WHERE o.status <> 'cancelled'
			UNION ALL SELECT g.key, o.channel, o.currency, 1, o.total, o.line_units, o.line_cost, o.uncosted_units
				FROM g JOIN orders o ON o.placed_at >= g.tail_from AND o.placed_at < g.hi WHERE o.status <> 'cancelled')
		SELECT `+group+`, x.currency, SUM(x.orders), SUM(x.revenue), SUM(x.units), SUM(x.cost), SUM(x.uncosted)
		FROM x GROUP BY 1, 2 HAVING SUM(x.orders) > 0`, func(rows *sql.Rows) error {
		var key string
		var r SalesRow
		if err := rows.Scan(&key, &r.Currency, &r.Orders, &r.Revenue, &r.Units, &r.Cost, &r.Uncosted); err != nil {
			return err
		}
		r.Margin = r.Revenue - r.Cost
		add(key, r)
		return nil
	}, string(js))
}

// salesByProduct sums the lines of the orders placed from–to by SKU and order currency.
//
// The plain ways are slow on a large shop: grouping the period's lines by SKU has SQLite sort them all,
// and walking each SKU's lines checks each line's order, a lookup per line; on the 100,000-order
// benchmark shop either took about twice as long as this. This relies instead on order ids growing as
// orders are stored, so a period's orders mostly fill one range of ids. It sums, per SKU, every line of
// the orders in that range (a short walk per SKU in order_lines_sku, which holds the lines by SKU and
// then order id), counts them in the currency most of the period's orders are in, and then corrects by
// the few orders in the range that are not the period's (cancelled, or placed outside it, such as an
// order imported late for an earlier date) or are in another currency. The result is exact whatever the
// ids are; only the speed depends on them.
func (s *Store) salesByProduct(ctx context.Context, from, to time.Time) ([]SalesRow, error) {
	start, end := formatTime(from), formatTime(to)
	// The range of ids the period's orders span, and the currency most of them are in.
	var lo, hi, most int64
	var currency string
	err := scanRows(ctx, s.read, `SELECT currency, min(id), max(id), count(*) FROM orders
		WHERE placed_at >= ? AND placed_at < ? AND status <> 'cancelled' GROUP BY currency`, func(rows *sql.Rows) error {
		var c string
		var first, last, n int64
		if err := rows.Scan(&c, &first, &last, &n); err != nil {
			return err
		}
		if most == 0 {
			lo, hi = first, last
		}
		lo, hi = min(lo, first), max(hi, last)
		if n > most {
			currency, most = c, n
		}
		return nil
	}, start, end)
	if err != nil || most == 0 {
		return nil, err
	}

	// The lines are summed SKU by SKU in two halves of the catalogue at once, beside the corrections, on
	// three of the store's read connections: the sums are SQLite's work on one core each, and a shop's
	// computer has two or more (on the benchmark shop, 100 days took 220 ms in one piece).
	var first, last int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(min(rowid), 0), COALESCE(max(rowid), 0) FROM variants`).Scan(&first, &last); err != nil {
		return nil, err
	}
	middle := first + (last-first)/2 + 1
	var parts [2]map[string]*SalesRow
	var fixes []lineFix
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() { parts[0], errs[0] = s.sumProductLines(ctx, lo, hi, first, middle, currency, true) })
	wg.Go(func() { parts[1], errs[1] = s.sumProductLines(ctx, lo, hi, middle, last+1, currency, false) })
	wg.Go(func() { fixes, errs[2] = s.productLineFixes(ctx, lo, hi, start, end, currency) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// bySKU holds the groups in that currency, by SKU as variants spell it ("" for lines matching no SKU);
	// others the groups in other currencies.
	bySKU := parts[0]
	maps.Copy(bySKU, parts[1])
	var lower map[string]*SalesRow // bySKU by lower-case SKU, built on the first miss
	type groupKey struct{ sku, currency string }
	others := map[groupKey]*SalesRow{}
	for _, f := range fixes {
		// The lines corrected are among the range's, so their SKU has a group, if perhaps spelled
		// otherwise in an old line.
		r := bySKU[f.sku]
		if r == nil {
			if lower == nil {
				lower = make(map[string]*SalesRow, len(bySKU))
				for k, g := range bySKU {
					lower[strings.ToLower(k)] = g
				}
			}
			if r = lower[strings.ToLower(f.sku)]; r == nil {
				return nil, fmt.Errorf("no sum of the lines of %q in the range", f.sku)
			}
		}
		f.sums.addTo(r, -1)
		if f.counted {
			k := groupKey{r.Key, f.currency}
			g := others[k]
			if g == nil {
				g = &SalesRow{Key: r.Key, Label: r.Label, Currency: f.currency}
				others[k] = g
			}
			f.sums.addTo(g, 1)
		}
	}
	out := make([]SalesRow, 0, len(bySKU)+len(others))
	keep := func(g *SalesRow) {
		if g.Units != 0 { // else every line it had was taken back out
			g.Margin = g.Revenue - g.Cost
			out = append(out, *g)
		}
	}
	for _, g := range bySKU {
		keep(g)
	}
	for _, g := range others {
		keep(g)
	}
	return out, nil
}

// productLineSums sums order lines per group for the product report: distinct orders, units, revenue,
// cost and uncosted units.
const productLineSums = `count(DISTINCT l.order_id), SUM(l.quantity * l.pack), SUM(l.quantity * l.unit_price),
	COALESCE(SUM(l.quantity * l.pack * l.unit_cost), 0), COALESCE(SUM(CASE WHEN l.unit_cost IS NULL THEN l.quantity * l.pack END), 0)`

// sumProductLines sums, per SKU of the variants with rowids in [fromRow, toRow), the lines of the orders
// with ids from lo to hi, as rows in currency; with unmatched, also the lines matching no SKU, under "".
// CROSS JOIN keeps variants outside, so SQLite walks each SKU's lines instead of sorting the range's.
// Variants are read in table order (NOT INDEXED, grouped by rowid): through the SKU index, fetching each
// one's title and product took longer than the sums.
func (s *Store) sumProductLines(ctx context.Context, lo, hi, fromRow, toRow int64, currency string, unmatched bool) (map[string]*SalesRow, error) {
	out := map[string]*SalesRow{}
	err := scanRows(ctx, s.read, `SELECT v.sku, p.name, v.title, `+productLineSums+`
		FROM variants v NOT INDEXED JOIN products p ON p.id = v.product_id
		CROSS JOIN order_lines l INDEXED BY order_lines_sku ON l.sku = v.sku AND l.order_id BETWEEN ?1 AND ?2
		WHERE v.rowid >= ?3 AND v.rowid < ?4
		GROUP BY v.rowid
		UNION ALL
		SELECT '', '', '', `+productLineSums+` FROM order_lines l INDEXED BY order_lines_sku
		WHERE ?5 AND l.sku IS NULL AND l.order_id BETWEEN ?1 AND ?2 HAVING count(*) > 0`, func(rows *sql.Rows) error {
		var sku, name, title string
		var n lineSums
		if err := rows.Scan(&sku, &name, &title, &n.orders, &n.units, &n.revenue, &n.cost, &n.uncosted); err != nil {
			return err
		}
		label := "Lines matching no SKU"
		if sku != "" {
			label = Variant{ProductName: name, Title: title}.Name()
		}
		r := &SalesRow{Key: sku, Label: label, Currency: currency}
		n.addTo(r, 1)
		out[sku] = r
		return nil
	}, lo, hi, fromRow, toRow, unmatched)
	return out, err
}

// lineFix is the lines of one SKU, in one currency, of the orders in a product report's id range that
// are not in the report as summed: counted says whether they are in the report at all (then in another
// currency than the main one).
type lineFix struct {
	sku, currency string
	counted       bool
	sums          lineSums
}

// productLineFixes lists the lines of the orders with ids from lo to hi that the product report must take
// back out of its sums in currency: orders cancelled, placed outside [start, end), or in another currency.
func (s *Store) productLineFixes(ctx context.Context, lo, hi int64, start, end, currency string) ([]lineFix, error) {
	var out []lineFix
	err := scanRows(ctx, s.read, `SELECT COALESCE(l.sku, ''), o.currency,
			o.placed_at >= ?3 AND o.placed_at < ?4 AND o.status <> 'cancelled', `+strings.ReplaceAll(productLineSums, "l.order_id", "o.id")+`
		FROM orders o INDEXED BY orders_id_sales CROSS JOIN order_lines l ON l.order_id = o.id
		WHERE o.id BETWEEN ?1 AND ?2 AND NOT (o.placed_at >= ?3 AND o.placed_at < ?4 AND o.status <> 'cancelled' AND o.currency = ?5)
		GROUP BY 1, 2, 3`, func(rows *sql.Rows) error {
		var f lineFix
		if err := rows.Scan(&f.sku, &f.currency, &f.counted, &f.sums.orders, &f.sums.units, &f.sums.revenue, &f.sums.cost, &f.sums.uncosted); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	}, lo, hi, start, end, currency)
	return out, err
}

// lineSums are what the product report sums over a group of order lines.
type lineSums struct{ orders, units, revenue, cost, uncosted int64 }

// addTo adds the sums to a report row, or with sign -1 takes them back out.
func (n lineSums) addTo(r *SalesRow, sign int64) {
	r.Orders += int(sign * n.orders)
	r.Units += sign * n.units
	r.Revenue += sign * n.revenue
	r.Cost += sign * n.cost
	r.Uncosted += sign * n.uncosted
}
