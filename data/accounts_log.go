package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// AccountsExport is one entry of the export log: which period went out, as what file, adding up to what.
type AccountsExport struct {
	ID     int64
	Period AccountsPeriod
	Format string // "xlsx" or "csv"
	File   string // the file's name (for CSV, the folder's)
	SHA256 string // of the xlsx file; for CSV, of the files' names and hashes in sheet order
	Rows   AccountsRows
	Totals AccountsTotals
	Orders int // orders in the period when exported
	User   string
	At     time.Time
	Locked bool // the period was locked with this export
}

// OrderChange is one order of a period that differs from what an earlier export of the period had.
type OrderChange struct {
	OrderRef int64
	Channel  string
	OrderID  string
	Placed   time.Time
	Kind     string // "added", "changed" or "removed"
	Before   int64  // the order's total in the earlier export (0 when added)
	After    int64  // its total now (0 when removed or cancelled)
	Currency string
	What     string // for "changed": what differs, e.g. "lines, total" or "cancelled"
}

// AccountsDiff compares a period as it stands with the latest export of the same period.
type AccountsDiff struct {
	Previous *AccountsExport // nil when the period was never exported
	Changes  []OrderChange   // by placing time
}

// PeriodLock is a period the owner closed after sending it: imports that would change it are held for
// the owner to confirm.
type PeriodLock struct {
	ID       int64
	Period   AccountsPeriod
	ExportID int64
	User     string
	At       time.Time
	Unlocked time.Time // when the owner removed the lock; zero while it holds
}

// HeldChange is an order an import or the mailbox would have added to or changed in a locked period,
// kept aside until the owner applies or discards it.
type HeldChange struct {
	ID       int64
	Lock     PeriodLock
	Channel  string
	OrderID  string
	Placed   time.Time
	Kind     string // "new" or "update"
	Source   string // the file's name or "mail: <subject>"
	Before   int64  // the stored order's total; 0 when new
	After    int64
	Currency string
	What     string // what would change
	At       time.Time
	Order    Order  // the order as the source gave it, which applying the change merges in
	Resolved string // "" while waiting, then "applied" or "discarded"
}

// The functions below are the export log and lock contract; their bodies are being built.

// LogAccountsExport records an export of p (ID, Period, User and At are filled in, and Orders: the
// orders the period holds, cancelled ones not counted) together with a fingerprint of every order
// placed in the period, cancelled ones included, which later exports of the same period are compared
// with. With lock, the period is locked in the same write, which only the owner may do. Only users who
// may see costs may log an export, as its totals hold them.
//
// The fingerprints are made in one pass over the period's orders and lines, as the Sales sheet reads
// them, inside the write: a lock made with the export covers exactly what was fingerprinted.
func (s *Store) LogAccountsExport(ctx context.Context, p AccountsPeriod, e AccountsExport, lock bool) (AccountsExport, error) {
	if err := s.require(PermExport); err != nil {
		return AccountsExport{}, err
	}
	if lock {
		if err := s.require(PermImport); err != nil {
			return AccountsExport{}, err
		}
	}
	p, err := NewAccountsPeriod(p.From, p.To, p.Location)
	if err != nil {
		return AccountsExport{}, err
	}
	e.File, e.SHA256 = strings.TrimSpace(e.File), strings.ToLower(strings.TrimSpace(e.SHA256))
	switch {
	case e.Format != "xlsx" && e.Format != "csv":
		return AccountsExport{}, errorf(ErrInvalid, "export format %q is not xlsx or csv", e.Format)
	case e.File == "":
		return AccountsExport{}, errorf(ErrInvalid, "the export of %s names no file", p)
	case len(e.SHA256) != sha256.Size*2 || strings.Trim(e.SHA256, "0123456789abcdef") != "":
		return AccountsExport{}, errorf(ErrInvalid, "the SHA-256 of %s (%q) is not 64 hexadecimal digits", e.File, e.SHA256)
	}
	totals, err := json.Marshal(e.Totals)
	if err != nil {
		return AccountsExport{}, fmt.Errorf("log the export of %s: %w", p, err)
	}
	e.Period, e.Locked = p, lock
	err = s.update(ctx, func(t *tx) error {
		e.User, e.At = t.s.user.Name, t.now
		start, end := p.Bounds()
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE placed_at >= ? AND placed_at < ? AND status <> 'cancelled'`,
			formatTime(start), formatTime(end)).Scan(&e.Orders); err != nil {
			return fmt.Errorf("count the orders of %s: %w", p, err)
		}
		res, err := t.ExecContext(ctx, `INSERT INTO accounts_exports(period_from, period_to, zone, period_key, format, file, sha256,
			sales_rows, refund_rows, cost_rows, stock_rows, purchase_rows, totals, orders, locked, user_id, user_name, at, hlc, device_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), p.loc().String(), p.Key(), e.Format, e.File, e.SHA256,
			e.Rows.Sales, e.Rows.Refunds, e.Rows.Costs, e.Rows.Stock, e.Rows.Purchases, string(totals), e.Orders, lock,
			t.s.user.ID, t.s.user.Name, t.nowText(), t.hlc, t.s.device)
		if err != nil {
			return fmt.Errorf("log the export of %s: %w", p, err)
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("log the export of %s: %w", p, err)
		}
		if err := t.fingerprintPeriod(ctx, p, e.ID); err != nil {
			return err
		}
		if lock {
			if _, err := t.lockPeriod(ctx, p, e.ID); err != nil {
				return err
			}
		}
		return t.audit(ctx, "export", "accounts", strconv.FormatInt(e.ID, 10), nil, map[string]any{
			"period": p.Key(), "format": e.Format, "file": e.File, "sha256": e.SHA256, "rows": e.Rows, "orders": e.Orders, "locked": lock})
	})
	if err != nil {
		return AccountsExport{}, err
	}
	return e, nil
}

