package app

import (
	"context"
	"log"
	"time"

	"fyne.io/fyne/v2"

	"github.com/backroom-app/backroom/app/devicesync"
	"github.com/backroom-app/backroom/data"
)

// syncCheckEvery is how often the sync watch re-reads this device's sync state while the window is open:
// it keeps "last sync 2 minutes ago" current and notices changes another process (the command line)
// applied to the same file.
const syncCheckEvery = 20 * time.Second

// syncWatch runs this device's side of multi-device sync while the window is open: when the database
// syncs, the embedded hub (on the computer that hosts it) and a devicesync.Device that sends this
// device's changes and applies the others'. Both act as the database's system owner, whoever is signed
// in, because they carry everyone's work; both stop when the window closes. When changes from another
// device arrive, the screens reload as after any change. It is used only on the UI goroutine.
type syncWatch struct {
	a      *App
	cancel context.CancelFunc
	// done is closed once the current run's device and hub have stopped: a restart waits for it, so the
	// new hub never finds the old one still holding its port.
	done chan struct{}

	hub    *devicesync.Hub    // the running hub; nil unless this computer hosts it and it started
	hubErr error              // why the hub did not start
	device *devicesync.Device // nil until sync is enabled and the device loop runs

	status    data.SyncStatus // the last state read or reported
	statusErr error           // why the state could not be read
	loaded    bool            // status has been read at least once
	// hubListen is where a hub set up from Settings › Devices listens; "" is the default port on every
	// interface of the shop's network. Tests use a free loopback port.
	hubListen string
	// listeners redraw what shows the sync state (Settings › Devices) whenever anything above changes.
	listeners map[string]func()
}

func newSyncWatch(a *App) *syncWatch { return &syncWatch{a: a, listeners: map[string]func(){}} }

// start reads the database's sync state and, when it syncs, starts the hub (if this computer hosts it)
// and the device loop in the background. Calling it again restarts both: after hosting the hub or
// joining a shop from Settings › Devices.
func (w *syncWatch) start() {
	w.stopRun()
	prev := w.done
	ctx, cancel := context.WithCancel(w.a.bg.ctx)
	done := make(chan struct{})
	w.cancel, w.done = cancel, done
	w.hub, w.hubErr, w.device = nil, nil, nil
	base := w.a.base
	w.a.bg.loop(func(context.Context) {
		defer close(done)
		if prev != nil {
			<-prev
		}
		w.run(ctx, base)
	})
}

// ensure starts the watch unless its run is still going: opening the shop again (after a new
// computer hosting the hub received its shop) must not restart a hub that devices are sending to.
func (w *syncWatch) ensure() {
	if w.done != nil && w.cancel != nil {
		select {
		case <-w.done:
		default:
			return
		}
	}
	w.start()
}

// stopRun cancels the running hub and device; their goroutine ends in the background.
func (w *syncWatch) stopRun() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
}

// run is the background side of start: it returns when ctx ends or when the database does not sync.
func (w *syncWatch) run(ctx context.Context, base *data.Store) {
	st, err := base.SyncStatus(ctx)
	w.post(ctx, func() { w.setStatus(st, err) })
	if err != nil || !st.Enabled {
		return
	}
	// Re-reading the state keeps the relative times current; it stops with ctx. tick must be started on
	// the UI goroutine, where background.stop runs, so its loop count never races with stop's wait.
	w.post(ctx, func() { w.a.bg.tick(ctx, syncCheckEvery, w.reload) })
	if st.HostsHub {
		// The hub runs beside the device loop below, and this run (counted by the background) returns
		// only once it has shut down.
		hubDone := make(chan struct{})
		go func() {
			defer close(hubDone)
			w.keepHub(ctx, base)
		}()
		defer func() { <-hubDone }()
	}
	dev := devicesync.NewDevice(base, devicesync.Options{
		OnStatus: func(st data.SyncStatus) { w.post(ctx, func() { w.setStatus(st, nil) }) },
	})
	w.post(ctx, func() { w.device = dev; w.notify() })
	if err := dev.Run(ctx); err != nil && ctx.Err() == nil {
		log.Printf("backroom: sync with the hub stopped: %v", err)
		w.post(ctx, func() { w.reload() })
	}
}

