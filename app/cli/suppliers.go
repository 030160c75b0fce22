package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/data"
)

// supplierJSON is the JSON shape of one supplier in "suppliers list --json" and "suppliers add --json".
type supplierJSON struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	Contact          string  `json:"contact"`
	Email            string  `json:"email"`
	Phone            string  `json:"phone"`
	Currency         string  `json:"currency"`
	LeadTimeDays     int     `json:"lead_time_days"`
	MinOrderValue    int64   `json:"min_order_value"`
	Notes            string  `json:"notes"`
	Available        bool    `json:"available"`
	UnavailableSince *string `json:"unavailable_since"`
	UnavailableNote  string  `json:"unavailable_note"`
	Items            int     `json:"items"`
}

func toSupplierJSON(sp data.Supplier) supplierJSON {
	return supplierJSON{ID: sp.ID, Name: sp.Name, Contact: sp.Contact, Email: sp.Email, Phone: sp.Phone, Currency: sp.Currency,
		LeadTimeDays: sp.LeadTimeDays, MinOrderValue: sp.MinOrderValue, Notes: sp.Notes, Available: sp.Available(),
		UnavailableSince: stampJSON(sp.UnavailableSince), UnavailableNote: sp.UnavailableNote, Items: sp.Items}
}

// stampJSON is a moment as JSON writes it: RFC 3339 in UTC, or null.
func stampJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// dayJSON is a day as JSON writes it: YYYY-MM-DD, or null. Purchasing counts days in UTC (an order
// expected on the 10th is late from the 11th, UTC), so the day is the UTC one.
func dayJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format("2006-01-02")
	return &s
}

// dayText is a purchasing day for a table: "3 Dec 2026", or "–".
func dayText(t *time.Time) string {
	if t == nil {
		return "–"
	}
	return t.UTC().Format("2 Jan 2006")
}

// round rounds x to n decimals, so JSON carries 4.286 rather than 4.285714285714286.
func round(x float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(x*p) / p
}

