package accountsbook

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// A shop name from outside never takes the workbook out of the folder the user chose.
func TestFileName_PathTraversal(t *testing.T) {
	p := data.AccountsPeriod{From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), Location: time.UTC}
	for shop, want := range map[string]string{
		"../../etc/passwd": "etcpasswd accounts 2026-10.xlsx",
		`C:\x`:             "Cx accounts 2026-10.xlsx",
		"a\x00b":           "ab accounts 2026-10.xlsx",
		"..":               "Backroom accounts 2026-10.xlsx",
		"NUL":              "_NUL accounts 2026-10.xlsx",
	} {
		got := FileName(p, shop)
		if got != want {
			t.Errorf("FileName(%q) = %q, want %q", shop, got, want)
		}
		if dir := filepath.Join("out", "here"); filepath.Dir(filepath.Join(dir, got)) != dir {
			t.Errorf("FileName(%q) = %q leaves the folder", shop, got)
		}
	}
}
