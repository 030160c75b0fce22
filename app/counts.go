package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// countsScreen is the stock count by scanning: pick a shelf (a bin) or a whole location, scan what is
// there, and hand the count to the owner, whose approval writes the differences to the ledger. The
// counter does not see what the ledger expects, so the count is blind and honest; the owner sees both.
type countsScreen struct {
	a *App

	location *widget.Select
	bin      *widget.Entry
	start    *widget.Button
	open     *widget.List
	openNone *widget.Label
	counts   []data.StockCountSession

	current  data.StockCountSession // the count on display; ID 0 for none
	panel    *fyne.Container
	title    *widget.Label
	scan     *widget.Entry
	units    *widget.Entry
	message  *widget.Label
	lines    *gridTable
	linesBox *fyne.Container
	summary  *widget.Label
	correct  *widget.Button
	submit   *widget.Button
	approve  *widget.Button
	discard  *widget.Button

	approving *dialog.FormDialog // the approval dialog while open
	reason    *widget.Entry
}

func newCountsScreen(a *App) *countsScreen {
	sc := &countsScreen{a: a}
	sc.location = widget.NewSelect(nil, nil)
	sc.location.PlaceHolder = "Location"
	sc.bin = widget.NewEntry()
	sc.bin.SetPlaceHolder("empty: every bin")
	sc.bin.OnSubmitted = func(string) { sc.onStart() }
	sc.start = widget.NewButtonWithIcon("Start counting", theme.MediaPlayIcon(), sc.onStart)
	sc.start.Importance = widget.HighImportance
	sc.openNone = widget.NewLabel("No count is going on.")
	sc.openNone.Importance = widget.LowImportance
	sc.open = widget.NewList(func() int { return len(sc.counts) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("Shop, bin A-01 — counting, started by Someone")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			c := sc.counts[id]
			o.(*widget.Label).SetText(fmt.Sprintf("%s — %s, %s by %s", c.Scope(), countStatus(c.Status),
				c.StartedAt.In(time.Local).Format("2 Jan 15:04"), c.StartedBy))
		})
	sc.open.OnSelected = func(id widget.ListItemID) { sc.show(sc.counts[id]) }

	sc.title = detailHeading("")
	sc.scan = widget.NewEntry()
	sc.scan.SetPlaceHolder("scan a barcode, or type a SKU, then Enter")
	sc.scan.OnSubmitted = sc.onScan
	sc.units = widget.NewEntry()
	sc.units.SetText("1")
	sc.message = widget.NewLabel("")
	sc.message.Wrapping = fyne.TextWrapWord
	sc.message.TextStyle.Bold = true
	sc.summary = widget.NewLabel("")
	sc.summary.Wrapping = fyne.TextWrapWord
	sc.correct = widget.NewButtonWithIcon("Correct…", theme.DocumentCreateIcon(), sc.onCorrect)
	sc.submit = widget.NewButtonWithIcon("Done counting", theme.ConfirmIcon(), sc.onSubmit)
	sc.approve = widget.NewButtonWithIcon("Approve…", theme.ConfirmIcon(), sc.onApprove)
	sc.approve.Importance = widget.HighImportance
	sc.discard = widget.NewButtonWithIcon("Discard", theme.DeleteIcon(), sc.onDiscard)
	return sc
}

// owner reports whether the signed-in person approves counts, and so sees what the ledger expects.
func (sc *countsScreen) owner() bool { return sc.a.store.Can(data.PermApproveCounts) }

func countStatus(s string) string {
	switch s {
	case data.CountSubmitted:
		return "waiting for approval"
	case data.CountCounting:
		return "counting"
	}
	return s
}

func (sc *countsScreen) view() fyne.CanvasObject {
	note := "Count a shelf or a whole location by scanning what is there. Stock changes only when an owner approves the count."
	if sc.owner() {
		note = "Count a shelf or a whole location by scanning. Approving a count writes its differences to the ledger, with your reason."
	}
	starter := container.NewVBox(
		widget.NewForm(widget.NewFormItem("Location", sc.location), widget.NewFormItem("Bin", sc.bin)),
		container.NewHBox(sc.start))
	left := container.NewBorder(container.NewVBox(sectionHeading("Start or continue a count", ""), starter,
		sectionHeading("Counts going on", ""), sc.openNone), nil, nil, nil, sc.open)

	cols := []gridColumn{{title: "Bin", width: 60}, {title: "SKU", width: 110}, {title: "Name", width: 120}, {title: "Counted", width: 80, align: fyne.TextAlignTrailing}}
	if sc.owner() {
		cols = append(cols, gridColumn{title: "Ledger", width: 70, align: fyne.TextAlignTrailing},
			gridColumn{title: "Change", width: 70, align: fyne.TextAlignTrailing})
	}
	sc.lines = newGridTable(2, cols...)
	sc.linesBox = container.NewVBox(sc.lines.box)
	scanRow := container.NewBorder(nil, nil, nil,
		container.NewHBox(widget.NewLabel("units per scan"), fixedWidth(sc.units, 60)), sc.scan)
	actions := container.NewHBox(sc.correct, sc.submit, sc.approve, sc.discard)
	sc.panel = container.NewBorder(
		container.NewVBox(sc.title, scanRow, sc.message, actions, sc.summary, widget.NewSeparator()), nil, nil, nil,
		container.NewVScroll(sc.linesBox))
	sc.panel.Hide()
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(sc.panel))
	split.Offset = 0.3
	content := container.NewBorder(screenHeader("Stock count", note), nil, nil, nil, split)
	return container.NewThemeOverride(container.NewPadded(content), largeText{sc.a.fyne.Settings().Theme()})
}

