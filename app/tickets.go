package app

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// sectionTickets is the navigation entry of the support tickets screen.
const sectionTickets = "Tickets"

// ticketLimit is how many tickets one view lists.
const ticketLimit = 1000

// The ticket screen's views.
const (
	ticketsOpen    = "Open"
	ticketsWaiting = "Waiting for customer"
	ticketsClosed  = "Closed"
	ticketsAll     = "All"
)

func ticketViews() []string { return []string{ticketsOpen, ticketsWaiting, ticketsClosed, ticketsAll} }

func ticketViewStatuses(view string) []data.TicketStatus {
	switch view {
	case ticketsOpen:
		return []data.TicketStatus{data.TicketOpen}
	case ticketsWaiting:
		return []data.TicketStatus{data.TicketWaiting}
	case ticketsClosed:
		return []data.TicketStatus{data.TicketClosed}
	}
	return nil
}

// ticketStatusLabel says a ticket's status in words.
func ticketStatusLabel(s data.TicketStatus) string {
	switch s {
	case data.TicketOpen:
		return "Open"
	case data.TicketWaiting:
		return "Waiting for customer"
	case data.TicketClosed:
		return "Closed"
	}
	return string(s)
}

// ticketReasonLabel says why the customer wrote, in words.
func ticketReasonLabel(r data.TicketReason) string {
	switch r {
	case data.ReasonWhereIsOrder:
		return "Where is my order"
	case data.ReasonDamaged:
		return "Damaged"
	case data.ReasonWrongItem:
		return "Wrong item"
	case data.ReasonReturnRequest:
		return "Return or refund"
	case data.ReasonQuestion:
		return "Question"
	case data.ReasonOther:
		return "Other"
	}
	return capitalized(strings.ReplaceAll(string(r), "_", " "))
}

// nobody is the handler choice for a ticket no one handles yet.
const nobody = "Nobody yet"

// ticketsScreen lists the customers' support tickets with the chosen one beside the list: its thread as
// plain text (a customer's mail is never rendered as HTML), status, reason and handler, notes, and a box
// to reply through the outbox.
type ticketsScreen struct {
	a      *App
	filter *widget.RadioGroup
	list   *pagedTable[data.Ticket]
	split  *container.Split
	detail *fyne.Container
	chosen *data.Ticket
	query  latest

	note    *widget.Label
	facts   *fyne.Container
	status  *widget.Select
	reason  *widget.Select
	handler *widget.Select
	thread  *fyne.Container
	notes   *fyne.Container
	noteBox *widget.Entry
	reply   *widget.Entry
	send    *widget.Button
	// filling is set while show sets the controls, so their OnChanged does not write back what was read.
	filling bool
}

