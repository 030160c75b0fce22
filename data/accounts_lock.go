package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// lockSpan is a locked period as an import checks it: UTC instants, start included, end not.
type lockSpan struct {
	id         int64
	start, end time.Time
}

// LockPeriod locks p without exporting it; UnlockPeriod opens a lock again (held changes stay held).
// Locking a period that is already locked returns the lock there is.
func (s *Store) LockPeriod(ctx context.Context, p AccountsPeriod) (PeriodLock, error) {
	if err := s.require(PermImport); err != nil {
		return PeriodLock{}, err
	}
	var l PeriodLock
	err := s.update(ctx, func(t *tx) error {
		var err error
		l, err = t.lockPeriod(ctx, p, 0)
		return err
	})
	if err != nil {
		return PeriodLock{}, err
	}
	return l, nil
}

// lockPeriod locks p inside a write; exportID is the export the lock comes with, 0 for none. A period
// already locked keeps its lock, which then names the newer export: the one the accountant has last.
func (t *tx) lockPeriod(ctx context.Context, p AccountsPeriod, exportID int64) (PeriodLock, error) {
	p, err := NewAccountsPeriod(p.From, p.To, p.Location)
	if err != nil {
		return PeriodLock{}, err
	}
	from, to, zone := p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), p.loc().String()
	var export any
	if exportID != 0 {
		export = exportID
	}
	old, err := t.s.periodLock(ctx, t, `from_date = ? AND to_date = ? AND zone = ? AND unlocked_at IS NULL`, from, to, zone)
	switch {
	case err == nil:
		if exportID == 0 || old.ExportID == exportID {
			return old, nil
		}
		if _, err := t.ExecContext(ctx, `UPDATE period_locks SET export_id = ?, hlc = ?, device_id = ? WHERE id = ?`,
			exportID, t.hlc, t.s.device, old.ID); err != nil {
			return PeriodLock{}, fmt.Errorf("lock %s: %w", p, err)
		}
		l := old
		l.ExportID = exportID
		return l, t.audit(ctx, "update", "period_lock", strconv.FormatInt(l.ID, 10), lockAudit(old), lockAudit(l))
	case !errors.Is(err, ErrNotFound):
		return PeriodLock{}, err
	}
	start, end := p.Bounds()
	res, err := t.ExecContext(ctx, `INSERT INTO period_locks(from_date, to_date, zone, start_at, end_at, export_id, user_id, user_name, at, hlc, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		from, to, zone, formatTime(start), formatTime(end), export, t.s.user.ID, t.s.user.Name, t.nowText(), t.hlc, t.s.device)
	if err != nil {
		return PeriodLock{}, fmt.Errorf("lock %s: %w", p, err)
	}
	l := PeriodLock{Period: p, ExportID: exportID, User: t.s.user.Name, At: t.now}
	if l.ID, err = res.LastInsertId(); err != nil {
		return PeriodLock{}, fmt.Errorf("lock %s: %w", p, err)
	}
	t.known.locks, t.known.locksRead = nil, false
	return l, t.audit(ctx, "lock", "period_lock", strconv.FormatInt(l.ID, 10), nil, lockAudit(l))
}

// lockAudit is what the audit log keeps of a lock: the period as the owner wrote it.
func lockAudit(l PeriodLock) map[string]any {
	return map[string]any{"period": l.Period.Key(), "export": l.ExportID}
}

// UnlockPeriod removes lock id.
func (s *Store) UnlockPeriod(ctx context.Context, id int64) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		l, err := t.s.periodLock(ctx, t, `id = ?`, id)
		if err != nil {
			return err
		}
		if !l.Unlocked.IsZero() {
			return errorf(ErrConflict, "the lock of %s was already removed on %s", l.Period, l.Unlocked.Format(time.DateOnly))
		}
		if _, err := t.ExecContext(ctx, `UPDATE period_locks SET unlocked_at = ?, unlocked_by = ?, hlc = ?, device_id = ? WHERE id = ?`,
			t.nowText(), t.s.user.Name, t.hlc, t.s.device, id); err != nil {
			return fmt.Errorf("unlock %s: %w", l.Period, err)
		}
		t.known.locks, t.known.locksRead = nil, false
		return t.audit(ctx, "unlock", "period_lock", strconv.FormatInt(id, 10), lockAudit(l), nil)
	})
}

// PeriodLocks lists the locked periods, latest first.
func (s *Store) PeriodLocks(ctx context.Context) ([]PeriodLock, error) {
	if err := s.require(PermViewCosts); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, scanPeriodLock, `SELECT `+periodLockColumns+` FROM period_locks WHERE unlocked_at IS NULL ORDER BY at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list period locks: %w", err)
	}
	return out, nil
}

