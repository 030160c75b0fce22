package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStore_MailAccount(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)

	a, err := s.SaveMailAccount(ctx, MailAccount{Host: " imap.example.com ", User: "orders@example.com", Senders: []string{" @Etsy.com", "@etsy.com", ""}})
	if err != nil {
		t.Fatalf("SaveMailAccount: %v", err)
	}
	if a.ID == 0 || a.Host != "imap.example.com" || a.Port != 993 || a.Security != MailTLS ||
		strings.Join(a.Folders, ",") != "INBOX" || strings.Join(a.Senders, ",") != "@etsy.com" {
		t.Fatalf("saved account = %+v", a)
	}
	if got := a.Address(); got != "imap.example.com:993" {
		t.Errorf("Address = %q", got)
	}

	for _, tc := range []struct {
		acct MailAccount
		want string
	}{
		{MailAccount{User: "x"}, "server's name is missing"},
		{MailAccount{Host: "imaps://imap.example.com", User: "x"}, "not a server name"},
		{MailAccount{Host: "imap.example.com"}, "user name for imap.example.com is missing"},
		{MailAccount{Host: "imap.example.com", User: "x", Security: MailInsecure}, "plain text"},
		{MailAccount{Host: "imap.example.com", User: "x", Security: "ssl3"}, `unknown connection security "ssl3"`},
		{MailAccount{Host: "imap.example.com", User: "x", Port: 70000}, "port 70000"},
		{MailAccount{Host: "imap.example.com", User: "x", Senders: []string{"Etsy <a@b.c>"}}, "sender filter"},
	} {
		if _, err := s.SaveMailAccount(ctx, tc.acct); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SaveMailAccount(%+v) = %v, want ErrInvalid with %q", tc.acct, err, tc.want)
		}
	}
	local, err := s.SaveMailAccount(ctx, MailAccount{Host: "127.0.0.1", User: "alice", Security: MailInsecure, Folders: []string{"INBOX", "Orders"}})
	if err != nil || local.Port != 143 {
		t.Fatalf("insecure loopback account = %+v, %v", local, err)
	}
	if _, err := s.SaveMailAccount(ctx, MailAccount{Host: "imap.example.com", User: "orders@example.com"}); !errors.Is(err, ErrConflict) {
		t.Errorf("second account on the same mailbox: %v, want ErrConflict", err)
	}

	// Moving the account to another mailbox forgets where the old one's folders stopped.
	if _, err := s.ApplyMail(ctx, MailBatch{AccountID: local.ID, Folder: "INBOX", UIDValidity: 7, LastUID: 40}); err != nil {
		t.Fatal(err)
	}
	local.Folders = []string{"INBOX"}
	if _, err := s.SaveMailAccount(ctx, local); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.MailFolderState(ctx, local.ID, "INBOX"); st.LastUID != 40 {
		t.Errorf("same mailbox: state %+v, want kept", st)
	}
	local.User = "bob"
	if _, err := s.SaveMailAccount(ctx, local); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.MailFolderState(ctx, local.ID, "INBOX"); st.UIDValidity != 0 || st.LastUID != 0 {
		t.Errorf("other mailbox: state %+v, want reset", st)
	}

	list, err := s.MailAccounts(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("MailAccounts = %v, %v", list, err)
	}
	if err := s.DeleteMailAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MailAccount(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted account: %v", err)
	}

	if _, err := s.AddUser(ctx, "Jamie", RolePacker, "1234"); err != nil {
		t.Fatal(err)
	}
	packer, err := s.Login(ctx, "Jamie", "1234")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := packer.MailAccounts(ctx); !errors.Is(err, ErrPermission) {
		t.Errorf("packer MailAccounts: %v, want ErrPermission", err)
	}
	if _, err := packer.ApplyMail(ctx, MailBatch{}); !errors.Is(err, ErrPermission) {
		t.Errorf("packer ApplyMail: %v, want ErrPermission", err)
	}
}

