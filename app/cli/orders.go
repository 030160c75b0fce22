package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

// order is the JSON shape of one order in "orders list --json".
type order struct {
	Channel    string      `json:"channel"`
	ExternalID string      `json:"external_id"`
	Status     string      `json:"status"`
	PlacedAt   string      `json:"placed_at"` // RFC 3339 with the offset the channel gave
	Currency   string      `json:"currency"`
	Total      int64       `json:"total"`
	Lines      []orderLine `json:"lines"`
}

// orderLine is one line of an order. SKU is null while the line is unmatched; ChannelSKU is then given
// (possibly empty, when the channel sent only a name), so a script can map it.
type orderLine struct {
	SKU        *string `json:"sku"`
	ChannelSKU *string `json:"channel_sku,omitempty"`
	Name       string  `json:"name"`
	Quantity   int64   `json:"quantity"`
	UnitPrice  int64   `json:"unit_price"`
}

type ordersListOptions struct {
	json     *bool
	status   *string
	channel  *string
	search   *string
	from, to *string
	limit    *int
}

func ordersListCommand() *command {
	return &command{
		name: "orders list", args: "[--json] [--status S[,S...]] [--channel C] [--search TEXT] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N]",
		summary: "list orders, newest first",
		help: `Lists orders from every channel, newest first. --status takes one status or several separated by
commas (new, paid, picking, packed, shipped, delivered, cancelled, returned; "open" means new, paid,
picking and packed). --from and --to are days in this computer's time zone, both included.

With --json, prints an array of {"channel","external_id","status","placed_at","currency","total",
"lines":[{"sku","name","quantity","unit_price"}]}: money in minor units, placed_at in RFC 3339 with the
offset the channel gave. A line whose item matched none of the shop's SKUs has "sku": null and its
"channel_sku". The array streams, so it suits very long lists.`,
		flags: func(fs *flag.FlagSet) any {
			return &ordersListOptions{
				json:    fs.Bool("json", false, "print JSON instead of a table"),
				status:  fs.String("status", "", "only orders in these `statuses`, comma-separated"),
				channel: fs.String("channel", "", "only orders from this `channel`, e.g. etsy"),
				search:  fs.String("search", "", "order id, customer name or email, or SKU `text`"),
				from:    fs.String("from", "", "only orders placed on or after this `day` (YYYY-MM-DD)"),
				to:      fs.String("to", "", "only orders placed on or before this `day` (YYYY-MM-DD)"),
				limit:   fs.Int("limit", 0, "show at most `N` orders; 0 shows all"),
			}
		},
		run: runOrdersList,
	}
}

func runOrdersList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*ordersListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q (to search, use --search)", args[0])
	}
	f := data.OrderFilter{Channel: strings.TrimSpace(*opts.channel), Search: *opts.search}
	var err error
	if f.Statuses, err = parseStatuses(*opts.status); err != nil {
		return err
	}
	if f.From, err = parseDay("--from", *opts.from); err != nil {
		return err
	}
	if f.To, err = parseDay("--to", *opts.to); err != nil {
		return err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the filter's To is exclusive; the flag's day is included
	}
	if *opts.limit < 0 {
		return usagef("--limit cannot be negative")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	var list *jsonList
	if *opts.json {
		list = newJSONList(r.out)
	} else {
		fmt.Fprintf(r.out, "%-16s  %-11s  %-19s  %-9s  %5s  %11s  %s\n", "PLACED", "CHANNEL", "ORDER", "STATUS", "ITEMS", "TOTAL", "CUSTOMER")
	}
	names := map[string]string{} // SKU → name, for lines that came without one
	remaining := *opts.limit
	// Pages follow on from the last order shown (keyset paging) rather than by a growing offset, which
	// would make the store skip and, with several statuses, sort ever more rows for each page. Orders
	// placed in the same millisecond as the last one shown are skipped by count.
	var boundary time.Time
	atBoundary := 0
	for {
		f.Limit = pageSize
		if *opts.limit > 0 {
			f.Limit = min(pageSize, remaining)
		}
		page, err := store.Orders(ctx, f)
		if err != nil {
			return err
		}
		if list != nil {
			if err := writeOrders(ctx, store, list, page, names); err != nil {
				return err
			}
		} else {
			for _, o := range page {
				fmt.Fprintf(r.out, "%-16s  %-11s  %-19s  %-9s  %5d  %11s  %s\n", o.PlacedAt.Local().Format("2006-01-02 15:04"),
					o.Channel, o.ExternalID, o.Status, o.Items, data.FormatMoney(o.Total, o.Currency), o.CustomerName)
			}
		}
		remaining -= len(page)
		if len(page) < f.Limit || (*opts.limit > 0 && remaining <= 0) {
			break
		}
		last := page[len(page)-1].PlacedAt
		same := 0
		for i := len(page) - 1; i >= 0 && page[i].PlacedAt.Equal(last); i-- {
			same++
		}
		if last.Equal(boundary) {
			atBoundary += same
		} else {
			boundary, atBoundary = last, same
		}
		f.To, f.Offset = last.Add(time.Millisecond), atBoundary
	}
	if list != nil {
		return list.close()
	}
	return nil
}

