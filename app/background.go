package app

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// background is the only place the app starts goroutines. Work runs off the UI goroutine with a context
// that is cancelled when the window closes; results come back through fyne.Do, so widgets are only ever
// touched on the UI goroutine.
//
// Jobs are counted under a mutex rather than with a sync.WaitGroup: a watcher's tick may start a job
// at any moment, also while someone waits for the jobs to finish, and a WaitGroup forbids an Add from
// zero that races with a Wait (it panics with "WaitGroup is reused before previous Wait has returned").
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	idle   *sync.Cond // broadcast when jobs drops to zero
	jobs   int
	loops  sync.WaitGroup // work that lasts until cancelled, such as watching the mailbox
}

func newBackground(parent context.Context) *background {
	ctx, cancel := context.WithCancel(parent)
	b := &background{ctx: ctx, cancel: cancel}
	b.idle = sync.NewCond(&b.mu)
	return b
}

// stop cancels all running work and waits for it, so nothing calls fyne.Do after the app quits.
func (b *background) stop() {
	b.cancel()
	b.wait()
	b.loops.Wait()
}

// wait blocks until no job is running. Tests use it: Fyne's test driver runs fyne.Do callbacks at
// once, so by then the done callbacks have run too.
func (b *background) wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.jobs > 0 {
		b.idle.Wait()
	}
}

func (b *background) begin() {
	b.mu.Lock()
	b.jobs++
	b.mu.Unlock()
}

func (b *background) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.jobs--; b.jobs == 0 {
		b.idle.Broadcast()
	}
}

// loop runs work that lasts until its context ends, such as watching the mailbox. stop waits for it;
// wait does not, since it never finishes on its own. work must not touch widgets except through fyne.Do
// guarded by its context.
func (b *background) loop(work func(ctx context.Context)) {
	b.loops.Add(1)
	go func() {
		defer b.loops.Done()
		work(b.ctx)
	}()
}

// run does work in the background and hands its result to done on the UI goroutine. done is skipped
// when the app is shutting down.
func run[T any](b *background, work func(context.Context) (T, error), done func(T, error)) {
	b.begin()
	go func() {
		defer b.end()
		v, err := work(b.ctx)
		if b.ctx.Err() != nil {
			return
		}
		// fyne.Do, not DoAndWait: stop runs on the UI goroutine and waits for this goroutine, which
		// must therefore never wait for the UI goroutine in turn.
		fyne.Do(func() {
			if b.ctx.Err() == nil {
				done(v, err)
			}
		})
	}()
}

// latest guards a screen against out-of-order results: when a search is typed quickly, only the answer
// to the last query may update the list. Used only on the UI goroutine.
type latest struct{ n uint64 }

// next starts a new request and returns a check that is true only while it is still the newest.
func (l *latest) next() func() bool {
	l.n++
	mine := l.n
	return func() bool { return l.n == mine }
}

// load is run for a screen that shows only the newest answer: work runs in the background, and its
// result goes to show unless a newer request of l has started since; errors go to showError.
func load[T any](b *background, win fyne.Window, l *latest, work func(context.Context) (T, error), show func(T)) {
	current := l.next()
	run(b, work, func(v T, err error) {
		if !current() {
			return
		}
		if err != nil {
			showError(win, err)
			return
		}
		show(v)
	})
}

// showError tells the user what went wrong in words they understand and logs the whole chain. It must
// be called on the UI goroutine.
func showError(win fyne.Window, err error) {
	if err == nil {
		return
	}
	log.Printf("backroom: %v", err)
	dialog.ShowInformation("Backroom", data.UserMessage(err), win)
}

// runWithProgress does long work behind a dialog with a progress bar and a Cancel button. work reports
// progress in [0, 1]; done gets the error, context.Canceled when the user cancelled.
func runWithProgress(b *background, win fyne.Window, title, message string, work func(ctx context.Context, progress func(float64)) error, done func(error)) {
	ctx, cancel := context.WithCancel(b.ctx)
	bar := widget.NewProgressBar()
	d := dialog.NewCustomWithoutButtons(title, container.NewVBox(widget.NewLabel(message), bar), win)
	cancelButton := widget.NewButton("Cancel", func() { cancel() })
	d.SetButtons([]fyne.CanvasObject{cancelButton})
	d.Show()
	progress := func(f float64) { fyne.Do(func() { bar.SetValue(f) }) }
	run(b, func(context.Context) (struct{}, error) {
		defer cancel()
		return struct{}{}, work(ctx, progress)
	}, func(_ struct{}, err error) {
		d.Hide()
		done(err)
	})
}

// inParallel runs the reads at once and waits for all of them; the first error (in argument order) wins
// and cancels the rest. The store reads over several connections, so a screen made of independent
// figures (the dashboard) waits for its slowest figure instead of for their sum.
func inParallel(ctx context.Context, reads ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = read(ctx); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// tick calls fn on the UI goroutine every interval until ctx ends (a sign-out, a new sign-in, the app
// quitting): the clock of the watchers that re-check something while a screen is open. fn never runs
// after ctx has ended.
func (b *background) tick(ctx context.Context, interval time.Duration, fn func()) {
	b.loop(func(context.Context) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fyne.Do(func() {
					if ctx.Err() == nil {
						fn()
					}
				})
			}
		}
	})
}

// after calls fn once on the UI goroutine when delay has passed, unless ctx ends first.
func (b *background) after(ctx context.Context, delay time.Duration, fn func()) {
	b.loop(func(context.Context) {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
			fyne.Do(func() {
				if ctx.Err() == nil {
					fn()
				}
			})
		}
	})
}
