// Command mailsync is the smallest program that syncs a mailbox into a shop: mailbox.Sync and nothing
// else. bench/mail.sh measures it instead of `backroom mail sync` when the backroom binary at hand has
// no mail commands, and it shows what the CLI adds on top of the sync itself. It takes the same
// arguments as the CLI:
//
//	mailsync --db FILE mail sync --host H --port P --user U --security insecure --password-stdin --json
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
)

func main() {
	res, err := run(context.Background(), os.Args[1:])
	out := map[string]any{
		"messages_seen": res.Seen, "orders_created": res.OrdersNew, "orders_updated": res.OrdersUpdated,
		"orders_unchanged": res.OrdersUnchanged, "ignored": res.Ignored, "queued_for_review": res.Queued,
		"duplicates": res.Duplicates, "unmatched": res.Unmatched, "warnings": len(res.Warnings),
	}
	if err != nil {
		out["error"] = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(out)
	if err != nil {
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) (data.MailResult, error) {
	global := flag.NewFlagSet("mailsync", flag.ContinueOnError)
	db := global.String("db", "", "shop database")
	if err := global.Parse(args); err != nil {
		return data.MailResult{}, err
	}
	rest := global.Args()
	if len(rest) < 2 || rest[0] != "mail" || rest[1] != "sync" {
		return data.MailResult{}, errors.New("usage: mailsync --db FILE mail sync --host H --port P --user U --security S --password-stdin --json")
	}
	fs := flag.NewFlagSet("mail sync", flag.ContinueOnError)
	host := fs.String("host", "", "")
	port := fs.Int("port", 0, "")
	user := fs.String("user", "", "")
	security := fs.String("security", "tls", "")
	fs.Bool("password-stdin", true, "always: the password is read from standard input")
	fs.Bool("json", true, "always")
	if err := fs.Parse(rest[2:]); err != nil {
		return data.MailResult{}, err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return data.MailResult{}, fmt.Errorf("read the password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")

	st, err := data.Open(ctx, *db, data.Options{})
	if err != nil {
		return data.MailResult{}, err
	}
	defer st.Close()
	accts, err := st.MailAccounts(ctx)
	if err != nil {
		return data.MailResult{}, err
	}
	var acct data.MailAccount
	if len(accts) > 0 {
		acct = accts[0]
	} else if acct, err = st.SaveMailAccount(ctx, data.MailAccount{Host: *host, Port: *port, Security: data.MailSecurity(*security), User: *user}); err != nil {
		return data.MailResult{}, err
	}
	return mailbox.Sync(ctx, st, acct, mailbox.Options{Password: password})
}
