package app

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"log"
	"net"
	"os"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/devicesync"
	"github.com/backroom-app/backroom/data"
)

// devicesTabTitle is the Settings tab of multi-device sync.
const devicesTabTitle = "Devices"

// offlineText is the state of a device that cannot reach the hub: it must say that nothing is lost.
const offlineText = "Offline — changes are kept and will be sent when the hub is reachable."

// deviceSettings is Settings › Devices: this computer's name, whether and how it syncs with the shop's
// other computers, and "Sync now". The owner also hosts the hub here or joins a shop hosted elsewhere,
// pairs other devices and sees the paired ones. Everyone else sees the state only: the hub's password
// and certificate (data.SyncSettings) are owner-only and never shown to anyone.
type deviceSettings struct {
	a *App
	// store acts for the person signed in, or for the database's system owner on the welcome screen,
	// where a new computer joins a shop before anyone has signed in.
	store *data.Store
	owner bool
	// joined runs after this computer joined a shop and received what the hub holds; nil does nothing
	// more. founding says this computer's own data became the shop's.
	joined func(founding bool)

	name     *widget.Entry
	nameText *widget.Label // the name as others than the owner see it
	saveName *widget.Button
	nameNote *widget.Label
	// shownName is the name last loaded, so a reload does not overwrite one being typed.
	shownName string

	headline   *widget.Label // the state in one sentence
	details    *fyne.Container
	detailKeys []*widget.Label // the labels of the rows that only a syncing device has
	hub        *widget.Label
	lastSync   *widget.Label
	waiting    *widget.Label
	parked     *widget.Label
	problem    *widget.Label
	syncNow    *widget.Button
	cancelSync *widget.Button
	syncing    *widget.ProgressBarInfinite
	hostHub    *widget.Button
	pair       *widget.Button
	join       *widget.Button
	// A device whose hub was replaced pairs with the new one, or, when the hub is gone for good,
	// takes it over.
	repair   *widget.Button
	takeOver *widget.Button
	note     *widget.Label
	// stopSync cancels a running "Sync now"; nil when none runs.
	stopSync context.CancelFunc
	// failedAt is when the note last said Sync now failed: a later successful exchange takes it away.
	failedAt time.Time

	devices    *pagedTable[data.HubDevice]
	devicesBox *fyne.Container
	// listedHub is the hub whose devices the list shows, so a new hub reloads it.
	listedHub *devicesync.Hub

	// Join a shop.
	joinDialog   *dialog.CustomDialog
	joinCode     *widget.Entry
	joinName     *widget.Entry
	joinMessage  *widget.Label
	joinProgress *widget.ProgressBarInfinite
	joinGo       *widget.Button
	joinCancel   *widget.Button
	stopJoin     context.CancelFunc

	// Pair a device.
	pairDialog *dialog.CustomDialog
	pairCode   *widget.Label
	pairExpiry *widget.Label
	pairHub    *widget.Label
}

