package mailbox

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/backroom-app/backroom/data"
)

// mixedMailbox is every fixture in file-name order: nine order mails (one a second copy of a Shopify
// order with the same Message-ID), a newsletter, a shipment notice and an order no parser knows.
func mixedMailbox(t *testing.T) [][]byte {
	t.Helper()
	f := fixtures(t)
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	sort.Strings(names)
	msgs := make([][]byte, len(names))
	for i, name := range names {
		msgs[i] = f[name]
	}
	return msgs
}

// wantMixed is what the first sync of mixedMailbox brings.
var wantMixed = data.MailResult{Seen: 12, Duplicates: 1, OrdersNew: 8, Ignored: 2, Queued: 1}

func checkResult(t *testing.T, what string, got, want data.MailResult) {
	t.Helper()
	got.Warnings, got.Unmatched = nil, 0 // depend on the shop's catalogue, not on the sync
	if got.Seen != want.Seen || got.Duplicates != want.Duplicates || got.OrdersNew != want.OrdersNew ||
		got.OrdersUpdated != want.OrdersUpdated || got.OrdersUnchanged != want.OrdersUnchanged ||
		got.Ignored != want.Ignored || got.Queued != want.Queued {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func TestSync(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	mixed := mixedMailbox(t)
	srv.appendMail(t, "INBOX", mixed[:10]...)

	res, err := Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatalf("first Sync: %v", err)
	}
	// The first ten files in name order hold seven orders (one a duplicate), the newsletter, the
	// shipment notice and the unknown order; the two WooCommerce orders come later.
	checkResult(t, "first Sync", res, data.MailResult{Seen: 10, Duplicates: 1, OrdersNew: 6, Ignored: 2, Queued: 1})

	t.Run("MessagesStayUnread", func(t *testing.T) {
		all := srv.flags(t, "INBOX")
		if len(all) != 10 {
			t.Fatalf("flags of %d messages, want 10", len(all))
		}
		for uid, flags := range all {
			if slices.Contains(flags, imap.FlagSeen) {
				t.Errorf("message %d has flags %v after sync, want it still unread", uid, flags)
			}
		}
	})
	t.Run("NothingNew", func(t *testing.T) {
		start := time.Now()
		res, err := Sync(ctx, st, acct, memOptions())
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("Sync: %v", err)
		}
		checkResult(t, "second Sync", res, data.MailResult{})
		t.Logf("sync with no new mail took %s", elapsed)
		if elapsed > time.Second {
			t.Errorf("sync with no new mail took %s, want well under a second", elapsed)
		}
	})
	t.Run("Incremental", func(t *testing.T) {
		srv.appendMail(t, "INBOX", mixed[10:]...)
		res, err := Sync(ctx, st, acct, memOptions())
		if err != nil {
			t.Fatalf("Sync: %v", err)
		}
		checkResult(t, "Sync after two new mails", res, data.MailResult{Seen: 2, OrdersNew: 2})
		queue, err := st.MailReviewQueue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(queue) != 1 || !strings.Contains(queue[0].Subject, "A7K2Q") || queue[0].Folder != "INBOX" || queue[0].UID != 10 {
			t.Errorf("MailReviewQueue = %+v, want the unknown order A7K2Q from INBOX uid 10", queue)
		}
		state, err := st.MailFolderState(ctx, acct.ID, "INBOX")
		if err != nil {
			t.Fatal(err)
		}
		if state.LastUID != 12 || state.UIDValidity == 0 {
			t.Errorf("MailFolderState = %+v, want LastUID 12 and a UIDVALIDITY", state)
		}
	})
	t.Run("Logged", func(t *testing.T) {
		run, ok, err := st.LastMailSync(ctx, acct.ID)
		if err != nil || !ok {
			t.Fatalf("LastMailSync = %v, %v", ok, err)
		}
		if run.Error != "" || run.Cancelled || run.Result.Seen != 2 || run.Finished.Before(run.Started) {
			t.Errorf("LastMailSync = %+v, want the incremental sync of 2 messages", run)
		}
	})
}

func TestSync_UIDValidityChange(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	mixed := mixedMailbox(t)
	srv.appendMail(t, "INBOX", mixed...)
	res, err := Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, "first Sync", res, wantMixed)
	before, _ := st.MailFolderState(ctx, acct.ID, "INBOX")

	// The server renumbers the folder: same mail, new UIDVALIDITY, UIDs from 1 again.
	if err := srv.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := srv.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	srv.appendMail(t, "INBOX", mixed...)
	res, err = Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatalf("Sync after renumbering: %v", err)
	}
	checkResult(t, "Sync after renumbering", res, data.MailResult{Seen: 12, Duplicates: 12})
	after, _ := st.MailFolderState(ctx, acct.ID, "INBOX")
	if after.UIDValidity == before.UIDValidity || after.LastUID != 12 {
		t.Errorf("MailFolderState = %+v (before %+v), want the new UIDVALIDITY and LastUID 12", after, before)
	}
	res, err = Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, "third Sync", res, data.MailResult{})
}

