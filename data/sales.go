package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// recordCost appends sku's unit cost as it now stands to the cost history, unless that is already the cost
// in force. Every write that sets a cost calls it in its own transaction (adding a SKU, editing one, a
// product file's import), so the history cannot miss a change that the variants table shows.
func (t *tx) recordCost(ctx context.Context, sku string) error {
	_, err := t.ExecContext(ctx, `INSERT INTO cost_history(sku, cost, currency, from_at, hlc, device_id)
		SELECT v.sku, v.cost, v.currency, ?, ?, ? FROM variants v WHERE v.sku = ? AND NOT EXISTS (
			SELECT 1 FROM cost_history h WHERE h.id = (SELECT id FROM cost_history WHERE sku = v.sku ORDER BY from_at DESC, id DESC LIMIT 1)
			AND h.cost = v.cost AND h.currency = v.currency)`, t.nowText(), t.hlc, t.s.device, sku)
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

// SalesReport sums the orders placed from from up to (not including) to, grouped by day, week (ISO, from
// Monday), month, channel or product, with day boundaries in loc. Cancelled orders are left out; returned
// ones stay in, as on the dashboard.
//
// Revenue is what customers paid: the order totals (shipping, tax and discounts included, as
// Store.Overview counts them) when grouping by period or channel, and the lines' unit price × quantity
// when grouping by product, since a total cannot be split between products. Cost is each line's units at
// its SKU's cost in force when the order was placed (from the cost history; an order placed before the
// SKU's first recorded cost takes that first cost), and a kit's units at the sum of its parts' costs. Only
// users who may see costs may ask.
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
	var period *periodKeys
	var names map[string]variantName
	switch by {
	case "day", "week", "month":
		period = &periodKeys{by: by, loc: loc}
	case "channel":
	case "product":
		var err error
		if names, err = s.variantNames(ctx); err != nil {
			return nil, err
		}
	default:
		return nil, errorf(ErrInvalid, "sales cannot be grouped by %q; use %s", by, strings.Join(SalesGroupings(), ", "))
	}
	costs, err := s.costBook(ctx)
	if err != nil {
		return nil, err
	}

	// Rows come in placed order, an order's lines together, so a period changes rarely and an order's
	// total is counted at its first row. An order with no lines still counts, with its total; its one row
	// has no SKU and 0 units (a real line has at least one). Each grouping reads only the columns it
	// needs: on a large shop reading the rows costs more than the sums.
	var third string
	switch {
	case names != nil:
		third = "COALESCE(l.quantity * l.unit_price, 0)"
	case period != nil:
		third = "o.total"
	default:
		third = "o.total, o.channel"
	}
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.placed_at, o.currency, `+third+`, COALESCE(l.sku, ''), COALESCE(l.quantity * l.pack, 0)
		FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
		WHERE o.placed_at >= ? AND o.placed_at < ? AND o.status <> 'cancelled'
		ORDER BY o.placed_at, o.id`, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("sum sales: %w", err)
	}
	defer rows.Close()
	type groupKey struct{ key, currency string }
	type group struct {
		row       SalesRow
		lastOrder int64
	}
	groups := map[groupKey]*group{}
	var last *group
	var lastKey groupKey
	var (
		id, money, units          int64
		placed, currency, channel string
		sku                       string
	)
	dest := []any{&id, &placed, &currency, &money, &sku, &units}
	if names == nil && period == nil {
		dest = []any{&id, &placed, &currency, &money, &channel, &sku, &units}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("sum sales: %w", err)
		}
		var k groupKey
		var label string
		switch {
		case period != nil:
			k.key, label = period.of(placed)
		case names != nil:
			if units == 0 {
				continue
			}
			n, ok := names[sku]
			if !ok {
				n, ok = names[strings.ToLower(sku)]
			}
			switch {
			case sku == "":
				n.name = "Lines matching no SKU"
			case !ok:
				n = variantName{sku: sku, name: sku}
			}
			k.key, label = n.sku, n.name
		default:
			k.key = strings.ToLower(channel)
			label = channel
		}
		k.currency = currency
		g := last // rows in time order mostly stay in the group of the row before
		if k != lastKey || g == nil {
			if g = groups[k]; g == nil {
				g = &group{row: SalesRow{Key: k.key, Label: label, Currency: currency}}
				groups[k] = g
			}
			last, lastKey = g, k
		}
		if g.lastOrder != id {
			g.lastOrder = id
			g.row.Orders++
			if names == nil {
				g.row.Revenue += money // the order's total
			}
		}
		if units == 0 {
			continue
		}
		if names != nil {
			g.row.Revenue += money // the line's price × quantity
		}
		g.row.Units += units
		unit, known := costs.unitCost(sku, placed, currency)
		g.row.Cost += unit * units
		if !known {
			g.row.Uncosted += units
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sum sales: %w", err)
	}
	out := make([]SalesRow, 0, len(groups))
	for _, g := range groups {
		g.row.Margin = g.row.Revenue - g.row.Cost
		out = append(out, g.row)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}

// periodKeys names the day, week or month a stored time falls in. Sales rows come in time order, so it
// keeps the current period's bounds as stored text and works out a new period only when a time leaves them.
type periodKeys struct {
	by         string
	loc        *time.Location
	start, end string // bounds of the current period as stored times; end is exclusive
	key, label string
}

func (p *periodKeys) of(stored string) (key, label string) {
	if p.end != "" && stored >= p.start && stored < p.end {
		return p.key, p.label
	}
	t := parseTime(stored).In(p.loc)
	y, m, d := t.Date()
	var start, end time.Time
	switch p.by {
	case "day":
		start, end = time.Date(y, m, d, 0, 0, 0, 0, p.loc), time.Date(y, m, d+1, 0, 0, 0, 0, p.loc)
		p.key, p.label = start.Format("2006-01-02"), start.Format("Mon 2 Jan 2006")
	case "week":
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		start, end = time.Date(y, m, d-back, 0, 0, 0, 0, p.loc), time.Date(y, m, d-back+7, 0, 0, 0, 0, p.loc)
		wy, w := t.ISOWeek()
		p.key = fmt.Sprintf("%04d-W%02d", wy, w)
		p.label = start.Format("2 Jan 2006") + " – " + time.Date(y, m, d-back+6, 0, 0, 0, 0, p.loc).Format("2 Jan 2006")
	default:
		start, end = time.Date(y, m, 1, 0, 0, 0, 0, p.loc), time.Date(y, m+1, 1, 0, 0, 0, 0, p.loc)
		p.key, p.label = start.Format("2006-01"), start.Format("January 2006")
	}
	p.start, p.end = formatTime(start), formatTime(end)
	return p.key, p.label
}

// variantName is how a product report shows a SKU.
type variantName struct{ sku, name string }

// variantNames maps each SKU, as written and in lower case, to its spelling and name.
func (s *Store) variantNames(ctx context.Context) (map[string]variantName, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT v.sku, p.name, v.title FROM variants v JOIN products p ON p.id = v.product_id`)
	if err != nil {
		return nil, fmt.Errorf("read product names: %w", err)
	}
	defer rows.Close()
	out := map[string]variantName{}
	for rows.Next() {
		var v Variant
		if err := rows.Scan(&v.SKU, &v.ProductName, &v.Title); err != nil {
			return nil, fmt.Errorf("read product names: %w", err)
		}
		n := variantName{sku: v.SKU, name: v.Name()}
		out[v.SKU] = n
		out[strings.ToLower(v.SKU)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read product names: %w", err)
	}
	return out, nil
}

