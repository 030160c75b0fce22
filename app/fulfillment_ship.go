package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// Preference keys of the ship dialog: a desk mostly hands parcels to the same carrier and service, so
// the last ones come back already filled in.
const (
	prefShipCarrier = "ship_carrier"
	prefShipService = "ship_service"
)

// carriers are the carriers offered in the ship dialog; any other can be typed.
func carriers() []string {
	return []string{"Royal Mail", "Parcelforce", "Evri", "DPD", "DHL", "UPS", "USPS", "FedEx", "Yodel", "InPost",
		"Canada Post", "Australia Post", "NZ Post", "PostNL", "Deutsche Post", "Hermes", "GLS", "La Poste", "Colissimo",
		"An Post", "PostNord", "Sendle", "Amazon Shipping"}
}

// shipDialog asks how an order leaves: carrier, service, tracking number and the day it was handed
// over. It is built for the scanner: the cursor waits in the tracking field, and the Enter a scanner
// sends after the number ships the order.
type shipDialog struct {
	a     *App
	order data.Order
	done  func(data.Order, bool)
	ended bool

	d        *dialog.CustomDialog
	carrier  *widget.SelectEntry
	service  *stationEntry
	tracking *stationEntry
	date     *stationEntry
	problem  *widget.Label
	ship     *enterButton
	later    *enterButton
}

// showShipDialog opens the ship dialog for o; done gets the shipped order and true, or false when the
// packer chose to ship later.
func showShipDialog(a *App, o data.Order, done func(data.Order, bool)) *shipDialog {
	sd := &shipDialog{a: a, order: o, done: done}
	prefs := a.fyne.Preferences()
	sd.carrier = widget.NewSelectEntry(carriers())
	sd.carrier.SetPlaceHolder("Royal Mail, DPD… or type one")
	sd.carrier.SetText(prefs.String(prefShipCarrier))
	sd.carrier.OnSubmitted = func(string) { sd.next(sd.carrier) }
	sd.service = newStationEntry()
	sd.service.SetPlaceHolder("e.g. Tracked 48 (optional)")
	sd.service.SetText(prefs.String(prefShipService))
	sd.service.OnSubmitted = func(string) { sd.next(sd.service) }
	sd.tracking = newStationEntry()
	sd.tracking.SetPlaceHolder("Scan the label's barcode or type the number")
	sd.tracking.OnSubmitted = func(string) { sd.onShip() }
	sd.date = newStationEntry()
	sd.date.SetText(a.store.Now().Local().Format(dateLayout))
	sd.date.OnSubmitted = func(string) { sd.onShip() }
	for _, e := range []*stationEntry{sd.service, sd.tracking, sd.date} {
		e.keys = map[fyne.KeyName]func(){fyne.KeyEscape: sd.onLater}
	}
	sd.problem = widget.NewLabel("")
	sd.problem.Importance = widget.DangerImportance
	sd.problem.Wrapping = fyne.TextWrapWord
	sd.problem.Hide()

	to := addressLines(o.ShipTo)
	if o.ShipTo.Name == "" && o.CustomerName != "" {
		to = o.CustomerName + "\n" + to
	}
	address := widget.NewLabel(to)
	address.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		&widget.FormItem{Text: "Ship to", Widget: address},
		&widget.FormItem{Text: "Carrier", Widget: sd.carrier},
		&widget.FormItem{Text: "Service", Widget: sd.service},
		&widget.FormItem{Text: "Tracking", Widget: sd.tracking, HintText: "Scan it: Enter ships the order"},
		&widget.FormItem{Text: "Ship date", Widget: sd.date, HintText: "YYYY-MM-DD; today unless it left another day"},
	)
	sd.later = newEnterButton("Ship later", theme.CancelIcon(), sd.onLater)
	sd.ship = newEnterButton("Ship", theme.MailSendIcon(), sd.onShip)
	sd.ship.Importance = widget.HighImportance
	title := fmt.Sprintf("Ship %s order %s", channelLabel(o.Channel), o.ExternalID)
	sd.d = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, sd.problem), a.win)
	sd.d.SetButtons([]fyne.CanvasObject{sd.later, sd.ship})
	sd.d.SetOnClosed(func() { sd.end(data.Order{}, false) })
	sd.d.Resize(fyne.NewSize(560, sd.d.MinSize().Height))
	sd.d.Show()
	if strings.TrimSpace(sd.carrier.Text) == "" {
		a.win.Canvas().Focus(sd.carrier)
	} else {
		a.win.Canvas().Focus(sd.tracking)
	}
	return sd
}

// next moves on from the carrier or the service to the tracking number, the usual way through.
func (sd *shipDialog) next(from fyne.Focusable) {
	if from == sd.carrier && strings.TrimSpace(sd.carrier.Text) == "" {
		return
	}
	sd.a.win.Canvas().Focus(sd.tracking)
}

// shipDate reads the ship date: zero for today, which lets the store use the time of the click; noon
// of another day, so the day stays the same in any time zone near this one.
func (sd *shipDialog) shipDate() (time.Time, error) { return shipDay(sd.date.Text, sd.a.store.Now()) }

func shipDay(text string, now time.Time) (time.Time, error) {
	day, err := parseDay(text)
	if err != nil || day.IsZero() {
		return time.Time{}, fmt.Errorf("write the ship date as YYYY-MM-DD, e.g. %s", now.Local().Format(dateLayout))
	}
	if day.Format(dateLayout) == now.Local().Format(dateLayout) {
		return time.Time{}, nil
	}
	return day.Add(12 * time.Hour), nil
}

