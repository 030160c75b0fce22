// Package accountsbook writes the workbook an accountant gets for a period: a Summary whose figures are
// live formulas over the detail sheets (Sales, Refunds and returns, Cost of goods sold, Stock valuation,
// Purchases), as one .xlsx file or as one CSV file per sheet.
//
// Rows stream from the store into the file as they are read, one goroutine reading and another writing:
// nothing holds a period's lines in memory, so a year of a busy shop exports in the same memory as a
// month (see WriteXLSX). The Summary is written last, from the rows as they were written, so its cached
// values always agree with the detail sheets beside them.
package accountsbook

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/backroom-app/backroom/app/filename"
	"github.com/backroom-app/backroom/data"
)

// Source is where a workbook's rows come from; *data.Store is one.
type Source interface {
	AccountsPreview(ctx context.Context, p data.AccountsPeriod) (data.AccountsTotals, error)
	AccountsSales(ctx context.Context, p data.AccountsPeriod, fn func(data.SaleLine) error) error
	AccountsRefunds(ctx context.Context, p data.AccountsPeriod, fn func(data.RefundLine) error) error
	AccountsCosts(ctx context.Context, p data.AccountsPeriod, fn func(data.CostLine) error) error
	AccountsStock(ctx context.Context, p data.AccountsPeriod, fn func(data.StockValue) error) error
	AccountsPurchases(ctx context.Context, p data.AccountsPeriod, fn func(data.PurchaseLine) error) error
}

var _ Source = (*data.Store)(nil)

// Options says what to export and how to label it.
type Options struct {
	Period data.AccountsPeriod
	Shop   string // the shop's name, on the Summary and in the document's title
	Author string // the person exporting, on the Summary and in the document's properties
	// Created is when the export was made, shown on the Summary; zero means now.
	Created time.Time
	// Progress, when set, is called on the calling goroutine every thousand or so rows handed to the
	// writer (which is at most that far behind), and once at the end: done of total detail rows, total
	// being the preview's count (or done, if more rows turned up since). Setting it costs one
	// AccountsPreview before the export, to know the total.
	Progress func(done, total int)
}

// Result is what an export wrote.
type Result struct {
	// Totals are the figures of the rows written, as the Summary shows them, for the export log: they
	// equal AccountsPreview's unless the period changed while exporting. Rows counts them per sheet.
	Totals data.AccountsTotals
	Rows   data.AccountsRows
	// SHA256 (hex) is of the bytes of the .xlsx file; for CSV, of the listing "<sha256 hex>  <file name>\n"
	// of every file in sheet order, which is what `sha256sum *.csv` prints for them in that order.
	SHA256 string
	Bytes  int64    // bytes written: the .xlsx file, or all the CSV files
	Files  []string // CSV only: the files' paths, in sheet order
}

// kind is what a column holds, which decides how each format writes it.
type kind uint8

const (
	text     kind = iota // text, never read as a number or formula: IDs and SKUs keep leading zeros
	date                 // the day of an instant in the period's zone
	clock                // the time of day of an instant in the period's zone
	datetime             // both
	count                // a whole number
	money                // minor units of the row's currency
)

type column struct {
	title string
	kind  kind
	width float64 // in characters, as spreadsheets count them
}

// value is one cell of a detail row; its column says which field counts. An empty value is an empty
// cell (a cost that is not known, a line with no SKU).
type value struct {
	s     string
	n     int64
	t     time.Time
	empty bool
}

func txt(s string) value   { return value{s: s, empty: s == ""} }
func num(n int64) value    { return value{n: n} }
func at(t time.Time) value { return value{t: t, empty: t.IsZero()} }
func blank() value         { return value{empty: true} }
func optNum(n int64, ok bool) value {
	if !ok {
		return blank()
	}
	return num(n)
}

// sheet is one detail sheet: its name in the workbook, its CSV file and its columns. Every detail sheet
// has a Currency column, which the money in its row is in.
type sheet struct {
	name, file string
	cols       []column
}

// col is the index of the column titled title; the sheet definitions below have every title asked for.
func (sh *sheet) col(title string) int {
	for i, c := range sh.cols {
		if c.title == title {
			return i
		}
	}
	panic(fmt.Sprintf("accountsbook: sheet %s has no column %q", sh.name, title))
}

