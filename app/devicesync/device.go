package devicesync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/backroom-app/backroom/data"
)

// Options tune a Device.
type Options struct {
	Dial     func(ctx context.Context, network, addr string) (net.Conn, error) // nil = net.Dialer; tests route through the proxy
	OnStatus func(data.SyncStatus)                                             // called (from the sync goroutine) after each exchange; may be nil
}

// Result is what one SyncNow did.
type Result struct {
	Sent, Received int
	// Oversold lists SKUs whose stock went below zero with what was received: sold on two devices apart.
	Oversold []string
}

// Batch sizes: big enough that a 10,000-op catch-up is a handful of transactions, small enough that one
// transaction does not hold the database's write lock for long while the window is in use.
const (
	publishBatch = 500
	applyBatch   = 500
	// pollEvery is how often a connected device looks for changes nobody nudged about: made by another
	// process on this database, such as a command-line import.
	pollEvery = 2 * time.Second
	// markAliveEvery is how often a connected, idle device records that it is in sync.
	markAliveEvery = 30 * time.Second
	minBackoff     = 200 * time.Millisecond
	maxBackoff     = 5 * time.Second
	ackTimeout     = 30 * time.Second
)

// Device exchanges this database's ops with the shop's hub.
type Device struct {
	store *data.Store
	opts  Options
	nudge chan struct{}
	// exchange serialises publishing and applying between Run and SyncNow on one Device.
	exchange sync.Mutex
	// noteMu guards lastNote and lastNoteErr, which keep a device that cannot reach its hub from writing its failure to the
	// database on every retry.
	noteMu      sync.Mutex
	lastNote    time.Time
	lastNoteErr string
}

// NewDevice makes the sync side of a database that has paired (see Pair and HostHub).
func NewDevice(store *data.Store, opts Options) *Device {
	return &Device{store: store, opts: opts, nudge: make(chan struct{}, 1)}
}

// Nudge says a local change was made: publish now.
func (d *Device) Nudge() {
	select {
	case d.nudge <- struct{}{}:
	default:
	}
}