func TestSync_SenderFilter(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, func(a *data.MailAccount) {
		a.Senders = []string{"transaction@etsy.com", "seller-notification@amazon.com"}
	})
	srv.appendMail(t, "INBOX", mixedMailbox(t)...)
	res, err := Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Two Etsy sales and the Amazon one; the Etsy newsletter comes from another address.
	checkResult(t, "Sync", res, data.MailResult{Seen: 3, OrdersNew: 3})
	state, _ := st.MailFolderState(ctx, acct.ID, "INBOX")
	if state.LastUID != 12 {
		t.Errorf("LastUID = %d, want 12: the mail the filter passed over needs no second look", state.LastUID)
	}
	res, err = Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, "second Sync", res, data.MailResult{})
}

func TestSync_CancelledMidSyncResumes(t *testing.T) {
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	srv.appendMail(t, "INBOX", mixedMailbox(t)...)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt := memOptions()
	opt.BatchSize = 5
	var progress []Progress
	opt.Progress = func(p Progress) {
		progress = append(progress, p)
		cancel() // the owner presses Cancel after the first batch
	}
	first, err := Sync(ctx, st, acct, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync = %v, want context.Canceled", err)
	}
	if len(progress) != 1 || progress[0].Done != 5 || progress[0].Total != 12 || progress[0].Folder != "INBOX" {
		t.Errorf("progress = %+v, want one report of 5 of 12 in INBOX", progress)
	}
	if first.Seen != 5 {
		t.Errorf("cancelled Sync saw %d messages, want the first batch of 5", first.Seen)
	}
	run, _, err := st.LastMailSync(context.Background(), acct.ID)
	if err != nil || !run.Cancelled || run.Error == "" {
		t.Errorf("LastMailSync = %+v, %v; want a cancelled run", run, err)
	}

	opt.Progress = func(p Progress) { progress = append(progress, p) }
	rest, err := Sync(context.Background(), st, acct, opt)
	if err != nil {
		t.Fatalf("resumed Sync: %v", err)
	}
	if rest.Seen != 7 {
		t.Errorf("resumed Sync saw %d messages, want the remaining 7", rest.Seen)
	}
	first.Add(rest)
	checkResult(t, "both syncs", first, wantMixed)
	if got := progress[len(progress)-1]; got.Done != 7 || got.Total != 7 || got.Result.Seen != 7 {
		t.Errorf("last progress = %+v, want 7 of 7", got)
	}
}

func TestSync_ServerHangsMidFetch(t *testing.T) {
	srv := startMemServer(t, memServerConfig{})
	relay := startRelay(t, srv.addr())
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	srv.appendMail(t, "INBOX", mixedMailbox(t)...)

	viaRelay := acct
	viaRelay.Port = relay.port
	opt := memOptions()
	opt.BatchSize = 2
	opt.Timeout = 500 * time.Millisecond
	opt.Progress = func(Progress) { relay.freeze() } // the server stops answering after the first batch
	start := time.Now()
	first, err := Sync(context.Background(), st, viaRelay, opt)
	elapsed := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Sync = %v, want ErrTimeout", err)
	}
	t.Log(err)
	if elapsed > 5*time.Second {
		t.Errorf("Sync took %s to give up, want about the 500ms timeout", elapsed)
	}
	if first.Seen < 2 || first.Seen >= 12 {
		t.Errorf("Sync before the hang saw %d messages, want the batches before it", first.Seen)
	}

	opt.Progress = nil
	rest, err := Sync(context.Background(), st, acct, opt)
	if err != nil {
		t.Fatalf("Sync after the hang: %v", err)
	}
	first.Add(rest)
	checkResult(t, "both syncs", first, wantMixed)
}