func newDeviceSettings(a *App) *deviceSettings {
	store := a.store
	if store == nil {
		store = a.base
	}
	d := &deviceSettings{a: a, store: store, owner: store.Can(data.PermSettings)}
	d.name = widget.NewEntry()
	d.name.SetPlaceHolder("e.g. Packing desk, Anna's laptop")
	d.name.OnSubmitted = func(string) { d.onSaveName() }
	d.saveName = widget.NewButtonWithIcon("Save name", theme.DocumentSaveIcon(), d.onSaveName)
	d.nameNote = widget.NewLabel("")
	d.nameNote.Wrapping = fyne.TextWrapWord
	d.nameNote.Hide()
	if !d.owner {
		d.name.Disable()
		d.saveName.Hide()
	}

	d.headline = widget.NewLabel("Reading this computer's sync state…")
	d.headline.TextStyle.Bold = true
	d.headline.Wrapping = fyne.TextWrapWord
	d.hub = widget.NewLabel("")
	d.lastSync = widget.NewLabel("")
	d.waiting = widget.NewLabel("")
	d.parked = widget.NewLabel("")
	d.parked.Wrapping = fyne.TextWrapWord
	// One form for the name and the state, so their labels line up; FormLayout skips a row whose label
	// and value are both hidden, which is how the state rows go away on a device that does not sync.
	d.detailKeys = []*widget.Label{formKey("Hub"), formKey("Last sync"), formKey("Waiting to send"), formKey("Set aside")}
	// Others read the name: a disabled entry is too faint to read.
	nameRow := fyne.CanvasObject(container.NewHBox(fixedWidth(d.name, 320), d.saveName))
	if !d.owner {
		d.nameText = widget.NewLabel("")
		nameRow = d.nameText
	}
	d.details = container.New(layout.NewFormLayout(),
		formKey("Device name"), nameRow,
		d.detailKeys[0], d.hub,
		d.detailKeys[1], d.lastSync,
		d.detailKeys[2], d.waiting,
		d.detailKeys[3], d.parked)
	for i, o := range []fyne.CanvasObject{d.hub, d.lastSync, d.waiting, d.parked} {
		o.Hide()
		d.detailKeys[i].Hide()
	}
	d.problem = widget.NewLabel("")
	d.problem.Wrapping = fyne.TextWrapWord
	d.problem.Hide()

	d.syncNow = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), d.onSyncNow)
	d.syncNow.Importance = widget.HighImportance
	d.syncNow.Hide()
	d.cancelSync = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if d.stopSync != nil {
			d.stopSync()
		}
	})
	d.cancelSync.Hide()
	d.syncing = widget.NewProgressBarInfinite()
	d.syncing.Stop()
	d.syncing.Hide()
	d.hostHub = widget.NewButtonWithIcon("Host the hub on this computer…", theme.ComputerIcon(), d.onHostHub)
	d.pair = widget.NewButtonWithIcon("Pair a device…", theme.ContentAddIcon(), d.onPair)
	d.pair.Importance = widget.HighImportance
	d.join = widget.NewButtonWithIcon("Join a shop…", theme.LoginIcon(), d.onJoin)
	d.join.Importance = widget.HighImportance
	d.repair = widget.NewButtonWithIcon("Pair again…", theme.LoginIcon(), d.onJoin)
	d.takeOver = widget.NewButtonWithIcon("Move the hub here…", theme.ComputerIcon(), d.onTakeOver)
	for _, b := range []*widget.Button{d.hostHub, d.pair, d.join, d.repair, d.takeOver} {
		b.Hide()
	}
	d.note = widget.NewLabel("")
	d.note.Wrapping = fyne.TextWrapWord
	d.note.Hide()

	d.devices = newPagedTable(a, "devices", []column[data.HubDevice]{
		{title: "Name", width: 200, grow: 2, text: func(h data.HubDevice) string {
			if h.ID == a.base.DeviceID() {
				return h.Name + " (this computer)"
			}
			return h.Name
		}},
		{title: "Paired", width: 150, text: func(h data.HubDevice) string { return dayTime(h.PairedAt) }},
		{title: "Last seen", width: 200, grow: 1, text: func(h data.HubDevice) string {
			if h.LastSeen.IsZero() {
				return "Not yet"
			}
			return sinceText(h.LastSeen, time.Now())
		}},
	}, func(h data.HubDevice) string { return h.ID })
	d.devices.emptyText = "No other device has joined yet. Press Pair a device and type the code on the other computer."
	// The tab scrolls; without a height of its own the list would get only what the sync state leaves.
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(0, 300))
	d.devicesBox = container.NewStack(strut, container.NewBorder(
		sectionHeading("Paired devices", "The computers that sync through the hub on this computer, and when each last reached it."),
		nil, nil, nil, d.devices.view()))
	d.devicesBox.Hide()

	a.sync.listen("settings", d.showState)
	return d
}

func (d *deviceSettings) view() fyne.CanvasObject {
	top := container.NewVBox(
		sectionHeading("Sync with the shop's other computers", "Several computers can share one shop. Each keeps working "+
			"on its own, offline too, and they exchange their changes through a hub that runs on one of them, on the shop's network."),
		d.headline,
		d.details,
		d.nameNote,
		d.problem,
		container.NewHBox(d.syncNow, d.cancelSync, d.pair, d.hostHub, d.join, layout.NewSpacer(), d.repair, d.takeOver),
		d.syncing,
		d.note)
	// Scrolled, so a short window scrolls the tab rather than growing to fit it.
	return container.NewVScroll(container.NewBorder(top, nil, nil, nil, d.devicesBox))
}

