package mailbox_test

// Integration tests against a real Dovecot 2.3 (Debian package dovecot-imapd), started for each test by
// importers/mailbox/dovecottest from testdata/dovecot/dovecot.conf on a free loopback port. They are
// skipped when dovecot is not installed, except in CI (CI=true), where a missing server is a failure.
// `go test -short` skips only the 5,000-message mailbox.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
	"github.com/backroom-app/backroom/importers/mailbox/dovecottest"
	"github.com/backroom-app/backroom/importers/ordermail"
)

const (
	dovecotConfig = "../../testdata/dovecot/dovecot.conf"
	mailFixtures  = "../../testdata/mail"
)

// dovecotSKUs are the SKUs the fixture orders name; the shop has them in stock, so imported orders
// reserve stock and the tests can tell whether it moved once.
var dovecotSKUs = []string{"MOSS-XMAS", "MUG-BLU", "MUG-SND", "MM-RRPM-4", "TEA-SEN-100", "TIN-S", "RAINBOW-L", "BASKET-F"}

// startDovecot runs a Dovecot for the test and stops it when the test ends, showing its log if the
// test failed.
func startDovecot(tb testing.TB) *dovecottest.Server {
	tb.Helper()
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%v: CI installs it (make test-deps)", err)
		}
		tb.Skip(err)
	}
	s, err := dovecottest.Start(context.Background(), dovecotConfig)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("dovecot log:\n%s", s.Log())
		}
		if err := s.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// openShop opens a new shop with every fixture SKU 100 in stock.
