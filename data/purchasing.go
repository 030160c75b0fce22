package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// POStatus is where a purchase order stands: draft → sent → partly received → received, or cancelled.
type POStatus string

// The states a purchase order can be in.
const (
	POStatusDraft          POStatus = "draft"           // being written; the supplier has not seen it
	POStatusSent           POStatus = "sent"            // ordered; nothing has arrived yet
	POStatusPartlyReceived POStatus = "partly_received" // some of it has arrived
	POStatusReceived       POStatus = "received"        // all of it arrived, or it was closed short
	POStatusCancelled      POStatus = "cancelled"       // withdrawn before anything arrived
)

// POStatuses lists the states in the order a purchase order moves through them.
func POStatuses() []POStatus {
	return []POStatus{POStatusDraft, POStatusSent, POStatusPartlyReceived, POStatusReceived, POStatusCancelled}
}

// Valid reports whether s is one of the states.
func (s POStatus) Valid() bool {
	switch s {
	case POStatusDraft, POStatusSent, POStatusPartlyReceived, POStatusReceived, POStatusCancelled:
		return true
	}
	return false
}

// Open reports whether goods are still on their way: the order was sent and has not all arrived.
func (s POStatus) Open() bool { return s == POStatusSent || s == POStatusPartlyReceived }

// Label is the state as people read it.
func (s POStatus) Label() string {
	switch s {
	case POStatusDraft:
		return "Draft"
	case POStatusSent:
		return "Sent"
	case POStatusPartlyReceived:
		return "Partly received"
	case POStatusReceived:
		return "Received"
	case POStatusCancelled:
		return "Cancelled"
	}
	return string(s)
}

// The origins of a purchase order: what wrote it.
const (
	POOriginManual      = ""            // written by hand
	POOriginReorder     = "reorder"     // from the reorder suggestions
	POOriginContingency = "contingency" // by a contingency plan's action
)

// PurchaseOrder is an order the shop places with a supplier. Quantities are in our units; costs are per
// our unit in minor units of Currency (the supplier's when the order was written).
type PurchaseOrder struct {
	ID           int64
	Number       string // "PO-00042", what the supplier quotes back
	SupplierID   string
	SupplierName string
	Status       POStatus
	Currency     string
	LocationID   string // where the goods are received
	Location     string // its name
	Origin       string // POOriginManual, POOriginReorder or POOriginContingency
	Notes        string
	CreatedAt    time.Time
	SentAt       *time.Time
	ExpectedAt   *time.Time // the promised delivery day
	ReceivedAt   *time.Time // when the last of it arrived, or when it was closed short
	CancelledAt  *time.Time
	Lines        []POLine
	// Total is Σ quantity × unit cost. For users who may not see costs it is 0, as is every line's
	// UnitCost, and CostsHidden is set so screens do not show those zeros as prices.
	Total       int64
	CostsHidden bool
	// CostNotUpdated is filled by ReceivePO only: the SKUs received whose cost was left as it was, each
	// with the reason ("MUG: its cost is kept in EUR, the order is in GBP").
	CostNotUpdated []string
}

// Late reports whether an open order is past its expected day (UTC) at now.
func (p PurchaseOrder) Late(now time.Time) bool {
	return p.Status.Open() && p.ExpectedAt != nil && !now.Before(endOfDayUTC(*p.ExpectedAt))
}

// POLine is one SKU on a purchase order. Received counts what has arrived; it can exceed Quantity when
// the supplier sent more.
type POLine struct {
	LineNo      int
	SKU         string
	Name        string
	SupplierSKU string
	Quantity    int64
	UnitCost    int64
	Received    int64
}

// Outstanding is what is still to come of the line.
func (l POLine) Outstanding() int64 { return max(0, l.Quantity-l.Received) }

// NewPO is what CreatePO and UpdatePO need.
type NewPO struct {
	SupplierID string // on UpdatePO, "" keeps the order's supplier
	LocationID string // id or name; "" = the default location
	Notes      string
	ExpectedAt *time.Time
	Lines      []NewPOLine
}

// NewPOLine is one line of a NewPO. A SKU the supplier is not known to sell may be ordered (a shop
// sometimes tries a new item); its cost is then the one given, or 0.
type NewPOLine struct {
	SKU      string
	Quantity int64  // our units
	UnitCost *int64 // per our unit; nil = the supplier item's cost
}

// POReceipt is one line's share of a delivery. ReceivePO reads LineNo and Quantity; POReceipts fills the
// rest.
type POReceipt struct {
	LineNo   int
	Quantity int64
	ID       int64
	SKU      string
	At       time.Time
	UserName string
}

// POFilter narrows PurchaseOrders. The zero value lists every order, newest first.
type POFilter struct {
	SupplierID    string
	Statuses      []POStatus // any of these; empty for all
	SKU           string     // orders with a line of this SKU
	Limit, Offset int
}

// CreatePO writes a draft purchase order. Lines name SKUs; a line's cost is the supplier's price for it
// unless one is given.
func (s *Store) CreatePO(ctx context.Context, p NewPO) (PurchaseOrder, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return PurchaseOrder{}, err
	}
	var po PurchaseOrder
	err := s.update(ctx, func(t *tx) error {
		var err error
		po, err = t.insertPO(ctx, p, POOriginManual)
		return err
	})
	return po, err
}

