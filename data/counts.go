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

// The states of a stock count.
const (
	CountCounting  = "counting"  // scans are being added
	CountSubmitted = "submitted" // the counter is done; it waits for an owner
	CountApproved  = "approved"  // its differences are in the ledger
	CountDiscarded = "discarded" // thrown away; the ledger is untouched
)

// StockCountSession is a count of one location, or of one bin of it, by scanning.
type StockCountSession struct {
	ID           int64
	LocationID   string
	LocationName string
	Bin          string // "" for the whole location
	Status       string
	StartedAt    time.Time
	StartedBy    string
	SubmittedAt  time.Time
	ClosedAt     time.Time
	ClosedBy     string
	Reason       string
	Lines        []CountLine // every SKU kept there, and every SKU scanned there; by bin, then SKU
}

// CountLine is one SKU of a count: what the ledger says is there and what was counted.
type CountLine struct {
	SKU      string
	Name     string
	Bin      string
	Expected int64 // on hand at the location in the ledger, now
	Counted  int64
	Scanned  bool // counted at all; a SKU never scanned counts as none when the count is approved
	// Misplaced is a SKU found in a counted bin that is not its bin. The ledger keeps stock per
	// location, not per bin, so its units here say nothing about its total: it moves nothing, and the
	// review lists it so someone puts it back.
	Misplaced bool
}

// Difference is what approving the count moves: counted − expected, nothing for a misplaced SKU.
func (l CountLine) Difference() int64 {
	if l.Misplaced {
		return 0
	}
	return l.Counted - l.Expected
}

// Scope names what the count covers, for people.
func (c StockCountSession) Scope() string {
	if c.Bin != "" {
		return c.LocationName + ", bin " + c.Bin
	}
	return c.LocationName + ", every bin"
}

