package stockexport

import (
	"io"

	"github.com/backroom-app/backroom/data"
)

// etsyColumns is the header of Etsy's listings download (EtsyListingsDownload.csv, Shop Manager ›
// Settings › Options › Download Data), 24 columns, in English.
func etsyColumns() []string {
	return []string{"TITLE", "DESCRIPTION", "PRICE", "CURRENCY_CODE", "QUANTITY", "TAGS", "MATERIALS", "IMAGE1", "IMAGE2",
		"IMAGE3", "IMAGE4", "IMAGE5", "IMAGE6", "IMAGE7", "IMAGE8", "IMAGE9", "IMAGE10", "VARIATION 1 TYPE", "VARIATION 1 NAME",
		"VARIATION 1 VALUES", "VARIATION 2 TYPE", "VARIATION 2 NAME", "VARIATION 2 VALUES", "SKU"}
}

// Etsy writes quantities in the layout of Etsy's listings download. Etsy itself takes no stock upload:
// its listings file is a download only, and quantities change on the listing page, in the listings
// manager's bulk edit or through Etsy's API. The file is for bulk-edit tools that read Etsy's own listings
// layout, and for the owner working through the listings by hand.
//
// It is written as Etsy writes its download (UTF-8 without a byte order mark, LF line ends, quoted as
// PHP's fputcsv quotes), with one row per SKU and only QUANTITY and SKU filled. Etsy's own file has one
// row per listing, its QUANTITY the total over the variations and SKU every variation's SKU in one cell;
// Backroom does not know how SKUs are grouped into Etsy listings, and a tool matching by SKU needs each
// SKU's quantity on its own.
func Etsy(w io.Writer, listings []data.ChannelListing) (Result, error) {
	records := [][]string{etsyColumns()}
	for _, l := range listings {
		row := make([]string, 24)
		row[4], row[23] = itoa(quantity(l)), l.ChannelSKU
		records = append(records, row)
	}
	if err := writePHPCSV(w, records); err != nil {
		return Result{}, err
	}
	return result(listings), nil
}