// Retry delays of a hub that did not start: its port may be held by a "backroom hub" about to stop,
// or by the previous run still closing.
const (
	hubRetryFirst = 5 * time.Second
	hubRetryMost  = time.Minute
)

// keepHub starts the hub and keeps it until ctx ends, trying again while it cannot start.
func (w *syncWatch) keepHub(ctx context.Context, base *data.Store) {
	wait := hubRetryFirst
	for {
		hub, err := w.startHub(ctx, base)
		if err == nil {
			w.post(ctx, func() { w.hub, w.hubErr = hub, nil; w.notify() })
			<-ctx.Done()
			hub.Shutdown()
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Printf("backroom: start the sync hub (trying again in %v): %v", wait, err)
		w.post(ctx, func() { w.hubErr = err; w.notify() })
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, hubRetryMost)
	}
}

func (w *syncWatch) startHub(ctx context.Context, base *data.Store) (*devicesync.Hub, error) {
	cfg, err := base.SyncSettings(ctx)
	if err != nil {
		return nil, err
	}
	return devicesync.StartHub(ctx, base, devicesync.HubConfig{Listen: cfg.HubListen})
}

// post runs fn on the UI goroutine unless ctx has ended by then.
func (w *syncWatch) post(ctx context.Context, fn func()) {
	fyne.Do(func() {
		if ctx.Err() == nil {
			fn()
		}
	})
}

// reload reads the sync state again in the background.
func (w *syncWatch) reload() {
	base := w.a.base
	run(w.a.bg, func(ctx context.Context) (data.SyncStatus, error) {
		return base.SyncStatus(ctx)
	}, func(st data.SyncStatus, err error) {
		if base == w.a.base {
			w.setStatus(st, err)
		}
	})
}

// setStatus shows a new state. When the stream position moved and this device holds more ops than
// before, changes arrived (from other devices, or from another process on this one): the screens reload
// as after any change, which also re-checks exceptions (stock oversold on two devices while apart shows
// as at risk). The position alone also moves when this device's own changes come back from the hub,
// which needs no reload: the screen that made them has already shown them.
func (w *syncWatch) setStatus(st data.SyncStatus, err error) {
	if err != nil {
		w.statusErr = err
		w.notify()
		return
	}
	arrived := w.loaded && st.Cursor > w.status.Cursor && st.Operations > w.status.Operations
	w.status, w.statusErr, w.loaded = st, nil, true
	w.notify()
	if arrived {
		if w.a.welcome != nil { // a new computer hosting the hub: the shop it waits for may be here
			w.a.welcome.dataArrived()
		}
		w.a.changed()
	}
}

// nudge tells the device loop a local change was made, so it is sent now rather than at the next poll.
func (w *syncWatch) nudge() {
	if w.device != nil {
		w.device.Nudge()
	}
}

// syncNow sends everything waiting and applies what the hub holds, in the background, through the
// running device loop's device (or a new one when the loop has not started yet). done gets the result
// on the UI goroutine; cancelling ctx stops the exchange.
func (w *syncWatch) syncNow(ctx context.Context, done func(devicesync.Result, error)) {
	dev := w.device
	if dev == nil {
		dev = devicesync.NewDevice(w.a.base, devicesync.Options{})
	}
	run(w.a.bg, func(bctx context.Context) (devicesync.Result, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(bctx, cancel) // the window closing cancels too
		defer stop()
		return dev.SyncNow(ctx)
	}, func(r devicesync.Result, err error) {
		done(r, err)
		w.reload()
	})
}

// listen calls fn whenever the sync state changes; a second call with the same key replaces the first.
func (w *syncWatch) listen(key string, fn func()) { w.listeners[key] = fn }

func (w *syncWatch) notify() {
	for _, fn := range w.listeners {
		fn()
	}
}
