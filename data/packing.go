package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SettingOverrideNeedsOwner, when "1", makes every pack-station override need an owner's PIN besides
// its reason: for shops where the packer works alone and the owner wants a second pair of eyes.
const SettingOverrideNeedsOwner Setting = "pack_override_needs_owner"

// ScanOutcome is what one entry of the pack-station log was.
type ScanOutcome string

// The outcomes of the pack station.
const (
	ScanOrder        ScanOutcome = "order"         // the order was opened for packing
	ScanOK           ScanOutcome = "ok"            // a unit the order needs
	ScanWrongItem    ScanOutcome = "wrong-item"    // a SKU the order does not have
	ScanOverQuantity ScanOutcome = "over-quantity" // one unit more than the order needs
	ScanUnknownCode  ScanOutcome = "unknown-code"  // a code that is no barcode or SKU of the shop
	ScanManual       ScanOutcome = "manual"        // units confirmed by hand: items without a barcode
	ScanOverride     ScanOutcome = "override"      // units confirmed although a check failed, with a reason
	ScanReset        ScanOutcome = "reset"         // the packer started the order again
	ScanPacked       ScanOutcome = "packed"        // the order was marked packed
)

// Bad reports whether the scan was refused: what the accuracy figure counts against the packer.
func (o ScanOutcome) Bad() bool {
	return o == ScanWrongItem || o == ScanOverQuantity || o == ScanUnknownCode
}

// counts reports whether the entry counts units toward a line.
func (o ScanOutcome) counts() bool { return o == ScanOK || o == ScanManual || o == ScanOverride }

// PackLine is one thing to put in the box: an order line, or one component of a kit line.
type PackLine struct {
	LineNo   int
	SKU      string // ours; "" when the line matched none of the shop's SKUs
	Kit      string // the kit SKU this is a component of; "" for a plain line
	Name     string
	Bin      string
	Barcodes []string
	Want     int64 // units to pack
	Packed   int64 // units counted so far
}

// Done reports whether every unit of the line is in the box.
func (l PackLine) Done() bool { return l.Packed >= l.Want }

// label names the line for the packer: its SKU, or its name when it matched none.
func (l PackLine) label() string {
	if l.SKU != "" {
		return l.SKU
	}
	return strconv.Quote(l.Name)
}

// PackScan is one entry of the pack-station log.
type PackScan struct {
	ID         int64
	At         time.Time
	UserName   string
	Code       string
	SKU        string
	LineNo     int
	Quantity   int64
	Outcome    ScanOutcome
	Reason     string
	ApprovedBy string
}

// PackState is an order at the pack station: what it needs and what is in the box.
type PackState struct {
	Order Order
	Lines []PackLine
	Scans []PackScan // since the packing last began, oldest first
}

// Complete reports whether every line is packed.
func (p PackState) Complete() bool {
	for _, l := range p.Lines {
		if !l.Done() {
			return false
		}
	}
	return len(p.Lines) > 0
}

// Units is how many units are packed of how many.
func (p PackState) Units() (packed, want int64) {
	for _, l := range p.Lines {
		packed += min(l.Packed, l.Want)
		want += l.Want
	}
	return packed, want
}

// missing says which lines are not yet complete, for a refusal the packer can act on.
func (p PackState) missing() string {
	var parts []string
	for _, l := range p.Lines {
		if !l.Done() {
			parts = append(parts, fmt.Sprintf("%s has %d of %d", l.label(), l.Packed, l.Want))
		}
	}
	return strings.Join(parts, ", ")
}

// ScanResult is what a scan did, with a sentence for the packer and the order as it now stands.
type ScanResult struct {
	Outcome ScanOutcome
	SKU     string
	Message string
	State   PackState
}

// packable are the statuses an order can be packed in.
func packable(s Status) bool {
	return s == StatusNew || s == StatusPaid || s == StatusPicking || s == StatusPacked
}

