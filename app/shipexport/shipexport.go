// Package shipexport writes shipping confirmations for upload back to the channels an order came from:
// Amazon's shipping confirmation flat file, a Shopify bulk-fulfilment CSV and eBay's tracking upload
// file. It is pure: shipped orders in, one file out, nothing read from disk or the network, so each
// format is checked byte for byte against a fixture built from the channel's documented columns.
//
// Orders shipped without a tracking number are written all the same, because the channel still has
// to hear that the order left (its late-shipment figures count from that), and they are listed in
// Result.NoTracking so the caller can say which ones a customer cannot follow.
package shipexport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/backroom-app/backroom/app/sheetcell"
	"github.com/backroom-app/backroom/data"
)

// ErrNoFileRoute means the channel takes tracking numbers only by hand or through its API, never as
// an uploaded file.
var ErrNoFileRoute = errors.New("no shipping confirmation file")

// Options tune a file. The zero value writes ship dates as days in UTC.
type Options struct {
	// Location is the shop's time zone: a parcel handed over at 00:30 local time was shipped that day,
	// not the day before in UTC.
	Location *time.Location
}

func (o Options) day(t time.Time) string {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02")
}

// Result says what a file holds.
type Result struct {
	Orders     int      // orders written
	Rows       int      // data rows written (eBay writes one per line)
	NoTracking []string // order ids written without a tracking number
}

// Channels lists the channels a confirmation file can be written for, in the order the CLI names them.
func Channels() []string { return []string{"amazon", "shopify", "ebay"} }

// Write writes the confirmation file of channel for orders. Orders of other channels are left out, so
// a caller may pass every shipped order.
func Write(w io.Writer, channel string, orders []data.ShippedOrder, opts Options) (Result, error) {
	channel = strings.ToLower(strings.TrimSpace(channel))
	var mine []data.ShippedOrder
	for _, o := range orders {
		if strings.EqualFold(o.Order.Channel, channel) {
			mine = append(mine, o)
		}
	}
	switch channel {
	case "amazon":
		return Amazon(w, mine, opts)
	case "shopify":
		return Shopify(w, mine, opts)
	case "ebay":
		return Ebay(w, mine, opts)
	case "etsy":
		return Result{}, fmt.Errorf("%w for etsy: Etsy takes tracking numbers only on the order page or through its API", ErrNoFileRoute)
	}
	return Result{}, fmt.Errorf("%w for %s: files exist for amazon, shopify and ebay", ErrNoFileRoute, channel)
}

// clean keeps a value on its line and in its column: tabs and line breaks become spaces.
func clean(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\t' || r == '\r' || r == '\n' }), " ")
}

// note records an order without tracking in res.
func (res *Result) note(o data.ShippedOrder) {
	res.Orders++
	if strings.TrimSpace(o.Shipment.Tracking) == "" {
		res.NoTracking = append(res.NoTracking, o.Order.ExternalID)
	}
}

// carrierKey folds a carrier's name for matching: "Royal-Mail", "royal mail" and "RoyalMail" are one.
func carrierKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lookupCarrier finds a carrier in a channel's list of names, by folded name or by one of aliases
// (folded alias → name in the list).
func lookupCarrier(carrier string, names []string, aliases map[string]string) (string, bool) {
	k := carrierKey(carrier)
	if k == "" {
		return "", false
	}
	if name, ok := aliases[k]; ok {
		return name, true
	}
	for _, n := range names {
		if carrierKey(n) == k {
			return n, true
		}
	}
	return "", false
}

// writeCSV writes records as RFC 4180 CSV with CRLF line ends, the form both Shopify's and eBay's
// templates come in. Text that would call a function when read as a formula gets a leading apostrophe
// (sheetcell.Key: marketplaces match the rest as written).
func writeCSV(w io.Writer, records [][]string) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, rec := range records {
		sheetcell.KeyRow(rec)
	}
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}
