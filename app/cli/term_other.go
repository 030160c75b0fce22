//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package cli

import (
	"errors"
	"os"
)

// On systems where Backroom cannot switch off echo, it never prompts: the PIN comes from BACKROOM_PIN.
func isTerminal(*os.File) bool { return false }

func readSecret(*os.File) (string, error) {
	return "", errors.New("cannot read a PIN without echo here; set BACKROOM_PIN")
}
