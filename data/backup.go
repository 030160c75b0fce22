package data

// Backups. A backup is a complete, checked copy of the database in a folder the owner chooses, made with
// SQLite's online backup API so the shop keeps working while it runs. The rules:
//
//   - A copy is written to a temporary file in the backup folder, passes PRAGMA integrity_check, is
//     synced to disk and only then renamed to its final name, backroom-<UTC time>.db. A file with that
//     name is therefore a finished, checked backup; a copy that fails its check is deleted and reported.
//   - Names come only from the clock, never from outside input, and pruning touches only files whose
//     names match that pattern: the folder may be a synced folder or a USB disk shared with other files.
//   - Rotation keeps the newest backup of each of the last 7 days, 4 ISO weeks and 12 months that have
//     one, plus always the newest.
//   - Open runs PRAGMA quick_check before anything writes: a damaged file is never written to (not even a
//     migration or the device id) and Open returns ErrDamaged. Restore checks the backup, moves the
//     current file and its -wal and -shm aside, copies the backup in and checks the result.
//
// The folder is a setting in the database, but a damaged database cannot be read, so the folder is also
// written to a small text file next to the database (<db>.backup-folder) whenever it is set, and on
// every backup. Recovery reads that file; without it, the default folder ("Backups" beside the database)
// is used. The file only ever names a folder to look in: every backup found there is checked before use.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// ErrDamaged means a database file fails SQLite's own check. Backroom does not write to it; restore a
// backup.
var ErrDamaged = errors.New("database is damaged")

// SettingBackupFolder is the folder backups go to; "" means the default, a Backups folder beside the
// database. It is set with SetBackupFolder, which checks the folder, rather than SetSetting.
const SettingBackupFolder Setting = "backup_folder"

const (
	backupTimeLayout = "2006-01-02T150405Z"
	// backupPageStep is how many pages one step of the backup copies: small enough that progress moves
	// and a cancel is seen within a few milliseconds, large enough that a big shop is not slowed down.
	backupPageStep = 256
	// Keep the newest backup of this many days, ISO weeks and months.
	keepDaily, keepWeekly, keepMonthly = 7, 4, 12
)

// backupName matches the backups Backroom writes; nothing else in the folder is ever touched.
var backupName = regexp.MustCompile(`^backroom-(\d{4}-\d{2}-\d{2}T\d{6}Z)\.db$`)

// BackupFile is one backup in the backup folder.
type BackupFile struct {
	Name string    // backroom-2026-11-27T041500Z.db
	Path string    // the whole path
	Time time.Time // when it was made, from its name (UTC)
	Size int64     // bytes
	// Orders is how many orders it holds; -1 when it cannot be read.
	Orders int
	// Problem says why the backup cannot be used ("" when it opened and reads as a Backroom database).
	// A full integrity check runs only before a restore (CheckBackup): listing stays fast.
	Problem string
}

// BackupReport is what one backup did.
type BackupReport struct {
	Backup  BackupFile
	Folder  string
	Removed []string // names of older backups the rotation removed
}

// RestoreReport is what one restore did.
type RestoreReport struct {
	Backup   BackupFile // the backup now in use, as checked
	Database string     // the database file it was copied to
	// Aside is where the file it replaced was moved, with its -wal and -shm beside it; "" when there was
	// no file.
	Aside string
}

// RestoreOptions say why a restore happens.
type RestoreOptions struct {
	// Now stamps the name of the file moved aside (default time.Now).
	Now func() time.Time
	// Damaged names the file moved aside .damaged-<time> rather than .replaced-<time>.
	Damaged bool
}

// DefaultBackupFolder is where backups go until the owner chooses a folder: Backups beside the database.
func DefaultBackupFolder(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "Backups")
}

// folderNote is the file beside the database that remembers the backup folder for when the database
// itself cannot be read.
func folderNote(dbPath string) string { return dbPath + ".backup-folder" }

// BackupFolderOf is the backup folder of the database at dbPath, found without opening it: what the
// note beside it says, else the default. Recovery uses it when the database is damaged.
func BackupFolderOf(dbPath string) string {
	b, err := os.ReadFile(folderNote(dbPath))
	if err == nil {
		if dir, ok := parseFolderNote(b); ok {
			return dir
		}
	}
	return DefaultBackupFolder(dbPath)
}

