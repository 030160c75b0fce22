package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"time"
)

// AccountsPeriod is the range of days an accountant's workbook covers, From and To both included, as the
// owner's calendar in Location counts them: an order placed at 23:30 on 31 March in London belongs to March
// however UTC dates it.
type AccountsPeriod struct {
	From, To time.Time // only the dates count
	Location *time.Location
}

// NewAccountsPeriod checks a period and puts its dates in loc.
func NewAccountsPeriod(from, to time.Time, loc *time.Location) (AccountsPeriod, error) {
	if loc == nil {
		loc = time.UTC
	}
	p := AccountsPeriod{
		From:     time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc),
		To:       time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc),
		Location: loc,
	}
	if p.To.Before(p.From) {
		return AccountsPeriod{}, errorf(ErrInvalid, "the period ends (%s) before it starts (%s)", p.To.Format(time.DateOnly), p.From.Format(time.DateOnly))
	}
	return p, nil
}

// MonthPeriod, QuarterPeriod and YearPeriod are the periods accountants ask for most.
func MonthPeriod(year int, month time.Month, loc *time.Location) AccountsPeriod {
	p, _ := NewAccountsPeriod(time.Date(year, month, 1, 0, 0, 0, 0, time.UTC), time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC), loc)
	return p
}

// QuarterPeriod is quarter q (1 to 4) of year.
func QuarterPeriod(year, q int, loc *time.Location) AccountsPeriod {
	first := time.Month(3*(q-1) + 1)
	p, _ := NewAccountsPeriod(time.Date(year, first, 1, 0, 0, 0, 0, time.UTC), time.Date(year, first+3, 0, 0, 0, 0, 0, time.UTC), loc)
	return p
}

// YearPeriod is the calendar year.
func YearPeriod(year int, loc *time.Location) AccountsPeriod {
	p, _ := NewAccountsPeriod(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC), loc)
	return p
}

// Bounds is the period as instants: from the start of From up to, not including, the start of the day
// after To, in the period's location (so a day of a clock change is 23 or 25 hours long).
func (p AccountsPeriod) Bounds() (start, end time.Time) {
	loc := p.loc()
	start = time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, loc)
	end = time.Date(p.To.Year(), p.To.Month(), p.To.Day()+1, 0, 0, 0, 0, loc)
	return start.UTC(), end.UTC()
}