// writeOrders writes one page of orders with their lines, read in one query for the whole page.
func writeOrders(ctx context.Context, store *data.Store, list *jsonList, page []data.Order, names map[string]string) error {
	ids := make([]int64, len(page))
	for i, o := range page {
		ids[i] = o.ID
	}
	lines, err := store.OrderLines(ctx, ids)
	if err != nil {
		return err
	}
	for _, o := range page {
		out := order{Channel: o.Channel, ExternalID: o.ExternalID, Status: string(o.Status), PlacedAt: o.PlacedAt.Format(time.RFC3339),
			Currency: o.Currency, Total: o.Total, Lines: []orderLine{}}
		for _, l := range lines[o.ID] {
			ol := orderLine{Name: l.Name, Quantity: l.Quantity, UnitPrice: l.UnitPrice}
			if l.SKU == "" {
				ol.ChannelSKU = &l.ChannelSKU
			} else {
				ol.SKU = &l.SKU
				if ol.Name == "" {
					if ol.Name, err = variantName(ctx, store, names, l.SKU); err != nil {
						return err
					}
				}
			}
			out.Lines = append(out.Lines, ol)
		}
		if err := list.add(out); err != nil {
			return err
		}
	}
	return nil
}

func variantName(ctx context.Context, store *data.Store, names map[string]string, sku string) (string, error) {
	if n, ok := names[sku]; ok {
		return n, nil
	}
	v, err := store.Variant(ctx, sku)
	if err != nil {
		return "", err
	}
	names[sku] = v.Name()
	return names[sku], nil
}

// parseStatuses reads "paid,packed"; "open" stands for every status that still holds stock back.
func parseStatuses(s string) ([]data.Status, error) {
	var out []data.Status
	for _, part := range strings.Split(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		switch {
		case part == "":
		case part == "open":
			for _, st := range data.Statuses() {
				if st.Open() && !slices.Contains(out, st) {
					out = append(out, st)
				}
			}
		case data.Status(part).Valid():
			if !slices.Contains(out, data.Status(part)) {
				out = append(out, data.Status(part))
			}
		default:
			return nil, usagef("--status %q is not one of open, new, paid, picking, packed, shipped, delivered, cancelled, returned", part)
		}
	}
	return out, nil
}

// parseDay reads a YYYY-MM-DD day as its midnight in this computer's time zone.
func parseDay(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), time.Local)
	if err != nil {
		return time.Time{}, usagef("%s %q is not a day written YYYY-MM-DD", flagName, s)
	}
	return t, nil
}

type ordersStatusOptions struct {
	channel *string
}

func ordersStatusCommand() *command {
	statuses := make([]string, 0, 8)
	for _, s := range data.Statuses() {
		statuses = append(statuses, string(s))
	}
	return &command{
		name: "orders status", args: "ORDER STATUS [--channel C]", summary: "move an order on to a new status",
		help: `Moves an order forward: ORDER is the channel's order id (#1001, 113-1234567-1234567), STATUS one of
` + strings.Join(statuses, ", ") + `. Orders only move forward; cancelled is for orders not yet
shipped, returned for shipped ones. Shipping an order takes its goods off stock. When two channels use
the same order id, say which with --channel.`,
		flags: func(fs *flag.FlagSet) any {
			return &ordersStatusOptions{channel: fs.String("channel", "", "the `channel` the order came from, e.g. shopify")}
		},
		run: runOrdersStatus,
	}
}

func runOrdersStatus(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*ordersStatusOptions)
	if len(args) != 2 {
		return usagef("give an order id and a status, e.g. orders status 1042 packed")
	}
	id, next := strings.TrimSpace(args[0]), data.Status(strings.ToLower(strings.TrimSpace(args[1])))
	if !next.Valid() {
		return usagef("%q is not a status; use one of new, paid, picking, packed, shipped, delivered, cancelled, returned", args[1])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	found, err := findOrder(ctx, store, id, *opts.channel)
	if err != nil {
		return err
	}
	updated, err := store.SetOrderStatus(ctx, found.ID, next)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "%s order %s: %s → %s\n", updated.Channel, updated.ExternalID, found.Status, updated.Status)
	return nil
}

// findOrder finds an order by the id its channel gave it. Shopify's ids start with "#", which people
// often leave out, so both spellings are tried.
func findOrder(ctx context.Context, store *data.Store, id, channel string) (data.Order, error) {
	spellings := []string{id}
	if bare, ok := strings.CutPrefix(id, "#"); ok {
		spellings = append(spellings, bare)
	} else {
		spellings = append(spellings, "#"+id)
	}
	var matches []data.Order
	if channel != "" {
		for _, s := range spellings {
			o, err := store.OrderByKey(ctx, channel, s)
			if err == nil {
				return o, nil
			}
		}
		return data.Order{}, fmt.Errorf("there is no %s order %s", strings.ToLower(channel), id)
	}
	cands, err := store.Orders(ctx, data.OrderFilter{Search: strings.TrimPrefix(id, "#")})
	if err != nil {
		return data.Order{}, err
	}
	for _, o := range cands {
		if slices.Contains(spellings, o.ExternalID) {
			matches = append(matches, o)
		}
	}
	switch len(matches) {
	case 0:
		return data.Order{}, fmt.Errorf("there is no order %s", id)
	case 1:
		return matches[0], nil
	}
	var chans []string
	for _, o := range matches {
		chans = append(chans, o.Channel)
	}
	return data.Order{}, usagef("order %s exists on %s; say which with --channel", id, strings.Join(chans, " and "))
}
