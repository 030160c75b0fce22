package app

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
)

// sectionOutbox is the navigation entry of the outbox screen.
const sectionOutbox = "Outbox"

// outboxSendEvery is how often queued messages are tried while the window is open; the outbox's own
// back-off decides which of them are due.
const outboxSendEvery = time.Minute

// outboxLimit is how many messages one view of the outbox lists.
const outboxLimit = 1000

// outboxSending sends the outbox for the signed-in owner: a round every minute, one as soon as the rules
// queue something, and one when the owner presses Send now. Rounds never overlap, so a message is never
// picked up twice. Only its mutex is touched off the UI goroutine.
type outboxSending struct {
	a      *App
	mu     sync.Mutex // held for the length of a round
	sender *outbox.Sender
	cancel context.CancelFunc
	kick   chan struct{}
	// listeners reload what shows the outbox after each round.
	listeners map[string]func()
}

func newOutboxSending(a *App) *outboxSending {
	return &outboxSending{a: a, listeners: map[string]func(){}}
}

func (o *outboxSending) listen(key string, fn func()) { o.listeners[key] = fn }

// start sends for s when s may send (the owner); anyone else sends nothing.
func (o *outboxSending) start(s *data.Store) {
	o.stop()
	if !s.Can(data.PermManageMail) {
		return
	}
	keys := o.a.keys
	sender := &outbox.Sender{Store: s, SMTPPassword: keys.SMTPPassword, MailPassword: keys.Password}
	o.sender = sender
	ctx, cancel := context.WithCancel(o.a.bg.ctx)
	o.cancel = cancel
	kick := make(chan struct{}, 1)
	o.kick = kick
	o.a.bg.loop(func(context.Context) {
		t := time.NewTicker(outboxSendEvery)
		defer t.Stop()
		for {
			sent, failed, err := o.round(ctx, sender)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				// Offline or not set up: the messages wait, as the Outbox screen shows.
				log.Printf("backroom: send the outbox: %v", err)
			}
			if sent+failed > 0 {
				fyne.Do(func() {
					if ctx.Err() == nil {
						o.notify()
					}
				})
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-kick:
			}
		}
	})
}

func (o *outboxSending) stop() {
	if o.cancel != nil {
		o.cancel()
		o.cancel = nil
	}
	o.sender = nil
}

// soon asks the loop for a round now, as when the rules have just queued messages.
func (o *outboxSending) soon() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

func (o *outboxSending) round(ctx context.Context, sender *outbox.Sender) (sent, failed int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return sender.SendDue(ctx)
}

func (o *outboxSending) notify() {
	for _, fn := range o.listeners {
		fn()
	}
}

// The outbox screen's views.
const (
	outboxWaiting = "Waiting"
	outboxToPaste = "To paste"
	outboxGaveUp  = "Gave up"
	outboxSentTab = "Sent"
	outboxAll     = "All"
)

func outboxViews() []string {
	return []string{outboxWaiting, outboxToPaste, outboxGaveUp, outboxSentTab, outboxAll}
}

func outboxStatuses(view string) []data.OutboxStatus {
	switch view {
	case outboxWaiting:
		return []data.OutboxStatus{data.OutboxQueued, data.OutboxSending, data.OutboxFailed}
	case outboxToPaste:
		return []data.OutboxStatus{data.OutboxPaste}
	case outboxGaveUp:
		return []data.OutboxStatus{data.OutboxGaveUp}
	case outboxSentTab:
		return []data.OutboxStatus{data.OutboxSent, data.OutboxDone}
	}
	return nil
}

// outboxStatusLabel says a message's status in words.
func outboxStatusLabel(s data.OutboxStatus) string {
	switch s {
	case data.OutboxQueued:
		return "Queued"
	case data.OutboxSending:
		return "Sending"
	case data.OutboxSent:
		return "Sent"
	case data.OutboxFailed:
		return "Failed, will retry"
	case data.OutboxGaveUp:
		return "Gave up"
	case data.OutboxPaste:
		return "To paste"
	case data.OutboxDone:
		return "Done by hand"
	}
	return string(s)
}

