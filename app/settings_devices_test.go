package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/devicesync"
	"github.com/backroom-app/backroom/data"
)

// showDevicesTab opens Settings › Devices and waits for it to load.
func showDevicesTab(t *testing.T, a *App) *settingsScreen {
	t.Helper()
	sc := showScreen[*settingsScreen](t, a, sectionSettings)
	for _, item := range sc.tabs.Items {
		if item.Text == devicesTabTitle {
			sc.tabs.Select(item)
			waitUI(a)
			return sc
		}
	}
	t.Fatalf("Settings has no %s tab", devicesTabTitle)
	return nil
}

// offlineStatus is a device that synced two hours ago and has failed to reach its hub since.
func offlineStatus(now time.Time) data.SyncStatus {
	return data.SyncStatus{Enabled: true, DeviceID: "dev-2", DeviceName: "Packing desk", ShopID: "shop-1",
		HubURL: "tls://192.168.1.20:4222", Waiting: 3, LastSync: now.Add(-2 * time.Hour),
		LastTryAt: now.Add(-time.Minute), LastError: "hub unreachable at 192.168.1.20:4222: dial tcp 192.168.1.20:4222: connect: connection refused"}
}

func TestDescribeSync(t *testing.T) {
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	synced := data.SyncStatus{Enabled: true, HubURL: "tls://192.168.1.20:4222", LastSync: now.Add(-2 * time.Minute),
		LastTryAt: now.Add(-2 * time.Minute)}

	t.Run("NotSyncing", func(t *testing.T) {
		v := describeSync(data.SyncStatus{}, nil, nil, now)
		if !strings.HasPrefix(v.headline, "Not syncing") || v.details {
			t.Errorf("headline = %q (details %v), want Not syncing and no details", v.headline, v.details)
		}
	})
	t.Run("Offline", func(t *testing.T) {
		v := describeSync(offlineStatus(now), nil, nil, now)
		if got, want := v.headline, offlineText; got != want {
			t.Errorf("headline = %q, want %q", got, want)
		}
		if v.importance != widget.WarningImportance {
			t.Errorf("importance = %v, want warning", v.importance)
		}
		if !strings.Contains(v.problem, "The hub at 192.168.1.20:4222 did not answer") || strings.Contains(v.problem, "dial tcp") {
			t.Errorf("problem = %q, want it in plain words naming the hub", v.problem)
		}
		if got, want := v.waiting, "3 changes made here"; got != want {
			t.Errorf("waiting = %q, want %q", got, want)
		}
		if !strings.HasPrefix(v.lastSync, "2 hours ago") {
			t.Errorf("last sync = %q, want 2 hours ago", v.lastSync)
		}
	})
	t.Run("Waiting", func(t *testing.T) {
		st := synced
		st.Waiting = 1
		v := describeSync(st, nil, nil, now)
		if got, want := v.headline, "Syncing: 1 change waiting to send. Last synced 2 minutes ago."; got != want {
			t.Errorf("headline = %q, want %q", got, want)
		}
	})
	t.Run("UpToDate", func(t *testing.T) {
		st := synced
		st.HostsHub = true
		v := describeSync(st, nil, nil, now)
		if got, want := v.headline, "Up to date: synced with the hub 2 minutes ago."; got != want {
			t.Errorf("headline = %q, want %q", got, want)
		}
		if got, want := v.hub, "This computer, port 4222"; got != want {
			t.Errorf("hub = %q, want %q", got, want)
		}
		if v.problem != "" || v.waiting != "Nothing" {
			t.Errorf("problem = %q, waiting = %q; want none", v.problem, v.waiting)
		}
	})
	t.Run("FailedAfterSuccessIsNotOfflineWhenOlder", func(t *testing.T) {
		// An error recorded before the last success is history, not the present state.
		st := synced
		st.LastError, st.LastTryAt = "i/o timeout", now.Add(-time.Hour)
		if v := describeSync(st, nil, nil, now); v.headline == offlineText {
			t.Errorf("headline = %q, want not offline", v.headline)
		}
	})
	t.Run("Parked", func(t *testing.T) {
		st := synced
		st.Parked = 2
		if v := describeSync(st, nil, nil, now); !strings.Contains(v.parked, "2 changes received but not applied") {
			t.Errorf("parked = %q", v.parked)
		}
	})
	t.Run("CertificateMismatch", func(t *testing.T) {
		st := offlineStatus(now)
		st.LastError = "tls: failed to verify certificate: x509: certificate signed by unknown authority"
		if v := describeSync(st, nil, nil, now); !strings.Contains(v.problem, "pair this computer again") {
			t.Errorf("problem = %q, want advice to pair again", v.problem)
		}
	})
}

