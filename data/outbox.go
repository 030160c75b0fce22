package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// maxAttempts is how many failed tries a message gets before it waits for a person.
const maxAttempts = 8

// sendingLease is how long a message claimed by MarkSending stays claimed: a sender that died mid-send
// leaves it "sending", and DueMessages offers it again once the lease has run out.
const sendingLease = 15 * time.Minute

// retryDelay is the wait after the n-th failed attempt: quick at first, for a server that blinked, then
// slower, for one that is down.
func retryDelay(attempts int) time.Duration {
	switch {
	case attempts <= 1:
		return time.Minute
	case attempts == 2:
		return 5 * time.Minute
	case attempts == 3:
		return 30 * time.Minute
	case attempts == 4:
		return 2 * time.Hour
	}
	return 12 * time.Hour
}

// hidesAddress reports whether a channel keeps the buyer's address from us, so its messages are pasted
// into the marketplace's own messaging by a person. eBay's masked addresses are deliverable and amazon's
// relay is not one we use.
func hidesAddress(channel string) bool {
	switch strings.ToLower(strings.TrimSpace(channel)) {
	case "amazon", "walmart":
		return true
	}
	return false
}

const outboxColumns = `m.id, m.order_id, o.external_id, o.channel, m.rule_id, m.trigger, m.route, m.to_addr, m.to_name, m.subject,
	m.text, m.html, m.status, m.attempts, m.next_attempt, m.last_error, m.created_at, COALESCE(m.sent_at, ''), m.sent_by,
	m.in_reply_to, m.refs, COALESCE(m.ticket_id, 0)`

const outboxFrom = ` FROM outbox m JOIN orders o ON o.id = m.order_id `

func scanOutbox(r scanner) (OutboxMessage, error) {
	var m OutboxMessage
	var next, created, sent string
	err := r.Scan(&m.ID, &m.OrderID, &m.OrderRef, &m.Channel, &m.RuleID, &m.Trigger, &m.Route, &m.To, &m.ToName, &m.Subject,
		&m.Text, &m.HTML, &m.Status, &m.Attempts, &next, &m.LastError, &created, &sent, &m.SentBy,
		&m.InReplyTo, &m.References, &m.TicketID)
	m.NextAttempt, m.Created = parseTime(next), parseTime(created)
	if sent != "" {
		m.Sent = parseTime(sent)
	}
	return m, err
}

// Outbox lists outbox messages, newest first. Only an owner may: they hold customers' addresses.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if len(f.Status) > 0 {
		where = append(where, `m.status IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(f.Status)), ", ")+`)`)
		for _, st := range f.Status {
			args = append(args, st)
		}
	}
	if f.OrderID != 0 {
		where = append(where, `m.order_id = ?`)
		args = append(args, f.OrderID)
	}
	q := `SELECT ` + outboxColumns + outboxFrom
	if len(where) > 0 {
		q += `WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY m.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	out, err := queryList(ctx, s.read, scanOutbox, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list the outbox: %w", err)
	}
	return out, nil
}

// DueMessages lists the smtp/drafts messages to try now, oldest first: queued or failed ones whose
// NextAttempt <= now, and ones left "sending" by a sender that stopped before its lease ran out.
func (s *Store) DueMessages(ctx context.Context, now time.Time, limit int) ([]OutboxMessage, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	out, err := queryList(ctx, s.read, scanOutbox, `SELECT `+outboxColumns+outboxFrom+`
		WHERE m.status IN ('queued', 'failed', 'sending') AND m.route IN ('smtp', 'drafts') AND m.next_attempt <= ?
		ORDER BY m.next_attempt, m.id LIMIT ?`, formatTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list due messages: %w", err)
	}
	return out, nil
}

