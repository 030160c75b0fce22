package data

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// SyncOp is one change one device made to the shop's shared data, as it travels between devices: a row
// inserted, some fields of a row updated, or a row deleted. Every device keeps every op it made or
// received (sync_ops); the hub's stream is only the meeting point.
type SyncOp struct {
	// ID is "<device>:<incarnation>:<seq>", unique across the shop; the hub deduplicates on it and so
	// do we. The incarnation changes when a database is restored from a backup (tx.opPrefix).
	ID     string `json:"id"`
	Device string `json:"device"`
	Seq    int64  `json:"seq"`
	// HLC orders edits of the same field across devices (last writer wins), ties broken by Device, Seq.
	HLC HLC `json:"hlc"`
	// Schema is the database schema version of the device that made the op; an op from a newer schema
	// is kept but not applied until this device has been upgraded.
	Schema int    `json:"schema"`
	Kind   string `json:"kind"` // "insert", "update" or "delete"
	Table  string `json:"table"`
	// Key is the row's primary key as a JSON array, in the table's key-column order.
	Key json.RawMessage `json:"key"`
	// Fields holds column → value: every column for an insert, the changed ones for an update.
	Fields json.RawMessage `json:"fields,omitempty"`
}

// SyncSettings is how this device reaches the shop's hub. It stays on this device (never synced) and
// only the owner may read it: it holds the device's hub password.
type SyncSettings struct {
	ShopID     string // shared by every device of one shop
	DeviceName string // shown to people: "Packing desk", "Anna's laptop"
	HubURL     string // e.g. "tls://192.168.1.20:4222"
	HubCertPEM string // the hub's certificate, pinned when this device was paired
	User       string // this device's hub account
	Password   string
	// HostsHub is set on the machine that runs the embedded hub; HubListen is where it listens.
	HostsHub  bool
	HubListen string
}

// SyncStatus is what Settings → Devices and "backroom sync status" show.
type SyncStatus struct {
	Enabled    bool      `json:"enabled"`
	DeviceID   string    `json:"device_id"`
	DeviceName string    `json:"device_name"`
	ShopID     string    `json:"shop_id"`
	HubURL     string    `json:"hub_url"`
	HostsHub   bool      `json:"hosts_hub"`
	Waiting    int       `json:"waiting"`     // this device's changes the hub has not acknowledged yet
	Cursor     uint64    `json:"cursor"`      // the last hub stream position applied here
	LastSync   time.Time `json:"last_sync"`   // the last exchange with the hub that succeeded; zero if none
	LastError  string    `json:"last_error"`  // why the last attempt failed; "" after a success
	LastTryAt  time.Time `json:"last_try_at"` // when the last attempt, good or bad, ended
	Parked     int       `json:"parked"`      // changes received but not applicable here (newer schema, conflicts)
	Operations int       `json:"operations"`  // every op this device holds, its own and received
}

// SyncApplied reports one ApplyRemote batch.
type SyncApplied struct {
	Applied int // ops that changed (or were checked against) this database
	Skipped int // ops this device already had: its own, or received before
	Parked  int // ops kept but not applied (see SyncStatus.Parked)
	// Oversold lists SKUs whose sellable stock is below zero after the batch: both devices sold the last
	// units while apart. The at-risk list shows them; the caller may tell the user now.
	Oversold []string
}

// ErrShopNotEmpty refuses joining a shop with a database that already holds a shop of its own.
var ErrShopNotEmpty = errors.New("this database already holds products, orders or stock")

// SyncStatus reports this device's sync state. Anyone signed in may read it: it holds no credentials.
func (s *Store) SyncStatus(ctx context.Context) (SyncStatus, error) {
	st := SyncStatus{DeviceID: s.device}
	var lastSync, lastTry sql.NullString
	var cursor int64
	err := s.read.QueryRowContext(ctx, `SELECT enabled, device_name, shop_id, hub_url, hosts_hub, cursor, last_sync, last_try, last_error,
		(SELECT count(*) FROM sync_ops WHERE local = 1 AND published = 0),
		(SELECT count(*) FROM sync_ops WHERE parked <> ''),
		(SELECT count(*) FROM sync_ops)
		FROM sync_state WHERE id = 1`).Scan(&st.Enabled, &st.DeviceName, &st.ShopID, &st.HubURL, &st.HostsHub, &cursor, &lastSync, &lastTry,
		&st.LastError, &st.Waiting, &st.Parked, &st.Operations)
	if err != nil {
		return SyncStatus{}, fmt.Errorf("read sync status: %w", err)
	}
	st.Cursor = uint64(cursor)
	if lastSync.Valid {
		st.LastSync = parseTime(lastSync.String)
	}
	if lastTry.Valid {
		st.LastTryAt = parseTime(lastTry.String)
	}
	return st, nil
}

