package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"
)

// status_waits is kept from the status history by the store as it writes each step: after everything the
// demo shop does, and after steps arriving out of time order (as a sync from another device delivers
// them), ties in time, a changed placing date and a deleted order, it must hold exactly the waits the
// history says, and StatusAges must give what measuring the history step by step gives.
func TestStatusWaits_MatchTheHistory(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Orders: 300})
	// A clock between milliseconds, a day and a half before the demo's today, so that some waits are still
	// running and some steps lie ahead of now.
	now := demoNow.Add(-36*time.Hour + 123456789)
	at, err := Open(ctx, s.Path(), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { at.Close() })

	// One order still paid since before now, alone in its period: its running wait is the median.
	var placed string
	if err := s.read.QueryRowContext(ctx, `SELECT o.placed_at FROM orders o JOIN order_status_history h ON h.order_id = o.id
		WHERE o.status = 'paid' GROUP BY o.id HAVING count(*) = 1 AND max(h.status) = 'paid' AND max(h.at) < ? LIMIT 1`,
		formatTime(now)).Scan(&placed); err != nil {
		t.Fatalf("find an order still paid: %v", err)
	}
	alone := parseTime(placed)

	check := func(t *testing.T) {
		t.Helper()
		got, want := keptWaits(t, s), historyWaits(t, s)
		if len(want) < 100 {
			t.Fatalf("the history has %d waits, want a real shop's worth", len(want))
		}
		if !slices.Equal(got, want) {
			for i := range max(len(got), len(want)) {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Fatalf("status_waits has %d waits, the history %d; first difference: kept %q, history %q", len(got), len(want), g, w)
				}
			}
		}
		for _, period := range [][2]time.Time{
			{demoNow.AddDate(0, 0, -100), demoNow.AddDate(0, 0, 1)},
			{demoNow.AddDate(0, 0, -30), demoNow},
			{demoNow.AddDate(0, 0, -3), demoNow.AddDate(0, 0, -1)},
			{now.AddDate(0, 0, -4), now},
			{alone, alone.Add(time.Millisecond)},
		} {
			got, err := at.StatusAges(ctx, period[0], period[1])
			if err != nil {
				t.Fatal(err)
			}
			want := statusAgesFromHistory(t, at, now, period[0], period[1])
			if !slices.Equal(got, want) {
				t.Errorf("StatusAges(%v, %v) = %+v, want %+v", period[0], period[1], got, want)
			}
		}
	}
	t.Run("Demo", check)

	// Steps of open and finished orders arrive late: between two steps, before the first, at the same
	// time as an existing step, and after the last but dated before it.
	var ids []int64
	if err := scanRows(ctx, s.read, `SELECT id FROM orders ORDER BY status, id`, func(r *sql.Rows) error {
		var id int64
		ids = append(ids, id)
		return r.Scan(&ids[len(ids)-1])
	}); err != nil {
		t.Fatal(err)
	}
	// A step goes in as the store writes every step, at a time worked out from the order's history.
	step := func(t *testing.T, order int64, st Status, when string) {
		t.Helper()
		var at string
		if err := s.read.QueryRowContext(ctx, `SELECT `+when+` FROM order_status_history WHERE order_id = ?`, order).Scan(&at); err != nil {
			t.Fatalf("find a time in order %d's history: %v", order, err)
		}
		if err := s.update(ctx, func(t *tx) error { return t.addStep(ctx, order, st, at) }); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("StepsOutOfOrder", func(t *testing.T) {
		for i, id := range ids {
			switch i % 5 {
			case 0:
				step(t, id, StatusPicking, `strftime('%Y-%m-%dT%H:%M:%fZ', (unixepoch(min(at), 'subsec') + unixepoch(max(at), 'subsec')) / 2, 'unixepoch')`)
			case 1:
				step(t, id, StatusNew, `strftime('%Y-%m-%dT%H:%M:%fZ', unixepoch(min(at), 'subsec') - 3600.5, 'unixepoch')`)
			case 2:
				step(t, id, StatusPacked, `min(at)`)
			case 3:
				// Two steps at the time of the last, then one just before them all: the waits that end then
				// are two, the one before them and the first of the three.
				step(t, id, StatusPaid, `max(at)`)
				step(t, id, StatusPaid, `max(at)`)
				step(t, id, StatusPicking, `strftime('%Y-%m-%dT%H:%M:%fZ', unixepoch(max(at), 'subsec') - 0.001, 'unixepoch')`)
			case 4:
				step(t, id, StatusPacked, `strftime('%Y-%m-%dT%H:%M:%fZ', unixepoch(max(at), 'subsec') - 0.001, 'unixepoch')`)
			}
		}
		check(t)
	})
	t.Run("PlacedAtChanged", func(t *testing.T) {
		if _, err := s.write.ExecContext(ctx, `UPDATE orders SET placed_at = strftime('%Y-%m-%dT%H:%M:%fZ', unixepoch(placed_at, 'subsec') - 86400 * 20, 'unixepoch')
			WHERE id % 7 = 0`); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("OrderDeleted", func(t *testing.T) {
		res, err := s.write.ExecContext(ctx, `DELETE FROM orders WHERE id IN (SELECT o.id FROM orders o WHERE o.status IN `+openStatuses+`
			AND NOT EXISTS (SELECT 1 FROM contingency_held_orders c WHERE c.order_id = o.id) LIMIT 5)`)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatal("no open order to delete")
		}
		check(t)
	})
}

// keptWaits lists status_waits, one line per wait, sorted.
func keptWaits(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	err := scanRows(context.Background(), s.read, `SELECT order_id, status, placed_at, entered_at, left_at, wait_ms FROM status_waits`, func(r *sql.Rows) error {
		var id int64
		var ms sql.NullInt64
		var st, placed, entered string
		var left sql.NullString
		if err := r.Scan(&id, &st, &placed, &entered, &left, &ms); err != nil {
			return err
		}
		out = append(out, waitLine(id, st, placed, entered, left.String, ms))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func waitLine(order int64, st, placed, entered, left string, ms sql.NullInt64) string {
	if left == "" && !ms.Valid {
		return fmt.Sprintf("%d %s placed %s: %s, running", order, st, placed, entered)
	}
	return fmt.Sprintf("%d %s placed %s: %s to %s, %v ms", order, st, placed, entered, left, ms)
}

// historyWaits lists, from the status history walked step by step, every wait in an open status in
// keptWaits' form: until the order's next step, or running when there is none.
func historyWaits(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	type step struct {
		order      int64
		status     Status
		placed, at string
	}
	var prev step
	finish := func(next *step) {
		if prev.order == 0 || !prev.status.Open() {
			return
		}
		if next != nil && next.order == prev.order {
			ms := sql.NullInt64{Int64: parseTime(next.at).Sub(parseTime(prev.at)).Milliseconds(), Valid: true}
			out = append(out, waitLine(prev.order, string(prev.status), prev.placed, prev.at, next.at, ms))
			return
		}
		out = append(out, waitLine(prev.order, string(prev.status), prev.placed, prev.at, "", sql.NullInt64{}))
	}
	err := scanRows(context.Background(), s.read, `SELECT h.order_id, o.placed_at, h.status, h.at FROM order_status_history h
		JOIN orders o ON o.id = h.order_id ORDER BY h.order_id, h.at, h.rowid`, func(r *sql.Rows) error {
		var st step
		if err := r.Scan(&st.order, &st.placed, &st.status, &st.at); err != nil {
			return err
		}
		finish(&st)
		prev = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	finish(nil)
	slices.Sort(out)
	return out
}

// statusAgesFromHistory is StatusAges as it was before status_waits: every step of the period's orders
// read in turn, each wait measured in Go.
func statusAgesFromHistory(t *testing.T, s *Store, now, from, to time.Time) []StatusAge {
	t.Helper()
	waits := map[Status][]time.Duration{}
	type step struct {
		order   int64
		status  Status
		at      time.Time
		current bool
	}
	var prev step
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
	err := scanRows(context.Background(), s.read, `SELECT h.order_id, h.status, h.at, h.status = o.status
		FROM orders o JOIN order_status_history h ON h.order_id = o.id
		WHERE o.placed_at >= ? AND o.placed_at < ? ORDER BY o.placed_at, o.id, h.at, h.rowid`, func(r *sql.Rows) error {
		var st step
		var at string
		if err := r.Scan(&st.order, &st.status, &at, &st.current); err != nil {
			return err
		}
		st.at = parseTime(at)
		finish(&st)
		prev = st
		return nil
	}, formatTime(from), formatTime(to))
	if err != nil {
		t.Fatal(err)
	}
	finish(nil)
	var out []StatusAge
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
	return out
}