// parseFolderNote reads the folder note: one whole path, nothing else. Anything else (a file edited by
// hand, cut short, or not ours) is ignored in favour of the default folder.
func parseFolderNote(b []byte) (string, bool) {
	if len(b) > 4096 {
		return "", false
	}
	dir := strings.TrimSpace(string(b))
	if !filepath.IsAbs(dir) || strings.ContainsAny(dir, "\x00\n\r") {
		return "", false
	}
	return filepath.Clean(dir), true
}

// BackupFolder is where this database's backups go.
func (s *Store) BackupFolder(ctx context.Context) (string, error) {
	dir, err := s.Setting(ctx, SettingBackupFolder)
	if err != nil {
		return "", err
	}
	if dir == "" {
		return DefaultBackupFolder(s.path), nil
	}
	return dir, nil
}

// SetBackupFolder chooses the folder backups go to; "" goes back to the default. The folder must exist
// and be writable now. Only an owner may.
func (s *Store) SetBackupFolder(ctx context.Context, dir string) error {
	if err := s.require(PermManageUsers); err != nil {
		return err
	}
	dir = strings.TrimSpace(dir)
	if dir != "" {
		if !filepath.IsAbs(dir) || strings.ContainsAny(dir, "\x00\n\r") || len(dir) > 1000 {
			return errorf(ErrInvalid, "the backup folder must be a whole path, such as %s", DefaultBackupFolder(s.path))
		}
		dir = filepath.Clean(dir)
		if err := usableFolder(dir, false); err != nil {
			return err
		}
	}
	err := s.update(ctx, func(t *tx) error {
		var before sql.NullString
		key := SettingBackupFolder.metaKey()
		if err := t.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&before); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read setting %s: %w", SettingBackupFolder, err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
			key, dir); err != nil {
			return fmt.Errorf("save setting %s: %w", SettingBackupFolder, err)
		}
		var b any
		if before.Valid {
			b = before.String
		}
		return t.audit(ctx, "set", "setting", string(SettingBackupFolder), b, dir)
	})
	if err != nil {
		return err
	}
	return s.noteFolder(dir)
}

// noteFolder writes the folder note beside the database, or removes it for the default folder.
func (s *Store) noteFolder(dir string) error {
	note := folderNote(s.path)
	if dir == "" {
		if err := os.Remove(note); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", note, err)
		}
		return nil
	}
	if b, err := os.ReadFile(note); err == nil && strings.TrimSpace(string(b)) == dir {
		return nil
	}
	tmp := note + ".tmp"
	if err := os.WriteFile(tmp, []byte(dir+"\n"), 0o600); err != nil {
		return fmt.Errorf("remember the backup folder beside the database: %w", err)
	}
	if err := os.Rename(tmp, note); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("remember the backup folder beside the database: %w", err)
	}
	return nil
}

