package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
)

// importMemoryLimit is the Go heap an import aims to stay under; SQLite's own page cache comes on top.
const importMemoryLimit = 80 << 20

// importReport is the JSON shape of one file in "import --json". The first fields are the contract
// named when the command was introduced; the rest extend it.
type importReport struct {
	File            string          `json:"file"`
	Format          string          `json:"format"`
	OrdersNew       int             `json:"orders_new"`
	OrdersUpdated   int             `json:"orders_updated"`
	OrdersUnchanged int             `json:"orders_unchanged"`
	Lines           int             `json:"lines"`
	Errors          []importProblem `json:"errors"`

	Imported          bool            `json:"imported"` // the file's records were written
	DryRun            bool            `json:"dry_run"`
	Unmatched         int             `json:"unmatched"`
	ProductsNew       int             `json:"products_new"`
	ProductsUpdated   int             `json:"products_updated"`
	ProductsUnchanged int             `json:"products_unchanged"`
	StockCounted      int             `json:"stock_counted"`
	Skipped           int             `json:"skipped"`
	Warnings          []importProblem `json:"warnings"`
	AlreadyImported   *earlierImport  `json:"already_imported"`
	OrdersHeld        int             `json:"orders_held"` // kept for the owner: they would change a locked period

	formatName string // for people: "Shopify orders"
	earlierAt  time.Time
	unreadable bool // the file could not be imported at all; Errors holds why
}

type importProblem struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

type earlierImport struct {
	At     string `json:"at"`
	User   string `json:"user"`
	File   string `json:"file"`
	LogID  int64  `json:"log_id"`
	Format string `json:"format"`
}

type importOptions struct {
	dryRun, json, skipInvalid, again, noBackup *bool
	locations                                  locationFlags
}

// locationFlags collects --location NAME=YOURS, which may be given several times.
type locationFlags map[string]string

func (l locationFlags) String() string { return "" }

func (l locationFlags) Set(v string) error {
	name, loc, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(loc) == "" {
		return fmt.Errorf("want NAME=LOCATION, such as \"1 Example Street=Shop\"")
	}
	l[strings.TrimSpace(name)] = strings.TrimSpace(loc)
	return nil
}

func importCommand() *command {
	return &command{
		name: "import", args: "[--dry-run] [--json] [--skip-invalid] [--again] [--location NAME=YOURS] FILE...",
		summary: "import orders, products or stock from marketplace spreadsheets",
		help: `Imports marketplace exports: Shopify orders, products and inventory; Etsy sold orders, order items and
listings; Amazon order reports; eBay Seller Hub orders; WooCommerce products and orders; TikTok Shop
orders; as CSV, TSV or .xlsx. The layout is recognised from the header. A layout Backroom does not know
imports once its columns are mapped in the Imports screen.

Each file is one transaction: all of it is imported, or nothing. A file with errors in some rows is
refused and every error is listed (row, column, value, reason); --skip-invalid imports the orders
without errors and leaves the listed ones out. Importing the same data again never duplicates an
order or moves stock twice; a later export updates the orders it holds. A file imported before is
skipped with a note unless --again is given. --dry-run reads and checks everything and reports exactly
what importing would do, writing nothing. After an import that changed the shop, Backroom backs the
database up into its backup folder (see "backroom backup"); --no-backup skips that.

Stock files name their locations. A name Backroom does not know becomes a new location, unless
--location says which of yours it is: --location "1 Example Street=Shop" counts Shopify's
"1 Example Street" at your Shop, now and in later imports. A dry run lists the names that would be new.

With --json, prints one JSON object per file, one per line: {"file","format","orders_new",
"orders_updated","orders_unchanged","lines","errors":[{"row","column","value","reason"}],"imported",
"dry_run","unmatched","products_new","products_updated","products_unchanged","stock_counted","skipped",
"warnings":[...],"already_imported":null or {"at","user","file","log_id","format"},"orders_held"}; orders_held
counts orders kept for the owner because they would change a locked accounting period. A file that cannot be
read at all has one error with row 0. The exit code is 1 when any file was refused.`,
		flags: func(fs *flag.FlagSet) any {
			o := &importOptions{
				dryRun:      fs.Bool("dry-run", false, "check the files and report what would change, writing nothing"),
				json:        fs.Bool("json", false, "print one JSON object per file"),
				skipInvalid: fs.Bool("skip-invalid", false, "import the records without errors and skip the ones listed"),
				again:       fs.Bool("again", false, "import files even when the same file was imported before"),
				noBackup:    fs.Bool("no-backup", false, "skip the backup made after an import that changed the shop (for scripts that back up themselves)"),
				locations:   locationFlags{},
			}
			fs.Var(o.locations, "location", "a location the files name `NAME=YOURS` is your location YOURS (remembered; repeat for more)")
			return o
		},
		run: runImport,
	}
}

