package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// syncTable is one table whose rows every device of a shop shares.
type syncTable struct {
	name string
	key  []string // the columns that identify a row on every device
	// filter limits which rows are shared ({r} stands for NEW or OLD): meta holds this device's own facts
	// beside the shop's settings.
	filter string
	// derived columns are figures each device computes from other rows (applier.refreshDerived): a
	// received value could be stale against the rows this device holds, so it is never applied.
	derived []string
	// insertOnly tables are ledgers: a row, once written, never changes, so rows merge by key alone and
	// need no field clocks.
	insertOnly bool
}

// syncTables lists the shared tables in an order that respects their references, which is the order a
// founding device records its rows in and DumpShared writes them. Everything else stays on its device:
// its audit log, imports, mail, packing sessions, counts in progress, purchase orders, messages and
// tickets, and sync's own tables.
var syncTables = []syncTable{
	{name: "meta", key: []string{"key"}, filter: "{r}.key LIKE 'setting.%'"},
	{name: "users", key: []string{"id"}},
	{name: "locations", key: []string{"id"}},
	{name: "bins", key: []string{"location_id", "code"}},
	{name: "location_aliases", key: []string{"name"}},
	{name: "products", key: []string{"id"}},
	{name: "variants", key: []string{"sku"}},
	{name: "barcodes", key: []string{"code"}},
	{name: "kit_components", key: []string{"kit_sku", "component_sku"}},
	{name: "sku_aliases", key: []string{"channel", "channel_key"}},
	{name: "suppliers", key: []string{"id"}},
	{name: "supplier_items", key: []string{"supplier_id", "sku"}},
	{name: "cost_history", key: []string{"id"}, insertOnly: true},
	{name: "channel_rules", key: []string{"channel"}},
	{name: "stock_movements", key: []string{"id"}, insertOnly: true},
	{name: "orders", key: []string{"id"}, derived: []string{"line_units", "line_cost", "uncosted_units"}},
	{name: "order_lines", key: []string{"order_id", "line_no"}, derived: []string{"open", "shipped_at"}},
	{name: "order_status_history", key: []string{"order_id", "status", "at", "device_id", "hlc"}, insertOnly: true},
	{name: "shipments", key: []string{"order_id"}},
	{name: "returns", key: []string{"id"}},
	{name: "stock_exports", key: []string{"id"}, insertOnly: true},
	{name: "stock_export_lines", key: []string{"export_id", "channel_sku", "location", "sku"}, insertOnly: true},
}

func (st syncTable) isDerived(col string) bool {
	for _, d := range st.derived {
		if d == col {
			return true
		}
	}
	return false
}

func syncTableNamed(name string) (syncTable, bool) {
	for _, t := range syncTables {
		if t.name == name {
			return t, true
		}
	}
	return syncTable{}, false
}

