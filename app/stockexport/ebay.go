package stockexport

import (
	"io"

	"github.com/backroom-app/backroom/data"
)

// ebayInfo is the first line of eBay's "Revise price and quantity" template (Seller Hub › Reports ›
// Uploads) as eBay's download has it, after the byte order mark: the #INFO cell, the template version and
// name, then empty cells out to the template's twelve columns.
func ebayInfo() []string {
	return []string{"#INFO", "Version=1.0.0", "Template= eBay-active-revise-price-quantity-download_US", "", "", "", "", "", "", "", "", ""}
}

// ebayColumns is the header of the revise price and quantity template.
func ebayColumns() []string {
	return []string{"Action", "Category name", "Item number", "Title", "Listing site", "Currency", "Start price",
		"Buy It Now price", "Available quantity", "Relationship", "Relationship details", "Custom label (SKU)"}
}

// Ebay writes eBay's revise price and quantity file: UTF-8 with a byte order mark, CRLF line ends, the
// #INFO line and the header as the template has them, then one Revise row per SKU with Available quantity
// and Custom label (SKU) filled.
//
// Backroom keeps no eBay item numbers, so Item number stays empty and the row names its listing or
// variation by Custom label (SKU), the seller's SKU on eBay; that only works where every SKU is unique
// among the shop's active eBay listings, which eBay's SKU-based revisions require anyway. For the same
// reason each variation is its own row rather than a parent row followed by rows with an empty Action as
// in eBay's download: a variation found by its SKU needs no parent. Title, prices and the listing columns
// stay empty, which eBay reads as "no change".
func Ebay(w io.Writer, listings []data.ChannelListing) (Result, error) {
	records := [][]string{ebayInfo(), ebayColumns()}
	for _, l := range listings {
		records = append(records, []string{"Revise", "", "", "", "", "", "", "", itoa(quantity(l)), "", "", l.ChannelSKU})
	}
	if _, err := io.WriteString(w, bom); err != nil {
		return Result{}, err
	}
	if err := writeCSV(w, records, true); err != nil {
		return Result{}, err
	}
	return result(listings), nil
}
