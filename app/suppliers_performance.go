package app

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// performanceTab puts the suppliers side by side on how they keep their promises, learned from the
// purchase orders they delivered, and shows the chosen supplier's recent lead times against what it
// promised. It shows no money, so every role that reaches Suppliers sees all of it.
type performanceTab struct {
	sc    *suppliersScreen
	a     *App
	query latest

	table   *pagedTable[data.SupplierPerformance]
	rows    []data.SupplierPerformance
	chosen  string // supplier id
	head    *widget.Label
	note    *widget.RichText
	chart   *barChart
	recent  *gridTable
	empty   *widget.Label
	details *fyne.Container
}

func newPerformanceTab(sc *suppliersScreen) supplierTab {
	t := &performanceTab{sc: sc, a: sc.a}
	t.table = newPagedTable(t.a, "suppliers", []column[data.SupplierPerformance]{
		{title: "Supplier", width: 124, grow: 2, text: func(p data.SupplierPerformance) string {
			if !p.Available {
				return p.Name + " (unavailable)"
			}
			return p.Name
		}, style: func(p data.SupplierPerformance) widget.Importance {
			if !p.Available {
				return widget.WarningImportance
			}
			return widget.MediumImportance
		}},
		{title: "Promised", width: 90, align: fyne.TextAlignTrailing, text: func(p data.SupplierPerformance) string {
			return daysText(float64(p.PromisedDays))
		}},
		{title: "Takes", width: 64, align: fyne.TextAlignTrailing, text: func(p data.SupplierPerformance) string {
			if p.Received == 0 {
				return "–"
			}
			return daysText(p.LearnedDays)
		}, style: func(p data.SupplierPerformance) widget.Importance {
			if p.Received > 0 && p.LearnedDays > float64(p.PromisedDays)+0.5 {
				return widget.WarningImportance
			}
			return widget.MediumImportance
		}},
		{title: "Spread", width: 72, align: fyne.TextAlignTrailing, drop: 1, text: func(p data.SupplierPerformance) string {
			if p.Received < 2 {
				return "–"
			}
			return "± " + daysText(p.LeadStdDev)
		}},
		{title: "On time", width: 80, align: fyne.TextAlignTrailing, text: func(p data.SupplierPerformance) string {
			if p.OnTimeRate < 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f%%", p.OnTimeRate*100)
		}, style: func(p data.SupplierPerformance) widget.Importance {
			if p.OnTimeRate >= 0 && p.OnTimeRate < 0.8 {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		}},
		{title: "Avg delay", width: 84, align: fyne.TextAlignTrailing, drop: 2, text: func(p data.SupplierPerformance) string {
			if p.Received == 0 {
				return "–"
			}
			return daysText(p.AverageDelayDays)
		}},
		{title: "Open", width: 56, align: fyne.TextAlignTrailing, text: func(p data.SupplierPerformance) string {
			return strconv.Itoa(p.OpenPOs)
		}},
		{title: "Late", width: 52, align: fyne.TextAlignTrailing, text: func(p data.SupplierPerformance) string {
			return strconv.Itoa(p.LatePOs)
		}, style: func(p data.SupplierPerformance) widget.Importance {
			if p.LatePOs > 0 {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		}},
		{title: "Trend", width: 84, text: func(p data.SupplierPerformance) string { return trendText(p.Trend) },
			style: func(p data.SupplierPerformance) widget.Importance {
				switch p.Trend {
				case "worse":
					return widget.DangerImportance
				case "better":
					return widget.SuccessImportance
				}
				return widget.MediumImportance
			}},
		{title: "Measured", width: 90, align: fyne.TextAlignTrailing, drop: 3, text: func(p data.SupplierPerformance) string {
			return plural(p.Received, "PO", "POs")
		}},
	}, func(p data.SupplierPerformance) string { return p.SupplierID })
	t.table.emptyText = "No suppliers yet. Add them on the Suppliers tab."
	t.table.onSelected = t.choose

	t.head = detailHeading("")
	t.note = mutedText("")
	t.chart = newBarChart()
	t.recent = newGridTable(-1,
		gridColumn{title: "PO", width: 92},
		gridColumn{title: "Sent", width: 64},
		gridColumn{title: "Due", width: 64},
		gridColumn{title: "Arrived", width: 70},
		gridColumn{title: "Took", width: 56, align: fyne.TextAlignTrailing},
		gridColumn{title: "Late", width: 70, align: fyne.TextAlignTrailing})
	t.empty = widget.NewLabel("")
	t.empty.Wrapping = fyne.TextWrapWord
	t.empty.Importance = widget.LowImportance
	return t
}

// trendText is a supplier's trend with an arrow for the direction of its lead times.
func trendText(trend string) string {
	switch trend {
	case "worse":
		return "↑ slower"
	case "better":
		return "↓ faster"
	case "steady":
		return "→ steady"
	}
	return "too few"
}

func (t *performanceTab) view() fyne.CanvasObject {
	// The table keeps the width its columns need; the chart takes the rest.
	lower := container.NewBorder(nil, nil, nil, container.NewVScroll(t.recent.box), t.chart)
	t.details = container.NewBorder(container.NewVBox(t.head, t.note), nil, nil, nil, container.NewStack(lower, container.NewVBox(t.empty)))
	explain := mutedText("A PO is measured once it has all arrived: from the day it was sent to the delivery that completed it. " +
		"On time means by the end of its due day.")
	split := container.NewVSplit(t.table.view(), container.NewBorder(widget.NewSeparator(), nil, nil, nil, t.details))
	split.Offset = 0.45
	return container.NewBorder(explain, nil, nil, nil, split)
}

func (t *performanceTab) refresh() {
	store := t.a.store
	load(t.a.bg, t.a.win, &t.query, func(ctx context.Context) ([]data.SupplierPerformance, error) {
		return store.SupplierPerformance(ctx, store.Now())
	}, func(rows []data.SupplierPerformance) {
		t.rows = rows
		t.table.setSource(listSource(func(context.Context) ([]data.SupplierPerformance, error) { return rows, nil }))
		var chosen *data.SupplierPerformance
		for i := range rows {
			if rows[i].SupplierID == t.chosen {
				chosen = &rows[i]
			}
		}
		if chosen == nil && len(rows) > 0 {
			chosen = &rows[0]
		}
		if chosen == nil {
			t.details.Hide()
			return
		}
		t.details.Show()
		t.table.markSelected(chosen.SupplierID)
		t.choose(*chosen)
	})
}

// choose shows a supplier's recent deliveries: a bar per PO of the days it took, the promised days as
// a line, and the same in a table.
func (t *performanceTab) choose(p data.SupplierPerformance) {
	t.chosen = p.SupplierID
	t.head.SetText(p.Name)
	if len(p.Recent) == 0 {
		setMutedText(t.note, fmt.Sprintf("Promises %s.", plural(p.PromisedDays, "day", "days")))
		t.empty.SetText(p.Name + " has no delivered purchase orders yet. Lead times appear here once a PO sent to it has all arrived.")
		t.empty.Show()
		t.chart.Hide()
		t.recent.box.Hide()
		return
	}
	t.empty.Hide()
	t.chart.Show()
	t.recent.box.Show()
	note := fmt.Sprintf("Its last %s took %s days on average against %s promised", plural(len(p.Recent), "delivery", "deliveries"),
		strings.TrimSuffix(daysText(meanDays(p.Recent)), " d"), plural(p.PromisedDays, "day", "days"))
	if p.Trend != "" {
		note += ", and is " + map[string]string{"worse": "getting slower", "better": "getting faster", "steady": "holding steady"}[p.Trend]
	}
	setMutedText(t.note, note+".")

	now := t.a.store.Now()
	d := chartData{barName: "Days it took", lineName: "Days promised", tick: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }}
	var rows [][]string
	late := map[int]bool{}
	for i, l := range p.Recent {
		d.labels = append(d.labels, l.ReceivedAt.In(time.Local).Format("2 Jan"))
		d.bars = append(d.bars, round1(l.Days))
		d.line = append(d.line, round1(l.ExpectedAt.Sub(l.SentAt).Hours()/24))
		d.notes = append(d.notes, strconv.FormatFloat(round1(l.Days), 'f', -1, 64))
		lateText := "on time"
		if !l.OnTime() {
			lateText = daysText(l.LateDays)
			late[i] = true
		}
		rows = append(rows, []string{l.Number, shortDay(l.SentAt.Local(), now.Local()), expectedDay(l.ExpectedAt, now),
			shortDay(l.ReceivedAt.Local(), now.Local()), daysText(l.Days), lateText})
	}
	t.chart.set(d)
	t.recent.setRows(rows, func(row, col int) widget.Importance {
		if col == 5 && late[row] {
			return widget.DangerImportance
		}
		return widget.MediumImportance
	})
}

func meanDays(ls []data.POLeadTime) float64 {
	var sum float64
	for _, l := range ls {
		sum += l.Days
	}
	return sum / float64(len(ls))
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
