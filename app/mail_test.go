package app

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/backroom-app/backroom/data"
)

// startMailServer runs go-imap's in-memory IMAP server on a loopback port with the given mail in INBOX.
func startMailServer(t *testing.T, user, password string, files ...string) (port int) {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	for i, name := range files {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "mail", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: time.Date(2026, 11, 25, 8, i, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

var mixedMailbox = []string{"shopify_order.eml", "etsy_order.eml", "etsy_newsletter.eml", "unknown_order.eml", "shopify_order_duplicate.eml"}

func TestMail_NoAccount(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*mailScreen](t, a, sectionMail)
	if !hasText(sc.view(), "No mailbox is connected yet.") || !sc.syncNow.Disabled() {
		t.Errorf("without an account the screen shows %q, sync now disabled %v", texts(sc.view()), sc.syncNow.Disabled())
	}
	test.Tap(sc.setup)
	if sc.form == nil {
		t.Fatal("Connect a mailbox opened no form")
	}
	if sc.form.host.Text != "imap.gmail.com" || sc.form.port.Text != "993" || !hasText(a.win.Canvas().Overlays().Top(), "app password") {
		t.Errorf("Gmail preset: host %q port %q", sc.form.host.Text, sc.form.port.Text)
	}
	// Plain text is refused for a server elsewhere, before anything is saved.
	sc.form.security.SetSelected(securityNone)
	sc.form.user.SetText("shop@gmail.com")
	sc.form.pass.SetText("abcd efgh ijkl mnop")
	test.Tap(sc.form.save)
	waitUI(a)
	if !sc.form.message.Visible() || !hasText(sc.form.message, "plain text") {
		t.Errorf("insecure to gmail: message %q", sc.form.message.Text)
	}
	if accts, _ := a.store.MailAccounts(context.Background()); len(accts) != 0 {
		t.Errorf("accounts saved = %v", accts)
	}
}

// connectTestMailbox fills in and saves the account form for a loopback server, which also runs the
// first sync.
func connectTestMailbox(t *testing.T, a *App, sc *mailScreen, port int, password string) {
	t.Helper()
	test.Tap(sc.setup)
	f := sc.form
	f.provider.SetSelected("Another mail server")
	f.host.SetText("127.0.0.1")
	f.security.SetSelected(securityNone)
	f.port.SetText(strconv.Itoa(port))
	f.user.SetText("orders@example.com")
	f.pass.SetText(password)
	test.Tap(f.test)
	waitUI(a)
	if !hasText(f.message, "Connected and signed in. INBOX has 5 messages") {
		t.Fatalf("test connection said %q", f.message.Text)
	}
	test.Tap(f.save)
	waitUI(a)
	waitUI(a)
}

func TestMail_ConnectAndSync(t *testing.T) {
	ctx := context.Background()
	port := startMailServer(t, "orders@example.com", "s3cret", mixedMailbox...)
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*mailScreen](t, a, sectionMail)
	before, _ := a.store.CountOrders(ctx, data.OrderFilter{})

	// A wrong password is said plainly, and nothing is saved by testing.
	test.Tap(sc.setup)
	sc.form.provider.SetSelected("Another mail server")
	sc.form.host.SetText("127.0.0.1")
	sc.form.security.SetSelected(securityNone)
	sc.form.port.SetText(strconv.Itoa(port))
	sc.form.user.SetText("orders@example.com")
	sc.form.pass.SetText("wrong")
	test.Tap(sc.form.test)
	waitUI(a)
	if sc.form.message.Importance != widget.DangerImportance || !hasText(sc.form.message, "The connection failed") {
		t.Errorf("wrong password: %q", sc.form.message.Text)
	}
	sc.form.d.Hide()

	connectTestMailbox(t, a, sc, port, "s3cret")
	accts, err := a.store.MailAccounts(ctx)
	if err != nil || len(accts) != 1 || accts[0].Port != port || accts[0].Security != data.MailInsecure {
		t.Fatalf("accounts = %+v, %v", accts, err)
	}
	if pw, err := a.keys.Password(ctx, accts[0]); err != nil || pw != "s3cret" {
		t.Errorf("keychain password = %q, %v", pw, err)
	}
	after, _ := a.store.CountOrders(ctx, data.OrderFilter{})
	if after-before != 2 {
		t.Errorf("orders created by the sync = %d, want 2 (Shopify and Etsy)", after-before)
	}
	sc.refresh()
	waitUI(a)
	// The watch may have checked again since, and says so: the last sync is the newest check.
	if !hasText(sc.lastSync, "Last sync") || sc.lastSync.Importance != widget.SuccessImportance {
		t.Errorf("last sync = %q", sc.lastSync.Text)
	}
	if sc.reviewTitle.Text != "Waiting for review (1)" || len(sc.review.rows) != 1 {
		t.Fatalf("review = %q with %d rows", sc.reviewTitle.Text, len(sc.review.rows))
	}
	if !a.mail.running {
		t.Error("after a successful sync the mailbox is not watched")
	}

	// Sync now again: nothing new, no order twice.
	test.Tap(sc.syncNow)
	waitUI(a)
	waitUI(a)
	if again, _ := a.store.CountOrders(ctx, data.OrderFilter{}); again != after {
		t.Errorf("orders after a second sync = %d, want %d", again, after)
	}
}

func TestMail_ReviewQueue(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "mail", "unknown_order.eml"))
	if err != nil {
		t.Fatal(err)
	}
	odd := data.MailMessage{MessageID: "odd-2@example.com", Subject: "Order 5512 from Mia", From: "shop@example.com",
		Kind: data.MailUnknownOrder, Problems: []data.Problem{{Reason: "no parser knows this layout"}}, Raw: []byte("Subject: Order 5512 from Mia\r\n\r\n2 x Blue mug\r\n")}
	unknown := data.MailMessage{MessageID: "unknown@example.com", Subject: "New order", Kind: data.MailUnknownOrder, Raw: raw}
	if _, err := a.store.ApplyMail(ctx, data.MailBatch{Messages: []data.MailMessage{odd, unknown}}); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*mailScreen](t, a, sectionMail)
	if len(sc.review.rows) != 2 {
		t.Fatalf("review rows = %d", len(sc.review.rows))
	}
	var mia data.MailMessage
	for _, m := range sc.review.rows {
		if m.MessageID == "odd-2@example.com" {
			mia = m
		}
	}
	sc.showReview(mia)
	waitUI(a)
	if !sc.reviewBox.Visible() || !hasText(sc.reviewText, "2 x Blue mug") || !hasText(sc.reviewFacts, "no parser knows this layout") {
		t.Fatalf("review panel shows %q / %q", sc.reviewText.Text, sc.reviewFacts.Text)
	}

	test.Tap(sc.enter)
	waitUI(a)
	f := sc.entering
	if f == nil {
		t.Fatal("Enter the order opened nothing")
	}
	if f.channel.Text != "" || f.currency.Text != "GBP" || f.placed.Text != "" {
		t.Errorf("prefilled: channel %q currency %q placed %q", f.channel.Text, f.currency.Text, f.placed.Text)
	}
	test.Tap(f.save)
	waitUI(a)
	if !f.message.Visible() || !hasText(f.message, "say where the order was placed") {
		t.Errorf("saving an empty form: %q", f.message.Text)
	}
	f.channel.SetText("website")
	f.number.SetText("5512")
	f.customer.SetText("Mia Example")
	f.placed.SetText("2026-11-25 09:30")
	f.rows[0].item.SetText("MUG-BLUE")
	f.rows[0].qty.SetText("2")
	f.rows[0].price.SetText("12.00")
	if f.total.Text != "Total £24.00" {
		t.Errorf("total shown = %q", f.total.Text)
	}
	test.Tap(f.save)
	waitUI(a)
	o, err := a.store.OrderByKey(ctx, "website", "5512")
	if err != nil {
		t.Fatalf("entered order: %v (form says %q)", err, f.message.Text)
	}
	if len(o.Lines) != 1 || o.Lines[0].SKU != "MUG-BLUE" || o.Lines[0].Quantity != 2 || o.Lines[0].UnitPrice != 1200 || o.Total != 2400 {
		t.Errorf("entered order = %+v", o)
	}
	if n, _ := a.store.CountMailToReview(ctx); n != 1 {
		t.Errorf("to review after entering one = %d", n)
	}

	// The other is set aside as no order.
	sc.refresh()
	waitUI(a)
	sc.showReview(sc.review.rows[0])
	waitUI(a)
	test.Tap(sc.dismiss)
	waitUI(a)
	if n, _ := a.store.CountMailToReview(ctx); n != 0 || sc.reviewTitle.Text != "Waiting for review" {
		t.Errorf("after dismissing: %d to review, title %q", n, sc.reviewTitle.Text)
	}
}

