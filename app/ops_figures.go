package app

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

const (
	// opsDays is how far back the bottleneck and carrier figures look.
	opsDays = 30
	// stuckAfter is how long an open order may stand in one status before the owner should look at it.
	stuckAfter = 48 * time.Hour
	// stuckShown caps the stuck list on the dashboard until the owner asks for all of it.
	stuckShown = 5
)

// opsCards are the dashboard's two operations cards: where orders wait (how long in each open status,
// and which orders are stuck) and how the carriers did. Only roles that may read the audit log see them,
// as the store refuses everyone else; for the packer they stay hidden.
type opsCards struct {
	a      *App
	query  latest
	export *xlsxSaver
	last   *opsData // the figures on display, for the exports; nil before the first answer

	bottlenecksExport, carriersExport *widget.Button

	// stuckAfter is the stuck list's threshold: stuckAfter, changed only by tests.
	stuckAfter time.Duration

	bottlenecks *fyne.Container
	ages        *gridTable
	agesEmpty   *widget.Label
	stuckTitle  *widget.Label
	stuck       *fyne.Container // one row per stuck order, its number a link to it
	stuckMore   *widget.Button  // "Show all N": the list past stuckShown
	stuckAll    bool            // the whole list is on display
	lastStuck   []data.StuckOrder
	lastNow     time.Time

	carriers      *fyne.Container
	carrierTable  *gridTable
	carriersEmpty *widget.Label

	root *fyne.Container
}

// opsData is what the cards show, read in one background job.
type opsData struct {
	now      time.Time
	ages     []data.StatusAge
	stuck    []data.StuckOrder
	carriers []data.CarrierFigures
}

func newOpsCards(a *App) *opsCards {
	c := &opsCards{a: a, stuckAfter: stuckAfter, export: newXLSXSaver(a)}
	c.ages = newGridTable(-1,
		gridColumn{title: "Status", width: 110},
		gridColumn{title: "Orders", width: 70, align: fyne.TextAlignTrailing},
		gridColumn{title: "Average", width: 100, align: fyne.TextAlignTrailing},
		gridColumn{title: "Median", width: 100, align: fyne.TextAlignTrailing},
		gridColumn{title: "Longest", width: 100, align: fyne.TextAlignTrailing})
	c.agesEmpty = opsEmptyLabel(fmt.Sprintf("No orders placed in the last %d days.", opsDays))
	c.stuckTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.stuck = container.NewVBox()
	c.stuckMore = widget.NewButton("", func() {
		c.stuckAll = true
		c.showStuck(c.lastStuck, c.lastNow)
		c.root.Refresh()
	})
	c.stuckMore.Importance = widget.LowImportance
	c.stuckMore.Alignment = widget.ButtonAlignLeading
	c.carrierTable = newGridTable(-1,
		gridColumn{title: "Carrier", width: 170},
		gridColumn{title: "Service", width: 170},
		gridColumn{title: "Shipped", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "On time", width: 80, align: fyne.TextAlignTrailing},
		gridColumn{title: "Avg transit", width: 100, align: fyne.TextAlignTrailing})
	c.carriersEmpty = opsEmptyLabel(fmt.Sprintf("No parcels handed to a carrier in the last %d days.", opsDays))
	// Nothing is said until the figures are in.
	c.agesEmpty.Hide()
	c.carriersEmpty.Hide()
	c.stuckMore.Hide()
	return c
}

// opsEmptyLabel is the quiet sentence a card shows instead of an empty table.
func opsEmptyLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

// view is both cards, one above the other; bottlenecks and carriers can also be placed apart.
func (c *opsCards) view() fyne.CanvasObject {
	c.bottlenecksExport = c.export.button("bottlenecks", c.bottlenecksWorkbook)
	c.carriersExport = c.export.button("carriers", c.carriersWorkbook)
	c.bottlenecks = container.NewVBox(
		cardHeading("Bottlenecks", fmt.Sprintf("How long the orders placed in the last %d days waited in each status, "+
			"from entering it to moving on; an open order's wait runs until now.", opsDays), c.bottlenecksExport),
		c.ages.box, c.agesEmpty, c.stuckTitle, c.stuck, container.NewHBox(c.stuckMore))
	c.carriers = container.NewVBox(
		cardHeading(fmt.Sprintf("Carriers, last %d days", opsDays), "Parcels handed over per carrier and service. "+
			"On time: handed over by the order's ship-by date, of those that had one. Transit: handover to delivery, where the delivery date is known.",
			c.carriersExport),
		c.carrierTable.box, c.carriersEmpty)
	c.root = container.NewVBox(c.bottlenecks, c.carriers)
	if !c.a.store.Can(data.PermViewAudit) {
		c.root.Hide()
	}
	return c.root
}

// load reads the figures in the background; an older answer never replaces a newer one. view must
// have been built first.
func (c *opsCards) load() {
	store := c.a.store
	if !store.Can(data.PermViewAudit) {
		return
	}
	current := c.query.next()
	longer := c.stuckAfter
	run(c.a.bg, func(ctx context.Context) (opsData, error) {
		d := opsData{now: store.Now()}
		from := d.now.AddDate(0, 0, -opsDays)
		return d, inParallel(ctx,
			func(ctx context.Context) (err error) {
				d.ages, err = store.StatusAges(ctx, from, d.now.Add(time.Minute))
				return err
			},
			func(ctx context.Context) (err error) {
				d.stuck, err = store.StuckOrders(ctx, longer)
				return err
			},
			func(ctx context.Context) (err error) {
				// A ship date may be given up to a day and a half ahead (ShipOrder allows it): look past now.
				d.carriers, err = store.CarrierFigures(ctx, from, d.now.Add(48*time.Hour))
				return err
			})
	}, func(d opsData, err error) {
		if !current() {
			return
		}
		if err != nil {
			showError(c.a.win, err)
			return
		}
		c.show(d)
	})
}

