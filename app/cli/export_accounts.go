package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/app/accountsbook"
	"github.com/backroom-app/backroom/app/locale"
	"github.com/backroom-app/backroom/data"
)

// periodFlags are the ways to name an accounting period: --from/--to, or a whole --month, --quarter
// or --year, in --tz.
type periodFlags struct {
	from, to, month, quarter, year, tz *string
}

func definePeriodFlags(fs *flag.FlagSet) *periodFlags {
	return &periodFlags{
		from:    fs.String("from", "", "the period's first `day`, YYYY-MM-DD"),
		to:      fs.String("to", "", "the period's last `day`, included, YYYY-MM-DD"),
		month:   fs.String("month", "", "a whole `month`, YYYY-MM, instead of --from and --to"),
		quarter: fs.String("quarter", "", "a whole `quarter`, YYYY-Qn (2026-Q3), instead of --from and --to"),
		year:    fs.String("year", "", "a whole calendar `year`, YYYY, instead of --from and --to"),
		tz:      fs.String("tz", "", "the time `zone` that decides which day an order belongs to, such as Europe/London (default this computer's)"),
	}
}

// periodFlagsHelp explains periodFlags in a command's help.
const periodFlagsHelp = `The period is --from and --to (both days included), or a whole --month 2026-10, --quarter 2026-Q4
or --year 2026. Days are counted in --tz (default this computer's time zone): an order placed at 23:30
on 31 March in London belongs to March, whatever day it was in UTC.`

var (
	monthPattern   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterPattern = regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`)
	yearPattern    = regexp.MustCompile(`^\d{4}$`)
)

// period reads the flags as one accounting period. getenv is the command's environment, for TZ.
func (pf *periodFlags) period(getenv func(string) string) (data.AccountsPeriod, error) {
	loc := locale.Zone(getenv)
	if tz := strings.TrimSpace(*pf.tz); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || strings.EqualFold(tz, "local") {
			return data.AccountsPeriod{}, usagef("--tz %q is not a time zone Backroom knows; write one such as Europe/London, America/New_York or UTC", *pf.tz)
		}
		loc = l
	}
	from, to := strings.TrimSpace(*pf.from), strings.TrimSpace(*pf.to)
	month, quarter, year := strings.TrimSpace(*pf.month), strings.TrimSpace(*pf.quarter), strings.TrimSpace(*pf.year)
	var given []string
	if from != "" || to != "" {
		given = append(given, "--from/--to")
	}
	for _, f := range [][2]string{{"--month", month}, {"--quarter", quarter}, {"--year", year}} {
		if f[1] != "" {
			given = append(given, f[0])
		}
	}
	switch {
	case len(given) == 0:
		return data.AccountsPeriod{}, usagef("say which period: --from YYYY-MM-DD --to YYYY-MM-DD, --month YYYY-MM, --quarter YYYY-Qn or --year YYYY")
	case len(given) > 1:
		return data.AccountsPeriod{}, usagef("%s and %s both name a period; give one of them", given[0], given[1])
	}
	switch {
	case month != "":
		m := monthPattern.FindStringSubmatch(month)
		y, _ := strconv.Atoi(safeIndex(m, 1))
		n, _ := strconv.Atoi(safeIndex(m, 2))
		if m == nil || n < 1 || n > 12 || y < 1 {
			return data.AccountsPeriod{}, usagef("--month %q is not a month written YYYY-MM, such as 2026-10", *pf.month)
		}
		return data.MonthPeriod(y, time.Month(n), loc), nil
	case quarter != "":
		m := quarterPattern.FindStringSubmatch(quarter)
		y, _ := strconv.Atoi(safeIndex(m, 1))
		if m == nil || y < 1 {
			return data.AccountsPeriod{}, usagef("--quarter %q is not a quarter written YYYY-Qn, such as 2026-Q4", *pf.quarter)
		}
		q, _ := strconv.Atoi(m[2])
		return data.QuarterPeriod(y, q, loc), nil
	case year != "":
		y, _ := strconv.Atoi(year)
		if !yearPattern.MatchString(year) || y < 1 {
			return data.AccountsPeriod{}, usagef("--year %q is not a year written YYYY, such as 2026", *pf.year)
		}
		return data.YearPeriod(y, loc), nil
	}
	if from == "" {
		return data.AccountsPeriod{}, usagef("--to %s needs --from, the period's first day (YYYY-MM-DD)", to)
	}
	if to == "" {
		return data.AccountsPeriod{}, usagef("--from %s needs --to, the period's last day (YYYY-MM-DD)", from)
	}
	f, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return data.AccountsPeriod{}, usagef("--from %q is not a day written YYYY-MM-DD", *pf.from)
	}
	t, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return data.AccountsPeriod{}, usagef("--to %q is not a day written YYYY-MM-DD", *pf.to)
	}
	if t.Before(f) {
		return data.AccountsPeriod{}, usagef("--to %s is before --from %s", to, from)
	}
	return data.NewAccountsPeriod(f, t, loc)
}

func safeIndex(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// accountsMemoryLimit is the Go heap the accountant's export aims to stay under.
const accountsMemoryLimit = 100 << 20

type exportAccountsOptions struct {
	period      *periodFlags
	out, csvDir *string
	lock, json  *bool
}

func exportAccountsCommand() *command {
	return &command{
		name:    "export accounts",
		args:    "--from YYYY-MM-DD --to YYYY-MM-DD --out FILE.xlsx [--csv-dir DIR] [--json]",
		summary: "write the accountant's workbook for a period (owner, accountant)",
		help: `Writes the period's books as an Excel workbook: Summary (totals per channel and currency, as formulas
over the other sheets), Sales (one row per order line, the order's discount, shipping and tax shared
out over its lines), Refunds and returns, Cost of goods sold, Stock valuation at the period's end and
Purchases received. With --csv-dir, the same sheets are also written as CSV files (UTF-8 with a byte
order mark, for Excel) into that folder. The workbook is written whole or not at all.

