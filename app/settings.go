package app

import (
	"bytes"
	"context"
	"encoding/json"
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

// settingsScreen holds the shop's name and currency, the people who use this database and their PINs,
// the stock locations, facts about this device and, for owners and accountants, the audit log.
// Everyone can change their own PIN; only an owner changes the rest.
type settingsScreen struct {
	a    *App
	tabs *container.AppTabs

	// Shop.
	shopName *widget.Entry
	address  *widget.Entry
	currency *widget.SelectEntry
	saveShop *widget.Button
	shopNote *widget.Label

	// People.
	users       *pagedTable[data.User]
	chosenUser  *data.User
	addUser     *widget.Button
	setPIN      *widget.Button
	changeOwn   *widget.Button
	signOut     *widget.Button
	peopleNote  *widget.Label
	userDialog  *dialog.CustomDialog
	userName    *widget.Entry
	userRole    *widget.Select
	userPIN     *widget.Entry
	userPIN2    *widget.Entry
	userSave    *widget.Button
	userMessage *widget.Label
	pinDialog   *dialog.CustomDialog
	pinFor      data.User
	pinNew      *widget.Entry
	pinNew2     *widget.Entry
	pinSave     *widget.Button
	pinMessage  *widget.Label

	// Locations.
	locations   *pagedTable[data.Location]
	addLocation *widget.Button
	locDialog   *dialog.CustomDialog
	locName     *widget.Entry
	locKind     *widget.Select
	locSave     *widget.Button
	locMessage  *widget.Label

	// Messages: rules, templates and the sending account; owner only.
	messages *messageSettings
	// Backups: the folder, backing up now, restoring; owner only (settings_backups.go).
	backups *backupSettings
	// Devices: sync with the shop's other computers; the controls are owner only (settings_devices.go).
	devices *deviceSettings

	// Audit log.
	audit       *pagedTable[data.AuditEntry]
	auditDetail *widget.RichText
}

// auditLimit is how much of the audit log the screen shows.
const auditLimit = 200

var roleChoices = []string{"Packer", "Accountant", "Owner"}

func newSettingsScreen(a *App) *settingsScreen {
	sc := &settingsScreen{a: a}
	owner := a.store.Can(data.PermManageUsers)

	sc.shopName = widget.NewEntry()
	sc.shopName.SetPlaceHolder("Your shop's name")
	sc.address = widget.NewMultiLineEntry()
	sc.address.SetPlaceHolder("Unit 4, Mill Lane\nLeek ST13 5AA")
	sc.address.SetMinRowsVisible(3)
	sc.currency = widget.NewSelectEntry([]string{"GBP", "EUR", "USD", "CAD", "AUD", "NZD", "CHF", "SEK", "DKK", "NOK", "JPY"})
	sc.currency.SetPlaceHolder("Not set: a code such as GBP")
	sc.saveShop = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), sc.onSaveShop)
	sc.saveShop.Importance = widget.HighImportance
	sc.shopNote = widget.NewLabel("")
	sc.shopNote.Wrapping = fyne.TextWrapWord
	if !owner {
		sc.shopName.Disable()
		sc.address.Disable()
		sc.currency.Disable()
		sc.saveShop.Hide()
		sc.shopNote.SetText("Only an owner can change these.")
	}

	sc.users = newPagedTable(a, "people", []column[data.User]{
		{title: "Name", width: 160, grow: 2, text: func(u data.User) string { return u.Name }},
		{title: "Role", width: 110, text: func(u data.User) string { return capitalized(string(u.Role)) }},
		{title: "PIN", width: 180, grow: 1, text: func(u data.User) string {
			if u.HasPIN {
				return "Has a PIN"
			}
			return "No PIN"
		}, style: func(u data.User) widget.Importance {
			if !u.HasPIN {
				return widget.WarningImportance
			}
			return widget.MediumImportance
		}},
		{title: "Account", width: 100, text: func(u data.User) string {
			if u.Active {
				return "Active"
			}
			return "Switched off"
		}},
	}, func(u data.User) string { return u.ID })
	sc.users.onSelected = func(u data.User) {
		sc.chosenUser = &u
		setEnabled(sc.setPIN, owner)
	}
	sc.addUser = widget.NewButtonWithIcon("Add person…", theme.ContentAddIcon(), sc.onAddUser)
	sc.addUser.Importance = widget.HighImportance
	sc.setPIN = widget.NewButtonWithIcon("Set PIN of chosen person…", theme.AccountIcon(), func() {
		if sc.chosenUser != nil {
			sc.onSetPIN(*sc.chosenUser)
		}
	})
	sc.setPIN.Disable()
	sc.changeOwn = widget.NewButtonWithIcon("Change my PIN…", theme.AccountIcon(), func() { sc.onSetPIN(a.store.User()) })
	sc.signOut = widget.NewButtonWithIcon("Switch user / Sign out", theme.LogoutIcon(), func() { a.showSignIn() })
	sc.peopleNote = widget.NewLabel("")
	sc.peopleNote.Importance = widget.SuccessImportance
	sc.peopleNote.Hide()
	if !owner {
		sc.addUser.Hide()
		sc.setPIN.Hide()
	}
	if a.store.User().ID == "" {
		sc.changeOwn.Hide() // the system account of the command line has no PIN to change
	}

	sc.locations = newPagedTable(a, "locations", []column[data.Location]{
		{title: "Name", width: 180, grow: 2, text: func(l data.Location) string { return l.Name }},
		{title: "Kind", width: 110, text: func(l data.Location) string { return capitalized(l.Kind) }},
		{title: "", width: 200, grow: 1, text: func(l data.Location) string {
			if l.IsDefault {
				return "Default: sales and counts land here"
			}
			return ""
		}, style: func(data.Location) widget.Importance { return widget.LowImportance }},
	}, func(l data.Location) string { return l.ID })
	sc.locations.emptyText = "No locations yet. The first stock you record creates “Shop”."
	sc.addLocation = widget.NewButtonWithIcon("Add location…", theme.ContentAddIcon(), sc.onAddLocation)
	sc.addLocation.Importance = widget.HighImportance
	if !a.store.Can(data.PermEditCatalog) {
		sc.addLocation.Hide()
	}

	if a.store.Can(data.PermManageMail) {
		sc.messages = newMessageSettings(a)
	}
	if a.store.MayRestore() == nil {
		sc.backups = newBackupSettings(a)
	}
	sc.devices = newDeviceSettings(a)
	if a.store.Can(data.PermViewAudit) {
		sc.audit = newPagedTable(a, "entries", []column[data.AuditEntry]{
			{title: "When", width: 140, text: func(e data.AuditEntry) string { return e.At.In(time.Local).Format("2 Jan 2006 15:04") }},
			{title: "Who", width: 110, text: func(e data.AuditEntry) string { return e.UserName }},
			{title: "Action", width: 130, text: func(e data.AuditEntry) string { return strings.ReplaceAll(e.Action, "_", " ") }},
			{title: "What", width: 140, text: func(e data.AuditEntry) string { return strings.ReplaceAll(e.Entity, "_", " ") }},
			{title: "Which", width: 160, grow: 1, text: func(e data.AuditEntry) string { return e.EntityID }},
		}, func(e data.AuditEntry) string { return fmt.Sprint(e.ID) })
		sc.audit.emptyText = "Nothing recorded yet."
		sc.audit.onSelected = sc.showAuditEntry
		sc.auditDetail = widget.NewRichTextWithText("Choose an entry to see what it changed.")
		sc.auditDetail.Wrapping = fyne.TextWrapBreak
	}
	return sc
}

