package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
)

// TestInventoryScreen_AdjustStock_DiskFull puts the shop on a 4 MiB disk (a tmpfs: needs root), fills
// it, and records a stock change on the screen: the owner must read that the disk holding the shop is
// full and what to do, not "Something went wrong".
func TestInventoryScreen_AdjustStock_DiskFull(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("needs root to mount a small disk: %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	ctx := context.Background()
	path := filepath.Join(dir, "shop.db")
	a := newTestAppAt(t, path)
	// Fill the disk with another file, then with small changes until one no longer fits: the screen's
	// change, as small, cannot fit either.
	filler, err := os.Create(filepath.Join(dir, "other-file"))
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 4096)
	for {
		if _, err := filler.Write(block); err != nil {
			break
		}
	}
	filler.Close()
	for n := 0; ; n++ {
		_, err := a.base.AdjustStock(ctx, data.Adjustment{SKU: "APRON-SAGE", Delta: 1, Note: fmt.Sprint("filling the disk ", n)})
		if err != nil {
			t.Logf("the disk is full after %d more changes: %v", n, err)
			break
		}
		if n > 10000 {
			t.Fatal("the disk never filled")
		}
	}

	holdUI(t, a)
	sc := showScreen[*inventoryScreen](t, a, sectionInventory)
	selectSKU(t, a, sc, "APRON-SAGE")
	test.Tap(sc.adjust)
	f := sc.adjustment
	if f == nil {
		t.Fatal("Adjust stock opened no dialog")
	}
	test.Type(f.delta, "-2")
	f.kind.SetSelected(adjustKinds[0].title)
	test.Type(f.note, "two dropped in the stockroom")
	test.Tap(f.save)
	settle(a)
	want := "The disk holding " + path + " is full: free some space and try again; nothing was saved from this change."
	if !f.message.Visible() || f.message.Text != want {
		t.Errorf("message = %q (visible %v), want %q", f.message.Text, f.message.Visible(), want)
	}
	if sc.adjustment == nil {
		t.Error("the dialog closed: the owner's entry is lost")
	}
}

// newTestAppAt is newTestApp with the shop at path, signed in as the owner.
func newTestAppAt(t *testing.T, path string) *App {
	t.Helper()
	ctx := context.Background()
	fa := newUIApp(t)
	base, err := data.Open(ctx, path, data.Options{})
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	t.Cleanup(func() { base.Close() })
	seedTestShop(t, base)
	a := New(ctx, fa, base)
	a.keys = keychain.NewWith("backroom-test", keychain.NewMemory())
	t.Cleanup(a.Stop)
	u, err := base.UserByName(ctx, testOwner)
	if err != nil {
		t.Fatal(err)
	}
	d := fa.driver
	d.lock()
	a.signedIn(base.As(u))
	d.unlock()
	a.bg.wait()
	return a
}
