package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/app/documents"
	"github.com/backroom-app/backroom/data"
)

// poJSON is the JSON shape of one purchase order in "po list --json".
type poJSON struct {
	Number      string       `json:"number"`
	SupplierID  string       `json:"supplier_id"`
	Supplier    string       `json:"supplier"`
	Status      string       `json:"status"`
	Late        bool         `json:"late"`
	Currency    string       `json:"currency"`
	Location    string       `json:"location"`
	Origin      string       `json:"origin"`
	Notes       string       `json:"notes"`
	CreatedAt   string       `json:"created_at"`
	SentAt      *string      `json:"sent_at"`
	Expected    *string      `json:"expected"`
	ReceivedAt  *string      `json:"received_at"`
	CancelledAt *string      `json:"cancelled_at"`
	Total       *int64       `json:"total,omitempty"` // left out for users who may not see costs
	Lines       []poLineJSON `json:"lines"`
}

// poLineJSON is one line of a poJSON.
type poLineJSON struct {
	LineNo      int    `json:"line_no"`
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	SupplierSKU string `json:"supplier_sku"`
	Quantity    int64  `json:"quantity"`
	Received    int64  `json:"received"`
	Outstanding int64  `json:"outstanding"`
	UnitCost    *int64 `json:"unit_cost,omitempty"` // left out for users who may not see costs
}

// poDetailJSON is the JSON shape of "po show --json", and of the order the other po commands print:
// the list's object plus the deliveries booked against it.
type poDetailJSON struct {
	poJSON
	Receipts []receiptJSON `json:"receipts"`
}

// receiptJSON is one line's share of one delivery.
type receiptJSON struct {
	LineNo   int    `json:"line_no"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	At       string `json:"at"`
	User     string `json:"user"`
}

func toPOJSON(po data.PurchaseOrder, now time.Time) poJSON {
	origin := po.Origin
	if origin == data.POOriginManual {
		origin = "manual"
	}
	out := poJSON{Number: po.Number, SupplierID: po.SupplierID, Supplier: po.SupplierName, Status: string(po.Status), Late: po.Late(now),
		Currency: po.Currency, Location: po.Location, Origin: origin, Notes: po.Notes, CreatedAt: po.CreatedAt.UTC().Format(time.RFC3339),
		SentAt: stampJSON(po.SentAt), Expected: dayJSON(po.ExpectedAt), ReceivedAt: stampJSON(po.ReceivedAt),
		CancelledAt: stampJSON(po.CancelledAt), Lines: make([]poLineJSON, 0, len(po.Lines))}
	if !po.CostsHidden {
		total := po.Total
		out.Total = &total
	}
	for _, l := range po.Lines {
		lj := poLineJSON{LineNo: l.LineNo, SKU: l.SKU, Name: l.Name, SupplierSKU: l.SupplierSKU, Quantity: l.Quantity,
			Received: l.Received, Outstanding: l.Outstanding()}
		if !po.CostsHidden {
			cost := l.UnitCost
			lj.UnitCost = &cost
		}
		out.Lines = append(out.Lines, lj)
	}
	return out
}

func toPODetailJSON(po data.PurchaseOrder, receipts []data.POReceipt, now time.Time) poDetailJSON {
	out := poDetailJSON{poJSON: toPOJSON(po, now), Receipts: make([]receiptJSON, 0, len(receipts))}
	for _, rc := range receipts {
		out.Receipts = append(out.Receipts, receiptJSON{LineNo: rc.LineNo, SKU: rc.SKU, Quantity: rc.Quantity,
			At: rc.At.UTC().Format(time.RFC3339), User: rc.UserName})
	}
	return out
}

const poJSONHelp = `{"number","supplier_id","supplier","status","late","currency","location","origin","notes","created_at",
"sent_at","expected","received_at","cancelled_at","total","lines"}, each line {"line_no","sku","name",
"supplier_sku","quantity","received","outstanding","unit_cost"}. Status is draft, sent, partly_received,
received or cancelled; origin manual, reorder or contingency; times are RFC 3339 (UTC) or null, expected
is a day (YYYY-MM-DD, UTC) or null; money is in minor units (pence, cents) of the order's currency, and
total and unit_cost are left out for users who may not see costs.`

// poRefHelp explains how a purchase order is named on the command line.
const poRefHelp = `PO is the order's number, written PO-00042, po-42 or 42.`

// findPO finds a purchase order by its number: "PO-00042", "po-42" or "42".
func findPO(ctx context.Context, store *data.Store, ref string) (data.PurchaseOrder, error) {
	n, ok := poNumber(ref)
	if !ok {
		return data.PurchaseOrder{}, usagef("%q is not a purchase order number such as PO-00042, po-42 or 42", ref)
	}
	// Orders are numbered as they are written, so the order with id n is almost always PO-n; its number
	// is checked, and the list searched when it is not.
	if po, err := store.PurchaseOrder(ctx, n); err == nil {
		if m, _ := poNumber(po.Number); m == n {
			return po, nil
		}
	} else if !errors.Is(err, data.ErrNotFound) {
		return data.PurchaseOrder{}, err
	}
	for offset := 0; ; offset += pageSize {
		page, err := store.PurchaseOrders(ctx, data.POFilter{Limit: pageSize, Offset: offset})
		if err != nil {
			return data.PurchaseOrder{}, err
		}
		for _, po := range page {
			if m, _ := poNumber(po.Number); m == n {
				return store.PurchaseOrder(ctx, po.ID)
			}
		}
		if len(page) < pageSize {
			break
		}
	}
	return data.PurchaseOrder{}, fmt.Errorf("there is no purchase order PO-%05d", n)
}

// poNumber reads the number in "PO-00042", "po-42", "PO42" or "42".
func poNumber(ref string) (int64, bool) {
	s := strings.ToUpper(strings.TrimSpace(ref))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "PO"), "-")
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// parseUTCDay reads a YYYY-MM-DD flag as a purchasing day: midnight UTC, as the store counts them.
func parseUTCDay(flagName, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
	if err != nil {
		return nil, usagef("%s %q is not a day written YYYY-MM-DD", flagName, s)
	}
	return &t, nil
}

