package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// Five wrong PINs lock the name: the sign-in screen says how long to wait and keeps Sign in disabled for
// that name only.
func TestSignIn_LockoutShowsTimeLeft(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	sc := newSignInScreen(a)
	a.win.SetContent(sc.view())
	waitUI(a)
	pat, ava := testPacker+" (packer)", testAccountant+" (accountant)"
	sc.chosen.SetSelected(pat)
	for i := range 4 {
		sc.pin.SetText("0000")
		test.Tap(sc.signIn)
		waitUI(a)
		if sc.message.Text != "wrong name or PIN" || sc.signIn.Disabled() {
			t.Fatalf("wrong PIN %d: message %q, Sign in disabled %v", i+1, sc.message.Text, sc.signIn.Disabled())
		}
	}
	sc.pin.SetText("0000")
	test.Tap(sc.signIn)
	waitUI(a)
	locked := func(when string) {
		t.Helper()
		msg := sc.message.Text
		if !strings.HasPrefix(msg, "Too many wrong PINs for Pat: try again in ") || !strings.HasSuffix(msg, " seconds.") || !sc.signIn.Disabled() {
			t.Errorf("%s: message %q, Sign in disabled %v; want the time left and Sign in disabled", when, msg, sc.signIn.Disabled())
		}
	}
	locked("fifth wrong PIN")
	// Enter in the PIN field, even with the right PIN, does nothing while locked.
	sc.pin.SetText("1234")
	sc.pin.OnSubmitted("1234")
	waitUI(a)
	locked("the right PIN while locked")
	if a.store.User().Name != testOwner {
		t.Errorf("signed in as %q while locked", a.store.User().Name)
	}
	// Someone else may sign in meanwhile; back on Pat, the lock shows again.
	sc.chosen.SetSelected(ava)
	if sc.message.Text != "" || sc.signIn.Disabled() {
		t.Errorf("another name: message %q, Sign in disabled %v", sc.message.Text, sc.signIn.Disabled())
	}
	sc.chosen.SetSelected(pat)
	locked("back on the locked name")
	sc.chosen.SetSelected(ava)
	sc.pin.SetText("5678")
	test.Tap(sc.signIn)
	waitUI(a)
	if a.store.User().Name != testAccountant {
		t.Errorf("signed in as %q, want %s (message %q)", a.store.User().Name, testAccountant, sc.message.Text)
	}
}