func suppliersListCommand() *command {
	return &command{
		name: "suppliers list", args: "[--json]", summary: "list suppliers with their terms",
		help: `Lists the suppliers by name: currency, promised lead time, minimum order, how many SKUs each
offers, and whether it is marked unavailable.

With --json, prints an array of {"id","name","contact","email","phone","currency","lead_time_days",
"min_order_value","notes","available","unavailable_since","unavailable_note","items"}:
min_order_value in minor units (pence, cents) of the supplier's currency, unavailable_since RFC 3339
(UTC) or null.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print JSON instead of a table") },
		run:   runSuppliersList,
	}
}

func runSuppliersList(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	sps, err := store.Suppliers(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSONList(r.out, sps, func(sp data.Supplier) any { return toSupplierJSON(sp) })
	}
	if len(sps) == 0 {
		fmt.Fprintln(r.out, "No suppliers yet. Add one with 'backroom suppliers add --name NAME --currency GBP'.")
		return nil
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUPPLIER\tCURRENCY\tLEAD TIME\tMIN ORDER\tSKUS\tEMAIL\tSTATUS")
	for _, sp := range sps {
		minOrder := "–"
		if sp.MinOrderValue > 0 {
			minOrder = data.FormatMoney(sp.MinOrderValue, sp.Currency)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", sp.Name, sp.Currency, plural(sp.LeadTimeDays, "day", "days"), minOrder, sp.Items,
			dash(sp.Email), availability(sp))
	}
	return tw.Flush()
}

// availability is a supplier's state for a table: "available", or since when and why it is not.
func availability(sp data.Supplier) string {
	if sp.Available() {
		return "available"
	}
	s := "unavailable since " + sp.UnavailableSince.Local().Format("2 Jan 2006")
	if sp.UnavailableNote != "" {
		s += ": " + sp.UnavailableNote
	}
	return s
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

type suppliersAddOptions struct {
	name, currency, email, contact, phone, minOrder, notes *string
	leadDays                                               *int
	json                                                   *bool
}

func suppliersAddCommand() *command {
	return &command{
		name: "suppliers add", args: "--name NAME --currency CODE [--email E] [--contact NAME] [--phone P] [--lead-days N] [--min-order AMOUNT] [--notes TEXT] [--json]",
		summary: "add a supplier",
		help: `Adds a supplier. --currency is the one it invoices in (its prices and purchase orders are in it);
--lead-days the delivery time it promises, in days from sending an order (Backroom learns the real one
from deliveries); --min-order the smallest order it accepts, as an amount in its currency (150.00).
Supplier names are unique, whatever their case.

Prints the supplier; with --json, the object "suppliers list --json" prints.`,
		flags: func(fs *flag.FlagSet) any {
			return &suppliersAddOptions{
				name:     fs.String("name", "", "the supplier's `name` (required)"),
				currency: fs.String("currency", "", "ISO `code` of the currency it invoices in, e.g. GBP (required)"),
				email:    fs.String("email", "", "where purchase orders go: an e-mail `address`"),
				contact:  fs.String("contact", "", "the `person` to deal with"),
				phone:    fs.String("phone", "", "a phone `number`"),
				leadDays: fs.Int("lead-days", 0, "promised lead time in `days`"),
				minOrder: fs.String("min-order", "", "the smallest order it accepts, an `amount` in its currency"),
				notes:    fs.String("notes", "", "`notes` on the supplier"),
				json:     fs.Bool("json", false, "print the supplier as JSON"),
			}
		},
		run: runSuppliersAdd,
	}
}

func runSuppliersAdd(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*suppliersAddOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q (a name with spaces goes in quotes: --name \"Fern Ceramics\")", args[0])
	}
	sp := data.Supplier{Name: strings.TrimSpace(*opts.name), Currency: strings.ToUpper(strings.TrimSpace(*opts.currency)),
		Email: strings.TrimSpace(*opts.email), Contact: strings.TrimSpace(*opts.contact), Phone: strings.TrimSpace(*opts.phone),
		LeadTimeDays: *opts.leadDays, Notes: strings.TrimSpace(*opts.notes)}
	switch {
	case sp.Name == "":
		return usagef("--name is required")
	case sp.Currency == "":
		return usagef("--currency is required: the currency the supplier invoices in, e.g. GBP")
	case !data.ValidCurrency(sp.Currency):
		return usagef("--currency %q is not a three-letter ISO code such as GBP, EUR or USD", *opts.currency)
	case sp.LeadTimeDays < 0:
		return usagef("--lead-days cannot be negative")
	}
	if s := strings.TrimSpace(*opts.minOrder); s != "" {
		v, err := data.ParseMoney(s, sp.Currency)
		if err != nil {
			return usagef("--min-order: %s", err)
		}
		if v < 0 {
			return usagef("--min-order cannot be negative")
		}
		sp.MinOrderValue = v
	}
	// A shop may record its suppliers before anything else, so the database may be new.
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	got, err := store.AddSupplier(ctx, sp)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, toSupplierJSON(got))
	}
	fmt.Fprintf(r.out, "Added supplier %s (%s, %s lead time", got.Name, got.Currency, plural(got.LeadTimeDays, "day", "days"))
	if got.MinOrderValue > 0 {
		fmt.Fprintf(r.out, ", minimum order %s", data.FormatMoney(got.MinOrderValue, got.Currency))
	}
	fmt.Fprintln(r.out, ")")
	return nil
}

type suppliersAvailabilityOptions struct {
	note *string
}

// suppliersAvailabilityCommand is "suppliers available" or, with available false, "suppliers unavailable".
func suppliersAvailabilityCommand(available bool) *command {
	c := &command{
		name: "suppliers available", args: "NAME", summary: "mark a supplier able to supply again",
		help: `Marks a supplier able to supply again, ending what its being unavailable set off. NAME is the
supplier's name (any case) or id. Contingency plans are checked afterwards; alerts that fire are printed on
stderr, one line each.`,
		flags: func(*flag.FlagSet) any { return &suppliersAvailabilityOptions{} },
		run: func(ctx context.Context, r *runner, o any, args []string) error {
			return runSuppliersAvailability(ctx, r, o.(*suppliersAvailabilityOptions), args, available)
		},
	}
	if !available {
		c.name, c.args, c.summary = "suppliers unavailable", "NAME [--note TEXT]", "mark a supplier unable to supply (closed, cut off)"
		c.help = `Marks a supplier unable to supply from now: it is sent no purchase orders, reorder suggestions
move its SKUs to the next ranked supplier, and contingency plans watching for it fire. NAME is the
supplier's name (any case) or id; --note says why ("closed until 6 January"). Contingency plans are
checked afterwards; alerts that fire are printed on stderr, one line each.`
		c.flags = func(fs *flag.FlagSet) any {
			return &suppliersAvailabilityOptions{note: fs.String("note", "", "why it cannot supply, and until when")}
		}
	}
	return c
}

func runSuppliersAvailability(ctx context.Context, r *runner, opts *suppliersAvailabilityOptions, args []string, available bool) error {
	if len(args) != 1 {
		return usagef("name one supplier (a name with spaces goes in quotes)")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	sp, err := findSupplier(ctx, store, args[0])
	if err != nil {
		return err
	}
	note := ""
	if opts.note != nil {
		note = *opts.note
	}
	if err := store.SetSupplierAvailable(ctx, sp.ID, available, note); err != nil {
		return err
	}
	if available {
		fmt.Fprintf(r.out, "%s is available again.\n", sp.Name)
	} else {
		fmt.Fprintf(r.out, "%s is marked unavailable.\n", sp.Name)
	}
	r.checkContingencies(ctx, store)
	return nil
}

// performanceJSON is the JSON shape of one supplier in "suppliers performance --json".
type performanceJSON struct {
	SupplierID       string         `json:"supplier_id"`
	Name             string         `json:"name"`
	Available        bool           `json:"available"`
	PromisedDays     int            `json:"promised_days"`
	LearnedDays      float64        `json:"learned_days"`
	LeadStdDev       float64        `json:"lead_std_dev"`
	Measured         int            `json:"measured"`
	OnTimePercent    *float64       `json:"on_time_percent"`
	AverageDelayDays float64        `json:"average_delay_days"`
	OpenPOs          int            `json:"open_pos"`
	LatePOs          int            `json:"late_pos"`
	ClosedShort      int            `json:"closed_short"`
	Trend            *string        `json:"trend"`
	Recent           []leadTimeJSON `json:"recent"`
}

// leadTimeJSON is one measured purchase order in performanceJSON.
type leadTimeJSON struct {
	Number     string  `json:"number"`
	SentAt     string  `json:"sent_at"`
	Expected   string  `json:"expected"`
	ReceivedAt string  `json:"received_at"`
	Days       float64 `json:"days"`
	LateDays   float64 `json:"late_days"`
}

func toPerformanceJSON(p data.SupplierPerformance) performanceJSON {
	out := performanceJSON{SupplierID: p.SupplierID, Name: p.Name, Available: p.Available, PromisedDays: p.PromisedDays,
		LearnedDays: round(p.LearnedDays, 2), LeadStdDev: round(p.LeadStdDev, 2), Measured: p.Received,
		AverageDelayDays: round(p.AverageDelayDays, 2), OpenPOs: p.OpenPOs, LatePOs: p.LatePOs, ClosedShort: p.ClosedShort,
		Recent: make([]leadTimeJSON, 0, len(p.Recent))}
	if p.OnTimeRate >= 0 {
		pct := round(p.OnTimeRate*100, 1)
		out.OnTimePercent = &pct
	}
	if p.Trend != "" {
		trend := p.Trend
		out.Trend = &trend
	}
	for _, l := range p.Recent {
		out.Recent = append(out.Recent, leadTimeJSON{Number: l.Number, SentAt: l.SentAt.UTC().Format(time.RFC3339),
			Expected: l.ExpectedAt.UTC().Format("2006-01-02"), ReceivedAt: l.ReceivedAt.UTC().Format(time.RFC3339),
			Days: round(l.Days, 2), LateDays: l.LateDays})
	}
	return out
}

func suppliersPerformanceCommand() *command {
	return &command{
		name: "suppliers performance", args: "[--json]", summary: "promised vs real lead times, on-time rate and delays per supplier",
		help: `Shows how each supplier keeps its promises, learned from its purchase orders: the lead time it
promised beside the one measured (mean days from sending an order to the delivery that completed it)
and its spread (standard deviation), the share of orders complete by the end of their expected day (UTC),
the average days late, the orders still open and how many of those are past their expected day, and
the trend of its last 10 measured orders (worse, steady or better; blank under 4). Orders closed short
are counted apart and not measured.

With --json, prints an array of {"supplier_id","name","available","promised_days","learned_days",
"lead_std_dev","measured","on_time_percent","average_delay_days","open_pos","late_pos","closed_short",
"trend","recent"}: on_time_percent and trend are null until something was measured (trend under 4
orders); recent lists the last measured orders, oldest first, as {"number","sent_at","expected",
"received_at","days","late_days"} with times in RFC 3339 (UTC) and expected as YYYY-MM-DD.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print JSON instead of a table") },
		run:   runSuppliersPerformance,
	}
}