func routeLabel(r data.MessageRoute) string {
	switch r {
	case data.RouteSMTP:
		return "E-mail"
	case data.RouteDrafts:
		return "Drafts folder"
	case data.RoutePaste:
		return "Paste into marketplace"
	}
	return string(r)
}

// shortRouteLabel is the route in a word, for the narrow sent log of an order.
func shortRouteLabel(r data.MessageRoute) string {
	switch r {
	case data.RouteSMTP:
		return "E-mail"
	case data.RouteDrafts:
		return "Drafts"
	case data.RoutePaste:
		return "Pasted"
	}
	return string(r)
}

// outboxScreen lists the customer messages waiting, failed, to paste and sent, with the chosen one
// beside the list: what it says, where it stands and what can be done with it.
type outboxScreen struct {
	a      *App
	filter *widget.RadioGroup
	list   *pagedTable[data.OutboxMessage]
	split  *container.Split
	detail *fyne.Container
	chosen *data.OutboxMessage

	sendNow   *widget.Button
	sendNote  *widget.Label
	noAccount *fyne.Container // says messages cannot go out until a sending account is set up
	retry     *widget.Button
	copyText  *widget.Button
	markDone  *widget.Button
	openOrder *widget.Button
	facts     *fyne.Container
	subject   *widget.Label
	body      *widget.Label
	problem   *widget.Label
}

func newOutboxScreen(a *App) *outboxScreen {
	sc := &outboxScreen{a: a}
	sc.list = newPagedTable(a, "messages", []column[data.OutboxMessage]{
		{title: "Order", width: 150, text: func(m data.OutboxMessage) string { return channelLabel(m.Channel) + " " + m.OrderRef }},
		{title: "To", width: 150, grow: 1, drop: 2, text: func(m data.OutboxMessage) string { return recipient(m) }},
		{title: "Subject", width: 180, grow: 2, text: func(m data.OutboxMessage) string { return m.Subject }},
		{title: "Status", width: 130, text: func(m data.OutboxMessage) string { return outboxStatusLabel(m.Status) },
			style: func(m data.OutboxMessage) widget.Importance {
				switch m.Status {
				case data.OutboxFailed:
					return widget.WarningImportance
				case data.OutboxGaveUp:
					return widget.DangerImportance
				case data.OutboxPaste:
					return widget.HighImportance
				case data.OutboxSent, data.OutboxDone:
					return widget.SuccessImportance
				}
				return widget.MediumImportance
			}},
		{title: "Tries", width: 50, align: fyne.TextAlignTrailing, drop: 3, text: func(m data.OutboxMessage) string { return fmt.Sprint(m.Attempts) }},
		{title: "Next try / sent", width: 150, drop: 1, text: func(m data.OutboxMessage) string { return outboxWhen(m) }},
	}, func(m data.OutboxMessage) string { return fmt.Sprint(m.ID) })
	sc.list.onSelected = sc.show
	sc.filter = widget.NewRadioGroup(outboxViews(), nil)
	sc.filter.Horizontal = true
	sc.filter.Required = true
	sc.filter.SetSelected(outboxWaiting)
	// Set after the first choice: the screen loads when shown (refresh), not while it is being built.
	sc.filter.OnChanged = func(string) {
		sc.closeDetail()
		sc.sendNote.Hide()
		sc.reload()
	}
	setUp := widget.NewButtonWithIcon("Set up sending…", theme.SettingsIcon(), func() { a.showMessageSettings(2) })
	warn := widget.NewLabel("No sending account is set up: e-mails wait here until one is.")
	warn.Importance = widget.WarningImportance
	sc.noAccount = container.NewHBox(warn, setUp)
	sc.noAccount.Hide()

	sc.sendNow = widget.NewButtonWithIcon("Send now", theme.MailSendIcon(), sc.onSendNow)
	sc.sendNow.Importance = widget.HighImportance
	sc.sendNote = widget.NewLabel("")
	sc.sendNote.Wrapping = fyne.TextWrapWord
	sc.sendNote.Hide()

	sc.retry = widget.NewButtonWithIcon("Retry now", theme.ViewRefreshIcon(), sc.onRetry)
	sc.copyText = widget.NewButtonWithIcon("Copy text", theme.ContentCopyIcon(), sc.onCopy)
	sc.markDone = widget.NewButtonWithIcon("Mark done", theme.ConfirmIcon(), sc.onMarkDone)
	sc.markDone.Importance = widget.HighImportance
	sc.openOrder = widget.NewButtonWithIcon("Open order", theme.NavigateNextIcon(), func() {
		if sc.chosen != nil {
			a.showOrder(sc.chosen.OrderID)
		}
	})
	sc.facts = factsForm()
	sc.subject = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.subject.Wrapping = fyne.TextWrapWord
	sc.body = widget.NewLabel("")
	sc.body.Wrapping = fyne.TextWrapWord
	sc.body.Selectable = true
	sc.problem = widget.NewLabel("")
	sc.problem.Importance = widget.DangerImportance
	sc.problem.Wrapping = fyne.TextWrapWord
	// Reload after a sending round and after the rules queue messages, when on display.
	reload := func() {
		if a.showing(sc) {
			sc.reload()
		}
	}
	a.outbox.listen("outbox-screen", reload)
	a.messages.listen("outbox-screen", reload)
	return sc
}

