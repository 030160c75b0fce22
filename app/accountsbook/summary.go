package accountsbook

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

// sumCell is one cell of the Summary. A formula (xlsx only) is written with the value as its cached
// result, so readers that never calculate still show the figure; CSV gets the value.
type sumCell struct {
	kind     kind
	s        string
	n        int64
	t        time.Time
	currency string // of money
	formula  string
	bold     bool
}

// summaryWidths are the Summary's column widths: labels in A, the per-channel table's figures to the right.
func summaryWidths() []float64 { return []float64{30, 10, 9, 9, 15, 15, 15, 15, 15, 15, 15, 15} }

// summary lays out the Summary sheet from the figures of the rows written. Row n of the result is
// spreadsheet row n+1; formulas refer to the detail sheets' whole columns, so rows the accountant adds
// below a sheet's last one still count.
func (b *book) summary(created time.Time) [][]sumCell {
	p := b.opt.Period
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	shop := b.opt.Shop
	if shop == "" {
		shop = "Backroom"
	}
	label := func(s string) sumCell { return sumCell{kind: text, s: s, bold: true} }
	str := func(s string) sumCell { return sumCell{kind: text, s: s} }
	var rows [][]sumCell
	add := func(cells ...sumCell) { rows = append(rows, cells) }
	add(sumCell{kind: text, s: shop + " accounts " + PeriodLabel(p), bold: true})
	add(label("Shop"), str(b.opt.Shop))
	add(label("Period"), str(p.String()))
	add(label("From"), sumCell{kind: date, t: p.From})
	add(label("To"), sumCell{kind: date, t: p.To})
	add(label("Time zone"), str(loc.String()))
	add(label("Created"), sumCell{kind: datetime, t: created.In(loc)})
	add(label("Created by"), str(b.opt.Author))
	add()

	head := []string{"Channel", "Currency", "Orders", "Lines", "Goods", "Discount", "Shipping", "Tax", "Total",
		"Refunds", "Cost of goods", "Gross margin"}
	hc := make([]sumCell, len(head))
	for i, h := range head {
		hc[i] = label(h)
	}
	add(hc...)

	t := b.totals()
	byCurrency := map[string][]data.AccountsChannelTotal{}
	for _, c := range t.Channels {
		byCurrency[c.Currency] = append(byCurrency[c.Currency], c)
	}
	currencies := make([]string, 0, len(byCurrency))
	for cur := range byCurrency {
		currencies = append(currencies, cur)
	}
	sort.Strings(currencies)

	sales, refunds, costs := b.sales, b.refunds, b.costs
	sum := func(sh *sheet, col string, row int, channel string) string {
		return fmt.Sprintf("SUMIFS(%s,%s,%s,%s,%s)", colRef(sh, col), colRef(sh, "Channel"), criterion("A", row, channel),
			colRef(sh, "Currency"), criterion("B", row, ""))
	}
	for _, cur := range currencies {
		first := len(rows) + 1
		var all data.AccountsChannelTotal
		for _, c := range byCurrency[cur] {
			r := len(rows) + 1
			m := func(v int64, f string) sumCell { return sumCell{kind: money, n: v, currency: cur, formula: f} }
			add(str(c.Channel), str(cur),
				sumCell{kind: count, n: int64(c.Orders)},
				sumCell{kind: count, n: int64(c.Lines), formula: fmt.Sprintf("COUNTIFS(%s,%s,%s,%s)",
					colRef(sales, "Channel"), criterion("A", r, c.Channel), colRef(sales, "Currency"), criterion("B", r, ""))},
				m(c.Goods, sum(sales, "Goods", r, c.Channel)),
				m(c.Discount, sum(sales, "Discount", r, c.Channel)),
				m(c.Shipping, sum(sales, "Shipping", r, c.Channel)),
				m(c.Tax, sum(sales, "Tax", r, c.Channel)),
				m(c.Total, sum(sales, "Total", r, c.Channel)),
				m(c.Refunds, sum(refunds, "Refund", r, c.Channel)),
				m(c.Cost, sum(costs, "Cost", r, c.Channel)),
				m(margin(c), fmt.Sprintf("I%[1]d-H%[1]d-J%[1]d-K%[1]d", r)),
			)
			all.Orders += c.Orders
			all.Lines += c.Lines
			all.Goods += c.Goods
			all.Discount += c.Discount
			all.Shipping += c.Shipping
			all.Tax += c.Tax
			all.Total += c.Total
			all.Refunds += c.Refunds
			all.Cost += c.Cost
		}
		last, r := len(rows), len(rows)+1
		total := func(col string, v int64, k kind) sumCell {
			return sumCell{kind: k, n: v, currency: cur, bold: true, formula: fmt.Sprintf("SUM(%[1]s%[2]d:%[1]s%[3]d)", col, first, last)}
		}
		add(label("All channels"), label(cur),
			total("C", int64(all.Orders), count), total("D", int64(all.Lines), count),
			total("E", all.Goods, money), total("F", all.Discount, money), total("G", all.Shipping, money),
			total("H", all.Tax, money), total("I", all.Total, money), total("J", all.Refunds, money),
			total("K", all.Cost, money),
			sumCell{kind: money, n: margin(all), currency: cur, bold: true, formula: fmt.Sprintf("I%[1]d-H%[1]d-J%[1]d-K%[1]d", r)})
	}
	if len(currencies) == 0 {
		add(str("No sales, refunds or costs in this period."))
	}

	add()
	add(label("Also"), label("Currency"), label("Amount"))
	other := func(name string, sh *sheet, col string, m map[string]int64) {
		curs := make([]string, 0, len(m))
		for cur := range m {
			curs = append(curs, cur)
		}
		sort.Strings(curs)
		if len(curs) == 0 {
			add(str(name), str(""), sumCell{kind: count, n: 0})
		}
		for _, cur := range curs {
			r := len(rows) + 1
			add(str(name), str(cur), sumCell{kind: money, n: m[cur], currency: cur,
				formula: fmt.Sprintf("SUMIFS(%s,%s,%s)", colRef(sh, col), colRef(sh, "Currency"), criterion("B", r, ""))})
		}
	}
	other("Stock value at "+p.To.Format(time.DateOnly), b.stock, "Value", b.stockVal)
	other("Purchases received", b.purch, "Total", b.purchases)

	add()
	add(label("Notes"))
	add(str("Gross margin is Total − Tax − Refunds − Cost of goods. The money columns are formulas over the detail sheets."))
	add(str("Refunds and returns are those recorded in the period, whenever their orders were placed."))
	add(str("Dates and times are in the period's time zone (" + loc.String() + "); cancelled orders are left out."))
	if b.unknown > 0 {
		lines := "lines have"
		if b.unknown == 1 {
			lines = "line has"
		}
		add(sumCell{kind: text, s: fmt.Sprintf("%d sold %s no known cost (%q on Cost of goods sold): Cost of goods and Gross margin leave them out.",
			b.unknown, lines, unknownCost), bold: true})
	}
	return rows
}

// colRef is a whole column of a detail sheet, absolute: 'Cost of goods sold'!$H:$H.
func colRef(sh *sheet, title string) string {
	c, _ := excelize.ColumnNumberToName(sh.col(title) + 1)
	return fmt.Sprintf("%s!$%s:$%s", sheetRef(sh.name), c, c)
}

// sheetRef quotes a sheet name for a formula when it needs it.
func sheetRef(name string) string {
	if strings.ContainsAny(name, " '-!") {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	return name
}

// criterion matches the text in cell col+row exactly. SUMIFS would read a leading <, > or = in it as a
// comparison, so the criterion says "=" itself; and * ? ~ in it as wildcards, so a name holding them
// (which seen, the one given here) is escaped with ~.
func criterion(col string, row int, seen string) string {
	ref := fmt.Sprintf("$%s%d", col, row)
	if strings.ContainsAny(seen, "*?~") {
		ref = fmt.Sprintf(`SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(%s,"~","~~"),"*","~*"),"?","~?")`, ref)
	}
	return `"="&` + ref
}