` + periodFlagsHelp + `

Every export is logged (period, file, SHA-256, rows, totals, who, when; see 'backroom accounts log'),
and the command lists what changed since the previous export of the same period: orders added,
changed or removed since, so you know whether the accountant needs a correction. With --lock (owner
only) the period is locked after the export: imports that would change its orders are held for you
to apply or discard ('backroom accounts held').

With --json, prints {"file","sha256","period":{"from","to","zone"},"rows":{"sales","refunds","costs",
"stock","purchases"},"totals":[{"channel","currency","orders","lines","goods","discount","shipping",
"tax","total","refunds","cost","margin"}],"stock_value":[{"currency","amount"}],"purchases":[...],
"unknown_costs","changes":{"previous":{"id","at","sha256","file","user"} or null,"added","changed",
"removed","orders":[{"kind","channel","order_id","placed","before","after","currency","what"}]},
"locked","csv_files":[...]}. Money is in minor units (pence, cents); margin is the total less tax,
refunds and cost of goods, as on the workbook's Summary.`,
		flags: func(fs *flag.FlagSet) any {
			return &exportAccountsOptions{
				period: definePeriodFlags(fs),
				out:    fs.String("out", "", "the workbook `file` to write, ending .xlsx"),
				csvDir: fs.String("csv-dir", "", "also write each sheet as a CSV file into this `folder` (made if missing)"),
				lock:   fs.Bool("lock", false, "lock the period after the export (owner only)"),
				json:   fs.Bool("json", false, "print the summary as JSON"),
			}
		},
		run: runExportAccounts,
	}
}

// accountsPeriodJSON is a period in JSON: its first and last day and the zone that counts them.
type accountsPeriodJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	Zone string `json:"zone"`
}

