package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/devicesync"
	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// welcomeScreen greets a new database: try Backroom on a demo shop, start your own with your name, or
// share the shop another computer already runs (join it with a pairing code, or host its hub here
// and let the computer that holds the shop join).
type welcomeScreen struct {
	a        *App
	name     *widget.Entry
	currency *widget.SelectEntry
	demo     *widget.Button
	empty    *widget.Button
	join     *widget.Button
	host     *widget.Button
	// waiting says this computer hosts the hub and waits for the shop's data; the screen opens the shop
	// when it arrives (dataArrived).
	waiting *widget.Label
	// devices joins a shop, or shows the pairing code while this computer waits for its shop to arrive.
	devices *deviceSettings
	// codeAsked is set once a pairing code was asked of the hub this computer hosts.
	codeAsked bool
}

func newWelcomeScreen(a *App) *welcomeScreen {
	sc := &welcomeScreen{a: a}
	sc.name = widget.NewEntry()
	sc.name.SetPlaceHolder("Your name")
	sc.currency = widget.NewSelectEntry([]string{"GBP", "EUR", "USD", "CAD", "AUD"})
	sc.currency.SetText("GBP")
	sc.demo = widget.NewButtonWithIcon("Explore the demo shop", theme.MediaPlayIcon(), sc.onDemo)
	sc.demo.Importance = widget.HighImportance
	sc.empty = widget.NewButtonWithIcon("Start my own shop", theme.ContentAddIcon(), sc.onEmpty)
	sc.join = widget.NewButtonWithIcon("Join with a pairing code…", theme.LoginIcon(), sc.onJoin)
	sc.host = widget.NewButtonWithIcon("Host the shop's hub here…", theme.ComputerIcon(), sc.onHost)
	sc.waiting = widget.NewLabel("")
	sc.waiting.Wrapping = fyne.TextWrapWord
	sc.waiting.Hide()
	return sc
}

func (sc *welcomeScreen) view() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(assets.Icon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(96, 96))
	title := canvas.NewText("Welcome to Backroom", theme.Color(theme.ColorNameForeground))
	title.TextSize = 26
	title.TextStyle.Bold = true
	title.Alignment = fyne.TextAlignCenter
	intro := widget.NewLabel("Stock, orders from every channel, packing and suppliers, on this computer.\n" +
		"Your shop's data stays in one file:\n" + sc.a.base.Path())
	intro.Alignment = fyne.TextAlignCenter
	intro.Wrapping = fyne.TextWrapWord

	demoCard := widget.NewCard("Look around first", "",
		container.NewVBox(
			widget.NewLabel("A small homeware shop with products, stock,\nsuppliers and 200 orders from six channels."),
			sc.demo))
	ownCard := widget.NewCard("Start your own shop", "",
		container.NewVBox(
			widget.NewForm(widget.NewFormItem("Your name", sc.name), widget.NewFormItem("Currency", sc.currency)),
			sc.empty))
	shareText := widget.NewLabel("Use the shop another computer already runs:\nthe same stock and orders on both.")
	shareCard := widget.NewCard("Share a shop", "", container.NewVBox(shareText, sc.join, sc.host))
	body := container.NewVBox(
		container.NewCenter(icon), title, intro,
		container.NewGridWithColumns(3, demoCard, ownCard, shareCard),
		sc.waiting,
	)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(1100, 560), body))
}

func (sc *welcomeScreen) refresh() {}

const waitingForShopText = "This computer hosts the shop's hub. Waiting for the shop: on the computer that has it, " +
	"open Settings › Devices, press Join a shop and type the pairing code. Backroom opens the shop here when its data arrives."

// onJoin joins a shop with a pairing code from its hub, then opens it (sign-in with the shop's people).
func (sc *welcomeScreen) onJoin() {
	d := newDeviceSettings(sc.a)
	sc.devices = d
	d.joined = func(bool) { sc.a.Start() }
	d.name.SetText(defaultDeviceName())
	d.onJoin()
}

// onHost makes this new computer the shop's hub and shows a pairing code for the computer that holds
// the shop: that one joins as the shop's founder, and its data arrives here.
func (sc *welcomeScreen) onHost() {
	name := widget.NewEntry()
	name.SetText(defaultDeviceName())
	msg := widget.NewLabel("This computer will host the shop's hub: the shop's other computers connect to it over the " +
		"shop's network (port 4222), so keep it switched on while they work.\n\nNext, on the computer that already has " +
		"the shop, open Settings › Devices, press Join a shop and type the code this computer shows. The shop's data " +
		"then arrives here.")
	msg.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(msg, widget.NewForm(widget.NewFormItem("This computer's name", name)))
	dialog.NewCustomConfirm("Host the shop's hub here", "Host the hub", "Cancel", fixedWidth(body, 480), func(ok bool) {
		if ok {
			sc.hostNow(strings.TrimSpace(name.Text))
		}
	}, sc.a.win).Show()
}