const periodLockColumns = `id, from_date, to_date, zone, COALESCE(export_id, 0), user_name, at, COALESCE(unlocked_at, '')`

func scanPeriodLock(row scanner) (PeriodLock, error) {
	var r lockRow
	if err := row.Scan(&r.id, &r.from, &r.to, &r.zone, &r.export, &r.user, &r.at, &r.unlocked); err != nil {
		return PeriodLock{}, err
	}
	return r.lock()
}

// lockRow is a lock's columns as stored.
type lockRow struct {
	id, export                         int64
	from, to, zone, user, at, unlocked string
}

func (r lockRow) lock() (PeriodLock, error) {
	l := PeriodLock{ID: r.id, ExportID: r.export, User: r.user, At: parseTime(r.at)}
	if r.unlocked != "" {
		l.Unlocked = parseTime(r.unlocked)
	}
	// A zone this machine does not know (a lock made elsewhere) still shows its dates; the stored
	// instants, not the zone, are what imports are checked against.
	loc, err := time.LoadLocation(r.zone)
	if err != nil {
		loc = time.UTC
	}
	from, err1 := time.Parse(time.DateOnly, r.from)
	to, err2 := time.Parse(time.DateOnly, r.to)
	if err := errors.Join(err1, err2); err != nil {
		return PeriodLock{}, fmt.Errorf("lock %d: %w", r.id, err)
	}
	if l.Period, err = NewAccountsPeriod(from, to, loc); err != nil {
		return PeriodLock{}, fmt.Errorf("lock %d: %w", r.id, err)
	}
	return l, nil
}

