package data

import (
	"errors"
	"fmt"
)

// The error kinds every caller can test with errors.Is. The wrapped message carries the detail;
// the kind decides how the app reacts (show a form error, refuse, offer to retry).
var (
	// ErrNotFound means the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write clashes with what is stored (a duplicate SKU, a status that would go backwards).
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the input itself is wrong (an empty name, a negative price).
	ErrInvalid = errors.New("invalid")
	// ErrPermission means the signed-in user's role may not do this.
	ErrPermission = errors.New("not allowed")
	// ErrNotBackroom means the file is a database, but not one of ours.
	ErrNotBackroom = errors.New("not a Backroom database")
	// ErrTooNew means the database was written by a newer Backroom than this one.
	ErrTooNew = errors.New("database is from a newer version of Backroom")
)

// Error is an application error: a kind from the list above and a message written for the shop owner.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap lets errors.Is match the kind.
func (e *Error) Unwrap() error { return e.Kind }

func errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// UserMessage is the text to show a person for err: the application message when there is one, and a
// generic line otherwise, because driver errors mean nothing to a shop owner (they belong in the log).
func UserMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	for _, kind := range []error{ErrNotBackroom, ErrTooNew} {
		if errors.Is(err, kind) {
			return err.Error()
		}
	}
	return "Something went wrong inside Backroom; the details are in the log."
}