// Widths: dates 11, times 7, channels 12, order numbers 18, SKUs 16, products 40, money 15 (wide enough
// for "1,234,567.89 GBP").
func salesSheet() *sheet {
	return &sheet{name: "Sales", file: "sales.csv", cols: []column{
		{"Date", date, 11}, {"Time", clock, 7}, {"Channel", text, 12}, {"Order ID", text, 18}, {"Line", count, 6},
		{"SKU", text, 16}, {"Product", text, 40}, {"Quantity", count, 9}, {"Unit price", money, 15},
		{"Goods", money, 15}, {"Discount", money, 15}, {"Shipping", money, 15}, {"Tax", money, 15},
		{"Total", money, 15}, {"Currency", text, 9},
	}}
}

func refundsSheet() *sheet {
	return &sheet{name: "Refunds and returns", file: "refunds-and-returns.csv", cols: []column{
		{"Date", date, 11}, {"Time", clock, 7}, {"Channel", text, 12}, {"Order ID", text, 18},
		{"Order date", date, 11}, {"SKU", text, 16}, {"Product", text, 40}, {"Units", count, 7},
		{"Reason", text, 13}, {"Condition", text, 10}, {"Disposition", text, 11}, {"Refund", money, 15},
		{"Currency", text, 9},
	}}
}

func costsSheet() *sheet {
	return &sheet{name: "Cost of goods sold", file: "cost-of-goods-sold.csv", cols: []column{
		{"Date", date, 11}, {"Channel", text, 12}, {"Order ID", text, 18}, {"SKU", text, 16},
		{"Product", text, 40}, {"Units", count, 7}, {"Unit cost", money, 15}, {"Cost", money, 15},
		{"Currency", text, 9}, {"Note", text, 14},
	}}
}

// stockSheet is named after the period's last day: the stock is valued as it stood at its end.
func stockSheet(p data.AccountsPeriod) *sheet {
	return &sheet{name: "Stock valuation at " + p.To.Format(time.DateOnly), file: "stock-valuation.csv", cols: []column{
		{"SKU", text, 16}, {"Product", text, 40}, {"On hand", count, 9}, {"Unit cost", money, 15},
		{"Value", money, 15}, {"Currency", text, 9},
	}}
}

func purchasesSheet() *sheet {
	return &sheet{name: "Purchases", file: "purchases.csv", cols: []column{
		{"Date", date, 11}, {"PO number", text, 14}, {"Supplier", text, 24}, {"SKU", text, 16},
		{"Product", text, 40}, {"Quantity", count, 9}, {"Unit cost", money, 15}, {"Total", money, 15},
		{"Currency", text, 9},
	}}
}

const (
	summaryName = "Summary"
	summaryFile = "summary.csv"
	unknownCost = "cost unknown"
)

// book is one export in progress: the detail sheets, the figures added up from the rows as they are
// written, and the progress report.
type book struct {
	opt                                 Options
	sales, refunds, costs, stock, purch *sheet

	channels  map[[2]string]*data.AccountsChannelTotal // by channel and currency
	orders    map[int64]struct{}                       // order refs seen, to count each order once
	rows      data.AccountsRows
	unknown   int
	stockVal  map[string]int64
	purchases map[string]int64

	done, total int
}

func newBook(opt Options) *book {
	return &book{
		opt: opt, sales: salesSheet(), refunds: refundsSheet(), costs: costsSheet(),
		stock: stockSheet(opt.Period), purch: purchasesSheet(),
		channels: map[[2]string]*data.AccountsChannelTotal{}, orders: map[int64]struct{}{},
		stockVal: map[string]int64{}, purchases: map[string]int64{},
	}
}

// detailSheets are the sheets after the Summary, in workbook order.
func (b *book) detailSheets() []*sheet {
	return []*sheet{b.sales, b.refunds, b.costs, b.stock, b.purch}
}

// rowSink receives a detail sheet's rows: begin with the sheet, then each row with the currency of its
// money, then end.
type rowSink interface {
	begin(sh *sheet) error
	row(vals []value, currency string) error
	end(rows int) error
}

// start checks the period and reads the preview's row count when someone watches the progress.
func (b *book) start(ctx context.Context, src Source) error {
	p := b.opt.Period
	if p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From) {
		return fmt.Errorf("choose the period to export: %w", data.ErrInvalid)
	}
	if b.opt.Progress == nil {
		return nil
	}
	t, err := src.AccountsPreview(ctx, b.opt.Period)
	if err != nil {
		return fmt.Errorf("count the period's rows: %w", err)
	}
	r := t.Rows
	b.total = r.Sales + r.Refunds + r.Costs + r.Stock + r.Purchases
	b.opt.Progress(0, b.total)
	return nil
}

// progressEvery rows the export reports progress and checks whether it was cancelled.
const progressEvery = 1024

func (b *book) wrote(ctx context.Context) error {
	b.done++
	if b.done%progressEvery != 0 {
		return nil
	}
	if b.opt.Progress != nil {
		b.opt.Progress(b.done, max(b.total, b.done))
	}
	return ctx.Err()
}

