package app

import (
	"context"
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
func (sd *shipDialog) shipDate() (time.Time, error) {
	day, err := parseDay(sd.date.Text)
	if err != nil || day.IsZero() {
		return time.Time{}, fmt.Errorf("write the ship date as YYYY-MM-DD, e.g. %s", sd.a.store.Now().Local().Format(dateLayout))
	}
	if day.Format(dateLayout) == sd.a.store.Now().Local().Format(dateLayout) {
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