// SyncSettings returns how this device reaches the hub. Owner only: it holds the device's password.
func (s *Store) SyncSettings(ctx context.Context) (SyncSettings, error) {
	if err := s.require(PermSettings); err != nil {
		return SyncSettings{}, err
	}
	var c SyncSettings
	err := s.read.QueryRowContext(ctx, `SELECT shop_id, device_name, hub_url, hub_cert, hub_user, hub_password, hosts_hub, hub_listen
		FROM sync_state WHERE id = 1`).Scan(&c.ShopID, &c.DeviceName, &c.HubURL, &c.HubCertPEM, &c.User, &c.Password, &c.HostsHub, &c.HubListen)
	if err != nil {
		return SyncSettings{}, fmt.Errorf("read sync settings: %w", err)
	}
	return c, nil
}

// SaveSyncSettings stores how this device reaches the hub (after pairing, or when the hub moves). Owner
// only. It does not start recording changes: EnableSync does.
func (s *Store) SaveSyncSettings(ctx context.Context, c SyncSettings) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	c.DeviceName = strings.TrimSpace(c.DeviceName)
	if len(c.DeviceName) > 80 {
		return errorf(ErrInvalid, "a device name is at most 80 characters")
	}
	return s.update(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `UPDATE sync_state SET shop_id = ?, device_name = ?, hub_url = ?, hub_cert = ?, hub_user = ?,
			hub_password = ?, hosts_hub = ?, hub_listen = ? WHERE id = 1`,
			c.ShopID, c.DeviceName, c.HubURL, c.HubCertPEM, c.User, c.Password, c.HostsHub, c.HubListen); err != nil {
			return fmt.Errorf("save sync settings: %w", err)
		}
		return t.audit(ctx, "update", "sync_settings", "device", nil, map[string]any{"device_name": c.DeviceName, "hub_url": c.HubURL,
			"hosts_hub": c.HostsHub})
	})
}

// EnableSync starts recording every change to shared data as ops. founding means this device's data
// becomes the shop's: its current rows are recorded as ops for the hub. Otherwise the device joins a
// shop whose data will arrive from the hub, and ErrShopNotEmpty refuses a database with data of its own
// (its local user accounts are replaced by the shop's). Owner only. Calling it again is a no-op.
func (s *Store) EnableSync(ctx context.Context, founding bool) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	err := s.update(ctx, func(t *tx) error {
		var enabled bool
		if err := t.QueryRowContext(ctx, `SELECT enabled FROM sync_state WHERE id = 1`).Scan(&enabled); err != nil {
			return fmt.Errorf("read sync state: %w", err)
		}
		if enabled {
			return nil
		}
		if !founding {
			var has bool
			if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM products) OR EXISTS (SELECT 1 FROM orders)
				OR EXISTS (SELECT 1 FROM stock_movements)`).Scan(&has); err != nil {
				return fmt.Errorf("check for a shop in this database: %w", err)
			}
			if has {
				return fmt.Errorf("join a shop: %w", ErrShopNotEmpty)
			}
			// The shop's people arrive with the shop; an account made here first would clash by name.
			if _, err := t.ExecContext(ctx, `DELETE FROM users`); err != nil {
				return fmt.Errorf("make way for the shop's accounts: %w", err)
			}
		}
		if _, err := t.ExecContext(ctx, `UPDATE sync_state SET enabled = 1, capture = 1 WHERE id = 1`); err != nil {
			return fmt.Errorf("enable sync: %w", err)
		}
		if err := t.writeCaptureTriggers(ctx); err != nil {
			return err
		}
		if founding {
			if err := t.recordFounding(ctx); err != nil {
				return err
			}
		}
		if err := t.stampOps(ctx); err != nil {
			return err
		}
		return t.audit(ctx, "enable", "sync", s.device, nil, map[string]any{"founding": founding})
	})
	return err
}

// PendingOps returns up to limit of this device's ops the hub has not acknowledged, oldest first. Owner
// (or the app's own system store) only: ops carry costs.
func (s *Store) PendingOps(ctx context.Context, limit int) ([]SyncOp, error) {
	if err := s.require(PermSettings); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 500
	}
	kept, err := queryList(ctx, s.read, scanKeptOp, `SELECT `+keptOpColumns+`
		FROM sync_ops WHERE local = 1 AND published = 0 AND op_id IS NOT NULL ORDER BY seq LIMIT ?`, limit)
	ops := make([]SyncOp, len(kept))
	for i, k := range kept {
		ops[i] = k.op
	}
	return ops, err
}

// SyncOps returns up to limit ops this device holds, its own and received, in the order it recorded them,
// after position after (a sync_ops sequence; 0 for the first). A hub rebuilt from a device republishes
// them. Owner only.
func (s *Store) SyncOps(ctx context.Context, after int64, limit int) ([]SyncOp, int64, error) {
	if err := s.require(PermSettings); err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		limit = 500
	}
	kept, err := queryList(ctx, s.read, scanKeptOp, `SELECT `+keptOpColumns+`
		FROM sync_ops WHERE seq > ? AND op_id IS NOT NULL ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, 0, err
	}
	ops := make([]SyncOp, len(kept))
	for i, k := range kept {
		ops[i], after = k.op, k.seq
	}
	return ops, after, nil
}

