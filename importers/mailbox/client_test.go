package mailbox

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
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/backroom-app/backroom/data"
)

const (
	memUser     = "alice@example.com"
	memPassword = "app-password"
)

// memServer is go-imap's in-memory IMAP server on a loopback port.
type memServer struct {
	host string
	port int
	user *imapmemserver.User
}

// memServerConfig varies the test server: TLS (implicit or STARTTLS) and the capabilities it offers.
type memServerConfig struct {
	cert        *tls.Certificate
	implicitTLS bool     // with cert: TLS from the first byte; without: STARTTLS
	noIdle      bool     // advertise plain IMAP4rev1, without IDLE
	folders     []string // besides INBOX
	noUIDNext   bool     // leave UIDNEXT out of SELECT, as some servers do; implies noIdle
}

// sessionWithoutUIDNext is a server session whose SELECT answers lack UIDNEXT (it sends 0, which
// imapclient reads as absent).
type sessionWithoutUIDNext struct{ imapserver.Session }

func (s sessionWithoutUIDNext) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	data, err := s.Session.Select(mailbox, options)
	if data != nil {
		data.UIDNext = 0
	}
	return data, err
}

func startMemServer(t *testing.T, cfg memServerConfig) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(memUser, memPassword)
	for _, name := range append([]string{"INBOX"}, cfg.folders...) {
		if err := user.Create(name, nil); err != nil {
			t.Fatalf("create folder %s: %v", name, err)
		}
	}
	mem.AddUser(user)
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	if cfg.noIdle || cfg.noUIDNext {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}} // the wrapped session offers none of IMAP4rev2's extras
	}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if cfg.noUIDNext {
				return sessionWithoutUIDNext{mem.NewSession()}, nil, nil
			}
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.cert != nil {
		tlsConfig := &tls.Config{Certificates: []tls.Certificate{*cfg.cert}}
		if cfg.implicitTLS {
			ln = tls.NewListener(ln, tlsConfig)
		} else {
			opts.TLSConfig = tlsConfig
			opts.InsecureAuth = false
		}
	}
	srv := imapserver.New(opts)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &memServer{host: "127.0.0.1", port: ln.Addr().(*net.TCPAddr).Port, user: user}
}

func (srv *memServer) addr() string { return net.JoinHostPort(srv.host, strconv.Itoa(srv.port)) }

// appendMail puts messages into a folder as if they had been delivered.
func (srv *memServer) appendMail(t *testing.T, folder string, msgs ...[]byte) {
	t.Helper()
	for i, raw := range msgs {
		received := time.Date(2026, 11, 20, 8, i, 0, 0, time.UTC)
		if _, err := srv.user.Append(folder, bytes.NewReader(raw), &imap.AppendOptions{Time: received}); err != nil {
			t.Fatalf("append to %s: %v", folder, err)
		}
	}
}

