package data

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The hub's records (sync_hub_*, migration 0021) live only on the machine that hosts the shop's sync
// hub: which devices may connect, the one-time pairing secrets, and the hub's TLS identity. They are not
// shop data and are never synced. Every method here is the owner's: they hold or check credentials.

// HubIdentity is the hub's TLS certificate and private key, PEM encoded.
type HubIdentity struct {
	CertPEM string
	KeyPEM  string
}

// HubDevice is a device the hub lets in.
type HubDevice struct {
	ID       string    `json:"id"` // the device's id, also its hub user name
	Name     string    `json:"name"`
	PairedAt time.Time `json:"paired_at"`
	LastSeen time.Time `json:"last_seen"` // zero until it first connects
}

// hashSecret is how hub passwords and pairing secrets are kept. They are long random strings made by
// the hub, never chosen by a person, so a plain SHA-256 is as good as a slow password hash here.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// HubIdentity returns the hub's certificate and key, making them with create the first time: devices
// pin the certificate when they pair, so it must survive restarts. Owner only.
func (s *Store) HubIdentity(ctx context.Context, create func() (HubIdentity, error)) (HubIdentity, error) {
	if err := s.require(PermSettings); err != nil {
		return HubIdentity{}, err
	}
	var id HubIdentity
	err := s.read.QueryRowContext(ctx, `SELECT cert_pem, key_pem FROM sync_hub_identity WHERE id = 1`).Scan(&id.CertPEM, &id.KeyPEM)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return HubIdentity{}, fmt.Errorf("read hub identity: %w", err)
	}
	made, err := create()
	if err != nil {
		return HubIdentity{}, fmt.Errorf("make hub identity: %w", err)
	}
	err = s.update(ctx, func(t *tx) error {
		// Another process may have made one meanwhile: the first one kept wins, so both agree.
		if _, err := t.ExecContext(ctx, `INSERT INTO sync_hub_identity(id, cert_pem, key_pem, created_at) VALUES (1, ?, ?, ?)
			ON CONFLICT(id) DO NOTHING`, made.CertPEM, made.KeyPEM, t.nowText()); err != nil {
			return fmt.Errorf("save hub identity: %w", err)
		}
		return t.QueryRowContext(ctx, `SELECT cert_pem, key_pem FROM sync_hub_identity WHERE id = 1`).Scan(&id.CertPEM, &id.KeyPEM)
	})
	if err != nil {
		return HubIdentity{}, err
	}
	return id, nil
}

// AddHubPairing records a one-time pairing secret, good until expires. Owner only.
func (s *Store) AddHubPairing(ctx context.Context, secret string, expires time.Time) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	if len(secret) < 8 {
		return errorf(ErrInvalid, "a pairing secret is at least 8 characters")
	}
	return s.update(ctx, func(t *tx) error {
		// Old secrets are no use to anyone; keep a day of them for the record.
		if _, err := t.ExecContext(ctx, `DELETE FROM sync_hub_pairings WHERE expires_at < ?`,
			formatTime(t.now.Add(-24*time.Hour))); err != nil {
			return fmt.Errorf("forget old pairing codes: %w", err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO sync_hub_pairings(secret_hash, created_at, expires_at) VALUES (?, ?, ?)`,
			hashSecret(secret), t.nowText(), formatTime(expires)); err != nil {
			return fmt.Errorf("save pairing code: %w", err)
		}
		return nil
	})
}

// CheckHubPairing reports whether secret may still be used to pair: ErrNotFound for a secret never
// issued, ErrConflict for one already used, ErrInvalid for one expired. Owner only.
func (s *Store) CheckHubPairing(ctx context.Context, secret string) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	return checkPairing(ctx, s.read, secret, s.now())
}

func checkPairing(ctx context.Context, q querier, secret string, now time.Time) error {
	var expires string
	var used sql.NullString
	err := q.QueryRowContext(ctx, `SELECT expires_at, used_at FROM sync_hub_pairings WHERE secret_hash = ?`,
		hashSecret(secret)).Scan(&expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errorf(ErrNotFound, "the hub never issued this pairing code")
	case err != nil:
		return fmt.Errorf("read pairing code: %w", err)
	case used.Valid:
		return errorf(ErrConflict, "this pairing code was already used; make a new one on the hub")
	case !now.Before(parseTime(expires)):
		return errorf(ErrInvalid, "this pairing code expired at %s; make a new one on the hub", parseTime(expires).Format("15:04 MST"))
	}
	return nil
}

// PairHubDevice uses up the pairing secret and lets dev in with password, in one transaction, so a
// secret pairs one device only. A device pairing again gets its new name and password. Owner only.
func (s *Store) PairHubDevice(ctx context.Context, secret string, dev HubDevice, password string) (HubDevice, error) {
	if err := s.require(PermSettings); err != nil {
		return HubDevice{}, err
	}
	if err := validHubDevice(dev, password); err != nil {
		return HubDevice{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		if err := checkPairing(ctx, t, secret, t.now); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE sync_hub_pairings SET used_at = ?, device_id = ? WHERE secret_hash = ?`,
			t.nowText(), dev.ID, hashSecret(secret)); err != nil {
			return fmt.Errorf("use pairing code: %w", err)
		}
		var err error
		dev, err = saveHubDevice(ctx, t, dev, password)
		return err
	})
	if err != nil {
		return HubDevice{}, err
	}
	return dev, nil
}

