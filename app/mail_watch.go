package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
)

// mailPollEvery is how often the watcher reads the mailbox when the server cannot say that mail arrived
// (no IDLE), and the safety net when it can: IDLE has been seen to go quiet after days.
const mailPollEvery = 5 * time.Minute

// mailWatcher keeps reading the shop's mailbox while the owner has Backroom open, so an order mailed at
// night is an order with its stock reserved by morning. It lives as long as the window and is used only
// on the UI goroutine; the watching itself runs in the background.
type mailWatcher struct {
	a      *App
	cancel context.CancelFunc // stops the running watch; nil when none runs
	acct   data.MailAccount
	// password is one the owner typed because no keychain holds it. It lives only in memory, for as long
	// as the window is open, and is never written anywhere.
	password string
	// Where the watch stands, for the Mail screen.
	running  bool
	lastPass time.Time
	lastErr  error
	// onChange is called (on the UI goroutine) whenever the state above changes.
	onChange func()
}

func newMailWatcher(a *App) *mailWatcher { return &mailWatcher{a: a} }

// resume starts watching the saved account when the keychain (or this session) has its password. It is
// quiet when there is no account or no password: the Mail screen says what is missing.
func (w *mailWatcher) resume(s *data.Store) {
	keys := w.a.keys
	session := w.password
	type found struct {
		acct     data.MailAccount
		password string
	}
	run(w.a.bg, func(ctx context.Context) (found, error) {
		accts, err := s.MailAccounts(ctx)
		if err != nil || len(accts) == 0 {
			return found{}, err
		}
		pw, err := keys.Password(ctx, accts[0])
		if err != nil {
			pw = session
		}
		return found{accts[0], pw}, nil
	}, func(f found, err error) {
		if err != nil || f.acct.ID == 0 || f.password == "" {
			return
		}
		w.start(s, f.acct, f.password)
	})
}

// start (re)starts watching acct with password. A watch already running stops first.
func (w *mailWatcher) start(s *data.Store, acct data.MailAccount, password string) {
	w.stop()
	ctx, cancel := context.WithCancel(w.a.bg.ctx)
	w.cancel, w.acct, w.running, w.lastErr = cancel, acct, true, nil
	w.changed()
	after := func(res data.MailResult, err error) {
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			w.lastPass, w.lastErr = time.Now(), err
			w.changed()
			if res.OrdersNew+res.OrdersUpdated+res.Queued+res.Tickets > 0 {
				w.a.changed()
				w.a.backups.afterMail()
			}
		})
	}
	w.a.bg.loop(func(context.Context) {
		err := mailbox.Watch(ctx, s, acct, mailbox.Options{Password: password}, mailPollEvery, after)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return // stopped on purpose, or replaced by a newer watch: stop already said so
			}
			cancel()
			w.running, w.lastErr = false, err
			w.changed()
		})
	})
}

// stop ends the running watch, if any.
func (w *mailWatcher) stop() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
	if w.running {
		w.running = false
		w.changed()
	}
}

func (w *mailWatcher) changed() {
	if w.onChange != nil {
		w.onChange()
	}
}

// status is one line for the Mail screen about the watch.
func (w *mailWatcher) status() string {
	switch {
	case !w.running:
		return "Not watching for new mail yet: after Sync now, Backroom reads new mail by itself while it is open."
	case w.lastErr != nil:
		return fmt.Sprintf("Watching for new mail, but the last try failed: %s. Backroom keeps trying.", mailErrorText(w.lastErr))
	case w.lastPass.IsZero():
		return "Watching for new mail: connecting…"
	}
	return "Watching for new mail: orders are read as they arrive (last checked " + w.lastPass.Format("15:04") + ")."
}

// passwordFor finds the account's password: the keychain's, or one typed this session. The error says
// why there is none, so the screen can ask and explain.
func (w *mailWatcher) passwordFor(ctx context.Context, acct data.MailAccount) (string, error) {
	pw, err := w.a.keys.Password(ctx, acct)
	if err == nil {
		return pw, nil
	}
	if w.password != "" && (errors.Is(err, keychain.ErrNotFound) || errors.Is(err, keychain.ErrUnavailable)) {
		return w.password, nil
	}
	return "", err
}

// mailErrorText is a mail error in a shop owner's words; mailbox errors already are.
func mailErrorText(err error) string {
	var de *data.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