// keptOp is an op as this device holds it, with its place in sync_ops.
type keptOp struct {
	seq int64
	op  SyncOp
}

const keptOpColumns = `seq, op_id, device_id, dev_seq, hlc, schema_v, kind, tbl, key, COALESCE(fields, '')`

func scanKeptOp(r scanner) (keptOp, error) {
	var k keptOp
	var fields, key string
	var hlc int64
	err := r.Scan(&k.seq, &k.op.ID, &k.op.Device, &k.op.Seq, &hlc, &k.op.Schema, &k.op.Kind, &k.op.Table, &key, &fields)
	k.op.HLC, k.op.Key = HLC(hlc), json.RawMessage(key)
	if fields != "" {
		k.op.Fields = json.RawMessage(fields)
	}
	return k, err
}

// MarkPublished records that the hub acknowledged these ops.
func (s *Store) MarkPublished(ctx context.Context, ids []string) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return s.update(ctx, func(t *tx) error {
		for _, id := range ids {
			if _, err := t.ExecContext(ctx, `UPDATE sync_ops SET published = 1 WHERE op_id = ? AND local = 1`, id); err != nil {
				return fmt.Errorf("record sync op %s as sent: %w", id, err)
			}
		}
		return nil
	})
}

// SyncCursor is the last hub stream position applied to this database.
func (s *Store) SyncCursor(ctx context.Context) (uint64, error) {
	var c int64
	if err := s.read.QueryRowContext(ctx, `SELECT cursor FROM sync_state WHERE id = 1`).Scan(&c); err != nil {
		return 0, fmt.Errorf("read sync position: %w", err)
	}
	return uint64(c), nil
}

