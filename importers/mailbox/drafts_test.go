package mailbox_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
	"github.com/backroom-app/backroom/importers/mailbox/dovecottest"
)

const draftMessage = "From: Moss & Tea <orders@shop.example>\r\n" +
	"To: =?utf-8?q?Zo=C3=AB_Bront=C3=AB?= <zoe@example.org>\r\n" +
	"Subject: Your order 1001 is on its way\r\n" +
	"Message-Id: <backroom.42.7.dn51ckiowe80@shop.example>\r\n" +
	"X-Backroom-Order: 42\r\n" +
	"Mime-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Hello Zoe,\r\nyour parcel left today.\r\n"

func draftsAccount(s *dovecottest.Server) data.MailAccount {
	return data.MailAccount{Host: s.Host, Port: s.Port, Security: data.MailInsecure, User: dovecottest.User}
}

// readDrafts returns the flags and bytes of every message in folder, read by the test's own connection.
func readDrafts(t *testing.T, s *dovecottest.Server, folder string) ([][]imap.Flag, [][]byte) {
	t.Helper()
	c, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("select %s: %v", folder, err)
	}
	body := &imap.FetchItemBodySection{Peek: true}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	msgs, err := c.Fetch(all, &imap.FetchOptions{Flags: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		t.Fatalf("fetch %s: %v", folder, err)
	}
	var flags [][]imap.Flag
	var raws [][]byte
	for _, m := range msgs {
		flags = append(flags, m.Flags)
		raws = append(raws, m.FindBodySection(body))
	}
	return flags, raws
}

func checkDraft(t *testing.T, s *dovecottest.Server, folder string) {
	t.Helper()
	flags, raws := readDrafts(t, s, folder)
	if len(raws) != 1 {
		t.Fatalf("%s holds %d messages, want 1", folder, len(raws))
	}
	if !bytes.Equal(raws[0], []byte(draftMessage)) {
		t.Errorf("%s holds\n%q\nwant\n%q", folder, raws[0], draftMessage)
	}
	if !slices.Contains(flags[0], imap.FlagDraft) || !slices.Contains(flags[0], imap.FlagSeen) {
		t.Errorf("flags = %v, want \\Draft and \\Seen", flags[0])
	}
}

// A server that marks no folder \Drafts and has none called Drafts gets one, created on the first
// append.
func TestDrafts_CreatesDrafts(t *testing.T) {
	s := startDovecot(t)
	ctx := context.Background()
	folder, err := mailbox.AppendDraft(ctx, draftsAccount(s), syncOptions(), []byte(draftMessage), time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if folder != "Drafts" {
		t.Errorf("folder = %q, want Drafts", folder)
	}
	checkDraft(t, s, "Drafts")

	// The second draft goes to the folder that now exists, beside the first.
	if _, err := mailbox.AppendDraft(ctx, draftsAccount(s), syncOptions(), []byte(draftMessage), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, raws := readDrafts(t, s, "Drafts"); len(raws) != 2 {
		t.Errorf("Drafts holds %d messages after the second append, want 2", len(raws))
	}
}

// The folder the server marks \Drafts wins over one merely called Drafts.
func TestDrafts_SpecialUse(t *testing.T) {
	tmpl, err := os.ReadFile(dovecotConfig)
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "dovecot.conf")
	special := string(tmpl) + "\nnamespace inbox {\n  inbox = yes\n  separator = /\n" +
		"  mailbox Brouillons {\n    special_use = \\Drafts\n    auto = create\n  }\n}\n"
	if err := os.WriteFile(conf, []byte(special), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := dovecottest.Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s, err := dovecottest.Start(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dovecot log:\n%s", s.Log())
		}
		s.Stop()
	})
	if err := s.Deliver("Drafts", time.Time{}); err != nil {
		t.Fatal(err)
	}

	d, err := mailbox.OpenDrafts(context.Background(), draftsAccount(s), syncOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Folder != "Brouillons" {
		t.Fatalf("folder = %q, want Brouillons, the one marked \\Drafts", d.Folder)
	}
	if err := d.Append(context.Background(), []byte(draftMessage), time.Time{}); err != nil {
		t.Fatal(err)
	}
	checkDraft(t, s, "Brouillons")
}

func TestDrafts_Unreachable(t *testing.T) {
	// A loopback port nothing listens on: taken from the kernel and given back.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	acct := data.MailAccount{Host: "127.0.0.1", Port: port, Security: data.MailInsecure, User: dovecottest.User}
	_, err = mailbox.AppendDraft(context.Background(), acct, syncOptions(), []byte(draftMessage), time.Time{})
	if !errors.Is(err, mailbox.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
}