// TestMail_Screenshots saves pictures of the Mail screen for a person to look at, in the folder named by
// BACKROOM_SCREENSHOTS.
func TestMail_Screenshots(t *testing.T) {
	save := screenshots(t, "mail")
	port := startMailServer(t, "orders@example.com", "s3cret", mixedMailbox...)
	a := newTestApp(t)
	holdUI(t, a)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(1200, 780))
	sc := showScreen[*mailScreen](t, a, sectionMail)
	shot := func(name string) { t.Helper(); save(a, name) }
	shot("1-no-account")
	test.Tap(sc.setup)
	shot("2-account-form")
	sc.form.d.Hide()
	connectTestMailbox(t, a, sc, port, "s3cret")
	sc.refresh()
	waitUI(a)
	shot("3-synced")
	sc.showReview(sc.review.rows[0])
	waitUI(a)
	shot("4-review")
	test.Tap(sc.enter)
	waitUI(a)
	shot("5-enter-order")
}

func TestMail_DroppedEmailFiles(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	before, _ := a.store.CountOrders(ctx, data.OrderFilter{})
	var uris []fyne.URI
	for _, name := range []string{"shopify_order.eml", "etsy_order.eml", "etsy_newsletter.eml"} {
		path, err := filepath.Abs(filepath.Join("..", "testdata", "mail", name))
		if err != nil {
			t.Fatal(err)
		}
		uris = append(uris, storage.NewFileURI(path))
	}
	a.onDropped(fyne.NewPos(10, 10), uris)
	settle(a)
	if a.current != sectionMail {
		t.Errorf("dropped e-mails opened %q, want the Mail screen", a.current)
	}
	if top := a.win.Canvas().Overlays().Top(); top == nil || !hasText(top, "3 messages read, 2 new orders, 1 not an order") {
		t.Errorf("after the drop the window shows %v", top)
	}
	after, _ := a.store.CountOrders(ctx, data.OrderFilter{})
	if after-before != 2 {
		t.Errorf("orders from dropped e-mails = %d, want 2", after-before)
	}
	a.onDropped(fyne.NewPos(10, 10), uris)
	settle(a)
	if again, _ := a.store.CountOrders(ctx, data.OrderFilter{}); again != after {
		t.Errorf("dropping the same e-mails again made %d orders, want none", again-after)
	}
}

