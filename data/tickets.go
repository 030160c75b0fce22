package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TicketStatus is where a support ticket stands.
type TicketStatus string

// The states of a ticket.
const (
	TicketOpen    TicketStatus = "open"    // the customer waits for us
	TicketWaiting TicketStatus = "waiting" // we answered and wait for the customer
	TicketClosed  TicketStatus = "closed"
)

// TicketStatuses lists the states in the order the app offers them.
func TicketStatuses() []TicketStatus { return []TicketStatus{TicketOpen, TicketWaiting, TicketClosed} }

// TicketReason is why the customer wrote, for the dashboard's support load by reason.
type TicketReason string

// The reasons a customer writes.
const (
	ReasonWhereIsOrder  TicketReason = "where_is_order"
	ReasonDamaged       TicketReason = "damaged"
	ReasonWrongItem     TicketReason = "wrong_item"
	ReasonReturnRequest TicketReason = "return_request"
	ReasonQuestion      TicketReason = "question"
	ReasonOther         TicketReason = "other"
)

// TicketReasons lists the reasons in the order the app offers them.
func TicketReasons() []TicketReason {
	return []TicketReason{ReasonWhereIsOrder, ReasonDamaged, ReasonWrongItem, ReasonReturnRequest, ReasonQuestion, ReasonOther}
}

// The directions of a ticket's message.
const (
	TicketIn  = "in"  // from the customer
	TicketOut = "out" // our reply, through the outbox
)

// Ticket is one customer's conversation about one order.
type Ticket struct {
	ID       int64
	OrderID  int64
	OrderRef string // the order's number on its channel
	Channel  string
	Status   TicketStatus
	Reason   TicketReason
	Handler  string // the user who handles it; "" when nobody yet
	Customer string // the address the customer writes from
	Subject  string // of the first mail
	Opened   time.Time
	Updated  time.Time
	// LastCustomer is when the customer last wrote, LastReply when we last answered (zero: never).
	LastCustomer, LastReply time.Time
	Messages                int // read back by Tickets: how many messages the thread has

	// Ticket fills these; Tickets leaves them empty.
	Thread []TicketMessage
	Notes  []TicketNote
	Order  Order // with its lines: the products the ticket is about
}

// Unanswered says the customer wrote last and waits for us.
func (t Ticket) Unanswered() bool {
	return t.Status != TicketClosed && !t.LastCustomer.IsZero() && t.LastCustomer.After(t.LastReply)
}

// TicketMessage is one mail of a ticket's thread, as text: a customer's mail is never shown as HTML.
type TicketMessage struct {
	ID        int64
	Direction string // TicketIn or TicketOut
	MailID    int64  // the stored mail, for a message in
	OutboxID  int64  // the outbox message, for a reply
	MessageID string
	At        time.Time
	From      string
	Subject   string
	Text      string
	// OutboxStatus is where our reply stands in the outbox (queued, sent, gave_up...); "" for mail in.
	OutboxStatus OutboxStatus
}

// TicketNote is a note the shop keeps on a ticket; the customer never sees it.
type TicketNote struct {
	ID     int64
	At     time.Time
	Author string
	Text   string
}

// TicketFilter narrows Tickets; zero values mean "any".
type TicketFilter struct {
	Status  []TicketStatus
	OrderID int64
	Limit   int
}

// maxTicketText bounds the text kept of one customer mail and of a reply or note: a support mail is a
// few paragraphs, and a pasted log or a quoted novel should not grow the database without end.
const maxTicketText = 20000

// ticketLink is the ticket a customer's mail joins, or the order a new ticket opens on.
type ticketLink struct {
	ticketID, orderID int64
}

