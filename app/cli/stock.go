package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/data"
)

// stockItem is the JSON shape of one SKU's stock in "stock list --json" and "stock adjust --json".
type stockItem struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	OnHand    int64  `json:"on_hand"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

func stockItemOf(l data.StockLevel) stockItem {
	return stockItem{SKU: l.SKU, Name: l.Name, OnHand: l.OnHand, Reserved: l.Reserved, Available: l.Available}
}

type stockListOptions struct {
	json     *bool
	search   *string
	sort     *string
	desc     *bool
	location *string
	all      *bool
}

func stockListCommand() *command {
	return &command{
		name: "stock list", args: "[--json] [--search TEXT] [--sort sku|name|on_hand|reserved|available] [--desc] [--location NAME] [--all]",
		summary: "list stock: on hand, reserved for open orders, available",
		help: `Lists each SKU's stock: on hand (the sum of its ledger), reserved (units on open orders that have not
shipped) and available (on hand minus reserved; negative means oversold). A kit shows how many whole kits
its parts make. With --location, on hand counts that location only.

With --json, prints an array of {"sku","name","on_hand","reserved","available"}.`,
		flags: func(fs *flag.FlagSet) any {
			return &stockListOptions{
				json:     fs.Bool("json", false, "print JSON instead of a table"),
				search:   fs.String("search", "", "only SKUs whose SKU, name or option contains `text`, or with this barcode"),
				sort:     fs.String("sort", "sku", "order by `column`: sku, name, on_hand, reserved or available"),
				desc:     fs.Bool("desc", false, "largest first"),
				location: fs.String("location", "", "count stock in this location `name` only"),
				all:      fs.Bool("all", false, "include discontinued SKUs"),
			}
		},
		run: runStockList,
	}
}

func runStockList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*stockListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q (to search, use --search)", args[0])
	}
	sort := data.StockSort(strings.ToLower(*opts.sort))
	switch sort {
	case data.SortSKU, data.SortName, data.SortOnHand, data.SortReserved, data.SortAvailable:
	default:
		return usagef("--sort %q is not one of sku, name, on_hand, reserved, available", *opts.sort)
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	f := data.StockFilter{Search: *opts.search, IncludeInactive: *opts.all, Sort: sort, Descending: *opts.desc, Limit: pageSize}
	if *opts.location != "" {
		if f.Location, err = locationID(ctx, store, *opts.location); err != nil {
			return err
		}
	}
	var list *jsonList
	var tw *tabwriter.Writer
	if *opts.json {
		list = newJSONList(r.out)
	} else {
		tw = tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SKU\tNAME\tBIN\tON HAND\tRESERVED\tAVAILABLE")
	}
	for ; ; f.Offset += pageSize {
		page, err := store.StockLevels(ctx, f)
		if err != nil {
			return err
		}
		for _, l := range page {
			if list != nil {
				if err := list.add(stockItemOf(l)); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", l.SKU, l.Name, l.Bin, l.OnHand, l.Reserved, l.Available)
		}
		if len(page) < pageSize {
			break
		}
	}
	if list != nil {
		return list.close()
	}
	return tw.Flush()
}

// locationID finds a location by name (or id), ignoring case.
func locationID(ctx context.Context, store *data.Store, name string) (string, error) {
	locs, err := store.Locations(ctx)
	if err != nil {
		return "", err
	}
	var names []string
	for _, l := range locs {
		if strings.EqualFold(l.Name, strings.TrimSpace(name)) || l.ID == name {
			return l.ID, nil
		}
		names = append(names, l.Name)
	}
	return "", fmt.Errorf("there is no location %q; the locations are %s", name, strings.Join(names, ", "))
}

type stockAdjustOptions struct {
	reason   *string
	location *string
	kind     *string
	json     *bool
}

func stockAdjustCommand() *command {
	return &command{
		name: "stock adjust", args: "SKU DELTA --reason TEXT [--location NAME] [--kind adjustment|count|receipt|return] [--json]",
		summary: "add or take away stock, saying why",
		help: `Records a change of a SKU's stock as a new line in its ledger: DELTA is signed, so -3 takes three away
and +5 (or 5) adds five. The ledger is never rewritten; a mistake is corrected by another adjustment.

--reason is the note kept with the change ("two mugs broke in the post"). --kind says what sort of change
it is: adjustment (damaged, lost, found; the default), count (a stock count's difference), receipt (goods
arrived) or return (a customer sent goods back). Prints the SKU's new stock.`,
		flags: func(fs *flag.FlagSet) any {
			return &stockAdjustOptions{
				reason:   fs.String("reason", "", "why the stock changes, in your words (required)"),
				location: fs.String("location", "", "the location `name` (default: where the SKU is kept, else the default location)"),
				kind:     fs.String("kind", "adjustment", "the `kind` of change: adjustment, count, receipt or return"),
				json:     fs.Bool("json", false, "print the new stock as JSON"),
			}
		},
		run: runStockAdjust,
	}
}

