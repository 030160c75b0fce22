package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// StatusAge is how long orders waited in one status: the bottleneck figures. A wait runs from the order
// entering the status to it entering the next one; an open order still in the status waits until now.
type StatusAge struct {
	Status                   Status
	Orders                   int // orders that spent time in the status
	Average, Median, Longest time.Duration
}

// StatusAges measures how long the orders placed in [from, to) waited in each open status (new, paid,
// picking, packed), in that order; a status no order passed through has zero figures. The times come
// from the order status history, so an order imported already paid has no time in new. Only those who
// may read the audit log see it.
//
// The waits are kept in status_waits (migration 0016), so counting, summing and ranking them is SQLite's
// work on one index range per status. Ended waits are whole milliseconds, as the history's times are; a
// running one lasts the whole milliseconds to now plus now's fraction of one, and none when it begins
// after now. So the figures are exactly those of subtracting the times in Go, as they were measured
// before.
func (s *Store) StatusAges(ctx context.Context, from, to time.Time) ([]StatusAge, error) {
	if err := s.require(PermViewAudit); err != nil {
		return nil, err
	}
	now := s.now()
	nowMS := now.Truncate(time.Millisecond)
	rest := now.Sub(nowMS)
	args := []any{formatTime(from), formatTime(to), nowMS.UnixMilli(), int64(rest)}
	type figures struct {
		ended, running, runningPast int64 // waits ended; running; of those, begun by now
		sumMS, longestMS            int64 // over the ended waits and the running ones begun by now
		firstMS                     sql.NullInt64
	}
	by := map[Status]*figures{}
	for _, st := range OpenStatuses() {
		by[st] = &figures{}
	}
	err := scanRows(ctx, s.read, `SELECT status, count(*), SUM(wait_ms), MAX(wait_ms) FROM status_waits
		WHERE status IN `+openStatuses+` AND placed_at >= ?1 AND placed_at < ?2 AND wait_ms IS NOT NULL GROUP BY status`, func(r *sql.Rows) error {
		var st Status
		var n, sum, longest int64
		if err := r.Scan(&st, &n, &sum, &longest); err != nil {
			return err
		}
		if f := by[st]; f != nil {
			f.ended, f.sumMS, f.longestMS = n, sum, longest
		}
		return nil
	}, args[:2]...)
	if err != nil {
		return nil, fmt.Errorf("read status waits: %w", err)
	}
	err = scanRows(ctx, s.read, `SELECT status, count(*), COALESCE(SUM(?3 - entered) FILTER (WHERE entered <= ?3), 0),
			count(*) FILTER (WHERE entered <= ?3), MIN(entered)
		FROM (`+runningWaits(openStatuses)+`) GROUP BY status`, func(r *sql.Rows) error {
		var st Status
		var n, sum, past int64
		var first sql.NullInt64
		if err := r.Scan(&st, &n, &sum, &past, &first); err != nil {
			return err
		}
		if f := by[st]; f != nil {
			f.running, f.runningPast, f.firstMS = n, past, first
			f.sumMS += sum
		}
		return nil
	}, args[:3]...)
	if err != nil {
		return nil, fmt.Errorf("read running status waits: %w", err)
	}

	out := make([]StatusAge, 0, len(OpenStatuses()))
	for _, st := range OpenStatuses() {
		f := by[st]
		age := StatusAge{Status: st, Orders: int(f.ended + f.running)}
		if age.Orders == 0 {
			out = append(out, age)
			continue
		}
		// Milliseconds are divided first: a large shop's waits summed in nanoseconds overflow.
		n := int64(age.Orders)
		age.Average = time.Duration(f.sumMS/n)*time.Millisecond +
			(time.Duration(f.sumMS%n)*time.Millisecond+time.Duration(f.runningPast)*rest)/time.Duration(n)
		age.Longest = time.Duration(f.longestMS) * time.Millisecond
		if f.firstMS.Valid && f.firstMS.Int64 <= nowMS.UnixMilli() {
			age.Longest = max(age.Longest, time.Duration(nowMS.UnixMilli()-f.firstMS.Int64)*time.Millisecond+rest)
		}
		// The middle one or two of the waits in order of length: the ended ones come in that order from
		// status_waits_ended_length and the running ones, few, are sorted, and SQLite merges the two. A
		// wait is whole milliseconds, plus now's fraction of one for a running wait begun by now (then
		// marked 1): so ordering by both orders the waits by length exactly.
		var middle []time.Duration
		err := scanRows(ctx, s.read, `SELECT wait_ms, 0 FROM status_waits INDEXED BY status_waits_ended_length
				WHERE status = ?4 AND placed_at >= ?1 AND placed_at < ?2 AND wait_ms IS NOT NULL
			UNION ALL SELECT CASE WHEN entered <= ?3 THEN ?3 - entered ELSE 0 END, entered <= ?3 FROM (`+runningWaits("(?4)")+`)
			ORDER BY 1, 2 LIMIT ?5 OFFSET ?6`, func(r *sql.Rows) error {
			var ms int64
			var running bool
			if err := r.Scan(&ms, &running); err != nil {
				return err
			}
			w := time.Duration(ms) * time.Millisecond
			if running {
				w += rest
			}
			middle = append(middle, w)
			return nil
		}, append(args[:3:3], st, 2-n%2, (n-1)/2)...)
		if err != nil {
			return nil, fmt.Errorf("read the median wait in %s: %w", st, err)
		}
		if len(middle) > 0 {
			age.Median = middle[0]
			if len(middle) == 2 {
				age.Median = (middle[0] + middle[1]) / 2
			}
		}
		out = append(out, age)
	}
	return out, nil
}

