package app

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
)

// The people of the test shop.
const (
	testOwner      = "Olive"
	testPacker     = "Pat"
	testAccountant = "Ava"
)

// newTestApp opens a small shop with exactly known contents (seedTestShop) in a temporary directory and
// signs the owner in. Background work is stopped before the store closes.
func newTestApp(t *testing.T) *App {
	t.Helper()
	return newTestAppAs(t, testOwner)
}

// newTestAppAs is newTestApp signed in as one of the test shop's people.
func newTestAppAs(t *testing.T, name string) *App {
	t.Helper()
	ctx := context.Background()
	fa := newUIApp(t)
	base, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{})
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	t.Cleanup(func() { base.Close() })
	seedTestShop(t, base)
	a := New(ctx, fa, base)
	a.keys = keychain.NewWith("backroom-test", keychain.NewMemory()) // never the tester's own keychain
	t.Cleanup(a.Stop)
	u, err := base.UserByName(ctx, name)
	if err != nil {
		t.Fatalf("UserByName(%q) error = %v", name, err)
	}
	// Signing in builds the window while the first screen's loads already run: hold the UI meanwhile,
	// as the real UI goroutine is busy until signedIn returns.
	d := fa.driver
	d.lock()
	a.signedIn(base.As(u))
	d.unlock()
	a.bg.wait()
	return a
}

// uiApp is Fyne's test app with one change to its driver. The stock test driver runs fyne.Do at once on
// the calling goroutine, so two background results could touch widgets (and Fyne's caches) at the same
// time, which the real UI goroutine never does and -race rightly reports. uiDriver runs them one at a
// time under a lock instead. A test that also holds the lock while it acts (holdUI, then settle instead
// of a.bg.wait) gets exactly the real app's order: results arrive only while the test waits.
type uiApp struct {
	fyne.App
	driver *uiDriver
}

func (a *uiApp) Driver() fyne.Driver { return a.driver }

type uiDriver struct {
	fyne.Driver
	mu    sync.Mutex
	owner atomic.Int64 // goroutine holding mu; it may call fyne.Do itself without deadlock
	held  bool         // the test holds the UI (holdUI); read and written by the test only
}

func newUIApp(t *testing.T) *uiApp {
	t.Helper()
	fa := test.NewTempApp(t)
	a := &uiApp{App: fa, driver: &uiDriver{Driver: fa.Driver()}}
	fyne.SetCurrentApp(a)
	return a
}

func (d *uiDriver) DoFromGoroutine(fn func(), _ bool) {
	if d.owner.Load() == goroutineID() {
		fn()
		return
	}
	d.lock()
	defer d.unlock()
	fn()
}

func (d *uiDriver) lock() {
	d.mu.Lock()
	d.owner.Store(goroutineID())
}

func (d *uiDriver) unlock() {
	d.owner.Store(0)
	d.mu.Unlock()
}

