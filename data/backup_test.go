package data

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fillStore adds n stock movements with long notes, so the file spans many backup steps.
func fillStore(tb testing.TB, s *Store, n int) {
	tb.Helper()
	ctx := context.Background()
	mustVariant(tb, s, "MUG", "Mug", 1200, 400)
	mustVariant(tb, s, "CUP", "Cup", 800, 300)
	note := strings.Repeat("delivery from the mill, checked and counted; ", 40)
	for i := range n {
		sku := "MUG"
		if i%2 == 1 {
			sku = "CUP"
		}
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: sku, Delta: 1, Reason: ReasonReceipt, Note: note}); err != nil {
			tb.Fatalf("AdjustStock: %v", err)
		}
	}
}

// ledgerAgrees checks in the file at path that every stock level equals the sum of its movements and
// returns the number of movements.
func ledgerAgrees(t *testing.T, path string) int {
	t.Helper()
	s, err := Open(context.Background(), path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	defer s.Close()
	var bad, moves int
	err = s.read.QueryRow(`SELECT
		(SELECT count(*) FROM stock_levels l WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
			WHERE m.sku = l.sku AND m.location_id = l.location_id)),
		(SELECT count(*) FROM stock_movements)`).Scan(&bad, &moves)
	if err != nil {
		t.Fatalf("read ledger: %v", err)
	}
	if bad != 0 {
		t.Errorf("%d stock levels differ from the sum of their movements in %s", bad, path)
	}
	return moves
}

func TestBackup_ConsistentWhileWritten(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	fillStore(t, s, 1500)
	before := 1500

	// One writer runs throughout; another write lands between two steps of the copy for certain.
	stop := make(chan struct{})
	var wrote atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.AdjustStock(ctx, Adjustment{SKU: "MUG", Delta: 2, Reason: ReasonReceipt, Note: "during backup"}); err != nil {
				t.Errorf("AdjustStock during backup: %v", err)
				return
			}
			wrote.Add(1)
		}
	}()
	var steps int
	rep, err := s.Backup(ctx, func(f float64) {
		steps++
		if steps == 1 {
			if _, err := s.AdjustStock(ctx, Adjustment{SKU: "CUP", Delta: 5, Reason: ReasonReceipt, Note: "between steps"}); err != nil {
				t.Errorf("AdjustStock between steps: %v", err)
			}
		}
	})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if steps < 2 {
		t.Fatalf("the copy took %d steps; the test needs a file of several steps", steps)
	}
	if want := filepath.Join(DefaultBackupFolder(s.Path()), "backroom-2026-11-20T093000Z.db"); rep.Backup.Path != want {
		t.Errorf("backup at %s, want %s", rep.Backup.Path, want)
	}
	if _, err := CheckBackup(ctx, rep.Backup.Path); err != nil {
		t.Fatalf("CheckBackup: %v", err)
	}
	// Opened through a copy: Open would switch the backup itself to WAL mode.
	moves := ledgerAgrees(t, copyOf(t, rep.Backup.Path))
	if moves < before || moves > before+1+int(wrote.Load()) {
		t.Errorf("backup holds %d movements, want between %d and %d", moves, before, before+1+int(wrote.Load()))
	}
	if t.Failed() {
		return
	}
	t.Logf("%d steps, %d writes meanwhile, %d movements in the backup", steps, wrote.Load(), moves)
}

func copyOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(cp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return cp
}

func TestBackup_Cancelled(t *testing.T) {
	s := mustOpen(t)
	fillStore(t, s, 1200)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := s.Backup(ctx, func(float64) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Backup after cancel = %v, want context.Canceled", err)
	}
	entries, _ := os.ReadDir(DefaultBackupFolder(s.Path()))
	for _, e := range entries {
		t.Errorf("left behind in the backup folder: %s", e.Name())
	}
}

