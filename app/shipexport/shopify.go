package shipexport

import (
	"io"
	"strings"

	"github.com/backroom-app/backroom/data"
)

// shopifyColumns are the columns of the bulk-fulfilment CSV. Shopify's admin has no tracking import of
// its own: tracking goes in order by order, through the API, or through a bulk-fulfilment app from the
// Shopify App Store that reads a CSV. The apps agree on one row per order keyed by the order's name
// (#1001) with the tracking number and the tracking company, and most also read a tracking URL and
// whether to e-mail the customer; these are the column names they accept without any mapping. The
// tracking company must be spelled as in Shopify's list of tracking companies (capitals matter: the
// GraphQL Admin API's FulfillmentTrackingInfo), because only then does Shopify build the tracking link
// itself, which is why Tracking URL stays empty.
var shopifyColumns = []string{"Order Name", "Tracking Number", "Tracking Company", "Tracking URL", "Notify Customer"}

// shopifyCarriers are tracking companies as Shopify spells them.
var shopifyCarriers = []string{
	"USPS", "UPS", "FedEx", "DHL Express", "DHL eCommerce", "DHL Parcel", "Royal Mail", "Parcelforce", "DPD UK", "DPD", "Evri",
	"Yodel", "Canada Post", "Purolator", "Australia Post", "Sendle", "PostNL", "Deutsche Post", "La Poste", "Colissimo", "GLS",
	"Poste Italiane", "Correos", "An Post", "OnTrac", "Amazon Logistics",
}

var shopifyAliases = map[string]string{
	"dhl":                       "DHL Express",
	"hermes":                    "Evri",
	"unitedstatespostalservice": "USPS",
	"unitedparcelservice":       "UPS",
	"federalexpress":            "FedEx",
}

// ShopifyCarrier is the tracking company for a carrier as the shop wrote it: Shopify's spelling when
// Shopify knows the carrier, else the name as written.
func ShopifyCarrier(carrier string) string {
	carrier = strings.TrimSpace(carrier)
	if c, ok := lookupCarrier(carrier, shopifyCarriers, shopifyAliases); ok {
		return c
	}
	return carrier
}

// shopifyName is an order's name as Shopify shows it: "#1001". Imports keep the "#", orders typed in by
// hand may not have it.
func shopifyName(id string) string {
	id = strings.TrimSpace(id)
	if id == "" || strings.HasPrefix(id, "#") {
		return id
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return id
		}
	}
	return "#" + id
}

// Shopify writes the bulk-fulfilment CSV: UTF-8, RFC 4180 with CRLF line ends, one row per order. The
// customer is notified (TRUE), as Shopify does when an order is fulfilled by hand.
func Shopify(w io.Writer, orders []data.ShippedOrder, opts Options) (Result, error) {
	var res Result
	records := [][]string{shopifyColumns}
	for _, o := range orders {
		records = append(records, []string{shopifyName(o.Order.ExternalID), o.Shipment.Tracking, ShopifyCarrier(o.Shipment.Carrier), "", "TRUE"})
		res.note(o)
		res.Rows++
	}
	if err := writeCSV(w, records); err != nil {
		return Result{}, err
	}
	return res, nil
}