func newTicketsScreen(a *App) *ticketsScreen {
	sc := &ticketsScreen{a: a}
	sc.list = newPagedTable(a, "tickets", []column[data.Ticket]{
		{title: "Order", width: 150, text: func(k data.Ticket) string { return channelLabel(k.Channel) + " " + k.OrderRef }},
		{title: "Customer", width: 160, grow: 1, drop: 2, text: func(k data.Ticket) string { return k.Customer }},
		{title: "Subject", width: 180, grow: 2, text: func(k data.Ticket) string { return k.Subject }},
		{title: "Reason", width: 130, drop: 3, text: func(k data.Ticket) string { return ticketReasonLabel(k.Reason) }},
		{title: "Status", width: 150, text: func(k data.Ticket) string {
			if k.Unanswered() {
				return "Needs an answer"
			}
			return ticketStatusLabel(k.Status)
		}, style: func(k data.Ticket) widget.Importance {
			switch {
			case k.Unanswered():
				return widget.WarningImportance
			case k.Status == data.TicketClosed:
				return widget.SuccessImportance
			}
			return widget.MediumImportance
		}},
		{title: "Handler", width: 90, drop: 4, text: func(k data.Ticket) string { return k.Handler }},
		{title: "Last change", width: 140, drop: 1, text: func(k data.Ticket) string { return whenText(k.Updated) }},
	}, func(k data.Ticket) string { return fmt.Sprint(k.ID) })
	sc.list.onSelected = func(k data.Ticket) { sc.open(k.ID) }
	sc.filter = widget.NewRadioGroup(ticketViews(), nil)
	sc.filter.Horizontal = true
	sc.filter.Required = true
	sc.filter.SetSelected(ticketsOpen)
	sc.filter.OnChanged = func(string) {
		sc.closeDetail()
		sc.note.Hide()
		sc.reload()
	}
	sc.note = widget.NewLabel("")
	sc.note.Wrapping = fyne.TextWrapWord
	sc.note.Hide()
	sc.facts = factsForm()

	var statuses, reasons []string
	for _, s := range data.TicketStatuses() {
		statuses = append(statuses, ticketStatusLabel(s))
	}
	for _, r := range data.TicketReasons() {
		reasons = append(reasons, ticketReasonLabel(r))
	}
	sc.status = widget.NewSelect(statuses, func(label string) {
		for _, s := range data.TicketStatuses() {
			if ticketStatusLabel(s) == label {
				sc.change(func(ctx context.Context, st *data.Store, id int64) error { return st.SetTicketStatus(ctx, id, s) })
			}
		}
	})
	sc.reason = widget.NewSelect(reasons, func(label string) {
		for _, r := range data.TicketReasons() {
			if ticketReasonLabel(r) == label {
				sc.change(func(ctx context.Context, st *data.Store, id int64) error { return st.SetTicketReason(ctx, id, r) })
			}
		}
	})
	sc.handler = widget.NewSelect([]string{nobody}, func(name string) {
		if name == nobody {
			name = ""
		}
		sc.change(func(ctx context.Context, st *data.Store, id int64) error { return st.AssignTicket(ctx, id, name) })
	})
	sc.thread = container.NewVBox()
	sc.notes = container.NewVBox()
	sc.noteBox = widget.NewEntry()
	sc.noteBox.SetPlaceHolder("A note for the shop (the customer never sees it)")
	sc.noteBox.OnSubmitted = func(string) { sc.onAddNote() }
	sc.reply = widget.NewMultiLineEntry()
	sc.reply.SetPlaceHolder("Write your answer to the customer…")
	sc.reply.SetMinRowsVisible(4)
	sc.reply.Wrapping = fyne.TextWrapWord
	sc.send = widget.NewButtonWithIcon("Queue reply", theme.MailReplyIcon(), sc.onReply)
	sc.send.Importance = widget.HighImportance
	// A mail sync can bring new customer mail, and a sending round changes a reply's state.
	reload := func() {
		if a.showing(sc) {
			sc.reload()
		}
	}
	a.outbox.listen("tickets-screen", reload)
	a.messages.listen("tickets-screen", reload)
	return sc
}

func (sc *ticketsScreen) view() fyne.CanvasObject {
	header := screenHeader("Tickets", "Customers' mail about their orders: replies to our messages and mail naming one of our order numbers.")
	sc.detail = container.NewStack()
	sc.detail.Hide()
	sc.split = container.NewHSplit(sc.list.view(), sc.detail)
	sc.split.Offset = 0.5
	top := container.NewVBox(header, sc.filter, sc.note)
	return container.NewPadded(container.NewBorder(top, nil, nil, nil, sc.split))
}

func (sc *ticketsScreen) refresh() { sc.reload() }

func (sc *ticketsScreen) reload() {
	if sc.list == nil {
		return
	}
	store := sc.a.store
	f := data.TicketFilter{Status: ticketViewStatuses(sc.filter.Selected), Limit: ticketLimit}
	sc.list.emptyText = ticketsEmptyText(sc.filter.Selected)
	sc.list.setSource(listSource(func(ctx context.Context) ([]data.Ticket, error) {
		return store.Tickets(ctx, f)
	}))
	if sc.chosen != nil {
		sc.open(sc.chosen.ID)
	}
}

