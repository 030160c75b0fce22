package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/backroom-app/backroom/data"
)

// shipment is the JSON shape "ship --json" prints: the order as it now stands and how it left.
type shipment struct {
	Channel    string `json:"channel"`
	ExternalID string `json:"external_id"`
	Status     string `json:"status"`
	Carrier    string `json:"carrier"`
	Service    string `json:"service"`
	Tracking   string `json:"tracking"`
	ShippedAt  string `json:"shipped_at"` // RFC 3339, UTC
}

type shipOptions struct {
	carrier, service, tracking *string
	date, channel              *string
	json                       *bool
}

func shipCommand() *command {
	return &command{
		name: "ship", args: "ORDER --carrier C --tracking T [--service S] [--date YYYY-MM-DD] [--channel C] [--json]",
		summary: "record how an order left and mark it shipped",
		help: `Records the carrier, service and tracking number of an order and moves it to shipped, which takes
its goods off stock exactly once. ORDER is the channel's order id (#1001, 113-1234567-1234567); when
two channels use the same id, say which with --channel. --date is the day the parcel was handed over,
in this computer's time zone (default today). Shipping an order already shipped corrects its carrier
and tracking and moves no stock.

With --json, prints {"channel","external_id","status","carrier","service","tracking","shipped_at"},
shipped_at in RFC 3339 (UTC).`,
		flags: func(fs *flag.FlagSet) any {
			return &shipOptions{
				carrier:  fs.String("carrier", "", "the `carrier` that takes the parcel, e.g. \"Royal Mail\""),
				tracking: fs.String("tracking", "", "the tracking `number`"),
				service:  fs.String("service", "", "the carrier's `service`, e.g. \"Tracked 48\""),
				date:     fs.String("date", "", "the `day` the parcel left (YYYY-MM-DD; default today)"),
				channel:  fs.String("channel", "", "the `channel` the order came from, e.g. shopify"),
				json:     fs.Bool("json", false, "print JSON"),
			}
		},
		run: runShip,
	}
}

func runShip(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*shipOptions)
	if len(args) != 1 {
		return usagef("give one order id, e.g. ship 1042 --carrier \"Royal Mail\" --tracking AB123456789GB")
	}
	id := strings.TrimSpace(args[0])
	carrier := strings.TrimSpace(*opts.carrier)
	if carrier == "" {
		return usagef("say which carrier takes order %s: --carrier, e.g. --carrier \"Royal Mail\"", id)
	}
	if strings.TrimSpace(*opts.tracking) == "" {
		return usagef("give the tracking number of order %s: --tracking", id)
	}
	day, err := parseDay("--date", *opts.date)
	if err != nil {
		return err
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	var at time.Time // today: the store uses the time of the command
	if !day.IsZero() && day.Format("2006-01-02") != store.Now().Local().Format("2006-01-02") {
		at = day.Add(12 * time.Hour) // noon keeps the day the same in nearby time zones
	}
	found, err := findOrder(ctx, store, id, *opts.channel)
	if err != nil {
		return err
	}
	shipped, err := store.ShipOrder(ctx, found.ID, data.Shipment{Carrier: carrier, Service: *opts.service, Tracking: *opts.tracking, ShippedAt: at})
	if err != nil {
		return aboutOrder(found, err)
	}
	sh, _, err := store.Shipment(ctx, found.ID)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, shipment{Channel: shipped.Channel, ExternalID: shipped.ExternalID, Status: string(shipped.Status),
			Carrier: sh.Carrier, Service: sh.Service, Tracking: sh.Tracking, ShippedAt: sh.ShippedAt.UTC().Format(time.RFC3339)})
	}
	how := sh.Carrier
	if sh.Service != "" {
		how += " " + sh.Service
	}
	fmt.Fprintf(r.out, "%s order %s: %s → %s, %s, tracking %s, %s\n", shipped.Channel, shipped.ExternalID, found.Status, shipped.Status,
		how, sh.Tracking, sh.ShippedAt.Local().Format("2006-01-02"))
	return nil
}

// aboutOrder makes sure the message names the order: the store's refusals mostly do, but not all
// ("the ship date … is in the future"). The command line prints only the store's message, so the order
// is put into the text rather than wrapped around it.
func aboutOrder(o data.Order, err error) error {
	msg := message(err)
	if strings.Contains(msg, o.ExternalID) {
		return err
	}
	return fmt.Errorf("%s order %s: %s", o.Channel, o.ExternalID, msg)
}
