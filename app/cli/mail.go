package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
	"github.com/backroom-app/backroom/importers/ordermail"
)

// mailSummary is the JSON shape of "mail sync", "mail import" and "mail reparse" with --json: a contract
// named when the commands were introduced. Error is there only when the command failed.
type mailSummary struct {
	MessagesSeen    int             `json:"messages_seen"`
	OrdersCreated   int             `json:"orders_created"`
	OrdersUpdated   int             `json:"orders_updated"`
	OrdersUnchanged int             `json:"orders_unchanged"`
	Ignored         int             `json:"ignored"`
	QueuedForReview int             `json:"queued_for_review"`
	Duplicates      int             `json:"duplicates"`
	Unmatched       int             `json:"unmatched"`
	Warnings        []importProblem `json:"warnings"`
	Error           string          `json:"error,omitempty"`
	OrdersHeld      int             `json:"orders_held"` // kept for the owner: they would change a locked period
	Tickets         int             `json:"tickets"`     // customer mail filed under support tickets (of the not-order mail)
}

func newMailSummary(res data.MailResult, err error) mailSummary {
	s := mailSummary{MessagesSeen: res.Seen, OrdersCreated: res.OrdersNew, OrdersUpdated: res.OrdersUpdated,
		OrdersUnchanged: res.OrdersUnchanged, Ignored: res.Ignored, QueuedForReview: res.Queued, Duplicates: res.Duplicates,
		Unmatched: res.Unmatched, OrdersHeld: res.Held, Tickets: res.Tickets, Warnings: []importProblem{}}
	for _, p := range res.Warnings {
		s.Warnings = append(s.Warnings, importProblem{Row: p.Row, Column: p.Column, Value: p.Value, Reason: p.Reason})
	}
	if err != nil {
		s.Error = message(err)
	}
	return s
}

// mailAccountJSON is the JSON shape of "mail account show --json". The password is never part of it.
type mailAccountJSON struct {
	ID                 int64           `json:"id"`
	Host               string          `json:"host"`
	Port               int             `json:"port"`
	Security           string          `json:"security"`
	User               string          `json:"user"`
	Folders            []string        `json:"folders"`
	Senders            []string        `json:"senders"`
	PasswordInKeychain bool            `json:"password_in_keychain"`
	KeychainAvailable  bool            `json:"keychain_available"`
	KeychainKey        string          `json:"keychain_key"`
	LastSync           *mailSyncJSON   `json:"last_sync"`
	Created            string          `json:"created"`
	Updated            string          `json:"updated"`
	keychainErr        error           // why the keychain could not be read, for people
	last               data.MailResult // the last sync's counts, for people
}

type mailSyncJSON struct {
	Started   string      `json:"started"`
	Finished  string      `json:"finished"`
	Cancelled bool        `json:"cancelled"`
	Result    mailSummary `json:"result"`
}

// reviewJSON is one message of "mail review --json".
type reviewJSON struct {
	ID       int64    `json:"id"`
	Received string   `json:"received"`
	From     string   `json:"from"`
	Subject  string   `json:"subject"`
	Reasons  []string `json:"reasons"`
}

// mailboxFlags are the flags naming a mailbox, shared by "mail account set" and "mail sync".
type mailboxFlags struct {
	host, security string
	user           string
	port           int
	folders        listFlag
	passwordStdin  bool
	set            map[string]bool // the flags given, after parsing
	fs             *flag.FlagSet
}

// define adds the mailbox flags to fs. --user is the one global flag that means something else here: the
// mailbox's user name. Who the command acts for in Backroom is still given before the command
// ("backroom --user sam mail sync ...") or by BACKROOM_USER.
func (m *mailboxFlags) define(fs *flag.FlagSet) {
	m.fs = fs
	fs.StringVar(&m.host, "host", "", "the mail server's `name`, such as imap.gmail.com")
	fs.IntVar(&m.port, "port", 0, "the server's `port` (default 993 with tls, 143 otherwise)")
	fs.StringVar(&m.security, "security", "", "the connection's security `mode`: tls (the default), starttls, or insecure (only to a server on this computer)")
	fs.Var(&m.folders, "folder", "a `folder` to read order mail from (default INBOX; repeat for more)")
	fs.BoolVar(&m.passwordStdin, "password-stdin", false, "read the password or app password from the first line of standard input (on a terminal: typed without echo)")
	u := fs.Lookup("user")
	u.Value = (*stringFlag)(&m.user)
	u.DefValue = ""
	u.Usage = "the mailbox's user `name`, usually the whole e-mail address" +
		" (to act as a Backroom user, put --user before 'mail' or set BACKROOM_USER)"
}