// flags reads every message's flags in a folder with a separate client, as a mail program would.
func (srv *memServer) flags(t *testing.T, folder string) map[imap.UID][]imap.Flag {
	t.Helper()
	c, err := imapclient.DialInsecure(srv.addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(memUser, memPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[imap.UID][]imap.Flag)
	for _, m := range msgs {
		out[m.UID] = m.Flags
	}
	return out
}

// openMemStore opens a new shop database in the test's directory.
func openMemStore(t *testing.T) *data.Store {
	t.Helper()
	st, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "shop.db"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// memAccount saves an account for the server, plain text on loopback unless edit says otherwise.
func memAccount(t *testing.T, st *data.Store, srv *memServer, edit func(*data.MailAccount)) data.MailAccount {
	t.Helper()
	acct := data.MailAccount{Host: srv.host, Port: srv.port, Security: data.MailInsecure, User: memUser}
	if edit != nil {
		edit(&acct)
	}
	acct, err := st.SaveMailAccount(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	return acct
}

func memOptions() Options {
	return Options{Password: memPassword, Timeout: 5 * time.Second}
}

// fixtures are the order e-mails of testdata/mail, by file name.
func fixtures(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "mail", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := make(map[string][]byte)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = raw
	}
	return out
}

// testCA is a certificate authority made for one test, so TLS is verified for real.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Backroom Test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
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
	return &testCA{cert: cert, key: key, pool: pool}
}

// leaf issues a server certificate for the names (host names or IP addresses), valid between the times.
func (ca *testCA) leaf(t *testing.T, notBefore, notAfter time.Time, names ...string) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	srv := startMemServer(t, memServerConfig{folders: []string{"Orders"}})
	st := openMemStore(t)
	f := fixtures(t)
	srv.appendMail(t, "INBOX", f["etsy_order.eml"], f["amazon_order.eml"])
	srv.appendMail(t, "Orders", f["shopify_order.eml"])

	t.Run("OK", func(t *testing.T) {
		acct := memAccount(t, st, srv, func(a *data.MailAccount) { a.Folders = []string{"INBOX", "Orders"} })
		infos, err := Check(ctx, acct, memOptions())
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		if len(infos) != 2 || infos[0].Name != "INBOX" || infos[0].Messages != 2 || infos[1].Name != "Orders" || infos[1].Messages != 1 {
			t.Fatalf("Check = %+v, want INBOX with 2 and Orders with 1", infos)
		}
		if infos[0].UIDValidity == 0 {
			t.Errorf("Check = %+v, want a UIDVALIDITY", infos)
		}
	})
	t.Run("MissingFolder", func(t *testing.T) {
		acct := data.MailAccount{ID: 1, Host: srv.host, Port: srv.port, Security: data.MailInsecure, User: memUser,
			Folders: []string{"INBOX", "Bestellungen"}}
		_, err := Check(ctx, acct, memOptions())
		if !errors.Is(err, data.ErrNotFound) || !strings.Contains(err.Error(), `"Bestellungen"`) {
			t.Fatalf("Check = %v, want ErrNotFound naming the folder", err)
		}
		if got := data.UserMessage(err); got != err.Error() {
			t.Errorf("UserMessage = %q, want the error's own words %q", got, err.Error())
		}
	})
}

func TestConnect_WrongPassword(t *testing.T) {
	srv := startMemServer(t, memServerConfig{})
	acct := data.MailAccount{Host: srv.host, Port: srv.port, Security: data.MailInsecure, User: memUser}
	opt := memOptions()
	opt.Password = "wrong"
	_, err := Check(context.Background(), acct, opt)
	t.Log(err)
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("Check = %v, want ErrAuth", err)
	}
	if msg := data.UserMessage(err); !strings.Contains(msg, "user name or password") || !strings.Contains(msg, srv.addr()) {
		t.Errorf("UserMessage = %q, want it to name the login and the server", msg)
	}
	var imapErr *imap.Error
	if !errors.As(err, &imapErr) {
		t.Errorf("Check = %v, want the server's answer as the cause", err)
	}
}

// silentServer accepts connections and never says a word, like a server that hangs.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		ln.Close()
	})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				<-done
				conn.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

func TestConnect_Timeout(t *testing.T) {
	addr := silentServer(t)
	host, port, _ := net.SplitHostPort(addr)
	for _, security := range []data.MailSecurity{data.MailInsecure, data.MailTLS, data.MailStartTLS} {
		t.Run(string(security), func(t *testing.T) {
			acct := data.MailAccount{Host: host, Port: atoi(t, port), Security: security, User: memUser}
			opt := memOptions()
			opt.Timeout = 300 * time.Millisecond
			start := time.Now()
			_, err := Check(context.Background(), acct, opt)
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("Check took %s, want about the 300ms timeout", elapsed)
			}
			t.Log(err)
			if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), addr) {
				t.Fatalf("Check = %v, want ErrTimeout naming %s", err, addr)
			}
		})
	}
}