func ticketsEmptyText(view string) string {
	switch view {
	case ticketsOpen:
		return "No customer is waiting for an answer. Mail from customers about their orders shows here as it arrives."
	case ticketsWaiting:
		return "No ticket waits for a customer's answer."
	case ticketsClosed:
		return "No closed tickets yet."
	}
	return "No tickets yet. A customer's mail becomes one when it replies to one of our messages or names one of our order numbers."
}

func (sc *ticketsScreen) closeDetail() {
	sc.chosen = nil
	sc.list.markSelected("")
	sc.detail.Hide()
	sc.split.Refresh()
}

// ticketView is one ticket with the people who may handle it.
type ticketView struct {
	ticket data.Ticket
	users  []string
}

// open reads a ticket whole and puts it beside the list.
func (sc *ticketsScreen) open(id int64) {
	store := sc.a.store
	load(sc.a.bg, sc.a.win, &sc.query, func(ctx context.Context) (ticketView, error) {
		var v ticketView
		var err error
		if v.ticket, err = store.Ticket(ctx, id); err != nil {
			return v, err
		}
		users, err := store.Users(ctx)
		for _, u := range users {
			if u.Active {
				v.users = append(v.users, u.Name)
			}
		}
		return v, err
	}, sc.show)
}

// show puts one ticket beside the list.
func (sc *ticketsScreen) show(v ticketView) {
	k := v.ticket
	sc.chosen = &k
	sc.facts.RemoveAll()
	add := func(key, value string) {
		if value != "" {
			sc.facts.Add(factKey(key))
			sc.facts.Add(factValue(value))
		}
	}
	add("Order", channelLabel(k.Channel)+" "+k.OrderRef)
	add("Customer", k.Customer)
	var products []string
	for _, l := range k.Order.Lines {
		name := l.SKU
		if name == "" {
			name = l.Name
		}
		products = append(products, fmt.Sprintf("%d × %s", l.Quantity, name))
	}
	add("Products", strings.Join(products, ", "))
	add("Opened", whenText(k.Opened))
	if !k.LastReply.IsZero() {
		add("Last answer", whenText(k.LastReply))
	}

	sc.filling = true
	sc.status.SetSelected(ticketStatusLabel(k.Status))
	sc.reason.SetSelected(ticketReasonLabel(k.Reason))
	sc.handler.Options = append([]string{nobody}, v.users...)
	if k.Handler == "" {
		sc.handler.SetSelected(nobody)
	} else {
		sc.handler.SetSelected(k.Handler)
	}
	sc.filling = false

	sc.thread.RemoveAll()
	for _, m := range k.Thread {
		sc.thread.Add(threadEntry(m))
	}
	sc.notes.RemoveAll()
	for _, n := range k.Notes {
		l := widget.NewLabel(fmt.Sprintf("%s, %s: %s", n.Author, whenText(n.At), n.Text))
		l.Wrapping = fyne.TextWrapWord
		sc.notes.Add(l)
	}
	if len(k.Notes) == 0 {
		sc.notes.Add(mutedText("No notes."))
	}
	controls := widget.NewForm(
		widget.NewFormItem("Status", sc.status),
		widget.NewFormItem("Reason", sc.reason),
		widget.NewFormItem("Handled by", sc.handler))
	openOrder := widget.NewButtonWithIcon("Open order", theme.NavigateNextIcon(), func() { sc.a.showOrder(k.OrderID) })
	addNote := widget.NewButtonWithIcon("Add note", theme.ContentAddIcon(), sc.onAddNote)
	replyHint := mutedText("The reply waits in the Outbox and goes out with the next sending round, in the customer's thread.")
	if k.Channel != "" && (strings.EqualFold(k.Channel, "amazon") || strings.EqualFold(k.Channel, "walmart")) {
		replyHint = mutedText(channelLabel(k.Channel) + " hides the buyer's address: the reply waits in the Outbox to be pasted.")
	}
	body := container.NewVBox(
		detailHeading(k.Subject),
		sc.facts,
		controls,
		container.NewHBox(openOrder),
		sectionTitle(fmt.Sprintf("Messages (%d)", len(k.Thread))),
		sc.thread,
		sectionTitle("Reply"),
		sc.reply,
		replyHint,
		container.NewHBox(sc.send),
		sectionTitle("Notes"),
		sc.notes,
		container.NewBorder(nil, nil, nil, addNote, sc.noteBox),
	)
	sc.detail.Objects = []fyne.CanvasObject{container.NewVScroll(body)}
	showPanel(sc.split, sc.detail)
	sc.list.markSelected(fmt.Sprint(k.ID))
}

