// Package mailbox reads a shop's order mail over IMAP into the store.
//
// A sync is incremental and idempotent per folder: the store remembers each folder's UIDVALIDITY and
// the highest UID it has taken, and only newer messages are fetched, whole and with BODY.PEEK[], so
// nothing in the mailbox is marked read, moved or deleted. Messages are parsed by importers/ordermail and applied
// in batches, each batch in one store transaction together with the folder's new position, so a
// connection cut mid-fetch loses nothing and the next sync continues after the last batch committed.
// When a server renumbers a folder (a new UIDVALIDITY) the folder is read again from the start; the
// store recognises the messages it already has by Message-ID and content hash.
//
// While the app is open, Watch keeps a connection of its own and syncs whenever the server announces
// new mail (IDLE), polls as a safety net, and reconnects with backoff when the connection is lost.
//
// Every network step runs under a timeout and the caller's context, and either ends by closing the
// connection, so the app never hangs on a dead server. Failures come back in words a shop owner
// understands and match ErrAuth, ErrCertificate, ErrUnreachable or ErrTimeout with errors.Is.
//
// Signing in is LOGIN with a password or app password. OAuth2 has one place to go: the login step of
// connecting, which would authenticate with an access token instead (OAUTHBEARER from go-sasl for
// Gmail; XOAUTH2, a small sasl.Client of our own, for Microsoft, which accepts nothing else). The
// refresh token would live in the keychain under the account's key, like the password now, and the
// account would say which way it signs in.
package mailbox

import (
	"crypto/tls"
	"errors"
	"time"

	"github.com/backroom-app/backroom/data"
)

// Options are what a sync needs besides the account: the secret, and knobs tests and the app turn.
type Options struct {
	// Password is the account's password or app password; it comes from the keychain, never the store.
	Password string
	// TLSConfig verifies the server; nil uses the system's roots. Tests pass their own CA or ServerName.
	TLSConfig *tls.Config
	// Timeout bounds each network step (connect, TLS, each command, the wait between two fetched
	// messages); zero means 30 seconds.
	Timeout time.Duration
	// BatchSize is the number of messages per FETCH and per store transaction; zero means 50.
	BatchSize int
	// Progress is called on the syncing goroutine after each batch is stored; it may be nil.
	Progress func(Progress)
}

// Progress reports how far a sync has come in one folder.
type Progress struct {
	Folder string
	Done   int // messages of this folder handled in this sync
	Total  int // new messages this folder had when the sync started
	// Result sums the whole sync so far, all folders.
	Result data.MailResult
}

// FolderInfo is what Check reports about one watched folder.
type FolderInfo struct {
	Name        string
	Messages    uint32
	UIDValidity uint32
}

// The kinds of failure a caller reacts to differently; test with errors.Is. The error's text says
// what happened in words for the shop owner, and data.UserMessage shows it.
var (
	// ErrAuth means the server refused the user name or password.
	ErrAuth = errors.New("mail server refused the login")
	// ErrCertificate means the server's certificate could not be trusted; the message says why.
	ErrCertificate = errors.New("mail server certificate not trusted")
	// ErrUnreachable means no connection could be made, or it broke.
	ErrUnreachable = errors.New("mail server unreachable")
	// ErrTimeout means the server stopped answering within the timeout.
	ErrTimeout = errors.New("mail server timed out")
)

const (
	defaultTimeout   = 30 * time.Second
	defaultBatchSize = 50
)

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.BatchSize <= 0 {
		o.BatchSize = defaultBatchSize
	}
	return o
}

// folders are the account's watched folders, INBOX when it names none (an account typed on the
// command line has not been through SaveMailAccount, which fills the default).
func folders(acct data.MailAccount) []string {
	if len(acct.Folders) == 0 {
		return []string{"INBOX"}
	}
	return acct.Folders
}
