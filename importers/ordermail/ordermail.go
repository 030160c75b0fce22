// Package ordermail reads the order notifications marketplaces send a seller (Shopify's staff "Order
// placed", Etsy's "You made a sale", WooCommerce's "New order", eBay's "You made the sale" and Amazon's
// "Sold, ship now") and turns each into the same data.Order the spreadsheet importers make, so the
// order arrives hours before any report is downloaded and the report later merges into it.
//
// Parsing is pure: one RFC 5322 message in, a Message out, no mailbox and no database. Every message
// gets a Kind, because nothing may be lost silently: mail that is plainly not an order (newsletters,
// shipping and refund notices) is NotOrder, and mail that looks like an order but that no parser
// understands is UnknownOrder, for the owner to review.
//
// Notifications reach the parsers in many shapes: multipart or HTML-only, quoted-printable or base64,
// in old Windows charsets, with invisible preheader padding, or forwarded by the owner from another
// mailbox. The MIME layer undoes all of that first, so each marketplace parser reads plain lines of text
// (and, for WooCommerce, the schema.org JSON-LD and the HTML table).
package ordermail

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

// Kind says what a message is to the shop.
type Kind string

// The kinds of message.
const (
	// NotOrder is mail that is no new order: newsletters, shipment, refund and cancellation notices.
	NotOrder Kind = "not-order"
	// Order is a sale notification a parser read; Message.Order holds it.
	Order Kind = "order"
	// UnknownOrder looks like an order notification but no parser understood it. It is never dropped:
	// it waits for the owner in the review queue.
	UnknownOrder Kind = "unknown-order"
)

// Message is one e-mail as Parse read it.
type Message struct {
	MessageID string // without the angle brackets; how a mailbox's copies of one mail are recognised
	Subject   string // decoded and unfolded, as the mailbox shows it
	From      string // decoded, "Name <address>"
	Date      time.Time
	// Forwarded says the owner forwarded the notification from another mailbox; Channel and Order are
	// then read from the forwarded mail.
	Forwarded bool

	Kind    Kind
	Channel string // "shopify", "etsy", "woocommerce", "ebay" or "amazon"; also set for a NotOrder from one
	Order   *data.Order
	// Problems are what was uncertain in reading the message. With Kind Order they are warnings; an
	// UnknownOrder's say why no parser understood it.
	Problems []data.Problem
}

// Item is the message as the store's Import takes it. Only an Order carries an order; the other kinds
// carry their problems, so an import lists why a message brought nothing.
func (m Message) Item() data.ImportItem {
	if m.Kind == Order && m.Order != nil {
		o := *m.Order
		o.Lines = append([]data.OrderLine(nil), m.Order.Lines...)
		return data.ImportItem{Order: &o, Problems: m.Problems}
	}
	var problems []data.Problem
	for _, p := range m.Problems {
		p.Warning = true // nothing of this message is imported, so it rejects nothing else
		problems = append(problems, p)
	}
	return data.ImportItem{Problems: problems}
}

// Parse reads one RFC 5322 message. An error means the input is not an e-mail at all (no headers);
// anything else, even an order a parser cannot read, is a Message with a Kind.
func Parse(r io.Reader) (Message, error) {
	raw, err := readLimited(r)
	if err != nil {
		return Message{}, err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("read message headers: %w", err)
	}
	return parseMessage(m, 0), nil
}

var subjectPrefix = regexp.MustCompile(`(?i)^(?:\s*(?:re|fwd?|fw|aw|wg|tr)\s*:\s*)+`)

// mailText is a notification as the parsers read it: its own sender, subject and date (the forwarded
// ones for a forward) and its text.
type mailText struct {
	from, subject string
	date          time.Time
	lines         textLines
	html          string
	jsonLD        []string
}