// Run stays connected; publishes new ops soon after they appear, applies incoming; reconnects with backoff; returns ctx.Err() when ctx ends.
func (d *Device) Run(ctx context.Context) error {
	backoff := minBackoff
	for {
		began := time.Now()
		err := d.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.note(ctx, err)
		if time.Since(began) > 10*time.Second {
			backoff = minBackoff // it was up a while: this is a new outage
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// conn is one connection to the hub.
type conn struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	url    string
	shop   string
	closed chan struct{}
}

func (c *conn) close() { c.nc.Close() }

// connect dials the hub this database paired with.
func (d *Device) connect(ctx context.Context) (*conn, error) {
	set, err := d.store.SyncSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("read sync settings: %w", err)
	}
	if set.User == "" || set.HubURL == "" || set.ShopID == "" {
		return nil, ErrNotPaired
	}
	var mismatch atomic.Bool
	tlsConf, err := hubTLS(set.HubCertPEM, &mismatch)
	if err != nil {
		return nil, err
	}
	c := &conn{url: set.HubURL, shop: set.ShopID, closed: make(chan struct{})}
	var once sync.Once
	o := []nats.Option{
		nats.UserInfo(set.User, set.Password),
		nats.Secure(tlsConf),
		nats.CustomInboxPrefix(inboxPrefix(set.User)),
		nats.Name("backroom " + set.DeviceName),
		// Run reconnects itself, from the position recorded in the database: one path for every outage.
		nats.NoReconnect(),
		nats.Timeout(10 * time.Second),
		nats.PingInterval(15 * time.Second),
		nats.MaxPingsOutstanding(2),
		nats.ClosedHandler(func(*nats.Conn) { once.Do(func() { close(c.closed) }) }),
		// Asynchronous errors (a refused subject) surface through the calls that caused them; the
		// library's default would print them on the app's stderr.
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
	}
	if d.opts.Dial != nil {
		o = append(o, nats.SetCustomDialer(ctxDialer{ctx: ctx, dial: d.opts.Dial}))
	}
	nc, err := nats.Connect(set.HubURL, o...)
	if err != nil {
		return nil, connectError(set.HubURL, err, &mismatch, false)
	}
	c.nc = nc
	if c.js, err = jetstream.New(nc); err != nil {
		nc.Close()
		return nil, fmt.Errorf("hub at %s: %w", set.HubURL, err)
	}
	return c, nil
}

// ctxDialer adapts Options.Dial to the client library's dialer.
type ctxDialer struct {
	ctx  context.Context
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (c ctxDialer) Dial(network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	return c.dial(ctx, network, addr)
}

// session is one connection's life: publish what waits, then follow the stream from the recorded
// position, publishing whenever nudged or every pollEvery, until the connection or ctx ends.
func (d *Device) session(ctx context.Context) error {
	c, err := d.connect(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	if err := d.followEpoch(ctx, c); err != nil {
		return err
	}
	if _, err := d.publish(ctx, c); err != nil {
		return err
	}
	cursor, err := d.store.SyncCursor(ctx)
	if err != nil {
		return fmt.Errorf("read sync position: %w", err)
	}
	if err := checkStreamAhead(ctx, c, cursor); err != nil {
		return err
	}
	cons, err := c.js.OrderedConsumer(ctx, streamName, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   cursor + 1,
	})
	if err != nil {
		return fmt.Errorf("follow the hub's log: %w", err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(applyBatch))
	if err != nil {
		return fmt.Errorf("follow the hub's log: %w", err)
	}
	msgs := make(chan jetstream.Msg, applyBatch)
	failed := make(chan error, 1)
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer it.Stop()
	defer stop()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m, err := it.Next()
			if err != nil {
				failed <- err
				return
			}
			select {
			case msgs <- m:
			case <-sctx.Done():
				return
			}
		}
	}()
	d.note(ctx, nil)
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	lastNote := time.Now()
	for {
		var err error
		did := false
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.closed:
			return fmt.Errorf("%w at %s: connection lost", ErrUnreachable, c.url)
		case err = <-failed:
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) && ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("follow the hub's log: %w", err)
		case m := <-msgs:
			batch := []jetstream.Msg{m}
		drain:
			for len(batch) < applyBatch {
				select {
				case m := <-msgs:
					batch = append(batch, m)
				default:
					break drain
				}
			}
			_, err = d.apply(ctx, c, batch)
			did = true
		case <-d.nudge:
			var n int
			n, err = d.publish(ctx, c)
			did = n > 0
		case <-poll.C:
			var n int
			n, err = d.publish(ctx, c)
			did = n > 0 || time.Since(lastNote) > markAliveEvery
		}
		if err != nil {
			return err
		}
		if did {
			d.note(ctx, nil)
			lastNote = time.Now()
		}
	}
}

// followEpoch checks which log the hub keeps: when it is a new one (the hub was rebuilt after losing its
// storage, or moved to another computer), this device reads it from its start and sends all its own
// changes again, before anything else of the exchange.
func (d *Device) followEpoch(ctx context.Context, c *conn) error {
	st, err := c.js.Stream(ctx, streamName)
	if err != nil {
		return fmt.Errorf("read the hub's log: %w", err)
	}
	info := st.CachedInfo()
	reset, err := d.store.NoteHubEpoch(ctx, info.Config.Metadata[epochKey], info.State.LastSeq)
	if err != nil {
		return fmt.Errorf("record the hub's log: %w", err)
	}
	if reset {
		log.Printf("backroom: the hub at %s keeps a new log; reading it from the start and sending this device's changes again", c.url)
	}
	return nil
}