func (c *opsCards) show(d opsData) {
	defer c.root.Refresh() // parts show and hide: lay the cards out again
	c.last = &d
	setEnabled(c.bottlenecksExport, true)
	setEnabled(c.carriersExport, len(d.carriers) > 0)
	c.showAges(d.ages)
	c.showStuck(d.stuck, d.now)
	c.showCarriers(d.carriers)
}

func (c *opsCards) showAges(ages []data.StatusAge) {
	var rows [][]string
	var slowest time.Duration
	for _, a := range ages {
		slowest = max(slowest, a.Average)
	}
	seen := 0
	for _, a := range ages {
		seen += a.Orders
		if a.Orders == 0 {
			rows = append(rows, []string{statusLabel(a.Status), "0", "–", "–", "–"})
			continue
		}
		rows = append(rows, []string{statusLabel(a.Status), groupDigits(int64(a.Orders)),
			waitText(a.Average), waitText(a.Median), waitText(a.Longest)})
	}
	if seen == 0 {
		c.ages.box.Hide()
		c.agesEmpty.Show()
		return
	}
	// The status where orders wait longest on average is the bottleneck: mark it, once the wait is
	// long enough to matter.
	c.ages.setRows(rows, func(row, col int) widget.Importance {
		if col == 2 && ages[row].Orders > 0 && ages[row].Average == slowest && slowest >= time.Hour {
			return widget.WarningImportance
		}
		return widget.MediumImportance
	})
	c.ages.box.Show()
	c.agesEmpty.Hide()
}

// showStuck lists the orders stuck longest, each number opening the order.
func (c *opsCards) showStuck(stuck []data.StuckOrder, now time.Time) {
	c.lastStuck, c.lastNow = stuck, now
	c.stuck.RemoveAll()
	if len(stuck) == 0 {
		c.stuckTitle.SetText(fmt.Sprintf("Stuck longer than %s: none", thresholdText(c.stuckAfter)))
		c.stuckTitle.Importance = widget.SuccessImportance
		c.stuckTitle.Refresh()
		c.stuckMore.Hide()
		return
	}
	c.stuckTitle.SetText(fmt.Sprintf("Stuck longer than %s: %s", thresholdText(c.stuckAfter), plural(len(stuck), "order", "orders")))
	c.stuckTitle.Importance = widget.DangerImportance
	c.stuckTitle.Refresh()
	cols := &gridColumnsLayout{widths: []float32{190, 110, 90, 260}, grow: -1}
	for i, st := range stuck {
		if i == stuckShown && !c.stuckAll {
			break
		}
		o := st.Order
		link := widget.NewHyperlink(o.ExternalID, nil)
		link.Truncation = fyne.TextTruncateEllipsis
		link.OnTapped = func() { c.openOrder(o) }
		status := widget.NewLabel(statusLabel(st.Status))
		channel := widget.NewLabel(channelLabel(o.Channel))
		channel.Truncation = fyne.TextTruncateEllipsis
		since := widget.NewLabel(fmt.Sprintf("for %s, since %s", waitText(now.Sub(st.Since)), st.Since.In(time.Local).Format("Mon 2 Jan 15:04")))
		since.Truncation = fyne.TextTruncateEllipsis
		c.stuck.Add(container.New(cols, link, channel, status, since))
	}
	if len(stuck) > stuckShown && !c.stuckAll {
		c.stuckMore.SetText(fmt.Sprintf("Show all %s", groupDigits(int64(len(stuck)))))
		c.stuckMore.Show()
	} else {
		c.stuckMore.Hide()
	}
}

// openOrder shows one order in Orders, listed by its number with its detail open.
func (c *opsCards) openOrder(o data.Order) {
	if sc, ok := c.a.show(sectionOrders).(*ordersScreen); ok {
		sc.showFilter(data.OrderFilter{Search: o.ExternalID})
		sc.openOrder(o.ID)
	}
}

func (c *opsCards) showCarriers(figures []data.CarrierFigures) {
	if len(figures) == 0 {
		c.carrierTable.box.Hide()
		c.carriersEmpty.Show()
		return
	}
	rows := make([][]string, len(figures))
	for i, f := range figures {
		onTime, transit := "–", "–"
		if f.WithShipBy > 0 {
			onTime = fmt.Sprintf("%.0f%%", f.OnTimeRate()*100)
		}
		if f.Delivered > 0 {
			transit = waitText(f.AverageTransit)
		}
		service := f.Service
		if service == "" {
			service = "–"
		}
		rows[i] = []string{f.Carrier, service, groupDigits(int64(f.Shipped)), onTime, transit}
	}
	c.carrierTable.setRows(rows, func(row, col int) widget.Importance {
		if col == 3 && figures[row].WithShipBy > 0 && figures[row].OnTimeRate() < 0.9 {
			return widget.DangerImportance
		}
		return widget.MediumImportance
	})
	c.carrierTable.box.Show()
	c.carriersEmpty.Hide()
}

// waitText writes a wait the way people say it, in its two largest units: "45 min", "3 h", "3 h 20 min",
// "2 d 4 h". Seconds are noise at this scale.
func waitText(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case d < time.Minute:
		return "< 1 min"
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case days > 0:
		return fmt.Sprintf("%d d", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d h", hours)
	}
	return fmt.Sprintf("%d min", mins)
}

// thresholdText writes the stuck threshold: "2 days" when whole days, else as a wait.
func thresholdText(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "day", "days")
	}
	return waitText(d)
}
