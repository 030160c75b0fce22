package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ExceptionKinds lists every exception kind, in the order the dashboard shows them.
func ExceptionKinds() []ExceptionKind {
	return []ExceptionKind{ExceptionLateOrder, ExceptionUnmatchedSKU, ExceptionMailReview, ExceptionAtRiskSKU,
		ExceptionReturnOpened, ExceptionPOOverdue, ExceptionRule, ExceptionTicketUnanswered}
}

// defaultExceptionLimit is how long each kind may stay open before the owner is nudged: hours for what
// a customer is waiting on, a day or two for what can wait.
func defaultExceptionLimit(k ExceptionKind) (time.Duration, bool) {
	switch k {
	case ExceptionLateOrder:
		return 4 * time.Hour, true
	case ExceptionUnmatchedSKU, ExceptionMailReview, ExceptionAtRiskSKU, ExceptionRule, ExceptionTicketUnanswered:
		return 24 * time.Hour, true
	case ExceptionReturnOpened, ExceptionPOOverdue:
		return 48 * time.Hour, true
	}
	return 0, false
}

// recentReturns is how long a return counts as just opened.
const recentReturns = 7 * 24 * time.Hour

func validExceptionKind(k ExceptionKind) bool {
	_, ok := defaultExceptionLimit(k)
	return ok
}

func exceptionLimitKey(k ExceptionKind) string { return "setting.exception_limit." + string(k) }

