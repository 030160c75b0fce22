package ordermail

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

var (
	isAmount = regexp.MustCompile(`^-?(?:[A-Z]{0,3} ?[$€£¥]|[A-Z]{3} )? ?-?\d[\d.,' ]*(?: ?(?:[€£$]|[A-Z]{3}|zł|kr))?$`)
	priceQty = regexp.MustCompile(`^(.+?)\s*[×x]\s*(\d+)$`)
	// leadAmount is an amount followed by words, "6,96 € via DHL" or "75,44 € (includes 12,05 € VAT)".
	leadAmount = regexp.MustCompile(`^-?(?:[A-Z]{0,3} ?[$€£¥]|[A-Z]{3} )? ?-?\d(?:[\d.,']*\d)?(?: ?(?:[€£$]|[A-Z]{3}\b|zł|kr\b))?`)
	moneyMark  = regexp.MustCompile(`[$€£¥]|\b[A-Z]{3}\b`)
)

// leading is the amount s starts with, or "".
func leading(s string) string {
	if isAmount.MatchString(s) {
		return s
	}
	if m := leadAmount.FindString(s); m != "" && (len(m) == len(s) || s[len(m)] == ' ') {
		return strings.TrimSpace(m)
	}
	return ""
}

// isMoney is an amount with its currency mark, which a variant or a quantity never has.
func isMoney(s string) bool { return isAmount.MatchString(s) && moneyMark.MatchString(s) }

// amountAfter finds a labelled amount from start on: "Subtotal $66.98", "Subtotal:" then "$66.98" on
// the next line. A line that only starts like the label ("Shipping address") is passed over.
func (ls textLines) amountAfter(start int, labels ...string) (string, int) {
	for i := max(start, 0); i < len(ls); i++ {
		for _, label := range labels {
			l := ls[i]
			if len(l) < len(label) || !strings.EqualFold(l[:len(label)], label) {
				continue
			}
			rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l[len(label):]), ":"))
			if rest == "" && i+1 < len(ls) && leading(ls[i+1]) != "" {
				return leading(ls[i+1]), i + 1
			}
			if v := leading(rest); rest != "" && v != "" {
				return v, i
			}
		}
	}
	return "", -1
}

// block is the lines after the line heading (exclusive) up to the first line starting with one of
// stops, at most limit lines.
func (ls textLines) block(heading string, limit int, stops ...string) []string {
	i := ls.index(0, heading, heading+":")
	if i < 0 {
		return nil
	}
	var out []string
	for _, l := range ls[i+1:] {
		for _, s := range stops {
			if len(l) >= len(s) && strings.EqualFold(l[:len(s)], s) {
				return out
			}
		}
		if len(out) == limit {
			break
		}
		out = append(out, l)
	}
	return out
}

var (
	shopifyPlaced = regexp.MustCompile(`(?i)(.+?) placed order (#?\S+) on ([A-Z][a-z]{2} \d{1,2}) at (\d{1,2}:\d{2}) ?([ap]m)`)
	skuPart       = regexp.MustCompile(`(?:^|\s*[•·|]\s*)SKU:\s*(\S.*)$`)
)

