package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"
)

func TestStorageError_Classifies(t *testing.T) {
	const path = "/shop/backroom.db"
	for _, c := range []struct {
		code    sqlite3.ErrNo
		ext     sqlite3.ErrNoExtended
		inWrite bool
		want    []string
	}{
		{sqlite3.ErrFull, 0, true, []string{"The disk holding /shop/backroom.db is full: free some space and try again; nothing was saved from this change."}},
		{sqlite3.ErrReadonly, sqlite3.ErrReadonlyDbMoved, true, []string{"/shop/backroom.db cannot be written", "read-only", "nothing was saved"}},
		{sqlite3.ErrPerm, 0, false, []string{"/shop/backroom.db cannot be written"}},
		{sqlite3.ErrCantOpen, 0, false, []string{"Backroom cannot open /shop/backroom.db", "folder"}},
		{sqlite3.ErrIoErr, sqlite3.ErrIoErrWrite, true, []string{"The disk holding /shop/backroom.db failed", "nothing was saved"}},
		{sqlite3.ErrBusy, 0, true, []string{"/shop/backroom.db is busy", "Try again in a moment; nothing was saved"}},
		{sqlite3.ErrLocked, 0, true, []string{"/shop/backroom.db is busy"}},
	} {
		cause := sqlite3.Error{Code: c.code, ExtendedCode: c.ext}
		err := storageError(path, fmt.Errorf("commit: %w", cause), c.inWrite)
		msg := UserMessage(err)
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: message %q lacks %q", c.code, msg, w)
			}
		}
		if !c.inWrite && strings.Contains(msg, "nothing was saved") {
			t.Errorf("%v outside a write: %q speaks of a change", c.code, msg)
		}
		var se sqlite3.Error
		if !errors.Is(err, ErrStorage) || !errors.As(err, &se) || se.Code != c.code {
			t.Errorf("%v: %v is not ErrStorage wrapping the SQLite error", c.code, err)
		}
		if !strings.Contains(err.Error(), cause.Error()) {
			t.Errorf("%v: the logged text %q drops SQLite's %q", c.code, err.Error(), cause.Error())
		}
	}
	// Everything else passes through untouched: constraint errors, the store's own messages, nil.
	constraint := fmt.Errorf("insert: %w", sqlite3.Error{Code: sqlite3.ErrConstraint})
	if got := storageError(path, constraint, true); got != constraint {
		t.Errorf("a constraint error became %v", got)
	}
	own := errorf(ErrInvalid, "say why")
	if got := storageError(path, own, true); got != own {
		t.Errorf("the store's own error became %v", got)
	}
	if storageError(path, nil, true) != nil {
		t.Error("nil became an error")
	}
	perm := storageError(path, fmt.Errorf("open %s: %w", path, os.ErrPermission), false)
	if !errors.Is(perm, ErrStorage) || !strings.Contains(UserMessage(perm), "Backroom may not open /shop/backroom.db") {
		t.Errorf("permission denied: %v", perm)
	}
}

// mustRun runs a command the test needs as root (mount, chattr), skipping the test where it cannot.
func mustRun(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Skipf("needs root and %s (%v: %s)", name, err, strings.TrimSpace(string(out)))
	}
}

// fillUntilFull writes stock adjustments with long notes until one fails, and returns how many were
// committed before it and the error.
func fillUntilFull(ctx context.Context, t *testing.T, s *Store) (int, error) {
	t.Helper()
	note := strings.Repeat("a full disk must not lose this ", 200)
	for n := 0; n < 100000; n++ {
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "FILL-1", Delta: 1, Note: fmt.Sprintf("fill %d %s", n, note)}); err != nil {
			return n, err
		}
	}
	t.Fatal("the disk never filled")
	return 0, nil
}

// checkKept reopens the shop and checks it is intact and holds the committed adjustments exactly.
func checkKept(ctx context.Context, t *testing.T, path string, committed int) {
	t.Helper()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopen after the failure: %v", err)
	}
	defer s.Close()
	var check string
	var n, onHand, level int64
	if err := s.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	if err := s.read.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(quantity), 0) FROM stock_movements WHERE sku = 'FILL-1' AND note LIKE 'fill %'`).Scan(&n, &onHand); err != nil {
		t.Fatal(err)
	}
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(on_hand), 0) FROM stock_levels WHERE sku = 'FILL-1'`).Scan(&level); err != nil {
		t.Fatal(err)
	}
	if n != int64(committed) || onHand != int64(committed) || level != int64(committed) {
		t.Errorf("after the failure the shop holds %d adjustments (ledger %d, level %d); %d were committed", n, onHand, level, committed)
	}
	// And the shop works again.
	if _, err := s.AdjustStock(ctx, Adjustment{SKU: "FILL-1", Delta: 1, Note: "after"}); err != nil {
		t.Errorf("a write after the failure: %v", err)
	}
}

