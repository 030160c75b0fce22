package data

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStore_HubIdentity(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	made := 0
	create := func() (HubIdentity, error) {
		made++
		return HubIdentity{CertPEM: "cert", KeyPEM: "key"}, nil
	}
	first, err := s.HubIdentity(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.HubIdentity(ctx, create)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := made, 1; got != want {
		t.Errorf("create called %d times, want %d", got, want)
	}
	if first != again || first.CertPEM != "cert" {
		t.Errorf("HubIdentity = %+v then %+v, want the same kept identity", first, again)
	}
}

func TestStore_PairHubDevice(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	pw := strings.Repeat("x", 24)
	if err := s.AddHubPairing(ctx, "secret-one", testNow.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckHubPairing(ctx, "secret-one"); err != nil {
		t.Errorf("CheckHubPairing(fresh) = %v, want nil", err)
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		if err := s.CheckHubPairing(ctx, "secret-two"); !errors.Is(err, ErrNotFound) {
			t.Errorf("CheckHubPairing(unknown) = %v, want ErrNotFound", err)
		}
	})
	dev, err := s.PairHubDevice(ctx, "secret-one", HubDevice{ID: "dev-a", Name: " Laptop "}, pw)
	if err != nil {
		t.Fatal(err)
	}
	if dev.Name != "Laptop" || !dev.PairedAt.Equal(testNow) {
		t.Errorf("PairHubDevice = %+v, want Laptop paired at %v", dev, testNow)
	}
	t.Run("ErrConflictUsedTwice", func(t *testing.T) {
		_, err := s.PairHubDevice(ctx, "secret-one", HubDevice{ID: "dev-b", Name: "Other"}, pw)
		if !errors.Is(err, ErrConflict) {
			t.Errorf("second PairHubDevice = %v, want ErrConflict", err)
		}
		if _, err := s.CheckHubDevice(ctx, "dev-b", pw); !errors.Is(err, ErrNotFound) {
			t.Errorf("CheckHubDevice(dev-b) = %v, want ErrNotFound: the refused pairing must not let it in", err)
		}
	})
	t.Run("ErrInvalidExpired", func(t *testing.T) {
		if err := s.AddHubPairing(ctx, "secret-old", testNow.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PairHubDevice(ctx, "secret-old", HubDevice{ID: "dev-c"}, pw); !errors.Is(err, ErrInvalid) {
			t.Errorf("PairHubDevice(expired) = %v, want ErrInvalid", err)
		}
	})
	if _, err := s.CheckHubDevice(ctx, "dev-a", pw); err != nil {
		t.Errorf("CheckHubDevice(right password) = %v", err)
	}
	if _, err := s.CheckHubDevice(ctx, "dev-a", pw+"y"); !errors.Is(err, ErrPermission) {
		t.Errorf("CheckHubDevice(wrong password) = %v, want ErrPermission", err)
	}
	if err := s.NoteHubDeviceSeen(ctx, "dev-a"); err != nil {
		t.Fatal(err)
	}
	list, err := s.HubDevices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != "dev-a" || !list[0].LastSeen.Equal(testNow) {
		t.Errorf("HubDevices = %+v, want dev-a seen at %v", list, testNow)
	}
	if err := s.RemoveHubDevice(ctx, "dev-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckHubDevice(ctx, "dev-a", pw); !errors.Is(err, ErrNotFound) {
		t.Errorf("CheckHubDevice(removed) = %v, want ErrNotFound", err)
	}
	if list, _ := s.HubDevices(ctx); len(list) != 0 {
		t.Errorf("HubDevices after removal = %+v, want none", list)
	}
}
