package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// shopifyHeader is the current 79-column orders_export.csv header (marketplace-formats.md §1.1).
const shopifyHeader = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"

// shopifyCell is one cell of a Shopify row. Shopify writes some empty cells as a quoted "" and others
// as nothing; an xlsx copy keeps amounts and quantities as numbers.
type shopifyCell struct {
	text       string
	quoteEmpty bool
	number     bool
}

// shopifyColumns maps the header's names to their positions.
type shopifyColumns struct {
	names []string
	at    map[string]int
}

func newShopifyColumns() shopifyColumns {
	c := shopifyColumns{names: strings.Split(shopifyHeader, ","), at: map[string]int{}}
	for i, n := range c.names {
		c.at[n] = i
	}
	return c
}

// shopifyRows turns an order into its rows: the first carries the order's fields, each further one
// only Name, Email, Created at, the Lineitem columns, Vendor and Lineitem discount.
func (c shopifyColumns) shopifyRows(o *order) [][]shopifyCell {
	rows := make([][]shopifyCell, len(o.Lines))
	created := shopifyTime(o.Created)
	for i, l := range o.Lines {
		row := make([]shopifyCell, len(c.names))
		set := func(col, v string) { row[c.at[col]].text = v }
		setQ := func(col, v string) { row[c.at[col]] = shopifyCell{text: v, quoteEmpty: true} }
		setN := func(col, v string) { row[c.at[col]] = shopifyCell{text: v, number: v != ""} }
		set("Name", "#"+strconv.Itoa(o.Number))
		set("Email", o.Email)
		set("Created at", created)
		setN("Lineitem quantity", strconv.FormatInt(l.Quantity, 10))
		set("Lineitem name", l.Title)
		setN("Lineitem price", money(l.Price))
		if l.CompareAt > 0 {
			setN("Lineitem compare at price", money(l.CompareAt))
		} else if i > 0 {
			setQ("Lineitem compare at price", "")
		}
		if l.NoSKU {
			setQ("Lineitem sku", "")
		} else {
			setQ("Lineitem sku", l.SKU)
		}
		set("Lineitem requires shipping", "true")
		set("Lineitem taxable", "true")
		if o.Fulfillment == "fulfilled" || o.Fulfillment == "partial" && i == 0 {
			set("Lineitem fulfillment status", "fulfilled")
		} else {
			set("Lineitem fulfillment status", "pending")
		}
		set("Vendor", l.Vendor)
		setN("Lineitem discount", money(l.Discount))
		if i == 0 {
			c.orderFields(row, o)
		}
		rows[i] = row
	}
	return rows
}

