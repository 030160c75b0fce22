package sheetcell

import (
	"strings"
	"testing"
)

func TestTextAndCell(t *testing.T) {
	for _, c := range []struct{ in, text, cell string }{
		{"", "", ""},
		{"Anna Smith", "Anna Smith", "Anna Smith"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"=1+1", "'=1+1", "'=1+1"},
		{"@SUM(A1)", "'@SUM(A1)", "'@SUM(A1)"},
		{"+1-555-0100", "'+1-555-0100", "'+1-555-0100"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"\t=1", "'\t=1", "'\t=1"},
		{"\r=1", "'\r=1", "'\r=1"},
		{"-12.50", "'-12.50", "-12.50"},
		{"+3", "'+3", "+3"},
		{"-7", "'-7", "-7"},
		{"-", "'-", "'-"},
		{"-.5", "'-.5", "'-.5"},
		{"-12.", "'-12.", "'-12."},
		{"-1.2.3", "'-1.2.3", "'-1.2.3"},
		{"-1e5", "'-1e5", "'-1e5"},
		{"-12,50", "'-12,50", "'-12,50"},
		{"-BLUE", "'-BLUE", "'-BLUE"},
		{"12.50", "12.50", "12.50"},
		{"a=b", "a=b", "a=b"},
		{" =1", " =1", " =1"},
		{"'=1", "'=1", "'=1"},
	} {
		if got := Text(c.in); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := Cell(c.in); got != c.cell {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.cell)
		}
	}
}

func TestRow(t *testing.T) {
	rec := []string{"#1001", "=cmd", "-3.00", "@x"}
	got := Row(rec)
	want := []string{"#1001", "'=cmd", "-3.00", "'@x"}
	if strings.Join(got, "|") != strings.Join(want, "|") || &got[0] != &rec[0] {
		t.Errorf("Row = %q, want %q in place", got, want)
	}
}

// FuzzCell checks the promise for any text: what Cell returns never starts like a formula unless it is
// a plain signed number, and Text and Cell only ever add one apostrophe.
func FuzzCell(f *testing.F) {
	for _, s := range []string{"", "=1", "-12.50", "+", "@", "\t", "-1-1", "plain", "-1."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, got := range []string{Text(s), Cell(s)} {
			if got != s && got != "'"+s {
				t.Fatalf("%q became %q", s, got)
			}
		}
		if Risky(Text(s)) {
			t.Fatalf("Text(%q) = %q still starts like a formula", s, Text(s))
		}
		if got := Cell(s); Risky(got) && !plainNumber(got[1:]) {
			t.Fatalf("Cell(%q) = %q still starts like a formula", s, got)
		}
	})
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"MUG-BLUE":                      "MUG-BLUE",
		"-A1":                           "-A1",
		"+44":                           "+44",
		"=A1+B1":                        "=A1+B1",
		`=HYPERLINK("http://x","y")`:    `'=HYPERLINK("http://x","y")`,
		"@SUM(A1:A9)":                   "'@SUM(A1:A9)",
		"=cmd|' /C calc'!A0":            "'=cmd|' /C calc'!A0",
		"-2+3+cmd|' /C calc'!A0":        "'-2+3+cmd|' /C calc'!A0",
		"='http://x/[a.xlsx]Sheet1'!A1": "'='http://x/[a.xlsx]Sheet1'!A1",
		"Mug (blue)":                    "Mug (blue)",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
	rec := []string{"-A1", "=X()"}
	if got := KeyRow(rec); got[0] != "-A1" || got[1] != "'=X()" {
		t.Errorf("KeyRow = %q", got)
	}
}
