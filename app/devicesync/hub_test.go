package devicesync

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/backroom-app/backroom/data"
)

func TestPairingCode_RoundTrip(t *testing.T) {
	pin := fingerprint([]byte("certificate"))
	for _, host := range []string{"192.168.1.20", "fe80::1", "desk.local"} {
		t.Run(host, func(t *testing.T) {
			in := pairingCode{host: host, port: 4222, secret: randomText(secretLen), pin: pin}
			code, err := encodeCode(in)
			if err != nil {
				t.Fatal(err)
			}
			// As typed by someone in a hurry: lower case, the dashes left out.
			out, err := decodeCode(strings.ToLower(strings.ReplaceAll(code, "-", " ")))
			if err != nil {
				t.Fatalf("decodeCode(%q): %v", code, err)
			}
			if out.host != host || out.port != 4222 || out.secret != in.secret || string(out.pin) != string(pin[:pinLen]) {
				t.Errorf("decodeCode(encodeCode(%+v)) = %+v", in, out)
			}
		})
	}
	t.Run("ErrBadCode", func(t *testing.T) {
		for _, code := range []string{"", "hello", "AAAAA-AAAAA", "BR1-!!!"} {
			if _, err := decodeCode(code); !errors.Is(err, ErrBadCode) {
				t.Errorf("decodeCode(%q) = %v, want ErrBadCode", code, err)
			}
		}
	})
}

// shopWithHub is a hub host whose database holds one SKU with 10 units, and its running hub.
func shopWithHub(t *testing.T) (*data.Store, *testHub) {
	t.Helper()
	host := openStore(t, 0)
	mustVariant(t, host, "MUG", 1800)
	mustAdjust(t, host, "MUG", 10)
	return host, hostHub(t, host, 0)
}

func TestPair(t *testing.T) {
	ctx := context.Background()
	host, th := shopWithHub(t)
	code := th.code()
	laptop := openStore(t, 0)
	res, err := Pair(ctx, laptop, code, "Anna's laptop")
	if err != nil {
		t.Fatalf("Pair: %v", err)
	}
	hostSet, _ := host.SyncSettings(ctx)
	if res.ShopID != hostSet.ShopID || res.Founding {
		t.Errorf("Pair = %+v, want shop %s, not founding", res, hostSet.ShopID)
	}
	set, err := laptop.SyncSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if set.User != laptop.DeviceID() || set.Password == "" || set.HubCertPEM != hostSet.HubCertPEM || set.DeviceName != "Anna's laptop" {
		t.Errorf("laptop's settings after pairing: user %q, cert kept %v, name %q", set.User, set.HubCertPEM == hostSet.HubCertPEM, set.DeviceName)
	}
	devs, err := th.get().Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 {
		t.Errorf("hub devices = %+v, want the desk and the laptop", devs)
	}

	t.Run("CodeWorksOnce", func(t *testing.T) {
		_, err := Pair(ctx, openStore(t, 0), code, "Till")
		if err == nil || !strings.Contains(err.Error(), "already used") {
			t.Errorf("Pair with a used code = %v, want it refused as already used", err)
		}
	})
	t.Run("ErrShopNotEmpty", func(t *testing.T) {
		other := openStore(t, 0)
		mustVariant(t, other, "CUP", 900)
		code := th.code()
		if _, err := Pair(ctx, other, code, "Other shop"); !errors.Is(err, data.ErrShopNotEmpty) {
			t.Fatalf("Pair with a database of its own = %v, want ErrShopNotEmpty", err)
		}
		// Refused before the code was used: an empty database can still use it.
		if _, err := Pair(ctx, openStore(t, 0), code, "Till"); err != nil {
			t.Errorf("the code after a refused pairing: %v", err)
		}
	})
	t.Run("ErrCertMismatch", func(t *testing.T) {
		pc, err := decodeCode(th.code())
		if err != nil {
			t.Fatal(err)
		}
		pc.pin = fingerprint([]byte("another hub"))
		forged, _ := encodeCode(pc)
		_, err = Pair(ctx, openStore(t, 0), forged, "Till")
		if !errors.Is(err, ErrCertMismatch) {
			t.Errorf("Pair with the wrong fingerprint = %v, want ErrCertMismatch", err)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		pc, _ := decodeCode(th.code())
		pc.port = freePort(t)
		moved, _ := encodeCode(pc)
		_, err := Pair(ctx, openStore(t, 0), moved, "Till")
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), pc.hubURL()) {
			t.Errorf("Pair with no hub there = %v, want ErrUnreachable naming %s", err, pc.hubURL())
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		pc, _ := decodeCode(th.code())
		pc.secret = randomText(secretLen)
		guessed, _ := encodeCode(pc)
		if _, err := Pair(ctx, openStore(t, 0), guessed, "Till"); err == nil || !strings.Contains(err.Error(), "does not accept this pairing code") {
			t.Errorf("Pair with a secret never issued = %v, want it refused", err)
		}
	})
}