// ExceptionLimits returns the age limit of each exception kind: the stored one, or the default.
func (s *Store) ExceptionLimits(ctx context.Context) (map[ExceptionKind]time.Duration, error) {
	out := map[ExceptionKind]time.Duration{}
	for _, k := range ExceptionKinds() {
		out[k], _ = defaultExceptionLimit(k)
	}
	err := scanRows(ctx, s.read, `SELECT key, value FROM meta WHERE key LIKE 'setting.exception_limit.%'`, func(r *sql.Rows) error {
		var key, value string
		if err := r.Scan(&key, &value); err != nil {
			return err
		}
		k := ExceptionKind(strings.TrimPrefix(key, "setting.exception_limit."))
		if d, err := time.ParseDuration(value); err == nil && validExceptionKind(k) && d > 0 {
			out[k] = d
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read exception limits: %w", err)
	}
	return out, nil
}

// SetExceptionLimit sets the age limit of one exception kind, from a minute to 90 days. Only an owner may.
func (s *Store) SetExceptionLimit(ctx context.Context, k ExceptionKind, d time.Duration) error {
	if err := s.require(PermManageUsers); err != nil {
		return err
	}
	if !validExceptionKind(k) {
		return errorf(ErrInvalid, "exception kind %q is not one we know", k)
	}
	if d < time.Minute || d > 90*24*time.Hour {
		return errorf(ErrInvalid, "the age limit of %s exceptions is from a minute to 90 days, not %s", k, d)
	}
	return s.update(ctx, func(t *tx) error {
		var before any
		var old string
		err := t.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, exceptionLimitKey(k)).Scan(&old)
		if err == nil {
			before = old
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read exception limit: %w", err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
			exceptionLimitKey(k), d.String()); err != nil {
			return fmt.Errorf("save exception limit: %w", err)
		}
		return t.audit(ctx, "update", "setting", "exception_limit."+string(k), before, d.String())
	})
}

// problem is one current problem RefreshExceptions found.
type problem struct {
	kind    ExceptionKind
	subject string
	orderID int64
	ref     string
	summary string
	since   time.Time
}

func (p problem) key() string { return string(p.kind) + "\x00" + p.subject }

// currentProblems reads every problem the store can see now, from the places each kind of problem lives.
func (s *Store) currentProblems(ctx context.Context, now time.Time) ([]problem, error) {
	var out []problem
	add := func(p problem) {
		if p.since.IsZero() || p.since.After(now) {
			p.since = now
		}
		out = append(out, p)
	}
	err := scanRows(ctx, s.read, `SELECT id, channel, external_id, ship_by FROM orders
		WHERE status IN `+openStatuses+` AND ship_by IS NOT NULL AND ship_by < ? ORDER BY ship_by, id`, func(r *sql.Rows) error {
		var id int64
		var ch, ext, shipBy string
		if err := r.Scan(&id, &ch, &ext, &shipBy); err != nil {
			return err
		}
		sb := parseTime(shipBy)
		add(problem{ExceptionLateOrder, fmt.Sprint("order:", id), id, ch + " " + ext,
			fmt.Sprintf("%s order %s was due to ship by %s", ch, ext, sb.Format("2 Jan 15:04")), sb})
		return nil
	}, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("find late orders: %w", err)
	}
	err = scanRows(ctx, s.read, `SELECT o.id, o.channel, o.external_id, o.created_at, count(*),
		group_concat(CASE WHEN l.channel_sku <> '' THEN l.channel_sku ELSE l.name END, ', ')
		FROM order_lines l JOIN orders o ON o.id = l.order_id
		WHERE l.sku IS NULL AND o.status IN `+openStatuses+` GROUP BY o.id ORDER BY o.created_at, o.channel, o.external_id`, func(r *sql.Rows) error {
		var id, n int64
		var ch, ext, created, names string
		if err := r.Scan(&id, &ch, &ext, &created, &n, &names); err != nil {
			return err
		}
		add(problem{ExceptionUnmatchedSKU, fmt.Sprint("order:", id), id, ch + " " + ext,
			fmt.Sprintf("%s order %s has %s matching none of our SKUs: %s", ch, ext, linesWord(n), names), parseTime(created)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find unmatched lines: %w", err)
	}
	err = scanRows(ctx, s.read, `SELECT id, COALESCE(order_id, 0), subject, sender, COALESCE(received_at, stored_at) FROM mail_messages
		WHERE review = 'open' ORDER BY id`, func(r *sql.Rows) error {
		var id, orderID int64
		var subject, sender, at string
		if err := r.Scan(&id, &orderID, &subject, &sender, &at); err != nil {
			return err
		}
		add(problem{ExceptionMailReview, fmt.Sprint("mail:", id), orderID, subject,
			fmt.Sprintf("Mail from %s needs a look: %s", sender, subject), parseTime(at)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find mail to review: %w", err)
	}
	risks, err := s.AtRisk(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range risks {
		summary := fmt.Sprintf("%s: %d sellable but %d listed on %s", a.SKU, a.Sellable, a.Listed, a.Channel)
		if a.Oversold {
			summary = fmt.Sprintf("%s is oversold: %s short", a.SKU, plural(int(a.Short), "unit", "units"))
			if len(a.Orders) > 0 {
				summary += " for open orders " + strings.Join(a.Orders, ", ")
			}
		}
		add(problem{ExceptionAtRiskSKU, "sku:" + strings.ToLower(a.SKU) + ":" + a.Channel, 0, a.SKU, summary, now})
	}
	err = scanRows(ctx, s.read, `SELECT r.id, r.order_id, o.channel, o.external_id, r.sku, r.units, r.reason, r.at FROM returns r
		JOIN orders o ON o.id = r.order_id WHERE r.at >= ? ORDER BY r.id`, func(r *sql.Rows) error {
		var id, orderID, units int64
		var ch, ext, sku, reason, at string
		if err := r.Scan(&id, &orderID, &ch, &ext, &sku, &units, &reason, &at); err != nil {
			return err
		}
		add(problem{ExceptionReturnOpened, fmt.Sprint("return:", id), orderID, ch + " " + ext,
			fmt.Sprintf("%d × %s came back from %s order %s (%s)", units, sku, ch, ext, reason), parseTime(at)})
		return nil
	}, formatTime(now.Add(-recentReturns)))
	if err != nil {
		return nil, fmt.Errorf("find recent returns: %w", err)
	}
	if err := s.unansweredTickets(ctx, now, add); err != nil {
		return nil, err
	}
	pos, err := s.OverduePOs(ctx, now)
	if err != nil {
		return nil, err
	}
	for _, po := range pos {
		var exp time.Time
		if po.ExpectedAt != nil {
			exp = *po.ExpectedAt
		}
		add(problem{ExceptionPOOverdue, fmt.Sprint("po:", po.ID), 0, po.Number,
			fmt.Sprintf("%s from %s was expected %s", po.Number, po.SupplierName, exp.Format("2 Jan")), exp})
	}
	return out, nil
}

// RefreshExceptions opens an exception for each current problem not yet open and closes (handled by
// "Backroom", how "resolved") those whose problem is gone. A problem a person handled while it was still
// there is not opened again until it has gone and come back. Exceptions opened by rules are left alone.
func (s *Store) RefreshExceptions(ctx context.Context) error {
	if err := s.require(PermWorkOrders); err != nil {
		return err
	}
	now := s.now()
	problems, err := s.currentProblems(ctx, now)
	if err != nil {
		return err
	}
	current := make(map[string]problem, len(problems))
	for _, p := range problems {
		current[p.key()] = p
	}
	return s.update(ctx, func(t *tx) error {
		// live: the problems that have an exception open, or handled by a person while still there.
		live := map[string]bool{}
		type row struct {
			id       int64
			key      string
			summary  string
			open     bool
			stillBad bool
		}
		var rows []row
		err := scanRows(ctx, t, `SELECT id, kind, subject, summary, handled_at IS NULL FROM exceptions
			WHERE kind <> 'rule' AND gone = 0 AND (handled_at IS NULL OR handled_by <> 'Backroom')`, func(r *sql.Rows) error {
			var x row
			var kind, subject string
			if err := r.Scan(&x.id, &kind, &subject, &x.summary, &x.open); err != nil {
				return err
			}
			x.key = kind + "\x00" + subject
			_, x.stillBad = current[x.key]
			rows = append(rows, x)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read exceptions: %w", err)
		}
		for _, x := range rows {
			if x.stillBad {
				live[x.key] = true
				// The problem may have grown or changed since it was raised (more orders on an oversold SKU,
				// or the rest of a sync's changes arrived): say what it is now.
				if now := current[x.key].summary; now != x.summary {
					if _, err := t.ExecContext(ctx, `UPDATE exceptions SET summary = ? WHERE id = ?`, now, x.id); err != nil {
						return fmt.Errorf("update exception %d: %w", x.id, err)
					}
				}
				continue
			}
			if x.open {
				if _, err := t.ExecContext(ctx, `UPDATE exceptions SET handled_at = ?, handled_by = 'Backroom', how = 'resolved', gone = 1,
					hlc = ?, device_id = ? WHERE id = ?`, t.nowText(), t.hlc, t.s.device, x.id); err != nil {
					return fmt.Errorf("close exception %d: %w", x.id, err)
				}
				if err := t.audit(ctx, "resolve", "exception", fmt.Sprint(x.id), nil, map[string]string{"how": "resolved"}); err != nil {
					return err
				}
				continue
			}
			if _, err := t.ExecContext(ctx, `UPDATE exceptions SET gone = 1, hlc = ?, device_id = ? WHERE id = ?`, t.hlc, t.s.device, x.id); err != nil {
				return fmt.Errorf("mark exception %d gone: %w", x.id, err)
			}
		}
		for _, p := range problems {
			if live[p.key()] {
				continue
			}
			live[p.key()] = true
			if _, err := t.openException(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// openException records a new open exception.
func (t *tx) openException(ctx context.Context, p problem) (int64, error) {
	var orderID any
	if p.orderID != 0 {
		orderID = p.orderID
	}
	res, err := t.ExecContext(ctx, `INSERT INTO exceptions(kind, subject, order_id, ref, summary, opened_at, hlc, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, p.kind, p.subject, orderID, p.ref, p.summary, formatTime(p.since), t.hlc, t.s.device)
	if err != nil {
		return 0, fmt.Errorf("open exception %s %s: %w", p.kind, p.subject, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("open exception %s %s: %w", p.kind, p.subject, err)
	}
	return id, t.audit(ctx, "open", "exception", fmt.Sprint(id), nil, map[string]any{"kind": p.kind, "ref": p.ref, "summary": p.summary})
}

const exceptionColumns = `id, kind, COALESCE(order_id, 0), ref, summary, opened_at, COALESCE(handled_at, ''), handled_by, how, subject`

func scanException(r scanner) (Exception, error) {
	var e Exception
	var opened, handled, subject string
	err := r.Scan(&e.ID, &e.Kind, &e.OrderID, &e.Ref, &e.Summary, &opened, &handled, &e.HandledBy, &e.How, &subject)
	if id, ok := strings.CutPrefix(subject, ticketSubject); ok && e.Kind == ExceptionTicketUnanswered {
		e.TicketID, _ = strconv.ParseInt(id, 10, 64)
	}
	e.Opened = parseTime(opened)
	if handled != "" {
		e.Handled = parseTime(handled)
	}
	return e, err
}

// Exceptions lists the open exceptions, oldest first (open=true), or the handled ones, most recently
// handled first.
func (s *Store) Exceptions(ctx context.Context, open bool) ([]Exception, error) {
	q := `SELECT ` + exceptionColumns + ` FROM exceptions WHERE handled_at IS NULL ORDER BY opened_at, id`
	if !open {
		q = `SELECT ` + exceptionColumns + ` FROM exceptions WHERE handled_at IS NOT NULL ORDER BY handled_at DESC, id DESC LIMIT 500`
	}
	out, err := queryList(ctx, s.read, scanException, q)
	if err != nil {
		return nil, fmt.Errorf("list exceptions: %w", err)
	}
	return out, nil
}

// OverdueExceptions lists open exceptions older than their kind's limit at now, oldest first.
func (s *Store) OverdueExceptions(ctx context.Context, now time.Time) ([]Exception, error) {
	limits, err := s.ExceptionLimits(ctx)
	if err != nil {
		return nil, err
	}
	open, err := s.Exceptions(ctx, true)
	if err != nil {
		return nil, err
	}
	var out []Exception
	for _, e := range open {
		if e.Overdue(now, limits) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Overdue says whether an open exception has been open longer than its kind's limit (ExceptionLimits)
// at now. A screen that lists the open exceptions marks the overdue ones with it rather than reading
// them all a second time through OverdueExceptions.
func (e Exception) Overdue(now time.Time, limits map[ExceptionKind]time.Duration) bool {
	return e.Handled.IsZero() && now.Sub(e.Opened) > limits[e.Kind]
}

// HandleException records that the acting user handled an open exception, and how.
func (s *Store) HandleException(ctx context.Context, id int64, how string) error {
	if err := s.require(PermWorkOrders); err != nil {
		return err
	}
	how = strings.TrimSpace(how)
	if how == "" {
		return errorf(ErrInvalid, "say how the exception was handled")
	}
	if len(how) > 500 {
		return errorf(ErrInvalid, "how it was handled is at most 500 characters")
	}
	return s.update(ctx, func(t *tx) error {
		e, err := scanException(t.QueryRowContext(ctx, `SELECT `+exceptionColumns+` FROM exceptions WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no exception %d", id)
		} else if err != nil {
			return fmt.Errorf("read exception %d: %w", id, err)
		}
		if !e.Handled.IsZero() {
			return errorf(ErrConflict, "exception %d was already handled by %s", id, e.HandledBy)
		}
		if _, err := t.ExecContext(ctx, `UPDATE exceptions SET handled_at = ?, handled_by = ?, how = ?, hlc = ?, device_id = ? WHERE id = ?`,
			t.nowText(), t.s.user.Name, how, t.hlc, t.s.device, id); err != nil {
			return fmt.Errorf("handle exception %d: %w", id, err)
		}
		return t.audit(ctx, "handle", "exception", fmt.Sprint(id), nil, map[string]string{"how": how})
	})
}

// PendingNotifications lists the notifications not yet shown, oldest first.
func (s *Store) PendingNotifications(ctx context.Context) ([]Notification, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, func(r scanner) (Notification, error) {
		var n Notification
		var at string
		err := r.Scan(&n.ID, &n.Title, &n.Body, &at)
		n.At = parseTime(at)
		return n, err
	}, `SELECT id, title, body, at FROM notifications WHERE notified_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return out, nil
}

// MarkNotified records that a notification was shown.
func (s *Store) MarkNotified(ctx context.Context, id int64) error {
	if err := s.require(PermManageMail); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE notifications SET notified_at = ?, hlc = ?, device_id = ? WHERE id = ? AND notified_at IS NULL`,
			t.nowText(), t.hlc, t.s.device, id)
		if err != nil {
			return fmt.Errorf("mark notification %d shown: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errorf(ErrNotFound, "there is no pending notification %d", id)
		}
		return t.audit(ctx, "notified", "notification", fmt.Sprint(id), nil, nil)
	})
}

// linesWord is "1 line" or "3 lines", for the exceptions' summaries people read.
func linesWord(n int64) string {
	if n == 1 {
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}