// keepWaits brings status_waits up to date with a step just added to an order's history: the order
// entered st at at. The step comes after every step at or before at (a step at the same time was stored
// earlier, with a lower rowid) and before the first one after it, next, which only a step arriving late
// has. The wait of the step before it ended at next, or was running: it now ends at at (it has no row
// when its status is not open). The new step waits until next, or runs. An order's first step, which
// every import stores, has none of this to find (keepFirstWait).
func (t *tx) keepWaits(ctx context.Context, orderID int64, st Status, at string) error {
	var next sql.NullString
	err := t.QueryRowContext(ctx, `SELECT at FROM order_status_history WHERE order_id = ? AND at > ? ORDER BY at LIMIT 1`, orderID, at).Scan(&next)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("find the step after %s in order %d: %w", at, orderID, err)
	}
	// Of the order's waits, only the step before's ends at next (or runs) and began at or before at.
	if _, err := t.ExecContext(ctx, `UPDATE status_waits SET left_at = ?2, wait_ms = `+waitMS("entered_at", "?2")+`
		WHERE rowid = (SELECT rowid FROM status_waits WHERE order_id = ?1 AND entered_at <= ?2 AND left_at IS ?3 LIMIT 1)`,
		orderID, at, next); err != nil {
		return fmt.Errorf("end the wait before %s in order %d: %w", at, orderID, err)
	}
	if !st.Open() {
		return nil
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO status_waits(order_id, status, placed_at, entered_at, left_at, wait_ms)
		SELECT id, ?4, placed_at, ?2, ?3, CASE WHEN ?3 IS NOT NULL THEN `+waitMS("?2", "?3")+` END FROM orders WHERE id = ?1`,
		orderID, at, next, st); err != nil {
		return fmt.Errorf("record the wait in %s of order %d: %w", st, orderID, err)
	}
	return nil
}

// keepFirstWait records the wait of an order's first step: it runs, if st is open. Looking for steps
// around it, as keepWaits does, added a fifth to the time of an import, where every order is new.
func (t *tx) keepFirstWait(ctx context.Context, orderID int64, st Status, at string) error {
	if !st.Open() {
		return nil
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO status_waits(order_id, status, placed_at, entered_at)
		SELECT id, ?2, placed_at, ?3 FROM orders WHERE id = ?1`, orderID, st, at); err != nil {
		return fmt.Errorf("record the wait in %s of order %d: %w", st, orderID, err)
	}
	return nil
}

// waitMS is the whole milliseconds from one stored time to another, as migration 0016 measures them; a
// time SQLite cannot read counts as no wait rather than failing the status change that records it.
func waitMS(from, to string) string {
	return `COALESCE(CAST(round((unixepoch(` + to + `, 'subsec') - unixepoch(` + from + `, 'subsec')) * 1000) AS INTEGER), 0)`
}