// given records which flags were given; call it once the flags are parsed.
func (m *mailboxFlags) given() {
	m.set = map[string]bool{}
	m.fs.Visit(func(f *flag.Flag) { m.set[f.Name] = true })
}

func (m *mailboxFlags) parseSecurity() (data.MailSecurity, error) {
	switch s := data.MailSecurity(strings.ToLower(strings.TrimSpace(m.security))); s {
	case "", data.MailTLS, data.MailStartTLS, data.MailInsecure:
		return s, nil
	default:
		return "", usagef("--security is tls, starttls or insecure, not %q", m.security)
	}
}

// stringFlag is a plain string flag.Value, for a flag defined in another way first.
type stringFlag string

func (s *stringFlag) String() string     { return string(*s) }
func (s *stringFlag) Set(v string) error { *s = stringFlag(v); return nil }

func mailAccountSetCommand() *command {
	return &command{
		name:    "mail account set",
		args:    "--host NAME [--port N] [--security tls|starttls|insecure] --user NAME [--folder F]... [--sender S]... [--password-stdin]",
		summary: "set up the mailbox order e-mails arrive in",
		help: `Sets up the mailbox Backroom reads order notifications from (Shopify, Etsy, WooCommerce, eBay, Amazon).
A shop has one mail account: running this again replaces it. Only an owner may.

The password is kept in this computer's keychain (GNOME Keyring or KWallet on Linux, Keychain on macOS,
Credential Manager on Windows), never in the database: give it with --password-stdin, as in
  printf '%s\n' "$PASSWORD" | backroom mail account set --host imap.example.com --user shop@example.com --password-stdin
or on a terminal type it when asked. Without a keychain on this computer, nothing is stored and
'backroom mail sync' asks for the password each time.

Gmail: turn on 2-Step Verification, then make an app password (Google Account, Security, App
passwords) and use it here; the normal password is refused. Outlook.com and Microsoft 365 no longer
accept passwords over IMAP at all; signing in with Microsoft (OAuth2) is planned.

--sender limits the mail read to these senders: a whole address or a domain such as @etsy.com.`,
		flags: func(fs *flag.FlagSet) any {
			o := &mailAccountSetOptions{}
			o.mailbox.define(fs)
			fs.Var(&o.senders, "sender", "read only mail from this `sender`: an address or @domain (repeat for more)")
			return o
		},
		run: runMailAccountSet,
	}
}

type mailAccountSetOptions struct {
	mailbox mailboxFlags
	senders listFlag
}

