//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keychain

import (
	"errors"
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

// platformError reads the Secret Service's errors. go-keyring reaches it over the D-Bus session bus, so
// "no keychain" shows up either as no bus at all (a server, an SSH login, a container) or as a bus on
// which no program answers for the Secret Service.
func platformError(err error) error {
	var name string
	var de dbus.Error
	var dep *dbus.Error
	switch {
	case errors.As(err, &de):
		name = de.Name
	case errors.As(err, &dep):
		name = dep.Name
	}
	switch {
	case name == "org.freedesktop.DBus.Error.ServiceUnknown", name == "org.freedesktop.DBus.Error.NameHasNoOwner",
		strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn."):
		return &UnavailableError{Reason: "no Secret Service such as GNOME Keyring or KWallet is running", Cause: err}
	case name == "org.freedesktop.Secret.Error.NoSuchObject":
		return &UnavailableError{Reason: "the Secret Service has no default keyring to keep passwords in", Cause: err}
	case name != "":
		return fmt.Errorf("keychain: %w", err)
	case strings.Contains(err.Error(), "failed to unlock"):
		// go-keyring's words when the unlock dialog was dismissed or could not be shown.
		return fmt.Errorf("the keychain stayed locked, so the password could not be read or saved: %w", err)
	}
	// Any other failure happened before a call reached the bus: there is no session bus to talk to.
	return &UnavailableError{Reason: "no desktop session bus (D-Bus) is running", Cause: err}
}
