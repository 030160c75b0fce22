package devicesync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/backroom-app/backroom/data"
)

// A shop that outgrows one site runs its log on a NATS server or cluster of its own (or a hosted one)
// instead of the hub embedded in a shop computer. Devices reach it as they reach the hub, with an
// account the server's administrator made for each, and nothing else changes: the same stream, the same
// ops, the same merge. There is no pairing: the owner gives each device the server's address, the shop's
// id and its account (ConnectServer).

// ServerConfig is how a device reaches a NATS server the shop runs itself.
type ServerConfig struct {
	URL      string // tls://nats.example.com:4222 (several, comma-separated, for a cluster)
	ShopID   string // the same on every device of the shop; "" makes a new shop (the first device)
	User     string
	Password string
	// CAPEM is the authority that signed the server's certificate when it is not one the system trusts
	// (a company's own); "" trusts the system's authorities.
	CAPEM      string
	DeviceName string
}

// ConnectResult is what ConnectServer did.
type ConnectResult struct {
	ShopID string
	// Founding is set when the shop's log was empty and this database's data became the shop's.
	Founding bool
}

// ConnectServer makes this database a device of the shop whose log is on the NATS server cfg names: it
// checks that it can reach the server and the shop's stream (making the stream when the account may and
// it does not exist yet), then starts recording changes as Pair does: founding when the log is empty and
// this database has data, otherwise only from an empty database (data.ErrShopNotEmpty).
func ConnectServer(ctx context.Context, store *data.Store, cfg ServerConfig) (ConnectResult, error) {
	if cfg.URL == "" || cfg.User == "" {
		return ConnectResult{}, errors.New("the server's address and this device's account are needed")
	}
	if !strings.HasPrefix(cfg.URL, "tls://") {
		return ConnectResult{}, fmt.Errorf("the server address %q must start with tls://: changes travel encrypted", cfg.URL)
	}
	if cfg.CAPEM != "" {
		if err := checkCA(cfg.CAPEM); err != nil {
			return ConnectResult{}, err
		}
	}
	set, err := store.SyncSettings(ctx)
	if err != nil {
		return ConnectResult{}, fmt.Errorf("read sync settings: %w", err)
	}
	if set.HostsHub {
		return ConnectResult{}, errors.New("this computer hosts the shop's hub; it cannot use another server")
	}
	if set.User != "" && cfg.ShopID != "" && set.ShopID != cfg.ShopID {
		return ConnectResult{}, fmt.Errorf("this database already syncs with another shop (%s)", set.ShopID)
	}
	repoint := set.User != ""
	if cfg.ShopID == "" {
		cfg.ShopID = set.ShopID
	}
	if cfg.ShopID == "" {
		cfg.ShopID = newShopID()
	}
	probe := data.SyncSettings{ShopID: cfg.ShopID, HubURL: cfg.URL, HubCertPEM: cfg.CAPEM, User: cfg.User, Password: cfg.Password,
		DeviceName: cfg.DeviceName}
	var mismatch atomic.Bool
	tlsConf, err := hubTLS(probe.HubCertPEM, &mismatch)
	if err != nil {
		return ConnectResult{}, err
	}
	nc, err := nats.Connect(cfg.URL, nats.UserInfo(cfg.User, cfg.Password), nats.Secure(tlsConf), nats.NoReconnect(),
		nats.Name("backroom "+cfg.DeviceName))
	if err != nil {
		return ConnectResult{}, connectError(cfg.URL, err, &mismatch, false)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return ConnectResult{}, fmt.Errorf("server at %s: %w", cfg.URL, err)
	}
	st, err := js.Stream(ctx, streamName)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		st, err = js.CreateStream(ctx, shopStreamConfig(cfg.ShopID, randomText(9), 0))
		if err != nil {
			return ConnectResult{}, fmt.Errorf("the server at %s has no stream %s for the shop, and this account may not make it "+
				"(ask its administrator to allow it, or to make it with subjects %s): %w", cfg.URL, streamName, opsSubject(cfg.ShopID, "*"), err)
		}
	} else if err != nil {
		return ConnectResult{}, fmt.Errorf("read the shop's log on %s: %w", cfg.URL, err)
	}
	if subjects := st.CachedInfo().Config.Subjects; len(subjects) != 1 || subjects[0] != opsSubject(cfg.ShopID, "*") {
		return ConnectResult{}, fmt.Errorf("the stream %s on %s holds %s, not shop %s", streamName, cfg.URL, strings.Join(subjects, ", "), cfg.ShopID)
	}
	founding := false
	if !repoint {
		if st.CachedInfo().State.LastSeq > 0 {
			if err := store.EnableSync(ctx, false); err != nil {
				return ConnectResult{}, fmt.Errorf("join the shop on %s: %w", cfg.URL, err)
			}
		} else {
			if err := store.EnableSync(ctx, true); err != nil {
				return ConnectResult{}, fmt.Errorf("start recording changes: %w", err)
			}
			pending, err := store.PendingOps(ctx, 1)
			if err != nil {
				return ConnectResult{}, fmt.Errorf("read changes to send: %w", err)
			}
			founding = len(pending) > 0
		}
	}
	if cfg.DeviceName == "" {
		probe.DeviceName = set.DeviceName
	}
	if err := store.SaveSyncSettings(ctx, probe); err != nil {
		return ConnectResult{}, fmt.Errorf("save sync settings: %w", err)
	}
	return ConnectResult{ShopID: cfg.ShopID, Founding: founding}, nil
}

// hubTLS is how a device checks the machine it syncs with: a shop hub's own certificate is pinned (see
// pinnedTLS); a certificate authority (a shop's own NATS server) is trusted for the names it signs; no
// certificate at all trusts the system's authorities (a hosted server).
func hubTLS(certPEM string, mismatch *atomic.Bool) (*tls.Config, error) {
	if certPEM == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
	der, err := certDER(certPEM)
	if err != nil {
		return nil, fmt.Errorf("the hub certificate kept by this device: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("the hub certificate kept by this device: %w", err)
	}
	if !cert.IsCA {
		return pinnedTLS(fingerprint(der), mismatch), nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
}

// checkCA refuses a file that is not a certificate authority's certificate.
func checkCA(caPEM string) error {
	der, err := certDER(caPEM)
	if err != nil {
		return fmt.Errorf("the authority's certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("the authority's certificate: %w", err)
	}
	if !cert.IsCA {
		return fmt.Errorf("the certificate for %q is not a certificate authority's", cert.Subject.CommonName)
	}
	return nil
}
