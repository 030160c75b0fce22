package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// ticketJSON is one ticket of "tickets list --json": a contract named when the command was introduced
// and documented in the README. Times are RFC 3339 in UTC, "" when not set.
type ticketJSON struct {
	ID           int64  `json:"id"`
	OrderID      int64  `json:"order_id"`
	Channel      string `json:"channel"`
	OrderRef     string `json:"order_ref"`
	Status       string `json:"status"`
	Reason       string `json:"reason"`
	Handler      string `json:"handler"`
	Customer     string `json:"customer"`
	Subject      string `json:"subject"`
	Opened       string `json:"opened"`
	Updated      string `json:"updated"`
	LastCustomer string `json:"last_customer"`
	LastReply    string `json:"last_reply"`
	Messages     int    `json:"messages"`
	Unanswered   bool   `json:"unanswered"`
}

func toTicketJSON(k data.Ticket) ticketJSON {
	return ticketJSON{ID: k.ID, OrderID: k.OrderID, Channel: k.Channel, OrderRef: k.OrderRef, Status: string(k.Status),
		Reason: string(k.Reason), Handler: k.Handler, Customer: k.Customer, Subject: k.Subject, Opened: utcText(k.Opened),
		Updated: utcText(k.Updated), LastCustomer: utcText(k.LastCustomer), LastReply: utcText(k.LastReply), Messages: k.Messages,
		Unanswered: k.Unanswered()}
}

type ticketsListOptions struct {
	json   *bool
	status *string
	limit  *int
}

func ticketsListCommand() *command {
	return &command{
		name: "tickets list", args: "[--json] [--status open|waiting|closed] [--limit N]", summary: "list the customers' support tickets",
		help: `Lists the support tickets, the most recently changed first: customers' mail that replied to one of our
messages or named one of our order numbers. open: the customer waits for us; waiting: we answered and wait
for them; closed. --status keeps one or more of them (comma-separated).
With --json, prints an array of {"id","order_id","channel","order_ref","status","reason","handler","customer",
"subject","opened","updated","last_customer","last_reply","messages","unanswered"}: reason is where_is_order,
damaged, wrong_item, return_request, question or other; times in RFC 3339 (UTC), "" when not set; unanswered
is true when the customer wrote last. Owner only.`,
		flags: func(fs *flag.FlagSet) any {
			return &ticketsListOptions{
				json:   fs.Bool("json", false, "print JSON instead of a table"),
				status: fs.String("status", "", "keep only tickets in these `statuses` (open, waiting, closed), comma-separated"),
				limit:  fs.Int("limit", 0, "show at most `N` tickets; 0 shows all"),
			}
		},
		run: runTicketsList,
	}
}

func parseTicketStatuses(s string) ([]data.TicketStatus, error) {
	var out []data.TicketStatus
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(strings.ToLower(part))
		if part == "" {
			continue
		}
		ok := false
		for _, st := range data.TicketStatuses() {
			if string(st) == part {
				out, ok = append(out, st), true
			}
		}
		if !ok {
			return nil, usagef("--status: %q is not a ticket status; use open, waiting or closed", part)
		}
	}
	return out, nil
}

func runTicketsList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*ticketsListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if *opts.limit < 0 {
		return usagef("--limit cannot be negative")
	}
	statuses, err := parseTicketStatuses(*opts.status)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	list, err := store.Tickets(ctx, data.TicketFilter{Status: statuses, Limit: *opts.limit})
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, list, func(k data.Ticket) any { return toTicketJSON(k) })
	}
	if len(list) == 0 {
		fmt.Fprintln(r.out, "No tickets.")
		return nil
	}
	fmt.Fprintf(r.out, "%-5s  %-8s  %-24s  %-14s  %-28s  %-36s  %-12s  %-16s\n", "ID", "STATUS", "ORDER", "REASON", "CUSTOMER", "SUBJECT", "HANDLER", "UPDATED")
	for _, k := range list {
		status := string(k.Status)
		if k.Unanswered() {
			status += "*"
		}
		fmt.Fprintf(r.out, "%-5d  %-8s  %-24s  %-14s  %-28s  %-36s  %-12s  %-16s\n", k.ID, status, cut(k.Channel+" "+k.OrderRef, 24),
			k.Reason, cut(k.Customer, 28), cut(k.Subject, 36), cut(k.Handler, 12), k.Updated.Local().Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(r.out, "* the customer wrote last and waits for an answer")
	return nil
}