// ticketFor decides whether a stored mail is a customer writing about one of our orders: a reply to one
// of our messages (its In-Reply-To or References names a Message-ID we sent, or a mail already in a
// ticket), or a mail naming an order number the shop has. Order mail, marketplace notifications and our
// own mail (a copy in a watched Sent folder) never make tickets.
func (t *tx) ticketFor(ctx context.Context, m *MailMessage) (ticketLink, error) {
	var none ticketLink
	if m.Kind != MailNotOrder || m.Marketplace || m.Channel != "" || strings.HasPrefix(m.MessageID, "backroom.") ||
		len(m.InReplyTo)+len(m.References)+len(m.Mentions) == 0 {
		return none, nil
	}
	from := mailAddress(m.From)
	if from == "" {
		return none, nil
	}
	own, err := t.ownAddress(ctx, from)
	if err != nil || own {
		return none, err
	}
	// The newest first: In-Reply-To, then References from its end.
	ids := slices.Clone(m.InReplyTo)
	for i := len(m.References) - 1; i >= 0; i-- {
		ids = append(ids, m.References[i])
	}
	for _, id := range ids {
		if orderID, outboxID, ok := ParseOutboxMessageID(id); ok {
			var ticket sql.NullInt64
			err := t.QueryRowContext(ctx, `SELECT ticket_id FROM outbox WHERE id = ? AND order_id = ?`, outboxID, orderID).Scan(&ticket)
			if errors.Is(err, sql.ErrNoRows) {
				continue // a Message-ID of ours from another database, or made up
			}
			if err != nil {
				return none, fmt.Errorf("look up outbox message %d: %w", outboxID, err)
			}
			if ticket.Valid {
				return ticketLink{ticketID: ticket.Int64, orderID: orderID}, nil
			}
			return t.openTicketOn(ctx, orderID)
		}
		var link ticketLink
		err := t.QueryRowContext(ctx, `SELECT m.ticket_id, k.order_id FROM ticket_messages m JOIN tickets k ON k.id = m.ticket_id
			WHERE m.message_id = ? ORDER BY m.id DESC LIMIT 1`, id).Scan(&link.ticketID, &link.orderID)
		if err == nil {
			return link, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return none, fmt.Errorf("look up message %s: %w", id, err)
		}
	}
	for _, n := range m.Mentions {
		n = strings.TrimPrefix(strings.TrimSpace(n), "#")
		if n == "" {
			continue
		}
		var found []int64
		err := scanRows(ctx, t, `SELECT id FROM orders WHERE external_id IN (?, ?) LIMIT 2`, func(r *sql.Rows) error {
			var id int64
			found = append(found, id)
			return r.Scan(&found[len(found)-1])
		}, n, "#"+n)
		if err != nil {
			return none, fmt.Errorf("look up order %s: %w", n, err)
		}
		// The same number on two channels is no certain link: the owner files such a mail by hand.
		if len(found) == 1 {
			return t.openTicketOn(ctx, found[0])
		}
	}
	return none, nil
}

// openTicketOn is the ticket still open (or waiting) on an order, which a new mail about it joins; a new
// ticket opens when there is none (ticketID 0).
func (t *tx) openTicketOn(ctx context.Context, orderID int64) (ticketLink, error) {
	link := ticketLink{orderID: orderID}
	err := t.QueryRowContext(ctx, `SELECT id FROM tickets WHERE order_id = ? AND status <> 'closed' ORDER BY id DESC LIMIT 1`,
		orderID).Scan(&link.ticketID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return link, fmt.Errorf("look up tickets of order %d: %w", orderID, err)
	}
	return link, nil
}