func TestKeepBackups(t *testing.T) {
	d := func(s string) time.Time {
		at, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	// Listed newest first here; handed over oldest first below, as a folder listing may order them.
	list := []struct {
		at   string
		keep bool
		why  string
	}{
		{"2026-11-27 04:15", true, "newest; day 27, week 48, November"},
		{"2026-11-27 01:00", false, "older on day 27"},
		{"2026-11-26 23:00", true, "day 26"},
		{"2026-11-26 08:00", false, "older on day 26"},
		{"2026-11-25 12:00", true, "day 25"},
		{"2026-11-24 12:00", true, "day 24"},
		{"2026-11-23 12:00", true, "day 23 (Monday of week 48)"},
		{"2026-11-22 12:00", true, "day 22; newest of week 47"},
		{"2026-11-21 12:00", true, "day 21, the 7th day"},
		{"2026-11-20 12:00", false, "8th day, older in week 47 and in November"},
		{"2026-11-14 12:00", true, "newest of week 46"},
		{"2026-11-08 12:00", true, "newest of week 45, the 4th week"},
		{"2026-11-02 12:00", false, "older in week 45 and in November"},
		{"2026-10-31 12:00", true, "newest of October"},
		{"2026-10-01 12:00", false, "older in October"},
		{"2026-09-15 12:00", true, "September"},
		{"2026-08-15 12:00", true, "August"},
		{"2026-07-15 12:00", true, "July"},
		{"2026-06-15 12:00", true, "June"},
		{"2026-05-15 12:00", true, "May"},
		{"2026-04-15 12:00", true, "April"},
		{"2026-03-15 12:00", true, "March"},
		{"2026-02-15 12:00", true, "February"},
		{"2026-01-15 12:00", true, "January, the 11th month"},
		{"2025-12-15 12:00", true, "December 2025, the 12th month"},
		{"2025-11-15 12:00", false, "13th month back"},
	}
	times := make([]time.Time, len(list))
	for i, e := range list {
		times[i] = d(e.at)
	}
	for i, j := 0, len(times)-1; i < j; i, j = i+1, j-1 {
		times[i], times[j] = times[j], times[i]
	}
	got := keepBackups(times)
	for i := range times {
		want := list[len(list)-1-i]
		if got[i] != want.keep {
			t.Errorf("%s: keep = %v, want %v (%s)", want.at, got[i], want.keep, want.why)
		}
	}
	if got := keepBackups(nil); len(got) != 0 {
		t.Errorf("keepBackups(nil) = %v", got)
	}
	if got := keepBackups([]time.Time{d("2020-01-01 00:00")}); !got[0] {
		t.Errorf("a single backup is not kept")
	}
}

func TestBackup_RotationPrunesOnlyOurs(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 11, 27, 4, 15, 0, 0, time.UTC)
	s := mustOpenAt(t, &clock)
	dir := DefaultBackupFolder(s.Path())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Two old ones of the same day as an older backup, and files that are not ours.
	for _, name := range []string{"backroom-2026-11-20T010000Z.db", "backroom-2026-11-20T020000Z.db", "notes.txt", "backroom-old.db", "backroom-2026-11-20T010000Z.db.bak"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Backup(ctx, nil)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if len(rep.Removed) != 1 || rep.Removed[0] != "backroom-2026-11-20T010000Z.db" {
		t.Errorf("removed %v, want [backroom-2026-11-20T010000Z.db]", rep.Removed)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := "backroom-2026-11-20T010000Z.db.bak backroom-2026-11-20T020000Z.db backroom-2026-11-27T041500Z.db backroom-old.db notes.txt"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("folder holds %s\nwant %s", got, want)
	}
	_, list, err := s.Backups(ctx)
	if err != nil {
		t.Fatalf("Backups: %v", err)
	}
	if len(list) != 2 || list[0].Name != "backroom-2026-11-27T041500Z.db" || list[0].Problem != "" || list[0].Orders != 0 ||
		list[1].Problem != "not a database file" {
		t.Errorf("Backups = %+v", list)
	}
}

func TestRestore_RoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	s, err := Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, s, 10)
	rep, err := s.Backup(ctx, nil)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	fillStore2 := func() {
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "MUG", Delta: 100, Reason: ReasonReceipt, Note: "after the backup"}); err != nil {
			t.Fatal(err)
		}
	}
	fillStore2()
	if got := mustLevel(t, s, "MUG").OnHand; got != 105 {
		t.Fatalf("MUG before restore = %d, want 105", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	later := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	res, err := Restore(ctx, path, rep.Backup.Path, RestoreOptions{Now: func() time.Time { return later }})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if want := path + ".replaced-2026-11-21T080000Z"; res.Aside != want {
		t.Errorf("aside = %s, want %s", res.Aside, want)
	}
	if res.Backup.Orders != 0 || res.Backup.Name != "backroom-2026-11-20T093000Z.db" {
		t.Errorf("restored backup = %+v", res.Backup)
	}
	s, err = Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("Open restored: %v", err)
	}
	if got := mustLevel(t, s, "MUG").OnHand; got != 5 {
		t.Errorf("MUG after restore = %d, want 5 (as backed up)", got)
	}
	s.Close()
	// The replaced file keeps the write made after the backup.
	old, err := Open(ctx, res.Aside, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("Open the file moved aside: %v", err)
	}
	defer old.Close()
	if got := mustLevel(t, old, "MUG").OnHand; got != 105 {
		t.Errorf("MUG in the file moved aside = %d, want 105", got)
	}
}

