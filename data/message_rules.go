package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// untrackedShipWait is how long after an untracked shipment the shipped trigger fires anyway: tracking is
// often added a little after the parcel is recorded, and a "your order has shipped" mail without the
// tracking number the customer will ask for is worse than one a few hours later.
const untrackedShipWait = 12 * time.Hour

// Describe is the trigger in words, for notifications, exceptions and the rules editor.
func (t MessageTrigger) Describe() string {
	switch t {
	case TriggerOrderImported:
		return "order imported"
	case TriggerOrderShipped:
		return "order shipped"
	case TriggerShipByPassed:
		return "ship-by date passed and not shipped"
	case TriggerOrderHeldUp:
		return "order held up by a shortage"
	case TriggerReturnReceived:
		return "return received"
	case TriggerRefundIssued:
		return "refund issued"
	}
	return string(t)
}

// triggerEvents is, per trigger, a query of (order_id, event_at) for every order the event has happened
// to, with the time it happened. ?1 is now. Each is derived from what the store already records, so the
// importers, the pack station and the returns screen need not announce anything.
//
// order_held_up has no stored moment: an order is held up while one of its lines' SKUs (or a kit's
// components) is short — open orders hold more than is on hand — or while a live contingency alert lists it.
// Its event time is now, so a new held-up rule does act for orders held up today. An order waiting on an
// overdue purchase order is short by definition (otherwise it would not wait), so it is covered.
func triggerEvents(t MessageTrigger) string {
	switch t {
	case TriggerOrderImported:
		return `SELECT id AS order_id, created_at AS event_at FROM orders`
	case TriggerOrderShipped:
		return `SELECT order_id, shipped_at AS event_at FROM shipments WHERE tracking <> '' OR shipped_at <= ?2`
	case TriggerShipByPassed:
		return `SELECT id AS order_id, ship_by AS event_at FROM orders WHERE status IN ` + openStatuses + ` AND ship_by IS NOT NULL AND ship_by < ?1`
	case TriggerOrderHeldUp:
		return `SELECT DISTINCT ol.order_id, ?1 AS event_at FROM order_lines ol JOIN orders o ON o.id = ol.order_id
			WHERE ol.open = 1 AND o.status IN ` + openStatuses + ` AND ol.sku IS NOT NULL AND (
				(NOT EXISTS (SELECT 1 FROM kit_components kc WHERE kc.kit_sku = ol.sku) AND ` + shortExpr("ol.sku") + `)
				OR EXISTS (SELECT 1 FROM kit_components kc WHERE kc.kit_sku = ol.sku AND ` + shortExpr("kc.component_sku") + `))
			UNION
			SELECT h.order_id, ?1 FROM contingency_held_orders h JOIN contingency_alerts a ON a.id = h.alert_id
			JOIN orders o ON o.id = h.order_id WHERE a.cleared_at IS NULL AND a.dismissed_at IS NULL AND o.status IN ` + openStatuses
	case TriggerReturnReceived:
		return `SELECT order_id, MIN(at) AS event_at FROM returns GROUP BY order_id`
	case TriggerRefundIssued:
		return `SELECT order_id, MIN(at) AS event_at FROM returns WHERE refund > 0 GROUP BY order_id`
	}
	return ""
}

// shortExpr is true when open orders hold more of the SKU in column sku than is on hand everywhere. The
// column must not be of an alias reservedExpr uses itself (l, k), or the inner alias would shadow it.
func shortExpr(sku string) string {
	return forSKU(reservedExpr, sku) + ` > COALESCE((SELECT SUM(m.on_hand) FROM stock_levels m WHERE m.sku = ` + sku + `), 0)`
}