// AddHubDevice lets dev in with password without a pairing code: the hub host's own device. Owner only.
func (s *Store) AddHubDevice(ctx context.Context, dev HubDevice, password string) (HubDevice, error) {
	if err := s.require(PermSettings); err != nil {
		return HubDevice{}, err
	}
	if err := validHubDevice(dev, password); err != nil {
		return HubDevice{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		var err error
		dev, err = saveHubDevice(ctx, t, dev, password)
		return err
	})
	if err != nil {
		return HubDevice{}, err
	}
	return dev, nil
}

func validHubDevice(dev HubDevice, password string) error {
	dev.Name = strings.TrimSpace(dev.Name)
	switch {
	case dev.ID == "" || len(dev.ID) > 64 || strings.ContainsAny(dev.ID, " \t\r\n.*>"):
		return errorf(ErrInvalid, "a device id is 1 to 64 characters without spaces, dots, * or >")
	case len(dev.Name) > 100:
		return errorf(ErrInvalid, "a device name is at most 100 characters")
	case len(password) < 16:
		return errorf(ErrInvalid, "a hub password is at least 16 characters")
	}
	return nil
}

func saveHubDevice(ctx context.Context, t *tx, dev HubDevice, password string) (HubDevice, error) {
	dev.Name = strings.TrimSpace(dev.Name)
	if dev.Name == "" {
		dev.Name = "Device " + dev.ID[:min(8, len(dev.ID))]
	}
	dev.PairedAt = t.now
	dev.LastSeen = time.Time{}
	if _, err := t.ExecContext(ctx, `INSERT INTO sync_hub_devices(id, name, password_hash, paired_at) VALUES (?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET name = excluded.name, password_hash = excluded.password_hash,
			paired_at = excluded.paired_at, last_seen = NULL, removed_at = NULL`,
		dev.ID, dev.Name, hashSecret(password), t.nowText()); err != nil {
		return HubDevice{}, fmt.Errorf("save hub device %s: %w", dev.ID, err)
	}
	if err := t.audit(ctx, "pair", "hub_device", dev.ID, nil, dev.Name); err != nil {
		return HubDevice{}, err
	}
	return dev, nil
}

// CheckHubDevice returns the device id whose hub password is password: ErrNotFound for a device the
// hub does not know (or removed), ErrPermission for a wrong password. Owner only.
func (s *Store) CheckHubDevice(ctx context.Context, id, password string) (HubDevice, error) {
	if err := s.require(PermSettings); err != nil {
		return HubDevice{}, err
	}
	var hash string
	dev, err := scanHubDevice(s.read.QueryRowContext(ctx, `SELECT id, name, paired_at, last_seen, password_hash
		FROM sync_hub_devices WHERE id = ? AND removed_at IS NULL`, id), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return HubDevice{}, errorf(ErrNotFound, "the hub does not know device %s", id)
	}
	if err != nil {
		return HubDevice{}, fmt.Errorf("read hub device %s: %w", id, err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashSecret(password))) != 1 {
		return HubDevice{}, errorf(ErrPermission, "wrong hub password for device %s", id)
	}
	return dev, nil
}

// NoteHubDeviceSeen records that the device connected now. Owner only.
func (s *Store) NoteHubDeviceSeen(ctx context.Context, id string) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `UPDATE sync_hub_devices SET last_seen = ? WHERE id = ?`, t.nowText(), id); err != nil {
			return fmt.Errorf("note hub device %s seen: %w", id, err)
		}
		return nil
	})
}

// HubDevices lists the devices the hub lets in, by name. Owner only.
func (s *Store) HubDevices(ctx context.Context) ([]HubDevice, error) {
	if err := s.require(PermSettings); err != nil {
		return nil, err
	}
	list, err := queryList(ctx, s.read, func(r scanner) (HubDevice, error) { return scanHubDevice(r) },
		`SELECT id, name, paired_at, last_seen FROM sync_hub_devices WHERE removed_at IS NULL ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("list hub devices: %w", err)
	}
	return list, nil
}

// RemoveHubDevice stops the hub letting the device in; its changes already sent stay. Owner only.
func (s *Store) RemoveHubDevice(ctx context.Context, id string) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE sync_hub_devices SET removed_at = ? WHERE id = ? AND removed_at IS NULL`, t.nowText(), id)
		if err != nil {
			return fmt.Errorf("remove hub device %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errorf(ErrNotFound, "the hub does not know device %s", id)
		}
		return t.audit(ctx, "unpair", "hub_device", id, nil, nil)
	})
}

func scanHubDevice(r scanner, extra ...any) (HubDevice, error) {
	var d HubDevice
	var paired string
	var seen sql.NullString
	if err := r.Scan(append([]any{&d.ID, &d.Name, &paired, &seen}, extra...)...); err != nil {
		return HubDevice{}, err
	}
	d.PairedAt = parseTime(paired)
	if seen.Valid {
		d.LastSeen = parseTime(seen.String)
	}
	return d, nil
}
