package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/data"
)

type accountsLogOptions struct {
	limit *int
	json  *bool
}

func accountsLogCommand() *command {
	return &command{
		name: "accounts log", args: "[--limit N] [--json]",
		summary: "list the accountant exports made, newest first (owner, accountant)",
		help: `Lists every accountant export ('backroom export accounts' and the Exports screen), newest first: the
period and its time zone, the file, who made it and when, its rows and the SHA-256 of the file, so
the file the accountant has can be checked against the log ('sha256sum FILE.xlsx'), and whether the
period was locked with it.

With --json, prints an array of {"id","period":{"from","to","zone"},"format","file","sha256","rows":
{"sales","refunds","costs","stock","purchases"},"orders","totals":[...],"user","at","locked"}, totals
as 'export accounts --json' writes them.`,
		flags: func(fs *flag.FlagSet) any {
			return &accountsLogOptions{
				limit: fs.Int("limit", 0, "show at most `N` exports; 0 shows all"),
				json:  fs.Bool("json", false, "print JSON instead of a table"),
			}
		},
		run: runAccountsLog,
	}
}

// accountsLogJSON is the JSON shape of one "accounts log --json" entry.
type accountsLogJSON struct {
	ID     int64               `json:"id"`
	Period accountsPeriodJSON  `json:"period"`
	Format string              `json:"format"`
	File   string              `json:"file"`
	SHA256 string              `json:"sha256"`
	Rows   accountsRowsJSON    `json:"rows"`
	Orders int                 `json:"orders"`
	Totals []accountsTotalJSON `json:"totals"`
	User   string              `json:"user"`
	At     string              `json:"at"`
	Locked bool                `json:"locked"`
}

func runAccountsLog(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*accountsLogOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	if *opts.limit < 0 {
		return usagef("--limit %d: give a number of exports, or 0 for all", *opts.limit)
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	list, err := store.AccountsExports(ctx, *opts.limit)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, list, func(e data.AccountsExport) any {
			return accountsLogJSON{ID: e.ID, Period: toPeriodJSON(e.Period), Format: e.Format, File: e.File, SHA256: e.SHA256,
				Rows: toRowsJSON(e.Rows), Orders: e.Orders, Totals: toTotalsJSON(e.Totals.Channels), User: e.User,
				At: e.At.UTC().Format(time.RFC3339), Locked: e.Locked}
		})
	}
	if len(list) == 0 {
		fmt.Fprintln(r.out, "No accountant exports yet: 'backroom export accounts' makes one.")
		return nil
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPERIOD\tZONE\tFORMAT\tFILE\tWHEN\tWHO\tORDERS\tSALES ROWS\tSHA-256\tLOCKED")
	for _, e := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", e.ID, e.Period, periodZone(e.Period), e.Format, e.File,
			e.At.In(time.Local).Format("2006-01-02 15:04"), e.User, e.Orders, e.Rows.Sales, shortSHA(e.SHA256), yesNo(e.Locked))
	}
	return tw.Flush()
}

type accountsListOptions struct{ json *bool }

func accountsLocksCommand() *command {
	return &command{
		name: "accounts locks", args: "[--json]",
		summary: "list the locked periods (owner, accountant)",
		help: `Lists the periods locked after their export, latest first. While a period is locked, an import or an
order e-mail that would add an order placed in it, or change one's figures (lines, amounts, currency,
placing time, cancelled or not), is held for the owner instead of applied: see 'backroom accounts held'.
Status changes, tracking and addresses still apply.

With --json, prints an array of {"id","period":{"from","to","zone"},"export_id","user","at"}; export_id
is null for a period locked without an export.`,
		flags: func(fs *flag.FlagSet) any {
			return &accountsListOptions{json: fs.Bool("json", false, "print JSON instead of a table")}
		},
		run: runAccountsLocks,
	}
}

// periodLockJSON is the JSON shape of one period lock.
type periodLockJSON struct {
	ID       int64              `json:"id"`
	Period   accountsPeriodJSON `json:"period"`
	ExportID *int64             `json:"export_id"`
	User     string             `json:"user"`
	At       string             `json:"at"`
}

func toLockJSON(l data.PeriodLock) periodLockJSON {
	out := periodLockJSON{ID: l.ID, Period: toPeriodJSON(l.Period), User: l.User, At: l.At.UTC().Format(time.RFC3339)}
	if l.ExportID != 0 {
		id := l.ExportID
		out.ExportID = &id
	}
	return out
}

