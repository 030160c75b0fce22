package app

import (
	"context"
	"fmt"
	"image/color"
	"log"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// messageCheckEvery is how often the message watch runs without a change: an exception passes its age
// limit, or a ship-by date passes, with no one touching the data.
const messageCheckEvery = time.Minute

// dashboardExceptionsShown is how many exceptions the dashboard card lists; the rest are counted.
const dashboardExceptionsShown = 6

// messageWatch keeps customer messages and exceptions current while the window is open: on sign-in, after
// every change screens report through App.changed and once a minute, it opens and closes exceptions,
// fires the message rules, and turns what needs the owner's eye (a "notify" rule, an exception past its
// age limit) into a desktop notification. Like contingencyWatch, runs never overlap and changes during a
// run fold into one more run. It is used only on the UI goroutine.
type messageWatch struct {
	a      *App
	store  *data.Store
	cancel context.CancelFunc

	running bool
	again   bool
	// told holds the overdue exceptions already announced in this session, so each is announced once
	// when it passes its limit rather than every minute after.
	told      map[int64]bool
	listeners map[string]func()
	// afterRun is called after each run with the count of rule firings; the outbox sender listens here.
	afterRun func(fired int)
	// send shows a desktop notification; tests record them instead.
	send func(*fyne.Notification)
}

func newMessageWatch(a *App) *messageWatch {
	return &messageWatch{a: a, told: map[int64]bool{}, listeners: map[string]func(){},
		send: func(n *fyne.Notification) { a.fyne.SendNotification(n) }}
}

// messagesChanged asks the message watch to run soon.
func (a *App) messagesChanged() {
	if a.messages != nil {
		a.messages.changed()
	}
}

// start watches for the user s acts for. Only those who manage the shop's mail (the owner) fire rules
// and get notifications: a packer's shipments are picked up by the owner's next run, or the CLI.
func (w *messageWatch) start(s *data.Store) {
	w.stop()
	w.store = nil
	if !s.Can(data.PermManageMail) {
		return
	}
	w.store = s
	w.told = map[int64]bool{}
	ctx, cancel := context.WithCancel(w.a.bg.ctx)
	w.cancel = cancel
	w.changed()
	w.a.bg.tick(ctx, messageCheckEvery, w.changed)
}

func (w *messageWatch) stop() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
}

func (w *messageWatch) listen(key string, fn func()) { w.listeners[key] = fn }

func (w *messageWatch) notify() {
	for _, fn := range w.listeners {
		fn()
	}
}

// messageRun is what one run of the watch found.
type messageRun struct {
	fired         int
	notifications []data.Notification
	overdue       []data.Exception
}

// changed schedules a run: now when none runs, else once the running one ends.
func (w *messageWatch) changed() {
	if w.store == nil {
		return
	}
	if w.running {
		w.again = true
		return
	}
	w.running = true
	s := w.store
	run(w.a.bg, func(ctx context.Context) (messageRun, error) {
		var r messageRun
		if err := s.RefreshExceptions(ctx); err != nil {
			return r, err
		}
		fired, err := s.EvaluateMessageRules(ctx, false)
		if err != nil {
			return r, err
		}
		r.fired = len(fired)
		if r.notifications, err = s.PendingNotifications(ctx); err != nil {
			return r, err
		}
		// Marked before they show: a notification lost to a crash is better than one repeated every minute.
		for _, n := range r.notifications {
			if err := s.MarkNotified(ctx, n.ID); err != nil {
				return r, err
			}
		}
		r.overdue, err = s.OverdueExceptions(ctx, s.Now())
		return r, err
	}, func(r messageRun, err error) {
		w.running = false
		switch {
		case s != w.store:
		case err != nil:
			log.Printf("backroom: check customer messages and exceptions: %v", err)
		default:
			w.announce(r)
			w.notify()
			if w.afterRun != nil {
				w.afterRun(r.fired)
			}
		}
		if w.again {
			w.again = false
			w.changed()
		}
	})
}