func TestRestore_RefusesDamagedBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "shop.db")
	s, err := Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, s, 300)
	rep, err := s.Backup(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	damagePages(t, rep.Backup.Path)
	before, _ := os.ReadFile(path)
	_, err = Restore(ctx, path, rep.Backup.Path, RestoreOptions{})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(UserMessage(err), rep.Backup.Path) {
		t.Fatalf("Restore of a damaged backup = %v, want ErrDamaged naming the file", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("the database changed although the restore was refused")
	}
	notDB := filepath.Join(dir, "notes.db")
	os.WriteFile(notDB, []byte("hello"), 0o600)
	if _, err := Restore(ctx, path, notDB, RestoreOptions{}); err == nil || !strings.Contains(UserMessage(err), "not a Backroom backup") {
		t.Errorf("Restore of a text file = %v", err)
	}
}

// damagePages overwrites three pages in the middle of a closed database file.
func damagePages(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	pages := len(b) / page
	if pages < 10 {
		t.Fatalf("%s has %d pages; too small to damage in the middle", path, pages)
	}
	for p := pages/2 - 1; p <= pages/2+1; p++ {
		for i := p * page; i < (p+1)*page; i++ {
			b[i] = byte(0xA5 ^ i)
		}
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_DamagedIsNotWritten(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	s, err := Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, s, 300)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	damagePages(t, path)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path, Options{Now: func() time.Time { return testNow }})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open of a damaged file = %v, want ErrDamaged", err)
	}
	if msg := UserMessage(err); !strings.Contains(msg, path) || !strings.Contains(msg, "backup") {
		t.Errorf("message %q does not name the file and the way out", msg)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("Open changed the damaged file")
	}
	if info, err := os.Stat(path + "-wal"); err == nil && info.Size() > 0 {
		t.Errorf("Open wrote %d bytes of WAL for the damaged file", info.Size())
	}
}

