package app

import (
	"context"
	"fmt"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// dashboardAlertsShown is how many live supplier alerts the dashboard card lists; the rest wait on the
// Contingency tab.
const dashboardAlertsShown = 5

// purchasingDashboard is what the dashboard shows of purchasing: a tile counting the purchase orders
// past their due day, which opens the PO list filtered to them, and a card listing the live supplier
// alerts with Dismiss. Both reload after every contingency evaluation (sign-in, a new day, receipts,
// imports), so they follow the shop without the dashboard asking. Roles without the Suppliers section
// (the packer) get neither; Dismiss is the owner's.
type purchasingDashboard struct {
	a     *App
	query latest

	overdue *figureTile
	card    *fyne.Container
	list    *fyne.Container
	more    *widget.Hyperlink
	empty   *widget.Label
	alerts  []data.ContingencyAlert
	count   int // POs overdue

	// The suppliers card: how each supplier has delivered, with its workbook.
	suppliers      *fyne.Container
	supplierTable  *gridTable
	suppliersEmpty *widget.Label
	suppliersXLSX  *widget.Button
	performance    []data.SupplierPerformance
}

// purchasingFigures is what one load of the dashboard's purchasing parts reads.
type purchasingFigures struct {
	overdue     int
	alerts      []data.ContingencyAlert
	performance []data.SupplierPerformance
}

func newPurchasingDashboard(a *App) *purchasingDashboard {
	p := &purchasingDashboard{a: a}
	p.overdue = newFigureTile("POs overdue", "sent, past their due day", true, func() {
		if sc, ok := a.show(sectionSuppliers).(*suppliersScreen); ok {
			sc.showPOList(poFilterLate)
		}
	})
	p.list = container.NewVBox()
	p.more = widget.NewHyperlink("", nil)
	p.more.OnTapped = a.showContingencies
	p.more.Hide()
	open := widget.NewButtonWithIcon("Contingency plans", theme.NavigateNextIcon(), a.showContingencies)
	open.Importance = widget.LowImportance
	p.empty = widget.NewLabel("No supplier alerts: no contingency rule has found a problem.")
	p.empty.Importance = widget.LowImportance
	p.empty.Wrapping = fyne.TextWrapWord
	p.card = container.NewVBox(
		cardHeading("Supplier alerts", "What your contingency rules found: late orders, failing suppliers, stock that runs out before it is restocked.", open),
		p.list, p.more, p.empty)
	p.supplierTable = newGridTable(0,
		gridColumn{title: "Supplier", width: 170},
		gridColumn{title: "Promised", width: 95, align: fyne.TextAlignTrailing},
		gridColumn{title: "Learned", width: 100, align: fyne.TextAlignTrailing},
		gridColumn{title: "On time", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Avg delay", width: 85, align: fyne.TextAlignTrailing},
		gridColumn{title: "POs measured", width: 125, align: fyne.TextAlignTrailing},
		gridColumn{title: "Late now", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Trend", width: 80})
	p.suppliersEmpty = opsEmptyLabel("No purchase order has been received in full yet: lead times are learned from real deliveries.")
	p.suppliersEmpty.Hide()
	p.suppliersXLSX = newXLSXSaver(a).button("suppliers", p.suppliersWorkbook)
	performance := widget.NewButtonWithIcon("Performance", theme.NavigateNextIcon(), func() {
		if sc, ok := a.show(sectionSuppliers).(*suppliersScreen); ok {
			for _, item := range sc.tabs.Items {
				if item.Text == "Performance" {
					sc.tabs.Select(item)
				}
			}
		}
	})
	performance.Importance = widget.LowImportance
	p.suppliers = container.NewVBox(
		cardHeading("Suppliers", "Lead time promised against learned from deliveries (sent to complete), the share delivered by the "+
			"promised day, and the average days late; late now counts open orders past their day.", performance, p.suppliersXLSX),
		p.supplierTable.box, p.suppliersEmpty)
	if !a.canShow(sectionSuppliers) {
		p.overdue.root.Hide()
		p.card.Hide()
		p.suppliers.Hide()
		return p
	}
	if a.contingency != nil {
		a.contingency.listen("dashboard", p.load)
	}
	p.load()
	return p
}

// tile is the "POs overdue" figure, for the dashboard's grid of tiles.
func (p *purchasingDashboard) tile() fyne.CanvasObject { return p.overdue.root }

// alertsCard is the live supplier alerts, for the dashboard's column of cards.
func (p *purchasingDashboard) alertsCard() fyne.CanvasObject { return p.card }

// suppliersCard is how each supplier has delivered, for the dashboard's column of cards.
func (p *purchasingDashboard) suppliersCard() fyne.CanvasObject { return p.suppliers }

// load reads the overdue POs and the live alerts in the background.
func (p *purchasingDashboard) load() {
	if !p.a.canShow(sectionSuppliers) {
		return
	}
	store := p.a.store
	load(p.a.bg, p.a.win, &p.query, func(ctx context.Context) (purchasingFigures, error) {
		var f purchasingFigures
		var err error
		if f.overdue, err = store.CountOverduePOs(ctx, store.Now()); err != nil {
			return f, err
		}
		if f.alerts, err = store.ContingencyAlerts(ctx, false); err != nil {
			return f, err
		}
		f.performance, err = store.SupplierPerformance(ctx, store.Now())
		return f, err
	}, p.show)
}

func (p *purchasingDashboard) show(f purchasingFigures) {
	p.count, p.alerts = f.overdue, f.alerts
	p.overdue.set(f.overdue)
	p.list.RemoveAll()
	for i, a := range f.alerts {
		if i == dashboardAlertsShown {
			break
		}
		p.list.Add(p.alertRow(a))
	}
	if n := len(f.alerts) - dashboardAlertsShown; n > 0 {
		p.more.SetText(fmt.Sprintf("%s more on the Contingency tab", plural(n, "alert", "alerts")))
		p.more.Show()
	} else {
		p.more.Hide()
	}
	if len(f.alerts) == 0 {
		p.empty.Show()
	} else {
		p.empty.Hide()
	}
	p.card.Refresh()
	p.showSuppliers(f.performance)
}

// showSuppliers fills the suppliers card: the suppliers with measured deliveries or open orders, worst
// on-time rate first, so the one to talk to is on top.
func (p *purchasingDashboard) showSuppliers(all []data.SupplierPerformance) {
	var shown []data.SupplierPerformance
	for _, sp := range all {
		if sp.Received > 0 || sp.OpenPOs > 0 {
			shown = append(shown, sp)
		}
	}
	sort.SliceStable(shown, func(i, j int) bool { return shown[i].OnTimeRate < shown[j].OnTimeRate })
	p.performance = shown
	setEnabled(p.suppliersXLSX, len(shown) > 0)
	if len(shown) == 0 {
		p.supplierTable.box.Hide()
		p.suppliersEmpty.Show()
		p.suppliers.Refresh()
		return
	}
	rows := make([][]string, len(shown))
	for i, sp := range shown {
		learned, onTime, delay := "–", "–", "–"
		if sp.Received > 0 {
			learned = fmt.Sprintf("%.1f d", sp.LearnedDays)
			if sp.Received > 1 {
				learned = fmt.Sprintf("%.1f ± %.1f d", sp.LearnedDays, sp.LeadStdDev)
			}
			onTime = fmt.Sprintf("%.0f%%", sp.OnTimeRate*100)
			delay = fmt.Sprintf("%.1f d", sp.AverageDelayDays)
		}
		name := sp.Name
		if !sp.Available {
			name += " (unavailable)"
		}
		trend := sp.Trend
		if trend == "" {
			trend = "–"
		}
		rows[i] = []string{name, fmt.Sprintf("%d d", sp.PromisedDays), learned, onTime, delay,
			fmt.Sprint(sp.Received), fmt.Sprint(sp.LatePOs), trend}
	}
	p.supplierTable.setRows(rows, func(row, col int) widget.Importance {
		sp := shown[row]
		switch {
		case col == 3 && sp.Received > 0 && sp.OnTimeRate < 0.8,
			col == 6 && sp.LatePOs > 0,
			col == 7 && sp.Trend == "worse",
			col == 0 && !sp.Available:
			return widget.DangerImportance
		case col == 7 && sp.Trend == "better":
			return widget.SuccessImportance
		}
		return widget.MediumImportance
	})
	p.supplierTable.box.Show()
	p.suppliersEmpty.Hide()
	p.suppliers.Refresh()
}

// suppliersWorkbook is the suppliers card as a spreadsheet, with every measured purchase order on a
// second sheet so the figures can be checked.
func (p *purchasingDashboard) suppliersWorkbook() (workbook, bool) {
	if len(p.performance) == 0 {
		return workbook{}, false
	}
	sh := figureSheet{name: "Suppliers", columns: []string{"Supplier", "Available", "Promised lead time (days)", "Learned lead time (days)",
		"Spread (days)", "On time", "Average delay (days)", "POs measured", "Open POs", "Late now", "Closed short", "Trend"}}
	pos := figureSheet{name: "Recent purchase orders", columns: []string{"Supplier", "PO", "Sent", "Expected", "Received", "Lead time (days)", "Days late"}}
	for _, sp := range p.performance {
		var onTime any
		if sp.Received > 0 {
			onTime = ratio(sp.OnTimeRate)
		}
		available := "yes"
		if !sp.Available {
			available = "no"
		}
		sh.rows = append(sh.rows, []any{sp.Name, available, sp.PromisedDays, sp.LearnedDays, sp.LeadStdDev, onTime,
			sp.AverageDelayDays, sp.Received, sp.OpenPOs, sp.LatePOs, sp.ClosedShort, sp.Trend})
		for _, l := range sp.Recent {
			pos.rows = append(pos.rows, []any{sp.Name, l.Number, dateCell{l.SentAt, xlsxDate}, dateCell{l.ExpectedAt, xlsxDate},
				dateCell{l.ReceivedAt, xlsxDate}, l.Days, l.LateDays})
		}
	}
	sh.totals, pos.totals = len(sh.rows), len(pos.rows)
	return workbook{sheets: []figureSheet{sh, pos}, about: [][2]string{
		{"What", "How each supplier has delivered: promised lead time against the one learned from purchase orders received in full."},
		{"On time", "Received in full by the end of the promised delivery day (UTC)."},
		{"Recent purchase orders", "The last 10 measured orders of each supplier."},
		{"Saved", p.a.store.Now().In(time.Local).Format("2 Jan 2006 15:04")},
	}}, true
}

func (p *purchasingDashboard) alertRow(a data.ContingencyAlert) fyne.CanvasObject {
	text := alertText(a.Message, a.FiredAt.In(time.Local).Format("Mon 2 Jan 15:04")+" · "+a.Rule, true)
	var right fyne.CanvasObject
	if p.a.store.Can(data.PermManageSuppliers) {
		id := a.ID
		dismiss := widget.NewButton("Dismiss", func() { p.onDismiss(id) })
		right = container.NewVBox(dismiss)
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.WarningIcon())), right, text)
}

func (p *purchasingDashboard) onDismiss(id int64) {
	store := p.a.store
	run(p.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.DismissAlert(ctx, id)
	}, func(_ struct{}, err error) {
		showError(p.a.win, err)
		p.a.contingencyAlertsChanged()
	})
}
