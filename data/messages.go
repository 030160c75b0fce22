package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	htmltemplate "html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
)

// MessageTrigger is the event in an order's life a rule reacts to.
type MessageTrigger string

// The triggers a rule can name. Each is derived from data the store already holds, so no importer has
// to announce events.
const (
	TriggerOrderImported  MessageTrigger = "order_imported"
	TriggerOrderShipped   MessageTrigger = "order_shipped"
	TriggerShipByPassed   MessageTrigger = "ship_by_passed"
	TriggerOrderHeldUp    MessageTrigger = "order_held_up"
	TriggerReturnReceived MessageTrigger = "return_received"
	TriggerRefundIssued   MessageTrigger = "refund_issued"
)

// MessageTriggers lists every trigger in the order the rules editor offers them.
func MessageTriggers() []MessageTrigger {
	return []MessageTrigger{TriggerOrderImported, TriggerOrderShipped, TriggerShipByPassed,
		TriggerOrderHeldUp, TriggerReturnReceived, TriggerRefundIssued}
}

// RuleAction is what a rule does when it fires.
type RuleAction string

// The actions a rule can take.
const (
	// ActionMessage queues a customer message from the rule's template.
	ActionMessage RuleAction = "message"
	// ActionNotify queues a desktop notification for the owner.
	ActionNotify RuleAction = "notify"
	// ActionException opens an exception of kind "rule".
	ActionException RuleAction = "exception"
)

// MessageRule is "when Trigger happens to an order matching the conditions, do Action".
type MessageRule struct {
	ID       int64
	Name     string
	Trigger  MessageTrigger
	Enabled  bool
	Channel  string // "" = any channel
	SKU      string // "" = any; otherwise the order must have a line with this SKU
	MinTotal int64  // minor units of the order's currency, 0 = any
	Country  string // ISO code, "" = any
	Action   RuleAction
	// TemplateID is the template a "message" rule sends.
	TemplateID int64
	// Created is when the rule was added, last switched on or last given another trigger (set by the
	// store); events older than it never fire the rule, so a new rule does not mail every past customer.
	Created time.Time
}

// MessageTemplate is a customer message with text/template-style fields.
type MessageTemplate struct {
	ID      int64
	Name    string
	Subject string
	Body    string
	HTML    bool
}

// RenderedMessage is a template filled in for one order.
type RenderedMessage struct{ Subject, Text, HTML string }

// RuleFiring is one rule firing (or, in a dry run, that would fire) for one order.
type RuleFiring struct {
	Rule     MessageRule
	OrderID  int64
	OrderRef string // channel order number
	Channel  string
	Trigger  MessageTrigger
	At       time.Time
	Outcome  string // "queued", "notified", "exception", "paste"
}

// MessageRoute is how a queued message leaves Backroom.
type MessageRoute string

// The routes.
const (
	RouteSMTP   MessageRoute = "smtp"
	RouteDrafts MessageRoute = "drafts"
	RoutePaste  MessageRoute = "paste"
)

// OutboxStatus is where a queued message stands.
type OutboxStatus string

// The outbox statuses.
const (
	OutboxQueued  OutboxStatus = "queued"
	OutboxSending OutboxStatus = "sending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed" // will retry at NextAttempt
	OutboxGaveUp  OutboxStatus = "gave_up"
	OutboxPaste   OutboxStatus = "paste" // waits for a person to paste it into the marketplace
	OutboxDone    OutboxStatus = "done"  // a pasted message, done by hand
)

// OutboxMessage is one customer message in the outbox or the sent log.
type OutboxMessage struct {
	ID          int64
	OrderID     int64
	OrderRef    string
	Channel     string
	RuleID      int64
	Trigger     MessageTrigger
	Route       MessageRoute
	To          string
	ToName      string
	Subject     string
	Text        string
	HTML        string
	Status      OutboxStatus
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Created     time.Time
	Sent        time.Time
	SentBy      string
	// A reply to a support ticket names the customer's mail it answers (In-Reply-To) and the thread
	// (References, space-separated), as Message-IDs without angle brackets.
	InReplyTo  string
	References string
	TicketID   int64
}

// OutboxFilter narrows Outbox; zero values mean "any".
type OutboxFilter struct {
	Status  []OutboxStatus
	OrderID int64
	Limit   int
}

// SMTPSecurity is how the SMTP connection is protected.
type SMTPSecurity string