func runImport(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*importOptions)
	if len(args) == 0 {
		return usagef("name at least one file to import")
	}
	// Importing its marketplace exports is how a shop starts, so the database may be new.
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	currency, err := store.Setting(ctx, data.SettingCurrency)
	if err != nil {
		return err
	}
	// An import streams, so what it holds stays small, but Go's collector lets the heap grow to twice
	// what is live before it runs; a soft limit makes it collect sooner on a million-line file, keeping
	// the process near the memory a shop's laptop can spare. It only costs time close to the limit.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
	refused, wrote := 0, false
	for _, path := range args {
		rep := r.importOne(ctx, store, path, currency, opts)
		wrote = wrote || rep.Imported
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped during %s; nothing of it was imported: %w", filepath.Base(path), err)
		}
		if len(rep.Errors) > 0 && !rep.Imported && !rep.DryRun {
			refused++
		}
		if *opts.json {
			err = writeJSON(r.out, rep)
		} else {
			err = printImport(r.out, rep, *opts.skipInvalid)
		}
		if err != nil {
			return err
		}
		r.out.Flush()
	}
	if !*opts.dryRun {
		r.checkContingencies(ctx, store)
	}
	if wrote && !*opts.noBackup {
		r.backupAfterImport(ctx, store)
	}
	if refused > 0 {
		return fmt.Errorf("%s refused", plural(refused, "file was", "files were"))
	}
	return nil
}

// importOne imports one file and reports on it; a file that cannot be imported at all is a report with
// one error, so the other files still run.
func (r *runner) importOne(ctx context.Context, store *data.Store, path, currency string, opts *importOptions) importReport {
	rep := importReport{File: path, Format: "unknown", Errors: []importProblem{}, Warnings: []importProblem{}, DryRun: *opts.dryRun}
	fail := func(err error) importReport {
		// The importers name the file in their errors; the report already says which file it is.
		reason := strings.TrimPrefix(message(err), filepath.Base(path)+": ")
		rep.Errors = append(rep.Errors, importProblem{Reason: reason})
		rep.unreadable = true
		return rep
	}
	fh, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer fh.Close()
	sum := sha256.New()
	size, err := io.Copy(sum, fh)
	if err != nil {
		return fail(fmt.Errorf("read %s: %w", path, err))
	}
	digest := hex.EncodeToString(sum.Sum(nil))
	if !*opts.again {
		earlier, err := store.ImportedBefore(ctx, digest)
		if err == nil {
			rep.AlreadyImported = &earlierImport{At: earlier.At.Local().Format(time.RFC3339), User: earlier.UserName,
				File: earlier.File.Name, LogID: earlier.ID, Format: earlier.File.Format}
			rep.Format, rep.formatName, rep.earlierAt = earlier.File.Format, earlier.File.Format, earlier.At
			return rep
		}
		if !errors.Is(err, data.ErrNotFound) {
			return fail(err)
		}
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return fail(fmt.Errorf("read %s: %w", path, err))
	}
	name := filepath.Base(path)
	f, err := importers.Open(fh, name, importers.Options{Currency: currency, Location: time.Local})
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	if f.Format == nil {
		m, err := store.ColumnMapping(ctx, f.Signature())
		if errors.Is(err, data.ErrNotFound) {
			return fail(fmt.Errorf("%s: no known export has this header (%s); map its columns once in Backroom's Imports screen, "+
				"and files of this layout import here from then on", name, headerSample(f.Header)))
		}
		if err != nil {
			return fail(err)
		}
		if err := f.UseMapping(m); err != nil {
			return fail(err)
		}
	}
	rep.Format, rep.formatName = f.FormatID(), f.FormatName()+", "+f.Layout
	res, err := store.Import(ctx, data.ImportFile{Name: name, Size: size, SHA256: digest, Format: f.FormatID()}, f.Items(ctx),
		data.ImportOptions{DryRun: *opts.dryRun, SkipInvalid: *opts.skipInvalid, Locations: opts.locations})
	if err != nil {
		return fail(err)
	}
	rep.Imported = res.Committed
	rep.OrdersNew, rep.OrdersUpdated, rep.OrdersUnchanged, rep.Lines = res.OrdersNew, res.OrdersUpdated, res.OrdersUnchanged, res.Lines
	rep.Unmatched, rep.Skipped, rep.StockCounted, rep.OrdersHeld = res.Unmatched, res.Skipped, res.StockCounted, res.Held
	rep.ProductsNew, rep.ProductsUpdated, rep.ProductsUnchanged = res.ProductsNew, res.ProductsUpdated, res.ProductsUnchanged
	for _, p := range res.Errors {
		rep.Errors = append(rep.Errors, importProblem{Row: p.Row, Column: p.Column, Value: p.Value, Reason: p.Reason})
	}
	for _, p := range res.Warnings {
		rep.Warnings = append(rep.Warnings, importProblem{Row: p.Row, Column: p.Column, Value: p.Value, Reason: p.Reason})
	}
	return rep
}