// recipient is who a message goes to, as people read it.
func recipient(m data.OutboxMessage) string {
	switch {
	case m.Route == data.RoutePaste && m.To == "":
		return m.ToName + " (via " + channelLabel(m.Channel) + ")"
	case m.ToName != "" && m.To != "":
		return m.ToName + " <" + m.To + ">"
	case m.To != "":
		return m.To
	}
	return m.ToName
}

func outboxWhen(m data.OutboxMessage) string {
	switch m.Status {
	case data.OutboxSent, data.OutboxDone:
		return whenText(m.Sent)
	case data.OutboxQueued, data.OutboxFailed:
		if !m.NextAttempt.IsZero() {
			return whenText(m.NextAttempt)
		}
	}
	return ""
}

func (sc *outboxScreen) view() fyne.CanvasObject {
	header := screenHeader("Outbox", "Customer messages the rules queued: waiting to go out, to paste into a marketplace, and sent.",
		sc.sendNow)
	sc.detail = container.NewStack()
	sc.detail.Hide()
	sc.split = container.NewHSplit(sc.list.view(), sc.detail)
	sc.split.Offset = 0.58
	top := container.NewVBox(header, sc.noAccount, sc.filter, sc.sendNote)
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, sc.split))
}

func (sc *outboxScreen) refresh() { sc.reload() }