func TestSinceText(t *testing.T) {
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		ago  time.Duration
		want string
	}{
		{10 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{59 * time.Minute, "59 minutes ago"},
		{3 * time.Hour, "3 hours ago"},
		{14 * time.Hour, "today at 01:00"},
		{20 * time.Hour, "yesterday at 19:00"},
		{72 * time.Hour, "on 24 Nov 2026 at 15:00"},
	} {
		if got := sinceText(now.Add(-tc.ago), now); got != tc.want {
			t.Errorf("sinceText(%v ago) = %q, want %q", tc.ago, got, tc.want)
		}
	}
}

func TestSettingsDevices_OwnerNotSyncing(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := showDevicesTab(t, a)
	d := sc.devices
	if !strings.HasPrefix(d.headline.Text, "Not syncing") {
		t.Errorf("headline = %q, want Not syncing", d.headline.Text)
	}
	if !d.hostHub.Visible() || !d.join.Visible() {
		t.Error("owner of a database that does not sync has no Host the hub or Join a shop")
	}
	if d.syncNow.Visible() || d.pair.Visible() || d.devicesBox.Visible() {
		t.Error("Sync now, Pair a device or the paired devices show on a database that does not sync")
	}
	if d.name.Disabled() || d.name.Text == "" {
		t.Errorf("device name = %q (disabled %v), want an editable name proposed", d.name.Text, d.name.Disabled())
	}

	t.Run("SaveName", func(t *testing.T) {
		d.name.SetText("Shop desktop")
		test.Tap(d.saveName)
		waitUI(a)
		cfg, err := a.base.SyncSettings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.DeviceName, "Shop desktop"; got != want {
			t.Errorf("saved device name = %q, want %q", got, want)
		}
	})

	t.Run("JoinNeedsACode", func(t *testing.T) {
		test.Tap(d.join)
		d.joinCode.SetText("  ")
		test.Tap(d.joinGo)
		if !d.joinMessage.Visible() || !strings.Contains(d.joinMessage.Text, "pairing code") {
			t.Errorf("join message = %q, want it to ask for the code", d.joinMessage.Text)
		}
		if d.stopJoin != nil {
			t.Error("joining started without a code")
		}
		test.Tap(d.joinCancel)
		if top := a.win.Canvas().Overlays().Top(); top != nil {
			t.Errorf("the join dialog is still open: %q", texts(top))
		}
	})

	t.Run("Offline", func(t *testing.T) {
		a.sync.setStatus(offlineStatus(time.Now()), nil)
		if got, want := d.headline.Text, offlineText; got != want {
			t.Errorf("headline = %q, want %q", got, want)
		}
		if !d.problem.Visible() || !strings.Contains(d.problem.Text, "192.168.1.20:4222 did not answer") {
			t.Errorf("problem = %q (shown %v), want the unreachable hub in plain words", d.problem.Text, d.problem.Visible())
		}
		if got, want := d.waiting.Text, "3 changes made here"; got != want {
			t.Errorf("waiting = %q, want %q", got, want)
		}
		if !d.syncNow.Visible() || d.join.Visible() || d.hostHub.Visible() {
			t.Error("a syncing device must offer Sync now and no longer offer joining or hosting")
		}
		if d.pair.Visible() {
			t.Error("Pair a device shows on a device that does not host the hub")
		}
	})
}

func TestSettingsDevices_PackerSeesNoCredentials(t *testing.T) {
	ctx := context.Background()
	a := newTestAppAs(t, testPacker)
	const password, cert = "pw-very-secret-123", "-----BEGIN CERTIFICATE-----"
	if err := a.base.SaveSyncSettings(ctx, data.SyncSettings{ShopID: "shop-1", DeviceName: "Packing desk",
		HubURL: "tls://192.168.1.20:4222", HubCertPEM: cert, User: "dev-2", Password: password}); err != nil {
		t.Fatalf("SaveSyncSettings() error = %v", err)
	}
	holdUI(t, a)
	sc := showDevicesTab(t, a)
	d := sc.devices
	a.sync.setStatus(offlineStatus(time.Now()), nil)

	if d.owner {
		t.Fatal("the packer counts as an owner on the Devices tab")
	}
	if d.hostHub.Visible() || d.join.Visible() || d.pair.Visible() || d.saveName.Visible() || !d.name.Disabled() {
		t.Error("a packer can host, join, pair or rename the device")
	}
	if !d.syncNow.Visible() || d.headline.Text != offlineText {
		t.Errorf("packer sees headline %q (Sync now shown %v), want the offline state and Sync now", d.headline.Text, d.syncNow.Visible())
	}
	if got, want := d.nameText.Text, "Packing desk"; got != want || !hasText(a.win.Content(), want) {
		t.Errorf("device name shown to the packer = %q, want %q", got, want)
	}
	for _, s := range []string{password, cert, "dev-2"} {
		if hasText(a.win.Content(), s) {
			t.Errorf("the packer's window shows %q", s)
		}
	}
}