// orderMail is a parsed order notification as the mail importer hands it over.
func orderMail(id, sku string, qty int64) MailMessage {
	o := shopOrder(id, StatusPaid, "", qty)
	o.Lines[0].ChannelSKU = sku
	return MailMessage{
		MessageID: "order-" + id + "@shop.example", Subject: "[Shop] Order " + id + " placed by Ada Lovelace",
		From: "Shopify <mailer@shopify.com>", Date: testNow, Kind: MailOrder, Channel: "shopify", Order: &o,
		Raw: []byte("Message-ID: <order-" + id + "@shop.example>\r\nSubject: Order " + id + "\r\n\r\nA mug.\r\n"),
	}
}

func TestStore_ApplyMail(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 10)
	acct, err := s.SaveMailAccount(ctx, MailAccount{Host: "localhost", User: "alice", Security: MailInsecure})
	if err != nil {
		t.Fatal(err)
	}

	newsletter := MailMessage{MessageID: "news-1@etsy.example", Subject: "Tips for sellers", Kind: MailNotOrder, Channel: "etsy",
		Raw: []byte("Subject: Tips for sellers\r\n\r\nRead our blog.\r\n")}
	unknown := MailMessage{MessageID: "odd-1@shop.example", Subject: "New order from your site", Kind: MailUnknownOrder,
		Problems: []Problem{{Reason: "no parser knows this layout"}}, Raw: []byte("Subject: New order from your site\r\n\r\nOrder 55\r\n")}
	batch := MailBatch{AccountID: acct.ID, Folder: "INBOX", UIDValidity: 3, LastUID: 12,
		Messages: []MailMessage{orderMail("#1001", "MUG", 2), newsletter, unknown}}
	res, err := s.ApplyMail(ctx, batch)
	if err != nil {
		t.Fatalf("ApplyMail: %v", err)
	}
	if res.Seen != 3 || res.OrdersNew != 1 || res.Ignored != 1 || res.Queued != 1 || res.Duplicates != 0 {
		t.Fatalf("first batch = %+v", res)
	}
	if l := mustLevel(t, s, "MUG"); l.Reserved != 2 || l.OnHand != 10 {
		t.Errorf("after the mail order: %+v, want 2 reserved of 10", l)
	}
	st, err := s.MailFolderState(ctx, acct.ID, "INBOX")
	if err != nil || st.UIDValidity != 3 || st.LastUID != 12 {
		t.Errorf("folder state = %+v, %v", st, err)
	}

	// The same mail again, from another folder, or another copy with the same Message-ID: nothing new.
	again := orderMail("#1001", "MUG", 2)
	again.Raw = append([]byte("X-Forwarded-Copy: yes\r\n"), again.Raw...)
	res, err = s.ApplyMail(ctx, MailBatch{AccountID: acct.ID, Folder: "Orders", UIDValidity: 1, LastUID: 2,
		Messages: []MailMessage{again, newsletter}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Seen != 2 || res.Duplicates != 2 || res.OrdersNew+res.OrdersUpdated+res.Ignored+res.Queued != 0 {
		t.Errorf("duplicates = %+v", res)
	}

	// A spreadsheet brings the same order later: one order, stock moved once.
	sheet := shopOrder("#1001", StatusShipped, "MUG", 2)
	if _, err := s.ApplyOrders(ctx, []Order{sheet}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountOrders(ctx, OrderFilter{}); n != 1 {
		t.Errorf("orders = %d, want 1", n)
	}
	if l := mustLevel(t, s, "MUG"); l.OnHand != 8 || l.Reserved != 0 {
		t.Errorf("after shipping: %+v, want 8 on hand, none reserved", l)
	}

	// What was kept: the order mail and the unknown one with their bytes, the newsletter without.
	var kept []string
	if err := s.EachStoredMail(ctx, func(m MailMessage) error {
		kept = append(kept, fmt.Sprintf("%s:%s:%v", m.Kind, m.MessageID, m.OrderID != 0))
		if !bytes.Contains(m.Raw, []byte("Subject:")) {
			t.Errorf("message %d raw = %q", m.ID, m.Raw)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kept, " "); got != "order:order-#1001@shop.example:true unknown-order:odd-1@shop.example:false" {
		t.Errorf("stored mail = %s", got)
	}
}

func TestStore_MailRefusedOrderIsQueued(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	bad := orderMail("#2001", "MUG", 1)
	bad.Order.Currency = ""
	bad.Order.Lines[0].Quantity = -4
	res, err := s.ApplyMail(ctx, MailBatch{Messages: []MailMessage{bad}})
	if err != nil {
		t.Fatalf("ApplyMail: %v", err)
	}
	if res.Queued != 1 || res.OrdersNew != 0 {
		t.Fatalf("result = %+v, want the order queued for review", res)
	}
	if n, _ := s.CountOrders(ctx, OrderFilter{}); n != 0 {
		t.Errorf("orders = %d, want none half-written", n)
	}
	queue, err := s.MailReviewQueue(ctx)
	if err != nil || len(queue) != 1 || len(queue[0].Problems) == 0 {
		t.Fatalf("queue = %+v, %v", queue, err)
	}
}

func TestStore_MailReviewAndReparse(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 5)
	a := MailMessage{MessageID: "a@x", Subject: "Order 1", Kind: MailUnknownOrder, Raw: []byte("Subject: Order 1\r\n\r\n1 mug\r\n")}
	b := MailMessage{MessageID: "b@x", Subject: "Order 2", Kind: MailUnknownOrder, Raw: []byte("Subject: Order 2\r\n\r\n1 mug\r\n")}
	c := MailMessage{MessageID: "c@x", Subject: "Order 3", Kind: MailUnknownOrder, Raw: []byte("Subject: Order 3\r\n\r\n1 mug\r\n")}
	if _, err := s.ApplyMail(ctx, MailBatch{Messages: []MailMessage{a, b, c}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountMailToReview(ctx); n != 3 {
		t.Fatalf("to review = %d", n)
	}
	queue, _ := s.MailReviewQueue(ctx)
	ids := map[string]int64{}
	for _, m := range queue {
		ids[m.MessageID] = m.ID
	}

	if err := s.DismissMail(ctx, ids["a@x"]); err != nil {
		t.Fatal(err)
	}
	if err := s.DismissMail(ctx, ids["a@x"]); !errors.Is(err, ErrNotFound) {
		t.Errorf("dismiss twice: %v", err)
	}
	typed := shopOrder("#77", StatusPaid, "MUG", 1)
	o, err := s.EnterMailOrder(ctx, ids["b@x"], typed)
	if err != nil {
		t.Fatalf("EnterMailOrder: %v", err)
	}
	if o.ExternalID != "#77" || mustLevel(t, s, "MUG").Reserved != 1 {
		t.Errorf("entered order = %+v", o)
	}
	if _, err := s.EnterMailOrder(ctx, ids["b@x"], typed); !errors.Is(err, ErrConflict) {
		t.Errorf("enter twice: %v", err)
	}
	m, err := s.StoredMail(ctx, ids["b@x"])
	if err != nil || m.Review != ReviewEntered || m.OrderID != o.ID || !bytes.Contains(m.Raw, []byte("1 mug")) {
		t.Errorf("stored mail = %+v, %v", m, err)
	}

	// A better parser now reads c as the order typed in from b, and still knows nothing of a.
	var again []MailMessage
	if err := s.EachStoredMail(ctx, func(m MailMessage) error {
		if m.MessageID == "c@x" {
			m.Kind, m.Channel, m.Order = MailOrder, "shopify", &typed
		}
		again = append(again, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res, err := s.ReparseMail(ctx, again)
	if err != nil {
		t.Fatalf("ReparseMail: %v", err)
	}
	if res.Seen != 3 || res.OrdersUnchanged != 1 || res.Queued != 0 || res.OrdersNew != 0 {
		t.Errorf("reparse = %+v", res)
	}
	if n, _ := s.CountMailToReview(ctx); n != 0 {
		t.Errorf("to review after reparse = %d, want 0: dismissed and entered stay out", n)
	}
	if l := mustLevel(t, s, "MUG"); l.Reserved != 1 {
		t.Errorf("stock after reparse: %+v, want one unit reserved once", l)
	}
}

func TestStore_MailSyncRuns(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	acct, err := s.SaveMailAccount(ctx, MailAccount{Host: "localhost", User: "alice", Security: MailInsecure})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.LastMailSync(ctx, acct.ID); ok || err != nil {
		t.Fatalf("before any sync: %v %v", ok, err)
	}
	for _, run := range []MailSyncRun{
		{AccountID: acct.ID, Started: testNow, Result: MailResult{Seen: 4, OrdersNew: 2, Ignored: 2}},
		{AccountID: acct.ID, Started: testNow, Error: "the server did not answer", Result: MailResult{Seen: 1, Queued: 1}},
	} {
		if err := s.LogMailSync(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	last, ok, err := s.LastMailSync(ctx, acct.ID)
	if !ok || err != nil || last.Error != "the server did not answer" || last.Result.Queued != 1 || last.Finished.IsZero() {
		t.Errorf("last sync = %+v, %v, %v", last, ok, err)
	}
	// A day of checks that found nothing keeps only the newest of them.
	for range 300 {
		if err := s.LogMailSync(ctx, MailSyncRun{AccountID: acct.ID, Started: testNow}); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s.MailSyncRuns(ctx, acct.ID, 1000)
	if err != nil || len(runs) != 3 || runs[0].Result.Seen != 0 || runs[1].Error == "" || runs[2].Result.OrdersNew != 2 {
		t.Errorf("runs after 300 empty checks = %+v, %v", runs, err)
	}
}

// TestStore_MailNeverUndoesAReport: a marketplace file's order stays as the file said when the same
// order's e-mail is read afterwards, or read again; the mail only fills what the file lacked. An order
// only mail wrote is corrected by a better reading of that mail.
func TestStore_MailNeverUndoesAReport(t *testing.T) {
	ctx := context.Background()
	clock := testNow
	s, err := Open(ctx, filepath.Join(t.TempDir(), "shop.db"), Options{Now: func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)

	sheet := shopOrder("#3001", StatusPaid, "MUG", 1)
	sheet.PlacedAt = time.Date(2026, 11, 18, 10, 15, 42, 0, time.UTC)
	sheet.Tax, sheet.Total = 300, 2100
	sheet.CustomerEmail = ""
	if _, err := s.ApplyOrders(ctx, []Order{sheet}); err != nil {
		t.Fatal(err)
	}
	mail := orderMail("#3001", "MUG", 1)
	mail.Order.PlacedAt = time.Date(2026, 11, 18, 10, 15, 0, 0, time.UTC) // mail gives minutes
	mail.Order.CustomerEmail = "ada@example.com"
	res, err := s.ApplyMail(ctx, MailBatch{Messages: []MailMessage{mail}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.OrderByKey(ctx, "shopify", "#3001")
	if err != nil {
		t.Fatal(err)
	}
	if !o.PlacedAt.Equal(sheet.PlacedAt) || o.Tax != 300 || o.Total != 2100 || o.CustomerEmail != "ada@example.com" {
		t.Errorf("after the mail: placed %v tax %d total %d email %q; want the file's date and money, the mail's e-mail address (%+v)",
			o.PlacedAt, o.Tax, o.Total, o.CustomerEmail, res)
	}

	// Mail alone: a re-read with a corrected total corrects the order.
	only := orderMail("#3002", "MUG", 1)
	if _, err := s.ApplyMail(ctx, MailBatch{Messages: []MailMessage{only}}); err != nil {
		t.Fatal(err)
	}
	var again []MailMessage
	if err := s.EachStoredMail(ctx, func(m MailMessage) error {
		if m.MessageID == only.MessageID {
			fixed := *only.Order
			fixed.Total, fixed.Tax = 1950, 150
			m.Kind, m.Order = MailOrder, &fixed
		} else {
			m.Kind, m.Order = MailOrder, mail.Order
		}
		again = append(again, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReparseMail(ctx, again); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.OrderByKey(ctx, "shopify", "#3002"); o.Total != 1950 || o.Tax != 150 {
		t.Errorf("mail-only order after a better reading: total %d tax %d, want 1950 and 150", o.Total, o.Tax)
	}
	if o, _ := s.OrderByKey(ctx, "shopify", "#3001"); !o.PlacedAt.Equal(sheet.PlacedAt) || o.Tax != 300 {
		t.Errorf("file's order after re-reading its mail: placed %v tax %d", o.PlacedAt, o.Tax)
	}
}