// ownAddress says addr is the shop's own: the sending account's From or a mailbox it reads.
func (t *tx) ownAddress(ctx context.Context, addr string) (bool, error) {
	var n int
	err := t.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM smtp_account WHERE lower(from_addr) = ?)
		+ (SELECT count(*) FROM mail_accounts WHERE lower(user_name) = ?)`, addr, addr).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check the shop's own addresses: %w", err)
	}
	return n > 0, nil
}

// mailAddress is the bare lower-case address of a From header.
func mailAddress(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		return strings.ToLower(a.Address)
	}
	if i, j := strings.LastIndex(from, "<"), strings.LastIndex(from, ">"); i >= 0 && j > i {
		from = from[i+1 : j]
	}
	from = strings.ToLower(strings.TrimSpace(from))
	if !strings.Contains(from, "@") || strings.ContainsAny(from, " <>") {
		return ""
	}
	return from
}

// fileTicketMail adds a stored customer mail to its ticket, opening the ticket when link has none, and
// marks the ticket open: the customer waits for us again.
func (t *tx) fileTicketMail(ctx context.Context, link ticketLink, m *MailMessage) error {
	at := m.Received
	if at.IsZero() {
		at = m.Date
	}
	if at.IsZero() || at.After(t.now) {
		at = t.now
	}
	text := clip(m.Text, maxTicketText)
	from := mailAddress(m.From)
	if link.ticketID == 0 {
		reason := GuessTicketReason(m.Subject, text)
		res, err := t.ExecContext(ctx, `INSERT INTO tickets(order_id, status, reason, customer, subject, opened_at, updated_at,
			last_customer_at, hlc, device_id) VALUES (?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)`,
			link.orderID, reason, from, m.Subject, formatTime(at), t.nowText(), formatTime(at), t.hlc, t.s.device)
		if err != nil {
			return fmt.Errorf("open a ticket for message %s: %w", m.describe(), err)
		}
		if link.ticketID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("open a ticket for message %s: %w", m.describe(), err)
		}
		if err := t.audit(ctx, "open", "ticket", strconv.FormatInt(link.ticketID, 10), nil,
			map[string]any{"order_id": link.orderID, "reason": reason, "customer": from, "subject": m.Subject}); err != nil {
			return err
		}
	} else {
		if _, err := t.ExecContext(ctx, `UPDATE tickets SET status = 'open', updated_at = ?, customer = CASE WHEN customer = '' THEN ? ELSE customer END,
			last_customer_at = max(COALESCE(last_customer_at, ''), ?), hlc = ?, device_id = ? WHERE id = ?`,
			t.nowText(), from, formatTime(at), t.hlc, t.s.device, link.ticketID); err != nil {
			return fmt.Errorf("add message %s to ticket %d: %w", m.describe(), link.ticketID, err)
		}
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO ticket_messages(ticket_id, direction, mail_id, message_id, at, sender, subject, text, hlc, device_id)
		VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?)`, link.ticketID, m.ID, m.MessageID, formatTime(at), m.From, m.Subject, text, t.hlc, t.s.device); err != nil {
		return fmt.Errorf("add message %s to ticket %d: %w", m.describe(), link.ticketID, err)
	}
	m.TicketID = link.ticketID
	return nil
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// reasonWords are what customers write for each reason, checked in this order: a damaged parcel that
// is also late is about the damage.
var reasonWords = []struct {
	reason TicketReason
	words  []string
}{
	{ReasonDamaged, []string{"damaged", "broken", "broke", "crack", "smashed", "shattered", "chipped", "scratched", "leaking", "kaputt", "beschädigt"}},
	{ReasonWrongItem, []string{"wrong item", "wrong size", "wrong colour", "wrong color", "wrong one", "not what i ordered", "instead of", "missing item", "item missing", "falsch"}},
	{ReasonReturnRequest, []string{"return", "refund", "send it back", "send back", "exchange", "money back", "cancel", "rücksendung", "erstattung"}},
	{ReasonWhereIsOrder, []string{"where is", "where's", "not arrived", "hasn't arrived", "has not arrived", "not received", "haven't received",
		"have not received", "still waiting", "tracking", "when will", "delivery", "shipped yet", "lost", "wo bleibt", "nicht angekommen"}},
}

// GuessTicketReason reads why a customer wrote from the words of their first mail; the owner corrects it
// when it guessed wrong.
func GuessTicketReason(subject, text string) TicketReason {
	s := strings.ToLower(subject + "\n" + text)
	s = strings.ReplaceAll(s, "’", "'")
	for _, rw := range reasonWords {
		for _, w := range rw.words {
			if strings.Contains(s, w) {
				return rw.reason
			}
		}
	}
	if strings.Contains(s, "?") {
		return ReasonQuestion
	}
	return ReasonOther
}

