// Package cli is Backroom's command line: the same binary as the window, run with a command such as
// "backroom stock list --json". It reads and changes the shop's database through package data, never
// needs a display, and keeps a contract scripts can rely on: command and flag names, the JSON shapes,
// and the exit codes (0 done, 1 refused or failed, 2 called wrongly).
//
// Run with no command opens the window through Env.OpenGUI, so main stays a few lines of wiring.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
)

// Env is what the command line takes from its process. main passes the real streams and os.Getenv;
// tests pass buffers and a map.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
	// OpenGUI opens the Backroom window on the database at dbPath and returns when it closes.
	OpenGUI func(ctx context.Context, dbPath string) error
	// Version is printed by "backroom version".
	Version string
	// Keychain keeps mail passwords; nil is this computer's keychain. Tests pass one over keychain.Memory.
	Keychain *keychain.Keychain
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed or was refused
	exitUsage = 2 // the command was called wrongly: unknown command or flag, missing argument
)

// usageError is a mistake in how a command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one leaf command, such as "stock adjust".
type command struct {
	name    string // as typed: "stock adjust"
	args    string // synopsis after the name
	summary string // one line for the command list
	help    string // what it does, for --help
	flags   func(fs *flag.FlagSet) any
	run     func(ctx context.Context, r *runner, opts any, args []string) error
}

// commands is the command table, in the order "backroom --help" lists them.
func commands() []*command {
	return []*command{
		demoCommand(),
		productsListCommand(), productsAddCommand(),
		stockListCommand(), stockAdjustCommand(), stockHistoryCommand(),
		ordersListCommand(), ordersStatusCommand(), shipCommand(),
		pickListCommand(), packingSlipsCommand(), labelsCommand(),
		exportShipmentsCommand(), exportStockCommand(), exportAccountsCommand(), returnsAddCommand(), returnsListCommand(),
		importCommand(), reportAtRiskCommand(), reportSalesCommand(),
		accountsLogCommand(), accountsLocksCommand(), accountsLockCommand(), accountsUnlockCommand(),
		accountsHeldCommand(), accountsResolveCommand(false), accountsResolveCommand(true),
		suppliersListCommand(), suppliersAddCommand(), suppliersPerformanceCommand(),
		suppliersAvailabilityCommand(false), suppliersAvailabilityCommand(true),
		reorderCommand(), poListCommand(), poShowCommand(), poCreateCommand(), poSendCommand(), poReceiveCommand(),
		poCancelCommand(false), poCancelCommand(true),
		mailAccountSetCommand(), mailAccountShowCommand(), mailAccountRemoveCommand(),
		mailSyncCommand(), mailImportCommand(), mailReparseCommand(), mailReviewCommand(),
		outboxListCommand(), outboxSendCommand(), rulesListCommand(), rulesCheckCommand(), ticketsListCommand(),
		usersListCommand(), usersAddCommand(),
		backupNowCommand(), backupListCommand(), backupRestoreCommand(),
		syncStatusCommand(), syncNowCommand(), syncPairCommand(), syncConnectCommand(), hubCommand(),
		versionCommand(),
	}
}

// runner carries one invocation: the environment, the global flags, and the store once opened.
type runner struct {
	env    Env
	cmds   []*command
	db     string // --db
	user   string // --user
	store  *data.Store
	out    *bufio.Writer
	pinFor string // the user BACKROOM_PIN was used to sign in, if any
}

// Run runs the command line args (without the program name, as os.Args[1:]) and returns the exit code.
func Run(ctx context.Context, args []string, env Env) (code int) {
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	r := &runner{env: env, cmds: commands(), out: bufio.NewWriterSize(env.Stdout, 64<<10)}
	defer func() {
		// A bug must not spill a Go stack trace over a shop owner's terminal.
		if p := recover(); p != nil {
			r.out.Flush()
			fmt.Fprintf(env.Stderr, "backroom: internal error: %v\n", p)
			code = exitError
		}
		r.close()
	}()
	return r.run(ctx, args)
}

