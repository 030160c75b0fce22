package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/backroom-app/backroom/app/shipexport"
	"github.com/backroom-app/backroom/app/stockexport"
	"github.com/backroom-app/backroom/data"
)

type exportShipmentsOptions struct {
	channel, out *string
	since, until *string
	json         *bool
}

func exportShipmentsCommand() *command {
	return &command{
		name: "export shipments", args: "--channel amazon|shopify|ebay --out FILE [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json]",
		summary: "write a shipping confirmation file to upload to a channel",
		help: `Writes the orders of one channel shipped between --since and --until (days in this computer's time
zone, both included; --since defaults to 7 days ago, --until to today) as the file the channel takes back:
  amazon   Amazon's shipping confirmation flat file (tab-separated; Seller Central › Orders › Upload
           order related files › Shipping confirmation)
  shopify  a bulk-fulfilment CSV for a Shopify fulfilment app (Shopify itself has no tracking upload)
  ebay     eBay's tracking upload CSV (Seller Hub › Orders › Upload tracking)
Etsy takes tracking numbers only on the order page or through its API, so it has no file.

Orders shipped without a tracking number are written too, so the channel hears they left, and are
named in the summary. With --json, prints {"channel","file","orders","rows","no_tracking":[...]}.`,
		flags: func(fs *flag.FlagSet) any {
			return &exportShipmentsOptions{
				channel: fs.String("channel", "", "the `channel` to write for: amazon, shopify or ebay"),
				out:     fs.String("out", "", "the `file` to write"),
				since:   fs.String("since", "", "orders shipped on or after this `day` (YYYY-MM-DD; default 7 days ago)"),
				until:   fs.String("until", "", "orders shipped on or before this `day` (YYYY-MM-DD; default today)"),
				json:    fs.Bool("json", false, "print the summary as JSON"),
			}
		},
		run: runExportShipments,
	}
}

// exportSummary is the JSON shape of "export shipments --json".
type exportSummary struct {
	Channel    string   `json:"channel"`
	File       string   `json:"file"`
	Orders     int      `json:"orders"`
	Rows       int      `json:"rows"`
	NoTracking []string `json:"no_tracking"`
}

func runExportShipments(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*exportShipmentsOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	channel := strings.ToLower(strings.TrimSpace(*opts.channel))
	switch channel {
	case "":
		return usagef("say which channel the file is for: --channel amazon, shopify or ebay")
	case "etsy":
		_, err := shipexport.Write(io.Discard, channel, nil, shipexport.Options{})
		return err
	case "amazon", "shopify", "ebay":
	default:
		return usagef("--channel %q: shipping confirmation files exist for amazon, shopify and ebay", *opts.channel)
	}
	if strings.TrimSpace(*opts.out) == "" {
		return usagef("say where to write the file: --out FILE")
	}
	since, err := parseDay("--since", *opts.since)
	if err != nil {
		return err
	}
	until, err := parseDay("--until", *opts.until)
	if err != nil {
		return err
	}
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	if since.IsZero() {
		since = today.AddDate(0, 0, -7)
	}
	if until.IsZero() {
		until = today
	}
	if until.Before(since) {
		return usagef("--until %s is before --since %s", until.Format("2006-01-02"), since.Format("2006-01-02"))
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	list, err := store.ShippedOrders(ctx, channel, since, until.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	res, err := shipexport.Write(&buf, channel, list, shipexport.Options{Location: time.Local})
	if err != nil {
		return err
	}
	// The file is written whole or not at all: a channel that reads half a file confirms half the orders.
	tmp := *opts.out + ".part"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *opts.out, err)
	}
	if err := os.Rename(tmp, *opts.out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", *opts.out, err)
	}
	if *opts.json {
		sum := exportSummary{Channel: channel, File: *opts.out, Orders: res.Orders, Rows: res.Rows, NoTracking: res.NoTracking}
		if sum.NoTracking == nil {
			sum.NoTracking = []string{}
		}
		return writeJSON(r.out, sum)
	}
	fmt.Fprintf(r.out, "%s written to %s\n", plural(res.Orders, "order", "orders"), *opts.out)
	if n := len(res.NoTracking); n > 0 {
		fmt.Fprintf(r.out, "%s no tracking number: %s\n", plural(n, "order has", "orders have"), strings.Join(res.NoTracking, ", "))
	}
	return nil
}

type exportStockOptions struct {
	channel, out, location *string
	json                   *bool
}