// runningWaits selects the waits still running in the statuses listed, of the orders placed in [?1, ?2):
// the status and when the order entered it, in Unix milliseconds. The order must still stand in it: one
// whose status was changed without a step in its history is not waiting there. INDEXED BY: SQLite would
// rather read each order's status from its wide row than from the narrow index that holds it.
func runningWaits(statuses string) string {
	return `SELECT w.status AS status, CAST(round(unixepoch(w.entered_at, 'subsec') * 1000) AS INTEGER) AS entered
		FROM status_waits w JOIN orders o INDEXED BY orders_id_sales ON o.id = w.order_id
		WHERE w.status IN ` + statuses + ` AND w.placed_at >= ?1 AND w.placed_at < ?2 AND w.wait_ms IS NULL AND o.status = w.status`
}

// lowerASCII folds A–Z to a–z and nothing else, as SQLite's lower does.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// StuckOrder is an open order that has stood in its status for long.
type StuckOrder struct {
	// Order holds what names the order and what it waits for: its id, channel, number, status, when it
	// was placed and its ship-by date; not its customer, money, lines or history, which opening it shows.
	// A large shop can have thousands stuck, and reading their whole rows was most of this list's time.
	Order  Order
	Status Status
	Since  time.Time // when it entered Status
}

// StuckOrders lists the open orders that have been in their current status for longer than longer,
// the one stuck longest first. An order without history counts from when it was placed. Only those who
// may read the audit log see it.
func (s *Store) StuckOrders(ctx context.Context, longer time.Duration) ([]StuckOrder, error) {
	if err := s.require(PermViewAudit); err != nil {
		return nil, err
	}
	// Since when each open order stands in its status comes from two narrow indexes; only the orders stuck
	// are then read whole. Joining every open order's wide row to its history and grouping them all took
	// nearly twice as long on a large shop, where most open orders are not stuck.
	rows, err := s.read.QueryContext(ctx, `WITH waiting(id, since) AS MATERIALIZED (SELECT w.id, COALESCE(
				(SELECT MAX(h.at) FROM order_status_history h WHERE h.order_id = w.id AND h.status = w.status), w.placed_at)
			FROM orders w WHERE w.status IN `+openStatuses+`)
		SELECT o.id, o.channel, o.external_id, o.status, o.placed_at, o.placed_offset, o.ship_by, x.since
		FROM waiting x CROSS JOIN orders o ON o.id = x.id
		WHERE x.since < ? ORDER BY x.since, o.id`, formatTime(s.now().Add(-longer)))
	if err != nil {
		return nil, fmt.Errorf("list stuck orders: %w", err)
	}
	defer rows.Close()
	var out []StuckOrder
	for rows.Next() {
		var o Order
		var placed, since string
		var offset sql.NullInt64
		var shipBy sql.NullString
		if err := rows.Scan(&o.ID, &o.Channel, &o.ExternalID, &o.Status, &placed, &offset, &shipBy, &since); err != nil {
			return nil, fmt.Errorf("list stuck orders: %w", err)
		}
		o.PlacedAt = parseTime(placed)
		if offset.Valid {
			o.PlacedAt = o.PlacedAt.In(time.FixedZone("", int(offset.Int64)))
		}
		o.ShipBy = parseNullTime(shipBy)
		out = append(out, StuckOrder{Order: o, Status: o.Status, Since: parseTime(since)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list stuck orders: %w", err)
	}
	return out, nil
}

// CarrierFigures is how one carrier's service did over a period.
type CarrierFigures struct {
	Carrier, Service string
	Shipped          int
	// OnTime counts the parcels handed over on or before their order's ship-by date, among the
	// WithShipBy that had one.
	OnTime     int
	WithShipBy int
	// Delivered counts the parcels with a delivery date; AverageTransit is the mean time from handing
	// over to delivery among them (a delivery recorded before the handover is left out as a typo).
	Delivered      int
	AverageTransit time.Duration
}

// OnTimeRate is OnTime ÷ WithShipBy; 0 when no parcel had a ship-by date, which callers show as
// unknown rather than as a failure.
func (c CarrierFigures) OnTimeRate() float64 {
	if c.WithShipBy == 0 {
		return 0
	}
	return float64(c.OnTime) / float64(c.WithShipBy)
}

// CarrierFigures sums the shipments handed over in [from, to) per carrier and service, sorted by
// carrier then service. Carriers are typed by hand, so "Royal Mail" and "royal mail" count as one,
// under the spelling seen first. Only those who may read the audit log see it.
func (s *Store) CarrierFigures(ctx context.Context, from, to time.Time) ([]CarrierFigures, error) {
	if err := s.require(PermViewAudit); err != nil {
		return nil, err
	}
	// Summed in SQL from shipment_times (migration 0023), which holds each parcel's figures against its
	// order's dates: a period of one spelling of a carrier and service is one range of its index, with
	// nothing joined or parsed. Grouping the period's parcels would have SQLite sort them all; instead the
	// spellings (few, found by stepping through the index carrier by carrier) each sum their own range,
	// and spellings that differ only in case (by SQLite's lower, which folds ASCII alone) are added up
	// here, under the spelling of the first parcel. Times are stored in one fixed layout, so comparing
	// them as text compares them as times.
	type group struct {
		figures   CarrierFigures
		first     string
		transitMS float64
		measured  int
	}
	groups := map[[2]string]*group{}
	var keys [][2]string
	err := scanRows(ctx, s.read, `WITH RECURSIVE carriers(carrier) AS (SELECT min(carrier) FROM shipment_times
			UNION ALL SELECT (SELECT min(carrier) FROM shipment_times WHERE carrier > c.carrier) FROM carriers c WHERE c.carrier IS NOT NULL),
		kinds(carrier, service) AS (
			SELECT carrier, (SELECT min(service) FROM shipment_times WHERE carrier = c.carrier) FROM carriers c WHERE c.carrier IS NOT NULL
			UNION ALL SELECT carrier, (SELECT min(service) FROM shipment_times WHERE carrier = k.carrier AND service > k.service)
			FROM kinds k WHERE k.service IS NOT NULL)
		SELECT k.carrier, k.service, (SELECT json_array(MIN(t.shipped_at), COUNT(*), COALESCE(SUM(t.ship_by), 0),
				COALESCE(SUM(t.on_time), 0), COALESCE(SUM(t.delivered), 0), COALESCE(SUM(t.measured), 0), COALESCE(SUM(t.transit_ms), 0))
			FROM shipment_times t WHERE t.carrier = k.carrier AND t.service = k.service AND t.shipped_at >= ?1 AND t.shipped_at < ?2)
		FROM kinds k WHERE k.service IS NOT NULL`, func(r *sql.Rows) error {
		var carrier, service, sums string
		if err := r.Scan(&carrier, &service, &sums); err != nil {
			return err
		}
		var first string // null, and so left empty, when no parcel of the spelling is in the period
		var shipped, withShipBy, onTime, delivered, measured int
		var transitMS float64
		if err := json.Unmarshal([]byte(sums), &[]any{&first, &shipped, &withShipBy, &onTime, &delivered, &measured, &transitMS}); err != nil {
			return fmt.Errorf("read the figures of %s %s: %w", carrier, service, err)
		}
		if shipped == 0 {
			return nil
		}
		key := [2]string{lowerASCII(carrier), lowerASCII(service)}
		g := groups[key]
		if g == nil {
			g = &group{figures: CarrierFigures{Carrier: carrier, Service: service}, first: first}
			groups[key] = g
			keys = append(keys, key)
		}
		if first < g.first {
			g.figures.Carrier, g.figures.Service, g.first = carrier, service, first
		}
		g.figures.Shipped += shipped
		g.figures.WithShipBy += withShipBy
		g.figures.OnTime += onTime
		g.figures.Delivered += delivered
		g.measured += measured
		g.transitMS += transitMS
		return nil
	}, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("read shipments: %w", err)
	}
	var out []CarrierFigures
	for _, k := range keys {
		g := groups[k]
		if g.measured > 0 {
			g.figures.AverageTransit = time.Duration(g.transitMS/float64(g.measured)) * time.Millisecond
		}
		out = append(out, g.figures)
	}
	slices.SortFunc(out, func(a, b CarrierFigures) int {
		if c := strings.Compare(strings.ToLower(a.Carrier), strings.ToLower(b.Carrier)); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Service), strings.ToLower(b.Service))
	})
	return out, nil
}
