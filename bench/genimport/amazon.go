package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// amazonHeader is the current (2024+) All Orders report header (marketplace-formats.md §3.1), TAB-separated.
const amazonHeader = "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\tnumber-of-items\titem-status\ttax-collection-model\ttax-collection-responsible-party\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\titem-promotion-discount\tship-promotion-discount\taddress-type\tship-city\tship-state\tship-postal-code\tship-country\tpromotion-ids\tpayment-method-details\tcpf\titem-extensions-data\tis-business-order\tpurchase-order-number\tprice-designation\tcustomized-url\tcustomized-page\tis-replacement-order\tis-exchange-order\toriginal-order-id\tis-transparency\tdefault-ship-from-address-name\tdefault-ship-from-address-field-1\tdefault-ship-from-address-field-2\tdefault-ship-from-address-field-3\tdefault-ship-from-city\tdefault-ship-from-state\tdefault-ship-from-country\tdefault-ship-from-postal-code\tactual-ship-from-address-name\tactual-ship-from-address-field-1\tactual-ship-from-address-field-2\tactual-ship-from-address-field-3\tactual-ship-from-city\tactual-ship-from-state\tactual-ship-from-country\tactual-ship-from-postal-code\tsignature-confirmation-recommended"

// writeAmazonTSV writes an All Orders report with lines order items: one row per item, the order's
// fields repeated on each, amounts as line totals (unit price × quantity), no quoting at all.
func writeAmazonTSV(w io.Writer, s *shop, lines int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	names := strings.Split(amazonHeader, "\t")
	at := map[string]int{}
	for i, n := range names {
		at[n] = i
	}
	bw.WriteString(amazonHeader + "\n")
	row := make([]string, len(names))
	for o := range s.orders(lines) {
		id := amazonOrderID(o.Number)
		status, itemStatus := "Shipped", "Shipped"
		switch {
		case !o.Cancelled.IsZero():
			status, itemStatus = "Cancelled", "Cancelled"
		case o.Fulfilled.IsZero() && o.Paid.IsZero():
			status, itemStatus = "Pending", "Unshipped"
		case o.Fulfilled.IsZero():
			status, itemStatus = "Unshipped", "Unshipped"
		}
		fba := o.Number%3 == 0
		updated := o.Created.Add(2 * time.Hour)
		if !o.Fulfilled.IsZero() {
			updated = o.Fulfilled
		}
		items := int64(0)
		for _, l := range o.Lines {
			items += l.Quantity
		}
		for _, l := range o.Lines {
			clear(row)
			set := func(col, v string) { row[at[col]] = v }
			set("amazon-order-id", id)
			set("merchant-order-id", "")
			set("purchase-date", o.Created.UTC().Format("2006-01-02T15:04:05+00:00"))
			set("last-updated-date", updated.UTC().Format("2006-01-02T15:04:05+00:00"))
			set("order-status", status)
			if fba {
				set("fulfillment-channel", "Amazon")
			} else {
				set("fulfillment-channel", "Merchant")
			}
			set("sales-channel", "Amazon.com")
			set("ship-service-level", map[bool]string{true: "Expedited", false: "Standard"}[o.ShippingCost > 1000])
			// Amazon titles are long and keyword-stuffed, and may hold a literal " or , (never a TAB).
			set("product-name", l.Product+", "+l.Option+" - Gift for Him or Her")
			set("sku", l.SKU)
			set("asin", asin(l.SKU))
			set("number-of-items", strconv.FormatInt(items, 10))
			set("item-status", itemStatus)
			set("tax-collection-model", "MarketplaceFacilitator")
			set("tax-collection-responsible-party", "Amazon Services, Inc.")
			set("quantity", strconv.FormatInt(l.Quantity, 10))
			set("currency", "USD")
			lineTotal := l.Price * l.Quantity
			set("item-price", money(lineTotal))
			set("item-tax", money((lineTotal*o.TaxRate+5000)/10000))
			set("shipping-price", money(o.ShippingCost))
			set("shipping-tax", "0.00")
			set("gift-wrap-price", "0.00")
			set("gift-wrap-tax", "0.00")
			set("item-promotion-discount", money(l.Discount))
			set("ship-promotion-discount", "0.00")
			set("address-type", "Residential")
			set("ship-city", strings.ToUpper(o.Shipping.City))
			set("ship-state", o.Shipping.Province)
			set("ship-postal-code", o.Shipping.Zip)
			set("ship-country", o.Shipping.Country)
			if o.DiscountCode != "" {
				set("promotion-ids", "US Core Free Shipping Promotion "+o.DiscountCode)
			}
			set("payment-method-details", "Standard")
			set("is-business-order", "false")
			set("is-replacement-order", "false")
			set("is-exchange-order", "false")
			set("is-transparency", "false")
			set("signature-confirmation-recommended", "false")
			if !fba {
				set("default-ship-from-address-name", "Backroom Goods")
				set("default-ship-from-address-field-1", "100 Warehouse Rd")
				set("default-ship-from-city", "Denver")
				set("default-ship-from-state", "CO")
				set("default-ship-from-country", "US")
				set("default-ship-from-postal-code", "80216")
			}
			bw.WriteString(strings.Join(row, "\t"))
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// amazonOrderID makes a 3-7-7 digit order id from an order number.
func amazonOrderID(n int) string {
	h := uint64(n)*2654435761 + 1234567
	return fmt.Sprintf("%03d-%07d-%07d", 111+n%3, h%10_000_000, uint64(n)%10_000_000)
}

func asin(sku string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(sku); i++ {
		h = (h ^ uint32(sku[i])) * 16777619
	}
	return fmt.Sprintf("B0%08X", h)
}
