package importers

import (
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

// ebayDates are how the Orders report writes dates: US Sep-18-26 (with a time on some columns), UK and
// AU 26-May-26, German 10-Dez-25 and French 05-oct.-26 (parseDate turns the local month names into
// English ones first).
var ebayDates = []string{"Jan-02-06", "Jan-02-06 15:04:05", "Jan-2-06", "02-Jan-06", "02-Jan-06 15:04:05", "2-Jan-06"}

// The Orders report's columns under each name they are known by: the US header, the UK/AU one, renamed
// headers seen in users' files, and the German and French downloads. Only names seen in real German and
// French files are listed; a localised column missing here is simply not read. Read-only.
var (
	ebaySalesRecord  = []string{"Sales Record Number", "Verkaufsprotokollnummer", "Numéro de vente"}
	ebayOrderNumber  = []string{"Order Number", "Order ID", "Bestellnummer", "Numéro de commande"}
	ebayItemNumber   = []string{"Item Number", "Artikelnummer", "Numéro de l'objet", "Numéro de l’objet"}
	ebayItemTitle    = []string{"Item Title", "Angebotstitel", "Intitulé de l'objet", "Intitulé de l’objet"}
	ebayCustomLabel  = []string{"Custom Label", "Bestandseinheit"}
	ebayVariation    = []string{"Variation Details"}
	ebayQuantity     = []string{"Quantity", "Anzahl", "Quantité"}
	ebaySoldFor      = []string{"Sold For", "Item Price", "Verkauft für", "Vendu pour"}
	ebayShipping     = []string{"Shipping And Handling", "Postage And Handling", "Verpackung und Versand", "Livraison et manutention"}
	ebayTotal        = []string{"Total Price", "Gesamtbetrag"}
	ebaySellerTax    = []string{"Seller Collected Tax"}
	ebayCollectedTax = []string{"eBay Collected Tax"}
	ebaySaleDate     = []string{"Sale Date", "Order Date", "Verkauft am", "Date de vente"}
	ebayPaidDate     = []string{"Paid On Date", "Zahlungsdatum"}
	ebayShippedDate  = []string{"Shipped On Date", "Verschickt am - Datum"}
	ebayShipBy       = []string{"Ship By Date"}
	ebayBuyerName    = []string{"Buyer Name", "Name des Käufers"}
	ebayBuyerEmail   = []string{"Buyer Email", "E-Mail des Käufers"}
	ebayShipName     = []string{"Ship To Name", "Name des Empfängers"}
	ebayShipAddress1 = []string{"Ship To Address 1", "Adresse 1 des Empfängers"}
	ebayShipAddress2 = []string{"Ship To Address 2", "Adresse 2 des Empfängers"}
	ebayShipCity     = []string{"Ship To City", "Versand nach - Ort"}
	ebayShipState    = []string{"Ship To State"}
	ebayShipZip      = []string{"Ship To Zip", "Versand nach - PLZ"}
	ebayShipCountry  = []string{"Ship To Country", "Versand nach - Land"}
	ebayTracking     = []string{"Tracking Number", "Sendungsnummer"}
)

// ebayFormats lists the layouts this file reads.
func ebayFormats() []*Format {
	return []*Format{{
		ID: "ebay-orders", Name: "eBay orders report", Channel: "ebay", Kind: KindOrders,
		required: []string{"Sales Record Number", "Order Number", "Item Title", "Quantity", "Sold For", "Sale Date"},
		// Matched through the aliases, so the German and French downloads are recognised too.
		match: func(h *header) bool {
			return h.col(ebaySalesRecord...) >= 0 && h.col(ebayOrderNumber...) >= 0 && h.col(ebaySaleDate...) >= 0 &&
				h.col(ebayQuantity...) >= 0 && (h.col(ebayItemTitle...) >= 0 || h.col(ebayItemNumber...) >= 0) &&
				(h.col(ebaySoldFor...) >= 0 || h.col(ebayTotal...) >= 0)
		},
		parse: parseEbayOrders,
	}}
}

// parseEbayOrders reads Seller Hub › Reports › Downloads › Orders. The file opens with a blank line or a
// line of bare commas above the header (File.findHeader looks past it), a padding row of empty strings
// follows the header (a blank row, skipped), and "N record(s) downloaded" and "Seller ID : x" lines close
// it. An order of several items is a summary row (no Item Number or Item Title, the total quantity and
// the order's money) followed by one row per item with the order's money left blank; an order of one
// item is a single row holding both. Rows belong together by Order Number, or by Sales Record Number on
// the orders that have no Order Number.
func parseEbayOrders(p *parser) iter.Seq[data.ImportItem] {
	orderCol, recordCol := p.h.col(ebayOrderNumber...), p.h.col(ebaySalesRecord...)
	key := func(r Row) string {
		if ebayFooter(r) {
			return ""
		}
		if k := strings.TrimSpace(r.Cell(orderCol)); k != "" {
			return k
		}
		return strings.TrimSpace(r.Cell(recordCol))
	}
	orders := p.groupOrders(key, func(rows []Row) data.ImportItem {
		if len(rows) == 1 && ebayFooter(rows[0]) {
			return data.ImportItem{}
		}
		return ebayOrder(p, rows)
	})
	return func(yield func(data.ImportItem) bool) {
		for it := range orders {
			if it.Order == nil && len(it.Problems) == 0 {
				continue // a footer line
			}
			if !yield(it) {
				return
			}
		}
	}
}

// ebayFooter recognises the lines eBay writes under the orders: "2,record(s) downloaded,from Sep-01-26
// to Sep-30-26" (or all in one cell) and "Seller ID : some_seller".
func ebayFooter(r Row) bool {
	var filled []string
	for _, c := range r.Cells {
		if s := strings.TrimSpace(c); s != "" {
			filled = append(filled, strings.ToLower(s))
		}
	}
	if len(filled) == 0 || len(filled) > 3 {
		return false
	}
	return strings.Contains(strings.Join(filled, " "), "record(s) downloaded") || strings.HasPrefix(filled[0], "seller id")
}

// ebayIsSummary reports whether a row is an order's summary: the order's money without an item.
func ebayIsSummary(p *parser, r Row) bool {
	return strings.TrimSpace(r.Cell(p.h.col(ebayItemNumber...))) == "" && strings.TrimSpace(r.Cell(p.h.col(ebayItemTitle...))) == ""
}

// ebayOrder turns one order's rows into an order: the summary row (or the single row) gives the order's
// fields and money, once; the item rows give its lines.
func ebayOrder(p *parser, rows []Row) data.ImportItem {
	var summaries []int
	for i, row := range rows {
		if ebayIsSummary(p, row) {
			summaries = append(summaries, i)
		}
	}
	head, items := 0, rows
	switch {
	case len(rows) == 1 && len(summaries) == 1:
		r := p.reader(rows[0])
		r.errorf(p.h.col(ebayItemTitle...), "", "this order's summary row has no item rows after it; the file is incomplete or was filtered")
		return data.ImportItem{Problems: r.problems}
	case len(rows) > 1 && len(summaries) == 0:
		r := p.reader(rows[0])
		r.errorf(p.h.col(ebayOrderNumber...), strings.TrimSpace(rows[0].Cell(p.h.col(ebayOrderNumber...))),
			"%d rows share this order number but none is the order's summary row (Item Number and Item Title blank, with the Total Price); "+
				"is the file sorted or filtered, or are two orders numbered alike?", len(rows))
		return data.ImportItem{Problems: r.problems}
	case len(rows) > 1 && len(summaries) > 1:
		r := p.reader(rows[summaries[1]])
		r.errorf(p.h.col(ebayOrderNumber...), strings.TrimSpace(rows[0].Cell(p.h.col(ebayOrderNumber...))),
			"this order has a second summary row (the first is row %d); are two orders numbered alike?", rows[summaries[0]].Num)
		return data.ImportItem{Problems: r.problems}
	case len(rows) > 1:
		head = summaries[0]
		items = append(append([]Row{}, rows[:head]...), rows[head+1:]...)
	}

	r := p.reader(rows[head])
	o := data.Order{Channel: "ebay", ExternalID: r.id(ebayOrderNumber...)}
	if o.ExternalID == "" && !r.failed() {
		o.ExternalID = r.id(ebaySalesRecord...)
		if o.ExternalID == "" && !r.failed() {
			r.errorf(p.h.col(ebayOrderNumber...), "", "the order has neither an Order Number nor a Sales Record Number")
		}
	}
	o.Currency = ebayOrderCurrency(p, rows)
	// eBay writes dates without a time zone; they are read as the shop's local time.
	loc := p.location()
	o.PlacedAt = r.requiredDate(loc, ebayDates, ebaySaleDate...)
	o.PaidAt = r.date(loc, ebayDates, ebayPaidDate...)
	o.ShippedAt = r.date(loc, ebayDates, ebayShippedDate...)
	o.ShipBy = r.date(loc, ebayDates, ebayShipBy...)
	shipName := r.text(ebayShipName...)
	o.CustomerName = r.text(ebayBuyerName...)
	if o.CustomerName == "" {
		o.CustomerName = shipName
	}
	o.CustomerEmail = r.text(ebayBuyerEmail...)
	country := r.text(ebayShipCountry...)
	o.ShipTo = data.Address{Name: shipName, Line1: r.text(ebayShipAddress1...), Line2: r.text(ebayShipAddress2...),
		City: r.text(ebayShipCity...), Region: r.text(ebayShipState...), Postcode: r.postcode(country, ebayShipZip...), Country: country}
	o.Total = ebayMoney(r, o.Currency, ebayTotal...)
	o.Shipping = ebayMoney(r, o.Currency, ebayShipping...)
	o.Tax = ebayMoney(r, o.Currency, ebaySellerTax...) + ebayMoney(r, o.Currency, ebayCollectedTax...)
	if len(rows) > 1 {
		r.id(ebayTracking...) // refuses a tracking number Excel turned into 1.23E+21
	}
	problems := append([]data.Problem(nil), r.problems...)

	var units int64
	var paid, shipped []time.Time
	for _, row := range items {
		lr := p.reader(row)
		lr.id(ebayItemNumber...)
		lr.id(ebayTracking...)
		// Custom Label is the seller's own SKU. The title alone names every variation of a listing alike,
		// so the variation is added to tell them apart in the unmatched queue.
		l := data.OrderLine{SKU: stripGuard(lr.text(ebayCustomLabel...)), Name: lr.text(ebayItemTitle...), Quantity: lr.quantity(ebayQuantity...)}
		if v := strings.Trim(lr.text(ebayVariation...), "[] "); v != "" && l.Name != "" {
			l.Name += " (" + v + ")"
		}
		// Sold For is the price of one unit: on a single-item order Total Price is Sold For × Quantity plus
		// shipping and tax, and on a summary row Sold For is the items' sum.
		l.UnitPrice = ebayMoney(lr, o.Currency, ebaySoldFor...)
		if l.Quantity < 0 || l.Quantity == 0 && !lr.failed() {
			lr.errorf(p.h.col(ebayQuantity...), lr.text(ebayQuantity...), "the quantity must be at least 1")
		}
		if l.SKU == "" && l.Name == "" {
			lr.errorf(p.h.col(ebayItemTitle...), "", "the item has neither a Custom Label nor a title")
		}
		if len(rows) > 1 {
			paid = append(paid, lr.date(loc, ebayDates, ebayPaidDate...))
			shipped = append(shipped, lr.date(loc, ebayDates, ebayShippedDate...))
		}
		problems = append(problems, lr.problems...)
		units += l.Quantity
		o.Subtotal += l.UnitPrice * l.Quantity
		o.Lines = append(o.Lines, l)
	}
	if len(rows) > 1 {
		qtyCol := p.h.col(ebayQuantity...)
		if raw := strings.TrimSpace(rows[head].Cell(qtyCol)); raw != "" {
			if q, ok := parseWhole(raw); ok && q != units {
				problems = append(problems, data.Problem{Row: rows[head].Num, Column: p.h.name(qtyCol), Value: raw, Warning: true,
					Reason: fmt.Sprintf("the summary row counts %d items but the order's item rows add up to %d; are some of its rows missing from the file?", q, units)})
			}
		}
		// Items of one order can ship on different days: the order has shipped once all of them have.
		if o.PaidAt.IsZero() {
			o.PaidAt = earliest(paid)
		}
		if o.ShippedAt.IsZero() {
			o.ShippedAt = allShipped(shipped)
		}
	}
	switch {
	case !o.ShippedAt.IsZero():
		o.Status = data.StatusShipped
	case !o.PaidAt.IsZero():
		o.Status = data.StatusPaid
	default:
		o.Status = data.StatusNew
	}
	return data.ImportItem{Order: &o, Problems: problems}
}

// earliest is the first of times that is set, or zero.
func earliest(times []time.Time) time.Time {
	var first time.Time
	for _, t := range times {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// allShipped is the latest of times when every one is set, else zero.
func allShipped(times []time.Time) time.Time {
	var last time.Time
	for _, t := range times {
		if t.IsZero() {
			return time.Time{}
		}
		if t.After(last) {
			last = t
		}
	}
	return last
}

// ebayOrderCurrency is the currency an order's amounts state (AU $3,000.00, EUR 90,00, 116,99 €), the
// first one found. A bare $ names no country: it is the shop's own dollar when the shop counts in
// dollars, else the US dollar, and the shop's currency stands when no amount states one.
func ebayOrderCurrency(p *parser, rows []Row) string {
	bare := false
	for _, row := range rows {
		for _, names := range [][]string{ebayTotal, ebaySoldFor, ebayShipping, ebaySellerTax, ebayCollectedTax} {
			raw := row.Cell(p.h.col(names...))
			switch c := currencyOf(raw); {
			case c == "":
			case bareDollar(raw):
				bare = true
			default:
				return c
			}
		}
	}
	if bare && !isDollar(p.currency()) {
		return "USD"
	}
	return p.currency()
}

// bareDollar reports whether an amount is written with a $ that names no country ($90.00, not AU $ or
// US $).
func bareDollar(raw string) bool {
	return currencyOf(raw) == "USD" && !strings.Contains(strings.ToUpper(raw), "US")
}

func isDollar(currency string) bool {
	switch currency {
	case "USD", "AUD", "CAD", "NZD", "HKD", "SGD", "TWD":
		return true
	}
	return false
}

// ebayMoney reads an amount in the order's currency and refuses one that states another: a row in US
// dollars in a euro order, or a bare $ in one.
func ebayMoney(r *rowReader, currency string, names ...string) int64 {
	i := r.h.col(names...)
	raw := r.row.Cell(i)
	if strings.TrimSpace(raw) == "" {
		return 0
	}
	c := currencyOf(raw)
	if bareDollar(raw) && isDollar(currency) {
		c = currency
	}
	if c != "" && c != currency {
		r.errorf(i, raw, "the amount is in %s but the order is in %s", c, currency)
		return 0
	}
	return r.money(currency, names...)
}
