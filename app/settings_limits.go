package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// exceptionLimitsForm is Settings › Messages › Exception limits: how long each kind of exception may
// stay open before the owner gets a desktop notification and it turns red on the dashboard.
type exceptionLimitsForm struct {
	a       *App
	entries map[data.ExceptionKind]*widget.Entry
	save    *widget.Button
	note    *widget.Label
}

func newExceptionLimitsForm(a *App) *exceptionLimitsForm {
	f := &exceptionLimitsForm{a: a, entries: map[data.ExceptionKind]*widget.Entry{}}
	for _, k := range data.ExceptionKinds() {
		e := widget.NewEntry()
		e.SetPlaceHolder("hours")
		f.entries[k] = e
	}
	f.save = widget.NewButtonWithIcon("Save limits", theme.DocumentSaveIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.note = widget.NewLabel("")
	f.note.Wrapping = fyne.TextWrapWord
	f.note.Hide()
	return f
}

func (f *exceptionLimitsForm) view() fyne.CanvasObject {
	form := widget.NewForm()
	for _, k := range data.ExceptionKinds() {
		form.Append(exceptionKindLabel(k)+" (hours)", f.entries[k])
	}
	return container.NewVBox(
		sectionHeading("Exception age limits", "How long each kind of problem may stay open before Backroom sends a desktop "+
			"notification and shows it in red at the top of the dashboard. Hours; 0.5 is half an hour, 48 two days."),
		container.NewHBox(fixedWidth(form, 460)),
		container.NewHBox(f.save), f.note)
}

// hoursText writes a limit in hours without needless decimals: 4, 0.5, 48.
func hoursText(d time.Duration) string {
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64)
}

func (f *exceptionLimitsForm) refresh() {
	store := f.a.store
	run(f.a.bg, func(ctx context.Context) (map[data.ExceptionKind]time.Duration, error) {
		return store.ExceptionLimits(ctx)
	}, func(limits map[data.ExceptionKind]time.Duration, err error) {
		if err != nil {
			showError(f.a.win, err)
			return
		}
		for k, e := range f.entries {
			e.SetText(hoursText(limits[k]))
		}
	})
}

func (f *exceptionLimitsForm) onSave() {
	limits := map[data.ExceptionKind]time.Duration{}
	for _, k := range data.ExceptionKinds() {
		s := strings.TrimSpace(strings.ReplaceAll(f.entries[k].Text, ",", "."))
		h, err := strconv.ParseFloat(s, 64)
		d := time.Duration(h * float64(time.Hour))
		if err != nil || d < time.Minute || d > 90*24*time.Hour {
			f.note.Importance = widget.DangerImportance
			f.note.SetText(fmt.Sprintf("%s: %q is not a number of hours from 0.02 (a minute) to 2160 (90 days).", exceptionKindLabel(k), s))
			f.note.Show()
			f.a.win.Canvas().Focus(f.entries[k])
			return
		}
		limits[k] = d
	}
	store := f.a.store
	f.save.Disable()
	run(f.a.bg, func(ctx context.Context) (struct{}, error) {
		for _, k := range data.ExceptionKinds() {
			if err := store.SetExceptionLimit(ctx, k, limits[k]); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, func(_ struct{}, err error) {
		f.save.Enable()
		if err != nil {
			f.note.Importance = widget.DangerImportance
			f.note.SetText(data.UserMessage(err))
			f.note.Show()
			return
		}
		f.note.Importance = widget.SuccessImportance
		f.note.SetText("Saved. The dashboard and notifications follow the new limits from the next check.")
		f.note.Show()
		f.a.messagesChanged()
	})
}
