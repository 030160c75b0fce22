package data

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// MailSecurity is how the connection to the mail server is protected.
type MailSecurity string

// The ways to reach a mail server.
const (
	// MailTLS is implicit TLS (IMAPS, usually port 993): the default, and what every large provider offers.
	MailTLS MailSecurity = "tls"
	// MailStartTLS connects in plain text and upgrades before logging in (usually port 143).
	MailStartTLS MailSecurity = "starttls"
	// MailInsecure sends the password in plain text. Only a server on this computer may be reached so.
	MailInsecure MailSecurity = "insecure"
)

// MailAccount is the mailbox the shop's order notifications arrive in. Its password is not part of it:
// the app keeps that in the operating system's keychain.
type MailAccount struct {
	ID       int64
	Host     string
	Port     int // SaveMailAccount fills 993 for TLS and 143 otherwise when 0
	Security MailSecurity
	User     string
	Folders  []string // folders to read; INBOX when none are given
	// Senders narrow the mail read to these senders: whole addresses, or domains such as "@etsy.com".
	// Empty reads every message.
	Senders          []string
	Created, Updated time.Time
}

// Label names the account as people write it: user@host.
func (a MailAccount) Label() string {
	if strings.Contains(a.User, "@") {
		return a.User + " on " + a.Host
	}
	return a.User + "@" + a.Host
}

// DefaultPort is the port IMAP is usually served on with this security: 993 for TLS, 143 otherwise.
func (s MailSecurity) DefaultPort() int {
	if s == MailStartTLS || s == MailInsecure {
		return 143
	}
	return 993
}

// Address is the server's network address, host:port, with the security's usual port when the account
// names none (one typed on the command line has not been through SaveMailAccount, which fills it).
func (a MailAccount) Address() string {
	port := a.Port
	if port == 0 {
		port = a.Security.DefaultPort()
	}
	return net.JoinHostPort(a.Host, strconv.Itoa(port))
}

// IsLoopback reports whether host names this computer, the only place a plain-text login may go.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// normalize checks the account and fills its defaults.
func (a *MailAccount) normalize() error {
	a.Host = strings.TrimSpace(a.Host)
	a.User = strings.TrimSpace(a.User)
	if a.Security == "" {
		a.Security = MailTLS
	}
	switch {
	case a.Host == "":
		return errorf(ErrInvalid, "the mail server's name is missing (such as imap.gmail.com)")
	case strings.Contains(a.Host, "://") || strings.ContainsAny(a.Host, " /"):
		return errorf(ErrInvalid, "%q is not a server name: give only the name, such as imap.gmail.com", a.Host)
	case a.User == "":
		return errorf(ErrInvalid, "the user name for %s is missing (usually the whole e-mail address)", a.Host)
	}
	switch a.Security {
	case MailTLS, MailStartTLS:
	case MailInsecure:
		if !IsLoopback(a.Host) {
			return errorf(ErrInvalid, "a connection without encryption would send the password for %s in plain text; "+
				"it is only allowed to a server on this computer. Choose TLS or STARTTLS", a.Host)
		}
	default:
		return errorf(ErrInvalid, "unknown connection security %q: use tls, starttls or insecure", a.Security)
	}
	if a.Port == 0 {
		a.Port = a.Security.DefaultPort()
	}
	if a.Port < 1 || a.Port > 65535 {
		return errorf(ErrInvalid, "port %d is not a port number (1 to 65535; IMAP uses 993 with TLS, 143 otherwise)", a.Port)
	}
	a.Folders = cleanList(a.Folders, false)
	if len(a.Folders) == 0 {
		a.Folders = []string{"INBOX"}
	}
	a.Senders = cleanList(a.Senders, true)
	for _, s := range a.Senders {
		if strings.ContainsAny(s, " <>,;") {
			return errorf(ErrInvalid, "sender filter %q: give one address (orders@shop.com) or domain (@etsy.com)", s)
		}
	}
	return nil
}