func (r *runner) run(ctx context.Context, args []string) int {
	top := r.newFlagSet("backroom")
	showVersion := top.Bool("version", false, "print the version and exit")
	rest, err := splitCommand(top, args)
	if errors.Is(err, flag.ErrHelp) {
		r.topUsage(r.out)
		return r.finish(exitOK)
	}
	if err != nil {
		fmt.Fprintln(r.env.Stderr, "Run 'backroom --help' for usage.")
		return exitUsage
	}
	switch {
	case *showVersion:
		rest = []string{"version"}
	case len(rest) == 0:
		return r.openGUI(ctx)
	case rest[0] == "help":
		return r.helpCommand(rest[1:])
	}

	cmd, args, err := r.find(rest)
	if errors.Is(err, flag.ErrHelp) {
		r.groupUsage(r.out, rest[0])
		return r.finish(exitOK)
	}
	if err != nil {
		fmt.Fprintf(r.env.Stderr, "backroom: %s\nRun 'backroom --help' for the list of commands.\n", err)
		return exitUsage
	}
	fs := r.newFlagSet("backroom " + cmd.name)
	opts := cmd.flags(fs)
	pos, err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		r.commandUsage(r.out, cmd, fs)
		return r.finish(exitOK)
	}
	if err != nil {
		fmt.Fprintf(r.env.Stderr, "Run 'backroom %s --help' for usage.\n", cmd.name)
		return exitUsage
	}
	err = cmd.run(ctx, r, opts, pos)
	if ferr := r.out.Flush(); err == nil && ferr != nil && !isBrokenPipe(ferr) {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(r.env.Stderr, "backroom: %s: %s\nRun 'backroom %s --help' for usage.\n", cmd.name, ue.msg, cmd.name)
		return exitUsage
	}
	fmt.Fprintf(r.env.Stderr, "backroom: %s: %s\n", cmd.name, message(err))
	return exitError
}

func (r *runner) finish(code int) int {
	r.out.Flush()
	return code
}

func (r *runner) close() {
	if r.store != nil {
		r.store.Close()
		r.store = nil
	}
}

// newFlagSet makes a flag set that knows the global flags, so they work after the command too.
func (r *runner) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(&prefixWriter{w: r.env.Stderr, prefix: strings.Replace(name, " ", ": ", 1) + ": "})
	fs.Usage = func() {} // --help prints the usage to stdout; errors get a one-line hint instead
	fs.StringVar(&r.db, "db", r.db, "the database `file` (default $BACKROOM_DB, else the per-user data folder)")
	fs.StringVar(&r.user, "user", r.user, "act as this user `name` (default $BACKROOM_USER); the PIN comes from $BACKROOM_PIN or is asked for")
	return fs
}

// find resolves "products list" or "demo" to its command; the remaining arguments are the command's.
func (r *runner) find(words []string) (*command, []string, error) {
	for _, c := range r.cmds {
		if c.name == words[0] {
			return c, words[1:], nil
		}
	}
	isGroup := false
	for _, c := range r.cmds {
		group, _, _ := strings.Cut(c.name, " ")
		isGroup = isGroup || (group == words[0] && strings.Contains(c.name, " "))
	}
	if !isGroup {
		return nil, nil, fmt.Errorf("there is no command %q", words[0])
	}
	if len(words) < 2 {
		return nil, nil, fmt.Errorf("%s needs a command: %s", words[0], strings.Join(r.subcommands(words[0]), ", "))
	}
	if words[1] == "-h" || words[1] == "--help" || words[1] == "-help" || words[1] == "help" {
		return nil, nil, flag.ErrHelp
	}
	// A name may have three words ("mail account set"); the longest one the words start with wins.
	for n := min(len(words), 3); n >= 2; n-- {
		for _, c := range r.cmds {
			if c.name == strings.Join(words[:n], " ") {
				return c, words[n:], nil
			}
		}
	}
	if sub := words[0] + " " + words[1]; len(r.subcommands(sub)) > 0 {
		if len(words) < 3 {
			return nil, nil, fmt.Errorf("%s needs a command: %s", sub, strings.Join(r.subcommands(sub), ", "))
		}
		if words[2] == "-h" || words[2] == "--help" || words[2] == "-help" || words[2] == "help" {
			return nil, nil, flag.ErrHelp
		}
		return nil, nil, fmt.Errorf("there is no command %q; %s has %s", sub+" "+words[2], sub, strings.Join(r.subcommands(sub), ", "))
	}
	return nil, nil, fmt.Errorf("there is no command %q; %s has %s", words[0]+" "+words[1], words[0],
		strings.Join(r.subcommands(words[0]), ", "))
}

