package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// DefaultDBPath is the database Backroom uses when no --db is given: $BACKROOM_DB when set, otherwise
// backroom.db in the per-user data folder the operating system expects applications to use:
//
//	Linux and other Unix: $XDG_DATA_HOME/backroom, or ~/.local/share/backroom
//	macOS:                ~/Library/Application Support/Backroom
//	Windows:              %AppData%\Backroom
//
// getenv reads the environment (os.Getenv when nil); the GUI calls this to show where the shop's data lives.
func DefaultDBPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	return defaultDBPath(runtime.GOOS, getenv)
}

func defaultDBPath(goos string, getenv func(string) string) (string, error) {
	if p := getenv("BACKROOM_DB"); p != "" {
		return p, nil
	}
	home := func() (string, error) {
		if h := getenv("HOME"); h != "" && goos != "windows" {
			return h, nil
		}
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home folder for the database (set BACKROOM_DB or use --db): %w", err)
		}
		return h, nil
	}
	switch goos {
	case "windows":
		dir := getenv("APPDATA")
		if dir == "" {
			var err error
			if dir, err = os.UserConfigDir(); err != nil {
				return "", fmt.Errorf("find the AppData folder for the database (set BACKROOM_DB or use --db): %w", err)
			}
		}
		return filepath.Join(dir, "Backroom", "backroom.db"), nil
	case "darwin", "ios":
		h, err := home()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "Library", "Application Support", "Backroom", "backroom.db"), nil
	default:
		// The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
		if dir := getenv("XDG_DATA_HOME"); dir != "" && filepath.IsAbs(dir) {
			return filepath.Join(dir, "backroom", "backroom.db"), nil
		}
		h, err := home()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, ".local", "share", "backroom", "backroom.db"), nil
	}
}

// makeParent creates the folder a database file goes in, readable only by its owner: the file holds
// customers' names and addresses.
func makeParent(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("make the folder %s for the database: %w", dir, pe.Err)
		}
		return fmt.Errorf("make the folder %s for the database: %w", dir, err)
	}
	return nil
}
