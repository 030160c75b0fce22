package app

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// packingDays is how far back the packing figures go: two working weeks.
const packingDays = 14

// packingFigures shows the owner how the pack station went, per person and day: orders and items,
// their rates per hour, accuracy and overrides. Only roles that may read the audit log see it (the
// store refuses everyone else), so a packer never sees colleagues' figures.
type packingFigures struct {
	a      *App
	query  latest
	days   []data.PackerDay
	export *xlsxSaver

	exportButton *widget.Button

	reload  *widget.Button
	summary *widget.Label
	table   *gridTable
	empty   *widget.Label
}

func newPackingFigures(a *App) *packingFigures {
	pf := &packingFigures{a: a, export: newXLSXSaver(a)}
	pf.reload = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), pf.refresh)
	pf.summary = widget.NewLabel("")
	pf.summary.Wrapping = fyne.TextWrapWord
	pf.table = newGridTable(1,
		gridColumn{title: "Day", width: 110},
		gridColumn{title: "Person", width: 120},
		gridColumn{title: "Orders", width: 70, align: fyne.TextAlignTrailing},
		gridColumn{title: "Items", width: 70, align: fyne.TextAlignTrailing},
		gridColumn{title: "Orders/h", width: 90, align: fyne.TextAlignTrailing},
		gridColumn{title: "Items/h", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Accuracy", width: 90, align: fyne.TextAlignTrailing},
		gridColumn{title: "Refused", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Overrides", width: 90, align: fyne.TextAlignTrailing},
		gridColumn{title: "From–to", width: 120, align: fyne.TextAlignTrailing},
	)
	pf.empty = widget.NewLabel("Nobody has packed at the pack station in the last two weeks.")
	pf.empty.Importance = widget.LowImportance
	pf.empty.Hide()
	return pf
}

func (pf *packingFigures) view() fyne.CanvasObject {
	pf.exportButton = pf.export.button("packing", pf.workbook)
	header := screenHeader("Packing", fmt.Sprintf("The pack station's log, per person and day, for the last %d days. "+
		"Accuracy is 1 − refused scans ÷ scans; overrides are counted apart. The hours run from a person's first "+
		"entry of the day to their last.", packingDays), pf.exportButton, pf.reload)
	return container.NewBorder(container.NewVBox(header, pf.summary), nil, nil, nil,
		container.NewStack(container.NewScroll(pf.table.box), container.NewCenter(pf.empty)))
}

// refresh reads the last two weeks of the log.
func (pf *packingFigures) refresh() {
	store := pf.a.store
	now := store.Now().Local()
	from := time.Date(now.Year(), now.Month(), now.Day()-(packingDays-1), 0, 0, 0, 0, time.Local)
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.Local)
	load(pf.a.bg, pf.a.win, &pf.query, func(ctx context.Context) ([]data.PackerDay, error) {
		return store.PackerDays(ctx, from, to, time.Local)
	}, pf.show)
}

func (pf *packingFigures) show(days []data.PackerDay) {
	pf.days = days
	setEnabled(pf.exportButton, len(days) > 0)
	rows := make([][]string, len(days))
	var orders, scans, bad, overrides int
	var items int64
	for i, d := range days {
		h := d.Hours()
		rows[i] = []string{
			d.Day.Format("Mon 2 Jan"), d.UserName,
			groupDigits(int64(d.Orders)), groupDigits(d.Items),
			fmt.Sprintf("%.1f", float64(d.Orders)/h), fmt.Sprintf("%.1f", float64(d.Items)/h),
			percent(d.Accuracy()), groupDigits(int64(d.BadScans)), groupDigits(int64(d.Overrides)),
			d.First.Format("15:04") + "–" + d.Last.Format("15:04"),
		}
		orders, scans, bad, overrides, items = orders+d.Orders, scans+d.Scans, bad+d.BadScans, overrides+d.Overrides, items+d.Items
	}
	pf.table.setRows(rows, func(row, col int) widget.Importance {
		d := days[row]
		switch {
		case col == 6 && d.Accuracy() < 0.95:
			return widget.DangerImportance
		case col == 6 && d.Accuracy() < 0.99:
			return widget.WarningImportance
		case col == 8 && d.Overrides > 0:
			return widget.WarningImportance
		}
		return widget.MediumImportance
	})
	if len(days) == 0 {
		pf.empty.Show()
		pf.summary.SetText("")
		return
	}
	pf.empty.Hide()
	total := data.PackerDay{Scans: scans, BadScans: bad}
	pf.summary.SetText(fmt.Sprintf("In %d days: %s and %s packed, accuracy %s (%s of %s refused), %s.",
		packingDays, plural(orders, "order", "orders"), plural(int(items), "item", "items"), percent(total.Accuracy()),
		plural(bad, "scan", "scans"), groupDigits(int64(scans)), plural(overrides, "override", "overrides")))
}

// percent writes a share as a percentage with one decimal, without claiming 100.0 for 99.96.
func percent(f float64) string {
	p := f * 100
	if p < 100 && p > 99.9 {
		return "99.9%"
	}
	return fmt.Sprintf("%.1f%%", p)
}
