package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ReturnReason is why a customer sent goods back. The set is fixed so return rates can group by it.
type ReturnReason string

// The reasons a return can have.
const (
	ReturnDamaged     ReturnReason = "damaged"      // it arrived broken
	ReturnWrongItem   ReturnReason = "wrong-item"   // we sent the wrong thing
	ReturnChangedMind ReturnReason = "changed-mind" // nothing wrong with it
	ReturnLate        ReturnReason = "late"         // it came too late to be of use
	ReturnOther       ReturnReason = "other"
)

// ReturnReasons lists the reasons in display order.
func ReturnReasons() []ReturnReason {
	return []ReturnReason{ReturnDamaged, ReturnWrongItem, ReturnChangedMind, ReturnLate, ReturnOther}
}

// Valid reports whether r is one of the reasons.
func (r ReturnReason) Valid() bool {
	for _, v := range ReturnReasons() {
		if r == v {
			return true
		}
	}
	return false
}

// ReturnCondition is the state returned goods arrived in.
type ReturnCondition string

// The conditions returned goods can arrive in.
const (
	ConditionAsNew   ReturnCondition = "as-new"
	ConditionOpened  ReturnCondition = "opened"
	ConditionDamaged ReturnCondition = "damaged"
)

// ReturnConditions lists the conditions in display order.
func ReturnConditions() []ReturnCondition {
	return []ReturnCondition{ConditionAsNew, ConditionOpened, ConditionDamaged}
}

// Valid reports whether c is one of the conditions.
func (c ReturnCondition) Valid() bool {
	return c == ConditionAsNew || c == ConditionOpened || c == ConditionDamaged
}

// Disposition is what became of returned goods.
type Disposition string

// The dispositions of a return.
//
// A restock is a return movement that puts the units back where the SKU is kept. A write-off moves no
// stock at all: the sale movement already took the units off stock when the order shipped, and a
// written-off unit never comes back onto the shelf, so the ledger is right as it stands. A "scrap"
// movement would take the same units off a second time. The return itself records that they came back
// and were thrown away, for the return rates and the refund.
const (
	Restock  Disposition = "restock"
	WriteOff Disposition = "write-off"
)

// Valid reports whether d is one of the dispositions.
func (d Disposition) Valid() bool { return d == Restock || d == WriteOff }

// Return is goods a customer sent back from one order line.
type Return struct {
	ID      int64
	OrderID int64
	LineNo  int    // the order line; 0 with SKU set picks the line by SKU
	SKU     string // the line's SKU

	Units       int64 // units of the SKU: the line's channel units × its pack size
	Reason      ReturnReason
	Condition   ReturnCondition
	Disposition Disposition
	Refund      int64 // minor units of the order's currency; seen by all who see the order
	Note        string

	// Read back.
	Channel, ExternalID string
	Name                string // the line's name
	Currency            string
	Bin                 string // where a restocked SKU is kept, for the person holding it
	At                  time.Time
	UserName            string
}

// ReturnableLine is an order line with what shipped and what came back of it.
type ReturnableLine struct {
	OrderLine
	Shipped  int64 // units of the SKU that left
	Returned int64 // units recorded as returned so far
}

// Left is how many units can still be returned.
func (l ReturnableLine) Left() int64 { return max(l.Shipped-l.Returned, 0) }

// returnable reports whether an order's goods have left and can come back.
func returnable(s Status) bool {
	return s == StatusShipped || s == StatusDelivered
}

// ReturnableLines lists an order's lines with the units shipped and returned so far.
func (s *Store) ReturnableLines(ctx context.Context, orderID int64) ([]ReturnableLine, error) {
	o, err := s.Order(ctx, orderID)
	if err != nil {
		return nil, err
	}
	back, err := returnedUnits(ctx, s.read, orderID)
	if err != nil {
		return nil, err
	}
	return returnableLines(o, back), nil
}

func returnableLines(o Order, back map[int]int64) []ReturnableLine {
	out := make([]ReturnableLine, 0, len(o.Lines))
	for _, l := range o.Lines {
		rl := ReturnableLine{OrderLine: l, Returned: back[l.LineNo]}
		if o.Status.Shipped() {
			rl.Shipped = l.Quantity * max(l.Pack, 1)
		}
		out = append(out, rl)
	}
	return out
}