func (s *Store) periodLock(ctx context.Context, q querier, where string, args ...any) (PeriodLock, error) {
	l, err := scanPeriodLock(q.QueryRowContext(ctx, `SELECT `+periodLockColumns+` FROM period_locks WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return PeriodLock{}, errorf(ErrNotFound, "there is no such period lock")
	}
	if err != nil {
		return PeriodLock{}, fmt.Errorf("read period lock: %w", err)
	}
	return l, nil
}

// lockedAt is the lock whose period holds instant at, 0 when none; the locks are read once per write.
func (t *tx) lockedAt(ctx context.Context, at time.Time) (int64, error) {
	if t.unlocked {
		return 0, nil
	}
	if !t.known.locksRead {
		rows, err := t.QueryContext(ctx, `SELECT id, start_at, end_at FROM period_locks WHERE unlocked_at IS NULL ORDER BY id`)
		if err != nil {
			return 0, fmt.Errorf("read period locks: %w", err)
		}
		defer rows.Close()
		t.known.locks = nil
		for rows.Next() {
			var l lockSpan
			var start, end string
			if err := rows.Scan(&l.id, &start, &end); err != nil {
				return 0, fmt.Errorf("read period locks: %w", err)
			}
			l.start, l.end = parseTime(start), parseTime(end)
			t.known.locks = append(t.known.locks, l)
		}
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("read period locks: %w", err)
		}
		t.known.locksRead = true
	}
	for _, l := range t.known.locks {
		if !at.Before(l.start) && at.Before(l.end) {
			return l.id, nil
		}
	}
	return 0, nil
}

// accountingChanges names what differs between two copies of an order in the figures an accountant's
// workbook is made of, "" when nothing does: the placing time, the currency, the amounts, the lines'
// items, quantities and prices, and whether the order is cancelled. Names, addresses, dates of shipping
// and any other status step change none of them.
func accountingChanges(old, m Order) string {
	var what []string
	add := func(differs bool, name string) {
		if differs {
			what = append(what, name)
		}
	}
	add(!old.PlacedAt.Equal(m.PlacedAt), "placed")
	add(old.Currency != m.Currency, "currency")
	add(!linesSameFigures(old.Lines, m.Lines), "lines")
	add(old.Subtotal != m.Subtotal, "subtotal")
	add(old.Shipping != m.Shipping, "shipping")
	add(old.Tax != m.Tax, "tax")
	add(old.Discount != m.Discount, "discount")
	add(old.Total != m.Total, "total")
	add((old.Status == StatusCancelled) != (m.Status == StatusCancelled), "cancelled")
	return strings.Join(what, ", ")
}

func linesSameFigures(a, b []OrderLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].SKU != b[i].SKU || a[i].Quantity != b[i].Quantity || a[i].Pack != b[i].Pack || a[i].UnitPrice != b[i].UnitPrice {
			return false
		}
	}
	return true
}

// withoutAccounting is the part of merged that may go into a locked period: merged with old's figures
// back. A status that would ship the order with its lines held stays where it was, because once an order
// has shipped its lines are kept (mergeOrder) and the held lines could no longer be applied.
func withoutAccounting(old, merged Order) Order {
	n := merged
	n.PlacedAt, n.Currency = old.PlacedAt, old.Currency
	n.Subtotal, n.Shipping, n.Tax, n.Discount, n.Total = old.Subtotal, old.Shipping, old.Tax, old.Discount, old.Total
	linesHeld := !linesSameFigures(old.Lines, merged.Lines)
	if linesHeld {
		n.Lines = old.Lines
	}
	if merged.Status == StatusCancelled || linesHeld && merged.Status.Shipped() && !old.Status.Shipped() {
		n.Status, n.ShippedAt, n.DeliveredAt = old.Status, old.ShippedAt, old.DeliveredAt
	}
	return n
}

// heldOrder is what the audit log keeps of an order a lock held back; the held change has it whole.
type heldOrder struct {
	Source string `json:"source"`
	Kind   string `json:"kind"`
	What   string `json:"what"`
	Lock   int64  `json:"lock"`
}

// holdOrder keeps in, an incoming order for a locked period, aside for the owner. old is the stored
// order (nil when in is new) and merged what in would make of it. An order held before and not yet
// settled keeps only its latest change.
func (t *tx) holdOrder(ctx context.Context, lockID int64, old *Order, in, merged Order) error {
	kind, what, before := "new", "new order", int64(0)
	if old != nil {
		kind, what, before = "update", accountingChanges(*old, merged), old.Total
		if old.Status == StatusCancelled {
			before = 0
		}
	}
	after := merged.Total
	if merged.Status == StatusCancelled {
		after = 0
	}
	in.ID, in.History, in.UpdatedAt, in.Items = 0, nil, time.Time{}, 0
	js, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("hold %s order %s: %w", in.Channel, in.ExternalID, err)
	}
	source := t.source
	if t.importing != "" {
		source = t.importing
	}
	if source == "" {
		source = "orders recorded by " + t.s.user.Name
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO held_changes(lock_id, channel, external_id, placed_at, kind, source, before_total,
		after_total, currency, what, order_json, at, user_id, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(channel, external_id) WHERE resolved = '' DO UPDATE SET lock_id = excluded.lock_id, placed_at = excluded.placed_at,
		kind = excluded.kind, source = excluded.source, before_total = excluded.before_total, after_total = excluded.after_total,
		currency = excluded.currency, what = excluded.what, order_json = excluded.order_json, at = excluded.at,
		user_id = excluded.user_id, hlc = excluded.hlc, device_id = excluded.device_id`,
		lockID, in.Channel, in.ExternalID, formatTime(merged.PlacedAt), kind, source, before, after, merged.Currency, what,
		string(js), t.nowText(), t.s.user.ID, t.hlc, t.s.device); err != nil {
		return fmt.Errorf("hold %s order %s: %w", in.Channel, in.ExternalID, err)
	}
	return t.audit(ctx, "hold", "order", orderKey(in.Channel, in.ExternalID), nil, heldOrder{Source: source, Kind: kind, What: what, Lock: lockID})
}

// HeldChanges lists what imports would have changed in locked periods, oldest first.
func (s *Store) HeldChanges(ctx context.Context) ([]HeldChange, error) {
	if err := s.require(PermViewCosts); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, scanHeldChange, `SELECT `+heldChangeColumns+`
		FROM held_changes h JOIN period_locks l ON l.id = h.lock_id WHERE h.resolved = '' ORDER BY h.at, h.id`)
	if err != nil {
		return nil, fmt.Errorf("list held changes: %w", err)
	}
	return out, nil
}

