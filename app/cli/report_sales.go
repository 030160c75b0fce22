package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/data"
)

type reportSalesOptions struct {
	from, to, by *string
	json         *bool
}

func reportSalesCommand() *command {
	return &command{
		name: "report sales", args: "[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--by day|week|month|channel|product] [--json]",
		summary: "sales, cost of goods and margin by period, channel or product (owner, accountant)",
		help: `Sums the orders placed from --from to --to (both days included, in this computer's time zone;
by default the last 30 days up to today), grouped by day, ISO week, month, channel or product (--by,
default day), one row per group and currency. Cancelled orders are left out.

Revenue is what customers paid: order totals, shipping and tax included, by period and channel; the
lines' price × quantity by product. Cost is the units sold at the cost each SKU had when the order
was placed (a kit at its parts' costs), so changing a cost today does not rewrite past margins. Lines
that match no SKU yet, and SKUs whose cost is kept in another currency than the order's, are costed at
0 and counted as uncosted. Only users who may see costs may run it.

With --json, prints an array of {"key","label","currency","orders","units","revenue","cost","margin"},
money in minor units (pence, cents), plus "uncosted" (units costed at 0) where there are any; key is
the day (2026-11-26), week (2026-W48), month (2026-11), channel or SKU.`,
		flags: func(fs *flag.FlagSet) any {
			return &reportSalesOptions{
				from: fs.String("from", "", "first day, YYYY-MM-DD (default 29 days before --to)"),
				to:   fs.String("to", "", "last day, included, YYYY-MM-DD (default today)"),
				by:   fs.String("by", "day", "group by day, week, month, channel or product"),
				json: fs.Bool("json", false, "print JSON instead of a table"),
			}
		},
		run: runReportSales,
	}
}

// salesJSON is the JSON shape of one "report sales --json" row; money is in minor units.
type salesJSON struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Currency string `json:"currency"`
	Orders   int    `json:"orders"`
	Units    int64  `json:"units"`
	Revenue  int64  `json:"revenue"`
	Cost     int64  `json:"cost"`
	Margin   int64  `json:"margin"`
	Uncosted int64  `json:"uncosted,omitempty"`
}

func runReportSales(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*reportSalesOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	by := strings.ToLower(strings.TrimSpace(*opts.by))
	valid := false
	for _, g := range data.SalesGroupings() {
		valid = valid || g == by
	}
	if !valid {
		return usagef("--by %q: group by %s", *opts.by, strings.Join(data.SalesGroupings(), ", "))
	}
	from, err := parseDay("--from", *opts.from)
	if err != nil {
		return err
	}
	to, err := parseDay("--to", *opts.to)
	if err != nil {
		return err
	}
	if to.IsZero() {
		now := time.Now()
		to = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -29)
	}
	if to.Before(from) {
		return usagef("--to %s is before --from %s", to.Format("2006-01-02"), from.Format("2006-01-02"))
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	rows, err := store.SalesReport(ctx, from, to.AddDate(0, 0, 1), by, time.Local)
	if err != nil {
		return err
	}
	if *opts.json {
		l := newJSONList(r.out)
		for _, row := range rows {
			if err := l.add(salesJSON{Key: row.Key, Label: row.Label, Currency: row.Currency, Orders: row.Orders, Units: row.Units,
				Revenue: row.Revenue, Cost: row.Cost, Margin: row.Margin, Uncosted: row.Uncosted}); err != nil {
				return err
			}
		}
		return l.close()
	}
	period := from.Format("2 Jan 2006") + " to " + to.Format("2 Jan 2006")
	if len(rows) == 0 {
		fmt.Fprintf(r.out, "No sales from %s.\n", period)
		return nil
	}
	return writeSalesTable(r, rows, by, period)
}

// writeSalesTable prints the rows and a total per currency. By product an order with two products is
// in two rows, so the total leaves its order count out rather than count it twice.
func writeSalesTable(r *runner, rows []data.SalesRow, by, period string) error {
	heading := map[string]string{"day": "DAY", "week": "WEEK", "month": "MONTH", "channel": "CHANNEL", "product": "SKU"}[by]
	// Month and channel labels only repeat the key.
	labelled := by == "day" || by == "week" || by == "product"
	fmt.Fprintf(r.out, "Sales from %s, by %s\n\n", period, by)
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	cells := func(first ...string) string {
		if !labelled {
			first = first[:1]
		}
		return strings.Join(first, "\t")
	}
	fmt.Fprintf(tw, "%s\tORDERS\tUNITS\tREVENUE\tCOST\tMARGIN\tMARGIN %%\t\n", cells(heading, "NAME"))
	var totals []data.SalesRow // one per currency, in the order currencies first appear
	var uncosted int64
	for _, row := range rows {
		key := row.Key
		if key == "" {
			key = "–"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t\n", cells(key, row.Label), row.Orders, row.Units,
			data.FormatMoney(row.Revenue, row.Currency), data.FormatMoney(row.Cost, row.Currency),
			data.FormatMoney(row.Margin, row.Currency), marginPercent(row))
		i := 0
		for i < len(totals) && totals[i].Currency != row.Currency {
			i++
		}
		if i == len(totals) {
			totals = append(totals, data.SalesRow{Currency: row.Currency})
		}
		t := &totals[i]
		t.Orders += row.Orders
		t.Units += row.Units
		t.Revenue += row.Revenue
		t.Cost += row.Cost
		t.Margin += row.Margin
		uncosted += row.Uncosted
	}
	for _, t := range totals {
		orders := fmt.Sprint(t.Orders)
		if by == "product" {
			orders = "–"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", cells("Total "+t.Currency, ""), orders, t.Units,
			data.FormatMoney(t.Revenue, t.Currency), data.FormatMoney(t.Cost, t.Currency),
			data.FormatMoney(t.Margin, t.Currency), marginPercent(t))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if uncosted > 0 {
		units := fmt.Sprintf("%d units are", uncosted)
		if uncosted == 1 {
			units = "1 unit is"
		}
		fmt.Fprintf(r.out, "\n%s costed at 0: their lines match no SKU yet, or their SKU's cost is kept in another\n"+
			"currency than the order's. Their margin is overstated.\n", units)
	}
	return nil
}

func marginPercent(row data.SalesRow) string {
	pct, ok := row.MarginPercent()
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", pct)
}
