package app

import (
	"context"
	"log"
	"time"

	"fyne.io/fyne/v2"

	"github.com/backroom-app/backroom/data"
)

// When the automatic backups run.
const (
	// backupStartDelay lets the window open and the dashboard load before the backup on start reads
	// the whole file.
	backupStartDelay = 20 * time.Second
	// backupCheckEvery is how often an open window looks whether a day has passed since the last backup.
	backupCheckEvery = 10 * time.Minute
	// backupDaily is the age of the newest backup that makes a new one due while the window is open.
	backupDaily = 24 * time.Hour
	// backupAfterMail is the least time between backups made because mail brought orders: the watch
	// reads the mailbox every few minutes, and each pass would otherwise copy the whole file.
	backupAfterMail = time.Hour
)

// backupWatch makes the automatic backups: on start, after every import, after mail that brought orders
// (at most hourly) and daily while the window is open; and the owner's "Back up now". One backup runs at
// a time: a request while one runs is folded into a single next run. Automatic backups act as the
// database's system owner, whoever is signed in, because they protect everyone's work. It is used only on
// the UI goroutine.
type backupWatch struct {
	a       *App
	running bool
	again   *data.Store // the store of a request that came in while one ran
	cancel  context.CancelFunc

	progress float64
	last     data.BackupReport // the last backup this window made
	lastErr  error             // why the last attempt failed; nil after a success
	// listeners redraw what shows the backups (Settings › Backups) when anything above changes.
	listeners map[string]func()
}

func newBackupWatch(a *App) *backupWatch { return &backupWatch{a: a, listeners: map[string]func(){}} }

// start schedules the backup on start and the daily check. shop is false for a database with no shop
// yet (the welcome screen), which has nothing to back up.
func (w *backupWatch) start(shop bool) {
	if w.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(w.a.bg.ctx)
	w.cancel = cancel
	if shop {
		w.a.bg.after(ctx, backupStartDelay, func() { w.request(w.a.base) })
	}
	w.a.bg.tick(ctx, backupCheckEvery, func() { w.requestIfOlder(backupDaily) })
}

// afterImport backs up after an import wrote to the shop.
func (w *backupWatch) afterImport() { w.request(w.a.base) }

// afterMail backs up after mail brought orders, unless a backup is less than an hour old.
func (w *backupWatch) afterMail() { w.requestIfOlder(backupAfterMail) }

// requestIfOlder backs up when the newest backup in the folder (whoever made it) is older than age.
func (w *backupWatch) requestIfOlder(age time.Duration) {
	base := w.a.base
	run(w.a.bg, func(ctx context.Context) (time.Time, error) {
		return base.LastBackup(ctx)
	}, func(last time.Time, err error) {
		if err == nil && base == w.a.base && base.Now().Sub(last) >= age {
			w.request(base)
		}
	})
}

// request backs up through s: now when no backup runs, else once the running one ends.
func (w *backupWatch) request(s *data.Store) {
	if w.running {
		w.again = s
		return
	}
	w.running, w.progress = true, 0
	w.notify()
	run(w.a.bg, func(ctx context.Context) (data.BackupReport, error) {
		return s.Backup(ctx, func(f float64) {
			fyne.Do(func() {
				if w.running {
					w.progress = f
					w.notify()
				}
			})
		})
	}, func(rep data.BackupReport, err error) {
		w.running = false
		if err != nil {
			log.Printf("backroom: back up %s: %v", s.Path(), err)
			w.lastErr = err
		} else {
			w.last, w.lastErr = rep, nil
		}
		w.notify()
		if next := w.again; next != nil {
			w.again = nil
			w.request(next)
		}
	})
}

// listen calls fn whenever the state of the backups changes; a second call with the same key replaces
// the first.
func (w *backupWatch) listen(key string, fn func()) { w.listeners[key] = fn }

func (w *backupWatch) notify() {
	for _, fn := range w.listeners {
		fn()
	}
}