// ApplyRemote applies ops received from the hub and records cursor, the stream position of the last of
// them, in the same transaction: after a crash the device resumes exactly where it stopped. Ops already
// held (its own included) are skipped, so redelivery is harmless. Ops parked earlier because their clock
// was ahead or their schema newer are tried again first. Owner (or system store) only.
func (s *Store) ApplyRemote(ctx context.Context, ops []SyncOp, cursor uint64) (SyncApplied, error) {
	if err := s.require(PermSettings); err != nil {
		return SyncApplied{}, err
	}
	var result SyncApplied
	err := s.update(ctx, func(t *tx) error {
		result = SyncApplied{}
		var enabled bool
		if err := t.QueryRowContext(ctx, `SELECT enabled FROM sync_state WHERE id = 1`).Scan(&enabled); err != nil {
			return fmt.Errorf("read sync state: %w", err)
		}
		if !enabled {
			return errorf(ErrConflict, "this device does not sync: pair it with the shop's hub first")
		}
		schema, err := t.schemaVersion(ctx)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE sync_state SET capture = 0 WHERE id = 1`); err != nil {
			return fmt.Errorf("pause sync capture: %w", err)
		}
		a := &applier{t: t, schema: schema, columns: map[string]map[string]bool{}, orders: map[int64]bool{}, skus: map[string]bool{},
			result: &result}
		if err := a.retryParked(ctx); err != nil {
			return err
		}
		for _, op := range ops {
			if err := a.receive(ctx, op); err != nil {
				return err
			}
		}
		if err := a.refreshDerived(ctx); err != nil {
			return err
		}
		over, err := a.oversold(ctx)
		if err != nil {
			return err
		}
		result.Oversold = over
		if _, err := t.ExecContext(ctx, `UPDATE sync_state SET capture = 1, cursor = MAX(cursor, ?) WHERE id = 1`, int64(cursor)); err != nil {
			return fmt.Errorf("record sync position: %w", err)
		}
		return nil
	})
	return result, err
}

// retryParked applies again the ops parked for a reason that may have passed: the clock caught up, or
// Backroom was upgraded.
func (a *applier) retryParked(ctx context.Context) error {
	list, err := queryList(ctx, a.t, scanKeptOp, `SELECT `+keptOpColumns+` FROM sync_ops WHERE parked IN (?, ?) ORDER BY seq`,
		parkNewerSchema, parkFutureClock)
	if err != nil {
		return fmt.Errorf("read parked sync ops: %w", err)
	}
	for _, k := range list {
		parked := a.result.Parked
		if err := a.applyKept(ctx, k.seq, k.op, true); err != nil {
			return err
		}
		if a.result.Parked > parked { // still parked: not news
			a.result.Parked = parked
		}
	}
	return nil
}

// NoteHubEpoch records the epoch of the hub log this device follows, whose last position is lastSeq, and
// reports whether the device must start over: a hub rebuilt after losing its storage keeps the shop's
// ops under new positions (a new epoch), so the device reads the new log from its start and sends all
// of its own ops again (receivers skip those they hold). A device that recorded no epoch yet starts
// over only when it has applied positions beyond the log's end. Owner (or system store) only.
func (s *Store) NoteHubEpoch(ctx context.Context, epoch string, lastSeq uint64) (bool, error) {
	if err := s.require(PermSettings); err != nil {
		return false, err
	}
	if epoch == "" {
		return false, nil
	}
	reset := false
	err := s.update(ctx, func(t *tx) error {
		reset = false
		var held string
		var cursor int64
		if err := t.QueryRowContext(ctx, `SELECT hub_epoch, cursor FROM sync_state WHERE id = 1`).Scan(&held, &cursor); err != nil {
			return fmt.Errorf("read sync state: %w", err)
		}
		if held == epoch {
			return nil
		}
		reset = held != "" || uint64(cursor) > lastSeq
		if reset {
			if _, err := t.ExecContext(ctx, `UPDATE sync_ops SET published = 0 WHERE local = 1 AND published = 1`); err != nil {
				return fmt.Errorf("send this device's changes again: %w", err)
			}
			if err := t.audit(ctx, "reset", "sync", s.device, map[string]any{"epoch": held, "cursor": cursor},
				map[string]any{"epoch": epoch}); err != nil {
				return err
			}
		}
		_, err := t.ExecContext(ctx, `UPDATE sync_state SET hub_epoch = ?, cursor = CASE WHEN ? THEN 0 ELSE cursor END WHERE id = 1`, epoch, reset)
		if err != nil {
			return fmt.Errorf("record the hub's log: %w", err)
		}
		return nil
	})
	return reset, err
}

// NoteSyncAttempt records the end of an exchange with the hub: err nil is a success (LastSync).
func (s *Store) NoteSyncAttempt(ctx context.Context, syncErr error) error {
	return s.update(ctx, func(t *tx) error {
		now := t.nowText()
		var err error
		if syncErr == nil {
			_, err = t.ExecContext(ctx, `UPDATE sync_state SET last_sync = ?, last_try = ?, last_error = '' WHERE id = 1`, now, now)
		} else {
			_, err = t.ExecContext(ctx, `UPDATE sync_state SET last_try = ?, last_error = ? WHERE id = 1`, now, syncErr.Error())
		}
		if err != nil {
			return fmt.Errorf("record sync attempt: %w", err)
		}
		return nil
	})
}

// DumpShared writes every synced row in a canonical form (tables and rows in key order), so two devices
// that have converged produce byte-identical dumps. Owner only: it holds costs.
func (s *Store) DumpShared(ctx context.Context, w io.Writer) error {
	if err := s.require(PermSettings); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, st := range syncTables {
		cols, err := tableColumns(ctx, s.read, st.name)
		if err != nil {
			return err
		}
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = "r." + quoteIdent(c)
		}
		order := make([]string, len(st.key))
		for i, k := range st.key {
			order[i] = "r." + quoteIdent(k)
		}
		where := ""
		if st.filter != "" {
			where = " WHERE " + strings.ReplaceAll(st.filter, "{r}", "r")
		}
		fmt.Fprintf(bw, "# %s %s\n", st.name, strings.Join(cols, ","))
		err = scanRows(ctx, s.read, `SELECT json_array(`+strings.Join(quoted, ", ")+`) FROM `+quoteIdent(st.name)+` r`+where+
			` ORDER BY `+strings.Join(order, ", "), func(r *sql.Rows) error {
			var line string
			if err := r.Scan(&line); err != nil {
				return err
			}
			bw.WriteString(line)
			return bw.WriteByte('\n')
		})
		if err != nil {
			return fmt.Errorf("dump %s: %w", st.name, err)
		}
	}
	return bw.Flush()
}