func (sc *settingsScreen) view() fyne.CanvasObject {
	u := sc.a.store.User()
	who := mutedLine(fmt.Sprintf("Signed in as %s (%s)", u.Name, u.Role))
	who.Truncation = fyne.TextTruncateOff
	header := screenHeader("Settings", "Your shop, the people who use Backroom and this computer.",
		container.NewHBox(container.NewCenter(who), sc.signOut))

	device := container.NewVBox(
		sectionHeading("This computer", "Backroom keeps the whole shop in one file. Backups of it are made automatically: see the Backups tab."),
		widget.NewForm(
			widget.NewFormItem("Database file", selectableLabel(sc.a.base.Path())),
			widget.NewFormItem("Device id", selectableLabel(sc.a.base.DeviceID())),
		),
		container.NewHBox(widget.NewButtonWithIcon("Copy file path", theme.ContentCopyIcon(), func() {
			sc.a.fyne.Clipboard().SetContent(sc.a.base.Path())
		})))
	shop := container.NewVBox(
		sectionHeading("Your shop", "Shown in the window and on documents; purchase orders ask suppliers to deliver to the address. The currency is what new products get by default."),
		container.NewHBox(fixedWidth(widget.NewForm(
			widget.NewFormItem("Shop name", sc.shopName),
			widget.NewFormItem("Delivery address", sc.address),
			widget.NewFormItem("Currency", sc.currency),
		), 520)),
		container.NewHBox(sc.saveShop), sc.shopNote,
		widget.NewSeparator(),
		device)

	peopleTools := container.NewHBox(sc.addUser, sc.setPIN, sc.changeOwn)
	people := container.NewBorder(
		container.NewVBox(sectionHeading("People",
			"Everyone who signs in on this shop's computers. Packers never see costs or margins; accountants see everything and change nothing."),
			peopleTools, sc.peopleNote),
		nil, nil, nil, sc.users.view())

	locations := container.NewBorder(
		container.NewVBox(sectionHeading("Locations", "Places stock is kept: a shop floor, a warehouse, a garage."),
			container.NewHBox(sc.addLocation)),
		nil, nil, nil, sc.locations.view())

	sc.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Shop and computer", theme.HomeIcon(), container.NewVScroll(container.NewPadded(shop))),
		container.NewTabItemWithIcon("People", theme.AccountIcon(), container.NewPadded(people)),
		container.NewTabItemWithIcon("Locations", theme.StorageIcon(), container.NewPadded(locations)),
	)
	if sc.backups != nil {
		sc.tabs.Append(container.NewTabItemWithIcon(backupsTabTitle, theme.DocumentSaveIcon(), container.NewPadded(sc.backups.view())))
	}
	sc.tabs.Append(container.NewTabItemWithIcon(devicesTabTitle, theme.ComputerIcon(), container.NewPadded(sc.devices.view())))
	if sc.messages != nil {
		sc.tabs.Append(container.NewTabItemWithIcon(messagesTabTitle, theme.MailComposeIcon(), container.NewPadded(sc.messages.view())))
	}
	if sc.audit != nil {
		detail := container.NewBorder(sectionHeading("Before and after", ""), nil, nil, nil,
			container.NewVScroll(sc.auditDetail))
		split := container.NewHSplit(sc.audit.view(), detail)
		split.Offset = 0.62
		log := container.NewBorder(
			sectionHeading("Audit log", fmt.Sprintf("The last %d changes made to the shop, newest first: who, when and what.", auditLimit)),
			nil, nil, nil, split)
		sc.tabs.Append(container.NewTabItemWithIcon("Audit log", theme.HistoryIcon(), container.NewPadded(log)))
	}
	sc.tabs.OnSelected = func(*container.TabItem) { sc.refresh() }
	return container.NewPadded(container.NewBorder(header, nil, nil, nil, sc.tabs))
}

func selectableLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Selectable = true
	return l
}

// shopSettings is the Shop tab's data.
type shopSettings struct{ name, address, currency string }

func (sc *settingsScreen) refresh() {
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (shopSettings, error) {
		name, err := store.Setting(ctx, data.SettingShopName)
		if err != nil {
			return shopSettings{}, err
		}
		address, err := store.Setting(ctx, data.SettingShopAddress)
		if err != nil {
			return shopSettings{}, err
		}
		cur, err := store.Setting(ctx, data.SettingCurrency)
		return shopSettings{name, address, cur}, err
	}, func(st shopSettings, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.shopName.SetText(st.name)
		sc.address.SetText(st.address)
		sc.currency.SetText(st.currency)
	})
	sc.users.setSource(listSource(func(ctx context.Context) ([]data.User, error) { return store.Users(ctx) }))
	sc.locations.setSource(listSource(func(ctx context.Context) ([]data.Location, error) { return store.Locations(ctx) }))
	if sc.messages != nil {
		sc.messages.refresh()
	}
	if sc.backups != nil {
		sc.backups.refresh()
	}
	sc.devices.refresh()
	if sc.audit != nil {
		sc.audit.setSource(listSource(func(ctx context.Context) ([]data.AuditEntry, error) {
			return store.AuditLog(ctx, "", "", auditLimit)
		}))
	}
}

