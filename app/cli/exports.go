package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/backroom-app/backroom/app/shipexport"
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
