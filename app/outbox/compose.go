package outbox

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/backroom-app/backroom/data"
)

// Headers Backroom adds to each customer message, so a reply or a copy in the Sent folder can be traced
// back to the order and the outbox entry. Replies rarely keep them; they keep the Message-ID in
// In-Reply-To and References, which is why the Message-ID carries the same numbers (see ParseMessageID).
const (
	HeaderOrder  = "X-Backroom-Order"  // the store's order ID
	HeaderOutbox = "X-Backroom-Outbox" // the outbox message's ID
)

// Composed is a message ready to hand to a mail server.
type Composed struct {
	MessageID string // without angle brackets
	From, To  string // the bare addresses, for the SMTP envelope
	Raw       []byte // RFC 5322 with CRLF line endings
}

// Compose writes m as an RFC 5322 message from the given sender, dated date: text/plain in UTF-8, or
// multipart/alternative with an HTML part when m has HTML. Names and the subject are encoded as RFC 2047
// words when they are not plain ASCII.
func Compose(m data.OutboxMessage, from *mail.Address, date time.Time) (Composed, error) {
	if from == nil || strings.TrimSpace(from.Address) == "" {
		return Composed{}, invalid("the sender's e-mail address is missing: set it up under Settings › Messages")
	}
	fromAddr, err := cleanAddress(from.Address)
	if err != nil {
		return Composed{}, invalid("the sender's e-mail address %q is not valid: %v", from.Address, err)
	}
	if strings.TrimSpace(m.To) == "" {
		return Composed{}, invalid("the customer's e-mail address is missing for order %s", orderName(m))
	}
	toAddr, err := cleanAddress(m.To)
	if err != nil {
		return Composed{}, invalid("the customer's e-mail address %q for order %s is not valid: %v", m.To, orderName(m), err)
	}
	if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.HTML) == "" {
		return Composed{}, invalid("the message to %s has no text", toAddr)
	}
	if date.IsZero() {
		return Composed{}, invalid("the message has no date")
	}

	id := MessageID(m, fromAddr)
	var h gomail.Header
	h.SetDate(date)
	h.SetAddressList("From", []*mail.Address{{Name: oneLine(from.Name), Address: fromAddr}})
	h.SetAddressList("To", []*mail.Address{{Name: oneLine(m.ToName), Address: toAddr}})
	h.SetSubject(oneLine(m.Subject))
	h.SetMessageID(id)
	// A reply to a support ticket joins the customer's thread in their mail program.
	if irt := threadID(m.InReplyTo); irt != "" {
		h.Set("In-Reply-To", irt)
		refs := threadIDs(m.References)
		if len(refs) == 0 || refs[len(refs)-1] != irt {
			refs = append(refs, irt)
		}
		h.Set("References", strings.Join(refs, " "))
	}
	if m.OrderID != 0 {
		h.Set(HeaderOrder, strconv.FormatInt(m.OrderID, 10))
	}
	if m.ID != 0 {
		h.Set(HeaderOutbox, strconv.FormatInt(m.ID, 10))
	}

	var buf bytes.Buffer
	if err := writeBody(&buf, h, m.Text, m.HTML); err != nil {
		return Composed{}, fmt.Errorf("compose the message to %s: %w", toAddr, err)
	}
	return Composed{MessageID: id, From: fromAddr, To: toAddr, Raw: buf.Bytes()}, nil
}

func writeBody(w io.Writer, h gomail.Header, text, html string) error {
	part := func(kind string) gomail.InlineHeader {
		var ph gomail.InlineHeader
		ph.SetContentType(kind, map[string]string{"charset": "utf-8"})
		return ph
	}
	if html == "" || text == "" {
		kind, body := "text/plain", text
		if text == "" {
			kind, body = "text/html", html
		}
		h.SetContentType(kind, map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		bw, err := gomail.CreateSingleInlineWriter(w, h)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(bw, body); err != nil {
			return err
		}
		return bw.Close()
	}
	iw, err := gomail.CreateInlineWriter(w, h)
	if err != nil {
		return err
	}
	for _, p := range []struct{ kind, body string }{{"text/plain", text}, {"text/html", html}} {
		pw, err := iw.CreatePart(part(p.kind))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, p.body); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return iw.Close()
}

// MessageID is the Message-ID m is sent under, without angle brackets: the same for every attempt, so a
// message a server took but did not confirm (a connection cut after the data) and sent again shows as
// one message in the customer's mail program. It reads backroom.<order>.<outbox id>.<created>@<domain of
// the sender>.
func MessageID(m data.OutboxMessage, fromAddr string) string {
	domain := "backroom.invalid"
	if at := strings.LastIndexByte(fromAddr, '@'); at >= 0 && at < len(fromAddr)-1 {
		domain = fromAddr[at+1:]
	}
	return fmt.Sprintf("backroom.%d.%d.%s@%s", m.OrderID, m.ID,
		strconv.FormatInt(m.Created.UnixNano(), 36), domain)
}

// ParseMessageID reads the order and outbox IDs from a Message-ID Backroom made (with or without angle
// brackets), as a reply's In-Reply-To or References names it. The store reads them the same way when it
// files a customer's reply under a support ticket.
func ParseMessageID(id string) (orderID, outboxID int64, ok bool) {
	return data.ParseOutboxMessageID(id)
}

// cleanAddress accepts one bare address (no name, no list) and returns it trimmed.
func cleanAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	if a.Name != "" || !strings.EqualFold(a.Address, strings.Trim(s, "<>")) {
		return "", fmt.Errorf("give the address alone, like name@example.com")
	}
	return a.Address, nil
}

// threadID is one Message-ID in angle brackets, or "" when id cannot be one (empty, or with spaces or
// brackets a stored value should not carry).
func threadID(id string) string {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	if id == "" || strings.ContainsAny(id, "<> \t\r\n") || !strings.Contains(id, "@") {
		return ""
	}
	return "<" + id + ">"
}

// threadIDs is a space-separated list of Message-IDs as References writes them, the invalid ones left out.
func threadIDs(list string) []string {
	var out []string
	for _, f := range strings.Fields(list) {
		if id := threadID(f); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// oneLine folds line breaks into spaces: a subject or name filled from a template may carry one, and a
// header cannot.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func orderName(m data.OutboxMessage) string {
	if m.OrderRef != "" {
		return m.OrderRef
	}
	return strconv.FormatInt(m.OrderID, 10)
}

// PasteText is a message for the paste route, as a person pastes it into a marketplace's message form
// (which hides the buyer's address and takes plain text only): the subject, a blank line, the text, with
// the line endings the form expects from a keyboard.
func PasteText(m data.OutboxMessage) string {
	text := strings.ReplaceAll(strings.TrimSpace(m.Text), "\r\n", "\n")
	if subject := oneLine(m.Subject); subject != "" {
		return subject + "\n\n" + text
	}
	return text
}