func TestPair_CodeExpires(t *testing.T) {
	ctx := context.Background()
	var skew atomic.Int64
	host, err := data.Open(ctx, t.TempDir()+"/shop.db", data.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	th := hostHub(t, host, 0)
	code := th.code()
	skew.Store(int64(16 * time.Minute))
	_, err = Pair(ctx, openStore(t, 0), code, "Till")
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("Pair 16 minutes later = %v, want the code expired", err)
	}
}

// TestHub_DevicePermissions: a device may publish only on its own subject, and a wrong password or a
// removed device gets no connection.
func TestHub_DevicePermissions(t *testing.T) {
	ctx := context.Background()
	host, th := shopWithHub(t)
	laptop := pairDevice(t, th, "Laptop", 0)
	d := NewDevice(laptop, Options{})
	c, err := d.connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.close()
	if _, err := c.js.Publish(ctx, opsSubject(c.shop, laptop.DeviceID()), []byte(`{}`), jetstream.WithMsgID("x:1")); err != nil {
		t.Errorf("publish on its own subject: %v", err)
	}
	// A refused request gets no reply: each waits out a short timeout of its own.
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, time.Second)
		t.Cleanup(cancel)
		return c
	}
	if _, err := c.js.Publish(short(), opsSubject(c.shop, host.DeviceID()), []byte(`{}`)); err == nil {
		t.Error("the laptop published on the desk's subject")
	}
	if err := c.js.DeleteStream(short(), streamName); err == nil {
		t.Error("the laptop deleted the stream")
	}

	set, _ := laptop.SyncSettings(ctx)
	_, err = nats.Connect(set.HubURL, nats.UserInfo(set.User, set.Password+"x"), nats.Secure(pinnedTLS(fingerprint(mustDER(t, set.HubCertPEM)), nil)))
	if err == nil {
		t.Error("connected with a wrong password")
	}
	if err := host.RemoveHubDevice(ctx, laptop.DeviceID()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SyncNow(ctx); err == nil || !strings.Contains(err.Error(), "does not know this device") {
		t.Errorf("SyncNow of a removed device = %v, want it refused", err)
	}
	// The pairing account can ask to pair and nothing else.
	pc, _ := decodeCode(th.code())
	nc, err := nats.Connect(pc.hubURL(), nats.UserInfo(pairUser, pc.secret), nats.Secure(pinnedTLS(pc.pin, nil)),
		nats.CustomInboxPrefix(inboxPrefix(pairUser)))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	if _, err := js.Stream(short(), streamName); err == nil {
		t.Error("the pairing account read the stream")
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	body, _ := json.Marshal(pairRequest{Step: "probe", Secret: pc.secret})
	m, err := nc.RequestWithContext(pctx, pairSubject, body)
	if err != nil {
		t.Fatalf("pairing probe: %v", err)
	}
	var r pairReply
	if err := json.Unmarshal(m.Data, &r); err != nil || r.Error != "" || !r.Founded || r.Password != "" {
		t.Errorf("probe reply %+v (%v): want the shop founded and no credentials", r, err)
	}
}

func mustDER(tb testing.TB, certPEM string) []byte {
	tb.Helper()
	der, err := certDER(certPEM)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// TestHub_KeepsCertificate: the hub restarts with the certificate its devices pinned.
func TestHub_KeepsCertificate(t *testing.T) {
	ctx := context.Background()
	_, th := shopWithHub(t)
	laptop := pairDevice(t, th, "Laptop", 0)
	before := th.get().pin
	th.restart()
	if string(th.get().pin) != string(before) {
		t.Fatal("the hub made a new certificate on restart")
	}
	if _, err := NewDevice(th.store, Options{}).SyncNow(ctx); err != nil {
		t.Fatalf("the desk's SyncNow: %v", err)
	}
	var status data.SyncStatus
	if _, err := NewDevice(laptop, Options{OnStatus: func(st data.SyncStatus) { status = st }}).SyncNow(ctx); err != nil {
		t.Errorf("SyncNow after the hub restarted: %v", err)
	}
	if status.LastSync.IsZero() || status.LastError != "" || status.Cursor == 0 {
		t.Errorf("OnStatus after SyncNow got %+v, want a last sync, no error and a position", status)
	}
	if got := onHand(t, laptop, "MUG"); got != 10 {
		t.Errorf("laptop's MUG after syncing = %d, want 10", got)
	}
}

// TestStartHub_PortInUse: a second hub on a port in use (the window and "backroom hub" both running)
// fails with a message saying so, and the first keeps working.
func TestStartHub_PortInUse(t *testing.T) {
	ctx := context.Background()
	host, th := shopWithHub(t)
	_, err := StartHub(ctx, host, HubConfig{Listen: th.cfg.Listen, StoreDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("a second hub on %s = %v, want it refused as in use", th.cfg.Listen, err)
	}
	if _, err := NewDevice(host, Options{}).SyncNow(ctx); err != nil {
		t.Errorf("the first hub after the refusal: %v", err)
	}
}

// syncAll lets each device exchange with the hub until nothing moves, in turns.
func syncAll(t *testing.T, stores ...*data.Store) {
	t.Helper()
	for range 2 {
		for _, s := range stores {
			if _, err := NewDevice(s, Options{}).SyncNow(context.Background()); err != nil {
				t.Fatalf("SyncNow: %v", err)
			}
		}
	}
}

// TestHub_RebuiltAfterLosingItsLog: the hub's storage is lost (a new disk, a wiped folder). The hub
// starts a new log holding every change the host's database has; the devices notice the new log, read
// it from its start and send their own changes again, including those made while the hub was down; a
// device that joins later receives the whole shop from the rebuilt log.
func TestHub_RebuiltAfterLosingItsLog(t *testing.T) {
	host, th := shopWithHub(t)
	laptop := pairDevice(t, th, "Laptop", 0)
	syncAll(t, host, laptop)
	th.stop()
	// While the hub is down the laptop sells 2 and the host receives 5.
	mustAdjust(t, laptop, "MUG", -2)
	mustAdjust(t, host, "MUG", 5)
	th.storeDir = t.TempDir() // the log is gone
	th.cfg.StoreDir = th.storeDir
	th.start()
	syncAll(t, host, laptop)
	till := pairDevice(t, th, "Till", 0)
	syncAll(t, host, laptop, till)
	requireSameDumps(t, host, laptop, till)
	if got := onHand(t, till, "MUG"); got != 13 {
		t.Errorf("MUG on the new till = %d, want 10-2+5 = 13", got)
	}
}

// TestHub_TakenOver: the hub's computer is gone for good. The laptop takes the hub over, the till pairs
// with it again keeping its data, and everything either of them did, before and while apart, is in the
// shop they share.
func TestHub_TakenOver(t *testing.T) {
	ctx := context.Background()
	host, th := shopWithHub(t)
	laptop := pairDevice(t, th, "Laptop", 0)
	till := pairDevice(t, th, "Till", 0)
	syncAll(t, host, laptop, till)
	mustAdjust(t, till, "MUG", -1)
	syncAll(t, till) // the hub has it, the laptop not yet
	th.stop()        // the hub's computer dies
	mustAdjust(t, laptop, "MUG", -3)

	if err := TakeOverHub(ctx, laptop, "Laptop", "127.0.0.1:-1"); err != nil {
		t.Fatalf("TakeOverHub: %v", err)
	}
	hub, err := StartHub(ctx, laptop, HubConfig{Listen: "127.0.0.1:-1", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatalf("StartHub on the laptop: %v", err)
	}
	t.Cleanup(hub.Shutdown)
	code, err := hub.NewPairingCode(ctx, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Pair(ctx, till, code.Code, "Till"); err != nil {
		t.Fatalf("the till pairing again with the laptop's hub: %v", err)
	}
	syncAll(t, laptop, till)
	requireSameDumps(t, laptop, till)
	if got := onHand(t, laptop, "MUG"); got != 10-1-3 {
		t.Errorf("MUG = %d, want 10-1-3 = 6", got)
	}
	other := openStore(t, 0)
	mustVariant(t, other, "CUP", 900)
	code2, err := hub.NewPairingCode(ctx, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Pair(ctx, other, code2.Code, "Elsewhere"); err == nil {
		t.Error("a database with a shop of its own joined the shop")
	}
}

func TestShopNetwork(t *testing.T) {
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true}, {"::1", true}, {"192.168.1.20", true}, {"10.0.0.7", true}, {"172.16.4.1", true},
		{"fd12:3456::1", true}, {"fe80::1", true}, {"169.254.10.1", true},
		{"203.0.113.9", false}, {"8.8.8.8", false}, {"2001:db8::1", false}, {"100.64.0.1", false},
	} {
		got := shopNetwork(&net.TCPAddr{IP: net.ParseIP(c.addr), Port: 50000})
		if got != c.want {
			t.Errorf("shopNetwork(%s) = %v, want %v", c.addr, got, c.want)
		}
	}
	if !shopNetwork(nil) {
		t.Error("the hub's own in-process connection counts as outside")
	}
}