func TestBackupFolder(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if got, _ := s.BackupFolder(ctx); got != filepath.Join(filepath.Dir(s.Path()), "Backups") {
		t.Errorf("default folder = %s", got)
	}
	chosen := t.TempDir()
	if err := s.SetBackupFolder(ctx, chosen); err != nil {
		t.Fatalf("SetBackupFolder: %v", err)
	}
	if got := BackupFolderOf(s.Path()); got != chosen {
		t.Errorf("BackupFolderOf (the note) = %s, want %s", got, chosen)
	}
	rep, err := s.Backup(ctx, nil)
	if err != nil || filepath.Dir(rep.Backup.Path) != chosen {
		t.Fatalf("Backup = %+v, %v; want it in %s", rep, err, chosen)
	}
	dir, list, err := BackupsOf(ctx, s.Path())
	if err != nil || dir != chosen || len(list) != 1 || list[0].Problem != "" {
		t.Errorf("BackupsOf = %s, %+v, %v", dir, list, err)
	}

	t.Run("Packer", func(t *testing.T) {
		packer := s.As(User{Name: "Pat", Role: RolePacker, Active: true})
		if err := packer.SetBackupFolder(ctx, chosen); !errors.Is(err, ErrPermission) {
			t.Errorf("packer SetBackupFolder = %v, want ErrPermission", err)
		}
		if _, err := packer.Backup(ctx, nil); !errors.Is(err, ErrPermission) {
			t.Errorf("packer Backup = %v, want ErrPermission", err)
		}
		acc := s.As(User{Name: "Ann", Role: RoleAccountant, Active: true})
		if _, err := acc.Backup(ctx, nil); !errors.Is(err, ErrPermission) {
			t.Errorf("accountant Backup = %v, want ErrPermission", err)
		}
		if err := acc.SetBackupFolder(ctx, chosen); !errors.Is(err, ErrPermission) {
			t.Errorf("accountant SetBackupFolder = %v, want ErrPermission", err)
		}
		if packer.MayRestore() == nil || acc.MayRestore() == nil || s.MayRestore() != nil {
			t.Errorf("MayRestore: packer %v, accountant %v, owner %v; want only the owner", packer.MayRestore(), acc.MayRestore(), s.MayRestore())
		}
	})
	t.Run("Relative", func(t *testing.T) {
		if err := s.SetBackupFolder(ctx, "Backups"); !errors.Is(err, ErrInvalid) {
			t.Errorf("relative folder = %v, want ErrInvalid", err)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		gone := filepath.Join(t.TempDir(), "usb")
		if err := s.SetBackupFolder(ctx, gone); !errors.Is(err, ErrNotFound) || !strings.Contains(UserMessage(err), gone) {
			t.Errorf("SetBackupFolder(missing) = %v", err)
		}
		unplug := filepath.Join(t.TempDir(), "usb")
		os.Mkdir(unplug, 0o700)
		if err := s.SetBackupFolder(ctx, unplug); err != nil {
			t.Fatal(err)
		}
		os.Remove(unplug)
		_, err := s.Backup(ctx, nil)
		if msg := UserMessage(err); !errors.Is(err, ErrNotFound) || !strings.Contains(msg, unplug) || !strings.Contains(msg, "connect") {
			t.Errorf("Backup to a missing folder = %v", err)
		}
		if _, err := os.Stat(unplug); err == nil {
			t.Errorf("Backup made the chosen folder %s, which hides backups meant for a USB disk", unplug)
		}
	})
	t.Run("File", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		if err := s.SetBackupFolder(ctx, f); err == nil || !strings.Contains(UserMessage(err), "is a file") {
			t.Errorf("SetBackupFolder(file) = %v", err)
		}
	})
	t.Run("ReadOnly", func(t *testing.T) {
		ro := readOnlyFolder(t)
		err := s.SetBackupFolder(ctx, ro)
		if msg := UserMessage(err); !errors.Is(err, ErrPermission) || !strings.Contains(msg, ro) || !strings.Contains(msg, "cannot write") {
			t.Errorf("SetBackupFolder(read-only) = %v", err)
		}
	})
	if err := s.SetBackupFolder(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path() + ".backup-folder"); !os.IsNotExist(err) {
		t.Errorf("the folder note stays after going back to the default: %v", err)
	}
}

// readOnlyFolder is a folder nobody may write to. Root ignores permission bits, so as root it is a
// read-only tmpfs mount.
func readOnlyFolder(t *testing.T) string {
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		if runtime.GOOS == "windows" {
			t.Skip("no read-only folders on Windows this way")
		}
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return dir
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("root cannot mount a read-only tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}
