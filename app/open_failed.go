package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// ShowOpenFailed tells, in a window, why the shop's database at path could not be opened (a full disk,
// a read-only or missing folder, a file that is not a Backroom database, one from a newer version), and
// runs until the window closes. Someone who starts Backroom from a desktop icon has no terminal, so an
// error printed there would be a window that silently never opens. A damaged file has its own window
// (RunRecovery).
func ShowOpenFailed(fa fyne.App, path string, err error) {
	win := fa.NewWindow("Backroom could not open the shop")
	win.SetIcon(assets.Icon())
	heading := widget.NewLabelWithStyle("Backroom could not open the shop's database", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	message := widget.NewLabel(data.UserMessage(err))
	message.Wrapping = fyne.TextWrapWord
	file := widget.NewLabel("Database: " + path)
	file.Wrapping = fyne.TextWrapBreak
	file.Importance = widget.LowImportance
	quit := widget.NewButtonWithIcon("Quit", theme.CancelIcon(), win.Close)
	quit.Importance = widget.HighImportance
	win.SetContent(container.NewPadded(container.NewVBox(
		container.NewHBox(widget.NewIcon(theme.ErrorIcon()), heading),
		message,
		file,
		layout.NewSpacer(),
		container.NewHBox(layout.NewSpacer(), quit),
	)))
	win.Resize(fyne.NewSize(560, 200))
	win.CenterOnScreen()
	win.ShowAndRun()
}