// The SMTP security modes.
const (
	SMTPTLS      SMTPSecurity = "tls"
	SMTPStartTLS SMTPSecurity = "starttls"
	SMTPNone     SMTPSecurity = "none" // loopback only
)

// SMTPAccount is the outgoing mail account. Its password lives in the OS keychain (app/keychain), never
// in SQLite.
type SMTPAccount struct {
	Host     string
	Port     int
	Security SMTPSecurity
	User     string
	From     string
	FromName string
	Route    MessageRoute // "smtp" or "drafts"
}

// ExceptionKind is the kind of problem an exception records.
type ExceptionKind string

// The exception kinds.
const (
	ExceptionLateOrder    ExceptionKind = "late_order"
	ExceptionUnmatchedSKU ExceptionKind = "unmatched_sku"
	ExceptionMailReview   ExceptionKind = "mail_review"
	ExceptionAtRiskSKU    ExceptionKind = "at_risk_sku"
	ExceptionReturnOpened ExceptionKind = "return_opened"
	ExceptionPOOverdue    ExceptionKind = "po_overdue"
	ExceptionRule         ExceptionKind = "rule"
	// ExceptionTicketUnanswered is a support ticket whose customer wrote last and has waited past the limit.
	ExceptionTicketUnanswered ExceptionKind = "ticket_unanswered"
)

// Exception is a problem someone should look at, open until handled or until it goes away.
type Exception struct {
	ID        int64
	Kind      ExceptionKind
	OrderID   int64
	TicketID  int64 // the ticket a "ticket_unanswered" exception is about, 0 for the other kinds
	Ref       string
	Summary   string
	Opened    time.Time
	Handled   time.Time
	HandledBy string
	How       string
}

// Notification is a desktop notification queued for the owner by a "notify" rule.
type Notification struct {
	ID    int64
	Title string
	Body  string
	At    time.Time
}

// ruleColumns reads a MessageRule in scanRule's order.
const ruleColumns = `id, name, trigger, enabled, channel, sku, min_total, country, action, COALESCE(template_id, 0), created_at`

func scanRule(r scanner) (MessageRule, error) {
	var m MessageRule
	var created string
	err := r.Scan(&m.ID, &m.Name, &m.Trigger, &m.Enabled, &m.Channel, &m.SKU, &m.MinTotal, &m.Country, &m.Action, &m.TemplateID, &created)
	m.Created = parseTime(created)
	return m, err
}