// A change applied from another device reaches the screen on display without anyone reloading it.
func TestSyncWatch_RemoteChangesRefresh(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*ordersScreen](t, a, sectionOrders)
	before := len(sc.list.rows)
	a.sync.setStatus(data.SyncStatus{Enabled: true, Cursor: 10, Operations: 500, LastSync: time.Now()}, nil)
	waitUI(a)

	// Another device's order, as ApplyRemote would write it.
	if _, err := a.base.ApplyOrders(ctx, []data.Order{{Channel: "etsy", ExternalID: "1099", Status: data.StatusPaid,
		PlacedAt: time.Now(), CustomerName: "Lise Meitner", Currency: "GBP", Subtotal: 1200, Total: 1200,
		Lines: []data.OrderLine{{SKU: "MUG-BLUE", Name: "Blue mug", Quantity: 1, UnitPrice: 1200}}}}); err != nil {
		t.Fatal(err)
	}
	a.sync.setStatus(data.SyncStatus{Enabled: true, Cursor: 10, Operations: 500, LastSync: time.Now()}, nil)
	waitUI(a)
	if got := len(sc.list.rows); got != before {
		t.Errorf("orders = %d after a status with the same stream position, want %d (no reload)", got, before)
	}
	// This device's own changes coming back from the hub: the position moves, the ops held do not.
	a.sync.setStatus(data.SyncStatus{Enabled: true, Cursor: 12, Operations: 500, LastSync: time.Now()}, nil)
	waitUI(a)
	if got := len(sc.list.rows); got != before {
		t.Errorf("orders = %d after this device's own changes came back, want %d (no reload)", got, before)
	}
	a.sync.setStatus(data.SyncStatus{Enabled: true, Cursor: 13, Operations: 501, LastSync: time.Now()}, nil)
	waitUI(a)
	if got, want := len(sc.list.rows), before+1; got != want {
		t.Errorf("orders = %d after changes arrived, want %d", got, want)
	}
}

// waitFor lets background work and the sync loops deliver their results until cond holds. The hub and
// the device run in loops that a.bg.wait does not wait for, so the test gives the UI away in short turns.
// The limit only stops a broken test from hanging; no assertion depends on how long anything takes.
func waitFor(t *testing.T, a *App, what string, cond func() bool) {
	t.Helper()
	d := a.fyne.(*uiApp).driver
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		d.unlock()
		a.bg.wait()
		time.Sleep(10 * time.Millisecond)
		d.lock()
	}
}

func TestSettingsDevices_HostHubAndPair(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	a.sync.hubListen = "127.0.0.1:-1"
	holdUI(t, a)
	sc := showDevicesTab(t, a)
	d := sc.devices
	d.name.SetText("Shop desktop")

	test.Tap(d.hostHub)
	test.Tap(overlayButton(t, a, "Host the hub"))
	waitFor(t, a, "the hub to start", func() bool { return a.sync.hub != nil || a.sync.hubErr != nil })
	if a.sync.hubErr != nil {
		t.Fatalf("hub did not start: %v", a.sync.hubErr)
	}
	cfg, err := a.base.SyncSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.HostsHub || cfg.DeviceName != "Shop desktop" {
		t.Errorf("sync settings = hosts hub %v, name %q; want the hub on Shop desktop", cfg.HostsHub, cfg.DeviceName)
	}
	waitFor(t, a, "Pair a device", func() bool { return d.pair.Visible() && !d.pair.Disabled() })
	if d.hostHub.Visible() || d.join.Visible() {
		t.Error("the hub host still offers hosting or joining")
	}
	if strings.HasPrefix(d.headline.Text, "Not syncing") {
		t.Errorf("headline = %q after hosting the hub", d.headline.Text)
	}

	test.Tap(d.pair)
	waitUI(a)
	if d.pairCode == nil || len(strings.ReplaceAll(d.pairCode.Text, " ", "")) < 20 {
		t.Fatalf("pairing code = %v, want a code shown", d.pairCode)
	}
	if !strings.Contains(d.pairExpiry.Text, "15 minutes") {
		t.Errorf("expiry = %q, want it valid for 15 minutes", d.pairExpiry.Text)
	}
	test.Tap(overlayButton(t, a, "Copy code"))
	if got, want := strings.ReplaceAll(a.fyne.Clipboard().Content(), "-", " "), d.pairCode.Text; got != want {
		t.Errorf("clipboard = %q, want the code %q", got, want)
	}
	test.Tap(overlayButton(t, a, "Done"))
	waitFor(t, a, "the paired devices list", func() bool { return d.devicesBox.Visible() && len(d.devices.rows) > 0 })
	if got := d.devices.rows[0].Name; got != "Shop desktop" {
		t.Errorf("paired devices = %q, want this computer, Shop desktop", got)
	}
}

