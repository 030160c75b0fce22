package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/color"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// addPackOrder adds etsy order 1004, paid, due today: 2 × APRON-SAGE (barcode 5012345678900), 1 ×
// MUG-BLUE and 1 × TOWEL (neither has a barcode).
func addPackOrder(t *testing.T, a *App) data.Order {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	if _, err := a.base.ApplyOrders(ctx, []data.Order{{Channel: "etsy", ExternalID: "1004", Status: data.StatusPaid,
		PlacedAt: now.Add(-2 * time.Hour), ShipBy: now.Add(time.Minute), CustomerName: "Charles Babbage", Currency: "GBP",
		ShipTo: data.Address{Name: "Charles Babbage", Line1: "1 Dorset Street", City: "London", Postcode: "W1U 4EG", Country: "GB"},
		Lines: []data.OrderLine{
			{SKU: "APRON-SAGE", Name: "Linen apron, sage", Quantity: 2, UnitPrice: 2400},
			{SKU: "MUG-BLUE", Name: "Blue mug", Quantity: 1, UnitPrice: 1200},
			{SKU: "TOWEL", Name: "Tea towel", Quantity: 1, UnitPrice: 800},
		}}}); err != nil {
		t.Fatal(err)
	}
	o, err := a.base.OrderByKey(ctx, "etsy", "1004")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// openStation shows the Fulfillment screen's pack station, with the refusal sound counted instead of
// played.
func openStation(t *testing.T, a *App) (*fulfillmentScreen, *packStation, *int) {
	t.Helper()
	sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
	st := sc.packing.station
	beeps := new(int)
	st.beep = func() { *beeps++ }
	sc.packing.tabs.Select(sc.packing.stationTab)
	waitUI(a)
	if got := a.win.Canvas().Focused(); got != st.entry {
		t.Fatalf("focus on the pack station = %T, want the scan entry", got)
	}
	return sc, st, beeps
}

// keyIn presses a key in whatever has the keyboard, as the packer does.
func keyIn(t *testing.T, a *App, name fyne.KeyName) {
	t.Helper()
	f := a.win.Canvas().Focused()
	if f == nil {
		t.Fatalf("nothing has the keyboard to press %s in", name)
	}
	f.TypedKey(&fyne.KeyEvent{Name: name})
	waitUI(a)
}

// typeIn types text and Enter into whatever has the keyboard, as a USB scanner does.
func typeIn(t *testing.T, a *App, text string) {
	t.Helper()
	f := a.win.Canvas().Focused()
	if f == nil {
		t.Fatalf("nothing has the keyboard to type %q in", text)
	}
	for _, r := range text {
		f.TypedRune(r)
	}
	keyIn(t, a, fyne.KeyReturn)
}

// wantBanner checks the message across the top of the station.
func wantBanner(t *testing.T, st *packStation, imp widget.Importance, contains string) {
	t.Helper()
	if got := st.bannerTitle.Text; !strings.Contains(got, contains) || st.bannerTitle.Importance != imp {
		t.Errorf("station says %q (importance %v), want %q (importance %v)", got, st.bannerTitle.Importance, contains, imp)
	}
}

func stockOf(t *testing.T, a *App, sku string) data.StockLevel {
	t.Helper()
	l, err := a.base.StockLevel(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPackStation(t *testing.T) {
	ctx := context.Background()

	t.Run("WholePackByKeyboard", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		o := addPackOrder(t, a)
		before := map[string]data.StockLevel{}
		for _, sku := range []string{"APRON-SAGE", "MUG-BLUE", "TOWEL"} {
			before[sku] = stockOf(t, a, sku)
		}
		holdUI(t, a)
		_, st, beeps := openStation(t, a)
		wantBanner(t, st, widget.MediumImportance, "Scan an order")

		typeIn(t, a, "1004")
		if !st.packing || st.state.Order.ID != o.ID {
			t.Fatalf("after scanning 1004 the station has %+v, want order 1004", st.state.Order)
		}
		if got := st.orderInfo.Text; !strings.HasPrefix(got, "TODAY") {
			t.Errorf("order line = %q, want it to say the order is due today", got)
		}
		keyIn(t, a, fyne.KeyF2) // the apron has a barcode: by hand is refused with what to do instead
		wantBanner(t, st, widget.WarningImportance, "has a barcode: scan it")

		typeIn(t, a, "5012345678900")
		wantBanner(t, st, widget.SuccessImportance, "APRON-SAGE: 1 of 2")
		typeIn(t, a, "APRON-RUST")
		wantBanner(t, st, widget.DangerImportance, "Wrong item: APRON-RUST is not on etsy order 1004")
		if *beeps != 1 {
			t.Errorf("beeps after a wrong item = %d, want 1", *beeps)
		}
		typeIn(t, a, "5012345678900")
		typeIn(t, a, "5012345678900")
		wantBanner(t, st, widget.DangerImportance, "Too many")
		typeIn(t, a, "4006381333931")
		wantBanner(t, st, widget.DangerImportance, "Unknown code 4006381333931")
		if *beeps != 3 {
			t.Errorf("beeps after three refused scans = %d, want 3", *beeps)
		}
		if got := st.state.Lines[0]; got.Packed != 2 || !got.Done() {
			t.Errorf("apron line = %+v, want 2 packed, done", got)
		}

		// The mug has no barcode: by hand. The done apron line gave way to it.
		if l, _ := st.selectedLine(); l.SKU != "MUG-BLUE" {
			t.Fatalf("chosen line = %s, want MUG-BLUE (the first still open)", l.SKU)
		}
		keyIn(t, a, fyne.KeyF2)
		if st.dialog == nil {
			t.Fatal("F2 opened no dialog")
		}
		keyIn(t, a, fyne.KeyReturn) // the offered 1 is right
		if st.dialog != nil || st.state.Lines[1].Packed != 1 {
			t.Fatalf("after by hand: dialog open %v, mug line %+v; want closed, 1 packed", st.dialog != nil, st.state.Lines[1])
		}

		// The towel's line: an override needs a reason.
		keyIn(t, a, fyne.KeyF3)
		if st.dialog == nil {
			t.Fatal("F3 opened no dialog")
		}
		keyIn(t, a, fyne.KeyReturn)
		if top := a.win.Canvas().Overlays().Top(); top == nil || !hasText(top, "Say why the item is right") {
			t.Fatalf("override without a reason: the dialog shows %v, want it to ask for the reason", texts(top))
		}
		typeIn(t, a, "label torn off, checked by eye")
		if st.dialog != nil {
			t.Fatalf("override dialog still open: %v", texts(a.win.Canvas().Overlays().Top()))
		}
		if !st.state.Complete() {
			t.Fatalf("order not complete after the override: %+v", st.state.Lines)
		}
		wantBanner(t, st, widget.SuccessImportance, "Complete: press Enter to mark packed")
		if a.win.Canvas().Focused() != st.entry {
			t.Errorf("after the dialog the keyboard is with %T, want the scan entry", a.win.Canvas().Focused())
		}

		keyIn(t, a, fyne.KeyReturn) // Enter on the done banner: mark packed, then the ship dialog
		if got, err := a.base.Order(ctx, o.ID); err != nil || got.Status != data.StatusPacked {
			t.Fatalf("1004 after Enter = %v (%v), want packed", got.Status, err)
		}
		sd := st.ship
		if sd == nil || a.win.Canvas().Overlays().Top() == nil {
			t.Fatal("no ship dialog after marking packed")
		}
		if a.win.Canvas().Focused() != sd.carrier {
			t.Errorf("ship dialog focus = %T, want the carrier (none chosen before)", a.win.Canvas().Focused())
		}
		typeIn(t, a, "Royal Mail")
		if a.win.Canvas().Focused() != sd.tracking {
			t.Fatalf("after the carrier, focus = %T, want the tracking number", a.win.Canvas().Focused())
		}
		typeIn(t, a, "ab 123 456 789 gb")

		got, err := a.base.Order(ctx, o.ID)
		if err != nil || got.Status != data.StatusShipped {
			t.Fatalf("1004 after shipping = %v (%v), want shipped", got.Status, err)
		}
		sh, ok, err := a.base.Shipment(ctx, o.ID)
		if err != nil || !ok || sh.Carrier != "Royal Mail" || sh.Tracking != "AB123456789GB" || sh.UserName != testPacker {
			t.Errorf("shipment = %+v, %v, %v; want Royal Mail AB123456789GB by %s", sh, ok, err, testPacker)
		}
		if a.fyne.Preferences().String(prefShipCarrier) != "Royal Mail" {
			t.Errorf("remembered carrier = %q, want Royal Mail", a.fyne.Preferences().String(prefShipCarrier))
		}
		wantBanner(t, st, widget.SuccessImportance, "Order 1004 is shipped")
		if st.packing || a.win.Canvas().Focused() != st.entry {
			t.Errorf("after shipping: packing %v, focus %T; want an empty station with the keyboard", st.packing, a.win.Canvas().Focused())
		}

		state, err := a.base.PackState(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var outcomes []data.ScanOutcome
		for _, s := range state.Scans {
			outcomes = append(outcomes, s.Outcome)
			if s.UserName != testPacker {
				t.Errorf("scan %+v by %q, want %s", s, s.UserName, testPacker)
			}
			if s.Outcome == data.ScanOverride && s.Reason != "label torn off, checked by eye" {
				t.Errorf("override reason = %q", s.Reason)
			}
		}
		want := []data.ScanOutcome{data.ScanOrder, data.ScanOK, data.ScanWrongItem, data.ScanOK, data.ScanOverQuantity,
			data.ScanUnknownCode, data.ScanManual, data.ScanOverride, data.ScanPacked}
		if !reflect.DeepEqual(outcomes, want) {
			t.Errorf("scan log = %v, want %v", outcomes, want)
		}

		for sku, n := range map[string]int64{"APRON-SAGE": 2, "MUG-BLUE": 1, "TOWEL": 1} {
			got, was := stockOf(t, a, sku), before[sku]
			if got.OnHand != was.OnHand-n || got.Reserved != was.Reserved-n {
				t.Errorf("%s on hand %d, reserved %d; want %d and %d (shipped %d)", sku, got.OnHand, got.Reserved, was.OnHand-n, was.Reserved-n, n)
			}
		}

		now := time.Now()
		days, err := a.base.PackerDays(ctx, now.Add(-time.Hour), now.Add(time.Hour), time.Local)
		if err != nil || len(days) != 1 {
			t.Fatalf("PackerDays = %+v, %v; want one day", days, err)
		}
		d := days[0]
		if d.UserName != testPacker || d.Orders != 1 || d.Items != 4 || d.Scans != 5 || d.BadScans != 3 || d.Overrides != 1 {
			t.Errorf("packer day = %+v, want Pat: 1 order, 4 items, 5 scans, 3 bad, 1 override", d)
		}
	})

	t.Run("NumberOnTwoChannels", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		if _, err := a.base.ApplyOrders(ctx, []data.Order{{Channel: "shopify", ExternalID: "#1001", Status: data.StatusPaid,
			PlacedAt: time.Now(), Currency: "GBP", Lines: []data.OrderLine{{SKU: "MUG-BLUE", Quantity: 1}}}}); err != nil {
			t.Fatal(err)
		}
		holdUI(t, a)
		_, st, beeps := openStation(t, a)
		typeIn(t, a, "1001")
		wantBanner(t, st, widget.WarningImportance, "Order 1001 is on Etsy and Shopify")
		if st.packing {
			t.Fatal("the station opened an order before the packer chose the channel")
		}
		typeIn(t, a, "7")
		wantBanner(t, st, widget.WarningImportance, "Order 1001 is on")
		typeIn(t, a, "2")
		if !st.packing || st.state.Order.Channel != "shopify" {
			t.Fatalf("after choosing 2 the station has %s order %s, want shopify", st.state.Order.Channel, st.state.Order.ExternalID)
		}
		if *beeps != 0 {
			t.Errorf("beeps = %d, want none: a question is no refusal", *beeps)
		}
	})

	t.Run("ResetAndLeave", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		o := addPackOrder(t, a)
		holdUI(t, a)
		sc, st, beeps := openStation(t, a)
		typeIn(t, a, "#1004")
		typeIn(t, a, "5012345678900")
		keyIn(t, a, fyne.KeyEscape)
		wantBanner(t, st, widget.MediumImportance, "Left order 1004")
		if st.packing {
			t.Fatal("Esc left the order at the station")
		}
		typeIn(t, a, "1004") // back again: the log kept the apron
		if got := st.state.Lines[0].Packed; got != 1 {
			t.Errorf("apron packed after coming back = %d, want 1", got)
		}
		keyIn(t, a, fyne.KeyF5)
		keyIn(t, a, fyne.KeyReturn) // "Start again" has the keyboard
		if got, _ := st.state.Units(); got != 0 {
			t.Errorf("units after starting again = %d, want 0", got)
		}
		wantBanner(t, st, widget.MediumImportance, "Started again")

		// Not complete: Enter on an empty entry does nothing, and the store would refuse anyway.
		keyIn(t, a, fyne.KeyReturn)
		if got, _ := a.base.Order(ctx, o.ID); got.Status != data.StatusPaid {
			t.Errorf("1004 = %s after Enter on an incomplete order, want still paid", got.Status)
		}
		keyIn(t, a, fyne.KeyEscape)
		keyIn(t, a, fyne.KeyEscape) // nothing at the station: back to the queue
		if sc.packing.tabs.Selected() != sc.packing.queueTab {
			t.Error("Esc on an empty station did not go back to the queue")
		}
		if *beeps != 0 {
			t.Errorf("beeps = %d, want none", *beeps)
		}
	})

	t.Run("OverrideNeedsOwner", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		if err := a.base.SetSetting(ctx, data.SettingOverrideNeedsOwner, "1"); err != nil {
			t.Fatal(err)
		}
		owner, err := a.base.UserByName(ctx, testOwner)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.base.SetPIN(ctx, owner.ID, "4242"); err != nil {
			t.Fatal(err)
		}
		addPackOrder(t, a)
		holdUI(t, a)
		_, st, _ := openStation(t, a)
		typeIn(t, a, "1004")
		keyIn(t, a, fyne.KeyF3)
		top := a.win.Canvas().Overlays().Top()
		if top == nil || !hasText(top, "owner's name and PIN") {
			t.Fatalf("override dialog = %v, want the owner's name and PIN", texts(top))
		}
		typeIn(t, a, "label will not scan")
		if !hasText(top, "The owner must approve") {
			t.Errorf("override without the owner: dialog shows %v", texts(top))
		}
		typeIn(t, a, testOwner)
		typeIn(t, a, "0000")
		if !hasText(top, "name or PIN is wrong") {
			t.Errorf("wrong PIN: dialog shows %v, want the store's refusal", texts(top))
		}
		// The refusal put the cursor back in the units; the PIN is the form's password entry.
		units := a.win.Canvas().Focused().(*stationEntry)
		var pin *stationEntry
		walk(top, func(o fyne.CanvasObject) {
			if e, ok := o.(*stationEntry); ok && e.Password {
				pin = e
			}
		})
		units.SetText("2")
		pin.SetText("4242")
		a.win.Canvas().Focus(pin)
		keyIn(t, a, fyne.KeyReturn)
		if st.dialog != nil || st.state.Lines[0].Packed != 2 {
			t.Fatalf("approved override: dialog open %v, apron %+v", st.dialog != nil, st.state.Lines[0])
		}
		last := st.state.Scans[len(st.state.Scans)-1]
		if last.Outcome != data.ScanOverride || last.ApprovedBy != testOwner {
			t.Errorf("last scan = %+v, want an override approved by %s", last, testOwner)
		}
	})

	t.Run("ShipFromQueue", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		holdUI(t, a)
		a.fyne.Preferences().SetString(prefShipCarrier, "DPD")
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		scan(sc, "2002") // packed already
		waitUI(a)
		if sc.packing.shipButton.Disabled() || !sc.packing.packButton.Disabled() {
			t.Fatalf("for packed 2002: Ship enabled %v, Pack enabled %v; want Ship only", !sc.packing.shipButton.Disabled(), !sc.packing.packButton.Disabled())
		}
		pressEnter(sc.packing.shipButton)
		sd := sc.packing.ship
		if sd == nil || a.win.Canvas().Focused() != sd.tracking || sd.carrier.Text != "DPD" {
			t.Fatalf("ship dialog: focus %T, carrier %q; want the tracking field, DPD remembered", a.win.Canvas().Focused(), sd.carrier.Text)
		}
		sd.date.SetText("yesterday")
		typeIn(t, a, "15501234567890")
		if !hasText(a.win.Canvas().Overlays().Top(), "YYYY-MM-DD") {
			t.Errorf("bad date: dialog shows %v", texts(a.win.Canvas().Overlays().Top()))
		}
		yesterday := time.Now().AddDate(0, 0, -1)
		sd.date.SetText(yesterday.Format(dateLayout))
		pressEnter(sd.ship)
		waitUI(a)
		o, err := a.base.OrderByKey(ctx, "shopify", "2002")
		if err != nil || o.Status != data.StatusShipped || o.ShippedAt.Local().Format(dateLayout) != yesterday.Format(dateLayout) {
			t.Errorf("2002 = %s shipped %v (%v), want shipped yesterday", o.Status, o.ShippedAt, err)
		}
		if got, want := queueNumbers(sc), []string{"1001", "1002"}; !reflect.DeepEqual(got, want) {
			t.Errorf("queue after shipping = %v, want %v", got, want)
		}
	})
}

