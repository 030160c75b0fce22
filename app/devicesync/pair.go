package devicesync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/backroom-app/backroom/data"
)

// HostHub makes this database the hub host's device: founding (its data becomes the shop's if the shop is new),
// saves SyncSettings{HostsHub:true,...} and enables sync. The app then runs StartHub + a Device.
// Calling it again on the hub host only updates the device name and listen address.
func HostHub(ctx context.Context, store *data.Store, deviceName, listen string) error {
	return setUpHost(ctx, store, deviceName, listen, false)
}

// TakeOverHub moves the shop's hub to this device, which syncs through a hub that is gone (its computer
// broke or was replaced): this device hosts a new hub, whose log starts with every change this database
// holds, and the shop's other devices pair with it again (Pair re-points a device of the same shop).
// Changes only the lost hub had, and no device, are lost with it.
func TakeOverHub(ctx context.Context, store *data.Store, deviceName, listen string) error {
	return setUpHost(ctx, store, deviceName, listen, true)
}

func setUpHost(ctx context.Context, store *data.Store, deviceName, listen string, takeOver bool) error {
	if _, _, err := splitListen(listen); err != nil {
		return err
	}
	set, err := store.SyncSettings(ctx)
	if err != nil {
		return fmt.Errorf("read sync settings: %w", err)
	}
	if set.User != "" && !set.HostsHub {
		if !takeOver {
			return fmt.Errorf("this database already syncs through the hub at %s; it cannot host a hub of its own "+
				"unless that hub is gone for good (take it over)", set.HubURL)
		}
		set.User, set.HubURL = "", "" // a new account on the new hub, below
	}
	if deviceName = strings.TrimSpace(deviceName); deviceName == "" {
		deviceName = set.DeviceName
	}
	if deviceName == "" {
		deviceName = "Hub"
	}
	ident, err := store.HubIdentity(ctx, newIdentity)
	if err != nil {
		return fmt.Errorf("hub certificate: %w", err)
	}
	if !set.HostsHub {
		pass := randomText(32)
		if _, err := store.AddHubDevice(ctx, data.HubDevice{ID: store.DeviceID(), Name: deviceName}, pass); err != nil {
			return fmt.Errorf("register this device with its hub: %w", err)
		}
		if set.ShopID == "" {
			set.ShopID = newShopID()
		}
		set.User, set.Password, set.HostsHub = store.DeviceID(), pass, true
	}
	set.DeviceName, set.HubListen, set.HubCertPEM = deviceName, listen, ident.CertPEM
	if set.HubURL == "" {
		host, port, _ := splitListen(listen)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		if port > 0 {
			set.HubURL = fmt.Sprintf("tls://%s", joinHostPort(host, port))
		}
	}
	if err := store.SaveSyncSettings(ctx, set); err != nil {
		return fmt.Errorf("save sync settings: %w", err)
	}
	if err := store.EnableSync(ctx, true); err != nil {
		return fmt.Errorf("start recording changes: %w", err)
	}
	return nil
}

// PairResult is what joining a shop did.
type PairResult struct {
	ShopID string
	HubURL string
	// Founding is set when the shop was empty and this database's data became the shop's.
	Founding bool
}