func runMailAccountSet(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*mailAccountSetOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	m := &opts.mailbox
	if strings.TrimSpace(m.host) == "" || strings.TrimSpace(m.user) == "" {
		return usagef("give the mail server with --host and the user name with --user")
	}
	sec, err := m.parseSecurity()
	if err != nil {
		return err
	}
	var password string
	if m.passwordStdin {
		if password, err = r.readPassword(); err != nil {
			return err
		}
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	old, hadOld, err := shopMailAccount(ctx, store)
	if err != nil {
		return err
	}
	acct := data.MailAccount{Host: m.host, Port: m.port, Security: sec, User: m.user, Folders: m.folders, Senders: opts.senders}
	if hadOld {
		acct.ID = old.ID
	}
	acct, err = store.SaveMailAccount(ctx, acct)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "Mail account set: %s, reading %s.\n", describeAccount(acct), strings.Join(acct.Folders, ", "))

	kc := r.keychain()
	moved := false
	if hadOld && keychain.Key(old) != keychain.Key(acct) {
		// The password belongs to the mailbox, not to the settings: it follows a change of port or
		// security, and is forgotten with a mailbox that is no longer read.
		sameMailbox := strings.EqualFold(old.Host, acct.Host) && old.User == acct.User
		keepOld := false
		if sameMailbox && password == "" {
			if pw, err := kc.Password(ctx, old); err == nil {
				moved = kc.SetPassword(ctx, acct, pw) == nil
				keepOld = !moved // never lose the only copy
			}
		}
		if !keepOld {
			if err := kc.DeletePassword(ctx, old); err != nil && !errors.Is(err, keychain.ErrUnavailable) {
				fmt.Fprintf(r.env.Stderr, "backroom: the password for %s stays in the keychain: %s\n", old.Label(), message(err))
			}
		}
	}
	switch {
	case password != "":
		err := kc.SetPassword(ctx, acct, password)
		switch {
		case errors.Is(err, keychain.ErrUnavailable):
			fmt.Fprintf(r.out, "The password was not saved: %s.\n", message(err))
		case err != nil:
			return err
		default:
			fmt.Fprintln(r.out, "The password is saved in this computer's keychain.")
		}
	case moved:
		fmt.Fprintln(r.out, "The saved password moved with it.")
	default:
		_, err := kc.Password(ctx, acct)
		switch {
		case err == nil:
			fmt.Fprintln(r.out, "The password saved in the keychain is kept.")
		case errors.Is(err, keychain.ErrUnavailable):
			fmt.Fprintf(r.out, "No password is saved: %s.\n", message(err))
		default:
			fmt.Fprintln(r.out, "No password is saved; 'backroom mail sync' asks for it, or run this again with --password-stdin to save it.")
		}
	}
	return nil
}

