package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/backroom-app/backroom/data"
)

type demoOptions struct {
	seed             *uint64
	products, orders *int
}

func demoCommand() *command {
	return &command{
		name: "demo", args: "[--seed N] [--products N] [--orders N]", summary: "fill an empty database with the demo shop",
		help: `Fills an empty database with Fern & Kettle, a small homeware and tea shop: products with variants,
kits and barcodes, a shop and a garage, six suppliers with ranked backups (one of them unreliable), six
months of purchase orders whose deliveries make the stock ledger, contingency rules with the alerts they
raise, and orders from six channels over the last 90 days (some late, one oversold SKU, a line nobody has
mapped yet). A database that already has
products or orders is refused, so a real shop can never be mixed with made-up data.`,
		flags: func(fs *flag.FlagSet) any {
			return &demoOptions{
				seed:     fs.Uint64("seed", 0, "`number` picking one of many possible demo shops"),
				products: fs.Int("products", 0, "`number` of SKUs (default: the 61 of the hand-written catalogue)"),
				orders:   fs.Int("orders", 0, "`number` of orders (default 200)"),
			}
		},
		run: runDemo,
	}
}

func runDemo(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*demoOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if *opts.products < 0 || *opts.orders < 0 {
		return usagef("--products and --orders cannot be negative")
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	res, err := store.GenerateDemo(ctx, data.DemoOptions{Seed: *opts.seed, Products: *opts.products, Orders: *opts.orders})
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, `Made the demo shop in %s:
  %d SKUs in %d products, %d kits, %d barcodes, %d channel aliases
  %d suppliers offering %d items, %d locations
  %d purchase orders, %d stock movements
  %d contingency rules raising %d alerts
  %d orders with %d lines: %d late, %d lines waiting to be matched
  oversold on purpose: %s
Users: Alex Morgan (owner, no PIN), Jamie Lee (packer, PIN 1234), Priya Shah (accountant, PIN 2468).
`, store.Path(), res.Variants, res.Products, res.Kits, res.Barcodes, res.Aliases, res.Suppliers, res.SupplierItems,
		res.Locations, res.PurchaseOrders, res.Movements, res.ContingencyRules, res.Alerts, res.Orders, res.OrderLines, res.LateOrders, res.UnmatchedLines, strings.Join(res.Oversold, ", "))
	return nil
}