// firingCandidates lists the orders rule r would fire for now: the trigger happened at or after the rule
// was created (a rule added today does not mail every customer of the past year), not after now, the order
// is not cancelled, the conditions match, and the rule has not fired for the order and trigger before.
func firingCandidates(ctx context.Context, q querier, r MessageRule, now time.Time) ([]RuleFiring, error) {
	query := `SELECT o.id, o.external_id, o.channel, e.event_at FROM (` + triggerEvents(r.Trigger) + `) e JOIN orders o ON o.id = e.order_id
		WHERE e.event_at >= ?3 AND e.event_at <= ?1 AND o.status <> 'cancelled'
		AND (?4 = '' OR o.channel = ?4) AND (?5 = 0 OR o.total >= ?5) AND (?6 = '' OR o.ship_country = ?6 COLLATE NOCASE)
		AND (?7 = '' OR EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.sku = ?7))
		AND NOT EXISTS (SELECT 1 FROM rule_firings f WHERE f.rule_id = ?8 AND f.order_id = o.id AND f.trigger = ?9)
		ORDER BY e.event_at, o.id`
	return queryList(ctx, q, func(row scanner) (RuleFiring, error) {
		f := RuleFiring{Rule: r, Trigger: r.Trigger}
		var at string
		err := row.Scan(&f.OrderID, &f.OrderRef, &f.Channel, &at)
		f.At = parseTime(at)
		return f, err
	}, query, formatTime(now), formatTime(now.Add(-untrackedShipWait)), formatTime(r.Created), r.Channel, r.MinTotal, r.Country, r.SKU, r.ID, r.Trigger)
}

