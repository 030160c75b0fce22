// Package outbox sends the shop's customer messages: it composes each queued message as MIME mail,
// hands it to the shop's SMTP server or saves it in the mailbox's Drafts folder for a person to send,
// and records the outcome in the store, whose outbox retries failures with a growing back-off.
//
// Every network step runs under a timeout and the caller's context. Nothing is sent in the clear except
// to a server on this computer: "tls" is TLS from the first byte, "starttls" must upgrade before the
// password goes out and fails when the server cannot, and "none" is refused for any other host.
//
// A message refused by the server fails with the server's reply in its reason, as the Outbox screen
// shows it. Going offline is no special case: the connection fails, the attempt is counted and the
// message waits for its next try.
package outbox

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
)

// Options are what a connection needs besides the account.
type Options struct {
	// Password signs in; empty with an account that has no user name (a relay on this computer).
	Password string
	// TLSConfig verifies the server; nil uses the system's roots. Tests pass their own roots.
	TLSConfig *tls.Config
	// Timeout bounds each step: the connection, the TLS handshake, each command and the wait for the
	// server to accept the message. Zero means 30 seconds.
	Timeout time.Duration
}

const defaultTimeout = 30 * time.Second

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return defaultTimeout
	}
	return o.Timeout
}

// The kinds of failure, for errors.Is. The error's text is written for the shop owner, and
// data.UserMessage shows it.
var (
	// ErrAuth means the server refused the user name or password. The connection kinds are the
	// mailbox's own, so a caller tests one set of kinds for IMAP and SMTP alike.
	ErrAuth = mailbox.ErrAuth
	// ErrCertificate means the server's certificate could not be trusted.
	ErrCertificate = mailbox.ErrCertificate
	// ErrUnreachable means no connection could be made, or it broke.
	ErrUnreachable = mailbox.ErrUnreachable
	// ErrTimeout means the server stopped answering within the timeout.
	ErrTimeout = mailbox.ErrTimeout
	// ErrRejected means the server answered and refused the message, a sender or a recipient.
	ErrRejected = errors.New("mail server refused the message")
)

// sendError is a failure for the shop owner (a data.Error, so data.UserMessage shows it) with its kind
// for errors.Is and its cause for errors.As.
type sendError struct {
	user  data.Error
	cause error
}

func (e *sendError) Error() string { return e.user.Message }

func (e *sendError) Unwrap() []error {
	if e.cause == nil {
		return []error{&e.user}
	}
	return []error{&e.user, e.cause}
}

func failure(kind, cause error, format string, args ...any) error {
	return &sendError{user: data.Error{Kind: kind, Message: fmt.Sprintf(format, args...)}, cause: cause}
}

func invalid(format string, args ...any) error {
	return failure(data.ErrInvalid, nil, format, args...)
}
