package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/data"
)

// backupJSON is one backup in "backup list --json" and "backup now --json".
type backupJSON struct {
	File    string `json:"file"`
	Path    string `json:"path"`
	Time    string `json:"time"`
	Size    int64  `json:"size"`
	Orders  *int   `json:"orders"`  // null when it cannot be read
	Problem string `json:"problem"` // "" when it opens as a Backroom database
}

func newBackupJSON(b data.BackupFile) backupJSON {
	j := backupJSON{File: b.Name, Path: b.Path, Time: b.Time.UTC().Format(time.RFC3339), Size: b.Size, Problem: b.Problem}
	if b.Orders >= 0 {
		n := b.Orders
		j.Orders = &n
	}
	return j
}

func backupNowCommand() *command {
	return &command{
		name: "backup now", args: "[--json]",
		summary: "back up the database now",
		help: `Copies the database into the backup folder (Settings › Backups; by default a Backups folder beside
the database) while it stays in use, checks the copy with SQLite's integrity check, and only then
gives it its name, backroom-<UTC time>.db. Older backups are thinned out: the newest of each of the
last 7 days, 4 weeks and 12 months are kept, and always the newest. Other files in the folder are
never touched.

With --json, prints {"folder","backup":{"file","path","time","size","orders","problem"},"removed":[names]}.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print one JSON object") },
		run:   runBackupNow,
	}
}

func runBackupNow(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("backup now takes no arguments")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	bar := r.progressLine()
	rep, err := store.Backup(ctx, bar.showShare)
	bar.done()
	if err != nil {
		return err
	}
	if asJSON {
		removed := rep.Removed
		if removed == nil {
			removed = []string{}
		}
		return writeJSON(r.out, struct {
			Folder  string     `json:"folder"`
			Backup  backupJSON `json:"backup"`
			Removed []string   `json:"removed"`
		}{rep.Folder, newBackupJSON(rep.Backup), removed})
	}
	fmt.Fprintf(r.out, "Backed up to %s (%s, %s, checked).\n", rep.Backup.Path, sizeText(rep.Backup.Size), ordersText(rep.Backup.Orders))
	if len(rep.Removed) > 0 {
		fmt.Fprintf(r.out, "Removed %s by the rotation: %s\n", plural(len(rep.Removed), "older backup", "older backups"), strings.Join(rep.Removed, ", "))
	}
	return nil
}

func backupListCommand() *command {
	return &command{
		name: "backup list", args: "[--json]",
		summary: "list the backups, newest first",
		help: `Lists the backups in the backup folder, newest first: when each was made, its size, how many orders
it holds, and any problem found opening it. It works on a damaged database too: then the folder is the
one remembered beside the database (<db>.backup-folder), else the default Backups folder.

With --json, prints an array of {"file","path","time","size","orders","problem"}; orders is null for a
backup that cannot be read, problem is "" for one that opens as a Backroom database.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print a JSON array") },
		run:   runBackupList,
	}
}

func runBackupList(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("backup list takes no arguments")
	}
	dir, list, err := r.backups(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSONList(r.out, list, func(b data.BackupFile) any { return newBackupJSON(b) })
	}
	if len(list) == 0 {
		fmt.Fprintf(r.out, "No backups in %s yet. Run 'backroom backup now' to make one.\n", dir)
		return nil
	}
	fmt.Fprintf(r.out, "Backups in %s, newest first:\n", dir)
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tMADE\tSIZE\tORDERS\tPROBLEM")
	for _, b := range list {
		orders := "?"
		if b.Orders >= 0 {
			orders = fmt.Sprint(b.Orders)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Name, b.Time.Local().Format("2 Jan 2006 15:04"), sizeText(b.Size), orders, b.Problem)
	}
	return tw.Flush()
}

// backups lists the backups of the database, read through the store when it opens and from the
// remembered folder when it is damaged.
func (r *runner) backups(ctx context.Context) (string, []data.BackupFile, error) {
	path, err := r.dbPath()
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return data.BackupsOf(ctx, path)
	}
	store, err := r.open(ctx, existing)
	if errors.Is(err, data.ErrDamaged) {
		return data.BackupsOf(ctx, path)
	}
	if err != nil {
		return "", nil, err
	}
	return store.Backups(ctx)
}

type restoreOptions struct{ yes, json *bool }

