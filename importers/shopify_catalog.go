package importers

import (
	"iter"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// shopifyCatalogFormats lists the layouts this file reads: the products CSV in both header generations,
// and the inventory export in its per-location and its older pivoted shape.
func shopifyCatalogFormats() []*Format {
	return []*Format{shopifyProducts(), shopifyInventory(), shopifyInventoryPivoted()}
}

// shopifyProducts reads Products › Export (products_export.csv) and the product_template.csv people fill
// in. Shopify renamed its columns in 2025 (Handle → URL handle, Variant SKU → SKU, Variant Price → Price
// and so on); both generations are read, each column looked up under its new name and then its old one.
func shopifyProducts() *Format {
	return &Format{
		ID: "shopify-products", Name: "Shopify products", Kind: KindProducts,
		required: []string{"URL handle", "Title", "SKU", "Price"},
		match: func(h *header) bool {
			return h.col("URL handle", "Handle") >= 0 && h.col("SKU", "Variant SKU") >= 0 &&
				h.col("Price", "Variant Price") >= 0 && h.col("Title") >= 0
		},
		parse: parseShopifyProducts,
	}
}

// shopifyProduct is what a product's first row says for all of its variants: continuation rows carry only
// the handle and the variant's own columns.
type shopifyProduct struct {
	name   string
	status string
}

// parseShopifyProducts yields one product record per variant row with a SKU. The first row of a product
// carries its Title and Status; the rows after it (matched by handle) carry another variant, or only an
// extra image, which yields nothing.
func parseShopifyProducts(p *parser) iter.Seq[data.ImportItem] {
	currency := p.currency()
	skuCol := p.h.col("SKU", "Variant SKU")
	return func(yield func(data.ImportItem) bool) {
		byHandle := map[string]*shopifyProduct{}
		var last *shopifyProduct
		firstRowOf := map[string]int{} // lower-case SKU → row, because Backroom's SKUs ignore case
		for row := range p.rows() {
			r := p.reader(row)
			handle := r.text("URL handle", "Handle")
			name := r.text("Title")
			var prod *shopifyProduct
			switch {
			case name != "":
				prod = &shopifyProduct{name: name, status: r.text("Status")}
				if handle != "" {
					byHandle[strings.ToLower(handle)] = prod
				}
				last = prod
			case handle != "":
				prod = byHandle[strings.ToLower(handle)]
			default:
				// A filled-in template may leave the handle to Shopify; its variant rows then follow the
				// product's first row with no handle at all.
				prod = last
			}
			variant := shopifyVariantTitle(r)
			sku := shopifySKU(r, "SKU", "Variant SKU")
			price := r.text("Price", "Variant Price")
			quantity := r.text("Inventory quantity", "Variant Inventory Qty")
			it := data.ImportItem{FirstRow: row.Num, LastRow: row.Num}
			if sku == "" {
				// A row with none of a variant's fields holds an extra image of the product: nothing
				// Backroom keeps. A variant without a SKU cannot be matched to anything.
				imageOnly := name == "" && variant == "" && price == "" && quantity == ""
				if !imageOnly && !r.failed() {
					r.warnf(skuCol, "", "%s has no SKU, so Backroom cannot track it; give the variant a SKU in Shopify and export again",
						describeVariant(prod, variant))
				}
				if len(r.problems) > 0 {
					it.Problems = r.problems
					if !yield(it) {
						return
					}
				}
				continue
			}
			if prod == nil {
				r.warnf(p.h.col("URL handle", "Handle"), handle, "the first row of this product, with its title, is not in the file; the variant is read without a product name")
				prod = &shopifyProduct{}
			}
			if first, dup := firstRowOf[strings.ToLower(sku)]; dup {
				r.errorf(skuCol, sku, "SKU %s is also on row %d; Backroom keeps one record per SKU, so give each variant its own SKU in Shopify", sku, first)
			} else {
				firstRowOf[strings.ToLower(sku)] = row.Num
			}
			rec := data.ProductRecord{SKU: sku, ProductName: prod.name, Title: variant, Currency: currency}
			if price != "" {
				v := r.money(currency, "Price", "Variant Price")
				if v < 0 {
					r.errorf(p.h.col("Price", "Variant Price"), price, "a price cannot be negative")
				}
				rec.Price = &v
			}
			if cost := r.text("Cost per item"); cost != "" {
				v := r.money(currency, "Cost per item")
				if v < 0 {
					r.errorf(p.h.col("Cost per item"), cost, "a cost cannot be negative")
				}
				rec.Cost = &v
			}
			// A blank barcode cell leaves Backroom's barcodes as they are: a barcode added in Backroom is not
			// lost because Shopify never had it.
			if code := shopifyBarcode(r, "Barcode", "Variant Barcode"); code != "" {
				rec.Barcodes = []string{code}
			}
			rec.Active = shopifyActive(r, prod)
			it.Count = shopifyProductCount(r, sku, quantity)
			it.Product = &rec
			it.Problems = r.problems
			if !yield(it) {
				return
			}
		}
	}
}

// shopifyVariantTitle is the variant's option values as Shopify shows them, "Green / M". A product
// without options has the single option Title = Default Title, which is no variant title at all.
func shopifyVariantTitle(r *rowReader) string {
	var values []string
	for _, n := range []string{"1", "2", "3"} {
		v := r.text("Option" + n + " Value")
		if v != "" && !strings.EqualFold(v, "Default Title") {
			values = append(values, v)
		}
	}
	return strings.Join(values, " / ")
}

func describeVariant(prod *shopifyProduct, variant string) string {
	name := "this variant"
	if prod != nil && prod.name != "" {
		name = prod.name
		if variant != "" {
			name += " – " + variant
		}
	} else if variant != "" {
		name = "variant " + variant
	}
	return name
}

// shopifyActive reads Status: active products are for sale, drafts and archived ones are not. The
// status is on a product's first row and holds for its variants. Files from before the column existed
// leave Backroom's flag as it is.
func shopifyActive(r *rowReader, prod *shopifyProduct) *bool {
	status, own := r.text("Status"), true
	if status == "" {
		status, own = prod.status, false
	}
	var active bool
	switch strings.ToLower(status) {
	case "":
		return nil
	case "active":
		active = true
	case "draft", "archived":
		active = false
	default:
		if own {
			r.warnf(r.h.col("Status"), status, "is not a Shopify product status (active, draft or archived); the product's active flag was left as it is")
		}
		return nil
	}
	return &active
}

// shopifyProductCount turns the products file's inventory quantity into a count for the SKU's own
// location: Shopify fills the column only for shops with a single location (others export stock in the
// inventory file). Shopify keeps no quantity for a variant whose Inventory tracker is blank (it exports
// 0), so such a quantity is not a count and would wipe Backroom's stock.
func shopifyProductCount(r *rowReader, sku, quantity string) *data.StockCount {
	if quantity == "" {
		return nil
	}
	col := r.h.col("Inventory quantity", "Variant Inventory Qty")
	n, ok := parseWhole(quantity)
	if !ok {
		r.errorf(col, quantity, "the inventory quantity is not a whole number")
		return nil
	}
	tracker := r.h.col("Inventory tracker", "Variant Inventory Tracker")
	if tracker >= 0 && strings.TrimSpace(r.row.Cell(tracker)) == "" {
		if n != 0 {
			r.warnf(col, quantity, "Shopify does not track this variant's stock (%s is empty), so the quantity was not imported as a count", r.h.name(tracker))
		}
		return nil
	}
	return &data.StockCount{SKU: sku, OnHand: n}
}

// shopifySKU reads a SKU. SKUs are text and may look like numbers (0986435621), so only the form a
// spreadsheet writes when it has damaged one, 3.65275E+11, or a number an xlsx cell holds, goes through
// the id checks; a SKU such as 2E10 typed by the owner is left alone. A SKU an xlsx stored as a number has
// lost any leading zeros it had, which nothing in the file shows, so it comes with a warning.
func shopifySKU(r *rowReader, names ...string) string {
	col := r.h.col(names...)
	s := strings.TrimSpace(r.row.Cell(col))
	if r.row.IsNumeric(col) {
		sku := r.id(names...)
		if sku != "" {
			r.warnf(col, sku, "a spreadsheet program stored this SKU as a number, which drops leading zeros; "+
				"if the SKU in Shopify starts with 0, format the column as Text and save the file again")
		}
		return sku
	}
	if strings.ContainsAny(s, "eE") && strings.Contains(s, "+") {
		return r.id(names...)
	}
	return stripGuard(r.text(names...))
}

// shopifyBarcode reads a barcode, refusing one in scientific notation. A UPC-A or EAN-8 that is a digit
// short but whose check digit holds lost its leading zero to a spreadsheet; it gets it back, with a
// warning.
func shopifyBarcode(r *rowReader, names ...string) string {
	code := r.id(names...)
	if (len(code) == 11 || len(code) == 7) && digitCount(code) == len(code) && gtinValid(code) {
		fixed := "0" + code
		r.warnf(r.h.col(names...), code, "a %d-digit barcode lost its leading zero in a spreadsheet program; it was read as %s", len(fixed), fixed)
		return fixed
	}
	return code
}

// gtinValid checks a GTIN's last digit: weights 3 and 1 alternate from the right, so leading zeros do not
// change it.
func gtinValid(code string) bool {
	sum := 0
	for i := len(code) - 2; i >= 0; i-- {
		d := int(code[i] - '0')
		if (len(code)-2-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return int(code[len(code)-1]-'0') == (10-sum%10)%10
}

// shopifyInventory reads Products › Inventory › Export (inventory_export.csv): one row per variant and
// location, the location by name. Both the current layout (On hand (current), On hand (new)) and the 2023
// "All quantity types" one (On hand) are read.
func shopifyInventory() *Format {
	return &Format{
		ID: "shopify-inventory", Name: "Shopify inventory", Kind: KindStock,
		required: []string{"Handle", "Title", "SKU", "Location"},
		match: func(h *header) bool {
			return h.has("Handle", "SKU", "Location") &&
				h.col("On hand (new)", "On hand (current)", "On hand", "Available (not editable)", "Available") >= 0
		},
		parse: parseShopifyInventory,
	}
}

// parseShopifyInventory yields a count per row. Importing an inventory export sets Backroom's stock at
// each location to what Shopify has on hand there, so the count is:
//   - On hand (new) when it is filled: the owner typed a new count into the sheet, which is what Shopify
//     itself would apply;
//   - otherwise the on-hand column the layout has (On hand (current), or On hand in 2023 files), which is
//     the count the export was made to carry: On hand (new) is blank in every export and blank there means
//     "no change" to Shopify, not "no stock";
//   - only in a layout without any on-hand column, Available, with a warning that it leaves out committed
//     units.
//
// "not stocked" yields no count: the variant is not kept at that location, which is not the same as
// holding none of it there. A blank cell says nothing either.
// inventoryProduct is what an inventory row says of its SKU: the product's title and the variant's
// options. It lets an inventory file start a shop's catalogue, as a product file would, and keeps the
// names of SKUs Backroom has in step with Shopify's.
func inventoryProduct(r *rowReader, sku string) *data.ProductRecord {
	return &data.ProductRecord{SKU: sku, ProductName: r.text("Title"), Title: shopifyVariantTitle(r)}
}

func parseShopifyInventory(p *parser) iter.Seq[data.ImportItem] {
	newCol := p.h.col("On hand (new)")
	onHand := p.h.col("On hand (current)", "On hand")
	fallback := onHand
	if fallback < 0 {
		fallback = p.h.col("Available (not editable)", "Available")
	}
	return func(yield func(data.ImportItem) bool) {
		if onHand < 0 && fallback >= 0 && !yield(availableWarning(p, fallback)) {
			return
		}
		firstRowOf := map[string]int{}
		described := map[string]bool{} // lower-case SKUs given a product record already
		for row := range p.rows() {
			r := p.reader(row)
			it := data.ImportItem{FirstRow: row.Num, LastRow: row.Num}
			sku := shopifySKU(r, "SKU")
			location := r.required("Location")
			n, counted := stockCell(r, newCol)
			if !counted && !r.failed() && strings.TrimSpace(r.row.Cell(newCol)) == "" {
				n, counted = stockCell(r, fallback)
			}
			switch {
			case r.failed() || !counted:
			case sku == "":
				r.warnf(p.h.col("SKU"), "", "%s has no SKU in Shopify, so Backroom cannot tell which of its items this is; give the variant a SKU in Shopify and export again",
					describeVariant(&shopifyProduct{name: r.text("Title")}, shopifyVariantTitle(r)))
			default:
				key := strings.ToLower(sku) + "\x00" + location
				if first, dup := firstRowOf[key]; dup {
					r.errorf(p.h.col("SKU"), sku, "SKU %s at %s is also on row %d; keep one row per SKU and location, so the count is clear", sku, location, first)
				} else {
					firstRowOf[key] = row.Num
				}
				it.Count = &data.StockCount{SKU: sku, Location: location, OnHand: n}
				if !described[strings.ToLower(sku)] {
					described[strings.ToLower(sku)] = true
					it.Product = inventoryProduct(r, sku)
				}
			}
			if it.Count == nil && len(r.problems) == 0 {
				continue
			}
			it.Problems = r.problems
			if !yield(it) {
				return
			}
		}
	}
}

// availableWarning says once per file that its counts are Shopify's Available quantity.
func availableWarning(p *parser, col int) data.ImportItem {
	return data.ImportItem{FirstRow: p.file.HeaderAt, LastRow: p.file.HeaderAt, Problems: []data.Problem{{
		Row: p.file.HeaderAt, Column: p.h.name(col), Warning: true,
		Reason: "this layout gives Shopify's available quantity, which leaves out units committed to open orders; " +
			"Backroom's stock is set to it, so export the current inventory layout (with On hand) for exact counts",
	}}}
}

// stockCell reads a quantity of a stock file: a whole number, negative when oversold; counted is false
// for a blank cell and for "not stocked".
func stockCell(r *rowReader, col int) (n int64, counted bool) {
	raw := r.row.Cell(col)
	s := strings.TrimSpace(raw)
	if col < 0 || s == "" || strings.EqualFold(s, "not stocked") {
		return 0, false
	}
	n, ok := parseWhole(s)
	if !ok {
		r.errorf(col, raw, `is neither a whole number of units nor "not stocked"`)
		return 0, false
	}
	return n, true
}

// shopifyInventoryPivoted reads inventory exports from before 2023: one column per location, named after
// it and holding the variant's Available quantity there. It has no Location column, and no price, which
// tells it from the current layout and from a products file.
func shopifyInventoryPivoted() *Format {
	return &Format{
		ID: "shopify-inventory-pivoted", Name: "Shopify inventory (one column per location)", Kind: KindStock,
		required: []string{"Handle", "Title", "Option1 Name", "Option1 Value", "SKU", "HS Code", "COO"},
		match: func(h *header) bool {
			return h.has("Handle", "Title", "Option1 Name", "Option1 Value", "SKU", "HS Code", "COO") &&
				h.col("Location") < 0 && h.col("Variant Price", "Price") < 0
		},
		parse: parseShopifyInventoryPivoted,
	}
}

// parseShopifyInventoryPivoted yields one count per location column of each row. Every column that is not
// one of the variant's own is a location; blank cells and "not stocked" are not counts.
func parseShopifyInventoryPivoted(p *parser) iter.Seq[data.ImportItem] {
	known := map[string]bool{}
	// The variant's own columns; every other named column is a location.
	for _, c := range []string{"Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
		"Option3 Name", "Option3 Value", "SKU", "HS Code", "COO", "Barcode", "Bin name"} {
		known[normalizeHeader(c)] = true
	}
	var locations []int
	for i, name := range p.h.names {
		if n := normalizeHeader(name); n != "" && !known[n] && p.h.index[n] == i {
			locations = append(locations, i)
		}
	}
	return func(yield func(data.ImportItem) bool) {
		if len(locations) == 0 {
			yield(data.ImportItem{Problems: []data.Problem{{Row: p.file.HeaderAt,
				Reason: "the file has no location columns: after COO, this layout has one column per location holding its quantity"}}})
			return
		}
		if !yield(availableWarning(p, locations[0])) {
			return
		}
		firstRowOf := map[string]int{} // lower-case SKU → row
		for row := range p.rows() {
			r := p.reader(row)
			sku := shopifySKU(r, "SKU")
			if first, dup := firstRowOf[strings.ToLower(sku)]; dup && sku != "" {
				r.errorf(p.h.col("SKU"), sku, "SKU %s is also on row %d; keep one row per SKU, so the counts are clear", sku, first)
			} else if sku != "" {
				firstRowOf[strings.ToLower(sku)] = row.Num
			}
			var items []data.ImportItem
			warnedSKU := false
			for _, col := range locations {
				cr := p.reader(row)
				n, counted := stockCell(cr, col)
				it := data.ImportItem{FirstRow: row.Num, LastRow: row.Num, Problems: cr.problems}
				if counted && sku != "" {
					it.Count = &data.StockCount{SKU: sku, Location: p.h.name(col), OnHand: n}
					if len(items) == 0 {
						it.Product = inventoryProduct(r, sku)
					}
				}
				if counted && sku == "" && !warnedSKU && !r.failed() {
					warnedSKU = true
					r.warnf(p.h.col("SKU"), "", "%s has no SKU in Shopify, so Backroom cannot tell which of its items this is; give the variant a SKU in Shopify and export again",
						describeVariant(&shopifyProduct{name: r.text("Title")}, shopifyVariantTitle(r)))
				}
				if it.Count != nil || len(it.Problems) > 0 {
					items = append(items, it)
				}
			}
			if len(r.problems) > 0 {
				// The row's own problems (a damaged or missing SKU) go with its first item, or one of their own.
				if len(items) == 0 || r.failed() {
					items = []data.ImportItem{{FirstRow: row.Num, LastRow: row.Num}}
				}
				items[0].Problems = append(r.problems, items[0].Problems...)
			}
			for _, it := range items {
				if !yield(it) {
					return
				}
			}
		}
	}
}
