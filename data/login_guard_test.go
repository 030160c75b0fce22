package data

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testClock is a clock a test moves by hand.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time          { return c.now }
func (c *testClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// openAt opens path with clock c.
func openAt(t *testing.T, path string, c *testClock) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{Now: c.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// loginShop is a shop with one packer, Jamie, whose PIN is 97531.
func loginShop(t *testing.T) (*Store, *testClock, string) {
	t.Helper()
	c := &testClock{now: testNow}
	path := filepath.Join(t.TempDir(), "shop.db")
	s := openAt(t, path, c)
	t.Cleanup(func() { s.Close() })
	if _, err := s.AddUser(context.Background(), "Jamie", RolePacker, "97531"); err != nil {
		t.Fatal(err)
	}
	return s, c, path
}

// wantLogin checks what one sign-in answers: "" for success, else the exact message, always
// ErrPermission.
func wantLogin(t *testing.T, s *Store, name, pin, want string) {
	t.Helper()
	got, err := s.Login(context.Background(), name, pin)
	if want == "" {
		if err != nil {
			t.Fatalf("Login(%q, %q) = %v, want success", name, pin, err)
		}
		if got.User().Name != "Jamie" {
			t.Fatalf("Login(%q) acts for %q, want Jamie", name, got.User().Name)
		}
		return
	}
	if !errors.Is(err, ErrPermission) || UserMessage(err) != want {
		t.Fatalf("Login(%q, %q) = %v, want ErrPermission %q", name, pin, err, want)
	}
}

const wrongPIN = "wrong name or PIN"

func TestLoginLock(t *testing.T) {
	for _, c := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {4, 0}, {5, 30 * time.Second}, {6, time.Minute}, {7, 2 * time.Minute}, {8, 4 * time.Minute},
		{9, 8 * time.Minute}, {10, 15 * time.Minute}, {11, 15 * time.Minute}, {1000, 15 * time.Minute},
	} {
		if got := loginLock(c.failures); got != c.want {
			t.Errorf("loginLock(%d) = %v, want %v", c.failures, got, c.want)
		}
	}
	for d, want := range map[time.Duration]string{
		time.Second: "1 second", 1500 * time.Millisecond: "2 seconds", 30 * time.Second: "30 seconds",
		119 * time.Second: "119 seconds", 2 * time.Minute: "2 minutes", 121 * time.Second: "3 minutes",
		15 * time.Minute: "15 minutes",
	} {
		if got := waitText(d); got != want {
			t.Errorf("waitText(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLogin_LockoutAndBackOff(t *testing.T) {
	s, c, _ := loginShop(t)
	for range 4 {
		wantLogin(t, s, "Jamie", "11111", wrongPIN)
	}
	wantLogin(t, s, "Jamie", "11111", "Too many wrong PINs for Jamie: try again in 30 seconds.")
	// Locked: the right PIN is not even checked.
	wantLogin(t, s, "Jamie", "97531", "Too many wrong PINs for Jamie: try again in 30 seconds.")
	c.Advance(10 * time.Second)
	wantLogin(t, s, "jamie", "97531", "Too many wrong PINs for jamie: try again in 20 seconds.")
	c.Advance(20 * time.Second)
	// Each wrong PIN after the first lock doubles it: 60 s, 120 s, 240 s, 480 s, then 15 minutes at most.
	for _, want := range []string{"60 seconds", "2 minutes", "4 minutes", "8 minutes", "15 minutes", "15 minutes"} {
		wantLogin(t, s, "Jamie", "11111", "Too many wrong PINs for Jamie: try again in "+want+".")
		c.Advance(15 * time.Minute)
	}
	// The right PIN resets the count: four more wrong ones are heard again without a lock.
	wantLogin(t, s, "Jamie", "97531", "")
	for range 4 {
		wantLogin(t, s, "Jamie", "11111", wrongPIN)
	}
	wantLogin(t, s, "Jamie", "97531", "")
}

func TestLogin_LockSurvivesRestart(t *testing.T) {
	s, c, path := loginShop(t)
	for range 5 {
		s.Login(context.Background(), "Jamie", "11111")
	}
	s.Close()
	s = openAt(t, path, c)
	defer s.Close()
	c.Advance(5 * time.Second)
	wantLogin(t, s, "Jamie", "97531", "Too many wrong PINs for Jamie: try again in 25 seconds.")
	c.Advance(25 * time.Second)
	wantLogin(t, s, "Jamie", "97531", "")
}

// An unknown name is throttled exactly like a known one, so the answers tell nobody who has an account.
func TestLogin_UnknownNameLooksTheSame(t *testing.T) {
	s, _, _ := loginShop(t)
	for i := range 6 {
		_, known := s.Login(context.Background(), "Jamie", "11111")
		_, unknown := s.Login(context.Background(), "Jamey", "11111")
		if !errors.Is(unknown, ErrPermission) {
			t.Fatalf("attempt %d for an unknown name = %v, want ErrPermission", i+1, unknown)
		}
		if got, want := strings.ReplaceAll(UserMessage(unknown), "Jamey", "Jamie"), UserMessage(known); got != want {
			t.Errorf("attempt %d: unknown name answers %q, known name %q", i+1, UserMessage(unknown), want)
		}
	}
	// The decoy hash is well-formed, so an unknown name costs a full hash like a known one.
	parts := strings.Split(decoyHash, "$")
	var mem, iter uint32
	var threads uint8
	_, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads)
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if len(parts) != 6 || err != nil || err1 != nil || err2 != nil || mem != argonMemory || iter != argonTime || len(salt) < 16 || len(key) != argonKeyLen {
		t.Errorf("decoyHash does not parse as our argon2id hashes: %v %v %v, m=%d t=%d salt %d key %d", err, err1, err2, mem, iter, len(salt), len(key))
	}
}

func TestLogin_Audit(t *testing.T) {
	s, c, _ := loginShop(t)
	ctx := context.Background()
	wantLogin(t, s, "Jamie", "97531", "")
	for range 5 {
		s.Login(ctx, "Jamie", "86420")
	}
	s.Login(ctx, "Jamie", "86420") // while locked
	c.Advance(time.Minute)
	s.Login(ctx, "Nobody", "86420")
	entries, err := s.AuditLog(ctx, "user", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if strings.Contains(e.Before+e.After, "97531") || strings.Contains(e.Before+e.After, "86420") {
			t.Errorf("audit entry %s %s holds a PIN: %s", e.Action, e.EntityID, e.After)
		}
		if e.Action == "create" {
			continue
		}
		got = append(got, e.UserName+" "+e.Action+" "+e.After)
	}
	want := []string{
		`Jamie sign_in {"name":"Jamie"}`,
		`system sign_in_failed {"failures":1,"name":"Jamie"}`,
		`system sign_in_failed {"failures":2,"name":"Jamie"}`,
		`system sign_in_failed {"failures":3,"name":"Jamie"}`,
		`system sign_in_failed {"failures":4,"name":"Jamie"}`,
		`system sign_in_failed {"failures":5,"name":"Jamie"}`,
		`system locked_out {"locked_s":30,"name":"Jamie"}`,
		`system locked_out {"name":"Jamie","retry_in_s":30}`,
		`system sign_in_failed {"failures":1,"name":"Nobody"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A switched-off account says so only to someone who knows its PIN.
func TestLogin_SwitchedOff(t *testing.T) {
	s, _, _ := loginShop(t)
	ctx := context.Background()
	u, err := s.UserByName(ctx, "Jamie")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.Exec(`UPDATE users SET active = 0 WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	wantLogin(t, s, "Jamie", "11111", wrongPIN)
	wantLogin(t, s, "Jamie", "97531", "Jamie's account is switched off")
}

func TestLockedOutError(t *testing.T) {
	s, _, _ := loginShop(t)
	for range 5 {
		s.Login(context.Background(), "Jamie", "11111")
	}
	_, err := s.Login(context.Background(), "Jamie", "97531")
	var lo *LockedOutError
	if !errors.As(err, &lo) || lo.Name != "Jamie" || lo.Wait != 30*time.Second {
		t.Fatalf("Login while locked = %#v, want a LockedOutError for Jamie, 30 s", err)
	}
	if !errors.Is(err, ErrPermission) || UserMessage(err) != "Too many wrong PINs for Jamie: try again in 30 seconds." {
		t.Errorf("Login while locked: Is(ErrPermission) %v, message %q", errors.Is(err, ErrPermission), UserMessage(err))
	}
}

// An owner's PIN typed at the packing desk to approve an override is a sign-in like any other: wrong
// ones count towards the lock, and a locked owner cannot approve.
func TestLogin_OverrideApprovalCounts(t *testing.T) {
	s, _, _ := loginShop(t)
	ctx := context.Background()
	if _, err := s.AddUser(ctx, "Olive", RoleOwner, "24680"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, SettingOverrideNeedsOwner, "1"); err != nil {
		t.Fatal(err)
	}
	packer, err := s.Login(ctx, "Jamie", "97531")
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := packer.approveOverride(ctx, Approval{Name: "Olive", PIN: "11111"}); !errors.Is(err, ErrPermission) {
			t.Fatalf("approveOverride with a wrong PIN = %v, want ErrPermission", err)
		}
	}
	_, err = packer.approveOverride(ctx, Approval{Name: "Olive", PIN: "24680"})
	if UserMessage(err) != "Too many wrong PINs for Olive: try again in 30 seconds." {
		t.Errorf("approveOverride by a locked owner = %v, want the lock's message", err)
	}
}
