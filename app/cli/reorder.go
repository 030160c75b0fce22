package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/backroom-app/backroom/data"
)

type reorderOptions struct {
	supplier   *string
	all, draft *bool
	json       *bool
}

// reorderLineJSON is the JSON shape of one SKU of the reorder plan.
type reorderLineJSON struct {
	SKU          string   `json:"sku"`
	Name         string   `json:"name"`
	OnHand       int64    `json:"on_hand"`
	Reserved     int64    `json:"reserved"`
	Sellable     int64    `json:"sellable"`
	OnOrder      int64    `json:"on_order"`
	UnitsSold    int64    `json:"units_sold"`
	InStockDays  int      `json:"in_stock_days"`
	PerDay       float64  `json:"per_day"`
	LeadDays     float64  `json:"lead_days"`
	LeadStdDev   float64  `json:"lead_std_dev"`
	SafetyStock  int64    `json:"safety_stock"`
	ReorderPoint int64    `json:"reorder_point"`
	DaysOfCover  *float64 `json:"days_of_cover"`
	StockOut     *string  `json:"stock_out"`
	NextReceipt  *string  `json:"next_receipt"`
	SupplierID   string   `json:"supplier_id"`
	Supplier     string   `json:"supplier"`
	SupplierSKU  string   `json:"supplier_sku"`
	PackSize     int64    `json:"pack_size"`
	MinOrderQty  int64    `json:"min_order_qty"`
	UnitCost     *int64   `json:"unit_cost,omitempty"` // left out for users who may not see costs
	Currency     string   `json:"currency"`
	NeedsOrder   bool     `json:"needs_order"`
	SuggestQty   int64    `json:"suggest_qty"`
}

func toReorderLineJSON(l data.ReorderLine) reorderLineJSON {
	out := reorderLineJSON{SKU: l.SKU, Name: l.Name, OnHand: l.OnHand, Reserved: l.Reserved, Sellable: l.Sellable, OnOrder: l.OnOrder,
		UnitsSold: l.Velocity.Units, InStockDays: l.Velocity.InStockDays, PerDay: round(l.Velocity.PerDay, 3),
		LeadDays: round(l.LeadDays, 2), LeadStdDev: round(l.LeadStdDev, 2), SafetyStock: l.SafetyStock, ReorderPoint: l.ReorderPoint,
		StockOut: dayJSON(l.StockOutAt), NextReceipt: dayJSON(l.NextReceiptAt), NeedsOrder: l.NeedsOrder, SuggestQty: l.SuggestQty}
	if l.DaysOfCover >= 0 {
		cover := round(l.DaysOfCover, 1)
		out.DaysOfCover = &cover
	}
	if it := l.Supplier; it != nil {
		out.SupplierID, out.Supplier, out.SupplierSKU, out.Currency = it.SupplierID, it.SupplierName, it.SupplierSKU, it.Currency
		out.PackSize, out.MinOrderQty, out.UnitCost = it.PackSize, it.MinOrderQty, it.UnitCost
	}
	return out
}

// suggestionJSON is the JSON shape of one supplier's suggestions in "reorder --json".
type suggestionJSON struct {
	SupplierID    string            `json:"supplier_id"`
	Supplier      string            `json:"supplier"`
	Currency      string            `json:"currency"`
	Total         *int64            `json:"total,omitempty"`
	MinOrderValue *int64            `json:"min_order_value,omitempty"`
	BelowMinimum  bool              `json:"below_minimum"`
	Lines         []reorderLineJSON `json:"lines"`
}

// draftJSON is the JSON shape of "reorder --draft --json".
type draftJSON struct {
	Drafted    []poDetailJSON `json:"drafted"`
	Skipped    []skippedJSON  `json:"skipped"`
	NoSupplier []string       `json:"no_supplier"`
}

// skippedJSON is a suggested SKU left out of the drafts because an order already has it.
type skippedJSON struct {
	SKU      string `json:"sku"`
	Supplier string `json:"supplier"`
	PO       string `json:"po"`
}

const reorderLineHelp = `{"sku","name","on_hand","reserved","sellable","on_order","units_sold",
"in_stock_days","per_day","lead_days","lead_std_dev","safety_stock","reorder_point","days_of_cover",
"stock_out","next_receipt","supplier_id","supplier","supplier_sku","pack_size","min_order_qty",
"unit_cost","currency","needs_order","suggest_qty"}`