func TestSync_Folders(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{folders: []string{"Shop/Orders"}})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, func(a *data.MailAccount) { a.Folders = []string{"INBOX", "Shop/Orders"} })
	f := fixtures(t)
	srv.appendMail(t, "INBOX", f["etsy_order.eml"], f["etsy_newsletter.eml"])
	srv.appendMail(t, "Shop/Orders", f["amazon_order.eml"], f["shopify_order.eml"], f["etsy_order.eml"])

	res, err := Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatal(err)
	}
	// The Etsy order filed in both folders is one message to the store.
	checkResult(t, "Sync", res, data.MailResult{Seen: 5, Duplicates: 1, OrdersNew: 3, Ignored: 1})
	for folder, want := range map[string]uint32{"INBOX": 2, "Shop/Orders": 3} {
		state, _ := st.MailFolderState(ctx, acct.ID, folder)
		if state.LastUID != want {
			t.Errorf("MailFolderState(%s).LastUID = %d, want %d", folder, state.LastUID, want)
		}
	}

	t.Run("MissingFolder", func(t *testing.T) {
		acct.Folders = []string{"INBOX", "Archive"}
		_, err := Sync(ctx, st, acct, memOptions())
		if !errors.Is(err, data.ErrNotFound) || !strings.Contains(err.Error(), `"Archive"`) {
			t.Fatalf("Sync = %v, want ErrNotFound naming the folder", err)
		}
		run, _, _ := st.LastMailSync(ctx, acct.ID)
		if !strings.Contains(run.Error, "Archive") || run.Cancelled {
			t.Errorf("LastMailSync = %+v, want the failure logged", run)
		}
	})
}

func TestSync_WithoutUIDNext(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{noUIDNext: true})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	mixed := mixedMailbox(t)
	srv.appendMail(t, "INBOX", mixed[:10]...)
	for i, want := range []data.MailResult{
		{Seen: 10, Duplicates: 1, OrdersNew: 6, Ignored: 2, Queued: 1},
		{}, // the search for 11:* answers 10, which must not be read again
	} {
		res, err := Sync(ctx, st, acct, memOptions())
		if err != nil {
			t.Fatalf("Sync %d: %v", i+1, err)
		}
		checkResult(t, "Sync", res, want)
	}
	srv.appendMail(t, "INBOX", mixed[10:]...)
	res, err := Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, "Sync after two new mails", res, data.MailResult{Seen: 2, OrdersNew: 2})
}

func TestSync_EmptyMailbox(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	res, err := Sync(ctx, st, acct, memOptions())
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, "Sync", res, data.MailResult{})
	state, _ := st.MailFolderState(ctx, acct.ID, "INBOX")
	if state.UIDValidity == 0 {
		t.Errorf("MailFolderState = %+v, want the folder's UIDVALIDITY remembered", state)
	}
}

func TestSync_WrongPasswordLogged(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	opt := memOptions()
	opt.Password = "nope"
	if _, err := Sync(ctx, st, acct, opt); !errors.Is(err, ErrAuth) {
		t.Fatalf("Sync = %v, want ErrAuth", err)
	}
	run, ok, err := st.LastMailSync(ctx, acct.ID)
	if err != nil || !ok || !strings.Contains(run.Error, "password") {
		t.Errorf("LastMailSync = %+v, %v, %v; want the login failure logged", run, ok, err)
	}
}

func TestMessage(t *testing.T) {
	f := fixtures(t)
	received := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		raw     []byte
		kind    data.MailKind
		channel string
	}{
		{"Order", f["etsy_order.eml"], data.MailOrder, "etsy"},
		{"Newsletter", f["etsy_newsletter.eml"], data.MailNotOrder, "etsy"},
		{"Unknown", f["unknown_order.eml"], data.MailUnknownOrder, ""},
		// An Amazon sale whose shipping is in another currency than the order: read with an error, so
		// it waits for review instead of importing wrong.
		{"OrderWithError", bytes.Replace(f["amazon_order.eml"], []byte("Shipping: $5.99"), []byte("Shipping: =E2=82=AC5.99"), 1),
			data.MailUnknownOrder, "amazon"},
		{"NotAnEmail", []byte("\x00\x01 no headers at all"), data.MailUnknownOrder, ""},
		{"Empty", nil, data.MailUnknownOrder, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Message(tc.raw, received)
			if m.Kind != tc.kind || m.Channel != tc.channel || !m.Received.Equal(received) || !slices.Equal(m.Raw, tc.raw) {
				t.Fatalf("Message = kind %q channel %q received %v, want %q %q %v", m.Kind, m.Channel, m.Received, tc.kind, tc.channel, received)
			}
			if (m.Kind == data.MailOrder) != (m.Order != nil) {
				t.Errorf("Message kind %q with order %v", m.Kind, m.Order)
			}
			if m.Kind == data.MailUnknownOrder && len(m.Problems) == 0 {
				t.Errorf("Message = unknown-order without a problem saying why")
			}
		})
	}
}

func TestReparse(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	srv.appendMail(t, "INBOX", mixedMailbox(t)...)
	if _, err := Sync(ctx, st, acct, memOptions()); err != nil {
		t.Fatal(err)
	}
	res, err := Reparse(ctx, st)
	if err != nil {
		t.Fatalf("Reparse: %v", err)
	}
	// Orders and the unknown one keep their bytes; the two not-orders do not. Read again by the same
	// parsers, nothing changes.
	checkResult(t, "Reparse", res, data.MailResult{Seen: 9, OrdersUnchanged: 8, Queued: 1})
}
