package app

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// newLocationChoice is the pick that keeps a file's location name as a location of its own.
const newLocationChoice = "A new location"

// onPlaceLocations asks, after a check, which of the shop's locations each location name new to
// Backroom is. Shopify calls a shop's one location by its street address; counting it as a second
// location would count the same shelf twice, which is how stock goes wrong without anyone noticing.
// The answers are checked again at once and used by the import, which remembers them.
func (sc *importsScreen) onPlaceLocations() {
	job := sc.shown
	if job == nil || job.result == nil || len(job.result.LocationsAdded) == 0 {
		return
	}
	names := slices.Clone(job.result.LocationsAdded)
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) ([]data.Location, error) {
		return store.Locations(ctx)
	}, func(locs []data.Location, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		options := []string{newLocationChoice}
		for _, l := range locs {
			options = append(options, l.Name)
		}
		sc.locationPicks = map[string]*widget.Select{}
		form := widget.NewForm()
		for _, name := range names {
			pick := widget.NewSelect(options, nil)
			pick.SetSelected(newLocationChoice)
			if chosen, ok := job.locations[name]; ok {
				pick.SetSelected(chosen)
			}
			sc.locationPicks[name] = pick
			form.Append(name, pick)
		}
		intro := widget.NewLabel(fmt.Sprintf("%s names %s Backroom does not have. If one is a location you already have "+
			"under another name, choose it: its counts go there, and later files naming it do the same.",
			job.src.name, pluralWord(len(names), "a location", "locations")))
		intro.Wrapping = fyne.TextWrapWord
		sc.locationsDialog = dialog.NewCustomConfirm(pluralWord(len(names), "Which location is this?", "Which locations are these?"), "Use these and check again", "Cancel",
			fixedWidth(container.NewVBox(intro, form), 520), func(ok bool) {
				if ok {
					sc.useLocations(job)
				}
			}, sc.a.win)
		// A wrapped label measures its height only once it has a width, so the dialog is given its
		// size rather than left to shrink around the text.
		sc.locationsDialog.Resize(fyne.NewSize(580, 230+52*float32(len(names))))
		sc.locationsDialog.Show()
	})
}

// useLocations keeps the owner's picks for the job and checks the file again with them.
func (sc *importsScreen) useLocations(job *importJob) {
	picks := map[string]string{}
	for name, pick := range sc.locationPicks {
		if pick.Selected != "" && pick.Selected != newLocationChoice {
			picks[name] = pick.Selected
		}
	}
	job.locations = picks
	sc.start(job, data.ImportOptions{DryRun: true})
}
