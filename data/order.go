package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"time"
)

// Status is where an order stands. It only moves forward: new → paid → picking → packed → shipped →
// delivered, with cancelled (before shipping) and returned (after) as dead ends. A stale import or a
// second device can therefore never drag an order back.
type Status string

// The order statuses, in their forward order.
const (
	StatusNew       Status = "new"
	StatusPaid      Status = "paid"
	StatusPicking   Status = "picking"
	StatusPacked    Status = "packed"
	StatusShipped   Status = "shipped"
	StatusDelivered Status = "delivered"
	StatusCancelled Status = "cancelled"
	StatusReturned  Status = "returned"
)

// Statuses lists every status in display order.
func Statuses() []Status {
	return []Status{StatusNew, StatusPaid, StatusPicking, StatusPacked, StatusShipped, StatusDelivered, StatusCancelled, StatusReturned}
}

func (s Status) rank() int {
	switch s {
	case StatusNew:
		return 0
	case StatusPaid:
		return 1
	case StatusPicking:
		return 2
	case StatusPacked:
		return 3
	case StatusShipped:
		return 4
	case StatusDelivered:
		return 5
	}
	return -1
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s.rank() >= 0 || s == StatusCancelled || s == StatusReturned }

// Open reports whether an order in this status still holds stock back.
func (s Status) Open() bool { return s.rank() >= 0 && s.rank() < StatusShipped.rank() }

// Shipped reports whether goods have left: the sale has moved stock.
func (s Status) Shipped() bool {
	return s.rank() >= StatusShipped.rank() || s == StatusReturned
}

// CanMoveTo reports whether an order may go from s to next.
func (s Status) CanMoveTo(next Status) bool {
	switch {
	case s == next:
		return false
	case s == StatusCancelled || s == StatusReturned:
		return false
	case next == StatusCancelled:
		return s.Open()
	case next == StatusReturned:
		return s.Shipped()
	}
	return next.rank() > s.rank()
}

// OpenStatuses are the statuses of orders still to be shipped.
func OpenStatuses() []Status { return []Status{StatusNew, StatusPaid, StatusPicking, StatusPacked} }

// Next lists the statuses an order in s can move to, nearest first.
func (s Status) Next() []Status {
	var out []Status
	for _, n := range Statuses() {
		if s.CanMoveTo(n) {
			out = append(out, n)
		}
	}
	return out
}

// Address is where an order goes.
type Address struct {
	Name, Line1, Line2, City, Region, Postcode, Country string
}

