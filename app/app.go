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
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/assets"
	"github.com/backroom-app/backroom/data"
)

// Preference keys, per device.
const (
	prefLastUser = "last_user"
)

// The sections of the main window, in navigation order.
const (
	sectionDashboard    = "Dashboard"
	sectionOrders       = "Orders"
	sectionInventory    = "Inventory"
	sectionFulfillment  = "Fulfillment"
	sectionCounts       = "Stock count"
	sectionChannelStock = "Channel stock"
	sectionSuppliers    = "Suppliers"
	sectionImports      = "Imports"
	sectionMail         = "Mail"
	sectionExports      = "Exports"
	sectionSettings     = "Settings"
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
	icon    func() fyne.Resource // a theme icon, looked up when drawn so it follows the theme
	visible func(data.Role) bool
	build   func(*App) screen
}

func everyone(data.Role) bool { return true }

func ownerOnly(r data.Role) bool { return r == data.RoleOwner }

func notPacker(r data.Role) bool { return r != data.RolePacker }

func worksOrders(r data.Role) bool { return r.Can(data.PermWorkOrders) }

func movesStock(r data.Role) bool { return r.Can(data.PermMoveStock) }

func managesMail(r data.Role) bool { return r.Can(data.PermManageMail) }

// sections is the navigation table. It is a function rather than a package variable because screens
// navigate through *App, and App reads this table: as a variable that loop would be an initialisation
// cycle.
func sections() []section {
	return []section{
		{sectionDashboard, theme.HomeIcon, everyone, func(a *App) screen { return newDashboardScreen(a) }},
		{sectionOrders, theme.ListIcon, everyone, func(a *App) screen { return newOrdersScreen(a) }},
		{sectionInventory, theme.StorageIcon, everyone, func(a *App) screen { return newInventoryScreen(a) }},
		{sectionFulfillment, theme.UploadIcon, worksOrders, func(a *App) screen { return newFulfillmentScreen(a) }},
		{sectionCounts, theme.GridIcon, movesStock, func(a *App) screen { return newCountsScreen(a) }},
		{sectionChannelStock, theme.VisibilityIcon, ownerOnly, func(a *App) screen { return newChannelStockScreen(a) }},
		{sectionSuppliers, theme.AccountIcon, notPacker, func(a *App) screen { return newSuppliersScreen(a) }},
		{sectionImports, theme.DownloadIcon, ownerOnly, func(a *App) screen { return newImportsScreen(a) }},
		{sectionMail, theme.MailComposeIcon, ownerOnly, func(a *App) screen { return newMailScreen(a) }},
		{sectionOutbox, theme.MailSendIcon, managesMail, func(a *App) screen { return newOutboxScreen(a) }},
		{sectionTickets, theme.MailReplyIcon, managesMail, func(a *App) screen { return newTicketsScreen(a) }},
		{sectionExports, theme.DocumentSaveIcon, notPacker, func(a *App) screen { return newExportsScreen(a) }},
		{sectionSettings, theme.SettingsIcon, everyone, func(a *App) screen { return newSettingsScreen(a) }},
	}
}

// App is the running desktop app.
type App struct {
	fyne  fyne.App
	win   fyne.Window
	base  *data.Store // the database as opened; people act through store
	store *data.Store // acting for the signed-in user
	bg    *background

	visible []section         // the sections the signed-in user sees, in navigation order
	nav     *widget.List      // the sidebar
	content *fyne.Container   // holds the view of the section on display
	current string            // the section on display
	screens map[string]screen // built on first visit
	views   map[string]fyne.CanvasObject
	who     *widget.Label

	keys *keychain.Keychain // where mail passwords live; tests replace it with one in memory
	mail *mailWatcher       // reads the mailbox while the window is open
	// contingency evaluates the contingency rules on sign-in, each new day and after data changes.
	contingency *contingencyWatch
	// messages fires the customer message rules and watches exceptions; outbox sends what they queue.
	messages *messageWatch
	outbox   *outboxSending
	// backups makes the automatic backups (backup_watch.go).
	backups *backupWatch
	// sync runs the hub and this device's sync loop when the database syncs (sync_watch.go).
	sync *syncWatch
	// welcome is the welcome screen while it shows: a new computer hosting the hub waits there for the
	// shop's data, and opens the shop when it arrives.
	welcome *welcomeScreen

	ctx context.Context // the app's lifetime; a restore starts background work afresh under it
	// opened is a store the app opened itself, after restoring a backup; Stop closes it.
	opened *data.Store
}