func mailAccountShowCommand() *command {
	return &command{
		name: "mail account show", args: "[--json]",
		summary: "show the mail account and its last sync",
		help: `Shows the mailbox order e-mails are read from, whether its password is in this computer's keychain
(the password itself is never shown), and how the last sync went.

With --json, prints {"id","host","port","security","user","folders","senders","password_in_keychain",
"keychain_available","keychain_key","created","updated","last_sync"}, where last_sync is null before
the first sync, else {"started","finished","cancelled","result"} with result as 'mail sync --json'
prints it. Prints null when no account is set up.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print JSON") },
		run:   runMailAccountShow,
	}
}

func runMailAccountShow(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	acct, ok, err := shopMailAccount(ctx, store)
	if err != nil {
		return err
	}
	if !ok {
		if asJSON {
			return writeJSON(r.out, nil)
		}
		fmt.Fprintln(r.out, "No mail account is set up. Set one up with: backroom mail account set --host NAME --user NAME --password-stdin")
		return nil
	}
	a := mailAccountJSON{ID: acct.ID, Host: acct.Host, Port: acct.Port, Security: string(acct.Security), User: acct.User,
		Folders: acct.Folders, Senders: acct.Senders, KeychainKey: keychain.Key(acct), KeychainAvailable: true,
		Created: acct.Created.Local().Format(time.RFC3339), Updated: acct.Updated.Local().Format(time.RFC3339)}
	if a.Senders == nil {
		a.Senders = []string{}
	}
	_, err = r.keychain().Password(ctx, acct)
	switch {
	case err == nil:
		a.PasswordInKeychain = true
	case errors.Is(err, keychain.ErrUnavailable):
		a.KeychainAvailable, a.keychainErr = false, err
	case !errors.Is(err, keychain.ErrNotFound):
		a.keychainErr = err
	}
	run, synced, err := store.LastMailSync(ctx, acct.ID)
	if err != nil {
		return err
	}
	if synced {
		var runErr error
		if run.Error != "" {
			runErr = errors.New(run.Error)
		}
		a.LastSync = &mailSyncJSON{Started: run.Started.Local().Format(time.RFC3339), Finished: run.Finished.Local().Format(time.RFC3339),
			Cancelled: run.Cancelled, Result: newMailSummary(run.Result, runErr)}
		a.last = run.Result
	}
	if asJSON {
		return writeJSON(r.out, a)
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Server:\t%s port %d, %s\n", acct.Host, acct.Port, securityWords(acct.Security))
	fmt.Fprintf(tw, "User:\t%s\n", acct.User)
	fmt.Fprintf(tw, "Folders:\t%s\n", strings.Join(acct.Folders, ", "))
	if len(acct.Senders) > 0 {
		fmt.Fprintf(tw, "Only from:\t%s\n", strings.Join(acct.Senders, ", "))
	}
	switch {
	case a.PasswordInKeychain:
		fmt.Fprintf(tw, "Password:\tsaved in this computer's keychain\n")
	case a.keychainErr != nil:
		fmt.Fprintf(tw, "Password:\tnot saved: %s\n", message(a.keychainErr))
	default:
		fmt.Fprintf(tw, "Password:\tnot saved; sync asks for it (save it with 'mail account set ... --password-stdin')\n")
	}
	switch {
	case !synced:
		fmt.Fprintf(tw, "Last sync:\tnever\n")
	case run.Cancelled:
		fmt.Fprintf(tw, "Last sync:\t%s, stopped before the end: %s\n", run.Finished.Local().Format("2 Jan 2006 15:04"), mailResultWords(a.last))
	case run.Error != "":
		fmt.Fprintf(tw, "Last sync:\t%s, failed: %s\n", run.Finished.Local().Format("2 Jan 2006 15:04"), run.Error)
	default:
		fmt.Fprintf(tw, "Last sync:\t%s: %s\n", run.Finished.Local().Format("2 Jan 2006 15:04"), mailResultWords(a.last))
	}
	return tw.Flush()
}

func mailAccountRemoveCommand() *command {
	return &command{
		name: "mail account remove", args: "",
		summary: "stop reading order e-mails and forget the mailbox's password",
		help: `Removes the mail account and its password from this computer's keychain. The mail already read and
the orders it brought stay. Only an owner may.`,
		flags: func(*flag.FlagSet) any { return nil },
		run:   runMailAccountRemove,
	}
}

func runMailAccountRemove(ctx context.Context, r *runner, _ any, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	acct, ok, err := shopMailAccount(ctx, store)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintln(r.out, "No mail account is set up; nothing to remove.")
		return nil
	}
	if err := store.DeleteMailAccount(ctx, acct.ID); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "Mail account %s removed; the mail already read and its orders stay.\n", acct.Label())
	err = r.keychain().DeletePassword(ctx, acct)
	switch {
	case errors.Is(err, keychain.ErrUnavailable):
	case err != nil:
		return fmt.Errorf("the account is removed, but its password stays in the keychain under %q (remove it there): %w",
			keychain.Key(acct), err)
	}
	return nil
}

func mailSyncCommand() *command {
	return &command{
		name:    "mail sync",
		args:    "[--json] [--host NAME --user NAME [--port N] [--security tls|starttls|insecure]] [--folder F]... [--password-stdin]",
		summary: "read new order e-mails from the mailbox",
		help: `Reads the mail that arrived since the last sync from each folder of the shop's mail account: orders
become orders (or update the ones a spreadsheet or an earlier e-mail brought), other mail is ignored,
and mail that looks like an order that Backroom cannot read waits for review in the Mail screen (see
'backroom mail review'). Mail on the server is never marked read, moved or deleted. Ctrl+C stops; what
was read so far is kept and the next sync goes on from there.

Without flags it reads the account 'backroom mail account set' saved. With --host and --user it reads
that mailbox: when it is the saved account, the flags given (--port, --security, --folder) change its
settings; when no account is set up yet, it becomes the shop's account, so the next sync continues
where this one stopped (it is forgotten again if this first sync reads nothing). A different mailbox
than the saved one is refused: change the account with 'backroom mail account set' first.

The password comes from --password-stdin, else from this computer's keychain, else it is asked for on
the terminal. Run without a terminal, a missing password is an error.

With --json, prints one object {"messages_seen","orders_created","orders_updated","orders_unchanged",
"ignored","queued_for_review","duplicates","unmatched","warnings":[{"row","column","value","reason"}],"orders_held"},
plus "error" when the sync failed (the counts then say what was kept). Exit code 1 on failure.`,
		flags: func(fs *flag.FlagSet) any {
			o := &mailSyncOptions{}
			o.mailbox.define(fs)
			o.json = fs.Bool("json", false, "print one JSON object")
			return o
		},
		run: runMailSync,
	}
}

type mailSyncOptions struct {
	mailbox mailboxFlags
	json    *bool
}

func runMailSync(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*mailSyncOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	m := &opts.mailbox
	m.given()
	if m.set["host"] != m.set["user"] {
		return usagef("--host and --user go together: give both to read a mailbox, or neither for the saved account")
	}
	sec, err := m.parseSecurity()
	if err != nil {
		return err
	}
	var password string
	if m.passwordStdin {
		if password, err = r.readPassword(); err != nil {
			return r.mailFailed(*opts.json, data.MailResult{}, err)
		}
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return r.mailFailed(*opts.json, data.MailResult{}, err)
	}
	acct, created, err := r.syncAccount(ctx, store, m, sec)
	if err != nil {
		return r.mailFailed(*opts.json, data.MailResult{}, err)
	}
	if password == "" {
		if password, err = r.mailPassword(ctx, acct); err != nil {
			if created {
				r.forgetNewAccount(context.WithoutCancel(ctx), store, acct)
			}
			return r.mailFailed(*opts.json, data.MailResult{}, err)
		}
	}

	progress := r.progressLine()
	// mailbox.Sync records the run in the store, so the Mail screen shows how the last sync went.
	res, syncErr := mailbox.Sync(ctx, store, acct, mailbox.Options{Password: password, Progress: progress.show})
	progress.done()
	if syncErr != nil {
		if created && res.Seen == 0 {
			r.forgetNewAccount(context.WithoutCancel(ctx), store, acct)
		}
		if ctx.Err() != nil && res.Seen > 0 {
			// Said plainly: message would shorten anything wrapping context.Canceled to "interrupted".
			syncErr = fmt.Errorf("interrupted; the %s read before are kept and the next sync goes on from there",
				plural(res.Seen, "message", "messages"))
		}
		return r.mailFailed(*opts.json, res, syncErr)
	}
	defer r.checkContingencies(ctx, store)
	if res.OrdersNew+res.OrdersUpdated > 0 {
		defer r.backupIfOlder(ctx, store, time.Hour) // a sync every few minutes must not copy the file each time
	}
	if *opts.json {
		return writeJSON(r.out, newMailSummary(res, nil))
	}
	if created {
		fmt.Fprintf(r.out, "%s is now the shop's mail account; 'backroom mail sync' reads it from now on.\n", describeAccount(acct))
	}
	printMailResult(r.out, res, "new message read", "new messages read", "No new mail.")
	return nil
}

// syncAccount picks the account "mail sync" reads: the saved one, changed by the flags given, or a new
// one from the flags when none is saved (created is then true).
func (r *runner) syncAccount(ctx context.Context, store *data.Store, m *mailboxFlags, sec data.MailSecurity) (acct data.MailAccount, created bool, err error) {
	saved, ok, err := shopMailAccount(ctx, store)
	if err != nil {
		return acct, false, err
	}
	switch {
	case !ok && !m.set["host"]:
		return acct, false, errors.New("no mail account is set up: run 'backroom mail account set --host NAME --user NAME --password-stdin', " +
			"or give --host and --user")
	case !ok:
		acct, err = store.SaveMailAccount(ctx, data.MailAccount{Host: m.host, Port: m.port, Security: sec, User: m.user, Folders: m.folders})
		return acct, err == nil, err
	case m.set["host"] && (!strings.EqualFold(strings.TrimSpace(m.host), saved.Host) || strings.TrimSpace(m.user) != saved.User):
		return acct, false, fmt.Errorf("the shop's mail account is %s; to read %s@%s instead, change it with 'backroom mail account set'",
			saved.Label(), strings.TrimSpace(m.user), strings.TrimSpace(m.host))
	}
	acct = saved
	changed := false
	if m.set["security"] && sec != acct.Security {
		acct.Security, acct.Port, changed = sec, 0, true // the port follows the security unless --port says otherwise
	}
	if m.set["port"] && m.port != acct.Port {
		acct.Port, changed = m.port, true
	}
	if len(m.folders) > 0 && strings.Join(m.folders, "\x00") != strings.Join(acct.Folders, "\x00") {
		acct.Folders, changed = m.folders, true
	}
	if !changed {
		return acct, false, nil
	}
	before := saved
	if acct, err = store.SaveMailAccount(ctx, acct); err != nil {
		return acct, false, err
	}
	if keychain.Key(before) != keychain.Key(acct) {
		// Same mailbox on another port: its password goes with it.
		kc := r.keychain()
		if pw, err := kc.Password(ctx, before); err == nil && kc.SetPassword(ctx, acct, pw) == nil {
			kc.DeletePassword(ctx, before)
		}
	}
	return acct, false, nil
}

// forgetNewAccount removes an account "mail sync" made from its flags when that first sync read nothing,
// so a mistyped server name does not become the shop's account.
func (r *runner) forgetNewAccount(ctx context.Context, store *data.Store, acct data.MailAccount) {
	if err := store.DeleteMailAccount(ctx, acct.ID); err != nil {
		fmt.Fprintf(r.env.Stderr, "backroom: %s stays set up as the mail account: %s\n", acct.Label(), message(err))
	}
}

// mailFailed prints the --json summary of a failed command and returns err for the exit code and stderr.
func (r *runner) mailFailed(asJSON bool, res data.MailResult, err error) error {
	if asJSON {
		if werr := writeJSON(r.out, newMailSummary(res, err)); werr != nil {
			return werr
		}
	} else if res.Seen > 0 {
		printMailResult(r.out, res, "message read", "messages read", "")
	}
	return err
}

// mailPassword finds the password for acct: the keychain's, else one typed on the terminal.
func (r *runner) mailPassword(ctx context.Context, acct data.MailAccount) (string, error) {
	pw, kerr := r.keychain().Password(ctx, acct)
	if kerr == nil {
		return pw, nil
	}
	if errors.Is(kerr, context.Canceled) {
		return "", kerr
	}
	f, ok := r.env.Stdin.(*os.File)
	if !ok || !isTerminal(f) {
		why := "none is saved in this computer's keychain"
		if !errors.Is(kerr, keychain.ErrNotFound) {
			why = message(kerr)
		}
		return "", fmt.Errorf("no password for %s: %s; give it with --password-stdin, or save it with "+
			"'backroom mail account set ... --password-stdin'", acct.Label(), why)
	}
	if errors.Is(kerr, keychain.ErrUnavailable) {
		fmt.Fprintf(r.env.Stderr, "%s.\n", capitalize(message(kerr)))
	} else if !errors.Is(kerr, keychain.ErrNotFound) {
		fmt.Fprintf(r.env.Stderr, "The keychain could not be read: %s.\n", message(kerr))
	}
	fmt.Fprintf(r.env.Stderr, "Password for %s: ", acct.Label())
	pw, err := readSecret(f)
	fmt.Fprintln(r.env.Stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	if pw == "" {
		return "", errors.New("no password was typed")
	}
	return pw, nil
}

// readPassword reads --password-stdin: the first line of standard input, typed without echo on a terminal.
func (r *runner) readPassword() (string, error) {
	var pw string
	var err error
	if f, ok := r.env.Stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(r.env.Stderr, "Password: ")
		pw, err = readSecret(f)
		fmt.Fprintln(r.env.Stderr)
	} else {
		pw, err = readLine(r.env.Stdin)
	}
	if err != nil {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	if pw == "" {
		return "", errors.New("--password-stdin: standard input had no password on its first line")
	}
	return pw, nil
}

func (r *runner) keychain() *keychain.Keychain {
	if r.env.Keychain != nil {
		return r.env.Keychain
	}
	return keychain.New()
}

// progressLine shows a sync's progress on one line of stderr, when stderr is a terminal someone watches.
type progressLine struct {
	w     io.Writer
	shown bool
}

func (r *runner) progressLine() *progressLine {
	if f, ok := r.env.Stderr.(*os.File); ok && isTerminal(f) {
		return &progressLine{w: f}
	}
	return &progressLine{}
}

func (p *progressLine) show(pr mailbox.Progress) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s: %d of %d new messages read", pr.Folder, pr.Done, pr.Total)
	p.shown = true
}

func (p *progressLine) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func mailImportCommand() *command {
	return &command{
		name: "mail import", args: "[--json] FILE.eml...",
		summary: "read order e-mails saved as .eml files",
		help: `Reads e-mails saved as files (.eml, as mail programs save or export them) exactly as 'backroom mail
sync' reads them from the mailbox: orders become orders, other mail is ignored, and mail that looks
like an order Backroom cannot read waits for review. All files are one transaction: a file that
cannot be read stops the command and nothing is imported. Reading the same mail again, from a file or
the mailbox, changes nothing.

With --json, prints one object as 'mail sync --json' does, for all the files together.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print one JSON object") },
		run:   runMailImport,
	}
}