// String is the address on one line, empty parts left out.
func (a Address) String() string {
	var parts []string
	for _, p := range []string{a.Name, a.Line1, a.Line2, a.City, a.Region, a.Postcode, a.Country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// Order is a customer's order from one channel. Times are UTC when read back, except PlacedAt, which
// keeps the source's offset when the source gave one.
type Order struct {
	ID         int64 // local row id; (Channel, ExternalID) is the identity that survives sync
	Channel    string
	ExternalID string
	Status     Status

	PlacedAt    time.Time
	PaidAt      time.Time
	ShipBy      time.Time
	ShippedAt   time.Time
	DeliveredAt time.Time

	CustomerName  string
	CustomerEmail string
	ShipTo        Address

	// Totals in minor units of Currency.
	Currency                                 string
	Subtotal, Shipping, Tax, Discount, Total int64

	Lines     []OrderLine
	Items     int64 // units over all lines, filled by list queries
	History   []StatusChange
	UpdatedAt time.Time
}

// OrderLine is one line of an order. SKU is ours; it is empty when the channel's SKU or name matched
// nothing yet, and the line waits in the unmatched queue with ChannelSKU and Name kept.
type OrderLine struct {
	LineNo     int
	SKU        string
	ChannelSKU string
	Name       string
	Quantity   int64
	Pack       int64 // our units per channel unit, from the alias; 1 when none
	UnitPrice  int64
}

// StatusChange is one step in an order's history.
type StatusChange struct {
	Status   Status
	At       time.Time
	UserName string
}

// Validate checks an order as a source delivers it.
func (o *Order) Validate() error {
	id := o.Channel + " order " + o.ExternalID
	switch {
	case strings.TrimSpace(o.Channel) == "":
		return errorf(ErrInvalid, "order %s has no channel", o.ExternalID)
	case strings.TrimSpace(o.ExternalID) == "":
		return errorf(ErrInvalid, "a %s order has no order id", o.Channel)
	case !o.Status.Valid():
		return errorf(ErrInvalid, "%s: status %q is not one of new, paid, picking, packed, shipped, delivered, cancelled, returned", id, o.Status)
	case !ValidCurrency(o.Currency):
		return errorf(ErrInvalid, "%s: currency %q is not a three-letter ISO code", id, o.Currency)
	case o.PlacedAt.IsZero():
		return errorf(ErrInvalid, "%s has no order date", id)
	}
	seen := map[int]bool{}
	for i := range o.Lines {
		l := &o.Lines[i]
		if l.LineNo == 0 {
			l.LineNo = i + 1
		}
		if seen[l.LineNo] {
			return errorf(ErrInvalid, "%s has line %d twice", id, l.LineNo)
		}
		seen[l.LineNo] = true
		if l.Quantity <= 0 {
			return errorf(ErrInvalid, "%s line %d: quantity %d must be at least 1", id, l.LineNo, l.Quantity)
		}
		if l.Pack < 0 {
			return errorf(ErrInvalid, "%s line %d: pack size %d must be at least 1", id, l.LineNo, l.Pack)
		}
		if l.SKU == "" && strings.TrimSpace(l.ChannelSKU) == "" && strings.TrimSpace(l.Name) == "" {
			return errorf(ErrInvalid, "%s line %d has neither a SKU nor a name", id, l.LineNo)
		}
	}
	return nil
}

// ApplyResult counts what ApplyOrders did.
type ApplyResult struct {
	New, Updated, Unchanged int
	Held                    int // new orders or changes to figures in a locked period, kept for the owner
	Unmatched               int // lines whose item matched no SKU
}

// ApplyOrders records a batch of orders from a channel in one transaction: all of them or none. An order
// already known by (channel, external id) is updated, its status moving only forward; applying the same
// batch twice changes nothing the second time.
func (s *Store) ApplyOrders(ctx context.Context, orders []Order) (ApplyResult, error) {
	var res ApplyResult
	if err := s.require(PermWorkOrders); err != nil {
		return res, err
	}
	for i := range orders {
		orders[i].Channel = strings.ToLower(strings.TrimSpace(orders[i].Channel))
		orders[i].ExternalID = strings.TrimSpace(orders[i].ExternalID)
		orders[i].Currency = strings.ToUpper(strings.TrimSpace(orders[i].Currency))
		if err := orders[i].Validate(); err != nil {
			return res, err
		}
	}
	err := s.update(ctx, func(t *tx) error {
		for i := range orders {
			outcome, unmatched, err := t.applyOrder(ctx, &orders[i])
			if err != nil {
				return err
			}
			res.Unmatched += unmatched
			switch outcome {
			case "new":
				res.New++
			case "updated":
				res.Updated++
			case "held":
				res.Held++
			default:
				res.Unchanged++
			}
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, err
	}
	return res, nil
}

// resolveLine finds our SKU for a channel's line: an alias of its SKU, then an alias of its name, then
// one of our SKUs written the same way.
func (t *tx) resolveLine(ctx context.Context, channel string, l *OrderLine) error {
	if l.Pack == 0 {
		l.Pack = 1
	}
	if l.SKU != "" {
		sku, err := t.variantSKU(ctx, l.SKU)
		if err != nil {
			return err
		}
		if sku != "" {
			l.SKU = sku
			return nil
		}
		if l.ChannelSKU == "" {
			l.ChannelSKU = l.SKU
		}
		l.SKU = ""
	}
	for _, key := range []string{strings.TrimSpace(l.ChannelSKU), strings.TrimSpace(l.Name)} {
		if key == "" {
			continue
		}
		a, err := t.alias(ctx, channel, key)
		if err != nil {
			return err
		}
		if a.SKU != "" {
			l.SKU, l.Pack = a.SKU, a.Pack
			return nil
		}
	}
	if k := strings.TrimSpace(l.ChannelSKU); k != "" {
		sku, err := t.variantSKU(ctx, k)
		if err != nil {
			return err
		}
		l.SKU = sku
	}
	return nil
}

// variantSKU is the SKU as the shop writes it for a SKU written in any case, or "" when there is none.
// An import asks about the same few hundred SKUs tens of thousands of times, so answers are kept for
// the transaction; addVariant forgets the one it adds.
func (t *tx) variantSKU(ctx context.Context, sku string) (string, error) {
	key := strings.ToLower(sku)
	if t.importing != "" && t.known.skus == nil {
		if err := t.loadSKUs(ctx); err != nil {
			return "", err
		}
	}
	if found, ok := t.known.skus[key]; ok || t.known.allSKUs {
		return found, nil
	}
	var found string
	err := t.QueryRowContext(ctx, `SELECT sku FROM variants WHERE sku = ?`, sku).Scan(&found)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("match SKU %s: %w", sku, err)
	}
	if t.known.skus == nil {
		t.known.skus = map[string]string{}
	}
	t.known.skus[key] = found
	return found, nil
}

// loadSKUs reads every SKU at once for an import, which asks about most of them.
func (t *tx) loadSKUs(ctx context.Context) error {
	rows, err := t.QueryContext(ctx, `SELECT sku FROM variants`)
	if err != nil {
		return fmt.Errorf("list SKUs: %w", err)
	}
	defer rows.Close()
	t.known.skus = map[string]string{}
	for rows.Next() {
		var sku string
		if err := rows.Scan(&sku); err != nil {
			return fmt.Errorf("list SKUs: %w", err)
		}
		t.known.skus[strings.ToLower(sku)] = sku
	}
	t.known.allSKUs = true
	return rows.Err()
}

// alias is the channel's alias for key, or a zero Alias; answers are kept for the transaction, and an
// import reads the channel's aliases at once.
func (t *tx) alias(ctx context.Context, channel, key string) (Alias, error) {
	k := channel + "\x00" + strings.ToLower(key)
	if a, ok := t.known.aliases[k]; ok {
		return a, nil
	}
	if t.known.aliasChannels[channel] {
		return Alias{}, nil // every alias of the channel is loaded: there is none
	}
	if t.importing != "" {
		rows, err := t.QueryContext(ctx, `SELECT channel_key, sku, pack FROM sku_aliases WHERE channel = ?`, channel)
		if err != nil {
			return Alias{}, fmt.Errorf("list %s aliases: %w", channel, err)
		}
		defer rows.Close()
		if t.known.aliases == nil {
			t.known.aliases = map[string]Alias{}
		}
		for rows.Next() {
			var a Alias
			var ck string
			if err := rows.Scan(&ck, &a.SKU, &a.Pack); err != nil {
				return Alias{}, fmt.Errorf("list %s aliases: %w", channel, err)
			}
			t.known.aliases[channel+"\x00"+strings.ToLower(ck)] = a
		}
		if err := rows.Err(); err != nil {
			return Alias{}, fmt.Errorf("list %s aliases: %w", channel, err)
		}
		if t.known.aliasChannels == nil {
			t.known.aliasChannels = map[string]bool{}
		}
		t.known.aliasChannels[channel] = true
		return t.known.aliases[k], nil
	}
	var a Alias
	err := t.QueryRowContext(ctx, `SELECT sku, pack FROM sku_aliases WHERE channel = ? AND channel_key = ?`, channel, key).Scan(&a.SKU, &a.Pack)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Alias{}, fmt.Errorf("match %s item %q: %w", channel, key, err)
	}
	if t.known.aliases == nil {
		t.known.aliases = map[string]Alias{}
	}
	t.known.aliases[k] = a
	return a, nil
}

func (t *tx) applyOrder(ctx context.Context, o *Order) (outcome string, unmatched int, err error) {
	for i := range o.Lines {
		if err := t.resolveLine(ctx, o.Channel, &o.Lines[i]); err != nil {
			return "", 0, err
		}
		if o.Lines[i].SKU == "" {
			unmatched++
		}
	}
	var existing Order
	known, err := t.orderKnown(ctx, o.Channel, o.ExternalID)
	if err != nil {
		return "", 0, err
	}
	err = errorf(ErrNotFound, "there is no such order")
	if known {
		existing, err = t.s.orderByKey(ctx, t, o.Channel, o.ExternalID)
	}
	if errors.Is(err, ErrNotFound) {
		// A new order placed in a locked period waits for the owner (data/accounts_lock.go).
		lock, err := t.lockedAt(ctx, o.PlacedAt)
		if err != nil {
			return "", 0, err
		}
		if lock != 0 {
			return "held", 0, t.holdOrder(ctx, lock, nil, *o, *o)
		}
		if err := t.insertOrder(ctx, o); err != nil {
			return "", 0, err
		}
		return "new", unmatched, t.applySaleMovements(ctx, o)
	}
	if err != nil {
		return "", 0, err
	}
	merged := mergeOrder(existing, *o)
	if ordersEqual(existing, merged) {
		return "unchanged", unmatched, nil
	}
	// A change to the figures of an order in a locked period, or one that would move it into or out of
	// one, waits for the owner; what does not touch the figures goes in now.
	lock, err := t.lockedAt(ctx, merged.PlacedAt)
	if err == nil && lock == 0 {
		lock, err = t.lockedAt(ctx, existing.PlacedAt)
	}
	if err != nil {
		return "", 0, err
	}
	if lock != 0 && accountingChanges(existing, merged) != "" {
		if err := t.holdOrder(ctx, lock, &existing, *o, merged); err != nil {
			return "", 0, err
		}
		if rest := withoutAccounting(existing, merged); !ordersEqual(existing, rest) {
			if err := t.updateOrder(ctx, existing, rest); err != nil {
				return "", 0, err
			}
		}
		return "held", 0, nil
	}
	if err := t.updateOrder(ctx, existing, merged); err != nil {
		return "", 0, err
	}
	return "updated", unmatched, nil
}

// mergeOrder lays a newer copy of an order from its source over the stored one: fields the source gives
// win, the status moves only forward, and lines are kept once goods have shipped because stock has moved
// for them.
func mergeOrder(old, in Order) Order {
	m := in
	m.ID, m.History, m.UpdatedAt = old.ID, old.History, old.UpdatedAt
	if !old.Status.CanMoveTo(in.Status) {
		m.Status = old.Status
	}
	keep := func(dst *time.Time, prev time.Time) {
		if dst.IsZero() {
			*dst = prev
		}
	}
	keep(&m.PaidAt, old.PaidAt)
	keep(&m.ShipBy, old.ShipBy)
	keep(&m.ShippedAt, old.ShippedAt)
	keep(&m.DeliveredAt, old.DeliveredAt)
	// Sources know different parts of an order (Amazon's All Orders report has no buyer name, Etsy's
	// items file no order total), so what a source leaves empty keeps what another one gave.
	keepText := func(dst *string, prev string) {
		if strings.TrimSpace(*dst) == "" {
			*dst = prev
		}
	}
	keepText(&m.CustomerName, old.CustomerName)
	keepText(&m.CustomerEmail, old.CustomerEmail)
	// An address without a street is only part of one (Amazon's All Orders report gives the city).
	if m.ShipTo == (Address{}) || m.ShipTo.Line1 == "" && old.ShipTo.Line1 != "" {
		m.ShipTo = old.ShipTo
	}
	noMoney := in.Subtotal == 0 && in.Shipping == 0 && in.Tax == 0 && in.Discount == 0 && in.Total == 0
	if noMoney {
		// A source without money (Amazon's Unshipped report) keeps the amounts and their currency
		// another source gave.
		m.Subtotal, m.Shipping, m.Tax, m.Discount, m.Total = old.Subtotal, old.Shipping, old.Tax, old.Discount, old.Total
		if old.Currency != "" {
			m.Currency = old.Currency
		}
	}
	if len(in.Lines) == 0 || old.Status.Shipped() && len(old.Lines) > 0 {
		m.Lines = old.Lines
	}
	m.Lines = fillLines(m.Lines, noMoney, old.Lines, in.Lines)
	return m
}

// fillLines completes lines a source gave only in part from the same lines another source gave: same
// place, SKU, quantity and pack, and the same name where both have one. A name fills an empty one
// (Etsy's Sold Orders file names no items); with prices, a price fills a zero one (Amazon's Unshipped
// report has no money). Without it two sources would replace each other's lines on every import.
// Stock is untouched: only names and prices move.
func fillLines(lines []OrderLine, prices bool, sources ...[]OrderLine) []OrderLine {
	var out []OrderLine
	for i, l := range lines {
		for _, src := range sources {
			if i >= len(src) {
				continue
			}
			o := src[i]
			if o.LineNo != l.LineNo || o.SKU != l.SKU || o.ChannelSKU != l.ChannelSKU || o.Quantity != l.Quantity || o.Pack != l.Pack ||
				l.Name != "" && o.Name != "" && l.Name != o.Name {
				continue
			}
			filled := l
			if filled.Name == "" {
				filled.Name = o.Name
			}
			if prices && filled.UnitPrice == 0 {
				filled.UnitPrice = o.UnitPrice
			}
			if filled != l {
				if out == nil {
					out = slices.Clone(lines)
				}
				out[i], l = filled, filled
			}
		}
	}
	if out == nil {
		return lines
	}
	return out
}

func ordersEqual(a, b Order) bool {
	if a.Status != b.Status || !a.PlacedAt.Equal(b.PlacedAt) || !a.PaidAt.Equal(b.PaidAt) || !a.ShipBy.Equal(b.ShipBy) ||
		!a.ShippedAt.Equal(b.ShippedAt) || !a.DeliveredAt.Equal(b.DeliveredAt) || a.CustomerName != b.CustomerName ||
		a.CustomerEmail != b.CustomerEmail || a.ShipTo != b.ShipTo || a.Currency != b.Currency || a.Subtotal != b.Subtotal ||
		a.Shipping != b.Shipping || a.Tax != b.Tax || a.Discount != b.Discount || a.Total != b.Total || len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		if a.Lines[i] != b.Lines[i] {
			return false
		}
	}
	return true
}

func offsetOf(t time.Time) any {
	if t.IsZero() || t.Location() == time.UTC {
		return nil
	}
	_, off := t.Zone()
	return off
}

// orderKnown reports whether the store may have the order. An import loads the channel's order ids
// once, as 64-bit hashes, instead of asking for each of its orders, most of which are new; a hash
// shared by chance only costs the lookup that then finds no order. Other writes just ask.
func (t *tx) orderKnown(ctx context.Context, channel, externalID string) (bool, error) {
	if t.importing == "" {
		return true, nil
	}
	if !t.known.orderChannels[channel] {
		rows, err := t.QueryContext(ctx, `SELECT external_id FROM orders WHERE channel = ?`, channel)
		if err != nil {
			return false, fmt.Errorf("list %s orders: %w", channel, err)
		}
		defer rows.Close()
		if t.known.orders == nil {
			t.known.orders, t.known.orderChannels, t.known.orderSeed = map[uint64]struct{}{}, map[string]bool{}, maphash.MakeSeed()
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return false, fmt.Errorf("list %s orders: %w", channel, err)
			}
			t.known.orders[t.orderHash(channel, id)] = struct{}{}
		}
		if err := rows.Err(); err != nil {
			return false, fmt.Errorf("list %s orders: %w", channel, err)
		}
		t.known.orderChannels[channel] = true
	}
	_, ok := t.known.orders[t.orderHash(channel, externalID)]
	return ok, nil
}

