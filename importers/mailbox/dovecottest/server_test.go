package dovecottest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDovecot_Start starts the server, delivers mail into two folders and reads the counts back over
// IMAP. Without dovecot installed it is skipped, except in CI, where the server is part of the setup.
func TestDovecot_Start(t *testing.T) {
	if err := Installed(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s, err := Start(context.Background(), filepath.Join("..", "..", "..", "testdata", "dovecot", "dovecot.conf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	templates, err := Templates(filepath.Join("..", "..", "..", "testdata", "mail"))
	if err != nil {
		t.Fatal(err)
	}
	inbox, _ := Mailbox(templates, 1, 25)
	orders, _ := Mailbox(templates, 100, 3)
	if err := s.Deliver("INBOX", time.Now(), inbox...); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver("Orders", time.Time{}, orders...); err != nil {
		t.Fatal(err)
	}
	got, err := s.Index("INBOX", "Orders")
	if err != nil {
		t.Fatalf("%v\n%s", err, s.Log())
	}
	if got[0] != 25 || got[1] != 3 {
		t.Errorf("messages in INBOX, Orders = %v, want [25 3]\n%s", got, s.Log())
	}
}