// usableFolder reports, in words for the owner, why backups cannot be written to dir. The default
// folder is made when missing; a chosen one must exist, since a missing one is usually a USB disk or
// synced folder that is not connected, and making it would hide the backups on the internal disk.
func usableFolder(dir string, makeIt bool) error {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) && makeIt {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return errorf(ErrInvalid, "Backroom cannot make the backup folder %s: %v. Choose another folder in Settings › Backups.", dir, rootCause(err))
		}
		info, err = os.Stat(dir)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errorf(ErrNotFound, "The backup folder %s does not exist. If it is on a USB disk or a synced drive, connect it; "+
			"otherwise choose another folder in Settings › Backups.", dir)
	case err != nil:
		return errorf(ErrInvalid, "Backroom cannot use the backup folder %s: %v.", dir, rootCause(err))
	case !info.IsDir():
		return errorf(ErrInvalid, "The backup folder %s is a file, not a folder. Choose a folder in Settings › Backups.", dir)
	}
	f, err := os.CreateTemp(dir, ".backroom-write-test-*")
	if err != nil {
		return errorf(ErrPermission, "Backroom cannot write to the backup folder %s: %v. Choose a folder you can write to "+
			"in Settings › Backups, or make this one writable.", dir, rootCause(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// rootCause is the operating system's words for err, without the path the message already names.
func rootCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// Backup copies the database into the backup folder, checks the copy, and prunes older backups by the
// rotation. progress, when not nil, gets the share done in [0, 1]. Backups of one store run one at a
// time; a second waits for the first. Only an owner may (the app's automatic backups act as the system
// owner, whoever is signed in).
func (s *Store) Backup(ctx context.Context, progress func(float64)) (BackupReport, error) {
	if err := s.require(PermManageUsers); err != nil {
		return BackupReport{}, err
	}
	s.backups.Lock()
	defer s.backups.Unlock()
	dir, err := s.BackupFolder(ctx)
	if err != nil {
		return BackupReport{}, err
	}
	chosen := dir != DefaultBackupFolder(s.path)
	if err := usableFolder(dir, !chosen); err != nil {
		return BackupReport{}, err
	}
	if chosen {
		// Keep the note in step with the setting (a database copied from another computer brings its
		// setting but not its note); failing to write it must not cost the backup.
		_ = s.noteFolder(dir)
	}
	rep := BackupReport{Folder: dir}
	at := s.now()
	name := "backroom-" + at.Format(backupTimeLayout) + ".db"
	tmp, err := os.CreateTemp(dir, ".backroom-backup-*.tmp")
	if err != nil {
		return rep, errorf(ErrPermission, "Backroom cannot write to the backup folder %s: %v.", dir, rootCause(err))
	}
	tmpPath := tmp.Name()
	tmp.Close()
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmpPath)
			os.Remove(tmpPath + "-journal")
		}
	}()
	orders, err := s.copyTo(ctx, tmpPath, progress)
	if err != nil {
		return rep, err
	}
	if err := syncFile(tmpPath); err != nil {
		return rep, fmt.Errorf("write backup %s: %w", filepath.Join(dir, name), err)
	}
	final := filepath.Join(dir, name)
	if err := os.Rename(tmpPath, final); err != nil {
		return rep, fmt.Errorf("write backup %s: %w", final, err)
	}
	keep = true
	syncDir(dir)
	info, err := os.Stat(final)
	if err != nil {
		return rep, fmt.Errorf("write backup %s: %w", final, err)
	}
	rep.Backup = BackupFile{Name: name, Path: final, Time: at.Truncate(time.Second), Size: info.Size(), Orders: orders}
	rep.Removed = pruneBackups(dir)
	return rep, nil
}

// copyTo writes a copy of the database to the empty file path with the online backup API, checks it,
// and returns how many orders it holds. The copy reads from one snapshot: the source connection holds a
// read transaction throughout, so writes that commit meanwhile neither restart the copy nor tear it.
func (s *Store) copyTo(ctx context.Context, path string, progress func(float64)) (int, error) {
	dst, err := sql.Open("sqlite3", fileDSN(path, "_busy_timeout=5000"))
	if err != nil {
		return 0, fmt.Errorf("open backup %s: %w", path, err)
	}
	defer dst.Close()
	dst.SetMaxOpenConns(1)
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("open backup %s: %w", path, err)
	}
	defer dconn.Close()
	src, err := s.read.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", s.path, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, "BEGIN"); err != nil {
		return 0, fmt.Errorf("read %s: %w", s.path, err)
	}
	// Rolled back before the connection goes back to the pool, even when ctx is cancelled.
	defer src.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	var n int
	if err := src.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return 0, fmt.Errorf("read %s: %w", s.path, err)
	}
	err = dconn.Raw(func(d any) error {
		return src.Raw(func(sc any) error {
			b, err := d.(*sqlite3.SQLiteConn).Backup("main", sc.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			defer b.Close()
			for {
				if err := ctx.Err(); err != nil {
					return err
				}
				done, err := b.Step(backupPageStep)
				if err != nil {
					return err
				}
				if progress != nil && b.PageCount() > 0 {
					progress(float64(b.PageCount()-b.Remaining()) / float64(b.PageCount()))
				}
				if done {
					return b.Close()
				}
			}
		})
	})
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("back up %s: %w", s.path, ctx.Err())
		}
		return 0, fmt.Errorf("back up %s: %w", s.path, err)
	}
	// The copy carries the source's WAL mode in its header; a backup is one self-contained file.
	if _, err := dconn.ExecContext(ctx, "PRAGMA journal_mode=DELETE"); err != nil {
		return 0, fmt.Errorf("finish backup %s: %w", path, err)
	}
	if problem, err := integrityProblem(ctx, dconn, "integrity_check"); err != nil {
		return 0, fmt.Errorf("check backup %s: %w", path, err)
	} else if problem != "" {
		return 0, errorf(ErrDamaged, "The backup copy failed its check (%s) and was deleted. The database itself may be damaged: "+
			"close Backroom and open it again to have it checked.", problem)
	}
	return backupOrders(ctx, dconn), nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// integrityProblem runs PRAGMA integrity_check or quick_check and returns "" when the file is sound, or
