package cli

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRun_Sync runs a hub headless with "backroom hub", pairs a second database with the code
// "sync pair" makes, and syncs it with "sync now".
func TestRun_Sync(t *testing.T) {
	host := map[string]string{"BACKROOM_DB": filepath.Join(t.TempDir(), "desk.db")}
	laptop := map[string]string{"BACKROOM_DB": filepath.Join(t.TempDir(), "laptop.db")}
	mustRun(t, host, "products", "add", "--sku", "MUG", "--name", "Stoneware mug", "--price", "18.00", "--currency", "GBP")
	mustRun(t, host, "stock", "adjust", "MUG", "7", "--reason", "delivery", "--kind", "receipt")

	t.Run("NotPaired", func(t *testing.T) {
		if r := runCLI(t, host, "sync", "now"); r.code != exitError || !strings.Contains(r.stderr, "does not sync yet") {
			t.Errorf("sync now before pairing: exit %d, %s", r.code, r.stderr)
		}
		st := decodeObject(t, mustRun(t, host, "sync", "status", "--json"))
		if st["enabled"] != false || st["devices"] != nil {
			t.Errorf("sync status before pairing = %v", st)
		}
		if r := runCLI(t, host, "sync", "pair"); r.code != exitError || !strings.Contains(r.stderr, "hosts the shop's hub") {
			t.Errorf("sync pair (make a code) off the hub host: exit %d, %s", r.code, r.stderr)
		}
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	ctx, stop := context.WithCancel(context.Background())
	var hubOut, hubErr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"hub", "--listen", listen, "--name", "Packing desk"}, Env{
			Stdout: &hubOut, Stderr: &hubErr, Getenv: func(k string) string { return host[k] },
		})
	}()
	defer func() {
		stop()
		if code := <-done; code != exitOK {
			t.Errorf("hub: exit %d; stderr: %s", code, hubErr.String())
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", listen); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub did not listen on %s", listen)
		}
	}

	pair := decodeObject(t, mustRun(t, host, "sync", "pair", "--advertise", "127.0.0.1", "--json"))
	checkKeys(t, "sync pair (make a code)", pair, sorted("code", "expires", "hub_url"))
	code := pair["code"].(string)
	if pair["hub_url"] != "tls://"+listen {
		t.Errorf("hub_url = %v, want tls://%s", pair["hub_url"], listen)
	}
	if out := mustRun(t, host, "sync", "pair", "--advertise", "127.0.0.1"); !strings.Contains(out, "backroom sync pair ") {
		t.Errorf("sync pair text = %q", out)
	}

	t.Run("Usage", func(t *testing.T) {
		if r := runCLI(t, laptop, "sync", "pair", "a", "b"); r.code != exitUsage {
			t.Errorf("sync pair with two codes: exit %d", r.code)
		}
		if r := runCLI(t, laptop, "sync", "pair", "NOT-A-CODE"); r.code != exitError || !strings.Contains(r.stderr, "not a valid pairing code") {
			t.Errorf("sync pair with a bad code: exit %d, %s", r.code, r.stderr)
		}
	})

	joined := decodeObject(t, mustRun(t, laptop, "sync", "pair", code, "--name", "Anna's laptop", "--json"))
	checkKeys(t, "sync pair CODE", joined, sorted("shop_id", "hub_url", "founding"))
	if joined["founding"] != false || joined["hub_url"] != "tls://"+listen {
		t.Errorf("sync pair CODE = %v", joined)
	}
	if r := runCLI(t, map[string]string{"BACKROOM_DB": filepath.Join(t.TempDir(), "till.db")}, "sync", "pair", code); r.code != exitError ||
		!strings.Contains(r.stderr, "already used") {
		t.Errorf("a used code: exit %d, %s", r.code, r.stderr)
	}

	// The hub's own device sends the desk's data soon after the hub starts; wait until the laptop has it.
	var now map[string]any
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		now = decodeObject(t, mustRun(t, laptop, "sync", "now", "--json"))
		if syncedOnHand(t, laptop, "MUG") == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the laptop did not receive the desk's stock; last sync now: %v", now)
		}
	}
	checkKeys(t, "sync now", now, sorted("sent", "received", "oversold"))

	st := decodeObject(t, mustRun(t, laptop, "sync", "status", "--json"))
	checkKeys(t, "sync status", st, sorted("enabled", "device_id", "device_name", "shop_id", "hub_url", "hosts_hub", "waiting", "cursor",
		"last_sync", "last_error", "last_try_at", "parked", "operations", "devices"))
	if st["enabled"] != true || st["device_name"] != "Anna's laptop" || st["shop_id"] != joined["shop_id"] || st["devices"] != nil {
		t.Errorf("laptop's sync status = %v", st)
	}
	hostSt := decodeObject(t, mustRun(t, host, "sync", "status", "--json"))
	devs, _ := hostSt["devices"].([]any)
	if hostSt["hosts_hub"] != true || len(devs) != 2 {
		t.Errorf("hub host's sync status = %v, want two devices", hostSt)
	}
	if out := mustRun(t, host, "sync", "status"); !strings.Contains(out, "Anna's laptop") || !strings.Contains(out, "this machine hosts it") {
		t.Errorf("sync status text on the hub host = %q", out)
	}
}

// syncedOnHand is a SKU's on-hand stock, or -1 while the database has no such SKU (not synced yet).
func syncedOnHand(t *testing.T, env map[string]string, sku string) float64 {
	t.Helper()
	for _, it := range decodeList(t, mustRun(t, env, "stock", "list", "--json", "--search", sku)) {
		if it["sku"] == sku {
			return it["on_hand"].(float64)
		}
	}
	return -1
}

// sync connect is called wrongly or cannot proceed: each says why, and nothing is set up.
func TestRun_SyncConnectRefusals(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shop.db")
	env := map[string]string{"BACKROOM_DB": db}
	if r := runCLI(t, env, "sync", "connect", "tls://127.0.0.1:1"); r.code != 2 || !strings.Contains(r.stderr, "--account") {
		t.Errorf("without --account: exit %d, %q", r.code, r.stderr)
	}
	if r := runCLI(t, env, "sync", "connect", "tls://127.0.0.1:1", "--account", "desk"); r.code != 1 || !strings.Contains(r.stderr, "BACKROOM_SYNC_PASSWORD") {
		t.Errorf("without a password: exit %d, %q", r.code, r.stderr)
	}
	env["BACKROOM_SYNC_PASSWORD"] = "secret"
	if r := runCLI(t, env, "sync", "connect", "nats://127.0.0.1:1", "--account", "desk"); r.code != 1 || !strings.Contains(r.stderr, "tls://") {
		t.Errorf("a plain nats:// address: exit %d, %q", r.code, r.stderr)
	}
	if r := runCLI(t, env, "sync", "connect", "tls://127.0.0.1:1", "--account", "desk"); r.code != 1 || !strings.Contains(r.stderr, "unreachable") {
		t.Errorf("no server: exit %d, %q", r.code, r.stderr)
	}
	if r := runCLI(t, env, "sync", "status", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"enabled":false`) {
		t.Errorf("after the refusals: exit %d, %s %s; want a database that does not sync", r.code, r.stdout, r.stderr)
	}
}