// MessageRules lists the rules by name. Only an owner may, since rules decide what customers are sent.
func (s *Store) MessageRules(ctx context.Context) ([]MessageRule, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, scanRule, `SELECT `+ruleColumns+` FROM message_rules ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list message rules: %w", err)
	}
	return out, nil
}

func validTrigger(t MessageTrigger) bool { return slices.Contains(MessageTriggers(), t) }

// SaveMessageRule inserts (ID 0) or updates a rule. Created is set by the store: when the rule is added,
// switched back on, or given another trigger; other edits keep it, so they do not make the rule skip
// events it would have fired for. Events older than Created never fire the rule.
func (s *Store) SaveMessageRule(ctx context.Context, r MessageRule) (MessageRule, error) {
	if err := s.require(PermManageMail); err != nil {
		return MessageRule{}, err
	}
	r.Name = strings.TrimSpace(r.Name)
	r.Channel = strings.ToLower(strings.TrimSpace(r.Channel))
	r.SKU = strings.TrimSpace(r.SKU)
	r.Country = strings.ToUpper(strings.TrimSpace(r.Country))
	switch {
	case r.Name == "":
		return MessageRule{}, errorf(ErrInvalid, "a rule needs a name")
	case len(r.Name) > 100:
		return MessageRule{}, errorf(ErrInvalid, "a rule's name is at most 100 characters")
	case !validTrigger(r.Trigger):
		return MessageRule{}, errorf(ErrInvalid, "rule %q: trigger %q is not one of %s", r.Name, r.Trigger, joinTriggers())
	case r.Action != ActionMessage && r.Action != ActionNotify && r.Action != ActionException:
		return MessageRule{}, errorf(ErrInvalid, "rule %q: action %q is not message, notify or exception", r.Name, r.Action)
	case r.MinTotal < 0:
		return MessageRule{}, errorf(ErrInvalid, "rule %q: the minimum order total cannot be negative", r.Name)
	case r.Country != "" && !isCountryCode(r.Country):
		return MessageRule{}, errorf(ErrInvalid, "rule %q: country %q is not a two-letter ISO code such as GB or US", r.Name, r.Country)
	case r.Action == ActionMessage && r.TemplateID == 0:
		return MessageRule{}, errorf(ErrInvalid, "rule %q sends a message, so it needs a template", r.Name)
	}
	if r.Action != ActionMessage {
		r.TemplateID = 0
	}
	err := s.update(ctx, func(t *tx) error {
		if r.TemplateID != 0 {
			var n int
			if err := t.QueryRowContext(ctx, `SELECT count(*) FROM message_templates WHERE id = ?`, r.TemplateID).Scan(&n); err != nil {
				return fmt.Errorf("read template %d: %w", r.TemplateID, err)
			}
			if n == 0 {
				return errorf(ErrInvalid, "rule %q: template %d does not exist", r.Name, r.TemplateID)
			}
		}
		var dup int64
		err := t.QueryRowContext(ctx, `SELECT id FROM message_rules WHERE name = ? AND id <> ?`, r.Name, r.ID).Scan(&dup)
		if err == nil {
			return errorf(ErrConflict, "there is already a rule named %q", r.Name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check rule name: %w", err)
		}
		tmpl := sql.NullInt64{Int64: r.TemplateID, Valid: r.TemplateID != 0}
		if r.ID == 0 {
			r.Created = t.now.UTC().Truncate(time.Millisecond)
			res, err := t.ExecContext(ctx, `INSERT INTO message_rules(name, trigger, enabled, channel, sku, min_total, country, action, template_id,
				created_at, updated_at, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.Name, r.Trigger, r.Enabled, r.Channel, r.SKU, r.MinTotal, r.Country, r.Action, tmpl, t.nowText(), t.nowText(), t.hlc, t.s.device)
			if err != nil {
				return fmt.Errorf("add rule %q: %w", r.Name, err)
			}
			if r.ID, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("add rule %q: %w", r.Name, err)
			}
			return t.audit(ctx, "create", "message_rule", fmt.Sprint(r.ID), nil, r)
		}
		before, err := scanRule(t.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM message_rules WHERE id = ?`, r.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no rule %d", r.ID)
		} else if err != nil {
			return fmt.Errorf("read rule %d: %w", r.ID, err)
		}
		// A rule switched back on, or set to another trigger, starts afresh like a new rule: otherwise it
		// would catch up on every event it missed, and mail customers about week-old parcels.
		r.Created = before.Created
		if (r.Enabled && !before.Enabled) || r.Trigger != before.Trigger {
			r.Created = t.now.UTC().Truncate(time.Millisecond)
		}
		if _, err := t.ExecContext(ctx, `UPDATE message_rules SET name = ?, trigger = ?, enabled = ?, channel = ?, sku = ?, min_total = ?,
			country = ?, action = ?, template_id = ?, created_at = ?, updated_at = ?, hlc = ?, device_id = ? WHERE id = ?`,
			r.Name, r.Trigger, r.Enabled, r.Channel, r.SKU, r.MinTotal, r.Country, r.Action, tmpl, formatTime(r.Created), t.nowText(), t.hlc, t.s.device, r.ID); err != nil {
			return fmt.Errorf("change rule %q: %w", r.Name, err)
		}
		return t.audit(ctx, "update", "message_rule", fmt.Sprint(r.ID), before, r)
	})
	if err != nil {
		return MessageRule{}, err
	}
	return r, nil
}

func joinTriggers() string {
	var names []string
	for _, t := range MessageTriggers() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

func isCountryCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// DeleteMessageRule deletes a rule. Its firings stay on record (rule ids are never reused), as do the
// messages it queued.
func (s *Store) DeleteMessageRule(ctx context.Context, id int64) error {
	if err := s.require(PermManageMail); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		before, err := scanRule(t.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM message_rules WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no rule %d", id)
		} else if err != nil {
			return fmt.Errorf("read rule %d: %w", id, err)
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM message_rules WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete rule %q: %w", before.Name, err)
		}
		return t.audit(ctx, "delete", "message_rule", fmt.Sprint(id), before, nil)
	})
}

const templateColumns = `id, name, subject, body, html`

func scanTemplate(r scanner) (MessageTemplate, error) {
	var m MessageTemplate
	err := r.Scan(&m.ID, &m.Name, &m.Subject, &m.Body, &m.HTML)
	return m, err
}

// MessageTemplates lists the templates by name.
func (s *Store) MessageTemplates(ctx context.Context) ([]MessageTemplate, error) {
	if err := s.require(PermManageMail); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, s.read, scanTemplate, `SELECT `+templateColumns+` FROM message_templates ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list message templates: %w", err)
	}
	return out, nil
}