// the first problem SQLite names. A file too damaged to read at all is a problem too, not an error.
func integrityProblem(ctx context.Context, q queryer, pragma string) (string, error) {
	rows, err := q.QueryContext(ctx, "PRAGMA "+pragma+"(1)")
	if err != nil {
		if isDamage(err) {
			return checkLine(err.Error()), nil
		}
		return "", err
	}
	defer rows.Close()
	var first string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		if first == "" {
			first = line
		}
	}
	if err := rows.Err(); err != nil {
		if isDamage(err) {
			return checkLine(err.Error()), nil
		}
		return "", err
	}
	if first == "ok" {
		return "", nil
	}
	if first == "" {
		first = "no answer from the check"
	}
	return checkLine(first), nil
}

// checkLine makes a line of SQLite's check fit in a sentence: its "*** in database main ***" heading
// and line breaks go.
func checkLine(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "*** in database main ***"))
	return strings.Join(strings.Fields(s), " ")
}

// isDamage reports whether err is SQLite saying the file is corrupt or not a database at all.
func isDamage(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB)
}

func backupOrders(ctx context.Context, q queryer) int {
	rows, err := q.QueryContext(ctx, "SELECT count(*) FROM orders")
	if err != nil {
		return -1
	}
	defer rows.Close()
	n := -1
	if rows.Next() {
		if rows.Scan(&n) != nil {
			n = -1
		}
	}
	return n
}

// fileDSN is a go-sqlite3 data source for path with extra query parameters.
func fileDSN(path string, params ...string) string {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath()
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	return dsn
}

// checkIntact runs PRAGMA quick_check on the file at path, if there is one, over a read-only connection
// of its own: nothing is written to a damaged file, not even the WAL mode switch the store's writer makes.
// (SQLite may make its -shm index and an empty -wal beside it; the database file itself is unchanged.)
func checkIntact(ctx context.Context, path string) error {
	if info, err := os.Stat(path); err != nil || info.Size() == 0 {
		return nil // no file yet, or one Open will report on itself
	}
	db, err := sql.Open("sqlite3", fileDSN(path, "mode=ro", "_busy_timeout=5000"))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	problem, err := integrityProblem(ctx, db, "quick_check")
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if problem != "" {
		return &Error{Kind: ErrDamaged, Message: fmt.Sprintf("The database %s is damaged (SQLite says: %s). Backroom has not changed it. "+
			"Restore a backup: Backroom offers the newest good one when it starts, or run 'backroom backup restore FILE'.", path, problem)}
	}
	return nil
}

// Backups lists the backups in this database's backup folder, newest first. A default folder that was
// never made is an empty list; a chosen folder that is missing is an error naming it.
func (s *Store) Backups(ctx context.Context) (string, []BackupFile, error) {
	dir, err := s.BackupFolder(ctx)
	if err != nil {
		return "", nil, err
	}
	list, err := listBackups(ctx, dir, dir == DefaultBackupFolder(s.path))
	return dir, list, err
}

// BackupsOf lists the backups of the database at dbPath without opening it, newest first: the folder
// BackupFolderOf names. Recovery from a damaged database uses it.
func BackupsOf(ctx context.Context, dbPath string) (string, []BackupFile, error) {
	dir := BackupFolderOf(dbPath)
	list, err := listBackups(ctx, dir, dir == DefaultBackupFolder(dbPath))
	return dir, list, err
}

func listBackups(ctx context.Context, dir string, missingIsEmpty bool) ([]BackupFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) && missingIsEmpty {
		return nil, nil
	}
	if err != nil {
		if usable := usableFolder(dir, false); usable != nil && !errors.Is(usable, ErrPermission) {
			return nil, usable
		}
		return nil, errorf(ErrInvalid, "Backroom cannot read the backup folder %s: %v.", dir, rootCause(err))
	}
	var out []BackupFile
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		at, ok := backupTime(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		b := BackupFile{Name: e.Name(), Path: filepath.Join(dir, e.Name()), Time: at, Orders: -1}
		if info, err := e.Info(); err == nil {
			b.Size = info.Size()
		}
		b.Orders, b.Problem = peekBackup(ctx, b.Path)
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

func backupTime(name string) (time.Time, bool) {
	m := backupName.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, false
	}
	at, err := time.Parse(backupTimeLayout, m[1])
	return at, err == nil
}

