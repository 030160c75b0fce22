// Command backroom is Backroom, the back office for small online shops: run with no arguments it opens
// the desktop app; with a subcommand it works on the same database from the command line.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/backroom-app/backroom/app"
	"github.com/backroom-app/backroom/app/cli"
	_ "github.com/backroom-app/backroom/app/locale" // before Fyne reads the locale; see its doc
	"github.com/backroom-app/backroom/data"
)

const (
	appID   = "app.backroom.desktop" // matches FyneApp.toml
	version = "0.1.0"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], cli.Env{
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Stdin:   os.Stdin,
		Getenv:  os.Getenv,
		OpenGUI: openGUI,
		Version: versionString(),
	})
	stop()
	os.Exit(code)
}

// openGUI runs the desktop app on the database at path until its window closes.
func openGUI(ctx context.Context, path string) error {
	if err := app.CheckDisplay(os.Getenv); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create the folder for %s: %w", path, err)
	}
	store, err := data.Open(ctx, path, data.Options{})
	if errors.Is(err, data.ErrDamaged) {
		// The damaged file stays untouched; the recovery window offers a backup instead.
		app.RunRecovery(ctx, fyneapp.NewWithID(appID), path, err)
		return nil
	}
	if err != nil {
		// Also returned, so a terminal that started Backroom shows it too.
		app.ShowOpenFailed(fyneapp.NewWithID(appID), path, err)
		return err
	}
	defer store.Close()
	fa := fyneapp.NewWithID(appID)
	ui := app.New(ctx, fa, store)
	// Ctrl+C in the terminal that started the window quits it like closing the window would.
	stopQuit := context.AfterFunc(ctx, func() { fyne.Do(fa.Quit) })
	defer stopQuit()
	ui.Start()
	ui.Window().ShowAndRun()
	ui.Stop()
	return nil
}

// versionString is the release version plus the commit it was built from, when the build knows it.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+changes"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return version
	}
	return version + " (" + rev + dirty + ")"
}