// parseShopify reads Shopify's staff "Order #1001 placed by …" notification. Its item list is title,
// "price × quantity", "variant • SKU: …" and the line's total, as the default template writes them.
func parseShopify(mt mailText) (*data.Order, []data.Problem, error) {
	m := shopifySubj.FindStringSubmatch(mt.subject)
	o := &data.Order{ExternalID: m[2], CustomerName: strings.TrimSpace(m[3])}
	var problems []data.Problem
	ls := mt.lines
	joined := strings.Join(ls, " ")
	if p := shopifyPlaced.FindStringSubmatch(joined); p != nil {
		if p[2] != o.ExternalID {
			problems = append(problems, data.Problem{Column: "Subject", Value: o.ExternalID,
				Reason: fmt.Sprintf("the subject names order %s but the text order %s", o.ExternalID, p[2]), Warning: true})
		}
		if t, ok := dayInYear("Jan 2 3:04 pm", p[3]+" "+p[4]+" "+strings.ToLower(p[5]), mt.date, false); ok {
			o.PlacedAt = t
		}
	}
	if o.PlacedAt.IsZero() {
		o.PlacedAt = mt.date
		problems = append(problems, data.Problem{Column: "Order date", Reason: "the text gives no order time; the e-mail's time was taken", Warning: true})
	}
	start := ls.index(0, "Order summary")
	end := -1
	if start >= 0 {
		if _, end = ls.amountAfter(start, "Subtotal"); end > 0 && !strings.HasPrefix(ls[end], "Subtotal") {
			end-- // the label's line, not its value's
		}
	}
	if start < 0 || end < 0 {
		return nil, problems, errors.New("no order summary with a subtotal was found")
	}
	a := &amounts{}
	// "Total $86.98 CAD": the code decides what the $ of every other amount is.
	if t, _ := ls.amountAfter(end, "Total"); t != "" {
		if f := strings.Fields(t); len(f) == 2 && data.ValidCurrency(f[1]) {
			a.currency = f[1]
		}
	}
	var titles []int
	for i := start + 1; i < end; i++ {
		if q := priceQty.FindStringSubmatch(ls[i]); q != nil {
			titles = append(titles, i)
		}
	}
	for k, i := range titles {
		q := priceQty.FindStringSubmatch(ls[i])
		qty, _ := strconv.ParseInt(q[2], 10, 64)
		l := data.OrderLine{Quantity: qty}
		title := q[1]
		if isAmount.MatchString(q[1]) {
			l.UnitPrice = a.read("Price", q[1])
			title = ""
			if i-1 > start && (k == 0 || i-1 > titles[k-1]) {
				title = ls[i-1]
			}
		}
		next := end
		if k+1 < len(titles) {
			next = titles[k+1]
			if isAmount.MatchString(priceQty.FindStringSubmatch(ls[next])[1]) {
				next-- // the next item's title line
			}
		}
		variant, lineTotal := "", int64(-1)
		for _, s := range ls[i+1 : max(next, i+1)] {
			switch {
			case skuPart.MatchString(s):
				sm := skuPart.FindStringSubmatchIndex(s)
				l.SKU = strings.TrimSpace(s[sm[2]:sm[3]])
				if v := strings.TrimSpace(s[:sm[0]]); v != "" {
					variant = v
				}
			case isMoney(s):
				lineTotal = a.read("Line price", s)
			case variant == "":
				variant = s
			}
		}
		if l.UnitPrice == 0 && lineTotal > 0 {
			l.UnitPrice = unitPrice(lineTotal, qty, "Line price", &problems)
		}
		l.Name = title
		if variant != "" && variant != "Default Title" {
			// Shopify's order export names a variant's line "Title - Variant"; the e-mail writes the
			// same so the export's line replaces this one without a change.
			l.Name = title + " - " + variant
		}
		o.Lines = append(o.Lines, l)
	}
	if len(o.Lines) == 0 {
		return nil, problems, errors.New("the order summary lists no items")
	}
	total, _ := ls.amountAfter(end, "Total")
	o.Total = a.read("Total", total)
	sub, _ := ls.amountAfter(start, "Subtotal")
	o.Subtotal = a.read("Subtotal", sub)
	ship, _ := ls.amountAfter(end, "Shipping")
	o.Shipping = a.read("Shipping", ship)
	tax, _ := ls.amountAfter(end, "Taxes", "Tax")
	o.Tax = a.read("Taxes", tax)
	disc, _ := ls.amountAfter(end, "Discounts", "Discount")
	o.Discount = -a.read("Discount", disc)
	if o.Discount < 0 {
		o.Discount = -o.Discount
	}
	addr := ls.block("Shipping address", 8, "Billing address", "Shipping method", "Delivery method", "Customer", "Payment")
	var ap []data.Problem
	o.ShipTo, ap = parseAddress(addr)
	problems = append(problems, ap...)
	if e, _ := ls.value(0, "Customer Email:"); e != "" {
		o.CustomerEmail = e
	}
	return finish(o, a, problems)
}

