package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// whatIfTab answers "what if this supplier stops today?": for every SKU it supplies first, when stock
// runs out without it, whether the backup supplier's first delivery comes in time, and what the backup
// costs more. Costs show only to roles that may see them.
type whatIfTab struct {
	sc    *suppliersScreen
	a     *App
	query latest
	lines latest

	supplier  *widget.Select
	suppliers []data.Supplier
	chosen    string    // supplier id
	now       time.Time // when the figures on display were worked out
	summary   *widget.Label
	table     *pagedTable[data.WhatIfLine]
}

func newWhatIfTab(sc *suppliersScreen) supplierTab {
	t := &whatIfTab{sc: sc, a: sc.a}
	t.supplier = widget.NewSelect(nil, func(name string) { t.onChoose(name) })
	t.supplier.PlaceHolder = "Choose a supplier"
	t.summary = widget.NewLabel("Choose a supplier to see what its stopping would mean.")
	t.summary.Wrapping = fyne.TextWrapWord
	t.summary.TextStyle.Bold = true

	cols := []column[data.WhatIfLine]{
		{title: "SKU", width: 100, text: func(l data.WhatIfLine) string { return l.SKU }},
		{title: "Name", width: 120, grow: 3, drop: 1, text: func(l data.WhatIfLine) string { return l.Name }},
		{title: "Sellable", width: 72, align: fyne.TextAlignTrailing, drop: 5, text: func(l data.WhatIfLine) string { return groupDigits(l.Sellable) }},
		{title: "Per day", width: 70, align: fyne.TextAlignTrailing, drop: 6, text: func(l data.WhatIfLine) string { return perDayText(l.PerDay) }},
		{title: "Runs out", width: 100, text: func(l data.WhatIfLine) string { return runsOutText(l.StockOutWithout, t.now) }},
		{title: "Backup", width: 110, grow: 1, text: func(l data.WhatIfLine) string {
			if l.Backup == nil {
				return "none"
			}
			return l.Backup.SupplierName
		}, style: func(l data.WhatIfLine) widget.Importance {
			if l.Backup == nil && l.StockOutWithout != nil {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		}},
		{title: "Backup lead", width: 104, align: fyne.TextAlignTrailing, drop: 4, text: func(l data.WhatIfLine) string {
			if l.Backup == nil {
				return "–"
			}
			return daysText(l.BackupLeadDays)
		}},
		{title: "With backup", width: 104, text: func(l data.WhatIfLine) string {
			switch {
			case l.StockOutWithout == nil:
				return "–"
			case l.StockOutWith == nil:
				return "in time"
			}
			return "runs out"
		}, style: func(l data.WhatIfLine) widget.Importance {
			if l.StockOutWith != nil {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		}},
		{title: "Days short", width: 100, align: fyne.TextAlignTrailing, text: func(l data.WhatIfLine) string {
			switch {
			case l.StockOutWith == nil:
				return "–"
			case l.DaysShort < 0:
				return "no end"
			}
			return groupDigits(int64(l.DaysShort))
		}, style: func(l data.WhatIfLine) widget.Importance {
			if l.StockOutWith != nil {
				return widget.DangerImportance
			}
			return widget.MediumImportance
		}},
	}
	if t.a.store.Can(data.PermViewCosts) {
		cols = append(cols,
			column[data.WhatIfLine]{title: "Unit cost", width: 86, align: fyne.TextAlignTrailing, drop: 3, text: func(l data.WhatIfLine) string {
				switch {
				case l.Backup == nil:
					return "–"
				case l.CurrencyMismatch:
					return "in " + l.Backup.Currency
				}
				return signedMoney(l.UnitCostDiff, l.Currency)
			}},
			column[data.WhatIfLine]{title: "90 days", width: 92, align: fyne.TextAlignTrailing, text: func(l data.WhatIfLine) string {
				switch {
				case l.Backup == nil:
					return "–"
				case l.CurrencyMismatch:
					return "other currency"
				}
				return signedMoney(l.CostDiff90d, l.Currency)
			}, style: func(l data.WhatIfLine) widget.Importance {
				if l.CostDiff90d > 0 {
					return widget.WarningImportance
				}
				return widget.MediumImportance
			}},
		)
	}
	t.table = newPagedTable(t.a, "SKUs", cols, func(l data.WhatIfLine) string { return l.SKU })
	t.table.emptyText = "Choose a supplier above."
	return t
}

// signedMoney writes a difference with its sign: +£1.20, −£0.40, £0.00.
func signedMoney(n int64, currency string) string {
	switch {
	case n > 0:
		return "+" + data.FormatMoney(n, currency)
	case n < 0:
		return "−" + data.FormatMoney(-n, currency)
	}
	return data.FormatMoney(0, currency)
}

func (t *whatIfTab) view() fyne.CanvasObject {
	pick := container.NewHBox(widget.NewLabel("If this supplier stops today:"), fixedWidth(t.supplier, 240))
	explain := mutedText("Runs out counts stock you can sell now and what other suppliers already have on the way. " +
		"With backup assumes you order from the backup today and it takes its usual lead time; costs compare its " +
		"price with today's supplier's over 90 days of sales.")
	top := container.NewVBox(pick, t.summary, explain)
	return container.NewBorder(top, nil, nil, nil, t.table.view())
}

func (t *whatIfTab) refresh() {
	store := t.a.store
	load(t.a.bg, t.a.win, &t.query, func(ctx context.Context) ([]data.Supplier, error) {
		return store.Suppliers(ctx)
	}, func(sps []data.Supplier) {
		t.suppliers = sps
		var names []string
		selected := ""
		for _, sp := range sps {
			names = append(names, sp.Name)
			if sp.ID == t.chosen {
				selected = sp.Name
			}
		}
		t.supplier.SetOptions(names)
		switch {
		case selected != "" && t.supplier.Selected == selected:
			t.load() // the same supplier: its figures may have changed
		case selected != "":
			t.supplier.SetSelected(selected) // loads through onChoose
		case len(sps) == 0:
			t.summary.SetText("No suppliers yet. Add them on the Suppliers tab.")
		default:
			// Nothing chosen yet: start with the supplier that sells the shop the most SKUs, whose
			// loss would hurt most, rather than an empty table.
			most := sps[0]
			for _, sp := range sps[1:] {
				if sp.Items > most.Items {
					most = sp
				}
			}
			t.supplier.SetSelected(most.Name) // loads through onChoose
		}
	})
}

func (t *whatIfTab) onChoose(name string) {
	for _, sp := range t.suppliers {
		if sp.Name == name {
			t.chosen = sp.ID
		}
	}
	t.load()
}

// load works out the chosen supplier's what-if in the background.
func (t *whatIfTab) load() {
	var sp data.Supplier
	for _, s := range t.suppliers {
		if s.ID == t.chosen {
			sp = s
		}
	}
	if sp.ID == "" {
		return
	}
	store := t.a.store
	costs := store.Can(data.PermViewCosts)
	t.table.emptyText = sp.Name + " is not the main supplier of any active SKU, so nothing changes if it stops."
	type answer struct {
		now   time.Time
		lines []data.WhatIfLine
	}
	load(t.a.bg, t.a.win, &t.lines, func(ctx context.Context) (answer, error) {
		r := answer{now: store.Now()}
		var err error
		r.lines, err = store.WhatIfSupplierStops(ctx, r.now, sp.ID)
		return r, err
	}, func(r answer) {
		t.now = r.now
		lines := r.lines
		t.summary.SetText(whatIfSummary(sp.Name, lines, costs))
		t.table.setSource(listSource(func(context.Context) ([]data.WhatIfLine, error) { return lines, nil }))
	})
}

// whatIfSummary is the what-if in one sentence: "If Hollow Pottery stops today, 12 SKUs run out; with
// backups 3 still run short, costing £84.20 more over 90 days." A SKU runs out when it sells at all
// (nothing else is coming); it runs short when even the backup's first delivery comes too late. The
// cost sums the lines whose backup charges in the same currency; others are named apart.
func whatIfSummary(name string, lines []data.WhatIfLine, costs bool) string {
	if len(lines) == 0 {
		return fmt.Sprintf("%s is not the main supplier of any active SKU: nothing changes if it stops.", name)
	}
	out, short := 0, 0
	var cost int64
	currency := ""
	mismatch, priced := 0, 0
	for _, l := range lines {
		if l.StockOutWithout != nil {
			out++
		}
		if l.StockOutWith != nil {
			short++
		}
		if l.Backup != nil && l.CurrencyMismatch {
			mismatch++
		} else if l.Backup != nil {
			cost += l.CostDiff90d
			priced++
		}
		if currency == "" {
			currency = l.Currency
		}
	}
	if out == 0 {
		return fmt.Sprintf("If %s stops today, none of its %s runs out: none of them sells.", name, plural(len(lines), "SKU", "SKUs"))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "If %s stops today, %s out", name, plural(out, "SKU runs", "SKUs run"))
	switch short {
	case 0:
		b.WriteString("; with backups none runs short")
	default:
		fmt.Fprintf(&b, "; with backups %d still %s short", short, map[bool]string{true: "runs", false: "run"}[short == 1])
	}
	if costs && priced > 0 {
		switch {
		case cost > 0:
			fmt.Fprintf(&b, ", costing %s more over 90 days", data.FormatMoney(cost, currency))
		case cost < 0:
			fmt.Fprintf(&b, ", saving %s over 90 days", data.FormatMoney(-cost, currency))
		default:
			b.WriteString(", at no extra cost over 90 days")
		}
	}
	if costs && mismatch > 0 {
		fmt.Fprintf(&b, " (%s priced in another currency not counted)", plural(mismatch, "backup", "backups"))
	}
	b.WriteString(".")
	return b.String()
}
