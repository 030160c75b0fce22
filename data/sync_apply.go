package data

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// opClock orders writes of one field across devices: the hybrid logical clock, then the device id, then
// the device's own sequence, so every device picks the same winner whatever order ops arrive in.
type opClock struct {
	hlc    HLC
	device string
	seq    int64
}

func (a opClock) after(b opClock) bool {
	if a.hlc != b.hlc {
		return a.hlc > b.hlc
	}
	if a.device != b.device {
		return a.device > b.device
	}
	return a.seq > b.seq
}

// parkError is why a received op is kept but not applied.
type parkError struct{ reason string }

func (e parkError) Error() string { return e.reason }

func parkf(format string, args ...any) error { return parkError{fmt.Sprintf(format, args...)} }

// applier applies one batch of remote ops inside one write.
type applier struct {
	t       *tx
	schema  int
	columns map[string]map[string]bool
	orders  map[int64]bool  // orders whose derived figures must follow what arrived
	skus    map[string]bool // SKUs whose stock moved or was claimed
	result  *SyncApplied
}

// statusRank orders an order's statuses for merging: a status only moves forward, so a device that
// packed an order never takes back another's "shipped". Returned and cancelled end an order's life.
func statusRank(s string) int {
	switch Status(s) {
	case StatusReturned:
		return 6
	case StatusCancelled:
		return 7
	}
	return Status(s).rank()
}

func (a *applier) tableColumns(ctx context.Context, table string) (map[string]bool, error) {
	if cols, ok := a.columns[table]; ok {
		return cols, nil
	}
	list, err := tableColumns(ctx, a.t.Tx, table)
	if err != nil {
		return nil, err
	}
	cols := make(map[string]bool, len(list))
	for _, c := range list {
		cols[c] = true
	}
	a.columns[table] = cols
	return cols, nil
}

// receive stores op unless this device holds it already, and applies it or parks it.
func (a *applier) receive(ctx context.Context, op SyncOp) error {
	if op.ID == "" || op.Device == "" {
		return fmt.Errorf("a sync op without id or device (table %q)", op.Table)
	}
	var fields any
	if len(op.Fields) > 0 && !bytes.Equal(op.Fields, []byte("null")) {
		fields = string(op.Fields)
	}
	res, err := a.t.ExecContext(ctx, `INSERT INTO sync_ops(op_id, device_id, dev_seq, hlc, schema_v, kind, tbl, key, fields, local, published)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1) ON CONFLICT(op_id) DO NOTHING`,
		op.ID, op.Device, op.Seq, int64(op.HLC), op.Schema, op.Kind, op.Table, string(op.Key), fields)
	if err != nil {
		return fmt.Errorf("keep sync op %s: %w", op.ID, err)
	}
	// Held already: received before, or this device's own. An own op it does not hold is one it made
	// after the backup it was restored from: it is applied like any other.
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		a.result.Skipped++
		return err
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("keep sync op %s: %w", op.ID, err)
	}
	return a.applyKept(ctx, seq, op, false)
}

// applyKept applies an op already in sync_ops (row seq), in a savepoint: an op that breaks a constraint
// here, such as a location another device created under a name this one already uses, is parked with
// the reason, and the rest of the batch goes on.
func (a *applier) applyKept(ctx context.Context, seq int64, op SyncOp, retry bool) error {
	if _, err := a.t.ExecContext(ctx, `SAVEPOINT sync_op`); err != nil {
		return fmt.Errorf("apply sync op %s: %w", op.ID, err)
	}
	err := a.apply(ctx, op)
	var park parkError
	var sqlErr sqlite3.Error
	switch {
	case err == nil:
	case errors.As(err, &park):
	case errors.As(err, &sqlErr) && (sqlErr.Code == sqlite3.ErrConstraint || sqlErr.Code == sqlite3.ErrMismatch):
		park = parkError{fmt.Sprintf("conflicts with this device's data: %v", err)}
	default:
		a.t.Tx.ExecContext(ctx, `ROLLBACK TO sync_op`)
		return fmt.Errorf("apply sync op %s (%s of %s): %w", op.ID, op.Kind, op.Table, err)
	}
	if park.reason != "" {
		if _, err := a.t.Tx.ExecContext(ctx, `ROLLBACK TO sync_op`); err != nil {
			return fmt.Errorf("undo sync op %s: %w", op.ID, err)
		}
	}
	if _, err := a.t.ExecContext(ctx, `RELEASE sync_op`); err != nil {
		return fmt.Errorf("apply sync op %s: %w", op.ID, err)
	}
	if park.reason != "" || retry {
		if _, err := a.t.ExecContext(ctx, `UPDATE sync_ops SET parked = ? WHERE seq = ?`, park.reason, seq); err != nil {
			return fmt.Errorf("record sync op %s: %w", op.ID, err)
		}
	}
	if park.reason != "" {
		a.result.Parked++
	} else {
		a.result.Applied++
	}
	return nil
}

