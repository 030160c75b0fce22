// Package stockexport writes the stock files the channels take: what to list under each of the
// channel's SKUs, in the channel's own upload format (Shopify's inventory CSV, Amazon's Price &
// Quantity flat file, eBay's revise price and quantity CSV, WooCommerce's product CSV) or, for Etsy,
// which takes no stock upload, its listings layout for bulk-edit tools.
//
// It is pure: listings in, one file out, nothing read from disk or the network, so each format is
// checked byte for byte against a fixture built from the channel's documented columns. Which quantity
// to list (rules, multipacks, kits) is decided by data.Store.ChannelListings before a file is written.
//
// Every file fills only the columns Backroom knows and leaves the rest empty: each of these channels
// reads an empty cell as "no change", so a stock file never overwrites a price, a title or a
// fulfilment setting the shop keeps on the channel.
package stockexport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/backroom-app/backroom/app/sheetcell"
	"github.com/backroom-app/backroom/data"
)

// ErrNoStockFile means Backroom writes no stock file for the channel.
var ErrNoStockFile = errors.New("no stock file")

// Result says what a file holds.
type Result struct {
	Listings int // rows written
	Zero     int // channel SKUs listed at 0 (on every row they have)
}

// Channels lists the channels a stock file can be written for, in the order the CLI names them.
func Channels() []string { return []string{"shopify", "amazon", "ebay", "woocommerce", "etsy"} }

// PerLocation reports whether the channel's file has one row per SKU and location (Shopify's does),
// so the caller asks data.Store.ChannelListings for listings per location.
func PerLocation(channel string) bool {
	return strings.EqualFold(strings.TrimSpace(channel), "shopify")
}

// Write writes the stock file of channel. Listings of other channels are left out, so a caller may
// pass listings of several channels.
func Write(w io.Writer, channel string, listings []data.ChannelListing) (Result, error) {
	channel = strings.ToLower(strings.TrimSpace(channel))
	var mine []data.ChannelListing
	for _, l := range listings {
		if strings.EqualFold(l.Channel, channel) {
			mine = append(mine, l)
		}
	}
	switch channel {
	case "shopify":
		return Shopify(w, mine)
	case "amazon":
		return Amazon(w, mine)
	case "ebay":
		return Ebay(w, mine)
	case "woocommerce":
		return WooCommerce(w, mine)
	case "etsy":
		return Etsy(w, mine)
	}
	return Result{}, fmt.Errorf("%w for %s: stock files exist for %s", ErrNoStockFile, channel, strings.Join(Channels(), ", "))
}

// result counts the rows of a file and the channel SKUs it lists at 0 on every row: a SKU at 0 in
// one Shopify location and in stock at another is still for sale.
func result(listings []data.ChannelListing) Result {
	total := map[string]int64{}
	var order []string
	for _, l := range listings {
		if _, seen := total[l.ChannelSKU]; !seen {
			order = append(order, l.ChannelSKU)
		}
		total[l.ChannelSKU] += quantity(l)
	}
	res := Result{Listings: len(listings)}
	for _, sku := range order {
		if total[sku] == 0 {
			res.Zero++
		}
	}
	return res
}

// quantity is what a row lists; never below 0, which no channel takes as a stock level to list.
func quantity(l data.ChannelListing) int64 { return max(l.Quantity, 0) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// clean keeps a value on its line and in its column: tabs and line breaks become spaces.
func clean(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\t' || r == '\r' || r == '\n' }), " ")
}

// bom is the UTF-8 byte order mark that eBay's and WooCommerce's files start with.
const bom = "\ufeff"

// writeCSV writes records as RFC 4180 CSV (quoted only where needed), with CRLF or LF line ends. Text
// that would call a function when read as a formula gets a leading apostrophe (sheetcell.Key:
// marketplaces match the rest as written).
func writeCSV(w io.Writer, records [][]string, crlf bool) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = crlf
	for _, rec := range records {
		sheetcell.KeyRow(rec)
	}
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// writePHPCSV writes records as PHP's fputcsv does, which is how WooCommerce and Etsy write theirs: a
// field is quoted only when it holds the delimiter, a quote, a backslash, a space, a tab or a line
// break, and lines end in LF. Text that would call a function when read as a formula gets a leading
// apostrophe (sheetcell.Key: marketplaces match the rest as written).
func writePHPCSV(w io.Writer, records [][]string) error {
	var b strings.Builder
	for _, rec := range records {
		for i, f := range rec {
			if i > 0 {
				b.WriteByte(',')
			}
			f = sheetcell.Key(f)
			if strings.ContainsAny(f, ",\"\\ \t\r\n") {
				f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
			}
			b.WriteString(f)
		}
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}
