package mailbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/backroom-app/backroom/data"
)

// session is one logged-in IMAP connection and the guard every exchange with the server runs under.
type session struct {
	client  *imapclient.Client
	addr    string // host:port, for messages
	timeout time.Duration
}

// serverError is a failure talking to the mail server: a message for the shop owner (a data.Error, so
// data.UserMessage shows it) whose Kind callers test with errors.Is, and the cause for errors.As.
type serverError struct {
	user  data.Error
	cause error
}

func (e *serverError) Error() string { return e.user.Message }

// Unwrap exposes both the kind (through the data.Error) and the cause.
func (e *serverError) Unwrap() []error {
	if e.cause == nil {
		return []error{&e.user}
	}
	return []error{&e.user, e.cause}
}

func failure(kind, cause error, format string, args ...any) error {
	return &serverError{user: data.Error{Kind: kind, Message: fmt.Sprintf(format, args...)}, cause: cause}
}

// connect dials the account's server with the security it asks for, waits for the greeting and logs
// in. handler receives what the server says unasked (new mail while idling); it may be nil.
//
// The TCP connection and the TLS handshake are made here rather than by imapclient's Dial functions,
// so both follow ctx as well as the timeout.
func connect(ctx context.Context, acct data.MailAccount, opt Options, handler *imapclient.UnilateralDataHandler) (*session, error) {
	opt = opt.withDefaults()
	addr := acct.Address()
	security := acct.Security
	if security == "" {
		security = data.MailTLS
	}
	switch security {
	case data.MailTLS, data.MailStartTLS:
	case data.MailInsecure:
		if !data.IsLoopback(acct.Host) {
			return nil, failure(data.ErrInvalid, nil,
				"an unencrypted connection is only allowed to this computer, not to %s: choose TLS or STARTTLS", acct.Host)
		}
	default:
		return nil, failure(data.ErrInvalid, nil, "unknown connection security %q: choose tls, starttls or insecure", security)
	}
	if acct.Host == "" {
		return nil, failure(data.ErrInvalid, nil, "the mail account has no server host name")
	}

	dialer := &net.Dialer{Timeout: opt.Timeout}
	raw, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect to %s: %w", addr, ctx.Err())
		}
		return nil, DialFailure(addr, opt.Timeout, err)
	}

	options := &imapclient.Options{UnilateralDataHandler: handler}
	tlsConfig := opt.TLSConfig.Clone()
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = strings.Trim(acct.Host, "[]")
	}
	if tlsConfig.NextProtos == nil {
		tlsConfig.NextProtos = []string{"imap"}
	}

	s := &session{addr: addr, timeout: opt.Timeout}
	switch security {
	case data.MailTLS:
		conn := tls.Client(raw, tlsConfig)
		hctx, cancel := context.WithTimeout(ctx, opt.Timeout)
		err := conn.HandshakeContext(hctx)
		timedOut := hctx.Err() != nil && ctx.Err() == nil
		cancel()
		if err != nil {
			raw.Close()
			return nil, s.explain(ctx, "starting the encrypted connection", err, timedOut)
		}
		s.client = imapclient.New(conn, options)
	case data.MailStartTLS:
		options.TLSConfig = tlsConfig
		err := guard(ctx, opt.Timeout, func() { raw.Close() }, func(func()) error {
			c, err := imapclient.NewStartTLS(raw, options)
			s.client = c
			return err
		}, func(err error, timedOut bool) error {
			return s.explain(ctx, "starting the encrypted connection (STARTTLS)", err, timedOut)
		})
		if err != nil {
			raw.Close()
			return nil, err
		}
	case data.MailInsecure:
		s.client = imapclient.New(raw, options)
	}

	if err := s.do(ctx, "waiting for the server's greeting", func(func()) error { return s.client.WaitGreeting() }); err != nil {
		s.client.Close()
		return nil, err
	}
	err = s.do(ctx, "logging in", func(func()) error { return s.client.Login(acct.User, opt.Password).Wait() })
	if err != nil {
		s.client.Close()
		var imapErr *imap.Error
		if errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo &&
			imapErr.Code != imap.ResponseCodeUnavailable && ctx.Err() == nil {
			return nil, failure(ErrAuth, err,
				"the mail server %s did not accept the user name or password for %s (it said: %s); "+
					"accounts with two-step verification, such as Gmail and Outlook, need an app password",
				addr, acct.User, serverText(imapErr))
		}
		return nil, err
	}
	return s, nil
}