func (sd *shipDialog) onShip() {
	carrier := strings.TrimSpace(sd.carrier.Text)
	if carrier == "" {
		showFormProblem(sd.a.win, sd.d, sd.problem, 560, "Say which carrier takes the parcel.", sd.carrier)
		return
	}
	at, err := sd.shipDate()
	if err != nil {
		showFormProblem(sd.a.win, sd.d, sd.problem, 560, capitalized(err.Error())+".", sd.date)
		return
	}
	sh := data.Shipment{Carrier: carrier, Service: sd.service.Text, Tracking: sd.tracking.Text, ShippedAt: at}
	store, id := sd.a.store, sd.order.ID
	sd.ship.Disable()
	run(sd.a.bg, func(ctx context.Context) (data.Order, error) {
		return store.ShipOrder(ctx, id, sh)
	}, func(o data.Order, err error) {
		sd.ship.Enable()
		if err != nil {
			logUnexpected(err)
			showFormProblem(sd.a.win, sd.d, sd.problem, 560, data.UserMessage(err), sd.tracking)
			return
		}
		prefs := sd.a.fyne.Preferences()
		prefs.SetString(prefShipCarrier, carrier)
		prefs.SetString(prefShipService, strings.TrimSpace(sd.service.Text))
		sd.end(o, true)
		sd.d.Hide()
	})
}

func (sd *shipDialog) onLater() {
	sd.end(data.Order{}, false)
	sd.d.Hide()
}

// end tells the caller once how the dialog ended.
func (sd *shipDialog) end(o data.Order, shipped bool) {
	if sd.ended {
		return
	}
	sd.ended = true
	if sd.done != nil {
		sd.done(o, shipped)
	}
}

// bulkShipDialog ships every ticked order with one carrier and no tracking number: a morning's
// untracked letters handed over at the post office. Orders with tracking go one by one through the
// ship dialog, where the number is scanned.
type bulkShipDialog struct {
	a       *App
	orders  []data.Order
	done    func(moved, skipped []string, err error)
	d       *dialog.CustomDialog
	carrier *widget.SelectEntry
	service *widget.Entry
	date    *widget.Entry
	problem *widget.Label
	ship    *widget.Button
}

func showBulkShipDialog(a *App, orders []data.Order, done func(moved, skipped []string, err error)) *bulkShipDialog {
	bd := &bulkShipDialog{a: a, orders: orders, done: done}
	prefs := a.fyne.Preferences()
	bd.carrier = widget.NewSelectEntry(carriers())
	bd.carrier.SetPlaceHolder("Royal Mail, DPD… or type one")
	bd.carrier.SetText(prefs.String(prefShipCarrier))
	bd.service = widget.NewEntry()
	bd.service.SetPlaceHolder("e.g. 2nd Class Large Letter (optional)")
	bd.date = widget.NewEntry()
	bd.date.SetText(a.store.Now().Local().Format(dateLayout))
	bd.problem = widget.NewLabel("")
	bd.problem.Importance = widget.DangerImportance
	bd.problem.Wrapping = fyne.TextWrapWord
	bd.problem.Hide()
	var numbers []string
	for _, o := range orders {
		numbers = append(numbers, o.ExternalID)
	}
	note := widget.NewLabel(fmt.Sprintf("%s: %s. Each is recorded as shipped with this carrier and no tracking number; "+
		"for a parcel with tracking, tick it alone and use Ship….", plural(len(orders), "order", "orders"), strings.Join(numbers, ", ")))
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		&widget.FormItem{Text: "Carrier", Widget: bd.carrier},
		&widget.FormItem{Text: "Service", Widget: bd.service},
		&widget.FormItem{Text: "Ship date", Widget: bd.date, HintText: "YYYY-MM-DD"},
	)
	bd.ship = widget.NewButtonWithIcon("Mark shipped", theme.MailSendIcon(), bd.onShip)
	bd.ship.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { bd.d.Hide() })
	bd.d = dialog.NewCustomWithoutButtons("Mark shipped without tracking", container.NewVBox(note, form, bd.problem), a.win)
	bd.d.SetButtons([]fyne.CanvasObject{cancel, bd.ship})
	bd.d.Resize(fyne.NewSize(560, bd.d.MinSize().Height))
	bd.d.Show()
	a.win.Canvas().Focus(bd.carrier)
	return bd
}

func (bd *bulkShipDialog) onShip() {
	carrier := strings.TrimSpace(bd.carrier.Text)
	if carrier == "" {
		showFormProblem(bd.a.win, bd.d, bd.problem, 560, "Say which carrier takes the parcels.", bd.carrier)
		return
	}
	at, err := shipDay(bd.date.Text, bd.a.store.Now())
	if err != nil {
		showFormProblem(bd.a.win, bd.d, bd.problem, 560, capitalized(err.Error())+".", bd.date)
		return
	}
	sh := data.Shipment{Carrier: carrier, Service: bd.service.Text, ShippedAt: at}
	store, orders := bd.a.store, bd.orders
	bd.ship.Disable()
	type result struct{ moved, skipped []string }
	run(bd.a.bg, func(ctx context.Context) (result, error) {
		var r result
		for _, o := range orders {
			shipped, err := store.ShipOrder(ctx, o.ID, sh)
			if errors.Is(err, data.ErrConflict) {
				r.skipped = append(r.skipped, o.ExternalID) // cancelled or moved on elsewhere meanwhile
				continue
			}
			if err != nil {
				return r, err
			}
			r.moved = append(r.moved, shipped.ExternalID)
		}
		return r, nil
	}, func(r result, err error) {
		bd.ship.Enable()
		prefs := bd.a.fyne.Preferences()
		prefs.SetString(prefShipCarrier, carrier)
		bd.d.Hide()
		bd.done(r.moved, r.skipped, err)
	})
}