func runMailImport(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) == 0 {
		return usagef("name at least one .eml file")
	}
	// Every file is read before anything is written, so one unreadable file leaves the shop untouched.
	msgs := make([]data.MailMessage, 0, len(args))
	for _, path := range args {
		raw, modTime, err := readMailFile(path)
		if err != nil {
			return r.mailFailed(asJSON, data.MailResult{}, fmt.Errorf("%w; nothing was imported", err))
		}
		m := mailbox.Message(raw, modTime)
		m.Source = filepath.Base(path)
		msgs = append(msgs, m)
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return r.mailFailed(asJSON, data.MailResult{}, err)
	}
	res, err := store.ApplyMail(ctx, data.MailBatch{Messages: msgs})
	if err != nil {
		return r.mailFailed(asJSON, data.MailResult{}, err)
	}
	defer r.checkContingencies(ctx, store)
	if asJSON {
		return writeJSON(r.out, newMailSummary(res, nil))
	}
	printMailResult(r.out, res, "message read", "messages read", "No messages read.")
	return nil
}

func readMailFile(path string) ([]byte, time.Time, error) {
	fail := func(err error) ([]byte, time.Time, error) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, time.Time{}, fmt.Errorf("%s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if info.IsDir() {
		return fail(errors.New("is a folder, not an e-mail file"))
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		return fail(err)
	}
	if len(raw) == 0 {
		return fail(errors.New("the file is empty"))
	}
	// From the mailbox, even a mangled message waits for review; a file that is no e-mail at all was
	// named by mistake.
	if _, err := ordermail.Parse(bytes.NewReader(raw)); err != nil {
		return fail(fmt.Errorf("is not an e-mail (%v)", err))
	}
	return raw, info.ModTime(), nil
}