// lineArg is one SKU=QTY[@COST] argument.
type lineArg struct {
	arg, sku string
	qty      int64
	cost     string // as typed, "" for none
}

// parseLineArgs reads SKU=QTY arguments, and SKU=QTY@COST ones when withCost. The costs are read later,
// once the supplier's currency is known.
func parseLineArgs(args []string, withCost bool) ([]lineArg, error) {
	form, example := "SKU=QTY", "MUG=24"
	if withCost {
		form, example = "SKU=QTY or SKU=QTY@COST", "MUG=24@3.10"
	}
	var out []lineArg
	seen := map[string]string{}
	for _, a := range args {
		i := strings.LastIndex(a, "=")
		if i < 0 || strings.TrimSpace(a[:i]) == "" {
			return nil, usagef("%q: write each line as %s, e.g. %s", a, form, example)
		}
		l := lineArg{arg: a, sku: strings.TrimSpace(a[:i])}
		qty, cost, hasCost := strings.Cut(a[i+1:], "@")
		if hasCost && !withCost {
			return nil, usagef("%q: a delivery takes no cost; write %s", a, form)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(qty), 10, 64)
		if err != nil || n < 1 {
			return nil, usagef("%q: the quantity %q is not a whole number of units, 1 or more", a, qty)
		}
		l.qty = n
		if hasCost {
			if l.cost = strings.TrimSpace(cost); l.cost == "" {
				return nil, usagef("%q: say the unit cost after @, e.g. %s=%d@3.10", a, l.sku, n)
			}
		}
		if first, dup := seen[strings.ToLower(l.sku)]; dup {
			return nil, usagef("%q: %s is already given as %q", a, l.sku, first)
		}
		seen[strings.ToLower(l.sku)] = a
		out = append(out, l)
	}
	return out, nil
}

type poListOptions struct {
	status, supplier, sku *string
	limit                 *int
	json                  *bool
}

func poListCommand() *command {
	return &command{
		name: "po list", args: "[--status open|draft|sent|partly-received|received|cancelled|all] [--supplier NAME] [--sku SKU] [--limit N] [--json]",
		summary: "list purchase orders, newest first",
		help: `Lists purchase orders, newest first. --status picks which: open (sent and not yet all arrived: sent
and partly received), draft, sent, partly-received, received, cancelled or all; several go
comma-separated. Without --status, drafts and open orders are listed, the ones still to act on. An open
order past its expected day (UTC) is marked late. --supplier takes a supplier's name (any case) or id;
--sku lists the orders with a line of that SKU.

With --json, prints an array of ` + poJSONHelp,
		flags: func(fs *flag.FlagSet) any {
			return &poListOptions{
				status:   fs.String("status", "draft,open", "which `orders`: open, draft, sent, partly-received, received, cancelled or all, comma-separated"),
				supplier: fs.String("supplier", "", "only this supplier's orders: its `name` or id"),
				sku:      fs.String("sku", "", "only orders with a line of this `SKU`"),
				limit:    fs.Int("limit", 0, "show at most `N` orders; 0 shows all"),
				json:     fs.Bool("json", false, "print JSON instead of a table"),
			}
		},
		run: runPOList,
	}
}

