package shipexport

import (
	"io"
	"strings"

	"github.com/backroom-app/backroom/app/sheetcell"
	"github.com/backroom-app/backroom/data"
)

// amazonColumns are the columns of Amazon's shipping confirmation flat file (template
// Flat.File.ShippingConfirm, feed type _POST_FLAT_FILE_FULFILLMENT_DATA_; Seller Central › Orders ›
// Upload order related files). The header was checked against several programs that upload it, among
// them an MWS client that submits exactly these eight columns as _POST_FLAT_FILE_FULFILLMENT_DATA_ and a
// TypeScript feed writer that cites the template Flat.File.ShippingConfirm.de.xls.
var amazonColumns = []string{"order-id", "order-item-id", "quantity", "ship-date", "carrier-code", "carrier-name", "tracking-number", "ship-method"}

// amazonCarriers are carrier codes Amazon accepts in carrier-code: the CarrierCode list of its feed
// schema (amzn-base.xsd; see e.g. hsudas/flexi Libraries/Flexi.Model/Poco/AmazonMWS/Feeds/CarrierCode.cs).
// Any other carrier is written as "Other" with its name in carrier-name.
var amazonCarriers = []string{
	"USPS", "UPS", "UPSMI", "FedEx", "DHL", "Fastway", "GLS", "GO!", "Hermes Logistik Gruppe", "Royal Mail", "Parcelforce",
	"City Link", "TNT", "Target", "SagawaExpress", "NipponExpress", "YamatoTransport", "DHL Global Mail", "UPS Mail Innovations",
	"FedEx SmartPost", "OSM", "OnTrac", "Streamlite", "Newgistics", "Canada Post", "Blue Package", "Chronopost", "Deutsche Post",
	"DPD", "La Poste", "Parcelnet", "Poste Italiane", "SDA", "Smartmail", "FEDEX_JP", "JP_EXPRESS", "NITTSU", "SAGAWA", "YAMATO",
	"BlueDart", "AFL/Fedex", "Aramex", "India Post", "Professional", "DTDC", "Overnite Express", "First Flight", "Delhivery",
	"Lasership", "Yodel",
}

// amazonAliases are other names people give the same carriers.
var amazonAliases = map[string]string{
	"unitedstatespostalservice": "USPS",
	"unitedparcelservice":       "UPS",
	"federalexpress":            "FedEx",
	"dhlexpress":                "DHL",
	"dhlparcel":                 "DHL",
	"dhlpaket":                  "DHL",
	"hermes":                    "Hermes Logistik Gruppe",
	"hermesgermany":             "Hermes Logistik Gruppe",
	"colissimo":                 "La Poste",
}

// AmazonCarrier returns the carrier-code and carrier-name columns for a carrier as the shop wrote it: a
// code from Amazon's list and no name, or "Other" and the name as written.
func AmazonCarrier(carrier string) (code, name string) {
	carrier = clean(strings.TrimSpace(carrier))
	if c, ok := lookupCarrier(carrier, amazonCarriers, amazonAliases); ok {
		return c, ""
	}
	if carrier == "" {
		return "", ""
	}
	return "Other", carrier
}

// Amazon writes Amazon's shipping confirmation flat file: tab-separated UTF-8 text with CRLF line ends
// (the template is a workbook saved as tab-delimited text), the header row, then one row per order.
// order-item-id and quantity are left empty, which Amazon reads as "every item of the order shipped in
// this parcel": Backroom keeps no Amazon order-item ids, and a parcel holds the whole order. ship-date
// is the day in the shop's time zone, written YYYY-MM-DD.
func Amazon(w io.Writer, orders []data.ShippedOrder, opts Options) (Result, error) {
	var res Result
	var b strings.Builder
	b.WriteString(strings.Join(amazonColumns, "\t") + "\r\n")
	for _, o := range orders {
		code, name := AmazonCarrier(o.Shipment.Carrier)
		row := []string{clean(o.Order.ExternalID), "", "", opts.day(o.Shipment.ShippedAt), code, name,
			clean(o.Shipment.Tracking), clean(o.Shipment.Service)}
		b.WriteString(strings.Join(sheetcell.KeyRow(row), "\t") + "\r\n")
		res.note(o)
		res.Rows++
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return Result{}, err
	}
	return res, nil
}