// checkStreamAhead refuses to follow a hub whose log is shorter than what this device already applied:
// the hub was replaced or its storage lost, and following it would skip whatever it numbers next.
func checkStreamAhead(ctx context.Context, c *conn, cursor uint64) error {
	st, err := c.js.Stream(ctx, streamName)
	if err != nil {
		return fmt.Errorf("read the hub's log: %w", err)
	}
	if last := st.CachedInfo().State.LastSeq; last < cursor {
		return fmt.Errorf("the hub's log ends at change %d but this device has applied up to %d: "+
			"the hub lost its storage; it must be rebuilt from the devices before they can sync", last, cursor)
	}
	return nil
}

// publish sends every op the hub has not acknowledged, oldest first, and records the acknowledged ones.
// A crash between the hub's acknowledgement and MarkPublished sends an op again; the receivers skip it.
func (d *Device) publish(ctx context.Context, c *conn) (int, error) {
	d.exchange.Lock()
	defer d.exchange.Unlock()
	sent := 0
	subject := opsSubject(c.shop, d.store.DeviceID())
	for {
		ops, err := d.store.PendingOps(ctx, publishBatch)
		if err != nil {
			return sent, fmt.Errorf("read changes to send: %w", err)
		}
		if len(ops) == 0 {
			return sent, nil
		}
		futures := make([]jetstream.PubAckFuture, 0, len(ops))
		var pubErr error
		for _, op := range ops {
			body, err := json.Marshal(op)
			if err != nil {
				return sent, fmt.Errorf("encode change %s: %w", op.ID, err)
			}
			f, err := c.js.PublishAsync(subject, body, jetstream.WithMsgID(op.ID), jetstream.WithExpectStream(streamName))
			if err != nil {
				pubErr = err // the ones already on their way are still waited for and recorded
				break
			}
			futures = append(futures, f)
		}
		acked := make([]string, 0, len(futures))
		var failure error
		timeout := time.NewTimer(ackTimeout)
	wait:
		for i, f := range futures {
			select {
			case <-f.Ok():
				acked = append(acked, ops[i].ID)
			case err := <-f.Err():
				failure = fmt.Errorf("send change %s to the hub: %w", ops[i].ID, err)
				break wait
			case <-timeout.C:
				failure = fmt.Errorf("%w at %s: the hub did not confirm changes within %s", ErrUnreachable, c.url, ackTimeout)
				break wait
			case <-c.closed:
				failure = fmt.Errorf("%w at %s: connection lost while sending", ErrUnreachable, c.url)
				break wait
			case <-ctx.Done():
				failure = ctx.Err()
				break wait
			}
		}
		timeout.Stop()
		if len(acked) > 0 {
			// Recorded even when ctx has just ended: the hub has them, and each one not recorded is sent again.
			mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			err := d.store.MarkPublished(mctx, acked)
			cancel()
			if err != nil {
				return sent, fmt.Errorf("record changes sent: %w", err)
			}
			sent += len(acked)
		}
		if failure != nil {
			return sent, failure
		}
		if pubErr != nil {
			return sent, fmt.Errorf("send changes to the hub at %s: %w", c.url, pubErr)
		}
	}
}

// apply applies a batch of stream messages (in stream order, without gaps: the ordered consumer
// guarantees both) and records the last one's position in the same transaction.
func (d *Device) apply(ctx context.Context, c *conn, batch []jetstream.Msg) (data.SyncApplied, error) {
	d.exchange.Lock()
	defer d.exchange.Unlock()
	ops := make([]data.SyncOp, 0, len(batch))
	var last uint64
	for _, m := range batch {
		meta, err := m.Metadata()
		if err != nil {
			return data.SyncApplied{}, fmt.Errorf("read a change's position: %w", err)
		}
		last = meta.Sequence.Stream
		if op, ok := decodeOp(c.shop, m.Subject(), m.Data()); ok {
			ops = append(ops, op)
		}
	}
	if last == 0 {
		return data.SyncApplied{}, nil
	}
	res, err := d.store.ApplyRemote(ctx, ops, last)
	if err != nil {
		return res, fmt.Errorf("apply changes up to %d: %w", last, err)
	}
	return res, nil
}