// insertPO writes a draft purchase order inside a write, for CreatePO and for the planners that draft
// orders from suggestions and contingency plans. It checks nothing about the acting user: callers do.
func (t *tx) insertPO(ctx context.Context, p NewPO, origin string) (PurchaseOrder, error) {
	if origin != POOriginManual && origin != POOriginReorder && origin != POOriginContingency {
		return PurchaseOrder{}, fmt.Errorf("insert purchase order: unknown origin %q", origin)
	}
	sp, err := t.s.supplier(ctx, t, p.SupplierID)
	if err != nil {
		return PurchaseOrder{}, err
	}
	loc, err := t.locationID(ctx, p.LocationID)
	if err != nil {
		return PurchaseOrder{}, err
	}
	lines, err := t.poLinesFor(ctx, sp, p.Lines)
	if err != nil {
		return PurchaseOrder{}, err
	}
	var last int64
	if err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(CAST(substr(number, 4) AS INTEGER)), 0) FROM purchase_orders
		WHERE number LIKE 'PO-%'`).Scan(&last); err != nil {
		return PurchaseOrder{}, fmt.Errorf("number purchase order: %w", err)
	}
	number := fmt.Sprintf("PO-%05d", last+1)
	res, err := t.ExecContext(ctx, `INSERT INTO purchase_orders(number, supplier_id, status, currency, location_id, origin, notes,
		created_at, expected_at, user_id, hlc, device_id) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		number, sp.ID, sp.Currency, loc, origin, strings.TrimSpace(p.Notes), t.nowText(), nullTimePtr(p.ExpectedAt),
		t.s.user.ID, t.hlc, t.s.device)
	if err != nil {
		return PurchaseOrder{}, fmt.Errorf("insert purchase order: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return PurchaseOrder{}, fmt.Errorf("insert purchase order: %w", err)
	}
	if err := t.writePOLines(ctx, id, lines); err != nil {
		return PurchaseOrder{}, err
	}
	po, err := t.s.readPO(ctx, t, id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	if err := t.audit(ctx, "create", "purchase_order", poRef(id), nil, po); err != nil {
		return PurchaseOrder{}, err
	}
	return t.s.visiblePO(po), nil
}

// poLinesFor checks a new order's lines against the catalogue and fills in the supplier's codes and
// costs. Errors name the line, as people count them from 1.
func (t *tx) poLinesFor(ctx context.Context, sp Supplier, in []NewPOLine) ([]POLine, error) {
	if len(in) == 0 {
		return nil, errorf(ErrInvalid, "a purchase order needs at least one line")
	}
	var out []POLine
	seen := map[string]int{}
	for i, l := range in {
		n := i + 1
		sku := strings.TrimSpace(l.SKU)
		if sku == "" {
			return nil, errorf(ErrInvalid, "line %d: which SKU?", n)
		}
		v, err := t.s.variant(ctx, t, sku)
		if errors.Is(err, ErrNotFound) {
			return nil, errorf(ErrNotFound, "line %d: there is no SKU %s", n, sku)
		}
		if err != nil {
			return nil, err
		}
		if len(v.Kit) > 0 {
			return nil, errorf(ErrInvalid, "line %d: %s is a kit; order its parts instead", n, v.SKU)
		}
		if first, ok := seen[strings.ToLower(v.SKU)]; ok {
			return nil, errorf(ErrInvalid, "line %d: %s is already on line %d", n, v.SKU, first)
		}
		seen[strings.ToLower(v.SKU)] = n
		if l.Quantity <= 0 {
			return nil, errorf(ErrInvalid, "line %d: the quantity of %s must be at least 1", n, v.SKU)
		}
		line := POLine{LineNo: n, SKU: v.SKU, Name: v.Name(), Quantity: l.Quantity}
		var cost int64
		err = t.QueryRowContext(ctx, `SELECT supplier_sku, unit_cost FROM supplier_items WHERE supplier_id = ? AND sku = ?`,
			sp.ID, v.SKU).Scan(&line.SupplierSKU, &cost)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("line %d: find %s's price of %s: %w", n, sp.Name, v.SKU, err)
		}
		if l.UnitCost != nil {
			if *l.UnitCost < 0 {
				return nil, errorf(ErrInvalid, "line %d: the unit cost of %s cannot be negative", n, v.SKU)
			}
			cost = *l.UnitCost
		}
		line.UnitCost = cost
		out = append(out, line)
	}
	return out, nil
}

func (t *tx) writePOLines(ctx context.Context, id int64, lines []POLine) error {
	for _, l := range lines {
		if _, err := t.ExecContext(ctx, `INSERT INTO purchase_order_lines(po_id, line_no, sku, supplier_sku, quantity, unit_cost)
			VALUES (?, ?, ?, ?, ?, ?)`, id, l.LineNo, l.SKU, l.SupplierSKU, l.Quantity, l.UnitCost); err != nil {
			return fmt.Errorf("write line %d of purchase order %d: %w", l.LineNo, id, err)
		}
	}
	return nil
}