func reorderCommand() *command {
	return &command{
		name: "reorder", args: "[--json] [--supplier NAME] [--all] [--draft]",
		summary: "what to order now, per supplier; --draft turns it into draft purchase orders",
		help: `Suggests what to order now, grouped by the supplier each SKU would be ordered from: its first
available supplier in rank order. A SKU needs ordering when what is sellable (on hand less what open
orders hold) plus what is on order is at or below its reorder point: the demand expected during the
supplier's learned lead time plus safety stock for the shop's service level. Demand is the units sold
per day over the planning window, leaving out days the SKU was out of stock. The quantity brings it
up to the reorder point plus the days of cover the shop asks for, rounded up to the supplier's minimum
order quantity and whole packs. The window, service level and cover are settings (velocity_days,
service_level, cover_days). SKUs nobody available supplies come last.

--supplier shows one supplier's suggestions (its name, any case, or id); --all shows the whole plan,
one row per SKU that has a supplier or sells, the ones to order first. --draft writes one draft
purchase order per supplier from the suggestions (of --supplier only, when given), leaving out SKUs
already on a draft or open order, and says what it left out. Send them with 'backroom po send'.

With --json, prints an array of suppliers {"supplier_id","supplier","currency","total",
"min_order_value","below_minimum","lines"}, supplier_id "" for SKUs without an available supplier, each
line ` + reorderLineHelp + `.
With --all --json, an array of those lines. Money is in minor units (pence, cents) and left out for
users who may not see costs; days are YYYY-MM-DD (UTC) or null; days_of_cover is null for a SKU that
does not sell. With --draft --json, {"drafted","skipped","no_supplier"}: drafted the orders as
'po show --json' prints them, skipped a list of {"sku","supplier","po"} naming the order that already
has the SKU, no_supplier the SKUs that need ordering but have no available supplier.`,
		flags: func(fs *flag.FlagSet) any {
			return &reorderOptions{
				supplier: fs.String("supplier", "", "only this supplier: its `name` or id"),
				all:      fs.Bool("all", false, "show the whole plan, every SKU, not only what to order"),
				draft:    fs.Bool("draft", false, "write the suggestions as draft purchase orders"),
				json:     fs.Bool("json", false, "print JSON instead of a table"),
			}
		},
		run: runReorder,
	}
}

func runReorder(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*reorderOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if *opts.all && *opts.draft {
		return usagef("--all shows the plan and --draft writes orders: use one of them")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	var sp *data.Supplier
	if strings.TrimSpace(*opts.supplier) != "" {
		found, err := findSupplier(ctx, store, *opts.supplier)
		if err != nil {
			return err
		}
		sp = &found
	}
	now := store.Now()
	switch {
	case *opts.draft:
		return r.reorderDraft(ctx, store, sp, now, *opts.json)
	case *opts.all:
		return r.reorderPlan(ctx, store, sp, now, *opts.json)
	}
	groups, err := store.ReorderSuggestions(ctx, now)
	if err != nil {
		return err
	}
	if sp != nil {
		var mine []data.SupplierSuggestion
		for _, g := range groups {
			if g.SupplierID == sp.ID {
				mine = append(mine, g)
			}
		}
		groups = mine
	}
	costs := store.Can(data.PermViewCosts)
	if *opts.json {
		l := newJSONList(r.out)
		for _, g := range groups {
			sj := suggestionJSON{SupplierID: g.SupplierID, Supplier: g.SupplierName, Currency: g.Currency, BelowMinimum: g.BelowMinimum,
				Lines: make([]reorderLineJSON, 0, len(g.Lines))}
			if costs {
				total, minOrder := g.Total, g.MinOrderValue
				sj.Total, sj.MinOrderValue = &total, &minOrder
			}
			for _, line := range g.Lines {
				sj.Lines = append(sj.Lines, toReorderLineJSON(line))
			}
			if err := l.add(sj); err != nil {
				return err
			}
		}
		return l.close()
	}
	if err := r.planHeading(ctx, store, "Reorder suggestions", now); err != nil {
		return err
	}
	if len(groups) == 0 {
		if sp != nil {
			fmt.Fprintf(r.out, "Nothing to order from %s now.\n", sp.Name)
		} else {
			fmt.Fprintln(r.out, "Nothing to order now: every SKU that sells has enough in stock or on order.")
		}
		return nil
	}
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(r.out)
		}
		writeSuggestion(r, g, costs, now)
	}
	fmt.Fprintln(r.out, "\n'backroom reorder --draft' turns these into draft purchase orders; '--all' shows the whole plan.")
	return nil
}