// finish sets the currency the amounts stated and checks the total against its parts.
func finish(o *data.Order, a *amounts, problems []data.Problem) (*data.Order, []data.Problem, error) {
	problems = append(problems, a.problems...)
	if err := errorOf(a.problems); err != nil {
		return nil, problems, err
	}
	if o.Currency == "" {
		o.Currency = a.currency
	}
	if o.Currency == "" {
		return nil, problems, errors.New("no amount states its currency")
	}
	if o.Subtotal == 0 {
		for _, l := range o.Lines {
			o.Subtotal += l.UnitPrice * l.Quantity
		}
	}
	if o.Total != 0 && o.Subtotal+o.Shipping+o.Tax-o.Discount != o.Total {
		problems = append(problems, data.Problem{Column: "Total", Value: data.FormatMoney(o.Total, o.Currency),
			Reason: fmt.Sprintf("is not the subtotal, shipping and tax less discounts (%s)",
				data.FormatMoney(o.Subtotal+o.Shipping+o.Tax-o.Discount, o.Currency)), Warning: true})
	}
	return o, problems, nil
}

var (
	etsyBodyNo    = regexp.MustCompile(`Your order number is:\s*(\d+)`)
	etsyVariation = regexp.MustCompile(`^([A-Z][\w'’ ./-]{0,40}):\s*(.+)$`)
)

// etsyLabels start lines that are never an item's title or variation.
var etsyLabels = []string{"Shop:", "Transaction ID:", "Quantity:", "Price:", "Shipping address", "Order details",
	"Payment method", "Purchase Shipping Label", "Congratulations", "Your order number", "Order total", "Item total", "Sales tax"}

func isEtsyLabel(l string) bool {
	for _, p := range etsyLabels {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// parseEtsy reads Etsy's "You made a sale" notification. Etsy prints no SKU, so a line is its title
// with its variations ("Size: Large") in brackets, as the Etsy export importer names it.
func parseEtsy(mt mailText) (*data.Order, []data.Problem, error) {
	ls := mt.lines
	var problems []data.Problem
	o := &data.Order{PlacedAt: mt.date}
	sm := etsySubj.FindStringSubmatch(mt.subject)
	if bm := etsyBodyNo.FindStringSubmatch(strings.Join(ls, "\n")); bm != nil {
		o.ExternalID = bm[1]
	}
	if sm != nil {
		if o.ExternalID != "" && o.ExternalID != sm[3] {
			return nil, problems, fmt.Errorf("the subject names order %s but the text order %s", sm[3], o.ExternalID)
		}
		o.ExternalID = sm[3]
		if sm[1] != "" {
			if t, ok := dayInYear("Jan 2", sm[1], mt.date, true); ok {
				o.ShipBy = t
			}
		}
	}
	if o.ExternalID == "" {
		return nil, problems, errors.New("no order number was found")
	}
	a := &amounts{}
	for i, l := range ls {
		if !strings.HasPrefix(l, "Quantity:") {
			continue
		}
		qty, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(l, "Quantity:")), 10, 64)
		if err != nil {
			return nil, problems, fmt.Errorf("quantity %q is not a whole number", l)
		}
		price, _ := ls.value(i+1, "Price:")
		line := data.OrderLine{Quantity: qty, UnitPrice: a.read("Price", price)}
		// Walk back over Transaction ID and Shop to the variations, and over them to the title.
		j := i - 1
		for j >= 0 && (strings.HasPrefix(ls[j], "Transaction ID:") || strings.HasPrefix(ls[j], "Shop:")) {
			j--
		}
		var variations []string
		for j >= 0 && !isEtsyLabel(ls[j]) && etsyVariation.MatchString(ls[j]) {
			variations = append([]string{ls[j]}, variations...)
			j--
		}
		if j < 0 || isEtsyLabel(ls[j]) {
			return nil, problems, fmt.Errorf("item %d has no title", len(o.Lines)+1)
		}
		line.Name = ls[j]
		if len(variations) > 0 {
			line.Name += " (" + strings.Join(variations, ", ") + ")"
		}
		o.Lines = append(o.Lines, line)
	}
	if len(o.Lines) == 0 {
		return nil, problems, errors.New("no items were found")
	}
	sums := ls.index(0, "Order total")
	sub, _ := ls.amountAfter(sums, "Item total")
	o.Subtotal = a.read("Item total", sub)
	ship, _ := ls.amountAfter(sums, "Shipping")
	o.Shipping = a.read("Shipping", ship)
	tax, _ := ls.amountAfter(sums, "Sales tax", "Tax", "VAT")
	o.Tax = a.read("Sales tax", tax)
	disc, _ := ls.amountAfter(sums, "Discount", "Shop discount", "Coupon")
	o.Discount = a.read("Discount", disc)
	if o.Discount < 0 {
		o.Discount = -o.Discount
	}
	total, _ := ls.amountAfter(sums, "Order total:")
	o.Total = a.read("Order total", total)
	if sm != nil {
		// The subject repeats the total; it is checked, not added.
		if v := a.read("Subject", sm[2]); o.Total == 0 {
			o.Total = v
		} else if v != o.Total {
			problems = append(problems, data.Problem{Column: "Subject", Value: sm[2], Reason: "the subject's total differs from the order total", Warning: true})
		}
	}
	addr := ls.block("Shipping address", 7, "Purchase Shipping Label", "Order details", "Payment method", "Congratulations")
	var ap []data.Problem
	o.ShipTo, ap = parseAddress(addr)
	problems = append(problems, ap...)
	o.CustomerName = o.ShipTo.Name
	return finish(o, a, problems)
}

