// Package locale gives the process a locale Fyne can parse when it runs under the bare C locale, as it
// does in containers, CI and cron ("C", "C.UTF-8", "POSIX"). Fyne reads the locale while its packages
// initialise and logs a parse error for those, which would land in the middle of every command's output.
//
// It works by its init function alone, so main imports it for that effect. Go initialises packages in
// import-path order once their own imports are ready: this one needs only the standard library, so it
// runs long before fyne.io/fyne/v2/lang, whose dependencies are many.
//
// Zone, the machine's time zone by name, is the other half of the user's locale that Backroom reads.
package locale

import "os"

func init() {
	Fix(os.Getenv, os.Setenv)
}

// Fix sets LANG to en_US.UTF-8 when the effective locale is the C or POSIX one. A real locale the user
// chose is left alone.
func Fix(getenv func(string) string, setenv func(string, string) error) {
	for _, key := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(key)
		if v == "" {
			continue
		}
		if !plain(v) {
			return
		}
		if key != "LANG" {
			setenv(key, "en_US.UTF-8")
		}
		break
	}
	if v := getenv("LANG"); v == "" || plain(v) {
		setenv("LANG", "en_US.UTF-8")
	}
}

func plain(v string) bool {
	switch v {
	case "C", "POSIX", "C.UTF-8", "C.utf8", "C.UTF8":
		return true
	}
	return false
}