func TestConnect_CancelWhileWaiting(t *testing.T) {
	addr := silentServer(t)
	host, port, _ := net.SplitHostPort(addr)
	acct := data.MailAccount{Host: host, Port: atoi(t, port), Security: data.MailInsecure, User: memUser}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := Check(ctx, acct, memOptions()) // a 5 s timeout: the cancel must end it long before
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Check = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Check took %s after cancel, want it to stop at once", elapsed)
	}
}

func TestConnect_Unreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	acct := data.MailAccount{Host: "127.0.0.1", Port: port, Security: data.MailInsecure, User: memUser}
	_, err = Check(context.Background(), acct, memOptions())
	t.Log(err)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Check = %v, want ErrUnreachable", err)
	}
}

func TestConnect_InsecureOnlyOnLoopback(t *testing.T) {
	acct := data.MailAccount{Host: "imap.example.com", Port: 143, Security: data.MailInsecure, User: memUser}
	_, err := Check(context.Background(), acct, memOptions())
	if !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "imap.example.com") {
		t.Fatalf("Check = %v, want ErrInvalid naming the host", err)
	}
	if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrTimeout) {
		t.Errorf("Check = %v: it tried to connect, want a refusal before any connection", err)
	}
}

func TestConnect_TLS(t *testing.T) {
	ca := newTestCA(t)
	now := time.Now()
	good := ca.leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "127.0.0.1", "localhost")
	check := func(t *testing.T, cert *tls.Certificate, security data.MailSecurity, roots *x509.CertPool) error {
		t.Helper()
		srv := startMemServer(t, memServerConfig{cert: cert, implicitTLS: security == data.MailTLS})
		acct := data.MailAccount{Host: srv.host, Port: srv.port, Security: security, User: memUser}
		opt := memOptions()
		if roots != nil {
			opt.TLSConfig = &tls.Config{RootCAs: roots}
		}
		_, err := Check(context.Background(), acct, opt)
		return err
	}

	t.Run("TLS", func(t *testing.T) {
		if err := check(t, good, data.MailTLS, ca.pool); err != nil {
			t.Fatalf("Check = %v, want nil with the CA trusted", err)
		}
	})
	t.Run("StartTLS", func(t *testing.T) {
		if err := check(t, good, data.MailStartTLS, ca.pool); err != nil {
			t.Fatalf("Check = %v, want nil with the CA trusted", err)
		}
	})
	failures := []struct {
		name     string
		cert     *tls.Certificate
		security data.MailSecurity
		roots    *x509.CertPool
		reason   string
	}{
		{"UnknownAuthority", good, data.MailTLS, nil, "authority this computer does not trust"},
		{"UnknownAuthorityStartTLS", good, data.MailStartTLS, nil, "authority this computer does not trust"},
		{"Expired", ca.leaf(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), "127.0.0.1"), data.MailTLS, ca.pool, "expired on"},
		{"WrongHost", ca.leaf(t, now.Add(-time.Hour), now.Add(time.Hour), "imap.example.com"), data.MailTLS, ca.pool, "imap.example.com, not for 127.0.0.1"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			err := check(t, tc.cert, tc.security, tc.roots)
			if !errors.Is(err, ErrCertificate) {
				t.Fatalf("Check = %v, want ErrCertificate", err)
			}
			t.Log(err)
			if msg := data.UserMessage(err); !strings.Contains(msg, tc.reason) {
				t.Errorf("UserMessage = %q, want the reason %q", msg, tc.reason)
			}
		})
	}
	t.Run("PlainServerOnTLSPort", func(t *testing.T) {
		srv := startMemServer(t, memServerConfig{})
		acct := data.MailAccount{Host: srv.host, Port: srv.port, Security: data.MailTLS, User: memUser}
		opt := memOptions()
		opt.Timeout = time.Second
		_, err := Check(context.Background(), acct, opt)
		t.Log(err)
		if err == nil || !strings.Contains(err.Error(), srv.addr()) {
			t.Fatalf("Check = %v, want an error naming %s", err, srv.addr())
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
