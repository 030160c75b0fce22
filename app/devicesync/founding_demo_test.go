package devicesync

import (
	"context"
	"testing"

	"github.com/backroom-app/backroom/data"
)

// TestFoundingDemoShop is the usual way a shop starts syncing: a new, empty computer hosts the hub, and
// the computer that holds the shop (here the demo shop) joins it and becomes its founder; a third
// computer then joins and receives the whole shop.
func TestFoundingDemoShop(t *testing.T) {
	ctx := context.Background()
	desk := openStore(t, 0)
	th := hostHub(t, desk, 0)
	laptop := openStore(t, 0)
	if _, err := laptop.GenerateDemo(ctx, data.DemoOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := Pair(ctx, laptop, th.code(), "Anna's laptop")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Founding {
		t.Fatalf("the laptop did not found the shop: %+v", r)
	}
	sent, err := NewDevice(laptop, Options{}).SyncNow(ctx)
	if err != nil {
		t.Fatalf("laptop SyncNow: %v", err)
	}
	if sent.Sent == 0 {
		t.Fatalf("the laptop sent nothing")
	}
	if _, err := NewDevice(desk, Options{}).SyncNow(ctx); err != nil {
		t.Fatalf("desk SyncNow: %v", err)
	}
	third := pairDevice(t, th, "Till", 0)
	if _, err := NewDevice(third, Options{}).SyncNow(ctx); err != nil {
		t.Fatalf("till SyncNow: %v", err)
	}
	if _, err := NewDevice(laptop, Options{}).SyncNow(ctx); err != nil {
		t.Fatalf("laptop SyncNow: %v", err)
	}
	requireSameDumps(t, laptop, desk, third)
	users, err := desk.Users(ctx)
	if err != nil || len(users) != 3 {
		t.Errorf("the desk has %d people (%v), want the demo's 3", len(users), err)
	}
}