// Pair joins the shop of the hub that issued code. Founding when the hub's stream is empty and this database has data.
// A database that holds data of its own cannot join a shop that has data (data.ErrShopNotEmpty); it is
// refused before the code is used up.
func Pair(ctx context.Context, store *data.Store, code, deviceName string) (PairResult, error) {
	pc, err := decodeCode(code)
	if err != nil {
		return PairResult{}, err
	}
	set, err := store.SyncSettings(ctx)
	if err != nil {
		return PairResult{}, fmt.Errorf("read sync settings: %w", err)
	}
	if set.HostsHub {
		return PairResult{}, fmt.Errorf("this computer hosts the shop's hub; it cannot join another")
	}
	if deviceName = strings.TrimSpace(deviceName); deviceName == "" {
		deviceName = set.DeviceName
	}
	var mismatch atomic.Bool
	nc, err := nats.Connect(pc.hubURL(), nats.UserInfo(pairUser, pc.secret), nats.Secure(pinnedTLS(pc.pin, &mismatch)),
		nats.CustomInboxPrefix(inboxPrefix(pairUser)), nats.NoReconnect(), nats.Timeout(10*time.Second),
		nats.Name("backroom pairing "+store.DeviceID()))
	if err != nil {
		return PairResult{}, connectError(pc.hubURL(), err, &mismatch, true)
	}
	defer nc.Close()
	ask := func(step string) (pairReply, error) {
		body, _ := json.Marshal(pairRequest{Step: step, Secret: pc.secret, DeviceID: store.DeviceID(), DeviceName: deviceName})
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		m, err := nc.RequestWithContext(rctx, pairSubject, body)
		if err != nil {
			return pairReply{}, fmt.Errorf("ask the hub at %s to pair: %w", pc.hubURL(), err)
		}
		var r pairReply
		if err := json.Unmarshal(m.Data, &r); err != nil {
			return pairReply{}, fmt.Errorf("read the hub's pairing reply: %w", err)
		}
		if r.Error != "" {
			return pairReply{}, fmt.Errorf("the hub at %s refused: %s", pc.hubURL(), r.Error)
		}
		return r, nil
	}
	probe, err := ask("probe")
	if err != nil {
		return PairResult{}, err
	}
	if der, err := certDER(probe.CertPEM); err != nil || !strings.HasPrefix(string(fingerprint(der)), string(pc.pin)) {
		return PairResult{}, fmt.Errorf("%w (hub at %s)", ErrCertMismatch, pc.hubURL())
	}
	// A device of this shop pairs again with a hub that replaced the one it knew: it keeps its data and
	// reads the new hub's log from the start (NoteHubEpoch). A device of another shop cannot join.
	repoint := set.User != ""
	if repoint && set.ShopID != probe.ShopID {
		return PairResult{}, fmt.Errorf("this database already syncs with another shop, through the hub at %s", set.HubURL)
	}
	// Recording starts before the code is used up, so that a database the shop cannot take is refused
	// while the code still works for another device. A shop with data takes only an empty database.
	founding := false
	switch {
	case repoint: // recording already
	case probe.Founded:
		if err := store.EnableSync(ctx, false); err != nil {
			if errors.Is(err, data.ErrShopNotEmpty) {
				return PairResult{}, fmt.Errorf("the shop at %s already has products, orders or stock, and so does this database: "+
					"pair from a new, empty database (%w)", pc.hubURL(), err)
			}
			return PairResult{}, fmt.Errorf("start recording changes: %w", err)
		}
	default:
		if err := store.EnableSync(ctx, true); err != nil {
			return PairResult{}, fmt.Errorf("start recording changes: %w", err)
		}
		pending, err := store.PendingOps(ctx, 1)
		if err != nil {
			return PairResult{}, fmt.Errorf("read changes to send: %w", err)
		}
		founding = len(pending) > 0
	}
	claim, err := ask("claim")
	if err != nil {
		return PairResult{}, err
	}
	set.ShopID, set.DeviceName, set.HubURL, set.HubCertPEM = claim.ShopID, deviceName, pc.hubURL(), claim.CertPEM
	set.User, set.Password, set.HostsHub = claim.User, claim.Password, false
	if err := store.SaveSyncSettings(ctx, set); err != nil {
		return PairResult{}, fmt.Errorf("save sync settings: %w", err)
	}
	return PairResult{ShopID: claim.ShopID, HubURL: pc.hubURL(), Founding: founding}, nil
}

// connectError says what went wrong connecting to the hub at url in words a shop owner can act on.
func connectError(url string, err error, mismatch *atomic.Bool, pairing bool) error {
	switch {
	case mismatch.Load():
		if pairing {
			return fmt.Errorf("%w: the machine at %s is not the hub that made this code", ErrCertMismatch, url)
		}
		return fmt.Errorf("%w: the machine at %s is not the hub this device paired with; pair again if the hub was replaced", ErrCertMismatch, url)
	case errors.Is(err, nats.ErrAuthorization) || strings.Contains(strings.ToLower(err.Error()), "authorization"):
		if pairing {
			return fmt.Errorf("the hub at %s does not accept this pairing code: it expired, was used, or was mistyped (%w)", url, err)
		}
		return fmt.Errorf("the hub at %s does not know this device any more; pair it again (%w)", url, err)
	}
	return fmt.Errorf("%w at %s: %w", ErrUnreachable, url, err)
}