// refresh reloads the locations and the counts going on, keeping the one on display.
func (sc *countsScreen) refresh() {
	store := sc.a.store
	type state struct {
		locations []data.Location
		counts    []data.StockCountSession
	}
	run(sc.a.bg, func(ctx context.Context) (state, error) {
		locs, err := store.Locations(ctx)
		if err != nil {
			return state{}, err
		}
		counts, err := store.OpenCounts(ctx)
		return state{locs, counts}, err
	}, func(st state, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		var names []string
		for _, l := range st.locations {
			names = append(names, l.Name)
		}
		sc.location.SetOptions(names)
		if sc.location.Selected == "" && len(names) > 0 {
			sc.location.SetSelected(names[0])
		}
		sc.counts = st.counts
		sc.open.UnselectAll()
		sc.open.Refresh()
		sc.openNone.Hidden = len(st.counts) > 0
		sc.openNone.Refresh()
		if sc.current.ID != 0 {
			for _, c := range st.counts {
				if c.ID == sc.current.ID {
					sc.show(c)
					return
				}
			}
			sc.current = data.StockCountSession{}
			sc.panel.Hide()
		}
	})
}

func (sc *countsScreen) onStart() {
	loc, bin := sc.location.Selected, strings.TrimSpace(sc.bin.Text)
	if loc == "" {
		sc.say("Choose the location to count.", widget.DangerImportance)
		return
	}
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (data.StockCountSession, error) {
		return store.StartCount(ctx, loc, bin)
	}, func(c data.StockCountSession, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.bin.SetText("")
		sc.show(c)
		sc.say("Scan each item on the shelf once per unit, or set units per scan for a full box.", widget.MediumImportance)
		sc.refresh()
	})
}

// show puts a count on the right: its lines, and the buttons its state and the person allow.
func (sc *countsScreen) show(c data.StockCountSession) {
	sc.current = c
	sc.title.SetText("Counting " + c.Scope())
	owner := sc.owner()
	var rows [][]string
	var counted, never, misplaced int
	var changes int
	for _, l := range c.Lines {
		cnt := "–"
		if l.Scanned {
			cnt = groupDigits(l.Counted)
			counted++
		} else {
			never++
		}
		name := l.Name
		if l.Misplaced {
			name += " (belongs in " + cmpText(l.Bin, "no bin") + ")"
			misplaced++
		}
		row := []string{l.Bin, l.SKU, name, cnt}
		if owner {
			diff := ""
			if d := l.Difference(); d != 0 {
				diff = fmt.Sprintf("%+d", d)
				changes++
			}
			row = append(row, groupDigits(l.Expected), diff)
		}
		rows = append(rows, row)
	}
	sc.lines.setRows(rows, func(row, col int) widget.Importance {
		l := c.Lines[row]
		switch {
		case l.Misplaced:
			return widget.WarningImportance
		case owner && col == 5 && l.Difference() != 0:
			return widget.DangerImportance
		case !l.Scanned && col == 3:
			return widget.LowImportance
		}
		return widget.MediumImportance
	})
	text := fmt.Sprintf("%d of %d SKUs counted.", counted, len(c.Lines))
	if never > 0 {
		text += fmt.Sprintf(" %d not scanned yet: approving counts them as none.", never)
	}
	if misplaced > 0 {
		text += fmt.Sprintf(" %d found on the wrong shelf: put them back; they change nothing.", misplaced)
	}
	if owner {
		text += fmt.Sprintf(" Approving changes %d SKU(s).", changes)
	}
	if c.Status == data.CountSubmitted {
		text = "Done counting, waiting for an owner's approval. " + text
	}
	sc.summary.SetText(text)
	setEnabled(sc.submit, c.Status == data.CountCounting)
	sc.approve.Hidden = !owner
	sc.approve.Refresh()
	sc.panel.Show()
	sc.panel.Refresh()
	sc.a.win.Canvas().Focus(sc.scan)
}

