package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Reason says why stock moved. The set is fixed so reports can group by it.
type Reason string

// The reasons a movement can have.
const (
	ReasonReceipt    Reason = "receipt"    // goods arrived from a supplier
	ReasonSale       Reason = "sale"       // an order shipped
	ReasonReturn     Reason = "return"     // a customer sent goods back
	ReasonAdjustment Reason = "adjustment" // damaged, lost, found, given away
	ReasonCount      Reason = "count"      // the difference a stock count found
	ReasonTransfer   Reason = "transfer"   // moved between locations
)

// Valid reports whether r is one of the reasons.
func (r Reason) Valid() bool {
	switch r {
	case ReasonReceipt, ReasonSale, ReasonReturn, ReasonAdjustment, ReasonCount, ReasonTransfer:
		return true
	}
	return false
}

// Movement is one row of the stock ledger. Movements are never changed or deleted; on-hand stock is the sum
// of their quantities.
type Movement struct {
	ID         string
	SKU        string
	LocationID string
	Location   string // the location's name
	Quantity   int64  // signed: positive adds stock
	Reason     Reason
	RefType    string // order, purchase_order, count, transfer, or empty
	RefID      string
	Note       string
	UserName   string
	DeviceID   string
	At         time.Time
}

// Adjustment is a manual change of stock by the shop.
type Adjustment struct {
	SKU      string
	Delta    int64
	Reason   Reason // adjustment when empty; sale is reserved for shipped orders
	Note     string // why, in the shop's words
	Location string // id or name; empty for the default
}

// AdjustStock records one movement and returns it. A correction of a mistake is another adjustment,
// never an edit of the first.
func (s *Store) AdjustStock(ctx context.Context, a Adjustment) (Movement, error) {
	if err := s.require(PermMoveStock); err != nil {
		return Movement{}, err
	}
	if a.Reason == "" {
		a.Reason = ReasonAdjustment
	}
	if !a.Reason.Valid() || a.Reason == ReasonSale || a.Reason == ReasonTransfer {
		return Movement{}, errorf(ErrInvalid, "reason %q cannot be used for a manual change; use adjustment, count, receipt or return", a.Reason)
	}
	if a.Delta == 0 {
		return Movement{}, errorf(ErrInvalid, "a stock change of 0 changes nothing")
	}
	if strings.TrimSpace(a.Note) == "" {
		return Movement{}, errorf(ErrInvalid, "say why the stock of %s changes", a.SKU)
	}
	var m Movement
	err := s.update(ctx, func(t *tx) error {
		v, err := t.s.variant(ctx, t, a.SKU)
		if err != nil {
			return err
		}
		if len(v.Kit) > 0 {
			return errorf(ErrInvalid, "%s is a kit and holds no stock itself; change the stock of its parts", v.SKU)
		}
		// With no location named, the change lands where the SKU is kept, the same place its sales come
		// from; otherwise a garage item's adjustment would push the shop shelf negative.
		loc, err := t.stockLocation(ctx, v.SKU)
		if a.Location != "" {
			loc, err = t.locationID(ctx, a.Location)
		}
		if err != nil {
			return err
		}
		m = Movement{ID: newID(), SKU: v.SKU, LocationID: loc, Quantity: a.Delta, Reason: a.Reason, Note: strings.TrimSpace(a.Note)}
		_, err = t.insertMovement(ctx, m)
		return err
	})
	if err != nil {
		return Movement{}, err
	}
	return m, nil
}