// tableColumns lists a table's columns in schema order.
func tableColumns(ctx context.Context, q querier, table string) ([]string, error) {
	var cols []string
	err := scanRows(ctx, q, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, func(r *sql.Rows) error {
		var c string
		if err := r.Scan(&c); err != nil {
			return err
		}
		cols = append(cols, c)
		return nil
	}, table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s does not exist", table)
	}
	return cols, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteText(s string) string  { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// keyJSON is the SQL for a row's key as a JSON array, from NEW or OLD.
func (st syncTable) keyJSON(row string) string {
	parts := make([]string, len(st.key))
	for i, k := range st.key {
		parts[i] = row + "." + quoteIdent(k)
	}
	return "json_array(" + strings.Join(parts, ", ") + ")"
}

func (st syncTable) when(row string) string {
	w := "(SELECT capture FROM sync_state WHERE id = 1) = 1"
	if st.filter != "" {
		w += " AND " + strings.ReplaceAll(st.filter, "{r}", row)
	}
	return w
}

// captureTriggers returns the statements that create the capture triggers of st for its columns cols.
// An update records only the fields it changed, so two devices editing different fields of one row both
// keep their edit; an update that changes the key is recorded as the old row's deletion and the new row's
// insertion, as a device that never saw the old key needs the whole row.
func (st syncTable) captureTriggers(cols []string) []string {
	obj := make([]string, 0, 2*len(cols))
	changed := make([]string, 0, len(cols))
	diff := make([]string, 0, len(cols))
	for _, c := range cols {
		q := quoteIdent(c)
		obj = append(obj, quoteText(c), "NEW."+q)
		changed = append(changed, "NEW."+q+" IS NOT OLD."+q)
		diff = append(diff, "SELECT "+quoteText(c)+" AS k, NEW."+q+" AS v WHERE NEW."+q+" IS NOT OLD."+q)
	}
	keyChanged := make([]string, len(st.key))
	for i, k := range st.key {
		keyChanged[i] = "NEW." + quoteIdent(k) + " IS NOT OLD." + quoteIdent(k)
	}
	name := st.name
	tbl := quoteIdent(st.name)
	insertRow := "INSERT INTO sync_ops(kind, tbl, key, fields) VALUES ('insert', " + quoteText(name) + ", " + st.keyJSON("NEW") +
		", json_object(" + strings.Join(obj, ", ") + "));"
	deleteRow := "INSERT INTO sync_ops(kind, tbl, key) VALUES ('delete', " + quoteText(name) + ", " + st.keyJSON("OLD") + ");"
	stmts := []string{
		"CREATE TRIGGER " + quoteIdent("sync_ins_"+name) + " AFTER INSERT ON " + tbl + " WHEN " + st.when("NEW") +
			" BEGIN " + insertRow + " END",
		"CREATE TRIGGER " + quoteIdent("sync_del_"+name) + " AFTER DELETE ON " + tbl + " WHEN " + st.when("OLD") +
			" BEGIN " + deleteRow + " END",
	}
	if st.insertOnly {
		return stmts
	}
	return append(stmts,
		"CREATE TRIGGER "+quoteIdent("sync_upd_"+name)+" AFTER UPDATE ON "+tbl+" WHEN "+st.when("NEW")+
			" AND NOT ("+strings.Join(keyChanged, " OR ")+") AND ("+strings.Join(changed, " OR ")+")"+
			" BEGIN INSERT INTO sync_ops(kind, tbl, key, fields) VALUES ('update', "+quoteText(name)+", "+st.keyJSON("NEW")+
			", (SELECT json_group_object(k, v) FROM ("+strings.Join(diff, " UNION ALL ")+"))); END",
		"CREATE TRIGGER "+quoteIdent("sync_rekey_"+name)+" AFTER UPDATE ON "+tbl+" WHEN "+st.when("NEW")+
			" AND ("+strings.Join(keyChanged, " OR ")+")"+
			" BEGIN "+deleteRow+" "+insertRow+" END",
	)
}

// writeCaptureTriggers (re)creates every capture trigger from the live schema, and records the schema
// version they were written for: after a migration adds a column, Open writes them again.
func (t *tx) writeCaptureTriggers(ctx context.Context) error {
	if err := t.dropCaptureTriggers(ctx); err != nil {
		return err
	}
	for _, st := range syncTables {
		cols, err := tableColumns(ctx, t, st.name)
		if err != nil {
			return err
		}
		for _, stmt := range st.captureTriggers(cols) {
			if _, err := t.Tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("create the sync trigger of %s: %w", st.name, err)
			}
		}
	}
	version, err := t.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if _, err := t.Tx.ExecContext(ctx, `UPDATE sync_state SET triggers_for = ? WHERE id = 1`, version); err != nil {
		return fmt.Errorf("record the sync triggers' version: %w", err)
	}
	return nil
}

func (t *tx) dropCaptureTriggers(ctx context.Context) error {
	var names []string
	err := scanRows(ctx, t.Tx, `SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'sync\_%' ESCAPE '\'`,
		func(r *sql.Rows) error {
			var n string
			err := r.Scan(&n)
			names = append(names, n)
			return err
		})
	if err != nil {
		return fmt.Errorf("list the sync triggers: %w", err)
	}
	for _, n := range names {
		if _, err := t.Tx.ExecContext(ctx, "DROP TRIGGER "+quoteIdent(n)); err != nil {
			return fmt.Errorf("drop sync trigger %s: %w", n, err)
		}
	}
	return nil
}

// schemaVersion is the database's schema version, which every op carries.
func (t *tx) schemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := t.Tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	return v, nil
}