// UpdatePO rewrites a draft: its lines, notes, expected day, location and, when given, its supplier
// (the currency follows the supplier). Orders that were sent are the supplier's copy too and stay as sent.
func (s *Store) UpdatePO(ctx context.Context, id int64, p NewPO) (PurchaseOrder, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return PurchaseOrder{}, err
	}
	var po PurchaseOrder
	err := s.update(ctx, func(t *tx) error {
		before, err := t.s.readPO(ctx, t, id)
		if err != nil {
			return err
		}
		if before.Status != POStatusDraft {
			return errorf(ErrConflict, "%s is %s: only a draft can be changed", before.Number, strings.ToLower(before.Status.Label()))
		}
		if p.SupplierID == "" {
			p.SupplierID = before.SupplierID
		}
		sp, err := t.s.supplier(ctx, t, p.SupplierID)
		if err != nil {
			return err
		}
		loc, err := t.locationID(ctx, p.LocationID)
		if err != nil {
			return err
		}
		lines, err := t.poLinesFor(ctx, sp, p.Lines)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE purchase_orders SET supplier_id = ?, currency = ?, location_id = ?, notes = ?, expected_at = ?,
			hlc = ?, device_id = ? WHERE id = ?`, sp.ID, sp.Currency, loc, strings.TrimSpace(p.Notes), nullTimePtr(p.ExpectedAt),
			t.hlc, t.s.device, id); err != nil {
			return fmt.Errorf("update %s: %w", before.Number, err)
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM purchase_order_lines WHERE po_id = ?`, id); err != nil {
			return fmt.Errorf("update %s: %w", before.Number, err)
		}
		if err := t.writePOLines(ctx, id, lines); err != nil {
			return err
		}
		after, err := t.s.readPO(ctx, t, id)
		if err != nil {
			return err
		}
		po = t.s.visiblePO(after)
		return t.audit(ctx, "update", "purchase_order", poRef(id), before, after)
	})
	return po, err
}

// SendPO records that a draft went to the supplier now. expected is the promised delivery day; nil
// means the supplier's promised lead time from now. A supplier marked unavailable is not sent orders:
// mark it available first, or order from a backup.
func (s *Store) SendPO(ctx context.Context, id int64, expected *time.Time) (PurchaseOrder, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return PurchaseOrder{}, err
	}
	var po PurchaseOrder
	err := s.update(ctx, func(t *tx) error {
		var err error
		po, err = t.sendPO(ctx, id, expected)
		return err
	})
	return po, err
}

// sendPO is SendPO inside a write, at the write's time (which the demo backdates).
func (t *tx) sendPO(ctx context.Context, id int64, expected *time.Time) (PurchaseOrder, error) {
	before, err := t.s.readPO(ctx, t, id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	if before.Status != POStatusDraft {
		return PurchaseOrder{}, errorf(ErrConflict, "%s was already sent", before.Number)
	}
	sp, err := t.s.supplier(ctx, t, before.SupplierID)
	if err != nil {
		return PurchaseOrder{}, err
	}
	if !sp.Available() {
		return PurchaseOrder{}, errorf(ErrConflict, "%s is marked unavailable: mark it available again before sending %s", sp.Name, before.Number)
	}
	exp := t.now.Add(time.Duration(sp.LeadTimeDays) * 24 * time.Hour)
	if expected != nil {
		exp = expected.UTC()
		if exp.Before(startOfDayUTC(t.now)) {
			return PurchaseOrder{}, errorf(ErrInvalid, "%s cannot be expected before the day it is sent", before.Number)
		}
	}
	if _, err := t.ExecContext(ctx, `UPDATE purchase_orders SET status = 'sent', sent_at = ?, expected_at = ?, hlc = ?, device_id = ?
		WHERE id = ?`, t.nowText(), formatTime(exp), t.hlc, t.s.device, id); err != nil {
		return PurchaseOrder{}, fmt.Errorf("send %s: %w", before.Number, err)
	}
	return t.finishPOChange(ctx, "send", before)
}

// finishPOChange reads an order back after a change, audits the change and returns what the user may see.
func (t *tx) finishPOChange(ctx context.Context, action string, before PurchaseOrder) (PurchaseOrder, error) {
	after, err := t.s.readPO(ctx, t, before.ID)
	if err != nil {
		return PurchaseOrder{}, err
	}
	// A status change leaves the lines as they were: the log keeps only the order's own fields.
	b, a := before, after
	b.Lines, a.Lines = nil, nil
	if err := t.audit(ctx, action, "purchase_order", poRef(before.ID), b, a); err != nil {
		return PurchaseOrder{}, err
	}
	return t.s.visiblePO(after), nil
}

// CancelPO withdraws a draft or a sent order before anything arrived. Once goods came, the rest is
// given up with ClosePO instead, so the receipts stay on a received order.
func (s *Store) CancelPO(ctx context.Context, id int64, reason string) (PurchaseOrder, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return PurchaseOrder{}, err
	}
	var po PurchaseOrder
	err := s.update(ctx, func(t *tx) error {
		var err error
		po, err = t.cancelPO(ctx, id, reason)
		return err
	})
	return po, err
}

