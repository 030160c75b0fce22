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
	rows, err := s.read.QueryContext(ctx, `SELECT h.order_id, h.status, h.at, o.status
		FROM orders o JOIN order_status_history h ON h.order_id = o.id
		WHERE o.placed_at >= ? AND o.placed_at < ? ORDER BY h.order_id, h.at, h.rowid`, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("read status history: %w", err)
	}
	defer rows.Close()
	waits := map[Status][]time.Duration{}
	type step struct {
		order   int64
		status  Status
		at      time.Time
		current Status
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
		case prev.current == prev.status:
			waits[prev.status] = append(waits[prev.status], max(now.Sub(prev.at), 0))
		}
	}
	for rows.Next() {
		var st step
		var at string
		if err := rows.Scan(&st.order, &st.status, &at, &st.current); err != nil {
			return nil, fmt.Errorf("read status history: %w", err)
		}
		st.at = parseTime(at)
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
	rows, err := s.read.QueryContext(ctx, `SELECT sh.carrier, sh.service, sh.shipped_at, o.ship_by, o.delivered_at
		FROM shipments sh JOIN orders o ON o.id = sh.order_id
		WHERE sh.shipped_at >= ? AND sh.shipped_at < ? ORDER BY sh.shipped_at, sh.order_id`, formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("read shipments: %w", err)
	}
	defer rows.Close()
	type sums struct {
		CarrierFigures
		transit  time.Duration
		measured int
	}
	byKey := map[string]*sums{}
	for rows.Next() {
		var carrier, service, shippedText string
		var shipByText, deliveredText sql.NullString
		if err := rows.Scan(&carrier, &service, &shippedText, &shipByText, &deliveredText); err != nil {
			return nil, fmt.Errorf("read shipments: %w", err)
		}
		key := strings.ToLower(carrier) + "\x00" + strings.ToLower(service)
		c := byKey[key]
		if c == nil {
			c = &sums{CarrierFigures: CarrierFigures{Carrier: carrier, Service: service}}
			byKey[key] = c
		}
		shipped := parseTime(shippedText)
		c.Shipped++
		if shipByText.Valid {
			c.WithShipBy++
			if !shipped.After(parseTime(shipByText.String)) {
				c.OnTime++
			}
		}
		if deliveredText.Valid {
			c.Delivered++
			if transit := parseTime(deliveredText.String).Sub(shipped); transit >= 0 {
				c.transit += transit
				c.measured++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read shipments: %w", err)
	}
	out := make([]CarrierFigures, 0, len(byKey))
	for _, c := range byKey {
		if c.measured > 0 {
			c.AverageTransit = c.transit / time.Duration(c.measured)
		}
		out = append(out, c.CarrierFigures)
	}
	slices.SortFunc(out, func(a, b CarrierFigures) int {
		if c := strings.Compare(strings.ToLower(a.Carrier), strings.ToLower(b.Carrier)); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Service), strings.ToLower(b.Service))
	})
	return out, nil
}
