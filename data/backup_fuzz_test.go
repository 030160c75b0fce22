package data

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzBackupName: names found in the backup folder are outside input; only our exact pattern is a
// backup, and its time round-trips to the same name.
func FuzzBackupName(f *testing.F) {
	for _, s := range []string{"backroom-2026-11-27T041500Z.db", "backroom-2026-02-30T000000Z.db", "backroom-old.db",
		"backroom-2026-11-27T041500Z.db.tmp", ".backroom-backup-123.tmp", "backroom-9999-99-99T999999Z.db", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		at, ok := backupTime(name)
		if !ok {
			return
		}
		if again := "backroom-" + at.Format(backupTimeLayout) + ".db"; again != name {
			t.Errorf("backupTime(%q) = %v, which names %q", name, at, again)
		}
		if at.Location() != time.UTC {
			t.Errorf("backupTime(%q) is not UTC", name)
		}
	})
}

// FuzzFolderNote: the note beside the database may be edited by hand or cut short.
func FuzzFolderNote(f *testing.F) {
	for _, s := range []string{"/media/usb/Backups\n", "Backups", "", "/a/../b", "/x\n/y", "C:\\Backups", "/tmp/\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir, ok := parseFolderNote(b)
		if !ok {
			return
		}
		if !filepath.IsAbs(dir) || strings.ContainsAny(dir, "\x00\n\r") || filepath.Clean(dir) != dir {
			t.Errorf("parseFolderNote(%q) = %q", b, dir)
		}
	})
}