func TestPackingFigures(t *testing.T) {
	t.Run("PackerCannotOpen", func(t *testing.T) {
		a := newTestAppAs(t, testPacker)
		holdUI(t, a)
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		if sc.packing.figures != nil || sc.packing.figuresTab != nil {
			t.Error("the packer has the packing figures")
		}
		for _, tab := range sc.packing.tabs.Items {
			if strings.Contains(tab.Text, "figures") {
				t.Errorf("the packer sees the tab %q", tab.Text)
			}
		}
		if _, err := a.store.PackerDays(context.Background(), time.Now().Add(-time.Hour), time.Now(), time.Local); !errors.Is(err, data.ErrPermission) {
			t.Errorf("PackerDays as the packer: err = %v, want ErrPermission", err)
		}
	})

	t.Run("OwnerSeesThePackersDay", func(t *testing.T) {
		a := newTestApp(t)
		packAs(t, a, testPacker, "etsy", "1001", "5012345678900", "APRON-RUST", "5012345678900")
		holdUI(t, a)
		sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
		sc.packing.tabs.Select(sc.packing.figuresTab)
		waitUI(a)
		rows := sc.packing.figures.table.rows
		if len(rows) != 1 {
			t.Fatalf("figures rows = %v, want one", rows)
		}
		got := rows[0]
		if got[1] != testPacker || got[2] != "1" || got[3] != "2" || got[6] != "66.7%" || got[7] != "1" || got[8] != "0" {
			t.Errorf("figures row = %v, want Pat: 1 order, 2 items, 66.7%%, 1 bad scan, no override", got)
		}
	})
}