// planHeading says what the plan was worked out from.
func (r *runner) planHeading(ctx context.Context, store *data.Store, what string, now time.Time) error {
	ps, err := store.PlanningSettings(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "%s on %s: demand over the last %d days, %s%% service level, %s of cover.\n\n", what,
		now.Local().Format("2 Jan 2006"), ps.VelocityDays, strconv.FormatFloat(ps.ServiceLevel, 'f', -1, 64),
		plural(ps.CoverDays, "day", "days"))
	return nil
}

// writeSuggestion prints one supplier's suggestions: a heading with its total, then a row per SKU.
func writeSuggestion(r *runner, g data.SupplierSuggestion, costs bool, now time.Time) {
	w := r.out
	if g.SupplierID == "" {
		fmt.Fprintf(w, "No available supplier · %s (add a supplier for them, or mark theirs available)\n", plural(len(g.Lines), "SKU", "SKUs"))
	} else {
		fmt.Fprintf(w, "%s · %s", g.SupplierName, plural(len(g.Lines), "SKU", "SKUs"))
		if costs {
			fmt.Fprintf(w, " · %s", data.FormatMoney(g.Total, g.Currency))
			if g.BelowMinimum {
				fmt.Fprintf(w, " (below its %s minimum order)", data.FormatMoney(g.MinOrderValue, g.Currency))
			}
		}
		fmt.Fprintln(w)
	}
	header := []string{"SKU", "NAME", "SELLABLE", "ON ORDER", "SOLD/DAY", "LEAD", "REORDER AT", "RUNS OUT", "ORDER"}
	withCost := costs && g.SupplierID != ""
	if withCost {
		header = append(header, "COST")
	}
	rows := [][]string{header}
	for _, l := range g.Lines {
		row := []string{l.SKU, l.Name, fmt.Sprint(l.Sellable), fmt.Sprint(l.OnOrder), fmt.Sprintf("%.2f", l.Velocity.PerDay),
			fmt.Sprintf("%.1f d", l.LeadDays), fmt.Sprint(l.ReorderPoint), runsOut(l, now), orderText(l)}
		if withCost {
			cost := "–"
			if l.Supplier != nil && l.Supplier.UnitCost != nil {
				cost = data.FormatMoney(*l.Supplier.UnitCost*l.SuggestQty, l.Supplier.Currency)
			}
			row = append(row, cost)
		}
		rows = append(rows, row)
	}
	writeTable(w, rows, 2)
}