// FindOrderToPack finds the open order a scanned or typed order number names. Order numbers are
// matched with or without a leading "#", as packing slips and channels print them differently. A
// number two channels share must be chosen by channel.
func (s *Store) FindOrderToPack(ctx context.Context, code, channel string) (Order, error) {
	if err := s.require(PermWorkOrders); err != nil {
		return Order{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return Order{}, errorf(ErrInvalid, "scan or type an order number")
	}
	bare := strings.TrimPrefix(code, "#")
	rows, err := s.read.QueryContext(ctx, `SELECT id, channel, status FROM orders
		WHERE external_id IN (?, ?) AND (? = '' OR channel = ?) ORDER BY id`, bare, "#"+bare, channel, channel)
	if err != nil {
		return Order{}, fmt.Errorf("find order %s: %w", code, err)
	}
	type found struct {
		id      int64
		channel string
		status  Status
	}
	var all []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.id, &f.channel, &f.status); err != nil {
			rows.Close()
			return Order{}, fmt.Errorf("find order %s: %w", code, err)
		}
		all = append(all, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Order{}, fmt.Errorf("find order %s: %w", code, err)
	}
	var open []found
	var channels []string
	for _, f := range all {
		if packable(f.status) {
			open = append(open, f)
			channels = append(channels, f.channel)
		}
	}
	switch {
	case len(open) == 1:
		return s.Order(ctx, open[0].id)
	case len(open) > 1:
		return Order{}, errorf(ErrConflict, "order %s exists on %s: choose the channel", bare, strings.Join(channels, " and "))
	case len(all) > 0:
		o, err := s.Order(ctx, all[0].id)
		if err != nil {
			return Order{}, err
		}
		return Order{}, errorf(ErrConflict, "%s order %s is %s: there is nothing to pack", o.Channel, o.ExternalID, o.Status)
	}
	return Order{}, errorf(ErrNotFound, "there is no order %s", code)
}

// PackState returns the order as it stands at the pack station.
func (s *Store) PackState(ctx context.Context, orderID int64) (PackState, error) {
	if err := s.require(PermWorkOrders); err != nil {
		return PackState{}, err
	}
	var st PackState
	err := s.update(ctx, func(t *tx) error {
		var err error
		st, err = t.packState(ctx, orderID)
		return err
	})
	return st, err
}