// listSource pages a short list the store returns whole.
func listSource[T any](load func(context.Context) ([]T, error)) pageSource[T] {
	var all []T
	return pageSource[T]{
		count: func(ctx context.Context) (int, error) {
			var err error
			all, err = load(ctx)
			return len(all), err
		},
		page: func(_ context.Context, q pageQuery) ([]T, error) {
			return all[q.offset:min(q.offset+q.limit, len(all))], nil
		},
	}
}

func (sc *settingsScreen) onSaveShop() {
	name := strings.TrimSpace(sc.shopName.Text)
	address := strings.TrimSpace(sc.address.Text)
	cur := strings.ToUpper(strings.TrimSpace(sc.currency.Text))
	if cur != "" && !data.ValidCurrency(cur) {
		sc.shopNote.Importance = widget.DangerImportance
		sc.shopNote.SetText("The currency is a three-letter code such as GBP, EUR or USD.")
		return
	}
	store := sc.a.store
	sc.saveShop.Disable()
	run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
		if err := store.SetSetting(ctx, data.SettingShopName, name); err != nil {
			return struct{}{}, err
		}
		if err := store.SetSetting(ctx, data.SettingShopAddress, address); err != nil || cur == "" {
			return struct{}{}, err
		}
		return struct{}{}, store.SetSetting(ctx, data.SettingCurrency, cur)
	}, func(_ struct{}, err error) {
		sc.saveShop.Enable()
		if err != nil {
			sc.shopNote.Importance = widget.DangerImportance
			sc.shopNote.SetText(data.UserMessage(err))
			return
		}
		sc.shopNote.Importance = widget.SuccessImportance
		sc.shopNote.SetText("Saved.")
		sc.currency.SetText(cur)
	})
}

// pinValidator accepts 4 to 12 digits, the rule the store enforces.
func pinValidator(s string) error {
	if !data.ValidPIN(s) {
		return fmt.Errorf("4 to 12 digits")
	}
	return nil
}