// packAs packs an order through the store as the named person, scanning the codes, and marks it packed.
func packAs(t *testing.T, a *App, name, channel, number string, codes ...string) {
	t.Helper()
	ctx := context.Background()
	u, err := a.base.UserByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	s := a.base.As(u)
	o, err := s.FindOrderToPack(ctx, number, channel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartPack(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if _, err := s.PackScan(ctx, o.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.MarkPacked(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
}

// lightVariant is the default theme in its light colours, for screenshots of the station on a light desk.
type lightVariant struct{ fyne.Theme }

func (l lightVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return l.Theme.Color(n, theme.VariantLight)
}

func TestErrorSound(t *testing.T) {
	wav := errorBeep()
	if string(wav[:4]) != "RIFF" || string(wav[8:16]) != "WAVEfmt " || string(wav[36:40]) != "data" {
		t.Fatalf("error sound header = %q, want a RIFF WAVE file", wav[:44])
	}
	var rate uint32
	binary.Read(bytes.NewReader(wav[24:28]), binary.LittleEndian, &rate)
	n := binary.LittleEndian.Uint32(wav[40:44])
	if rate != 22050 || int(n) != len(wav)-44 {
		t.Errorf("rate %d, data %d bytes of %d; want 22050 and the rest of the file", rate, n, len(wav)-44)
	}
	if secs := float64(n) / 2 / float64(rate); secs < 0.4 || secs > 1 {
		t.Errorf("the sound lasts %.2f s, want short: under a second", secs)
	}

	has := func(names ...string) func(string) (string, error) {
		return func(p string) (string, error) {
			for _, n := range names {
				if n == p {
					return "/usr/bin/" + p, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	for _, c := range []struct {
		goos    string
		players []string
		want    []string
	}{
		{"linux", []string{"aplay", "paplay"}, []string{"/usr/bin/paplay", "x.wav"}},
		{"linux", []string{"aplay"}, []string{"/usr/bin/aplay", "-q", "x.wav"}},
		{"linux", nil, nil},
		{"darwin", []string{"afplay"}, []string{"/usr/bin/afplay", "x.wav"}},
		{"windows", []string{"powershell"}, []string{"/usr/bin/powershell", "-NoProfile", "-NonInteractive", "-Command",
			"(New-Object Media.SoundPlayer 'x.wav').PlaySync()"}},
	} {
		if got := soundCommand(c.goos, "x.wav", has(c.players...)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("soundCommand(%s, %v) = %q, want %q", c.goos, c.players, got, c.want)
		}
	}
}

// TestPackStation_Screenshots saves pictures of the pack station's states, the ship dialog and the
// packing figures for a person to look at, in the folder named by BACKROOM_SCREENSHOTS.
func TestPackStation_Screenshots(t *testing.T) {
	save := screenshots(t, "pack")
	a := newTestAppAs(t, testPacker)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(1200, 780))
	addPackOrder(t, a)
	holdUI(t, a)
	shot := func(name string) { t.Helper(); save(a, name) }
	sc := showScreen[*fulfillmentScreen](t, a, sectionFulfillment)
	sc.refresh()
	waitUI(a)
	scan(sc, "1004")
	waitUI(a)
	shot("0-queue")
	_, st, _ := openStation(t, a)
	shot("1-empty")
	typeIn(t, a, "1004")
	typeIn(t, a, "5012345678900")
	shot("2-mid-pack")
	typeIn(t, a, "APRON-RUST")
	shot("3-wrong-scan")
	keyIn(t, a, fyne.KeyF3)
	shot("4-override")
	keyIn(t, a, fyne.KeyEscape)
	typeIn(t, a, "5012345678900")
	keyIn(t, a, fyne.KeyF2)
	keyIn(t, a, fyne.KeyReturn)
	typeIn(t, a, "TOWEL")
	shot("5-complete")
	st.shipAfter.SetChecked(true)
	keyIn(t, a, fyne.KeyReturn)
	shot("6-ship")
	typeIn(t, a, "Royal Mail")
	typeIn(t, a, "AB123456789GB")
	shot("7-shipped")
	// The light desk: screens take the theme when they are built, so build them again.
	a.fyne.Settings().SetTheme(lightVariant{theme.DefaultTheme()})
	a.signedIn(a.store)
	settle(a)
	openStation(t, a)
	typeIn(t, a, "1001")
	typeIn(t, a, "5012345678900")
	typeIn(t, a, "MUG-BLUE")
	shot("9-light-wrong-scan")

	owner := newTestApp(t)
	owner.fyne.Settings().SetTheme(theme.DefaultTheme())
	owner.win.Resize(fyne.NewSize(1200, 780))
	packAs(t, owner, testPacker, "etsy", "1001", "5012345678900", "APRON-RUST", "5012345678900")
	holdUI(t, owner)
	osc := showScreen[*fulfillmentScreen](t, owner, sectionFulfillment)
	osc.packing.tabs.Select(osc.packing.figuresTab)
	waitUI(owner)
	save(owner, "8-figures")
}