func (d *deviceSettings) refresh() {
	d.a.sync.reload()
	d.showState()
	if !d.owner {
		return
	}
	store := d.store
	run(d.a.bg, func(ctx context.Context) (data.SyncSettings, error) {
		return store.SyncSettings(ctx)
	}, func(cfg data.SyncSettings, err error) {
		if err != nil {
			log.Printf("backroom: read sync settings: %v", err)
			return
		}
		name := cfg.DeviceName
		if name == "" {
			name = defaultDeviceName()
		}
		// Only a name the person has not started changing is replaced.
		if d.name.Text == d.shownName {
			d.name.SetText(name)
		}
		d.shownName = name
	})
	if d.a.sync.hub != nil {
		d.listDevices()
	}
}

// formKey is the label of a row of a form: bold and right-aligned, as widget.Form draws them.
func formKey(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
}

// formLabel names the field below it.
func formLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// defaultDeviceName proposes the computer's own name for a device not named yet.
func defaultDeviceName() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(h, ".local")
}

// listDevices loads the paired devices from the running hub.
func (d *deviceSettings) listDevices() {
	hub := d.a.sync.hub
	d.listedHub = hub
	d.devices.setSource(listSource(func(ctx context.Context) ([]data.HubDevice, error) { return hub.Devices(ctx) }))
}

// syncView is the sync state as the Devices tab words it.
type syncView struct {
	headline   string
	importance widget.Importance
	details    bool // whether the hub, last sync, waiting and set-aside rows mean anything yet
	hub        string
	lastSync   string
	waiting    string
	parked     string
	problem    string // the last error in plain words; "" when none
}

// describeSync words a sync state. statusErr is why it could not be read; hubErr why the hub this
// computer hosts did not start.
func describeSync(st data.SyncStatus, statusErr, hubErr error, now time.Time) syncView {
	if statusErr != nil {
		return syncView{headline: "Backroom could not read this computer's sync state: " + data.UserMessage(statusErr),
			importance: widget.DangerImportance}
	}
	if !st.Enabled {
		return syncView{headline: "Not syncing: this computer keeps the shop to itself. To share the shop with another " +
			"computer, host the hub on the one that stays switched on and join the shop from the others.",
			importance: widget.MediumImportance}
	}
	v := syncView{details: true, hub: st.HubURL, lastSync: "Never", waiting: "Nothing", parked: "Nothing"}
	if v.hub == "" {
		v.hub = "Not known yet"
	}
	if st.HostsHub {
		v.hub = "This computer"
		if _, port, err := net.SplitHostPort(strings.TrimPrefix(st.HubURL, "tls://")); err == nil {
			v.hub += ", port " + port
		}
	}
	if !st.LastSync.IsZero() {
		v.lastSync = fmt.Sprintf("%s (%s)", sinceText(st.LastSync, now), dayTime(st.LastSync))
	}
	if st.Waiting > 0 {
		v.waiting = plural(st.Waiting, "change", "changes") + " made here"
	}
	if st.Parked > 0 {
		v.parked = plural(st.Parked, "change", "changes") + " received but not applied: they come from a newer " +
			"Backroom. Update Backroom on this computer to apply them."
	}
	offline := st.LastError != "" && (st.LastSync.IsZero() || !st.LastTryAt.Before(st.LastSync))
	if st.LastError != "" {
		v.problem = plainSyncError(st.LastError, st.HubURL)
		if !st.LastTryAt.IsZero() {
			v.problem = fmt.Sprintf("Last tried %s. %s", sinceText(st.LastTryAt, now), v.problem)
		}
	}
	switch {
	case hubErr != nil:
		v.headline = "The hub could not start on this computer: " + plainSyncError(hubErr.Error(), "") +
			" The other computers cannot sync until it runs; changes made here are kept."
		v.importance = widget.DangerImportance
	case offline:
		v.headline = offlineText
		v.importance = widget.WarningImportance
	case st.LastSync.IsZero():
		v.headline = "Connecting to the hub…"
		v.importance = widget.MediumImportance
	case st.Waiting > 0:
		v.headline = fmt.Sprintf("Syncing: %s waiting to send. Last synced %s.", plural(st.Waiting, "change", "changes"),
			sinceText(st.LastSync, now))
		v.importance = widget.MediumImportance
	default:
		v.headline = fmt.Sprintf("Up to date: synced with the hub %s.", sinceText(st.LastSync, now))
		v.importance = widget.SuccessImportance
	}
	return v
}

