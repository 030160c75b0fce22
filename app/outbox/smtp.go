package outbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
)

// Client is one signed-in connection to the shop's SMTP server, good for several messages in a row.
// It is not safe for use by several goroutines at once.
type Client struct {
	c       *smtp.Client
	conn    net.Conn // the TCP connection under everything, closed to end a blocked call
	addr    string
	timeout time.Duration
}

// SMTPAddress is the account's host:port, with the security's usual port when it names none: 465 for
// TLS, 587 for STARTTLS and 25 for a relay on this computer.
func SMTPAddress(acct data.SMTPAccount) string {
	port := acct.Port
	if port == 0 {
		switch acct.Security {
		case data.SMTPStartTLS:
			port = 587
		case data.SMTPNone:
			port = 25
		default:
			port = 465
		}
	}
	return net.JoinHostPort(acct.Host, strconv.Itoa(port))
}

// Dial connects to acct's server with the security it asks for, says hello and signs in when the
// account has a user name (AUTH PLAIN, or LOGIN where the server offers only that).
func Dial(ctx context.Context, acct data.SMTPAccount, opt Options) (*Client, error) {
	timeout := opt.timeout()
	if strings.TrimSpace(acct.Host) == "" {
		return nil, invalid("the sending account has no server host name")
	}
	security := acct.Security
	if security == "" {
		security = data.SMTPTLS
	}
	switch security {
	case data.SMTPTLS, data.SMTPStartTLS:
	case data.SMTPNone:
		if !data.IsLoopback(acct.Host) {
			return nil, invalid("an unencrypted connection is only allowed to this computer, not to %s: choose TLS or STARTTLS", acct.Host)
		}
	default:
		return nil, invalid("unknown connection security %q: choose tls, starttls or none", security)
	}
	addr := SMTPAddress(acct)

	dialer := &net.Dialer{Timeout: timeout}
	raw, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("connect to %s: %w", addr, ctx.Err())
		}
		return nil, mailbox.DialFailure(addr, timeout, err)
	}
	cl := &Client{conn: raw, addr: addr, timeout: timeout}

	tlsConfig := opt.TLSConfig.Clone()
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = strings.Trim(acct.Host, "[]")
	}

	err = cl.guard(ctx, "saying hello", func() error {
		switch security {
		case data.SMTPTLS:
			conn := tls.Client(raw, tlsConfig)
			hctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			if err := conn.HandshakeContext(hctx); err != nil {
				return err
			}
			cl.c = smtp.NewClient(conn)
		case data.SMTPStartTLS:
			// NewClientStartTLS refuses a server that does not offer STARTTLS, so nothing, the password
			// least of all, goes out before the upgrade.
			c, err := smtp.NewClientStartTLS(raw, tlsConfig)
			if err != nil {
				return err
			}
			cl.c = c
		default:
			cl.c = smtp.NewClient(raw)
		}
		cl.c.CommandTimeout = timeout
		cl.c.SubmissionTimeout = timeout
		return cl.c.Hello(helloName(raw))
	})
	if err != nil {
		raw.Close()
		return nil, err
	}

	if acct.User != "" {
		if err := cl.auth(ctx, acct, opt.Password, security); err != nil {
			cl.conn.Close()
			return nil, err
		}
	}
	return cl, nil
}

// helloName is the name Backroom gives in EHLO: this computer's address as a literal (RFC 5321 4.1.3),
// because a desktop's host name is rarely one the server can look up, and "localhost" from afar looks
// like spam to some servers.
func helloName(conn net.Conn) string {
	if a, ok := conn.LocalAddr().(*net.TCPAddr); ok {
		if ip4 := a.IP.To4(); ip4 != nil {
			return "[" + ip4.String() + "]"
		}
		return "[IPv6:" + a.IP.String() + "]"
	}
	return "localhost"
}

func (cl *Client) auth(ctx context.Context, acct data.SMTPAccount, password string, security data.SMTPSecurity) error {
	if _, isTLS := cl.c.TLSConnectionState(); !isTLS && !data.IsLoopback(acct.Host) {
		// Dial allows no such connection; this guards the rule where the password is used.
		return invalid("Backroom will not send the password for %s unencrypted", acct.Host)
	}
	if password == "" {
		return invalid("there is no password for %s on %s: type it in Settings › Messages", acct.User, cl.addr)
	}
	var mech sasl.Client
	switch {
	case cl.c.SupportsAuth(sasl.Plain):
		mech = sasl.NewPlainClient("", acct.User, password)
	case cl.c.SupportsAuth(sasl.Login):
		mech = sasl.NewLoginClient(acct.User, password)
	default:
		_, offered := cl.c.Extension("AUTH")
		if offered == "" {
			return failure(ErrAuth, nil, "the mail server %s offers no sign-in (AUTH) on this connection; "+
				"check the port and the security setting, or leave the user name empty for a server that needs none", cl.addr)
		}
		return failure(ErrAuth, nil, "the mail server %s offers only the sign-in methods %s, which Backroom does not speak (it needs PLAIN or LOGIN)", cl.addr, offered)
	}
	err := cl.guard(ctx, "signing in", func() error { return cl.c.Auth(mech) })
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) && ctx.Err() == nil && smtpErr.Code/100 == 5 {
		return failure(ErrAuth, err, "the mail server %s did not accept the user name or password for %s (it said: %s); "+
			"accounts with two-step verification, such as Gmail, need an app password", cl.addr, acct.User, reply(smtpErr))
	}
	return err
}

