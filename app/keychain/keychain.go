// Package keychain keeps the password of the shop's mailbox in the operating system's keychain: the Secret
// Service (GNOME Keyring, KWallet) on Linux, the login Keychain on macOS and the Credential Manager on
// Windows. Backroom never writes a mail password to its database or to a file; where no keychain exists
// (a server without a desktop session, a minimal Linux), the password is asked for at each sync instead.
//
// The keychain itself is behind the small Backend interface so tests, and the GUI's tests, can use Memory
// instead of the computer's real keychain; go-keyring's own mock is package-level state shared by every
// test in a process.
package keychain

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/zalando/go-keyring"

	"github.com/backroom-app/backroom/data"
)

// Service is the name Backroom's passwords are filed under in the keychain, as the keychain's own
// window shows it.
const Service = "Backroom"

var (
	// ErrNotFound means the keychain works but holds no password for the account.
	ErrNotFound = errors.New("no password is saved in the keychain for this account")
	// ErrUnavailable means this computer has no keychain Backroom can use. Errors of this kind are an
	// *UnavailableError, which says why.
	ErrUnavailable = errors.New("no keychain is available on this computer")
)

// UnavailableError is the error for a computer without a usable keychain. Its message is written for the
// shop owner; Cause holds the technical reason for a log.
type UnavailableError struct {
	Reason string // in plain words: "no desktop session is running"
	Cause  error
}

func (e *UnavailableError) Error() string {
	reason := e.Reason
	if reason == "" && e.Cause != nil {
		reason = e.Cause.Error()
	}
	if reason == "" {
		reason = "none was found"
	}
	return fmt.Sprintf("no keychain is available on this computer (%s), so Backroom asks for the password at each sync and never stores it", reason)
}

// Unwrap gives the technical cause.
func (e *UnavailableError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Backend is a store of secrets by service and key. Get returns an error matching ErrNotFound when there
// is no secret under the key, and any method returns one matching ErrUnavailable when there is no store.
type Backend interface {
	Set(service, key, secret string) error
	Get(service, key string) (string, error)
	Delete(service, key string) error
}

// Keychain reads and writes mail passwords in one Backend under one service name.
type Keychain struct {
	service string
	backend Backend
}

// New returns the keychain of this computer, with passwords filed under Service.
func New() *Keychain { return NewWith(Service, System{}) }

// NewWith returns a keychain over backend, with passwords filed under service: tests pass Memory, or a
// service name of their own so they never touch the owner's real passwords.
func NewWith(service string, backend Backend) *Keychain {
	return &Keychain{service: service, backend: backend}
}

// Key is the name an account's password is filed under: "imap://user@host:port", the form other mail
// programs use too, so the keychain's window shows what it is for. The user name is escaped as URLs
// escape it, so "shop@example.com" reads "shop%40example.com" and the key stays unambiguous.
func Key(acct data.MailAccount) string {
	// Address fills the security's usual port, as SaveMailAccount does, so a key made before saving
	// matches the one after.
	u := url.URL{Scheme: "imap", User: url.User(acct.User), Host: acct.Address()}
	return u.String()
}

// Password returns the password saved for acct. The error matches ErrNotFound when none is saved and
// ErrUnavailable when there is no keychain. A locked keychain may show its unlock dialog; ctx ends the
// wait for it.
func (k *Keychain) Password(ctx context.Context, acct data.MailAccount) (string, error) {
	key := Key(acct)
	var pw string
	err := k.do(ctx, func() (err error) {
		pw, err = k.backend.Get(k.service, key)
		return err
	})
	if err != nil {
		return "", k.wrap("read the password for "+acct.Label(), err)
	}
	return pw, nil
}

// SetPassword saves password for acct, replacing any saved before.
func (k *Keychain) SetPassword(ctx context.Context, acct data.MailAccount, password string) error {
	if password == "" {
		return errors.New("save the password in the keychain: the password is empty")
	}
	key := Key(acct)
	err := k.do(ctx, func() error { return k.backend.Set(k.service, key, password) })
	if err != nil {
		return k.wrap("save the password for "+acct.Label()+" in the keychain", err)
	}
	return nil
}

// DeletePassword removes the password saved for acct, as when the account is removed. Removing a password
// that was never saved is not an error, so removing an account twice is safe.
func (k *Keychain) DeletePassword(ctx context.Context, acct data.MailAccount) error {
	key := Key(acct)
	err := k.do(ctx, func() error { return k.backend.Delete(k.service, key) })
	if err != nil && !errors.Is(err, ErrNotFound) {
		return k.wrap("remove the password for "+acct.Label()+" from the keychain", err)
	}
	return nil
}

// wrap adds what was being done, except to the unavailable error, whose message already says it all.
func (k *Keychain) wrap(doing string, err error) error {
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return err
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// do runs fn, but stops waiting when ctx ends. The keychain calls take no context and may wait on an
// unlock dialog nobody answers; the abandoned call finishes, or not, on its own goroutine.
func (k *Keychain) do(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// System is the operating system's keychain, through github.com/zalando/go-keyring.
type System struct{}

var _ Backend = System{}

// Set saves secret under service and key.
func (System) Set(service, key, secret string) error {
	return systemError(keyring.Set(service, key, secret))
}

// Get reads the secret under service and key.
func (System) Get(service, key string) (string, error) {
	s, err := keyring.Get(service, key)
	return s, systemError(err)
}

// Delete removes the secret under service and key.
func (System) Delete(service, key string) error {
	return systemError(keyring.Delete(service, key))
}

// systemError translates go-keyring's errors into this package's kinds.
func systemError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return &UnavailableError{Reason: "this operating system has no keychain Backroom can use", Cause: err}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("the keychain refused the password as too long: %w", err)
	}
	return platformError(err)
}

// Memory is a Backend in memory, for tests. Down, when set, makes every call fail as a computer without
// a keychain does, with Down as the cause.
type Memory struct {
	Down error

	mu      sync.Mutex
	secrets map[string]string
}

var _ Backend = (*Memory)(nil)

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{} }

// Set saves secret under service and key.
func (m *Memory) Set(service, key, secret string) error {
	if m.Down != nil {
		return &UnavailableError{Cause: m.Down}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secrets == nil {
		m.secrets = map[string]string{}
	}
	m.secrets[service+"\x00"+key] = secret
	return nil
}

// Get reads the secret under service and key.
func (m *Memory) Get(service, key string) (string, error) {
	if m.Down != nil {
		return "", &UnavailableError{Cause: m.Down}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.secrets[service+"\x00"+key]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

// Delete removes the secret under service and key.
func (m *Memory) Delete(service, key string) error {
	if m.Down != nil {
		return &UnavailableError{Cause: m.Down}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := service + "\x00" + key
	if _, ok := m.secrets[k]; !ok {
		return ErrNotFound
	}
	delete(m.secrets, k)
	return nil
}

// Len is how many secrets m holds, so tests can check nothing was left behind.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.secrets)
}
