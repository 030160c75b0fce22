package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/backroom-app/backroom/app/documents"
	"github.com/backroom-app/backroom/data"
)

// pickStatuses are the orders a pick list or packing slips cover by default: those not yet packed.
func pickStatuses() []data.Status {
	return []data.Status{data.StatusNew, data.StatusPaid, data.StatusPicking}
}

// printOptions are the flags the pick list and packing slips share.
type printOptions struct {
	out     *string
	orders  *string
	channel *string
	paper   *string
	json    *bool
}

func printFlags(fs *flag.FlagSet) *printOptions {
	return &printOptions{
		out:     fs.String("out", "", "the PDF `file` to write"),
		orders:  fs.String("orders", "", "only these `orders`: the channels' order ids, comma-separated (default: every open order)"),
		channel: fs.String("channel", "", "the `channel` the orders came from, when two channels share an id; without --orders, only that channel's open orders"),
		paper:   fs.String("paper", "a4", "paper `size`: a4 or letter"),
		json:    fs.Bool("json", false, "print a JSON summary instead of a line"),
	}
}

// pickSummary is the JSON shape of "picklist --json".
type pickSummary struct {
	File      string `json:"file"`
	Orders    int    `json:"orders"`
	Units     int64  `json:"units"`
	Lines     int    `json:"lines"`
	Unmatched int    `json:"unmatched"`
}

func pickListCommand() *command {
	return &command{
		name: "picklist", args: "--out FILE.pdf [--orders ID,ID...] [--channel C] [--paper a4|letter] [--json]",
		summary: "print a pick list for open orders as PDF",
		help: `Writes a pick list as PDF: every SKU the orders need, summed and sorted by location and bin for one
walk through the shelves, with the order numbers per line and a box to tick. Lines that matched no SKU
come last, by their listing name. Without --orders it covers every order that is new, paid or picking.
ORDER ids are the channels' own (#1001, 113-1234567-1234567); --channel says whose when two channels
use the same id.

With --json, prints {"file","orders","units","lines","unmatched"}.`,
		flags: func(fs *flag.FlagSet) any { return printFlags(fs) },
		run:   runPickList,
	}
}

func runPickList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*printOptions)
	paper, err := checkPrintFlags(opts, args)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	orders, err := printOrders(ctx, store, *opts.orders, *opts.channel)
	if err != nil {
		return err
	}
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	items, err := store.PickList(ctx, ids)
	if err != nil {
		return err
	}
	shop, err := documents.ShopName(ctx, store)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := documents.PickList(&buf, shop, items, orders, store.Now().In(time.Local), paper); err != nil {
		return err
	}
	if err := writeWhole(*opts.out, buf.Bytes()); err != nil {
		return err
	}
	sum := pickSummary{File: *opts.out, Orders: len(orders), Lines: len(items)}
	for _, it := range items {
		sum.Units += it.Quantity
		if it.Unmatched {
			sum.Unmatched++
		}
	}
	if *opts.json {
		return writeJSON(r.out, sum)
	}
	fmt.Fprintf(r.out, "Pick list for %s, %s in %s written to %s\n", plural(sum.Orders, "order", "orders"),
		plural(int(sum.Units), "unit", "units"), plural(sum.Lines, "line", "lines"), sum.File)
	if sum.Unmatched > 0 {
		fmt.Fprintf(r.out, "%s no SKU: pick by the listing name\n", plural(sum.Unmatched, "line has", "lines have"))
	}
	return nil
}

// slipsSummary is the JSON shape of "packing-slips --json".
type slipsSummary struct {
	File   string   `json:"file"`
	Orders []string `json:"orders"`
}

func packingSlipsCommand() *command {
	return &command{
		name: "packing-slips", args: "--out FILE.pdf [--orders ID,ID...] [--channel C] [--paper a4|letter] [--json]",
		summary: "print packing slips as PDF, one page per order",
		help: `Writes packing slips as PDF, one page per order: the shop's name and logo, the order number as a
Code 128 barcode for the pack station's scanner, the ship-to address, and the lines with SKU, name and
quantity. Packing slips show no prices. Without --orders it covers every order that is new, paid or
picking. --channel says whose order id it is when two channels use the same one.

With --json, prints {"file","orders":[order ids]}.`,
		flags: func(fs *flag.FlagSet) any { return printFlags(fs) },
		run:   runPackingSlips,
	}
}

func runPackingSlips(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*printOptions)
	paper, err := checkPrintFlags(opts, args)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	orders, err := printOrders(ctx, store, *opts.orders, *opts.channel)
	if err != nil {
		return err
	}
	if orders, err = documents.WithLines(ctx, store, orders); err != nil {
		return err
	}
	shop, err := documents.ShopName(ctx, store)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := documents.PackingSlips(&buf, documents.ShopInfo{Name: shop, Paper: paper}, orders); err != nil {
		return err
	}
	if err := writeWhole(*opts.out, buf.Bytes()); err != nil {
		return err
	}
	sum := slipsSummary{File: *opts.out, Orders: make([]string, len(orders))}
	for i, o := range orders {
		sum.Orders[i] = o.ExternalID
	}
	if *opts.json {
		return writeJSON(r.out, sum)
	}
	fmt.Fprintf(r.out, "Packing slips for %s written to %s\n", plural(len(orders), "order", "orders"), sum.File)
	return nil
}

// checkPrintFlags checks the flags that need no database, so a typo is reported before anything opens.
func checkPrintFlags(opts *printOptions, args []string) (documents.Paper, error) {
	if len(args) > 0 {
		return "", usagef("unexpected argument %q (name orders with --orders ID,ID)", args[0])
	}
	if strings.TrimSpace(*opts.out) == "" {
		return "", usagef("say where to write the PDF: --out FILE.pdf")
	}
	paper, err := documents.ParsePaper(*opts.paper)
	if err != nil {
		return "", usagef("--paper: %s", err)
	}
	return paper, nil
}