// retryable parks are the ones time or an upgrade can lift; a conflict stays until someone resolves it.
const (
	parkNewerSchema = "made by a newer version of Backroom"
	parkFutureClock = "stamped too far in the future"
)

func (a *applier) apply(ctx context.Context, op SyncOp) error {
	if op.Schema > a.schema {
		return parkError{parkNewerSchema}
	}
	if !a.t.s.clock.observe(op.HLC, a.t.s.now()) {
		return parkError{parkFutureClock}
	}
	st, ok := syncTableNamed(op.Table)
	if !ok {
		return parkf("table %q is not shared", op.Table)
	}
	var key []any
	if err := decodeJSON(op.Key, &key); err != nil || len(key) != len(st.key) {
		return parkf("key %s does not fit table %s", op.Key, op.Table)
	}
	key = normalizeValues(key)
	fields := map[string]any{}
	if op.Kind != "delete" {
		if err := decodeJSON(op.Fields, &fields); err != nil {
			return parkf("fields of %s: %v", op.Table, err)
		}
		for k, v := range fields {
			fields[k] = normalizeValue(v)
		}
	}
	cols, err := a.tableColumns(ctx, st.name)
	if err != nil {
		return err
	}
	a.note(st.name, key, fields)
	c := opClock{op.HLC, op.Device, op.Seq}
	keyText := string(op.Key)
	where, whereArgs := st.keyWhere(key)
	switch op.Kind {
	case "insert":
		exists, err := a.exists(ctx, st, where, whereArgs)
		if err != nil {
			return err
		}
		if st.insertOnly {
			if exists {
				return a.keepEarlierMovement(ctx, st, cols, where, whereArgs, fields, c)
			}
			return a.insert(ctx, st, cols, fields)
		}
		clocks, err := a.clocks(ctx, st.name, keyText)
		if err != nil {
			return err
		}
		if tomb, ok := clocks["-"]; ok && tomb.after(c) {
			return nil // deleted later than this insert
		}
		if !exists {
			if err := a.insert(ctx, st, cols, fields); err != nil {
				return err
			}
			return a.setClock(ctx, st.name, keyText, "*", c)
		}
		// Two devices inserted the row (the same order imported on both): the later insert wins field by
		// field, and counts as the row's insert from now on, so a deletion older than it cannot remove it
		// here when the device that made it kept the row.
		if err := a.merge(ctx, st, cols, where, whereArgs, keyText, clocks, fields, c); err != nil {
			return err
		}
		return a.setClock(ctx, st.name, keyText, "*", c)
	case "update":
		if st.insertOnly {
			return parkf("%s rows never change", st.name)
		}
		exists, err := a.exists(ctx, st, where, whereArgs)
		if err != nil || !exists {
			return err // the row was deleted: a deletion beats a concurrent edit
		}
		clocks, err := a.clocks(ctx, st.name, keyText)
		if err != nil {
			return err
		}
		return a.merge(ctx, st, cols, where, whereArgs, keyText, clocks, fields, c)
	case "delete":
		clocks, err := a.clocks(ctx, st.name, keyText)
		if err != nil {
			return err
		}
		// A row inserted (again) later than the deletion stays; edits made concurrently do not save it.
		if ins, ok := clocks["*"]; ok && ins.after(c) {
			return nil
		}
		if st.name == "orders" {
			if err := a.t.countSales(ctx); err != nil {
				return err
			}
		}
		if _, err := a.t.ExecContext(ctx, `DELETE FROM `+quoteIdent(st.name)+` WHERE `+where, whereArgs...); err != nil {
			return err
		}
		if st.insertOnly {
			return nil
		}
		return a.setClock(ctx, st.name, keyText, "-", c)
	}
	return parkf("unknown kind of change %q", op.Kind)
}

// keepEarlierMovement settles a stock movement two devices recorded under one id (both shipped the same
// order while apart): the sale counts once either way, and every device keeps the earlier record of it.
func (a *applier) keepEarlierMovement(ctx context.Context, st syncTable, cols map[string]bool, where string, whereArgs []any,
	fields map[string]any, c opClock) error {
	if st.name != "stock_movements" {
		return nil
	}
	var held opClock
	if err := a.t.QueryRowContext(ctx, `SELECT hlc, device_id FROM stock_movements WHERE `+where, whereArgs...).Scan(&held.hlc, &held.device); err != nil {
		return err
	}
	if !held.after(opClock{c.hlc, c.device, 0}) {
		return nil
	}
	if sku, ok := fields["sku"].(string); ok {
		a.skus[sku] = true
	}
	if _, err := a.t.ExecContext(ctx, `DELETE FROM stock_movements WHERE `+where, whereArgs...); err != nil {
		return err
	}
	return a.insert(ctx, st, cols, fields)
}

