package ordermail

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/backroom-app/backroom/data"
)

// ldValue is a JSON-LD scalar WooCommerce writes as a string or a number ("29.99", 29.99, 1).
type ldValue string

func (v *ldValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = ldValue(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("read JSON-LD value %s: %w", b, err)
	}
	*v = ldValue(n.String())
	return nil
}

// ldOrder is the schema.org Order WooCommerce core puts in its HTML order e-mails
// (class-wc-structured-data.php).
type ldOrder struct {
	Type          string  `json:"@type"`
	OrderNumber   ldValue `json:"orderNumber"`
	OrderDate     string  `json:"orderDate"`
	OrderStatus   string  `json:"orderStatus"`
	Price         ldValue `json:"price"`
	PriceCurrency string  `json:"priceCurrency"`
	Discount      ldValue `json:"discount"`
	AcceptedOffer []struct {
		Price       ldValue `json:"price"` // the line's subtotal, not a unit price
		ItemOffered struct {
			Name string `json:"name"`
			SKU  string `json:"sku"`
		} `json:"itemOffered"`
		PriceSpecification struct {
			EligibleQuantity struct {
				Value ldValue `json:"value"`
			} `json:"eligibleQuantity"`
		} `json:"priceSpecification"`
	} `json:"acceptedOffer"`
	Customer struct {
		Name string `json:"name"`
	} `json:"customer"`
	BillingAddress struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"billingAddress"`
}

// parseWoo reads WooCommerce's admin "New order" e-mail: the JSON-LD order first, since it is exact and
// does not change with the theme, then the HTML order table, which forwards and some plugins leave as
// the only source. Shipping, tax and the shipping address are only in the HTML.
func parseWoo(mt mailText) (*data.Order, []data.Problem, error) {
	number := wooSubj.FindStringSubmatch(mt.subject)[2]
	var problems []data.Problem
	var doc *html.Node
	if mt.html != "" {
		var err error
		if doc, err = html.Parse(strings.NewReader(mt.html)); err != nil {
			return nil, problems, fmt.Errorf("read the HTML: %w", err)
		}
	}
	o, ldProblems, err := wooFromJSONLD(mt, number)
	problems = append(problems, ldProblems...)
	if o == nil {
		if err != nil {
			problems = append(problems, data.Problem{Column: "JSON-LD", Reason: err.Error() + "; the order table was read instead", Warning: true})
		}
		if doc == nil {
			return nil, problems, errors.New("the mail has no HTML order table")
		}
		if o, err = wooFromTable(doc, mt, number, &problems); err != nil {
			return nil, problems, err
		}
	}
	a := &amounts{currency: o.Currency}
	ls := mt.lines
	sums := ls.index(0, "Subtotal:", "Subtotal")
	if sums >= 0 {
		sub, _ := ls.amountAfter(sums, "Subtotal")
		if v := a.read("Subtotal", sub); v != 0 {
			o.Subtotal = v
		}
		ship, _ := ls.amountAfter(sums, "Shipping")
		o.Shipping = a.read("Shipping", ship)
		tax, _ := ls.amountAfter(sums, "Tax", "VAT", "Sales tax", "GST")
		o.Tax = a.read("Tax", tax)
		if o.Discount == 0 {
			d, _ := ls.amountAfter(sums, "Discount")
			if o.Discount = a.read("Discount", d); o.Discount < 0 {
				o.Discount = -o.Discount
			}
		}
		if o.Total == 0 {
			t, _ := ls.amountAfter(sums, "Total")
			o.Total = a.read("Total", t)
		}
	}
	if doc != nil {
		if addr := wooAddress(doc, "Shipping address"); len(addr) > 0 {
			var ap []data.Problem
			o.ShipTo, ap = parseAddress(addr)
			problems = append(problems, ap...)
		}
	}
	if o.CustomerName == "" {
		o.CustomerName = o.ShipTo.Name
	}
	return finish(o, a, problems)
}

func wooFromJSONLD(mt mailText, number string) (*data.Order, []data.Problem, error) {
	if len(mt.jsonLD) == 0 {
		return nil, nil, nil
	}
	var ld ldOrder
	// wc_esc_json HTML-escapes the block, and the tokenizer leaves script text as written.
	src := html.UnescapeString(strings.Join(mt.jsonLD, ""))
	if err := json.Unmarshal([]byte(src), &ld); err != nil {
		return nil, nil, fmt.Errorf("the JSON-LD order block cannot be read: %w", err)
	}
	if ld.Type != "Order" || ld.OrderNumber == "" {
		return nil, nil, errors.New("the JSON-LD block is no order")
	}
	if string(ld.OrderNumber) != number {
		return nil, nil, fmt.Errorf("the JSON-LD names order %s but the subject %s", ld.OrderNumber, number)
	}
	var problems []data.Problem
	o := &data.Order{ExternalID: number, Currency: strings.ToUpper(ld.PriceCurrency), CustomerName: ld.Customer.Name, CustomerEmail: ld.BillingAddress.Email}
	if o.CustomerName == "" {
		o.CustomerName = ld.BillingAddress.Name
	}
	if !data.ValidCurrency(o.Currency) {
		return nil, nil, fmt.Errorf("the JSON-LD currency %q is no ISO code", ld.PriceCurrency)
	}
	t, err := time.Parse(time.RFC3339, ld.OrderDate)
	if err != nil {
		return nil, nil, fmt.Errorf("the JSON-LD order date %q is not ISO 8601", ld.OrderDate)
	}
	o.PlacedAt = t
	a := &amounts{currency: o.Currency}
	for _, off := range ld.AcceptedOffer {
		qty, err := strconv.ParseInt(string(off.PriceSpecification.EligibleQuantity.Value), 10, 64)
		if err != nil || qty < 1 {
			return nil, nil, fmt.Errorf("the JSON-LD quantity %q of %s is not a whole number", off.PriceSpecification.EligibleQuantity.Value, off.ItemOffered.Name)
		}
		line := a.read("price", string(off.Price))
		o.Lines = append(o.Lines, data.OrderLine{SKU: off.ItemOffered.SKU, Name: off.ItemOffered.Name, Quantity: qty,
			UnitPrice: unitPrice(line, qty, "price", &problems)})
	}
	o.Total = a.read("price", string(ld.Price))
	o.Discount = a.read("discount", string(ld.Discount))
	if err := errorOf(a.problems); err != nil {
		return nil, nil, fmt.Errorf("the JSON-LD amounts: %w", err)
	}
	if len(o.Lines) == 0 {
		return nil, nil, errors.New("the JSON-LD order lists no items")
	}
	if strings.HasSuffix(ld.OrderStatus, "OrderPaymentDue") {
		problems = append(problems, data.Problem{Column: "orderStatus", Value: ld.OrderStatus, Reason: "the order awaits payment", Warning: true})
	}
	return o, problems, nil
}

var (
	wooSKU       = regexp.MustCompile(`^(.*?)\s*\(#([^()]+)\)$`)
	wooOrderDate = regexp.MustCompile(`Order #\S+\]?\s*\(([^)]+)\)`)
	wooDates     = []string{"January 2, 2006", "2 January 2006", "Jan 2, 2006", "2006-01-02", "02/01/2006", "01/02/2006"}
)

// wooFromTable reads the order table of WooCommerce's e-mail templates: rows of class order_item with
// the item (name, " (#SKU)", meta list), the quantity ("1" or "×1") and the line's price.
func wooFromTable(doc *html.Node, mt mailText, number string, problems *[]data.Problem) (*data.Order, error) {
	o := &data.Order{ExternalID: number}
	a := &amounts{}
	for _, tr := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Tr && hasClass(n, "order_item") }) {
		cells := findAll(tr, func(n *html.Node) bool { return n.DataAtom == atom.Td })
		if len(cells) < 3 {
			continue
		}
		var nameParts []string
		var meta []string
		for c := cells[0].FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.Ul || hasClass(c, "wc-item-meta") || hasClass(c, "email-order-item-meta")) {
				for _, li := range findAll(c, func(n *html.Node) bool { return n.DataAtom == atom.Li }) {
					meta = append(meta, strings.Join(strings.Fields(nodeText(li)), " "))
				}
				continue
			}
			if c.Type == html.ElementNode && c.DataAtom == atom.Img {
				continue
			}
			nameParts = append(nameParts, nodeText(c))
		}
		name := strings.Join(strings.Fields(invisible.Replace(strings.Join(nameParts, " "))), " ")
		line := data.OrderLine{Name: name}
		if m := wooSKU.FindStringSubmatch(name); m != nil {
			line.Name, line.SKU = m[1], m[2]
		}
		if len(meta) > 0 {
			line.Name += " (" + strings.Join(meta, ", ") + ")"
		}
		qs := strings.TrimLeft(strings.TrimSpace(invisible.Replace(nodeText(cells[1]))), "×x ")
		qty, err := strconv.ParseInt(qs, 10, 64)
		if err != nil || qty < 1 {
			return nil, fmt.Errorf("the quantity %q of %s is not a whole number", qs, line.Name)
		}
		line.Quantity = qty
		price := strings.Join(strings.Fields(invisible.Replace(nodeText(cells[2]))), " ")
		// The price column is the line's subtotal (get_formatted_line_subtotal), not a unit price.
		line.UnitPrice = unitPrice(a.read("Price", price), qty, "Price", problems)
		o.Lines = append(o.Lines, line)
	}
	if len(o.Lines) == 0 {
		return nil, errors.New("neither a JSON-LD order nor an order table was found")
	}
	if err := errorOf(a.problems); err != nil {
		return nil, err
	}
	o.Currency = a.currency
	if m := wooOrderDate.FindStringSubmatch(strings.Join(mt.lines, " ")); m != nil {
		loc := time.UTC
		if !mt.date.IsZero() {
			loc = mt.date.Location()
		}
		for _, l := range wooDates {
			if t, err := time.ParseInLocation(l, strings.TrimSpace(m[1]), loc); err == nil {
				o.PlacedAt = onDay(t, mt.date)
				break
			}
		}
	}
	if o.PlacedAt.IsZero() {
		o.PlacedAt = mt.date
		*problems = append(*problems, data.Problem{Column: "Order date", Reason: "no order date was found; the e-mail's time was taken", Warning: true})
	}
	return o, nil
}

