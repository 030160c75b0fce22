package importers

import (
	"fmt"
	"iter"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// Field is something a column of an unknown layout can be mapped to.
type Field struct {
	Key      string // stored in the mapping: "order_id"
	Label    string // shown to the owner: "Order number"
	Required bool
	Hint     string
}

// MappingFields lists the fields a layout of this kind can map, required ones first.
func MappingFields(kind Kind) []Field {
	switch kind {
	case KindProducts:
		return []Field{
			{Key: "sku", Label: "SKU", Required: true},
			{Key: "name", Label: "Product name"},
			{Key: "title", Label: "Variant (size, colour)"},
			{Key: "price", Label: "Price"},
			{Key: "cost", Label: "Unit cost"},
			{Key: "barcode", Label: "Barcode (EAN, UPC)"},
			{Key: "quantity", Label: "Stock on hand", Hint: "counted: the difference to Backroom's stock is recorded as a count"},
			{Key: "location", Label: "Location"},
		}
	case KindStock:
		return []Field{
			{Key: "sku", Label: "SKU", Required: true},
			{Key: "quantity", Label: "Stock on hand", Required: true},
			{Key: "location", Label: "Location"},
		}
	}
	return []Field{
		{Key: "order_id", Label: "Order number", Required: true},
		{Key: "date", Label: "Order date", Required: true},
		{Key: "quantity", Label: "Quantity", Required: true},
		{Key: "sku", Label: "SKU", Hint: "a SKU or an item name is needed"},
		{Key: "item_name", Label: "Item name"},
		{Key: "unit_price", Label: "Unit price"},
		{Key: "currency", Label: "Currency"},
		{Key: "status", Label: "Order status"},
		{Key: "shipped_date", Label: "Shipped date"},
		{Key: "customer_name", Label: "Customer name"},
		{Key: "customer_email", Label: "Customer email"},
		{Key: "total", Label: "Order total", Hint: "taken once per order, not added up over its rows"},
		{Key: "shipping", Label: "Shipping charged"},
		{Key: "tax", Label: "Tax"},
		{Key: "ship_name", Label: "Ship to: name"},
		{Key: "ship_address1", Label: "Ship to: street"},
		{Key: "ship_city", Label: "Ship to: city"},
		{Key: "ship_region", Label: "Ship to: state or region"},
		{Key: "ship_postcode", Label: "Ship to: postcode"},
		{Key: "ship_country", Label: "Ship to: country"},
	}
}

// DateOrders are the ways a mapped layout can write day, month and year.
var DateOrders = []string{"YMD", "MDY", "DMY"}

func dateLayouts(order string) []string {
	switch order {
	case "MDY":
		return []string{"01/02/2006 15:04:05", "01/02/2006 3:04:05 PM", "01/02/2006 15:04", "01/02/2006 3:04 PM", "1/2/2006 15:04:05",
			"1/2/2006 15:04", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "01/02/2006", "1/2/2006", "01/02/06", "1/2/06", "01-02-2006", "Jan-02-06", "Jan 2, 2006"}
	case "DMY":
		return []string{"02/01/2006 15:04:05", "02/01/2006 15:04", "2/1/2006 15:04:05", "2/1/2006 15:04", "02/01/2006", "2/1/2006", "02/01/06",
			"2/1/06", "02.01.2006 15:04:05", "02.01.2006 15:04", "02.01.2006", "2.1.2006", "02-01-2006", "02-Jan-06", "2 Jan 2006"}
	}
	return []string{"2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", "2006/01/02"}
}

// genericStatus reads a status word from a layout Backroom does not know. Without a status column an
// order is paid, or shipped when it has a shipped date: marketplaces export orders that were paid for.
func genericStatus(s string, shipped bool) data.Status {
	s = strings.ToLower(s)
	switch {
	case strings.Contains(s, "cancel") || strings.Contains(s, "void") || strings.Contains(s, "refund"):
		return data.StatusCancelled
	case strings.Contains(s, "deliver"):
		return data.StatusDelivered
	case strings.Contains(s, "ship") || strings.Contains(s, "fulfil") || strings.Contains(s, "dispatch") ||
		strings.Contains(s, "sent") || strings.Contains(s, "complete"):
		return data.StatusShipped
	case shipped:
		return data.StatusShipped
	case strings.Contains(s, "pending") || strings.Contains(s, "unpaid") || strings.Contains(s, "await"):
		return data.StatusNew
	}
	return data.StatusPaid
}

// parseMapped reads a file through the owner's column mapping.
func parseMapped(p *parser) iter.Seq[data.ImportItem] {
	m := p.file.Mapping
	col := func(field string) string { return m.Columns[field] }
	have := func(field string) bool { return col(field) != "" }
	layouts := dateLayouts(m.Options["date_order"])
	currency := strings.ToUpper(m.Options["currency"])
	if currency == "" {
		currency = p.currency()
	}
	if m.Kind != string(KindOrders) {
		return func(yield func(data.ImportItem) bool) {
			for row := range p.rows() {
				r := p.reader(row)
				it := data.ImportItem{FirstRow: row.Num, LastRow: row.Num}
				sku := stripGuard(r.required(col("sku")))
				var onHand *int64
				if have("quantity") && r.text(col("quantity")) != "" {
					q, ok := parseWhole(r.text(col("quantity")))
					if !ok {
						r.errorf(r.h.col(col("quantity")), r.text(col("quantity")), "the stock on hand is not a whole number")
					}
					onHand = &q
				}
				if m.Kind == string(KindProducts) {
					rec := data.ProductRecord{SKU: sku, ProductName: r.text(col("name")), Title: r.text(col("title")), Currency: currency}
					if have("price") && r.text(col("price")) != "" {
						v := r.money(currency, col("price"))
						rec.Price = &v
					}
					if have("cost") && r.text(col("cost")) != "" {
						v := r.money(currency, col("cost"))
						rec.Cost = &v
					}
					if have("barcode") {
						if b := r.id(col("barcode")); b != "" {
							rec.Barcodes = []string{b}
						}
					}
					it.Product = &rec
				} else if onHand == nil {
					r.errorf(r.h.col(col("quantity")), "", "the stock on hand is empty")
				}
				if onHand != nil {
					it.Count = &data.StockCount{SKU: sku, Location: r.text(col("location")), OnHand: *onHand}
				}
				it.Problems = r.problems
				if !yield(it) {
					return
				}
			}
		}
	}
	idCol := p.h.col(col("order_id"))
	return p.groupOrders(func(r Row) string { return strings.TrimSpace(r.Cell(idCol)) }, func(rows []Row) data.ImportItem {
		r := p.reader(rows[0])
		o := data.Order{Channel: m.Channel, ExternalID: r.id(col("order_id")), Currency: currency}
		if o.ExternalID == "" && !r.failed() {
			r.errorf(idCol, "", "the order number is empty")
		}
		if have("currency") {
			if c := strings.ToUpper(r.text(col("currency"))); c != "" {
				o.Currency = c
			}
		}
		o.PlacedAt = r.requiredDate(p.location(), layouts, col("date"))
		o.ShippedAt = r.date(p.location(), layouts, col("shipped_date"))
		o.Status = genericStatus(r.text(col("status")), !o.ShippedAt.IsZero())
		o.CustomerName, o.CustomerEmail = r.text(col("customer_name")), r.text(col("customer_email"))
		country := r.text(col("ship_country"))
		o.ShipTo = data.Address{Name: r.text(col("ship_name")), Line1: r.text(col("ship_address1")), City: r.text(col("ship_city")),
			Region: r.text(col("ship_region")), Postcode: r.postcode(country, col("ship_postcode")), Country: country}
		o.Total, o.Shipping, o.Tax = r.money(o.Currency, col("total")), r.money(o.Currency, col("shipping")), r.money(o.Currency, col("tax"))
		problems := r.problems
		for _, row := range rows {
			lr := p.reader(row)
			l := data.OrderLine{SKU: stripGuard(lr.text(col("sku"))), Name: lr.text(col("item_name")), Quantity: lr.quantity(col("quantity")),
				UnitPrice: lr.money(o.Currency, col("unit_price"))}
			if l.SKU == "" && l.Name == "" {
				lr.errorf(lr.h.col(col("sku")), "", "the item has neither a SKU nor a name")
			}
			if l.Quantity <= 0 && !lr.failed() {
				lr.errorf(lr.h.col(col("quantity")), fmt.Sprint(l.Quantity), "the quantity must be at least 1")
			}
			problems = append(problems, lr.problems...)
			o.Lines = append(o.Lines, l)
			o.Subtotal += l.UnitPrice * l.Quantity
		}
		return data.ImportItem{Order: &o, Problems: problems}
	})
}