// packState reads an order's lines, kits expanded, and counts what the log since the last reset put
// in the box. It runs inside the write that scans, so two scans never count from the same state.
func (t *tx) packState(ctx context.Context, orderID int64) (PackState, error) {
	o, err := t.s.order(ctx, t, `o.id = ?`, orderID)
	if err != nil {
		return PackState{}, err
	}
	lines, err := t.s.orderLines(ctx, t, []int64{orderID})
	if err != nil {
		return PackState{}, err
	}
	o.Lines = lines[orderID]
	st := PackState{Order: o}
	for _, l := range o.Lines {
		units := l.Quantity * max(l.Pack, 1)
		if l.SKU == "" {
			st.Lines = append(st.Lines, PackLine{LineNo: l.LineNo, Name: l.Name, Want: units})
			continue
		}
		parts, err := t.kitParts(ctx, l.SKU)
		if err != nil {
			return PackState{}, err
		}
		if len(parts) == 0 {
			st.Lines = append(st.Lines, PackLine{LineNo: l.LineNo, SKU: l.SKU, Name: l.Name, Want: units})
			continue
		}
		for _, p := range parts {
			st.Lines = append(st.Lines, PackLine{LineNo: l.LineNo, SKU: p.SKU, Kit: l.SKU, Want: units * p.Quantity})
		}
	}
	for i := range st.Lines {
		l := &st.Lines[i]
		if l.SKU == "" {
			continue
		}
		var name, title string
		err := t.QueryRowContext(ctx, `SELECT p.name, v.title, v.bin FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ?`,
			l.SKU).Scan(&name, &title, &l.Bin)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return PackState{}, fmt.Errorf("read SKU %s: %w", l.SKU, err)
		}
		if l.Name == "" || l.Kit != "" {
			l.Name = strings.TrimSpace(name + " " + title)
		}
		rows, err := t.QueryContext(ctx, `SELECT code FROM barcodes WHERE sku = ? ORDER BY rowid`, l.SKU)
		if err != nil {
			return PackState{}, fmt.Errorf("read barcodes of %s: %w", l.SKU, err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return PackState{}, err
			}
			l.Barcodes = append(l.Barcodes, c)
		}
		rows.Close()
	}
	rows, err := t.QueryContext(ctx, `SELECT id, at, user_name, code, sku, line_no, quantity, outcome, reason, approved_by
		FROM pack_scans WHERE order_id = ? AND id >= COALESCE((SELECT max(id) FROM pack_scans WHERE order_id = ? AND outcome = 'reset'), 0)
		ORDER BY id`, orderID, orderID)
	if err != nil {
		return PackState{}, fmt.Errorf("read pack log of %s order %s: %w", o.Channel, o.ExternalID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sc PackScan
		var at string
		if err := rows.Scan(&sc.ID, &at, &sc.UserName, &sc.Code, &sc.SKU, &sc.LineNo, &sc.Quantity, &sc.Outcome, &sc.Reason, &sc.ApprovedBy); err != nil {
			return PackState{}, fmt.Errorf("read pack log: %w", err)
		}
		sc.At = parseTime(at)
		st.Scans = append(st.Scans, sc)
		if !sc.Outcome.counts() {
			continue
		}
		for i := range st.Lines {
			l := &st.Lines[i]
			if l.LineNo == sc.LineNo && strings.EqualFold(l.SKU, sc.SKU) {
				l.Packed += sc.Quantity
				break
			}
		}
	}
	return st, rows.Err()
}

