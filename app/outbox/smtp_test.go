package outbox_test

// Tests against a real SMTP server: github.com/emersion/go-smtp's server, in this process, on a loopback
// port, with a certificate made for the test.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
)

const (
	testUser     = "shop@example.com"
	testPassword = "app-password-1234"
)

// received is one message the test server took.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool // whether the session was encrypted when the message came
	Auth string
}

// mailServer is a go-smtp server on loopback that records what it receives.
type mailServer struct {
	Host string
	Port int
	srv  *smtp.Server
	ln   net.Listener

	mu         sync.Mutex
	msgs       []received
	authTries  int
	rejectRcpt map[string]*smtp.SMTPError
	mechs      []string
}

type serverConfig struct {
	tls      *tls.Config // offered as STARTTLS, or from the first byte with implicit
	implicit bool
	mechs    []string // AUTH mechanisms offered; PLAIN when nil
}

func startServer(t *testing.T, cfg serverConfig) *mailServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, ln, cfg)
}

func serveOn(t *testing.T, ln net.Listener, cfg serverConfig) *mailServer {
	t.Helper()
	ms := &mailServer{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, ln: ln, rejectRcpt: map[string]*smtp.SMTPError{}, mechs: cfg.mechs}
	if ms.mechs == nil {
		ms.mechs = []string{sasl.Plain}
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{ms: ms, conn: c}, nil
	}))
	srv.Domain = "mx.test"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.TLSConfig = cfg.tls
	ms.srv = srv
	if cfg.implicit {
		ln = tls.NewListener(ln, cfg.tls)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ms
}

func (ms *mailServer) account(security data.SMTPSecurity) data.SMTPAccount {
	return data.SMTPAccount{Host: ms.Host, Port: ms.Port, Security: security, User: testUser,
		From: "orders@shop.example", FromName: "Moss & Tea Café"}
}

func (ms *mailServer) messages() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]received(nil), ms.msgs...)
}

type session struct {
	ms   *mailServer
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return s.ms.mechs }

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		s.ms.mu.Lock()
		s.ms.authTries++
		s.ms.mu.Unlock()
		if user != testUser || pass != testPassword {
			return smtp.ErrAuthFailed
		}
		s.user = mech + ":" + user
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error { return check(user, pass) }), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ms.mu.Lock()
	rej := s.ms.rejectRcpt[to]
	s.ms.mu.Unlock()
	if rej != nil {
		return rej
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ms.mu.Lock()
	s.ms.msgs = append(s.ms.msgs, received{From: s.from, To: s.to, Data: raw, TLS: isTLS, Auth: s.user})
	s.ms.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl has only as a client.
type loginServer struct {
	check      func(user, pass string) error
	step       int
	user, pass string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(resp) > 0 { // the user name sent with AUTH LOGIN
			l.user = string(resp)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(resp)
		l.step++
		return []byte("Password:"), false, nil
	default:
		l.pass = string(resp)
		return nil, true, l.check(l.user, l.pass)
	}
}

// testCert makes a self-signed certificate for 127.0.0.1 and returns the server's config and a pool
// that trusts it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// customerMessage is a queued message to a customer whose name is not ASCII.
func customerMessage() data.OutboxMessage {
	return data.OutboxMessage{
		ID: 7, OrderID: 42, OrderRef: "1001", Channel: "shopify", Route: data.RouteSMTP,
		To: "zoe@example.org", ToName: "Zoë Brontë",
		Subject: "Your order 1001 is on its way — thank you, Zoë!",
		Text:    "Hello Zoë,\n\nyour parcel left today.\n",
		HTML:    "<p>Hello Zoë,</p><p>your parcel left today.</p>",
		Created: time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC),
	}
}

func send(t *testing.T, acct data.SMTPAccount, opt outbox.Options, c outbox.Composed) error {
	t.Helper()
	cl, err := outbox.Dial(context.Background(), acct, opt)
	if err != nil {
		return err
	}
	defer cl.Close()
	_, err = cl.Send(context.Background(), c.From, []string{c.To}, c.Raw)
	return err
}

