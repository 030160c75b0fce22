package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// customerMail is a customer's mail as the mailbox importer hands it over: no order, with what links it
// to a ticket already read.
func customerMail(id, from, subject, text string, at time.Time) MailMessage {
	return MailMessage{Kind: MailNotOrder, MessageID: id, From: from, Subject: subject, Text: text, Received: at,
		Raw: []byte("Message-ID: <" + id + ">\r\nFrom: " + from + "\r\nSubject: " + subject + "\r\n\r\n" + text)}
}

func applyMail(t *testing.T, s *Store, msgs ...MailMessage) MailResult {
	t.Helper()
	res, err := s.ApplyMail(context.Background(), MailBatch{Messages: msgs})
	if err != nil {
		t.Fatalf("ApplyMail: %v", err)
	}
	return res
}

func mustTickets(t *testing.T, s *Store) []Ticket {
	t.Helper()
	ks, err := s.Tickets(context.Background(), TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func mustTicket(t *testing.T, s *Store, id int64) Ticket {
	t.Helper()
	k, err := s.Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// thread renders a ticket's thread as "direction text" lines.
func thread(k Ticket) string {
	var b []string
	for _, m := range k.Thread {
		b = append(b, m.Direction+" "+m.Text)
	}
	return strings.Join(b, "\n")
}

func TestTickets_ReplyToOurMessageThreads(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	tmpl := mustTemplate(t, s, MessageTemplate{Name: "Hello", Subject: "Your order {{.OrderID}}", Body: "Hello {{.CustomerName}}"})
	mustMessageRule(t, s, MessageRule{Name: "hello", Trigger: TriggerOrderImported, Action: ActionMessage, TemplateID: tmpl.ID})
	if err := s.SaveSMTPAccount(ctx, SMTPAccount{Host: "smtp.example.com", Port: 465, Security: SMTPTLS, From: "shop@tannery.example"}); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, msgOrder("shopify", "#1042", StatusPaid, "MUG", 1, "ada@example.com", "GB", time.Time{}),
		msgOrder("shopify", "#1043", StatusPaid, "JUG", 1, "bob@example.com", "GB", time.Time{}))
	mustEvaluate(t, s, false, "hello #1042 queued", "hello #1043 queued")
	order := mustOrder(t, s, "#1042")
	sent, err := s.Outbox(ctx, OutboxFilter{OrderID: order.ID})
	if err != nil || len(sent) != 1 {
		t.Fatalf("outbox of #1042: %v, %v", sent, err)
	}
	ours := fmt.Sprintf("backroom.%d.%d.lx3k2@tannery.example", order.ID, sent[0].ID)

	// The reply names our message only in References (some clients drop In-Reply-To), and no order number.
	m1 := customerMail("c1@mail.example", "Ada Lovelace <ada@example.com>", "Re: Your order", "The mug arrived broken.", testNow)
	m1.References = []string{"unrelated@elsewhere.example", ours}
	if res := applyMail(t, s, m1); res.Tickets != 1 || res.Ignored != 1 {
		t.Fatalf("first reply: %+v, want 1 ticket", res)
	}
	ks := mustTickets(t, s)
	if len(ks) != 1 || ks[0].OrderID != order.ID || ks[0].Status != TicketOpen || ks[0].Reason != ReasonDamaged ||
		ks[0].Customer != "ada@example.com" || !ks[0].LastCustomer.Equal(testNow) || !ks[0].Unanswered() {
		t.Fatalf("tickets = %+v", ks)
	}
	id := ks[0].ID
	// The ticket's mail is kept whole, unlike other mail that is no order.
	var stored int64
	if err := s.read.QueryRow(`SELECT id FROM mail_messages WHERE message_id = 'c1@mail.example' AND raw_gzip IS NOT NULL`).Scan(&stored); err != nil {
		t.Fatalf("the ticket's mail was not kept: %v", err)
	}

	// The same mail read again (another folder, a rescan) adds nothing.
	if res := applyMail(t, s, m1); res.Duplicates != 1 || res.Tickets != 0 {
		t.Fatalf("re-read: %+v", res)
	}
	// A second mail answering the customer's own first mail joins the ticket.
	c.now = testNow.Add(time.Hour)
	m2 := customerMail("c2@mail.example", "ada@example.com", "Re: Your order", "Any news?", c.now)
	m2.InReplyTo = []string{"c1@mail.example"}
	applyMail(t, s, m2)
	if k := mustTicket(t, s, id); thread(k) != "in The mug arrived broken.\nin Any news?" || len(mustTickets(t, s)) != 1 {
		t.Fatalf("thread after the second mail:\n%s", thread(k))
	}

	// Our reply threads to the customer's last mail and goes to where they wrote from.
	c.now = testNow.Add(2 * time.Hour)
	out, err := s.ReplyToTicket(ctx, id, "Sorry! A new mug is on its way.")
	if err != nil {
		t.Fatal(err)
	}
	if out.InReplyTo != "c2@mail.example" || out.References != "c1@mail.example c2@mail.example" || out.To != "ada@example.com" ||
		out.Subject != "Re: Your order" || out.Route != RouteSMTP || out.Status != OutboxQueued || out.TicketID != id {
		t.Fatalf("reply = %+v", out)
	}
	if got := mustMessage(t, s, out.ID); got.InReplyTo != out.InReplyTo || got.References != out.References || got.TicketID != id {
		t.Fatalf("stored reply lost its threading: %+v", got)
	}
	k := mustTicket(t, s, id)
	if k.Status != TicketWaiting || !k.LastReply.Equal(c.now) || k.Unanswered() || k.Handler != "system" ||
		len(k.Thread) != 3 || k.Thread[2].Direction != TicketOut || k.Thread[2].OutboxStatus != OutboxQueued || len(k.Order.Lines) != 1 {
		t.Fatalf("after the reply: %+v", k)
	}

	// The customer answers our reply: its Message-ID is one of ours naming the reply's outbox row.
	c.now = testNow.Add(3 * time.Hour)
	m3 := customerMail("c3@mail.example", "ada@example.com", "Re: Your order", "Thank you!", c.now)
	m3.InReplyTo = []string{fmt.Sprintf("backroom.%d.%d.zz@tannery.example", order.ID, out.ID)}
	applyMail(t, s, m3)
	if k := mustTicket(t, s, id); k.Status != TicketOpen || len(k.Thread) != 4 || len(mustTickets(t, s)) != 1 {
		t.Fatalf("after the customer's answer: %s, %d messages", k.Status, len(k.Thread))
	}

	// A closed ticket stays closed for a new mail naming the order: that opens a new ticket.
	if err := s.SetTicketStatus(ctx, id, TicketClosed); err != nil {
		t.Fatal(err)
	}
	m4 := customerMail("c4@mail.example", "ada@example.com", "Another question", "Does order #1042 come gift wrapped?", c.now)
	m4.Mentions = []string{"1042"}
	applyMail(t, s, m4)
	if ks := mustTickets(t, s); len(ks) != 2 || ks[0].Reason != ReasonQuestion || ks[0].OrderID != order.ID {
		t.Fatalf("tickets after a mail on a closed ticket's order: %+v", ks)
	}
}

func TestTickets_WhatMakesNoTicket(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	if err := s.SaveSMTPAccount(ctx, SMTPAccount{Host: "smtp.example.com", Port: 465, Security: SMTPTLS, From: "shop@tannery.example"}); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, msgOrder("shopify", "#1042", StatusPaid, "MUG", 1, "ada@example.com", "GB", time.Time{}),
		msgOrder("etsy", "3301234567", StatusPaid, "MUG", 1, "eve@example.com", "GB", time.Time{}),
		msgOrder("shopify", "555", StatusPaid, "MUG", 1, "x@example.com", "GB", time.Time{}),
		msgOrder("woocommerce", "555", StatusPaid, "MUG", 1, "y@example.com", "GB", time.Time{}))
	mention := func(id, from string, n string) MailMessage {
		m := customerMail(id, from, "About my order", "Where is order "+n+"?", testNow)
		m.Mentions = []string{n}
		return m
	}
	etsy := mention("n3@etsy.com", "Etsy <transaction@etsy.com>", "3301234567")
	etsy.Marketplace = true
	detected := mention("n4@etsy.com", "Etsy <transaction@etsy.com>", "3301234567")
	detected.Channel = "etsy"
	res := applyMail(t, s,
		mention("n1@mail.example", "a@example.com", "9999"), // no such order
		etsy,     // a marketplace's address
		detected, // a marketplace's mail as the parser saw it
		mention("n5@mail.example", "x@example.com", "555"),         // two orders carry the number
		mention("n6@mail.example", "shop@tannery.example", "1042"), // our own copy in a watched folder
		mention("backroom.1.1.x@tannery.example", "Shop <other@tannery.example>", "1042"),
	)
	if res.Tickets != 0 || len(mustTickets(t, s)) != 0 {
		t.Fatalf("tickets made: %+v", res)
	}
	var kept int
	if err := s.read.QueryRow(`SELECT count(*) FROM mail_messages WHERE raw_gzip IS NOT NULL`).Scan(&kept); err != nil || kept != 0 {
		t.Errorf("mail that is no ticket kept whole: %d, %v", kept, err)
	}
	// "#1042" and "1042" both find the order stored as "#1042"; an Etsy number finds Etsy's.
	hash := mention("n7@mail.example", "ada@example.com", "#1042")
	plain := mention("n8@mail.example", "eve@example.com", "3301234567")
	if res := applyMail(t, s, hash, plain); res.Tickets != 2 {
		t.Fatalf("mentions of existing orders: %+v", res)
	}
	ks := mustTickets(t, s)
	refs := []string{ks[0].OrderRef, ks[1].OrderRef}
	if strings.Join(refs, " ") != "3301234567 #1042" || ks[0].Reason != ReasonWhereIsOrder {
		t.Errorf("tickets on %v (%s)", refs, ks[0].Reason)
	}
}

func TestTickets_UnansweredException(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	mustApply(t, s, msgOrder("shopify", "#1042", StatusPaid, "MUG", 1, "ada@example.com", "GB", time.Time{}))
	m := customerMail("c1@mail.example", "ada@example.com", "Question", "Is the mug dishwasher safe?", testNow)
	m.Mentions = []string{"1042"}
	applyMail(t, s, m)
	id := mustTickets(t, s)[0].ID
	unanswered := func(at time.Time) []Exception {
		t.Helper()
		c.now = at
		if err := s.RefreshExceptions(ctx); err != nil {
			t.Fatal(err)
		}
		es, err := s.Exceptions(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		var out []Exception
		for _, e := range es {
			if e.Kind == ExceptionTicketUnanswered {
				out = append(out, e)
			}
		}
		return out
	}
	if es := unanswered(testNow.Add(23 * time.Hour)); len(es) != 0 {
		t.Fatalf("unanswered within the 24 h limit: %+v", es)
	}
	es := unanswered(testNow.Add(25 * time.Hour))
	if len(es) != 1 || !es[0].Opened.Equal(testNow) || es[0].Ref != "shopify #1042" || es[0].TicketID != id ||
		es[0].Summary != "ada@example.com about shopify order #1042: Question" {
		t.Fatalf("past the limit: %+v", es)
	}
	if over, err := s.OverdueExceptions(ctx, c.now); err != nil || len(over) != 1 {
		t.Fatalf("overdue: %+v, %v", over, err)
	}
	if _, err := s.ReplyToTicket(ctx, id, "Yes, it is."); err != nil {
		t.Fatal(err)
	}
	if es := unanswered(testNow.Add(26 * time.Hour)); len(es) != 0 {
		t.Fatalf("still unanswered after the reply: %+v", es)
	}
	// The customer writes again: the clock starts anew from their mail, with a limit the owner set.
	if err := s.SetExceptionLimit(ctx, ExceptionTicketUnanswered, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	m2 := customerMail("c2@mail.example", "ada@example.com", "Re: Question", "And the microwave?", testNow.Add(27*time.Hour))
	m2.InReplyTo = []string{"c1@mail.example"}
	c.now = testNow.Add(27 * time.Hour)
	applyMail(t, s, m2)
	if es := unanswered(testNow.Add(28 * time.Hour)); len(es) != 0 {
		t.Fatalf("unanswered within the 2 h limit: %+v", es)
	}
	if es := unanswered(testNow.Add(30 * time.Hour)); len(es) != 1 || !es[0].Opened.Equal(testNow.Add(27*time.Hour)) {
		t.Fatalf("the second wait: %+v", es)
	}
	// Closing the ticket ends the wait too.
	if err := s.SetTicketStatus(ctx, id, TicketClosed); err != nil {
		t.Fatal(err)
	}
	if es := unanswered(testNow.Add(31 * time.Hour)); len(es) != 0 {
		t.Fatalf("a closed ticket still waits: %+v", es)
	}
}

func TestTicketRates(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	from, to := testNow.Add(-30*24*time.Hour), testNow
	placed := func(o Order, at time.Time) Order { o.PlacedAt = at; return o }
	o2 := msgOrder("shopify", "O2", StatusPaid, "MUG", 1, "b@example.com", "GB", time.Time{})
	o2.Lines = append(o2.Lines, OrderLine{SKU: "JUG", Name: "Jug", Quantity: 1, UnitPrice: 2400})
	o2.Subtotal, o2.Total = 4200, 4200
	mustApply(t, s,
		placed(msgOrder("shopify", "O1", StatusPaid, "MUG", 1, "a@example.com", "GB", time.Time{}), from),
		placed(o2, testNow.Add(-10*24*time.Hour)),
		placed(msgOrder("shopify", "O3", StatusPaid, "JUG", 1, "c@example.com", "GB", time.Time{}), testNow.Add(-2*24*time.Hour)),
		placed(msgOrder("shopify", "O4", StatusPaid, "MUG", 1, "d@example.com", "GB", time.Time{}), testNow.Add(-time.Hour)),
		// Before the period: its ticket counts for none of the rates.
		placed(msgOrder("shopify", "O5", StatusPaid, "MUG", 1, "e@example.com", "GB", time.Time{}), from.Add(-time.Second)),
		// At the period's end: not in it.
		placed(msgOrder("shopify", "O6", StatusPaid, "MUG", 1, "f@example.com", "GB", time.Time{}), to))
	for i, tc := range []struct{ order, text string }{
		{"O1", "It arrived broken"}, {"O2", "Where is my parcel"}, {"O5", "It arrived broken"}, {"O6", "broken too"},
	} {
		m := customerMail(fmt.Sprintf("r%d@mail.example", i), "x@example.com", "Order "+tc.order, tc.text, testNow)
		m.Mentions = []string{tc.order}
		applyMail(t, s, m)
	}
	r, err := s.TicketRates(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	// Orders O1-O4. MUG is in O1, O2, O4 with tickets on O1 and O2: 2/3. JUG is in O2, O3 with one: 1/2.
	if r.Orders != 4 || r.Tickets != 2 || len(r.Products) != 2 {
		t.Fatalf("rates = %+v", r)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if p := r.Products[0]; p.SKU != "MUG" || p.Name != "Stoneware mug" || p.Orders != 3 || p.Tickets != 2 || !near(p.Per100, 200.0/3) {
		t.Errorf("MUG = %+v", p)
	}
	if p := r.Products[1]; p.SKU != "JUG" || p.Orders != 2 || p.Tickets != 1 || !near(p.Per100, 50) {
		t.Errorf("JUG = %+v", p)
	}
	want := map[TicketReason]int{ReasonDamaged: 1, ReasonWhereIsOrder: 1}
	if len(r.Reasons) != len(TicketReasons()) {
		t.Fatalf("reasons = %+v", r.Reasons)
	}
	for _, rr := range r.Reasons {
		if rr.Tickets != want[rr.Reason] || !near(rr.Per100, float64(want[rr.Reason])*100/4) {
			t.Errorf("reason %s = %+v", rr.Reason, rr)
		}
	}
}

func TestTickets_ControlsAndPermissions(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	mustApply(t, s, msgOrder("amazon", "114-1234567-7654321", StatusPaid, "MUG", 1, "", "GB", time.Time{}))
	m := customerMail("c1@mail.example", "buyer@example.com", "Help", "I want to return it", testNow)
	m.Mentions = []string{"114-1234567-7654321"}
	applyMail(t, s, m)
	k := mustTickets(t, s)[0]
	if k.Reason != ReasonReturnRequest {
		t.Errorf("reason %s", k.Reason)
	}
	if _, err := s.AddUser(ctx, "Sam", RolePacker, "1234"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"status":         s.SetTicketStatus(ctx, k.ID, "pending"),
		"reason":         s.SetTicketReason(ctx, k.ID, "angry"),
		"handler":        s.AssignTicket(ctx, k.ID, "Nobody"),
		"empty note":     s.AddTicketNote(ctx, k.ID, "  "),
		"missing ticket": s.SetTicketStatus(ctx, 999, TicketClosed),
	} {
		if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	if err := s.SetTicketReason(ctx, k.ID, ReasonWrongItem); err != nil {
		t.Fatal(err)
	}
	if err := s.AssignTicket(ctx, k.ID, "Sam"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTicketNote(ctx, k.ID, "Asked the packer to check the bin"); err != nil {
		t.Fatal(err)
	}
	// Amazon hides the buyer's address: the reply is prepared for pasting.
	out, err := s.ReplyToTicket(ctx, k.ID, "Please use the return label.")
	if err != nil {
		t.Fatal(err)
	}
	k = mustTicket(t, s, k.ID)
	if k.Reason != ReasonWrongItem || k.Handler != "Sam" || len(k.Notes) != 1 || k.Notes[0].Author != "system" ||
		out.Route != RoutePaste || out.Status != OutboxPaste {
		t.Errorf("ticket %+v, reply %+v", k, out)
	}
	p := s.As(User{Name: "Jamie", Role: RolePacker, Active: true})
	checks := map[string]error{}
	_, checks["Tickets"] = p.Tickets(ctx, TicketFilter{})
	_, checks["Ticket"] = p.Ticket(ctx, k.ID)
	checks["SetTicketStatus"] = p.SetTicketStatus(ctx, k.ID, TicketClosed)
	checks["AssignTicket"] = p.AssignTicket(ctx, k.ID, "")
	checks["SetTicketReason"] = p.SetTicketReason(ctx, k.ID, ReasonOther)
	checks["AddTicketNote"] = p.AddTicketNote(ctx, k.ID, "x")
	_, checks["ReplyToTicket"] = p.ReplyToTicket(ctx, k.ID, "x")
	_, checks["TicketRates"] = p.TicketRates(ctx, testNow.Add(-time.Hour), testNow)
	checks["MarkGaveUp"] = p.MarkGaveUp(ctx, out.ID, "550")
	for name, err := range checks {
		if !errors.Is(err, ErrPermission) {
			t.Errorf("%s as a packer: %v, want ErrPermission", name, err)
		}
	}
}

func TestOutbox_MarkGaveUp(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	tmpl := mustTemplate(t, s, MessageTemplate{Name: "Hello", Subject: "Hello", Body: "Hello"})
	mustMessageRule(t, s, MessageRule{Name: "hello", Trigger: TriggerOrderImported, Action: ActionMessage, TemplateID: tmpl.ID})
	mustApply(t, s, msgOrder("shopify", "S1", StatusPaid, "MUG", 1, "nobody@example.com", "GB", time.Time{}))
	mustEvaluate(t, s, false, "hello S1 queued")
	due, err := s.DueMessages(ctx, testNow, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due: %v, %v", due, err)
	}
	if err := s.MarkSending(ctx, due[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkGaveUp(ctx, due[0].ID, "550 5.1.1 no such user"); err != nil {
		t.Fatal(err)
	}
	if m := mustMessage(t, s, due[0].ID); m.Status != OutboxGaveUp || m.Attempts != 1 || m.LastError != "550 5.1.1 no such user" {
		t.Fatalf("after a permanent refusal: %+v", m)
	}
	if d, _ := s.DueMessages(ctx, testNow.Add(48*time.Hour), 10); len(d) != 0 {
		t.Error("a message that gave up is due again")
	}
	if err := s.MarkSent(ctx, due[0].ID, RouteSMTP); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkGaveUp(ctx, due[0].ID, "550"); !errors.Is(err, ErrConflict) {
		t.Errorf("giving up a sent message: %v, want ErrConflict", err)
	}
}

func TestGuessTicketReason(t *testing.T) {
	for _, tc := range []struct {
		subject, text string
		want          TicketReason
	}{
		{"Broken mug", "It came in pieces and is late", ReasonDamaged},
		{"Order", "You sent the wrong size", ReasonWrongItem},
		{"Refund please", "", ReasonReturnRequest},
		{"Where’s my order?", "", ReasonWhereIsOrder},
		{"Hi", "It still hasn't arrived", ReasonWhereIsOrder},
		{"Colours", "Do you have it in blue?", ReasonQuestion},
		{"Thanks", "Lovely, thank you.", ReasonOther},
	} {
		if got := GuessTicketReason(tc.subject, tc.text); got != tc.want {
			t.Errorf("GuessTicketReason(%q, %q) = %s, want %s", tc.subject, tc.text, got, tc.want)
		}
	}
}

func TestDemo_Tickets(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{})
	ks := mustTickets(t, s)
	count := map[TicketStatus]int{}
	unanswered := 0
	for _, k := range ks {
		count[k.Status]++
		if k.Unanswered() {
			unanswered++
		}
		full := mustTicket(t, s, k.ID)
		if len(full.Thread) == 0 || full.Thread[0].Direction != TicketIn || full.Thread[0].Text == "" || len(full.Order.Lines) == 0 {
			t.Errorf("demo ticket %d: %+v", k.ID, full)
		}
	}
	if len(ks) != 4 || count[TicketOpen] != 2 || count[TicketWaiting] != 1 || count[TicketClosed] != 1 || unanswered != 2 {
		t.Fatalf("demo tickets: %d, by status %v, %d unanswered", len(ks), count, unanswered)
	}
	if err := s.RefreshExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := s.OverdueExceptions(ctx, s.Now())
	if err != nil {
		t.Fatal(err)
	}
	var waiting []string
	for _, e := range es {
		if e.Kind == ExceptionTicketUnanswered {
			waiting = append(waiting, e.Ref)
		}
	}
	// The parcel that has not moved waited 30 hours; the gift note only 4.
	if len(waiting) != 1 {
		t.Errorf("demo unanswered tickets past the limit: %v, want one", waiting)
	}
	r, err := s.TicketRates(ctx, s.Now().Add(-30*24*time.Hour), s.Now())
	if err != nil || r.Tickets == 0 || len(r.Products) == 0 {
		t.Errorf("demo support load: %+v, %v", r, err)
	}
}

// Migration 0018 rebuilds the exceptions table to allow the new kind: the exceptions of a shop at
// version 17 survive it, and its outbox rows read with empty threading.
func TestMigrations_Tickets(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if names[17] != "migrations/0018_tickets.sql" {
		t.Fatalf("migration 18 is %s, want 0018_tickets.sql", names[17])
	}
	for i, name := range names[:17] {
		script, err := migrationFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := applyMigration(ctx, conn, i, string(script)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	const at = "2026-11-01T10:00:00.000Z"
	for _, q := range []string{
		`INSERT INTO orders(id, channel, external_id, status, placed_at, currency, created_at, updated_at, hlc, device_id)
			VALUES (7, 'shopify', '#1042', 'paid', '` + at + `', 'GBP', '` + at + `', '` + at + `', 1, 'old')`,
		`INSERT INTO exceptions(id, kind, subject, order_id, ref, summary, opened_at, hlc, device_id)
			VALUES (3, 'late_order', 'order:7', 7, 'shopify #1042', 'shopify order #1042 was due', '` + at + `', 1, 'old')`,
		`INSERT INTO exceptions(id, kind, subject, summary, opened_at, handled_at, handled_by, how, gone, hlc, device_id)
			VALUES (4, 'po_overdue', 'po:1', 'PO-1 was expected', '` + at + `', '` + at + `', 'Alex', 'chased', 1, 1, 'old')`,
		`INSERT INTO outbox(id, order_id, route, subject, status, next_attempt, created_at, hlc, device_id)
			VALUES (5, 7, 'smtp', 'Hello', 'queued', '` + at + `', '` + at + `', 1, 'old')`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	raw.Close()

	s, err := Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	open, err := s.Exceptions(ctx, true)
	if err != nil || len(open) != 1 || open[0].ID != 3 || open[0].OrderID != 7 || open[0].Kind != ExceptionLateOrder {
		t.Fatalf("open exceptions after migrating: %+v, %v", open, err)
	}
	handled, err := s.Exceptions(ctx, false)
	if err != nil || len(handled) != 1 || handled[0].HandledBy != "Alex" || handled[0].How != "chased" {
		t.Fatalf("handled exceptions after migrating: %+v, %v", handled, err)
	}
	if m := mustMessage(t, s, 5); m.InReplyTo != "" || m.References != "" || m.TicketID != 0 {
		t.Errorf("an old outbox row reads %+v", m)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO exceptions(kind, subject, summary, opened_at, hlc, device_id)
		VALUES ('ticket_unanswered', 'ticket:1', 'x', ?, 1, 'new')`, at); err != nil {
		t.Errorf("the new kind is refused: %v", err)
	}
}