// printOrders resolves --orders to orders, in the order given and each once; without it, every order
// not yet packed (of one channel, with --channel), oldest first, as they would be packed.
func printOrders(ctx context.Context, store *data.Store, list, channel string) ([]data.Order, error) {
	channel = strings.TrimSpace(channel)
	ids := splitList(list)
	if len(ids) == 0 {
		orders, err := store.Orders(ctx, data.OrderFilter{Statuses: pickStatuses(), Channel: channel})
		if err != nil {
			return nil, err
		}
		if len(orders) == 0 {
			where := ""
			if channel != "" {
				where = " from " + channel
			}
			return nil, fmt.Errorf("there are no open orders%s: none is new, paid or picking", where)
		}
		for i, j := 0, len(orders)-1; i < j; i, j = i+1, j-1 {
			orders[i], orders[j] = orders[j], orders[i]
		}
		return orders, nil
	}
	var out []data.Order
	seen := map[int64]bool{}
	for _, id := range ids {
		o, err := findOrder(ctx, store, id, channel)
		if err != nil {
			return nil, err
		}
		if !seen[o.ID] {
			seen[o.ID] = true
			out = append(out, o)
		}
	}
	return out, nil
}

// splitList reads "a, b,,c" as [a b c].
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// writeWhole writes a file whole or not at all, so a printer queue never picks up half a PDF.
func writeWhole(path string, b []byte) error {
	tmp := path + ".part"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

type labelsOptions struct {
	skus     *string
	bins     *bool
	location *string
	out      *string
	layout   *string
	copies   *int
	json     *bool
}

// labelsSummary is the JSON shape of "labels --json".
type labelsSummary struct {
	File   string `json:"file"`
	Layout string `json:"layout"`
	Labels int    `json:"labels"`
	Pages  int    `json:"pages"`
}

func labelsCommand() *command {
	var layouts []string
	for _, l := range documents.LabelLayouts() {
		layouts = append(layouts, fmt.Sprintf("  %-12s %s", l.Name, l.Description))
	}
	return &command{
		name: "labels", args: "--skus SKU,SKU... | --bins [--location L]  --out FILE.pdf [--layout NAME] [--copies N] [--json]",
		summary: "print product or bin labels as PDF",
		help: `Writes barcode labels as PDF. With --skus, one label per SKU: the product's EAN-13 when it has a
valid one, else its barcode or the SKU as Code 128, with the name and option. With --bins, one label per
bin in use (of one location with --location), as Code 128 of the bin code, in shelf order.
--copies prints each label N times. Layouts:
` + strings.Join(layouts, "\n") + `

With --json, prints {"file","layout","labels","pages"}.`,
		flags: func(fs *flag.FlagSet) any {
			return &labelsOptions{
				skus:     fs.String("skus", "", "label these `SKUs`, comma-separated"),
				bins:     fs.Bool("bins", false, "label every bin in use"),
				location: fs.String("location", "", "with --bins, only this `location`'s bins"),
				out:      fs.String("out", "", "the PDF `file` to write"),
				layout:   fs.String("layout", documents.LabelLayouts()[0].Name, "label `stock`: a4-3x8, letter-3x10, roll-62x29 or roll-57x32"),
				copies:   fs.Int("copies", 1, "print each label `N` times"),
				json:     fs.Bool("json", false, "print a JSON summary instead of a line"),
			}
		},
		run: runLabels,
	}
}

func runLabels(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*labelsOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q (name SKUs with --skus SKU,SKU)", args[0])
	}
	skus := splitList(*opts.skus)
	switch {
	case len(skus) == 0 && !*opts.bins:
		return usagef("say what to label: --skus SKU,SKU or --bins")
	case len(skus) > 0 && *opts.bins:
		return usagef("--skus and --bins make different labels: use one of them")
	case *opts.location != "" && !*opts.bins:
		return usagef("--location goes with --bins")
	case strings.TrimSpace(*opts.out) == "":
		return usagef("say where to write the PDF: --out FILE.pdf")
	case *opts.copies < 1 || *opts.copies > 1000:
		return usagef("--copies must be between 1 and 1000")
	}
	layout, err := documents.LabelLayoutNamed(*opts.layout)
	if err != nil {
		return usagef("--layout: %s", err)
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	var labels []documents.Label
	if *opts.bins {
		labels, err = documents.BinLabels(ctx, store, *opts.location)
		if err == nil && len(labels) == 0 {
			err = fmt.Errorf("no SKU has a bin yet: give SKUs their bins first")
		}
	} else {
		labels, err = documents.ProductLabels(ctx, store, skus)
	}
	if err != nil {
		return err
	}
	copies := make([]documents.Label, 0, len(labels)**opts.copies)
	for _, l := range labels {
		for range *opts.copies {
			copies = append(copies, l)
		}
	}
	var buf bytes.Buffer
	if err := documents.Labels(&buf, layout, copies); err != nil {
		return err
	}
	if err := writeWhole(*opts.out, buf.Bytes()); err != nil {
		return err
	}
	sum := labelsSummary{File: *opts.out, Layout: layout.Name, Labels: len(copies), Pages: layout.Pages(len(copies))}
	if *opts.json {
		return writeJSON(r.out, sum)
	}
	unit := plural(sum.Pages, "sheet", "sheets")
	if layout.PerPage() == 1 {
		unit = plural(sum.Pages, "page", "pages")
	}
	fmt.Fprintf(r.out, "%s on %s (%s) written to %s\n", plural(sum.Labels, "label", "labels"), unit, layout.Name, sum.File)
	return nil
}