// stampOps gives the ops this write's triggers recorded their identity, and records their fields' clocks.
// One write is one clock value; its ops are told apart, and ordered, by their sequence.
func (t *tx) stampOps(ctx context.Context) error {
	var first int64
	if err := t.Tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(seq), 0) FROM sync_ops WHERE op_id IS NULL`).Scan(&first); err != nil {
		return fmt.Errorf("find this write's sync ops: %w", err)
	}
	if first == 0 {
		return nil
	}
	version, prefix, err := t.opStamp(ctx)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE sync_ops SET op_id = ?5 || seq, device_id = ?1, dev_seq = seq, hlc = ?2, schema_v = ?3
		WHERE seq >= ?4 AND op_id IS NULL`, t.s.device, int64(t.hlc), version, first, prefix); err != nil {
		return fmt.Errorf("stamp this write's sync ops: %w", err)
	}
	// A local write is later than every clock this device has seen (applying a remote op moves the clock
	// past it), so its clocks replace whatever is stored.
	if _, err := t.ExecContext(ctx, `INSERT INTO sync_clocks(tbl, key, field, hlc, device_id, dev_seq)
		SELECT o.tbl, o.key, CASE o.kind WHEN 'insert' THEN '*' ELSE '-' END, o.hlc, o.device_id, o.dev_seq
			FROM sync_ops o WHERE o.seq >= ?1 AND o.kind IN ('insert', 'delete') AND o.tbl NOT IN (`+insertOnlyList()+`)
		UNION ALL
		SELECT o.tbl, o.key, j.key, o.hlc, o.device_id, o.dev_seq
			FROM sync_ops o, json_each(o.fields) j WHERE o.seq >= ?1 AND o.kind = 'update'
		ORDER BY 1
		ON CONFLICT(tbl, key, field) DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id, dev_seq = excluded.dev_seq`,
		first); err != nil {
		return fmt.Errorf("record this write's sync clocks: %w", err)
	}
	return nil
}

// opStamp is what every op this device writes is stamped with: the schema version, and the prefix of
// its op ids.
func (t *tx) opStamp(ctx context.Context) (version int, prefix string, err error) {
	if version, err = t.schemaVersion(ctx); err != nil {
		return 0, "", err
	}
	prefix, err = t.opPrefix(ctx)
	return version, prefix, err
}

// opPrefix starts the ids of this device's ops: "<device>:<incarnation>:". The incarnation changes when
// the database is restored from a backup (Restore): the restored file's sequence starts again below ops
// it made after the backup and already sent, and its new ops must not take their ids, which every
// device would skip as held.
func (t *tx) opPrefix(ctx context.Context) (string, error) {
	var inc string
	err := t.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'sync_incarnation'`).Scan(&inc)
	if errors.Is(err, sql.ErrNoRows) {
		inc = newIncarnation()
		_, err = t.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('sync_incarnation', ?)`, inc)
	}
	if err != nil {
		return "", fmt.Errorf("read this database's sync incarnation: %w", err)
	}
	return t.s.device + ":" + inc + ":", nil
}

// newIncarnation is 8 random hex digits (a UUIDv7's first digits are its time, the same for a minute).
func newIncarnation() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return hex.EncodeToString(b[:])
}

func insertOnlyList() string {
	var names []string
	for _, st := range syncTables {
		if st.insertOnly {
			names = append(names, quoteText(st.name))
		}
	}
	return strings.Join(names, ", ")
}