// goroutineID is the running goroutine's number, from its stack header "goroutine 42 [running]:".
func goroutineID() int64 {
	var buf [32]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseInt(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

// holdUI makes the test the UI goroutine: background results wait until it calls settle.
func holdUI(t *testing.T, a *App) {
	t.Helper()
	d := a.fyne.(*uiApp).driver
	d.lock()
	d.held = true
	t.Cleanup(func() {
		if d.owner.Load() != 0 {
			d.unlock()
		}
	})
}

// settle lets the background work started so far finish and deliver its results, then takes the UI
// back. It is a.bg.wait for tests that hold the UI.
func settle(a *App) {
	d := a.fyne.(*uiApp).driver
	d.unlock()
	a.bg.wait()
	d.lock()
}

// seedTestShop fills a store with:
//
//	SKU         name                  on hand      reserved  available
//	APRON-SAGE  Linen apron – Sage    10 (Shop)    2         8    barcode 5012345678900, cost £9.50
//	APRON-RUST  Linen apron – Rust    3 (Shop)     4         -1   oversold
//	MUG-BLUE    Stoneware mug – Blue  20-2 (Shop)  1         17
//	TOWEL       Tea towel             5-1 (Garage) 0         4
//
// and six orders: etsy 1001 (paid, late: 2 × APRON-SAGE), etsy 1002 (new: MUG-BLUE and an unmatched
// candle), etsy 1003 (cancelled), shopify 2001 (shipped: TOWEL), shopify 2002 (packed: 4 × APRON-RUST)
// and amazon 3001 (delivered 40 days ago: 2 × MUG-BLUE).
func seedTestShop(t *testing.T, s *data.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	must(s.SetSetting(ctx, data.SettingCurrency, "GBP"))
	_, err := s.AddUser(ctx, testOwner, data.RoleOwner, "")
	must(err)
	_, err = s.AddUser(ctx, testPacker, data.RolePacker, "1234")
	must(err)
	_, err = s.AddUser(ctx, testAccountant, data.RoleAccountant, "5678")
	must(err)
	_, err = s.AddLocation(ctx, "Shop", "shop")
	must(err)
	_, err = s.AddLocation(ctx, "Garage", "garage")
	must(err)
	for _, v := range []data.NewVariant{
		{SKU: "APRON-SAGE", ProductName: "Linen apron", Title: "Sage", Barcodes: []string{"5012345678900"}, Price: 2400, Cost: 950, Currency: "GBP", Bin: "A-01"},
		{SKU: "APRON-RUST", ProductName: "Linen apron", Title: "Rust", Price: 2400, Cost: 950, Currency: "GBP", Bin: "A-02"},
		{SKU: "MUG-BLUE", ProductName: "Stoneware mug", Title: "Blue", Price: 1200, Cost: 400, Currency: "GBP", Bin: "B-01"},
		{SKU: "TOWEL", ProductName: "Tea towel", Price: 800, Cost: 250, Currency: "GBP", Location: "Garage", Bin: "G-1"},
	} {
		_, err := s.AddVariant(ctx, v)
		must(err)
	}
	for _, a := range []data.Adjustment{
		{SKU: "APRON-SAGE", Delta: 10, Reason: data.ReasonReceipt, Note: "first delivery"},
		{SKU: "APRON-RUST", Delta: 3, Reason: data.ReasonReceipt, Note: "first delivery"},
		{SKU: "MUG-BLUE", Delta: 20, Reason: data.ReasonReceipt, Note: "first delivery"},
		{SKU: "TOWEL", Delta: 5, Reason: data.ReasonReceipt, Note: "first delivery", Location: "Garage"},
	} {
		_, err := s.AdjustStock(ctx, a)
		must(err)
	}
	now := time.Now()
	ada := data.Address{Name: "Ada Lovelace", Line1: "12 St James's Square", City: "London", Postcode: "SW1Y 4JH", Country: "GB"}
	_, err = s.ApplyOrders(ctx, []data.Order{
		{Channel: "etsy", ExternalID: "1001", Status: data.StatusPaid, PlacedAt: now.Add(-48 * time.Hour), PaidAt: now.Add(-47 * time.Hour),
			ShipBy: now.Add(-24 * time.Hour), CustomerName: "Ada Lovelace", CustomerEmail: "ada@example.com", ShipTo: ada, Currency: "GBP",
			Subtotal: 4800, Shipping: 395, Total: 5195,
			Lines: []data.OrderLine{{SKU: "APRON-SAGE", Name: "Linen apron, sage", Quantity: 2, UnitPrice: 2400}}},
		{Channel: "etsy", ExternalID: "1002", Status: data.StatusNew, PlacedAt: now.Add(-24 * time.Hour), ShipBy: now.Add(48 * time.Hour),
			CustomerName: "Grace Hopper", Currency: "GBP", Subtotal: 2100, Total: 2100,
			Lines: []data.OrderLine{
				{SKU: "MUG-BLUE", Name: "Blue mug", Quantity: 1, UnitPrice: 1200},
				{ChannelSKU: "ETSY-CANDLE", Name: "Soy candle", Quantity: 1, UnitPrice: 900},
			}},
		{Channel: "etsy", ExternalID: "1003", Status: data.StatusCancelled, PlacedAt: now.Add(-10 * 24 * time.Hour),
			CustomerName: "Alan Turing", Currency: "GBP", Subtotal: 2400, Total: 2400,
			Lines: []data.OrderLine{{SKU: "APRON-SAGE", Name: "Linen apron, sage", Quantity: 1, UnitPrice: 2400}}},
		{Channel: "shopify", ExternalID: "2001", Status: data.StatusShipped, PlacedAt: now.Add(-5 * 24 * time.Hour),
			ShippedAt: now.Add(-4 * 24 * time.Hour), CustomerName: "Mary Somerville", Currency: "GBP", Subtotal: 800, Total: 800,
			Lines: []data.OrderLine{{SKU: "TOWEL", Name: "Tea towel", Quantity: 1, UnitPrice: 800}}},
		{Channel: "shopify", ExternalID: "2002", Status: data.StatusPacked, PlacedAt: now.Add(-3 * time.Hour), ShipBy: now.Add(24 * time.Hour),
			CustomerName: "Emmy Noether", Currency: "GBP", Subtotal: 9600, Shipping: 500, Tax: 1600, Discount: 960, Total: 10740,
			Lines: []data.OrderLine{{SKU: "APRON-RUST", Name: "Linen apron, rust", Quantity: 4, UnitPrice: 2400}}},
		{Channel: "amazon", ExternalID: "3001", Status: data.StatusDelivered, PlacedAt: now.Add(-40 * 24 * time.Hour),
			ShippedAt: now.Add(-39 * 24 * time.Hour), DeliveredAt: now.Add(-37 * 24 * time.Hour),
			CustomerName: "Rosalind Franklin", Currency: "GBP", Subtotal: 2400, Total: 2400,
			Lines: []data.OrderLine{{SKU: "MUG-BLUE", Name: "Blue mug", Quantity: 2, UnitPrice: 1200}}},
	})
	must(err)
}

// waitUI waits for background work the way the test can: settle when it holds the UI, else a.bg.wait.
func waitUI(a *App) {
	if ui, ok := a.fyne.(*uiApp); ok && ui.driver.held {
		settle(a)
		return
	}
	a.bg.wait()
}

// showScreen opens a section and waits for it to load.
func showScreen[S screen](t *testing.T, a *App, name string) S {
	t.Helper()
	sc, ok := a.show(name).(S)
	if !ok {
		t.Fatalf("show(%q) did not open the expected screen", name)
	}
	waitUI(a)
	return sc
}

// walk calls fn for o and everything drawn inside it that is not hidden, table cells included.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			walk(child, fn)
		}
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(c).Objects() {
			walk(child, fn)
		}
	}
}