// announce sends a desktop notification for each "notify" rule that fired and one for the exceptions
// that newly passed their age limit.
func (w *messageWatch) announce(r messageRun) {
	for _, n := range r.notifications {
		w.send(fyne.NewNotification(n.Title, n.Body))
	}
	var fresh []data.Exception
	for _, e := range r.overdue {
		if !w.told[e.ID] {
			w.told[e.ID] = true
			fresh = append(fresh, e)
		}
	}
	switch len(fresh) {
	case 0:
	case 1:
		w.send(fyne.NewNotification("Exception waiting too long", exceptionLine(fresh[0])))
	default:
		w.send(fyne.NewNotification(fmt.Sprintf("%d exceptions waiting too long", len(fresh)),
			exceptionLine(fresh[0])+fmt.Sprintf(" and %s.", plural(len(fresh)-1, "more", "more"))))
	}
}

// exceptionKindLabel says an exception's kind in words.
func exceptionKindLabel(k data.ExceptionKind) string {
	switch k {
	case data.ExceptionLateOrder:
		return "Late order"
	case data.ExceptionUnmatchedSKU:
		return "Unmatched SKU"
	case data.ExceptionMailReview:
		return "Order e-mail to review"
	case data.ExceptionAtRiskSKU:
		return "SKU at risk"
	case data.ExceptionReturnOpened:
		return "Return opened"
	case data.ExceptionPOOverdue:
		return "Purchase order overdue"
	case data.ExceptionRule:
		return "From a rule"
	case data.ExceptionTicketUnanswered:
		return "Customer waiting for an answer"
	}
	return capitalized(strings.ReplaceAll(string(k), "_", " "))
}

// exceptionLine is an exception in one line: its kind, then what the store says about it (which names
// the order, SKU or PO), else its reference.
func exceptionLine(e data.Exception) string {
	switch {
	case e.Summary != "":
		return exceptionKindLabel(e.Kind) + ": " + e.Summary
	case e.Ref != "":
		return exceptionKindLabel(e.Kind) + ": " + e.Ref
	}
	return exceptionKindLabel(e.Kind)
}

