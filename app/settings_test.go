package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// userNames lists the names on the People tab's list.
func userNames(sc *settingsScreen) []string {
	var out []string
	for _, u := range sc.users.rows {
		out = append(out, u.Name)
	}
	return out
}

func TestSettings_AddUser(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*settingsScreen](t, a, sectionSettings)

	t.Run("ErrPINsDiffer", func(t *testing.T) {
		test.Tap(sc.addUser)
		test.Type(sc.userName, "Sam")
		test.Type(sc.userPIN, "1111")
		test.Type(sc.userPIN2, "2222")
		test.Tap(sc.userSave)
		waitUI(a)
		if got := sc.userMessage.Text; !strings.Contains(got, "differ") {
			t.Errorf("message = %q, want it to say the PINs differ", got)
		}
		if _, err := a.base.UserByName(ctx, "Sam"); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("UserByName(Sam) = %v, want ErrNotFound", err)
		}
		test.Tap(overlayButton(t, a, "Cancel"))
	})

	t.Run("OK", func(t *testing.T) {
		test.Tap(sc.addUser)
		test.Type(sc.userName, "Jamie")
		sc.userRole.SetSelected("Packer")
		test.Type(sc.userPIN, "2468")
		test.Type(sc.userPIN2, "2468")
		test.Tap(sc.userSave)
		waitUI(a)
		if top := a.win.Canvas().Overlays().Top(); top != nil {
			t.Errorf("a dialog is still open: %q (message %q)", texts(top), sc.userMessage.Text)
		}
		s, err := a.base.Login(ctx, "Jamie", "2468")
		if err != nil {
			t.Fatalf("Login(Jamie, 2468) = %v, want signed in", err)
		}
		if got, want := s.User().Role, data.RolePacker; got != want {
			t.Errorf("Jamie's role = %s, want %s", got, want)
		}
		if _, err := a.base.Login(ctx, "Jamie", "0000"); !errors.Is(err, data.ErrPermission) {
			t.Errorf("Login(Jamie, wrong PIN) = %v, want ErrPermission", err)
		}
		if !strings.Contains(strings.Join(userNames(sc), ","), "Jamie") {
			t.Errorf("people list = %v, want Jamie on it", userNames(sc))
		}
	})

	t.Run("AuditLogShowsIt", func(t *testing.T) {
		if sc.audit == nil {
			t.Fatal("owner has no audit log tab")
		}
		if len(sc.audit.rows) == 0 {
			t.Fatal("audit log is empty")
		}
		e := sc.audit.rows[0]
		if e.Action != "create" || e.Entity != "user" || e.UserName != testOwner {
			t.Errorf("newest audit entry = %s %s by %s, want create user by %s", e.Action, e.Entity, e.UserName, testOwner)
		}
		sc.audit.table.Select(widget.TableCellID{Row: 0, Col: 0})
		if got := sc.auditDetail.String(); !strings.Contains(got, `"Name": "Jamie"`) || !strings.Contains(got, "(nothing)") {
			t.Errorf("audit detail = %q, want Jamie's record after and nothing before", got)
		}
	})

	t.Run("ShopName", func(t *testing.T) {
		sc.shopName.SetText("Linen & Clay")
		test.Tap(sc.saveShop)
		waitUI(a)
		name, err := a.base.Setting(ctx, data.SettingShopName)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := name, "Linen & Clay"; got != want {
			t.Errorf("shop name = %q, want %q", got, want)
		}
	})
}

func TestSettings_Packer(t *testing.T) {
	ctx := context.Background()
	a := newTestAppAs(t, testPacker)
	holdUI(t, a)
	sc := showScreen[*settingsScreen](t, a, sectionSettings)
	if sc.addUser.Visible() || sc.saveShop.Visible() || !sc.shopName.Disabled() {
		t.Error("packer can add people or change the shop's settings")
	}
	if sc.audit != nil {
		t.Error("packer has an audit log tab")
	}

	test.Tap(sc.changeOwn)
	test.Type(sc.pinNew, "9876")
	test.Type(sc.pinNew2, "9876")
	test.Tap(sc.pinSave)
	waitUI(a)
	if _, err := a.base.Login(ctx, testPacker, "9876"); err != nil {
		t.Errorf("Login(%s, new PIN) = %v, want signed in", testPacker, err)
	}
	if _, err := a.base.Login(ctx, testPacker, "1234"); !errors.Is(err, data.ErrPermission) {
		t.Errorf("Login(%s, old PIN) = %v, want ErrPermission", testPacker, err)
	}

	test.Tap(sc.signOut)
	if !hasText(a.win.Content(), "Sign in") {
		t.Errorf("after Sign out the window shows %q, want the sign-in screen", texts(a.win.Content()))
	}
}
