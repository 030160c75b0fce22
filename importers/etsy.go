package importers

import (
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// Etsy's Shop Manager › Settings › Options › Download Data gives each period's orders as two files:
// EtsySoldOrderItems (one row per item sold) and EtsySoldOrders (one row per order). Neither tells
// the whole story: only the items file says what was sold, only the orders file has the order's totals.
// Both import on their own and join in the store, which merges orders by (etsy, Order ID) and keeps what
// a source leaves empty. For that to work in either order, and for re-importing either file to change
// nothing, the fields both files have (placed date, shipped date, status, currency, buyer name, ship-to
// address) are read to exactly the same values.

// etsyDates are Etsy's month-first dates, 12/07/21 and 12/07/2021 as exported, and 1/4/2024 after Excel
// re-saved the file. Etsy writes them month first whatever the shop's country.
var etsyDates = []string{"1/2/06", "1/2/2006"}

// etsyFormats lists the layouts this file reads: the two order files and the listings download.
func etsyFormats() []*Format {
	return []*Format{
		{
			ID: "etsy-order-items", Name: "Etsy sold order items", Channel: "etsy", Kind: KindOrders,
			required: []string{"Sale Date", "Item Name", "Buyer", "Quantity", "Price", "Transaction ID", "Order ID"},
			parse:    parseEtsyOrderItems,
		},
		{
			ID: "etsy-orders", Name: "Etsy sold orders", Channel: "etsy", Kind: KindOrders,
			required: []string{"Sale Date", "Order ID", "Full Name", "Number of Items", "Order Value", "Order Total"},
			parse:    parseEtsyOrders,
		},
		{
			ID: "etsy-listings", Name: "Etsy listings", Kind: KindProducts,
			// Etsy writes the listings header in the seller's language; CURRENCY_CODE and SKU stay English.
			required: []string{"CURRENCY_CODE", "SKU"},
			match: func(h *header) bool {
				return h.has("TITLE", "PRICE", "QUANTITY", "CURRENCY_CODE", "SKU") || h.has("TITOLO", "PREZZO", "QUANTITÀ", "CURRENCY_CODE", "SKU")
			},
			parse: parseEtsyListings,
		},
	}
}

// Column names of the listings file, English first, then Italian.
var (
	etsyListingTitle    = []string{"TITLE", "TITOLO"}
	etsyListingPrice    = []string{"PRICE", "PREZZO"}
	etsyListingQuantity = []string{"QUANTITY", "QUANTITÀ"}
)

// etsyOrderID reads Etsy's Order ID, a plain number. A spreadsheet's damage (scientific notation) is
// refused by id; anything else that is not digits is not an Etsy order number.
func etsyOrderID(r *rowReader) string {
	col := r.h.col("Order ID")
	id := r.id("Order ID")
	switch {
	case r.failed():
		return ""
	case id == "":
		r.errorf(col, "", "the order number is empty")
	case strings.Trim(id, "0123456789") != "":
		r.errorf(col, id, "an Etsy order number is made of digits only")
		return ""
	}
	return id
}

// etsyCurrency is the file's Currency column, or the shop's currency when it is empty.
func etsyCurrency(p *parser, r *rowReader) string {
	if c := strings.ToUpper(r.text("Currency")); c != "" {
		return c
	}
	return p.currency()
}

// parseEtsyOrderItems reads EtsySoldOrderItems: one row per transaction, the rows of an order sharing
// its Order ID. It gives each order its lines, dates, buyer and ship-to address, and no totals: the
// order-level amounts printed on item rows (Order Shipping, Order Sales Tax, Discount Amount) are not
// known to be printed once per order rather than on every row, and Order Total is not in the file at all,
// so the totals come from the Sold Orders file. Left at zero, the store keeps the totals that file gave.
func parseEtsyOrderItems(p *parser) iter.Seq[data.ImportItem] {
	idCol := p.h.col("Order ID")
	return p.groupOrders(func(r Row) string { return strings.TrimSpace(r.Cell(idCol)) }, func(rows []Row) data.ImportItem {
		r := p.reader(rows[0])
		o := data.Order{Channel: "etsy", ExternalID: etsyOrderID(r)}
		o.Currency = etsyCurrency(p, r)
		o.PlacedAt = r.requiredDate(p.location(), etsyDates, "Sale Date")
		o.PaidAt = r.date(p.location(), etsyDates, "Date Paid")
		o.ShippedAt = r.date(p.location(), etsyDates, "Date Shipped")
		o.Status = data.StatusPaid
		if !o.ShippedAt.IsZero() {
			o.Status = data.StatusShipped
		}
		country := r.text("Ship Country")
		o.ShipTo = data.Address{
			Name: r.text("Ship Name"), Line1: r.text("Ship Address1"), Line2: r.text("Ship Address2"), City: r.text("Ship City"),
			Region: r.text("Ship State"), Postcode: r.postcode(country, "Ship Zipcode"), Country: country,
		}
		// Buyer is the buyer's Etsy display name and username ("Becky O'Brien (lrpwrefi)"), which the
		// Sold Orders file does not have; its Full Name is the ship-to name, so that is the customer in
		// both files.
		o.CustomerName = o.ShipTo.Name
		if o.CustomerName == "" {
			o.CustomerName = cleanName(r.text("Buyer"))
		}
		problems := r.problems

		for _, row := range rows {
			lr := p.reader(row)
			if c := strings.ToUpper(lr.text("Currency")); c != "" && c != o.Currency {
				lr.errorf(p.h.col("Currency"), c, "this row of order %s is in a different currency than its first row (%s)", o.ExternalID, o.Currency)
			}
			l := data.OrderLine{
				SKU:       stripGuard(lr.text("SKU")),
				Name:      lr.text("Item Name"),
				Quantity:  lr.quantity("Quantity"),
				UnitPrice: lr.money(o.Currency, "Price"),
			}
			// Without a SKU the item name is what the line is matched by, so the variation (Size:Small)
			// belongs to it: two sizes of a listing are two different things on the shelf.
			if v := lr.text("Variations"); v != "" && l.Name != "" {
				l.Name += " (" + v + ")"
			}
			if l.Quantity < 0 || l.Quantity == 0 && !lr.failed() {
				lr.errorf(p.h.col("Quantity"), lr.text("Quantity"), "the quantity must be at least 1")
			}
			if l.SKU == "" && l.Name == "" {
				lr.errorf(p.h.col("Item Name"), "", "the item has neither a SKU nor a name")
			}
			if total := lr.text("Item Total"); total != "" && !lr.failed() {
				if t := lr.money(o.Currency, "Item Total"); !lr.failed() && t != l.UnitPrice*l.Quantity {
					lr.warnf(p.h.col("Item Total"), total, "is not Price × Quantity (%s × %d); the unit price was taken from Price",
						lr.text("Price"), l.Quantity)
				}
			}
			problems = append(problems, lr.problems...)
			o.Lines = append(o.Lines, l)
		}
		return data.ImportItem{Order: &o, Problems: problems}
	})
}

// parseEtsyOrders reads EtsySoldOrders: one row per order, in the 36-column header of 2025 and the
// older ones without the InPerson and SKU columns. It gives the order's totals. Its items are only a
// count and a list of SKUs, so it gives a line only when that is unambiguous: one SKU, all Number of
// Items units of it. Otherwise the order has no lines here and keeps the ones the Sold Order Items file
// gave.
func parseEtsyOrders(p *parser) iter.Seq[data.ImportItem] {
	return func(yield func(data.ImportItem) bool) {
		seen := map[string]int{} // order number → its row, to report an order listed twice
		toldNoSKU := false
		for row := range p.rows() {
			r := p.reader(row)
			o := data.Order{Channel: "etsy", ExternalID: etsyOrderID(r)}
			if first, ok := seen[o.ExternalID]; ok && o.ExternalID != "" {
				r.errorf(p.h.col("Order ID"), o.ExternalID, "order %s is in the file twice, on rows %d and %d", o.ExternalID, first, row.Num)
			} else if o.ExternalID != "" {
				seen[o.ExternalID] = row.Num
			}
			o.Currency = etsyCurrency(p, r)
			o.PlacedAt = r.requiredDate(p.location(), etsyDates, "Sale Date")
			o.ShippedAt = r.date(p.location(), etsyDates, "Date Shipped")
			o.Status = etsyOrderStatus(r.text("Status"), !o.ShippedAt.IsZero())
			country := r.text("Ship Country")
			o.ShipTo = data.Address{
				Name: r.text("Full Name"), Line1: r.text("Street 1"), Line2: r.text("Street 2"), City: r.text("Ship City"),
				Region: r.text("Ship State"), Postcode: r.postcode(country, "Ship Zipcode"), Country: country,
			}
			o.CustomerName = o.ShipTo.Name
			if o.CustomerName == "" {
				o.CustomerName = cleanName(r.text("Buyer"))
			}
			o.Subtotal = r.money(o.Currency, "Order Value")
			o.Discount = r.money(o.Currency, "Discount Amount")
			o.Shipping = r.money(o.Currency, "Shipping")
			o.Tax = r.money(o.Currency, "Sales Tax")
			o.Total = r.money(o.Currency, "Order Total")
			if !r.failed() {
				if line, ok := etsyOrderLine(r, o.Subtotal, !toldNoSKU); ok {
					o.Lines = []data.OrderLine{line}
				}
				if r.h.col("SKU") >= 0 && r.text("SKU") == "" {
					toldNoSKU = true
				}
			}
			it := data.ImportItem{FirstRow: row.Num, LastRow: row.Num, Order: &o, Problems: r.problems}
			if !yield(it) {
				return
			}
		}
	}
}

// etsyOrderLine is the Sold Orders row's one line, when its SKU cell names a single SKU: Number of Items
// units of it, at Order Value divided among them. When the cell lists several SKUs the file does not say
// how many of each were sold, and that is said with a warning; an empty SKU cell is said once per file
// (tellNoSKU), because shops that use no SKUs would otherwise get a warning on every order.
func etsyOrderLine(r *rowReader, subtotal int64, tellNoSKU bool) (data.OrderLine, bool) {
	skuCol := r.h.col("SKU")
	if skuCol < 0 {
		return data.OrderLine{}, false
	}
	skus := splitSKUs(r.text("SKU"))
	const fromItems = "so its items come from the Sold Order Items file (EtsySoldOrderItems); import that file too"
	switch {
	case len(skus) == 0:
		if tellNoSKU {
			r.warnf(skuCol, "", "the order lists no SKU, %s (said once for every order like this)", fromItems)
		}
		return data.OrderLine{}, false
	case len(skus) > 1:
		r.warnf(skuCol, r.text("SKU"), "the order has several SKUs and this file does not say how many of each were sold, %s", fromItems)
		return data.OrderLine{}, false
	}
	nCol := r.h.col("Number of Items")
	raw := strings.TrimSpace(r.row.Cell(nCol))
	n, ok := parseWhole(raw)
	if nCol < 0 || !ok || n < 1 {
		r.warnf(nCol, raw, "the number of items is not a whole number of at least 1, %s", fromItems)
		return data.OrderLine{}, false
	}
	if subtotal%n != 0 {
		r.warnf(r.h.col("Order Value"), r.text("Order Value"), "does not divide evenly among the %d items, so they were not all sold at one price; %s", n, fromItems)
		return data.OrderLine{}, false
	}
	return data.OrderLine{SKU: skus[0], Quantity: n, UnitPrice: subtotal / n}, true
}

// etsyOrderStatus maps the Sold Orders file onto our statuses the way the Sold Order Items file is read:
// shipped once it has a shipped date, whatever the Status column says later (a refund after shipping
// does not bring the goods back, and the items file cannot tell a refund at all), cancelled when it was
// called off before shipping, and otherwise paid, as Etsy lists only orders that were paid for.
func etsyOrderStatus(status string, shipped bool) data.Status {
	s := strings.ToLower(status)
	switch {
	case shipped:
		return data.StatusShipped
	case strings.Contains(s, "cancel") || strings.Contains(s, "refund"):
		return data.StatusCancelled
	}
	return data.StatusPaid
}

// splitSKUs reads a cell holding SKUs joined by commas, as Etsy writes every variant's SKU of a listing
// and every SKU of an order, without empties and repeats.
func splitSKUs(cell string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.Split(cell, ",") {
		s = stripGuard(strings.TrimSpace(s))
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// parseEtsyListings reads EtsyListingsDownload.csv: one row per listing, with every variant's SKU
// comma-joined in one cell. Each SKU becomes a product named after the listing. QUANTITY is the stock
// of the whole listing and PRICE the listing's price, so both are taken only for a listing with a
// single SKU; a listing with variants says why its stock and prices were left alone.
func parseEtsyListings(p *parser) iter.Seq[data.ImportItem] {
	return func(yield func(data.ImportItem) bool) {
		for row := range p.rows() {
			r := p.reader(row)
			title := r.text(etsyListingTitle...)
			skus := splitSKUs(r.text("SKU"))
			currency := strings.ToUpper(r.text("CURRENCY_CODE"))
			if currency == "" {
				currency = p.currency()
			}
			var price *int64
			if r.text(etsyListingPrice...) != "" {
				v := r.money(currency, etsyListingPrice...)
				price = &v
			}
			var quantity *int64
			qCol := r.h.col(etsyListingQuantity...)
			if raw := r.text(etsyListingQuantity...); raw != "" {
				q, ok := parseWhole(raw)
				if !ok || q < 0 {
					r.errorf(qCol, raw, "the quantity is not a whole number of 0 or more")
				} else {
					quantity = &q
				}
			}
			switch {
			case len(skus) == 0:
				r.warnf(r.h.col("SKU"), "", "the listing %q has no SKU, and Backroom keeps products by SKU, so it was left out; give it a SKU on Etsy to import it", title)
			case len(skus) > 1:
				reason := fmt.Sprintf("the listing has %d SKUs, one per variant; ", len(skus))
				if quantity != nil {
					reason += "QUANTITY (" + strconv.FormatInt(*quantity, 10) + ") is their total, not each one's, so no stock was counted"
				} else {
					reason += "none has a stock count here"
				}
				if price != nil {
					reason += ", and PRICE is the listing's price, not necessarily each variant's, so their prices were left as they are"
				}
				r.warnf(r.h.col("SKU"), r.text("SKU"), "%s", reason)
				price, quantity = nil, nil
			}
			if len(skus) == 0 || r.failed() {
				if !yield(data.ImportItem{FirstRow: row.Num, LastRow: row.Num, Problems: r.problems}) {
					return
				}
				continue
			}
			for i, sku := range skus {
				it := data.ImportItem{FirstRow: row.Num, LastRow: row.Num,
					Product: &data.ProductRecord{SKU: sku, ProductName: title, Price: price, Currency: currency}}
				if quantity != nil {
					it.Count = &data.StockCount{SKU: sku, OnHand: *quantity}
				}
				if i == 0 {
					it.Problems = r.problems
				}
				if !yield(it) {
					return
				}
			}
		}
	}
}