// returnedUnits sums the units returned so far per line of an order.
func returnedUnits(ctx context.Context, q querier, orderID int64) (map[int]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT line_no, SUM(units) FROM returns WHERE order_id = ? GROUP BY line_no`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read returns of order %d: %w", orderID, err)
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var line int
		var units int64
		if err := rows.Scan(&line, &units); err != nil {
			return nil, fmt.Errorf("read returns of order %d: %w", orderID, err)
		}
		out[line] = units
	}
	return out, rows.Err()
}

// RecordReturn records goods sent back from a shipped or delivered order's line. Restocked units go
// back to where the SKU is kept as a return movement referring to the order (a kit's components each go
// back); written-off units move nothing (see Disposition). The units returned from a line over all its
// returns never exceed the units that shipped on it, and refunds never exceed the order's total. When
// everything that shipped has come back, the order moves to returned.
func (s *Store) RecordReturn(ctx context.Context, r Return) (Return, error) {
	if err := s.require(PermWorkOrders); err != nil {
		return Return{}, err
	}
	r.Note = strings.TrimSpace(r.Note)
	switch {
	case r.Units <= 0:
		return Return{}, errorf(ErrInvalid, "say how many units came back")
	case !r.Reason.Valid():
		return Return{}, errorf(ErrInvalid, "reason %q is not one of damaged, wrong-item, changed-mind, late, other", r.Reason)
	case !r.Condition.Valid():
		return Return{}, errorf(ErrInvalid, "condition %q is not one of as-new, opened, damaged", r.Condition)
	case !r.Disposition.Valid():
		return Return{}, errorf(ErrInvalid, "say whether the goods go back on the shelf (restock) or are written off")
	case r.Refund < 0:
		return Return{}, errorf(ErrInvalid, "a refund cannot be negative")
	}
	err := s.update(ctx, func(t *tx) error {
		o, err := t.s.order(ctx, t, `o.id = ?`, r.OrderID)
		if err != nil {
			return err
		}
		if !returnable(o.Status) {
			return errorf(ErrConflict, "%s order %s is %s: only shipped or delivered orders can have returns", o.Channel, o.ExternalID, o.Status)
		}
		back, err := returnedUnits(ctx, t, o.ID)
		if err != nil {
			return err
		}
		lines := returnableLines(o, back)
		line, err := pickReturnLine(o, lines, r)
		if err != nil {
			return err
		}
		if r.Units > line.Left() {
			return errorf(ErrConflict, "%s order %s line %d shipped %d × %s and %d came back already: %d more cannot be returned",
				o.Channel, o.ExternalID, line.LineNo, line.Shipped, line.label(), line.Returned, r.Units)
		}
		if r.Disposition == Restock && line.SKU == "" {
			return errorf(ErrConflict, "%s order %s line %d (%s) matched none of the shop's SKUs: map it first, or write the goods off",
				o.Channel, o.ExternalID, line.LineNo, line.Name)
		}
		if r.Refund > 0 && o.Total > 0 {
			var refunded int64
			if err := t.QueryRowContext(ctx, `SELECT COALESCE(SUM(refund), 0) FROM returns WHERE order_id = ?`, o.ID).Scan(&refunded); err != nil {
				return fmt.Errorf("read refunds of %s order %s: %w", o.Channel, o.ExternalID, err)
			}
			if refunded+r.Refund > o.Total {
				return errorf(ErrConflict, "refunds for %s order %s would come to %s, more than its total of %s", o.Channel, o.ExternalID,
					FormatMoney(refunded+r.Refund, o.Currency), FormatMoney(o.Total, o.Currency))
			}
		}
		r.LineNo, r.SKU, r.Name, r.Channel, r.ExternalID, r.Currency = line.LineNo, line.SKU, line.Name, o.Channel, o.ExternalID, o.Currency
		r.At, r.UserName = t.now, t.s.user.Name
		rowID, err := t.nextRowID(ctx, "returns")
		if err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `INSERT INTO returns(id, order_id, line_no, sku, units, reason, condition, disposition, refund, note, at,
			user_id, user_name, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rowID, o.ID, r.LineNo, r.SKU, r.Units, r.Reason, r.Condition, r.Disposition, r.Refund, r.Note, t.nowText(), t.s.user.ID, t.s.user.Name,
			t.hlc, t.s.device)
		if err != nil {
			return fmt.Errorf("record return from %s order %s: %w", o.Channel, o.ExternalID, err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("record return from %s order %s: %w", o.Channel, o.ExternalID, err)
		}
		if r.Disposition == Restock {
			if r.Bin, err = t.restock(ctx, o, r); err != nil {
				return err
			}
		}
		if err := t.audit(ctx, "create", "return", fmt.Sprint(r.ID), nil, r); err != nil {
			return err
		}
		var left int64
		for _, l := range lines {
			left += l.Left()
		}
		if left == r.Units && o.Status.CanMoveTo(StatusReturned) {
			_, err = t.moveOrder(ctx, o.ID, StatusReturned, time.Time{})
		}
		return err
	})
	if err != nil {
		return Return{}, err
	}
	return r, nil
}

// label names a line for a person: its SKU, or its name when it matched none.
func (l ReturnableLine) label() string {
	if l.SKU != "" {
		return l.SKU
	}
	return fmt.Sprintf("%q", l.Name)
}