func backupRestoreCommand() *command {
	return &command{
		name: "backup restore", args: "[--yes] [--json] FILE",
		summary: "replace the database with a backup",
		help: `Replaces the database with the backup FILE: a path, or a name from 'backroom backup list'. The backup
is checked with SQLite's integrity check first; a damaged backup is refused and nothing changes. The
current database file, with its -wal and -shm, is not deleted: it is moved aside to
<db>.replaced-<time> (or <db>.damaged-<time> when it fails its own check). The restored file is
checked again. Close Backroom windows on this database first; a restore refuses while one has it open.

On a terminal it asks before replacing anything; scripts pass --yes. On a healthy database only an
owner may restore; a damaged one cannot be signed in to, so whoever may replace the file may restore.

With --json, prints {"database","backup":{"file","path","time","size","orders","problem"},"moved_aside"};
moved_aside is "" when there was no database file.`,
		flags: func(fs *flag.FlagSet) any {
			return &restoreOptions{
				yes:  fs.Bool("yes", false, "replace without asking"),
				json: fs.Bool("json", false, "print one JSON object"),
			}
		},
		run: runBackupRestore,
	}
}

func runBackupRestore(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*restoreOptions)
	if len(args) != 1 {
		return usagef("name one backup file to restore")
	}
	path, err := r.dbPath()
	if err != nil {
		return err
	}
	damaged := false
	if _, err := os.Stat(path); err == nil {
		store, err := r.open(ctx, existing)
		switch {
		case errors.Is(err, data.ErrDamaged):
			damaged = true
		case err != nil:
			return err
		case !store.Can(data.PermManageUsers):
			return fmt.Errorf("%s (%s) may not restore backups; only an owner may", store.User().Name, store.User().Role)
		}
		r.close() // Restore swaps the file: nothing of ours may hold it open
	}
	file := args[0]
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) && filepath.Base(file) == file {
		file = filepath.Join(data.BackupFolderOf(path), file)
		if !damaged {
			if store, err := r.open(ctx, existing); err == nil {
				if dir, err := store.BackupFolder(ctx); err == nil {
					file = filepath.Join(dir, args[0])
				}
			}
			r.close()
		}
	}
	b, err := data.CheckBackup(ctx, file)
	if err != nil {
		return err
	}
	if !*opts.yes {
		if err := r.confirmRestore(path, b, damaged); err != nil {
			return err
		}
	}
	rep, err := data.Restore(ctx, path, file, data.RestoreOptions{Damaged: damaged})
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, struct {
			Database   string     `json:"database"`
			Backup     backupJSON `json:"backup"`
			MovedAside string     `json:"moved_aside"`
		}{rep.Database, newBackupJSON(rep.Backup), rep.Aside})
	}
	fmt.Fprintf(r.out, "Restored %s from %s (made %s, %s), checked.\n", rep.Database, rep.Backup.Name,
		rep.Backup.Time.Local().Format("2 Jan 2006 15:04"), ordersText(rep.Backup.Orders))
	if rep.Aside != "" {
		fmt.Fprintf(r.out, "The file it replaced is kept at %s.\n", rep.Aside)
	}
	return nil
}

// confirmRestore asks on the terminal before a restore; without one there is nobody to ask.
func (r *runner) confirmRestore(path string, b data.BackupFile, damaged bool) error {
	f, ok := r.env.Stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return errors.New("restore replaces the database; run it in a terminal to be asked, or pass --yes")
	}
	state := "The current file will be kept beside it as " + filepath.Base(path) + ".replaced-<time>."
	if damaged {
		state = "The current file is damaged; it will be kept beside it as " + filepath.Base(path) + ".damaged-<time>."
	}
	fmt.Fprintf(r.env.Stderr, "Replace %s with the backup %s (made %s, %s)?\n%s\nType yes to restore: ",
		path, b.Name, b.Time.Local().Format("2 Jan 2006 15:04"), ordersText(b.Orders), state)
	answer, err := readLine(f)
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "yes" && a != "y" {
		return errors.New("not restored; nothing changed")
	}
	return nil
}

// backupIfOlder backs up, as after an import, when the newest backup is older than age.
func (r *runner) backupIfOlder(ctx context.Context, store *data.Store, age time.Duration) {
	last, err := store.LastBackup(ctx)
	if err == nil && store.Now().Sub(last) < age {
		return
	}
	r.backupAfterImport(ctx, store)
}

// backupAfterImport backs up once an import has written something. The import stands either way, so a
// failed backup is a warning on stderr, never the command's error, and stdout stays what --json promises.
func (r *runner) backupAfterImport(ctx context.Context, store *data.Store) {
	if !store.Can(data.PermManageUsers) {
		store = r.store // the database as opened acts for the owner: backups protect everyone's work
	}
	if store == nil {
		return
	}
	rep, err := store.Backup(ctx, nil)
	if err != nil {
		fmt.Fprintf(r.env.Stderr, "backroom: the import is saved, but the backup after it failed: %s\n", message(err))
		return
	}
	fmt.Fprintf(r.env.Stderr, "Backed up to %s.\n", rep.Backup.Path)
}

// showShare shows how much of a backup is done, when stderr is a terminal.
func (p *progressLine) showShare(f float64) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[KBacking up: %d%%", int(f*100))
	p.shown = true
}

func ordersText(n int) string {
	if n < 0 {
		return "orders unknown"
	}
	return plural(n, "order", "orders")
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
