// Package app is Backroom's desktop window: one main window with a section per job (dashboard, orders,
// inventory, fulfillment, suppliers, imports, mail, exports, settings), a sign-in screen for the shared
// packing desk and a welcome screen on first run.
//
// Screens talk to the shop only through *data.Store, which enforces what each role may see. Every
// database call runs through background.go, off the UI goroutine; results come back with fyne.Do.
package app

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// Preference keys, per device.
const (
	prefLastUser = "last_user"
)

// The sections of the main window, in navigation order.
const (
	sectionDashboard   = "Dashboard"
	sectionOrders      = "Orders"
	sectionInventory   = "Inventory"
	sectionFulfillment = "Fulfillment"
	sectionSuppliers   = "Suppliers"
	sectionImports     = "Imports"
	sectionMail        = "Mail"
	sectionExports     = "Exports"
	sectionSettings    = "Settings"
)

// screen is one section of the main window.
type screen interface {
	// view is the screen's content, built once.
	view() fyne.CanvasObject
	// refresh reloads what the screen shows from the store, in the background.
	refresh()
}

// section describes one entry of the navigation: who sees it and how its screen is built.
type section struct {
	name    string
	icon    fyne.Resource
	visible func(data.Role) bool
	build   func(*App) screen
}

func everyone(data.Role) bool { return true }

func ownerOnly(r data.Role) bool { return r == data.RoleOwner }

func notPacker(r data.Role) bool { return r != data.RolePacker }

// sections is the read-only navigation table.
var sections = []section{
	{sectionDashboard, theme.HomeIcon(), everyone, func(a *App) screen { return newDashboardScreen(a) }},
	{sectionOrders, theme.ListIcon(), everyone, func(a *App) screen { return newOrdersScreen(a) }},
	{sectionInventory, theme.StorageIcon(), everyone, func(a *App) screen { return newInventoryScreen(a) }},
	{sectionFulfillment, theme.UploadIcon(), everyone, func(a *App) screen { return newFulfillmentScreen(a) }},
	{sectionSuppliers, theme.AccountIcon(), notPacker, func(a *App) screen { return newSuppliersScreen(a) }},
	{sectionImports, theme.DownloadIcon(), ownerOnly, func(a *App) screen { return newImportsScreen(a) }},
	{sectionMail, theme.MailComposeIcon(), ownerOnly, func(a *App) screen { return newMailScreen(a) }},
	{sectionExports, theme.DocumentSaveIcon(), notPacker, func(a *App) screen { return newExportsScreen(a) }},
	{sectionSettings, theme.SettingsIcon(), everyone, func(a *App) screen { return newSettingsScreen(a) }},
}

// App is the running desktop app.
type App struct {
	fyne  fyne.App
	win   fyne.Window
	base  *data.Store // the database as opened; people act through store
	store *data.Store // acting for the signed-in user
	bg    *background

	tabs    *container.AppTabs
	screens map[string]screen
	items   map[string]*container.TabItem
	who     *widget.Label
}

// New builds the app around an open store. It shows nothing until Start.
func New(ctx context.Context, fa fyne.App, base *data.Store) *App {
	a := &App{fyne: fa, base: base, store: base, bg: newBackground(ctx)}
	a.win = fa.NewWindow("Backroom")
	a.win.SetIcon(assets.Icon())
	a.win.Resize(fyne.NewSize(1200, 780))
	a.win.SetMaster()
	a.win.SetCloseIntercept(func() {
		a.bg.stop()
		a.win.Close()
	})
	return a
}

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// Start decides what the window opens on: the welcome screen for a new database, the sign-in screen
// when this desk has several people, or straight into the shop for an owner alone on their laptop.
func (a *App) Start() {
	a.win.SetContent(container.NewCenter(widget.NewLabel("Opening the shop…")))
	run(a.bg, func(ctx context.Context) ([]data.User, error) {
		return a.base.Users(ctx)
	}, func(users []data.User, err error) {
		if err != nil {
			showError(a.win, err)
			return
		}
		if len(users) == 0 {
			a.win.SetContent(newWelcomeScreen(a).view())
			return
		}
		if u, ok := autoSignIn(users, a.fyne.Preferences().String(prefLastUser)); ok {
			a.signedIn(a.base.As(u))
			return
		}
		a.showSignIn()
	})
}

