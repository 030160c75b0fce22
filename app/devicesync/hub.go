package devicesync

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/backroom-app/backroom/data"
)

// HubConfig says where the embedded hub listens and keeps its stream.
type HubConfig struct {
	Listen   string // host:port to listen on; "" = ":4222" (all interfaces of the shop network); "127.0.0.1:-1" in tests
	StoreDir string // JetStream storage; "" = <database path>.hub beside the database
	// duplicates shortens the hub's deduplication window, so tests prove nothing depends on it.
	duplicates time.Duration
}

// HubDevice is a device the hub lets in.
type HubDevice = data.HubDevice

// Hub is the embedded NATS JetStream server one machine of the shop runs.
type Hub struct {
	store  *data.Store
	shopID string
	ns     *server.Server
	nc     *nats.Conn // the hub's own in-process connection: stream setup and pairing replies
	js     jetstream.JetStream
	cert   string // PEM
	pin    []byte // SHA-256 of the certificate
	host   string // as listening; "" or a wildcard for all interfaces
	port   int
	// ownPass is the in-process connection's password, made per start and never stored.
	ownPass string

	bg     sync.WaitGroup
	ctx    context.Context // ends at Shutdown; background writes use it
	cancel context.CancelFunc
	seenMu sync.Mutex
	seen   map[string]time.Time // device → when its last connection was written down
}

// StartHub starts the hub of the shop this database hosts (see HostHub): TLS with the certificate kept
// in the database, and per-device credentials checked against the database's registry.
func StartHub(ctx context.Context, store *data.Store, cfg HubConfig) (*Hub, error) {
	set, err := store.SyncSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("read sync settings: %w", err)
	}
	if !set.HostsHub || set.ShopID == "" {
		return nil, errors.New("this database does not host its shop's hub; set it up as the hub first (backroom hub)")
	}
	ident, err := store.HubIdentity(ctx, newIdentity)
	if err != nil {
		return nil, fmt.Errorf("hub certificate: %w", err)
	}
	pair, err := tls.X509KeyPair([]byte(ident.CertPEM), []byte(ident.KeyPEM))
	if err != nil {
		return nil, fmt.Errorf("hub certificate: %w", err)
	}
	if cfg.Listen == "" {
		cfg.Listen = set.HubListen
	}
	host, port, err := splitListen(cfg.Listen)
	if err != nil {
		return nil, err
	}
	if cfg.StoreDir == "" {
		cfg.StoreDir = store.Path() + ".hub"
	}
	cfg.StoreDir = filepath.Clean(cfg.StoreDir)
	hctx, cancel := context.WithCancel(context.Background())
	h := &Hub{store: store, shopID: set.ShopID, cert: ident.CertPEM, pin: fingerprint(pair.Certificate[0]),
		ownPass: randomText(32), ctx: hctx, cancel: cancel, seen: map[string]time.Time{}}
	opts := &server.Options{
		ServerName: "backroom-" + store.DeviceID(),
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		TLS:        true,
		TLSConfig:  &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
		TLSTimeout: 5,
		// The app owns the process's signals and log; the hub is a guest in it.
		NoSigs:                     true,
		NoLog:                      true,
		CustomClientAuthentication: h,
		// A device that vanishes (a laptop closed mid-sync) is noticed within a minute.
		PingInterval: 20 * time.Second,
		MaxPingsOut:  3,
	}
	if host == "" {
		opts.Host = "0.0.0.0"
	}
	if port > 0 {
		// The server only logs a port it cannot listen on, and we silence its log: ask first, so the
		// window and "backroom hub" both started on one machine get a clear answer at once.
		probe, err := net.Listen("tcp", net.JoinHostPort(opts.Host, strconv.Itoa(port)))
		if err != nil {
			cancel()
			return nil, fmt.Errorf("start hub: port %d is in use (is the hub already running, in the window or 'backroom hub'?): %w", port, err)
		}
		probe.Close()
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("start hub: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(15 * time.Second) {
		ns.Shutdown()
		cancel()
		return nil, fmt.Errorf("start hub on %s: not ready after 15 s (is the port in use?)", cfg.Listen)
	}
	h.ns = ns
	if a, ok := ns.Addr().(*net.TCPAddr); ok {
		h.port = a.Port
	}
	h.host = host
	if err := h.setUp(ctx, cfg); err != nil {
		h.Shutdown()
		return nil, err
	}
	// The host's own device dials its hub: keep its address current (a random or changed port).
	if url := "tls://" + net.JoinHostPort(h.localHost(), strconv.Itoa(h.port)); set.HubURL != url || set.HubCertPEM != h.cert {
		set.HubURL, set.HubCertPEM = url, h.cert
		if err := store.SaveSyncSettings(ctx, set); err != nil {
			h.Shutdown()
			return nil, fmt.Errorf("save the hub's address: %w", err)
		}
	}
	return h, nil
}

