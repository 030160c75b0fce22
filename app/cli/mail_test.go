package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
)

// mailSummaryKeys are the keys of the --json summary of mail sync, import and reparse: a contract.
var mailSummaryKeys = sorted("messages_seen", "orders_created", "orders_updated", "orders_unchanged", "ignored",
	"queued_for_review", "duplicates", "unmatched", "warnings", "orders_held", "tickets")

// runMail runs the command line with a keychain of its own and stdin as standard input.
func runMail(t *testing.T, kc *keychain.Keychain, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Env{
		Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin),
		Getenv:   func(string) string { return "" },
		Keychain: kc,
	})
	return result{code, out.String(), errb.String()}
}

func mustRunMail(t *testing.T, kc *keychain.Keychain, stdin string, args ...string) string {
	t.Helper()
	r := runMail(t, kc, stdin, args...)
	if r.code != 0 {
		t.Fatalf("backroom %s: exit %d, want 0; stderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

func decodeObject(t *testing.T, out string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	return m
}

func mailFixtures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "mail", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .eml fixtures: %v", err)
	}
	return files
}

func countMail(t *testing.T, db string) (messages, review int) {
	t.Helper()
	s, err := data.Open(context.Background(), db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.EachStoredMail(context.Background(), func(data.MailMessage) error { messages++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	q, err := s.MailReviewQueue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return messages, len(q)
}

func TestRun_MailImport(t *testing.T) {
	db := emptyDB(t)
	files := mailFixtures(t)
	args := append([]string{"--db", db, "mail", "import", "--json"}, files...)

	first := decodeObject(t, mustRun(t, nil, args...))
	checkKeys(t, "mail import summary", first, mailSummaryKeys)
	if first["messages_seen"] != float64(len(files)) || first["orders_created"].(float64) < 5 || first["ignored"].(float64) < 1 ||
		first["queued_for_review"].(float64) < 1 || first["duplicates"].(float64) < 1 {
		// The fixtures hold orders from every channel, a newsletter, an unknown order and a duplicate Message-ID.
		t.Errorf("first import = %v", first)
	}
	orders := countOrders(t, db)
	if orders != int(first["orders_created"].(float64)) {
		t.Errorf("%d orders in the shop, summary says %v created", orders, first["orders_created"])
	}

	again := decodeObject(t, mustRun(t, nil, args...))
	if again["messages_seen"] != float64(len(files)) || again["duplicates"] != float64(len(files)) || again["orders_created"] != 0.0 ||
		again["orders_updated"] != 0.0 || again["queued_for_review"] != 0.0 {
		t.Errorf("second import = %v, want every message a duplicate", again)
	}
	if n := countOrders(t, db); n != orders {
		t.Errorf("%d orders after importing the same mail twice, want %d", n, orders)
	}

	out := mustRun(t, nil, "--db", db, "mail", "import", files[0])
	if want := "1 message read: 1 read before\n"; out != want {
		t.Errorf("text output = %q, want %q", out, want)
	}

	t.Run("Review", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "mail", "review", "--json"))
		if len(list) != int(first["queued_for_review"].(float64)) {
			t.Fatalf("review queue = %v, want %v messages", list, first["queued_for_review"])
		}
		for _, m := range list {
			checkKeys(t, "review entry", m, sorted("id", "received", "from", "subject", "reasons"))
			if m["subject"] == "" || m["received"] == "" {
				t.Errorf("review entry without subject or time: %v", m)
			}
		}
		out := mustRun(t, nil, "--db", db, "mail", "review")
		if !strings.Contains(out, "ID") || !strings.Contains(out, "waiting. Open them in Backroom's Mail screen") {
			t.Errorf("review text:\n%s", out)
		}
	})
	t.Run("Reparse", func(t *testing.T) {
		r := decodeObject(t, mustRun(t, nil, "--db", db, "mail", "reparse", "--json"))
		checkKeys(t, "mail reparse summary", r, mailSummaryKeys)
		stored, _ := countMail(t, db)
		if r["messages_seen"] != float64(stored) || r["orders_created"] != 0.0 {
			t.Errorf("reparse = %v, want %d messages read again and no new order", r, stored)
		}
		if n := countOrders(t, db); n != orders {
			t.Errorf("%d orders after reparse, want %d", n, orders)
		}
	})
}

func TestRun_MailImportRefusesUnreadableFile(t *testing.T) {
	db := emptyDB(t)
	files := mailFixtures(t)
	missing := filepath.Join(t.TempDir(), "lost.eml")
	res := runCLI(t, nil, append([]string{"--db", db, "mail", "import", "--json", files[0], missing}, files[1:]...)...)
	if res.code != exitError || !strings.Contains(res.stderr, missing+": no such file or directory; nothing was imported") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	r := decodeObject(t, res.stdout)
	checkKeys(t, "failed summary", r, sorted(append([]string{"error"}, mailSummaryKeys...)...))
	if !strings.Contains(r["error"].(string), missing) || r["messages_seen"] != 0.0 {
		t.Errorf("summary = %v", r)
	}
	if n, _ := countMail(t, db); n != 0 || countOrders(t, db) != 0 {
		t.Errorf("%d messages and %d orders written despite the unreadable file", n, countOrders(t, db))
	}

	empty := filepath.Join(t.TempDir(), "empty.eml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if res := runCLI(t, nil, "--db", db, "mail", "import", empty); res.code != exitError || !strings.Contains(res.stderr, "empty.eml: the file is empty") {
		t.Errorf("empty file: exit %d, stderr %q", res.code, res.stderr)
	}
	notMail := filepath.Join(t.TempDir(), "notes.eml")
	if err := os.WriteFile(notMail, []byte("# Shopping list\n\n- tape\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := runCLI(t, nil, "--db", db, "mail", "import", notMail); res.code != exitError ||
		!strings.Contains(res.stderr, "notes.eml: is not an e-mail (read message headers: malformed header line: # Shopping list)") {
		t.Errorf("a file that is no e-mail: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := runCLI(t, nil, "--db", db, "mail", "import"); res.code != exitUsage {
		t.Errorf("mail import without files: exit %d, want %d", res.code, exitUsage)
	}
}

func TestRun_MailAccount(t *testing.T) {
	ctx := context.Background()
	db := emptyDB(t)
	mem := keychain.NewMemory()
	kc := keychain.NewWith("Backroom test", mem)
	acct := data.MailAccount{Host: "imap.example.com", Port: 993, Security: data.MailTLS, User: "orders@example.com"}

	t.Run("Set", func(t *testing.T) {
		out := mustRunMail(t, kc, "app password\nnext line\n", "--db", db, "mail", "account", "set", "--host", "imap.example.com",
			"--user", "orders@example.com", "--folder", "Orders", "--folder", "INBOX", "--sender", "@Etsy.com", "--password-stdin")
		if !strings.Contains(out, "orders@example.com on imap.example.com (port 993, TLS), reading Orders, INBOX") ||
			!strings.Contains(out, "The password is saved in this computer's keychain.") {
			t.Errorf("set output:\n%s", out)
		}
		if pw, err := kc.Password(ctx, acct); err != nil || pw != "app password" {
			t.Errorf("keychain holds %q, %v, want the first line of stdin", pw, err)
		}
	})
	t.Run("Show", func(t *testing.T) {
		a := decodeObject(t, mustRunMail(t, kc, "", "--db", db, "mail", "account", "show", "--json"))
		checkKeys(t, "account", a, sorted("id", "host", "port", "security", "user", "folders", "senders", "password_in_keychain",
			"keychain_available", "keychain_key", "created", "updated", "last_sync"))
		if a["host"] != "imap.example.com" || a["port"] != 993.0 || a["security"] != "tls" || a["user"] != "orders@example.com" ||
			!equalJSON(a["folders"], []string{"Orders", "INBOX"}) || !equalJSON(a["senders"], []string{"@etsy.com"}) ||
			a["password_in_keychain"] != true || a["keychain_available"] != true || a["last_sync"] != nil ||
			a["keychain_key"] != "imap://orders%40example.com@imap.example.com:993" {
			t.Errorf("account = %v", a)
		}
		out := mustRunMail(t, kc, "", "--db", db, "mail", "account", "show")
		if strings.Contains(out, "app password") || !strings.Contains(out, "saved in this computer's keychain") ||
			!strings.Contains(out, "Last sync:  never") {
			t.Errorf("show output:\n%s", out)
		}
	})
	t.Run("SetOtherPort", func(t *testing.T) {
		// The same mailbox over STARTTLS: the password goes with it, and the shop still has one account.
		out := mustRunMail(t, kc, "", "--db", db, "mail", "account", "set", "--host", "imap.example.com", "--user", "orders@example.com",
			"--security", "starttls")
		if !strings.Contains(out, "(port 143, STARTTLS), reading INBOX") || !strings.Contains(out, "The saved password moved with it.") {
			t.Errorf("set output:\n%s", out)
		}
		moved := acct
		moved.Port, moved.Security = 143, data.MailStartTLS
		if pw, err := kc.Password(ctx, moved); err != nil || pw != "app password" || mem.Len() != 1 {
			t.Errorf("password after the move: %q, %v; %d kept", pw, err, mem.Len())
		}
		s, err := data.Open(ctx, db, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if accts, err := s.MailAccounts(ctx); err != nil || len(accts) != 1 {
			t.Errorf("accounts = %v, %v, want one", accts, err)
		}
	})
	t.Run("Remove", func(t *testing.T) {
		out := mustRunMail(t, kc, "", "--db", db, "mail", "account", "remove")
		if !strings.Contains(out, "removed") || mem.Len() != 0 {
			t.Errorf("remove: %q, %d passwords left", out, mem.Len())
		}
		if out := mustRunMail(t, kc, "", "--db", db, "mail", "account", "show", "--json"); out != "null\n" {
			t.Errorf("show after remove = %q, want null", out)
		}
		if out := mustRunMail(t, kc, "", "--db", db, "mail", "account", "remove"); !strings.Contains(out, "nothing to remove") {
			t.Errorf("second remove: %q", out)
		}
	})
	t.Run("NoKeychain", func(t *testing.T) {
		down := keychain.NewWith("Backroom test", &keychain.Memory{Down: errors.New("no D-Bus")})
		out := mustRunMail(t, down, "secret\n", "--db", db, "mail", "account", "set", "--host", "imap.example.com", "--user", "shop",
			"--password-stdin")
		if !strings.Contains(out, "The password was not saved: no keychain is available on this computer (no D-Bus), "+
			"so Backroom asks for the password at each sync and never stores it.") {
			t.Errorf("set without a keychain:\n%s", out)
		}
		a := decodeObject(t, mustRunMail(t, down, "", "--db", db, "mail", "account", "show", "--json"))
		if a["keychain_available"] != false || a["password_in_keychain"] != false {
			t.Errorf("account = %v", a)
		}
		mustRunMail(t, down, "", "--db", db, "mail", "account", "remove")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		r := runMail(t, kc, "", "--db", db, "mail", "account", "set", "--host", "imap.example.com", "--user", "shop", "--security", "insecure")
		if r.code != exitError || !strings.Contains(r.stderr, "only allowed to a server on this computer") {
			t.Errorf("insecure to a remote server: exit %d, %s", r.code, r.stderr)
		}
		r = runMail(t, kc, "", "--db", db, "mail", "account", "set", "--host", "imap.example.com", "--user", "shop", "--security", "ssl")
		if r.code != exitUsage || !strings.Contains(r.stderr, "--security is tls, starttls or insecure") {
			t.Errorf("--security ssl: exit %d, %s", r.code, r.stderr)
		}
		if r := runMail(t, kc, "", "--db", db, "mail", "account", "set", "--host", "imap.example.com"); r.code != exitUsage {
			t.Errorf("set without --user: exit %d", r.code)
		}
		if r := runMail(t, kc, "\n", "--db", db, "mail", "account", "set", "--host", "h", "--user", "u", "--password-stdin"); r.code != exitError ||
			!strings.Contains(r.stderr, "no password") {
			t.Errorf("empty password: exit %d, %s", r.code, r.stderr)
		}
	})
}

func TestRun_MailUsage(t *testing.T) {
	res := runCLI(t, nil, "mail", "account")
	if res.code != exitUsage || !strings.Contains(res.stderr, "mail account needs a command: set, show, remove") {
		t.Errorf("mail account: exit %d, %q", res.code, res.stderr)
	}
	res = runCLI(t, nil, "mail", "account", "list")
	if res.code != exitUsage || !strings.Contains(res.stderr, `there is no command "mail account list"`) {
		t.Errorf("mail account list: exit %d, %q", res.code, res.stderr)
	}
	out := mustRun(t, nil, "mail", "sync", "--help")
	for _, want := range []string{"Usage: backroom mail sync", "-user name", "the mailbox's user", "-password-stdin", "-folder"} {
		if !strings.Contains(out, want) {
			t.Errorf("mail sync --help lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, nil, "mail", "--help"); !strings.Contains(out, "mail account set") || !strings.Contains(out, "mail review") {
		t.Errorf("mail --help:\n%s", out)
	}
	if res := runCLI(t, nil, "--db", emptyDB(t), "mail", "sync", "--host", "127.0.0.1"); res.code != exitUsage ||
		!strings.Contains(res.stderr, "--host and --user go together") {
		t.Errorf("--host without --user: exit %d, %q", res.code, res.stderr)
	}
}

// mailServer is an IMAP server in this process on 127.0.0.1, with user "shop" (password "secret") whose
// INBOX holds the given messages.
func mailServer(t *testing.T, files []string) (port string, user *imapmemserver.User) {
	t.Helper()
	mem := imapmemserver.New()
	user = imapmemserver.NewUser("shop", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	appendMail(t, user, files)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0), // a client hanging up is no news
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, user
}

func appendMail(t *testing.T, user *imapmemserver.User, files []string) {
	t.Helper()
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		when := time.Date(2026, 11, 1, 9, i, 0, 0, time.UTC)
		if _, err := user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: when}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRun_MailSync(t *testing.T) {
	files := mailFixtures(t)
	port, user := mailServer(t, files[:len(files)-2])
	db := emptyDB(t)
	mem := keychain.NewMemory()
	kc := keychain.NewWith("Backroom test", mem)
	server := []string{"--db", db, "mail", "sync", "--host", "127.0.0.1", "--port", port, "--security", "insecure", "--user", "shop"}

	t.Run("ErrAuth", func(t *testing.T) {
		r := runMail(t, kc, "wrong\n", append(server, "--json", "--password-stdin")...)
		if r.code != exitError {
			t.Fatalf("wrong password: exit %d, stderr %s", r.code, r.stderr)
		}
		s := decodeObject(t, r.stdout)
		checkKeys(t, "failed sync summary", s, sorted(append([]string{"error"}, mailSummaryKeys...)...))
		if s["messages_seen"] != 0.0 || s["error"] == "" || !strings.Contains(r.stderr, s["error"].(string)) {
			t.Errorf("summary = %v, stderr %s", s, r.stderr)
		}
		// A first sync that read nothing leaves no account behind: the flags may have had a typo.
		if out := mustRunMail(t, kc, "", "--db", db, "mail", "account", "show", "--json"); out != "null\n" {
			t.Errorf("account after a failed first sync: %s", out)
		}
	})
	t.Run("NoPassword", func(t *testing.T) {
		r := runMail(t, kc, "", server...)
		if r.code != exitError || !strings.Contains(r.stderr, "no password for shop@127.0.0.1") || !strings.Contains(r.stderr, "--password-stdin") {
			t.Errorf("no password and no terminal: exit %d, %s", r.code, r.stderr)
		}
	})

	var first map[string]any
	t.Run("First", func(t *testing.T) {
		first = decodeObject(t, mustRunMail(t, kc, "secret\n", append(server, "--json", "--password-stdin")...))
		checkKeys(t, "sync summary", first, mailSummaryKeys)
		if first["messages_seen"] != float64(len(files)-2) || first["orders_created"].(float64) < 4 {
			t.Errorf("first sync = %v", first)
		}
		if n := countOrders(t, db); float64(n) != first["orders_created"] {
			t.Errorf("%d orders after the sync, summary says %v", n, first["orders_created"])
		}
	})
	t.Run("SavedAccount", func(t *testing.T) {
		a := decodeObject(t, mustRunMail(t, kc, "", "--db", db, "mail", "account", "show", "--json"))
		p, _ := strconv.Atoi(port)
		if a["host"] != "127.0.0.1" || a["port"] != float64(p) || a["security"] != "insecure" || a["user"] != "shop" || a["password_in_keychain"] != false {
			t.Fatalf("account after the first sync = %v", a)
		}
		last, ok := a["last_sync"].(map[string]any)
		if !ok || last["result"].(map[string]any)["messages_seen"] != first["messages_seen"] {
			t.Errorf("last sync = %v", a["last_sync"])
		}
		// The password typed on the command line was not saved; saving it lets sync run unattended.
		mustRunMail(t, kc, "secret\n", "--db", db, "mail", "account", "set", "--host", "127.0.0.1", "--port", port,
			"--security", "insecure", "--user", "shop", "--password-stdin")
		out := mustRunMail(t, kc, "", "--db", db, "mail", "sync")
		if out != "No new mail.\n" {
			t.Errorf("sync with nothing new = %q", out)
		}
	})
	t.Run("Incremental", func(t *testing.T) {
		appendMail(t, user, files[len(files)-2:])
		out := mustRunMail(t, kc, "", "--db", db, "mail", "sync")
		if !strings.HasPrefix(out, "2 new messages read: ") {
			t.Errorf("incremental sync = %q", out)
		}
		s := decodeObject(t, mustRunMail(t, kc, "", "--db", db, "mail", "sync", "--json"))
		if s["messages_seen"] != 0.0 {
			t.Errorf("sync after the incremental one = %v", s)
		}
	})
	t.Run("OtherMailbox", func(t *testing.T) {
		r := runMail(t, kc, "x\n", "--db", db, "mail", "sync", "--host", "127.0.0.1", "--port", port, "--security", "insecure",
			"--user", "someone-else", "--password-stdin")
		if r.code != exitError || !strings.Contains(r.stderr, "the shop's mail account is shop@127.0.0.1") {
			t.Errorf("another mailbox: exit %d, %s", r.code, r.stderr)
		}
	})
	t.Run("ActAsUser", func(t *testing.T) {
		// --user before the command still names the Backroom user acting; after it, the mailbox's user.
		r := runMail(t, kc, "", "--db", db, "--user", "nobody", "mail", "sync", "--user", "shop", "--host", "127.0.0.1")
		if r.code != exitError || !strings.Contains(r.stderr, "wrong name or PIN") {
			t.Errorf("unknown Backroom user: exit %d, %s", r.code, r.stderr)
		}
	})
}

func TestRun_MailSyncCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl+C while the sync connects: the server cancels as it greets.
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("shop", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	appendMail(t, user, mailFixtures(t))
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			cancel()
			return mem.NewSession(), nil, nil
		},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0), // a client hanging up is no news
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	db := emptyDB(t)

	var out, errb bytes.Buffer
	code := Run(ctx, []string{"--db", db, "mail", "sync", "--json", "--host", "127.0.0.1", "--port", port, "--security", "insecure",
		"--user", "shop", "--password-stdin"}, Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("secret\n"),
		Getenv: func(string) string { return "" }, Keychain: keychain.NewWith("Backroom test", keychain.NewMemory())})
	if code != exitError || !strings.Contains(errb.String(), "interrupted") {
		t.Fatalf("cancelled sync: exit %d, stderr %q", code, errb.String())
	}
	if s := decodeObject(t, out.String()); s["error"] != "interrupted" || s["messages_seen"] != 0.0 {
		t.Errorf("summary = %v", s)
	}
	if n, _ := countMail(t, db); n != 0 {
		t.Errorf("%d messages stored by a sync cancelled before it read any", n)
	}
}