func runSuppliersPerformance(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	perf, err := store.SupplierPerformance(ctx, store.Now())
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSONList(r.out, perf, func(p data.SupplierPerformance) any { return toPerformanceJSON(p) })
	}
	if len(perf) == 0 {
		fmt.Fprintln(r.out, "No suppliers yet. Add one with 'backroom suppliers add --name NAME --currency GBP'.")
		return nil
	}
	rows := [][]string{{"SUPPLIER", "PROMISED", "LEARNED", "SPREAD", "ON TIME", "AVG DELAY", "MEASURED", "OPEN", "LATE", "TREND"}}
	for _, p := range perf {
		learned, spread, onTime, delay := "–", "–", "–", "–"
		if p.Received > 0 {
			learned = fmt.Sprintf("%.1f d", p.LearnedDays)
			onTime = fmt.Sprintf("%.0f%%", p.OnTimeRate*100)
			delay = fmt.Sprintf("%.1f d", p.AverageDelayDays)
		}
		if p.Received > 1 {
			spread = fmt.Sprintf("±%.1f d", p.LeadStdDev)
		}
		name := p.Name
		if !p.Available {
			name += " (unavailable)"
		}
		rows = append(rows, []string{name, fmt.Sprintf("%d d", p.PromisedDays), learned, spread, onTime, delay, fmt.Sprint(p.Received),
			fmt.Sprint(p.OpenPOs), fmt.Sprint(p.LatePOs), dash(p.Trend)})
	}
	if err := writeTable(r.out, rows, 1); err != nil {
		return err
	}
	short := 0
	for _, p := range perf {
		short += p.ClosedShort
	}
	fmt.Fprintln(r.out, "\nLearned lead times run from sending an order to the delivery that completed it; on time means complete")
	fmt.Fprintln(r.out, "by the end of the expected day (UTC). Late counts open orders past their expected day.")
	if short > 0 {
		fmt.Fprintf(r.out, "%s closed short with goods missing: not measured.\n", plural(short, "order was", "orders were"))
	}
	return nil
}

