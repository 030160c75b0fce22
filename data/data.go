// Package data is Backroom's domain and its SQLite store: what a shop is (products, stock, orders, users)
// and every SQL statement that reads or writes it.
//
// A shop's whole state lives in one SQLite file. Stock is never a number that gets overwritten: it is the
// sum of an append-only ledger of movements, so every unit can be explained and a repeated import can never
// count twice. Every write goes through one writer connection in an immediate transaction that also
// appends to the audit log and stamps the change with this device's id and a hybrid logical clock, so a
// later sync between machines can merge without losing stock.
//
// A Store acts for one user. Permissions are enforced here, not only in the screens: a store acting for a
// packer refuses to return costs, however it is asked.
package data

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// storeDriver is go-sqlite3 with the settings every connection of a Store needs: temporary storage in
// memory. A statement that fires triggers (the figures kept beside orders and shipments, migrations
// 0016 and 0023; sync's capture triggers, 0020) keeps a journal of the pages it changes, and on disk
// that journal is a write(2) per page: with a trigger on every inserted order, an import made 30 times
// as many writes as without.
const storeDriver = "sqlite3-backroom"

func init() {
	sql.Register(storeDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA temp_store = MEMORY", nil)
		return err
	}})
}

// applicationID marks a SQLite file as Backroom's ("BKRM"), so we never migrate someone else's database.
const applicationID = 0x424b524d

// timeLayout keeps stored times sortable as text: UTC, fixed width, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// Store is an open Backroom database, acting for one user.
type Store struct {
	*db
	user User
}

// db is what every Store view of one file shares.
type db struct {
	path   string
	write  *sql.DB // one connection: SQLite has one writer, and queuing here beats SQLITE_BUSY
	read   *sql.DB
	device string
	clock  *clock
	now    func() time.Time
	// backups makes this store's backups run one at a time (backup.go).
	backups sync.Mutex
	// writeGapUntil (Unix ns) holds this store's next write back after a long one, so another process's
	// waiting write gets its turn (see update).
	writeGapUntil atomic.Int64
}

// Options tune Open; the zero value is what the app uses.
type Options struct {
	// Now replaces the wall clock, for tests.
	Now func() time.Time
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
}

// Open opens or creates the Backroom database at path and brings its schema up to date. The returned
// store acts as the system owner; use Login or As to act for a person.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	if err := checkHeader(path); err != nil {
		return nil, storageError(path, err, false)
	}
	// Before anything can write: a damaged file must stay exactly as it is for recovery (backup.go).
	if err := checkIntact(ctx, path); err != nil {
		return nil, storageError(path, err, false)
	}
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	// Another process (the GUI and a command-line import, or two windows) may hold the write lock for a
	// whole import: 5 s for 100,000 lines, 50 s for a million. Waiting that long beats failing a change
	// with "database is locked"; past it, the owner is told the file is busy (storage_errors.go).
	q.Set("_busy_timeout", "120000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	// Imports and the demo run the same few statements thousands of times: keep them prepared, and keep
	// enough index pages in memory that scattered order ids do not send every insert back to disk.
	q.Set("_stmt_cache_size", "64")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()

	// The single writer gets a 64 MiB page cache, each reader 16 MiB.
	write, err := sql.Open(storeDriver, dsn+fmt.Sprintf("&_cache_size=%d", writerCacheSize))
	if err != nil {
		return nil, storageError(path, fmt.Errorf("open %s: %w", path, err), false)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	d := &db{path: path, write: write, clock: &clock{}, now: func() time.Time { return opts.Now().UTC() }}
	if err := d.migrate(ctx); err != nil {
		write.Close()
		return nil, storageError(path, err, false)
	}
	read, err := sql.Open(storeDriver, dsn+"&_cache_size=-16384&mode=ro")
	if err != nil {
		write.Close()
		return nil, storageError(path, fmt.Errorf("open %s for reading: %w", path, err), false)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	d.read = read
	if err := d.loadDevice(ctx); err != nil {
		d.close()
		return nil, storageError(path, err, false)
	}
	return &Store{db: d, user: systemUser}, nil
}

// checkHeader refuses, before SQLite touches it, a file that is not a SQLite database at all: opening it
// would only fail later with "file is not a database", which tells a shop owner nothing.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 {
		return nil
	}
	if string(head[:n]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is not a database file (%w)", path, ErrNotBackroom)
	}
	return nil
}