// cancelPO is CancelPO inside a write, at the write's time.
func (t *tx) cancelPO(ctx context.Context, id int64, reason string) (PurchaseOrder, error) {
	before, err := t.s.readPO(ctx, t, id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	switch before.Status {
	case POStatusDraft, POStatusSent:
	case POStatusPartlyReceived:
		return PurchaseOrder{}, errorf(ErrConflict, "part of %s has arrived: close it short instead of cancelling it", before.Number)
	default:
		return PurchaseOrder{}, errorf(ErrConflict, "%s is %s and cannot be cancelled", before.Number, strings.ToLower(before.Status.Label()))
	}
	if _, err := t.ExecContext(ctx, `UPDATE purchase_orders SET status = 'cancelled', cancelled_at = ?, notes = ?, hlc = ?, device_id = ?
		WHERE id = ?`, t.nowText(), appendNote(before.Notes, "Cancelled", reason), t.hlc, t.s.device, id); err != nil {
		return PurchaseOrder{}, fmt.Errorf("cancel %s: %w", before.Number, err)
	}
	return t.finishPOChange(ctx, "cancel", before)
}

// ClosePO gives up the rest of a partly received order: it becomes received as it is, dated now. Its
// lead time is not learned from, since it was never delivered in full.
func (s *Store) ClosePO(ctx context.Context, id int64, reason string) (PurchaseOrder, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return PurchaseOrder{}, err
	}
	var po PurchaseOrder
	err := s.update(ctx, func(t *tx) error {
		var err error
		po, err = t.closePO(ctx, id, reason)
		return err
	})
	return po, err
}

// closePO is ClosePO inside a write, at the write's time.
func (t *tx) closePO(ctx context.Context, id int64, reason string) (PurchaseOrder, error) {
	before, err := t.s.readPO(ctx, t, id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	switch before.Status {
	case POStatusPartlyReceived:
	case POStatusDraft, POStatusSent:
		return PurchaseOrder{}, errorf(ErrConflict, "nothing of %s has arrived: cancel it instead of closing it", before.Number)
	default:
		return PurchaseOrder{}, errorf(ErrConflict, "%s is %s already", before.Number, strings.ToLower(before.Status.Label()))
	}
	if _, err := t.ExecContext(ctx, `UPDATE purchase_orders SET status = 'received', received_at = ?, notes = ?, hlc = ?, device_id = ?
		WHERE id = ?`, t.nowText(), appendNote(before.Notes, "Closed short", reason), t.hlc, t.s.device, id); err != nil {
		return PurchaseOrder{}, fmt.Errorf("close %s: %w", before.Number, err)
	}
	return t.finishPOChange(ctx, "close", before)
}

// appendNote adds "Cancelled: reason" to an order's notes, so whoever opens it later sees why.
func appendNote(notes, what, reason string) string {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return notes
	}
	line := what + ": " + reason
	if notes == "" {
		return line
	}
	return notes + "\n" + line
}

// ReceivePO records a delivery against a sent order: each line's quantity arrives at the order's
// location as a receipt movement in the ledger, the lines' received counts grow (more than ordered is
// accepted and counted), and the order becomes partly received, or received when every line is complete.
//
// Each received SKU's cost becomes the moving average of the stock on hand and the delivery:
// (max(on hand, 0) × cost + quantity × order cost) / (max(on hand, 0) + quantity), rounded half up, and
// enters the cost history, so later sales are costed at it. The cost is left alone, and the result's
// CostNotUpdated says why, when the SKU's cost is kept in another currency than the order's (Backroom
// keeps no exchange rates) or when the order line has no cost (0: a SKU the supplier was not known to sell).
func (s *Store) ReceivePO(ctx context.Context, id int64, lines []POReceipt, note string) (PurchaseOrder, error) {
	if err := s.require(PermMoveStock); err != nil {
		return PurchaseOrder{}, err
	}
	var po PurchaseOrder
	err := s.update(ctx, func(t *tx) error {
		var err error
		po, err = t.receivePO(ctx, id, lines, note)
		return err
	})
	return po, err
}

