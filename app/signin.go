package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// signInScreen is the shared desk's front door: pick your name, type your PIN. It works from the
// keyboard alone: the PIN field has focus and Enter signs in.
type signInScreen struct {
	a       *App
	users   []data.User
	chosen  *widget.RadioGroup
	pin     *widget.Entry
	message *widget.Label
	signIn  *widget.Button
	byLabel map[string]data.User
	root    *fyne.Container

	// A name locked after too many wrong PINs: its sign-in stays disabled and the message counts down
	// to until, by the store's clock; stopLock ends the countdown.
	locked   string
	until    time.Time
	stopLock context.CancelFunc
}

func newSignInScreen(a *App) *signInScreen {
	sc := &signInScreen{a: a, byLabel: map[string]data.User{}}
	sc.chosen = widget.NewRadioGroup(nil, func(string) { sc.showLock() })
	sc.pin = widget.NewPasswordEntry()
	sc.pin.SetPlaceHolder("PIN")
	sc.pin.OnSubmitted = func(string) { sc.onSignIn() }
	sc.message = widget.NewLabel("")
	sc.message.Importance = widget.DangerImportance
	sc.signIn = widget.NewButtonWithIcon("Sign in", theme.LoginIcon(), sc.onSignIn)
	sc.signIn.Importance = widget.HighImportance
	return sc
}

func (sc *signInScreen) view() fyne.CanvasObject {
	title := canvas.NewText("Who is working?", theme.Color(theme.ColorNameForeground))
	title.TextSize = 24
	title.TextStyle.Bold = true
	form := container.NewVBox(
		title,
		widget.NewLabel("Choose your name and type your PIN."),
		sc.chosen,
		sc.pin,
		sc.signIn,
		sc.message,
	)
	card := widget.NewCard("", "", container.NewPadded(form))
	// A fixed-width strut keeps the card from shrinking to its title; its height follows the user list.
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(400, 0))
	sc.root = container.NewCenter(container.NewStack(strut, card))
	sc.refresh()
	return sc.root
}

func (sc *signInScreen) refresh() {
	run(sc.a.bg, func(ctx context.Context) ([]data.User, error) {
		return sc.a.base.Users(ctx)
	}, func(users []data.User, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.users = users
		var labels []string
		last := sc.a.fyne.Preferences().String(prefLastUser)
		selected := ""
		for _, u := range users {
			if !u.Active {
				continue
			}
			label := fmt.Sprintf("%s (%s)", u.Name, u.Role)
			sc.byLabel[label] = u
			labels = append(labels, label)
			if u.ID == last {
				selected = label
			}
		}
		sc.chosen.Options = labels
		if selected == "" && len(labels) > 0 {
			selected = labels[0]
		}
		sc.chosen.SetSelected(selected)
		sc.chosen.Refresh()
		sc.root.Refresh() // the list changed height: lay the card out again
		if c := sc.a.win.Canvas(); c != nil {
			c.Focus(sc.pin)
		}
	})
}

func (sc *signInScreen) onSignIn() {
	u, ok := sc.byLabel[sc.chosen.Selected]
	if !ok {
		sc.message.SetText("Choose your name first.")
		return
	}
	if sc.locked == u.Name && sc.a.base.Now().Before(sc.until) {
		sc.pin.SetText("") // Enter in the PIN field while Sign in is disabled: nothing is checked
		return
	}
	pin := sc.pin.Text
	sc.signIn.Disable()
	run(sc.a.bg, func(ctx context.Context) (*data.Store, error) {
		return sc.a.base.Login(ctx, u.Name, pin)
	}, func(s *data.Store, err error) {
		sc.signIn.Enable()
		sc.pin.SetText("")
		var locked *data.LockedOutError
		if errors.As(err, &locked) {
			sc.lockOut(u.Name, locked.Wait)
			return
		}
		if err != nil {
			sc.message.SetText(data.UserMessage(err))
			return
		}
		sc.endLock()
		sc.a.signedIn(s)
	})
}

// lockOut disables signing in as name for wait and counts the time down in the message, once a second.
func (sc *signInScreen) lockOut(name string, wait time.Duration) {
	sc.endLock()
	sc.locked, sc.until = name, sc.a.base.Now().Add(wait)
	ctx, cancel := context.WithCancel(sc.a.bg.ctx)
	sc.stopLock = cancel
	sc.showLock()
	sc.a.bg.tick(ctx, time.Second, sc.showLock)
}

// showLock says how long the chosen name stays locked and keeps its Sign in disabled meanwhile; another
// name, or the same once the time is up, may sign in.
func (sc *signInScreen) showLock() {
	u, ok := sc.byLabel[sc.chosen.Selected]
	if sc.locked == "" || !ok || u.Name != sc.locked {
		sc.message.SetText("")
		sc.signIn.Enable()
		return
	}
	left := sc.until.Sub(sc.a.base.Now())
	if left <= 0 {
		sc.endLock()
		sc.message.SetText("")
		sc.signIn.Enable()
		return
	}
	sc.message.SetText((&data.LockedOutError{Name: sc.locked, Wait: left}).Error())
	sc.signIn.Disable()
}

// endLock stops the countdown.
func (sc *signInScreen) endLock() {
	if sc.stopLock != nil {
		sc.stopLock()
		sc.stopLock = nil
	}
	sc.locked = ""
}