// cleanList trims, drops empties and repeats, keeping the order given.
func cleanList(in []string, lower bool) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if lower {
			s = strings.ToLower(s)
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

const mailAccountColumns = `id, host, port, security, user_name, folders, senders, created_at, updated_at`

func scanMailAccount(row scanner) (MailAccount, error) {
	var a MailAccount
	var folders, senders, created, updated string
	if err := row.Scan(&a.ID, &a.Host, &a.Port, &a.Security, &a.User, &folders, &senders, &created, &updated); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(folders), &a.Folders); err != nil {
		return a, fmt.Errorf("mail account %d folders: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(senders), &a.Senders); err != nil {
		return a, fmt.Errorf("mail account %d senders: %w", a.ID, err)
	}
	a.Created, a.Updated = parseTime(created), parseTime(updated)
	return a, nil
}

// SaveMailAccount creates the account (ID 0) or changes it. Only an owner may.
func (s *Store) SaveMailAccount(ctx context.Context, a MailAccount) (MailAccount, error) {
	if err := s.require(PermManageMail); err != nil {
		return a, err
	}
	if err := a.normalize(); err != nil {
		return a, err
	}
	folders, _ := json.Marshal(a.Folders)
	senders, _ := json.Marshal(a.Senders)
	err := s.update(ctx, func(t *tx) error {
		var before any
		if a.ID == 0 {
			res, err := t.ExecContext(ctx, `INSERT INTO mail_accounts(host, port, security, user_name, folders, senders, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.Host, a.Port, a.Security, a.User, string(folders), string(senders), t.nowText(), t.nowText())
			if err != nil {
				return t.mailAccountClash(a, err)
			}
			if a.ID, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("add mail account: %w", err)
			}
		} else {
			old, err := scanMailAccount(t.QueryRowContext(ctx, `SELECT `+mailAccountColumns+` FROM mail_accounts WHERE id = ?`, a.ID))
			if errors.Is(err, sql.ErrNoRows) {
				return errorf(ErrNotFound, "there is no mail account %d", a.ID)
			}
			if err != nil {
				return fmt.Errorf("read mail account %d: %w", a.ID, err)
			}
			before = old
			if _, err := t.ExecContext(ctx, `UPDATE mail_accounts SET host = ?, port = ?, security = ?, user_name = ?, folders = ?,
				senders = ?, updated_at = ? WHERE id = ?`, a.Host, a.Port, a.Security, a.User, string(folders), string(senders), t.nowText(), a.ID); err != nil {
				return t.mailAccountClash(a, err)
			}
			if old.Host != a.Host || old.Port != a.Port || old.User != a.User {
				// Another mailbox: where the old one's folders stopped means nothing there.
				if _, err := t.ExecContext(ctx, `DELETE FROM mail_folders WHERE account_id = ?`, a.ID); err != nil {
					return fmt.Errorf("reset mail folders: %w", err)
				}
			}
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		return t.audit(ctx, action, "mail_account", strconv.FormatInt(a.ID, 10), before, a)
	})
	if err != nil {
		return a, err
	}
	return s.MailAccount(ctx, a.ID)
}

func (t *tx) mailAccountClash(a MailAccount, err error) error {
	if isConstraint(err, sqlite3.ErrConstraintUnique) {
		return errorf(ErrConflict, "the mail account %s on port %d is already set up", a.Label(), a.Port)
	}
	return fmt.Errorf("save mail account %s: %w", a.Label(), err)
}

// MailAccounts lists the shop's mail accounts, oldest first. Only an owner may see them.
func (s *Store) MailAccounts(ctx context.Context) ([]MailAccount, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, scanMailAccount, `SELECT `+mailAccountColumns+` FROM mail_accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list mail accounts: %w", err)
	}
	return out, nil
}

// MailAccount returns one mail account.
func (s *Store) MailAccount(ctx context.Context, id int64) (MailAccount, error) {
	if err := s.require(PermManageMail); err != nil {
		return MailAccount{}, err
	}
	a, err := scanMailAccount(s.read.QueryRowContext(ctx, `SELECT `+mailAccountColumns+` FROM mail_accounts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errorf(ErrNotFound, "there is no mail account %d", id)
	}
	if err != nil {
		return a, fmt.Errorf("read mail account %d: %w", id, err)
	}
	return a, nil
}

// DeleteMailAccount forgets the account and where its folders were read to. The mail already read, and
// the orders it made, stay.
func (s *Store) DeleteMailAccount(ctx context.Context, id int64) error {
	if err := s.require(PermManageMail); err != nil {
		return err
	}
	old, err := s.MailAccount(ctx, id)
	if err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM mail_accounts WHERE id = ?`, id); err != nil {
			return fmt.Errorf("remove mail account %s: %w", old.Label(), err)
		}
		return t.audit(ctx, "delete", "mail_account", strconv.FormatInt(id, 10), old, nil)
	})
}

// MailFolderState is where the sync of one folder stopped: the folder's UIDVALIDITY then, and the highest
// UID read under it.
type MailFolderState struct {
	AccountID   int64
	Folder      string
	UIDValidity uint32
	LastUID     uint32
	Updated     time.Time
}

// MailFolderState returns where the folder's sync stopped; UIDValidity is 0 when it was never read.
func (s *Store) MailFolderState(ctx context.Context, accountID int64, folder string) (MailFolderState, error) {
	if err := s.require(PermManageMail); err != nil {
		return MailFolderState{}, err
	}
	st := MailFolderState{AccountID: accountID, Folder: folder}
	var updated string
	err := s.read.QueryRowContext(ctx, `SELECT uid_validity, last_uid, updated_at FROM mail_folders WHERE account_id = ? AND folder = ?`,
		accountID, folder).Scan(&st.UIDValidity, &st.LastUID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read sync state of %s: %w", folder, err)
	}
	st.Updated = parseTime(updated)
	return st, nil
}

// MailKind is what a message is to the shop.
type MailKind string

// The kinds of mail.
const (
	MailOrder        MailKind = "order"
	MailNotOrder     MailKind = "not-order"
	MailUnknownOrder MailKind = "unknown-order"
)

// The states of a message in the review queue.
const (
	ReviewOpen      = "open"      // looks like an order, and nobody has looked at it yet
	ReviewDismissed = "dismissed" // the owner said it is no order
	ReviewEntered   = "entered"   // the owner typed the order in from it
)

// MailMessage is one e-mail and what the parser read from it.
type MailMessage struct {
	ID        int64
	AccountID int64 // 0 when it was read from a file
	Folder    string
	UID       uint32
	Source    string    // the file name, for mail read from a file
	Received  time.Time // when the server received it (IMAP INTERNALDATE), or the file's modification time
	Raw       []byte    // the whole RFC 5322 message; kept (compressed) unless the mail is no order

	MessageID, Subject, From string
	Date                     time.Time
	Forwarded                bool
	Kind                     MailKind
	Channel                  string
	Order                    *Order // with Kind MailOrder
	Problems                 []Problem

	// A customer's own mail (Kind MailNotOrder) as ordermail.ReadCustomerMail read it: what links it to a
	// support ticket, and its text, which is kept for the ticket's thread.
	InReplyTo, References []string // Message-IDs without angle brackets
	Mentions              []string // order numbers the mail names
	Text                  string
	Marketplace           bool  // sent by a marketplace, which never makes a ticket
	TicketID              int64 // the ticket the mail joined, when it did

	OrderID int64  // read back: the order the message made or updated
	Review  string // read back: "", ReviewOpen, ReviewDismissed or ReviewEntered
	Size    int    // read back: bytes of the raw message

	fillsOnly bool // the order was another source's, and the message only filled its gaps
}

// MailBatch is what one transaction takes from one folder: messages and where the folder stands after
// them. Writing both together is what makes a sync cut off mid-fetch resume after the last batch, with
// no message lost and none read twice.
type MailBatch struct {
	AccountID   int64
	Folder      string
	UIDValidity uint32
	LastUID     uint32
	Messages    []MailMessage
}

// MailResult counts what mail did to the shop.
type MailResult struct {
	Seen                                      int // messages read, duplicates included
	Duplicates                                int // already stored: the same Message-ID or the same bytes
	OrdersNew, OrdersUpdated, OrdersUnchanged int
	Held                                      int // new orders or changes to figures in a locked period, kept for the owner
	Ignored                                   int // not orders
	Queued                                    int // looked like orders but no parser read them: in the review queue
	Unmatched                                 int // order lines whose item matched none of the shop's SKUs
	Tickets                                   int // customer mail filed under a support ticket
	Warnings                                  []Problem
}

// Add sums another result into r.
func (r *MailResult) Add(o MailResult) {
	r.Seen += o.Seen
	r.Duplicates += o.Duplicates
	r.OrdersNew += o.OrdersNew
	r.OrdersUpdated += o.OrdersUpdated
	r.OrdersUnchanged += o.OrdersUnchanged
	r.Held += o.Held
	r.Ignored += o.Ignored
	r.Queued += o.Queued
	r.Unmatched += o.Unmatched
	r.Tickets += o.Tickets
	r.Warnings = append(r.Warnings, o.Warnings...)
}

// ApplyMail stores a batch of messages and the orders they bring, in one transaction, and moves the
// folder's sync state to the batch's. A message stored before (same Message-ID or same bytes, from any
// folder or file) is counted as a duplicate and changes nothing, so rescanning a folder is safe.
func (s *Store) ApplyMail(ctx context.Context, b MailBatch) (MailResult, error) {
	var res MailResult
	if err := s.require(PermImport); err != nil {
		return res, err
	}
	err := s.update(ctx, func(t *tx) error {
		for i := range b.Messages {
			m := &b.Messages[i]
			m.AccountID, m.Folder = b.AccountID, cmpOr(m.Folder, b.Folder)
			if err := t.storeMail(ctx, m, &res); err != nil {
				return err
			}
		}
		if b.AccountID == 0 || b.Folder == "" {
			return nil
		}
		_, err := t.ExecContext(ctx, `INSERT INTO mail_folders(account_id, folder, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(account_id, folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
			updated_at = excluded.updated_at`, b.AccountID, b.Folder, b.UIDValidity, b.LastUID, t.nowText())
		if err != nil {
			return fmt.Errorf("save sync state of %s: %w", b.Folder, err)
		}
		return nil
	})
	if err != nil {
		return MailResult{}, err
	}
	return res, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// storeMail writes one new message, or counts it as a duplicate.
func (t *tx) storeMail(ctx context.Context, m *MailMessage, res *MailResult) error {
	res.Seen++
	sum := sha256.Sum256(m.Raw)
	var id int64
	err := t.QueryRowContext(ctx, `SELECT id FROM mail_messages WHERE sha256 = ?`, sum[:]).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) && m.MessageID != "" {
		err = t.QueryRowContext(ctx, `SELECT id FROM mail_messages WHERE message_id = ? AND message_id <> '' LIMIT 1`, m.MessageID).Scan(&id)
	}
	switch {
	case err == nil:
		res.Duplicates++
		m.ID = id
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("look up message %s: %w", m.describe(), err)
	}
	if err := t.applyMailOrder(ctx, m, res); err != nil {
		return err
	}
	// Mail that is no order is not kept, except a customer's mail about one of our orders: it is the
	// ticket's thread.
	link, err := t.ticketFor(ctx, m)
	if err != nil {
		return err
	}
	var raw any
	if m.Kind != MailNotOrder || link.orderID != 0 {
		z, err := t.gzip(m.Raw)
		if err != nil {
			return fmt.Errorf("compress message %s: %w", m.describe(), err)
		}
		raw = z
	}
	problems, _ := json.Marshal(nonNil(m.Problems))
	var account any
	if m.AccountID != 0 {
		account = m.AccountID
	}
	r, err := t.ExecContext(ctx, `INSERT INTO mail_messages(account_id, folder, uid, source, received_at, message_id, sha256, subject, sender,
		sent_at, forwarded, kind, channel, order_id, problems, review, raw_size, raw_gzip, parsed_at, stored_at, fills_only)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		account, m.Folder, m.UID, m.Source, nullTime(m.Received), m.MessageID, sum[:], m.Subject, m.From,
		nullTime(m.Date), m.Forwarded, m.Kind, m.Channel, nullID(m.OrderID), string(problems), m.Review, len(m.Raw), raw,
		t.nowText(), t.nowText(), m.fillsOnly)
	if err != nil {
		return fmt.Errorf("store message %s: %w", m.describe(), err)
	}
	if m.ID, err = r.LastInsertId(); err != nil {
		return fmt.Errorf("store message %s: %w", m.describe(), err)
	}
	if link.orderID == 0 {
		return nil
	}
	res.Tickets++
	return t.fileTicketMail(ctx, link, m)
}

// applyMailOrder imports the order a message carries and decides where the message stands: an order the
// store cannot take (a parser read it wrongly) goes to the review queue like mail no parser read, with
// the reason, rather than being lost or half-written.
func (t *tx) applyMailOrder(ctx context.Context, m *MailMessage, res *MailResult) error {
	m.OrderID, m.Review, m.fillsOnly = 0, "", false
	for _, p := range m.Problems {
		if !p.Warning && m.Kind == MailOrder {
			m.Kind = MailUnknownOrder
		}
	}
	if m.Kind == MailOrder && m.Order == nil {
		m.Kind = MailUnknownOrder
		m.Problems = append(m.Problems, Problem{Reason: "the parser recognised an order but read none from it"})
	}
	switch m.Kind {
	case MailNotOrder:
		res.Ignored++
		return nil
	case MailUnknownOrder:
		m.Review = ReviewOpen
		res.Queued++
		return nil
	case MailOrder:
	default:
		return errorf(ErrInvalid, "message %s has unknown kind %q", m.describe(), m.Kind)
	}
	o := *m.Order
	o.Lines = slices.Clone(m.Order.Lines)
	o.Channel = strings.ToLower(strings.TrimSpace(o.Channel))
	o.ExternalID = strings.TrimSpace(o.ExternalID)
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	refuse := func(err error) error {
		var de *Error
		if !errors.As(err, &de) || de.Kind == nil {
			return err
		}
		m.Kind, m.Review = MailUnknownOrder, ReviewOpen
		m.Problems = append(m.Problems, Problem{Value: o.ExternalID, Reason: de.Message})
		res.Queued++
		return nil
	}
	if err := o.Validate(); err != nil {
		return refuse(err)
	}
	fillsOnly, err := t.mailFillsOnly(ctx, &o)
	if err != nil {
		return err
	}
	m.fillsOnly = fillsOnly
	// The order's rows are written under a savepoint so one the store refuses halfway leaves nothing.
	if _, err := t.Tx.ExecContext(ctx, `SAVEPOINT mail_order`); err != nil {
		return fmt.Errorf("begin order of message %s: %w", m.describe(), err)
	}
	t.source = "mail: " + m.Subject
	outcome, unmatched, err := t.applyOrder(ctx, &o)
	t.source = ""
	if err != nil {
		for _, undo := range []string{`ROLLBACK TO mail_order`, `RELEASE mail_order`} {
			if _, rbErr := t.Tx.ExecContext(ctx, undo); rbErr != nil {
				return fmt.Errorf("undo order of message %s: %w", m.describe(), rbErr)
			}
		}
		t.known = lookups{} // what the undone writes taught the caches is gone with them
		return refuse(err)
	}
	if _, err := t.Tx.ExecContext(ctx, `RELEASE mail_order`); err != nil {
		return fmt.Errorf("finish order of message %s: %w", m.describe(), err)
	}
	// A new order a period lock held is not stored yet: its message links to nothing.
	err = t.QueryRowContext(ctx, `SELECT id FROM orders WHERE channel = ? AND external_id = ?`, o.Channel, o.ExternalID).Scan(&m.OrderID)
	if err != nil && !(outcome == "held" && errors.Is(err, sql.ErrNoRows)) {
		return fmt.Errorf("find order %s %s: %w", o.Channel, o.ExternalID, err)
	}
	res.Unmatched += unmatched
	switch outcome {
	case "new":
		res.OrdersNew++
	case "updated":
		res.OrdersUpdated++
	case "held":
		res.Held++
	default:
		res.OrdersUnchanged++
	}
	for _, p := range m.Problems {
		p.Value = cmpOr(p.Value, o.ExternalID)
		res.Warnings = append(res.Warnings, p)
	}
	return nil
}

// mailFillsOnly keeps what another source wrote to an order over what a notification says. A seller's
// e-mail is the earliest and roughest word on an order (dates to the minute, no collected tax), so once
// a marketplace file, or a person, has changed the order after its mail was read, mail only fills what
// is still missing: a forwarded copy or a re-read of old mail never undoes the report. An order only mail
// has written is still the mail's to correct, which is what re-reading with a better parser is for.
func (t *tx) mailFillsOnly(ctx context.Context, o *Order) (bool, error) {
	existing, err := t.s.orderByKey(ctx, t, o.Channel, o.ExternalID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// The mail that wrote the order as its own source, and when it last did.
	var lastMail sql.NullString
	if err := t.QueryRowContext(ctx, `SELECT max(parsed_at) FROM mail_messages WHERE order_id = ? AND fills_only = 0`,
		existing.ID).Scan(&lastMail); err != nil {
		return false, fmt.Errorf("read mail of order %s %s: %w", o.Channel, o.ExternalID, err)
	}
	if lastMail.Valid && !existing.UpdatedAt.After(parseTime(lastMail.String)) {
		return false, nil
	}
	merged := mergeOrder(*o, existing)
	merged.ID, merged.History, merged.UpdatedAt = 0, nil, time.Time{}
	*o = merged
	return true, nil
}

func (m *MailMessage) describe() string {
	switch {
	case m.Subject != "":
		return strconv.Quote(m.Subject)
	case m.MessageID != "":
		return "<" + m.MessageID + ">"
	case m.Source != "":
		return m.Source
	}
	return fmt.Sprintf("UID %d in %s", m.UID, m.Folder)
}

func nonNil(p []Problem) []Problem {
	if p == nil {
		return []Problem{}
	}
	return p
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (t *tx) gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	if t.gz == nil {
		w, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		if err != nil {
			return nil, err
		}
		t.gz = w
	} else {
		t.gz.Reset(&buf)
	}
	if _, err := t.gz.Write(b); err != nil {
		return nil, err
	}
	if err := t.gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipBytes(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

const mailColumns = `id, COALESCE(account_id, 0), folder, uid, source, received_at, message_id, subject, sender, sent_at, forwarded,
	kind, channel, COALESCE(order_id, 0), problems, review, raw_size`

func scanMail(row scanner, extra ...any) (MailMessage, error) {
	var m MailMessage
	var received, sent sql.NullString
	var problems string
	dest := append([]any{&m.ID, &m.AccountID, &m.Folder, &m.UID, &m.Source, &received, &m.MessageID, &m.Subject, &m.From,
		&sent, &m.Forwarded, &m.Kind, &m.Channel, &m.OrderID, &problems, &m.Review, &m.Size}, extra...)
	if err := row.Scan(dest...); err != nil {
		return m, err
	}
	m.Received, m.Date = parseNullTime(received), parseNullTime(sent)
	if err := json.Unmarshal([]byte(problems), &m.Problems); err != nil {
		return m, fmt.Errorf("message %d problems: %w", m.ID, err)
	}
	return m, nil
}

// EachStoredMail calls fn with every message whose raw bytes are kept, oldest first, for reading again
// with improved parsers. fn runs while the read is open; it must not write to the store.
func (s *Store) EachStoredMail(ctx context.Context, fn func(MailMessage) error) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+mailColumns+`, raw_gzip FROM mail_messages WHERE raw_gzip IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read stored mail: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var z []byte
		m, err := scanMail(rows, &z)
		if err != nil {
			return fmt.Errorf("read stored mail: %w", err)
		}
		if m.Raw, err = gunzipBytes(z); err != nil {
			return fmt.Errorf("stored message %d is damaged: %w", m.ID, err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReparseMail replaces the parse results of stored messages, matched by ID, and imports the orders they
// now bring, in one transaction. Orders merge as from any source, so a message read the same way again
// changes nothing, and stock never moves twice. A message the owner already dismissed or typed in stays
// out of the review queue.
func (s *Store) ReparseMail(ctx context.Context, msgs []MailMessage) (MailResult, error) {
	var res MailResult
	if err := s.require(PermImport); err != nil {
		return res, err
	}
	err := s.update(ctx, func(t *tx) error {
		for i := range msgs {
			m := &msgs[i]
			var review string
			var orderID int64
			err := t.QueryRowContext(ctx, `SELECT review, COALESCE(order_id, 0) FROM mail_messages WHERE id = ?`, m.ID).Scan(&review, &orderID)
			if errors.Is(err, sql.ErrNoRows) {
				return errorf(ErrNotFound, "there is no stored message %d", m.ID)
			}
			if err != nil {
				return fmt.Errorf("read message %d: %w", m.ID, err)
			}
			res.Seen++
			if err := t.applyMailOrder(ctx, m, &res); err != nil {
				return err
			}
			if m.Review == ReviewOpen && (review == ReviewDismissed || review == ReviewEntered) {
				m.Review, m.OrderID = review, max(m.OrderID, orderID)
				res.Queued--
			}
			problems, _ := json.Marshal(nonNil(m.Problems))
			if _, err := t.ExecContext(ctx, `UPDATE mail_messages SET message_id = ?, subject = ?, sender = ?, sent_at = ?, forwarded = ?,
				kind = ?, channel = ?, order_id = ?, problems = ?, review = ?, parsed_at = ?, fills_only = ? WHERE id = ?`,
				m.MessageID, m.Subject, m.From, nullTime(m.Date), m.Forwarded, m.Kind, m.Channel, nullID(m.OrderID), string(problems),
				m.Review, t.nowText(), m.fillsOnly, m.ID); err != nil {
				return fmt.Errorf("save message %d: %w", m.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return MailResult{}, err
	}
	return res, nil
}

// MailReviewQueue lists the messages that look like orders but that no parser read, newest first.
func (s *Store) MailReviewQueue(ctx context.Context) ([]MailMessage, error) {
	if err := s.require(PermImport); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, func(r scanner) (MailMessage, error) { return scanMail(r) },
		`SELECT `+mailColumns+` FROM mail_messages WHERE review = 'open' ORDER BY COALESCE(received_at, stored_at) DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list mail to review: %w", err)
	}
	return out, nil
}

// CountMailToReview is how many messages wait in the review queue.
func (s *Store) CountMailToReview(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM mail_messages WHERE review = 'open'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count mail to review: %w", err)
	}
	return n, nil
}

// StoredMail returns one stored message with its raw bytes when they were kept.
func (s *Store) StoredMail(ctx context.Context, id int64) (MailMessage, error) {
	if err := s.require(PermImport); err != nil {
		return MailMessage{}, err
	}
	var z []byte
	m, err := scanMail(s.read.QueryRowContext(ctx, `SELECT `+mailColumns+`, raw_gzip FROM mail_messages WHERE id = ?`, id), &z)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errorf(ErrNotFound, "there is no stored message %d", id)
	}
	if err != nil {
		return m, fmt.Errorf("read message %d: %w", id, err)
	}
	if z != nil {
		if m.Raw, err = gunzipBytes(z); err != nil {
			return m, fmt.Errorf("stored message %d is damaged: %w", id, err)
		}
	}
	return m, nil
}

// DismissMail takes a message out of the review queue: the owner looked and it is no order.
func (s *Store) DismissMail(ctx context.Context, id int64) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		r, err := t.ExecContext(ctx, `UPDATE mail_messages SET review = 'dismissed' WHERE id = ? AND review = 'open'`, id)
		if err != nil {
			return fmt.Errorf("dismiss message %d: %w", id, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errorf(ErrNotFound, "message %d is not waiting for review", id)
		}
		return t.audit(ctx, "dismiss", "mail_message", strconv.FormatInt(id, 10), nil, map[string]string{"review": ReviewDismissed})
	})
}

// EnterMailOrder records the order the owner typed in from a message in the review queue, exactly as an
// order from any other source (it merges with one a spreadsheet already brought), and links the message
// to it.
func (s *Store) EnterMailOrder(ctx context.Context, id int64, o Order) (Order, error) {
	if err := s.require(PermImport); err != nil {
		return Order{}, err
	}
	o.Channel = strings.ToLower(strings.TrimSpace(o.Channel))
	o.ExternalID = strings.TrimSpace(o.ExternalID)
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	if err := o.Validate(); err != nil {
		return Order{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		var review string
		err := t.QueryRowContext(ctx, `SELECT review FROM mail_messages WHERE id = ?`, id).Scan(&review)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no stored message %d", id)
		}
		if err != nil {
			return fmt.Errorf("read message %d: %w", id, err)
		}
		if review != ReviewOpen {
			return errorf(ErrConflict, "message %d is not waiting for review", id)
		}
		// The owner typing the order in is the owner's word on it: a period lock does not hold it back.
		t.unlocked = true
		if _, _, err := t.applyOrder(ctx, &o); err != nil {
			return err
		}
		var orderID int64
		if err := t.QueryRowContext(ctx, `SELECT id FROM orders WHERE channel = ? AND external_id = ?`, o.Channel, o.ExternalID).Scan(&orderID); err != nil {
			return fmt.Errorf("find order %s %s: %w", o.Channel, o.ExternalID, err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE mail_messages SET review = 'entered', order_id = ?, channel = ? WHERE id = ?`,
			orderID, o.Channel, id); err != nil {
			return fmt.Errorf("link message %d: %w", id, err)
		}
		o.ID = orderID
		return t.audit(ctx, "enter", "mail_message", strconv.FormatInt(id, 10), nil,
			map[string]string{"review": ReviewEntered, "order": orderKey(o.Channel, o.ExternalID)})
	})
	if err != nil {
		return Order{}, err
	}
	return s.Order(ctx, o.ID)
}

// MailSyncRun is one sync of a mail account and how it ended.
type MailSyncRun struct {
	ID, AccountID     int64
	Started, Finished time.Time
	Result            MailResult
	Error             string // "" when the sync succeeded
	Cancelled         bool
}

// mailRunCounts is how a run's result is kept: the counts, and only the first warnings.
type mailRunCounts struct {
	Seen, Duplicates, OrdersNew, OrdersUpdated, OrdersUnchanged, Held, Ignored, Queued, Unmatched int
	Tickets                                                                                       int       `json:",omitempty"`
	Warnings                                                                                      []Problem `json:",omitempty"`
}

// LogMailSync records a finished sync run.
func (s *Store) LogMailSync(ctx context.Context, run MailSyncRun) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	r := run.Result
	r.Warnings = r.Warnings[:min(len(r.Warnings), maxLoggedProblems)]
	counts := mailRunCounts(r)
	result, err := json.Marshal(counts)
	if err != nil {
		return fmt.Errorf("record mail sync: %w", err)
	}
	var account any
	if run.AccountID != 0 {
		account = run.AccountID
	}
	return s.update(ctx, func(t *tx) error {
		// A watched mailbox is checked every few minutes, mostly finding nothing: only the newest such
		// check is worth keeping, as "last checked".
		if _, err := t.ExecContext(ctx, `DELETE FROM mail_sync_runs WHERE account_id IS ? AND error = '' AND cancelled = 0
			AND json_extract(result, '$.Seen') = 0`, account); err != nil {
			return fmt.Errorf("record mail sync: %w", err)
		}
		_, err := t.ExecContext(ctx, `INSERT INTO mail_sync_runs(account_id, started_at, finished_at, result, error, cancelled) VALUES (?, ?, ?, ?, ?, ?)`,
			account, formatTime(run.Started), formatTime(cmpTime(run.Finished, t.now)), string(result), run.Error, run.Cancelled)
		if err != nil {
			return fmt.Errorf("record mail sync: %w", err)
		}
		return nil
	})
}

func cmpTime(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return a
}

// LastMailSync returns the account's most recent sync run; ok is false when it never synced.
func (s *Store) LastMailSync(ctx context.Context, accountID int64) (run MailSyncRun, ok bool, err error) {
	runs, err := s.MailSyncRuns(ctx, accountID, 1)
	if err != nil || len(runs) == 0 {
		return run, false, err
	}
	return runs[0], true, nil
}

// MailSyncRuns lists the account's most recent sync runs, newest first.
func (s *Store) MailSyncRuns(ctx context.Context, accountID int64, limit int) ([]MailSyncRun, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, scanMailSyncRun, `SELECT id, COALESCE(account_id, 0), started_at, finished_at, result, error, cancelled
		FROM mail_sync_runs WHERE account_id = ? ORDER BY id DESC LIMIT ?`, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("read mail syncs: %w", err)
	}
	return out, nil
}

func scanMailSyncRun(row scanner) (MailSyncRun, error) {
	var run MailSyncRun
	var started, finished, result string
	if err := row.Scan(&run.ID, &run.AccountID, &started, &finished, &result, &run.Error, &run.Cancelled); err != nil {
		return run, err
	}
	run.Started, run.Finished = parseTime(started), parseTime(finished)
	var c mailRunCounts
	if err := json.Unmarshal([]byte(result), &c); err != nil {
		return run, fmt.Errorf("mail sync %d: %w", run.ID, err)
	}
	run.Result = MailResult(c)
	return run, nil
}