func toPeriodJSON(p data.AccountsPeriod) accountsPeriodJSON {
	return accountsPeriodJSON{From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Zone: periodZone(p).String()}
}

// periodZone is the zone the period's days are counted in.
func periodZone(p data.AccountsPeriod) *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// accountsRowsJSON counts the rows of each sheet.
type accountsRowsJSON struct {
	Sales     int `json:"sales"`
	Refunds   int `json:"refunds"`
	Costs     int `json:"costs"`
	Stock     int `json:"stock"`
	Purchases int `json:"purchases"`
}

func toRowsJSON(r data.AccountsRows) accountsRowsJSON {
	return accountsRowsJSON{Sales: r.Sales, Refunds: r.Refunds, Costs: r.Costs, Stock: r.Stock, Purchases: r.Purchases}
}

// accountsTotalJSON is one channel's figures in one currency; money in minor units.
type accountsTotalJSON struct {
	Channel  string `json:"channel"`
	Currency string `json:"currency"`
	Orders   int    `json:"orders"`
	Lines    int    `json:"lines"`
	Goods    int64  `json:"goods"`
	Discount int64  `json:"discount"`
	Shipping int64  `json:"shipping"`
	Tax      int64  `json:"tax"`
	Total    int64  `json:"total"`
	Refunds  int64  `json:"refunds"`
	Cost     int64  `json:"cost"`
	Margin   int64  `json:"margin"`
}

// accountsMargin is the gross margin as the workbook's Summary has it: what customers paid less tax,
// refunds and the known cost of the goods.
func accountsMargin(c data.AccountsChannelTotal) int64 { return c.Total - c.Tax - c.Refunds - c.Cost }

func toTotalsJSON(cs []data.AccountsChannelTotal) []accountsTotalJSON {
	out := make([]accountsTotalJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, accountsTotalJSON{Channel: c.Channel, Currency: c.Currency, Orders: c.Orders, Lines: c.Lines,
			Goods: c.Goods, Discount: c.Discount, Shipping: c.Shipping, Tax: c.Tax, Total: c.Total, Refunds: c.Refunds,
			Cost: c.Cost, Margin: accountsMargin(c)})
	}
	return out
}

// amountJSON is a sum in one currency.
type amountJSON struct {
	Currency string `json:"currency"`
	Amount   int64  `json:"amount"`
}

func toAmountsJSON(as []data.CurrencyAmount) []amountJSON {
	out := make([]amountJSON, 0, len(as))
	for _, a := range as {
		out = append(out, amountJSON{Currency: a.Currency, Amount: a.Amount})
	}
	return out
}

// previousExportJSON names the export a period is compared with.
type previousExportJSON struct {
	ID     int64  `json:"id"`
	At     string `json:"at"`
	SHA256 string `json:"sha256"`
	File   string `json:"file"`
	User   string `json:"user"`
}

// orderChangeJSON is one order that differs from the previous export.
type orderChangeJSON struct {
	Kind     string `json:"kind"`
	Channel  string `json:"channel"`
	OrderID  string `json:"order_id"`
	Placed   string `json:"placed"`
	Before   int64  `json:"before"`
	After    int64  `json:"after"`
	Currency string `json:"currency"`
	What     string `json:"what"`
}

// accountsChangesJSON is an AccountsDiff in JSON.
type accountsChangesJSON struct {
	Previous *previousExportJSON `json:"previous"`
	Added    int                 `json:"added"`
	Changed  int                 `json:"changed"`
	Removed  int                 `json:"removed"`
	Orders   []orderChangeJSON   `json:"orders"`
}

