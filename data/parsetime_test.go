package data

import (
	"testing"
	"time"
)

// parseTime's fast path must read exactly what time.Parse reads, and leave everything else to it.
func TestParseTime_MatchesTimeParse(t *testing.T) {
	for _, s := range []string{
		"2026-11-27T01:02:03.456Z", "2024-02-29T23:59:59.999Z", "1999-12-31T00:00:00.000Z",
		"2026-04-31T10:00:00.000Z", "2026-13-01T10:00:00.000Z", "2026-11-27T24:00:00.000Z", "2026-11-27T01:02:60.000Z",
		"2026-11-27T01:02:03.45xZ", "2026-11-27 01:02:03.456Z", "2026-11-27T01:02:03Z", "2026-11-27T01:02:03.456+01:00", "",
	} {
		want, err := time.Parse(timeLayout, s)
		if err != nil {
			want, _ = time.Parse(time.RFC3339Nano, s)
		}
		if got := parseTime(s); !got.Equal(want) || got.Location() != want.Location() && !got.IsZero() {
			t.Errorf("parseTime(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	f.Add("2026-11-27T01:02:03.456Z")
	f.Add("2026-02-30T01:02:03.456Z")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := time.Parse(timeLayout, s)
		if err != nil {
			want, _ = time.Parse(time.RFC3339Nano, s)
		}
		if got := parseTime(s); !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, want %v", s, got, want)
		}
	})
}
