package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The sign-in back-off: after loginFreeTries wrong PINs in a row for one name, that name is locked for
// loginFirstLock, twice as long after each further wrong PIN, never longer than loginMaxLock. A 4-digit
// PIN falls to 10,000 guesses; with this back-off they take months, while a person who mistypes a few
// times waits half a minute.
const (
	loginFreeTries = 5
	loginFirstLock = 30 * time.Second
	loginMaxLock   = 15 * time.Minute
)

// decoyHash is checked against the PIN typed for a name nobody has, so that answer takes as long as a
// wrong PIN for a real user. It is the hash of no PIN anyone can type (the salt and key are fixed).
const decoyHash = "$argon2id$v=19$m=19456,t=2,p=1$YmFja3Jvb20tZGVjb3ktc2FsdA$QmFja3Jvb20gZGVjb3kga2V5IG9mIDMyIGJ5dGVzISE"

// loginLock is how long a name is locked after its failures-th wrong PIN in a row.
func loginLock(failures int) time.Duration {
	if failures < loginFreeTries {
		return 0
	}
	d := loginFirstLock
	for i := loginFreeTries; i < failures && d < loginMaxLock; i++ {
		d *= 2
	}
	return min(d, loginMaxLock)
}

// lockedFor reports how long name stays locked from now; 0 when it may try.
func (s *Store) lockedFor(ctx context.Context, name string) (time.Duration, error) {
	var until sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT locked_until FROM login_guard WHERE name = ?`, name).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !until.Valid) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sign in %q: read wrong-PIN count: %w", name, err)
	}
	return max(parseTime(until.String).Sub(s.now()), 0), nil
}

// signInFailed counts a wrong PIN for name, locks it when that was one too many, writes the audit entries
// and returns the answer to give: "wrong name or PIN", or how long to wait.
func (s *Store) signInFailed(ctx context.Context, u User, name string) error {
	var failures int
	var lock time.Duration
	err := s.update(ctx, func(t *tx) error {
		if err := t.QueryRowContext(ctx, `INSERT INTO login_guard(name, failures, last_failure) VALUES (?, 1, ?)
			ON CONFLICT(name) DO UPDATE SET failures = failures + 1, last_failure = excluded.last_failure
			RETURNING failures`, name, t.nowText()).Scan(&failures); err != nil {
			return fmt.Errorf("sign in %q: count the wrong PIN: %w", name, err)
		}
		if lock = loginLock(failures); lock > 0 {
			if _, err := t.ExecContext(ctx, `UPDATE login_guard SET locked_until = ? WHERE name = ?`,
				formatTime(t.now.Add(lock)), name); err != nil {
				return fmt.Errorf("sign in %q: lock: %w", name, err)
			}
		}
		if err := t.auditSignIn(ctx, u, "sign_in_failed", name, map[string]any{"failures": failures}); err != nil {
			return err
		}
		if lock > 0 {
			return t.auditSignIn(ctx, u, "locked_out", name, map[string]any{"locked_s": waitSeconds(lock)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if lock > 0 {
		return lockedOutError(name, lock)
	}
	return errorf(ErrPermission, "wrong name or PIN")
}

// recordSignIn writes one sign-in audit entry in its own transaction.
func (s *Store) recordSignIn(ctx context.Context, u User, action, name string, detail map[string]any) error {
	return s.update(ctx, func(t *tx) error { return t.auditSignIn(ctx, u, action, name, detail) })
}

// auditSignIn records a sign-in attempt: the name as typed (an unknown name has no user id) and detail,
// never the PIN.
func (t *tx) auditSignIn(ctx context.Context, u User, action, name string, detail map[string]any) error {
	after := map[string]any{"name": name}
	for k, v := range detail {
		after[k] = v
	}
	return t.audit(ctx, action, "user", u.ID, nil, after)
}

// LockedOutError is Login's answer for a name locked after too many wrong PINs. It is an ErrPermission
// like any refused sign-in, and its message, which UserMessage gives, says how long to wait; Wait lets
// the sign-in screen count down.
type LockedOutError struct {
	Name string        // the name as typed
	Wait time.Duration // from when Login answered
}

func (e *LockedOutError) Error() string {
	return fmt.Sprintf("Too many wrong PINs for %s: try again in %s.", e.Name, waitText(e.Wait))
}

// Is makes errors.Is(err, ErrPermission) true.
func (e *LockedOutError) Is(target error) bool { return target == ErrPermission }

// As lets errors.As find an *Error in it, so UserMessage shows the message rather than a generic line.
func (e *LockedOutError) As(target any) bool {
	if p, ok := target.(**Error); ok {
		*p = &Error{Kind: ErrPermission, Message: e.Error()}
		return true
	}
	return false
}

func lockedOutError(name string, wait time.Duration) error {
	return &LockedOutError{Name: name, Wait: wait}
}

// waitSeconds rounds a wait up to whole seconds, so "0 seconds" is never shown while still locked.
func waitSeconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

// waitText says a wait the way a person reads it: seconds up to two minutes, whole minutes (rounded up)
// beyond.
func waitText(d time.Duration) string {
	s := waitSeconds(d)
	switch {
	case s == 1:
		return "1 second"
	case s < 120:
		return fmt.Sprintf("%d seconds", s)
	}
	return fmt.Sprintf("%d minutes", (s+59)/60)
}