func parseMessage(m *mail.Message, depth int) Message {
	dec := wordDecoder()
	msg := Message{
		MessageID: strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>"),
		Subject:   decodeHeader(dec, m.Header.Get("Subject")),
		From:      decodeHeader(dec, m.Header.Get("From")),
	}
	if d := m.Header.Get("Date"); d != "" {
		t, err := mail.ParseDate(d)
		if err != nil {
			msg.Problems = append(msg.Problems, data.Problem{Column: "Date", Value: d, Reason: "is not a date an e-mail writes", Warning: true})
		} else {
			msg.Date = t
		}
	}
	b, err := readMessage(m, depth)
	if err != nil {
		msg.Problems = append(msg.Problems, data.Problem{Reason: fmt.Sprintf("the message body could not be read whole: %v", err), Warning: true})
	}
	mt := mailText{from: msg.From, subject: subjectPrefix.ReplaceAllString(msg.Subject, ""), date: msg.Date, html: b.html}
	htmlLines := textLines(nil)
	if b.html != "" {
		var text string
		text, mt.jsonLD = htmlText(b.html)
		htmlLines = lines(text)
	}
	// The plain part wins, as senders write it for reading; the HTML's text stands in when there is no
	// plain part or it is a stub that only says to view the HTML.
	mt.lines = textLines(lines(b.plain))
	if len(mt.lines) < 5 && len(htmlLines) > len(mt.lines) {
		mt.lines = htmlLines
	}
	if b.inner != nil && depth < maxDepth {
		// Forwarded as an attachment: the attached mail is the notification when it reads as one, or
		// when the covering mail says nothing a parser knows.
		if inner := parseMessage(b.inner, depth+1); inner.Kind == Order || detect(mt).channel == "" {
			inner.MessageID, inner.Subject, inner.From, inner.Date = msg.MessageID, msg.Subject, msg.From, msg.Date
			inner.Forwarded = true
			inner.Problems = append(msg.Problems, inner.Problems...)
			return inner
		}
	}
	if fwd, ok := forwarded(mt.lines, msg.Date); ok {
		msg.Forwarded = true
		mt.from, mt.subject, mt.lines = fwd.from, subjectPrefix.ReplaceAllString(fwd.subject, ""), fwd.lines
		if !fwd.date.IsZero() {
			mt.date = fwd.date
		}
	}
	d := detect(mt)
	msg.Channel = d.channel
	switch {
	case d.ignore:
		msg.Kind = NotOrder
	case d.parse != nil:
		o, problems, err := d.parse(mt)
		if err == nil {
			o.Channel, o.Status = d.channel, data.StatusPaid
			err = o.Validate()
		}
		msg.Problems = append(msg.Problems, problems...)
		if err != nil {
			msg.Kind = UnknownOrder
			msg.Problems = append(msg.Problems, data.Problem{Column: d.channel, Value: mt.subject,
				Reason: fmt.Sprintf("looks like a %s order notification but could not be read: %v", d.channel, err)})
			break
		}
		msg.Kind, msg.Order = Order, o
	case looksLikeOrder(mt):
		msg.Kind = UnknownOrder
		msg.Problems = append(msg.Problems, data.Problem{Column: "Subject", Value: mt.subject,
			Reason: "looks like an order notification, but from a sender or in a layout no parser knows"})
	default:
		msg.Kind = NotOrder
	}
	return msg
}

// forward is the notification inside a forward, as its quoted header block describes it.
type forward struct {
	from, subject string
	date          time.Time
	lines         textLines
}

var forwardMarker = regexp.MustCompile(`(?i)^(?:-+\s*(?:forwarded message|original message|weitergeleitete nachricht|message transféré)\s*-*|begin forwarded message:?)$`)

// forwarded finds the quoted header block of a forward (Gmail, Outlook, Apple Mail and Thunderbird all
// write From:, Date: or Sent:, Subject: lines) and returns what it says and the lines after it.
func forwarded(ls textLines, outer time.Time) (forward, bool) {
	start := -1
	for i, l := range ls {
		if i > 60 {
			break
		}
		if forwardMarker.MatchString(l) {
			start = i + 1
			break
		}
	}
	if start < 0 {
		// Outlook writes no marker line, only the block, after a rule.
		for i, l := range ls {
			if i > 60 {
				break
			}
			if strings.HasPrefix(l, "From:") {
				if s, at := ls.value(i+1, "Subject:"); s != "" && at-i <= 5 {
					start = i
					break
				}
			}
		}
	}
	if start < 0 {
		return forward{}, false
	}
	var f forward
	end := start
	for i := start; i < len(ls) && i < start+8; i++ {
		label, value, ok := strings.Cut(ls[i], ":")
		if !ok {
			break
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(label) {
		case "from", "von", "de":
			f.from = strings.NewReplacer("[mailto:", "<", "]", ">").Replace(value)
		case "subject", "betreff", "objet":
			f.subject = value
		case "date", "sent", "datum", "gesendet", "envoyé":
			f.date = forwardDate(value, outer)
		case "to", "cc", "an", "à", "reply-to":
		default:
			i = len(ls) // the block has ended
			continue
		}
		end = i + 1
	}
	if f.from == "" && f.subject == "" {
		return forward{}, false
	}
	f.lines = ls[end:]
	return f, true
}

// forwardLayouts are how mail clients write the original's date in a forward. Most leave out the
// offset; the time is then read in the forward's own zone, as the owner's client printed it there.
var forwardLayouts = []string{
	"Mon, Jan 2, 2006 at 3:04 PM", "Mon, 2 Jan 2006 at 15:04", "Monday, January 2, 2006 3:04 PM",
	"Monday, January 2, 2006 at 3:04 PM", "Jan 2, 2006, at 3:04 PM", "Jan 2, 2006 at 3:04 PM", "2 Jan 2006 15:04",
	"Mon, 2 Jan 2006 15:04:05", "2006-01-02 15:04",
}

func forwardDate(s string, outer time.Time) time.Time {
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	loc := time.UTC
	if !outer.IsZero() {
		loc = outer.Location()
	}
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\u202f", " ")), " ")
	for _, l := range forwardLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Text is the readable text of a message as a person would read it in a mail program: the plain part, or
// the HTML's text when the plain part is missing or a stub. The review queue shows it so the owner can
// type in an order no parser read.
func Text(r io.Reader) (string, error) {
	raw, err := readLimited(r)
	if err != nil {
		return "", err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("read message headers: %w", err)
	}
	b, err := readMessage(m, 0)
	plain := strings.TrimSpace(b.plain)
	if b.html != "" {
		text, _ := htmlText(b.html)
		if len(lines(plain)) < 5 && len(lines(text)) > len(lines(plain)) {
			plain = strings.TrimSpace(text)
		}
	}
	if plain == "" && err != nil {
		return "", fmt.Errorf("read message body: %w", err)
	}
	return plain, nil
}
