package importers

import (
	"iter"
	"regexp"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// wooFormats lists the layouts this file reads.
func wooFormats() []*Format {
	return []*Format{
		{
			ID: "woocommerce-products", Name: "WooCommerce products", Kind: KindProducts,
			// The exporter lets the owner leave columns out, so only the ones no export is useful without
			// identify it. Header labels follow the admin's language; only the English ones are recognised,
			// as no translated export could be checked.
			required: []string{"Type", "SKU", "Name", "Regular price"},
			parse:    parseWooProducts,
		},
		{
			ID: "woocommerce-orders", Name: "WooCommerce orders (Advanced Order Export)", Channel: "woocommerce", Kind: KindOrders,
			required: []string{"Order Number", "Order Status", "Order Date", "Quantity", "Item Cost", "Order Total Amount"},
			match: func(h *header) bool {
				return h.col(wooOrderNumber...) >= 0 && h.has("Order Status", "Order Date", "Quantity") &&
					h.col(wooItemName...) >= 0 &&
					// a column only this plugin writes, so other exports with an Order Status stay theirs
					h.col("Item Cost", "Order Total Amount", "Order Subtotal Amount", "Order Line Total", "Email (Billing)", "First Name (Billing)") >= 0
			},
			parse: parseWooOrders,
		},
	}
}

// wooUnguard takes off the apostrophe WooCommerce puts before a value that starts like a formula
// ('-123 for the SKU -123). Only there: "'Tis the season" keeps its apostrophe.
func wooUnguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

var wooAttributeValue = regexp.MustCompile(`(?i)^attribute \d+ value\(s\)$`)

// parseWooProducts reads Products › Export (class-wc-product-csv-exporter.php): one row per product or
// variation. A variable product is only the parent of its variations and holds no stock of its own, so
// it is no record; its name becomes its variations' product name. Grouped and external products sell
// nothing of the shop's own stock and are left out too.
func parseWooProducts(p *parser) iter.Seq[data.ImportItem] {
	var attributes []int
	for i, n := range p.h.names {
		if wooAttributeValue.MatchString(strings.TrimSpace(n)) {
			attributes = append(attributes, i)
		}
	}
	return func(yield func(data.ImportItem) bool) {
		parents := map[string]string{} // a variable product's SKU and "id:N" → its name
		for row := range p.rows() {
			r := p.reader(row)
			it := data.ImportItem{FirstRow: row.Num, LastRow: row.Num}
			kind := wooProductKind(r.text("Type"))
			sku := wooUnguard(r.text("SKU"))
			name := wooUnguard(r.text("Name"))
			if kind == "variable" {
				if sku != "" {
					parents[sku] = name
				}
				if id := r.text("ID"); id != "" {
					parents["id:"+id] = name
				}
			}
			if kind == "variable" || kind == "grouped" || kind == "external" {
				if stock := r.text("Stock"); kind == "variable" && stock != "" {
					r.warnf(p.h.col("Stock"), stock, "this variable product keeps one stock count for all its variations; "+
						"Backroom counts stock per SKU, so the count was not imported: manage stock on each variation to import it")
				}
				if len(r.problems) > 0 {
					it.Problems = r.problems
					if !yield(it) {
						return
					}
				}
				continue
			}
			if sku == "" {
				r.errorf(p.h.col("SKU"), "", "the product has no SKU; Backroom keeps products by SKU, so give it one in WooCommerce (Inventory tab) and export again")
			}
			rec := data.ProductRecord{SKU: sku, ProductName: name}
			if kind == "variation" {
				var values []string
				for _, i := range attributes {
					if v := strings.TrimSpace(strings.ReplaceAll(row.Cell(i), `\,`, ",")); v != "" {
						values = append(values, v)
					}
				}
				rec.Title = strings.Join(values, " / ")
				if parent, ok := parents[wooUnguard(r.text("Parent"))]; ok && parent != "" {
					rec.ProductName = parent
					if rec.Title == "" {
						rec.Title = name
					}
				}
			}
			if r.text("Regular price") != "" {
				v := wooPrice(p, r, "Regular price")
				rec.Price = &v
			}
			if r.text("Cost of goods") != "" {
				v := wooPrice(p, r, "Cost of goods")
				rec.Cost = &v
			}
			if (rec.Price != nil || rec.Cost != nil) && p.opts.Currency != "" {
				rec.Currency = strings.ToUpper(p.opts.Currency)
			}
			switch published := r.text("Published"); published {
			case "":
			case "1":
				rec.Active = new(true)
			case "0", "-1", "2": // private, draft, pending review: not for sale
				rec.Active = new(false)
			default:
				r.errorf(p.h.col("Published"), published, "is not one of 1 (published), 0 (private), -1 (draft) or 2 (pending)")
			}
			if gtin := r.id("GTIN, UPC, EAN, or ISBN"); gtin != "" {
				if n := len(gtin); digitCount(gtin) == n && n != 8 && n != 12 && n != 13 && n != 14 {
					r.warnf(p.h.col("GTIN, UPC, EAN, or ISBN"), gtin,
						"a GTIN has 8, 12, 13 or 14 digits and this one has %d; a spreadsheet program may have dropped its leading zeros", n)
				}
				rec.Barcodes = []string{gtin}
			}
			it.Count = wooStock(r, sku)
			it.Problems = r.problems
			it.Product = &rec
			if !yield(it) {
				return
			}
		}
	}
}

// wooProductKind reads Type, which can be compound ("simple, downloadable, virtual"): variable,
// variation, grouped, external, or simple for the rest (plugins add their own stocked types).
func wooProductKind(s string) string {
	for t := range strings.SplitSeq(strings.ToLower(s), ",") {
		t = strings.TrimSpace(t)
		switch {
		case t == "variation" || strings.HasSuffix(t, "_variation"):
			return "variation"
		case t == "variable" || strings.HasPrefix(t, "variable-"):
			return "variable"
		case t == "grouped" || t == "external":
			return t
		}
	}
	return "simple"
}

// wooStock reads Stock, which the exporter fills only where WooCommerce manages the stock: empty means
// not counted, "parent" a variation whose parent holds the count. "In stock?" is a flag, not a count.
func wooStock(r *rowReader, sku string) *data.StockCount {
	raw := wooUnguard(r.text("Stock"))
	if raw == "" || strings.EqualFold(raw, "parent") || sku == "" {
		return nil
	}
	n, ok := parseWhole(raw)
	if !ok {
		r.errorf(r.h.col("Stock"), raw, "the stock is not a whole number")
		return nil
	}
	if n < 0 {
		// WooCommerce counts units sold on backorder below zero; the shelf holds none, and the orders
		// that are owed come in as orders.
		r.warnf(r.h.col("Stock"), raw, "WooCommerce counts backorders as stock below zero; recorded as 0 on hand")
		n = 0
	}
	return &data.StockCount{SKU: sku, OnHand: n}
}

// wooPrice reads a price as WooCommerce writes it: plain, with the store's decimal separator and never a
// thousands separator, so a comma is always the decimal one (12,50).
func wooPrice(p *parser, r *rowReader, name string) int64 {
	i := r.h.col(name)
	raw := r.row.Cell(i)
	s := strings.TrimSpace(raw)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, _, err := parseAmount(s, p.currency(), false)
	switch {
	case err != nil:
		r.errorf(i, raw, "%v", err)
		return 0
	case v < 0:
		r.errorf(i, raw, "a price cannot be negative")
		return 0
	}
	return v
}

// The plugin's columns under the names its versions and settings give them. Read-only.
var (
	wooOrderNumber = []string{"Order Number", "Order ID", "Order Id"}
	wooItemName    = []string{"Item Name", "Name", "Product Name", "Product Name (main)"}
	wooOrderDates  = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "January 2, 2006 15:04", "January 2, 2006 3:04 pm", "January 2, 2006"}
)