// do runs one exchange with the server (a command and its wait). It cannot outlive ctx or the
// timeout: either closes the connection, which makes the blocked call return. fn calls kick when the
// server shows signs of life, e.g. each message of a long FETCH, to restart the timeout.
func (s *session) do(ctx context.Context, what string, fn func(kick func()) error) error {
	return guard(ctx, s.timeout, func() { s.client.Close() }, fn, func(err error, timedOut bool) error {
		return s.explain(ctx, what, err, timedOut)
	})
}

// guard runs fn with a watchdog that calls closeConn when ctx ends or timeout passes without a kick,
// and hands a failure to explain with whether the watchdog fired.
func guard(ctx context.Context, timeout time.Duration, closeConn func(), fn func(kick func()) error, explain func(err error, timedOut bool) error) error {
	var timedOut atomic.Bool
	var once sync.Once
	closeOnce := func() { once.Do(closeConn) }
	timer := time.AfterFunc(timeout, func() {
		timedOut.Store(true)
		closeOnce()
	})
	stop := context.AfterFunc(ctx, closeOnce)
	err := fn(func() { timer.Reset(timeout) })
	timer.Stop()
	stop()
	if err == nil {
		// Even when the watchdog closed the connection just as the exchange succeeded, the result
		// stands; the next step reports the closed connection.
		return nil
	}
	return explain(err, timedOut.Load())
}

// explain turns a failed exchange into an error in the shop owner's words.
func (s *session) explain(ctx context.Context, what string, err error, timedOut bool) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s with %s: %w", what, s.addr, ctx.Err())
	}
	if timedOut || IsTimeout(err) {
		return failure(ErrTimeout, err, "the mail server %s did not answer within %s while %s", s.addr, s.timeout, what)
	}
	if reason, ok := CertificateProblem(err, s.addr); ok {
		return failure(ErrCertificate, err, "the mail server %s showed a certificate Backroom cannot trust: %s", s.addr, reason)
	}
	var imapErr *imap.Error
	if errors.As(err, &imapErr) {
		return failure(nil, err, "the mail server %s refused %s (it said: %s)", s.addr, what, serverText(imapErr))
	}
	var recordErr tls.RecordHeaderError
	if errors.As(err, &recordErr) {
		return failure(ErrUnreachable, err,
			"the mail server %s does not speak TLS there; check the port and the security setting (TLS, STARTTLS)", s.addr)
	}
	if isBroken(err) {
		return failure(ErrUnreachable, err, "the connection to the mail server %s broke while %s", s.addr, what)
	}
	return failure(nil, err, "talking to the mail server %s failed while %s: %v", s.addr, what, err)
}

// DialFailure says, for the shop owner, why no TCP connection to the mail server at addr could be made.
// The outbox's SMTP client uses it too: the reasons are the same for any mail server.
func DialFailure(addr string, timeout time.Duration, err error) error {
	var dnsErr *net.DNSError
	switch {
	case IsTimeout(err):
		return failure(ErrTimeout, err, "the mail server %s did not answer within %s; check the host name and port", addr, timeout)
	case errors.As(err, &dnsErr) && (dnsErr.IsNotFound || !dnsErr.IsTemporary):
		return failure(ErrUnreachable, err, "there is no mail server %s: the host name was not found; check its spelling", addr)
	case errors.As(err, &dnsErr):
		return failure(ErrUnreachable, err, "could not look up the mail server %s: is the computer online?", addr)
	case errors.Is(err, syscall.ECONNREFUSED):
		return failure(ErrUnreachable, err, "nothing answers at %s: check the host name and port", addr)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return failure(ErrUnreachable, err, "the mail server %s cannot be reached: is the computer online?", addr)
	}
	return failure(ErrUnreachable, err, "could not connect to the mail server %s: %v", addr, err)
}