// note remembers the orders and SKUs an op touches, for the figures refreshed after the batch.
func (a *applier) note(table string, key []any, fields map[string]any) {
	switch table {
	case "orders", "order_lines", "order_status_history", "shipments", "returns":
		id := key[0]
		if table == "returns" {
			id = fields["order_id"]
		}
		if n, ok := id.(int64); ok {
			a.orders[n] = true
		}
	}
	switch table {
	case "stock_movements", "order_lines", "variants", "kit_components":
		if sku, ok := fields["sku"].(string); ok {
			a.skus[sku] = true
		}
		if table == "variants" {
			if sku, ok := key[0].(string); ok {
				a.skus[sku] = true
			}
		}
	}
}

func (st syncTable) keyWhere(key []any) (string, []any) {
	parts := make([]string, len(st.key))
	for i, k := range st.key {
		parts[i] = quoteIdent(k) + " IS ?"
	}
	return strings.Join(parts, " AND "), key
}

func (a *applier) exists(ctx context.Context, st syncTable, where string, args []any) (bool, error) {
	var n int
	if err := a.t.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+quoteIdent(st.name)+` WHERE `+where+` LIMIT 1)`, args...).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

func (a *applier) insert(ctx context.Context, st syncTable, cols map[string]bool, fields map[string]any) error {
	names := sortedKnown(fields, cols)
	if len(names) == 0 {
		return parkf("an insert into %s without any known column", st.name)
	}
	quoted := make([]string, len(names))
	marks := make([]string, len(names))
	args := make([]any, len(names))
	for i, n := range names {
		quoted[i], marks[i], args[i] = quoteIdent(n), "?", fields[n]
	}
	res, err := a.t.ExecContext(ctx, `INSERT INTO `+quoteIdent(st.name)+`(`+strings.Join(quoted, ", ")+`) VALUES (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil || st.name != "orders" {
		return err
	}
	id, err := res.LastInsertId() // orders' id is their rowid
	if err != nil {
		return err
	}
	a.t.saleInserted(id)
	return nil
}

// merge writes the fields of an op whose clock beats the field's last write (or the row's insert, for a
// field not written since). An order's status instead only moves forward.
func (a *applier) merge(ctx context.Context, st syncTable, cols map[string]bool, where string, whereArgs []any, keyText string,
	clocks map[string]opClock, fields map[string]any, c opClock) error {
	if st.name == "orders" {
		if err := a.t.countSales(ctx); err != nil {
			return err
		}
	}
	isKey := map[string]bool{}
	for _, k := range st.key {
		isKey[k] = true
	}
	var sets []string
	var args []any
	for _, f := range sortedKnown(fields, cols) {
		if isKey[f] || st.isDerived(f) {
			continue
		}
		if st.name == "orders" && f == "status" {
			next, _ := fields[f].(string)
			var cur string
			if err := a.t.QueryRowContext(ctx, `SELECT status FROM orders WHERE `+where, whereArgs...).Scan(&cur); err != nil {
				return err
			}
			if statusRank(next) > statusRank(cur) {
				sets, args = append(sets, "status = ?"), append(args, next)
			}
			continue
		}
		last, ok := clocks[f]
		if ins, insOK := clocks["*"]; insOK && (!ok || ins.after(last)) {
			last, ok = ins, true
		}
		if ok && !c.after(last) {
			continue
		}
		sets, args = append(sets, quoteIdent(f)+" = ?"), append(args, fields[f])
		if err := a.setClock(ctx, st.name, keyText, f, c); err != nil {
			return err
		}
	}
	if len(sets) == 0 {
		return nil
	}
	_, err := a.t.ExecContext(ctx, `UPDATE `+quoteIdent(st.name)+` SET `+strings.Join(sets, ", ")+` WHERE `+where, append(args, whereArgs...)...)
	return err
}

func (a *applier) clocks(ctx context.Context, table, key string) (map[string]opClock, error) {
	out := map[string]opClock{}
	err := scanRows(ctx, a.t, `SELECT field, hlc, device_id, dev_seq FROM sync_clocks WHERE tbl = ? AND key = ?`, func(r *sql.Rows) error {
		var f string
		var c opClock
		if err := r.Scan(&f, &c.hlc, &c.device, &c.seq); err != nil {
			return err
		}
		out[f] = c
		return nil
	}, table, key)
	return out, err
}

// setClock records a write of field at c, unless a later one is on record: a deletion that arrives after
// this device deleted the row again later must not take the later deletion's place.
func (a *applier) setClock(ctx context.Context, table, key, field string, c opClock) error {
	_, err := a.t.ExecContext(ctx, `INSERT INTO sync_clocks(tbl, key, field, hlc, device_id, dev_seq) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(tbl, key, field) DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id, dev_seq = excluded.dev_seq
		WHERE (excluded.hlc, excluded.device_id, excluded.dev_seq) > (hlc, device_id, dev_seq)`,
		table, key, field, int64(c.hlc), c.device, c.seq)
	return err
}

// refreshDerived brings what this device derives from orders in line with what arrived: which lines
// still hold stock back and when they left, the orders' line sums, and the waits in each status (kept by
// the store's own writes, which a received change does not pass through).
func (a *applier) refreshDerived(ctx context.Context) error {
	ids := make([]int64, 0, len(a.orders))
	for id := range a.orders {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		var exists int
		if err := a.t.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE id = ?`, id).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			continue
		}
		if _, err := a.t.ExecContext(ctx, `UPDATE order_lines SET
			open = (SELECT o.status IN ('new', 'paid', 'picking', 'packed') FROM orders o WHERE o.id = ?1),
			shipped_at = (SELECT CASE WHEN o.status IN ('shipped', 'delivered', 'returned') THEN o.shipped_at END FROM orders o WHERE o.id = ?1)
			WHERE order_id = ?1`, id); err != nil {
			return fmt.Errorf("refresh the lines of order %d: %w", id, err)
		}
		if err := a.t.sumLines(ctx, id); err != nil {
			return err
		}
		if _, err := a.t.ExecContext(ctx, `DELETE FROM status_waits WHERE order_id = ?`, id); err != nil {
			return fmt.Errorf("refresh the waits of order %d: %w", id, err)
		}
		if _, err := a.t.ExecContext(ctx, `INSERT INTO status_waits(order_id, status, placed_at, entered_at, left_at, wait_ms)
			SELECT h.order_id, h.status, o.placed_at, h.at, h.next_at, CASE WHEN h.next_at IS NOT NULL THEN `+waitMS("h.at", "h.next_at")+` END
			FROM (SELECT order_id, status, at, LEAD(at) OVER (ORDER BY at, device_id, hlc) AS next_at
				FROM order_status_history WHERE order_id = ?1) h
			JOIN orders o ON o.id = h.order_id
			WHERE h.status IN ('new', 'paid', 'picking', 'packed')`, id); err != nil {
			return fmt.Errorf("refresh the waits of order %d: %w", id, err)
		}
	}
	return nil
}

