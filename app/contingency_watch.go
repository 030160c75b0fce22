package app

import (
	"context"
	"fmt"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// contingencyCheckEvery is how often the watch looks at the clock for a new day. A minute keeps a PO
// that turns late at midnight from waiting until morning, and costs one comparison.
const contingencyCheckEvery = time.Minute

// contingencyWatch evaluates the shop's contingency rules whenever something they watch may have
// changed: at sign-in, when the day changes (a PO turns late, a projection moves on) and after the data
// changes screens report through App.contingenciesChanged. Evaluations run in the background one at a
// time; changes reported while one runs are folded into a single next run, so an import that touches a
// thousand rows costs two evaluations, not a thousand. It is used only on the UI goroutine.
type contingencyWatch struct {
	a      *App
	store  *data.Store // acting for the signed-in user; nil before sign-in
	every  time.Duration
	cancel context.CancelFunc // stops the day check of the current sign-in

	day     string // the day of the last evaluation that succeeded, as dayKey writes it
	running bool
	again   bool // a change came in while an evaluation ran: run once more after it

	// listeners reload what shows alerts (the dashboard card, the Contingency tab) after each
	// evaluation, keyed so a screen built again for the next sign-in replaces its old entry.
	listeners map[string]func()
	banner    *widget.PopUp
}

func newContingencyWatch(a *App) *contingencyWatch {
	return &contingencyWatch{a: a, every: contingencyCheckEvery, listeners: map[string]func(){}}
}

// contingenciesChanged tells the watch that data its rules look at changed (stock received, orders
// imported, a supplier marked unavailable, a rule edited). The evaluation runs soon, in the background;
// calls close together share one.
func (a *App) contingenciesChanged() {
	if a.contingency != nil {
		a.contingency.changed()
	}
}

// contingencyAlertsChanged tells what shows alerts that one was dismissed, without evaluating again.
func (a *App) contingencyAlertsChanged() {
	if a.contingency != nil {
		a.contingency.notify()
	}
}

// start watches for the user s acts for: it evaluates now, then again whenever the day changes.
func (w *contingencyWatch) start(s *data.Store) {
	w.stop()
	w.store, w.day = s, ""
	ctx, cancel := context.WithCancel(w.a.bg.ctx)
	w.cancel = cancel
	w.changed()
	w.a.bg.tick(ctx, w.every, w.checkDay)
}

// stop ends the day check of the current sign-in.
func (w *contingencyWatch) stop() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
}

// listen calls fn after every evaluation; a second call with the same key replaces the first.
func (w *contingencyWatch) listen(key string, fn func()) { w.listeners[key] = fn }

// notify reloads everything that shows alerts.
func (w *contingencyWatch) notify() {
	for _, fn := range w.listeners {
		fn()
	}
}

// dayKey names the day t falls on both in UTC, where late POs are counted, and here, where the owner
// lives: a change of either is a new day for the rules.
func dayKey(t time.Time) string {
	return t.UTC().Format("2006-01-02") + "/" + t.Local().Format("2006-01-02")
}

// checkDay evaluates when the day has changed since the last evaluation that succeeded.
func (w *contingencyWatch) checkDay() {
	if w.store != nil && dayKey(w.store.Now()) != w.day {
		w.changed()
	}
}

// contingencyRun is what one evaluation found.
type contingencyRun struct {
	now   time.Time
	fired []data.ContingencyAlert
}

// changed schedules an evaluation: now when none runs, else once the running one ends.
func (w *contingencyWatch) changed() {
	if w.store == nil {
		return
	}
	if w.running {
		w.again = true
		return
	}
	w.running = true
	s := w.store
	run(w.a.bg, func(ctx context.Context) (contingencyRun, error) {
		r := contingencyRun{now: s.Now()}
		if !s.Can(data.PermMoveStock) {
			// Evaluating writes alerts, and the accountant writes nothing: they read the alerts the
			// owner's and the packers' sessions keep.
			return r, nil
		}
		var err error
		r.fired, err = s.EvaluateContingencies(ctx, r.now)
		return r, err
	}, func(r contingencyRun, err error) {
		w.running = false
		switch {
		case s != w.store:
			// Someone else signed in meanwhile; start has already scheduled their evaluation.
		case err != nil:
			// A background check has no dialog to answer: the next change or tick tries again.
			log.Printf("backroom: evaluate contingency rules: %v", err)
		default:
			w.day = dayKey(r.now)
			if len(r.fired) > 0 && s.Can(data.PermManageSuppliers) {
				w.announce(r.fired)
			}
			w.notify()
		}
		if w.again {
			w.again = false
			w.changed()
		}
	})
}

// announce tells the owner about new alerts: a system notification, which reaches them in another
// window, and a banner in Backroom's own, which leads to the alerts.
func (w *contingencyWatch) announce(fired []data.ContingencyAlert) {
	title := "Supplier alert"
	if len(fired) > 1 {
		title = fmt.Sprintf("%d supplier alerts", len(fired))
	}
	w.a.fyne.SendNotification(fyne.NewNotification(title, fired[0].Message))
	w.showBanner(title, fired)
}

// showBanner shows new alerts at the top right of the window until the owner opens or closes them.
func (w *contingencyWatch) showBanner(title string, fired []data.ContingencyAlert) {
	if w.banner != nil {
		w.banner.Hide()
	}
	c := w.a.win.Canvas()
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg := widget.NewLabel(fired[0].Message)
	msg.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(heading, msg)
	if len(fired) > 1 {
		body.Add(mutedText(fmt.Sprintf("and %s.", plural(len(fired)-1, "more alert", "more alerts"))))
	}
	var pop *widget.PopUp
	open := widget.NewButtonWithIcon("Show alerts", theme.NavigateNextIcon(), func() {
		pop.Hide()
		w.a.showContingencies()
	})
	open.Importance = widget.HighImportance
	closeBtn := widget.NewButton("Close", func() { pop.Hide() })
	buttons := container.NewHBox(closeBtn, open)
	if !w.a.canShow(sectionSuppliers) {
		open.Hide()
	}
	content := fixedWidth(container.NewBorder(nil, container.NewBorder(nil, nil, nil, buttons), widget.NewIcon(theme.WarningIcon()), nil, body), 380)
	pop = widget.NewPopUp(content, c)
	size := pop.MinSize()
	pad := theme.Padding()
	pop.ShowAtPosition(fyne.NewPos(max(c.Size().Width-size.Width-4*pad, 0), 4*pad))
	w.banner = pop
}

// showContingencies opens the Suppliers section on its Contingency tab.
func (a *App) showContingencies() {
	if sc, ok := a.show(sectionSuppliers).(*suppliersScreen); ok {
		for _, item := range sc.tabs.Items {
			if item.Text == contingencyTabTitle {
				sc.tabs.Select(item)
			}
		}
	}
}
