package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
)

// outboxJSON is one message of "outbox list --json": a contract named when the command was introduced.
// Times are RFC 3339 in UTC, "" when not set.
type outboxJSON struct {
	ID          int64  `json:"id"`
	OrderID     int64  `json:"order_id"`
	Channel     string `json:"channel"`
	OrderRef    string `json:"order_ref"`
	RuleID      int64  `json:"rule_id"`
	Trigger     string `json:"trigger"`
	Route       string `json:"route"`
	To          string `json:"to"`
	ToName      string `json:"to_name"`
	Subject     string `json:"subject"`
	Status      string `json:"status"`
	Attempts    int    `json:"attempts"`
	NextAttempt string `json:"next_attempt"`
	LastError   string `json:"last_error"`
	Created     string `json:"created"`
	Sent        string `json:"sent"`
	SentBy      string `json:"sent_by"`
}

func utcText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func toOutboxJSON(m data.OutboxMessage) outboxJSON {
	return outboxJSON{ID: m.ID, OrderID: m.OrderID, Channel: m.Channel, OrderRef: m.OrderRef, RuleID: m.RuleID,
		Trigger: string(m.Trigger), Route: string(m.Route), To: m.To, ToName: m.ToName, Subject: m.Subject,
		Status: string(m.Status), Attempts: m.Attempts, NextAttempt: utcText(m.NextAttempt), LastError: m.LastError,
		Created: utcText(m.Created), Sent: utcText(m.Sent), SentBy: m.SentBy}
}

type outboxListOptions struct {
	json   *bool
	status *string
	limit  *int
}

func outboxListCommand() *command {
	return &command{
		name: "outbox list", args: "[--json] [--status S[,S]] [--limit N]", summary: "list the customer messages in the outbox",
		help: `Lists the customer messages the rules queued, newest first: queued, sending, failed (will retry), gave_up,
paste (waits to be pasted into a marketplace), sent and done. --status keeps some of them (comma-separated).
With --json, prints an array of {"id","order_id","channel","order_ref","rule_id","trigger","route","to",
"to_name","subject","status","attempts","next_attempt","last_error","created","sent","sent_by"}: times in
RFC 3339 (UTC), "" when not set. Owner only.`,
		flags: func(fs *flag.FlagSet) any {
			return &outboxListOptions{
				json:   fs.Bool("json", false, "print JSON instead of a table"),
				status: fs.String("status", "", "keep only messages in these `statuses`, comma-separated"),
				limit:  fs.Int("limit", 0, "show at most `N` messages; 0 shows all"),
			}
		},
		run: runOutboxList,
	}
}

func outboxStatuses() []data.OutboxStatus {
	return []data.OutboxStatus{data.OutboxQueued, data.OutboxSending, data.OutboxSent, data.OutboxFailed,
		data.OutboxGaveUp, data.OutboxPaste, data.OutboxDone}
}

func parseOutboxStatuses(s string) ([]data.OutboxStatus, error) {
	var out []data.OutboxStatus
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(strings.ToLower(part))
		if part == "" {
			continue
		}
		ok := false
		for _, st := range outboxStatuses() {
			if string(st) == part {
				out, ok = append(out, st), true
			}
		}
		if !ok {
			return nil, usagef("--status: %q is not a status; use queued, sending, failed, gave_up, paste, sent or done", part)
		}
	}
	return out, nil
}

func runOutboxList(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*outboxListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if *opts.limit < 0 {
		return usagef("--limit cannot be negative")
	}
	statuses, err := parseOutboxStatuses(*opts.status)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	list, err := store.Outbox(ctx, data.OutboxFilter{Status: statuses, Limit: *opts.limit})
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, list, func(m data.OutboxMessage) any { return toOutboxJSON(m) })
	}
	if len(list) == 0 {
		fmt.Fprintln(r.out, "The outbox is empty.")
		return nil
	}
	fmt.Fprintf(r.out, "%-6s  %-9s  %-16s  %-28s  %-36s  %-8s  %5s  %-16s\n", "ID", "STATUS", "ORDER", "TO", "SUBJECT", "ROUTE", "TRIES", "NEXT/SENT")
	for _, m := range list {
		when := m.NextAttempt
		if !m.Sent.IsZero() {
			when = m.Sent
		}
		whenText := ""
		if !when.IsZero() && m.Status != data.OutboxPaste && m.Status != data.OutboxGaveUp {
			whenText = when.Local().Format("2006-01-02 15:04")
		}
		to := m.To
		if to == "" {
			to = m.ToName
		}
		fmt.Fprintf(r.out, "%-6d  %-9s  %-16s  %-28s  %-36s  %-8s  %5d  %-16s\n", m.ID, m.Status, cut(m.Channel+" "+m.OrderRef, 16),
			cut(to, 28), cut(m.Subject, 36), m.Route, m.Attempts, whenText)
		if m.LastError != "" && m.Status != data.OutboxSent && m.Status != data.OutboxDone {
			fmt.Fprintf(r.out, "        last error: %s\n", m.LastError)
		}
	}
	return nil
}

// cut shortens s to n characters with an ellipsis, for a table column.
func cut(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

// outboxSendJSON is "outbox send --json".
type outboxSendJSON struct {
	Sent   int    `json:"sent"`
	Failed int    `json:"failed"`
	Error  string `json:"error,omitempty"`
}

type outboxSendOptions struct{ json *bool }

func outboxSendCommand() *command {
	return &command{
		name: "outbox send", args: "[--json]", summary: "send the customer messages due now",
		help: `Sends the queued messages that are due (failed ones after their back-off), through the sending account set
up in the app (Settings › Messages): SMTP, or the mailbox's Drafts folder. The SMTP password comes from
this computer's keychain. Messages to paste into a marketplace are not sent: they wait for a person.
With --json, prints {"sent","failed","error"}; "error" only when sending could not start. Exits 1 when
any message failed or sending could not start. Owner only.`,
		flags: func(fs *flag.FlagSet) any {
			return &outboxSendOptions{json: fs.Bool("json", false, "print JSON instead of a sentence")}
		},
		run: runOutboxSend,
	}
}

func runOutboxSend(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*outboxSendOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	if !store.Can(data.PermManageMail) {
		return &data.Error{Kind: data.ErrPermission, Message: "only an owner sends customer messages"}
	}
	keys := r.keychain()
	sender := &outbox.Sender{Store: store, SMTPPassword: keys.SMTPPassword, MailPassword: keys.Password}
	sent, failed, sendErr := sender.SendDue(ctx)
	if *opts.json {
		out := outboxSendJSON{Sent: sent, Failed: failed}
		if sendErr != nil {
			out.Error = message(sendErr)
		}
		if err := writeJSON(r.out, out); err != nil {
			return err
		}
	} else if sendErr == nil || sent+failed > 0 {
		fmt.Fprintf(r.out, "%d sent, %d failed.\n", sent, failed)
	}
	if sendErr != nil {
		return sendErr
	}
	if failed > 0 {
		return fmt.Errorf("%d messages failed; 'backroom outbox list --status failed' shows why", failed)
	}
	return nil
}
