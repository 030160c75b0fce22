package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// supportDays is the window of orders the support load card measures.
const supportDays = 30

// supportProductsShown is how many products the card lists, the highest rates first.
const supportProductsShown = 6

// supportLoadCard is the dashboard's "Support load": which products, and which reasons, make the most
// support work, as tickets per 100 orders placed in the last 30 days. Owner only, like the tickets.
type supportLoadCard struct {
	a      *App
	query  latest
	box    *fyne.Container
	table  *gridTable
	why    *widget.Label
	empty  *widget.Label
	totals *widget.Label
}

func newSupportLoadCard(a *App) *supportLoadCard {
	c := &supportLoadCard{a: a}
	c.table = newGridTable(1,
		gridColumn{title: "SKU", width: 140},
		gridColumn{title: "Product", width: 200},
		gridColumn{title: "Orders", width: 70, align: fyne.TextAlignTrailing},
		gridColumn{title: "Tickets", width: 70, align: fyne.TextAlignTrailing},
		gridColumn{title: "Per 100 orders", width: 120, align: fyne.TextAlignTrailing})
	c.why = widget.NewLabel("")
	c.why.Wrapping = fyne.TextWrapWord
	c.totals = widget.NewLabel("")
	c.totals.Wrapping = fyne.TextWrapWord
	c.empty = widget.NewLabel(fmt.Sprintf("No tickets on the orders of the last %d days.", supportDays))
	c.empty.Importance = widget.LowImportance
	open := widget.NewButtonWithIcon("Tickets", theme.NavigateNextIcon(), func() { a.show(sectionTickets) })
	open.Importance = widget.LowImportance
	c.box = container.NewVBox(
		cardHeading("Support load", fmt.Sprintf("Tickets per 100 orders placed in the last %d days: the products and reasons that make the most support work.", supportDays), open),
		c.totals, c.table.box, c.why, c.empty)
	return c
}

func (c *supportLoadCard) view() fyne.CanvasObject { return c.box }

func (c *supportLoadCard) load() {
	store := c.a.store
	load(c.a.bg, c.a.win, &c.query, func(ctx context.Context) (data.TicketRates, error) {
		to := store.Now()
		return store.TicketRates(ctx, to.Add(-supportDays*24*time.Hour), to)
	}, c.show)
}

func (c *supportLoadCard) show(r data.TicketRates) {
	defer c.box.Refresh()
	if r.Tickets == 0 {
		c.table.box.Hide()
		c.why.Hide()
		c.totals.Hide()
		c.empty.Show()
		return
	}
	var rows [][]string
	for _, p := range r.Products {
		if len(rows) == supportProductsShown {
			break
		}
		rows = append(rows, []string{p.SKU, p.Name, groupDigits(int64(p.Orders)), groupDigits(int64(p.Tickets)), fmt.Sprintf("%.1f", p.Per100)})
	}
	listed := r.Products[:len(rows)]
	c.table.setRows(rows, func(row, col int) widget.Importance {
		if col == 4 && listed[row].Per100 >= 10 {
			return widget.DangerImportance
		}
		return widget.MediumImportance
	})
	var why []string
	for _, rr := range r.Reasons {
		if rr.Tickets > 0 {
			why = append(why, fmt.Sprintf("%s %.1f", strings.ToLower(ticketReasonLabel(rr.Reason)), rr.Per100))
		}
	}
	c.totals.SetText(fmt.Sprintf("%s on %s: %.1f per 100 orders.", plural(r.Tickets, "ticket", "tickets"),
		plural(r.Orders, "order", "orders"), float64(r.Tickets)*100/float64(max(r.Orders, 1))))
	c.why.SetText("Per 100 orders by reason: " + strings.Join(why, " · ") + ".")
	c.totals.Show()
	c.table.box.Show()
	c.why.Show()
	c.empty.Hide()
}