func (sc *outboxScreen) reload() {
	if sc.list == nil {
		return
	}
	store := sc.a.store
	f := data.OutboxFilter{Status: outboxStatuses(sc.filter.Selected), Limit: outboxLimit}
	sc.list.emptyText = outboxEmptyText(sc.filter.Selected)
	run(sc.a.bg, func(ctx context.Context) (bool, error) {
		_, err := store.SMTPAccount(ctx)
		if errors.Is(err, data.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}, func(set bool, err error) {
		setShown(sc.noAccount, err == nil && !set)
	})
	sc.list.setSource(listSource(func(ctx context.Context) ([]data.OutboxMessage, error) {
		return store.Outbox(ctx, f)
	}))
	if sc.chosen != nil {
		id := sc.chosen.ID
		run(sc.a.bg, func(ctx context.Context) ([]data.OutboxMessage, error) {
			return store.Outbox(ctx, data.OutboxFilter{OrderID: sc.chosen.OrderID})
		}, func(ms []data.OutboxMessage, err error) {
			if err != nil {
				return
			}
			for _, m := range ms {
				if m.ID == id && sc.chosen != nil && sc.chosen.ID == id {
					sc.show(m)
				}
			}
		})
	}
}

func outboxEmptyText(view string) string {
	switch view {
	case outboxWaiting:
		return "Nothing waits to be sent. Rules in Settings › Messages queue messages as orders come in and ship."
	case outboxToPaste:
		return "Nothing to paste. Messages for marketplaces that hide the buyer's address (Amazon, Walmart) wait here."
	case outboxGaveUp:
		return "No message has failed for good."
	case outboxSentTab:
		return "Nothing sent yet."
	}
	return "No messages yet. Rules in Settings › Messages queue them as orders come in and ship."
}

func (sc *outboxScreen) closeDetail() {
	sc.chosen = nil
	sc.list.markSelected("")
	sc.detail.Hide()
	sc.split.Refresh()
}

// show puts one message beside the list.
func (sc *outboxScreen) show(m data.OutboxMessage) {
	sc.chosen = &m
	sc.facts.RemoveAll()
	add := func(k, v string) {
		if v != "" {
			sc.facts.Add(factKey(k))
			sc.facts.Add(factValue(v))
		}
	}
	add("Order", channelLabel(m.Channel)+" "+m.OrderRef)
	add("To", recipient(m))
	add("Route", routeLabel(m.Route))
	add("Status", outboxStatusLabel(m.Status))
	if m.Attempts > 0 {
		add("Tries", fmt.Sprint(m.Attempts))
	}
	if m.Status == data.OutboxQueued || m.Status == data.OutboxFailed {
		add("Next try", whenText(m.NextAttempt))
	}
	add("Queued", whenText(m.Created))
	if !m.Sent.IsZero() {
		add("Sent", whenText(m.Sent))
		add("By", m.SentBy)
	}
	sc.problem.SetText(m.LastError)
	if m.LastError == "" || m.Status == data.OutboxSent {
		sc.problem.Hide()
	} else {
		sc.problem.SetText("Last try: " + m.LastError)
		sc.problem.Show()
	}
	sc.subject.SetText(m.Subject)
	sc.body.SetText(m.Text)

	setShown(sc.retry, m.Status == data.OutboxFailed || m.Status == data.OutboxGaveUp)
	setShown(sc.copyText, m.Status == data.OutboxPaste || m.Route == data.RoutePaste)
	setShown(sc.markDone, m.Status == data.OutboxPaste)
	pasteHint := mutedText("")
	if m.Status == data.OutboxPaste {
		pasteHint = mutedText(fmt.Sprintf("%s hides the buyer's address: copy the text, paste it into the order's messages on %s, then mark it done.",
			channelLabel(m.Channel), channelLabel(m.Channel)))
	} else {
		pasteHint.Hide()
	}
	buttons := container.NewHBox(sc.copyText, sc.markDone, sc.retry, sc.openOrder)
	top := container.NewVBox(detailHeading("Message"), sc.facts, sc.problem, pasteHint, buttons, widget.NewSeparator(), sc.subject)
	sc.detail.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, container.NewVScroll(sc.body))}
	showPanel(sc.split, sc.detail)
	sc.list.markSelected(fmt.Sprint(m.ID))
}

func setShown(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

func (sc *outboxScreen) note(msg string, imp widget.Importance) {
	sc.sendNote.Importance = imp
	sc.sendNote.SetText(msg)
	sc.sendNote.Show()
}

// onSendNow sends every message due now, without waiting for the minute's round.
func (sc *outboxScreen) onSendNow() {
	o := sc.a.outbox
	sender := o.sender
	if sender == nil {
		sc.note("Only the owner sends customer messages.", widget.WarningImportance)
		return
	}
	sc.sendNow.Disable()
	type result struct{ sent, failed int }
	run(sc.a.bg, func(ctx context.Context) (result, error) {
		sent, failed, err := o.round(ctx, sender)
		return result{sent, failed}, err
	}, func(r result, err error) {
		sc.sendNow.Enable()
		switch {
		case err != nil:
			sc.note(data.UserMessage(err), widget.DangerImportance)
		case r.sent+r.failed == 0:
			sc.note("Nothing was due: queued messages wait for their next try, and those to paste wait for you.", widget.MediumImportance)
		case r.failed > 0:
			sc.note(fmt.Sprintf("%s sent, %s failed; see why beside each.", plural(r.sent, "message", "messages"), plural(r.failed, "message", "messages")), widget.WarningImportance)
		default:
			sc.note(fmt.Sprintf("%s sent.", plural(r.sent, "message", "messages")), widget.SuccessImportance)
		}
		sc.reload()
	})
}

func (sc *outboxScreen) act(what func(ctx context.Context, s *data.Store, id int64) error, done string) {
	if sc.chosen == nil {
		return
	}
	id, store := sc.chosen.ID, sc.a.store
	run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, what(ctx, store, id)
	}, func(_ struct{}, err error) {
		if err != nil {
			sc.note(data.UserMessage(err), widget.DangerImportance)
			return
		}
		sc.note(done, widget.SuccessImportance)
		sc.reload()
	})
}

