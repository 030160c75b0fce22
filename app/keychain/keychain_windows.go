package keychain

import (
	"errors"
	"fmt"
	"syscall"
)

// errNoSuchLogonSession is what the Credential Manager answers to a process with no user logged on, such as
// a service or a scheduled task running without a profile.
const errNoSuchLogonSession = syscall.Errno(1312)

// platformError reads the Credential Manager's errors.
func platformError(err error) error {
	if errors.Is(err, errNoSuchLogonSession) {
		return &UnavailableError{Reason: "Windows has no logged-on user to keep credentials for", Cause: err}
	}
	return fmt.Errorf("keychain: %w", err)
}