// costEntry is a cost in force from a stored time on.
type costEntry struct {
	from     string
	cost     int64
	currency string
}

// skuCosts is what costing one SKU needs: its cost history, oldest first, or its parts when it is a kit.
type skuCosts struct {
	history []costEntry
	parts   []KitComponent
}

// costs holds every SKU's cost history and every kit's parts, read once per report: a shop has far fewer
// cost changes than order lines, and a map lookup per line is several times faster than SQLite's.
type costs struct {
	bySKU map[string]*skuCosts // SKU as written in variants, which is how order lines store it
	lower map[string]*skuCosts // lower-case SKU, built on the first miss
}

func (s *Store) costBook(ctx context.Context) (*costs, error) {
	c := &costs{bySKU: map[string]*skuCosts{}}
	get := func(sku string) *skuCosts {
		sc := c.bySKU[sku]
		if sc == nil {
			sc = &skuCosts{}
			c.bySKU[sku] = sc
		}
		return sc
	}
	rows, err := s.read.QueryContext(ctx, `SELECT sku, cost, currency, from_at FROM cost_history ORDER BY sku, from_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read cost history: %w", err)
	}
	defer rows.Close()
	var prev string
	var sc *skuCosts
	for rows.Next() {
		var sku string
		var e costEntry
		if err := rows.Scan(&sku, &e.cost, &e.currency, &e.from); err != nil {
			return nil, fmt.Errorf("read cost history: %w", err)
		}
		if sc == nil || sku != prev {
			sc, prev = get(sku), sku
		}
		sc.history = append(sc.history, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cost history: %w", err)
	}
	rows.Close()
	krows, err := s.read.QueryContext(ctx, `SELECT kit_sku, component_sku, quantity FROM kit_components`)
	if err != nil {
		return nil, fmt.Errorf("read kits: %w", err)
	}
	defer krows.Close()
	for krows.Next() {
		var kit string
		var p KitComponent
		if err := krows.Scan(&kit, &p.SKU, &p.Quantity); err != nil {
			return nil, fmt.Errorf("read kits: %w", err)
		}
		sc := get(kit)
		sc.parts = append(sc.parts, p)
	}
	if err := krows.Err(); err != nil {
		return nil, fmt.Errorf("read kits: %w", err)
	}
	return c, nil
}

// lookup finds a SKU written as in variants, else in any case.
func (c *costs) lookup(sku string) *skuCosts {
	if sc, ok := c.bySKU[sku]; ok {
		return sc
	}
	if c.lower == nil {
		c.lower = make(map[string]*skuCosts, len(c.bySKU))
		for k, sc := range c.bySKU {
			c.lower[strings.ToLower(k)] = sc
		}
	}
	return c.lower[strings.ToLower(sku)]
}

// unitCost is the cost of one unit of sku at stored time at, in currency; known is false when sku is
// empty, has no recorded cost, or has (or a kit part has) its cost in another currency.
func (c *costs) unitCost(sku, at, currency string) (cost int64, known bool) {
	sc := c.lookup(sku)
	if sc == nil {
		return 0, false
	}
	if len(sc.parts) == 0 {
		return sc.at(at, currency)
	}
	known = true
	for _, p := range sc.parts {
		var unit int64
		ok := false
		if part := c.lookup(p.SKU); part != nil {
			unit, ok = part.at(at, currency)
		}
		cost += unit * p.Quantity
		known = known && ok
	}
	return cost, known
}

// at is the cost in force at stored time at: the latest entry from at or before it, or before the first
// entry the first, the best known.
func (sc *skuCosts) at(at, currency string) (int64, bool) {
	h := sc.history
	if len(h) == 0 {
		return 0, false
	}
	i := len(h) - 1
	for i > 0 && h[i].from > at {
		i--
	}
	if h[i].currency != currency {
		return 0, false
	}
	return h[i].cost, true
}