var (
	ebayOrder = regexp.MustCompile(`^(\d{2}-\d{5}-\d{5})$`)
	ebayDate  = []string{"Jan 02, 2006 15:04", "Jan 2, 2006 15:04", "02 Jan 2006 15:04", "Jan 02, 2006 3:04 PM"}
)

// parseEbay reads eBay's "You made the sale for …". The body cuts long titles short, so the title is
// the subject's. A variation prints as its name on one line and its value on the next, between the
// sale date and "Buyer:".
func parseEbay(mt mailText) (*data.Order, []data.Problem, error) {
	ls := mt.lines
	var problems []data.Problem
	title := ebaySubj.FindStringSubmatch(mt.subject)[1]
	o := &data.Order{}
	id, at := ls.value(0, "Order:", "Order number:")
	if !ebayOrder.MatchString(id) {
		return nil, problems, errors.New("no order number like 12-34567-89012 was found")
	}
	o.ExternalID = id
	a := &amounts{}
	sold, soldAt := ls.amountAfter(0, "Sold:", "Sold for:")
	if soldAt < 0 {
		return nil, problems, errors.New("no sale price was found")
	}
	line := data.OrderLine{Name: title, Quantity: 1}
	if q, _ := ls.value(0, "Quantity:", "Quantity sold:"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 1 {
			return nil, problems, fmt.Errorf("quantity %q is not a whole number", q)
		}
		line.Quantity = n
	}
	if sku, _ := ls.value(0, "Custom label:", "Custom label (SKU):"); sku != "" {
		line.SKU = sku
	}
	soldFor := a.read("Sold", sold)
	// "Sold:" is what the buyer paid for the item, all units together.
	line.UnitPrice = unitPrice(soldFor, line.Quantity, "Sold", &problems)
	o.Subtotal = soldFor
	ship, _ := ls.amountAfter(0, "Shipping:")
	o.Shipping = a.read("Shipping", ship)
	o.Total = o.Subtotal + o.Shipping // before the sales tax eBay collects, which the mail leaves out
	ds, dsAt := ls.value(at, "Date sold:")
	loc := time.UTC
	if !mt.date.IsZero() {
		loc = mt.date.Location()
	}
	for _, l := range ebayDate {
		if t, err := time.ParseInLocation(l, ds, loc); err == nil {
			o.PlacedAt = t
			break
		}
	}
	if o.PlacedAt.IsZero() {
		o.PlacedAt = mt.date
		problems = append(problems, data.Problem{Column: "Date sold", Value: ds, Reason: "is not a date; the e-mail's time was taken", Warning: true})
	}
	if sb, _ := ls.value(0, "Ship by:"); sb != "" {
		if t, err := time.ParseInLocation("Jan 02, 2006", sb, loc); err == nil {
			o.ShipBy = t
		}
	}
	if buyer := ls.index(max(dsAt, 0), "Buyer:"); dsAt >= 0 && buyer > dsAt+1 {
		var vs []string
		for k := dsAt + 1; k+1 < buyer; k += 2 {
			vs = append(vs, ls[k]+": "+ls[k+1])
		}
		if len(vs) > 0 {
			line.Name += " (" + strings.Join(vs, ", ") + ")"
		}
	}
	o.Lines = []data.OrderLine{line}
	addr := ls.block("Your buyer's shipping details:", 7, "Ship by", "Get a shipping label", "Print")
	var ap []data.Problem
	o.ShipTo, ap = parseAddress(addr)
	problems = append(problems, ap...)
	o.CustomerName = o.ShipTo.Name
	return finish(o, a, problems)
}