// logScan appends one entry to the pack-station log.
func (t *tx) logScan(ctx context.Context, orderID int64, sc PackScan) error {
	_, err := t.ExecContext(ctx, `INSERT INTO pack_scans(at, user_id, user_name, order_id, code, sku, line_no, quantity, outcome, reason,
		approved_by, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.nowText(), t.s.user.ID, t.s.user.Name, orderID, sc.Code, sc.SKU, sc.LineNo, sc.Quantity, sc.Outcome, sc.Reason, sc.ApprovedBy,
		t.hlc, t.s.device)
	if err != nil {
		return fmt.Errorf("log pack scan: %w", err)
	}
	return nil
}

// packWrite runs fn on the order's pack state inside one write, refusing orders that cannot be packed,
// and returns the state after fn.
func (s *Store) packWrite(ctx context.Context, orderID int64, fn func(t *tx, st PackState) error) (PackState, error) {
	if err := s.require(PermWorkOrders); err != nil {
		return PackState{}, err
	}
	var after PackState
	err := s.update(ctx, func(t *tx) error {
		st, err := t.packState(ctx, orderID)
		if err != nil {
			return err
		}
		if !packable(st.Order.Status) {
			return errorf(ErrConflict, "%s order %s is %s: there is nothing to pack", st.Order.Channel, st.Order.ExternalID, st.Order.Status)
		}
		if err := fn(t, st); err != nil {
			return err
		}
		after, err = t.packState(ctx, orderID)
		return err
	})
	return after, err
}

// StartPack opens an order at the pack station, and logs that it was opened.
func (s *Store) StartPack(ctx context.Context, orderID int64) (PackState, error) {
	return s.packWrite(ctx, orderID, func(t *tx, st PackState) error {
		return t.logScan(ctx, orderID, PackScan{Code: st.Order.ExternalID, Outcome: ScanOrder})
	})
}

// PackScan checks one scanned code against the order and counts it when it is a unit the order still
// needs. Every scan is logged, refused ones included; a refusal is a result, not an error.
func (s *Store) PackScan(ctx context.Context, orderID int64, code string) (ScanResult, error) {
	code = strings.TrimSpace(code)
	var res ScanResult
	state, err := s.packWrite(ctx, orderID, func(t *tx, st PackState) error {
		sku, err := t.skuForCode(ctx, code)
		if err != nil {
			return err
		}
		o := st.Order
		res = ScanResult{SKU: sku}
		entry := PackScan{Code: code, SKU: sku}
		switch {
		case code == "":
			return errorf(ErrInvalid, "scan an item's barcode")
		case sku == "":
			res.Outcome = ScanUnknownCode
			res.Message = fmt.Sprintf("Unknown code %s: it is no barcode or SKU of this shop", code)
		default:
			var onOrder, open *PackLine
			for i := range st.Lines {
				l := &st.Lines[i]
				if strings.EqualFold(l.SKU, sku) {
					onOrder = l
					if !l.Done() && open == nil {
						open = l
					}
				}
			}
			switch {
			case onOrder == nil:
				res.Outcome = ScanWrongItem
				res.Message = fmt.Sprintf("Wrong item: %s is not on %s order %s", sku, o.Channel, o.ExternalID)
			case open == nil:
				res.Outcome = ScanOverQuantity
				res.Message = fmt.Sprintf("Too many: order %s needs %d × %s, and all are packed", o.ExternalID, onOrder.Want, sku)
			default:
				res.Outcome = ScanOK
				entry.LineNo, entry.Quantity, entry.SKU = open.LineNo, 1, open.SKU
				res.Message = fmt.Sprintf("%s: %d of %d", open.SKU, open.Packed+1, open.Want)
			}
		}
		entry.Outcome = res.Outcome
		return t.logScan(ctx, orderID, entry)
	})
	res.State = state
	return res, err
}

// skuForCode is the SKU a scanned code names: a barcode of the shop, or a SKU typed or scanned as it
// is; "" for neither.
func (t *tx) skuForCode(ctx context.Context, code string) (string, error) {
	var sku string
	err := t.QueryRowContext(ctx, `SELECT sku FROM barcodes WHERE code = ?`, code).Scan(&sku)
	if errors.Is(err, sql.ErrNoRows) {
		err = t.QueryRowContext(ctx, `SELECT sku FROM variants WHERE sku = ?`, code).Scan(&sku)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up code %s: %w", code, err)
	}
	return sku, nil
}

// findLine is the pack line (order line and SKU, for a kit's component) a confirmation is for.
func findLine(st PackState, lineNo int, sku string) (PackLine, error) {
	for _, l := range st.Lines {
		if l.LineNo == lineNo && (sku == "" && l.Kit == "" || strings.EqualFold(l.SKU, sku)) {
			return l, nil
		}
	}
	return PackLine{}, errorf(ErrNotFound, "%s order %s has no line %d %s", st.Order.Channel, st.Order.ExternalID, lineNo, sku)
}

// PackByHand confirms units of a line that cannot be scanned: its item has no barcode, or it matched
// none of the shop's SKUs. An item that has a barcode must be scanned, or overridden with a reason.
func (s *Store) PackByHand(ctx context.Context, orderID int64, lineNo int, sku string, units int64) (PackState, error) {
	return s.packWrite(ctx, orderID, func(t *tx, st PackState) error {
		l, err := findLine(st, lineNo, sku)
		if err != nil {
			return err
		}
		if len(l.Barcodes) > 0 {
			return errorf(ErrConflict, "%s has a barcode (%s): scan it, or override with a reason", l.label(), l.Barcodes[0])
		}
		if err := checkUnits(l, units); err != nil {
			return err
		}
		return t.logScan(ctx, orderID, PackScan{Code: l.SKU, SKU: l.SKU, LineNo: l.LineNo, Quantity: units, Outcome: ScanManual})
	})
}

func checkUnits(l PackLine, units int64) error {
	switch {
	case units <= 0:
		return errorf(ErrInvalid, "say how many units of %s are in the box", l.label())
	case l.Packed+units > l.Want:
		return errorf(ErrConflict, "%s needs %d more, not %d", l.label(), l.Want-l.Packed, units)
	}
	return nil
}

// Approval is an owner's say-so for an override, when the shop asks for one: their name and PIN,
// checked by the store.
type Approval struct {
	Name, PIN string
}

// PackOverride counts units of a line although a check failed: a barcode that will not scan, a
// substitute the customer agreed to. It needs a reason, and an owner's PIN when the shop's setting asks
// for one and the packer is no owner.
func (s *Store) PackOverride(ctx context.Context, orderID int64, lineNo int, sku string, units int64, reason string, approval Approval) (PackState, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return PackState{}, errorf(ErrInvalid, "an override needs a reason: say why the item is right although the check failed")
	}
	approvedBy, err := s.approveOverride(ctx, approval)
	if err != nil {
		return PackState{}, err
	}
	return s.packWrite(ctx, orderID, func(t *tx, st PackState) error {
		l, err := findLine(st, lineNo, sku)
		if err != nil {
			return err
		}
		if err := checkUnits(l, units); err != nil {
			return err
		}
		return t.logScan(ctx, orderID, PackScan{Code: l.SKU, SKU: l.SKU, LineNo: l.LineNo, Quantity: units, Outcome: ScanOverride,
			Reason: reason, ApprovedBy: approvedBy})
	})
}

// approveOverride checks the owner's approval when the shop asks for one, and names who approved.
func (s *Store) approveOverride(ctx context.Context, a Approval) (string, error) {
	needs, err := s.Setting(ctx, SettingOverrideNeedsOwner)
	if err != nil {
		return "", err
	}
	if needs != "1" || s.user.Role == RoleOwner {
		return "", nil
	}
	if strings.TrimSpace(a.Name) == "" {
		return "", errorf(ErrPermission, "this shop asks for an owner's PIN for every override")
	}
	owner, err := s.Login(ctx, a.Name, a.PIN)
	var locked *LockedOutError
	if errors.As(err, &locked) {
		return "", err // wrong PINs here count as at the sign-in screen, and lock the same way
	}
	if err != nil {
		return "", errorf(ErrPermission, "the owner's name or PIN is wrong")
	}
	if owner.user.Role != RoleOwner || !owner.user.HasPIN {
		return "", errorf(ErrPermission, "%s is no owner with a PIN, and only an owner may approve an override", owner.user.Name)
	}
	return owner.user.Name, nil
}

// ResetPack starts an order's packing again: what was counted no longer counts. The log keeps it.
func (s *Store) ResetPack(ctx context.Context, orderID int64) (PackState, error) {
	return s.packWrite(ctx, orderID, func(t *tx, st PackState) error {
		return t.logScan(ctx, orderID, PackScan{Code: st.Order.ExternalID, Outcome: ScanReset})
	})
}

// MarkPacked moves a completely packed order to packed. An order with a line not yet complete is
// refused with what is missing.
func (s *Store) MarkPacked(ctx context.Context, orderID int64) (Order, error) {
	_, err := s.packWrite(ctx, orderID, func(t *tx, st PackState) error {
		o := st.Order
		if !st.Complete() {
			return errorf(ErrConflict, "%s order %s is not complete: %s", o.Channel, o.ExternalID, st.missing())
		}
		if o.Status != StatusPacked {
			if _, err := t.moveOrder(ctx, orderID, StatusPacked, time.Time{}); err != nil {
				return err
			}
		}
		packed, _ := st.Units()
		return t.logScan(ctx, orderID, PackScan{Code: o.ExternalID, Quantity: packed, Outcome: ScanPacked})
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, orderID)
}

// Shipment is how an order left: carrier, service, tracking number and the day it was handed over.
type Shipment struct {
	OrderID   int64
	Carrier   string
	Service   string
	Tracking  string
	ShippedAt time.Time
	UserName  string // read back: who recorded it
}

// ShipOrder records how an order left and moves it to shipped, which turns its reserved stock into
// sale movements exactly once. Shipping an order already shipped corrects its carrier and tracking and
// moves no stock.
func (s *Store) ShipOrder(ctx context.Context, orderID int64, sh Shipment) (Order, error) {
	if err := s.require(PermWorkOrders); err != nil {
		return Order{}, err
	}
	sh.Carrier = strings.TrimSpace(sh.Carrier)
	sh.Service = strings.TrimSpace(sh.Service)
	sh.Tracking = strings.ToUpper(strings.Join(strings.Fields(sh.Tracking), ""))
	if sh.Carrier == "" {
		return Order{}, errorf(ErrInvalid, "say which carrier takes the parcel")
	}
	now := s.now()
	if sh.ShippedAt.IsZero() {
		sh.ShippedAt = now
	}
	if sh.ShippedAt.After(now.Add(36 * time.Hour)) {
		return Order{}, errorf(ErrInvalid, "the ship date %s is in the future", sh.ShippedAt.Format("2 Jan 2006"))
	}
	err := s.update(ctx, func(t *tx) error {
		o, err := t.s.order(ctx, t, `o.id = ?`, orderID)
		if err != nil {
			return err
		}
		switch {
		case o.Status == StatusShipped || o.Status == StatusDelivered:
		case o.Status.CanMoveTo(StatusShipped):
			if _, err := t.moveOrder(ctx, orderID, StatusShipped, sh.ShippedAt); err != nil {
				return err
			}
		default:
			return errorf(ErrConflict, "%s order %s is %s and cannot be shipped", o.Channel, o.ExternalID, o.Status)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO shipments(order_id, carrier, service, tracking, shipped_at, user_id, user_name, updated_at, hlc, device_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(order_id) DO UPDATE SET carrier = excluded.carrier, service = excluded.service,
			tracking = excluded.tracking, shipped_at = excluded.shipped_at, user_id = excluded.user_id, user_name = excluded.user_name,
			updated_at = excluded.updated_at, hlc = excluded.hlc, device_id = excluded.device_id`,
			orderID, sh.Carrier, sh.Service, sh.Tracking, formatTime(sh.ShippedAt), t.s.user.ID, t.s.user.Name, t.nowText(), t.hlc, t.s.device); err != nil {
			return fmt.Errorf("record shipment of %s order %s: %w", o.Channel, o.ExternalID, err)
		}
		sh.OrderID = orderID
		return t.audit(ctx, "ship", "order", orderKey(o.Channel, o.ExternalID), nil, sh)
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, orderID)
}

