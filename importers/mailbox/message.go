package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/ordermail"
)

// reparseChunk is how many re-read messages go into one store transaction: large enough to be quick,
// small enough that a reparse of years of mail does not hold the write lock for long.
const reparseChunk = 200

// Message parses one raw e-mail into what the store keeps (shared by sync, `mail import` and reparse).
// Nothing is dropped: a message the parser cannot read at all, or an order it read with errors, becomes
// an unknown-order for the owner's review queue, with the problems saying why. AccountID, Folder, UID
// and Source are the caller's to fill.
func Message(raw []byte, received time.Time) data.MailMessage {
	m := data.MailMessage{Raw: raw, Received: received}
	parsed, err := ordermail.Parse(bytes.NewReader(raw))
	if err != nil {
		m.Kind = data.MailUnknownOrder
		m.Problems = []data.Problem{{Reason: fmt.Sprintf("the message could not be read as an e-mail: %v", err)}}
		return m
	}
	m.MessageID = parsed.MessageID
	m.Subject = parsed.Subject
	m.From = parsed.From
	m.Date = parsed.Date
	m.Forwarded = parsed.Forwarded
	m.Channel = parsed.Channel
	m.Problems = parsed.Problems
	switch parsed.Kind {
	case ordermail.Order:
		m.Kind, m.Order = data.MailOrder, parsed.Order
		if m.Order == nil {
			m.Kind = data.MailUnknownOrder
			m.Problems = append(m.Problems, data.Problem{Reason: "the parser recognised an order but read none from it"})
		} else if hasErrors(m.Problems) {
			// An order read with errors would import wrong or not at all; the owner decides instead.
			m.Kind, m.Order = data.MailUnknownOrder, nil
		}
	case ordermail.NotOrder:
		m.Kind = data.MailNotOrder
		// A customer's mail about one of our orders becomes a support ticket; what links it is read here.
		if c, err := ordermail.ReadCustomerMail(bytes.NewReader(raw)); err == nil {
			m.InReplyTo, m.References, m.Mentions, m.Text, m.Marketplace = c.InReplyTo, c.References, c.Mentions, c.Text, c.Marketplace
		}
	default:
		m.Kind = data.MailUnknownOrder
	}
	return m
}

func hasErrors(problems []data.Problem) bool {
	for _, p := range problems {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Reparse re-reads every stored message with the current parsers and applies what changed. The store
// allows no writes while it hands out stored mail, so all messages are read and parsed first (keeping
// only the parse results, not the raw bytes), then applied in chunks.
func Reparse(ctx context.Context, st *data.Store) (data.MailResult, error) {
	var parsed []data.MailMessage
	err := st.EachStoredMail(ctx, func(stored data.MailMessage) error {
		m := Message(stored.Raw, stored.Received)
		m.Raw = nil // ReparseMail matches by ID and keeps the stored bytes
		m.ID, m.AccountID, m.Folder, m.UID, m.Source = stored.ID, stored.AccountID, stored.Folder, stored.UID, stored.Source
		parsed = append(parsed, m)
		return ctx.Err()
	})
	if err != nil {
		return data.MailResult{}, fmt.Errorf("read stored mail: %w", err)
	}
	var total data.MailResult
	for start := 0; start < len(parsed); start += reparseChunk {
		res, err := st.ReparseMail(ctx, parsed[start:min(start+reparseChunk, len(parsed))])
		if err != nil {
			return total, fmt.Errorf("store re-read mail: %w", err)
		}
		total.Add(res)
	}
	return total, nil
}