// Close releases the database. Views made with As or Login share it: close it once.
func (s *Store) Close() error { return s.close() }

func (d *db) close() error {
	var errs []error
	if d.read != nil {
		errs = append(errs, d.read.Close())
	}
	if d.write != nil {
		// A final checkpoint folds the WAL into the main file, so a copied backroom.db is complete.
		_, _ = d.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, d.write.Close())
	}
	return errors.Join(errs...)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DeviceID identifies this installation in every change it stamps.
func (s *Store) DeviceID() string { return s.device }

// Now is the store's clock, in UTC.
func (s *Store) Now() time.Time { return s.now() }

func (d *db) loadDevice(ctx context.Context) error {
	err := d.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'device_id'`).Scan(&d.device)
	if errors.Is(err, sql.ErrNoRows) {
		d.device = newID()
		_, err = d.write.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('device_id', ?)`, d.device)
		if err != nil {
			return fmt.Errorf("record device id: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("read device id: %w", err)
	}
	var last int64
	err = d.read.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc'`).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read clock: %w", err)
	}
	d.clock.last = HLC(last)
	return d.loadSync(ctx)
}

// loadSync writes a syncing device's capture triggers again if a migration changed the schema since they
// were written.
func (d *db) loadSync(ctx context.Context) error {
	var enabled bool
	var triggersFor, version int
	if err := d.read.QueryRowContext(ctx, `SELECT enabled, triggers_for FROM sync_state WHERE id = 1`).Scan(&enabled, &triggersFor); err != nil {
		return fmt.Errorf("read sync state: %w", err)
	}
	if !enabled {
		return nil
	}
	if err := d.read.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read the schema version: %w", err)
	}
	if triggersFor != version {
		s := &Store{db: d, user: systemUser}
		if err := s.update(ctx, func(t *tx) error { return t.writeCaptureTriggers(ctx) }); err != nil {
			return fmt.Errorf("update sync triggers: %w", err)
		}
	}
	return nil
}

// newID returns a UUIDv7 in text form: time-ordered, so ids from one device sort by creation, and random
// enough that two offline devices never pick the same one.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	ms := uint64(time.Now().UnixMilli())
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// writerCacheSize is the writer's page cache, in KiB when negative (SQLite's convention): big enough for
// the working set of a 100,000-order shop.
const writerCacheSize = -65536

// tx is one write transaction: every row it writes gets the same time and clock stamp.
type tx struct {
	*sql.Tx
	s      *Store
	now    time.Time
	hlc    HLC
	stmts  map[string]*sql.Stmt
	known  lookups
	nowStr string
	nowFor time.Time
	// importing names the file a bulk import is applying; its orders are audited by reference to it.
	importing string
	// source says where the orders of a write that is not a file import come from ("mail: <subject>"),
	// for the changes a period lock holds back.
	source string
	// unlocked lets the write's orders into locked periods: the owner applying a change held back.
	unlocked bool
	// gz compresses the mail a write stores; one per write, since each new writer allocates its large
	// state and a sync stores dozens of messages per write.
	gz *gzip.Writer
	// uncounted are the orders this write inserted that sales_hours does not hold yet (tx.countSales).
	uncounted map[int64]bool
}

// lookups are answers a write keeps for its own length because it asks them over and over; whatever
// changes one of them inside the write must forget it.
type lookups struct {
	skus    map[string]string // lower-case SKU → SKU as written, "" for none
	allSKUs bool              // skus holds every SKU: a miss means there is none
	aliases map[string]Alias  // channel + key → alias, zero for none
	// aliasChannels are the channels whose aliases are all in aliases.
	aliasChannels map[string]bool
	kits          map[string][]KitComponent
	stockAt       map[string]string // SKU → location its sales are taken from
	// orders holds hashes of the (channel, order id) pairs stored, for the channels in
	// orderChannels; an import loads a channel's once.
	orders        map[uint64]struct{}
	orderChannels map[string]bool
	orderSeed     maphash.Seed
	// locks are the locked periods, read once per write: an import checks every order against them.
	locks     []lockSpan
	locksRead bool
}

