package app

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"fyne.io/fyne/v2/test"

	"github.com/backroom-app/backroom/data"
)

// loopbackSMTP is a mail server on this computer that keeps what it is sent.
type loopbackSMTP struct {
	port int
	mu   sync.Mutex
	got  []string // each message's recipients and data
}

func startLoopbackSMTP(t *testing.T) *loopbackSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ls := &loopbackSMTP{port: ln.Addr().(*net.TCPAddr).Port}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &loopbackSession{ls: ls}, nil }))
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ls
}

func (ls *loopbackSMTP) messages() []string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return append([]string(nil), ls.got...)
}

type loopbackSession struct {
	ls *loopbackSMTP
	to []string
}

func (s *loopbackSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *loopbackSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *loopbackSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ls.mu.Lock()
	s.ls.got = append(s.ls.got, strings.Join(s.to, ",")+"\n"+string(b))
	s.ls.mu.Unlock()
	return nil
}
func (s *loopbackSession) Reset()        { s.to = nil }
func (s *loopbackSession) Logout() error { return nil }

func TestOutbox_SendNowDelivers(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	ctx := context.Background()
	srv := startLoopbackSMTP(t)
	// A relay on this computer needs no login, so no password is asked of the keychain.
	if err := a.base.SaveSMTPAccount(ctx, data.SMTPAccount{Host: "127.0.0.1", Port: srv.port, Security: data.SMTPNone,
		From: "hello@shop.example", FromName: "Test Shop", Route: data.RouteSMTP}); err != nil {
		t.Fatal(err)
	}
	shippedRule(t, a.base)
	if _, err := a.base.ShipOrder(ctx, orderID(t, a.base, "etsy", "1001"), data.Shipment{Carrier: "Royal Mail", Tracking: "RM9GB", ShippedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.base.EvaluateMessageRules(ctx, false); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*outboxScreen](t, a, sectionOutbox)
	test.Tap(sc.sendNow)
	waitUI(a)
	if sc.sendNote.Text != "1 message sent." {
		t.Fatalf("after Send now the note says %q", sc.sendNote.Text)
	}
	got := srv.messages()
	if len(got) != 1 || !strings.HasPrefix(got[0], "ada@example.com\n") || !strings.Contains(got[0], "Order 1001 is on its way") {
		t.Fatalf("the server received %q", got)
	}
	log, err := a.base.SentLog(ctx, orderID(t, a.base, "etsy", "1001"))
	if err != nil || len(log) != 1 || log[0].Status != data.OutboxSent {
		t.Fatalf("sent log = %+v, %v", log, err)
	}
	// Pressed again, nothing is due: the message went once.
	test.Tap(sc.sendNow)
	waitUI(a)
	if n := len(srv.messages()); n != 1 || !strings.HasPrefix(sc.sendNote.Text, "Nothing was due") {
		t.Errorf("a second Send now: %d messages at the server, note %q", n, sc.sendNote.Text)
	}
}