// StartCount begins a count of a location (by name or id), or of one bin of it. A count of the same
// place already going on is continued instead, so a restart or a second desk never splits one count.
func (s *Store) StartCount(ctx context.Context, location, bin string) (StockCountSession, error) {
	if err := s.require(PermMoveStock); err != nil {
		return StockCountSession{}, err
	}
	bin = strings.TrimSpace(bin)
	var id int64
	err := s.update(ctx, func(t *tx) error {
		loc, err := t.countLocation(ctx, location)
		if errors.Is(err, ErrNotFound) {
			return errorf(ErrNotFound, "there is no location %q", location)
		}
		if err != nil {
			return err
		}
		err = t.QueryRowContext(ctx, `SELECT id FROM stock_counts WHERE location_id = ? AND bin = ? AND status IN ('counting', 'submitted')
			ORDER BY id DESC LIMIT 1`, loc, bin).Scan(&id)
		if err == nil {
			_, err = t.ExecContext(ctx, `UPDATE stock_counts SET status = 'counting', submitted_at = NULL WHERE id = ?`, id)
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find open count: %w", err)
		}
		r, err := t.ExecContext(ctx, `INSERT INTO stock_counts(location_id, bin, status, started_at, started_by, hlc, device_id)
			VALUES (?, ?, 'counting', ?, ?, ?, ?)`, loc, bin, t.nowText(), t.s.user.Name, t.hlc, t.s.device)
		if err != nil {
			return fmt.Errorf("start count: %w", err)
		}
		id, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return StockCountSession{}, err
	}
	return s.StockCount(ctx, id)
}

// OpenCounts lists the counts going on or waiting for approval, oldest first.
func (s *Store) OpenCounts(ctx context.Context) ([]StockCountSession, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM stock_counts WHERE status IN ('counting', 'submitted') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list open counts: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list open counts: %w", err)
	}
	out := make([]StockCountSession, 0, len(ids))
	for _, id := range ids {
		c, err := s.StockCount(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// StockCount returns a count with its lines.
func (s *Store) StockCount(ctx context.Context, id int64) (StockCountSession, error) {
	return s.stockCount(ctx, s.read, id)
}

func (s *Store) stockCount(ctx context.Context, q querier, id int64) (StockCountSession, error) {
	var c StockCountSession
	var started string
	var submitted, closed sql.NullString
	err := q.QueryRowContext(ctx, `SELECT c.id, c.location_id, l.name, c.bin, c.status, c.started_at, c.started_by, c.submitted_at,
			c.closed_at, c.closed_by, c.reason
		FROM stock_counts c JOIN locations l ON l.id = c.location_id WHERE c.id = ?`, id).
		Scan(&c.ID, &c.LocationID, &c.LocationName, &c.Bin, &c.Status, &started, &c.StartedBy, &submitted, &closed, &c.ClosedBy, &c.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errorf(ErrNotFound, "there is no stock count %d", id)
	}
	if err != nil {
		return c, fmt.Errorf("read stock count %d: %w", id, err)
	}
	c.StartedAt, c.SubmittedAt, c.ClosedAt = parseTime(started), parseNullTime(submitted), parseNullTime(closed)
	// The SKUs kept in the counted place (their location, or the default one when they name none) and
	// the SKUs scanned there, whatever the catalogue says: a SKU found on the wrong shelf is counted too.
	rows, err := q.QueryContext(ctx, `SELECT v.sku, p.name || CASE WHEN v.title <> '' THEN ' ' || v.title ELSE '' END, v.bin,
			COALESCE((SELECT m.on_hand FROM stock_levels m WHERE m.sku = v.sku AND m.location_id = ?), 0),
			i.counted
		FROM variants v JOIN products p ON p.id = v.product_id
		LEFT JOIN stock_count_items i ON i.count_id = ? AND i.sku = v.sku
		WHERE i.sku IS NOT NULL OR (v.active = 1
			AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku)
			AND COALESCE(v.location_id, (SELECT id FROM locations ORDER BY is_default DESC, rowid LIMIT 1)) = ?
			AND (? = '' OR v.bin = ?))`, c.LocationID, id, c.LocationID, c.Bin, c.Bin)
	if err != nil {
		return c, fmt.Errorf("read stock count %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l CountLine
		var counted sql.NullInt64
		if err := rows.Scan(&l.SKU, &l.Name, &l.Bin, &l.Expected, &counted); err != nil {
			return c, fmt.Errorf("read stock count %d: %w", id, err)
		}
		l.Counted, l.Scanned = counted.Int64, counted.Valid
		l.Misplaced = c.Bin != "" && !strings.EqualFold(l.Bin, c.Bin)
		c.Lines = append(c.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("read stock count %d: %w", id, err)
	}
	sort.Slice(c.Lines, func(i, j int) bool {
		if c.Lines[i].Bin != c.Lines[j].Bin {
			return naturalLess(c.Lines[i].Bin, c.Lines[j].Bin)
		}
		return naturalLess(c.Lines[i].SKU, c.Lines[j].SKU)
	})
	return c, nil
}

// countWrite runs fn on a count that is still being counted.
func (s *Store) countWrite(ctx context.Context, id int64, fn func(t *tx, c StockCountSession) error) (StockCountSession, error) {
	if err := s.require(PermMoveStock); err != nil {
		return StockCountSession{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		c, err := s.stockCount(ctx, t, id)
		if err != nil {
			return err
		}
		if c.Status != CountCounting && c.Status != CountSubmitted {
			return errorf(ErrConflict, "the count of %s is %s and takes no more scans", c.Scope(), c.Status)
		}
		return fn(t, c)
	})
	if err != nil {
		return StockCountSession{}, err
	}
	return s.StockCount(ctx, id)
}

// CountScan adds units of the SKU a scanned code (a barcode, or the SKU itself) names to the count:
// one per scan, or more when the counter types how many there are.
func (s *Store) CountScan(ctx context.Context, id int64, code string, units int64) (CountLine, StockCountSession, error) {
	code = strings.TrimSpace(code)
	if units <= 0 {
		units = 1
	}
	var sku string
	c, err := s.countWrite(ctx, id, func(t *tx, c StockCountSession) error {
		var err error
		if sku, err = t.skuForCode(ctx, code); err != nil {
			return err
		}
		if sku == "" {
			return errorf(ErrNotFound, "unknown code %s: it is no barcode or SKU of this shop", code)
		}
		if parts, err := t.kitParts(ctx, sku); err != nil {
			return err
		} else if len(parts) > 0 {
			return errorf(ErrInvalid, "%s is a kit and holds no stock itself: count its parts", sku)
		}
		return t.setCounted(ctx, id, sku, units, true)
	})
	if err != nil {
		return CountLine{}, StockCountSession{}, err
	}
	for _, l := range c.Lines {
		if strings.EqualFold(l.SKU, sku) {
			return l, c, nil
		}
	}
	return CountLine{SKU: sku}, c, nil
}

// SetCounted sets how many of a SKU were counted, correcting a miscount.
func (s *Store) SetCounted(ctx context.Context, id int64, sku string, counted int64) (StockCountSession, error) {
	if counted < 0 {
		return StockCountSession{}, errorf(ErrInvalid, "a count cannot be below zero")
	}
	return s.countWrite(ctx, id, func(t *tx, c StockCountSession) error {
		v, err := t.s.variant(ctx, t, strings.TrimSpace(sku))
		if err != nil {
			return err
		}
		return t.setCounted(ctx, id, v.SKU, counted, false)
	})
}

func (t *tx) setCounted(ctx context.Context, id int64, sku string, n int64, add bool) error {
	q := `INSERT INTO stock_count_items(count_id, sku, counted, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(count_id, sku) DO UPDATE SET counted = excluded.counted, updated_at = excluded.updated_at`
	if add {
		q = `INSERT INTO stock_count_items(count_id, sku, counted, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(count_id, sku) DO UPDATE SET counted = counted + excluded.counted, updated_at = excluded.updated_at`
	}
	if _, err := t.ExecContext(ctx, q, id, sku, n, t.nowText()); err != nil {
		return fmt.Errorf("count %s: %w", sku, err)
	}
	return nil
}

// SubmitCount says the counter is done: the count waits for an owner's approval.
func (s *Store) SubmitCount(ctx context.Context, id int64) (StockCountSession, error) {
	return s.countWrite(ctx, id, func(t *tx, c StockCountSession) error {
		_, err := t.ExecContext(ctx, `UPDATE stock_counts SET status = 'submitted', submitted_at = ? WHERE id = ?`, t.nowText(), id)
		return err
	})
}

// ApproveCount writes the count's differences to the ledger as count movements, with the owner's
// reason, and closes it. A SKU kept there but never scanned counts as none: the review shows them.
// It returns how many SKUs moved.
func (s *Store) ApproveCount(ctx context.Context, id int64, reason string) (int, error) {
	if err := s.require(PermApproveCounts); err != nil {
		return 0, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return 0, errorf(ErrInvalid, "say why the stock differs (a yearly count, found damaged goods, …): the ledger keeps it")
	}
	moved := 0
	err := s.update(ctx, func(t *tx) error {
		c, err := s.stockCount(ctx, t, id)
		if err != nil {
			return err
		}
		if c.Status != CountCounting && c.Status != CountSubmitted {
			return errorf(ErrConflict, "the count of %s is already %s", c.Scope(), c.Status)
		}
		for _, l := range c.Lines {
			if l.Difference() == 0 {
				continue
			}
			m := Movement{ID: newID(), SKU: l.SKU, LocationID: c.LocationID, Quantity: l.Difference(), Reason: ReasonCount,
				RefType: "count", RefID: strconv.FormatInt(id, 10),
				Note: fmt.Sprintf("count of %s: %d counted, %d expected; %s", c.Scope(), l.Counted, l.Expected, reason)}
			if _, err := t.insertMovement(ctx, m); err != nil {
				return err
			}
			moved++
		}
		if _, err := t.ExecContext(ctx, `UPDATE stock_counts SET status = 'approved', closed_at = ?, closed_by = ?, reason = ? WHERE id = ?`,
			t.nowText(), t.s.user.Name, reason, id); err != nil {
			return fmt.Errorf("close count: %w", err)
		}
		return t.audit(ctx, "approve", "stock_count", strconv.FormatInt(id, 10), nil, map[string]any{"scope": c.Scope(), "moved": moved, "reason": reason})
	})
	return moved, err
}

// DiscardCount throws a count away; the ledger is untouched.
func (s *Store) DiscardCount(ctx context.Context, id int64) error {
	_, err := s.countWrite(ctx, id, func(t *tx, c StockCountSession) error {
		_, err := t.ExecContext(ctx, `UPDATE stock_counts SET status = 'discarded', closed_at = ?, closed_by = ? WHERE id = ?`,
			t.nowText(), t.s.user.Name, id)
		return err
	})
	return err
}
