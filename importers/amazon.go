package importers

import (
	"iter"
	"regexp"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

// amazonTime is how Amazon's flat files write dates: ISO-8601 with an offset (+00:00) or Z. A date
// without one, left by hand editing, is read in the shop's zone.
var amazonTime = []string{time.RFC3339, "2006-01-02T15:04:05"}

// amazonOrderID is the shape of an Amazon order number: 3-7-7 digits, 113-4521987-1234502.
var amazonOrderID = regexp.MustCompile(`^\d{3}-\d{7}-\d{7}$`)

// amazonReport is which of Amazon's order reports a file is; they share most columns and differ in
// what they know about status, money and quantities.
type amazonReport int

const (
	amazonAllOrders   amazonReport = iota // Reports › Fulfillment › All Orders: status and money, no buyer
	amazonOrderReport                     // Orders › Order Reports › New Orders: buyer and money, no status
	amazonUnshipped                       // Orders › Order Reports › Unshipped: buyer and promise date, no money
)

// amazonFormats lists the layouts this file reads: Seller Central's three order reports, all
// tab-separated flat files without quoting, one row per order item.
func amazonFormats() []*Format {
	parse := func(report amazonReport) func(*parser) iter.Seq[data.ImportItem] {
		return func(p *parser) iter.Seq[data.ImportItem] { return parseAmazonOrders(p, report) }
	}
	return []*Format{
		{
			// The classic 32-column header and the 2024+ superset share these.
			ID: "amazon-all-orders", Name: "Amazon All Orders report", Channel: "amazon", Kind: KindOrders,
			required: []string{"amazon-order-id", "purchase-date", "order-status", "product-name", "sku", "quantity", "item-price"},
			parse:    parse(amazonAllOrders),
		},
		{
			// US and EU variants; the EU one adds billing and promotion columns.
			ID: "amazon-order-report", Name: "Amazon Order Report (New Orders)", Channel: "amazon", Kind: KindOrders,
			required: []string{"order-id", "order-item-id", "purchase-date", "sku", "product-name", "quantity-purchased", "currency", "item-price"},
			parse:    parse(amazonOrderReport),
		},
		{
			// Nine columns, more than the Order Report's eight, so a newer unshipped download that also
			// carries prices is still read as what it is.
			ID: "amazon-unshipped", Name: "Amazon Unshipped Orders report", Channel: "amazon", Kind: KindOrders,
			required: []string{"order-id", "order-item-id", "purchase-date", "reporting-date", "promise-date", "sku", "product-name", "quantity-purchased", "quantity-to-ship"},
			parse:    parse(amazonUnshipped),
		},
	}
}

func parseAmazonOrders(p *parser, report amazonReport) iter.Seq[data.ImportItem] {
	idCol := p.h.col("amazon-order-id", "order-id")
	return p.groupOrders(func(r Row) string { return strings.TrimSpace(r.Cell(idCol)) }, func(rows []Row) data.ImportItem {
		return amazonOrder(p, report, idCol, rows)
	})
}

// amazonOrder builds one order from its item rows. The order's own fields are read from its first row
// (Amazon repeats them on every item row); money is summed over the items, because every amount in
// these reports belongs to its item row: item-price is the line total, not the order's.
func amazonOrder(p *parser, report amazonReport, idCol int, rows []Row) data.ImportItem {
	r := p.reader(rows[0])
	id := r.id("amazon-order-id", "order-id")
	if id == "" {
		if !r.failed() {
			r.errorf(idCol, "", "the order id is empty")
		}
		return data.ImportItem{Problems: r.problems}
	}
	if channel := r.text("sales-channel"); strings.EqualFold(channel, "Non-Amazon") {
		// Multi-Channel Fulfillment: Amazon shipped an order sold elsewhere. It is that channel's order,
		// and importing it here would count the sale twice.
		r.warnf(p.h.col("sales-channel"), channel, "order %s was sold on another channel (its number there is %q) and only shipped by Amazon, "+
			"so it is left out here; import it from the channel that sold it", id, r.text("merchant-order-id"))
		return data.ImportItem{Problems: r.problems}
	}
	if !amazonOrderID.MatchString(id) {
		r.warnf(idCol, id, "Amazon order numbers are written like 113-4521987-1234502; this one is not, check that the file is an Amazon report")
	}

	o := data.Order{Channel: "amazon", ExternalID: id}
	o.Currency = amazonCurrency(p, rows, r)
	o.PlacedAt = r.requiredDate(p.location(), amazonTime, "purchase-date")
	o.PaidAt = r.date(p.location(), amazonTime, "payments-date")
	o.ShipBy = r.date(p.location(), amazonTime, "promise-date", "latest-ship-date")
	o.CustomerEmail = r.text("buyer-email")
	o.CustomerName = r.text("buyer-name")
	country := r.text("ship-country")
	o.ShipTo = data.Address{
		Name:  r.text("recipient-name"),
		Line1: r.text("ship-address-1"), Line2: joinFilled(", ", r.text("ship-address-2"), r.text("ship-address-3")),
		City: r.text("ship-city"), Region: r.text("ship-state"), Postcode: r.postcode(country, "ship-postal-code"), Country: country,
	}
	if o.CustomerName == "" {
		// The Unshipped report's documented header has no buyer-name; the recipient is the best name there is.
		o.CustomerName = o.ShipTo.Name
	}
	switch report {
	case amazonAllOrders:
		raw := r.text("order-status")
		status, known := amazonStatus(raw)
		if !known {
			r.warnf(p.h.col("order-status"), raw, "is not an order status Backroom knows (Pending, Unshipped, Shipped, Cancelled); the order was read as paid, to be shipped")
		}
		o.Status = status
		if every := amazonAllItemsCancelled(p, rows); every && status != data.StatusCancelled {
			// The report keeps an order's status from before its items were cancelled.
			r.warnf(p.h.col("item-status"), "Cancelled", "every item of order %s was cancelled, so the order is read as cancelled although its order-status is %s", id, raw)
			o.Status = data.StatusCancelled
		}
	case amazonOrderReport:
		// The Order Report has no status; a payments-date says the buyer has paid.
		o.Status = data.StatusNew
		if !o.PaidAt.IsZero() {
			o.Status = data.StatusPaid
		}
	case amazonUnshipped:
		o.Status = data.StatusPaid
	}
	problems := r.problems

	for _, row := range rows {
		lr := p.reader(row)
		if l, ok := amazonLine(p, report, lr, &o); ok {
			o.Lines = append(o.Lines, l)
		}
		problems = append(problems, lr.problems...)
	}
	o.Total = o.Subtotal + o.Shipping + o.Tax - o.Discount
	return data.ImportItem{Order: &o, Problems: problems}
}

// amazonLine reads one item row into a line and adds its amounts to the order; ok is false for an item
// that is not part of the order (cancelled) or whose row is broken.
func amazonLine(p *parser, report amazonReport, lr *rowReader, o *data.Order) (data.OrderLine, bool) {
	if itemID := lr.id("order-item-id"); itemID != "" && digitCount(itemID) != len(itemID) {
		lr.errorf(p.h.col("order-item-id"), itemID, "an order-item-id is a number of 14 digits")
	}
	qtyNames := []string{"quantity-purchased", "quantity"}
	if report == amazonUnshipped && p.h.col("quantity-purchased") < 0 {
		qtyNames = []string{"quantity-to-ship"}
	}
	qtyCol := p.h.col(qtyNames...)
	qty := lr.quantity(qtyNames...)
	itemStatus := lr.text("item-status")
	itemCancelled := amazonCancelled(itemStatus)
	switch {
	case lr.failed():
		return data.OrderLine{}, false
	case o.Status == data.StatusCancelled && qty == 0:
		// A cancelled order's items are listed with nothing ordered; there is no line to keep.
		return data.OrderLine{}, false
	case itemCancelled && o.Status != data.StatusCancelled:
		lr.warnf(p.h.col("item-status"), itemStatus, "this item of order %s was cancelled; it and its amounts are left out of the order", o.ExternalID)
		return data.OrderLine{}, false
	case qty < 1:
		lr.errorf(qtyCol, lr.row.Cell(qtyCol), "the quantity must be at least 1")
		return data.OrderLine{}, false
	}
	if report == amazonUnshipped {
		if toShip, ok := parseWhole(lr.row.Cell(p.h.col("quantity-to-ship"))); ok && toShip < qty && p.h.col("quantity-purchased") >= 0 {
			lr.warnf(p.h.col("quantity-to-ship"), lr.text("quantity-to-ship"), "%d of the %d ordered are still to ship; the order lists all %d", toShip, qty, qty)
		}
	}

	cur := o.Currency
	price := lr.money(cur, "item-price")
	o.Subtotal += price
	o.Shipping += lr.money(cur, "shipping-price") + lr.money(cur, "gift-wrap-price") // the order has no field for gift wrap; it is a charge beside the items like shipping
	o.Tax += lr.money(cur, "item-tax") + lr.money(cur, "shipping-tax") + lr.money(cur, "gift-wrap-tax")
	// Amazon writes promotions as negative amounts in some reports and positive in others.
	o.Discount += absAmount(lr.money(cur, "item-promotion-discount")) + absAmount(lr.money(cur, "ship-promotion-discount"))

	unit, exact := roundHalfEven(price, qty)
	if !exact {
		lr.warnf(p.h.col("item-price"), lr.text("item-price"), "is the price of all %d units and does not divide evenly; the unit price was rounded to %s and the order's subtotal keeps the exact amount",
			qty, data.FormatMoney(unit, cur))
	}
	l := data.OrderLine{SKU: lr.text("sku"), Name: lr.text("product-name"), Quantity: qty, UnitPrice: unit}
	if l.SKU == "" && l.Name == "" {
		lr.errorf(p.h.col("sku"), "", "the item has neither a SKU nor a product name")
		return data.OrderLine{}, false
	}
	return l, !lr.failed()
}

// amazonAllItemsCancelled reports whether the item-status of every row says cancelled.
func amazonAllItemsCancelled(p *parser, rows []Row) bool {
	col := p.h.col("item-status")
	if col < 0 {
		return false
	}
	for _, row := range rows {
		if !amazonCancelled(row.Cell(col)) {
			return false
		}
	}
	return true
}

func amazonCancelled(itemStatus string) bool {
	s := strings.TrimSpace(itemStatus)
	return strings.EqualFold(s, "Cancelled") || strings.EqualFold(s, "Canceled")
}

// amazonCurrency is the order's currency: the currency column where a row fills it (Pending orders
// leave it empty), else the marketplace's, from the sales channel or the buyer's relay address (the
// Unshipped report has no currency column), else the shop's. Rows of one order must agree.
func amazonCurrency(p *parser, rows []Row, r *rowReader) string {
	col := p.h.col("currency")
	cur := ""
	for _, row := range rows {
		c := strings.ToUpper(strings.TrimSpace(row.Cell(col)))
		cr := p.reader(row)
		switch {
		case c == "":
		case !data.ValidCurrency(c):
			cr.errorf(col, row.Cell(col), "is not a currency code such as USD or EUR")
		case cur == "":
			cur = c
		case c != cur:
			cr.errorf(col, row.Cell(col), "the order's items are in two currencies, %s and %s", cur, c)
		}
		r.problems = append(r.problems, cr.problems...)
	}
	if cur != "" {
		return cur
	}
	if c := amazonMarketplaceCurrency(r.row.Cell(p.h.col("sales-channel"))); c != "" {
		return c
	}
	if c := amazonMarketplaceCurrency(r.row.Cell(p.h.col("buyer-email"))); c != "" {
		return c
	}
	return p.currency()
}

// amazonMarketplaces maps a marketplace's domain to its currency, longest domains first so amazon.com.au
// is not taken for amazon.com.
var amazonMarketplaces = []struct{ domain, currency string }{
	{"amazon.com.au", "AUD"}, {"amazon.com.be", "EUR"}, {"amazon.com.br", "BRL"}, {"amazon.com.mx", "MXN"}, {"amazon.com.tr", "TRY"},
	{"amazon.co.jp", "JPY"}, {"amazon.co.uk", "GBP"}, {"amazon.ae", "AED"}, {"amazon.ca", "CAD"}, {"amazon.de", "EUR"},
	{"amazon.eg", "EGP"}, {"amazon.es", "EUR"}, {"amazon.fr", "EUR"}, {"amazon.ie", "EUR"}, {"amazon.in", "INR"},
	{"amazon.it", "EUR"}, {"amazon.nl", "EUR"}, {"amazon.pl", "PLN"}, {"amazon.sa", "SAR"}, {"amazon.se", "SEK"},
	{"amazon.sg", "SGD"}, {"amazon.com", "USD"},
}

// amazonMarketplaceCurrency reads the marketplace from a sales channel ("Amazon.it") or a buyer relay
// address ("…@marketplace.amazon.in"); "" when s names none.
func amazonMarketplaceCurrency(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, domain, ok := strings.Cut(s, "@"); ok {
		s = strings.TrimPrefix(domain, "marketplace.")
	}
	for _, m := range amazonMarketplaces {
		if s == m.domain {
			return m.currency
		}
	}
	return ""
}

// amazonStatus maps the All Orders report's order-status. Amazon.in and Easy Ship write states like
// "Shipped - Delivered to Buyer" and "Pending - Waiting for Pick Up"; the part before the dash decides,
// except for a delivery. known is false for a status not listed, which is read as paid so the order
// stays on the pick list rather than vanishing.
func amazonStatus(s string) (status data.Status, known bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	main, detail, _ := strings.Cut(s, " - ")
	switch {
	case main == "shipped" && strings.HasPrefix(detail, "delivered"):
		return data.StatusDelivered, true
	case main == "pending" || main == "pendingavailability" || main == "pending availability":
		return data.StatusNew, true
	case main == "unshipped" || main == "shipping" || main == "partiallyshipped" || main == "partially shipped":
		return data.StatusPaid, true
	case main == "shipped":
		return data.StatusShipped, true
	case main == "cancelled" || main == "canceled":
		return data.StatusCancelled, true
	}
	return data.StatusPaid, false
}

// roundHalfEven divides a line total by its quantity; exact is false when it does not divide evenly and
// the unit price had to be rounded (half to even, so rounding errors do not all lean one way).
func roundHalfEven(total, qty int64) (unit int64, exact bool) {
	if qty <= 0 {
		return total, true
	}
	neg := total < 0
	if neg {
		total = -total
	}
	unit, rem := total/qty, total%qty
	if 2*rem > qty || 2*rem == qty && unit%2 == 1 {
		unit++
	}
	if neg {
		unit = -unit
	}
	return unit, rem == 0
}

func absAmount(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// joinFilled joins the parts that are not blank.
func joinFilled(sep string, parts ...string) string {
	var kept []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, sep)
}