// Transfer moves stock between two locations as a pair of movements that share a reference.
func (s *Store) Transfer(ctx context.Context, sku string, qty int64, from, to, note string) error {
	if err := s.require(PermMoveStock); err != nil {
		return err
	}
	if qty <= 0 {
		return errorf(ErrInvalid, "transfer at least one unit")
	}
	return s.update(ctx, func(t *tx) error {
		v, err := t.s.variant(ctx, t, sku)
		if err != nil {
			return err
		}
		fromID, err := t.locationID(ctx, from)
		if err != nil {
			return err
		}
		toID, err := t.locationID(ctx, to)
		if err != nil {
			return err
		}
		if fromID == toID {
			return errorf(ErrInvalid, "a transfer needs two different locations")
		}
		ref := newID()
		for _, m := range []Movement{
			{ID: newID(), SKU: v.SKU, LocationID: fromID, Quantity: -qty},
			{ID: newID(), SKU: v.SKU, LocationID: toID, Quantity: qty},
		} {
			m.Reason, m.RefType, m.RefID, m.Note = ReasonTransfer, "transfer", ref, note
			if _, err := t.insertMovement(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertMovement appends m unless a movement with its id exists, and reports whether it was new. Order
// movements have ids derived from the order, so applying an order twice lands here and stops.
func (t *tx) insertMovement(ctx context.Context, m Movement) (bool, error) {
	res, err := t.ExecContext(ctx, `INSERT INTO stock_movements(id, sku, location_id, quantity, reason, ref_type, ref_id, note,
		user_id, device_id, hlc, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
		m.ID, m.SKU, m.LocationID, m.Quantity, m.Reason, m.RefType, m.RefID, m.Note, t.s.user.ID, t.s.device, t.hlc, t.nowText())
	if err != nil {
		return false, fmt.Errorf("record stock movement of %s: %w", m.SKU, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, t.audit(ctx, "create", "stock_movement", m.ID, nil, m)
}

// orderMovementID derives a movement's id from the order line that caused it, so the same sale can
// never be recorded twice, on this device or, after a sync, on another.
func orderMovementID(kind, channel, externalID string, line int, component string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{kind, strings.ToLower(channel), externalID, fmt.Sprint(line), strings.ToLower(component)}, "\x00")))
	return kind + "-" + hex.EncodeToString(h[:16])
}

// Movements returns the ledger of one SKU, newest first.
func (s *Store) Movements(ctx context.Context, sku string, limit, offset int) ([]Movement, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT m.id, m.sku, m.location_id, l.name, m.quantity, m.reason, m.ref_type, m.ref_id, m.note,
		COALESCE(u.name, CASE WHEN m.user_id = '' THEN 'system' ELSE m.user_id END), m.device_id, m.created_at
		FROM stock_movements m JOIN locations l ON l.id = m.location_id LEFT JOIN users u ON u.id = m.user_id
		WHERE m.sku = ? ORDER BY m.created_at DESC, m.rowid DESC LIMIT ? OFFSET ?`, sku, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("read movements of %s: %w", sku, err)
	}
	defer rows.Close()
	var out []Movement
	for rows.Next() {
		var m Movement
		var at string
		if err := rows.Scan(&m.ID, &m.SKU, &m.LocationID, &m.Location, &m.Quantity, &m.Reason, &m.RefType, &m.RefID, &m.Note,
			&m.UserName, &m.DeviceID, &at); err != nil {
			return nil, fmt.Errorf("read movements of %s: %w", sku, err)
		}
		m.At = parseTime(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// StockLevel is the stock of one SKU. Available is what can still be promised to a customer.
type StockLevel struct {
	SKU       string
	Name      string
	Bin       string
	Active    bool
	Kit       bool // figures are derived from the components: how many whole kits they make
	OnHand    int64
	Reserved  int64 // units on open orders that have not shipped
	Available int64 // OnHand − Reserved; negative means oversold
	Price     int64
	Currency  string
}

// StockSort orders a stock list.
type StockSort string

// The orders a stock list can take.
const (
	SortSKU       StockSort = "sku"
	SortName      StockSort = "name"
	SortOnHand    StockSort = "on_hand"
	SortReserved  StockSort = "reserved"
	SortAvailable StockSort = "available"
)

// StockFilter narrows and orders StockLevels.
type StockFilter struct {
	Search          string
	IncludeInactive bool
	Location        string // id; empty for all locations together
	Sort            StockSort
	Descending      bool
	Limit, Offset   int
}

// openStatuses are the order states whose lines hold stock back.
const openStatuses = `('new', 'paid', 'picking', 'packed')`

// reservedExpr is the units of the SKU in column sku that open orders hold back: lines of the SKU itself
// plus lines of kits it is a part of. Both read the partial index of open lines, so the cost follows the
// number of open orders, not the shop's whole history.
const reservedExpr = `(COALESCE((SELECT SUM(l.quantity * l.pack) FROM order_lines l WHERE l.open = 1 AND l.sku = {sku}), 0) +
	COALESCE((SELECT SUM(l.quantity * l.pack * k.quantity) FROM kit_components k JOIN order_lines l ON l.open = 1 AND l.sku = k.kit_sku
		WHERE k.component_sku = {sku}), 0))`

// onHandExpr is the on-hand stock of the SKU in column sku, in the location ?1 or in all when ?1 is ”.
const onHandExpr = `COALESCE((SELECT SUM(m.on_hand) FROM stock_levels m WHERE m.sku = {sku} AND (?1 = '' OR m.location_id = ?1)), 0)`

// onHandAll is the on-hand stock of the SKU in column sku in all locations.
const onHandAll = `COALESCE((SELECT SUM(m.on_hand) FROM stock_levels m WHERE m.sku = {sku}), 0)`

func forSKU(expr, column string) string { return strings.ReplaceAll(expr, "{sku}", column) }

// StockLevels lists stock per SKU, one page at a time.
func (s *Store) StockLevels(ctx context.Context, f StockFilter) ([]StockLevel, error) {
	where, args := variantWhere(f.Search, f.IncludeInactive)
	order := map[StockSort]string{
		SortSKU: "v.sku", SortName: "p.name COLLATE NOCASE, v.title COLLATE NOCASE, v.sku", SortOnHand: "on_hand, v.sku",
		SortReserved: "reserved, v.sku", SortAvailable: "on_hand - reserved, v.sku",
	}[f.Sort]
	if order == "" {
		order = "v.sku"
	}
	if f.Descending {
		order = strings.ReplaceAll(order, ",", " DESC,") + " DESC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q := `SELECT v.sku, p.name, v.title, v.bin, v.active, v.price, v.currency,
			EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku) AS is_kit,
			` + forSKU(onHandExpr, "v.sku") + ` AS on_hand,
			` + forSKU(reservedExpr, "v.sku") + ` AS reserved
		FROM variants v JOIN products p ON p.id = v.product_id
		WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	allArgs := append([]any{f.Location}, args...)
	allArgs = append(allArgs, limit, f.Offset)
	rows, err := s.read.QueryContext(ctx, numberArgs(q, 1), allArgs...)
	if err != nil {
		return nil, fmt.Errorf("list stock: %w", err)
	}
	defer rows.Close()
	var out []StockLevel
	var kits []int
	for rows.Next() {
		var l StockLevel
		var title string
		if err := rows.Scan(&l.SKU, &l.Name, &title, &l.Bin, &l.Active, &l.Price, &l.Currency, &l.Kit, &l.OnHand, &l.Reserved); err != nil {
			return nil, fmt.Errorf("list stock: %w", err)
		}
		if title != "" {
			l.Name += " – " + title
		}
		l.Available = l.OnHand - l.Reserved
		if l.Kit {
			kits = append(kits, len(out))
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list stock: %w", err)
	}
	rows.Close()
	for _, i := range kits {
		if err := s.fillKitLevel(ctx, &out[i], f.Location); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// numberArgs rewrites the plain ? placeholders after the first n numbered ones as ?n+1, ?n+2…, because
// SQLite numbers a bare ? after the largest ?N seen so far, which would collide with a reused ?1.
func numberArgs(q string, n int) string {
	var b strings.Builder
	next := n + 1
	for i := 0; i < len(q); i++ {
		if q[i] == '?' && (i+1 >= len(q) || q[i+1] < '0' || q[i+1] > '9') {
			fmt.Fprintf(&b, "?%d", next)
			next++
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// fillKitLevel sets a kit's figures to the number of whole kits its components make.
func (s *Store) fillKitLevel(ctx context.Context, l *StockLevel, location string) error {
	rows, err := s.read.QueryContext(ctx, `SELECT k.quantity, `+forSKU(onHandExpr, "k.component_sku")+`, `+forSKU(reservedExpr, "k.component_sku")+`
		FROM kit_components k WHERE k.kit_sku = ?2`, location, l.SKU)
	if err != nil {
		return fmt.Errorf("stock of kit %s: %w", l.SKU, err)
	}
	defer rows.Close()
	first := true
	for rows.Next() {
		var per, onHand, reserved int64
		if err := rows.Scan(&per, &onHand, &reserved); err != nil {
			return fmt.Errorf("stock of kit %s: %w", l.SKU, err)
		}
		oh, av := floorDiv(onHand, per), floorDiv(onHand-reserved, per)
		if first || oh < l.OnHand {
			l.OnHand = oh
		}
		if first || av < l.Available {
			l.Available = av
		}
		first = false
	}
	l.Reserved = l.OnHand - l.Available
	return rows.Err()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// StockLevel returns the stock of one SKU.
func (s *Store) StockLevel(ctx context.Context, sku string) (StockLevel, error) {
	v, err := s.Variant(ctx, sku)
	if err != nil {
		return StockLevel{}, err
	}
	ls, err := s.StockLevels(ctx, StockFilter{Search: v.SKU, IncludeInactive: true})
	if err != nil {
		return StockLevel{}, err
	}
	for _, l := range ls {
		if strings.EqualFold(l.SKU, v.SKU) {
			return l, nil
		}
	}
	return StockLevel{}, errorf(ErrNotFound, "there is no SKU %s", sku)
}

// LocationStock is the on-hand quantity of a SKU in one location.
type LocationStock struct {
	LocationID string
	Location   string
	OnHand     int64
}

// StockByLocation splits a SKU's on-hand stock over the locations that have held it.
func (s *Store) StockByLocation(ctx context.Context, sku string) ([]LocationStock, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT l.id, l.name, SUM(m.on_hand) FROM stock_levels m JOIN locations l ON l.id = m.location_id
		WHERE m.sku = ? GROUP BY l.id ORDER BY l.is_default DESC, l.name`, sku)
	if err != nil {
		return nil, fmt.Errorf("stock of %s by location: %w", sku, err)
	}
	defer rows.Close()
	var out []LocationStock
	for rows.Next() {
		var l LocationStock
		if err := rows.Scan(&l.LocationID, &l.Location, &l.OnHand); err != nil {
			return nil, fmt.Errorf("stock of %s by location: %w", sku, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