func mailReparseCommand() *command {
	return &command{
		name: "mail reparse", args: "[--json]",
		summary: "read stored order e-mails again with this version's parsers",
		help: `Reads every stored order e-mail again with the parsers of this version of Backroom, so mail an older
version could not read becomes orders, and orders read wrongly are corrected. Orders merge as always:
nothing is duplicated and stock never moves twice. Mail already dismissed or typed in stays out of the
review queue.

With --json, prints one object as 'mail sync --json' does.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print one JSON object") },
		run:   runMailReparse,
	}
}

func runMailReparse(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return r.mailFailed(asJSON, data.MailResult{}, err)
	}
	res, err := mailbox.Reparse(ctx, store)
	if err != nil {
		return r.mailFailed(asJSON, data.MailResult{}, err)
	}
	if asJSON {
		return writeJSON(r.out, newMailSummary(res, nil))
	}
	printMailResult(r.out, res, "stored message read again", "stored messages read again", "No order e-mail is stored yet.")
	return nil
}

func mailReviewCommand() *command {
	return &command{
		name: "mail review", args: "[--json]",
		summary: "list e-mails that look like orders Backroom could not read",
		help: `Lists the e-mails waiting for review, newest first: they look like orders, but no parser could read
them. Open them in Backroom's Mail screen to type the order in or dismiss them.

With --json, prints an array of {"id","received","from","subject","reasons":[...]}, received in RFC 3339.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print JSON instead of a table") },
		run:   runMailReview,
	}
}