// parseWooOrders reads "Advanced Order Export for WooCommerce" (woo-order-export-lite) in its default
// one-row-per-product layout. The order's own columns repeat on each of its product rows, or, with the
// plugin's "fill order columns" setting off, are left blank on all but the first; either way they are
// taken once, from the order's first row.
func parseWooOrders(p *parser) iter.Seq[data.ImportItem] {
	numberCol, statusCol, dateCol := p.h.col(wooOrderNumber...), p.h.col("Order Status"), p.h.col("Order Date")
	last := ""
	key := func(r Row) string {
		if k := strings.TrimSpace(r.Cell(numberCol)); k != "" {
			last = k
			return k
		}
		if strings.TrimSpace(r.Cell(statusCol)) == "" && strings.TrimSpace(r.Cell(dateCol)) == "" {
			return last // a further product of the order above, its order columns left blank
		}
		return ""
	}
	return p.groupOrders(key, func(rows []Row) data.ImportItem { return wooOrder(p, rows) })
}

// wooOrder turns one order's rows into an order: the first row gives the order's fields and money, each
// row with a product a line.
func wooOrder(p *parser, rows []Row) data.ImportItem {
	r := p.reader(rows[0])
	if strings.TrimSpace(rows[0].Cell(p.h.col(wooOrderNumber...))) == "" && r.text("Order Status") == "" && r.text("Order Date") == "" {
		r.errorf(p.h.col(wooOrderNumber...), "", "this product row has no order number and no order above it to belong to")
		return data.ImportItem{Problems: r.problems}
	}
	o := data.Order{Channel: "woocommerce", ExternalID: r.id(wooOrderNumber...)}
	if o.ExternalID == "" && !r.failed() {
		r.errorf(p.h.col(wooOrderNumber...), "", "the order number is empty")
	}
	o.Currency = strings.ToUpper(r.text("Currency", "Order Currency"))
	if o.Currency == "" {
		o.Currency = p.currency()
	}
	// The plugin writes the shop's local time without an offset.
	o.PlacedAt = r.requiredDate(p.location(), wooOrderDates, "Order Date")
	status := r.text("Order Status")
	s, ok := wooStatus(status)
	if !ok {
		r.errorf(p.h.col("Order Status"), status, "is not a WooCommerce order status Backroom knows "+
			"(pending payment, on hold, processing, completed, cancelled, refunded, failed)")
	}
	o.Status = s
	if s == data.StatusShipped {
		o.ShippedAt = r.date(p.location(), wooOrderDates, "Completed Date")
	}
	o.CustomerName = wooFullName(r, "Billing")
	o.CustomerEmail = r.text("Email (Billing)")
	country := r.text("Country Code (Shipping)", "Country Name (Shipping)", "Country Name(Shipping)")
	o.ShipTo = data.Address{Name: wooFullName(r, "Shipping"), Line1: r.text("Address 1&2 (Shipping)", "Address 1 (Shipping)"),
		City: r.text("City (Shipping)"), Region: r.text("State Code (Shipping)", "State (Shipping)", "State Name (Shipping)"),
		Postcode: r.postcode(country, "Postcode (Shipping)", "Zip (Shipping)"), Country: country}
	if p.h.col("Address 1&2 (Shipping)") < 0 {
		o.ShipTo.Line2 = r.text("Address 2 (Shipping)")
	}
	o.Subtotal = r.money(o.Currency, "Order Subtotal Amount")
	o.Shipping = r.money(o.Currency, "Order Shipping Amount")
	// Order Tax Amount is the tax on the items alone; the total tax adds the shipping's.
	o.Tax = r.money(o.Currency, "Order Total Tax Amount", "Order Tax Amount")
	o.Discount = r.money(o.Currency, "Cart Discount Amount")
	o.Total = r.money(o.Currency, "Order Total Amount")
	problems := r.problems

	var lines int64
	for _, row := range rows {
		lr := p.reader(row)
		l := data.OrderLine{SKU: wooUnguard(lr.text("SKU")), Name: lr.text(wooItemName...)}
		if l.SKU == "" && l.Name == "" && lr.text("Quantity") == "" {
			continue // a row carrying only a further coupon of the order
		}
		l.Quantity = lr.quantity("Quantity")
		var amount int64
		if lr.h.col("Item Cost") >= 0 {
			// Item Cost is the unit price after discounts, without tax (get_item_total).
			l.UnitPrice = lr.money(o.Currency, "Item Cost")
			amount = l.UnitPrice * l.Quantity
		} else if line := lr.money(o.Currency, "Order Line Subtotal", "Order Line (w/o tax)"); l.Quantity > 0 {
			amount = line
			l.UnitPrice = line / l.Quantity
			if line%l.Quantity != 0 {
				i := lr.h.col("Order Line Subtotal", "Order Line (w/o tax)")
				lr.warnf(i, lr.row.Cell(i), "the line total does not divide evenly by the quantity %d; the unit price was rounded down", l.Quantity)
			}
		}
		if l.Quantity < 0 || l.Quantity == 0 && !lr.failed() {
			lr.errorf(p.h.col("Quantity"), lr.text("Quantity"), "the quantity must be at least 1")
		}
		if l.SKU == "" && l.Name == "" {
			lr.errorf(p.h.col(wooItemName...), "", "the item has neither a SKU nor a name")
		}
		problems = append(problems, lr.problems...)
		o.Lines = append(o.Lines, l)
		lines += amount
	}
	if p.h.col("Order Subtotal Amount") < 0 {
		o.Subtotal = lines
	}
	return data.ImportItem{Order: &o, Problems: problems}
}

// wooFullName is the Full Name column of a side (Billing, Shipping), else its first and last name.
func wooFullName(r *rowReader, side string) string {
	if n := r.text("Full Name (" + side + ")"); n != "" {
		return n
	}
	return strings.TrimSpace(r.text("First Name ("+side+")") + " " + r.text("Last Name ("+side+")"))
}

// wooStatus maps an order status, as the plugin writes it (the status's label, "On hold", or its slug,
// "on-hold"), onto ours. Completed is WooCommerce's word for sent; processing means paid and waiting to
// be sent; on hold waits for a payment to be confirmed. "Shipped" and "Delivered" are statuses that
// shipment-tracking plugins add.
func wooStatus(s string) (data.Status, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.ReplaceAll(strings.TrimPrefix(k, "wc-"), "-", " ")
	switch k {
	case "completed", "shipped":
		return data.StatusShipped, true
	case "delivered":
		return data.StatusDelivered, true
	case "processing":
		return data.StatusPaid, true
	case "pending", "pending payment", "on hold", "draft", "checkout draft":
		return data.StatusNew, true
	case "cancelled", "canceled", "refunded", "failed":
		return data.StatusCancelled, true
	}
	return data.StatusNew, false
}
