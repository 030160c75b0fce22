package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// damageMiddle overwrites three pages in the middle of a closed database file.
func damageMiddle(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mid := len(b) / 4096 / 2
	if mid < 3 {
		t.Fatalf("%s is too small to damage in the middle", path)
	}
	for i := (mid - 1) * 4096; i < (mid+2)*4096; i++ {
		b[i] = byte(0x3C ^ i)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRecovery_RestoresNewestGood starts on a damaged database with two backups, the newer of them
// damaged too: "Restore newest good backup" skips it, restores the older one, keeps the damaged file
// aside and opens the shop's window on the restored file.
func TestRecovery_RestoresNewestGood(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	clock := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	s, err := data.Open(ctx, path, data.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	seedTestShop(t, s)
	// Enough rows that the middle pages of the file belong to tables, not free space.
	for i := range 400 {
		if _, err := s.AdjustStock(ctx, data.Adjustment{SKU: "MUG-BLUE", Delta: 1, Reason: data.ReasonReceipt,
			Note: strings.Repeat("a box from the potter ", 60) + time.Duration(i).String()}); err != nil {
			t.Fatal(err)
		}
	}
	wantOrders, err := s.CountOrders(ctx, data.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	good, err := s.Backup(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(48 * time.Hour)
	bad, err := s.Backup(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	damageMiddle(t, bad.Backup.Path)
	damageMiddle(t, path)
	_, cause := data.Open(ctx, path, data.Options{})
	if !errors.Is(cause, data.ErrDamaged) {
		t.Fatalf("Open of the damaged file = %v, want ErrDamaged", cause)
	}

	fa := newUIApp(t)
	r := newRecoveryScreen(ctx, fa, path, cause)
	t.Cleanup(func() {
		r.bg.stop()
		if r.ui != nil {
			r.ui.Stop()
		}
	})
	r.load()
	r.bg.wait()
	if len(r.backups) != 2 || r.backups[0].Name != bad.Backup.Name || r.backups[1].Name != good.Backup.Name {
		t.Fatalf("recovery lists %+v, want the two backups newest first", r.backups)
	}
	if r.newest.Disabled() {
		t.Fatalf("Restore newest good backup is disabled; status %q", r.status.Text)
	}
	r.onNewest()
	r.bg.wait()
	if r.ui == nil {
		t.Fatalf("no shop window after the restore; status %q", r.status.Text)
	}
	r.ui.bg.wait()
	n, err := r.ui.base.CountOrders(ctx, data.OrderFilter{})
	if err != nil || n != wantOrders {
		t.Errorf("restored shop has %d orders (%v), want %d", n, err, wantOrders)
	}
	asides, _ := filepath.Glob(path + ".damaged-*")
	if len(asides) == 0 {
		t.Errorf("the damaged file was not kept aside")
	}
	// The damaged backup was only read: it is still there for whoever wants to look at it.
	if _, err := os.Stat(bad.Backup.Path); err != nil {
		t.Errorf("the damaged backup is gone: %v", err)
	}
}

// TestRecovery_NoBackups says where it looked when there is nothing to restore.
func TestRecovery_NoBackups(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	fa := newUIApp(t)
	r := newRecoveryScreen(ctx, fa, path, errors.New("damaged"))
	t.Cleanup(r.bg.stop)
	r.load()
	r.bg.wait()
	if !r.newest.Disabled() || !strings.Contains(r.status.Text, filepath.Join(filepath.Dir(path), "Backups")) {
		t.Errorf("with no backups: newest enabled %v, status %q", !r.newest.Disabled(), r.status.Text)
	}
}

// TestBackupSettings_PackerHasNoTab: only an owner sees Settings › Backups.
func TestBackupSettings_OwnerOnly(t *testing.T) {
	for _, tc := range []struct {
		user string
		tab  bool
	}{{testOwner, true}, {testPacker, false}, {testAccountant, false}} {
		a := newTestAppAs(t, tc.user)
		holdUI(t, a)
		sc := showScreen[*settingsScreen](t, a, sectionSettings)
		has := false
		for _, it := range sc.tabs.Items {
			has = has || it.Text == backupsTabTitle
		}
		if has != tc.tab {
			t.Errorf("%s sees the Backups tab: %v, want %v", tc.user, has, tc.tab)
		}
		if tc.user != testOwner {
			if err := a.store.MayRestore(); !errors.Is(err, data.ErrPermission) {
				t.Errorf("%s MayRestore = %v, want ErrPermission", tc.user, err)
			}
		}
	}
}

// TestBackupSettings_BackUpNow backs up from the tab and lists the new backup.
func TestBackupSettings_BackUpNow(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*settingsScreen](t, a, sectionSettings)
	b := sc.backups
	b.refresh()
	waitUI(a)
	b.backupNow.OnTapped()
	waitUI(a)
	waitUI(a) // the list reloads once the backup is done
	if a.backups.lastErr != nil || a.backups.last.Backup.Name == "" {
		t.Fatalf("backup: %+v, %v", a.backups.last, a.backups.lastErr)
	}
	if !strings.Contains(b.status.Text, "checked") || b.list.total != 1 {
		t.Errorf("status %q, %d backups listed; want the one just made", b.status.Text, b.list.total)
	}
}
