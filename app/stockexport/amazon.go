package stockexport

import (
	"io"
	"strings"

	"github.com/backroom-app/backroom/app/sheetcell"
	"github.com/backroom-app/backroom/data"
)

// amazonColumns is the header of Amazon's Price & Quantity file (Flat.File.PriceInventory, feed
// POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA) in the plain single-header form Seller Central takes at
// Catalogue › Add products via upload › Upload your inventory file; the same seven columns are written
// by many independent programs that upload it.
func amazonColumns() []string {
	return []string{"sku", "price", "minimum-seller-allowed-price", "maximum-seller-allowed-price", "quantity", "handling-time", "fulfillment-channel"}
}

// Amazon writes Amazon's Price & Quantity file: tab-separated UTF-8 text with CRLF line ends (the
// template is a workbook saved as tab-delimited text), the header, then one row per seller SKU with only
// sku and quantity filled. Amazon reads a blank cell as "no change", and every other column is left
// blank on purpose:
//   - price: Backroom's price is the shop's own selling price, not the Amazon offer's, which is often
//     set higher to cover fees, is per pack for a multipack alias, and is written with a decimal comma on
//     the German, French, Italian and Spanish sites; sending it would reprice every offer.
//   - fulfillment-channel: DEFAULT would turn an offer Amazon fulfils (FBA) into one the shop ships, and
//     Backroom does not know which offers are FBA; FBA stock is Amazon's to count anyway.
//   - handling-time and the price limits: not Backroom's to know.
func Amazon(w io.Writer, listings []data.ChannelListing) (Result, error) {
	var b strings.Builder
	b.WriteString(strings.Join(amazonColumns(), "\t") + "\r\n")
	for _, l := range listings {
		row := []string{clean(l.ChannelSKU), "", "", "", itoa(quantity(l)), "", ""}
		b.WriteString(strings.Join(sheetcell.KeyRow(row), "\t") + "\r\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return Result{}, err
	}
	return result(listings), nil
}