// AccountsExports lists the export log, newest first; limit 0 means all. Only users who may see costs
// may read it, as the totals hold them.
func (s *Store) AccountsExports(ctx context.Context, limit int) ([]AccountsExport, error) {
	if err := s.require(PermViewCosts); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = -1
	}
	out, err := queryList(ctx, s.read, scanAccountsExport, `SELECT `+accountsExportColumns+` FROM accounts_exports
		ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list the accounts exports: %w", err)
	}
	return out, nil
}

const accountsExportColumns = `id, period_from, period_to, zone, format, file, sha256, sales_rows, refund_rows, cost_rows, stock_rows,
	purchase_rows, totals, orders, locked, user_name, at`

func scanAccountsExport(row scanner) (AccountsExport, error) {
	var e AccountsExport
	var from, to, zone, totals, at string
	if err := row.Scan(&e.ID, &from, &to, &zone, &e.Format, &e.File, &e.SHA256, &e.Rows.Sales, &e.Rows.Refunds, &e.Rows.Costs,
		&e.Rows.Stock, &e.Rows.Purchases, &totals, &e.Orders, &e.Locked, &e.User, &at); err != nil {
		return AccountsExport{}, err
	}
	var err error
	if e.Period, err = storedPeriod(from, to, zone); err != nil {
		return AccountsExport{}, fmt.Errorf("export %d: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(totals), &e.Totals); err != nil {
		return AccountsExport{}, fmt.Errorf("export %d: read totals: %w", e.ID, err)
	}
	e.At = parseTime(at)
	return e, nil
}

// storedPeriod is a period as the log keeps it: its days and its zone's name. A zone this machine does not
// know (a log written elsewhere) becomes a zone of that name at UTC, so the period keeps its key.
func storedPeriod(from, to, zone string) (AccountsPeriod, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.FixedZone(zone, 0)
	}
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	if err := errors.Join(err1, err2); err != nil {
		return AccountsPeriod{}, fmt.Errorf("read period: %w", err)
	}
	return NewAccountsPeriod(f, t, loc)
}

// AccountsChanges compares p as it stands with the latest export of the same period (same days, same
// zone): orders placed in it since ("added"), orders whose figures differ ("changed", What saying which:
// placed, currency, lines, total, cancelled, or discount, shipping or tax), and orders it no longer holds
// ("removed": their placing time moved out of it). Cancelled orders are not on the workbook, so one
// cancelled before the export and still cancelled is no change, nor is one placed and cancelled since.
//
// The period's orders are fingerprinted in one pass as LogAccountsExport did, and compared with the
// export's fingerprints, held in memory by order (a year is a hundred thousand ids and hashes); what the
// export had of the few orders that differ is read afterwards. Only users who may see costs may ask.
func (s *Store) AccountsChanges(ctx context.Context, p AccountsPeriod) (AccountsDiff, error) {
	if err := s.require(PermViewCosts); err != nil {
		return AccountsDiff{}, err
	}
	p, err := NewAccountsPeriod(p.From, p.To, p.Location)
	if err != nil {
		return AccountsDiff{}, err
	}
	prev, err := scanAccountsExport(s.read.QueryRowContext(ctx, `SELECT `+accountsExportColumns+` FROM accounts_exports
		WHERE period_key = ? ORDER BY id DESC LIMIT 1`, p.Key()))
	if errors.Is(err, sql.ErrNoRows) {
		return AccountsDiff{}, nil
	}
	if err != nil {
		return AccountsDiff{}, fmt.Errorf("find the last export of %s: %w", p, err)
	}
	diff := AccountsDiff{Previous: &prev}
	type stored struct {
		fingerprint int64
		cancelled   bool
	}
	then := map[int64]stored{}
	err = scanRows(ctx, s.read, `SELECT order_id, fingerprint, cancelled FROM accounts_export_orders WHERE export_id = ?`,
		func(rows *sql.Rows) error {
			var id int64
			var o stored
			err := rows.Scan(&id, &o.fingerprint, &o.cancelled)
			then[id] = o
			return err
		}, prev.ID)
	if err != nil {
		return AccountsDiff{}, fmt.Errorf("read the fingerprints of export %d: %w", prev.ID, err)
	}
	// differs are the changed and removed orders, by id: where in Changes, and their lines' hash now.
	type differ struct {
		i         int
		lines     int64
		cancelled bool
	}
	differs := map[int64]differ{}
	var fp fingerprinter
	err = periodOrders(ctx, s.read, p, true, func(o *accountsOrder) error {
		now := fp.of(o)
		old, seen := then[o.id]
		delete(then, o.id)
		c := OrderChange{OrderRef: o.id, Channel: o.channel, OrderID: o.externalID, Placed: o.placed, After: o.total, Currency: o.currency}
		switch {
		case now.cancelled && (!seen || old.cancelled):
			return nil
		case !seen || old.cancelled:
			c.Kind = "added"
		case old.fingerprint == now.fingerprint:
			return nil
		default:
			c.Kind = "changed"
			if now.cancelled {
				c.After = 0
			}
		}
		if c.Kind == "changed" {
			differs[o.id] = differ{i: len(diff.Changes), lines: now.lines, cancelled: now.cancelled}
		}
		diff.Changes = append(diff.Changes, c)
		return nil
	}, "compare "+p.String()+" with its last export")
	if err != nil {
		return AccountsDiff{}, err
	}
	// What is left of the export's orders is no longer in the period.
	for id, o := range then {
		if !o.cancelled {
			differs[id] = differ{i: len(diff.Changes)}
			diff.Changes = append(diff.Changes, OrderChange{OrderRef: id, Kind: "removed"})
		}
	}
	if len(differs) > 0 {
		ids := make([]int64, 0, len(differs))
		for id := range differs {
			ids = append(ids, id)
		}
		list, err := json.Marshal(ids)
		if err != nil {
			return AccountsDiff{}, err
		}
		err = scanRows(ctx, s.read, `SELECT order_id, channel, external_id, placed_at, total, currency, lines FROM accounts_export_orders
			WHERE export_id = ? AND order_id IN (SELECT value FROM json_each(?))`, func(rows *sql.Rows) error {
			var id, total, lines int64
			var channel, external, placed, currency string
			if err := rows.Scan(&id, &channel, &external, &placed, &total, &currency, &lines); err != nil {
				return err
			}
			d := differs[id]
			c := &diff.Changes[d.i]
			c.Before = total
			if c.Kind == "removed" {
				c.Channel, c.OrderID, c.Placed, c.Currency = channel, external, parseStoredTime(placed), currency
				return nil
			}
			if d.cancelled {
				c.What = "cancelled"
				return nil
			}
			var what []string
			if !parseStoredTime(placed).Equal(c.Placed) {
				what = append(what, "placed")
			}
			if currency != c.Currency {
				what = append(what, "currency")
			}
			if lines != d.lines {
				what = append(what, "lines")
			}
			if total != c.After {
				what = append(what, "total")
			}
			if len(what) == 0 {
				what = append(what, "discount, shipping or tax")
			}
			c.What = strings.Join(what, ", ")
			return nil
		}, prev.ID, string(list))
		if err != nil {
			return AccountsDiff{}, fmt.Errorf("read the orders export %d had: %w", prev.ID, err)
		}
	}
	sort.SliceStable(diff.Changes, func(i, j int) bool {
		a, b := diff.Changes[i], diff.Changes[j]
		if !a.Placed.Equal(b.Placed) {
			return a.Placed.Before(b.Placed)
		}
		return a.OrderRef < b.OrderRef
	})
	return diff, nil
}

// fingerprintPeriod records the fingerprint of every order placed in p, cancelled ones included, under
// export id. The orders are read and their fingerprints written in the same pass (SQLite steps the read
// while the inserts go to another table), a hundred rows to a statement: an insert per order took twice
// as long as reading a year of orders, and a JSON array of rows longer still.
func (t *tx) fingerprintPeriod(ctx context.Context, p AccountsPeriod, id int64) error {
	const perInsert, columns = 100, 10
	args := make([]any, 0, perInsert*columns)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		values := strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", len(args)/columns)[2:]
		if _, err := t.ExecContext(ctx, `INSERT INTO accounts_export_orders(export_id, order_id, channel, external_id, placed_at,
			cancelled, total, currency, lines, fingerprint) VALUES `+values, args...); err != nil {
			return fmt.Errorf("record the orders of %s in the export log: %w", p, err)
		}
		args = args[:0]
		return nil
	}
	var fp fingerprinter
	err := periodOrders(ctx, t, p, true, func(o *accountsOrder) error {
		f := fp.of(o)
		args = append(args, id, o.id, o.channel, o.externalID, formatTime(o.placed), f.cancelled, o.total, o.currency, f.lines, f.fingerprint)
		if len(args) == cap(args) {
			return flush()
		}
		return nil
	}, "fingerprint the orders of "+p.String())
	if err != nil {
		return err
	}
	return flush()
}

// orderFingerprint is what an export remembers of an order's figures: lines is a hash of its lines,
// fingerprint of those and the order's own figures.
type orderFingerprint struct {
	cancelled          bool
	lines, fingerprint int64
}

// fingerprinter hashes orders, reusing one buffer. The hashes are SHA-256 cut to 64 bits: they only ever
// tell one order's two states apart, where 2⁻⁶⁴ is no risk.
type fingerprinter struct{ buf []byte }

// of fingerprints what the workbook shows of an order: its placing time, whether it is cancelled, its
// currency and amounts, and each line's number, SKU (or the channel's name for a line matching none),
// quantity, pack, unit price and unit cost. Status otherwise, customer and address are left out.
func (f *fingerprinter) of(o *accountsOrder) orderFingerprint {
	b := f.buf[:0]
	for _, l := range o.lines {
		b = binary.AppendVarint(b, int64(l.lineNo))
		b = appendString(b, l.sku)
		b = appendString(b, l.name)
		b = binary.AppendVarint(b, l.quantity)
		b = binary.AppendVarint(b, l.pack)
		b = binary.AppendVarint(b, l.unitPrice)
		if l.costKnown {
			b = binary.AppendVarint(append(b, 1), l.unitCost)
		} else {
			b = append(b, 0)
		}
	}
	sum := sha256.Sum256(b)
	fp := orderFingerprint{cancelled: o.status == StatusCancelled, lines: int64(binary.BigEndian.Uint64(sum[:8]))}
	b = append(b[:0], sum[:]...)
	b = binary.AppendVarint(b, o.placed.UnixMilli())
	if fp.cancelled {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, o.currency)
	for _, v := range [...]int64{o.subtotal, o.shipping, o.tax, o.discount, o.total} {
		b = binary.AppendVarint(b, v)
	}
	sum = sha256.Sum256(b)
	fp.fingerprint = int64(binary.BigEndian.Uint64(sum[:8]))
	f.buf = b
	return fp
}

// appendString appends s with its length first, so no two sequences of strings encode alike.
func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}