// New builds the app around an open store. It shows nothing until Start.
func New(ctx context.Context, fa fyne.App, base *data.Store) *App {
	a := &App{fyne: fa, base: base, store: base, bg: newBackground(ctx), keys: keychain.New(), ctx: ctx}
	a.newWatches()
	a.win = fa.NewWindow("Backroom")
	a.win.SetIcon(assets.Icon())
	a.win.Resize(fyne.NewSize(1200, 780))
	a.win.SetMaster()
	a.win.SetOnDropped(a.onDropped) // spreadsheets dropped anywhere go to Imports
	a.win.SetCloseIntercept(func() {
		a.bg.stop()
		a.win.Close()
	})
	return a
}

// newWatches makes the background watches afresh: at start, and after a restore replaced the database.
func (a *App) newWatches() {
	a.mail = newMailWatcher(a)
	a.contingency = newContingencyWatch(a)
	a.messages = newMessageWatch(a)
	a.outbox = newOutboxSending(a)
	a.messages.afterRun = func(fired int) {
		if fired > 0 {
			a.outbox.soon()
		}
	}
	a.backups = newBackupWatch(a)
	a.sync = newSyncWatch(a)
}

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// Start decides what the window opens on: the welcome screen for a new database, the sign-in screen
// when this desk has several people, or straight into the shop for an owner alone on their laptop.
func (a *App) Start() {
	a.welcome = nil
	a.win.SetContent(container.NewCenter(widget.NewLabel("Opening the shop…")))
	run(a.bg, func(ctx context.Context) ([]data.User, error) {
		return a.base.Users(ctx)
	}, func(users []data.User, err error) {
		if err != nil {
			showError(a.win, err)
			return
		}
		a.backups.start(len(users) > 0)
		a.sync.ensure()
		if len(users) == 0 {
			a.welcome = newWelcomeScreen(a)
			a.win.SetContent(a.welcome.view())
			return
		}
		if u, ok := autoSignIn(users, a.fyne.Preferences().String(prefLastUser)); ok {
			a.signedIn(a.base.As(u))
			return
		}
		a.showSignIn()
	})
}

// autoSignIn picks the user to open as without asking. Someone without a PIN can be chosen on the
// sign-in screen by anyone anyway, so asking them adds nothing: the last user of this device opens
// straight away when they have no PIN, and on a device's first run so does the only owner without one.
func autoSignIn(users []data.User, last string) (data.User, bool) {
	var owners []data.User
	for _, u := range users {
		if !u.Active {
			continue
		}
		if last != "" && u.ID == last {
			if u.HasPIN {
				return data.User{}, false
			}
			return u, true
		}
		if u.Role == data.RoleOwner && !u.HasPIN {
			owners = append(owners, u)
		}
	}
	if last == "" && len(owners) == 1 {
		return owners[0], true
	}
	return data.User{}, false
}

// showSignIn replaces the window's content with the sign-in screen.
func (a *App) showSignIn() {
	a.win.SetContent(newSignInScreen(a).view())
}