// writeTable writes rows (the first is the header) as a table whose first left columns, text, are
// aligned left and whose other columns, figures, are aligned right.
func writeTable(w io.Writer, rows [][]string, left int) error {
	widths := make([]int, left)
	for _, row := range rows {
		for i := 0; i < left && i < len(row); i++ {
			widths[i] = max(widths[i], utf8.RuneCountInString(row[i]))
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			if i < left {
				// Padded to the column's width, a cell has nothing to be aligned right by.
				c += strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			}
			cells[i] = c
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

// runsOut is when a SKU is projected to run out: "out now", a day, or "–" for one that does not sell.
func runsOut(l data.ReorderLine, now time.Time) string {
	switch {
	case l.StockOutAt == nil:
		return "–"
	case !l.StockOutAt.After(now):
		return "out now"
	}
	return dayText(l.StockOutAt)
}

// orderText is the suggested quantity, with the pack it was rounded to: "48 (4×12)".
func orderText(l data.ReorderLine) string {
	if !l.NeedsOrder {
		return "–"
	}
	s := strconv.FormatInt(l.SuggestQty, 10)
	if l.Supplier != nil && l.Supplier.PackSize > 1 {
		s += fmt.Sprintf(" (%d×%d)", l.SuggestQty/l.Supplier.PackSize, l.Supplier.PackSize)
	}
	return s
}

// reorderPlan prints the whole plan, or the SKUs that would be ordered from sp.
func (r *runner) reorderPlan(ctx context.Context, store *data.Store, sp *data.Supplier, now time.Time, asJSON bool) error {
	lines, err := store.ReorderPlan(ctx, now)
	if err != nil {
		return err
	}
	if sp != nil {
		var mine []data.ReorderLine
		for _, l := range lines {
			if l.Supplier != nil && l.Supplier.SupplierID == sp.ID {
				mine = append(mine, l)
			}
		}
		lines = mine
	}
	if asJSON {
		return writeJSONList(r.out, lines, func(line data.ReorderLine) any { return toReorderLineJSON(line) })
	}
	if err := r.planHeading(ctx, store, "Reorder plan", now); err != nil {
		return err
	}
	if len(lines) == 0 {
		fmt.Fprintln(r.out, "Nothing to plan: no active SKU has a supplier or sells.")
		return nil
	}
	rows := [][]string{{"SKU", "NAME", "SUPPLIER", "ON HAND", "SELLABLE", "ON ORDER", "SOLD/DAY", "COVER", "RUNS OUT", "NEXT DELIVERY",
		"REORDER AT", "ORDER"}}
	for _, l := range lines {
		supplier, cover := "–", "–"
		if l.Supplier != nil {
			supplier = l.Supplier.SupplierName
		}
		if l.DaysOfCover >= 0 {
			cover = fmt.Sprintf("%.0f d", l.DaysOfCover)
		}
		rows = append(rows, []string{l.SKU, l.Name, supplier, fmt.Sprint(l.OnHand), fmt.Sprint(l.Sellable), fmt.Sprint(l.OnOrder),
			fmt.Sprintf("%.2f", l.Velocity.PerDay), cover, runsOut(l, now), dayText(l.NextReceiptAt), fmt.Sprint(l.ReorderPoint), orderText(l)})
	}
	return writeTable(r.out, rows, 3)
}

// reorderDraft writes the suggestions as draft orders and says what it wrote and what it left out.
func (r *runner) reorderDraft(ctx context.Context, store *data.Store, sp *data.Supplier, now time.Time, asJSON bool) error {
	// The suggestions are read first only to name what cannot be drafted: the SKUs without a supplier.
	groups, err := store.ReorderSuggestions(ctx, now)
	if err != nil {
		return err
	}
	noSupplier := []string{}
	below := map[string]data.SupplierSuggestion{}
	for _, g := range groups {
		if g.SupplierID == "" && sp == nil {
			for _, l := range g.Lines {
				noSupplier = append(noSupplier, l.SKU)
			}
		}
		if g.BelowMinimum {
			below[g.SupplierID] = g
		}
	}
	var ids []string
	if sp != nil {
		ids = []string{sp.ID}
	}
	pos, skipped, err := store.DraftPOsFromSuggestions(ctx, now, ids)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range groups {
		names[g.SupplierID] = g.SupplierName
	}
	if asJSON {
		out := draftJSON{Drafted: make([]poDetailJSON, 0, len(pos)), Skipped: make([]skippedJSON, 0, len(skipped)), NoSupplier: noSupplier}
		for _, po := range pos {
			out.Drafted = append(out.Drafted, toPODetailJSON(po, nil, now))
		}
		for _, s := range skipped {
			out.Skipped = append(out.Skipped, skippedJSON{SKU: s.SKU, Supplier: names[s.SupplierID], PO: s.PO})
		}
		return writeJSON(r.out, out)
	}
	w := r.out
	if len(pos) == 0 {
		fmt.Fprintln(w, "No purchase order drafted: nothing needs ordering that is not already on order.")
	}
	for _, po := range pos {
		var units int64
		for _, l := range po.Lines {
			units += l.Quantity
		}
		fmt.Fprintf(w, "Drafted %s for %s: %s, %s", po.Number, po.SupplierName, plural(len(po.Lines), "line", "lines"),
			plural(int(units), "unit", "units"))
		if !po.CostsHidden {
			fmt.Fprintf(w, ", %s", data.FormatMoney(po.Total, po.Currency))
		}
		fmt.Fprintln(w, ".")
		if g, ok := below[po.SupplierID]; ok && !po.CostsHidden && po.Total < g.MinOrderValue {
			fmt.Fprintf(w, "  Below %s's minimum order of %s: add to it before sending.\n", po.SupplierName, data.FormatMoney(g.MinOrderValue, g.Currency))
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintln(w, "\nLeft out, already on order:")
		for _, s := range skipped {
			fmt.Fprintf(w, "  %s (suggested from %s) is on %s\n", s.SKU, names[s.SupplierID], s.PO)
		}
	}
	if len(noSupplier) > 0 {
		fmt.Fprintf(w, "\nLeft out, no available supplier: %s. Add a supplier for them, or mark theirs available.\n", strings.Join(noSupplier, ", "))
	}
	if len(pos) > 0 {
		fmt.Fprintln(w, "\nCheck them with 'backroom po show NUMBER' and send them with 'backroom po send NUMBER'.")
	}
	return nil
}