func runAccountsLocks(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*accountsListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	locks, err := store.PeriodLocks(ctx)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, locks, func(l data.PeriodLock) any { return toLockJSON(l) })
	}
	if len(locks) == 0 {
		fmt.Fprintln(r.out, "No period is locked.")
		return nil
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPERIOD\tZONE\tEXPORT\tBY\tWHEN")
	for _, l := range locks {
		export := "–"
		if l.ExportID != 0 {
			export = strconv.FormatInt(l.ExportID, 10)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", l.ID, l.Period, periodZone(l.Period), export, l.User,
			l.At.In(time.Local).Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

type accountsLockOptions struct {
	period *periodFlags
	json   *bool
}

func accountsLockCommand() *command {
	return &command{
		name: "accounts lock", args: "--from YYYY-MM-DD --to YYYY-MM-DD | --month YYYY-MM | --quarter YYYY-Qn | --year YYYY [--tz ZONE] [--json]",
		summary: "lock a period so imports cannot change it unseen (owner)",
		help: `Locks a period without exporting it ('backroom export accounts --lock' locks with an export). From then
on, imports and order e-mails that would add an order placed in the period or change one's figures are
held for you to apply or discard ('backroom accounts held'); status changes, tracking and addresses
still apply. Only the owner may lock.

` + periodFlagsHelp + `

With --json, prints the lock as 'accounts locks --json' does.`,
		flags: func(fs *flag.FlagSet) any {
			return &accountsLockOptions{period: definePeriodFlags(fs), json: fs.Bool("json", false, "print the lock as JSON")}
		},
		run: runAccountsLock,
	}
}

func runAccountsLock(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*accountsLockOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	p, err := opts.period.period(r.env.Getenv)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	l, err := store.LockPeriod(ctx, p)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, toLockJSON(l))
	}
	fmt.Fprintf(r.out, "Locked %s (%s) as lock %d: imports that would change its orders are now held ('backroom accounts held').\n",
		l.Period, periodZone(l.Period), l.ID)
	return nil
}

func accountsUnlockCommand() *command {
	return &command{
		name: "accounts unlock", args: "LOCK",
		summary: "open a locked period again (owner)",
		help: `Removes a period lock; LOCK is its id from 'backroom accounts locks'. Later imports apply to the period
again. Changes already held stay held until you apply or discard them. Only the owner may unlock.`,
		flags: func(*flag.FlagSet) any { return nil },
		run: func(ctx context.Context, r *runner, _ any, args []string) error {
			id, err := idArg(args, "LOCK", "lock", "backroom accounts locks")
			if err != nil {
				return err
			}
			store, err := r.open(ctx, existing)
			if err != nil {
				return err
			}
			if err := store.UnlockPeriod(ctx, id); err != nil {
				if errors.Is(err, data.ErrNotFound) {
					return fmt.Errorf("there is no lock %d; 'backroom accounts locks' lists them", id)
				}
				return err
			}
			fmt.Fprintf(r.out, "Lock %d removed: imports change the period again.\n", id)
			return nil
		},
	}
}

// idArg reads the one positional argument that names a lock or held change by number.
func idArg(args []string, name, noun, lister string) (int64, error) {
	switch {
	case len(args) == 0:
		return 0, usagef("say which %s: its number, from '%s'", noun, lister)
	case len(args) > 1:
		return 0, usagef("give one %s, not %d; unexpected argument %q", name, len(args), args[1])
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(args[0]), "#"), 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("%s %q is not a %s number; '%s' lists them", name, args[0], noun, lister)
	}
	return id, nil
}

func accountsHeldCommand() *command {
	return &command{
		name: "accounts held", args: "[--json]",
		summary: "list imports held back by a locked period (owner, accountant)",
		help: `Lists the orders an import or the mailbox would have added to a locked period, or changed there, oldest
first, each with what it would change. 'backroom accounts apply ID' applies one as the import would
have (the period's next export then shows it as a change for the accountant); 'backroom accounts
discard ID' drops it and the stored order stays as it was.

With --json, prints an array of {"id","lock_id","period":{"from","to","zone"},"channel","order_id",
"placed","kind","source","before","after","currency","what","at"}: kind is new or update, before the
stored order's total (0 when new), after the incoming one's, in minor units.`,
		flags: func(fs *flag.FlagSet) any {
			return &accountsListOptions{json: fs.Bool("json", false, "print JSON instead of a table")}
		},
		run: runAccountsHeld,
	}
}

// heldChangeJSON is the JSON shape of one held change.
type heldChangeJSON struct {
	ID       int64              `json:"id"`
	LockID   int64              `json:"lock_id"`
	Period   accountsPeriodJSON `json:"period"`
	Channel  string             `json:"channel"`
	OrderID  string             `json:"order_id"`
	Placed   string             `json:"placed"`
	Kind     string             `json:"kind"`
	Source   string             `json:"source"`
	Before   int64              `json:"before"`
	After    int64              `json:"after"`
	Currency string             `json:"currency"`
	What     string             `json:"what"`
	At       string             `json:"at"`
}