// peekBackup opens a backup read-only and reads its order count: cheap, and enough to tell a file that
// is not a Backroom database or cannot be opened at all.
func peekBackup(ctx context.Context, path string) (orders int, problem string) {
	if err := checkHeader(path); err != nil {
		return -1, "not a database file"
	}
	db, err := sql.Open("sqlite3", fileDSN(path, "mode=ro", "_busy_timeout=2000"))
	if err != nil {
		return -1, "cannot be opened"
	}
	defer db.Close()
	var appID int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return -1, "cannot be read: " + err.Error()
	}
	if appID != applicationID {
		return -1, "not a Backroom database"
	}
	return backupOrders(ctx, db), ""
}

// CheckBackup runs the full integrity check on a backup file and reads it as a Backroom database. An
// error names the file and what is wrong; ErrDamaged when the check fails.
func CheckBackup(ctx context.Context, path string) (BackupFile, error) {
	b := BackupFile{Name: filepath.Base(path), Path: path, Orders: -1}
	b.Time, _ = backupTime(b.Name)
	info, err := os.Stat(path)
	if err != nil {
		return b, errorf(ErrNotFound, "Backroom cannot read the backup %s: %v.", path, rootCause(err))
	}
	if !info.Mode().IsRegular() {
		return b, errorf(ErrInvalid, "The backup %s is not a file.", path)
	}
	b.Size = info.Size()
	if b.Time.IsZero() {
		b.Time = info.ModTime().UTC()
	}
	if err := checkHeader(path); err != nil || info.Size() == 0 {
		return b, errorf(ErrInvalid, "%s is not a Backroom backup: it is not a database file.", path)
	}
	db, err := sql.Open("sqlite3", fileDSN(path, "mode=ro", "_busy_timeout=5000"))
	if err != nil {
		return b, fmt.Errorf("open backup %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	problem, err := integrityProblem(ctx, db, "integrity_check")
	if err != nil {
		return b, fmt.Errorf("check backup %s: %w", path, err)
	}
	if problem != "" {
		b.Problem = problem
		return b, errorf(ErrDamaged, "The backup %s is damaged (SQLite says: %s); choose another.", path, problem)
	}
	var appID int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return b, fmt.Errorf("read backup %s: %w", path, err)
	}
	if appID != applicationID {
		b.Problem = "not a Backroom database"
		return b, errorf(ErrNotBackroom, "%s is not a Backroom backup: it is another program's database.", path)
	}
	b.Orders = backupOrders(ctx, db)
	return b, nil
}

// Restore replaces the database at dbPath with the backup at backupPath. The store on dbPath must be
// closed, and no other Backroom may have it open. The backup is checked first; then it is copied beside
// the database, the current file with its -wal and -shm is moved aside (to <name>.damaged-<time> or
// <name>.replaced-<time>), the copy takes its place, and the result is checked again. The file moved
// aside is never deleted.
func Restore(ctx context.Context, dbPath, backupPath string, opts RestoreOptions) (RestoreReport, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	rep := RestoreReport{Database: dbPath}
	b, err := CheckBackup(ctx, backupPath)
	rep.Backup = b
	if err != nil {
		return rep, err
	}
	if err := inUseElsewhere(dbPath); err != nil {
		return rep, err
	}
	dir := filepath.Dir(dbPath)
	tmp, err := os.CreateTemp(dir, ".backroom-restore-*.tmp")
	if err != nil {
		return rep, errorf(ErrPermission, "Backroom cannot write beside the database in %s: %v.", dir, rootCause(err))
	}
	tmpPath := tmp.Name()
	placed := false
	defer func() {
		if !placed {
			os.Remove(tmpPath)
		}
	}()
	err = copyFile(tmp, backupPath)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return rep, fmt.Errorf("copy backup %s beside %s: %w", backupPath, dbPath, err)
	}
	if err := newSyncIncarnation(ctx, tmpPath); err != nil {
		return rep, fmt.Errorf("prepare backup %s for sync: %w", backupPath, err)
	}
	kind := ".replaced-"
	if opts.Damaged {
		kind = ".damaged-"
	}
	aside := dbPath + kind + opts.Now().UTC().Format(backupTimeLayout)
	if _, err := os.Stat(dbPath); err == nil {
		for _, ext := range []string{"", "-wal", "-shm"} {
			err := os.Rename(dbPath+ext, aside+ext)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return rep, fmt.Errorf("move %s aside to %s: %w", dbPath+ext, aside+ext, err)
			}
		}
		rep.Aside = aside
	}
	// Leftover -wal or -shm of the file moved aside would be read as part of the restored one.
	for _, ext := range []string{"-wal", "-shm", "-journal"} {
		os.Remove(dbPath + ext)
	}
	if err := os.Rename(tmpPath, dbPath); err != nil {
		return rep, fmt.Errorf("put the backup in place of %s (the old file is at %s): %w", dbPath, aside, err)
	}
	placed = true
	syncDir(dir)
	db, err := sql.Open("sqlite3", fileDSN(dbPath, "mode=ro", "_busy_timeout=5000"))
	if err != nil {
		return rep, fmt.Errorf("open restored %s: %w", dbPath, err)
	}
	defer db.Close()
	problem, err := integrityProblem(ctx, db, "integrity_check")
	if err != nil {
		return rep, fmt.Errorf("check restored %s: %w", dbPath, err)
	}
	if problem != "" {
		return rep, errorf(ErrDamaged, "The restored database %s failed its check (SQLite says: %s). The file it replaced is at %s; "+
			"try another backup.", dbPath, problem, aside)
	}
	return rep, nil
}

