package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/backroom-app/backroom/data"
)

// ruleJSON is one rule of "rules list --json". min_total is in minor units of the shop's currency, 0 for
// any; channel, sku and country are "" for any.
type ruleJSON struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Trigger    string `json:"trigger"`
	Enabled    bool   `json:"enabled"`
	Channel    string `json:"channel"`
	SKU        string `json:"sku"`
	MinTotal   int64  `json:"min_total"`
	Country    string `json:"country"`
	Action     string `json:"action"`
	TemplateID int64  `json:"template_id"`
}

func toRuleJSON(r data.MessageRule) ruleJSON {
	return ruleJSON{ID: r.ID, Name: r.Name, Trigger: string(r.Trigger), Enabled: r.Enabled, Channel: r.Channel, SKU: r.SKU,
		MinTotal: r.MinTotal, Country: r.Country, Action: string(r.Action), TemplateID: r.TemplateID}
}

// firingJSON is one entry of "rules check --json": a rule that would fire for an order now.
type firingJSON struct {
	RuleID   int64  `json:"rule_id"`
	Rule     string `json:"rule"`
	Action   string `json:"action"`
	Trigger  string `json:"trigger"`
	OrderID  int64  `json:"order_id"`
	Channel  string `json:"channel"`
	OrderRef string `json:"order_ref"`
	At       string `json:"at"`
	Outcome  string `json:"outcome"`
}

type rulesOptions struct{ json *bool }

func rulesListCommand() *command {
	return &command{
		name: "rules list", args: "[--json]", summary: "list the customer message rules",
		help: `Lists the rules that queue customer messages, notify the owner or open exceptions. With --json, prints an
array of {"id","name","trigger","enabled","channel","sku","min_total","country","action","template_id"}:
min_total in minor units of the shop's currency (0 for any); channel, sku and country "" for any. Owner only.`,
		flags: func(fs *flag.FlagSet) any {
			return &rulesOptions{json: fs.Bool("json", false, "print JSON instead of a table")}
		},
		run: runRulesList,
	}
}

func runRulesList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*rulesOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	rules, err := store.MessageRules(ctx)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, rules, func(x data.MessageRule) any { return toRuleJSON(x) })
	}
	if len(rules) == 0 {
		fmt.Fprintln(r.out, "No rules yet. Add them in the app: Settings › Messages › Rules.")
		return nil
	}
	fmt.Fprintf(r.out, "%-5s  %-32s  %-16s  %-9s  %-3s  %s\n", "ID", "NAME", "TRIGGER", "ACTION", "ON", "CONDITIONS")
	for _, x := range rules {
		on := "no"
		if x.Enabled {
			on = "yes"
		}
		fmt.Fprintf(r.out, "%-5d  %-32s  %-16s  %-9s  %-3s  %s\n", x.ID, cut(x.Name, 32), x.Trigger, x.Action, on, conditionsText(x))
	}
	return nil
}

// conditionsText writes a rule's conditions for the table: "channel=etsy country=GB", "any order".
func conditionsText(x data.MessageRule) string {
	s := ""
	add := func(k, v string) {
		if v != "" {
			if s != "" {
				s += " "
			}
			s += k + "=" + v
		}
	}
	add("channel", x.Channel)
	add("sku", x.SKU)
	if x.MinTotal > 0 {
		add("min_total", fmt.Sprint(x.MinTotal))
	}
	add("country", x.Country)
	if s == "" {
		return "any order"
	}
	return s
}

func rulesCheckCommand() *command {
	return &command{
		name: "rules check", args: "[--json]", summary: "show what the rules would do now, without doing it",
		help: `Evaluates the enabled rules now, as the app does, but changes nothing: no message is queued, no
notification or exception opened, and nothing is marked as fired. Prints each rule that would fire and for
which order. With --json, prints an array of {"rule_id","rule","action","trigger","order_id","channel",
"order_ref","at","outcome"}: at is when the trigger happened (RFC 3339, UTC); outcome is queued, notified,
exception or paste. Owner only.`,
		flags: func(fs *flag.FlagSet) any {
			return &rulesOptions{json: fs.Bool("json", false, "print JSON instead of a table")}
		},
		run: runRulesCheck,
	}
}

func runRulesCheck(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*rulesOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	fired, err := store.EvaluateMessageRules(ctx, true)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, fired, func(f data.RuleFiring) any {
			return firingJSON{RuleID: f.Rule.ID, Rule: f.Rule.Name, Action: string(f.Rule.Action), Trigger: string(f.Trigger),
				OrderID: f.OrderID, Channel: f.Channel, OrderRef: f.OrderRef, At: utcText(f.At), Outcome: f.Outcome}
		})
	}
	if len(fired) == 0 {
		fmt.Fprintln(r.out, "Nothing would fire now.")
		return nil
	}
	fmt.Fprintf(r.out, "%-32s  %-16s  %-20s  %-9s  %s\n", "RULE", "TRIGGER", "ORDER", "OUTCOME", "WHEN")
	for _, f := range fired {
		fmt.Fprintf(r.out, "%-32s  %-16s  %-20s  %-9s  %s\n", cut(f.Rule.Name, 32), f.Trigger, cut(f.Channel+" "+f.OrderRef, 20),
			f.Outcome, f.At.Local().Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(r.out, "%d would fire. Nothing was changed.\n", len(fired))
	return nil
}