const ticketColumns = `k.id, k.order_id, o.external_id, o.channel, k.status, k.reason, k.handler, k.customer, k.subject, k.opened_at,
	k.updated_at, COALESCE(k.last_customer_at, ''), COALESCE(k.last_reply_at, ''),
	(SELECT count(*) FROM ticket_messages m WHERE m.ticket_id = k.id)`

const ticketFrom = ` FROM tickets k JOIN orders o ON o.id = k.order_id `

func scanTicket(r scanner) (Ticket, error) {
	var k Ticket
	var opened, updated, customer, reply string
	err := r.Scan(&k.ID, &k.OrderID, &k.OrderRef, &k.Channel, &k.Status, &k.Reason, &k.Handler, &k.Customer, &k.Subject, &opened,
		&updated, &customer, &reply, &k.Messages)
	k.Opened, k.Updated = parseTime(opened), parseTime(updated)
	if customer != "" {
		k.LastCustomer = parseTime(customer)
	}
	if reply != "" {
		k.LastReply = parseTime(reply)
	}
	return k, err
}

// Tickets lists support tickets, the most recently changed first. Only an owner may: they hold what
// customers wrote.
func (s *Store) Tickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if len(f.Status) > 0 {
		where = append(where, `k.status IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(f.Status)), ", ")+`)`)
		for _, st := range f.Status {
			args = append(args, st)
		}
	}
	if f.OrderID != 0 {
		where = append(where, `k.order_id = ?`)
		args = append(args, f.OrderID)
	}
	q := `SELECT ` + ticketColumns + ticketFrom
	if len(where) > 0 {
		q += `WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY k.updated_at DESC, k.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	out, err := queryList(ctx, s.read, scanTicket, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return out, nil
}

// Ticket returns one ticket with its thread (oldest first), notes and order with its lines.
func (s *Store) Ticket(ctx context.Context, id int64) (Ticket, error) {
	if err := s.require(PermManageMail); err != nil {
		return Ticket{}, err
	}
	k, err := scanTicket(s.read.QueryRowContext(ctx, `SELECT `+ticketColumns+ticketFrom+`WHERE k.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, errorf(ErrNotFound, "there is no ticket %d", id)
	}
	if err != nil {
		return k, fmt.Errorf("read ticket %d: %w", id, err)
	}
	k.Thread, err = queryList(ctx, s.read, func(r scanner) (TicketMessage, error) {
		var m TicketMessage
		var at string
		err := r.Scan(&m.ID, &m.Direction, &m.MailID, &m.OutboxID, &m.MessageID, &at, &m.From, &m.Subject, &m.Text, &m.OutboxStatus)
		m.At = parseTime(at)
		return m, err
	}, `SELECT m.id, m.direction, COALESCE(m.mail_id, 0), COALESCE(m.outbox_id, 0), m.message_id, m.at, m.sender, m.subject, m.text,
		COALESCE(x.status, '') FROM ticket_messages m LEFT JOIN outbox x ON x.id = m.outbox_id WHERE m.ticket_id = ? ORDER BY m.at, m.id`, id)
	if err != nil {
		return k, fmt.Errorf("read the thread of ticket %d: %w", id, err)
	}
	k.Notes, err = queryList(ctx, s.read, func(r scanner) (TicketNote, error) {
		var n TicketNote
		var at string
		err := r.Scan(&n.ID, &at, &n.Author, &n.Text)
		n.At = parseTime(at)
		return n, err
	}, `SELECT id, at, author, text FROM ticket_notes WHERE ticket_id = ? ORDER BY id`, id)
	if err != nil {
		return k, fmt.Errorf("read the notes of ticket %d: %w", id, err)
	}
	if k.Order, err = s.Order(ctx, k.OrderID); err != nil {
		return k, fmt.Errorf("read the order of ticket %d: %w", id, err)
	}
	return k, nil
}

// changeTicket reads ticket id, lets change alter it (or refuse), writes it and audits it.
func (s *Store) changeTicket(ctx context.Context, id int64, action string, change func(t *tx, k *Ticket) error) error {
	if err := s.require(PermManageMail); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		before, err := t.readTicket(ctx, id)
		if err != nil {
			return err
		}
		after := before
		if err := change(t, &after); err != nil {
			return err
		}
		return t.writeTicket(ctx, action, before, after)
	})
}

func (t *tx) readTicket(ctx context.Context, id int64) (Ticket, error) {
	k, err := scanTicket(t.QueryRowContext(ctx, `SELECT `+ticketColumns+ticketFrom+`WHERE k.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, errorf(ErrNotFound, "there is no ticket %d", id)
	} else if err != nil {
		return k, fmt.Errorf("read ticket %d: %w", id, err)
	}
	return k, nil
}

// writeTicket saves what a person changed on a ticket and audits it.
func (t *tx) writeTicket(ctx context.Context, action string, before, after Ticket) error {
	if _, err := t.ExecContext(ctx, `UPDATE tickets SET status = ?, reason = ?, handler = ?, updated_at = ?, last_reply_at = ?,
		hlc = ?, device_id = ? WHERE id = ?`, after.Status, after.Reason, after.Handler, t.nowText(), nullTime(after.LastReply),
		t.hlc, t.s.device, after.ID); err != nil {
		return fmt.Errorf("update ticket %d: %w", after.ID, err)
	}
	return t.audit(ctx, action, "ticket", strconv.FormatInt(after.ID, 10), ticketAudit(before), ticketAudit(after))
}

// ticketSubject starts the subject key of a ticket's exception, followed by the ticket id.
const ticketSubject = "ticket:"

// ticketAudit is what the audit log keeps of a ticket: its state, not what the customer wrote.
func ticketAudit(k Ticket) map[string]any {
	return map[string]any{"order": k.OrderRef, "channel": k.Channel, "status": k.Status, "reason": k.Reason, "handler": k.Handler}
}

// SetTicketStatus moves a ticket to open, waiting or closed.
func (s *Store) SetTicketStatus(ctx context.Context, id int64, status TicketStatus) error {
	if !slices.Contains(TicketStatuses(), status) {
		return errorf(ErrInvalid, "ticket status %q is not open, waiting or closed", status)
	}
	return s.changeTicket(ctx, id, "status", func(_ *tx, k *Ticket) error {
		k.Status = status
		return nil
	})
}

// AssignTicket makes handler (a user's name, or "" for nobody) the one who handles the ticket.
func (s *Store) AssignTicket(ctx context.Context, id int64, handler string) error {
	handler = strings.TrimSpace(handler)
	if len(handler) > 100 || strings.ContainsAny(handler, "\r\n") {
		return errorf(ErrInvalid, "the handler of ticket %d is one name of at most 100 characters", id)
	}
	return s.changeTicket(ctx, id, "assign", func(t *tx, k *Ticket) error {
		if handler != "" {
			var n int
			if err := t.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE name = ? AND active = 1`, handler).Scan(&n); err != nil {
				return fmt.Errorf("look up user %s: %w", handler, err)
			}
			if n == 0 {
				return errorf(ErrInvalid, "there is no active user %q to handle ticket %d", handler, id)
			}
		}
		k.Handler = handler
		return nil
	})
}

// SetTicketReason corrects why the customer wrote.
func (s *Store) SetTicketReason(ctx context.Context, id int64, reason TicketReason) error {
	if !slices.Contains(TicketReasons(), reason) {
		return errorf(ErrInvalid, "ticket reason %q is not one of %v", reason, TicketReasons())
	}
	return s.changeTicket(ctx, id, "reason", func(_ *tx, k *Ticket) error {
		k.Reason = reason
		return nil
	})
}

// AddTicketNote keeps a note on a ticket, signed by the acting user.
func (s *Store) AddTicketNote(ctx context.Context, id int64, text string) error {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return errorf(ErrInvalid, "the note on ticket %d is empty", id)
	case len(text) > maxTicketText:
		return errorf(ErrInvalid, "the note on ticket %d is longer than %d characters", id, maxTicketText)
	}
	return s.changeTicket(ctx, id, "note", func(t *tx, k *Ticket) error {
		_, err := t.ExecContext(ctx, `INSERT INTO ticket_notes(ticket_id, at, author, text, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?)`,
			id, t.nowText(), t.s.user.Name, text, t.hlc, t.s.device)
		if err != nil {
			return fmt.Errorf("add a note to ticket %d: %w", id, err)
		}
		return nil
	})
}

// ReplyToTicket queues our answer in the outbox, threaded to the customer's last mail (In-Reply-To, and
// References to the thread's mails) and addressed to where they wrote from, by the shop's route: the
// sending account's, or to be pasted by hand for a channel that hides the buyer's address. The ticket
// then waits for the customer, and whoever answers handles it if nobody did.
func (s *Store) ReplyToTicket(ctx context.Context, id int64, text string) (OutboxMessage, error) {
	var out OutboxMessage
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return out, errorf(ErrInvalid, "the reply to ticket %d is empty", id)
	case len(text) > maxTicketText:
		return out, errorf(ErrInvalid, "the reply to ticket %d is longer than %d characters", id, maxTicketText)
	}
	err := s.changeTicket(ctx, id, "reply", func(t *tx, k *Ticket) error {
		var err error
		out, err = t.queueTicketReply(ctx, k, text)
		return err
	})
	if err != nil {
		return OutboxMessage{}, err
	}
	return out, nil
}

// queueTicketReply queues text as the reply to ticket k and moves k to waiting; the caller writes k.
func (t *tx) queueTicketReply(ctx context.Context, k *Ticket, text string) (OutboxMessage, error) {
	var out OutboxMessage
	var lastID, lastSubject, lastFrom string
	var refs []string
	err := scanRows(ctx, t, `SELECT direction, message_id, subject, sender FROM ticket_messages WHERE ticket_id = ? ORDER BY at, id`,
		func(r *sql.Rows) error {
			var dir, mid, subject, from string
			if err := r.Scan(&dir, &mid, &subject, &from); err != nil {
				return err
			}
			if mid != "" {
				refs = append(refs, mid)
			}
			if dir == TicketIn {
				lastID, lastSubject, lastFrom = mid, subject, from
			}
			return nil
		}, k.ID)
	if err != nil {
		return out, fmt.Errorf("read the thread of ticket %d: %w", k.ID, err)
	}
	var email, name, shipName string
	if err := t.QueryRowContext(ctx, `SELECT customer_email, customer_name, ship_name FROM orders WHERE id = ?`, k.OrderID).
		Scan(&email, &name, &shipName); err != nil {
		return out, fmt.Errorf("read the order of ticket %d: %w", k.ID, err)
	}
	to := cmpOr(mailAddress(lastFrom), cmpOr(k.Customer, strings.TrimSpace(email)))
	if a, err := mail.ParseAddress(lastFrom); err == nil && a.Name != "" {
		name = a.Name
	}
	subject := cmpOr(lastSubject, k.Subject)
	if !subjectPrefix(subject) {
		subject = "Re: " + subject
	}
	route := RouteSMTP
	if acct, err := t.s.smtpAccount(ctx, t); err == nil {
		route = acct.Route
	} else if !errors.Is(err, ErrNotFound) {
		return out, err
	}
	if len(refs) > 10 {
		refs = refs[len(refs)-10:]
	}
	out = OutboxMessage{OrderID: k.OrderID, OrderRef: k.OrderRef, Channel: k.Channel, Route: route, To: to, ToName: cmpOr(name, shipName),
		Subject: subject, Text: text, Status: OutboxQueued, NextAttempt: t.now, Created: t.now, InReplyTo: lastID,
		References: strings.Join(refs, " "), TicketID: k.ID}
	if hidesAddress(k.Channel) || to == "" {
		out.Route, out.Status = RoutePaste, OutboxPaste
	}
	res, err := t.ExecContext(ctx, `INSERT INTO outbox(order_id, rule_id, trigger, route, to_addr, to_name, subject, text, html, status,
		next_attempt, created_at, in_reply_to, refs, ticket_id, hlc, device_id) VALUES (?, 0, '', ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?)`,
		out.OrderID, out.Route, out.To, out.ToName, out.Subject, out.Text, out.Status, t.nowText(), t.nowText(), out.InReplyTo,
		out.References, k.ID, t.hlc, t.s.device)
	if err != nil {
		return out, fmt.Errorf("queue the reply to ticket %d: %w", k.ID, err)
	}
	if out.ID, err = res.LastInsertId(); err != nil {
		return out, fmt.Errorf("queue the reply to ticket %d: %w", k.ID, err)
	}
	if err := t.audit(ctx, "queue", "outbox", fmt.Sprint(out.ID), nil, outboxAudit(out)); err != nil {
		return out, err
	}
	var sender string
	if acct, err := t.s.smtpAccount(ctx, t); err == nil {
		sender = acct.From
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO ticket_messages(ticket_id, direction, outbox_id, at, sender, subject, text, hlc, device_id)
		VALUES (?, 'out', ?, ?, ?, ?, ?, ?, ?)`, k.ID, out.ID, t.nowText(), cmpOr(sender, t.s.user.Name), out.Subject, text, t.hlc, t.s.device); err != nil {
		return out, fmt.Errorf("add the reply to ticket %d: %w", k.ID, err)
	}
	k.Status, k.LastReply = TicketWaiting, t.now
	if k.Handler == "" {
		k.Handler = t.s.user.Name
	}
	return out, nil
}

// subjectPrefix says a subject already reads as a reply.
func subjectPrefix(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(l, "re:") || strings.HasPrefix(l, "aw:")
}

// unansweredTickets adds a problem for each ticket whose customer wrote last, longer ago than the
// kind's limit: a ticket answered within the limit never nags.
func (s *Store) unansweredTickets(ctx context.Context, now time.Time, add func(problem)) error {
	limits, err := s.ExceptionLimits(ctx)
	if err != nil {
		return err
	}
	err = scanRows(ctx, s.read, `SELECT k.id, k.order_id, o.channel, o.external_id, k.customer, k.subject, k.last_customer_at
		FROM tickets k JOIN orders o ON o.id = k.order_id
		WHERE k.status <> 'closed' AND k.last_customer_at IS NOT NULL AND k.last_customer_at > COALESCE(k.last_reply_at, '')
		AND k.last_customer_at <= ? ORDER BY k.last_customer_at, k.id`, func(r *sql.Rows) error {
		var id, orderID int64
		var ch, ext, customer, subject, at string
		if err := r.Scan(&id, &orderID, &ch, &ext, &customer, &subject, &at); err != nil {
			return err
		}
		add(problem{ExceptionTicketUnanswered, fmt.Sprint(ticketSubject, id), orderID, ch + " " + ext,
			fmt.Sprintf("%s about %s order %s: %s", cmpOr(customer, "a customer"), ch, ext, subject), parseTime(at)})
		return nil
	}, formatTime(now.Add(-limits[ExceptionTicketUnanswered])))
	if err != nil {
		return fmt.Errorf("find unanswered tickets: %w", err)
	}
	return nil
}

// TicketRates is the support load of the orders placed in a period: how many of them led to tickets,
// per product and per reason.
type TicketRates struct {
	From, To time.Time
	Orders   int // orders placed in the period
	Tickets  int // tickets on those orders, whenever opened
	Products []ProductTicketRate
	Reasons  []ReasonTicketRate
}

// ProductTicketRate is one product's support load: tickets on the period's orders that contain the SKU,
// per 100 of those orders.
type ProductTicketRate struct {
	SKU     string
	Name    string
	Orders  int
	Tickets int
	Per100  float64
}

// ReasonTicketRate is one reason's tickets per 100 of all the period's orders.
type ReasonTicketRate struct {
	Reason  TicketReason
	Tickets int
	Per100  float64
}

// TicketRates measures the support load of the orders placed in [from, to): per product (only products
// with a ticket, highest rate first) and per reason (every reason, in TicketReasons order). Counting the
// tickets of a period's orders, rather than the tickets opened in it, keeps each rate a share of the
// same orders. Tickets are few beside orders: the products are found from the period's tickets (CROSS
// JOIN keeps SQLite from starting at the lines), and only theirs have their orders counted (pairing every
// line of a month of a large shop's orders with its tickets took 160 ms for a shop without one).
func (s *Store) TicketRates(ctx context.Context, from, to time.Time) (TicketRates, error) {
	r := TicketRates{From: from, To: to}
	if err := s.require(PermManageMail); err != nil {
		return r, err
	}
	f, tt := formatTime(from), formatTime(to)
	if err := s.read.QueryRowContext(ctx, `SELECT count(*), (SELECT count(*) FROM tickets k JOIN orders o ON o.id = k.order_id
		WHERE o.placed_at >= ?1 AND o.placed_at < ?2) FROM orders WHERE placed_at >= ?1 AND placed_at < ?2`, f, tt).Scan(&r.Orders, &r.Tickets); err != nil {
		return r, fmt.Errorf("count the period's orders: %w", err)
	}
	per100 := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return float64(n) * 100 / float64(of)
	}
	var err error
	r.Products, err = queryList(ctx, s.read, func(sc scanner) (ProductTicketRate, error) {
		var p ProductTicketRate
		err := sc.Scan(&p.SKU, &p.Name, &p.Orders, &p.Tickets)
		p.Per100 = per100(p.Tickets, p.Orders)
		return p, err
	}, `WITH ticketed(sku, tickets) AS MATERIALIZED (SELECT l.sku, count(DISTINCT k.id)
			FROM tickets k CROSS JOIN orders o ON o.id = k.order_id CROSS JOIN order_lines l ON l.order_id = k.order_id
			WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND l.sku IS NOT NULL GROUP BY l.sku),
		rated(sku, orders, tickets) AS MATERIALIZED (SELECT t.sku, (SELECT count(DISTINCT l.order_id)
				FROM order_lines l INDEXED BY order_lines_sku JOIN orders o INDEXED BY orders_id_sales ON o.id = l.order_id
				WHERE l.sku = t.sku AND o.placed_at >= ?1 AND o.placed_at < ?2), t.tickets FROM ticketed t)
		SELECT r.sku, COALESCE((SELECT p.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END
			FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = r.sku), ''), r.orders, r.tickets
		FROM rated r ORDER BY r.tickets * 1.0 / r.orders DESC, r.tickets DESC, r.sku`, f, tt)
	if err != nil {
		return r, fmt.Errorf("measure the support load per product: %w", err)
	}
	counts := map[TicketReason]int{}
	err = scanRows(ctx, s.read, `SELECT k.reason, count(*) FROM tickets k JOIN orders o ON o.id = k.order_id
		WHERE o.placed_at >= ? AND o.placed_at < ? GROUP BY k.reason`, func(sc *sql.Rows) error {
		var reason TicketReason
		var n int
		if err := sc.Scan(&reason, &n); err != nil {
			return err
		}
		counts[reason] = n
		return nil
	}, f, tt)
	if err != nil {
		return r, fmt.Errorf("measure the support load per reason: %w", err)
	}
	for _, reason := range TicketReasons() {
		r.Reasons = append(r.Reasons, ReasonTicketRate{Reason: reason, Tickets: counts[reason], Per100: per100(counts[reason], r.Orders)})
	}
	return r, nil
}
