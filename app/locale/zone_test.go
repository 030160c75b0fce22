package locale

import (
	"testing"
	"time"
)

func TestZone(t *testing.T) {
	env := func(tz string) func(string) string {
		return func(k string) string {
			if k == "TZ" {
				return tz
			}
			return ""
		}
	}
	if got := Zone(env("Europe/Berlin")).String(); got != "Europe/Berlin" {
		t.Errorf("Zone(TZ=Europe/Berlin) = %s", got)
	}
	if got := Zone(env(":America/New_York")).String(); got != "America/New_York" {
		t.Errorf("Zone(TZ=:America/New_York) = %s", got)
	}
	if got := Zone(env("Nowhere/Atlantis")); got != time.Local && got.String() == "Nowhere/Atlantis" {
		t.Errorf("Zone(TZ=Nowhere/Atlantis) = %s, want the machine's zone", got)
	}
}