// setUp connects the hub's own client, makes the stream and answers pairing requests.
func (h *Hub) setUp(ctx context.Context, cfg HubConfig) error {
	nc, err := nats.Connect("", nats.InProcessServer(h.ns), nats.UserInfo(hubUser, h.ownPass), nats.Name("backroom hub"),
		nats.MaxReconnects(-1))
	if err != nil {
		return fmt.Errorf("connect to the hub in-process: %w", err)
	}
	h.nc = nc
	h.js, err = jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("hub jetstream: %w", err)
	}
	// The log's epoch names this log: a log made afresh (its storage lost, or the hub moved to another
	// computer) numbers changes from 1 again, and a device that meets a new epoch reads it from its start
	// (data.Store.NoteHubEpoch) rather than skip as many changes as it had applied of the old one.
	epoch, rebuild := "", false
	if st, err := h.js.Stream(ctx, streamName); err == nil {
		epoch = st.CachedInfo().Config.Metadata[epochKey]
	} else if errors.Is(err, jetstream.ErrStreamNotFound) {
		// The host's database may have synced through a log that is gone: it holds every change it sent
		// or received, so the new log starts with all of them.
		st, err := h.store.SyncStatus(ctx)
		if err != nil {
			return fmt.Errorf("read sync state: %w", err)
		}
		rebuild = st.Cursor > 0 || st.Operations > st.Waiting
	} else {
		return fmt.Errorf("read the hub's log: %w", err)
	}
	if epoch == "" {
		epoch = randomText(9)
	}
	if _, err = h.js.CreateOrUpdateStream(ctx, shopStreamConfig(h.shopID, epoch, cfg.duplicates)); err != nil {
		return fmt.Errorf("create the hub's stream: %w", err)
	}
	if rebuild {
		if err := h.republish(ctx); err != nil {
			return err
		}
	}
	if _, err := nc.Subscribe(pairSubject, h.onPair); err != nil {
		return fmt.Errorf("listen for pairing: %w", err)
	}
	return nc.Flush()
}

// shopStreamConfig is the shop's log: every device's ops on its own subject.
func shopStreamConfig(shopID, epoch string, duplicates time.Duration) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        streamName,
		Description: "every change of shop " + shopID + ", from every device",
		Subjects:    []string{opsSubject(shopID, "*")},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		// The log is the shop's history: a new device rebuilds from it, so nothing expires, and no
		// device may delete from it.
		MaxAge:      0,
		DenyDelete:  true,
		DenyPurge:   true,
		AllowDirect: true,
		Duplicates:  duplicates,
		Metadata:    map[string]string{epochKey: epoch},
	}
}

// epochKey names the log's epoch in the stream's metadata.
const epochKey = "backroom_epoch"

