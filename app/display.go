package app

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// CheckDisplay says, in one line, why no window can open, instead of letting the graphics driver panic
// on a server or an SSH session without X forwarding.
func CheckDisplay(getenv func(string) string) error {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios", "js":
		return nil
	}
	if getenv("WAYLAND_DISPLAY") != "" {
		return nil
	}
	display := getenv("DISPLAY")
	if display == "" {
		return errors.New("no display to open a window on (DISPLAY is not set); the command-line subcommands work without one: see backroom --help")
	}
	// A local display ":N" has a socket we can check; a remote one we leave to the driver.
	if rest, ok := strings.CutPrefix(display, ":"); ok {
		n, _, _ := strings.Cut(rest, ".")
		sock := "/tmp/.X11-unix/X" + n
		if _, err := os.Stat(sock); err != nil {
			return fmt.Errorf("no X server is running on display %s; the command-line subcommands work without one: see backroom --help", display)
		}
	}
	return nil
}