// parsePOStatuses reads --status; nil means every state.
func parsePOStatuses(s string) ([]data.POStatus, error) {
	var out []data.POStatus
	add := func(sts ...data.POStatus) {
		for _, st := range sts {
			dup := false
			for _, o := range out {
				dup = dup || o == st
			}
			if !dup {
				out = append(out, st)
			}
		}
	}
	words := splitList(strings.ToLower(s))
	if len(words) == 0 {
		return nil, usagef("--status is empty: give open, draft, sent, partly-received, received, cancelled or all")
	}
	for _, w := range words {
		switch strings.ReplaceAll(w, "-", "_") {
		case "all":
			return nil, nil
		case "open":
			add(data.POStatusSent, data.POStatusPartlyReceived)
		case "draft", "drafts":
			add(data.POStatusDraft)
		case "sent":
			add(data.POStatusSent)
		case "partly_received", "partly", "partial":
			add(data.POStatusPartlyReceived)
		case "received":
			add(data.POStatusReceived)
		case "cancelled", "canceled":
			add(data.POStatusCancelled)
		default:
			return nil, usagef("--status %q: use open, draft, sent, partly-received, received, cancelled or all", w)
		}
	}
	return out, nil
}

func runPOList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*poListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q (to see one order, use 'backroom po show %s')", args[0], args[0])
	}
	if *opts.limit < 0 {
		return usagef("--limit cannot be negative")
	}
	statuses, err := parsePOStatuses(*opts.status)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	f := data.POFilter{Statuses: statuses, SKU: strings.TrimSpace(*opts.sku), Limit: *opts.limit}
	if strings.TrimSpace(*opts.supplier) != "" {
		sp, err := findSupplier(ctx, store, *opts.supplier)
		if err != nil {
			return err
		}
		f.SupplierID = sp.ID
	}
	pos, err := store.PurchaseOrders(ctx, f)
	if err != nil {
		return err
	}
	now := store.Now()
	if *opts.json {
		return writeJSONList(r.out, pos, func(po data.PurchaseOrder) any { return toPOJSON(po, now) })
	}
	if len(pos) == 0 {
		fmt.Fprintln(r.out, "No purchase orders match. 'backroom po list --status all' lists every one.")
		return nil
	}
	costs := store.Can(data.PermViewCosts)
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	header := "NUMBER\tSUPPLIER\tSTATUS\tCREATED\tEXPECTED\tLINES\tRECEIVED"
	if costs {
		header += "\tTOTAL"
	}
	fmt.Fprintln(tw, header)
	for _, po := range pos {
		var ordered, received int64
		for _, l := range po.Lines {
			ordered += l.Quantity
			received += min(l.Received, l.Quantity)
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%d\t%d of %d", po.Number, po.SupplierName, poStatusText(po, now),
			po.CreatedAt.Local().Format("2 Jan 2006"), dayText(po.ExpectedAt), len(po.Lines), received, ordered)
		if costs {
			row += "\t" + data.FormatMoney(po.Total, po.Currency)
		}
		fmt.Fprintln(tw, row)
	}
	return tw.Flush()
}

// poStatusText is the order's state for people, with how late it is: "Sent, 3 days late".
func poStatusText(po data.PurchaseOrder, now time.Time) string {
	s := po.Status.Label()
	if po.Late(now) {
		s += ", " + plural(daysLate(*po.ExpectedAt, now), "day", "days") + " late"
	}
	return s
}

// daysLate counts the whole UTC days from the expected day to now's, as the store judges lateness.
func daysLate(expected, now time.Time) int {
	e := time.Date(expected.UTC().Year(), expected.UTC().Month(), expected.UTC().Day(), 0, 0, 0, 0, time.UTC)
	n := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return int(n.Sub(e).Hours() / 24)
}