func (c shopifyColumns) orderFields(row []shopifyCell, o *order) {
	set := func(col, v string) { row[c.at[col]].text = v }
	setQ := func(col, v string) { row[c.at[col]] = shopifyCell{text: v, quoteEmpty: true} }
	setN := func(col, v string) { row[c.at[col]] = shopifyCell{text: v, number: v != ""} }
	set("Financial Status", o.Financial)
	set("Paid at", shopifyTime(o.Paid))
	set("Fulfillment Status", o.Fulfillment)
	set("Fulfilled at", shopifyTime(o.Fulfilled))
	set("Accepts Marketing", map[bool]string{true: "yes", false: "no"}[o.Marketing])
	set("Currency", "USD")
	setN("Subtotal", money(o.subtotal()))
	setN("Shipping", money(o.ShippingCost))
	setN("Taxes", money(o.tax()))
	setN("Total", money(o.total()))
	setQ("Discount Code", o.DiscountCode)
	setN("Discount Amount", money(o.DiscountAmount))
	set("Shipping Method", o.ShippingMethod)
	for _, side := range []struct {
		prefix string
		a      address
	}{{"Billing", o.Billing}, {"Shipping", o.Shipping}} {
		set(side.prefix+" Name", side.a.Name)
		set(side.prefix+" Street", side.a.street())
		set(side.prefix+" Address1", side.a.Address1)
		set(side.prefix+" Address2", side.a.Address2)
		set(side.prefix+" Company", side.a.Company)
		set(side.prefix+" City", side.a.City)
		zip := side.a.Zip
		if side.a.Country == "US" {
			zip = "'" + zip // Shopify guards numeric zips against spreadsheets
		}
		set(side.prefix+" Zip", zip)
		set(side.prefix+" Province", side.a.Province)
		set(side.prefix+" Country", side.a.Country)
		set(side.prefix+" Phone", side.a.Phone)
		set(side.prefix+" Province Name", side.a.ProvinceName)
	}
	set("Notes", o.Notes)
	set("Note Attributes", o.NoteAttributes)
	set("Cancelled at", shopifyTime(o.Cancelled))
	set("Payment Method", o.PaymentMethod)
	set("Payment Reference", o.PaymentReference)
	setN("Refunded Amount", money(o.Refunded))
	outstanding := int64(0)
	if o.Financial == "pending" {
		outstanding = o.total()
	}
	setN("Outstanding Balance", money(outstanding))
	if o.Source == "pos" {
		set("Employee", "Sam Example")
		set("Location", "Main Street Store")
	}
	set("Id", strconv.FormatInt(o.ID, 10))
	setQ("Tags", o.Tags)
	set("Risk Level", o.Risk)
	set("Source", o.Source)
	set("Tax 1 Name", o.TaxName)
	setN("Tax 1 Value", money(o.tax()))
	set("Phone", o.Billing.Phone)
	set("Payment ID", o.PaymentReference)
	set("Payment References", o.PaymentReference)
}

func shopifyTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04:05 -0700")
}

func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// csvWriter writes CSV the way Shopify does: LF line ends, quotes only where a cell needs them, and a
// quoted "" for the cells Shopify writes that way.
type csvWriter struct {
	w *bufio.Writer
}

func (cw csvWriter) writeRow(cells []shopifyCell) error {
	for i, c := range cells {
		if i > 0 {
			cw.w.WriteByte(',')
		}
		switch {
		case c.text == "" && c.quoteEmpty:
			cw.w.WriteString(`""`)
		case strings.ContainsAny(c.text, ",\"\n\r") || strings.HasPrefix(c.text, " "):
			cw.w.WriteByte('"')
			cw.w.WriteString(strings.ReplaceAll(c.text, `"`, `""`))
			cw.w.WriteByte('"')
		default:
			cw.w.WriteString(c.text)
		}
	}
	return cw.w.WriteByte('\n')
}

// writeShopifyCSV writes orders until it has written lines line items.
func writeShopifyCSV(w io.Writer, s *shop, lines int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csvWriter{w: bw}
	cols := newShopifyColumns()
	bw.WriteString(shopifyHeader + "\n")
	for o := range s.orders(lines) {
		for _, row := range cols.shopifyRows(&o) {
			if err := cw.writeRow(row); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// writeShopifyXLSX writes the same rows as writeShopifyCSV into a workbook, the way a user who opened
// the export in Excel and saved it as .xlsx has it: amounts and quantities as numbers, ids and zips as
// text (a 13-digit id kept as a number would lose its last digits to Excel).
func writeShopifyXLSX(w io.Writer, s *shop, lines int) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "orders_export"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	cols := newShopifyColumns()
	values := make([]any, len(cols.names))
	for i, n := range cols.names {
		values[i] = n
	}
	if err := sw.SetRow("A1", values); err != nil {
		return err
	}
	r := 2
	for o := range s.orders(lines) {
		for _, row := range cols.shopifyRows(&o) {
			for i, c := range row {
				switch {
				case c.number:
					v, err := strconv.ParseFloat(c.text, 64)
					if err != nil {
						return fmt.Errorf("column %s: %w", cols.names[i], err)
					}
					values[i] = v
				case c.text == "":
					values[i] = nil
				default:
					values[i] = excelize.Cell{Value: c.text} // a string value is written as a text cell
				}
			}
			cell, err := excelize.CoordinatesToCellName(1, r)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, values); err != nil {
				return fmt.Errorf("row %d: %w", r, err)
			}
			r++
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
