package locale

import (
	"os"
	"strings"
	"time"
)

// Zone is this computer's time zone under its own name (Europe/London) rather than Go's "Local": the
// accounts export log tells periods apart by zone, so an export from the window and one made with
// "backroom export accounts --tz Europe/London" must name the same zone to be compared. It reads TZ
// through getenv, then where /etc/localtime points; without either (Windows) it is time.Local.
func Zone(getenv func(string) string) *time.Location {
	name := strings.TrimPrefix(getenv("TZ"), ":")
	if name == "" {
		if link, err := os.Readlink("/etc/localtime"); err == nil {
			_, name, _ = strings.Cut(link, "zoneinfo/")
		}
	}
	if name != "" && !strings.EqualFold(name, "local") {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.Local
}