// recordFounding records every shared row as an insert op: the founding device's shop becomes the
// shop every other device receives. The ops are written stamped, with their clocks, rather than left to
// stampOps: a shop of 100,000 orders is a million of them, and stamping them afterwards rewrote each row.
func (t *tx) recordFounding(ctx context.Context) error {
	version, prefix, err := t.opStamp(ctx)
	if err != nil {
		return err
	}
	for _, st := range syncTables {
		cols, err := tableColumns(ctx, t, st.name)
		if err != nil {
			return err
		}
		obj := make([]string, 0, 2*len(cols))
		for _, c := range cols {
			obj = append(obj, quoteText(c), "r."+quoteIdent(c))
		}
		where := ""
		if st.filter != "" {
			where = " WHERE " + strings.ReplaceAll(st.filter, "{r}", "r")
		}
		var base int64
		if err := t.Tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM sync_ops`).Scan(&base); err != nil {
			return fmt.Errorf("record the shop's %s: %w", st.name, err)
		}
		if _, err := t.Tx.ExecContext(ctx, `INSERT INTO sync_ops(seq, op_id, device_id, dev_seq, hlc, schema_v, kind, tbl, key, fields)
			SELECT ?1 + n, ?5 || (?1 + n), ?2, ?1 + n, ?3, ?4, 'insert', `+quoteText(st.name)+`, k, f
			FROM (SELECT row_number() OVER (ORDER BY r.rowid) AS n, `+st.keyJSON("r")+` AS k, json_object(`+strings.Join(obj, ", ")+`) AS f
				FROM `+quoteIdent(st.name)+` r`+where+`)`, base, t.s.device, int64(t.hlc), version, prefix); err != nil {
			return fmt.Errorf("record the shop's %s for the other devices: %w", st.name, err)
		}
		if st.insertOnly {
			continue
		}
		if _, err := t.Tx.ExecContext(ctx, `INSERT INTO sync_clocks(tbl, key, field, hlc, device_id, dev_seq)
			SELECT tbl, key, '*', hlc, device_id, dev_seq FROM sync_ops WHERE seq > ? ORDER BY tbl, key
			ON CONFLICT(tbl, key, field) DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id, dev_seq = excluded.dev_seq`,
			base); err != nil {
			return fmt.Errorf("record the clocks of the shop's %s: %w", st.name, err)
		}
	}
	return nil
}

// orderRowID is the row id of the order a channel knows as externalID: the same on every device, so two
// devices that import the same order offline store one order, not two, when they meet. 53 bits keep it
// exact in JSON and in scripts that read it as a double.
func orderRowID(channel, externalID string) int64 {
	h := sha256.Sum256([]byte(strings.ToLower(channel) + "\x00" + externalID))
	id := int64(binary.BigEndian.Uint64(h[:8]) & (1<<53 - 1))
	if id == 0 {
		id = 1
	}
	return id
}

// rowIDEpoch and rowIDRandomBits shape newRowID: milliseconds since 2020 times 8192, plus 13 random
// bits, stays below 2^53 until 2054.
var rowIDEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

const rowIDRandomBits = 13

// nextRowID is newRowID, or one past the table's largest id when that is larger: one write adding many
// rows in the same millisecond must not draw the same random low bits twice.
func (t *tx) nextRowID(ctx context.Context, table string) (int64, error) {
	var largest int64
	if err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+quoteIdent(table)).Scan(&largest); err != nil {
		return 0, fmt.Errorf("find the next %s id: %w", table, err)
	}
	return max(newRowID(t.now), largest+1), nil
}

// newRowID is an integer row id for a shared table with integer keys (returns, stock exports, cost
// history): rows two devices add while apart must not collide, and SQLite's next-rowid rule would give
// both the same. Ids still grow with time on one device.
func newRowID(now time.Time) int64 {
	var b [2]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return (now.UnixMilli()-rowIDEpoch)<<rowIDRandomBits | int64(binary.BigEndian.Uint16(b[:])&(1<<rowIDRandomBits-1))
}
