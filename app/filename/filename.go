// Package filename makes one safe file name out of outside text (a shop's, supplier's or sheet's name, a
// name from a mail), so such text never decides where Backroom writes: no folder separators, no "..",
// no drive letters, no control characters or NUL, nothing Windows refuses in a name, and not too long.
// The result is one path component for the folder the user chose; the folder itself always comes from
// the user (a save dialog, --out), never from the data.
package filename

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxBytes keeps a name, with the suffix a caller adds ("… accounts 2026-Q3.xlsx"), under the 255-byte
// limit of common file systems.
const maxBytes = 120

// FromText is s as one file name component, or fallback when nothing of s is left: separators (/ and
// \), the characters Windows forbids in names (: * ? " < > |), control characters and NUL are dropped,
// line breaks, tabs and runs of white space become one space, dots and spaces are trimmed from both ends (so "..", "." and
// "name." cannot reach a parent folder or be changed by Windows), a Windows device name (CON, NUL,
// COM1, LPT1…, with or without an extension) gets an underscore in front, and the result is cut to at
// most 120 bytes on a character boundary.
func FromText(s, fallback string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return -1
		}
		return r
	}, s)
	s = strings.Trim(strings.Join(strings.Fields(s), " "), ". ")
	if len(s) > maxBytes {
		cut := maxBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimRight(s[:cut], ". ")
	}
	if s == "" {
		return fallback
	}
	if windowsDevice(s) {
		s = "_" + s
	}
	return s
}

// windowsDevice reports whether Windows takes name for a device, whatever its extension: CON, PRN, AUX,
// NUL, COM0–9 and LPT0–9 (with ¹²³ too), in any case.
func windowsDevice(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimSpace(base))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) >= 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}