// syncErrorText words an error from pairing, hosting or syncing: the store's own messages as they are,
// the transport's in plain words (plainSyncError).
func syncErrorText(err error, hubURL string) string {
	var e *data.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return plainSyncError(err.Error(), hubURL)
}

// hubAddress finds the hub's address in an error message: "hub unreachable at tls://10.0.0.5:4222: …".
var hubAddress = regexp.MustCompile(`tls://[^\s/]+:\d+`)

// plainSyncError turns what the sync reported into words for a shop owner. hubURL names the hub when
// the message does not.
func plainSyncError(msg, hubURL string) string {
	low := strings.ToLower(msg)
	if found := hubAddress.FindString(msg); found != "" {
		hubURL = found
	}
	where := "The hub"
	if host := strings.TrimPrefix(strings.TrimPrefix(hubURL, "tls://"), "nats://"); host != "" {
		where = "The hub at " + host
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(low, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("not the hub", "certificate", "x509"):
		return where + " is not the hub this computer was paired with. If the hub computer was replaced, pair " +
			"this computer again with a new code; otherwise ask whoever looks after the shop's network."
	case has("pairing code: it expired", "does not accept this pairing code", "code expired", "has expired"):
		return "The hub did not accept the code: it expired, was used already, or was mistyped. Make a new one on the " +
			"hub computer (Settings › Devices › Pair a device)."
	case has("not a valid pairing code"):
		return "That is not a pairing code Backroom can read. Check it letter by letter; dashes and spaces do not matter."
	case has("does not know this device", "authorization", "authentication"):
		return where + " does not accept this computer any more. Pair it again with a new code from the hub computer."
	case has("address already in use", "bind:"):
		return "Another program already uses the hub's network port on this computer. Close it, or start Backroom " +
			"only once."
	case has("connection refused", "no route to host", "network is unreachable", "i/o timeout", "timeout",
		"no servers available", "unreachable", "no such host", "connection reset"):
		return where + " did not answer. Is the computer that hosts it switched on, with Backroom open, and on this network?"
	}
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "Something went wrong."
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// sinceText says how long ago t was: "just now", "5 minutes ago", "yesterday at 14:03".
func sinceText(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 12*time.Hour:
		return plural(int(d/time.Hour), "hour", "hours") + " ago"
	}
	lt, ln := t.In(time.Local), now.In(time.Local)
	y, m, dd := lt.Date()
	if ny, nm, nd := ln.Date(); y == ny && m == nm && dd == nd {
		return "today at " + lt.Format("15:04")
	}
	if ny, nm, nd := ln.AddDate(0, 0, -1).Date(); y == ny && m == nm && dd == nd {
		return "yesterday at " + lt.Format("15:04")
	}
	return "on " + lt.Format("2 Jan 2006 at 15:04")
}

// dayTime is a moment as a date and time in local time.
func dayTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(time.Local).Format("2 Jan 2006 15:04")
}

// showState shows what the sync watch knows, and the buttons that fit it.
func (d *deviceSettings) showState() {
	w := d.a.sync
	if !w.loaded && w.statusErr == nil {
		return
	}
	st := w.status
	if !d.owner {
		d.name.SetText(st.DeviceName) // the owner's comes from the settings, with an unsaved edit kept
		d.nameText.SetText(st.DeviceName)
	}
	v := describeSync(st, w.statusErr, w.hubErr, time.Now())
	d.headline.Importance = v.importance
	d.headline.SetText(v.headline)
	for i, o := range []fyne.CanvasObject{d.hub, d.lastSync, d.waiting, d.parked} {
		setShown(o, v.details)
		setShown(d.detailKeys[i], v.details)
	}
	d.details.Refresh()
	d.hub.SetText(v.hub)
	d.lastSync.SetText(v.lastSync)
	d.waiting.SetText(v.waiting)
	if st.Parked > 0 {
		d.parked.Importance = widget.WarningImportance
	} else {
		d.parked.Importance = widget.MediumImportance
	}
	d.parked.SetText(v.parked)
	if v.problem != "" && v.headline != v.problem {
		d.problem.Importance = widget.WarningImportance
		d.problem.SetText(v.problem)
		d.problem.Show()
	} else {
		d.problem.Hide()
	}

	if !d.failedAt.IsZero() && st.LastSync.After(d.failedAt) {
		d.note.Hide()
		d.failedAt = time.Time{}
	}

	known := w.statusErr == nil
	running := d.stopSync != nil
	setShown(d.syncNow, known && st.Enabled && !running)
	setShown(d.cancelSync, running)
	setShown(d.hostHub, d.owner && known && !st.Enabled)
	setShown(d.join, d.owner && known && !st.Enabled)
	setShown(d.pair, d.owner && st.Enabled && st.HostsHub)
	setShown(d.repair, d.owner && st.Enabled && !st.HostsHub)
	setShown(d.takeOver, d.owner && st.Enabled && !st.HostsHub)
	setEnabled(d.pair, w.hub != nil)
	if d.owner && st.Enabled && st.HostsHub && w.hub != nil {
		if d.listedHub != w.hub {
			d.listDevices()
		}
		d.devicesBox.Show()
	} else {
		d.devicesBox.Hide()
	}
}

