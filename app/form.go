package app

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// requiredText is a validator for an entry that may not be left blank; msg says what is missing.
func requiredText(msg string) fyne.StringValidator {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(msg)
		}
		return nil
	}
}

// showFormProblem shows what is wrong inside a form dialog, grows the dialog to fit the message at the
// given width, and puts the cursor in the field that needs fixing (none when field is nil).
func showFormProblem(win fyne.Window, d *dialog.CustomDialog, message *widget.Label, width float32, msg string, field fyne.Focusable) {
	message.SetText(msg)
	message.Show()
	d.Resize(fyne.NewSize(width, d.MinSize().Height))
	if c := win.Canvas(); c != nil && field != nil {
		c.Focus(field)
	}
}
