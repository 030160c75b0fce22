package data

import (
	"context"
	"database/sql"
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
func (s *Store) StatusAges(ctx context.Context, from, to time.Time) ([]StatusAge, error) {
	if err := s.require(PermViewAudit); err != nil {
		return nil, err
	}
	now := s.now()
	// Each order's steps in turn, in the order the indexes hold them (by placing time, then history by
	// time), so SQLite sorts nothing: sorting a month of a large shop's history by order id was a quarter
	// of this figure's time.
	// Status and time are read as raw bytes, and whether the step is where the order stands as a flag: a
	// string per column per row was a fifth of the time on a month of a large shop.
	rows, err := s.read.QueryContext(ctx, `SELECT h.order_id, h.status, h.at, h.status = o.status
		FROM orders o JOIN order_status_history h ON h.order_id = o.id
		WHERE o.placed_at >= ? AND o.placed_at < ? ORDER BY o.placed_at, o.id, h.at, h.rowid`, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("read status history: %w", err)
	}
	defer rows.Close()
	waits := map[Status][]time.Duration{}
	type step struct {
		order   int64
		status  Status
		at      time.Time
		current bool // the order still stands in this status
	}
	var prev step
	// finish closes the previous step: it lasted until next, or until now when it is where the order
	// still stands.
	finish := func(next *step) {
		if prev.order == 0 || !prev.status.Open() {
			return
		}
		switch {
		case next != nil && next.order == prev.order:
			waits[prev.status] = append(waits[prev.status], next.at.Sub(prev.at))
		case prev.current:
			waits[prev.status] = append(waits[prev.status], max(now.Sub(prev.at), 0))
		}
	}
	statuses := Statuses()
	var status, at sql.RawBytes
	for rows.Next() {
		var st step
		if err := rows.Scan(&st.order, &status, &at, &st.current); err != nil {
			return nil, fmt.Errorf("read status history: %w", err)
		}
		for _, known := range statuses {
			if string(status) == string(known) {
				st.status = known
			}
		}
		st.at = parseTime(string(at))
		finish(&st)
		prev = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read status history: %w", err)
	}
	finish(nil)

	out := make([]StatusAge, 0, len(OpenStatuses()))
	for _, st := range OpenStatuses() {
		w := waits[st]
		age := StatusAge{Status: st, Orders: len(w)}
		if len(w) > 0 {
			slices.Sort(w)
			var sum time.Duration
			for _, d := range w {
				sum += d
			}
			age.Average = sum / time.Duration(len(w))
			age.Median = w[len(w)/2]
			if len(w)%2 == 0 {
				age.Median = (w[len(w)/2-1] + w[len(w)/2]) / 2
			}
			age.Longest = w[len(w)-1]
		}
		out = append(out, age)
	}
	return out, nil
}

// StuckOrder is an open order that has stood in its status for long.
type StuckOrder struct {
	Order  Order // without lines or history
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
	rows, err := s.read.QueryContext(ctx, `SELECT `+orderColumns+`, COALESCE(MAX(h.at), o.placed_at) AS since
		FROM orders o LEFT JOIN order_status_history h ON h.order_id = o.id AND h.status = o.status
		WHERE o.status IN `+openStatuses+`
		GROUP BY o.id HAVING since < ? ORDER BY since, o.id`, formatTime(s.now().Add(-longer)))
	if err != nil {
		return nil, fmt.Errorf("list stuck orders: %w", err)
	}
	defer rows.Close()
	var out []StuckOrder
	for rows.Next() {
		var since string
		o, err := scanOrder(rows, &since)
		if err != nil {
			return nil, fmt.Errorf("list stuck orders: %w", err)
		}
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
	// Summed in SQL: the figures are counts and one sum of milliseconds, and a month of a large shop's
	// parcels read row by row into Go took longer than the whole answer should. Times are stored in one
	// fixed layout, so comparing them as text compares them as times. The spelling of a carrier is the one
	// of its first parcel: SQLite takes bare columns from the row MIN picks. INDEXED BY: SQLite would
	// rather look orders up by id in their wide rows than in the narrow index that holds the two dates.
	var out []CarrierFigures
	err := scanRows(ctx, s.read, `SELECT sh.carrier, sh.service, MIN(sh.shipped_at), COUNT(*),
			COUNT(o.ship_by), COUNT(CASE WHEN sh.shipped_at <= o.ship_by THEN 1 END),
			COUNT(o.delivered_at), COUNT(CASE WHEN o.delivered_at >= sh.shipped_at THEN 1 END),
			COALESCE(SUM(CASE WHEN o.delivered_at >= sh.shipped_at
				THEN ROUND((unixepoch(o.delivered_at, 'subsec') - unixepoch(sh.shipped_at, 'subsec')) * 1000) END), 0)
		FROM shipments sh JOIN orders o INDEXED BY orders_id_delivery ON o.id = sh.order_id
		WHERE sh.shipped_at >= ? AND sh.shipped_at < ? GROUP BY lower(sh.carrier), lower(sh.service)`, func(r *sql.Rows) error {
		var c CarrierFigures
		var first string
		var measured int
		var transitMS float64
		if err := r.Scan(&c.Carrier, &c.Service, &first, &c.Shipped, &c.WithShipBy, &c.OnTime, &c.Delivered, &measured, &transitMS); err != nil {
			return err
		}
		if measured > 0 {
			c.AverageTransit = time.Duration(transitMS/float64(measured)) * time.Millisecond
		}
		out = append(out, c)
		return nil
	}, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("read shipments: %w", err)
	}
	slices.SortFunc(out, func(a, b CarrierFigures) int {
		if c := strings.Compare(strings.ToLower(a.Carrier), strings.ToLower(b.Carrier)); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Service), strings.ToLower(b.Service))
	})
	return out, nil
}