// newSyncIncarnation gives a restored copy a new sync incarnation (tx.opPrefix), so the ops it makes from
// now on never take the ids of ops the database made after this backup and already sent to the hub.
// The copy is not yet in place, so nothing else has it open.
func newSyncIncarnation(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", fileDSN(path, "_busy_timeout=5000"))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('sync_incarnation', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, newIncarnation())
	if err != nil {
		return err
	}
	// Leave one file, as a backup is: the restore moves only it into place.
	_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

func copyFile(dst *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := io.Copy(dst, in); err != nil {
		return err
	}
	return dst.Sync()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable. Best effort: not every system can sync a folder (Windows cannot).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// pruneBackups removes the backups in dir the rotation does not keep and returns their names.
func pruneBackups(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	var times []time.Time
	for _, e := range entries {
		if at, ok := backupTime(e.Name()); ok && e.Type().IsRegular() {
			names = append(names, e.Name())
			times = append(times, at)
		}
	}
	keep := keepBackups(times)
	var removed []string
	for i, name := range names {
		if !keep[i] {
			if err := os.Remove(filepath.Join(dir, name)); err == nil {
				removed = append(removed, name)
			}
		}
	}
	return removed
}

// keepBackups says which of the backups made at times the rotation keeps: the newest of each of the
// last keepDaily days, keepWeekly ISO weeks and keepMonthly months that have a backup, and the newest
// of all. Days, weeks and months are UTC, as the names are.
func keepBackups(times []time.Time) []bool {
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return times[order[a]].After(times[order[b]]) })
	keep := make([]bool, len(times))
	if len(order) > 0 {
		keep[order[0]] = true
	}
	buckets := []struct {
		n   int
		key func(time.Time) string
	}{
		{keepDaily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{keepWeekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
		{keepMonthly, func(t time.Time) string { return t.Format("2006-01") }},
	}
	for _, b := range buckets {
		seen := map[string]bool{}
		for _, i := range order { // newest first: the first of each period is its newest
			k := b.key(times[i].UTC())
			if seen[k] {
				continue
			}
			if len(seen) == b.n {
				break
			}
			seen[k] = true
			keep[i] = true
		}
	}
	return keep
}

// LastBackup is when the newest backup in this database's backup folder was made; zero when there is
// none or the folder cannot be read. The app's triggers ask it, so a backup made by the command line
// or another window counts too.
func (s *Store) LastBackup(ctx context.Context) (time.Time, error) {
	dir, err := s.BackupFolder(ctx)
	if err != nil {
		return time.Time{}, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return time.Time{}, nil
	}
	var newest time.Time
	for _, e := range entries {
		if at, ok := backupTime(e.Name()); ok && at.After(newest) {
			newest = at
		}
	}
	return newest, nil
}

// MayRestore reports, as ErrPermission, whether the user this store acts for may replace the database
// with a backup: only an owner may. Restore itself works on a closed file and cannot ask.
func (s *Store) MayRestore() error { return s.require(PermManageUsers) }