// A device whose hub does not answer says it is offline, in plain words, and that nothing is lost.
func TestSettingsDevices_SyncNowOffline(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	// Set up as the hub host but with no hub running: nothing listens on port 1.
	if err := devicesync.HostHub(ctx, a.base, "Shop desktop", "127.0.0.1:1"); err != nil {
		t.Fatalf("HostHub() error = %v", err)
	}
	holdUI(t, a)
	sc := showDevicesTab(t, a)
	d := sc.devices
	if !d.syncNow.Visible() || d.join.Visible() {
		t.Fatalf("a syncing device shows Sync now %v, Join a shop %v; want only Sync now", d.syncNow.Visible(), d.join.Visible())
	}

	test.Tap(d.syncNow)
	waitUI(a)
	if !d.note.Visible() || !strings.Contains(d.note.Text, "could not reach the hub") || !strings.Contains(d.note.Text, "Nothing is lost") {
		t.Errorf("note = %q, want it to say the hub was not reached and nothing is lost", d.note.Text)
	}
	if got, want := d.headline.Text, offlineText; got != want {
		t.Errorf("headline = %q, want %q", got, want)
	}
	if !strings.Contains(d.problem.Text, "127.0.0.1:1 did not answer") {
		t.Errorf("problem = %q, want the hub's address and that it did not answer", d.problem.Text)
	}
	if !strings.HasSuffix(d.waiting.Text, "changes made here") {
		t.Errorf("waiting = %q, want the shop's founding changes waiting", d.waiting.Text)
	}
	if d.syncNow.Disabled() || !d.syncNow.Visible() || d.cancelSync.Visible() {
		t.Error("after a failed Sync now the button is not offered again")
	}
}

// The hub's computer is gone for good: the owner moves the hub to this computer, which then hosts it
// and offers to pair the others again.
func TestSettingsDevices_MoveTheHubHere(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	a.sync.hubListen = "127.0.0.1:-1"
	desk, err := data.Open(ctx, t.TempDir()+"/desk.db", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { desk.Close() })
	if err := devicesync.HostHub(ctx, desk, "Shop desktop", "127.0.0.1:-1"); err != nil {
		t.Fatal(err)
	}
	hub, err := devicesync.StartHub(ctx, desk, devicesync.HubConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	code, err := hub.NewPairingCode(ctx, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := devicesync.Pair(ctx, a.base, code.Code, "Laptop"); err != nil {
		t.Fatalf("Pair: %v", err)
	}
	if _, err := devicesync.NewDevice(a.base, devicesync.Options{}).SyncNow(ctx); err != nil {
		t.Fatalf("SyncNow: %v", err)
	}
	hub.Shutdown() // the desktop dies

	holdUI(t, a)
	a.sync.start()
	sc := showDevicesTab(t, a)
	d := sc.devices
	waitFor(t, a, "the take-over button", func() bool { return d.takeOver.Visible() })
	if !d.repair.Visible() || d.join.Visible() || d.hostHub.Visible() {
		t.Errorf("a syncing laptop offers pair again %v, join %v, host %v; want only pairing again and moving the hub",
			d.repair.Visible(), d.join.Visible(), d.hostHub.Visible())
	}
	test.Tap(d.takeOver)
	test.Tap(overlayButton(t, a, "Move the hub here"))
	waitFor(t, a, "the hub to start here", func() bool { return a.sync.hub != nil || a.sync.hubErr != nil })
	if a.sync.hubErr != nil {
		t.Fatalf("the hub did not start: %v", a.sync.hubErr)
	}
	set, err := a.base.SyncSettings(ctx)
	if err != nil || !set.HostsHub {
		t.Fatalf("after moving the hub: hosts it %v (%v)", set.HostsHub, err)
	}
	waitFor(t, a, "Pair a device", func() bool { return d.pair.Visible() && !d.pair.Disabled() && !d.takeOver.Visible() })
}
