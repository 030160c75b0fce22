package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
)

// Sender sends the outbox's due messages, by SMTP or into the mailbox's Drafts folder, as each message's
// route says. The app runs one in the background (Run) and the CLI calls SendDue once.
type Sender struct {
	// Store holds the outbox and the accounts; its clock decides what is due.
	Store *data.Store
	// SMTPPassword returns the sending account's password, which the app keeps in the OS keychain. It is
	// asked only when messages go by SMTP and the account has a user name.
	SMTPPassword func(ctx context.Context, acct data.SMTPAccount) (string, error)
	// MailPassword returns the mailbox account's password (keychain.Keychain.Password fits), for the
	// Drafts route.
	MailPassword func(ctx context.Context, acct data.MailAccount) (string, error)
	// TLSConfig verifies the servers; nil uses the system's roots.
	TLSConfig *tls.Config
	// Timeout bounds each network step; zero means 30 seconds.
	Timeout time.Duration
	// Batch is the most messages one SendDue takes; zero means 50.
	Batch int
	// Report, when set, hears the outcome of each SendDue that Run makes, on Run's goroutine.
	Report func(sent, failed int, err error)
}

const defaultBatch = 50

// SendDue sends the messages due now. Each is marked sending, sent by its route and marked sent, or
// marked failed with the reason (the server's reply when it gave one), which schedules its retry. err
// is for what stopped messages from being tried at all: no sending account, no password, a store error,
// or ctx ending; the messages it concerns stay queued untouched.
func (s *Sender) SendDue(ctx context.Context) (sent, failed int, err error) {
	batch := s.Batch
	if batch <= 0 {
		batch = defaultBatch
	}
	due, err := s.Store.DueMessages(ctx, s.Store.Now(), batch)
	if err != nil {
		return 0, 0, fmt.Errorf("read the due messages: %w", err)
	}
	if len(due) == 0 {
		return 0, 0, nil
	}
	acct, err := s.Store.SMTPAccount(ctx)
	if errors.Is(err, data.ErrNotFound) {
		waiting := "1 customer message waits"
		if len(due) > 1 {
			waiting = fmt.Sprintf("%d customer messages wait", len(due))
		}
		return 0, 0, &data.Error{Kind: data.ErrInvalid,
			Message: waiting + " to be sent, but no sending account is set up: Settings › Messages"}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read the sending account: %w", err)
	}

	r := &run{s: s, acct: acct}
	defer r.close()
	var errs []error
	for _, m := range due {
		if ctx.Err() != nil {
			break
		}
		var dest destination
		switch m.Route {
		case data.RouteSMTP:
			dest = &r.smtp
		case data.RouteDrafts:
			dest = &r.drafts
		default:
			continue // paste messages wait for a person; DueMessages should not return them
		}
		if err := r.prepare(ctx, m.Route); err != nil {
			// Without a password or a mailbox account nothing was attempted: the message stays queued
			// and the owner hears why.
			if !errors.Is(err, errReported) {
				errs = append(errs, err)
			}
			continue
		}
		if err := s.Store.MarkSending(ctx, m.ID); err != nil {
			if errors.Is(err, data.ErrConflict) {
				continue // another sender took it
			}
			errs = append(errs, fmt.Errorf("mark message %d sending: %w", m.ID, err))
			break
		}
		sendErr := r.send(ctx, dest, m)
		// Marking uses a context that outlives a cancelled ctx, so a message is never left "sending"
		// because the app was closing.
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if sendErr == nil {
			err = s.Store.MarkSent(mctx, m.ID, m.Route)
			if err == nil {
				sent++
			} else {
				errs = append(errs, fmt.Errorf("mark message %d sent: %w", m.ID, err))
			}
		} else {
			// The reason is what the Outbox screen shows: the owner's words with the server's reply in
			// them, or the error itself where no such words were written.
			reason := sendErr.Error()
			if ctx.Err() != nil {
				reason = "sending was interrupted (Backroom was closing or the send was cancelled)"
			} else if isUserError(sendErr) {
				reason = data.UserMessage(sendErr)
			}
			if permanent(sendErr) {
				// The server refused this message for good (5xx): retrying would be refused again.
				err = s.Store.MarkGaveUp(mctx, m.ID, reason)
			} else {
				err = s.Store.MarkFailed(mctx, m.ID, reason)
			}
			if err == nil {
				failed++
			} else {
				errs = append(errs, fmt.Errorf("mark message %d failed: %w", m.ID, err))
			}
		}
		cancel()
		if err != nil {
			break
		}
	}
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return sent, failed, errors.Join(errs...)
}

