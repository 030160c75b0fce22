package outbox_test

import (
	"context"
	"net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
	"github.com/backroom-app/backroom/importers/mailbox/dovecottest"
)

// A customer's reply to the message we sent lands in a real Dovecot INBOX; the next sync files it as a
// ticket on the order, and our answer to the ticket carries the customer's thread.
func TestCustomerReplyBecomesTicket(t *testing.T) {
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	srv, err := dovecottest.Start(context.Background(), "../../testdata/dovecot/dovecot.conf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dovecot log:\n%s", srv.Log())
		}
		srv.Stop()
	})
	ctx := context.Background()
	clock := &testClock{now: t0}
	st, queued := shopWithMessage(t, clock, data.SMTPAccount{Host: "127.0.0.1", Port: 25, Security: data.SMTPNone,
		From: "orders@shop.example", FromName: "Moss & Tea", Route: data.RouteSMTP})
	acct, err := st.SaveMailAccount(ctx, data.MailAccount{Host: srv.Host, Port: srv.Port, Security: data.MailInsecure, User: dovecottest.User})
	if err != nil {
		t.Fatal(err)
	}
	// What the customer received from us, and their answer to it, as their mail program writes it.
	ours, err := outbox.Compose(queued, &mail.Address{Name: "Moss & Tea", Address: "orders@shop.example"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	reply := "From: =?UTF-8?Q?Zo=C3=AB_Bront=C3=AB?= <zoe@example.org>\r\n" +
		"To: Moss & Tea <orders@shop.example>\r\n" +
		"Subject: Re: Thank you for order 1001, =?UTF-8?Q?Zo=C3=AB?=\r\n" +
		"Date: Fri, 27 Nov 2026 10:15:00 +0000\r\n" +
		"Message-ID: <zoe.1@mail.example.org>\r\n" +
		"In-Reply-To: <" + ours.MessageID + ">\r\n" +
		"References: <" + ours.MessageID + ">\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"The mug arrived with a crack in the handle. Could you send another?\r\n" +
		"\r\n" +
		"On Fri, 27 Nov 2026 at 08:00, Moss & Tea <orders@shop.example> wrote:\r\n" +
		"> Hello Zoë Brontë,\r\n> thank you!\r\n"
	// A newsletter naming no order of ours is read and dropped, as before.
	other := "From: News <news@example.com>\r\nSubject: Our autumn sale\r\nMessage-ID: <n1@example.com>\r\n\r\nTwenty percent off.\r\n"
	if err := srv.Deliver("INBOX", t0.Add(2*time.Hour), []byte(reply), []byte(other)); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(3 * time.Hour))
	opt := mailbox.Options{Password: dovecottest.Password, Timeout: 20 * time.Second}
	res, err := mailbox.Sync(ctx, st, acct, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tickets != 1 || res.Ignored != 2 {
		t.Fatalf("sync: %+v, want one ticket of two mails that are no orders", res)
	}
	// A second sync finds nothing new.
	if res, err := mailbox.Sync(ctx, st, acct, opt); err != nil || res.Tickets != 0 {
		t.Fatalf("second sync: %+v, %v", res, err)
	}
	ks, err := st.Tickets(ctx, data.TicketFilter{})
	if err != nil || len(ks) != 1 {
		t.Fatalf("tickets: %+v, %v", ks, err)
	}
	k, err := st.Ticket(ctx, ks[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if k.OrderID != queued.OrderID || k.Reason != data.ReasonDamaged || k.Customer != "zoe@example.org" || len(k.Thread) != 1 ||
		k.Thread[0].Text != "The mug arrived with a crack in the handle. Could you send another?" {
		t.Fatalf("ticket %+v", k)
	}
	answer, err := st.ReplyToTicket(ctx, k.ID, "Of course, a new one leaves today.")
	if err != nil {
		t.Fatal(err)
	}
	c, err := outbox.Compose(answer, &mail.Address{Address: "orders@shop.example"}, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	head := string(c.Raw[:strings.Index(string(c.Raw), "\r\n\r\n")])
	if !strings.Contains(head, "In-Reply-To: <zoe.1@mail.example.org>") || !strings.Contains(head, "References: <zoe.1@mail.example.org>") ||
		!strings.Contains(head, "To: =?utf-8?q?Zo=C3=AB_Bront=C3=AB?= <zoe@example.org>") {
		t.Errorf("our answer's headers:\n%s", head)
	}
}