// threadEntry is one message of the thread: who, when, and its text as plain text.
func threadEntry(m data.TicketMessage) fyne.CanvasObject {
	who := m.From
	if m.Direction == data.TicketOut {
		who = "We wrote"
		if m.OutboxStatus != "" {
			who += " (" + strings.ToLower(outboxStatusLabel(m.OutboxStatus)) + ")"
		}
	}
	head := widget.NewLabel(who + " · " + whenText(m.At))
	head.TextStyle.Bold = true
	head.Truncation = fyne.TextTruncateEllipsis
	text := widget.NewLabel(m.Text)
	text.Wrapping = fyne.TextWrapWord
	text.Selectable = true
	if m.Text == "" {
		text.SetText("(no text)")
		text.Importance = widget.LowImportance
	}
	icon := widget.NewIcon(theme.MailComposeIcon())
	if m.Direction == data.TicketOut {
		icon.SetResource(theme.MailReplyIcon())
	}
	return container.NewVBox(container.NewBorder(nil, nil, icon, nil, head), text)
}

func (sc *ticketsScreen) message(msg string, imp widget.Importance) {
	sc.note.Importance = imp
	sc.note.SetText(msg)
	sc.note.Show()
}

// change writes one control's choice for the chosen ticket and reloads.
func (sc *ticketsScreen) change(what func(ctx context.Context, s *data.Store, id int64) error) {
	if sc.filling || sc.chosen == nil {
		return
	}
	id, store := sc.chosen.ID, sc.a.store
	run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, what(ctx, store, id)
	}, func(_ struct{}, err error) {
		if err != nil {
			sc.message(data.UserMessage(err), widget.DangerImportance)
		}
		sc.reload()
		sc.a.messagesChanged() // a closed ticket is no longer unanswered
	})
}

func (sc *ticketsScreen) onAddNote() {
	text := strings.TrimSpace(sc.noteBox.Text)
	if sc.chosen == nil || text == "" {
		return
	}
	id, store := sc.chosen.ID, sc.a.store
	run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.AddTicketNote(ctx, id, text)
	}, func(_ struct{}, err error) {
		if err != nil {
			sc.message(data.UserMessage(err), widget.DangerImportance)
			return
		}
		sc.noteBox.SetText("")
		sc.open(id)
	})
}

func (sc *ticketsScreen) onReply() {
	text := strings.TrimSpace(sc.reply.Text)
	if sc.chosen == nil {
		return
	}
	if text == "" {
		sc.message("Write the answer first.", widget.WarningImportance)
		return
	}
	id, store := sc.chosen.ID, sc.a.store
	sc.send.Disable()
	run(sc.a.bg, func(ctx context.Context) (data.OutboxMessage, error) {
		return store.ReplyToTicket(ctx, id, text)
	}, func(m data.OutboxMessage, err error) {
		sc.send.Enable()
		if err != nil {
			sc.message(data.UserMessage(err), widget.DangerImportance)
			return
		}
		sc.reply.SetText("")
		if m.Route == data.RoutePaste {
			sc.message("The reply waits in the Outbox to be pasted into "+channelLabel(m.Channel)+"'s messages.", widget.SuccessImportance)
		} else {
			sc.message("Reply queued to "+m.To+": it goes out with the next sending round.", widget.SuccessImportance)
			sc.a.outbox.soon()
		}
		sc.reload()
		sc.a.messagesChanged()
	})
}

// showTicket opens the Tickets section on one ticket, from an exception about it.
func (a *App) showTicket(id int64) {
	if sc, ok := a.show(sectionTickets).(*ticketsScreen); ok {
		sc.open(id)
	}
}