// republish fills a new log with every change the host's database holds, its own and the other
// devices', each on its device's subject and under its own id, in the order the host recorded them.
// The other devices then send theirs again too; whatever arrives twice is skipped.
func (h *Hub) republish(ctx context.Context) error {
	var after int64
	for {
		ops, last, err := h.store.SyncOps(ctx, after, 500)
		if err != nil {
			return fmt.Errorf("read the changes to rebuild the hub's log from: %w", err)
		}
		if len(ops) == 0 {
			return nil
		}
		futures := make([]jetstream.PubAckFuture, 0, len(ops))
		for _, op := range ops {
			body, err := json.Marshal(op)
			if err != nil {
				return fmt.Errorf("encode change %s: %w", op.ID, err)
			}
			f, err := h.js.PublishAsync(opsSubject(h.shopID, op.Device), body, jetstream.WithMsgID(op.ID))
			if err != nil {
				return fmt.Errorf("rebuild the hub's log: %w", err)
			}
			futures = append(futures, f)
		}
		for _, f := range futures {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				return fmt.Errorf("rebuild the hub's log: %w", err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		after = last
	}
}

// localHost is the address this machine's own device dials.
func (h *Hub) localHost() string {
	if ip := net.ParseIP(h.host); h.host == "" || (ip != nil && ip.IsUnspecified()) {
		return "127.0.0.1"
	}
	return h.host
}

// URL is the hub's address as listening: "tls://host:port".
func (h *Hub) URL() string {
	return "tls://" + net.JoinHostPort(h.localHost(), strconv.Itoa(h.port))
}

// Shutdown stops the hub; devices reconnect when it starts again.
func (h *Hub) Shutdown() {
	h.cancel()
	if h.nc != nil {
		h.nc.Close()
	}
	if h.ns != nil {
		h.ns.Shutdown()
		h.ns.WaitForShutdown()
	}
	h.bg.Wait()
}

// Devices lists the devices the hub lets in.
func (h *Hub) Devices(ctx context.Context) ([]data.HubDevice, error) {
	return h.store.HubDevices(ctx)
}

// PairingCode is a one-time code another device types to join the shop.
type PairingCode struct {
	Code    string
	Expires time.Time
	HubURL  string
}

// NewPairingCode makes a one-time code (valid 15 min) another device types to join; advertise is the host devices dial ("" = this machine's LAN address).
func (h *Hub) NewPairingCode(ctx context.Context, advertise string) (PairingCode, error) {
	if advertise == "" {
		advertise = h.host
	}
	return newPairingCode(ctx, h.store, advertise, h.port, h.pin)
}

// HostPairingCode is NewPairingCode for the hub host's database whether or not the hub runs in this
// process ("backroom sync pair" beside a running window): the code needs only the hub's port and
// certificate, and the secret goes into the database, where the running hub checks it.
func HostPairingCode(ctx context.Context, store *data.Store, advertise string) (PairingCode, error) {
	set, err := store.SyncSettings(ctx)
	if err != nil {
		return PairingCode{}, fmt.Errorf("read sync settings: %w", err)
	}
	if !set.HostsHub {
		return PairingCode{}, errors.New("only the machine that hosts the shop's hub makes pairing codes; this one does not")
	}
	host, port, err := splitListen(set.HubListen)
	if err != nil {
		return PairingCode{}, err
	}
	if port <= 0 {
		// Listening on any free port: the hub wrote down where it is.
		if _, p, err := net.SplitHostPort(strings.TrimPrefix(set.HubURL, "tls://")); err == nil {
			port, _ = strconv.Atoi(p)
		}
	}
	der, err := certDER(set.HubCertPEM)
	if err != nil {
		return PairingCode{}, fmt.Errorf("the hub's certificate: %w", err)
	}
	if advertise == "" {
		advertise = host
	}
	return newPairingCode(ctx, store, advertise, port, fingerprint(der))
}

func newPairingCode(ctx context.Context, store *data.Store, advertise string, port int, pin []byte) (PairingCode, error) {
	if ip := net.ParseIP(advertise); advertise == "" || (ip != nil && ip.IsUnspecified()) {
		advertise = lanAddress()
	}
	c := pairingCode{host: advertise, port: port, secret: randomText(secretLen), pin: pin}
	code, err := encodeCode(c)
	if err != nil {
		return PairingCode{}, err
	}
	expires := store.Now().Add(codeLifetime)
	if err := store.AddHubPairing(ctx, c.secret, expires); err != nil {
		return PairingCode{}, fmt.Errorf("make pairing code: %w", err)
	}
	return PairingCode{Code: code, Expires: expires, HubURL: c.hubURL()}, nil
}

// Check authenticates a connection (server.Authentication): the hub's own in-process client, a device
// with its password from the registry, or the pairing account with an unused one-time secret. Each gets
// only the subjects it needs.
func (h *Hub) Check(c server.ClientAuthentication) bool {
	o := c.GetOpts()
	if o == nil || c.Kind() != server.CLIENT {
		return false
	}
	// Listening on every interface is meant for the shop's own network: a connection from beyond it
	// (a public address reaching a machine that has one) is refused unless the hub was told to listen
	// on a particular address, such as a VPN's.
	if h.allInterfaces() && !shopNetwork(c.RemoteAddress()) {
		return false
	}
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	switch o.Username {
	case hubUser:
		if o.Password != h.ownPass || h.ownPass == "" {
			return false
		}
		c.RegisterUser(&server.User{Username: hubUser})
		return true
	case pairUser:
		// A code that expired or was used still connects, so the pairing reply can say which; one
		// the hub never issued does not.
		if err := h.store.CheckHubPairing(ctx, o.Password); err != nil && (errors.Is(err, data.ErrNotFound) || !errors.Is(err, data.ErrInvalid) && !errors.Is(err, data.ErrConflict)) {
			return false
		}
		c.RegisterUser(&server.User{Username: pairUser, Permissions: &server.Permissions{
			Publish:   &server.SubjectPermission{Allow: []string{pairSubject}},
			Subscribe: &server.SubjectPermission{Allow: []string{inboxPrefix(pairUser) + ".>"}},
		}})
		return true
	}
	dev, err := h.store.CheckHubDevice(ctx, o.Username, o.Password)
	if err != nil {
		return false
	}
	c.RegisterUser(&server.User{Username: dev.ID, Permissions: devicePermissions(h.shopID, dev.ID)})
	h.noteSeen(dev.ID)
	return true
}

// allInterfaces reports whether the hub listens on every interface rather than an address it was given.
func (h *Hub) allInterfaces() bool {
	ip := net.ParseIP(h.host)
	return h.host == "" || ip != nil && ip.IsUnspecified()
}

// shopNetwork reports whether a client connects from this machine or a private network (RFC 1918,
// IPv6 unique local, link-local). A connection with no TCP address is the hub's own, in process.
func shopNetwork(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return true
	}
	ip := tcp.IP
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// devicePermissions lets a device publish its own ops (only on its own subject, so no device can pass
// off changes as another's), read the stream through consumers of its own, and receive replies on its
// own inbox. It cannot delete the stream or touch another device's replies.
func devicePermissions(shop, device string) *server.Permissions {
	s := streamName
	return &server.Permissions{
		Publish: &server.SubjectPermission{Allow: []string{
			opsSubject(shop, device),
			"$JS.API.INFO",
			"$JS.API.STREAM.INFO." + s,
			"$JS.API.CONSUMER.CREATE." + s, "$JS.API.CONSUMER.CREATE." + s + ".>",
			"$JS.API.CONSUMER.DELETE." + s + ".>",
			"$JS.API.CONSUMER.INFO." + s + ".>",
			"$JS.API.CONSUMER.MSG.NEXT." + s + ".>",
			"$JS.API.DIRECT.GET." + s, "$JS.API.DIRECT.GET." + s + ".>",
			"$JS.ACK." + s + ".>",
			"$JS.FC." + s + ".>",
		}},
		Subscribe: &server.SubjectPermission{Allow: []string{inboxPrefix(device) + ".>"}},
	}
}

// noteSeen writes down, at most once a minute per device, that a device connected: in the background,
// because the server waits on Check and the database may be busy applying a batch.
func (h *Hub) noteSeen(id string) {
	h.seenMu.Lock()
	last, ok := h.seen[id]
	now := time.Now()
	if ok && now.Sub(last) < time.Minute {
		h.seenMu.Unlock()
		return
	}
	h.seen[id] = now
	h.seenMu.Unlock()
	if h.ctx.Err() != nil {
		return
	}
	h.bg.Add(1)
	go func() {
		defer h.bg.Done()
		_ = h.store.NoteHubDeviceSeen(h.ctx, id) // only for the Devices list; a miss is harmless
	}()
}

// pairRequest is what a joining device asks on pairSubject. "probe" tells it about the shop without
// using the secret up, so it can refuse before anything changes; "claim" uses the secret and returns the
// device's hub credentials.
type pairRequest struct {
	Step       string `json:"step"` // "probe" or "claim"
	Secret     string `json:"secret"`
	DeviceID   string `json:"device_id"`
	DeviceName string `json:"device_name"`
}

type pairReply struct {
	Error      string `json:"error,omitempty"`
	ShopID     string `json:"shop_id"`
	CertPEM    string `json:"cert_pem"`
	Founded    bool   `json:"founded"` // the shop has data already: the joining device must be empty
	User       string `json:"user,omitempty"`
	Password   string `json:"password,omitempty"`
	HubVersion string `json:"hub_version"`
}

func (h *Hub) onPair(m *nats.Msg) {
	reply := h.pair(m.Data)
	b, _ := json.Marshal(reply)
	_ = m.Respond(b)
}

func (h *Hub) pair(body []byte) pairReply {
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	var req pairRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return pairReply{Error: "the pairing request could not be read"}
	}
	founded, err := h.founded(ctx)
	if err != nil {
		return pairReply{Error: "the hub could not read its log: " + data.UserMessage(err)}
	}
	r := pairReply{ShopID: h.shopID, CertPEM: h.cert, Founded: founded, HubVersion: server.VERSION}
	switch req.Step {
	case "probe":
		if err := h.store.CheckHubPairing(ctx, req.Secret); err != nil {
			return pairReply{Error: data.UserMessage(err)}
		}
	case "claim":
		r.User, r.Password = req.DeviceID, randomText(32)
		if _, err := h.store.PairHubDevice(ctx, req.Secret, data.HubDevice{ID: req.DeviceID, Name: req.DeviceName}, r.Password); err != nil {
			return pairReply{Error: data.UserMessage(err)}
		}
	default:
		return pairReply{Error: "unknown pairing step " + strconv.Quote(req.Step)}
	}
	return r
}

// founded reports whether the shop has data: ops in the stream, or the host's own ops not yet sent.
func (h *Hub) founded(ctx context.Context) (bool, error) {
	st, err := h.js.Stream(ctx, streamName)
	if err != nil {
		return false, err
	}
	if st.CachedInfo().State.LastSeq > 0 {
		return true, nil
	}
	ops, err := h.store.PendingOps(ctx, 1)
	if err != nil {
		return false, err
	}
	return len(ops) > 0, nil
}

// lastSeq is the stream's last sequence, for tests and the benchmark.
func (h *Hub) lastSeq(ctx context.Context) (uint64, error) {
	st, err := h.js.Stream(ctx, streamName)
	if err != nil {
		return 0, err
	}
	return st.CachedInfo().State.LastSeq, nil
}
