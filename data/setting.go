package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Setting is a shop-wide preference stored in the database, so every device of the shop agrees on it.
type Setting string

// The shop's settings.
const (
	// SettingShopName is the shop's name, shown in the window and on documents.
	SettingShopName Setting = "shop_name"
	// SettingCurrency is the currency new products get when none is given.
	SettingCurrency Setting = "currency"
)

func (k Setting) metaKey() string { return "setting." + string(k) }

// Setting returns a shop setting, or "" when it was never set.
func (s *Store) Setting(ctx context.Context, key Setting) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key.metaKey()).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting changes a shop setting. Only an owner may.
func (s *Store) SetSetting(ctx context.Context, key Setting, value string) error {
	if err := s.require(PermManageUsers); err != nil {
		return err
	}
	value = strings.TrimSpace(value)
	switch key {
	case SettingCurrency:
		value = strings.ToUpper(value)
		if !ValidCurrency(value) {
			return errorf(ErrInvalid, "currency %q is not a three-letter ISO code such as GBP, EUR or USD", value)
		}
	case SettingShopName:
		if len(value) > 100 {
			return errorf(ErrInvalid, "a shop name is at most 100 characters")
		}
	case SettingOverrideNeedsOwner:
		if value != "0" && value != "1" && value != "" {
			return errorf(ErrInvalid, "setting %s is 1 (on) or 0 (off), not %q", key, value)
		}
	default:
		return errorf(ErrInvalid, "there is no setting %q", key)
	}
	return s.update(ctx, func(t *tx) error {
		var before sql.NullString
		if err := t.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key.metaKey()).Scan(&before); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read setting %s: %w", key, err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
			key.metaKey(), value); err != nil {
			return fmt.Errorf("save setting %s: %w", key, err)
		}
		var b any
		if before.Valid {
			b = before.String
		}
		return t.audit(ctx, "set", "setting", string(key), b, value)
	})
}
