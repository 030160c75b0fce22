package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/backroom-app/backroom/app/devicesync"
	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
)

// newWelcomeApp opens the window on a new, empty database: the welcome screen.
func newWelcomeApp(t *testing.T) *App {
	t.Helper()
	ctx := context.Background()
	fa := newUIApp(t)
	base, err := data.Open(ctx, filepath.Join(t.TempDir(), "new.db"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { base.Close() })
	a := New(ctx, fa, base)
	a.keys = keychain.NewWith("backroom-test", keychain.NewMemory())
	a.sync.hubListen = "127.0.0.1:-1"
	t.Cleanup(a.Stop)
	d := fa.driver
	d.lock()
	a.Start()
	d.unlock()
	a.bg.wait()
	if a.welcome == nil {
		t.Fatal("a new database does not open on the welcome screen")
	}
	return a
}

// shopOf opens a database holding the test shop.
func shopOf(t *testing.T) *data.Store {
	t.Helper()
	s, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "shop.db"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	seedTestShop(t, s)
	return s
}

// A new computer hosts the hub from the welcome screen; the computer that holds the shop joins it and
// sends the shop; the new computer then opens the shop by itself.
func TestWelcome_HostTheHubThenTheShopArrives(t *testing.T) {
	ctx := context.Background()
	a := newWelcomeApp(t)
	holdUI(t, a)
	sc := a.welcome
	sc.hostNow("Shop desktop")
	waitFor(t, a, "the hub to start", func() bool { return a.sync.hub != nil || a.sync.hubErr != nil })
	if a.sync.hubErr != nil {
		t.Fatalf("the hub did not start: %v", a.sync.hubErr)
	}
	waitFor(t, a, "the pairing code", func() bool { return sc.devices != nil && sc.devices.pairCode != nil })
	if !sc.waiting.Visible() || !sc.join.Disabled() {
		t.Errorf("while waiting: waiting note shown %v, join disabled %v", sc.waiting.Visible(), sc.join.Disabled())
	}

	laptop := shopOf(t)
	code, err := devicesync.HostPairingCode(ctx, a.base, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := devicesync.Pair(ctx, laptop, code.Code, "Laptop")
	if err != nil {
		t.Fatalf("Pair: %v", err)
	}
	if !r.Founding {
		t.Errorf("the laptop with the shop did not found it")
	}
	if _, err := devicesync.NewDevice(laptop, devicesync.Options{}).SyncNow(ctx); err != nil {
		t.Fatalf("laptop SyncNow: %v", err)
	}
	waitFor(t, a, "the shop to open", func() bool { return a.welcome == nil })
	users, err := a.base.Users(ctx)
	if err != nil || len(users) == 0 {
		t.Fatalf("the hub computer has %d people (%v) after the shop arrived", len(users), err)
	}
	if top := a.win.Canvas().Overlays().Top(); top != nil {
		t.Error("the used pairing code is still shown over the shop")
	}
}

// A new computer joins a running shop from the welcome screen and opens it, with the shop's people.
func TestWelcome_JoinWithACode(t *testing.T) {
	ctx := context.Background()
	desk := shopOf(t)
	if err := devicesync.HostHub(ctx, desk, "Shop desktop", "127.0.0.1:-1"); err != nil {
		t.Fatal(err)
	}
	hub, err := devicesync.StartHub(ctx, desk, devicesync.HubConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Shutdown)
	if _, err := devicesync.NewDevice(desk, devicesync.Options{}).SyncNow(ctx); err != nil {
		t.Fatalf("desk SyncNow: %v", err)
	}
	code, err := hub.NewPairingCode(ctx, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}

	a := newWelcomeApp(t)
	holdUI(t, a)
	sc := a.welcome
	sc.onJoin()
	d := sc.devices
	d.joinCode.SetText("not a code")
	d.joinName.SetText("Till")
	d.onJoinGo()
	waitFor(t, a, "the refusal", func() bool { return d.stopJoin == nil && d.joinMessage.Visible() })
	if a.welcome != sc {
		t.Fatal("a bad code left the welcome screen")
	}
	d.joinCode.SetText(code.Code)
	d.onJoinGo()
	waitFor(t, a, "the shop to open", func() bool { return a.welcome == nil })
	users, err := a.base.Users(ctx)
	if err != nil || len(users) == 0 {
		t.Fatalf("the new computer has %d people (%v) after joining", len(users), err)
	}
	st, err := a.base.SyncStatus(ctx)
	if err != nil || !st.Enabled || st.DeviceName != "Till" {
		t.Errorf("sync status after joining: %+v, %v", st, err)
	}
}
