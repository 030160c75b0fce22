package keychain

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"

	"github.com/backroom-app/backroom/data"
)

// SMTPKey is the name the outgoing mail account's password is filed under: "smtp://user@host:port", so
// it never collides with the mailbox's "imap://" key even when both use the same login.
func SMTPKey(acct data.SMTPAccount) string {
	u := url.URL{Scheme: "smtp", User: url.User(acct.User), Host: net.JoinHostPort(acct.Host, strconv.Itoa(acct.Port))}
	return u.String()
}

func smtpLabel(acct data.SMTPAccount) string {
	return acct.User + " on " + acct.Host
}

// SMTPPassword returns the password saved for the outgoing account; the errors are Password's.
func (k *Keychain) SMTPPassword(ctx context.Context, acct data.SMTPAccount) (string, error) {
	key := SMTPKey(acct)
	var pw string
	err := k.do(ctx, func() (err error) {
		pw, err = k.backend.Get(k.service, key)
		return err
	})
	if err != nil {
		return "", k.wrap("read the sending password for "+smtpLabel(acct), err)
	}
	return pw, nil
}

// SetSMTPPassword saves the outgoing account's password, replacing any saved before.
func (k *Keychain) SetSMTPPassword(ctx context.Context, acct data.SMTPAccount, password string) error {
	if password == "" {
		return errors.New("save the sending password in the keychain: the password is empty")
	}
	key := SMTPKey(acct)
	if err := k.do(ctx, func() error { return k.backend.Set(k.service, key, password) }); err != nil {
		return k.wrap("save the sending password for "+smtpLabel(acct)+" in the keychain", err)
	}
	return nil
}

// DeleteSMTPPassword removes the outgoing account's password; removing one never saved is no error.
func (k *Keychain) DeleteSMTPPassword(ctx context.Context, acct data.SMTPAccount) error {
	key := SMTPKey(acct)
	err := k.do(ctx, func() error { return k.backend.Delete(k.service, key) })
	if err != nil && !errors.Is(err, ErrNotFound) {
		return k.wrap("remove the sending password for "+smtpLabel(acct)+" from the keychain", err)
	}
	return nil
}