func (d *deviceSettings) showNote(text string, imp widget.Importance) {
	d.note.Importance = imp
	d.note.SetText(text)
	d.note.Show()
}

func (d *deviceSettings) onSaveName() {
	if !d.owner {
		return
	}
	name := strings.TrimSpace(d.name.Text)
	if name == "" {
		d.nameNote.Importance = widget.DangerImportance
		d.nameNote.SetText("Type a name people recognise, such as Packing desk.")
		d.nameNote.Show()
		return
	}
	store := d.store
	d.saveName.Disable()
	run(d.a.bg, func(ctx context.Context) (struct{}, error) {
		cfg, err := store.SyncSettings(ctx)
		if err != nil {
			return struct{}{}, err
		}
		cfg.DeviceName = name
		return struct{}{}, store.SaveSyncSettings(ctx, cfg)
	}, func(_ struct{}, err error) {
		d.saveName.Enable()
		if err != nil {
			d.nameNote.Importance = widget.DangerImportance
			d.nameNote.SetText("The name was not saved: " + data.UserMessage(err))
			d.nameNote.Show()
			return
		}
		d.shownName = name
		d.nameNote.Importance = widget.SuccessImportance
		d.nameNote.SetText("Saved.")
		d.nameNote.Show()
		d.a.sync.reload()
	})
}

// onSyncNow sends what waits and fetches what the hub holds, with a Cancel button while it runs.
func (d *deviceSettings) onSyncNow() {
	ctx, cancel := context.WithCancel(d.a.bg.ctx)
	d.stopSync = cancel
	d.syncing.Show()
	d.syncing.Start()
	d.note.Hide()
	d.showState()
	d.a.sync.syncNow(ctx, func(r devicesync.Result, err error) {
		cancel()
		d.stopSync = nil
		d.syncing.Stop()
		d.syncing.Hide()
		d.showState()
		switch {
		case isCancelled(err):
			d.showNote("Sync cancelled. Changes made here are kept and sent at the next sync.", widget.MediumImportance)
		case errors.Is(err, devicesync.ErrUnreachable):
			// The state above already says why, in the same words.
			d.failedAt = time.Now()
			d.showNote("Sync now could not reach the hub. Nothing is lost: Backroom keeps trying on its own and sends "+
				"the changes made here when the hub answers.", widget.WarningImportance)
		case err != nil:
			d.failedAt = time.Now()
			d.showNote("Sync did not finish: "+syncErrorText(err, d.a.sync.status.HubURL)+
				" Changes made here are kept and sent when the hub is reachable.", widget.WarningImportance)
		default:
			text := "Synced: nothing was waiting on either side."
			if r.Sent+r.Received > 0 {
				text = fmt.Sprintf("Synced: %s sent, %s received.", plural(r.Sent, "change", "changes"), groupDigits(int64(r.Received)))
			}
			imp := widget.SuccessImportance
			if len(r.Oversold) > 0 {
				text += fmt.Sprintf(" Sold on two computers while apart, now below zero: %s. The dashboard lists them "+
					"as at risk.", strings.Join(r.Oversold, ", "))
				imp = widget.WarningImportance
			}
			d.showNote(text, imp)
		}
	})
}