// channel is the running total of a channel in a currency. Channel names match whatever their case, as
// the store matches them and as SUMIFS on the Summary does: "Etsy" and "etsy" are one row, named as
// first seen.
func (b *book) channel(ch, currency string) *data.AccountsChannelTotal {
	k := [2]string{strings.ToLower(ch), currency}
	t := b.channels[k]
	if t == nil {
		t = &data.AccountsChannelTotal{Channel: ch, Currency: currency}
		b.channels[k] = t
	}
	return t
}

// writeDetails streams every detail sheet into out, adding up the figures as it goes.
func (b *book) writeDetails(ctx context.Context, src Source, out rowSink) error {
	p := b.opt.Period
	vals := make([]value, len(b.sales.cols))

	err := b.section(ctx, out, b.sales, &b.rows.Sales, func() error {
		return src.AccountsSales(ctx, p, func(l data.SaleLine) error {
			goods := l.Quantity * l.UnitPrice
			vals = append(vals[:0], at(l.Placed), at(l.Placed), txt(l.Channel), txt(l.OrderID), optNum(int64(l.LineNo), l.LineNo > 0),
				txt(l.SKU), txt(l.Product), num(l.Quantity), num(l.UnitPrice), num(goods), num(l.Discount), num(l.Shipping),
				num(l.Tax), num(l.Total), txt(l.Currency))
			if err := out.row(vals, l.Currency); err != nil {
				return fmt.Errorf("row %d (order %s): %w", b.rows.Sales+2, l.OrderID, err)
			}
			t := b.channel(l.Channel, l.Currency)
			if _, seen := b.orders[l.OrderRef]; !seen {
				b.orders[l.OrderRef] = struct{}{}
				t.Orders++
			}
			t.Lines++
			t.Goods += goods
			t.Discount += l.Discount
			t.Shipping += l.Shipping
			t.Tax += l.Tax
			t.Total += l.Total
			b.rows.Sales++
			return b.wrote(ctx)
		})
	})
	if err != nil {
		return err
	}
	b.orders = nil // only sales count orders; let the map go

	err = b.section(ctx, out, b.refunds, &b.rows.Refunds, func() error {
		return src.AccountsRefunds(ctx, p, func(r data.RefundLine) error {
			vals = append(vals[:0], at(r.At), at(r.At), txt(r.Channel), txt(r.OrderID), at(r.OrderPlaced), txt(r.SKU),
				txt(r.Product), num(r.Units), txt(string(r.Reason)), txt(r.Condition), txt(r.Disposition), num(r.Refund),
				txt(r.Currency))
			if err := out.row(vals, r.Currency); err != nil {
				return fmt.Errorf("row %d (order %s): %w", b.rows.Refunds+2, r.OrderID, err)
			}
			b.channel(r.Channel, r.Currency).Refunds += r.Refund
			b.rows.Refunds++
			return b.wrote(ctx)
		})
	})
	if err != nil {
		return err
	}

	err = b.section(ctx, out, b.costs, &b.rows.Costs, func() error {
		return src.AccountsCosts(ctx, p, func(c data.CostLine) error {
			note := ""
			if !c.Known {
				note = unknownCost
			}
			vals = append(vals[:0], at(c.Placed), txt(c.Channel), txt(c.OrderID), txt(c.SKU), txt(c.Product), num(c.Units),
				optNum(c.UnitCost, c.Known), optNum(c.Cost, c.Known), txt(c.Currency), txt(note))
			if err := out.row(vals, c.Currency); err != nil {
				return fmt.Errorf("row %d (order %s): %w", b.rows.Costs+2, c.OrderID, err)
			}
			if c.Known {
				b.channel(c.Channel, c.Currency).Cost += c.Cost
			} else {
				b.unknown++
			}
			b.rows.Costs++
			return b.wrote(ctx)
		})
	})
	if err != nil {
		return err
	}

	err = b.section(ctx, out, b.stock, &b.rows.Stock, func() error {
		return src.AccountsStock(ctx, p, func(v data.StockValue) error {
			vals = append(vals[:0], txt(v.SKU), txt(v.Product), num(v.OnHand), num(v.UnitCost), num(v.Value), txt(v.Currency))
			if err := out.row(vals, v.Currency); err != nil {
				return fmt.Errorf("row %d (SKU %s): %w", b.rows.Stock+2, v.SKU, err)
			}
			b.stockVal[v.Currency] += v.Value
			b.rows.Stock++
			return b.wrote(ctx)
		})
	})
	if err != nil {
		return err
	}

	err = b.section(ctx, out, b.purch, &b.rows.Purchases, func() error {
		return src.AccountsPurchases(ctx, p, func(l data.PurchaseLine) error {
			vals = append(vals[:0], at(l.Received), txt(l.PONumber), txt(l.Supplier), txt(l.SKU), txt(l.Product),
				num(l.Quantity), num(l.UnitCost), num(l.Total), txt(l.Currency))
			if err := out.row(vals, l.Currency); err != nil {
				return fmt.Errorf("row %d (%s): %w", b.rows.Purchases+2, l.PONumber, err)
			}
			b.purchases[l.Currency] += l.Total
			b.rows.Purchases++
			return b.wrote(ctx)
		})
	})
	if err != nil {
		return err
	}
	if b.opt.Progress != nil {
		b.opt.Progress(b.done, max(b.total, b.done))
	}
	return nil
}