// autoSignIn picks the user to open as without asking: the only active owner, when nobody on this
// database has a PIN (a one-person shop), or the last user of this device when they have no PIN.
func autoSignIn(users []data.User, last string) (data.User, bool) {
	var active []data.User
	anyPIN := false
	for _, u := range users {
		if u.Active {
			active = append(active, u)
			anyPIN = anyPIN || u.HasPIN
		}
	}
	if len(active) == 1 && !anyPIN {
		return active[0], true
	}
	for _, u := range active {
		if u.ID == last && !u.HasPIN && !anyPIN {
			return u, true
		}
	}
	return data.User{}, false
}

// showSignIn replaces the window's content with the sign-in screen.
func (a *App) showSignIn() {
	a.win.SetContent(newSignInScreen(a).view())
}

// signedIn builds the main window for the user the store now acts for.
func (a *App) signedIn(s *data.Store) {
	a.store = s
	a.fyne.Preferences().SetString(prefLastUser, s.User().ID)
	a.screens = map[string]screen{}
	a.items = map[string]*container.TabItem{}
	a.tabs = container.NewAppTabs()
	a.tabs.SetTabLocation(container.TabLocationLeading)
	for _, sec := range sections {
		if !sec.visible(s.User().Role) {
			continue
		}
		item := container.NewTabItemWithIcon(sec.name, sec.icon, widget.NewLabel(""))
		a.items[sec.name] = item
		a.tabs.Append(item)
	}
	a.tabs.OnSelected = func(item *container.TabItem) { a.open(item.Text) }

	u := s.User()
	a.who = widget.NewLabel(fmt.Sprintf("%s · %s", u.Name, u.Role))
	switchUser := widget.NewButtonWithIcon("Switch user", theme.LoginIcon(), a.showSignIn)
	switchUser.Importance = widget.LowImportance
	top := container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewIcon(theme.AccountIcon()), a.who, switchUser))
	a.win.SetContent(container.NewBorder(top, nil, nil, nil, a.tabs))
	first := sectionDashboard
	if u.Role == data.RolePacker {
		first = sectionFulfillment
	}
	a.show(first)
}

// show selects a section, building its screen on first use.
func (a *App) show(name string) screen {
	item, ok := a.items[name]
	if !ok {
		return nil
	}
	if a.tabs.Selected() != item {
		a.tabs.Select(item) // calls open through OnSelected
	} else {
		a.open(name)
	}
	return a.screens[name]
}

func (a *App) open(name string) {
	sc, ok := a.screens[name]
	if !ok {
		for _, sec := range sections {
			if sec.name == name {
				sc = sec.build(a)
				a.screens[name] = sc
				a.items[name].Content = sc.view()
				a.tabs.Refresh()
			}
		}
	}
	if sc != nil {
		sc.refresh()
	}
}

// showOrders opens the Orders section with a filter already applied (from a dashboard figure).
func (a *App) showOrders(f data.OrderFilter) {
	if sc, ok := a.show(sectionOrders).(*ordersScreen); ok {
		sc.showFilter(f)
	}
}

// showSKU opens the Inventory section on one SKU.
func (a *App) showSKU(sku string) {
	if sc, ok := a.show(sectionInventory).(*inventoryScreen); ok {
		sc.showSKU(sku)
	}
}

// changed tells open screens that shop data changed, so the ones not on display reload when next shown
// and the one on display reloads now.
func (a *App) changed() {
	if a.tabs == nil {
		return
	}
	if sel := a.tabs.Selected(); sel != nil {
		if sc, ok := a.screens[sel.Text]; ok {
			sc.refresh()
		}
	}
}

// Stop cancels background work; call it before quitting.
func (a *App) Stop() { a.bg.stop() }

// isCancelled reports whether err means the user cancelled.
func isCancelled(err error) bool { return errors.Is(err, context.Canceled) }
