package mailbox

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// pass is one report Watch made to its after callback.
type pass struct {
	res data.MailResult
	err error
}

// startWatch runs Watch until the test ends and returns its reports.
func startWatch(t *testing.T, st *data.Store, acct data.MailAccount, poll time.Duration) (<-chan pass, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	passes := make(chan pass, 100)
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, st, acct, memOptions(), poll, func(res data.MailResult, err error) {
			passes <- pass{res, err}
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch = %v after cancel, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Watch still running 5s after cancel")
		}
	})
	return passes, cancel
}

// awaitPass waits for a report that satisfies ok and fails the test after limit.
func awaitPass(t *testing.T, passes <-chan pass, limit time.Duration, what string, ok func(pass) bool) pass {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case p := <-passes:
			if ok(p) {
				return p
			}
			t.Logf("pass while waiting for %s: %+v, %v", what, p.res, p.err)
		case <-deadline:
			t.Fatalf("no %s within %s", what, limit)
		}
	}
}

func TestWatch_IdleSeesNewMail(t *testing.T) {
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	f := fixtures(t)
	srv.appendMail(t, "INBOX", f["etsy_order.eml"])

	// A poll of a minute: only IDLE can bring the new mail in time.
	passes, _ := startWatch(t, st, acct, time.Minute)
	first := awaitPass(t, passes, 5*time.Second, "first pass", func(p pass) bool { return true })
	if first.err != nil || first.res.Seen != 1 || first.res.OrdersNew != 1 {
		t.Fatalf("first pass = %+v, %v; want the waiting order", first.res, first.err)
	}

	// imapmemserver announces only mail that arrives once IDLE has begun (Dovecot also announces what
	// arrived just before), so give Watch a moment to enter IDLE.
	time.Sleep(300 * time.Millisecond)
	srv.appendMail(t, "INBOX", f["amazon_order.eml"])
	start := time.Now()
	got := awaitPass(t, passes, 3*time.Second, "pass with the new mail", func(p pass) bool { return p.res.Seen > 0 })
	if got.err != nil || got.res.Seen != 1 || got.res.OrdersNew != 1 {
		t.Errorf("pass = %+v, %v; want the new order", got.res, got.err)
	}
	t.Logf("new mail imported %s after it arrived", time.Since(start))
}

func TestWatch_PollsWithoutIdle(t *testing.T) {
	srv := startMemServer(t, memServerConfig{noIdle: true, folders: []string{"Orders"}})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, func(a *data.MailAccount) { a.Folders = []string{"INBOX", "Orders"} })
	passes, _ := startWatch(t, st, acct, 200*time.Millisecond)
	awaitPass(t, passes, 5*time.Second, "first pass", func(p pass) bool { return p.err == nil })

	f := fixtures(t)
	srv.appendMail(t, "Orders", f["shopify_order.eml"])
	got := awaitPass(t, passes, 3*time.Second, "pass with the new mail", func(p pass) bool { return p.res.Seen > 0 })
	if got.err != nil || got.res.OrdersNew != 1 {
		t.Errorf("pass = %+v, %v; want the new order", got.res, got.err)
	}
}

func TestWatch_Reconnects(t *testing.T) {
	srv := startMemServer(t, memServerConfig{})
	relay := startRelay(t, srv.addr())
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	acct.Port = relay.port
	passes, _ := startWatch(t, st, acct, time.Minute)
	awaitPass(t, passes, 5*time.Second, "first pass", func(p pass) bool { return p.err == nil })

	relay.cut() // the Wi-Fi drops while Watch idles
	failed := awaitPass(t, passes, 5*time.Second, "report of the lost connection", func(p pass) bool { return p.err != nil })
	if !errors.Is(failed.err, ErrUnreachable) && !errors.Is(failed.err, ErrTimeout) {
		t.Errorf("lost connection reported as %v, want ErrUnreachable", failed.err)
	}
	awaitPass(t, passes, 5*time.Second, "pass after reconnecting", func(p pass) bool { return p.err == nil })

	f := fixtures(t)
	time.Sleep(300 * time.Millisecond) // into IDLE, as in TestWatch_IdleSeesNewMail
	srv.appendMail(t, "INBOX", f["etsy_order.eml"])
	got := awaitPass(t, passes, 3*time.Second, "pass with the new mail", func(p pass) bool { return p.res.Seen > 0 })
	if got.err != nil || got.res.OrdersNew != 1 {
		t.Errorf("pass = %+v, %v; want the new order", got.res, got.err)
	}
}

func TestWatch_ServerDownStopsOnCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	st := openMemStore(t)
	acct, err := st.SaveMailAccount(context.Background(), data.MailAccount{Host: "127.0.0.1", Port: port, Security: data.MailInsecure, User: memUser})
	if err != nil {
		t.Fatal(err)
	}
	passes, cancel := startWatch(t, st, acct, time.Minute)
	got := awaitPass(t, passes, 5*time.Second, "report of the failure", func(p pass) bool { return true })
	if !errors.Is(got.err, ErrUnreachable) {
		t.Errorf("pass = %v, want ErrUnreachable", got.err)
	}
	if run, ok, err := st.LastMailSync(context.Background(), acct.ID); err != nil || !ok || run.Error != got.err.Error() {
		t.Errorf("LastMailSync = %+v, %v, %v; want the failure logged", run, ok, err)
	}
	cancel() // the cleanup checks that Watch returns nil promptly while it waits to retry
}

// relay forwards TCP connections to a server and can cut them all, as a network failure would, or
// swallow what the server sends, as a server that hangs would.
type relay struct {
	port   int
	mu     sync.Mutex
	conns  []net.Conn
	frozen atomic.Bool
}

func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{port: ln.Addr().(*net.TCPAddr).Port}
	t.Cleanup(func() {
		ln.Close()
		r.cut()
	})
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, in, out)
			r.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { r.forward(in, out); in.Close() }()
		}
	}()
	return r
}

// forward copies what the server says to the client, unless the relay is frozen.
func (r *relay) forward(to io.Writer, from io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 && !r.frozen.Load() {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (r *relay) freeze() { r.frozen.Store(true) }

func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}

func TestWatch_WrongPasswordEnds(t *testing.T) {
	srv := startMemServer(t, memServerConfig{})
	st := openMemStore(t)
	acct := memAccount(t, st, srv, nil)
	opt := memOptions()
	opt.Password = "wrong"
	var reports []error
	done := make(chan error, 1)
	go func() {
		done <- Watch(context.Background(), st, acct, opt, time.Minute, func(_ data.MailResult, err error) { reports = append(reports, err) })
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrAuth) {
			t.Errorf("Watch = %v, want ErrAuth: retrying a wrong password only gets the account locked", err)
		}
		if len(reports) != 1 || !errors.Is(reports[0], ErrAuth) {
			t.Errorf("after got %v, want the login failure once", reports)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch still retrying a wrong password after 5s")
	}
}