// onHostHub makes this computer the shop's hub, after saying what that means.
func (d *deviceSettings) onHostHub() {
	name := strings.TrimSpace(d.name.Text)
	if name == "" {
		d.showNote("Give this computer a name first (above), such as Shop desktop.", widget.DangerImportance)
		d.a.win.Canvas().Focus(d.name)
		return
	}
	msg := widget.NewLabel("The other computers of the shop will connect to this one over the shop's network " +
		"(port 4222) to exchange their changes, so keep it switched on while they work. Each keeps working when it " +
		"cannot reach it.\n\nThe products, orders and stock on this computer become the shop's: the others receive them " +
		"when they join.")
	msg.Wrapping = fyne.TextWrapWord
	dialog.NewCustomConfirm("Host the hub on “"+name+"”", "Host the hub", "Cancel", fixedWidth(msg, 460), func(ok bool) {
		if ok {
			d.hostHubNow(name)
		}
	}, d.a.win).Show()
}

// onTakeOver moves the shop's hub to this computer when the one it synced through is gone for good,
// after saying what that means for the others.
func (d *deviceSettings) onTakeOver() {
	name := strings.TrimSpace(d.name.Text)
	if name == "" {
		name = defaultDeviceName()
	}
	msg := widget.NewLabel("Do this only when the computer that hosted the hub is gone for good (broken, replaced or " +
		"wiped). This computer becomes the hub: the shop's log starts again with every change this computer holds, " +
		"and each of the shop's other computers must press Pair again and type a code from here. Changes that only " +
		"the old hub had, and no computer, are lost with it.")
	msg.Wrapping = fyne.TextWrapWord
	dialog.NewCustomConfirm("Move the hub to “"+name+"”", "Move the hub here", "Cancel", fixedWidth(msg, 480), func(ok bool) {
		if !ok {
			return
		}
		store, listen := d.store, d.a.sync.hubListen
		runWithCancel(d.a.bg, d.a.win, "Moving the hub", "Setting up the hub on this computer…",
			func(ctx context.Context) error { return devicesync.TakeOverHub(ctx, store, name, listen) },
			func(err error) {
				switch {
				case isCancelled(err):
					d.showNote("Cancelled: the hub did not move.", widget.MediumImportance)
				case err != nil:
					log.Printf("backroom: move the hub here: %v", err)
					d.showNote("The hub did not move: "+syncErrorText(err, ""), widget.DangerImportance)
				default:
					d.showNote("This computer now hosts the shop's hub. Press Pair a device, and on each of the shop's "+
						"other computers press Pair again and type the code.", widget.SuccessImportance)
					d.a.sync.start()
				}
			})
	}, d.a.win).Show()
}

func (d *deviceSettings) hostHubNow(name string) {
	store, listen := d.store, d.a.sync.hubListen
	runWithCancel(d.a.bg, d.a.win, "Hosting the hub", "Recording this computer's shop for the hub…",
		func(ctx context.Context) error {
			return devicesync.HostHub(ctx, store, name, listen)
		}, func(err error) {
			switch {
			case isCancelled(err):
				d.showNote("Cancelled: this computer does not host the hub.", widget.MediumImportance)
			case err != nil:
				log.Printf("backroom: host the hub: %v", err)
				d.showNote("The hub was not set up: "+syncErrorText(err, ""), widget.DangerImportance)
			default:
				d.shownName = name
				d.showNote("This computer now hosts the shop's hub. Press Pair a device and type the code on "+
					"each of the shop's other computers.", widget.SuccessImportance)
				d.a.sync.start()
			}
		})
}

// onPair shows a new one-time pairing code, large enough to read across a desk.
func (d *deviceSettings) onPair() {
	hub := d.a.sync.hub
	if hub == nil {
		return
	}
	d.pair.Disable()
	run(d.a.bg, func(ctx context.Context) (devicesync.PairingCode, error) {
		return hub.NewPairingCode(ctx, "")
	}, func(pc devicesync.PairingCode, err error) {
		d.pair.Enable()
		if err != nil {
			log.Printf("backroom: make a pairing code: %v", err)
			d.showNote("No pairing code was made: "+syncErrorText(err, ""), widget.DangerImportance)
			return
		}
		d.showPairingCode(pc)
	})
}