func (sc *outboxScreen) onRetry() {
	sc.act(func(ctx context.Context, s *data.Store, id int64) error { return s.RetryMessage(ctx, id) },
		"Queued again: it goes out with the next round, or press Send now.")
	sc.a.outbox.soon()
}

func (sc *outboxScreen) onMarkDone() {
	sc.act(func(ctx context.Context, s *data.Store, id int64) error { return s.MarkDone(ctx, id) },
		"Marked done: it is in the order's sent log.")
}

func (sc *outboxScreen) onCopy() {
	if sc.chosen == nil {
		return
	}
	text := sc.chosen.Text
	if sc.chosen.Subject != "" {
		text = sc.chosen.Subject + "\n\n" + text
	}
	sc.a.fyne.Clipboard().SetContent(text)
	sc.note("Copied. Paste it into the order's messages on "+channelLabel(sc.chosen.Channel)+", then mark it done.", widget.SuccessImportance)
}

// showMessageSettings opens Settings › Messages on one of its tabs (0 rules, 1 templates, 2 sending).
func (a *App) showMessageSettings(tab int) {
	sc, ok := a.show(sectionSettings).(*settingsScreen)
	if !ok || sc.messages == nil {
		return
	}
	for _, item := range sc.tabs.Items {
		if item.Text == messagesTabTitle {
			sc.tabs.Select(item)
		}
	}
	sc.messages.tabs.SelectIndex(tab)
}

// showOrder opens the Orders section on one order.
func (a *App) showOrder(id int64) {
	if sc, ok := a.show(sectionOrders).(*ordersScreen); ok {
		sc.openOrder(id)
	}
}

// sentLogBox is the "Messages" part of an order's detail: what was sent to the customer, when, how,
// and what still waits. It fills itself in the background.
func sentLogBox(a *App, orderID int64) fyne.CanvasObject {
	table := newGridTable(0,
		gridColumn{title: "Subject", width: 120},
		gridColumn{title: "Via", width: 64},
		gridColumn{title: "Status", width: 96},
		gridColumn{title: "When", width: 128},
	)
	empty := widget.NewLabel("No messages to this customer yet.")
	empty.Importance = widget.LowImportance
	box := container.NewVBox(sectionTitle("Messages to the customer"), table.box, empty)
	box.Hide()
	if !a.store.Can(data.PermManageMail) {
		return box
	}
	store := a.store
	run(a.bg, func(ctx context.Context) ([]data.OutboxMessage, error) {
		return store.SentLog(ctx, orderID)
	}, func(log []data.OutboxMessage, err error) {
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				empty.SetText("The sent log could not be read: " + data.UserMessage(err))
				box.Show()
			}
			return
		}
		var rows [][]string
		for _, m := range log {
			when := m.Sent
			if when.IsZero() {
				when = m.Created
			}
			status := outboxStatusLabel(m.Status)
			if m.LastError != "" && m.Status != data.OutboxSent && m.Status != data.OutboxDone {
				status += ": " + strings.TrimSpace(m.LastError)
			}
			rows = append(rows, []string{m.Subject, shortRouteLabel(m.Route), status, whenText(when)})
		}
		table.setRows(rows, func(row, col int) widget.Importance {
			if col == 2 && (log[row].Status == data.OutboxFailed || log[row].Status == data.OutboxGaveUp) {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		})
		setShown(empty, len(rows) == 0)
		setShown(table.box, len(rows) > 0)
		box.Show()
	})
	return box
}