// signedIn builds the main window for the user the store now acts for: a sidebar with the sections
// their role may use, the signed-in person at its foot, and the chosen section beside it.
func (a *App) signedIn(s *data.Store) {
	a.store = s
	a.fyne.Preferences().SetString(prefLastUser, s.User().ID)
	a.screens = map[string]screen{}
	a.views = map[string]fyne.CanvasObject{}
	a.current = ""
	a.visible = nil
	u := s.User()
	for _, sec := range sections() {
		if sec.visible(u.Role) {
			a.visible = append(a.visible, sec)
		}
	}
	a.nav = widget.NewList(
		func() int { return len(a.visible) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Fulfillment"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(a.visible[id].icon())
			row.Objects[1].(*widget.Label).SetText(a.visible[id].name)
		})
	a.nav.OnSelected = func(id widget.ListItemID) { a.open(a.visible[id].name) }

	shop := widget.NewLabelWithStyle("Backroom", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	shop.Truncation = fyne.TextTruncateEllipsis
	run(a.bg, func(ctx context.Context) (string, error) {
		return s.Setting(ctx, data.SettingShopName)
	}, func(name string, err error) {
		if err == nil && name != "" {
			shop.SetText(name)
		}
	})
	logo := widget.NewIcon(assets.Icon())
	head := container.NewBorder(nil, nil, logo, nil, shop)

	a.who = widget.NewLabel(fmt.Sprintf("%s\n%s", u.Name, u.Role))
	a.who.Truncation = fyne.TextTruncateEllipsis
	switchUser := widget.NewButtonWithIcon("Switch user", theme.LoginIcon(), a.showSignIn)
	foot := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil, a.who), switchUser)

	sidebar := container.NewBorder(container.NewVBox(head, widget.NewSeparator()), foot, nil, nil, a.nav)
	strut := canvas.NewRectangle(color.Transparent)
	strut.SetMinSize(fyne.NewSize(190, 0))
	a.content = container.NewStack()
	a.win.SetContent(container.NewBorder(nil, nil,
		container.NewHBox(container.NewStack(strut, sidebar), widget.NewSeparator()), nil, a.content))
	if s.Can(data.PermManageMail) && !a.mail.running {
		a.mail.resume(s)
	}
	a.contingency.start(s)
	a.outbox.start(s)
	a.messages.start(s)
	first := sectionDashboard
	if u.Role == data.RolePacker {
		first = sectionFulfillment
	}
	a.show(first)
}

// show puts a section on display, building its screen on first use, and returns its screen; nil when
// the signed-in user may not see it.
func (a *App) show(name string) screen {
	for i, sec := range a.visible {
		if sec.name == name {
			a.nav.Select(i) // calls open through OnSelected, unless already selected
			if a.current != name {
				a.open(name)
			}
			return a.screens[name]
		}
	}
	return nil
}

// canShow reports whether the signed-in user has the section.
func (a *App) canShow(name string) bool {
	for _, sec := range a.visible {
		if sec.name == name {
			return true
		}
	}
	return false
}

func (a *App) open(name string) {
	sc, ok := a.screens[name]
	if !ok {
		for _, sec := range a.visible {
			if sec.name == name {
				sc = sec.build(a)
				a.screens[name] = sc
				a.views[name] = sc.view()
			}
		}
	}
	if sc == nil {
		return
	}
	if a.current != name {
		a.current = name
		a.content.Objects = []fyne.CanvasObject{a.views[name]}
		a.content.Refresh()
	}
	sc.refresh()
}

// showing reports whether sc is the screen on display.
func (a *App) showing(sc screen) bool {
	return a.current != "" && a.screens[a.current] == sc
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

// showUnmatched opens the queue of order lines that match none of the shop's SKUs.
func (a *App) showUnmatched() {
	if sc, ok := a.show(sectionImports).(*importsScreen); ok {
		sc.tabs.Select(sc.unmatchedTab)
	}
}

// changed tells open screens that shop data changed, so the ones not on display reload when next shown
// and the one on display reloads now.
func (a *App) changed() {
	if sc, ok := a.screens[a.current]; ok {
		sc.refresh()
	}
	// Whatever changed stock, orders or deliveries may start or end a contingency trigger; the check
	// runs in the background and coalesces with one already running.
	a.contingenciesChanged()
	// Shipping, importing and refunding fire message rules and open or close exceptions.
	a.messagesChanged()
	// A local change is sent to the shop's other devices now rather than at the next poll.
	a.sync.nudge()
}

// Stop cancels background work; call it before quitting. It closes a store the app opened itself after
// a restore; the store New was given stays its caller's to close.
func (a *App) Stop() {
	a.bg.stop()
	if a.opened != nil {
		a.opened.Close()
		a.opened = nil
	}
}

// isCancelled reports whether err means the user cancelled.
func isCancelled(err error) bool { return errors.Is(err, context.Canceled) }
