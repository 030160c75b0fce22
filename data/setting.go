package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Setting is a shop-wide preference stored in the database, so every device of the shop agrees on it.
type Setting string

// The shop's settings.
const (
	// SettingShopName is the shop's name, shown in the window and on documents.
	SettingShopName Setting = "shop_name"
	// SettingShopAddress is where suppliers deliver, one part per line; purchase orders print it.
	SettingShopAddress Setting = "shop_address"
	// SettingCurrency is the currency new products get when none is given.
	SettingCurrency Setting = "currency"
	// SettingVelocityDays is the window, in days, sales velocity is measured over (default 56, 7..365).
	SettingVelocityDays Setting = "velocity_days"
	// SettingServiceLevel is the chance, in percent, of not running out during a lead time that safety
	// stock aims for (default 95, 50..99.9).
	SettingServiceLevel Setting = "service_level"
	// SettingCoverDays is how many days of demand an order should cover beyond the lead time (default 30,
	// 0..365).
	SettingCoverDays Setting = "cover_days"
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
	if err := s.require(PermSettings); err != nil {
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
	case SettingShopAddress:
		if len(value) > 400 || strings.Count(value, "\n") > 7 {
			return errorf(ErrInvalid, "a shop address is at most 8 lines and 400 characters")
		}
	case SettingOverrideNeedsOwner:
		if value != "0" && value != "1" && value != "" {
			return errorf(ErrInvalid, "setting %s is 1 (on) or 0 (off), not %q", key, value)
		}
	case SettingVelocityDays, SettingServiceLevel, SettingCoverDays:
		if value != "" {
			r := planningSettings[key]
			n, err := strconv.ParseFloat(value, 64)
			if err != nil || math.IsNaN(n) || n < r.min || n > r.max || (r.whole && n != math.Trunc(n)) {
				return errorf(ErrInvalid, "setting %s is %s from %s to %s, not %q", key, r.kind(),
					strconv.FormatFloat(r.min, 'f', -1, 64), strconv.FormatFloat(r.max, 'f', -1, 64), value)
			}
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
