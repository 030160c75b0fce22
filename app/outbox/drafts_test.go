package outbox_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox/dovecottest"
)

// The Drafts route saves the composed message in the mailbox's Drafts folder of a real Dovecot
// (importers/mailbox/dovecottest), flagged \Draft, for a person to send.
func TestSender_DraftsRoute(t *testing.T) {
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

	clock := &testClock{now: t0}
	st, queued := shopWithMessage(t, clock, data.SMTPAccount{Host: "127.0.0.1", Port: 25, Security: data.SMTPNone,
		From: "orders@shop.example", FromName: "Moss & Tea", Route: data.RouteDrafts})
	if queued.Route != data.RouteDrafts {
		t.Fatalf("queued by %s, want drafts", queued.Route)
	}
	ctx := context.Background()
	if _, err := st.SaveMailAccount(ctx, data.MailAccount{Host: srv.Host, Port: srv.Port, Security: data.MailInsecure, User: dovecottest.User}); err != nil {
		t.Fatal(err)
	}
	var asked []string
	s := &outbox.Sender{Store: st, Timeout: 20 * time.Second,
		MailPassword: func(_ context.Context, a data.MailAccount) (string, error) {
			asked = append(asked, a.User)
			return dovecottest.Password, nil
		}}
	clock.Set(t0.Add(time.Second))
	sendDue(t, s, 1, 0)
	sendDue(t, s, 0, 0)
	if len(asked) != 1 || asked[0] != dovecottest.User {
		t.Errorf("mailbox passwords asked for %v, want [%s]", asked, dovecottest.User)
	}
	if m := onlyMessage(t, st); m.Status != data.OutboxSent || m.Route != data.RouteDrafts {
		t.Errorf("status %s by %s, want sent by drafts", m.Status, m.Route)
	}

	c, err := srv.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("Drafts", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("select Drafts: %v", err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{Flags: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("Drafts holds %d messages, want 1", len(msgs))
	}
	if !slices.Contains(msgs[0].Flags, imap.FlagDraft) {
		t.Errorf("flags = %v, want \\Draft", msgs[0].Flags)
	}
	raw := msgs[0].FindBodySection(body)
	for _, want := range []string{
		"\r\nTo: =?utf-8?q?Zo=C3=AB_Bront=C3=AB?= <zoe@example.org>\r\n",
		"\r\nFrom: \"Moss & Tea\" <orders@shop.example>\r\n",
		"\r\n" + outbox.HeaderOrder + ": " + strconv.FormatInt(queued.OrderID, 10) + "\r\n",
		"Hello Zo=C3=AB Bront=C3=AB,\r\nthank you!\r\n",
	} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("the draft lacks %q:\n%s", want, raw)
		}
	}
}