func runStockAdjust(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*stockAdjustOptions)
	if len(args) != 2 {
		return usagef("give a SKU and a signed change, e.g. stock adjust FK-MUG-SAGE -3 --reason \"broken in the post\"")
	}
	sku := args[0]
	delta, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return usagef("the change %q is not a whole number such as -3 or +5", args[1])
	}
	kind := data.Reason(strings.ToLower(*opts.kind))
	switch kind {
	case data.ReasonAdjustment, data.ReasonCount, data.ReasonReceipt, data.ReasonReturn:
	default:
		return usagef("--kind %q is not one of adjustment, count, receipt, return", *opts.kind)
	}
	if strings.TrimSpace(*opts.reason) == "" {
		return usagef("--reason is required: say why the stock of %s changes", sku)
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	a := data.Adjustment{SKU: sku, Delta: delta, Reason: kind, Note: *opts.reason}
	if *opts.location != "" {
		if a.Location, err = locationID(ctx, store, *opts.location); err != nil {
			return err
		}
	} else {
		// Without --location the change lands where the SKU is kept, as its sales do.
		v, err := store.Variant(ctx, sku)
		if err != nil {
			return err
		}
		a.Location = v.LocationID
	}
	m, err := store.AdjustStock(ctx, a)
	if err != nil {
		return err
	}
	level, err := store.StockLevel(ctx, m.SKU)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, stockItemOf(level))
	}
	fmt.Fprintf(r.out, "%s  %s: %+d, now %d on hand, %d available\n", level.SKU, level.Name, delta, level.OnHand, level.Available)
	return nil
}

type stockHistoryOptions struct {
	json  *bool
	limit *int
}

// movement is the JSON shape of one ledger line in "stock history --json".
type movement struct {
	At       string `json:"at"`
	Location string `json:"location"`
	Quantity int64  `json:"quantity"`
	Reason   string `json:"reason"`
	RefType  string `json:"ref_type"`
	RefID    string `json:"ref_id"`
	Note     string `json:"note"`
	User     string `json:"user"`
}

func stockHistoryCommand() *command {
	return &command{
		name: "stock history", args: "SKU [--json] [--limit N]", summary: "show a SKU's stock ledger, newest first",
		help: `Shows the movements that make up a SKU's stock, newest first: receipts, sales, returns, adjustments,
counts and transfers, with who recorded them.

With --json, prints an array of {"at","location","quantity","reason","ref_type","ref_id","note","user"};
"at" is RFC 3339 in UTC.`,
		flags: func(fs *flag.FlagSet) any {
			return &stockHistoryOptions{
				json:  fs.Bool("json", false, "print JSON instead of a table"),
				limit: fs.Int("limit", 50, "show at most `N` movements; 0 shows all"),
			}
		},
		run: runStockHistory,
	}
}

func runStockHistory(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*stockHistoryOptions)
	if len(args) != 1 {
		return usagef("give one SKU")
	}
	if *opts.limit < 0 {
		return usagef("--limit cannot be negative")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	v, err := store.Variant(ctx, args[0])
	if err != nil {
		return err
	}
	ms, err := store.Movements(ctx, v.SKU, *opts.limit, 0)
	if err != nil {
		return err
	}
	if *opts.json {
		list := newJSONList(r.out)
		for _, m := range ms {
			if err := list.add(movement{At: m.At.UTC().Format(time.RFC3339), Location: m.Location, Quantity: m.Quantity,
				Reason: string(m.Reason), RefType: m.RefType, RefID: m.RefID, Note: m.Note, User: m.UserName}); err != nil {
				return err
			}
		}
		return list.close()
	}
	fmt.Fprintf(r.out, "%s  %s\n\n", v.SKU, v.Name())
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tLOCATION\tCHANGE\tREASON\tREFERENCE\tNOTE\tBY")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%+d\t%s\t%s\t%s\t%s\n", m.At.Local().Format("2006-01-02 15:04"), m.Location, m.Quantity,
			m.Reason, reference(m), m.Note, m.UserName)
	}
	return tw.Flush()
}

// reference is what a person needs to see of a movement's reference: the order or purchase order, not
// the id pairing the two halves of a transfer.
func reference(m data.Movement) string {
	switch m.RefType {
	case "order", "purchase_order":
		return m.RefID
	}
	return ""
}