// ageText says how long ago t was, roughly: "3 h", "2 days".
func ageText(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", max(int(d.Minutes()), 0))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// exceptionsCard is the dashboard's list of open exceptions, those past their age limit first and in
// red, each with a Handle button that records how it was dealt with.
type exceptionsCard struct {
	a     *App
	query latest
	box   *fyne.Container
	list  *fyne.Container
	empty *widget.Label
	more  *widget.Button // "Show all 14" or "Show fewer"
	all   bool           // every open exception is listed, not only the first few
	last  exceptionsView
	shown []data.Exception
}

func newExceptionsCard(a *App) *exceptionsCard {
	c := &exceptionsCard{a: a, list: container.NewVBox()}
	c.empty = widget.NewLabel("No open exceptions: nothing is waiting on you.")
	c.empty.Importance = widget.LowImportance
	c.more = widget.NewButton("", func() {
		c.all = !c.all
		c.show(c.last)
	})
	c.more.Importance = widget.LowImportance
	c.more.Hide()
	c.box = container.NewVBox(
		cardHeading("Exceptions", "Problems someone should look at: late orders, unmatched SKUs, mail to review, overdue POs. "+
			"Red ones are past their age limit."),
		c.list, c.empty, container.NewHBox(c.more))
	a.messages.listen("dashboard-exceptions", c.load)
	return c
}

func (c *exceptionsCard) view() fyne.CanvasObject { return c.box }

type exceptionsView struct {
	now     time.Time
	open    []data.Exception
	overdue map[int64]bool
}

func (c *exceptionsCard) load() {
	store := c.a.store
	load(c.a.bg, c.a.win, &c.query, func(ctx context.Context) (exceptionsView, error) {
		v := exceptionsView{now: store.Now(), overdue: map[int64]bool{}}
		var limits map[data.ExceptionKind]time.Duration
		err := inParallel(ctx,
			func(ctx context.Context) (err error) { v.open, err = store.Exceptions(ctx, true); return err },
			func(ctx context.Context) (err error) { limits, err = store.ExceptionLimits(ctx); return err })
		for _, e := range v.open {
			if e.Overdue(v.now, limits) {
				v.overdue[e.ID] = true
			}
		}
		return v, err
	}, c.show)
}

// show lists the open exceptions, overdue first, each group oldest first.
func (c *exceptionsCard) show(v exceptionsView) {
	c.last = v
	open := slices.Clone(v.open)
	slices.SortStableFunc(open, func(x, y data.Exception) int {
		if v.overdue[x.ID] != v.overdue[y.ID] {
			if v.overdue[x.ID] {
				return -1
			}
			return 1
		}
		return x.Opened.Compare(y.Opened)
	})
	c.shown = open
	c.list.RemoveAll()
	for i, e := range open {
		if i == dashboardExceptionsShown && !c.all {
			break
		}
		c.list.Add(c.row(e, v.overdue[e.ID], v.now))
	}
	switch n := len(open) - dashboardExceptionsShown; {
	case n <= 0:
		c.more.Hide()
	case c.all:
		c.more.SetText("Show fewer")
		c.more.Show()
	default:
		c.more.SetText(fmt.Sprintf("Show all %d (%s more)", len(open), groupDigits(int64(n))))
		c.more.Show()
	}
	if len(open) == 0 {
		c.empty.Show()
	} else {
		c.empty.Hide()
	}
	c.box.Refresh()
}

func (c *exceptionsCard) row(e data.Exception, overdue bool, now time.Time) fyne.CanvasObject {
	what := widget.NewLabel(exceptionLine(e))
	what.Truncation = fyne.TextTruncateEllipsis
	age := widget.NewLabel("open " + ageText(now, e.Opened))
	icon := widget.NewIcon(theme.InfoIcon())
	if overdue {
		what.Importance = widget.DangerImportance
		age.Importance = widget.DangerImportance
		age.SetText("open " + ageText(now, e.Opened) + ", past its limit")
		icon.SetResource(theme.NewErrorThemedResource(theme.WarningIcon()))
	}
	handle := widget.NewButtonWithIcon("Handle…", theme.ConfirmIcon(), func() { c.onHandle(e) })
	right := container.NewHBox(age, handle)
	open := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { c.a.showOrder(e.OrderID) })
	if e.TicketID != 0 {
		open.OnTapped = func() { c.a.showTicket(e.TicketID) }
	}
	if e.OrderID != 0 || e.TicketID != 0 {
		right.Add(open)
	} else {
		// Keeps the Handle buttons of every row in one column.
		gap := canvas.NewRectangle(color.Transparent)
		gap.SetMinSize(open.MinSize())
		right.Add(gap)
	}
	return container.NewBorder(nil, nil, icon, right, what)
}

// onHandle asks how the exception was dealt with and records it with the person's name.
func (c *exceptionsCard) onHandle(e data.Exception) {
	how := widget.NewMultiLineEntry()
	how.SetPlaceHolder("e.g. Wrote to the customer, sent a replacement")
	how.SetMinRowsVisible(3)
	how.Wrapping = fyne.TextWrapWord
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	msg.Wrapping = fyne.TextWrapWord
	msg.Hide()
	var d *dialog.CustomDialog
	save := widget.NewButtonWithIcon("Mark handled", theme.ConfirmIcon(), nil)
	save.Importance = widget.HighImportance
	save.OnTapped = func() {
		text := strings.TrimSpace(how.Text)
		if text == "" {
			msg.SetText("How: say in a few words what was done, so the next person knows.")
			msg.Show()
			return
		}
		store := c.a.store
		save.Disable()
		run(c.a.bg, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, store.HandleException(ctx, e.ID, text)
		}, func(_ struct{}, err error) {
			save.Enable()
			if err != nil {
				msg.SetText(data.UserMessage(err))
				msg.Show()
				return
			}
			d.Hide()
			c.load()
		})
	}
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { d.Hide() })
	body := container.NewVBox(widget.NewLabel(exceptionLine(e)), widget.NewForm(widget.NewFormItem("How", how)), msg)
	d = dialog.NewCustomWithoutButtons("Handle exception", fixedWidth(body, 460), c.a.win)
	d.SetButtons([]fyne.CanvasObject{cancel, save})
	d.Show()
	c.a.win.Canvas().Focus(how)
}
