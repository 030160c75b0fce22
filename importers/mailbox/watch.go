package mailbox

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/backroom-app/backroom/data"
)

const (
	// defaultPoll is how often Watch syncs when the caller gives no interval: the safety net for
	// servers without IDLE, for the folders besides the first, and for IDLE notices that never came.
	defaultPoll = 5 * time.Minute
	// healthEvery is how often a waiting connection is asked a NOOP, so a connection that died
	// silently (a sleeping laptop, a NAT that forgot it) is noticed and replaced well before the
	// next poll.
	healthEvery = 2 * time.Minute
	// The wait before reconnecting doubles from firstRetry after each failed attempt up to lastRetry,
	// so a server that is down is not hammered and one that is back is found again soon.
	firstRetry = time.Second
	lastRetry  = 5 * time.Minute
)

// Watch keeps syncing while ctx lives: IDLE where the server has it, polling every interval otherwise,
// reconnecting with backoff. after is called after every pass.
//
// Watch uses its own connection. It syncs when it connects, whenever the server announces new mail
// in the account's first folder (IDLE), and every poll interval, which also covers the other folders.
// A failed pass or a lost connection is reported to after and retried; Watch returns nil once ctx
// ends. Only a refused login ends it early, with the ErrAuth error: retrying a wrong password gets
// accounts locked, and only the owner can fix it. A zero poll means five minutes.
func Watch(ctx context.Context, st *data.Store, acct data.MailAccount, opt Options, poll time.Duration, after func(data.MailResult, error)) error {
	w := &watcher{st: st, acct: acct, opt: opt.withDefaults(), poll: poll, after: after}
	if w.poll <= 0 {
		w.poll = defaultPoll
	}
	if w.after == nil {
		w.after = func(data.MailResult, error) {}
	}
	retry := firstRetry
	for {
		healthy, err := w.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrAuth) {
			return err
		}
		if healthy {
			retry = firstRetry
		}
		wait := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil
		case <-wait.C:
		}
		retry = min(2*retry, lastRetry)
	}
}

// watcher is one Watch call's settings.
type watcher struct {
	st    *data.Store
	acct  data.MailAccount
	opt   Options
	poll  time.Duration
	after func(data.MailResult, error)
}

// session connects and syncs until the connection fails or ctx ends, and returns the failure, already
// reported to after. healthy says at least one pass succeeded, which resets the reconnect backoff.
func (w *watcher) session(ctx context.Context) (healthy bool, err error) {
	// The server's "new mail" notice arrives on the connection's reader goroutine: it must not block,
	// and one pending notice is as good as many.
	notify := make(chan struct{}, 1)
	handler := &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case notify <- struct{}{}:
				default:
				}
			}
		},
	}
	started := time.Now()
	s, err := connect(ctx, w.acct, w.opt, handler)
	if err != nil {
		if ctx.Err() == nil {
			// Logged like a failed sync, so the Mail screen shows why mail stopped coming.
			err = logRun(ctx, w.st, w.acct, started, data.MailResult{}, err)
		}
		w.report(ctx, data.MailResult{}, err)
		return false, err
	}
	defer s.close()

	var caps imap.CapSet
	err = s.do(ctx, "asking what the server supports", func(func()) error {
		if caps = s.client.Caps(); caps == nil {
			return errors.New("no capability list")
		}
		return nil
	})
	if err != nil {
		w.report(ctx, data.MailResult{}, err)
		return false, err
	}
	idle := caps.Has(imap.CapIdle)
	// The first folder is synced last, so it is the one still selected when IDLE starts, and any
	// mail arriving in it from its EXAMINE on is announced.
	names := folders(w.acct)
	order := append(slices.Clone(names[1:]), names[0])

	for {
		select {
		case <-notify: // mail announced before this pass is read by it
		default:
		}
		started = time.Now()
		res, err := s.syncFolders(ctx, w.st, w.acct, w.opt, order)
		err = logRun(ctx, w.st, w.acct, started, res, err)
		if ctx.Err() != nil {
			return healthy, err
		}
		w.after(res, err)
		if err != nil {
			return healthy, err
		}
		healthy = true
		if err := s.waitForMail(ctx, idle, notify, w.poll); err != nil {
			w.report(ctx, data.MailResult{}, err)
			return healthy, err
		}
	}
}

// report hands a failure to after unless it is only ctx ending.
func (w *watcher) report(ctx context.Context, res data.MailResult, err error) {
	if ctx.Err() == nil {
		w.after(res, err)
	}
}

// waitForMail returns when the next pass is due: mail was announced, or poll has passed. Meanwhile it
// idles (or sleeps) and checks the connection with NOOP every healthEvery.
func (s *session) waitForMail(ctx context.Context, idle bool, notify <-chan struct{}, poll time.Duration) error {
	due := time.Now().Add(poll)
	for {
		span := min(time.Until(due), healthEvery)
		var announced bool
		var err error
		if idle {
			announced, err = s.idle(ctx, notify, span)
		} else {
			announced, err = s.sleep(ctx, notify, span)
		}
		if err != nil {
			return err
		}
		if announced || !time.Now().Before(due) {
			return nil
		}
		// A NOOP also brings news of mail that IDLE-less servers only tell when asked.
		if err := s.do(ctx, "checking the connection", func(func()) error { return s.client.Noop().Wait() }); err != nil {
			return err
		}
	}
}

// idle holds an IDLE command for up to span and says whether new mail was announced.
func (s *session) idle(ctx context.Context, notify <-chan struct{}, span time.Duration) (bool, error) {
	var cmd *imapclient.IdleCommand
	err := s.do(ctx, "starting to wait for new mail", func(func()) error {
		var err error
		cmd, err = s.client.Idle()
		return err
	})
	if err != nil {
		return false, err
	}
	timer := time.NewTimer(span)
	defer timer.Stop()
	var announced bool
	select {
	case <-ctx.Done():
		s.client.Close() // no DONE needed: the connection is going anyway
		return false, ctx.Err()
	case <-s.client.Closed():
		return false, failure(ErrUnreachable, nil, "the connection to the mail server %s closed while waiting for new mail", s.addr)
	case <-notify:
		announced = true
	case <-timer.C:
	}
	err = s.do(ctx, "ending the wait for new mail", func(func()) error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
	return announced, err
}

// sleep waits up to span on a server without IDLE, waking early if a response announced mail.
func (s *session) sleep(ctx context.Context, notify <-chan struct{}, span time.Duration) (bool, error) {
	timer := time.NewTimer(span)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case <-s.client.Closed():
		return false, failure(ErrUnreachable, nil, "the connection to the mail server %s closed while waiting for new mail", s.addr)
	case <-notify:
		return true, nil
	case <-timer.C:
		return false, nil
	}
}
