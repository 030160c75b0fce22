//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd || windows)

package keychain

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
)

// platformError reads the macOS keychain's errors. go-keyring runs /usr/bin/security, so a missing tool
// means there is no keychain to use; other platforms answer keyring.ErrUnsupportedPlatform before this.
func platformError(err error) error {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return &UnavailableError{Reason: "the keychain's security tool is missing", Cause: err}
	}
	return fmt.Errorf("keychain: %w", err)
}