const shipmentColumns = `sh.order_id, sh.carrier, sh.service, sh.tracking, sh.shipped_at, sh.user_name`

func scanShipment(row scanner) (Shipment, error) {
	var sh Shipment
	var at string
	err := row.Scan(&sh.OrderID, &sh.Carrier, &sh.Service, &sh.Tracking, &at, &sh.UserName)
	sh.ShippedAt = parseTime(at)
	return sh, err
}

// Shipment returns how an order left; ok is false when no shipment was recorded.
func (s *Store) Shipment(ctx context.Context, orderID int64) (sh Shipment, ok bool, err error) {
	sh, err = scanShipment(s.read.QueryRowContext(ctx, `SELECT `+shipmentColumns+` FROM shipments sh WHERE order_id = ?`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return Shipment{}, false, nil
	}
	if err != nil {
		return Shipment{}, false, fmt.Errorf("read shipment of order %d: %w", orderID, err)
	}
	return sh, true, nil
}

// ShippedOrder is an order with its shipment and lines, what a channel's shipping confirmation needs.
type ShippedOrder struct {
	Order    Order
	Shipment Shipment
}

// ShippedOrders lists the orders of a channel ("" for all) shipped in [from, to), oldest first, with
// their lines. The packing desk reads it, and so does whoever may export the shipment list.
func (s *Store) ShippedOrders(ctx context.Context, channel string, from, to time.Time) ([]ShippedOrder, error) {
	if !s.Can(PermExport) {
		if err := s.require(PermWorkOrders); err != nil {
			return nil, err
		}
	}
	if to.IsZero() {
		to = s.now().Add(48 * time.Hour)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+shipmentColumns+` FROM shipments sh JOIN orders o ON o.id = sh.order_id
		WHERE (? = '' OR o.channel = ?) AND sh.shipped_at >= ? AND sh.shipped_at < ? ORDER BY sh.shipped_at, o.id`,
		channel, channel, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("list shipments: %w", err)
	}
	var out []ShippedOrder
	var ids []int64
	for rows.Next() {
		sh, err := scanShipment(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list shipments: %w", err)
		}
		out = append(out, ShippedOrder{Shipment: sh})
		ids = append(ids, sh.OrderID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list shipments: %w", err)
	}
	lines, err := s.OrderLines(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		o, err := s.Order(ctx, out[i].Shipment.OrderID)
		if err != nil {
			return nil, err
		}
		o.Lines = lines[o.ID]
		out[i].Order = o
	}
	return out, nil
}

// PackerDay is one person's day at the pack station.
type PackerDay struct {
	UserName    string
	Day         time.Time // midnight, in the zone asked for
	Orders      int       // orders marked packed
	Items       int64     // units put in boxes
	Scans       int       // item scans, refused ones included
	BadScans    int       // scans refused: wrong item, too many, unknown code
	Overrides   int
	First, Last time.Time
}

// Accuracy is 1 − bad scans ÷ scans; 1 for a day without scans.
func (d PackerDay) Accuracy() float64 {
	if d.Scans == 0 {
		return 1
	}
	return 1 - float64(d.BadScans)/float64(d.Scans)
}

// Hours is the time between the day's first and last entry, at least a quarter of an hour so a few
// quick orders do not read as hundreds an hour.
func (d PackerDay) Hours() float64 {
	return max(d.Last.Sub(d.First).Hours(), 0.25)
}

// PackerDays sums the pack-station log per person and day over [from, to), days in loc, newest day
// first. Only those who may read the audit log see it.
func (s *Store) PackerDays(ctx context.Context, from, to time.Time, loc *time.Location) ([]PackerDay, error) {
	if err := s.require(PermViewAudit); err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.Local
	}
	rows, err := s.read.QueryContext(ctx, `SELECT at, user_name, quantity, outcome FROM pack_scans WHERE at >= ? AND at < ? ORDER BY id`,
		formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("read pack log: %w", err)
	}
	defer rows.Close()
	days := map[string]*PackerDay{}
	for rows.Next() {
		var at, user string
		var qty int64
		var outcome ScanOutcome
		if err := rows.Scan(&at, &user, &qty, &outcome); err != nil {
			return nil, fmt.Errorf("read pack log: %w", err)
		}
		t := parseTime(at).In(loc)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		key := day.Format("2006-01-02") + "\x00" + user
		d := days[key]
		if d == nil {
			d = &PackerDay{UserName: user, Day: day, First: t}
			days[key] = d
		}
		d.Last = t
		switch {
		case outcome == ScanPacked:
			d.Orders++
		case outcome == ScanOK || outcome.Bad():
			d.Scans++
		}
		if outcome.Bad() {
			d.BadScans++
		}
		if outcome == ScanOverride {
			d.Overrides++
		}
		if outcome.counts() {
			d.Items += qty
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pack log: %w", err)
	}
	out := make([]PackerDay, 0, len(days))
	for _, d := range days {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Day.Equal(out[j].Day) {
			return out[i].Day.After(out[j].Day)
		}
		return out[i].UserName < out[j].UserName
	})
	return out, nil
}
