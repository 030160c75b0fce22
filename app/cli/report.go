package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/backroom-app/backroom/data"
)

type reportAtRiskOptions struct {
	json *bool
}

func reportAtRiskCommand() *command {
	return &command{
		name: "report at-risk", args: "[--json]", summary: "list SKUs that may sell more than the shop has",
		help: `Lists the SKUs at risk of overselling: those whose sellable quantity (on hand less what open orders
hold) is at or below what the last stock file sent to a channel listed there, one row per channel, and
those already oversold (open orders hold more than is on hand), with the orders holding them. Listed
quantities are in our units, so a 3-pack listed 2 times counts 6. Send a fresh stock file with
'backroom export stock' to bring a channel back in line.

With --json, prints an array of {"sku","name","sellable","channel","listed","oversold","orders"}:
channel is "" for an oversold SKU no channel lists, orders the channels' order numbers (empty unless
oversold).`,
		flags: func(fs *flag.FlagSet) any {
			return &reportAtRiskOptions{json: fs.Bool("json", false, "print JSON instead of a table")}
		},
		run: runReportAtRisk,
	}
}

// atRiskJSON is the JSON shape of one "report at-risk --json" row.
type atRiskJSON struct {
	SKU      string   `json:"sku"`
	Name     string   `json:"name"`
	Sellable int64    `json:"sellable"`
	Channel  string   `json:"channel"`
	Listed   int64    `json:"listed"`
	Oversold bool     `json:"oversold"`
	Orders   []string `json:"orders"`
}

func runReportAtRisk(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*reportAtRiskOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	list, err := store.AtRisk(ctx)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, list, func(a data.AtRisk) any { return toAtRiskJSON(a) })
	}
	if len(list) == 0 {
		fmt.Fprintln(r.out, "Nothing at risk: every channel lists less than is sellable, and no SKU is oversold.")
		return nil
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SKU\tNAME\tSELLABLE\tCHANNEL\tLAST LISTED\tOVERSOLD ORDERS")
	for _, a := range list {
		channel, listed, orders := a.Channel, fmt.Sprint(a.Listed), strings.Join(a.Orders, ", ")
		if channel == "" {
			channel, listed = "–", "–"
		}
		if a.Oversold && orders == "" {
			orders = "oversold"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", a.SKU, a.Name, a.Sellable, channel, listed, orders)
	}
	return tw.Flush()
}

func toAtRiskJSON(a data.AtRisk) atRiskJSON {
	orders := a.Orders
	if orders == nil {
		orders = []string{}
	}
	return atRiskJSON{SKU: a.SKU, Name: a.Name, Sellable: a.Sellable, Channel: a.Channel, Listed: a.Listed, Oversold: a.Oversold, Orders: orders}
}
