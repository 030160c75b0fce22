package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestCredentials_OnlyInKeychain saves a mailbox and an outgoing mail account with passwords through the
// same forms the owner uses, syncs the mailbox, makes a backup, and then looks for the passwords in every
// byte Backroom wrote: the database file, its -wal and -shm, the backup, the log output, and the audit
// log. They must be in the keychain and nowhere else.
func TestCredentials_OnlyInKeychain(t *testing.T) {
	const mailPassword, smtpPassword = "Qz7-mailbox-Pw-4481", "Vk2-sending-Pw-9035"
	var logged bytes.Buffer
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })

	ctx := context.Background()
	port := startMailServer(t, "orders@example.com", mailPassword, mixedMailbox...)
	a := newTestApp(t)
	holdUI(t, a)

	mail := showScreen[*mailScreen](t, a, sectionMail)
	connectTestMailbox(t, a, mail, port, mailPassword)
	accts, err := a.base.MailAccounts(ctx)
	if err != nil || len(accts) != 1 {
		t.Fatalf("MailAccounts = %v, %v; want the one just saved", accts, err)
	}
	if pw, err := a.keys.Password(ctx, accts[0]); err != nil || pw != mailPassword {
		t.Fatalf("keychain holds mailbox password %q, %v", pw, err)
	}

	m := openMessageSettings(t, a, 2)
	f := m.account
	f.route.SetSelected(routeSMTPLabel)
	f.host.SetText("smtp.example.com")
	f.security.SetSelected(securityTLS)
	f.user.SetText("shop@example.com")
	f.from.SetText("hello@example.com")
	f.password.SetText(smtpPassword)
	test.Tap(f.save)
	waitUI(a)
	smtp, err := a.base.SMTPAccount(ctx)
	if err != nil {
		t.Fatalf("SMTPAccount: %v (note %q)", err, f.note.Text)
	}
	if pw, err := a.keys.SMTPPassword(ctx, smtp); err != nil || pw != smtpPassword {
		t.Fatalf("keychain holds sending password %q, %v", pw, err)
	}
	// A connection test that fails writes its error where errors go; the password must not be in it.
	f.host.SetText("127.0.0.1")
	f.port.SetText("1")
	f.security.SetSelected(securityNone)
	f.password.SetText(smtpPassword)
	test.Tap(f.test)
	waitUI(a)

	backups := t.TempDir()
	if err := a.base.SetBackupFolder(ctx, backups); err != nil {
		t.Fatalf("SetBackupFolder: %v", err)
	}
	if _, err := a.base.Backup(ctx, nil); err != nil {
		t.Fatalf("Backup: %v", err)
	}

	secrets := map[string][]byte{}
	for _, pw := range []string{mailPassword, smtpPassword} {
		secrets[pw] = []byte(pw)
		secrets[pw+" (base64)"] = []byte(base64.StdEncoding.EncodeToString([]byte(pw)))
		secrets[pw+" (UTF-16)"] = utf16le(pw)
	}
	look := func(where string, b []byte) {
		for name, s := range secrets {
			if bytes.Contains(b, s) {
				t.Errorf("%s holds the password %s", where, name)
			}
		}
	}
	files := 0
	for _, dir := range []string{filepath.Dir(a.base.Path()), backups} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			look(path, b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The database, its WAL (where the latest writes still are) and the backup at least.
	wal, _ := os.Stat(a.base.Path() + "-wal")
	if files < 3 || wal == nil || wal.Size() == 0 {
		t.Errorf("read %d files, WAL %v; want the database, a non-empty WAL and a backup", files, wal)
	}
	look("the log output", logged.Bytes())
	entries, err := a.base.AuditLog(ctx, "", "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("the audit log is empty")
	}
	for _, e := range entries {
		look("audit entry "+e.Action+" "+e.Entity, []byte(e.Before+e.After))
	}
	// The mailbox's user name is no secret and is stored: the check above would find a stored password.
	if raw, _ := os.ReadFile(a.base.Path()); !bytes.Contains(raw, []byte("orders@example.com")) &&
		!walHas(a.base.Path(), "orders@example.com") {
		t.Error("the mailbox user name is in neither the database nor its WAL: the search reads the wrong files")
	}
}

func walHas(db, s string) bool {
	b, _ := os.ReadFile(db + "-wal")
	return bytes.Contains(b, []byte(s))
}

func utf16le(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}