// decodeOp reads one stream message. A message that is not an op, or an op claiming to come from a
// device other than the one whose subject carried it, is passed over (its position still counts): no
// device could apply it, and the hub only lets each device publish on its own subject.
func decodeOp(shop, subject string, body []byte) (data.SyncOp, bool) {
	device, ok := strings.CutPrefix(subject, "ops."+shop+".")
	if !ok {
		return data.SyncOp{}, false
	}
	var op data.SyncOp
	if err := json.Unmarshal(body, &op); err != nil || op.ID == "" || op.Device != device {
		return data.SyncOp{}, false
	}
	return op, true
}

// note records the outcome of an exchange and reports the status. Repeated failures with the same
// message are written at most once a minute: a laptop on a train retries every few seconds.
func (d *Device) note(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	d.noteMu.Lock()
	now := time.Now()
	if err == nil || msg != d.lastNoteErr || now.Sub(d.lastNote) > time.Minute {
		_ = d.store.NoteSyncAttempt(ctx, err)
		d.lastNote, d.lastNoteErr = now, msg
	}
	d.noteMu.Unlock()
	if d.opts.OnStatus != nil {
		if st, serr := d.store.SyncStatus(ctx); serr == nil {
			d.opts.OnStatus(st)
		}
	}
}

// SyncNow publishes everything pending, then applies until caught up with the stream's last sequence.
// It uses a connection of its own, so it works with or without Run.
func (d *Device) SyncNow(ctx context.Context) (Result, error) {
	res, err := d.syncNow(ctx)
	d.note(ctx, err)
	return res, err
}

func (d *Device) syncNow(ctx context.Context) (Result, error) {
	var res Result
	c, err := d.connect(ctx)
	if err != nil {
		return res, err
	}
	defer c.close()
	if err := d.followEpoch(ctx, c); err != nil {
		return res, err
	}
	if res.Sent, err = d.publish(ctx, c); err != nil {
		return res, err
	}
	st, err := c.js.Stream(ctx, streamName)
	if err != nil {
		return res, fmt.Errorf("read the hub's log: %w", err)
	}
	target := st.CachedInfo().State.LastSeq
	cursor, err := d.store.SyncCursor(ctx)
	if err != nil {
		return res, fmt.Errorf("read sync position: %w", err)
	}
	if target < cursor {
		return res, checkStreamAhead(ctx, c, cursor)
	}
	if cursor >= target {
		return res, nil
	}
	cons, err := c.js.OrderedConsumer(ctx, streamName, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   cursor + 1,
	})
	if err != nil {
		return res, fmt.Errorf("read the hub's log: %w", err)
	}
	oversold := map[string]bool{}
	for cursor < target {
		// Ask for exactly what is known to be there: Fetch returns as soon as it has the batch.
		fb, err := cons.Fetch(int(min(uint64(applyBatch), target-cursor)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return res, fmt.Errorf("read the hub's log: %w", err)
		}
		var batch []jetstream.Msg
		for m := range fb.Messages() {
			batch = append(batch, m)
		}
		if err := fb.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			return res, fmt.Errorf("read the hub's log: %w", err)
		}
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-c.closed:
				return res, fmt.Errorf("%w at %s: connection lost", ErrUnreachable, c.url)
			default:
			}
			continue
		}
		applied, err := d.apply(ctx, c, batch)
		if err != nil {
			return res, err
		}
		res.Received += applied.Applied + applied.Parked
		for _, sku := range applied.Oversold {
			oversold[sku] = true
		}
		meta, err := batch[len(batch)-1].Metadata()
		if err != nil {
			return res, fmt.Errorf("read a change's position: %w", err)
		}
		cursor = meta.Sequence.Stream
	}
	for sku := range oversold {
		res.Oversold = append(res.Oversold, sku)
	}
	sort.Strings(res.Oversold)
	return res, nil
}