func (r *runner) subcommands(group string) []string {
	var out []string
	for _, c := range r.cmds {
		if sub, ok := strings.CutPrefix(c.name, group+" "); ok {
			out = append(out, sub)
		}
	}
	return out
}

func (r *runner) helpCommand(words []string) int {
	if len(words) == 0 {
		r.topUsage(r.out)
		return r.finish(exitOK)
	}
	cmd, _, err := r.find(words)
	if errors.Is(err, flag.ErrHelp) || (err != nil && len(r.subcommands(words[0])) > 0 && len(words) == 1) {
		r.groupUsage(r.out, words[0])
		return r.finish(exitOK)
	}
	if err != nil {
		fmt.Fprintf(r.env.Stderr, "backroom: help: %s\n", err)
		return exitUsage
	}
	fs := r.newFlagSet("backroom " + cmd.name)
	cmd.flags(fs)
	r.commandUsage(r.out, cmd, fs)
	return r.finish(exitOK)
}

func (r *runner) topUsage(w io.Writer) {
	fmt.Fprint(w, `Backroom is the back office of a small online shop: stock, orders from every channel, packing
and suppliers, in one database file on this computer.

Usage:
  backroom [--db FILE]                          open the Backroom window
  backroom [--db FILE] [--user NAME] COMMAND    run a command

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range r.cmds {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	path, err := DefaultDBPath(r.env.Getenv)
	if err != nil {
		path = "(unknown: " + message(err) + ")"
	}
	fmt.Fprintf(w, `
Global flags, before or after the command:
  --db FILE     the database (now: %s)
  --user NAME   act as this user (default $BACKROOM_USER). The PIN is read from $BACKROOM_PIN,
                or asked for when run in a terminal; it is never a flag, which would show in ps.
  --version     print the version

Without --user, commands act as the shop's owner, unless the owner has a PIN.

Exit codes: 0 done, 1 refused or failed, 2 called wrongly.
Run 'backroom COMMAND --help' for a command's flags.
`, path)
}

func (r *runner) groupUsage(w io.Writer, group string) {
	fmt.Fprintf(w, "Usage: backroom %s COMMAND [flags]\n\nCommands:\n", group)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range r.cmds {
		if g, _, _ := strings.Cut(c.name, " "); g == group {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun 'backroom %s COMMAND --help' for a command's flags.\n", group)
}

func (r *runner) commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: backroom %s %s\n\n%s\n\nFlags:\n", c.name, c.args, strings.TrimSpace(c.help))
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

func (r *runner) openGUI(ctx context.Context) int {
	path, err := r.dbPath()
	if err == nil {
		err = makeParent(path)
	}
	if err == nil && r.env.OpenGUI == nil {
		err = errors.New("this build of Backroom has no window; run 'backroom --help' for the commands")
	}
	if err == nil {
		err = r.env.OpenGUI(ctx, path)
	}
	if err != nil {
		fmt.Fprintf(r.env.Stderr, "backroom: %s\n", message(err))
		return exitError
	}
	return exitOK
}

// message is the one line to show for err. The store's own errors are written for shop owners; anything
// else (a folder that cannot be made, a full disk) is shown as it is, because the command line has no log
// to send the details to.
func message(err error) string {
	var de *data.Error
	switch {
	case errors.As(err, &de), errors.Is(err, data.ErrNotBackroom), errors.Is(err, data.ErrTooNew):
		return data.UserMessage(err)
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

func isBrokenPipe(err error) bool {
	return err != nil && strings.Contains(err.Error(), "broken pipe")
}

func versionCommand() *command {
	return &command{
		name: "version", summary: "print the version",
		help:  "Prints the version of this Backroom.",
		flags: func(*flag.FlagSet) any { return nil },
		run: func(_ context.Context, r *runner, _ any, args []string) error {
			if len(args) > 0 {
				return usagef("version takes no arguments")
			}
			v := r.env.Version
			if v == "" {
				v = "(devel)"
			}
			fmt.Fprintf(r.out, "backroom %s\n", v)
			return nil
		},
	}
}