// Run sends due messages now and then every interval until ctx ends. A failed round is reported and
// the loop goes on: being offline fails the attempts, and the messages wait for their back-off.
func (s *Sender) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		sent, failed, err := s.SendDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if s.Report != nil {
			s.Report(sent, failed, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// errReported marks a route's setup failure already returned once in this round.
var errReported = errors.New("reported")

// destination is one route's connection for a round, made at the first message and reused after.
type destination interface {
	deliver(ctx context.Context, r *run, c Composed) error
	close()
}

// run is one SendDue round: the account, each route's credentials and its open connection.
type run struct {
	s    *Sender
	acct data.SMTPAccount

	prepared map[data.MessageRoute]error
	smtpPass string
	mailAcct data.MailAccount
	mailPass string

	smtp   smtpDest
	drafts draftsDest
}

// prepare finds what a route needs before anything is marked: the password, and for Drafts the
// mailbox account. A failure is returned once and errReported after.
func (r *run) prepare(ctx context.Context, route data.MessageRoute) error {
	if r.prepared == nil {
		r.prepared = map[data.MessageRoute]error{}
	}
	if err, done := r.prepared[route]; done {
		if err != nil {
			return errReported
		}
		return nil
	}
	err := r.prepareRoute(ctx, route)
	r.prepared[route] = err
	return err
}

func (r *run) prepareRoute(ctx context.Context, route data.MessageRoute) error {
	switch route {
	case data.RouteSMTP:
		if r.acct.User == "" {
			return nil
		}
		if r.s.SMTPPassword == nil {
			return errors.New("send by SMTP: the sender has no way to read the password")
		}
		pw, err := r.s.SMTPPassword(ctx, r.acct)
		if err != nil {
			return fmt.Errorf("read the password for sending as %s: %w", r.acct.User, err)
		}
		r.smtpPass = pw
		return nil
	case data.RouteDrafts:
		accts, err := r.s.Store.MailAccounts(ctx)
		if err != nil {
			return fmt.Errorf("read the mailbox account for Drafts: %w", err)
		}
		acct, ok := draftsAccount(accts, r.acct)
		if !ok {
			return &data.Error{Kind: data.ErrInvalid,
				Message: "messages wait to be saved as drafts, but no mailbox account is set up: Settings › Mail"}
		}
		if r.s.MailPassword == nil {
			return errors.New("save drafts: the sender has no way to read the mailbox password")
		}
		pw, err := r.s.MailPassword(ctx, acct)
		if err != nil {
			return fmt.Errorf("read the password for the mailbox %s: %w", acct.Label(), err)
		}
		r.mailAcct, r.mailPass = acct, pw
		return nil
	}
	return fmt.Errorf("unknown route %q", route)
}

// draftsAccount picks the mailbox whose user is the sending account's user or address, else the first.
func draftsAccount(accts []data.MailAccount, smtpAcct data.SMTPAccount) (data.MailAccount, bool) {
	if len(accts) == 0 {
		return data.MailAccount{}, false
	}
	for _, a := range accts {
		if strings.EqualFold(a.User, smtpAcct.User) || strings.EqualFold(a.User, smtpAcct.From) {
			return a, true
		}
	}
	return accts[0], true
}

// send composes m and delivers it by dest.
func (r *run) send(ctx context.Context, dest destination, m data.OutboxMessage) error {
	c, err := Compose(m, &mail.Address{Name: r.acct.FromName, Address: r.acct.From}, r.s.Store.Now())
	if err != nil {
		return err
	}
	return dest.deliver(ctx, r, c)
}

func (r *run) close() {
	r.smtp.close()
	r.drafts.close()
}

// smtpDest keeps one SMTP connection for the round. A connection failure is remembered, so the rest of
// the round's messages fail at once with the same reason instead of each waiting for its own timeout.
type smtpDest struct {
	cl      *Client
	connErr error
}

func (d *smtpDest) deliver(ctx context.Context, r *run, c Composed) error {
	if d.connErr != nil {
		return d.connErr
	}
	if d.cl == nil {
		cl, err := Dial(ctx, r.acct, Options{Password: r.smtpPass, TLSConfig: r.s.TLSConfig, Timeout: r.s.Timeout})
		if err != nil {
			d.connErr = err
			return err
		}
		d.cl = cl
	}
	_, err := d.cl.Send(ctx, c.From, []string{c.To}, c.Raw)
	if err != nil && !errors.Is(err, ErrRejected) {
		// The connection is gone or unusable; later messages of this round fail the same way.
		d.cl.conn.Close()
		d.cl = nil
		d.connErr = err
	}
	return err
}

func (d *smtpDest) close() {
	if d.cl != nil {
		d.cl.Close()
		d.cl = nil
	}
}

// draftsDest keeps one IMAP connection to the Drafts folder for the round.
type draftsDest struct {
	d       *mailbox.Drafts
	connErr error
}

func (d *draftsDest) deliver(ctx context.Context, r *run, c Composed) error {
	if d.connErr != nil {
		return d.connErr
	}
	if d.d == nil {
		dr, err := mailbox.OpenDrafts(ctx, r.mailAcct, mailbox.Options{Password: r.mailPass, TLSConfig: r.s.TLSConfig, Timeout: r.s.Timeout})
		if err != nil {
			d.connErr = err
			return err
		}
		d.d = dr
	}
	err := d.d.Append(ctx, c.Raw, r.s.Store.Now())
	if err != nil && (errors.Is(err, mailbox.ErrUnreachable) || errors.Is(err, mailbox.ErrTimeout)) {
		d.d.Close()
		d.d = nil
		d.connErr = err
	}
	return err
}

func (d *draftsDest) close() {
	if d.d != nil {
		d.d.Close()
		d.d = nil
	}
}

// permanent says the server refused the message with a permanent (5xx) reply. A refusal of the sign-in
// is not the message's fault, and a 4xx reply (mailbox busy, greylisted) may pass later: both retry.
func permanent(err error) bool {
	var smtpErr *smtp.SMTPError
	return errors.Is(err, ErrRejected) && !errors.Is(err, ErrAuth) && errors.As(err, &smtpErr) && smtpErr.Code/100 == 5
}

// isUserError says err carries a message written for the shop owner.
func isUserError(err error) bool {
	var e *data.Error
	return errors.As(err, &e)
}