// texts lists the text of every visible label, button and entry inside o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(obj fyne.CanvasObject) {
		switch w := obj.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Entry:
			out = append(out, w.Text)
		}
	})
	return out
}

// hasText reports whether any of texts(o) contains s.
func hasText(o fyne.CanvasObject, s string) bool {
	for _, txt := range texts(o) {
		if strings.Contains(txt, s) {
			return true
		}
	}
	return false
}

// overlayButton finds a button by its text on the window's top overlay (an open dialog).
func overlayButton(t *testing.T, a *App, text string) *widget.Button {
	t.Helper()
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog is open; want one with a %q button", text)
	}
	var found *widget.Button
	walk(top, func(obj fyne.CanvasObject) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found != nil {
		return found
	}
	t.Fatalf("the open dialog has no %q button; it shows %q", text, texts(top))
	return nil
}

// screenshots returns a function that saves the window as dir/prefix-name.png, for a person to look
// at. dir is BACKROOM_SCREENSHOTS; the test is skipped without it.
func screenshots(t *testing.T, prefix string) func(a *App, name string) {
	t.Helper()
	dir := os.Getenv("BACKROOM_SCREENSHOTS")
	if dir == "" {
		t.Skip("set BACKROOM_SCREENSHOTS to a folder to save screenshots")
	}
	return func(a *App, name string) {
		t.Helper()
		f, err := os.Create(filepath.Join(dir, prefix+"-"+name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, a.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
}