// pickReturnLine finds the line a return is for: by number, or by SKU (the first such line with units
// left, as an order may list one SKU twice).
func pickReturnLine(o Order, lines []ReturnableLine, r Return) (ReturnableLine, error) {
	var bySKU []ReturnableLine
	for _, l := range lines {
		switch {
		case r.LineNo != 0 && l.LineNo == r.LineNo:
			if r.SKU != "" && !strings.EqualFold(r.SKU, l.SKU) {
				return ReturnableLine{}, errorf(ErrInvalid, "%s order %s line %d is %s, not %s", o.Channel, o.ExternalID, l.LineNo, l.label(), r.SKU)
			}
			return l, nil
		case r.LineNo == 0 && r.SKU != "" && (strings.EqualFold(l.SKU, r.SKU) || strings.EqualFold(l.ChannelSKU, r.SKU)):
			bySKU = append(bySKU, l)
		}
	}
	for _, l := range bySKU {
		if l.Left() > 0 {
			return l, nil
		}
	}
	if len(bySKU) > 0 {
		return bySKU[0], nil
	}
	if r.LineNo != 0 {
		return ReturnableLine{}, errorf(ErrNotFound, "%s order %s has no line %d", o.Channel, o.ExternalID, r.LineNo)
	}
	if r.SKU == "" {
		return ReturnableLine{}, errorf(ErrInvalid, "say which line of %s order %s came back", o.Channel, o.ExternalID)
	}
	return ReturnableLine{}, errorf(ErrNotFound, "%s order %s has no line with SKU %s", o.Channel, o.ExternalID, r.SKU)
}

// restock puts returned units back where the SKU (or each component of a kit) is kept, as return
// movements referring to the order, and returns the bin of the SKU for the person putting it away.
func (t *tx) restock(ctx context.Context, o Order, r Return) (string, error) {
	parts, err := t.kitParts(ctx, r.SKU)
	if err != nil {
		return "", err
	}
	if len(parts) == 0 {
		parts = []KitComponent{{SKU: r.SKU, Quantity: 1}}
	}
	note := fmt.Sprintf("return %d: %s, arrived %s", r.ID, r.Reason, r.Condition)
	var bins []string
	for _, p := range parts {
		loc, err := t.stockLocation(ctx, p.SKU)
		if err != nil {
			return "", err
		}
		m := Movement{ID: newID(), SKU: p.SKU, LocationID: loc, Quantity: r.Units * p.Quantity, Reason: ReasonReturn,
			RefType: "order", RefID: orderKey(o.Channel, o.ExternalID), Note: note}
		if _, err := t.insertMovement(ctx, m); err != nil {
			return "", err
		}
		var bin string
		if err := t.QueryRowContext(ctx, `SELECT bin FROM variants WHERE sku = ?`, p.SKU).Scan(&bin); err != nil {
			return "", fmt.Errorf("find bin of %s: %w", p.SKU, err)
		}
		if bin != "" {
			bins = append(bins, bin)
		}
	}
	sort.Strings(bins)
	return strings.Join(bins, ", "), nil
}

// ReturnFilter narrows a list of returns. Zero fields do not filter.
type ReturnFilter struct {
	OrderID  int64
	From, To time.Time // recorded at or after From, before To
	Limit    int
}