func (d *deviceSettings) showPairingCode(pc devicesync.PairingCode) {
	// Spaces instead of dashes let the code wrap between groups; the hub reads it either way.
	d.pairCode = widget.NewLabel(strings.ReplaceAll(pc.Code, "-", " "))
	d.pairCode.TextStyle = fyne.TextStyle{Monospace: true}
	d.pairCode.SizeName = theme.SizeNameHeadingText
	d.pairCode.Alignment = fyne.TextAlignCenter
	d.pairCode.Wrapping = fyne.TextWrapWord
	d.pairCode.Selectable = true
	d.pairExpiry = widget.NewLabel(fmt.Sprintf("It works once, until %s (%s from now).",
		pc.Expires.In(time.Local).Format("15:04"), durationWords(time.Until(pc.Expires))))
	d.pairExpiry.Alignment = fyne.TextAlignCenter
	d.pairHub = widget.NewLabel("The other computer reaches this one at " + strings.TrimPrefix(pc.HubURL, "tls://") + ".")
	d.pairHub.Alignment = fyne.TextAlignCenter
	how := widget.NewLabel("On the other computer open Settings › Devices, press Join a shop and type this code:")
	how.Wrapping = fyne.TextWrapWord
	copyCode := widget.NewButtonWithIcon("Copy code", theme.ContentCopyIcon(), func() {
		d.a.fyne.Clipboard().SetContent(pc.Code)
	})
	closeButton := widget.NewButtonWithIcon("Done", theme.ConfirmIcon(), func() {
		d.pairDialog.Hide()
		d.devices.reload()
	})
	closeButton.Importance = widget.HighImportance
	body := container.NewVBox(how, d.pairCode, d.pairExpiry, d.pairHub)
	d.pairDialog = dialog.NewCustomWithoutButtons("Pair a device", fixedWidth(body, 480), d.a.win)
	d.pairDialog.SetButtons([]fyne.CanvasObject{copyCode, closeButton})
	d.pairDialog.Show()
}

// durationWords is a short duration in minutes.
func durationWords(d time.Duration) string {
	m := int((d + 30*time.Second) / time.Minute)
	if m < 1 {
		return "less than a minute"
	}
	return plural(m, "minute", "minutes")
}

// onJoin asks for a pairing code and this computer's name, then joins the shop of the hub that made it.
func (d *deviceSettings) onJoin() {
	d.joinCode = widget.NewEntry()
	d.joinCode.TextStyle = fyne.TextStyle{Monospace: true}
	d.joinCode.OnSubmitted = func(string) { d.onJoinGo() }
	d.joinCode.SetPlaceHolder("the code the hub computer shows")
	d.joinName = widget.NewEntry()
	d.joinName.SetText(strings.TrimSpace(d.name.Text))
	d.joinName.SetPlaceHolder("e.g. Packing desk")
	d.joinName.OnSubmitted = func(string) { d.onJoinGo() }
	d.joinMessage = widget.NewLabel("")
	d.joinMessage.Wrapping = fyne.TextWrapWord
	d.joinMessage.Hide()
	d.joinProgress = widget.NewProgressBarInfinite()
	d.joinProgress.Stop()
	d.joinProgress.Hide()
	// Labels above the fields, so the code field is wide enough to show a whole code for checking
	// against the hub's screen.
	form := container.NewVBox(
		formLabel("Pairing code"), d.joinCode,
		formLabel("This computer's name"), d.joinName)
	title, goText := "Join a shop", "Join"
	explain := mutedText("On the hub computer, open Settings › Devices and press Pair a device to get a code. " +
		"When the shop already has data, this computer receives it and its own people and PINs are replaced by the shop's.")
	if d.a.sync.status.Enabled { // this computer syncs already: its shop's hub moved
		title, goText = "Pair again", "Pair"
		explain = mutedText("For when the shop's hub moved to another computer or was set up again. On the hub computer, " +
			"open Settings › Devices and press Pair a device to get a code. This computer keeps its data, reads the new " +
			"hub's log and sends it whatever it lacks.")
	}
	d.joinGo = widget.NewButtonWithIcon(goText, theme.ConfirmIcon(), d.onJoinGo)
	d.joinGo.Importance = widget.HighImportance
	d.joinCancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if d.stopJoin != nil {
			d.stopJoin()
			return
		}
		d.joinDialog.Hide()
	})
	d.joinDialog = dialog.NewCustomWithoutButtons(title,
		fixedWidth(container.NewVBox(form, explain, d.joinProgress, d.joinMessage), 720), d.a.win)
	d.joinDialog.SetButtons([]fyne.CanvasObject{d.joinCancel, d.joinGo})
	d.joinDialog.Show()
	d.a.win.Canvas().Focus(d.joinCode)
}