var (
	amazonOrder = regexp.MustCompile(`^\d{3}-\d{7}-\d{7}$`)
	amazonDates = []string{"Jan 2, 2006", "January 2, 2006", "2006-01-02", "02/01/2006", "2 Jan 2006"}
)

// parseAmazon reads Seller Central's "Sold, ship now". It has no buyer address: Amazon keeps that in
// Seller Central. Each item is a block starting with "Item:"; "Price:" is the units' total, as in
// Amazon's order reports.
func parseAmazon(mt mailText) (*data.Order, []data.Problem, error) {
	ls := mt.lines
	var problems []data.Problem
	o := &data.Order{}
	id, _ := ls.value(0, "Order ID:")
	if !amazonOrder.MatchString(id) {
		return nil, problems, errors.New("no order id like 123-1234567-1234567 was found")
	}
	o.ExternalID = id
	loc := time.UTC
	if !mt.date.IsZero() {
		loc = mt.date.Location()
	}
	day := func(s string) time.Time {
		for _, l := range amazonDates {
			if t, err := time.ParseInLocation(l, s, loc); err == nil {
				return t
			}
		}
		return time.Time{}
	}
	if d, _ := ls.value(0, "Order date:"); d != "" {
		if t := day(d); !t.IsZero() {
			o.PlacedAt = onDay(t, mt.date)
		}
	}
	if o.PlacedAt.IsZero() {
		o.PlacedAt = mt.date
	}
	if d, _ := ls.value(0, "Ship by:"); d != "" {
		o.ShipBy = day(d)
	}
	a := &amounts{}
	for i, l := range ls {
		if !strings.HasPrefix(l, "Item:") {
			continue
		}
		next := len(ls)
		for k := i + 1; k < len(ls); k++ {
			if strings.HasPrefix(ls[k], "Item:") {
				next = k
				break
			}
		}
		blk := textLines(ls[i:next])
		line := data.OrderLine{Name: strings.TrimSpace(strings.TrimPrefix(l, "Item:")), Quantity: 1}
		line.SKU, _ = blk.value(0, "SKU:")
		if q, _ := blk.value(0, "Quantity:"); q != "" {
			n, err := strconv.ParseInt(q, 10, 64)
			if err != nil || n < 1 {
				return nil, problems, fmt.Errorf("quantity %q is not a whole number", q)
			}
			line.Quantity = n
		}
		p, _ := blk.amountAfter(0, "Price:")
		price := a.read("Price", p)
		line.UnitPrice = unitPrice(price, line.Quantity, "Price", &problems)
		o.Subtotal += price
		s, _ := blk.amountAfter(0, "Shipping:")
		o.Shipping += a.read("Shipping", s)
		t, _ := blk.amountAfter(0, "Tax:", "Sales tax:")
		o.Tax += a.read("Tax", t)
		o.Lines = append(o.Lines, line)
	}
	if len(o.Lines) == 0 {
		return nil, problems, errors.New("no items were found")
	}
	o.Total = o.Subtotal + o.Shipping + o.Tax
	return finish(o, a, problems)
}