func exportStockCommand() *command {
	return &command{
		name: "export stock", args: "--channel shopify|amazon|ebay|woocommerce|etsy --out FILE [--location NAME] [--json]",
		summary: "write a stock file to upload to a channel",
		help: `Writes what to list on one channel: every active SKU under its own SKU and every alias of the channel
under the alias's key, with the channel's listing rule applied to the sellable quantity (on hand less
reserved) and multipacks divided by their pack size. The file is the channel's own stock upload:
  shopify      Shopify's inventory CSV, one row per SKU and location, the quantity in On hand (new)
               (Products › Inventory › Import)
  amazon       Amazon's Price & Quantity flat file, tab-separated, sku and quantity only (Catalogue ›
               Add products via upload › Upload your inventory file)
  ebay         eBay's revise price and quantity CSV, matched by Custom label (SKU) (Seller Hub ›
               Reports › Uploads)
  woocommerce  WooCommerce's product CSV with ID, SKU, In stock? and Stock (Products › Import, with
               "Update existing products" ticked)
  etsy         Etsy takes no stock upload; the file has the columns of Etsy's listings download, for a
               bulk-edit tool or for updating the listings by hand
Only the columns naming the item and its quantity are filled: each channel reads an empty cell as "no
change", so prices, titles and fulfilment settings on the channel stay as they are. --location writes one Shopify location only.

The export is logged, and the at-risk list compares each SKU's sellable quantity with what its last
file listed. With --json, prints {"channel","file","listings","zero"}.`,
		flags: func(fs *flag.FlagSet) any {
			return &exportStockOptions{
				channel:  fs.String("channel", "", "the `channel` to write for: shopify, amazon, ebay, woocommerce or etsy"),
				out:      fs.String("out", "", "the `file` to write"),
				location: fs.String("location", "", "only this `location` (Shopify's file is per location)"),
				json:     fs.Bool("json", false, "print the summary as JSON"),
			}
		},
		run: runExportStock,
	}
}

// stockExportSummary is the JSON shape of "export stock --json".
type stockExportSummary struct {
	Channel  string `json:"channel"`
	File     string `json:"file"`
	Listings int    `json:"listings"`
	Zero     int    `json:"zero"`
}

func runExportStock(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*exportStockOptions)
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	channel := strings.ToLower(strings.TrimSpace(*opts.channel))
	channels := strings.Join(stockexport.Channels(), ", ")
	switch {
	case channel == "":
		return usagef("say which channel the file is for: --channel %s", channels)
	case !slices.Contains(stockexport.Channels(), channel):
		return usagef("--channel %q: stock files exist for %s", *opts.channel, channels)
	case strings.TrimSpace(*opts.out) == "":
		return usagef("say where to write the file: --out FILE")
	}
	perLocation := stockexport.PerLocation(channel)
	location := strings.TrimSpace(*opts.location)
	if location != "" && !perLocation {
		return usagef("--location is for Shopify's file, which has a row per location; the %s file lists each SKU once", channel)
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	listings, err := store.ChannelListings(ctx, channel, perLocation)
	if err != nil {
		return err
	}
	if location != "" {
		var here []data.ChannelListing
		names := map[string]bool{}
		var known []string
		for _, l := range listings {
			if strings.EqualFold(l.Location, location) {
				here = append(here, l)
			}
			if !names[l.Location] {
				names[l.Location] = true
				known = append(known, l.Location)
			}
		}
		if len(here) == 0 && len(listings) > 0 {
			return fmt.Errorf("no location is called %q; the shop's locations are %s", location, strings.Join(known, ", "))
		}
		listings = here
	}
	res, err := stockexport.WriteFile(*opts.out, channel, listings)
	if err != nil {
		return err
	}
	// Logged only once the file exists, since the at-risk list takes the log as what the channel lists.
	if _, err := store.LogStockExport(ctx, channel, *opts.out, listings); err != nil {
		return fmt.Errorf("%s is written, but the export was not logged, so the at-risk list does not know of it: %w", *opts.out, err)
	}
	if *opts.json {
		return writeJSON(r.out, stockExportSummary{Channel: channel, File: *opts.out, Listings: res.Listings, Zero: res.Zero})
	}
	fmt.Fprintf(r.out, "%s written to %s (%s at 0)\n", plural(res.Listings, "listing", "listings"), *opts.out, plural(res.Zero, "SKU", "SKUs"))
	if channel == "etsy" {
		fmt.Fprintln(r.out, "Etsy takes no stock upload: the file has the columns of Etsy's listings download, for a bulk-edit tool or for updating the listings by hand.")
	}
	return nil
}