// findSupplier finds a supplier by id, by name in any case, or by the start of its name when only one
// name starts so. Anything else is an error that names the suppliers it might have meant.
func findSupplier(ctx context.Context, store *data.Store, name string) (data.Supplier, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return data.Supplier{}, usagef("say which supplier: its name or id")
	}
	sps, err := store.Suppliers(ctx)
	if err != nil {
		return data.Supplier{}, err
	}
	var exact, prefix []data.Supplier
	lower := strings.ToLower(name)
	for _, sp := range sps {
		switch {
		case sp.ID == name:
			return sp, nil
		case strings.EqualFold(sp.Name, name):
			exact = append(exact, sp)
		case strings.HasPrefix(strings.ToLower(sp.Name), lower):
			prefix = append(prefix, sp)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(exact) > 1:
		return data.Supplier{}, usagef("%q could be %s: say which by id (see 'backroom suppliers list --json')", name, supplierNames(exact, "or"))
	case len(prefix) == 1:
		return prefix[0], nil
	case len(prefix) > 1:
		return data.Supplier{}, usagef("%q could be %s: say which", name, supplierNames(prefix, "or"))
	case len(sps) == 0:
		return data.Supplier{}, errors.New("there are no suppliers yet; add one with 'backroom suppliers add'")
	}
	var close []data.Supplier
	for _, sp := range sps {
		n := strings.ToLower(sp.Name)
		if strings.Contains(n, lower) || strings.Contains(lower, n) || editDistance(n, lower) <= 1+len([]rune(lower))/4 {
			close = append(close, sp)
		}
	}
	if len(close) > 0 {
		return data.Supplier{}, fmt.Errorf("there is no supplier %q; did you mean %s?", name, supplierNames(close, "or"))
	}
	return data.Supplier{}, fmt.Errorf("there is no supplier %q; the suppliers are %s", name, supplierNames(sps, "and"))
}

// supplierNames lists names for a message: "Fern Ceramics, Leaf & Co or Tin Works".
func supplierNames(sps []data.Supplier, conj string) string {
	names := make([]string, len(sps))
	for i, sp := range sps {
		names[i] = sp.Name
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + conj + " " + names[len(names)-1]
}

// editDistance is the Levenshtein distance between a and b, in runes: how many typos apart they are.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
