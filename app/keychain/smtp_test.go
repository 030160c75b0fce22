package keychain

import (
	"context"
	"errors"
	"testing"

	"github.com/backroom-app/backroom/data"
)

func TestSMTPPassword(t *testing.T) {
	ctx := context.Background()
	mem := NewMemory()
	k := NewWith("backroom-test", mem)
	acct := data.SMTPAccount{Host: "smtp.example.com", Port: 587, User: "shop@example.com"}
	if got, want := SMTPKey(acct), "smtp://shop%40example.com@smtp.example.com:587"; got != want {
		t.Errorf("SMTPKey = %q, want %q", got, want)
	}
	if _, err := k.SMTPPassword(ctx, acct); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SMTPPassword before saving: err = %v, want ErrNotFound", err)
	}
	if err := k.SetSMTPPassword(ctx, acct, ""); err == nil {
		t.Error("SetSMTPPassword accepted an empty password")
	}
	if err := k.SetSMTPPassword(ctx, acct, "pw"); err != nil {
		t.Fatal(err)
	}
	// The mailbox account with the same login is another key: the two passwords never overwrite each other.
	imap := data.MailAccount{Host: "smtp.example.com", Port: 587, User: "shop@example.com"}
	if _, err := k.Password(ctx, imap); !errors.Is(err, ErrNotFound) {
		t.Errorf("the IMAP key found the SMTP password: %v", err)
	}
	if pw, err := k.SMTPPassword(ctx, acct); err != nil || pw != "pw" {
		t.Fatalf("SMTPPassword = %q, %v", pw, err)
	}
	if err := k.DeleteSMTPPassword(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := k.DeleteSMTPPassword(ctx, acct); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if mem.Len() != 0 {
		t.Errorf("the keychain still holds %d secrets", mem.Len())
	}
}