// stmt prepares each statement once per transaction: an import runs the same few statements hundreds of
// thousands of times, and re-preparing them was most of its cost. The statements close with the transaction.
func (t *tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

// ExecContext runs a prepared copy of query; it shadows sql.Tx's so every write gets the cache.
func (t *tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a prepared copy of query.
func (t *tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a prepared copy of query. A statement that fails to prepare falls back to the
// unprepared path, which reports the same error through Row.Scan.
func (t *tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// nowText is the write's time as stored; formatted once, as an import stamps hundreds of thousands of rows.
func (t *tx) nowText() string {
	if t.nowStr == "" || t.nowFor != t.now {
		t.nowStr, t.nowFor = t.now.Format(timeLayout), t.now
	}
	return t.nowStr
}

// A write holding the lock longer than longWrite is followed by writeGap without writing: longer than
// SQLite's busy-wait poll of 100 ms, so a write waiting in another process gets in.
const (
	longWrite = 200 * time.Millisecond
	writeGap  = 150 * time.Millisecond
)

// update runs fn in one immediate write transaction. It is the only way the store writes.
func (s *Store) update(ctx context.Context, fn func(*tx) error) error {
	if gap := time.Until(time.Unix(0, s.writeGapUntil.Load())); gap > 0 {
		select {
		case <-time.After(gap):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return storageError(s.path, fmt.Errorf("begin write: %w", err), true)
	}
	// SQLite's busy wait polls (every 100 ms once it has waited a while) rather than queueing, so a
	// process committing long writes back to back, an import of file after file, would starve another
	// process's writes. After holding the lock long, leave a gap longer than one poll before the next.
	locked := time.Now()
	defer func() {
		if time.Since(locked) > longWrite {
			s.writeGapUntil.Store(time.Now().Add(writeGap).UnixNano())
		}
	}()
	defer sqlTx.Rollback()
	now := s.now()
	t := &tx{Tx: sqlTx, s: s, now: now, hlc: s.clock.tick(now)}
	if err := fn(t); err != nil {
		return storageError(s.path, err, true)
	}
	if err := t.countSales(ctx); err != nil {
		return storageError(s.path, err, true)
	}
	// Stamped on every write, not only once this process saw sync enabled: another process may have
	// enabled it since, and its triggers record this write's changes too.
	if err := t.stampOps(ctx); err != nil {
		return storageError(s.path, err, true)
	}
	if _, err := sqlTx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('hlc', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, fmt.Sprint(int64(t.hlc))); err != nil {
		return storageError(s.path, fmt.Errorf("save clock: %w", err), true)
	}
	if err := sqlTx.Commit(); err != nil {
		return storageError(s.path, fmt.Errorf("commit: %w", err), true)
	}
	return nil
}

// scanRows runs a query and calls fn for each row.
func scanRows(ctx context.Context, q querier, query string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryList runs a query and scans each row with scan: the shape of every list the store returns.
func queryList[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := scanRows(ctx, q, query, func(r *sql.Rows) error {
		v, err := scan(r)
		out = append(out, v)
		return err
	}, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a stored time. Every time the store writes has timeLayout's fixed shape, which is read
// digit by digit: the dashboard's figures parse a hundred thousand of them, and time.Parse was a tenth of
// their time. Anything else (a time written by hand, or by an older version) goes through time.Parse.
func parseTime(s string) time.Time {
	if t, ok := parseFixedTime(s); ok {
		return t
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

// parseFixedTime reads "2006-01-02T15:04:05.000Z" exactly; ok is false for any other shape or an
// impossible date, which time.Parse then reports the usual way.
func parseFixedTime(s string) (time.Time, bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d, h, mi, sec, ms := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19), num(20, 23)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), time.UTC)
	if t.Day() != d { // 31 April and the like roll over in time.Date; time.Parse refuses them
		return time.Time{}, false
	}
	return t, true
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseNullTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTime(s.String)
}

// isConstraint reports whether err is a SQLite constraint violation of the given extended code.
func isConstraint(err error, code sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == code
}