// section writes one detail sheet: its header, the rows read calls out.row with (counted in *rows),
// and its end.
func (b *book) section(ctx context.Context, out rowSink, sh *sheet, rows *int, read func() error) error {
	err := ctx.Err()
	if err == nil {
		err = out.begin(sh)
	}
	if err == nil {
		err = read()
	}
	if err == nil {
		err = out.end(*rows)
	}
	if err != nil {
		return fmt.Errorf("write sheet %s: %w", sh.name, err)
	}
	return nil
}

// totals are the figures of the rows written, ordered as AccountsPreview orders them.
func (b *book) totals() data.AccountsTotals {
	t := data.AccountsTotals{Rows: b.rows, UnknownCosts: b.unknown}
	for _, c := range b.channels {
		t.Channels = append(t.Channels, *c)
	}
	sort.Slice(t.Channels, func(i, j int) bool {
		a, c := t.Channels[i], t.Channels[j]
		if x, y := strings.ToLower(a.Channel), strings.ToLower(c.Channel); x != y {
			return x < y
		}
		return a.Currency < c.Currency
	})
	t.StockValue = amounts(b.stockVal)
	t.Purchases = amounts(b.purchases)
	return t
}

// amounts lists sums by currency, in the currencies' order (an empty list, not nil, as the store's).
func amounts(m map[string]int64) []data.CurrencyAmount {
	out := make([]data.CurrencyAmount, 0, len(m))
	for cur, v := range m {
		out = append(out, data.CurrencyAmount{Currency: cur, Amount: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// margin is what the Summary calls gross margin: the sales net of tax, less refunds and the known cost of
// the goods sold. Tax is never the shop's income, and subtracting it works whether prices include tax or
// not, because Total is what the customer paid either way.
func margin(t data.AccountsChannelTotal) int64 { return t.Total - t.Tax - t.Refunds - t.Cost }

// PeriodLabel is the period as short as it can be said: "2026-10" for a month, "2026-Q3" for a quarter,
// "2026" for a year, "2026-10-05" for a day, otherwise "2026-10-05 to 2026-11-04".
func PeriodLabel(p data.AccountsPeriod) string {
	f, t := p.From, p.To
	lastOfMonth := func(y int, m time.Month) time.Time { return time.Date(y, m+1, 0, 0, 0, 0, 0, t.Location()) }
	sameDay := func(a, b time.Time) bool {
		ay, am, ad := a.Date()
		by, bm, bd := b.Date()
		return ay == by && am == bm && ad == bd
	}
	switch {
	case sameDay(f, t):
		return f.Format(time.DateOnly)
	case f.Day() == 1 && f.Month() == time.January && t.Year() == f.Year() && t.Month() == time.December && t.Day() == 31:
		return fmt.Sprint(f.Year())
	case f.Day() == 1 && sameDay(t, lastOfMonth(f.Year(), f.Month())):
		return f.Format("2006-01")
	case f.Day() == 1 && (f.Month()-1)%3 == 0 && sameDay(t, lastOfMonth(f.Year(), f.Month()+2)):
		return fmt.Sprintf("%d-Q%d", f.Year(), (int(f.Month())-1)/3+1)
	}
	return p.String()
}

// FileName is the name to suggest for the period's workbook, "<shop> accounts <period>.xlsx", such as
// "Backroom accounts 2026-10.xlsx" when the shop has no name. Characters that file systems refuse are
// left out of the shop's name.
func FileName(p data.AccountsPeriod, shop string) string {
	name := filename.FromText(shop, "Backroom")
	if r := []rune(name); len(r) > 60 {
		name = filename.FromText(string(r[:60]), "Backroom")
	}
	return name + " accounts " + PeriodLabel(p) + ".xlsx"
}