func runAccountsHeld(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*accountsListOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	held, err := store.HeldChanges(ctx)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSONList(r.out, held, func(h data.HeldChange) any {
			return heldChangeJSON{ID: h.ID, LockID: h.Lock.ID, Period: toPeriodJSON(h.Lock.Period), Channel: h.Channel,
				OrderID: h.OrderID, Placed: h.Placed.UTC().Format(time.RFC3339), Kind: h.Kind, Source: h.Source,
				Before: h.Before, After: h.After, Currency: h.Currency, What: h.What, At: h.At.UTC().Format(time.RFC3339)}
		})
	}
	if len(held) == 0 {
		fmt.Fprintln(r.out, "Nothing is held: no import has tried to change a locked period.")
		return nil
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPERIOD\tCHANNEL\tORDER\tPLACED\tKIND\tBEFORE\tAFTER\tWHAT\tFROM")
	for _, h := range held {
		before := data.FormatMoney(h.Before, h.Currency)
		if h.Kind == "new" {
			before = "–"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.Lock.Period, h.Channel, h.OrderID,
			h.Placed.In(periodZone(h.Lock.Period)).Format("2006-01-02 15:04"), h.Kind, before,
			data.FormatMoney(h.After, h.Currency), h.What, h.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "\nApply with 'backroom accounts apply ID' (or --all), drop with 'backroom accounts discard ID'.\n")
	return nil
}

type accountsResolveOptions struct{ all *bool }

// accountsResolveCommand is "accounts apply" or, with discard, "accounts discard".
func accountsResolveCommand(discard bool) *command {
	verb, name, summary := "apply", "accounts apply", "apply changes held by a locked period (owner)"
	help := `Applies a held change (see 'backroom accounts held') to its order now, as the import would have: a new
order is added, an update changes the stored order. The period stays locked; its next export lists the
order as a change for the accountant. --all applies every held change, oldest first. Only the owner
may apply.`
	if discard {
		verb, name, summary = "discard", "accounts discard", "drop changes held by a locked period (owner)"
		help = `Drops a held change (see 'backroom accounts held'): the stored order stays as it is, as the accountant
has it. --all drops every held change. Only the owner may discard.`
	}
	return &command{
		name: name, args: "ID | --all", summary: summary, help: help,
		flags: func(fs *flag.FlagSet) any {
			return &accountsResolveOptions{all: fs.Bool("all", false, "every held change, oldest first")}
		},
		run: func(ctx context.Context, r *runner, o any, args []string) error {
			return runAccountsResolve(ctx, r, o.(*accountsResolveOptions), args, verb)
		},
	}
}

func runAccountsResolve(ctx context.Context, r *runner, opts *accountsResolveOptions, args []string, verb string) error {
	var id int64
	if *opts.all {
		if len(args) > 0 {
			return usagef("give an ID or --all, not both; unexpected argument %q", args[0])
		}
	} else {
		var err error
		if id, err = idArg(args, "ID", "held change", "backroom accounts held"); err != nil {
			return err
		}
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	held, err := store.HeldChanges(ctx)
	if err != nil {
		return err
	}
	act := store.ApplyHeldChange
	done := "Applied"
	if verb == "discard" {
		act, done = store.DiscardHeldChange, "Discarded"
	}
	var todo []data.HeldChange
	for _, h := range held {
		if *opts.all || h.ID == id {
			todo = append(todo, h)
		}
	}
	if len(todo) == 0 {
		if *opts.all {
			fmt.Fprintln(r.out, "Nothing is held.")
			return nil
		}
		return fmt.Errorf("there is no held change %d; 'backroom accounts held' lists them", id)
	}
	for i, h := range todo {
		if err := act(ctx, h.ID); err != nil {
			if i > 0 {
				fmt.Fprintf(r.out, "%s %s before this one failed.\n", done, plural(i, "held change", "held changes"))
			}
			return fmt.Errorf("%s held change %d (%s order %s): %w", verb, h.ID, h.Channel, h.OrderID, err)
		}
		fmt.Fprintf(r.out, "%s %d: %s\n", done, h.ID, heldWords(h))
	}
	return nil
}

// heldWords says what a held change is in a line: "new etsy order 1234 placed 2026-10-02, £18.00" or
// "etsy order 1234 placed 2026-10-02, £10.00 → £12.50 (shipping, total)".
func heldWords(h data.HeldChange) string {
	placed := h.Placed.In(periodZone(h.Lock.Period)).Format(time.DateOnly)
	if h.Kind == "new" {
		return fmt.Sprintf("new %s order %s placed %s, %s", h.Channel, h.OrderID, placed, data.FormatMoney(h.After, h.Currency))
	}
	s := fmt.Sprintf("%s order %s placed %s, %s → %s", h.Channel, h.OrderID, placed,
		data.FormatMoney(h.Before, h.Currency), data.FormatMoney(h.After, h.Currency))
	if h.What != "" {
		s += " (" + h.What + ")"
	}
	return s
}