func poShowCommand() *command {
	return &command{
		name: "po show", args: "PO [--json]", summary: "show a purchase order with its lines and deliveries",
		help: `Shows one purchase order: its supplier, state, dates, where it is delivered, every line with what was
ordered and what has arrived, and the deliveries booked against it. ` + poRefHelp + `

With --json, prints ` + poJSONHelp + `
Plus "receipts": the deliveries, oldest first, each {"line_no","sku","quantity","at","user"}.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print JSON instead of text") },
		run:   runPOShow,
	}
}

func runPOShow(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) != 1 {
		return usagef("name one purchase order, e.g. po show PO-00042")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	po, err := findPO(ctx, store, args[0])
	if err != nil {
		return err
	}
	return r.printPO(ctx, store, po, asJSON)
}

// printPO prints an order as "po show" does, as text or JSON.
func (r *runner) printPO(ctx context.Context, store *data.Store, po data.PurchaseOrder, asJSON bool) error {
	receipts, err := store.POReceipts(ctx, po.ID)
	if err != nil {
		return err
	}
	now := store.Now()
	if asJSON {
		return writeJSON(r.out, toPODetailJSON(po, receipts, now))
	}
	w := r.out
	fmt.Fprintf(w, "%s · %s · %s\n", po.Number, po.SupplierName, poStatusText(po, now))
	dates := []string{"created " + po.CreatedAt.Local().Format("2 Jan 2006 15:04")}
	if po.SentAt != nil {
		dates = append(dates, "sent "+po.SentAt.Local().Format("2 Jan 2006 15:04"))
	}
	if po.ExpectedAt != nil {
		dates = append(dates, "expected "+dayText(po.ExpectedAt))
	}
	if po.ReceivedAt != nil {
		dates = append(dates, "received "+po.ReceivedAt.Local().Format("2 Jan 2006 15:04"))
	}
	if po.CancelledAt != nil {
		dates = append(dates, "cancelled "+po.CancelledAt.Local().Format("2 Jan 2006 15:04"))
	}
	fmt.Fprintf(w, "%s\n", capitalize(strings.Join(dates, ", ")))
	fmt.Fprintf(w, "Deliver to: %s\n", po.Location)
	// Drafts written by Backroom say so in their notes; an origin is only named when the notes do not.
	switch {
	case po.Notes != "":
	case po.Origin == data.POOriginReorder:
		fmt.Fprintln(w, "Drafted from the reorder suggestions")
	case po.Origin == data.POOriginContingency:
		fmt.Fprintln(w, "Drafted by a contingency plan")
	}
	if po.Notes != "" {
		fmt.Fprintf(w, "Notes: %s\n", strings.ReplaceAll(po.Notes, "\n", "\n       "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	header := "#\tSKU\tSUPPLIER SKU\tNAME\tORDERED\tRECEIVED\tTO COME"
	if !po.CostsHidden {
		header += "\tUNIT COST\tLINE TOTAL"
	}
	fmt.Fprintln(tw, header)
	for _, l := range po.Lines {
		row := fmt.Sprintf("%d\t%s\t%s\t%s\t%d\t%d\t%d", l.LineNo, l.SKU, dash(l.SupplierSKU), l.Name, l.Quantity, l.Received, l.Outstanding())
		if !po.CostsHidden {
			row += "\t" + data.FormatMoney(l.UnitCost, po.Currency) + "\t" + data.FormatMoney(l.UnitCost*l.Quantity, po.Currency)
		}
		fmt.Fprintln(tw, row)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !po.CostsHidden {
		fmt.Fprintf(w, "Total %s\n", data.FormatMoney(po.Total, po.Currency))
	}
	if len(receipts) > 0 {
		fmt.Fprintln(w, "\nDeliveries:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, rc := range receipts {
			fmt.Fprintf(tw, "  %s\t%s\t%d\tby %s\n", rc.At.Local().Format("2 Jan 2006 15:04"), rc.SKU, rc.Quantity, rc.UserName)
		}
		return tw.Flush()
	}
	return nil
}

type poCreateOptions struct {
	supplier, location, expected, notes *string
	send, json                          *bool
}

func poCreateCommand() *command {
	return &command{
		name: "po create", args: "--supplier NAME [--location L] [--expected YYYY-MM-DD] [--notes TEXT] [--send] [--json] SKU=QTY[@COST] ...",
		summary: "write a purchase order (a draft, or sent with --send)",
		help: `Writes a purchase order to a supplier as a draft, one line per SKU=QTY argument: QTY in our units, and
@COST the unit cost agreed, in the supplier's currency (3.10); without it, the supplier's price for the
SKU, or 0 for a SKU it is not known to sell. --supplier takes the supplier's name (any case) or id;
--location where the goods are to be delivered (default: the default location); --expected the promised
delivery day. With --send the order is also marked sent (see 'backroom po send').

Prints the order as 'backroom po show' does; with --json, as 'po show --json' does.`,
		flags: func(fs *flag.FlagSet) any {
			return &poCreateOptions{
				supplier: fs.String("supplier", "", "the supplier's `name` or id (required)"),
				location: fs.String("location", "", "the location `name` the goods go to (default: the default location)"),
				expected: fs.String("expected", "", "the promised delivery `day`, YYYY-MM-DD"),
				notes:    fs.String("notes", "", "`notes` for the order"),
				send:     fs.Bool("send", false, "mark the order sent at once"),
				json:     fs.Bool("json", false, "print the order as JSON"),
			}
		},
		run: runPOCreate,
	}
}

func runPOCreate(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*poCreateOptions)
	if strings.TrimSpace(*opts.supplier) == "" {
		return usagef("say who the order is for: --supplier NAME")
	}
	if len(args) == 0 {
		return usagef("list what to order as SKU=QTY or SKU=QTY@COST, e.g. MUG=24@3.10")
	}
	lines, err := parseLineArgs(args, true)
	if err != nil {
		return err
	}
	expected, err := parseUTCDay("--expected", *opts.expected)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	if *opts.send && expected != nil && expected.Before(startOfUTCDay(store.Now())) {
		// Checked here, so a refused send does not leave a draft behind.
		return usagef("--expected %s is before today: an order cannot be due before it is sent", *opts.expected)
	}
	sp, err := findSupplier(ctx, store, *opts.supplier)
	if err != nil {
		return err
	}
	np := data.NewPO{SupplierID: sp.ID, LocationID: strings.TrimSpace(*opts.location), Notes: *opts.notes, ExpectedAt: expected}
	for _, l := range lines {
		nl := data.NewPOLine{SKU: l.sku, Quantity: l.qty}
		if l.cost != "" {
			cost, err := data.ParseMoney(l.cost, sp.Currency)
			if err != nil {
				return usagef("%q: the unit cost: %s", l.arg, err)
			}
			if cost < 0 {
				return usagef("%q: the unit cost cannot be negative", l.arg)
			}
			nl.UnitCost = &cost
		}
		np.Lines = append(np.Lines, nl)
	}
	po, err := store.CreatePO(ctx, np)
	if err != nil {
		return err
	}
	if *opts.send {
		sent, err := store.SendPO(ctx, po.ID, expected)
		if err != nil {
			return fmt.Errorf("%s was written as a draft but not sent: %s", po.Number, message(err))
		}
		po = sent
	}
	if !*opts.json {
		what := "Drafted"
		if *opts.send {
			what = "Drafted and sent"
		}
		fmt.Fprintf(r.out, "%s %s for %s.\n\n", what, po.Number, po.SupplierName)
	}
	if err := r.printPO(ctx, store, po, *opts.json); err != nil {
		return err
	}
	if *opts.send {
		r.checkContingencies(ctx, store)
	}
	return nil
}

type poSendOptions struct {
	expected, pdf, xlsx, paper *string
	json                       *bool
}

func poSendCommand() *command {
	return &command{
		name: "po send", args: "PO [--expected YYYY-MM-DD] [--pdf FILE] [--xlsx FILE] [--paper a4|letter] [--json]",
		summary: "mark a draft purchase order sent, and write it as PDF or xlsx",
		help: `Marks a draft purchase order sent to the supplier now: from here its lead time is measured, and it
counts as on order. --expected is the promised delivery day; without it, the day the draft gives, else
the supplier's promised lead time from now. A supplier marked unavailable is sent nothing. ` + poRefHelp + `

--pdf and --xlsx write the order as the supplier receives it, to attach to an e-mail. Contingency plans are
checked afterwards; alerts that fire are printed on stderr, one line each.

Prints the order as 'backroom po show' does; with --json, as 'po show --json' does.`,
		flags: func(fs *flag.FlagSet) any {
			return &poSendOptions{
				expected: fs.String("expected", "", "the promised delivery `day`, YYYY-MM-DD"),
				pdf:      fs.String("pdf", "", "write the order as PDF to this `file`"),
				xlsx:     fs.String("xlsx", "", "write the order as a workbook to this `file`"),
				paper:    fs.String("paper", "a4", "PDF paper `size`: a4 or letter"),
				json:     fs.Bool("json", false, "print the order as JSON"),
			}
		},
		run: runPOSend,
	}
}

func runPOSend(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*poSendOptions)
	if len(args) != 1 {
		return usagef("name one purchase order, e.g. po send PO-00042")
	}
	expected, err := parseUTCDay("--expected", *opts.expected)
	if err != nil {
		return err
	}
	paper, err := documents.ParsePaper(*opts.paper)
	if err != nil {
		return usagef("--paper: %s", err)
	}
	// The order is sent before its files are written (they show when it was sent), so a file that
	// cannot be written is found out first.
	for _, f := range []struct{ flag, path string }{{"--pdf", *opts.pdf}, {"--xlsx", *opts.xlsx}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(filepath.Dir(f.path)); err != nil || !st.IsDir() {
			return usagef("%s %s: there is no folder %s", f.flag, f.path, filepath.Dir(f.path))
		}
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	po, err := findPO(ctx, store, args[0])
	if err != nil {
		return err
	}
	if expected == nil && po.ExpectedAt != nil && !po.ExpectedAt.Before(startOfUTCDay(store.Now())) {
		expected = po.ExpectedAt
	}
	po, err = store.SendPO(ctx, po.ID, expected)
	if err != nil {
		return err
	}
	var written []string
	if *opts.pdf != "" || *opts.xlsx != "" {
		if written, err = writePOFiles(ctx, store, po, paper, *opts.pdf, *opts.xlsx); err != nil {
			r.checkContingencies(ctx, store)
			return fmt.Errorf("%s was sent, but %s", po.Number, message(err))
		}
	}
	if !*opts.json {
		fmt.Fprintf(r.out, "Sent %s to %s, expected %s.\n", po.Number, po.SupplierName, dayText(po.ExpectedAt))
		for _, f := range written {
			fmt.Fprintf(r.out, "Written to %s\n", f)
		}
		fmt.Fprintln(r.out)
	}
	if err := r.printPO(ctx, store, po, *opts.json); err != nil {
		return err
	}
	r.checkContingencies(ctx, store)
	return nil
}

// writePOFiles writes an order as PDF and workbook for its supplier and returns the files written.
func writePOFiles(ctx context.Context, store *data.Store, po data.PurchaseOrder, paper documents.Paper, pdfPath, xlsxPath string) ([]string, error) {
	sp, err := store.Supplier(ctx, po.SupplierID)
	if err != nil {
		return nil, err
	}
	shop, err := documents.Shop(ctx, store, paper)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, f := range []struct {
		path  string
		write func(*bytes.Buffer) error
	}{
		{pdfPath, func(b *bytes.Buffer) error { return documents.PurchaseOrderPDF(b, shop, sp, po) }},
		{xlsxPath, func(b *bytes.Buffer) error { return documents.PurchaseOrderXLSX(b, shop, sp, po) }},
	} {
		if f.path == "" {
			continue
		}
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			return written, err
		}
		if err := writeWhole(f.path, buf.Bytes()); err != nil {
			return written, err
		}
		written = append(written, f.path)
	}
	return written, nil
}

func startOfUTCDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

type poReceiveOptions struct {
	note *string
	json *bool
}

// arrivalJSON is one SKU of a delivery in "po receive --json": what came, the stock on hand after it
// over all locations, and its unit cost after and before (left out for users who may not see costs).
type arrivalJSON struct {
	SKU          string `json:"sku"`
	Name         string `json:"name"`
	Quantity     int64  `json:"quantity"`
	OnHand       int64  `json:"on_hand"`
	Cost         *int64 `json:"cost,omitempty"`
	PreviousCost *int64 `json:"previous_cost,omitempty"`
	Currency     string `json:"currency"`
}

// receiveJSON is the JSON shape of "po receive --json".
type receiveJSON struct {
	PO        poDetailJSON  `json:"po"`
	Arrived   []arrivalJSON `json:"arrived"`
	CostNotes []string      `json:"cost_notes"`
}

func poReceiveCommand() *command {
	return &command{
		name: "po receive", args: "PO [SKU=QTY ...] [--note TEXT] [--json]",
		summary: "book a delivery against a sent purchase order",
		help: `Books a delivery against a sent purchase order: each SKU=QTY says how many of our units of that line
arrived (more than ordered is accepted and counted); without any, everything still to come arrived. The
units go on stock at the order's location as a receipt in the ledger, and each SKU's cost becomes the
moving average of the stock on hand and the delivery at the order's cost. The order becomes partly
received, or received once every line is complete. ` + poRefHelp + `

Prints what arrived, the stock on hand after it, and each cost: changed, or why it was left alone.
Contingency plans are checked afterwards; alerts that fire are printed on stderr, one line each.

With --json, prints {"po","arrived","cost_notes"}: po as 'po show --json' prints it, arrived a list of
{"sku","name","quantity","on_hand","cost","previous_cost","currency"} (costs in minor units, left out
for users who may not see costs), cost_notes the SKUs whose cost was not updated, with why.`,
		flags: func(fs *flag.FlagSet) any {
			return &poReceiveOptions{
				note: fs.String("note", "", "a `note` for the ledger (default: \"Delivery of PO-… from …\")"),
				json: fs.Bool("json", false, "print JSON instead of text"),
			}
		},
		run: runPOReceive,
	}
}

func runPOReceive(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*poReceiveOptions)
	if len(args) == 0 {
		return usagef("name the purchase order, e.g. po receive PO-00042 MUG=24")
	}
	given, err := parseLineArgs(args[1:], false)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	po, err := findPO(ctx, store, args[0])
	if err != nil {
		return err
	}
	var receipts []data.POReceipt
	if len(given) == 0 {
		for _, l := range po.Lines {
			if l.Outstanding() > 0 {
				receipts = append(receipts, data.POReceipt{LineNo: l.LineNo, Quantity: l.Outstanding()})
			}
		}
		if len(receipts) == 0 && po.Status.Open() {
			return fmt.Errorf("nothing of %s is still to come; name what arrived as SKU=QTY to book more than ordered", po.Number)
		}
	}
	for _, g := range given {
		i := poLineIndex(po, g.sku)
		if i < 0 {
			return fmt.Errorf("%q: %s has no line for %s; its lines are %s", g.arg, po.Number, g.sku, poSKUs(po))
		}
		receipts = append(receipts, data.POReceipt{LineNo: po.Lines[i].LineNo, Quantity: g.qty})
	}
	costs := store.Can(data.PermViewCosts)
	lines := map[int]data.POLine{}
	for _, l := range po.Lines {
		lines[l.LineNo] = l
	}
	// Costs are read before and after, to show what the delivery did to them.
	before := map[int]data.Variant{}
	for _, rc := range receipts {
		v, err := store.Variant(ctx, lines[rc.LineNo].SKU)
		if err != nil {
			return err
		}
		before[rc.LineNo] = v
	}
	got, err := store.ReceivePO(ctx, po.ID, receipts, *opts.note)
	if err != nil {
		return err
	}
	arrived := make([]arrivalJSON, 0, len(receipts))
	var units int64
	for _, rc := range receipts {
		was := before[rc.LineNo]
		after, err := store.Variant(ctx, was.SKU)
		if err != nil {
			return err
		}
		onHand, err := skuOnHand(ctx, store, was.SKU)
		if err != nil {
			return err
		}
		a := arrivalJSON{SKU: was.SKU, Name: was.Name(), Quantity: rc.Quantity, OnHand: onHand, Currency: after.Currency}
		if costs {
			a.Cost, a.PreviousCost = after.Cost, was.Cost
		}
		arrived = append(arrived, a)
		units += rc.Quantity
	}
	notes := got.CostNotUpdated
	if notes == nil {
		notes = []string{}
	}
	if *opts.json {
		receiptsNow, err := store.POReceipts(ctx, got.ID)
		if err != nil {
			return err
		}
		if err := writeJSON(r.out, receiveJSON{PO: toPODetailJSON(got, receiptsNow, store.Now()), Arrived: arrived, CostNotes: notes}); err != nil {
			return err
		}
		r.checkContingencies(ctx, store)
		return nil
	}
	var toCome int64
	for _, l := range got.Lines {
		toCome += l.Outstanding()
	}
	state := "it is complete"
	if got.Status != data.POStatusReceived {
		state = plural(int(toCome), "unit is", "units are") + " still to come"
	}
	fmt.Fprintf(r.out, "Received %s against %s from %s at %s; %s.\n\n", plural(int(units), "unit", "units"), got.Number,
		got.SupplierName, got.Location, state)
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	header := "SKU\tNAME\tARRIVED\tON HAND"
	if costs {
		header += "\tUNIT COST"
	}
	fmt.Fprintln(tw, header)
	for _, a := range arrived {
		row := fmt.Sprintf("%s\t%s\t%d\t%d", a.SKU, a.Name, a.Quantity, a.OnHand)
		if costs {
			row += "\t" + costChange(a)
		}
		fmt.Fprintln(tw, row)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(r.out, "Cost not updated: %s.\n", n)
	}
	r.checkContingencies(ctx, store)
	return nil
}

// costChange says what a delivery did to a SKU's cost: "£3.05 (was £3.00)" or "£3.00, unchanged".
func costChange(a arrivalJSON) string {
	switch {
	case a.Cost == nil:
		return "–"
	case a.PreviousCost == nil || *a.PreviousCost == *a.Cost:
		return data.FormatMoney(*a.Cost, a.Currency) + ", unchanged"
	}
	return data.FormatMoney(*a.Cost, a.Currency) + " (was " + data.FormatMoney(*a.PreviousCost, a.Currency) + ")"
}

// poLineIndex finds the line of a SKU on an order, in any case; -1 when there is none.
func poLineIndex(po data.PurchaseOrder, sku string) int {
	for i, l := range po.Lines {
		if strings.EqualFold(l.SKU, strings.TrimSpace(sku)) {
			return i
		}
	}
	return -1
}

// poSKUs lists an order's SKUs for a message: "MUG, TEA and CARD".
func poSKUs(po data.PurchaseOrder) string {
	skus := make([]string, len(po.Lines))
	for i, l := range po.Lines {
		skus[i] = l.SKU
	}
	if len(skus) < 2 {
		return strings.Join(skus, "")
	}
	return strings.Join(skus[:len(skus)-1], ", ") + " and " + skus[len(skus)-1]
}

// skuOnHand is a SKU's stock on hand over all locations.
func skuOnHand(ctx context.Context, store *data.Store, sku string) (int64, error) {
	levels, err := store.StockLevels(ctx, data.StockFilter{Search: sku, IncludeInactive: true})
	if err != nil {
		return 0, err
	}
	for _, l := range levels {
		if strings.EqualFold(l.SKU, sku) {
			return l.OnHand, nil
		}
	}
	return 0, fmt.Errorf("read stock of %s: it is not in the stock list", sku)
}

type poReasonOptions struct {
	reason *string
	json   *bool
}

// poCancelCommand is "po cancel" or, with short true, "po close": both end an order before all of it came.
func poCancelCommand(short bool) *command {
	c := &command{
		name: "po cancel", args: "PO [--reason TEXT] [--json]", summary: "withdraw a purchase order before anything arrived",
		help: `Cancels a draft or sent purchase order of which nothing has arrived: it is no longer on order. Once part
of it has come, close it short with 'backroom po close' instead, so the deliveries stay on it. --reason
is added to the order's notes. ` + poRefHelp + `

Contingency plans are checked afterwards; alerts that fire are printed on stderr, one line each. Prints
the order as 'backroom po show' does; with --json, as 'po show --json' does.`,
	}
	if short {
		c.name, c.summary = "po close", "give up the rest of a partly received purchase order"
		c.help = `Closes a partly received purchase order short: what has not arrived is no longer expected, and the
order counts as received as it is. Its lead time is not learned from, since it was never delivered in
full. An order of which nothing arrived is cancelled with 'backroom po cancel' instead. --reason is added
to the order's notes. ` + poRefHelp + `

Contingency plans are checked afterwards; alerts that fire are printed on stderr, one line each. Prints
the order as 'backroom po show' does; with --json, as 'po show --json' does.`
	}
	c.flags = func(fs *flag.FlagSet) any {
		return &poReasonOptions{
			reason: fs.String("reason", "", "why, for the order's notes"),
			json:   fs.Bool("json", false, "print the order as JSON"),
		}
	}
	c.run = func(ctx context.Context, r *runner, o any, args []string) error {
		opts := o.(*poReasonOptions)
		if len(args) != 1 {
			return usagef("name one purchase order, e.g. %s PO-00042", c.name)
		}
		store, err := r.open(ctx, existing)
		if err != nil {
			return err
		}
		po, err := findPO(ctx, store, args[0])
		if err != nil {
			return err
		}
		what := "Cancelled"
		if short {
			what = "Closed"
			po, err = store.ClosePO(ctx, po.ID, *opts.reason)
		} else {
			po, err = store.CancelPO(ctx, po.ID, *opts.reason)
		}
		if err != nil {
			return err
		}
		if !*opts.json {
			fmt.Fprintf(r.out, "%s %s to %s.\n\n", what, po.Number, po.SupplierName)
		}
		if err := r.printPO(ctx, store, po, *opts.json); err != nil {
			return err
		}
		r.checkContingencies(ctx, store)
		return nil
	}
	return c
}

// checkContingencies evaluates the contingency plans after a change that may set one off (a delivery,
// an import, a supplier marked unavailable) and prints each alert that fired on stderr, one line each,
// after the command's own output. The change has been made by then, so a failure here is reported but
// does not fail the command.
func (r *runner) checkContingencies(ctx context.Context, store *data.Store) {
	alerts, err := store.EvaluateContingencies(ctx, store.Now())
	r.out.Flush()
	if err != nil {
		fmt.Fprintf(r.env.Stderr, "backroom: contingency plans were not checked: %s\n", message(err))
		return
	}
	for _, a := range alerts {
		fmt.Fprintf(r.env.Stderr, "backroom: alert: %s\n", a.Message)
	}
}