const heldChangeColumns = `h.id, h.channel, h.external_id, h.placed_at, h.kind, h.source, h.before_total, h.after_total, h.currency,
	h.what, h.order_json, h.at, h.resolved, l.id, l.from_date, l.to_date, l.zone, COALESCE(l.export_id, 0), l.user_name, l.at,
	COALESCE(l.unlocked_at, '')`

func scanHeldChange(row scanner) (HeldChange, error) {
	var h HeldChange
	var placed, js, at string
	var r lockRow
	if err := row.Scan(&h.ID, &h.Channel, &h.OrderID, &placed, &h.Kind, &h.Source, &h.Before, &h.After, &h.Currency, &h.What, &js, &at,
		&h.Resolved, &r.id, &r.from, &r.to, &r.zone, &r.export, &r.user, &r.at, &r.unlocked); err != nil {
		return HeldChange{}, err
	}
	h.Placed, h.At = parseTime(placed), parseTime(at)
	if err := json.Unmarshal([]byte(js), &h.Order); err != nil {
		return HeldChange{}, fmt.Errorf("held change %d: %w", h.ID, err)
	}
	var err error
	h.Lock, err = r.lock()
	return h, err
}

// heldChange reads a waiting held change inside a write, refusing one already settled.
func (t *tx) heldChange(ctx context.Context, id int64) (HeldChange, error) {
	h, err := scanHeldChange(t.QueryRowContext(ctx, `SELECT `+heldChangeColumns+`
		FROM held_changes h JOIN period_locks l ON l.id = h.lock_id WHERE h.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return HeldChange{}, errorf(ErrNotFound, "there is no held change %d", id)
	}
	if err != nil {
		return HeldChange{}, fmt.Errorf("read held change %d: %w", id, err)
	}
	if h.Resolved != "" {
		return HeldChange{}, errorf(ErrConflict, "the held change to %s order %s was already %s", h.Channel, h.OrderID, h.Resolved)
	}
	return h, nil
}

func (t *tx) resolveHeld(ctx context.Context, h HeldChange, how string, detail map[string]any) error {
	if _, err := t.ExecContext(ctx, `UPDATE held_changes SET resolved = ?, resolved_at = ?, resolved_by = ?, hlc = ?, device_id = ? WHERE id = ?`,
		how, t.nowText(), t.s.user.Name, t.hlc, t.s.device, h.ID); err != nil {
		return fmt.Errorf("settle held change to %s order %s: %w", h.Channel, h.OrderID, err)
	}
	detail["resolved"], detail["order"] = how, orderKey(h.Channel, h.OrderID)
	return t.audit(ctx, how, "held_change", strconv.FormatInt(h.ID, 10), nil, detail)
}

// ApplyHeldChange applies a held change to its order now, as the import would have: it merges with the
// order as it is stored now, the lock let through.
func (s *Store) ApplyHeldChange(ctx context.Context, id int64) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		h, err := t.heldChange(ctx, id)
		if err != nil {
			return err
		}
		o := h.Order
		if err := o.Validate(); err != nil {
			return err
		}
		t.unlocked = true
		outcome, _, err := t.applyOrder(ctx, &o)
		if err != nil {
			return err
		}
		return t.resolveHeld(ctx, h, "applied", map[string]any{"outcome": outcome, "source": h.Source})
	})
}

// DiscardHeldChange drops a held change; the stored order stays as it is.
func (s *Store) DiscardHeldChange(ctx context.Context, id int64) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		h, err := t.heldChange(ctx, id)
		if err != nil {
			return err
		}
		return t.resolveHeld(ctx, h, "discarded", map[string]any{"source": h.Source})
	})
}