// Returns lists recorded returns, newest first.
func (s *Store) Returns(ctx context.Context, f ReturnFilter) ([]Return, error) {
	conds, args := []string{"1"}, []any{}
	if f.OrderID != 0 {
		conds, args = append(conds, "r.order_id = ?"), append(args, f.OrderID)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "r.at >= ?"), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "r.at < ?"), append(args, formatTime(f.To))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, r.order_id, r.line_no, r.sku, r.units, r.reason, r.condition, r.disposition, r.refund,
		r.note, r.at, r.user_name, o.channel, o.external_id, o.currency, COALESCE(l.name, ''), COALESCE(v.bin, '')
		FROM returns r JOIN orders o ON o.id = r.order_id
		LEFT JOIN order_lines l ON l.order_id = r.order_id AND l.line_no = r.line_no
		LEFT JOIN variants v ON v.sku = r.sku
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY r.at DESC, r.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list returns: %w", err)
	}
	defer rows.Close()
	var out []Return
	for rows.Next() {
		var r Return
		var at string
		if err := rows.Scan(&r.ID, &r.OrderID, &r.LineNo, &r.SKU, &r.Units, &r.Reason, &r.Condition, &r.Disposition, &r.Refund, &r.Note,
			&at, &r.UserName, &r.Channel, &r.ExternalID, &r.Currency, &r.Name, &r.Bin); err != nil {
			return nil, fmt.Errorf("list returns: %w", err)
		}
		r.At = parseTime(at)
		if r.Disposition != Restock {
			r.Bin = ""
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReturnRate is how much of one SKU came back.
type ReturnRate struct {
	SKU      string
	Name     string
	Sold     int64 // units shipped
	Returned int64 // of those, units that came back
	Rate     float64
}

// ReturnRates figures, for the orders shipped in [from, to), how many units of each SKU that came back
// shipped and how many of those came back, and the returned units per reason. Counting returns against
// the orders they came from, not by the day they arrived, keeps a month of heavy sales from looking like a
// month of few returns. SKUs none of whose units came back are left out: on a large shop they are most of
// the catalogue, with a rate of nothing. The list is ranked by rate × units returned (rankReturnRates).
// Anyone signed in may read it: it holds no costs.
func (s *Store) ReturnRates(ctx context.Context, from, to time.Time) ([]ReturnRate, map[ReturnReason]int64, error) {
	if to.IsZero() {
		to = s.now().Add(48 * time.Hour)
	}
	// One row per SKU returned: the units back by reason, its units shipped and its name, so no list of
	// SKUs goes back and forth. Units shipped are one range of order_lines_sku_shipped per SKU, which holds
	// the line's units and its order's shipping time while the order counts as gone (migration 0016): no
	// line's order is looked up, which was most of this figure's time on a large shop.
	// Returns are few beside orders: start from them (CROSS JOIN keeps SQLite from starting at orders) and
	// look each one's order up in orders_id_shipped (migration 0023), which holds its status and shipping
	// time; the unary + keeps SQLite from reading the period's orders by status instead.
	reasons := ReturnReasons()
	sums := make([]string, len(reasons))
	for i, reason := range reasons {
		sums[i] = fmt.Sprintf("SUM(r.units) FILTER (WHERE r.reason = '%s')", reason)
	}
	rates := map[string]*ReturnRate{} // lower-case SKU → its figures
	byReason := map[ReturnReason]int64{}
	err := scanRows(ctx, s.read, `SELECT r.sku, `+strings.Join(sums, ", ")+`,
			(SELECT SUM(l.quantity * MAX(l.pack, 1)) FROM order_lines l WHERE l.sku = r.sku AND l.shipped_at >= ?1 AND l.shipped_at < ?2),
			(SELECT p.name || CASE WHEN v.title <> '' THEN ' ' || v.title ELSE '' END
				FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = r.sku)
		FROM returns r CROSS JOIN orders o INDEXED BY orders_id_shipped ON o.id = r.order_id
		WHERE +o.status IN ('shipped', 'delivered', 'returned') AND o.shipped_at >= ?1 AND o.shipped_at < ?2
		GROUP BY r.sku`, func(r *sql.Rows) error {
		var sku string
		back := make([]sql.NullInt64, len(reasons))
		var sold sql.NullInt64
		var name sql.NullString
		dest := []any{&sku}
		for i := range back {
			dest = append(dest, &back[i])
		}
		if err := r.Scan(append(dest, &sold, &name)...); err != nil {
			return err
		}
		var returned int64
		for i, n := range back {
			if n.Valid {
				byReason[reasons[i]] += n.Int64
				returned += n.Int64
			}
		}
		if sku == "" {
			return nil
		}
		// SKUs differing only in case are one: the first spelling's units shipped and name stand for all
		// (SQLite compares SKUs without case).
		k := strings.ToLower(sku)
		if rates[k] == nil {
			rates[k] = &ReturnRate{SKU: sku, Name: name.String, Sold: sold.Int64}
		}
		rates[k].Returned += returned
		return nil
	}, formatTime(from), formatTime(to))
	if err != nil {
		return nil, nil, fmt.Errorf("read returns: %w", err)
	}
	if len(rates) == 0 {
		return nil, byReason, nil
	}
	out := make([]ReturnRate, 0, len(rates))
	for _, r := range rates {
		if r.Sold > 0 {
			r.Rate = float64(r.Returned) / float64(r.Sold)
		}
		out = append(out, *r)
	}
	rankReturnRates(out)
	return out, byReason, nil
}

// rankReturnRates puts the products that cost the most in returns first: by rate × units returned, so
// one mug back of two sold (50 %, 1 unit) comes after forty back of two hundred (20 %, 40 units), then
// by rate, then by SKU.
func rankReturnRates(rates []ReturnRate) {
	sort.Slice(rates, func(i, j int) bool {
		a, b := rates[i], rates[j]
		if sa, sb := a.Rate*float64(a.Returned), b.Rate*float64(b.Returned); sa != sb {
			return sa > sb
		}
		if a.Rate != b.Rate {
			return a.Rate > b.Rate
		}
		return a.SKU < b.SKU
	})
}