// SaveMessageTemplate inserts (ID 0) or updates a template. It is refused when its subject or body does
// not parse, or uses a field an order does not have: the error names the part and line.
func (s *Store) SaveMessageTemplate(ctx context.Context, m MessageTemplate) (MessageTemplate, error) {
	if err := s.require(PermManageMail); err != nil {
		return MessageTemplate{}, err
	}
	m.Name = strings.TrimSpace(m.Name)
	m.Subject = strings.TrimSpace(m.Subject)
	switch {
	case m.Name == "":
		return MessageTemplate{}, errorf(ErrInvalid, "a template needs a name")
	case len(m.Name) > 100:
		return MessageTemplate{}, errorf(ErrInvalid, "a template's name is at most 100 characters")
	case m.Subject == "":
		return MessageTemplate{}, errorf(ErrInvalid, "template %q needs a subject", m.Name)
	case strings.ContainsAny(m.Subject, "\r\n"):
		return MessageTemplate{}, errorf(ErrInvalid, "template %q: the subject is one line", m.Name)
	case strings.TrimSpace(m.Body) == "":
		return MessageTemplate{}, errorf(ErrInvalid, "template %q needs a body", m.Name)
	case len(m.Body) > 100_000:
		return MessageTemplate{}, errorf(ErrInvalid, "template %q: the body is at most 100,000 characters", m.Name)
	}
	// Filling the template for a made-up order catches unknown fields now rather than at send time.
	if _, err := renderWith(m, sampleMessageData()); err != nil {
		return MessageTemplate{}, errorf(ErrInvalid, "template %q: %s", m.Name, UserMessage(err))
	}
	err := s.update(ctx, func(t *tx) error {
		var dup int64
		err := t.QueryRowContext(ctx, `SELECT id FROM message_templates WHERE name = ? AND id <> ?`, m.Name, m.ID).Scan(&dup)
		if err == nil {
			return errorf(ErrConflict, "there is already a template named %q", m.Name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check template name: %w", err)
		}
		if m.ID == 0 {
			res, err := t.ExecContext(ctx, `INSERT INTO message_templates(name, subject, body, html, created_at, updated_at, hlc, device_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.Name, m.Subject, m.Body, m.HTML, t.nowText(), t.nowText(), t.hlc, t.s.device)
			if err != nil {
				return fmt.Errorf("add template %q: %w", m.Name, err)
			}
			if m.ID, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("add template %q: %w", m.Name, err)
			}
			return t.audit(ctx, "create", "message_template", fmt.Sprint(m.ID), nil, m)
		}
		before, err := scanTemplate(t.QueryRowContext(ctx, `SELECT `+templateColumns+` FROM message_templates WHERE id = ?`, m.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no template %d", m.ID)
		} else if err != nil {
			return fmt.Errorf("read template %d: %w", m.ID, err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE message_templates SET name = ?, subject = ?, body = ?, html = ?, updated_at = ?, hlc = ?, device_id = ?
			WHERE id = ?`, m.Name, m.Subject, m.Body, m.HTML, t.nowText(), t.hlc, t.s.device, m.ID); err != nil {
			return fmt.Errorf("change template %q: %w", m.Name, err)
		}
		return t.audit(ctx, "update", "message_template", fmt.Sprint(m.ID), before, m)
	})
	if err != nil {
		return MessageTemplate{}, err
	}
	return m, nil
}

// DeleteMessageTemplate deletes a template no rule uses; messages already queued from it keep their text.
func (s *Store) DeleteMessageTemplate(ctx context.Context, id int64) error {
	if err := s.require(PermManageMail); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		before, err := scanTemplate(t.QueryRowContext(ctx, `SELECT `+templateColumns+` FROM message_templates WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no template %d", id)
		} else if err != nil {
			return fmt.Errorf("read template %d: %w", id, err)
		}
		var rule string
		err = t.QueryRowContext(ctx, `SELECT name FROM message_rules WHERE template_id = ? ORDER BY name LIMIT 1`, id).Scan(&rule)
		if err == nil {
			return errorf(ErrConflict, "template %q is used by rule %q; change the rule first", before.Name, rule)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check template %d: %w", id, err)
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM message_templates WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete template %q: %w", before.Name, err)
		}
		return t.audit(ctx, "delete", "message_template", fmt.Sprint(id), before, nil)
	})
}

// MessageLine is one order line as a template sees it.
type MessageLine struct {
	Name     string
	SKU      string
	Quantity int64
}

// MessageData is what a template's fields are filled from.
type MessageData struct {
	CustomerName string
	FirstName    string
	OrderID      string // the channel's order number, which the customer knows
	Channel      string
	Lines        []MessageLine
	Total        string // formatted with its currency
	PlacedDate   string
	Carrier      string
	Service      string
	Tracking     string
	TrackingURL  string
	ShippedDate  string
	ExpectedDate string // the ship-by date, "" when the channel gave none
	ShopName     string
}

// MessageFields lists the fields a template can use, for the editor's help.
func MessageFields() []string {
	return []string{".CustomerName", ".FirstName", ".OrderID", ".Channel", ".Lines (.Name .SKU .Quantity)", ".Total", ".PlacedDate",
		".Carrier", ".Service", ".Tracking", ".TrackingURL", ".ShippedDate", ".ExpectedDate", ".ShopName"}
}

func sampleMessageData() MessageData {
	return MessageData{CustomerName: "Sam Sample", FirstName: "Sam", OrderID: "1001", Channel: "shopify",
		Lines: []MessageLine{{Name: "Mug", SKU: "MUG", Quantity: 1}}, Total: "£10.00", PlacedDate: "1 January 2026",
		Carrier: "Royal Mail", Service: "Tracked 48", Tracking: "JW000000000GB", TrackingURL: "https://example.com",
		ShippedDate: "2 January 2026", ExpectedDate: "3 January 2026", ShopName: "Shop"}
}

const messageDateLayout = "2 January 2006"

// RenderTemplate fills t for order id (fields: see MessageData); a template error names the line.
func (s *Store) RenderTemplate(ctx context.Context, t MessageTemplate, orderID int64) (RenderedMessage, error) {
	if err := s.require(PermManageMail); err != nil {
		return RenderedMessage{}, err
	}
	d, err := s.messageData(ctx, s.read, orderID)
	if err != nil {
		return RenderedMessage{}, err
	}
	return renderWith(t, d)
}

func (s *Store) messageData(ctx context.Context, q querier, orderID int64) (MessageData, error) {
	o, err := s.order(ctx, q, `o.id = ?`, orderID)
	if err != nil {
		return MessageData{}, err
	}
	d := MessageData{CustomerName: o.CustomerName, OrderID: o.ExternalID, Channel: o.Channel,
		Total: FormatMoney(o.Total, o.Currency), PlacedDate: o.PlacedAt.Format(messageDateLayout)}
	if d.CustomerName == "" {
		d.CustomerName = o.ShipTo.Name
	}
	if f := strings.Fields(d.CustomerName); len(f) > 0 {
		d.FirstName = f[0]
	}
	if !o.ShipBy.IsZero() {
		d.ExpectedDate = o.ShipBy.Format(messageDateLayout)
	}
	for _, l := range o.Lines {
		d.Lines = append(d.Lines, MessageLine{Name: l.Name, SKU: l.SKU, Quantity: l.Quantity})
	}
	var carrier, service, tracking, shipped string
	err = q.QueryRowContext(ctx, `SELECT carrier, service, tracking, shipped_at FROM shipments WHERE order_id = ?`, orderID).
		Scan(&carrier, &service, &tracking, &shipped)
	switch {
	case err == nil:
		d.Carrier, d.Service, d.Tracking = carrier, service, tracking
		d.TrackingURL = TrackingURL(carrier, tracking)
		d.ShippedDate = parseTime(shipped).Format(messageDateLayout)
	case !errors.Is(err, sql.ErrNoRows):
		return MessageData{}, fmt.Errorf("read shipment of order %d: %w", orderID, err)
	}
	err = q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, SettingShopName.metaKey()).Scan(&d.ShopName)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return MessageData{}, fmt.Errorf("read shop name: %w", err)
	}
	return d, nil
}

// TrackingURL is the carrier's public tracking page for a parcel, or "" for a carrier we do not know
// or no tracking number.
func TrackingURL(carrier, tracking string) string {
	tracking = strings.TrimSpace(tracking)
	if tracking == "" {
		return ""
	}
	q := url.QueryEscape(tracking)
	c := strings.ToLower(strings.Join(strings.Fields(carrier), " "))
	switch {
	case strings.HasPrefix(c, "royal mail"):
		return "https://www.royalmail.com/track-your-item#/tracking-results/" + url.PathEscape(tracking)
	case strings.HasPrefix(c, "evri"), strings.HasPrefix(c, "hermes"):
		return "https://www.evri.com/track/parcel/" + url.PathEscape(tracking) + "/details"
	case strings.HasPrefix(c, "dpd"):
		return "https://track.dpd.co.uk/parcels/" + url.PathEscape(tracking)
	case strings.HasPrefix(c, "parcelforce"):
		return "https://www.parcelforce.com/track-trace?trackNumber=" + q
	case strings.HasPrefix(c, "ups"):
		return "https://www.ups.com/track?tracknum=" + q
	case strings.HasPrefix(c, "usps"):
		return "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + q
	case strings.HasPrefix(c, "fedex"):
		return "https://www.fedex.com/fedextrack/?trknbr=" + q
	case strings.HasPrefix(c, "dhl"):
		return "https://www.dhl.com/global-en/home/tracking.html?tracking-id=" + q
	}
	return ""
}

// templateErr matches Go's template errors ("template: body:3:14: ...") so the owner is told the part
// and line instead of Go's wording.
var templateErr = regexp.MustCompile(`^template: (subject|body):(\d+):(?:\d+:)? ?(.*)$`)

func templateError(err error) error {
	m := templateErr.FindStringSubmatch(err.Error())
	if m == nil {
		return errorf(ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "template: "))
	}
	msg := m[3]
	if i := strings.Index(msg, "executing \""); i >= 0 {
		if j := strings.Index(msg, ": "); j >= 0 {
			msg = msg[j+2:]
		}
	}
	return errorf(ErrInvalid, "%s line %s: %s", m[1], m[2], msg)
}

// renderWith fills t from d: the subject and a plain text body always, and an HTML body when t is HTML,
// through html/template so a customer's name or an item's title cannot inject markup. The plain text of an
// HTML template is the HTML's text, for mail clients that show no HTML.
func renderWith(t MessageTemplate, d MessageData) (RenderedMessage, error) {
	var out RenderedMessage
	subj, err := texttemplate.New("subject").Option("missingkey=error").Parse(t.Subject)
	if err != nil {
		return out, templateError(err)
	}
	var b strings.Builder
	if err := subj.Execute(&b, d); err != nil {
		return out, templateError(err)
	}
	out.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if t.HTML {
		body, err := htmltemplate.New("body").Option("missingkey=error").Parse(t.Body)
		if err != nil {
			return out, templateError(err)
		}
		if err := body.Execute(&b, d); err != nil {
			return out, templateError(err)
		}
		out.HTML = b.String()
		out.Text = htmlToText(out.HTML)
		return out, nil
	}
	body, err := texttemplate.New("body").Option("missingkey=error").Parse(t.Body)
	if err != nil {
		return out, templateError(err)
	}
	if err := body.Execute(&b, d); err != nil {
		return out, templateError(err)
	}
	out.Text = b.String()
	return out, nil
}

var (
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>|</p>|</div>|</li>|</h[1-6]>|</tr>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
	htmlLink  = regexp.MustCompile(`(?is)<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>`)
	manyBlank = regexp.MustCompile(`\n{3,}`)
)

// htmlToText is the simple HTML a template holds, as plain text: breaks kept, links written out (a
// tracking link is the point of a shipping note), tags dropped, entities read.
func htmlToText(h string) string {
	s := htmlLink.ReplaceAllStringFunc(h, func(a string) string {
		m := htmlLink.FindStringSubmatch(a)
		text := strings.TrimSpace(htmlTag.ReplaceAllString(m[2], ""))
		if text == "" || text == m[1] {
			return m[1]
		}
		return text + " (" + m[1] + ")"
	})
	s = htmlBreak.ReplaceAllString(s, "$0\n")
	s = htmlTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(manyBlank.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