func cmpText(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

func (sc *countsScreen) say(text string, importance widget.Importance) {
	sc.message.SetText(text)
	sc.message.Importance = importance
	sc.message.Refresh()
}

// onScan counts the scanned code; a refused one is said in red and the entry stays ready.
func (sc *countsScreen) onScan(code string) {
	code = strings.TrimSpace(code)
	sc.scan.SetText("")
	if code == "" || sc.current.ID == 0 {
		return
	}
	units, err := strconv.ParseInt(strings.TrimSpace(sc.units.Text), 10, 64)
	if err != nil || units <= 0 {
		sc.say(fmt.Sprintf("Units per scan %q is not a whole number above 0.", sc.units.Text), widget.DangerImportance)
		return
	}
	store, id := sc.a.store, sc.current.ID
	type scanned struct {
		line  data.CountLine
		count data.StockCountSession
	}
	run(sc.a.bg, func(ctx context.Context) (scanned, error) {
		l, c, err := store.CountScan(ctx, id, code, units)
		return scanned{l, c}, err
	}, func(s scanned, err error) {
		sc.a.win.Canvas().Focus(sc.scan)
		if err != nil {
			sc.say(data.UserMessage(err), widget.DangerImportance)
			return
		}
		msg := fmt.Sprintf("%s: %s counted", s.line.SKU, groupDigits(s.line.Counted))
		importance := widget.SuccessImportance
		if s.line.Misplaced {
			msg += " — this SKU belongs in " + cmpText(s.line.Bin, "no bin") + ": put it back there"
			importance = widget.WarningImportance
		}
		sc.say(msg, importance)
		sc.units.SetText("1")
		sc.show(s.count)
	})
}

// onCorrect sets a SKU's count by hand, for a miscount.
func (sc *countsScreen) onCorrect() {
	c := sc.current
	if c.ID == 0 {
		return
	}
	sku := widget.NewSelectEntry(nil)
	var skus []string
	for _, l := range c.Lines {
		skus = append(skus, l.SKU)
	}
	sku.SetOptions(skus)
	n := widget.NewEntry()
	n.SetPlaceHolder("how many are there")
	store := sc.a.store
	d := dialog.NewForm("Correct a count", "Set", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("SKU", sku), widget.NewFormItem("Counted", n)}, func(ok bool) {
			if !ok {
				return
			}
			counted, err := strconv.ParseInt(strings.TrimSpace(n.Text), 10, 64)
			if err != nil || counted < 0 {
				sc.say(fmt.Sprintf("%q is not a count: a whole number, 0 or more.", n.Text), widget.DangerImportance)
				return
			}
			run(sc.a.bg, func(ctx context.Context) (data.StockCountSession, error) {
				return store.SetCounted(ctx, c.ID, sku.Text, counted)
			}, func(updated data.StockCountSession, err error) {
				if err != nil {
					sc.say(data.UserMessage(err), widget.DangerImportance)
					return
				}
				sc.say(fmt.Sprintf("%s set to %d.", sku.Text, counted), widget.SuccessImportance)
				sc.show(updated)
			})
		}, sc.a.win)
	d.Resize(fyne.NewSize(420, d.MinSize().Height))
	d.Show()
}

func (sc *countsScreen) onSubmit() {
	store, id := sc.a.store, sc.current.ID
	run(sc.a.bg, func(ctx context.Context) (data.StockCountSession, error) {
		return store.SubmitCount(ctx, id)
	}, func(c data.StockCountSession, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.say("Handed to the owner. Scanning more reopens the count.", widget.SuccessImportance)
		sc.show(c)
		sc.refresh()
	})
}

// onApprove asks the owner for the reason the ledger keeps, then writes the differences.
func (sc *countsScreen) onApprove() {
	c := sc.current
	var changes, never int
	for _, l := range c.Lines {
		if l.Difference() != 0 {
			changes++
		}
		if !l.Scanned && !l.Misplaced {
			never++
		}
	}
	reason := widget.NewEntry()
	reason.SetPlaceHolder("weekly shelf count, found damaged stock, …")
	sc.reason = reason
	text := fmt.Sprintf("Approving the count of %s changes the stock of %d SKU(s) to what was counted.", c.Scope(), changes)
	if never > 0 {
		text += fmt.Sprintf(" %d SKU(s) were never scanned and will be set to none.", never)
	}
	note := widget.NewLabel(text)
	note.Wrapping = fyne.TextWrapWord
	store := sc.a.store
	d := dialog.NewForm("Approve the count", "Approve", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("", note), widget.NewFormItem("Reason", reason)}, func(ok bool) {
			if !ok {
				return
			}
			why := reason.Text
			run(sc.a.bg, func(ctx context.Context) (int, error) {
				return store.ApproveCount(ctx, c.ID, why)
			}, func(moved int, err error) {
				if err != nil {
					showError(sc.a.win, err)
					return
				}
				sc.current = data.StockCountSession{}
				sc.panel.Hide()
				dialog.ShowInformation("Count approved", fmt.Sprintf("The stock of %d SKU(s) now matches the count of %s.", moved, c.Scope()), sc.a.win)
				sc.refresh()
				sc.a.changed()
			})
		}, sc.a.win)
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	d.Show()
	sc.approving = d
}

func (sc *countsScreen) onDiscard() {
	c := sc.current
	dialog.ShowConfirm("Discard the count", fmt.Sprintf("Throw away the count of %s? Stock stays as it is.", c.Scope()), func(ok bool) {
		if !ok {
			return
		}
		store := sc.a.store
		run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, store.DiscardCount(ctx, c.ID)
		}, func(_ struct{}, err error) {
			if err != nil {
				showError(sc.a.win, err)
				return
			}
			sc.current = data.StockCountSession{}
			sc.panel.Hide()
			sc.refresh()
		})
	}, sc.a.win)
}
