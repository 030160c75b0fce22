package data

import (
	"errors"
	"os"

	"github.com/mattn/go-sqlite3"
)

// ErrStorage means the database file itself could not be read or written: the disk is full, the file
// or its folder is read-only, the disk or network failed, or another program kept the file locked. The
// change asked for did not happen, and nothing stored before is affected.
var ErrStorage = errors.New("the database file could not be used")

// storageError turns a failure of the database file into a message that names the file and says what
// to do, since SQLite's own words ("attempt to write a readonly database", "disk I/O error") tell a shop
// owner neither. Any other error comes back as it is. inWrite says the error ended a change, which
// SQLite rolled back whole: the message then says nothing of it was saved.
func storageError(path string, err error, inWrite bool) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	after := ""
	if inWrite {
		after = "; nothing was saved from this change"
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		// Before SQLite has the file: checkHeader reading it, or a folder that cannot be made.
		if errors.Is(err, os.ErrPermission) {
			return &storageErr{&Error{Kind: ErrStorage, Message: "Backroom may not open " + path +
				": the file or its folder does not allow it. Give yourself access to them, or move the shop to a folder of your own, and try again" + after + "."}, err}
		}
		return err
	}
	var msg string
	switch se.Code {
	case sqlite3.ErrFull:
		msg = "The disk holding " + path + " is full: free some space and try again" + after + "."
	case sqlite3.ErrReadonly, sqlite3.ErrPerm:
		msg = path + " cannot be written: the file, its folder or its disk is read-only. " +
			"Make them writable (or copy the shop to a folder you can write to and open it there), and try again" + after + "."
	case sqlite3.ErrCantOpen:
		msg = "Backroom cannot open " + path + ": its folder is missing or cannot be written (Backroom keeps two " +
			"working files beside the shop). Check that the folder exists and that you may write to it, and try again" + after + "."
	case sqlite3.ErrIoErr:
		msg = "The disk holding " + path + " failed to read or write (a disk, USB stick or network drive that is full, " +
			"unplugged or failing). Check the disk and try again" + after + "."
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		msg = path + " is busy: another program kept it locked for too long (a backup or sync tool, or a stuck Backroom). " +
			"Try again in a moment" + after + "."
	default:
		return err
	}
	return &storageErr{&Error{Kind: ErrStorage, Message: msg}, err}
}

// storageErr is the message for the owner with SQLite's error kept underneath for the log: its text
// says both, and errors.As still finds the *Error.
type storageErr struct {
	owner *Error
	cause error
}

func (e *storageErr) Error() string { return e.owner.Message + " (" + e.cause.Error() + ")" }

// Unwrap gives the message, whose kind is ErrStorage, and the cause.
func (e *storageErr) Unwrap() []error { return []error{e.owner, e.cause} }