// wooAddress is the lines of the <address> under the heading title ("Billing address", "Shipping
// address"), which WooCommerce prints side by side in one table.
func wooAddress(doc *html.Node, title string) []string {
	heads := findAll(doc, func(n *html.Node) bool {
		return (n.DataAtom == atom.H2 || n.DataAtom == atom.H3 || n.DataAtom == atom.Th || n.DataAtom == atom.Strong) &&
			strings.EqualFold(strings.TrimSpace(nodeText(n)), title)
	})
	if len(heads) == 0 {
		return nil
	}
	// The address follows its heading in the same cell.
	for n := heads[0]; n != nil; n = n.Parent {
		for s := n.NextSibling; s != nil; s = s.NextSibling {
			addrs := findAll(s, func(n *html.Node) bool { return n.DataAtom == atom.Address })
			if s.DataAtom == atom.Address {
				addrs = []*html.Node{s}
			}
			if len(addrs) > 0 {
				var b strings.Builder
				renderLines(addrs[0], &b)
				return lines(b.String())
			}
		}
	}
	return nil
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return out
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" {
			for _, c := range strings.Fields(a.Val) {
				if c == class {
					return true
				}
			}
		}
	}
	return false
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// renderLines writes n's text with a line break for each <br> and block.
func renderLines(n *html.Node, b *strings.Builder) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			b.WriteString(c.Data)
		case c.DataAtom == atom.Br:
			b.WriteByte('\n')
		case c.Type == html.ElementNode:
			renderLines(c, b)
			if c.DataAtom == atom.P || c.DataAtom == atom.Div {
				b.WriteByte('\n')
			}
		}
	}
}