func TestSend_StartTLSPlain(t *testing.T) {
	serverTLS, roots := testCert(t)
	ms := startServer(t, serverConfig{tls: serverTLS})
	acct := ms.account(data.SMTPStartTLS)
	c, err := outbox.Compose(customerMessage(), &mailAddress{Name: acct.FromName, Address: acct.From}, time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := send(t, acct, outbox.Options{Password: testPassword, TLSConfig: &tls.Config{RootCAs: roots}, Timeout: 5 * time.Second}, c); err != nil {
		t.Fatal(err)
	}
	got := ms.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	m := got[0]
	if !m.TLS || m.Auth != "PLAIN:"+testUser {
		t.Errorf("session TLS=%v auth=%q, want TLS and PLAIN:%s", m.TLS, m.Auth, testUser)
	}
	if m.From != "orders@shop.example" || len(m.To) != 1 || m.To[0] != "zoe@example.org" {
		t.Errorf("envelope %s -> %v, want orders@shop.example -> [zoe@example.org]", m.From, m.To)
	}
	if !bytes.Equal(m.Data, c.Raw) {
		t.Errorf("server received\n%s\nwant exactly what was composed\n%s", m.Data, c.Raw)
	}
	checkCustomerMessage(t, m.Data)
}

func TestSend_ImplicitTLSLogin(t *testing.T) {
	serverTLS, roots := testCert(t)
	ms := startServer(t, serverConfig{tls: serverTLS, implicit: true, mechs: []string{sasl.Login}})
	acct := ms.account(data.SMTPTLS)
	c, err := outbox.Compose(customerMessage(), &mailAddress{Address: acct.From}, time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := send(t, acct, outbox.Options{Password: testPassword, TLSConfig: &tls.Config{RootCAs: roots}, Timeout: 5 * time.Second}, c); err != nil {
		t.Fatal(err)
	}
	got := ms.messages()
	if len(got) != 1 || !got[0].TLS || got[0].Auth != "LOGIN:"+testUser {
		t.Fatalf("received %+v, want one message over TLS signed in with LOGIN", got)
	}
}

func TestSend_Refusals(t *testing.T) {
	serverTLS, roots := testCert(t)
	trusted := &tls.Config{RootCAs: roots}
	ctx := context.Background()

	t.Run("PlainToAnotherHost", func(t *testing.T) {
		// Refused before any connection: 192.0.2.1 is a documentation address nothing is dialled at.
		_, err := outbox.Dial(ctx, data.SMTPAccount{Host: "192.0.2.1", Port: 25, Security: data.SMTPNone, User: testUser}, outbox.Options{Password: testPassword})
		if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "only allowed to this computer") {
			t.Fatalf("err = %v, want ErrInvalid: only this computer", err)
		}
	})

	t.Run("StartTLSNotOffered", func(t *testing.T) {
		ms := startServer(t, serverConfig{}) // no TLS config: the server offers no STARTTLS
		_, err := outbox.Dial(ctx, ms.account(data.SMTPStartTLS), outbox.Options{Password: testPassword, TLSConfig: trusted, Timeout: 5 * time.Second})
		if !errors.Is(err, outbox.ErrUnreachable) || !strings.Contains(err.Error(), "does not offer STARTTLS") {
			t.Fatalf("err = %v, want ErrUnreachable: does not offer STARTTLS", err)
		}
		if ms.authTries != 0 {
			t.Errorf("the password was tried %d times without encryption", ms.authTries)
		}
	})

	t.Run("UntrustedCertificate", func(t *testing.T) {
		ms := startServer(t, serverConfig{tls: serverTLS, implicit: true})
		_, err := outbox.Dial(ctx, ms.account(data.SMTPTLS), outbox.Options{Password: testPassword, Timeout: 5 * time.Second})
		if !errors.Is(err, outbox.ErrCertificate) {
			t.Fatalf("err = %v, want ErrCertificate", err)
		}
	})

	t.Run("WrongPassword", func(t *testing.T) {
		ms := startServer(t, serverConfig{tls: serverTLS})
		_, err := outbox.Dial(ctx, ms.account(data.SMTPStartTLS), outbox.Options{Password: "wrong", TLSConfig: trusted, Timeout: 5 * time.Second})
		if !errors.Is(err, outbox.ErrAuth) || !strings.Contains(err.Error(), "535 5.7.8 Authentication failed") {
			t.Fatalf("err = %v, want ErrAuth quoting 535 5.7.8 Authentication failed", err)
		}
	})

	t.Run("RecipientRejectedThenNextSent", func(t *testing.T) {
		ms := startServer(t, serverConfig{tls: serverTLS})
		ms.rejectRcpt["nobody@example.org"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		cl, err := outbox.Dial(ctx, ms.account(data.SMTPStartTLS), outbox.Options{Password: testPassword, TLSConfig: trusted, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		raw := []byte("Subject: hi\r\n\r\nhello\r\n")
		_, err = cl.Send(ctx, "orders@shop.example", []string{"nobody@example.org"}, raw)
		if !errors.Is(err, outbox.ErrRejected) || !strings.Contains(err.Error(), "550 5.1.1 No such user here") ||
			!strings.Contains(err.Error(), "nobody@example.org") {
			t.Fatalf("err = %v, want ErrRejected naming the recipient and quoting 550 5.1.1 No such user here", err)
		}
		if _, err := cl.Send(ctx, "orders@shop.example", []string{"zoe@example.org"}, raw); err != nil {
			t.Fatalf("second message on the same connection: %v", err)
		}
		if got := ms.messages(); len(got) != 1 || got[0].To[0] != "zoe@example.org" {
			t.Fatalf("received %+v, want only the message to zoe@example.org", got)
		}
	})
}

// silentListener accepts connections and never says a word, like a server that hangs.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		close(done)
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

func TestDial_TimeoutAndCancel(t *testing.T) {
	host, port, _ := net.SplitHostPort(silentListener(t))
	p, _ := strconv.Atoi(port)
	acct := data.SMTPAccount{Host: host, Port: p, Security: data.SMTPNone}

	start := time.Now()
	_, err := outbox.Dial(context.Background(), acct, outbox.Options{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, outbox.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timing out took %s, want about 300ms", d)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	_, err = outbox.Dial(ctx, acct, outbox.Options{Timeout: time.Minute})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancelling took %s, want about 200ms", d)
	}
}

var smtpError550 = smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