// CertificateProblem names what is wrong with the server's certificate, when that is why err happened.
func CertificateProblem(err error, addr string) (string, bool) {
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &hostErr):
		names := hostErr.Certificate.DNSNames
		for _, ip := range hostErr.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 && hostErr.Certificate.Subject.CommonName != "" {
			names = []string{hostErr.Certificate.Subject.CommonName}
		}
		return fmt.Sprintf("it is made out for %s, not for %s (wrong host name)", strings.Join(names, ", "), hostErr.Host), true
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.Expired:
			if c := invalid.Cert; c != nil && time.Now().Before(c.NotBefore) {
				return fmt.Sprintf("it is not valid before %s (is this computer's clock right?)", c.NotBefore.Format("2 Jan 2006")), true
			} else if c != nil {
				return fmt.Sprintf("it expired on %s", c.NotAfter.Format("2 Jan 2006")), true
			}
			return "it has expired", true
		case x509.NotAuthorizedToSign, x509.CANotAuthorizedForThisName, x509.CANotAuthorizedForExtKeyUsage:
			return "it is signed by a certificate that may not sign it", true
		}
		return "it is not valid: " + invalid.Error(), true
	case errors.As(err, &unknown):
		return "it is signed by an authority this computer does not trust (a self-signed certificate, or a network that intercepts connections)", true
	case errors.As(err, &verify):
		return "it could not be verified: " + verify.Err.Error(), true
	}
	return "", false
}

// IsTimeout reports whether err is a deadline passing, of the connection or of ctx.
func IsTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}

// isBroken says the connection ended under a command: closed, reset or cut mid-response. imapclient
// reports read failures as text ("in response: cannot read tag: … connection reset by peer"), so the
// words are matched as well as the error values.
func isBroken(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrClosedPipe) {
		return true
	}
	text := err.Error()
	for _, words := range []string{"use of closed network connection", "connection reset", "broken pipe", "EOF", "connection closed"} {
		if strings.Contains(text, words) {
			return true
		}
	}
	return false
}

// serverText is what the server said, without the protocol around it.
func serverText(err *imap.Error) string {
	text := strings.TrimSpace(err.Text)
	if text == "" {
		text = string(err.Type)
	}
	return text
}

// close says goodbye politely when it can, within a short time, and closes the connection.
func (s *session) close() {
	if s == nil || s.client == nil {
		return
	}
	select {
	case <-s.client.Closed():
		return // already closed, by a watchdog or a cancelled wait
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(s.timeout, 2*time.Second))
	defer cancel()
	_ = s.do(ctx, "logging out", func(func()) error { return s.client.Logout().Wait() })
	s.client.Close()
}

// Check connects, logs in and examines every folder of the account: what "Test connection" shows.
func Check(ctx context.Context, acct data.MailAccount, opt Options) ([]FolderInfo, error) {
	s, err := connect(ctx, acct, opt, nil)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var infos []FolderInfo
	for _, name := range folders(acct) {
		var st *imap.StatusData
		err := s.do(ctx, "reading folder "+name, func(func()) error {
			var err error
			st, err = s.client.Status(name, &imap.StatusOptions{NumMessages: true, UIDValidity: true}).Wait()
			return err
		})
		if err != nil {
			return infos, s.folderError(name, err)
		}
		info := FolderInfo{Name: name, UIDValidity: st.UIDValidity}
		if st.NumMessages != nil {
			info.Messages = *st.NumMessages
		}
		infos = append(infos, info)
	}
	return infos, nil
}

// folderError names a folder the server does not have; other failures pass through.
func (s *session) folderError(name string, err error) error {
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo {
		return failure(data.ErrNotFound, err, "the mail server %s has no folder %q (it said: %s)", s.addr, name, serverText(imapErr))
	}
	return err
}
