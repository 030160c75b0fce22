package filename

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFromText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Fern & Kettle", "Fern & Kettle"},
		{"../../etc/passwd", "etcpasswd"},
		{"..", "fallback"},
		{".", "fallback"},
		{"", "fallback"},
		{"   ", "fallback"},
		{`C:\x`, "Cx"},
		{`\\server\share\x`, "serversharex"},
		{"/etc/passwd", "etcpasswd"},
		{"shop\x00.db", "shop.db"},
		{"a\r\nb\tc", "a b c"},
		{"name.", "name"},
		{" .hidden", "hidden"},
		{`what?*"<>|`, "what"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"Com1", "_Com1"},
		{"LPT9.xlsx", "_LPT9.xlsx"},
		{"CONSOLE", "CONSOLE"},
		{"COM10", "COM10"},
		{"Crème brûlée", "Crème brûlée"},
		{"a\u202eexe.pdf", "aexe.pdf"}, // right-to-left override: a name that reads backwards
		{"bad\xffutf8", "badutf8"},
	} {
		if got := FromText(c.in, "fallback"); got != c.want {
			t.Errorf("FromText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("é", 100) // 200 bytes
	got := FromText(long, "x")
	if len(got) > maxBytes || !utf8.ValidString(got) || got != strings.Repeat("é", maxBytes/2) {
		t.Errorf("FromText(100 × é) = %q (%d bytes)", got, len(got))
	}
}

// FuzzFromText: whatever the text, the name stays in the folder it is joined to.
func FuzzFromText(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", `C:\x`, "a\x00b", "CON", "..", "é", "a/b/../c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name := FromText(s, "fallback")
		if name == "" || len(name) > maxBytes+1 || !utf8.ValidString(name) {
			t.Fatalf("FromText(%q) = %q", s, name)
		}
		if strings.ContainsAny(name, "/\\:\x00") || name == "." || name == ".." {
			t.Fatalf("FromText(%q) = %q is not one name", s, name)
		}
		dir := filepath.Join("base", "folder")
		if p := filepath.Join(dir, name); filepath.Dir(p) != dir {
			t.Fatalf("FromText(%q) = %q leaves the folder: %s", s, name, p)
		}
	})
}