func toChangesJSON(d data.AccountsDiff) accountsChangesJSON {
	out := accountsChangesJSON{Orders: make([]orderChangeJSON, 0, len(d.Changes))}
	if p := d.Previous; p != nil {
		out.Previous = &previousExportJSON{ID: p.ID, At: p.At.UTC().Format(time.RFC3339), SHA256: p.SHA256, File: p.File, User: p.User}
	}
	out.Added, out.Changed, out.Removed = countChanges(d.Changes)
	for _, c := range d.Changes {
		out.Orders = append(out.Orders, orderChangeJSON{Kind: c.Kind, Channel: c.Channel, OrderID: c.OrderID,
			Placed: c.Placed.UTC().Format(time.RFC3339), Before: c.Before, After: c.After, Currency: c.Currency, What: c.What})
	}
	return out
}

func countChanges(cs []data.OrderChange) (added, changed, removed int) {
	for _, c := range cs {
		switch c.Kind {
		case "added":
			added++
		case "changed":
			changed++
		case "removed":
			removed++
		}
	}
	return added, changed, removed
}

// accountsExportJSON is the JSON shape of "export accounts --json".
type accountsExportJSON struct {
	File         string              `json:"file"`
	SHA256       string              `json:"sha256"`
	Period       accountsPeriodJSON  `json:"period"`
	Rows         accountsRowsJSON    `json:"rows"`
	Totals       []accountsTotalJSON `json:"totals"`
	StockValue   []amountJSON        `json:"stock_value"`
	Purchases    []amountJSON        `json:"purchases"`
	UnknownCosts int                 `json:"unknown_costs"`
	Changes      accountsChangesJSON `json:"changes"`
	Locked       bool                `json:"locked"`
	CSVFiles     []string            `json:"csv_files"`
}

func runExportAccounts(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*exportAccountsOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	p, err := opts.period.period(r.env.Getenv)
	if err != nil {
		return err
	}
	out := strings.TrimSpace(*opts.out)
	switch {
	case out == "":
		return usagef("say where to write the workbook: --out FILE.xlsx")
	case !strings.EqualFold(filepath.Ext(out), ".xlsx"):
		return usagef("--out %q: the workbook is an Excel file, so its name must end .xlsx (Excel refuses to open it otherwise)", *opts.out)
	}
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		return usagef("--out %q is a folder; name the workbook file, such as %s", *opts.out, filepath.Join(out, "accounts.xlsx"))
	}
	csvDir := strings.TrimSpace(*opts.csvDir)
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	if *opts.lock && !store.Can(data.PermImport) {
		u := store.User()
		return fmt.Errorf("%s (%s) may not lock a period; only the owner may, so export without --lock", u.Name, u.Role)
	}
	// The differences are taken before the export is logged, which would make it the one compared with.
	diff, err := store.AccountsChanges(ctx, p)
	if err != nil {
		return err
	}
	shop, err := store.Setting(ctx, data.SettingShopName)
	if err != nil {
		return err
	}
	// excelize holds each large sheet's rows until the file is written (about 75 MB for a year of a
	// large shop) and Go lets the heap grow to twice what is live: a soft limit keeps a year's workbook
	// under 150 MB (BENCHMARKS.md, "Accountant workbook").
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(accountsMemoryLimit))
	progress := r.progressLine()
	bookOpts := accountsbook.Options{Period: p, Shop: shop, Author: store.User().Name, Created: store.Now(),
		Progress: func(done, total int) {
			if progress.w != nil && total > 0 {
				fmt.Fprintf(progress.w, "\r\x1b[KWriting the workbook: %d%%", done*100/total)
				progress.shown = true
			}
		}}
	res, err := writeWorkbookWhole(ctx, out, store, bookOpts)
	progress.done()
	if err != nil {
		return err
	}
	var csvRes accountsbook.Result
	if csvDir != "" {
		if err := os.MkdirAll(csvDir, 0o755); err != nil {
			return fmt.Errorf("%s is written, but the CSV folder could not be made: %w", out, err)
		}
		bookOpts.Progress = nil
		if csvRes, err = accountsbook.WriteCSV(ctx, csvDir, store, bookOpts); err != nil {
			return fmt.Errorf("%s is written, but the CSV files are not: %w", out, err)
		}
	}
	// The CSV files are logged first, so the workbook is the period's latest export: the one the next
	// export is compared with, and the one a lock names.
	if csvDir != "" {
		entry := data.AccountsExport{Format: "csv", File: filepath.Base(filepath.Clean(csvDir)), SHA256: csvRes.SHA256,
			Rows: csvRes.Rows, Totals: csvRes.Totals, Orders: orderCount(csvRes.Totals)}
		if _, err := store.LogAccountsExport(ctx, p, entry, false); err != nil {
			return fmt.Errorf("the files are written, but their export was not logged, so a later export cannot say what changed: %w", err)
		}
	}
	entry := data.AccountsExport{Format: "xlsx", File: filepath.Base(out), SHA256: res.SHA256, Rows: res.Rows,
		Totals: res.Totals, Orders: orderCount(res.Totals)}
	logged, err := store.LogAccountsExport(ctx, p, entry, *opts.lock)
	if err != nil {
		return fmt.Errorf("%s is written, but the export was not logged, so a later export cannot say what changed: %w", out, err)
	}
	if *opts.json {
		sum := accountsExportJSON{File: out, SHA256: res.SHA256, Period: toPeriodJSON(p), Rows: toRowsJSON(res.Rows),
			Totals: toTotalsJSON(res.Totals.Channels), StockValue: toAmountsJSON(res.Totals.StockValue),
			Purchases: toAmountsJSON(res.Totals.Purchases), UnknownCosts: res.Totals.UnknownCosts,
			Changes: toChangesJSON(diff), Locked: logged.Locked, CSVFiles: csvRes.Files}
		if sum.CSVFiles == nil {
			sum.CSVFiles = []string{}
		}
		return writeJSON(r.out, sum)
	}
	return printAccountsExport(r, out, p, res, csvRes.Files, diff, logged.Locked)
}