func newFillShop(ctx context.Context, t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddVariant(ctx, NewVariant{SKU: "FILL-1", ProductName: "Filler", Price: 100, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func wantStorageMessage(t *testing.T, err error, path string, says ...string) {
	t.Helper()
	if !errors.Is(err, ErrStorage) {
		t.Fatalf("got %v; want ErrStorage", err)
	}
	if errors.Is(err, ErrDamaged) {
		t.Errorf("%v counts as a damaged file: the app would offer to restore a backup over a good shop", err)
	}
	msg := UserMessage(err)
	if !strings.Contains(msg, path) {
		t.Errorf("message %q does not name %s", msg, path)
	}
	for _, s := range says {
		if !strings.Contains(msg, s) {
			t.Errorf("message %q lacks %q", msg, s)
		}
	}
	t.Logf("the owner reads: %s", msg)
}

// TestStorage_DiskFull fills a real 2 MiB disk (a tmpfs, as root) and, everywhere, a database capped
// with max_page_count: the write that does not fit fails with a message naming the file, and every write
// before it is still there.
func TestStorage_DiskFull(t *testing.T) {
	ctx := context.Background()
	t.Run("tmpfs", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir)
		t.Cleanup(func() { exec.Command("umount", dir).Run() })
		path := filepath.Join(dir, "shop.db")
		s := newFillShop(ctx, t, path)
		committed, err := fillUntilFull(ctx, t, s)
		wantStorageMessage(t, err, path, "is full", "free some space", "nothing was saved")
		s.Close()
		mustRun(t, "mount", "-o", "remount,size=16m", dir)
		checkKept(ctx, t, path, committed)
	})
	t.Run("max_page_count", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "shop.db")
		s := newFillShop(ctx, t, path)
		var pages int
		if err := s.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+40)); err != nil {
			t.Fatal(err)
		}
		committed, err := fillUntilFull(ctx, t, s)
		wantStorageMessage(t, err, path, "is full", "nothing was saved")
		s.Close()
		checkKept(ctx, t, path, committed)
	})
}

// TestStorage_ReadOnly opens a shop whose file, or whose folder, cannot be written (as root, file modes
// do not stop us: the file is made immutable, the folder a read-only mount), and checks the message
// names the file and nothing stored before is lost.
func TestStorage_ReadOnly(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (string, string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "shop.db")
		s := newFillShop(ctx, t, path)
		for n := range 3 {
			if _, err := s.AdjustStock(ctx, Adjustment{SKU: "FILL-1", Delta: 1, Note: fmt.Sprintf("fill %d", n)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return dir, path
	}
	t.Run("file", func(t *testing.T) {
		_, path := setup(t)
		mustRun(t, "chattr", "+i", path)
		t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
		s, err := Open(ctx, path, Options{})
		if err == nil {
			_, err = s.AdjustStock(ctx, Adjustment{SKU: "FILL-1", Delta: 1, Note: "fill refused"})
			s.Close()
			wantStorageMessage(t, err, path, "cannot be written", "read-only", "nothing was saved")
		} else {
			wantStorageMessage(t, err, path)
		}
		mustRun(t, "chattr", "-i", path)
		checkKept(ctx, t, path, 3)
	})
	t.Run("folder", func(t *testing.T) {
		dir, path := setup(t)
		mustRun(t, "mount", "--bind", dir, dir)
		t.Cleanup(func() { exec.Command("umount", dir).Run() })
		mustRun(t, "mount", "-o", "remount,ro,bind", dir)
		s, err := Open(ctx, path, Options{})
		if err == nil {
			_, err = s.AdjustStock(ctx, Adjustment{SKU: "FILL-1", Delta: 1, Note: "fill refused"})
			s.Close()
			wantStorageMessage(t, err, path, "nothing was saved")
		} else {
			wantStorageMessage(t, err, path)
		}
		mustRun(t, "umount", dir)
		checkKept(ctx, t, path, 3)
	})
	t.Run("missing folder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "gone", "shop.db")
		_, err := Open(ctx, path, Options{})
		wantStorageMessage(t, err, path, "folder")
	})
}