func openShop(tb testing.TB) *data.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := data.Open(ctx, filepath.Join(tb.TempDir(), "shop.db"), data.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	for _, sku := range dovecotSKUs {
		if _, err := st.AddVariant(ctx, data.NewVariant{SKU: sku, ProductName: sku, Price: 1000, Currency: "USD"}); err != nil {
			tb.Fatal(err)
		}
		if _, err := st.AdjustStock(ctx, data.Adjustment{SKU: sku, Delta: 100, Note: "opening count"}); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// saveAccount stores the server's account in the shop, watching the given folders (INBOX when none).
func saveAccount(tb testing.TB, st *data.Store, s *dovecottest.Server, folders ...string) data.MailAccount {
	tb.Helper()
	acct, err := st.SaveMailAccount(context.Background(), data.MailAccount{
		Host: s.Host, Port: s.Port, Security: data.MailInsecure, User: dovecottest.User, Folders: folders,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return acct
}

func syncOptions() mailbox.Options {
	return mailbox.Options{Password: dovecottest.Password, Timeout: 20 * time.Second}
}

func templates(tb testing.TB) []dovecottest.Template {
	tb.Helper()
	ts, err := dovecottest.Templates(mailFixtures)
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

// shopState is what a sync leaves in the store, compared between syncs that must end the same.
type shopState struct {
	Orders   int
	Reserved map[string]int64
	Review   int
	Stored   int // messages kept with their raw bytes (orders and mail to review)
	LastUID  uint32
}

func readShop(tb testing.TB, st *data.Store, acct data.MailAccount, folder string) shopState {
	tb.Helper()
	ctx := context.Background()
	var s shopState
	var err error
	if s.Orders, err = st.CountOrders(ctx, data.OrderFilter{}); err != nil {
		tb.Fatal(err)
	}
	s.Reserved = map[string]int64{}
	for _, sku := range dovecotSKUs {
		lvl, err := st.StockLevel(ctx, sku)
		if err != nil {
			tb.Fatal(err)
		}
		if lvl.OnHand != 100 {
			tb.Errorf("%s on hand = %d, want 100: mail must only reserve stock", sku, lvl.OnHand)
		}
		s.Reserved[sku] = lvl.Reserved
	}
	queue, err := st.MailReviewQueue(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	s.Review = len(queue)
	err = st.EachStoredMail(ctx, func(data.MailMessage) error { s.Stored++; return nil })
	if err != nil {
		tb.Fatal(err)
	}
	state, err := st.MailFolderState(ctx, acct.ID, folder)
	if err != nil {
		tb.Fatal(err)
	}
	s.LastUID = state.LastUID
	return s
}

// expectedShop is what syncing msgs must leave: every distinct order once, its SKUs reserved once,
// every unknown order in review. It parses the messages as the sync does.
func expectedShop(tb testing.TB, msgs [][]byte) shopState {
	tb.Helper()
	s := shopState{Reserved: map[string]int64{}}
	ids, orders := map[string]bool{}, map[string]bool{}
	for _, sku := range dovecotSKUs {
		s.Reserved[sku] = 0
	}
	for _, raw := range msgs {
		m, err := ordermail.Parse(bytes.NewReader(raw))
		if err != nil {
			tb.Fatal(err)
		}
		if ids[m.MessageID] {
			continue
		}
		ids[m.MessageID] = true
		switch m.Kind {
		case ordermail.Order:
			s.Stored++
			key := m.Channel + "\x00" + m.Order.ExternalID
			if orders[key] {
				continue
			}
			orders[key] = true
			s.Orders++
			for _, l := range m.Order.Lines {
				if _, ok := s.Reserved[l.SKU]; ok {
					s.Reserved[l.SKU] += l.Quantity
				}
			}
		case ordermail.UnknownOrder:
			s.Stored++
			s.Review++
		}
	}
	s.LastUID = uint32(len(msgs))
	return s
}

// expectedCounts is what a first sync of msgs must report, read with the parser as the sync reads
// them: copies of a Message-ID are duplicates, and every other message counts by its kind.
func expectedCounts(tb testing.TB, msgs [][]byte) counts {
	tb.Helper()
	var c counts
	ids := map[string]bool{}
	for _, raw := range msgs {
		m, err := ordermail.Parse(bytes.NewReader(raw))
		if err != nil {
			tb.Fatal(err)
		}
		c.Seen++
		switch {
		case ids[m.MessageID]:
			c.Duplicates++
		case m.Kind == ordermail.Order:
			c.OrdersNew++
		case m.Kind == ordermail.NotOrder:
			c.Ignored++
		default:
			c.Queued++
		}
		ids[m.MessageID] = true
	}
	return c
}

func equalShops(a, b shopState) bool {
	if a.Orders != b.Orders || a.Review != b.Review || a.Stored != b.Stored || a.LastUID != b.LastUID || len(a.Reserved) != len(b.Reserved) {
		return false
	}
	for k, v := range a.Reserved {
		if b.Reserved[k] != v {
			return false
		}
	}
	return true
}

func dial(tb testing.TB, s *dovecottest.Server) *imapclient.Client {
	tb.Helper()
	c, err := s.Dial()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// assertUnread checks that no message of the folder is marked \Seen: a sync only peeks.
func assertUnread(tb testing.TB, s *dovecottest.Server, folder string, want uint32) {
	tb.Helper()
	c := dial(tb, s)
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		tb.Fatal(err)
	}
	if sel.NumMessages != want {
		tb.Errorf("%s holds %d messages, want %d: a sync must not move or delete mail", folder, sel.NumMessages, want)
	}
	seen, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		tb.Fatal(err)
	}
	if uids := seen.AllUIDs(); len(uids) != 0 {
		tb.Errorf("messages marked \\Seen after sync: %v, want none", uids)
	}
}

func appendMail(tb testing.TB, c *imapclient.Client, folder string, msgs ...[]byte) {
	tb.Helper()
	for _, raw := range msgs {
		cmd := c.Append(folder, int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			tb.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			tb.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			tb.Fatalf("APPEND to %s: %v", folder, err)
		}
	}
}

func readFixtures(tb testing.TB) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(mailFixtures, "*.eml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("fixtures: %v (%d files)", err, len(files))
	}
	var msgs [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		msgs = append(msgs, raw)
	}
	return msgs
}

func syncOnce(tb testing.TB, st *data.Store, acct data.MailAccount) data.MailResult {
	tb.Helper()
	res, err := mailbox.Sync(context.Background(), st, acct, syncOptions())
	if err != nil {
		tb.Fatalf("Sync: %v", err)
	}
	return res
}

// counts is a MailResult without its warnings, to compare whole.
type counts struct {
	Seen, Duplicates, OrdersNew, OrdersUpdated, OrdersUnchanged, Ignored, Queued int
}

func countsOf(r data.MailResult) counts {
	return counts{r.Seen, r.Duplicates, r.OrdersNew, r.OrdersUpdated, r.OrdersUnchanged, r.Ignored, r.Queued}
}

// TestDovecot_FirstSync syncs the fixture mailbox: every kind of mail, once each, plus a second copy of
// a Shopify notification with the same Message-ID.
func TestDovecot_FirstSync(t *testing.T) {
	s := startDovecot(t)
	st := openShop(t)
	acct := saveAccount(t, st, s)
	fixtures := readFixtures(t)
	if err := s.Deliver("INBOX", time.Now(), fixtures...); err != nil {
		t.Fatal(err)
	}

	res := syncOnce(t, st, acct)
	// When written, 12 files: 8 orders (Shopify ×2, Etsy ×2, WooCommerce ×2, eBay forwarded, Amazon), a
	// second copy of Shopify #1080 (same Message-ID), an Etsy newsletter, a Shopify shipment notice and
	// one unknown order. The counts follow the files, but the mix must keep every kind.
	wantCounts := expectedCounts(t, fixtures)
	if wantCounts.OrdersNew < 5 || wantCounts.Duplicates == 0 || wantCounts.Ignored == 0 || wantCounts.Queued == 0 {
		t.Fatalf("fixtures in %s = %+v: want orders, a duplicate, not-orders and an unknown order", mailFixtures, wantCounts)
	}
	if got := countsOf(res); got != wantCounts {
		t.Errorf("first sync = %+v, want %+v (warnings %v)", got, wantCounts, res.Warnings)
	}
	want := expectedShop(t, fixtures)
	if got := readShop(t, st, acct, "INBOX"); !equalShops(got, want) {
		t.Errorf("shop after first sync = %+v, want %+v", got, want)
	}
	n := uint32(len(fixtures))
	assertUnread(t, s, "INBOX", n)

	c := dial(t, s)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.MailFolderState(context.Background(), acct.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if state.UIDValidity != sel.UIDValidity || state.LastUID != n {
		t.Errorf("folder state = %+v, want UIDVALIDITY %d, last UID %d", state, sel.UIDValidity, n)
	}

	// CONDSTORE is irrelevant: a flag changed on the server raises the message's MODSEQ, but only new
	// UIDs count, so the next sync fetches nothing.
	if !c.Caps().Has(imap.CapCondStore) {
		t.Log("server does not announce CONDSTORE")
	}
	var one imap.UIDSet
	one.AddNum(3)
	if err := c.Store(one, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	if got := countsOf(syncOnce(t, st, acct)); got != (counts{}) {
		t.Errorf("sync after a flag change = %+v, want nothing", got)
	}
	if got := readShop(t, st, acct, "INBOX"); !equalShops(got, want) {
		t.Errorf("shop after the second sync = %+v, want %+v", got, want)
	}
}

// TestDovecot_IncrementalSync adds two messages to a synced mailbox: only those two are fetched, and
// a sync with no new mail changes nothing.
func TestDovecot_IncrementalSync(t *testing.T) {
	s := startDovecot(t)
	st := openShop(t)
	acct := saveAccount(t, st, s)
	ts := templates(t)
	first, c1 := dovecottest.Mailbox(ts, 1, 30)
	if err := s.Deliver("INBOX", time.Now(), first...); err != nil {
		t.Fatal(err)
	}
	res := syncOnce(t, st, acct)
	if got, want := countsOf(res), (counts{Seen: 30, OrdersNew: c1.Orders, Ignored: c1.NotOrders, Queued: c1.Unknown}); got != want {
		t.Errorf("first sync = %+v, want %+v", got, want)
	}

	var orderTemplates []dovecottest.Template
	for _, tp := range ts {
		if tp.Kind == ordermail.Order {
			orderTemplates = append(orderTemplates, tp)
		}
	}
	added, _ := dovecottest.Mailbox(orderTemplates[:2], 1000, 2)
	appendMail(t, dial(t, s), "INBOX", added...)
	res = syncOnce(t, st, acct)
	if got, want := countsOf(res), (counts{Seen: 2, OrdersNew: 2}); got != want {
		t.Errorf("sync after two new orders = %+v, want %+v", got, want)
	}
	want := expectedShop(t, append(first, added...))
	if got := readShop(t, st, acct, "INBOX"); !equalShops(got, want) {
		t.Errorf("shop = %+v, want %+v", got, want)
	}

	start := time.Now()
	res = syncOnce(t, st, acct)
	t.Logf("sync with no new mail: %v", time.Since(start))
	if got := countsOf(res); got != (counts{}) {
		t.Errorf("sync with no new mail = %+v, want nothing", got)
	}
	if got := readShop(t, st, acct, "INBOX"); !equalShops(got, want) {
		t.Errorf("shop after a sync with no new mail = %+v, want %+v", got, want)
	}
	assertUnread(t, s, "INBOX", 32)
}

// TestDovecot_ConnectionCut drops the connection in the middle of a FETCH, early and late in the
// mailbox: the sync fails, what was stored is whole batches only, and the next sync over a working line
// continues where the first stopped and ends exactly where a sync without the cut ends.
func TestDovecot_ConnectionCut(t *testing.T) {
	s := startDovecot(t)
	const n = 60
	msgs, _ := dovecottest.Mailbox(templates(t), 1, n)
	if err := s.Deliver("INBOX", time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Index("INBOX"); err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, m := range msgs {
		size += len(m)
	}

	// The clean sync every cut one must end like.
	clean := openShop(t)
	cleanAcct := saveAccount(t, clean, s)
	cleanRes := syncOnce(t, clean, cleanAcct)
	want := readShop(t, clean, cleanAcct, "INBOX")
	if want2 := expectedShop(t, msgs); !equalShops(want, want2) {
		t.Fatalf("clean sync = %+v, want %+v", want, want2)
	}

	for _, tc := range []struct {
		name     string
		fraction float64 // of the mailbox's bytes sent before the line drops
	}{{"early", 0.3}, {"late", 0.8}} {
		t.Run(tc.name, func(t *testing.T) {
			st := openShop(t)
			acct := saveAccount(t, st, s)
			proxy := startCuttingProxy(t, s.Addr(), int64(float64(size)*tc.fraction))
			viaProxy := acct
			viaProxy.Port = proxy.Port()
			opt := syncOptions()
			opt.BatchSize = 8
			cut, err := mailbox.Sync(context.Background(), st, viaProxy, opt)
			if err == nil {
				t.Fatalf("Sync through a line that drops = %+v, nil error; want an error", countsOf(cut))
			}
			if proxy.cuts.Load() == 0 {
				t.Fatalf("the proxy cut nothing, yet Sync failed: %v", err)
			}
			if !errors.Is(err, mailbox.ErrUnreachable) {
				t.Errorf("Sync error = %v, want one matching ErrUnreachable", err)
			}
			t.Logf("cut sync: %v; stored %+v", err, countsOf(cut))

			// Nothing half-written: the store holds exactly the messages up to the folder's position.
			got := readShop(t, st, acct, "INBOX")
			if got.LastUID == 0 || got.LastUID >= n || got.LastUID%uint32(opt.BatchSize) != 0 {
				t.Errorf("position after the cut = UID %d, want whole batches of %d, fewer than %d", got.LastUID, opt.BatchSize, n)
			}
			if want := expectedShop(t, msgs[:got.LastUID]); !equalShops(got, want) {
				t.Errorf("shop after the cut = %+v, want what messages 1–%d bring: %+v", got, got.LastUID, want)
			}
			if cut.Seen != int(got.LastUID) {
				t.Errorf("cut sync reports %d messages, but stored up to UID %d", cut.Seen, got.LastUID)
			}

			rest, err := mailbox.Sync(context.Background(), st, acct, opt)
			if err != nil {
				t.Fatalf("Sync after the cut: %v", err)
			}
			if rest.Seen != n-int(got.LastUID) {
				t.Errorf("sync after the cut read %d messages, want the %d after UID %d", rest.Seen, n-int(got.LastUID), got.LastUID)
			}
			if got := readShop(t, st, acct, "INBOX"); !equalShops(got, want) {
				t.Errorf("shop after cut + resume = %+v, want as a clean sync: %+v", got, want)
			}
			var sum data.MailResult
			sum.Add(cut)
			sum.Add(rest)
			if countsOf(sum) != countsOf(cleanRes) {
				t.Errorf("cut + resume = %+v, clean sync = %+v; want the same", countsOf(sum), countsOf(cleanRes))
			}
		})
	}
}

// TestDovecot_UIDValidityChange recreates a folder, so the server numbers its messages anew: the sync
// reads the folder again, recognises every message it has, and imports only the one that is new.
func TestDovecot_UIDValidityChange(t *testing.T) {
	s := startDovecot(t)
	st := openShop(t)
	acct := saveAccount(t, st, s, "Orders")
	ts := templates(t)
	msgs, c := dovecottest.Mailbox(ts, 1, 20)
	if err := s.Deliver("Orders", time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	res := syncOnce(t, st, acct)
	if got, want := countsOf(res), (counts{Seen: 20, OrdersNew: c.Orders, Ignored: c.NotOrders, Queued: c.Unknown}); got != want {
		t.Errorf("first sync = %+v, want %+v", got, want)
	}
	before, err := st.MailFolderState(context.Background(), acct.ID, "Orders")
	if err != nil {
		t.Fatal(err)
	}

	// The same mail in a new folder of the same name, plus one new order.
	cl := dial(t, s)
	if err := cl.Delete("Orders").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := cl.Create("Orders", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	extra, ec := dovecottest.Mailbox(ts[:1], 500, 1)
	if ec.Orders != 1 {
		t.Fatalf("template %s is no order", ts[0].Name)
	}
	appendMail(t, cl, "Orders", append(msgs, extra...)...)
	sel, err := cl.Select("Orders", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.UIDValidity == before.UIDValidity {
		t.Fatalf("UIDVALIDITY stayed %d after the folder was recreated", sel.UIDValidity)
	}
	if err := cl.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}

	res = syncOnce(t, st, acct)
	if got, want := countsOf(res), (counts{Seen: 21, Duplicates: 20, OrdersNew: 1}); got != want {
		t.Errorf("sync after the renumbering = %+v, want %+v", got, want)
	}
	after, err := st.MailFolderState(context.Background(), acct.ID, "Orders")
	if err != nil {
		t.Fatal(err)
	}
	if after.UIDValidity != sel.UIDValidity || after.LastUID != 21 {
		t.Errorf("folder state = %+v, want UIDVALIDITY %d, last UID 21", after, sel.UIDValidity)
	}
	want := expectedShop(t, append(msgs, extra...))
	if got := readShop(t, st, acct, "Orders"); !equalShops(got, want) {
		t.Errorf("shop = %+v, want %+v", got, want)
	}
	if got := countsOf(syncOnce(t, st, acct)); got != (counts{}) {
		t.Errorf("sync after that = %+v, want nothing", got)
	}
	assertUnread(t, s, "Orders", 21)
}

// TestDovecot_WatchIdle keeps Watch running on Dovecot with a poll interval of a minute: mail that
// arrives is imported within seconds, so it came through IDLE, and still only peeked at.
func TestDovecot_WatchIdle(t *testing.T) {
	s := startDovecot(t)
	st := openShop(t)
	acct := saveAccount(t, st, s)
	ts := templates(t)
	msgs, c := dovecottest.Mailbox(ts, 1, 12)
	if err := s.Deliver("INBOX", time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}

	type pass struct {
		res data.MailResult
		err error
	}
	passes := make(chan pass, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- mailbox.Watch(ctx, st, acct, syncOptions(), time.Minute, func(res data.MailResult, err error) {
			passes <- pass{res, err}
		})
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch = %v after cancel, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Watch still running 10 s after cancel")
		}
	}()
	await := func(what string, ok func(pass) bool) pass {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case p := <-passes:
				if p.err != nil {
					t.Fatalf("Watch pass while waiting for %s: %v", what, p.err)
				}
				if ok(p) {
					return p
				}
			case <-deadline:
				t.Fatalf("no %s within 10 s", what)
			}
		}
	}
	first := await("first pass", func(p pass) bool { return p.res.Seen > 0 })
	if got, want := countsOf(first.res), (counts{Seen: 12, OrdersNew: c.Orders, Ignored: c.NotOrders, Queued: c.Unknown}); got != want {
		t.Errorf("first pass = %+v, want %+v", got, want)
	}

	var orderTemplates []dovecottest.Template
	for _, tp := range ts {
		if tp.Kind == ordermail.Order {
			orderTemplates = append(orderTemplates, tp)
		}
	}
	added, _ := dovecottest.Mailbox(orderTemplates, 2000, 1)
	// Dovecot announces mail that arrived just before IDLE began too, so no pause is needed here.
	appendMail(t, dial(t, s), "INBOX", added...)
	start := time.Now()
	got := await("pass with the new order", func(p pass) bool { return p.res.Seen > 0 })
	if got, want := countsOf(got.res), (counts{Seen: 1, OrdersNew: 1}); got != want {
		t.Errorf("pass after new mail = %+v, want %+v", got, want)
	}
	t.Logf("new order imported %v after it arrived", time.Since(start))
	assertUnread(t, s, "INBOX", 13)
}

// TestDovecot_5000Messages syncs a mailbox of 5,000 messages: every order imported, the counts exact.
func TestDovecot_5000Messages(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 messages: skipped with -short")
	}
	s := startDovecot(t)
	st := openShop(t)
	acct := saveAccount(t, st, s)
	const n = 5000
	prep := time.Now()
	msgs, c := dovecottest.Mailbox(templates(t), 1, n)
	t.Logf("made %d messages in %v", n, time.Since(prep))
	if err := s.Deliver("INBOX", time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Index("INBOX"); err != nil {
		t.Fatal(err)
	}
	t.Logf("delivered and indexed them in %v", time.Since(prep))

	start := time.Now()
	res := syncOnce(t, st, acct)
	t.Logf("synced %d messages in %v", n, time.Since(start))
	if got, want := countsOf(res), (counts{Seen: n, OrdersNew: c.Orders, Ignored: c.NotOrders, Queued: c.Unknown}); got != want {
		t.Errorf("sync = %+v, want %+v", got, want)
	}
	ctx := context.Background()
	if orders, err := st.CountOrders(ctx, data.OrderFilter{}); err != nil || orders != c.Orders {
		t.Errorf("orders in the shop = %d (%v), want %d", orders, err, c.Orders)
	}
	if queue, err := st.MailReviewQueue(ctx); err != nil || len(queue) != c.Unknown {
		t.Errorf("review queue = %d (%v), want %d", len(queue), err, c.Unknown)
	}
	if state, err := st.MailFolderState(ctx, acct.ID, "INBOX"); err != nil || state.LastUID != n {
		t.Errorf("folder state = %+v (%v), want last UID %d", state, err, n)
	}
	assertUnread(t, s, "INBOX", n)
}

// BenchmarkSync_NoNewMail is the sync the app runs every few minutes: a mailbox of 1,000 messages, all
// synced before, and no new mail. Goal: under 200 ms.
func BenchmarkSync_NoNewMail(b *testing.B) {
	s := startDovecot(b)
	st := openShop(b)
	acct := saveAccount(b, st, s)
	msgs, _ := dovecottest.Mailbox(templates(b), 1, 1000)
	if err := s.Deliver("INBOX", time.Now(), msgs...); err != nil {
		b.Fatal(err)
	}
	syncOnce(b, st, acct)
	ctx := context.Background()
	for b.Loop() {
		res, err := mailbox.Sync(ctx, st, acct, syncOptions())
		if err != nil {
			b.Fatal(err)
		}
		if res.Seen != 0 {
			b.Fatalf("sync with no new mail read %d messages", res.Seen)
		}
	}
}