// writeWorkbookWhole writes the workbook to a temporary file beside path and renames it into place once
// it is complete, so neither a failure nor Ctrl+C leaves half a workbook that looks like the real one.
func writeWorkbookWhole(ctx context.Context, path string, src accountsbook.Source, opt accountsbook.Options) (accountsbook.Result, error) {
	if info, err := os.Stat(filepath.Dir(path)); err != nil || !info.IsDir() {
		return accountsbook.Result{}, fmt.Errorf("--out %s: the folder %s does not exist; make it first or write the workbook elsewhere",
			path, filepath.Dir(path))
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.part")
	if err != nil {
		return accountsbook.Result{}, fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	res, err := accountsbook.WriteXLSX(ctx, f, src, opt)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: %w", path, cerr)
	}
	if err == nil {
		// CreateTemp makes the file readable by its owner only; a workbook is shared like any document.
		if err = os.Chmod(tmp, 0o644); err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return accountsbook.Result{}, err
	}
	res.Files = []string{path}
	return res, nil
}

func orderCount(t data.AccountsTotals) int {
	n := 0
	for _, c := range t.Channels {
		n += c.Orders
	}
	return n
}

// printAccountsExport prints what was written, the totals and what changed since the last export.
func printAccountsExport(r *runner, out string, p data.AccountsPeriod, res accountsbook.Result, csvFiles []string, diff data.AccountsDiff, locked bool) error {
	w := r.out
	rows := res.Rows
	fmt.Fprintf(w, "Wrote %s for %s (%s)\n", out, p, toPeriodJSON(p).Zone)
	fmt.Fprintf(w, "  %s, %s, %s, %s, %s\n", plural(rows.Sales, "sales line", "sales lines"),
		plural(rows.Refunds, "refund", "refunds"), plural(rows.Costs, "cost line", "cost lines"),
		plural(rows.Stock, "SKU in stock", "SKUs in stock"), plural(rows.Purchases, "delivery", "deliveries"))
	fmt.Fprintf(w, "  SHA-256 %s\n", res.SHA256)
	if len(csvFiles) > 0 {
		names := make([]string, len(csvFiles))
		for i, f := range csvFiles {
			names[i] = filepath.Base(f)
		}
		fmt.Fprintf(w, "  CSV files in %s: %s\n", filepath.Dir(csvFiles[0]), strings.Join(names, ", "))
	}
	fmt.Fprintln(w)
	if err := writeAccountsTotals(w, res.Totals); err != nil {
		return err
	}
	fmt.Fprintln(w)
	writeAccountsDiff(w, diff, periodZone(p))
	if locked {
		fmt.Fprintln(w, "\nThe period is now locked: imports that would change its orders are held until you apply or discard\nthem ('backroom accounts held').")
	}
	return nil
}

// writeAccountsTotals prints the period's totals per channel and currency, then stock and purchases.
func writeAccountsTotals(w io.Writer, t data.AccountsTotals) error {
	if len(t.Channels) == 0 {
		fmt.Fprintln(w, "No sales in the period.")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "CHANNEL\tCURRENCY\tORDERS\tTOTAL\tTAX\tREFUNDS\tCOST\tMARGIN\t")
		for _, c := range t.Channels {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", c.Channel, c.Currency, c.Orders,
				data.FormatMoney(c.Total, c.Currency), data.FormatMoney(c.Tax, c.Currency), data.FormatMoney(c.Refunds, c.Currency),
				data.FormatMoney(c.Cost, c.Currency), data.FormatMoney(accountsMargin(c), c.Currency))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(t.StockValue) > 0 {
		fmt.Fprintf(w, "Stock at the period's end: %s\n", amounts(t.StockValue))
	}
	if len(t.Purchases) > 0 {
		fmt.Fprintf(w, "Purchases received: %s\n", amounts(t.Purchases))
	}
	if t.UnknownCosts > 0 {
		fmt.Fprintf(w, "%s no known cost (no SKU, no cost, or a cost in another currency): the cost of goods leaves %s out.\n",
			plural(t.UnknownCosts, "sold line has", "sold lines have"), map[bool]string{true: "it", false: "them"}[t.UnknownCosts == 1])
	}
	return nil
}

func amounts(as []data.CurrencyAmount) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		parts = append(parts, data.FormatMoney(a.Amount, a.Currency))
	}
	return strings.Join(parts, ", ")
}