// changeOutbox reads message id, lets change decide the new row (or refuse), writes it and audits it.
func (s *Store) changeOutbox(ctx context.Context, id int64, action string, change func(t *tx, m *OutboxMessage) error) error {
	if err := s.require(PermManageMail); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		before, err := scanOutbox(t.QueryRowContext(ctx, `SELECT `+outboxColumns+outboxFrom+`WHERE m.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no outbox message %d", id)
		} else if err != nil {
			return fmt.Errorf("read outbox message %d: %w", id, err)
		}
		after := before
		if err := change(t, &after); err != nil {
			return err
		}
		var sent any
		if !after.Sent.IsZero() {
			sent = formatTime(after.Sent)
		}
		if _, err := t.ExecContext(ctx, `UPDATE outbox SET route = ?, status = ?, attempts = ?, next_attempt = ?, last_error = ?, sent_at = ?,
			sent_by = ?, hlc = ?, device_id = ? WHERE id = ?`, after.Route, after.Status, after.Attempts, formatTime(after.NextAttempt),
			after.LastError, sent, after.SentBy, t.hlc, t.s.device, id); err != nil {
			return fmt.Errorf("update outbox message %d: %w", id, err)
		}
		return t.audit(ctx, action, "outbox", fmt.Sprint(id), outboxAudit(before), outboxAudit(after))
	})
}

// outboxAudit is what the audit log keeps of a message: its state, not its text.
func outboxAudit(m OutboxMessage) map[string]any {
	return map[string]any{"order": m.OrderRef, "channel": m.Channel, "to": m.To, "subject": m.Subject, "route": m.Route,
		"status": m.Status, "attempts": m.Attempts, "last_error": m.LastError}
}

// MarkSending claims a queued or failed message for one send attempt.
func (s *Store) MarkSending(ctx context.Context, id int64) error {
	return s.changeOutbox(ctx, id, "sending", func(t *tx, m *OutboxMessage) error {
		if m.Status != OutboxQueued && m.Status != OutboxFailed && !(m.Status == OutboxSending && !m.NextAttempt.After(t.now)) {
			return errorf(ErrConflict, "message %d is %s, not waiting to be sent", m.ID, m.Status)
		}
		m.Status = OutboxSending
		m.NextAttempt = t.now.Add(sendingLease)
		return nil
	})
}

// MarkSent records a message as sent by route, by the acting user, now.
func (s *Store) MarkSent(ctx context.Context, id int64, route MessageRoute) error {
	if route != RouteSMTP && route != RouteDrafts {
		return errorf(ErrInvalid, "route %q is not smtp or drafts", route)
	}
	return s.changeOutbox(ctx, id, "sent", func(t *tx, m *OutboxMessage) error {
		if m.Status == OutboxSent || m.Status == OutboxDone {
			return errorf(ErrConflict, "message %d was already sent", m.ID)
		}
		m.Status, m.Route, m.Sent, m.SentBy, m.LastError = OutboxSent, route, t.now, t.s.user.Name, ""
		m.Attempts++
		return nil
	})
}

// MarkFailed records a failed attempt: the message is tried again after 1m, 5m, 30m, 2h, then every
// 12h, and waits for a person (gave_up) after 8 attempts.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	return s.changeOutbox(ctx, id, "send_failed", func(t *tx, m *OutboxMessage) error {
		if m.Status == OutboxSent || m.Status == OutboxDone || m.Status == OutboxPaste {
			return errorf(ErrConflict, "message %d is %s; there is nothing to retry", m.ID, m.Status)
		}
		m.Attempts++
		m.LastError = strings.TrimSpace(reason)
		if m.Attempts >= maxAttempts {
			m.Status = OutboxGaveUp
			return nil
		}
		m.Status = OutboxFailed
		m.NextAttempt = t.now.Add(retryDelay(m.Attempts))
		return nil
	})
}

// MarkGaveUp records a failed attempt the server refused for good (an SMTP 5xx reply: no such mailbox,
// message refused as spam): trying again would only be refused again, so the message waits for a person
// at once, with the reason.
func (s *Store) MarkGaveUp(ctx context.Context, id int64, reason string) error {
	return s.changeOutbox(ctx, id, "gave_up", func(t *tx, m *OutboxMessage) error {
		if m.Status == OutboxSent || m.Status == OutboxDone || m.Status == OutboxPaste {
			return errorf(ErrConflict, "message %d is %s; there is nothing to give up", m.ID, m.Status)
		}
		m.Attempts++
		m.LastError = strings.TrimSpace(reason)
		m.Status = OutboxGaveUp
		return nil
	})
}

// MarkDone records that a person pasted a message into the marketplace.
func (s *Store) MarkDone(ctx context.Context, id int64) error {
	return s.changeOutbox(ctx, id, "done", func(t *tx, m *OutboxMessage) error {
		if m.Status != OutboxPaste {
			return errorf(ErrConflict, "message %d is %s, not waiting to be pasted", m.ID, m.Status)
		}
		m.Status, m.Sent, m.SentBy = OutboxDone, t.now, t.s.user.Name
		return nil
	})
}

// RetryMessage puts a gave_up or failed message back in the queue now, with its attempts counted afresh.
func (s *Store) RetryMessage(ctx context.Context, id int64) error {
	return s.changeOutbox(ctx, id, "retry", func(t *tx, m *OutboxMessage) error {
		if m.Status != OutboxGaveUp && m.Status != OutboxFailed {
			return errorf(ErrConflict, "message %d is %s; only a failed message can be retried", m.ID, m.Status)
		}
		m.Status, m.Attempts, m.NextAttempt = OutboxQueued, 0, t.now
		return nil
	})
}

// SentLog lists every message of one order, oldest first, whatever its state. Anyone who works orders
// may read it: it is what the customer was told.
func (s *Store) SentLog(ctx context.Context, orderID int64) ([]OutboxMessage, error) {
	if err := s.require(PermWorkOrders); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, scanOutbox, `SELECT `+outboxColumns+outboxFrom+`WHERE m.order_id = ? ORDER BY m.id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read the messages of order %d: %w", orderID, err)
	}
	return out, nil
}

// ParseOutboxMessageID reads the order and outbox IDs from a Message-ID Backroom gave one of its
// messages (see app/outbox.MessageID: backroom.<order>.<outbox>.<created>@<domain>), with or without angle
// brackets, as a customer's reply names it in In-Reply-To or References.
func ParseOutboxMessageID(id string) (orderID, outboxID int64, ok bool) {
	id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	local, _, found := strings.Cut(id, "@")
	if !found {
		return 0, 0, false
	}
	parts := strings.Split(local, ".")
	if len(parts) != 4 || parts[0] != "backroom" {
		return 0, 0, false
	}
	o, err1 := strconv.ParseInt(parts[1], 10, 64)
	m, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || m <= 0 {
		return 0, 0, false
	}
	return o, m, true
}

// queueMessage adds a rendered message for order o to the outbox: to the customer's address by the
// account's route, or to be pasted by hand when the channel hides the address or there is none.
func (t *tx) queueMessage(ctx context.Context, o Order, ruleID int64, trigger MessageTrigger, r RenderedMessage, route MessageRoute) (OutboxMessage, error) {
	m := OutboxMessage{OrderID: o.ID, OrderRef: o.ExternalID, Channel: o.Channel, RuleID: ruleID, Trigger: trigger,
		Route: route, To: strings.TrimSpace(o.CustomerEmail), ToName: o.CustomerName, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Status: OutboxQueued, NextAttempt: t.now, Created: t.now}
	if m.ToName == "" {
		m.ToName = o.ShipTo.Name
	}
	if hidesAddress(o.Channel) || m.To == "" {
		m.Route, m.Status = RoutePaste, OutboxPaste
	}
	res, err := t.ExecContext(ctx, `INSERT INTO outbox(order_id, rule_id, trigger, route, to_addr, to_name, subject, text, html, status,
		next_attempt, created_at, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.OrderID, m.RuleID, m.Trigger, m.Route, m.To, m.ToName, m.Subject, m.Text, m.HTML, m.Status, t.nowText(), t.nowText(), t.hlc, t.s.device)
	if err != nil {
		return m, fmt.Errorf("queue message for order %s: %w", o.ExternalID, err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return m, fmt.Errorf("queue message for order %s: %w", o.ExternalID, err)
	}
	return m, t.audit(ctx, "queue", "outbox", fmt.Sprint(m.ID), nil, outboxAudit(m))
}

// SMTPAccount returns the outgoing mail account; ErrNotFound when not set up.
func (s *Store) SMTPAccount(ctx context.Context) (SMTPAccount, error) {
	if err := s.require(PermManageMail); err != nil {
		return SMTPAccount{}, err
	}
	return s.smtpAccount(ctx, s.read)
}

func (s *Store) smtpAccount(ctx context.Context, q querier) (SMTPAccount, error) {
	var a SMTPAccount
	err := q.QueryRowContext(ctx, `SELECT host, port, security, user_name, from_addr, from_name, route FROM smtp_account WHERE id = 1`).
		Scan(&a.Host, &a.Port, &a.Security, &a.User, &a.From, &a.FromName, &a.Route)
	if errors.Is(err, sql.ErrNoRows) {
		return SMTPAccount{}, errorf(ErrNotFound, "no outgoing mail account is set up")
	}
	if err != nil {
		return SMTPAccount{}, fmt.Errorf("read the outgoing mail account: %w", err)
	}
	return a, nil
}

// SaveSMTPAccount stores the outgoing mail account, and sends the messages still waiting by its route.
// The password lives in the OS keychain (app/keychain), never in SQLite, so this has no field for it.
func (s *Store) SaveSMTPAccount(ctx context.Context, a SMTPAccount) error {
	if err := s.require(PermManageMail); err != nil {
		return err
	}
	a.Host = strings.TrimSpace(a.Host)
	a.User = strings.TrimSpace(a.User)
	a.From = strings.TrimSpace(a.From)
	a.FromName = strings.TrimSpace(a.FromName)
	if a.Route == "" {
		a.Route = RouteSMTP
	}
	switch {
	case a.Host == "" || strings.ContainsAny(a.Host, " /\t"):
		return errorf(ErrInvalid, "the mail server %q is not a host name", a.Host)
	case a.Port < 1 || a.Port > 65535:
		return errorf(ErrInvalid, "port %d is not between 1 and 65535", a.Port)
	case a.Security != SMTPTLS && a.Security != SMTPStartTLS && a.Security != SMTPNone:
		return errorf(ErrInvalid, "security %q is not tls, starttls or none", a.Security)
	case a.Security == SMTPNone && !isLoopback(a.Host):
		return errorf(ErrInvalid, "security none sends the password in the clear, so it is only for a server on this computer, not %s", a.Host)
	case a.Route != RouteSMTP && a.Route != RouteDrafts:
		return errorf(ErrInvalid, "route %q is not smtp or drafts", a.Route)
	case strings.ContainsAny(a.FromName, "\r\n"):
		return errorf(ErrInvalid, "the sender's name is one line")
	}
	if addr, err := mail.ParseAddress(a.From); err != nil || addr.Address != a.From {
		return errorf(ErrInvalid, "the from address %q is not an email address", a.From)
	}
	return s.update(ctx, func(t *tx) error {
		before, err := s.smtpAccount(ctx, t)
		var b any
		if err == nil {
			b = before
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO smtp_account(id, host, port, security, user_name, from_addr, from_name, route, hlc, device_id)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET host = excluded.host, port = excluded.port,
			security = excluded.security, user_name = excluded.user_name, from_addr = excluded.from_addr, from_name = excluded.from_name,
			route = excluded.route, hlc = excluded.hlc, device_id = excluded.device_id`,
			a.Host, a.Port, a.Security, a.User, a.From, a.FromName, a.Route, t.hlc, t.s.device); err != nil {
			return fmt.Errorf("save the outgoing mail account: %w", err)
		}
		// Messages not yet sent leave by the account's route as it is now: those queued before any
		// account was set up, or before the owner switched to Drafts, would otherwise go the old way.
		if _, err := t.ExecContext(ctx, `UPDATE outbox SET route = ?, hlc = ?, device_id = ?
			WHERE status IN ('queued', 'failed', 'gave_up') AND route IN ('smtp', 'drafts') AND route <> ?`, a.Route, t.hlc, t.s.device, a.Route); err != nil {
			return fmt.Errorf("re-route waiting messages: %w", err)
		}
		return t.audit(ctx, "update", "smtp_account", "1", b, a)
	})
}

func isLoopback(host string) bool {
	h := strings.Trim(strings.ToLower(host), "[]")
	return h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
}