// headerSample names the first few columns of a header, enough to recognise the file by.
func headerSample(h []string) string {
	const n = 5
	cols := h[:min(len(h), n)]
	s := "columns " + strings.Join(cols, ", ")
	if len(h) > n {
		s += fmt.Sprintf(" and %d more", len(h)-n)
	}
	return s
}

// maxPrintedProblems keeps a file with a broken column from flooding the terminal; --json has them all.
const maxPrintedProblems = 50

func printImport(w io.Writer, rep importReport, skipInvalid bool) error {
	var b strings.Builder
	head := rep.File
	if rep.formatName != "" {
		head += " (" + rep.formatName + ")"
	}
	switch {
	case rep.AlreadyImported != nil:
		e := rep.AlreadyImported
		fmt.Fprintf(&b, "%s: imported before, on %s by %s; importing it again would change nothing. Skipped (use --again to import it anyway).\n",
			head, rep.earlierAt.Local().Format("2 Jan 2006 15:04"), e.User)
		_, err := io.WriteString(w, b.String())
		return err
	case rep.unreadable:
		fmt.Fprintf(&b, "%s: not imported: %s\n", head, rep.Errors[0].Reason)
		_, err := io.WriteString(w, b.String())
		return err
	}
	verb := ""
	switch {
	case rep.DryRun && len(rep.Errors) > 0 && !skipInvalid:
		verb = "would be refused for its errors; without them it would import"
	case rep.DryRun:
		verb = "would import"
	case rep.Imported:
		verb = "imported"
	default:
		verb = "refused, nothing imported"
	}
	fmt.Fprintf(&b, "%s: %s\n", head, verb)
	orders := rep.OrdersNew + rep.OrdersUpdated + rep.OrdersUnchanged
	if orders > 0 || rep.Lines > 0 {
		fmt.Fprintf(&b, "  %s: %d new, %d updated, %d unchanged; %s", plural(orders, "order", "orders"), rep.OrdersNew, rep.OrdersUpdated,
			rep.OrdersUnchanged, plural(rep.Lines, "line", "lines"))
		if rep.Unmatched > 0 {
			fmt.Fprintf(&b, ", %d matching none of your SKUs (map them in the Imports screen)", rep.Unmatched)
		}
		b.WriteString("\n")
	}
	if rep.OrdersHeld > 0 {
		fmt.Fprintf(&b, "  %s held for the owner, as changing them would change a locked accounting period; see \"backroom accounts held\"\n",
			plural(rep.OrdersHeld, "order", "orders"))
	}
	if products := rep.ProductsNew + rep.ProductsUpdated + rep.ProductsUnchanged; products > 0 {
		fmt.Fprintf(&b, "  %s: %d new, %d updated, %d unchanged\n", plural(products, "product", "products"), rep.ProductsNew,
			rep.ProductsUpdated, rep.ProductsUnchanged)
	}
	if rep.StockCounted > 0 {
		fmt.Fprintf(&b, "  stock counted: %s moved to the file's count\n", plural(rep.StockCounted, "SKU", "SKUs"))
	}
	if rep.Skipped > 0 && skipInvalid {
		fmt.Fprintf(&b, "  left out for their errors: %s\n", plural(rep.Skipped, "record", "records"))
	}
	listProblems(&b, rep.Errors, "error", "errors")
	listProblems(&b, rep.Warnings, "warning", "warnings")
	if len(rep.Errors) > 0 && !rep.Imported && !skipInvalid {
		b.WriteString("  Fix the file and import it again, or use --skip-invalid to import the rest and leave these out.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func listProblems(b *strings.Builder, ps []importProblem, one, many string) {
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(b, "  %s:\n", plural(len(ps), one, many))
	for i, p := range ps {
		if i == maxPrintedProblems {
			fmt.Fprintf(b, "    … and %d more (all of them with --json)\n", len(ps)-i)
			break
		}
		fmt.Fprintf(b, "    %s\n", data.Problem{Row: p.Row, Column: p.Column, Value: p.Value, Reason: p.Reason})
	}
}

// plural writes a count with the right noun: "1 order", "3 orders".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