// TestMail_CancelOnDeadServer: a server that takes the connection and never answers must not hold the
// screen: Cancel stops the sync at once and the screen says it was cancelled.
func TestMail_CancelOnDeadServer(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() }) // held open, silent
		}
	}()
	a := newTestApp(t)
	holdUI(t, a)
	acct, err := a.store.SaveMailAccount(ctx, data.MailAccount{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port,
		Security: data.MailInsecure, User: "orders@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.keys.SetPassword(ctx, acct, "s3cret"); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*mailScreen](t, a, sectionMail)
	test.Tap(sc.syncNow)
	// The password comes from the keychain, then the sync starts and waits for the silent server, for
	// as long as the test lets it: release the UI until the sync is running.
	d := a.fyne.(*uiApp).driver
	for deadline := time.Now().Add(5 * time.Second); sc.syncCancel == nil && time.Now().Before(deadline); {
		d.unlock()
		time.Sleep(20 * time.Millisecond)
		d.lock()
	}
	if !sc.progressBox.Visible() || !hasText(sc.progressText, "Connecting to 127.0.0.1:") {
		t.Fatalf("while connecting: progress shown %v, %q", sc.progressBox.Visible(), sc.progressText.Text)
	}
	start := time.Now()
	test.Tap(sc.cancelSync)
	settle(a)
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("cancel took %v", waited)
	}
	if sc.progressBox.Visible() || !hasText(sc.lastSync, "was cancelled") {
		t.Errorf("after cancel: progress shown %v, last sync %q", sc.progressBox.Visible(), sc.lastSync.Text)
	}
}
