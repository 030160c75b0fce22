package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

type returnsAddOptions struct {
	sku, reason, condition *string
	units                  *int64
	writeOff               *bool
	refund, channel, note  *string
	json                   *bool
}

func returnsAddCommand() *command {
	return &command{
		name: "returns add", args: "ORDER --sku SKU --units N --reason R [--condition C] [--write-off] [--refund AMOUNT] [--note TEXT] [--channel C] [--json]",
		summary: "record goods a customer sent back",
		help: `Records a return from a shipped or delivered order: ORDER is the channel's order id, --sku the line's SKU
(or the channel's SKU of an unmatched line), --units how many units of it came back.
--reason is one of damaged, wrong-item, changed-mind, late, other; --condition one of as-new (the
default), opened, damaged. The units go back on stock where the SKU is kept (a kit's parts each go
back) unless --write-off says they are thrown away: then no stock moves, as the sale already took them
off. --refund is the amount refunded in the order's currency (12.50). More units than shipped on the
line, over all its returns, are refused. Once everything has come back the order becomes returned.
With --json, prints the return as "returns list --json" does.`,
		flags: func(fs *flag.FlagSet) any {
			return &returnsAddOptions{
				sku:       fs.String("sku", "", "the `SKU` of the order line that came back"),
				units:     fs.Int64("units", 0, "how many `units` came back"),
				reason:    fs.String("reason", "", "why: damaged, wrong-item, changed-mind, late or other"),
				condition: fs.String("condition", string(data.ConditionAsNew), "the state they arrived in: as-new, opened or damaged"),
				writeOff:  fs.Bool("write-off", false, "throw the goods away instead of putting them back on stock"),
				refund:    fs.String("refund", "", "the `amount` refunded, in the order's currency"),
				note:      fs.String("note", "", "a `note` on the return"),
				channel:   fs.String("channel", "", "the `channel` the order came from, when two share the order id"),
				json:      fs.Bool("json", false, "print the return as JSON"),
			}
		},
		run: runReturnsAdd,
	}
}

// returnJSON is the JSON shape of one return.
type returnJSON struct {
	ID          int64  `json:"id"`
	Channel     string `json:"channel"`
	ExternalID  string `json:"external_id"`
	LineNo      int    `json:"line_no"`
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Units       int64  `json:"units"`
	Reason      string `json:"reason"`
	Condition   string `json:"condition"`
	Disposition string `json:"disposition"`
	Refund      int64  `json:"refund"`
	Currency    string `json:"currency"`
	Note        string `json:"note"`
	At          string `json:"at"`
	User        string `json:"user"`
}

func toReturnJSON(r data.Return) returnJSON {
	return returnJSON{ID: r.ID, Channel: r.Channel, ExternalID: r.ExternalID, LineNo: r.LineNo, SKU: r.SKU, Name: r.Name, Units: r.Units,
		Reason: string(r.Reason), Condition: string(r.Condition), Disposition: string(r.Disposition), Refund: r.Refund, Currency: r.Currency,
		Note: r.Note, At: r.At.UTC().Format(time.RFC3339), User: r.UserName}
}

func runReturnsAdd(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*returnsAddOptions)
	if len(args) != 1 {
		return usagef("give one order id, e.g. returns add 1042 --sku MUG --units 1 --reason damaged")
	}
	ret := data.Return{SKU: strings.TrimSpace(*opts.sku), Units: *opts.units, Note: *opts.note,
		Reason: data.ReturnReason(strings.ToLower(strings.TrimSpace(*opts.reason))), Condition: data.ReturnCondition(strings.ToLower(strings.TrimSpace(*opts.condition))),
		Disposition: data.Restock}
	switch {
	case ret.SKU == "":
		return usagef("say which line came back: --sku SKU")
	case ret.Units <= 0:
		return usagef("say how many units came back: --units N")
	case !ret.Reason.Valid():
		return usagef("--reason %q is not one of damaged, wrong-item, changed-mind, late, other", *opts.reason)
	case !ret.Condition.Valid():
		return usagef("--condition %q is not one of as-new, opened, damaged", *opts.condition)
	}
	if *opts.writeOff {
		ret.Disposition = data.WriteOff
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	order, err := findOrder(ctx, store, strings.TrimSpace(args[0]), *opts.channel)
	if err != nil {
		return err
	}
	ret.OrderID = order.ID
	if s := strings.TrimSpace(*opts.refund); s != "" {
		if ret.Refund, err = data.ParseMoney(s, order.Currency); err != nil {
			return usagef("--refund %q: %s", s, data.UserMessage(err))
		}
	}
	got, err := store.RecordReturn(ctx, ret)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, toReturnJSON(got))
	}
	what := "written off"
	if got.Disposition == data.Restock {
		what = "back on stock"
		if got.Bin != "" {
			what += " (" + binWord(got.Bin) + " " + got.Bin + ")"
		}
	}
	fmt.Fprintf(r.out, "%s order %s: %d × %s returned, %s, %s", got.Channel, got.ExternalID, got.Units, got.SKU, got.Reason, what)
	if got.Refund > 0 {
		fmt.Fprintf(r.out, "; refund %s", data.FormatMoney(got.Refund, got.Currency))
	}
	fmt.Fprintln(r.out)
	return nil
}

type returnsListOptions struct {
	json  *bool
	limit *int
}

func returnsListCommand() *command {
	return &command{
		name: "returns list", args: "[--json] [--limit N]", summary: "list recorded returns, newest first",
		help: `Lists the returns recorded, newest first. With --json, prints an array of {"id","channel","external_id",
"line_no","sku","name","units","reason","condition","disposition","refund","currency","note","at","user"}:
refund in minor units of the currency, at in RFC 3339 (UTC).`,
		flags: func(fs *flag.FlagSet) any {
			return &returnsListOptions{
				json:  fs.Bool("json", false, "print JSON instead of a table"),
				limit: fs.Int("limit", 0, "show at most `N` returns; 0 shows all"),
			}
		},
		run: runReturnsList,
	}
}

func runReturnsList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*returnsListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if *opts.limit < 0 {
		return usagef("--limit cannot be negative")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	list, err := store.Returns(ctx, data.ReturnFilter{Limit: *opts.limit})
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, list, func(ret data.Return) any { return toReturnJSON(ret) })
	}
	fmt.Fprintf(r.out, "%-16s  %-11s  %-19s  %-14s  %5s  %-12s  %-8s  %-9s  %10s\n", "RECORDED", "CHANNEL", "ORDER", "SKU", "UNITS", "REASON", "ARRIVED", "WENT", "REFUND")
	for _, ret := range list {
		refund := ""
		if ret.Refund > 0 {
			refund = data.FormatMoney(ret.Refund, ret.Currency)
		}
		fmt.Fprintf(r.out, "%-16s  %-11s  %-19s  %-14s  %5d  %-12s  %-8s  %-9s  %10s\n", ret.At.Local().Format("2006-01-02 15:04"), ret.Channel,
			ret.ExternalID, ret.SKU, ret.Units, ret.Reason, ret.Condition, ret.Disposition, refund)
	}
	return nil
}

// binWord is "bin", or "bins" for a kit whose parts are kept in several.
func binWord(bins string) string {
	if strings.Contains(bins, ",") {
		return "bins"
	}
	return "bin"
}