func (t *tx) orderHash(channel, externalID string) uint64 {
	var h maphash.Hash
	h.SetSeed(t.known.orderSeed)
	h.WriteString(channel)
	h.WriteByte(0)
	h.WriteString(externalID)
	return h.Sum64()
}

// importedOrder is what the audit log keeps of an order an import created: the import log has the file,
// and the order itself is in the store, so repeating it whole would double an import's writes.
type importedOrder struct {
	Import   string `json:"import"`
	Status   Status `json:"status"`
	Currency string `json:"currency"`
	Total    int64  `json:"total"`
	Lines    int    `json:"lines"`
}

func (t *tx) insertOrder(ctx context.Context, o *Order) error {
	now := t.nowText()
	o.ID = orderRowID(o.Channel, o.ExternalID)
	_, err := t.ExecContext(ctx, `INSERT INTO orders(id, channel, external_id, status, placed_at, placed_offset, paid_at, ship_by, shipped_at,
		delivered_at, customer_name, customer_email, ship_name, ship_address1, ship_address2, ship_city, ship_region, ship_postcode,
		ship_country, currency, subtotal, shipping, tax, discount, total, created_at, updated_at, hlc, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Channel, o.ExternalID, o.Status, formatTime(o.PlacedAt), offsetOf(o.PlacedAt), nullTime(o.PaidAt), nullTime(o.ShipBy),
		nullTime(o.ShippedAt), nullTime(o.DeliveredAt), o.CustomerName, o.CustomerEmail, o.ShipTo.Name, o.ShipTo.Line1, o.ShipTo.Line2,
		o.ShipTo.City, o.ShipTo.Region, o.ShipTo.Postcode, o.ShipTo.Country, o.Currency, o.Subtotal, o.Shipping, o.Tax, o.Discount,
		o.Total, now, now, t.hlc, t.s.device)
	if err != nil {
		return fmt.Errorf("record %s order %s: %w", o.Channel, o.ExternalID, err)
	}
	t.saleInserted(o.ID)
	if err := t.insertLines(ctx, o); err != nil {
		return err
	}
	if err := t.addFirstStep(ctx, o.ID, o.Status); err != nil {
		return err
	}
	if t.known.orderChannels[o.Channel] {
		t.known.orders[t.orderHash(o.Channel, o.ExternalID)] = struct{}{}
	}
	if t.importing != "" {
		return t.audit(ctx, "create", "order", orderKey(o.Channel, o.ExternalID), nil,
			importedOrder{Import: t.importing, Status: o.Status, Currency: o.Currency, Total: o.Total, Lines: len(o.Lines)})
	}
	return t.audit(ctx, "create", "order", orderKey(o.Channel, o.ExternalID), nil, o)
}

func orderKey(channel, externalID string) string { return channel + ":" + externalID }

// insertLines stores an order's lines, each with the unit cost of its SKU in force when the order was
// placed (?10), in the order's currency (?11), and the order's shipping time while it counts as gone
// (?12, migration 0016), as stored with the order just before; then it sums them on the order.
func (t *tx) insertLines(ctx context.Context, o *Order) error {
	query := `INSERT INTO order_lines(order_id, line_no, sku, channel_sku, name, quantity, pack, unit_price, open, unit_cost, shipped_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ` + lineCostSQL("?3", "?10", "?11") + `, ?12)`
	var gone any
	if o.Status == StatusShipped || o.Status == StatusDelivered || o.Status == StatusReturned {
		gone = nullTime(o.ShippedAt)
	}
	placed := formatTime(o.PlacedAt)
	for _, l := range o.Lines {
		var sku any
		if l.SKU != "" {
			sku = l.SKU
		}
		if _, err := t.ExecContext(ctx, query, o.ID, l.LineNo, sku, l.ChannelSKU, l.Name, l.Quantity, l.Pack, l.UnitPrice,
			o.Status.Open(), placed, o.Currency, gone); err != nil {
			return fmt.Errorf("record line %d of %s order %s: %w", l.LineNo, o.Channel, o.ExternalID, err)
		}
	}
	return t.sumLines(ctx, o.ID)
}

func (t *tx) addHistory(ctx context.Context, orderID int64, st Status) error {
	return t.addStep(ctx, orderID, st, t.nowText())
}

// addStep records that an order entered st at at, and the waits that changes (status_waits). Every step
// of the status history goes through here, or through addFirstStep.
func (t *tx) addStep(ctx context.Context, orderID int64, st Status, at string) error {
	if err := t.insertStep(ctx, orderID, st, at); err != nil {
		return err
	}
	return t.keepWaits(ctx, orderID, st, at)
}

// addFirstStep records the status of an order just stored, which has no steps yet.
func (t *tx) addFirstStep(ctx context.Context, orderID int64, st Status) error {
	if err := t.insertStep(ctx, orderID, st, t.nowText()); err != nil {
		return err
	}
	return t.keepFirstWait(ctx, orderID, st, t.nowText())
}

func (t *tx) insertStep(ctx context.Context, orderID int64, st Status, at string) error {
	if _, err := t.ExecContext(ctx, `INSERT INTO order_status_history(order_id, status, at, user_id, device_id, hlc) VALUES (?, ?, ?, ?, ?, ?)`,
		orderID, st, at, t.s.user.ID, t.s.device, t.hlc); err != nil {
		return fmt.Errorf("record status of order %d: %w", orderID, err)
	}
	return nil
}

func (t *tx) updateOrder(ctx context.Context, old, o Order) error {
	if err := t.countSales(ctx); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE orders SET status = ?, placed_at = ?, placed_offset = ?, paid_at = ?, ship_by = ?, shipped_at = ?,
		delivered_at = ?, customer_name = ?, customer_email = ?, ship_name = ?, ship_address1 = ?, ship_address2 = ?, ship_city = ?,
		ship_region = ?, ship_postcode = ?, ship_country = ?, currency = ?, subtotal = ?, shipping = ?, tax = ?, discount = ?, total = ?,
		updated_at = ?, hlc = ?, device_id = ? WHERE id = ?`,
		o.Status, formatTime(o.PlacedAt), offsetOf(o.PlacedAt), nullTime(o.PaidAt), nullTime(o.ShipBy), nullTime(o.ShippedAt),
		nullTime(o.DeliveredAt), o.CustomerName, o.CustomerEmail, o.ShipTo.Name, o.ShipTo.Line1, o.ShipTo.Line2, o.ShipTo.City,
		o.ShipTo.Region, o.ShipTo.Postcode, o.ShipTo.Country, o.Currency, o.Subtotal, o.Shipping, o.Tax, o.Discount, o.Total,
		t.nowText(), t.hlc, t.s.device, old.ID); err != nil {
		return fmt.Errorf("update %s order %s: %w", o.Channel, o.ExternalID, err)
	}
	if !linesEqual(old.Lines, o.Lines) {
		if _, err := t.ExecContext(ctx, `DELETE FROM order_lines WHERE order_id = ?`, old.ID); err != nil {
			return fmt.Errorf("replace lines of %s order %s: %w", o.Channel, o.ExternalID, err)
		}
		if err := t.insertLines(ctx, &o); err != nil {
			return err
		}
	} else if !o.PlacedAt.Equal(old.PlacedAt) || o.Currency != old.Currency {
		// The lines keep the cost in force when the order was placed, in its currency: a source that
		// corrects either changes what that was.
		if _, err := t.ExecContext(ctx, `UPDATE order_lines SET unit_cost = `+lineCostSQL("order_lines.sku", "?1", "?2")+` WHERE order_id = ?3`,
			formatTime(o.PlacedAt), o.Currency, old.ID); err != nil {
			return fmt.Errorf("cost lines of %s order %s: %w", o.Channel, o.ExternalID, err)
		}
		if err := t.sumLines(ctx, old.ID); err != nil {
			return err
		}
	}
	if o.Status != old.Status {
		if err := t.addHistory(ctx, old.ID, o.Status); err != nil {
			return err
		}
		if o.Status.Open() != old.Status.Open() {
			if _, err := t.ExecContext(ctx, `UPDATE order_lines SET open = ? WHERE order_id = ?`, o.Status.Open(), old.ID); err != nil {
				return fmt.Errorf("release stock held by %s order %s: %w", o.Channel, o.ExternalID, err)
			}
		}
	}
	if err := t.audit(ctx, "update", "order", orderKey(o.Channel, o.ExternalID), old, o); err != nil {
		return err
	}
	return t.applySaleMovements(ctx, &o)
}