func (sc *welcomeScreen) hostNow(name string) {
	if name == "" {
		name = defaultDeviceName()
	}
	base, listen := sc.a.base, sc.a.sync.hubListen
	runWithCancel(sc.a.bg, sc.a.win, "Hosting the hub", "Setting up the hub on this computer…",
		func(ctx context.Context) error { return devicesync.HostHub(ctx, base, name, listen) },
		func(err error) {
			if err != nil {
				if !isCancelled(err) {
					showError(sc.a.win, err)
				}
				return
			}
			sc.a.welcome = sc
			sc.a.sync.start()
			sc.demo.Disable()
			sc.empty.Disable()
			sc.join.Disable()
			sc.host.Disable()
			sc.waiting.SetText("Starting the hub…")
			sc.waiting.Show()
			sc.devices = newDeviceSettings(sc.a)
			sc.a.sync.listen("welcome", sc.hubChanged)
		})
}

// hubChanged shows a pairing code once the hub this computer now hosts runs, or why it does not.
func (sc *welcomeScreen) hubChanged() {
	if sc.a.welcome != sc || sc.codeAsked {
		return
	}
	if err := sc.a.sync.hubErr; err != nil {
		sc.waiting.SetText("The hub could not start on this computer: " + syncErrorText(err, "") + " Backroom keeps trying.")
		return
	}
	hub := sc.a.sync.hub
	if hub == nil {
		return
	}
	sc.codeAsked = true
	run(sc.a.bg, func(ctx context.Context) (devicesync.PairingCode, error) {
		return hub.NewPairingCode(ctx, "")
	}, func(pc devicesync.PairingCode, err error) {
		if err != nil {
			sc.codeAsked = false
			showError(sc.a.win, err)
			return
		}
		sc.waiting.SetText(waitingForShopText)
		sc.devices.showPairingCode(pc)
	})
}

// dataArrived opens the shop once the people of the shop this computer hosts the hub for have arrived.
func (sc *welcomeScreen) dataArrived() {
	run(sc.a.bg, func(ctx context.Context) ([]data.User, error) {
		return sc.a.base.Users(ctx)
	}, func(users []data.User, err error) {
		if err == nil && len(users) > 0 && sc.a.welcome == sc {
			sc.a.welcome = nil
			if sc.devices != nil && sc.devices.pairDialog != nil {
				sc.devices.pairDialog.Hide() // its code is used up: the shop it brought is opening
			}
			sc.a.Start()
		}
	})
}

func (sc *welcomeScreen) onDemo() {
	sc.demo.Disable()
	sc.empty.Disable()
	runWithProgress(sc.a.bg, sc.a.win, "Demo shop", "Filling the demo shop: products, stock, suppliers and orders…",
		func(ctx context.Context, progress func(float64)) error {
			_, err := sc.a.base.GenerateDemo(ctx, data.DemoOptions{})
			progress(1)
			return err
		}, func(err error) {
			sc.demo.Enable()
			sc.empty.Enable()
			if err != nil {
				showError(sc.a.win, err)
				return
			}
			sc.a.Start()
		})
}

func (sc *welcomeScreen) onEmpty() {
	name := strings.TrimSpace(sc.name.Text)
	if name == "" {
		sc.a.win.Canvas().Focus(sc.name)
		showError(sc.a.win, &data.Error{Kind: data.ErrInvalid, Message: "Type your name: it is how Backroom records who did what."})
		return
	}
	currency := strings.ToUpper(strings.TrimSpace(sc.currency.Text))
	if !data.ValidCurrency(currency) {
		showError(sc.a.win, &data.Error{Kind: data.ErrInvalid, Message: "The currency is a three-letter code such as GBP, EUR or USD."})
		return
	}
	run(sc.a.bg, func(ctx context.Context) (data.User, error) {
		if err := sc.a.base.SetSetting(ctx, data.SettingCurrency, currency); err != nil {
			return data.User{}, err
		}
		return sc.a.base.AddUser(ctx, name, data.RoleOwner, "")
	}, func(u data.User, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.a.signedIn(sc.a.base.As(u))
	})
}