// receivePO is ReceivePO inside a write, at the write's time (which the demo backdates).
func (t *tx) receivePO(ctx context.Context, id int64, receipts []POReceipt, note string) (PurchaseOrder, error) {
	before, err := t.s.readPO(ctx, t, id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	switch before.Status {
	case POStatusSent, POStatusPartlyReceived:
	case POStatusDraft:
		return PurchaseOrder{}, errorf(ErrConflict, "%s is a draft: mark it sent before receiving goods against it", before.Number)
	default:
		return PurchaseOrder{}, errorf(ErrConflict, "%s is %s: nothing more can be received against it", before.Number, strings.ToLower(before.Status.Label()))
	}
	byLine := map[int]int{} // line number → index in before.Lines
	for i, l := range before.Lines {
		byLine[l.LineNo] = i
	}
	qty := map[int]int64{}
	var something bool
	for _, r := range receipts {
		i, ok := byLine[r.LineNo]
		if !ok {
			return PurchaseOrder{}, errorf(ErrNotFound, "%s has no line %d", before.Number, r.LineNo)
		}
		if r.Quantity < 0 {
			return PurchaseOrder{}, errorf(ErrInvalid, "line %d: a delivery of %d %s cannot be negative; adjust the stock instead",
				r.LineNo, r.Quantity, before.Lines[i].SKU)
		}
		if _, dup := qty[r.LineNo]; dup {
			return PurchaseOrder{}, errorf(ErrInvalid, "line %d is listed twice in one delivery", r.LineNo)
		}
		qty[r.LineNo] = r.Quantity
		something = something || r.Quantity > 0
	}
	if !something {
		return PurchaseOrder{}, errorf(ErrInvalid, "say how many of each line of %s arrived", before.Number)
	}
	note = strings.TrimSpace(note)
	if note == "" {
		note = "Delivery of " + before.Number + " from " + before.SupplierName
	}
	var notUpdated []string
	complete := true
	for _, l := range before.Lines {
		q := qty[l.LineNo]
		if q > 0 {
			msg, err := t.receiveLine(ctx, before, l, q, note)
			if err != nil {
				return PurchaseOrder{}, err
			}
			if msg != "" {
				notUpdated = append(notUpdated, msg)
			}
		}
		if l.Received+q < l.Quantity {
			complete = false
		}
	}
	status, receivedAt := POStatusPartlyReceived, any(nil)
	if complete {
		status, receivedAt = POStatusReceived, t.nowText()
	}
	if _, err := t.ExecContext(ctx, `UPDATE purchase_orders SET status = ?, received_at = ?, hlc = ?, device_id = ? WHERE id = ?`,
		status, receivedAt, t.hlc, t.s.device, id); err != nil {
		return PurchaseOrder{}, fmt.Errorf("receive %s: %w", before.Number, err)
	}
	after, err := t.s.readPO(ctx, t, id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	var got []POReceipt
	for _, r := range receipts {
		if r.Quantity > 0 {
			got = append(got, POReceipt{LineNo: r.LineNo, Quantity: r.Quantity, SKU: before.Lines[byLine[r.LineNo]].SKU})
		}
	}
	if err := t.audit(ctx, "receive", "purchase_order", poRef(id), map[string]any{"Status": before.Status},
		map[string]any{"Status": after.Status, "Delivery": got, "Note": note, "CostNotUpdated": notUpdated}); err != nil {
		return PurchaseOrder{}, err
	}
	po := t.s.visiblePO(after)
	po.CostNotUpdated = notUpdated
	return po, nil
}

// receiveLine books q units of one line: the receipt row, the ledger movement, the line's count and the
// SKU's cost. It returns why the cost was not updated, or "".
func (t *tx) receiveLine(ctx context.Context, po PurchaseOrder, l POLine, q int64, note string) (string, error) {
	// On hand is read before the movement: the average weighs the stock that was there at the old cost.
	var onHand, cost int64
	var currency string
	if err := t.QueryRowContext(ctx, `SELECT COALESCE((SELECT SUM(on_hand) FROM stock_levels WHERE sku = v.sku), 0), v.cost, v.currency
		FROM variants v WHERE v.sku = ?`, l.SKU).Scan(&onHand, &cost, &currency); err != nil {
		return "", fmt.Errorf("receive %s of %s: %w", l.SKU, po.Number, err)
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO po_receipts(po_id, line_no, sku, quantity, received_at, user_id, hlc, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, po.ID, l.LineNo, l.SKU, q, t.nowText(), t.s.user.ID, t.hlc, t.s.device); err != nil {
		return "", fmt.Errorf("receive %s of %s: %w", l.SKU, po.Number, err)
	}
	m := Movement{ID: newID(), SKU: l.SKU, LocationID: po.LocationID, Quantity: q, Reason: ReasonReceipt,
		RefType: "purchase_order", RefID: poRef(po.ID), Note: note}
	if _, err := t.insertMovement(ctx, m); err != nil {
		return "", err
	}
	if _, err := t.ExecContext(ctx, `UPDATE purchase_order_lines SET received = received + ? WHERE po_id = ? AND line_no = ?`,
		q, po.ID, l.LineNo); err != nil {
		return "", fmt.Errorf("receive %s of %s: %w", l.SKU, po.Number, err)
	}
	switch {
	case !strings.EqualFold(currency, po.Currency):
		return fmt.Sprintf("%s: its cost is kept in %s, the order is in %s", l.SKU, currency, po.Currency), nil
	case l.UnitCost == 0:
		return fmt.Sprintf("%s: the order gives no unit cost", l.SKU), nil
	}
	next := movingAverage(onHand, cost, q, l.UnitCost)
	if next == cost {
		return "", nil
	}
	if _, err := t.ExecContext(ctx, `UPDATE variants SET cost = ?, updated_at = ?, hlc = ?, device_id = ? WHERE sku = ?`,
		next, t.nowText(), t.hlc, t.s.device, l.SKU); err != nil {
		return "", fmt.Errorf("update cost of %s: %w", l.SKU, err)
	}
	if err := t.recordCost(ctx, l.SKU); err != nil {
		return "", err
	}
	return "", t.audit(ctx, "update", "variant", l.SKU, map[string]int64{"Cost": cost}, map[string]any{"Cost": next, "PO": po.Number})
}

// movingAverage is the unit cost of stock after q units at unit arrive on top of onHand units at cost,
// rounded half up. Stock below zero (sold before it was booked in) carries no cost of its own, so it
// counts as none.
func movingAverage(onHand, cost, q, unit int64) int64 {
	onHand = max(onHand, 0)
	den := onHand + q
	if den <= 0 {
		return cost
	}
	return (onHand*cost + q*unit + den/2) / den
}

// poRef is how movements and the audit log refer to an order: its id as text.
func poRef(id int64) string { return strconv.FormatInt(id, 10) }

func nullTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func startOfDayUTC(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func endOfDayUTC(t time.Time) time.Time { return startOfDayUTC(t).AddDate(0, 0, 1) }

const poColumns = `po.id, po.number, po.supplier_id, sp.name, po.status, po.currency, po.location_id, l.name, po.origin, po.notes,
	po.created_at, po.sent_at, po.expected_at, po.received_at, po.cancelled_at`

const poFrom = ` FROM purchase_orders po JOIN suppliers sp ON sp.id = po.supplier_id JOIN locations l ON l.id = po.location_id `

func scanPO(row scanner) (PurchaseOrder, error) {
	var po PurchaseOrder
	var created string
	var sent, expected, received, cancelled sql.NullString
	if err := row.Scan(&po.ID, &po.Number, &po.SupplierID, &po.SupplierName, &po.Status, &po.Currency, &po.LocationID, &po.Location,
		&po.Origin, &po.Notes, &created, &sent, &expected, &received, &cancelled); err != nil {
		return PurchaseOrder{}, err
	}
	po.CreatedAt = parseTime(created)
	po.SentAt, po.ExpectedAt, po.ReceivedAt, po.CancelledAt = timePtr(sent), timePtr(expected), timePtr(received), timePtr(cancelled)
	return po, nil
}

func timePtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

// readPO reads one order with its lines and true costs; what leaves the store goes through visiblePO.
func (s *Store) readPO(ctx context.Context, q querier, id int64) (PurchaseOrder, error) {
	po, err := scanPO(q.QueryRowContext(ctx, `SELECT `+poColumns+poFrom+`WHERE po.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return PurchaseOrder{}, errorf(ErrNotFound, "there is no purchase order %d", id)
	}
	if err != nil {
		return PurchaseOrder{}, fmt.Errorf("read purchase order %d: %w", id, err)
	}
	pos := []PurchaseOrder{po}
	if err := fillPOLines(ctx, q, pos); err != nil {
		return PurchaseOrder{}, err
	}
	return pos[0], nil
}

// fillPOLines reads the lines of the given orders in one query and totals them.
func fillPOLines(ctx context.Context, q querier, pos []PurchaseOrder) error {
	if len(pos) == 0 {
		return nil
	}
	at := map[int64]int{}
	ids := make([]string, len(pos))
	for i, po := range pos {
		at[po.ID] = i
		ids[i] = poRef(po.ID)
	}
	// The ids are integers we read ourselves, so they can be written into the query.
	err := scanRows(ctx, q, `SELECT ln.po_id, ln.line_no, ln.sku, COALESCE(p.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END, ''),
		ln.supplier_sku, ln.quantity, ln.unit_cost, ln.received
		FROM purchase_order_lines ln LEFT JOIN variants v ON v.sku = ln.sku LEFT JOIN products p ON p.id = v.product_id
		WHERE ln.po_id IN (`+strings.Join(ids, ",")+`) ORDER BY ln.po_id, ln.line_no`, func(r *sql.Rows) error {
		var id int64
		var l POLine
		if err := r.Scan(&id, &l.LineNo, &l.SKU, &l.Name, &l.SupplierSKU, &l.Quantity, &l.UnitCost, &l.Received); err != nil {
			return err
		}
		po := &pos[at[id]]
		po.Lines = append(po.Lines, l)
		po.Total += l.Quantity * l.UnitCost
		return nil
	})
	if err != nil {
		return fmt.Errorf("read purchase order lines: %w", err)
	}
	return nil
}

// visiblePO hides costs from users who may not see them.
func (s *Store) visiblePO(po PurchaseOrder) PurchaseOrder {
	if s.Can(PermViewCosts) {
		return po
	}
	po.Total, po.CostsHidden = 0, true
	lines := make([]POLine, len(po.Lines))
	for i, l := range po.Lines {
		l.UnitCost = 0
		lines[i] = l
	}
	po.Lines = lines
	return po
}

// PurchaseOrder finds one order with its lines.
func (s *Store) PurchaseOrder(ctx context.Context, id int64) (PurchaseOrder, error) {
	po, err := s.readPO(ctx, s.read, id)
	if err != nil {
		return PurchaseOrder{}, err
	}
	return s.visiblePO(po), nil
}

// PurchaseOrders lists orders newest first, with their lines.
func (s *Store) PurchaseOrders(ctx context.Context, f POFilter) ([]PurchaseOrder, error) {
	where := []string{"1 = 1"}
	var args []any
	if f.SupplierID != "" {
		where = append(where, "po.supplier_id = ?")
		args = append(args, f.SupplierID)
	}
	if len(f.Statuses) > 0 {
		marks := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			marks[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "po.status IN ("+strings.Join(marks, ", ")+")")
	}
	if f.SKU != "" {
		where = append(where, "EXISTS (SELECT 1 FROM purchase_order_lines ln WHERE ln.po_id = po.id AND ln.sku = ?)")
		args = append(args, strings.TrimSpace(f.SKU))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit, f.Offset)
	return s.listPOs(ctx, `SELECT `+poColumns+poFrom+`WHERE `+strings.Join(where, " AND ")+
		` ORDER BY po.created_at DESC, po.id DESC LIMIT ? OFFSET ?`, args...)
}

func (s *Store) listPOs(ctx context.Context, query string, args ...any) ([]PurchaseOrder, error) {
	pos, err := queryList(ctx, s.read, scanPO, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list purchase orders: %w", err)
	}
	if err := fillPOLines(ctx, s.read, pos); err != nil {
		return nil, err
	}
	for i := range pos {
		pos[i] = s.visiblePO(pos[i])
	}
	return pos, nil
}

// OverduePOs lists the open orders whose expected day (UTC) ended before now, the most overdue first.
func (s *Store) OverduePOs(ctx context.Context, now time.Time) ([]PurchaseOrder, error) {
	return s.listPOs(ctx, `SELECT `+poColumns+poFrom+`WHERE po.status IN ('sent', 'partly_received')
		AND po.expected_at IS NOT NULL AND po.expected_at < ? ORDER BY po.expected_at, po.id`, formatTime(startOfDayUTC(now)))
}

// CountOverduePOs is how many open orders OverduePOs would list: what the dashboard shows, without
// reading their lines (a supplier's order may have thousands).
func (s *Store) CountOverduePOs(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM purchase_orders po WHERE po.status IN ('sent', 'partly_received')
		AND po.expected_at IS NOT NULL AND po.expected_at < ?`, formatTime(startOfDayUTC(now))).Scan(&n); err != nil {
		return 0, fmt.Errorf("count overdue purchase orders: %w", err)
	}
	return n, nil
}

// POReceipts lists the deliveries booked against an order, oldest first, a row per line per delivery.
func (s *Store) POReceipts(ctx context.Context, id int64) ([]POReceipt, error) {
	if _, err := s.readPO(ctx, s.read, id); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, func(r scanner) (POReceipt, error) {
		var rc POReceipt
		var at string
		err := r.Scan(&rc.ID, &rc.LineNo, &rc.SKU, &rc.Quantity, &at, &rc.UserName)
		rc.At = parseTime(at)
		return rc, err
	}, `SELECT r.id, r.line_no, r.sku, r.quantity, r.received_at, COALESCE(u.name, CASE WHEN r.user_id = '' THEN 'system' ELSE r.user_id END)
		FROM po_receipts r LEFT JOIN users u ON u.id = r.user_id WHERE r.po_id = ? ORDER BY r.received_at, r.id`, id)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of purchase order %d: %w", id, err)
	}
	return out, nil
}

// SupplierPerformance is how a supplier keeps its promises, learned from its purchase orders.
//
// A PO is measured once it is received in full: its lead time runs from when it was sent to the delivery
// that completed it. Orders still open are not measured (they count in OpenPOs and, past their expected
// day, LatePOs), nor are orders closed short, which were never delivered in full.
//
// On time means the completing delivery came by the end of the expected day, in UTC: a PO expected on
// the 10th and completed at 23:59 on the 10th is on time; one completed on the 11th is 1 day late. Days
// late count whole UTC calendar days after the expected day; an early delivery is 0 days late.
type SupplierPerformance struct {
	SupplierID, Name string
	PromisedDays     int
	Received         int     // POs measured
	LearnedDays      float64 // mean lead time of the measured POs; PromisedDays when none
	LeadStdDev       float64 // sample standard deviation of their lead times; 0 under two
	OnTimeRate       float64 // 0..1; -1 when nothing was measured
	AverageDelayDays float64 // mean days late of the measured POs
	OpenPOs, LatePOs int     // sent and not complete; of those, past their expected day
	ClosedShort      int     // POs closed with goods missing
	Recent           []POLeadTime
	// Trend compares the lead times of the newer half of Recent with the older half: "worse" when
	// longer by more than a day and 10%, "better" when shorter by as much, "steady" otherwise, and ""
	// with fewer than 4 measured.
	Trend     string
	Available bool
}

// POLeadTime is one measured purchase order: how long it took and how late it was.
type POLeadTime struct {
	PO                             int64
	Number                         string
	SentAt, ExpectedAt, ReceivedAt time.Time
	Days, LateDays                 float64
}

// OnTime reports whether the order arrived by the end of its expected day.
func (l POLeadTime) OnTime() bool { return l.LateDays == 0 }

// recentLeadTimes is how many measured orders SupplierPerformance.Recent shows.
const recentLeadTimes = 10

// SupplierLeadTimes lists one supplier's measured orders (see SupplierPerformance), oldest first.
func (s *Store) SupplierLeadTimes(ctx context.Context, supplierID string) ([]POLeadTime, error) {
	all, err := s.leadTimes(ctx, s.read, supplierID)
	if err != nil {
		return nil, err
	}
	return all[supplierID], nil
}

// leadTimes reads the measured orders of one supplier, or of all when supplierID is "", by supplier,
// oldest first. A PO sent without an expected day is held to the supplier's promised lead time.
func (s *Store) leadTimes(ctx context.Context, q querier, supplierID string) (map[string][]POLeadTime, error) {
	out := map[string][]POLeadTime{}
	err := scanRows(ctx, q, `SELECT po.supplier_id, po.id, po.number, po.sent_at, po.expected_at, po.received_at, sp.lead_time_days
		FROM purchase_orders po JOIN suppliers sp ON sp.id = po.supplier_id
		WHERE po.status = 'received' AND po.sent_at IS NOT NULL AND po.received_at IS NOT NULL AND (?1 = '' OR po.supplier_id = ?1)
		AND NOT EXISTS (SELECT 1 FROM purchase_order_lines ln WHERE ln.po_id = po.id AND ln.received < ln.quantity)
		ORDER BY po.supplier_id, po.received_at, po.id`, func(r *sql.Rows) error {
		var sid, sent, received string
		var expected sql.NullString
		var promised int
		var l POLeadTime
		if err := r.Scan(&sid, &l.PO, &l.Number, &sent, &expected, &received, &promised); err != nil {
			return err
		}
		l.SentAt, l.ReceivedAt = parseTime(sent), parseTime(received)
		l.ExpectedAt = l.SentAt.AddDate(0, 0, promised)
		if expected.Valid {
			l.ExpectedAt = parseTime(expected.String)
		}
		l.Days = l.ReceivedAt.Sub(l.SentAt).Hours() / 24
		l.LateDays = max(0, startOfDayUTC(l.ReceivedAt).Sub(startOfDayUTC(l.ExpectedAt)).Hours()/24)
		out[sid] = append(out[sid], l)
		return nil
	}, supplierID)
	if err != nil {
		return nil, fmt.Errorf("read lead times: %w", err)
	}
	return out, nil
}

// SupplierPerformance measures every supplier, by name, with open and late orders counted at now.
func (s *Store) SupplierPerformance(ctx context.Context, now time.Time) ([]SupplierPerformance, error) {
	sps, err := s.Suppliers(ctx)
	if err != nil {
		return nil, err
	}
	measured, err := s.leadTimes(ctx, s.read, "")
	if err != nil {
		return nil, err
	}
	type counts struct{ open, late, short int }
	open := map[string]counts{}
	err = scanRows(ctx, s.read, `SELECT po.supplier_id,
		SUM(po.status IN ('sent', 'partly_received')),
		SUM(po.status IN ('sent', 'partly_received') AND COALESCE(po.expected_at < ?, 0)),
		SUM(po.status = 'received' AND EXISTS (SELECT 1 FROM purchase_order_lines ln WHERE ln.po_id = po.id AND ln.received < ln.quantity))
		FROM purchase_orders po GROUP BY po.supplier_id`, func(r *sql.Rows) error {
		var id string
		var c counts
		if err := r.Scan(&id, &c.open, &c.late, &c.short); err != nil {
			return err
		}
		open[id] = c
		return nil
	}, formatTime(startOfDayUTC(now)))
	if err != nil {
		return nil, fmt.Errorf("count open purchase orders: %w", err)
	}
	out := make([]SupplierPerformance, 0, len(sps))
	for _, sp := range sps {
		p := performanceOf(sp, measured[sp.ID])
		c := open[sp.ID]
		p.OpenPOs, p.LatePOs, p.ClosedShort = c.open, c.late, c.short
		out = append(out, p)
	}
	return out, nil
}

// performanceOf works out a supplier's figures from its measured orders, oldest first.
func performanceOf(sp Supplier, ls []POLeadTime) SupplierPerformance {
	p := SupplierPerformance{SupplierID: sp.ID, Name: sp.Name, PromisedDays: sp.LeadTimeDays, Received: len(ls),
		LearnedDays: float64(sp.LeadTimeDays), OnTimeRate: -1, Available: sp.Available()}
	if len(ls) == 0 {
		return p
	}
	var sum, late float64
	onTime := 0
	for _, l := range ls {
		sum += l.Days
		late += l.LateDays
		if l.OnTime() {
			onTime++
		}
	}
	n := float64(len(ls))
	p.LearnedDays = sum / n
	p.AverageDelayDays = late / n
	p.OnTimeRate = float64(onTime) / n
	if len(ls) > 1 {
		var sq float64
		for _, l := range ls {
			sq += (l.Days - p.LearnedDays) * (l.Days - p.LearnedDays)
		}
		p.LeadStdDev = math.Sqrt(sq / (n - 1))
	}
	p.Recent = ls[max(0, len(ls)-recentLeadTimes):]
	p.Trend = leadTrend(p.Recent)
	return p
}

// leadTrend compares the newer half of recent lead times with the older half (the middle one of an odd
// number sits out).
func leadTrend(recent []POLeadTime) string {
	if len(recent) < 4 {
		return ""
	}
	half := len(recent) / 2
	mean := func(ls []POLeadTime) float64 {
		var sum float64
		for _, l := range ls {
			sum += l.Days
		}
		return sum / float64(len(ls))
	}
	older, newer := mean(recent[:half]), mean(recent[len(recent)-half:])
	margin := max(1, older/10)
	switch {
	case newer > older+margin:
		return "worse"
	case newer < older-margin:
		return "better"
	}
	return "steady"
}