// Send hands one message to the server: from and to are the envelope addresses, raw the whole message.
// It returns the server's reply to the message (often with its queue ID). A refusal is an error matching
// ErrRejected whose text quotes the server; the connection stays usable for the next message.
func (cl *Client) Send(ctx context.Context, from string, to []string, raw []byte) (string, error) {
	if len(to) == 0 {
		return "", invalid("the message has no recipient")
	}
	var opts *smtp.MailOptions
	if !isASCII(from) || !isASCII(strings.Join(to, "")) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	step := "giving the sender " + from
	var resp *smtp.DataResponse
	err := cl.guard(ctx, "sending the message", func() error {
		if err := cl.c.Mail(from, opts); err != nil {
			return err
		}
		for _, r := range to {
			step = "giving the recipient " + r
			if err := cl.c.Rcpt(r, nil); err != nil {
				return err
			}
		}
		step = "sending the message"
		w, err := cl.c.Data()
		if err != nil {
			return err
		}
		if _, err := bytes.NewReader(raw).WriteTo(w); err != nil {
			w.Close()
			return err
		}
		resp, err = w.CloseWithResponse()
		return err
	})
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) && ctx.Err() == nil {
		// Leave the connection clean for the next message; if even that fails, the next Send says so.
		_ = cl.guard(ctx, "resetting", cl.c.Reset)
		return "", failure(ErrRejected, err, "the mail server %s refused %s (it said: %s)", cl.addr, step, reply(smtpErr))
	}
	if err != nil {
		return "", err
	}
	return resp.StatusText, nil
}

// Close says goodbye within a short time and closes the connection.
func (cl *Client) Close() error {
	if cl == nil || cl.c == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(cl.timeout, 2*time.Second))
	defer cancel()
	_ = cl.guard(ctx, "saying goodbye", cl.c.Quit)
	return cl.conn.Close()
}

// guard runs one exchange so that it cannot outlive ctx: ending ctx closes the connection, which makes
// the blocked call return. go-smtp's own deadlines bound each command by the timeout.
func (cl *Client) guard(ctx context.Context, what string, fn func() error) error {
	var once sync.Once
	stop := context.AfterFunc(ctx, func() { once.Do(func() { cl.conn.Close() }) })
	err := fn()
	stop()
	if err == nil {
		return nil
	}
	return cl.explain(ctx, what, err)
}

// explain turns a failed exchange into an error in the shop owner's words.
func (cl *Client) explain(ctx context.Context, what string, err error) error {
	var smtpErr *smtp.SMTPError
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s with %s: %w", what, cl.addr, ctx.Err())
	case errors.As(err, &smtpErr):
		return failure(ErrRejected, err, "the mail server %s refused %s (it said: %s)", cl.addr, what, reply(smtpErr))
	case mailbox.IsTimeout(err):
		return failure(ErrTimeout, err, "the mail server %s did not answer within %s while %s", cl.addr, cl.timeout, what)
	}
	if reason, ok := mailbox.CertificateProblem(err, cl.addr); ok {
		return failure(ErrCertificate, err, "the mail server %s showed a certificate Backroom cannot trust: %s", cl.addr, reason)
	}
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &recordErr):
		return failure(ErrUnreachable, err,
			"the mail server %s does not speak TLS there; check the port and the security setting (TLS, STARTTLS)", cl.addr)
	case strings.Contains(err.Error(), "doesn't support STARTTLS"):
		return failure(ErrUnreachable, err,
			"the mail server %s does not offer STARTTLS, so Backroom will not sign in there; choose TLS (usually port 465) or check the port", cl.addr)
	case isBroken(err):
		return failure(ErrUnreachable, err, "the connection to the mail server %s broke while %s", cl.addr, what)
	}
	return failure(ErrUnreachable, err, "talking to the mail server %s failed while %s: %v", cl.addr, what, err)
}

// reply is the server's answer as it gave it: code, enhanced code and text.
func reply(e *smtp.SMTPError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Code)
	if c := e.EnhancedCode; c != smtp.NoEnhancedCode && c != smtp.EnhancedCodeNotSet {
		fmt.Fprintf(&b, " %d.%d.%d", c[0], c[1], c[2])
	}
	if msg := strings.TrimSpace(e.Message); msg != "" {
		b.WriteString(" " + strings.ReplaceAll(msg, "\n", " "))
	}
	return b.String()
}

func isBroken(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
