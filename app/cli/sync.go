package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/backroom-app/backroom/app/devicesync"
	"github.com/backroom-app/backroom/data"
)

// syncStatusJSON is "sync status --json": data.SyncStatus's fields, and the devices the hub lets in
// when this machine hosts it (null elsewhere).
type syncStatusJSON struct {
	data.SyncStatus
	Devices []devicesync.HubDevice `json:"devices"`
}

func syncStatusCommand() *command {
	return &command{
		name: "sync status", args: "[--json]",
		summary: "show how this device syncs with the shop's other devices",
		help: `Shows whether this database syncs with the shop's other devices, through which hub, when it last
synced, how many of its changes wait to be sent, and the last error. On the machine that hosts the hub
it also lists the devices paired with it.

With --json, prints {"enabled","device_id","device_name","shop_id","hub_url","hosts_hub","waiting",
"cursor","last_sync","last_error","last_try_at","parked","operations","devices"}; devices is an array
of {"id","name","paired_at","last_seen"} on the hub host and null elsewhere.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print one JSON object") },
		run:   runSyncStatus,
	}
}

func runSyncStatus(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("sync status takes no arguments")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	st, err := store.SyncStatus(ctx)
	if err != nil {
		return err
	}
	var devices []devicesync.HubDevice
	if st.HostsHub && store.Can(data.PermSettings) {
		if devices, err = store.HubDevices(ctx); err != nil {
			return err
		}
		if devices == nil {
			devices = []devicesync.HubDevice{}
		}
	}
	if asJSON {
		return writeJSON(r.out, syncStatusJSON{SyncStatus: st, Devices: devices})
	}
	if !st.Enabled {
		fmt.Fprintln(r.out, "This database does not sync with other devices.")
		fmt.Fprintln(r.out, "Run 'backroom hub' on the machine that stays on, then 'backroom sync pair' there for a code to enter")
		fmt.Fprintln(r.out, "on the others with 'backroom sync pair CODE'.")
		return nil
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	name := st.DeviceName
	if name == "" {
		name = "(no name)"
	}
	fmt.Fprintf(tw, "Device:\t%s (%s)\n", name, st.DeviceID)
	hub := st.HubURL
	if st.HostsHub {
		hub += " (this machine hosts it)"
	}
	fmt.Fprintf(tw, "Hub:\t%s\n", hub)
	fmt.Fprintf(tw, "Last sync:\t%s\n", whenText(st.LastSync))
	fmt.Fprintf(tw, "Waiting to send:\t%s\n", plural(st.Waiting, "change", "changes"))
	if st.Parked > 0 {
		fmt.Fprintf(tw, "Not applied:\t%s (from a newer Backroom, or a clock ahead)\n", plural(st.Parked, "change", "changes"))
	}
	if st.LastError != "" {
		fmt.Fprintf(tw, "Last error:\t%s (%s)\n", st.LastError, whenText(st.LastTryAt))
	}
	tw.Flush()
	if devices != nil {
		fmt.Fprintln(r.out, "\nPaired devices:")
		tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tPAIRED\tLAST SEEN\tID")
		for _, d := range devices {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", d.Name, whenText(d.PairedAt), whenText(d.LastSeen), d.ID)
		}
		tw.Flush()
	}
	return nil
}

func whenText(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2 Jan 2006 15:04:05")
}

func syncNowCommand() *command {
	return &command{
		name: "sync now", args: "[--json]",
		summary: "send this device's changes to the hub and receive the others'",
		help: `Connects to the shop's hub, sends every change of this device it has not confirmed, and applies
every change of the other devices up to the newest. The hub must be running: the Backroom window or
'backroom hub' on the machine that hosts it. Stock that was sold on two devices while they were apart
and is now below zero is listed as oversold (the at-risk report shows it too).

With --json, prints {"sent","received","oversold":[skus]}.`,
		flags: func(fs *flag.FlagSet) any { return fs.Bool("json", false, "print one JSON object") },
		run:   runSyncNow,
	}
}

func runSyncNow(ctx context.Context, r *runner, o any, args []string) error {
	asJSON := *o.(*bool)
	if len(args) > 0 {
		return usagef("sync now takes no arguments")
	}
	store, err := r.open(ctx, existing)
	if err != nil {
		return err
	}
	res, err := devicesync.NewDevice(store, devicesync.Options{}).SyncNow(ctx)
	if errors.Is(err, devicesync.ErrNotPaired) {
		return errors.New("this database does not sync yet: pair it with 'backroom sync pair CODE', or host the hub with 'backroom hub'")
	}
	if errors.Is(err, devicesync.ErrUnreachable) {
		return fmt.Errorf("%w (is the Backroom window or 'backroom hub' running on the hub's machine?)", err)
	}
	if err != nil {
		return err
	}
	if res.Oversold == nil {
		res.Oversold = []string{}
	}
	if asJSON {
		return writeJSON(r.out, struct {
			Sent     int      `json:"sent"`
			Received int      `json:"received"`
			Oversold []string `json:"oversold"`
		}{res.Sent, res.Received, res.Oversold})
	}
	fmt.Fprintf(r.out, "Sent %s, received %s.\n", plural(res.Sent, "change", "changes"), plural(res.Received, "change", "changes"))
	if len(res.Oversold) > 0 {
		fmt.Fprintf(r.out, "Oversold now (sold on two devices while apart): %s. See 'backroom report at-risk'.\n", strings.Join(res.Oversold, ", "))
	}
	return nil
}

type syncPairOptions struct {
	name, advertise *string
	json            *bool
}

func syncPairCommand() *command {
	return &command{
		name: "sync pair", args: "[CODE] [--name NAME] [--advertise HOST] [--json]",
		summary: "make a pairing code on the hub host, or join a shop with one",
		help: `Without CODE, on the machine that hosts the hub: makes a one-time pairing code, valid for 15 minutes,
to type on the device that is to join. It carries the hub's address (this machine's address on the
shop's network, or --advertise), a secret, and a fingerprint of the hub's certificate, so the joining
device only ever talks to this hub.

With CODE, on the joining device: joins the shop of the hub that made it. A database with no products,
orders or stock receives the whole shop from the hub; if the shop is still empty, this database's data
becomes the shop's. A database with data of its own cannot join a shop that has data. Run 'backroom
sync now' (or open the window) afterwards to receive the shop.

With --json, prints {"code","expires","hub_url"} when making a code and {"shop_id","hub_url","founding"}
when joining.`,
		flags: func(fs *flag.FlagSet) any {
			return &syncPairOptions{
				name:      fs.String("name", "", "this device's `name` as the other devices show it (joining)"),
				advertise: fs.String("advertise", "", "the `host` other devices reach the hub at (making a code; default: this machine's LAN address)"),
				json:      fs.Bool("json", false, "print one JSON object"),
			}
		},
		run: runSyncPair,
	}
}

func runSyncPair(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*syncPairOptions)
	if len(args) > 1 {
		return usagef("sync pair takes at most one argument, the pairing code (quote it if it has spaces)")
	}
	if len(args) == 0 {
		if *opts.name != "" {
			return usagef("--name is for joining: sync pair CODE --name NAME")
		}
		store, err := r.open(ctx, existing)
		if err != nil {
			return err
		}
		pc, err := devicesync.HostPairingCode(ctx, store, *opts.advertise)
		if err != nil {
			return err
		}
		if *opts.json {
			return writeJSON(r.out, struct {
				Code    string `json:"code"`
				Expires string `json:"expires"`
				HubURL  string `json:"hub_url"`
			}{pc.Code, pc.Expires.UTC().Format(time.RFC3339), pc.HubURL})
		}
		fmt.Fprintf(r.out, "Pairing code (works once, until %s):\n\n  %s\n\n", pc.Expires.Local().Format("15:04"), pc.Code)
		fmt.Fprintf(r.out, "On the other device run: backroom sync pair %s --name \"Its name\"\n", pc.Code)
		fmt.Fprintf(r.out, "It will reach the hub at %s; the hub must be running then.\n", pc.HubURL)
		return nil
	}
	if *opts.advertise != "" {
		return usagef("--advertise is for making a code, on the hub host")
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	res, err := devicesync.Pair(ctx, store, args[0], *opts.name)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, struct {
			ShopID   string `json:"shop_id"`
			HubURL   string `json:"hub_url"`
			Founding bool   `json:"founding"`
		}{res.ShopID, res.HubURL, res.Founding})
	}
	if res.Founding {
		fmt.Fprintf(r.out, "Paired with the hub at %s. The shop was empty: this database's data becomes the shop's.\n", res.HubURL)
	} else {
		fmt.Fprintf(r.out, "Paired with the hub at %s.\n", res.HubURL)
	}
	fmt.Fprintln(r.out, "Run 'backroom sync now', or open the window, to exchange changes.")
	return nil
}

type hubOptions struct {
	listen, name *string
	takeOver     *bool
}

func hubCommand() *command {
	return &command{
		name: "hub", args: "[--listen ADDR] [--name NAME] [--take-over]",
		summary: "run the shop's sync hub without a window, until interrupted",
		help: `Runs the shop's sync hub on this machine without opening the window, for a small computer that stays
on, and keeps this database in sync through it. The first run makes this database the hub host: its data
becomes the shop's, and 'backroom sync pair' then makes codes for the other devices.

The hub listens on ADDR (default :4222, every network this machine is on; say 192.168.1.20:4222 to
keep it to one), speaks TLS only with a certificate made on the first run, and lets in only paired
devices. Stop it with Ctrl+C.

When the hub's computer is gone for good, run 'backroom hub --take-over' on a device of the shop: it
hosts a new hub whose log starts with every change this database holds, and the other devices pair
with it again ('backroom sync pair CODE' keeps their data). A hub that lost its storage rebuilds its log
the same way by itself.`,
		flags: func(fs *flag.FlagSet) any {
			return &hubOptions{
				listen: fs.String("listen", "", "`address` to listen on, host:port (default :4222, or where it listened last)"),
				name:   fs.String("name", "", "this device's `name` as the other devices show it"),
				takeOver: fs.Bool("take-over", false,
					"host the shop's hub here although this database syncs through another hub, which is gone for good"),
			}
		},
		run: runHub,
	}
}

func runHub(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*hubOptions)
	if len(args) > 0 {
		return usagef("hub takes no arguments")
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	set, err := store.SyncSettings(ctx)
	if err != nil {
		return err
	}
	listen := *opts.listen
	if listen == "" {
		listen = set.HubListen
	}
	if listen == "" {
		listen = ":4222"
	}
	switch {
	case *opts.takeOver && !set.HostsHub:
		if err := devicesync.TakeOverHub(ctx, store, *opts.name, listen); err != nil {
			return err
		}
	case !set.HostsHub || listen != set.HubListen || (*opts.name != "" && *opts.name != set.DeviceName):
		if err := devicesync.HostHub(ctx, store, *opts.name, listen); err != nil {
			return err
		}
	}
	hub, err := devicesync.StartHub(ctx, store, devicesync.HubConfig{Listen: listen})
	if err != nil {
		return err
	}
	defer hub.Shutdown()
	fmt.Fprintf(r.out, "Hub running at %s (listening on %s). Make a pairing code with 'backroom sync pair'; stop with Ctrl+C.\n", hub.URL(), listen)
	r.out.Flush()
	dev := devicesync.NewDevice(store, devicesync.Options{OnStatus: func(st data.SyncStatus) {
		if st.LastError != "" {
			fmt.Fprintf(r.env.Stderr, "backroom: hub: this device's sync: %s\n", st.LastError)
		}
	}})
	err = dev.Run(ctx)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(r.out, "Hub stopped.")
		return nil
	}
	return err
}

type syncConnectOptions struct {
	shop, account, ca, name *string
	json                    *bool
}

func syncConnectCommand() *command {
	return &command{
		name: "sync connect", args: "URL --account NAME [--shop ID] [--ca FILE] [--name NAME] [--json]",
		summary: "sync through a NATS server or cluster the shop runs itself, instead of the embedded hub",
		help: `For a shop that outgrows one site: its log lives on a NATS server or cluster with JetStream (its own, or
a hosted one) rather than on the hub a shop computer runs. URL is the server's address, tls://host:port
(several, comma-separated, for a cluster). Each device has an account the server's administrator made;
its password is read from $BACKROOM_SYNC_PASSWORD, else asked for in a terminal (never a flag: it
would show in ps). The account needs JetStream access to the stream SHOP_OPS, publish rights on
ops.<shop>.<this device's id> and subscribe rights on _INBOX_<account>.>.

The first device connects without --shop: it makes the shop's stream (when its account may; otherwise
the administrator makes it, with subjects ops.<shop>.*), its data becomes the shop's, and the shop's id
is printed for the others, which connect with --shop ID from an empty database. --ca FILE is the
authority that signed the server's certificate, when the system does not trust it already.

With --json, prints {"shop_id","founding"}.`,
		flags: func(fs *flag.FlagSet) any {
			return &syncConnectOptions{
				shop:    fs.String("shop", "", "the shop's `id`, as the first device printed it"),
				account: fs.String("account", "", "this device's account `name` on the server (required)"),
				ca:      fs.String("ca", "", "PEM `file` of the authority that signed the server's certificate"),
				name:    fs.String("name", "", "this device's `name` as the other devices show it"),
				json:    fs.Bool("json", false, "print one JSON object"),
			}
		},
		run: runSyncConnect,
	}
}

func runSyncConnect(ctx context.Context, r *runner, o any, args []string) error {
	opts := o.(*syncConnectOptions)
	if len(args) != 1 {
		return usagef("sync connect takes one argument, the server's address (tls://host:port)")
	}
	if *opts.account == "" {
		return usagef("--account is required: this device's account on the server")
	}
	cfg := devicesync.ServerConfig{URL: args[0], ShopID: *opts.shop, User: *opts.account, DeviceName: *opts.name}
	if *opts.ca != "" {
		b, err := os.ReadFile(*opts.ca)
		if err != nil {
			return fmt.Errorf("read the authority's certificate: %w", err)
		}
		cfg.CAPEM = string(b)
	}
	cfg.Password = r.env.Getenv("BACKROOM_SYNC_PASSWORD")
	if cfg.Password == "" {
		f, ok := r.env.Stdin.(*os.File)
		if !ok || !isTerminal(f) {
			return errors.New("the account's password is needed: set BACKROOM_SYNC_PASSWORD, or run the command in a terminal to be asked")
		}
		fmt.Fprintf(r.env.Stderr, "Password of %s on the server: ", cfg.User)
		pass, err := readSecret(f)
		fmt.Fprintln(r.env.Stderr)
		if err != nil {
			return fmt.Errorf("read password: %w", err)
		}
		cfg.Password = pass
	}
	store, err := r.open(ctx, create)
	if err != nil {
		return err
	}
	res, err := devicesync.ConnectServer(ctx, store, cfg)
	if err != nil {
		return err
	}
	if *opts.json {
		return writeJSON(r.out, struct {
			ShopID   string `json:"shop_id"`
			Founding bool   `json:"founding"`
		}{res.ShopID, res.Founding})
	}
	if res.Founding {
		fmt.Fprintf(r.out, "Connected to %s. The shop's log was empty: this database's data becomes the shop's.\n", cfg.URL)
	} else {
		fmt.Fprintf(r.out, "Connected to %s.\n", cfg.URL)
	}
	fmt.Fprintf(r.out, "Shop id: %s (the other devices connect with --shop %s)\n", res.ShopID, res.ShopID)
	fmt.Fprintln(r.out, "Run 'backroom sync now', or open the window, to exchange changes.")
	return nil
}
