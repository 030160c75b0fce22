package shipexport

import (
	"io"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// ebayColumns are the columns of eBay's tracking upload (Seller Hub › Orders › Upload tracking; the "Add
// order tracking and shipping info" template of Seller Hub Reports): the columns of the awaiting-shipment
// download, filled in and uploaded again. The header was checked against programs that write this upload
// for sellers (an eBay shipping-confirmation exporter in TypeScript and a Python tracking-file writer use
// exactly these eight columns); the older File Exchange "Status" action file (Action(SiteID=…),
// ShippingCarrierUsed, ShipmentTrackingNumber) went with File Exchange.
var ebayColumns = []string{"Shipping Status", "Order Number", "Item Number", "Item Title", "Custom Label", "Transaction ID",
	"Shipping Carrier Used", "Tracking Number"}

// ebayCarriers are carriers as eBay's carrier list spells them (the Trading API's ShippingCarrierCodeType
// names, as shown in Seller Hub).
var ebayCarriers = []string{
	"USPS", "UPS", "FedEx", "DHL", "Royal Mail", "Parcelforce", "Evri", "Yodel", "DPD", "DPD UK", "Canada Post", "Purolator",
	"Australia Post", "Deutsche Post", "Hermes", "GLS", "La Poste", "Colissimo", "PostNL", "OnTrac", "Other",
}

var ebayAliases = map[string]string{
	"unitedstatespostalservice": "USPS",
	"unitedparcelservice":       "UPS",
	"federalexpress":            "FedEx",
	"dhlexpress":                "DHL",
}

// EbayCarrier is a carrier as eBay spells it, or the name as written when eBay's list has no such
// carrier.
func EbayCarrier(carrier string) string {
	carrier = strings.TrimSpace(carrier)
	if c, ok := lookupCarrier(carrier, ebayCarriers, ebayAliases); ok {
		return c
	}
	return carrier
}

// Ebay writes eBay's tracking upload: UTF-8 CSV with CRLF line ends, one row per order line with the
// line's title and Custom Label (the seller's SKU) so the seller can check the file. Item Number and
// Transaction ID stay empty: Backroom does not keep eBay's listing and transaction ids, and eBay matches
// the row by Order Number. eBay takes a carrier only together with a tracking number, so an order without
// tracking is marked Shipped with both left empty. The ship date is the day of the upload; the file has
// no column for it.
func Ebay(w io.Writer, orders []data.ShippedOrder, opts Options) (Result, error) {
	var res Result
	records := [][]string{ebayColumns}
	for _, o := range orders {
		carrier, tracking := EbayCarrier(o.Shipment.Carrier), o.Shipment.Tracking
		if strings.TrimSpace(tracking) == "" {
			carrier = ""
		}
		lines := o.Order.Lines
		if len(lines) == 0 {
			lines = []data.OrderLine{{}}
		}
		for _, l := range lines {
			label := l.SKU
			if label == "" {
				label = l.ChannelSKU
			}
			records = append(records, []string{"Shipped", o.Order.ExternalID, "", l.Name, label, "", carrier, tracking})
			res.Rows++
		}
		res.note(o)
	}
	if err := writeCSV(w, records); err != nil {
		return Result{}, err
	}
	return res, nil
}