func runMailReview(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	queue, err := store.MailReviewQueue(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		list := newJSONList(r.out)
		for _, m := range queue {
			rv := reviewJSON{ID: m.ID, From: m.From, Subject: m.Subject, Reasons: []string{}}
			if !m.Received.IsZero() {
				rv.Received = m.Received.Local().Format(time.RFC3339)
			}
			for _, p := range m.Problems {
				rv.Reasons = append(rv.Reasons, p.Reason)
			}
			if err := list.add(rv); err != nil {
				return err
			}
		}
		return list.close()
	}
	if len(queue) == 0 {
		fmt.Fprintln(r.out, "No e-mail waits for review.")
		return nil
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tFROM\tSUBJECT")
	for _, m := range queue {
		received := ""
		if !m.Received.IsZero() {
			received = m.Received.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.ID, received, m.From, m.Subject)
		for _, p := range m.Problems {
			fmt.Fprintf(tw, "\t\t\t  why: %s\n", p.Reason)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "%s waiting. Open them in Backroom's Mail screen to type the order in or dismiss them.\n",
		plural(len(queue), "e-mail", "e-mails"))
	return nil
}

// shopMailAccount is the shop's mail account: the first one set up. The command line keeps one per shop.
func shopMailAccount(ctx context.Context, store *data.Store) (data.MailAccount, bool, error) {
	accts, err := store.MailAccounts(ctx)
	if err != nil || len(accts) == 0 {
		return data.MailAccount{}, false, err
	}
	return accts[0], true, nil
}

func describeAccount(a data.MailAccount) string {
	return fmt.Sprintf("%s (port %d, %s)", a.Label(), a.Port, securityWords(a.Security))
}

func securityWords(s data.MailSecurity) string {
	switch s {
	case data.MailStartTLS:
		return "STARTTLS"
	case data.MailInsecure:
		return "no encryption"
	}
	return "TLS"
}

// printMailResult says what mail did in plain words: "12 messages read: 3 new orders, 1 updated, 7 not
// orders, 1 waiting for review in Mail".
func printMailResult(w io.Writer, res data.MailResult, one, many, none string) {
	var b strings.Builder
	if res.Seen == 0 {
		fmt.Fprintln(&b, none)
	} else {
		fmt.Fprintf(&b, "%s: %s\n", plural(res.Seen, one, many), mailResultWords(res))
	}
	if res.Unmatched > 0 {
		fmt.Fprintf(&b, "  %s match none of your SKUs (map them in the Imports screen)\n", plural(res.Unmatched, "order line", "order lines"))
	}
	ps := make([]importProblem, 0, len(res.Warnings))
	for _, p := range res.Warnings {
		ps = append(ps, importProblem{Row: p.Row, Column: p.Column, Value: p.Value, Reason: p.Reason})
	}
	listProblems(&b, ps, "warning", "warnings")
	io.WriteString(w, b.String())
}

// mailResultWords lists the non-zero counts of res: "3 new orders, 1 updated, 7 not orders".
func mailResultWords(res data.MailResult) string {
	var parts []string
	add := func(n int, s string) {
		if n > 0 {
			parts = append(parts, s)
		}
	}
	add(res.OrdersNew, plural(res.OrdersNew, "new order", "new orders"))
	add(res.OrdersUpdated, fmt.Sprintf("%d updated", res.OrdersUpdated))
	add(res.OrdersUnchanged, fmt.Sprintf("%d unchanged", res.OrdersUnchanged))
	add(res.Ignored, plural(res.Ignored, "not an order", "not orders"))
	add(res.Tickets, plural(res.Tickets, "customer mail filed under a ticket (backroom tickets list)", "customer mails filed under tickets (backroom tickets list)"))
	add(res.Held, fmt.Sprintf("%d held as they would change a locked period (backroom accounts held)", res.Held))
	add(res.Queued, fmt.Sprintf("%d waiting for review in Mail", res.Queued))
	add(res.Duplicates, fmt.Sprintf("%d read before", res.Duplicates))
	if len(parts) == 0 {
		return "nothing new"
	}
	return strings.Join(parts, ", ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
