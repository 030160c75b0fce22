package outbox_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
)

// testClock is the store's clock, moved by the test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// shopWithMessage opens a shop whose SMTP account is acct, with a rule that mails each imported order's
// customer, and one order for Zoë Brontë; it returns the store and the queued message.
func shopWithMessage(t *testing.T, clock *testClock, acct data.SMTPAccount) (*data.Store, data.OutboxMessage) {
	t.Helper()
	ctx := context.Background()
	st, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SaveSMTPAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	tmpl, err := st.SaveMessageTemplate(ctx, data.MessageTemplate{Name: "Thanks",
		Subject: "Thank you for order {{.OrderID}}, {{.FirstName}}", Body: "Hello {{.CustomerName}},\nthank you!\n"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveMessageRule(ctx, data.MessageRule{Name: "Thank every buyer", Trigger: data.TriggerOrderImported,
		Enabled: true, Action: data.ActionMessage, TemplateID: tmpl.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddVariant(ctx, data.NewVariant{SKU: "MUG", ProductName: "Stoneware mug", Price: 1800, Currency: "GBP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyOrders(ctx, []data.Order{{
		Channel: "shopify", ExternalID: "1001", Status: data.StatusPaid, Currency: "GBP", PlacedAt: t0.Add(-time.Hour),
		CustomerName: "Zoë Brontë", CustomerEmail: "zoe@example.org",
		Lines:    []data.OrderLine{{SKU: "MUG", Name: "Stoneware mug", Quantity: 1, UnitPrice: 1800}},
		Subtotal: 1800, Total: 1800,
	}}); err != nil {
		t.Fatal(err)
	}
	fired, err := st.EvaluateMessageRules(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(fired) != 1 || fired[0].Outcome != "queued" {
		t.Fatalf("rules fired %+v, want one queued message", fired)
	}
	return st, onlyMessage(t, st)
}

func onlyMessage(t *testing.T, st *data.Store) data.OutboxMessage {
	t.Helper()
	msgs, err := st.Outbox(context.Background(), data.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("outbox holds %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// freePort is a loopback port nothing listens on: taken from the kernel and given back.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func sendDue(t *testing.T, s *outbox.Sender, wantSent, wantFailed int) {
	t.Helper()
	sent, failed, err := s.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sent != wantSent || failed != wantFailed {
		t.Fatalf("SendDue = %d sent, %d failed; want %d, %d", sent, failed, wantSent, wantFailed)
	}
}

// Offline, the attempt fails and the message waits for its back-off; once the server is back and the
// back-off has passed, it goes out exactly once.
func TestSender_OfflineThenSent(t *testing.T) {
	serverTLS, roots := testCert(t)
	clock := &testClock{now: t0}
	port := freePort(t)
	acct := data.SMTPAccount{Host: "127.0.0.1", Port: port, Security: data.SMTPStartTLS, User: testUser,
		From: "orders@shop.example", FromName: "Moss & Tea", Route: data.RouteSMTP}
	st, queued := shopWithMessage(t, clock, acct)
	var asked int
	s := &outbox.Sender{Store: st, TLSConfig: &tls.Config{RootCAs: roots}, Timeout: 5 * time.Second,
		SMTPPassword: func(_ context.Context, a data.SMTPAccount) (string, error) {
			asked++
			if a.User != testUser {
				t.Errorf("password asked for %q, want %q", a.User, testUser)
			}
			return testPassword, nil
		}}

	sendDue(t, s, 0, 1)
	m := onlyMessage(t, st)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if m.Status != data.OutboxFailed || m.Attempts != 1 || !m.NextAttempt.Equal(t0.Add(time.Minute)) ||
		!strings.Contains(m.LastError, "nothing answers at "+addr) {
		t.Fatalf("after going offline: status %s, attempts %d, next %s, error %q; want failed, 1, %s, nothing answers at %s",
			m.Status, m.Attempts, m.NextAttempt, m.LastError, t0.Add(time.Minute), addr)
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	ms := serveOn(t, ln, serverConfig{tls: serverTLS})

	clock.Set(t0.Add(30 * time.Second)) // still inside the back-off
	sendDue(t, s, 0, 0)
	if n := len(ms.messages()); n != 0 {
		t.Fatalf("the server got %d messages before the back-off passed", n)
	}

	clock.Set(t0.Add(61 * time.Second))
	sendDue(t, s, 1, 0)
	sendDue(t, s, 0, 0) // nothing left

	got := ms.messages()
	if len(got) != 1 {
		t.Fatalf("the server got %d messages, want exactly 1", len(got))
	}
	m = onlyMessage(t, st)
	if m.Status != data.OutboxSent || m.Attempts != 2 || !m.Sent.Equal(t0.Add(61*time.Second)) || m.LastError != "" || m.Route != data.RouteSMTP {
		t.Errorf("after sending: status %s, attempts %d, sent %s, error %q, route %s; want sent, 2, %s, none, smtp",
			m.Status, m.Attempts, m.Sent, m.LastError, m.Route, t0.Add(61*time.Second))
	}
	if asked != 2 {
		t.Errorf("the password was asked %d times, want once per round that had mail to send (2)", asked)
	}

	r, err := gomail.CreateReader(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	to, _ := r.Header.AddressList("To")
	subject, _ := r.Header.Subject()
	date, _ := r.Header.Date()
	if len(to) != 1 || to[0].Name != "Zoë Brontë" || to[0].Address != "zoe@example.org" {
		t.Errorf("To = %v, want Zoë Brontë <zoe@example.org>", to)
	}
	if subject != "Thank you for order 1001, Zoë" {
		t.Errorf("Subject = %q, want Thank you for order 1001, Zoë", subject)
	}
	if !date.Equal(t0.Add(61 * time.Second)) {
		t.Errorf("Date = %s, want the send time %s", date, t0.Add(61*time.Second))
	}
	if got, want := r.Header.Get(outbox.HeaderOrder), strconv.FormatInt(queued.OrderID, 10); got != want {
		t.Errorf("%s = %q, want %q", outbox.HeaderOrder, got, want)
	}
	id, _ := r.Header.MessageID()
	if o, mid, ok := outbox.ParseMessageID(id); !ok || o != queued.OrderID || mid != queued.ID {
		t.Errorf("Message-ID %q reads order %d, message %d, %v; want %d, %d", id, o, mid, ok, queued.OrderID, queued.ID)
	}
}

// A permanent refusal (5xx) is recorded with the server's own words, and the message gives up after this
// one attempt: the server would refuse it again. A temporary one (4xx) waits for its retry.
func TestSender_RejectedKeepsServerReply(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reply      *smtp.SMTPError
		wantStatus data.OutboxStatus
		wantText   string
	}{
		{"permanent", &smtpError550, data.OutboxGaveUp, "550 5.1.1 No such user here"},
		{"temporary", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try later"},
			data.OutboxFailed, "451 4.7.1 Greylisted, try later"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serverTLS, roots := testCert(t)
			ms := startServer(t, serverConfig{tls: serverTLS})
			ms.rejectRcpt["zoe@example.org"] = tc.reply
			clock := &testClock{now: t0}
			acct := ms.account(data.SMTPStartTLS)
			acct.Route = data.RouteSMTP
			st, _ := shopWithMessage(t, clock, acct)
			s := &outbox.Sender{Store: st, TLSConfig: &tls.Config{RootCAs: roots}, Timeout: 5 * time.Second,
				SMTPPassword: func(context.Context, data.SMTPAccount) (string, error) { return testPassword, nil }}
			sendDue(t, s, 0, 1)
			m := onlyMessage(t, st)
			if m.Status != tc.wantStatus || m.Attempts != 1 || !strings.Contains(m.LastError, tc.wantText) ||
				!strings.Contains(m.LastError, "zoe@example.org") {
				t.Fatalf("status %s after %d attempts, error %q; want %s with the server's reply %s", m.Status, m.Attempts,
					m.LastError, tc.wantStatus, tc.wantText)
			}
			// A later round tries a temporary refusal again after its wait, and never a permanent one.
			clock.Set(t0.Add(2 * time.Hour))
			due, err := st.DueMessages(context.Background(), clock.Now(), 10)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.wantStatus == data.OutboxFailed; (len(due) == 1) != want {
				t.Errorf("due again: %d messages, want due %v", len(due), want)
			}
		})
	}
}

// Without a password nothing is attempted: the message stays queued, untouched, and SendDue says why.
func TestSender_NoPasswordLeavesQueued(t *testing.T) {
	clock := &testClock{now: t0}
	acct := data.SMTPAccount{Host: "127.0.0.1", Port: freePort(t), Security: data.SMTPStartTLS, User: testUser,
		From: "orders@shop.example", Route: data.RouteSMTP}
	st, _ := shopWithMessage(t, clock, acct)
	noKey := errors.New("no password is saved in the keychain for this account")
	s := &outbox.Sender{Store: st,
		SMTPPassword: func(context.Context, data.SMTPAccount) (string, error) { return "", noKey }}
	sent, failed, err := s.SendDue(context.Background())
	if sent != 0 || failed != 0 || !errors.Is(err, noKey) {
		t.Fatalf("SendDue = %d, %d, %v; want 0, 0 and the keychain's error", sent, failed, err)
	}
	if m := onlyMessage(t, st); m.Status != data.OutboxQueued || m.Attempts != 0 {
		t.Errorf("status %s, attempts %d; want queued, 0", m.Status, m.Attempts)
	}
}

// Cancelling a round that hangs on a silent server ends it at once, and the message is not left
// "sending": the attempt is recorded and the message waits for its retry.
func TestSender_CancelMidSend(t *testing.T) {
	host, port, _ := net.SplitHostPort(silentListener(t))
	p, _ := strconv.Atoi(port)
	clock := &testClock{now: t0}
	st, _ := shopWithMessage(t, clock, data.SMTPAccount{Host: host, Port: p, Security: data.SMTPNone,
		From: "orders@shop.example", Route: data.RouteSMTP})
	s := &outbox.Sender{Store: st, Timeout: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	sent, failed, err := s.SendDue(ctx)
	if !errors.Is(err, context.Canceled) || sent != 0 || failed != 1 {
		t.Fatalf("SendDue = %d, %d, %v; want 0, 1, context.Canceled", sent, failed, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelling took %s", d)
	}
	m := onlyMessage(t, st)
	if m.Status != data.OutboxFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "interrupted") {
		t.Errorf("status %s, attempts %d, error %q; want failed, 1, interrupted", m.Status, m.Attempts, m.LastError)
	}
}

// Run sends at once and then on every tick, reporting each round, until its context ends.
func TestSender_Run(t *testing.T) {
	serverTLS, roots := testCert(t)
	ms := startServer(t, serverConfig{tls: serverTLS})
	clock := &testClock{now: t0}
	acct := ms.account(data.SMTPStartTLS)
	acct.Route = data.RouteSMTP
	st, _ := shopWithMessage(t, clock, acct)

	type round struct{ sent, failed int }
	rounds := make(chan round, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &outbox.Sender{Store: st, TLSConfig: &tls.Config{RootCAs: roots}, Timeout: 5 * time.Second,
		SMTPPassword: func(context.Context, data.SMTPAccount) (string, error) { return testPassword, nil },
		Report: func(sent, failed int, err error) {
			if err != nil {
				t.Errorf("round failed: %v", err)
			}
			rounds <- round{sent, failed}
		}}
	done := make(chan struct{})
	go func() {
		s.Run(ctx, 20*time.Millisecond)
		close(done)
	}()
	for i, want := range []round{{1, 0}, {0, 0}} {
		select {
		case got := <-rounds:
			if got != want {
				t.Errorf("round %d = %+v, want %+v", i, got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no round %d within 10 s", i)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if n := len(ms.messages()); n != 1 {
		t.Errorf("the server got %d messages, want 1", n)
	}
}