// oversold lists the SKUs this batch touched whose open orders now claim more than is on hand: both
// devices sold the last units while apart. A kit holds no stock of its own: its parts are what run short.
func (a *applier) oversold(ctx context.Context) ([]string, error) {
	var out []string
	touched := map[string]bool{}
	for s := range a.skus {
		touched[strings.ToLower(s)] = true
		err := scanRows(ctx, a.t, `SELECT component_sku FROM kit_components WHERE kit_sku = ?`, func(r *sql.Rows) error {
			var part string
			err := r.Scan(&part)
			touched[strings.ToLower(part)] = true
			return err
		}, s)
		if err != nil {
			return nil, fmt.Errorf("read the parts of %s: %w", s, err)
		}
	}
	skus := make([]string, 0, len(touched))
	for s := range touched {
		skus = append(skus, s)
	}
	sort.Strings(skus)
	for _, sku := range skus {
		var name string
		var short int
		err := a.t.QueryRowContext(ctx, `SELECT v.sku, `+forSKU(onHandAll, "v.sku")+` - `+forSKU(reservedExpr, "v.sku")+` < 0
			FROM variants v WHERE v.sku = ? AND NOT EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku)`, sku).Scan(&name, &short)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("check stock of %s: %w", sku, err)
		}
		if short == 1 {
			out = append(out, name)
		}
	}
	return out, nil
}

func sortedKnown(fields map[string]any, cols map[string]bool) []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		if cols[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func decodeJSON(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

func normalizeValues(vs []any) []any {
	for i, v := range vs {
		vs[i] = normalizeValue(v)
	}
	return vs
}

// normalizeValue turns a JSON number back into what SQLite stored: an integer when it has no fraction.
func normalizeValue(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}