// onAddUser opens the add-person dialog. The PIN is typed twice, hidden, because nobody can read it back.
func (sc *settingsScreen) onAddUser() {
	sc.userName = widget.NewEntry()
	sc.userName.SetPlaceHolder("First name is enough")
	sc.userName.Validator = requiredText("a name is needed")
	sc.userRole = widget.NewSelect(roleChoices, nil)
	sc.userRole.SetSelected("Packer")
	sc.userPIN = widget.NewPasswordEntry()
	sc.userPIN.SetPlaceHolder("4 to 12 digits")
	sc.userPIN.Validator = pinValidator
	sc.userPIN2 = widget.NewPasswordEntry()
	sc.userPIN2.SetPlaceHolder("the same again")
	sc.userPIN2.Validator = func(s string) error {
		if s != sc.userPIN.Text {
			return fmt.Errorf("the two PINs differ")
		}
		return nil
	}
	sc.userPIN2.OnSubmitted = func(string) { sc.onAddUserSave() }
	sc.userMessage = widget.NewLabel("")
	sc.userMessage.Importance = widget.DangerImportance
	sc.userMessage.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Name", sc.userName),
		widget.NewFormItem("Role", sc.userRole),
		widget.NewFormItem("PIN", sc.userPIN),
		widget.NewFormItem("PIN again", sc.userPIN2),
	)
	roles := mutedText("Packer: orders, packing and stock, never costs. Accountant: reads everything, changes nothing. Owner: everything.")
	sc.userSave = widget.NewButtonWithIcon("Add person", theme.ConfirmIcon(), sc.onAddUserSave)
	sc.userSave.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { sc.userDialog.Hide() })
	sc.userDialog = dialog.NewCustomWithoutButtons("Add a person",
		fixedWidth(container.NewVBox(form, roles, sc.userMessage), 440), sc.a.win)
	sc.userDialog.SetButtons([]fyne.CanvasObject{cancel, sc.userSave})
	sc.userDialog.Show()
	sc.a.win.Canvas().Focus(sc.userName)
}

func (sc *settingsScreen) onAddUserSave() {
	name := strings.TrimSpace(sc.userName.Text)
	switch {
	case name == "":
		sc.userMessage.SetText("Type the person's name.")
		return
	case pinValidator(sc.userPIN.Text) != nil:
		sc.userMessage.SetText("A PIN is 4 to 12 digits.")
		return
	case sc.userPIN.Text != sc.userPIN2.Text:
		sc.userMessage.SetText("The two PINs differ; type the same PIN twice.")
		return
	}
	role := data.Role(strings.ToLower(sc.userRole.Selected))
	pin := sc.userPIN.Text
	store := sc.a.store
	sc.userSave.Disable()
	run(sc.a.bg, func(ctx context.Context) (data.User, error) {
		return store.AddUser(ctx, name, role, pin)
	}, func(u data.User, err error) {
		sc.userSave.Enable()
		if err != nil {
			sc.userMessage.SetText(data.UserMessage(err))
			return
		}
		sc.userDialog.Hide()
		sc.peopleNote.SetText(fmt.Sprintf("%s can now sign in as %s with their PIN.", u.Name, u.Role))
		sc.peopleNote.Show()
		sc.refresh()
	})
}

// onSetPIN changes the PIN of u: an owner for anyone, everyone for themselves.
func (sc *settingsScreen) onSetPIN(u data.User) {
	sc.pinFor = u
	sc.pinNew = widget.NewPasswordEntry()
	sc.pinNew.SetPlaceHolder("4 to 12 digits")
	sc.pinNew.Validator = pinValidator
	sc.pinNew2 = widget.NewPasswordEntry()
	sc.pinNew2.SetPlaceHolder("the same again")
	sc.pinNew2.OnSubmitted = func(string) { sc.onSetPINSave() }
	sc.pinMessage = widget.NewLabel("")
	sc.pinMessage.Importance = widget.DangerImportance
	sc.pinMessage.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("New PIN", sc.pinNew),
		widget.NewFormItem("New PIN again", sc.pinNew2),
	)
	title := "New PIN for " + u.Name
	if u.ID == sc.a.store.User().ID {
		title = "Change your PIN"
	}
	sc.pinSave = widget.NewButtonWithIcon("Set PIN", theme.ConfirmIcon(), sc.onSetPINSave)
	sc.pinSave.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { sc.pinDialog.Hide() })
	sc.pinDialog = dialog.NewCustomWithoutButtons(title,
		fixedWidth(container.NewVBox(form, sc.pinMessage), 400), sc.a.win)
	sc.pinDialog.SetButtons([]fyne.CanvasObject{cancel, sc.pinSave})
	sc.pinDialog.Show()
	sc.a.win.Canvas().Focus(sc.pinNew)
}