func linesEqual(a, b []OrderLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// applySaleMovements deducts a shipped order's goods from stock. Movement ids come from (channel, order,
// line, component), so calling it again for the same order adds nothing. Lines still unmatched move no
// stock until they are mapped.
func (t *tx) applySaleMovements(ctx context.Context, o *Order) error {
	if !o.Status.Shipped() {
		return nil
	}
	for _, l := range o.Lines {
		if l.SKU == "" {
			continue
		}
		parts, err := t.kitParts(ctx, l.SKU)
		if err != nil {
			return err
		}
		isKit := len(parts) > 0
		if !isKit {
			parts = []KitComponent{{SKU: l.SKU, Quantity: 1}}
		}
		for _, p := range parts {
			loc, err := t.stockLocation(ctx, p.SKU)
			if err != nil {
				return err
			}
			component := ""
			if isKit {
				component = p.SKU
			}
			m := Movement{
				ID:  orderMovementID("sale", o.Channel, o.ExternalID, l.LineNo, component),
				SKU: p.SKU, LocationID: loc, Quantity: -l.Quantity * l.Pack * p.Quantity, Reason: ReasonSale,
				RefType: "order", RefID: orderKey(o.Channel, o.ExternalID),
			}
			if _, err := t.insertMovement(ctx, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// stockLocation is where a SKU's sales are taken from: its own location, else the default.
func (t *tx) stockLocation(ctx context.Context, sku string) (string, error) {
	if loc, ok := t.known.stockAt[sku]; ok {
		return loc, nil
	}
	var loc sql.NullString
	if err := t.QueryRowContext(ctx, `SELECT location_id FROM variants WHERE sku = ?`, sku).Scan(&loc); err != nil {
		return "", fmt.Errorf("find location of %s: %w", sku, err)
	}
	id := loc.String
	if !loc.Valid || id == "" {
		var err error
		if id, err = t.defaultLocation(ctx); err != nil {
			return "", err
		}
	}
	if t.known.stockAt == nil {
		t.known.stockAt = map[string]string{}
	}
	t.known.stockAt[sku] = id
	return id, nil
}

// kitParts lists what selling one of sku moves; none when it is not a kit. Kept for the write.
func (t *tx) kitParts(ctx context.Context, sku string) ([]KitComponent, error) {
	if parts, ok := t.known.kits[sku]; ok {
		return parts, nil
	}
	rows, err := t.QueryContext(ctx, `SELECT component_sku, quantity FROM kit_components WHERE kit_sku = ?`, sku)
	if err != nil {
		return nil, fmt.Errorf("expand kit %s: %w", sku, err)
	}
	defer rows.Close()
	var parts []KitComponent
	for rows.Next() {
		var p KitComponent
		if err := rows.Scan(&p.SKU, &p.Quantity); err != nil {
			return nil, fmt.Errorf("expand kit %s: %w", sku, err)
		}
		parts = append(parts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expand kit %s: %w", sku, err)
	}
	if t.known.kits == nil {
		t.known.kits = map[string][]KitComponent{}
	}
	t.known.kits[sku] = parts
	return parts, nil
}

// SetOrderStatus moves an order forward. Shipping it turns its reserved stock into sale movements, once.
func (s *Store) SetOrderStatus(ctx context.Context, id int64, next Status) (Order, error) {
	if err := s.require(PermWorkOrders); err != nil {
		return Order{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		_, err := t.moveOrder(ctx, id, next, time.Time{})
		return err
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, id)
}

// moveOrder moves an order forward inside a write; at, when set, is when it happened (a ship date the
// packer gives), else the write's time.
func (t *tx) moveOrder(ctx context.Context, id int64, next Status, at time.Time) (Order, error) {
	old, err := t.s.order(ctx, t, `o.id = ?`, id)
	if err != nil {
		return Order{}, err
	}
	if !old.Status.CanMoveTo(next) {
		return Order{}, errorf(ErrConflict, "%s order %s is %s and cannot become %s", old.Channel, old.ExternalID, old.Status, next)
	}
	if at.IsZero() {
		at = t.now
	}
	o := old
	o.Status = next
	set := func(dst *time.Time) {
		if dst.IsZero() {
			*dst = at
		}
	}
	switch next {
	case StatusPaid:
		set(&o.PaidAt)
	case StatusShipped:
		set(&o.ShippedAt)
	case StatusDelivered:
		set(&o.ShippedAt)
		set(&o.DeliveredAt)
	}
	return o, t.updateOrder(ctx, old, o)
}

const orderColumns = `o.id, o.channel, o.external_id, o.status, o.placed_at, o.placed_offset, o.paid_at, o.ship_by, o.shipped_at,
	o.delivered_at, o.customer_name, o.customer_email, o.ship_name, o.ship_address1, o.ship_address2, o.ship_city, o.ship_region,
	o.ship_postcode, o.ship_country, o.currency, o.subtotal, o.shipping, o.tax, o.discount, o.total, o.updated_at`

func scanOrder(row scanner, extra ...any) (Order, error) {
	var o Order
	var placed, updated string
	var offset sql.NullInt64
	var paid, shipBy, shipped, delivered sql.NullString
	dest := []any{&o.ID, &o.Channel, &o.ExternalID, &o.Status, &placed, &offset, &paid, &shipBy, &shipped, &delivered,
		&o.CustomerName, &o.CustomerEmail, &o.ShipTo.Name, &o.ShipTo.Line1, &o.ShipTo.Line2, &o.ShipTo.City, &o.ShipTo.Region,
		&o.ShipTo.Postcode, &o.ShipTo.Country, &o.Currency, &o.Subtotal, &o.Shipping, &o.Tax, &o.Discount, &o.Total, &updated}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return Order{}, err
	}
	o.PlacedAt = parseTime(placed)
	if offset.Valid {
		o.PlacedAt = o.PlacedAt.In(time.FixedZone("", int(offset.Int64)))
	}
	o.PaidAt, o.ShipBy, o.ShippedAt, o.DeliveredAt = parseNullTime(paid), parseNullTime(shipBy), parseNullTime(shipped), parseNullTime(delivered)
	o.UpdatedAt = parseTime(updated)
	return o, nil
}

// Order returns one order with its lines and history.
func (s *Store) Order(ctx context.Context, id int64) (Order, error) {
	return s.order(ctx, s.read, `o.id = ?`, id)
}

// OrderByKey finds an order by its channel and the channel's order id.
func (s *Store) OrderByKey(ctx context.Context, channel, externalID string) (Order, error) {
	return s.orderByKey(ctx, s.read, channel, externalID)
}

func (s *Store) orderByKey(ctx context.Context, q querier, channel, externalID string) (Order, error) {
	return s.order(ctx, q, `o.channel = ? AND o.external_id = ?`, strings.ToLower(strings.TrimSpace(channel)), strings.TrimSpace(externalID))
}

func (s *Store) order(ctx context.Context, q querier, where string, args ...any) (Order, error) {
	o, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders o WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, errorf(ErrNotFound, "there is no such order")
	}
	if err != nil {
		return Order{}, fmt.Errorf("read order: %w", err)
	}
	lines, err := s.orderLines(ctx, q, []int64{o.ID})
	if err != nil {
		return Order{}, err
	}
	o.Lines = lines[o.ID]
	for _, l := range o.Lines {
		o.Items += l.Quantity
	}
	rows, err := q.QueryContext(ctx, `SELECT h.status, h.at, COALESCE(u.name, CASE WHEN h.user_id = '' THEN 'system' ELSE h.user_id END)
		FROM order_status_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.order_id = ? ORDER BY h.at, h.rowid`, o.ID)
	if err != nil {
		return Order{}, fmt.Errorf("read history of order %s: %w", o.ExternalID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var h StatusChange
		var at string
		if err := rows.Scan(&h.Status, &at, &h.UserName); err != nil {
			return Order{}, fmt.Errorf("read history of order %s: %w", o.ExternalID, err)
		}
		h.At = parseTime(at)
		o.History = append(o.History, h)
	}
	return o, rows.Err()
}

// OrderLines loads the lines of many orders at once, keyed by order id.
func (s *Store) OrderLines(ctx context.Context, ids []int64) (map[int64][]OrderLine, error) {
	return s.orderLines(ctx, s.read, ids)
}

func (s *Store) orderLines(ctx context.Context, q querier, ids []int64) (map[int64][]OrderLine, error) {
	out := make(map[int64][]OrderLine, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT order_id, line_no, COALESCE(sku, ''), channel_sku, name, quantity, pack, unit_price
			FROM order_lines WHERE order_id IN (?`+strings.Repeat(",?", len(chunk)-1)+`) ORDER BY order_id, line_no`, args...)
		if err != nil {
			return nil, fmt.Errorf("read order lines: %w", err)
		}
		for rows.Next() {
			var id int64
			var l OrderLine
			if err := rows.Scan(&id, &l.LineNo, &l.SKU, &l.ChannelSKU, &l.Name, &l.Quantity, &l.Pack, &l.UnitPrice); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read order lines: %w", err)
			}
			out[id] = append(out[id], l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read order lines: %w", err)
		}
	}
	return out, nil
}

// OrderFilter narrows an order list. Zero fields do not filter.
type OrderFilter struct {
	Statuses []Status
	Channel  string
	From, To time.Time // placed at or after From, before To
	Search   string    // order id, customer name or email, or SKU
	// ShipByBefore keeps orders whose ship-by date is before it: with open statuses, the late ones.
	ShipByBefore time.Time
	Limit        int
	Offset       int
}

func (f OrderFilter) where() (string, []any) {
	conds := []string{"1"}
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, "o.status IN (?"+strings.Repeat(",?", len(f.Statuses)-1)+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if f.Channel != "" {
		conds = append(conds, "o.channel = ?")
		args = append(args, strings.ToLower(f.Channel))
	}
	if !f.From.IsZero() {
		conds = append(conds, "o.placed_at >= ?")
		args = append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "o.placed_at < ?")
		args = append(args, formatTime(f.To))
	}
	if !f.ShipByBefore.IsZero() {
		conds = append(conds, "o.ship_by IS NOT NULL AND o.ship_by < ?")
		args = append(args, formatTime(f.ShipByBefore))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		// Each branch can use an index of its own; OR-ing them in one WHERE would scan every order row.
		id := strings.TrimPrefix(q, "#")
		like := "%" + escapeLike(q) + "%"
		conds = append(conds, `o.id IN (
			SELECT id FROM orders WHERE external_id IN (?, ?, ?)
			UNION SELECT id FROM orders INDEXED BY orders_search
				WHERE customer_name LIKE ? ESCAPE '\' OR customer_email LIKE ? ESCAPE '\' OR external_id LIKE ? ESCAPE '\'
			UNION SELECT order_id FROM order_lines WHERE sku >= ? AND sku < ?
			UNION SELECT order_id FROM order_lines WHERE channel_sku = ?)`)
		args = append(args, q, id, "#"+id, like, like, like, q, q+"\U0010FFFF", q)
	}
	return strings.Join(conds, " AND "), args
}

// Orders lists orders, newest first, without their lines; Items holds the units on each.
func (s *Store) Orders(ctx context.Context, f OrderFilter) ([]Order, error) {
	where, args := f.where()
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+orderColumns+`,
		(SELECT COALESCE(SUM(quantity), 0) FROM order_lines l WHERE l.order_id = o.id)
		FROM orders o WHERE `+where+` ORDER BY o.placed_at DESC, o.id DESC LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var items int64
		o, err := scanOrder(rows, &items)
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		o.Items = items
		out = append(out, o)
	}
	return out, rows.Err()
}

// CountOrders counts the orders a filter matches, for paging.
func (s *Store) CountOrders(ctx context.Context, f OrderFilter) (int, error) {
	where, args := f.where()
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM orders o WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count orders: %w", err)
	}
	return n, nil
}

// Channels lists the channels that have orders, for filters.
func (s *Store) Channels(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT channel FROM orders ORDER BY channel`)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("list channels: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
