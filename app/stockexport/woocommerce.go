package stockexport

import (
	"io"

	"github.com/backroom-app/backroom/data"
)

// wooColumns are the stock columns of WooCommerce's product CSV, named as its exporter names them
// (class-wc-product-csv-exporter.php), so its importer maps them without being told.
func wooColumns() []string { return []string{"ID", "SKU", "In stock?", "Stock"} }

// WooCommerce writes a product CSV holding only the stock columns, for Products › Import with "Update
// existing products" ticked: UTF-8 with a byte order mark and LF line ends, quoted as PHP's fputcsv
// quotes, like WooCommerce's own export.
//
// WooCommerce's importer finds the product by ID or, when ID is empty, by SKU
// (class-wc-product-csv-importer.php). Backroom keeps no WooCommerce ids, so ID stays empty and the SKU
// finds the product or variation. Stock is always a number: the importer turns stock management off
// for a product whose Stock cell is empty. In stock? is 1 or 0 to match; with stock managed, WooCommerce
// works the status out from the quantity and its backorder setting anyway. Type, Name and prices are not
// in the file, so the import leaves them as they are. SKUs are written as they are, without the
// apostrophe WooCommerce's exporter puts before one starting with - + = or @: its importer does not take
// that apostrophe off a SKU, so the product would not be found.
func WooCommerce(w io.Writer, listings []data.ChannelListing) (Result, error) {
	records := [][]string{wooColumns()}
	for _, l := range listings {
		inStock := "0"
		if quantity(l) > 0 {
			inStock = "1"
		}
		records = append(records, []string{"", l.ChannelSKU, inStock, itoa(quantity(l))})
	}
	if _, err := io.WriteString(w, bom); err != nil {
		return Result{}, err
	}
	if err := writePHPCSV(w, records); err != nil {
		return Result{}, err
	}
	return result(listings), nil
}