// EvaluateMessageRules fires every enabled rule whose trigger happened (as of the store's clock) and
// whose conditions match, once per (rule, order, trigger) ever; dryRun reports what would fire and writes
// nothing. Firings are listed by rule name, then by when their event happened.
func (s *Store) EvaluateMessageRules(ctx context.Context, dryRun bool) ([]RuleFiring, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	if dryRun {
		now := s.now()
		return s.evaluate(ctx, s.read, now, func(f *RuleFiring) error {
			var email string
			if err := s.read.QueryRowContext(ctx, `SELECT customer_email FROM orders WHERE id = ?`, f.OrderID).Scan(&email); err != nil {
				return fmt.Errorf("read order %s: %w", f.OrderRef, err)
			}
			f.Outcome = predictedOutcome(f, email)
			return nil
		})
	}
	var out []RuleFiring
	err := s.update(ctx, func(t *tx) error {
		route, err := s.defaultRoute(ctx, t)
		if err != nil {
			return err
		}
		templates := map[int64]MessageTemplate{}
		out, err = s.evaluate(ctx, t, t.now, func(f *RuleFiring) error { return t.fire(ctx, f, route, templates) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) evaluate(ctx context.Context, q querier, now time.Time, act func(*RuleFiring) error) ([]RuleFiring, error) {
	rules, err := queryList(ctx, q, scanRule, `SELECT `+ruleColumns+` FROM message_rules WHERE enabled = 1 ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("read message rules: %w", err)
	}
	var out []RuleFiring
	for _, r := range rules {
		fs, err := firingCandidates(ctx, q, r, now)
		if err != nil {
			return nil, fmt.Errorf("evaluate rule %q: %w", r.Name, err)
		}
		for i := range fs {
			if err := act(&fs[i]); err != nil {
				return nil, err
			}
		}
		out = append(out, fs...)
	}
	return out, nil
}

// defaultRoute is how customer mail leaves: the outgoing account's route, or smtp while none is set up,
// so messages wait in the queue for an account rather than being lost.
func (s *Store) defaultRoute(ctx context.Context, q querier) (MessageRoute, error) {
	a, err := s.smtpAccount(ctx, q)
	if errors.Is(err, ErrNotFound) {
		return RouteSMTP, nil
	}
	if err != nil {
		return "", err
	}
	return a.Route, nil
}

// predictedOutcome is what fire would report, for a dry run.
func predictedOutcome(f *RuleFiring, email string) string {
	switch f.Rule.Action {
	case ActionNotify:
		return "notified"
	case ActionException:
		return "exception"
	}
	if hidesAddress(f.Channel) || strings.TrimSpace(email) == "" {
		return "paste"
	}
	return "queued"
}

// fire records one firing and acts on it. The UNIQUE key of rule_firings makes a second firing for the
// same rule, order and trigger a no-op, whichever device or process evaluates.
func (t *tx) fire(ctx context.Context, f *RuleFiring, route MessageRoute, templates map[int64]MessageTemplate) error {
	r := f.Rule
	res, err := t.ExecContext(ctx, `INSERT INTO rule_firings(rule_id, order_id, trigger, event_at, fired_at, outcome, hlc, device_id)
		VALUES (?, ?, ?, ?, ?, '', ?, ?) ON CONFLICT DO NOTHING`, r.ID, f.OrderID, f.Trigger, formatTime(f.At), t.nowText(), t.hlc, t.s.device)
	if err != nil {
		return fmt.Errorf("record rule %q for order %s: %w", r.Name, f.OrderRef, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		f.Outcome = ""
		return nil
	}
	what := fmt.Sprintf("%s order %s: %s", f.Channel, f.OrderRef, f.Trigger.Describe())
	switch r.Action {
	case ActionMessage:
		tmpl, ok := templates[r.TemplateID]
		if !ok {
			tmpl, err = scanTemplate(t.QueryRowContext(ctx, `SELECT `+templateColumns+` FROM message_templates WHERE id = ?`, r.TemplateID))
			if errors.Is(err, sql.ErrNoRows) {
				return errorf(ErrInvalid, "rule %q sends template %d, which no longer exists", r.Name, r.TemplateID)
			} else if err != nil {
				return fmt.Errorf("read template %d: %w", r.TemplateID, err)
			}
			templates[r.TemplateID] = tmpl
		}
		d, err := t.s.messageData(ctx, t, f.OrderID)
		if err != nil {
			return err
		}
		msg, err := renderWith(tmpl, d)
		if err != nil {
			return errorf(ErrInvalid, "rule %q, template %q, order %s: %s", r.Name, tmpl.Name, f.OrderRef, UserMessage(err))
		}
		o, err := t.s.order(ctx, t, `o.id = ?`, f.OrderID)
		if err != nil {
			return err
		}
		m, err := t.queueMessage(ctx, o, r.ID, f.Trigger, msg, route)
		if err != nil {
			return err
		}
		f.Outcome = "queued"
		if m.Status == OutboxPaste {
			f.Outcome = "paste"
		}
	case ActionNotify:
		res, err := t.ExecContext(ctx, `INSERT INTO notifications(title, body, at, rule_id, order_id, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.Name, what, t.nowText(), r.ID, f.OrderID, t.hlc, t.s.device)
		if err != nil {
			return fmt.Errorf("notify for rule %q: %w", r.Name, err)
		}
		id, _ := res.LastInsertId()
		if err := t.audit(ctx, "create", "notification", fmt.Sprint(id), nil, map[string]string{"title": r.Name, "body": what}); err != nil {
			return err
		}
		f.Outcome = "notified"
	case ActionException:
		if _, err := t.openException(ctx, problem{kind: ExceptionRule, subject: fmt.Sprintf("rule:%d:order:%d:%s", r.ID, f.OrderID, f.Trigger),
			orderID: f.OrderID, ref: f.Channel + " " + f.OrderRef, summary: r.Name + ": " + what, since: t.now}); err != nil {
			return err
		}
		f.Outcome = "exception"
	}
	if _, err := t.ExecContext(ctx, `UPDATE rule_firings SET outcome = ? WHERE rule_id = ? AND order_id = ? AND trigger = ?`,
		f.Outcome, r.ID, f.OrderID, f.Trigger); err != nil {
		return fmt.Errorf("record rule %q for order %s: %w", r.Name, f.OrderRef, err)
	}
	return t.audit(ctx, "fire", "message_rule", fmt.Sprint(r.ID), nil, map[string]any{"order": f.Channel + " " + f.OrderRef,
		"trigger": f.Trigger, "outcome": f.Outcome})
}
