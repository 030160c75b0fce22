package importers

import (
	"iter"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// shopifyTime is how Shopify writes every timestamp: the store's local time with its offset.
var shopifyTime = []string{"2006-01-02 15:04:05 -0700"}

// shopifyOrders reads Admin › Orders › Export (orders_export.csv), in the current 79-column header and
// the older shorter ones. One row per line item: the first row of an order carries the order's fields,
// the rows after it only Name, Email, Created at and the Lineitem columns.
func shopifyOrders() *Format {
	return &Format{
		ID: "shopify-orders", Name: "Shopify orders", Channel: "shopify", Kind: KindOrders,
		required: []string{"Name", "Financial Status", "Fulfillment Status", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price"},
		parse:    parseShopifyOrders,
	}
}

func parseShopifyOrders(p *parser) iter.Seq[data.ImportItem] {
	nameCol := p.h.col("Name")
	return p.groupOrders(func(r Row) string { return strings.TrimSpace(r.Cell(nameCol)) }, func(rows []Row) data.ImportItem {
		var problems []data.Problem
		// The order row is the one with the order's own fields; continuation rows leave them blank.
		head := -1
		for i, row := range rows {
			r := p.reader(row)
			if r.text("Financial Status") != "" || r.text("Currency") != "" || r.text("Total") != "" {
				head = i
				break
			}
		}
		name := strings.TrimSpace(rows[0].Cell(nameCol))
		if name == "" {
			r := p.reader(rows[0])
			r.errorf(nameCol, "", "the order name (such as #1001) is empty")
			return data.ImportItem{Problems: r.problems}
		}
		if head < 0 {
			return data.ImportItem{Problems: []data.Problem{{Row: rows[0].Num, Column: "Name", Value: name,
				Reason: "only item rows of this order are in the file; its first row, with the totals and status, is missing"}}}
		}
		r := p.reader(rows[head])
		o := data.Order{Channel: "shopify", ExternalID: name}
		o.Currency = strings.ToUpper(r.text("Currency"))
		if o.Currency == "" {
			o.Currency = p.currency()
		}
		o.PlacedAt = r.requiredDate(p.location(), shopifyTime, "Created at")
		o.PaidAt = r.date(p.location(), shopifyTime, "Paid at")
		o.ShippedAt = r.date(p.location(), shopifyTime, "Fulfilled at")
		cancelled := r.date(p.location(), shopifyTime, "Cancelled at")
		o.CustomerName = r.text("Billing Name")
		if o.CustomerName == "" {
			o.CustomerName = r.text("Shipping Name")
		}
		o.CustomerEmail = r.text("Email")
		country := r.text("Shipping Country")
		o.ShipTo = data.Address{
			Name: r.text("Shipping Name"), Line1: r.text("Shipping Address1"), Line2: r.text("Shipping Address2"),
			City: r.text("Shipping City"), Region: r.text("Shipping Province"), Postcode: r.postcode(country, "Shipping Zip"), Country: country,
		}
		if o.ShipTo.Line1 == "" {
			o.ShipTo.Line1 = r.text("Shipping Street")
		}
		o.Subtotal = r.money(o.Currency, "Subtotal")
		o.Shipping = r.money(o.Currency, "Shipping")
		o.Tax = r.money(o.Currency, "Taxes")
		o.Discount = r.money(o.Currency, "Discount Amount")
		o.Total = r.money(o.Currency, "Total")
		o.Status = shopifyStatus(r.text("Financial Status"), r.text("Fulfillment Status"), !cancelled.IsZero())
		problems = append(problems, r.problems...)

		for _, row := range rows {
			lr := p.reader(row)
			if e := lr.text("Email"); e != "" && o.CustomerEmail != "" && !strings.EqualFold(e, o.CustomerEmail) {
				lr.errorf(p.h.col("Email"), e, "this row of order %s has a different email than its first row (%s); are two orders called %s?", name, o.CustomerEmail, name)
			}
			l := data.OrderLine{
				SKU:       stripGuard(lr.text("Lineitem sku")),
				Name:      lr.text("Lineitem name"),
				Quantity:  lr.quantity("Lineitem quantity"),
				UnitPrice: lr.money(o.Currency, "Lineitem price"),
			}
			if l.Quantity < 0 || l.Quantity == 0 && !lr.failed() {
				lr.errorf(p.h.col("Lineitem quantity"), lr.text("Lineitem quantity"), "the quantity must be at least 1")
			}
			if l.SKU == "" && l.Name == "" {
				lr.errorf(p.h.col("Lineitem name"), "", "the item has neither a SKU nor a name")
			}
			problems = append(problems, lr.problems...)
			o.Lines = append(o.Lines, l)
		}
		return data.ImportItem{Order: &o, Problems: problems}
	})
}

// shopifyStatus maps Shopify's two status columns onto ours. A cancelled order is cancelled whatever
// its payment; fulfilled means the goods left (a refund after that does not bring them back); an order paid but not (or partly) fulfilled is still to
// be shipped; pending and authorized payments have not been taken yet; a refunded or voided order that
// never shipped was called off, and a draft whose invoice expired never became a sale.
func shopifyStatus(financial, fulfillment string, cancelled bool) data.Status {
	financial, fulfillment = strings.ToLower(financial), strings.ToLower(fulfillment)
	switch {
	case cancelled:
		return data.StatusCancelled
	case fulfillment == "fulfilled" || fulfillment == "shipped":
		return data.StatusShipped
	case financial == "refunded" || financial == "voided" || financial == "expired":
		return data.StatusCancelled
	case financial == "paid" || financial == "partially_paid" || financial == "partially_refunded":
		return data.StatusPaid
	}
	return data.StatusNew
}