func (sc *settingsScreen) onSetPINSave() {
	if pinValidator(sc.pinNew.Text) != nil {
		sc.pinMessage.SetText("A PIN is 4 to 12 digits.")
		return
	}
	if sc.pinNew.Text != sc.pinNew2.Text {
		sc.pinMessage.SetText("The two PINs differ; type the same PIN twice.")
		return
	}
	u, pin := sc.pinFor, sc.pinNew.Text
	store := sc.a.store
	sc.pinSave.Disable()
	run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.SetPIN(ctx, u.ID, pin)
	}, func(_ struct{}, err error) {
		sc.pinSave.Enable()
		if err != nil {
			sc.pinMessage.SetText(data.UserMessage(err))
			return
		}
		sc.pinDialog.Hide()
		sc.peopleNote.SetText(fmt.Sprintf("%s's PIN is changed.", u.Name))
		sc.peopleNote.Show()
		sc.refresh()
	})
}

func (sc *settingsScreen) onAddLocation() {
	sc.locName = widget.NewEntry()
	sc.locName.SetPlaceHolder("e.g. Garage, Unit 4")
	sc.locName.OnSubmitted = func(string) { sc.onAddLocationSave() }
	sc.locKind = widget.NewSelect([]string{"Shop", "Warehouse", "Garage", "Other"}, nil)
	sc.locKind.SetSelected("Warehouse")
	sc.locMessage = widget.NewLabel("")
	sc.locMessage.Importance = widget.DangerImportance
	sc.locMessage.Wrapping = fyne.TextWrapWord
	sc.locSave = widget.NewButtonWithIcon("Add location", theme.ConfirmIcon(), sc.onAddLocationSave)
	sc.locSave.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { sc.locDialog.Hide() })
	form := widget.NewForm(widget.NewFormItem("Name", sc.locName), widget.NewFormItem("Kind", sc.locKind))
	sc.locDialog = dialog.NewCustomWithoutButtons("Add a location",
		fixedWidth(container.NewVBox(form, sc.locMessage), 400), sc.a.win)
	sc.locDialog.SetButtons([]fyne.CanvasObject{cancel, sc.locSave})
	sc.locDialog.Show()
	sc.a.win.Canvas().Focus(sc.locName)
}

func (sc *settingsScreen) onAddLocationSave() {
	name := strings.TrimSpace(sc.locName.Text)
	if name == "" {
		sc.locMessage.SetText("Type the location's name.")
		return
	}
	kind := strings.ToLower(sc.locKind.Selected)
	store := sc.a.store
	sc.locSave.Disable()
	run(sc.a.bg, func(ctx context.Context) (data.Location, error) {
		return store.AddLocation(ctx, name, kind)
	}, func(_ data.Location, err error) {
		sc.locSave.Enable()
		if err != nil {
			sc.locMessage.SetText(data.UserMessage(err))
			return
		}
		sc.locDialog.Hide()
		sc.refresh()
	})
}

// showAuditEntry shows an entry's before and after values, indented for reading.
func (sc *settingsScreen) showAuditEntry(e data.AuditEntry) {
	pretty := func(s string) string {
		if s == "" {
			return "(nothing)"
		}
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(s), "", "  ") != nil {
			return s
		}
		return buf.String()
	}
	code := func(s string) *widget.TextSegment {
		return &widget.TextSegment{Text: s, Style: widget.RichTextStyleCodeBlock}
	}
	head := fmt.Sprintf("%s %s %s by %s on %s", strings.ReplaceAll(e.Action, "_", " "), strings.ReplaceAll(e.Entity, "_", " "),
		e.EntityID, e.UserName, e.At.In(time.Local).Format("2 Jan 2006 15:04:05"))
	sc.auditDetail.Segments = []widget.RichTextSegment{
		&widget.TextSegment{Text: head, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: "Before", Style: widget.RichTextStyleSubHeading},
		code(pretty(e.Before)),
		&widget.TextSegment{Text: "After", Style: widget.RichTextStyleSubHeading},
		code(pretty(e.After)),
	}
	sc.auditDetail.Refresh()
}