// writeAccountsDiff says how the period differs from its previous export, order by order.
func writeAccountsDiff(w io.Writer, d data.AccountsDiff, loc *time.Location) {
	if d.Previous == nil {
		fmt.Fprintln(w, "First export of this period: there is nothing earlier to compare with.")
		return
	}
	p := d.Previous
	fmt.Fprintf(w, "Previous export: %s by %s (%s, SHA-256 %s).\n", p.At.In(loc).Format("2 Jan 2006 15:04"),
		p.User, p.File, shortSHA(p.SHA256))
	if len(d.Changes) == 0 {
		fmt.Fprintln(w, "Nothing changed since: the accountant has the same figures.")
		return
	}
	added, changed, removed := countChanges(d.Changes)
	fmt.Fprintf(w, "Since then %s added, %d changed, %d removed: send the accountant this workbook.\n",
		plural(added, "order", "orders"), changed, removed)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tCHANGE\tCHANNEL\tORDER\tPLACED\tBEFORE\tNOW\tWHAT")
	for _, c := range d.Changes {
		before, after := data.FormatMoney(c.Before, c.Currency), data.FormatMoney(c.After, c.Currency)
		if c.Kind == "added" {
			before = "–"
		}
		if c.Kind == "removed" {
			after = "–"
		}
		fmt.Fprintf(tw, "  \t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Kind, c.Channel, c.OrderID,
			c.Placed.In(loc).Format("2006-01-02 15:04"), before, after, c.What)
	}
	tw.Flush()
}

// shortSHA is the first 12 hex digits of a hash: enough to tell two files apart when reading.
func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