func (d *deviceSettings) joinProblem(text string) {
	d.joinMessage.Importance = widget.DangerImportance
	d.joinMessage.SetText(text)
	d.joinMessage.Show()
}

func (d *deviceSettings) onJoinGo() {
	if d.stopJoin != nil {
		return
	}
	code := strings.TrimSpace(d.joinCode.Text)
	name := strings.TrimSpace(d.joinName.Text)
	switch {
	case code == "":
		d.joinProblem("Type the pairing code the hub computer shows.")
		return
	case name == "":
		d.joinProblem("Give this computer a name, such as Packing desk.")
		return
	}
	ctx, cancel := context.WithCancel(d.a.bg.ctx)
	d.stopJoin = cancel
	d.joinCode.Disable()
	d.joinName.Disable()
	d.joinGo.Disable()
	d.joinProgress.Show()
	d.joinProgress.Start()
	d.joinMessage.Importance = widget.MediumImportance
	d.joinMessage.SetText("Reaching the hub and joining the shop…")
	d.joinMessage.Show()
	store := d.store
	again := d.a.sync.status.Enabled // pairing with a new hub of this shop: the people stay
	run(d.a.bg, func(bctx context.Context) (devicesync.PairResult, error) {
		defer cancel()
		r, err := devicesync.Pair(ctx, store, code, name)
		if err != nil {
			return r, err
		}
		fyne.Do(func() { d.joinMessage.SetText("Joined. Receiving the shop's data from the hub…") })
		// Receive the shop before anyone signs in: its people replace this computer's. Should the hub
		// drop out now, the sync loop carries on from where this stopped.
		if _, err := devicesync.NewDevice(store, devicesync.Options{}).SyncNow(ctx); err != nil && !isCancelled(err) {
			log.Printf("backroom: receive the shop after joining: %v", err)
		}
		return r, nil
	}, func(r devicesync.PairResult, err error) {
		d.stopJoin = nil
		d.joinProgress.Stop()
		d.joinProgress.Hide()
		d.joinCode.Enable()
		d.joinName.Enable()
		d.joinGo.Enable()
		switch {
		case isCancelled(err):
			d.joinMessage.Importance = widget.MediumImportance
			d.joinMessage.SetText("Cancelled: this computer has not joined.")
		case errors.Is(err, data.ErrShopNotEmpty):
			d.joinProblem("This computer already holds products, orders or stock of its own, and the shop on the hub " +
				"has its own too: they cannot be merged. Join with a new, empty database file instead, or host the hub here.")
		case err != nil:
			log.Printf("backroom: join a shop: %v", err)
			d.joinProblem(syncErrorText(err, ""))
		default:
			d.joinDialog.Hide()
			d.shownName = name
			d.name.SetText(name)
			switch {
			case again:
				d.showNote("Paired with the shop's hub at "+strings.TrimPrefix(r.HubURL, "tls://")+": this computer sends it "+
					"whatever it lacks and receives the others' changes.", widget.SuccessImportance)
			case r.Founding:
				d.showNote("This computer has joined the shop, and its products, orders and stock are now the shop's: "+
					"the hub and the other computers receive them.", widget.SuccessImportance)
			default:
				d.showNote("This computer has joined the shop. The shop's data arrives from the hub now; the screens "+
					"fill in as it does.", widget.SuccessImportance)
			}
			d.a.sync.start()
			if d.joined != nil {
				d.joined(r.Founding)
			} else if !r.Founding && !again {
				// This computer's people were replaced by the shop's: whoever is signed in must sign in again.
				d.a.Start()
			}
		}
	})
}

// runWithCancel does work behind a dialog with a moving bar and a Cancel button, for work that cannot
// tell how far it has come. done gets context.Canceled when the user cancelled.
func runWithCancel(b *background, win fyne.Window, title, message string, work func(ctx context.Context) error, done func(error)) {
	ctx, cancel := context.WithCancel(b.ctx)
	bar := widget.NewProgressBarInfinite()
	d := dialog.NewCustomWithoutButtons(title, fixedWidth(container.NewVBox(widget.NewLabel(message), bar), 380), win)
	d.SetButtons([]fyne.CanvasObject{widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), cancel)})
	d.Show()
	run(b, func(context.Context) (struct{}, error) {
		defer cancel()
		return struct{}{}, work(ctx)
	}, func(_ struct{}, err error) {
		bar.Stop()
		d.Hide()
		done(err)
	})
}