func (p AccountsPeriod) loc() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// String is the period as people write it: "2026-10-01 to 2026-10-31".
func (p AccountsPeriod) String() string {
	return fmt.Sprintf("%s to %s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
}

// Key identifies the period in the export log: the same dates in the same time zone are the same period.
func (p AccountsPeriod) Key() string { return p.String() + " " + p.loc().String() }

// SaleLine is one order line as the accountant's Sales sheet shows it. The order's discount, shipping and
// tax are shared out over its lines in proportion to their value (the remainder of the rounding on the
// largest line), so the lines of an order add up to its total to the penny.
type SaleLine struct {
	OrderRef  int64     // our id of the order
	Placed    time.Time // UTC
	Channel   string
	OrderID   string // the channel's order number
	Status    Status
	LineNo    int
	SKU       string // empty when the line's item is not matched to one of ours
	Product   string
	Quantity  int64 // channel units
	UnitPrice int64 // minor units of Currency
	Discount  int64
	Shipping  int64
	Tax       int64
	Total     int64 // quantity × unit price − discount + shipping + tax, as the order's figures have it
	Currency  string
}

// RefundLine is one return or refund recorded in the period.
type RefundLine struct {
	At          time.Time // UTC
	Channel     string
	OrderID     string
	OrderPlaced time.Time
	SKU         string
	Product     string
	Units       int64
	Reason      ReturnReason
	Condition   string
	Disposition string
	Refund      int64 // minor units of Currency
	Currency    string
}

// CostLine is the cost of goods of one sold order line: its units at the unit cost in force when the
// order was placed. Known is false when that cost is not known (no SKU, no cost, or a cost kept in another
// currency); UnitCost and Cost are then zero.
type CostLine struct {
	Placed   time.Time
	Channel  string
	OrderID  string
	SKU      string
	Product  string
	Units    int64 // our units: quantity × pack
	UnitCost int64
	Cost     int64
	Currency string
	Known    bool
}

// StockValue is one SKU's stock at the end of a period, valued at the unit cost in force then.
type StockValue struct {
	SKU      string
	Product  string
	OnHand   int64
	UnitCost int64
	Value    int64
	Currency string
}

// PurchaseLine is one delivery of a purchase order line received in the period, at the PO's unit cost.
type PurchaseLine struct {
	Received time.Time
	PONumber string
	Supplier string
	SKU      string
	Product  string
	Quantity int64
	UnitCost int64
	Total    int64
	Currency string
}

// AccountsChannelTotal is one channel's figures in one currency for a period.
type AccountsChannelTotal struct {
	Channel  string
	Currency string
	Orders   int
	Lines    int
	Goods    int64 // Σ quantity × unit price
	Discount int64
	Shipping int64
	Tax      int64
	Total    int64
	Refunds  int64
	Cost     int64 // cost of goods sold, known costs only
}

// CurrencyAmount is a sum of money in one currency.
type CurrencyAmount struct {
	Currency string
	Amount   int64
}

// AccountsRows counts the rows of each detail sheet.
type AccountsRows struct {
	Sales, Refunds, Costs, Stock, Purchases int
}

// AccountsTotals is what a period's workbook will add up to, for the preview before exporting and for the
// export log.
type AccountsTotals struct {
	Rows         AccountsRows
	Channels     []AccountsChannelTotal // by channel, then currency
	UnknownCosts int                    // sold lines whose cost is not known
	StockValue   []CurrencyAmount
	Purchases    []CurrencyAmount
}

// AccountsSales calls fn for each line of the period's orders (cancelled ones left out), by placing time,
// then order, then line. The order's discount, shipping and tax are shared out over its lines by value
// (see shareOut), and so is what its total holds beyond goods − discount + shipping + tax (the tax of a
// shop whose prices include it, or a difference the channel never explained): each line's Total is its
// goods − Discount + Shipping + Tax plus its share of that, so the lines add up to the order's total to
// the penny, and a line's own figures add up whenever the order's do. An order without lines is one row
// with no SKU, quantity or price, carrying the order's discount, shipping, tax and total.
//
// Product is the catalogue's name of the line's SKU, or the channel's name for a line matching none.
// Lines are read in one pass and one order's lines are held at a time, so a year of orders streams.
func (s *Store) AccountsSales(ctx context.Context, p AccountsPeriod, fn func(SaleLine) error) error {
	if err := s.require(PermExport); err != nil {
		return err
	}
	names, err := productNames(ctx, s.read)
	if err != nil {
		return fmt.Errorf("read the sales of %s: %w", p, err)
	}
	var split lineShares
	return periodOrders(ctx, s.read, p, false, func(o *accountsOrder) error {
		if len(o.lines) == 0 {
			return fn(SaleLine{OrderRef: o.id, Placed: o.placed, Channel: o.channel, OrderID: o.externalID, Status: o.status,
				Discount: o.discount, Shipping: o.shipping, Tax: o.tax, Total: o.total, Currency: o.currency})
		}
		split.of(o)
		for i, l := range o.lines {
			err := fn(SaleLine{OrderRef: o.id, Placed: o.placed, Channel: o.channel, OrderID: o.externalID, Status: o.status,
				LineNo: l.lineNo, SKU: l.sku, Product: names.line(l), Quantity: l.quantity, UnitPrice: l.unitPrice,
				Discount: split.discount[i], Shipping: split.shipping[i], Tax: split.tax[i], Total: split.total[i], Currency: o.currency})
			if err != nil {
				return err
			}
		}
		return nil
	}, "read the sales of "+p.String())
}

// AccountsRefunds calls fn for each return recorded in the period, by time. Refunds are in the order's
// currency; Product is named as on the Sales sheet.
func (s *Store) AccountsRefunds(ctx context.Context, p AccountsPeriod, fn func(RefundLine) error) error {
	if err := s.require(PermExport); err != nil {
		return err
	}
	what := "read the refunds of " + p.String()
	names, err := productNames(ctx, s.read)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	start, end := p.Bounds()
	var fnErr error // what fn returned, handed back as it is
	err = scanRows(ctx, s.read, `SELECT r.at, o.channel, o.external_id, o.placed_at, r.sku, CASE WHEN r.sku = '' THEN COALESCE(l.name, '') ELSE '' END,
			r.units, r.reason, r.condition, r.disposition, r.refund, o.currency
		FROM returns r INDEXED BY returns_at JOIN orders o ON o.id = r.order_id
		LEFT JOIN order_lines l ON l.order_id = r.order_id AND l.line_no = r.line_no
		WHERE r.at >= ? AND r.at < ? ORDER BY r.at, r.id`, func(rows *sql.Rows) error {
		var r RefundLine
		var at, placed, name string
		if err := rows.Scan(&at, &r.Channel, &r.OrderID, &placed, &r.SKU, &name, &r.Units, &r.Reason, &r.Condition,
			&r.Disposition, &r.Refund, &r.Currency); err != nil {
			return err
		}
		r.At, r.OrderPlaced = parseStoredTime(at), parseStoredTime(placed)
		r.Product = names.line(accountsLine{sku: r.SKU, name: name})
		fnErr = fn(r)
		return fnErr
	}, formatTime(start), formatTime(end))
	return streamError(err, fnErr, what)
}

// AccountsCosts calls fn for each sold line of the period with its cost of goods, in the order of the
// Sales sheet (an order without lines has none). The cost is the unit cost the line keeps from when the
// order was stored (order_lines.unit_cost, see lineCostSQL): the SKU's cost in force when the order was
// placed, in the order's currency. Only users who may see costs may ask.
func (s *Store) AccountsCosts(ctx context.Context, p AccountsPeriod, fn func(CostLine) error) error {
	if err := s.require(PermViewCosts); err != nil {
		return err
	}
	names, err := productNames(ctx, s.read)
	if err != nil {
		return fmt.Errorf("read the cost of sales of %s: %w", p, err)
	}
	return periodOrders(ctx, s.read, p, false, func(o *accountsOrder) error {
		for _, l := range o.lines {
			c := CostLine{Placed: o.placed, Channel: o.channel, OrderID: o.externalID, SKU: l.sku, Product: names.line(l),
				Units: l.quantity * l.pack, Currency: o.currency, Known: l.costKnown}
			if c.Known {
				c.UnitCost, c.Cost = l.unitCost, l.unitCost*c.Units
			}
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}, "read the cost of sales of "+p.String())
}

// AccountsStock calls fn for each SKU with stock at the period's end, by SKU: the ledger summed over
// every location up to the end, valued at the unit cost in force then (the SKU's latest cost from before
// the end, ties to the later entry; before its first, the first). Stock below zero is listed as it
// stands, at a negative value, since the ledger says so. Only users who may see costs may ask.
func (s *Store) AccountsStock(ctx context.Context, p AccountsPeriod, fn func(StockValue) error) error {
	if err := s.require(PermViewCosts); err != nil {
		return err
	}
	names, err := productNames(ctx, s.read)
	if err != nil {
		return fmt.Errorf("read the stock at the end of %s: %w", p, err)
	}
	_, end := p.Bounds()
	// Names are looked up in Go: joining products here doubled the time.
	var fnErr error // what fn returned, handed back as it is
	err = scanRows(ctx, s.read, `SELECT sku, on_hand, cost, currency FROM (`+stockAtSQL+`) ORDER BY sku`, func(rows *sql.Rows) error {
		var v StockValue
		if err := rows.Scan(&v.SKU, &v.OnHand, &v.UnitCost, &v.Currency); err != nil {
			return err
		}
		v.Product = names.of(v.SKU)
		v.Value = v.OnHand * v.UnitCost
		fnErr = fn(v)
		return fnErr
	}, formatTime(end))
	return streamError(err, fnErr, "read the stock at the end of "+p.String())
}

// stockAtSQL lists each SKU with stock at ?1 (a stored time) and the unit cost and currency in force
// then: sku, on_hand, cost, currency. The sums come out of stock_movements_sku_at by SKU; a SKU without
// any recorded cost counts at 0 in its own currency.
const stockAtSQL = `SELECT m.sku AS sku, m.on_hand AS on_hand, COALESCE(h.cost, 0) AS cost,
		COALESCE(h.currency, (SELECT v.currency FROM variants v WHERE v.sku = m.sku), '') AS currency
	FROM (SELECT sku, SUM(quantity) AS on_hand FROM stock_movements INDEXED BY stock_movements_sku_at
		WHERE created_at < ?1 GROUP BY sku) AS m
	LEFT JOIN cost_history h ON h.id = COALESCE(
		(SELECT e.id FROM cost_history e WHERE e.sku = m.sku AND e.from_at < ?1 ORDER BY e.from_at DESC, e.id DESC LIMIT 1),
		(SELECT f.id FROM cost_history f WHERE f.sku = m.sku ORDER BY f.from_at, f.id LIMIT 1))
	WHERE m.on_hand <> 0`

// AccountsPurchases calls fn for each purchase order delivery received in the period, by time: a row per
// line per delivery, at the purchase order line's unit cost in the order's currency. Only users who may
// see costs may ask.
func (s *Store) AccountsPurchases(ctx context.Context, p AccountsPeriod, fn func(PurchaseLine) error) error {
	if err := s.require(PermViewCosts); err != nil {
		return err
	}
	start, end := p.Bounds()
	what := "read the purchases of " + p.String()
	// A year's deliveries are tens of thousands of rows: suppliers' and products' names are read once
	// each, not joined to every row.
	suppliers := map[string]string{}
	err := scanRows(ctx, s.read, `SELECT id, name FROM suppliers`, func(rows *sql.Rows) error {
		var id, name string
		err := rows.Scan(&id, &name)
		suppliers[id] = name
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	names, err := productNames(ctx, s.read)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	var fnErr error // what fn returned, handed back as it is
	err = scanRows(ctx, s.read, `SELECT r.received_at, po.number, po.supplier_id, po.currency, r.sku, r.quantity, pl.unit_cost
		`+receiptsSQL+` ORDER BY r.received_at, r.id`, func(rows *sql.Rows) error {
		var l PurchaseLine
		var at, supplier string
		if err := rows.Scan(&at, &l.PONumber, &supplier, &l.Currency, &l.SKU, &l.Quantity, &l.UnitCost); err != nil {
			return err
		}
		l.Received, l.Supplier, l.Product = parseStoredTime(at), suppliers[supplier], names.of(l.SKU)
		l.Total = l.Quantity * l.UnitCost
		fnErr = fn(l)
		return fnErr
	}, formatTime(start), formatTime(end))
	return streamError(err, fnErr, what)
}

// receiptsSQL is the FROM and WHERE of the deliveries received from ?1 up to ?2 (stored times), each
// receipt r with its purchase order po and line pl.
const receiptsSQL = `FROM po_receipts r INDEXED BY po_receipts_received
	JOIN purchase_orders po ON po.id = r.po_id
	JOIN purchase_order_lines pl ON pl.po_id = r.po_id AND pl.line_no = r.line_no
	WHERE r.received_at >= ?1 AND r.received_at < ?2`

// channelSumsSQL sums the orders placed from ?1 up to ?2 (stored times) and their lines, by channel and
// currency: channel, currency, [orders, discount, shipping, tax, total, orders without lines] and [lines,
// goods, known cost, lines of unknown cost], each a JSON array. Grouping a period's lines had SQLite sort
// them all (most of a second for a year of the benchmark shop); instead each channel's orders in each of
// the period's currencies are summed by walking orders_channel_placed, which holds what is summed, and
// their lines through order_lines_sales.
const channelSumsSQL = `WITH RECURSIVE
		g(c) AS (SELECT min(channel) FROM orders
			UNION ALL SELECT (SELECT min(channel) FROM orders WHERE channel > g.c) FROM g WHERE g.c IS NOT NULL),
		cur(currency) AS MATERIALIZED (SELECT DISTINCT currency FROM orders
			WHERE placed_at >= ?1 AND placed_at < ?2 AND status <> 'cancelled')
	SELECT g.c, cur.currency,
		(SELECT json_array(count(*), COALESCE(SUM(o.discount), 0), COALESCE(SUM(o.shipping), 0), COALESCE(SUM(o.tax), 0),
				COALESCE(SUM(o.total), 0), COALESCE(SUM(NOT EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = o.id)), 0))
			FROM orders o INDEXED BY orders_channel_placed
			WHERE o.channel = g.c AND o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'cancelled' AND o.currency = cur.currency),
		(SELECT json_array(count(*), COALESCE(SUM(l.quantity * l.unit_price), 0), COALESCE(SUM(l.quantity * l.pack * l.unit_cost), 0),
				count(*) - count(l.unit_cost))
			FROM orders o INDEXED BY orders_channel_placed CROSS JOIN order_lines l ON l.order_id = o.id
			WHERE o.channel = g.c AND o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'cancelled' AND o.currency = cur.currency)
	FROM g, cur WHERE g.c IS NOT NULL`

// AccountsPreview adds up the period as the workbook will: each figure is the sum of the rows the
// streams above give. Orders, lines and refunds are summed in SQL: the shares of an order's discount,
// shipping, tax and total add up to the order's own, so the Sales sheet's sums are the orders' sums.
// Stock and purchases are summed by the SQL their streams read. Only users who may see costs may ask.
func (s *Store) AccountsPreview(ctx context.Context, p AccountsPeriod) (AccountsTotals, error) {
	if err := s.require(PermViewCosts); err != nil {
		return AccountsTotals{}, err
	}
	var t AccountsTotals
	start, end := p.Bounds()
	channels := map[[2]string]*AccountsChannelTotal{}
	channel := func(name, currency string) *AccountsChannelTotal {
		k := [2]string{strings.ToLower(name), currency}
		c := channels[k]
		if c == nil {
			c = &AccountsChannelTotal{Channel: name, Currency: currency}
			channels[k] = c
		}
		return c
	}
	err := scanRows(ctx, s.read, channelSumsSQL, func(rows *sql.Rows) error {
		var name, currency, orders, lines string
		if err := rows.Scan(&name, &currency, &orders, &lines); err != nil {
			return err
		}
		var o [6]int64 // orders, discount, shipping, tax, total, orders without lines
		var l [4]int64 // lines, goods, known cost, lines of unknown cost
		if err := json.Unmarshal([]byte(orders), &o); err != nil {
			return fmt.Errorf("read sums of %s: %w", name, err)
		}
		if err := json.Unmarshal([]byte(lines), &l); err != nil {
			return fmt.Errorf("read sums of %s: %w", name, err)
		}
		if o[0] == 0 {
			return nil
		}
		c := channel(name, currency)
		c.Orders, c.Discount, c.Shipping, c.Tax, c.Total = int(o[0]), o[1], o[2], o[3], o[4]
		c.Lines, c.Goods, c.Cost = int(o[5]+l[0]), l[1], l[2]
		t.Rows.Sales += c.Lines
		t.Rows.Costs += int(l[0])
		t.UnknownCosts += int(l[3])
		return nil
	}, formatTime(start), formatTime(end))
	if err != nil {
		return AccountsTotals{}, fmt.Errorf("sum the orders of %s: %w", p, err)
	}
	err = scanRows(ctx, s.read, `SELECT o.channel, o.currency, count(*), SUM(r.refund)
		FROM returns r INDEXED BY returns_at JOIN orders o ON o.id = r.order_id
		WHERE r.at >= ? AND r.at < ? GROUP BY o.channel, o.currency`, func(rows *sql.Rows) error {
		var name, currency string
		var n int
		var refunds int64
		if err := rows.Scan(&name, &currency, &n, &refunds); err != nil {
			return err
		}
		channel(name, currency).Refunds = refunds
		t.Rows.Refunds += n
		return nil
	}, formatTime(start), formatTime(end))
	if err != nil {
		return AccountsTotals{}, fmt.Errorf("sum the refunds of %s: %w", p, err)
	}
	for _, c := range channels {
		t.Channels = append(t.Channels, *c)
	}
	sortChannelTotals(t.Channels)

	// Stock and purchases are summed by the same SQL their streams read, without the names.
	stock, bought := map[string]int64{}, map[string]int64{}
	sums := func(what string, into map[string]int64, rows *int, query string, args ...any) error {
		err := scanRows(ctx, s.read, query, func(r *sql.Rows) error {
			var currency string
			var n int
			var sum int64
			if err := r.Scan(&currency, &n, &sum); err != nil {
				return err
			}
			into[currency] += sum
			*rows += n
			return nil
		}, args...)
		if err != nil {
			return fmt.Errorf("sum the %s of %s: %w", what, p, err)
		}
		return nil
	}
	if err := sums("stock at the end", stock, &t.Rows.Stock, `SELECT currency, count(*), SUM(on_hand * cost) FROM (`+stockAtSQL+`)
		GROUP BY currency`, formatTime(end)); err != nil {
		return AccountsTotals{}, err
	}
	if err := sums("purchases", bought, &t.Rows.Purchases, `SELECT po.currency, count(*), SUM(r.quantity * pl.unit_cost) `+receiptsSQL+`
		GROUP BY po.currency`, formatTime(start), formatTime(end)); err != nil {
		return AccountsTotals{}, err
	}
	t.StockValue, t.Purchases = currencyAmounts(stock), currencyAmounts(bought)
	return t, nil
}

// sortChannelTotals puts channel totals in the order AccountsTotals lists them: by channel, then currency.
func sortChannelTotals(cs []AccountsChannelTotal) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := strings.ToLower(cs[i].Channel), strings.ToLower(cs[j].Channel)
		if a != b {
			return a < b
		}
		return cs[i].Currency < cs[j].Currency
	})
}

// currencyAmounts lists sums by currency, in the currencies' order.
func currencyAmounts(m map[string]int64) []CurrencyAmount {
	out := make([]CurrencyAmount, 0, len(m))
	for c, a := range m {
		out = append(out, CurrencyAmount{Currency: c, Amount: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// accountsOrder is one order of a period as the accounts read it, with its lines.
type accountsOrder struct {
	id                                       int64
	placed                                   time.Time
	channel, externalID, currency            string
	status                                   Status
	subtotal, shipping, tax, discount, total int64
	lines                                    []accountsLine
}

// accountsLine is one order line; name is kept only for a line matching no SKU, which is all it is used
// for, so the lines of matched SKUs carry no string but the SKU.
type accountsLine struct {
	lineNo                    int
	sku, name                 string
	quantity, pack, unitPrice int64
	unitCost                  int64
	costKnown                 bool
}

// streamError is what a stream returns after scanning: the error the caller's fn returned as it was (an
// export's writer failing is not a failure to read), or a failure to read wrapped with what was read.
func streamError(err, fnErr error, what string) error {
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// periodOrders calls fn with each order placed in p (with cancelled ones only when cancelled is set),
// by placing time, each with all its lines by number. It reads orders and lines in one joined query and
// hands each order over as soon as its last line is read; the order and its lines are reused for the
// next, so fn must not keep them. An error fn returns comes back as it was; others are wrapped with what.
func periodOrders(ctx context.Context, q querier, p AccountsPeriod, cancelled bool, fn func(*accountsOrder) error, what string) error {
	start, end := p.Bounds()
	rows, err := q.QueryContext(ctx, periodOrdersSQL(cancelled), formatTime(start), formatTime(end))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var o accountsOrder
	o.id = -1
	var (
		id                                       int64
		placed, channel, externalID, st, cur     string
		subtotal, shipping, tax, discount, total int64
		l                                        accountsLine
		lineNo                                   int64
	)
	for rows.Next() {
		if err := rows.Scan(&id, &placed, &channel, &externalID, &st, &cur, &subtotal, &shipping, &tax, &discount, &total,
			&lineNo, &l.sku, &l.name, &l.quantity, &l.pack, &l.unitPrice, &l.unitCost); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if id != o.id {
			if o.id >= 0 {
				if err := fn(&o); err != nil {
					return err
				}
			}
			o = accountsOrder{id: id, placed: parseStoredTime(placed), channel: channel, externalID: externalID, status: Status(st),
				currency: cur, subtotal: subtotal, shipping: shipping, tax: tax, discount: discount, total: total, lines: o.lines[:0]}
		}
		if l.quantity > 0 { // a line has a quantity; the row of an order without lines has 0
			l.lineNo, l.pack, l.costKnown = int(lineNo), max(l.pack, 1), l.unitCost >= 0
			if !l.costKnown {
				l.unitCost = 0
			}
			o.lines = append(o.lines, l)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if o.id >= 0 {
		return fn(&o)
	}
	return nil
}

// periodOrdersSQL reads the orders placed from ?1 up to ?2 (stored times) with their lines, a row per
// line, by placing time, order and line. One joined query, not a query per order: SQLite walks the
// orders by placing time and each one's lines by number, so nothing is sorted. Every column is scanned
// into a plain int64 or string, as sql.Null* scanning costs more than reading the rows: a line of
// quantity 0 is the row of an order without lines, and a unit cost of -1 is not known (a cost is never
// negative).
func periodOrdersSQL(cancelled bool) string {
	status := ` AND o.status <> 'cancelled'`
	if cancelled {
		status = ``
	}
	return `SELECT o.id, o.placed_at, o.channel, o.external_id, o.status, o.currency,
			o.subtotal, o.shipping, o.tax, o.discount, o.total,
			COALESCE(l.line_no, 0), COALESCE(l.sku, ''), CASE WHEN l.sku IS NULL THEN COALESCE(l.name, '') ELSE '' END,
			COALESCE(l.quantity, 0), COALESCE(l.pack, 1), COALESCE(l.unit_price, 0), COALESCE(l.unit_cost, -1)
		FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
		WHERE o.placed_at >= ?1 AND o.placed_at < ?2` + status + `
		ORDER BY o.placed_at, o.id, l.line_no`
}

// parseStoredTime reads a time as formatTime stores it, by hand: time.Parse took a tenth of a year's
// Sales sheet. Any other text goes to parseTime.
func parseStoredTime(s string) time.Time {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
		s[23] != 'Z' {
		return parseTime(s)
	}
	n := func(from, to int) int {
		v := 0
		for _, c := range []byte(s[from:to]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, sec, ms := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 23)
	if min(y, mo, d, h, mi, sec, ms) < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return parseTime(s)
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), time.UTC)
}

// productNameList names SKUs as the accounts do: the product's name and the variant's title. A SKU written
// in another case than the catalogue's (an old line, a movement) is found through lower, built on the
// first miss.
type productNameList struct {
	names map[string]string
	lower map[string]string
}

// productNames reads every SKU's name once: a few thousand rows, against a join per line of a year.
func productNames(ctx context.Context, q querier) (*productNameList, error) {
	n := &productNameList{names: map[string]string{}}
	err := scanRows(ctx, q, `SELECT v.sku, p.name, v.title FROM variants v JOIN products p ON p.id = v.product_id`, func(rows *sql.Rows) error {
		var sku, name, title string
		if err := rows.Scan(&sku, &name, &title); err != nil {
			return err
		}
		n.names[sku] = Variant{ProductName: name, Title: title}.Name()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read product names: %w", err)
	}
	return n, nil
}

// of names a SKU; "" for none.
func (n *productNameList) of(sku string) string {
	if name, ok := n.names[sku]; ok || sku == "" {
		return name
	}
	if n.lower == nil {
		n.lower = make(map[string]string, len(n.names))
		for k, v := range n.names {
			n.lower[strings.ToLower(k)] = v
		}
	}
	return n.lower[strings.ToLower(sku)]
}

// line names an order line: its SKU's product, or for a line matching none, the channel's name for it.
func (n *productNameList) line(l accountsLine) string {
	if l.sku == "" {
		return l.name
	}
	return n.of(l.sku)
}

// lineShares are one order's discount, shipping, tax and total shared out over its lines.
type lineShares struct {
	weights, discount, shipping, tax, rest, total []int64
}

// of shares out o's figures over its lines (see AccountsSales). Lines weigh by value, quantity × unit
// price; when no line has a value above zero (free items, prices not given), by quantity.
func (s *lineShares) of(o *accountsOrder) {
	n := len(o.lines)
	grow := func(b []int64) []int64 {
		if cap(b) < n {
			return make([]int64, n)
		}
		return b[:n]
	}
	s.weights, s.discount, s.shipping, s.tax, s.rest, s.total =
		grow(s.weights), grow(s.discount), grow(s.shipping), grow(s.tax), grow(s.rest), grow(s.total)
	var goods, sum int64
	for i, l := range o.lines {
		v := l.quantity * l.unitPrice
		goods += v
		s.weights[i] = max(v, 0)
		sum += s.weights[i]
	}
	if sum == 0 {
		for i, l := range o.lines {
			s.weights[i] = l.quantity
			sum += l.quantity
		}
	}
	largest := 0
	for i, w := range s.weights {
		if w > s.weights[largest] {
			largest = i
		}
	}
	shareOut(s.discount, o.discount, s.weights, sum, largest)
	shareOut(s.shipping, o.shipping, s.weights, sum, largest)
	shareOut(s.tax, o.tax, s.weights, sum, largest)
	shareOut(s.rest, o.total-(goods-o.discount+o.shipping+o.tax), s.weights, sum, largest)
	for i, l := range o.lines {
		s.total[i] = l.quantity*l.unitPrice - s.discount[i] + s.shipping[i] + s.tax[i] + s.rest[i]
	}
}

// shareOut splits amount over weights (none negative, adding up to sum > 0) in proportion, each share
// rounded to the nearest minor unit (halves away from zero), and puts what the rounding leaves over on
// the largest weight, so the shares add up to amount exactly. A negative amount is shared as its
// opposite, so a tax included in prices comes back out of each line exactly as it was shared in.
func shareOut(out []int64, amount int64, weights []int64, sum int64, largest int) {
	a := uint64(amount)
	if amount < 0 {
		a = -a
	}
	var given uint64
	for i, w := range weights {
		// a × w / sum in 128 bits: an amount times a line's value can pass 64.
		hi, lo := bits.Mul64(a, uint64(w))
		var carry uint64
		lo, carry = bits.Add64(lo, uint64(sum)/2, 0)
		q, _ := bits.Div64(hi+carry, lo, uint64(sum))
		out[i] = int64(q)
		given += q
	}
	out[largest] += int64(a - given)
	if amount < 0 {
		for i := range out {
			out[i] = -out[i]
		}
	}
}
