package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// customerAsks files a customer's mail naming etsy order 1001, as a mail sync would.
func customerAsks(t *testing.T, s *data.Store, text string) {
	t.Helper()
	m := data.MailMessage{Kind: data.MailNotOrder, MessageID: "c1@mail.example", From: "Ada Lovelace <ada@example.com>",
		Subject: "Where is order 1001?", Text: text, Mentions: []string{"1001"}, Received: time.Now().Add(-time.Hour),
		Raw: []byte("Message-ID: <c1@mail.example>\r\nSubject: Where is order 1001?\r\n\r\n" + text)}
	res, err := s.ApplyMail(context.Background(), data.MailBatch{Messages: []data.MailMessage{m}})
	if err != nil || res.Tickets != 1 {
		t.Fatalf("ApplyMail: %+v, %v; want one ticket", res, err)
	}
}

func TestTickets_ThreadControlsAndReply(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	ctx := context.Background()
	// What the customer wrote is shown as the text it is: markup in it is never rendered.
	customerAsks(t, a.base, "Hello, <b>where</b> is my apron? <img src=\"http://tracker.example/x.png\">")
	sc := showScreen[*ticketsScreen](t, a, sectionTickets)
	if !hasText(sc.list.view(), "Where is order 1001?") || !hasText(sc.list.view(), "Needs an answer") {
		t.Fatalf("the tickets list shows %q", texts(sc.list.view()))
	}
	sc.list.choose(0)
	waitUI(a)
	if sc.chosen == nil || !hasText(sc.detail, `Hello, <b>where</b> is my apron? <img src="http://tracker.example/x.png">`) ||
		!hasText(sc.detail, "2 × APRON-SAGE") || sc.reason.Selected != "Where is my order" || sc.handler.Selected != nobody {
		t.Fatalf("detail %q, reason %q, handler %q", texts(sc.detail), sc.reason.Selected, sc.handler.Selected)
	}
	id := sc.chosen.ID

	sc.reason.SetSelected("Question")
	waitUI(a)
	sc.handler.SetSelected(testOwner)
	waitUI(a)
	sc.noteBox.SetText("Checked the shelf: it is packed")
	sc.onAddNote()
	waitUI(a)
	sc.reply.SetText("It leaves today, sorry for the wait!")
	test.Tap(sc.send)
	waitUI(a)
	k, err := a.base.Ticket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if k.Reason != data.ReasonQuestion || k.Handler != testOwner || len(k.Notes) != 1 || k.Status != data.TicketWaiting || len(k.Thread) != 2 {
		t.Fatalf("after the controls: %+v", k)
	}
	out, err := a.base.Outbox(ctx, data.OutboxFilter{OrderID: k.OrderID})
	if err != nil || len(out) != 1 || out[0].InReplyTo != "c1@mail.example" || out[0].To != "ada@example.com" ||
		out[0].Subject != "Re: Where is order 1001?" || out[0].TicketID != id {
		t.Fatalf("the reply in the outbox: %+v, %v", out, err)
	}
	if !strings.Contains(sc.note.Text, "Reply queued to ada@example.com") || !hasText(sc.detail, "It leaves today") {
		t.Errorf("after Queue reply: note %q, detail %q", sc.note.Text, texts(sc.detail))
	}
	// Answered, it leaves the Open view for Waiting.
	if hasText(sc.list.view(), "Where is order 1001?") {
		t.Error("an answered ticket is still listed as open")
	}
	sc.filter.SetSelected(ticketsWaiting)
	waitUI(a)
	if !hasText(sc.list.view(), "Where is order 1001?") {
		t.Errorf("the Waiting view shows %q", texts(sc.list.view()))
	}
}

func TestTickets_SupportLoadCardAndPackers(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	customerAsks(t, a.base, "The apron arrived torn, it is damaged.")
	sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
	sc.refresh() // the dashboard was on display since sign-in, before the mail came
	waitUI(a)
	if sc.support == nil || !hasText(sc.support.view(), "1 ticket on") || !hasText(sc.support.view(), "APRON-SAGE") ||
		!hasText(sc.support.view(), "damaged") {
		t.Fatalf("the support load card shows %q", texts(sc.support.view()))
	}
	p := newTestAppAs(t, testPacker)
	if p.canShow(sectionTickets) {
		t.Error("a packer sees the Tickets section")
	}
	if d := showScreen[*dashboardScreen](t, p, sectionDashboard); d.support != nil {
		t.Error("a packer's dashboard has the support load card")
	}
}

// The arrow on a "customer waiting" exception opens the ticket itself, not only its order.
func TestTickets_ExceptionArrowOpensTicket(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	ctx := context.Background()
	customerAsks(t, a.base, "Is my apron on its way?")
	if err := a.base.SetExceptionLimit(ctx, data.ExceptionTicketUnanswered, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := a.base.RefreshExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	tickets, err := a.base.Tickets(ctx, data.TicketFilter{})
	if err != nil || len(tickets) != 1 {
		t.Fatalf("tickets = %+v, %v", tickets, err)
	}
	dash := showScreen[*dashboardScreen](t, a, sectionDashboard)
	dash.refresh() // the dashboard was drawn at sign-in, before the customer's mail
	waitUI(a)
	var row *fyne.Container
	walk(dash.exceptions.view(), func(o fyne.CanvasObject) {
		if c, ok := o.(*fyne.Container); ok && hasText(c, "Customer waiting for an answer") {
			row = c // the deepest container holding the text: the exception's row
		}
	})
	if row == nil {
		t.Fatalf("no ticket exception on the dashboard: %q", texts(dash.exceptions.view()))
	}
	var arrow *widget.Button
	walk(row, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "" {
			arrow = b
		}
	})
	if arrow == nil {
		t.Fatal("the ticket exception has no arrow")
	}
	test.Tap(arrow)
	waitUI(a)
	sc, ok := a.screens[sectionTickets].(*ticketsScreen)
	if !ok || a.current != sectionTickets || sc.chosen == nil || sc.chosen.ID != tickets[0].ID {
		t.Fatalf("after the arrow: section %q, chosen %+v", a.current, sc.chosen)
	}
}
