package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// welcomeScreen greets a new database: try Backroom on a demo shop, or start your own with your name.
type welcomeScreen struct {
	a        *App
	name     *widget.Entry
	currency *widget.SelectEntry
	demo     *widget.Button
	empty    *widget.Button
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
	body := container.NewVBox(
		container.NewCenter(icon), title, intro,
		container.NewGridWithColumns(2, demoCard, ownCard),
	)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(760, 520), body))
}

func (sc *welcomeScreen) refresh() {}

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
