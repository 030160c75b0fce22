package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/app/outbox"
	"github.com/backroom-app/backroom/data"
)

// messagesTabTitle is the Settings tab of the customer messages.
const messagesTabTitle = "Messages"

// messageSettings is Settings › Messages, for owners: the rules that decide when customers hear from
// the shop, the templates of what they hear, and the account it goes out through.
type messageSettings struct {
	a         *App
	rules     *rulesEditor
	templates *templatesEditor
	account   *sendingAccountForm
	limits    *exceptionLimitsForm
	tabs      *container.AppTabs
}

func newMessageSettings(a *App) *messageSettings {
	return &messageSettings{a: a, rules: newRulesEditor(a), templates: newTemplatesEditor(a), account: newSendingAccountForm(a),
		limits: newExceptionLimitsForm(a)}
}

func (m *messageSettings) view() fyne.CanvasObject {
	m.tabs = container.NewAppTabs(
		container.NewTabItem("Rules", container.NewPadded(m.rules.view())),
		container.NewTabItem("Templates", container.NewPadded(m.templates.view())),
		container.NewTabItem("Sending account", container.NewVScroll(container.NewPadded(m.account.view()))),
		container.NewTabItem("Exception limits", container.NewVScroll(container.NewPadded(m.limits.view()))),
	)
	m.tabs.OnSelected = func(*container.TabItem) { m.refresh() }
	return m.tabs
}

func (m *messageSettings) refresh() {
	if m.tabs == nil {
		return
	}
	switch m.tabs.SelectedIndex() {
	case 0:
		m.rules.refresh()
	case 1:
		m.templates.refresh()
	case 2:
		m.account.refresh()
	case 3:
		m.limits.refresh()
	}
}

// triggerLabel says a trigger in words.
func triggerLabel(t data.MessageTrigger) string {
	switch t {
	case data.TriggerOrderImported:
		return "Order imported"
	case data.TriggerOrderShipped:
		return "Order shipped"
	case data.TriggerShipByPassed:
		return "Ship-by date passed, not shipped"
	case data.TriggerOrderHeldUp:
		return "Order held up (late PO or missing stock)"
	case data.TriggerReturnReceived:
		return "Return received"
	case data.TriggerRefundIssued:
		return "Refund issued"
	}
	return capitalized(strings.ReplaceAll(string(t), "_", " "))
}

func actionChoices() []string {
	return []string{actionMessageLabel, actionNotifyLabel, actionExceptionLabel}
}

const (
	actionMessageLabel   = "Send the customer a message"
	actionNotifyLabel    = "Notify me"
	actionExceptionLabel = "Add to the exceptions list"
)

func actionLabel(a data.RuleAction) string {
	switch a {
	case data.ActionMessage:
		return actionMessageLabel
	case data.ActionNotify:
		return actionNotifyLabel
	case data.ActionException:
		return actionExceptionLabel
	}
	return string(a)
}

func actionOf(label string) data.RuleAction {
	switch label {
	case actionNotifyLabel:
		return data.ActionNotify
	case actionExceptionLabel:
		return data.ActionException
	}
	return data.ActionMessage
}

// anyChannel is the channel choice that puts no condition on the channel.
const anyChannel = "Any channel"

// rulesEditor lists the rules and edits the chosen one.
type rulesEditor struct {
	a         *App
	all       []data.MessageRule
	templates []data.MessageTemplate
	currency  string
	chosen    int // -1: a new rule
	list      *widget.List

	name     *widget.Entry
	enabled  *widget.Check
	trigger  *widget.Select
	channel  *widget.SelectEntry
	sku      *widget.Entry
	minTotal *widget.Entry
	country  *widget.Entry
	action   *widget.Select
	template *widget.Select
	save     *widget.Button
	remove   *widget.Button
	check    *widget.Button
	note     *widget.Label
	firings  *widget.Label
}

func newRulesEditor(a *App) *rulesEditor {
	e := &rulesEditor{a: a, chosen: -1}
	e.list = widget.NewList(func() int { return len(e.all) },
		func() fyne.CanvasObject {
			return container.NewVBox(widget.NewLabelWithStyle("Tell customers their parcel shipped", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
				mutedLine("Order shipped → Send the customer a message"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := e.all[id]
			box := o.(*fyne.Container)
			title := r.Name
			if !r.Enabled {
				title += " (off)"
			}
			box.Objects[0].(*widget.Label).SetText(title)
			setMutedText(box.Objects[1].(*widget.RichText), triggerLabel(r.Trigger)+" → "+actionLabel(r.Action))
		})
	e.list.OnSelected = func(id widget.ListItemID) { e.choose(id) }

	e.name = widget.NewEntry()
	e.name.SetPlaceHolder("Tell customers their parcel shipped")
	e.enabled = widget.NewCheck("On", nil)
	e.enabled.SetChecked(true)
	var triggers []string
	for _, t := range data.MessageTriggers() {
		triggers = append(triggers, triggerLabel(t))
	}
	e.trigger = widget.NewSelect(triggers, nil)
	e.trigger.SetSelected(triggers[0])
	e.channel = widget.NewSelectEntry([]string{anyChannel})
	e.channel.SetText(anyChannel)
	e.sku = widget.NewEntry()
	e.sku.SetPlaceHolder("Any SKU")
	e.minTotal = widget.NewEntry()
	e.minTotal.SetPlaceHolder("Any value")
	e.country = widget.NewEntry()
	e.country.SetPlaceHolder("Any country (or a code such as GB)")
	e.template = widget.NewSelect(nil, nil)
	e.template.PlaceHolder = "Choose a template"
	e.action = widget.NewSelect(actionChoices(), func(s string) {
		if s == actionMessageLabel {
			e.template.Enable()
		} else {
			e.template.Disable()
		}
	})
	e.action.SetSelected(actionMessageLabel)

	e.save = widget.NewButtonWithIcon("Save rule", theme.DocumentSaveIcon(), e.onSave)
	e.save.Importance = widget.HighImportance
	e.remove = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), e.onDelete)
	e.remove.Disable()
	e.check = widget.NewButtonWithIcon("What would fire now?", theme.SearchIcon(), e.onCheck)
	e.note = widget.NewLabel("")
	e.note.Wrapping = fyne.TextWrapWord
	e.note.Hide()
	e.firings = widget.NewLabel("")
	e.firings.Wrapping = fyne.TextWrapWord
	e.firings.Hide()
	return e
}

func (e *rulesEditor) view() fyne.CanvasObject {
	newBtn := widget.NewButtonWithIcon("New rule", theme.ContentAddIcon(), e.startNew)
	left := container.NewBorder(container.NewVBox(newBtn), nil, nil, nil, e.list)
	form := widget.NewForm(
		widget.NewFormItem("Name", e.name),
		widget.NewFormItem("", e.enabled),
		widget.NewFormItem("When", e.trigger),
		widget.NewFormItem("Channel", e.channel),
		widget.NewFormItem("Has SKU", e.sku),
		widget.NewFormItem("Order total at least", e.minTotal),
		widget.NewFormItem("Ships to country", e.country),
		widget.NewFormItem("Then", e.action),
		widget.NewFormItem("Template", e.template),
	)
	intro := mutedText("A rule fires once per order and event, never twice. Conditions left empty match every order. " +
		"Rules look at events from the moment they are saved, so a new rule does not write to last year's customers.")
	right := container.NewVBox(
		sectionHeading("Rule", ""), intro, fixedWidth(form, 520),
		container.NewHBox(e.save, e.remove, e.check), e.note, e.firings)
	split := container.NewHSplit(left, container.NewVScroll(right))
	split.Offset = 0.3
	return split
}

func (e *rulesEditor) refresh() {
	store := e.a.store
	type loaded struct {
		rules     []data.MessageRule
		templates []data.MessageTemplate
		channels  []string
		currency  string
	}
	run(e.a.bg, func(ctx context.Context) (loaded, error) {
		var l loaded
		err := inParallel(ctx,
			func(ctx context.Context) (err error) { l.rules, err = store.MessageRules(ctx); return err },
			func(ctx context.Context) (err error) { l.templates, err = store.MessageTemplates(ctx); return err },
			func(ctx context.Context) (err error) { l.channels, err = store.Channels(ctx); return err },
			func(ctx context.Context) (err error) {
				l.currency, err = store.Setting(ctx, data.SettingCurrency)
				return err
			})
		return l, err
	}, func(l loaded, err error) {
		if err != nil {
			showError(e.a.win, err)
			return
		}
		e.all, e.templates, e.currency = l.rules, l.templates, l.currency
		channels := []string{anyChannel}
		for _, c := range l.channels {
			channels = append(channels, channelLabel(c))
		}
		e.channel.SetOptions(channels)
		names := make([]string, len(l.templates))
		for i, t := range l.templates {
			names[i] = t.Name
		}
		e.template.Options = names
		e.template.Refresh()
		e.list.Refresh()
		if e.chosen >= 0 && e.chosen < len(e.all) {
			e.list.Select(e.chosen)
		} else if e.chosen < 0 && len(e.all) > 0 && e.name.Text == "" {
			e.list.Select(0)
		}
	})
}

func (e *rulesEditor) choose(i int) {
	if i < 0 || i >= len(e.all) {
		return
	}
	e.chosen = i
	r := e.all[i]
	e.name.SetText(r.Name)
	e.enabled.SetChecked(r.Enabled)
	e.trigger.SetSelected(triggerLabel(r.Trigger))
	if r.Channel == "" {
		e.channel.SetText(anyChannel)
	} else {
		e.channel.SetText(channelLabel(r.Channel))
	}
	e.sku.SetText(r.SKU)
	if r.MinTotal > 0 {
		e.minTotal.SetText(data.FormatDecimal(r.MinTotal, e.currency))
	} else {
		e.minTotal.SetText("")
	}
	e.country.SetText(r.Country)
	e.action.SetSelected(actionLabel(r.Action))
	e.template.ClearSelected()
	if name := templateName(e.templates, r.TemplateID); name != "" {
		e.template.SetSelected(name)
	}
	e.remove.Enable()
	e.note.Hide()
}

func (e *rulesEditor) startNew() {
	e.list.UnselectAll()
	e.chosen = -1
	e.name.SetText("")
	e.enabled.SetChecked(true)
	e.trigger.SetSelectedIndex(0)
	e.channel.SetText(anyChannel)
	e.sku.SetText("")
	e.minTotal.SetText("")
	e.country.SetText("")
	e.action.SetSelected(actionMessageLabel)
	e.template.ClearSelected()
	e.remove.Disable()
	e.note.Hide()
	e.a.win.Canvas().Focus(e.name)
}

func (e *rulesEditor) showNote(msg string, imp widget.Importance) {
	e.note.Importance = imp
	e.note.SetText(msg)
	e.note.Show()
}

// ruleFromForm reads the form; the error names the field that is wrong.
func (e *rulesEditor) ruleFromForm() (data.MessageRule, fyne.Focusable, error) {
	r := data.MessageRule{
		Name:    strings.TrimSpace(e.name.Text),
		Enabled: e.enabled.Checked,
		SKU:     strings.ToUpper(strings.TrimSpace(e.sku.Text)),
		Country: strings.ToUpper(strings.TrimSpace(e.country.Text)),
		Action:  actionOf(e.action.Selected),
	}
	if e.chosen >= 0 && e.chosen < len(e.all) {
		r.ID = e.all[e.chosen].ID
	}
	if r.Name == "" {
		return r, e.name, formNote("Give the rule a name, such as “Tell customers their parcel shipped”.")
	}
	for _, t := range data.MessageTriggers() {
		if triggerLabel(t) == e.trigger.Selected {
			r.Trigger = t
		}
	}
	if ch := strings.TrimSpace(e.channel.Text); ch != "" && ch != anyChannel {
		r.Channel = strings.ToLower(ch)
	}
	if s := strings.TrimSpace(e.minTotal.Text); s != "" {
		v, err := data.ParseMoney(s, e.currency)
		if err != nil || v < 0 {
			return r, e.minTotal, formNote(fmt.Sprintf("Order total at least: %q is not an amount; write it as 50 or 49.99.", s))
		}
		r.MinTotal = v
	}
	if r.Country != "" && len(r.Country) != 2 {
		return r, e.country, formNote(fmt.Sprintf("Ships to country: write the two-letter code, such as GB, DE or US; %q is not one.", r.Country))
	}
	if r.Action == data.ActionMessage {
		for _, t := range e.templates {
			if t.Name == e.template.Selected {
				r.TemplateID = t.ID
			}
		}
		if r.TemplateID == 0 {
			return r, nil, formNote("Template: choose the message to send, or write one under Templates first.")
		}
	}
	return r, nil, nil
}

func (e *rulesEditor) onSave() {
	r, field, err := e.ruleFromForm()
	if err != nil {
		e.showNote(err.Error(), widget.DangerImportance)
		if field != nil {
			e.a.win.Canvas().Focus(field)
		}
		return
	}
	store := e.a.store
	e.save.Disable()
	run(e.a.bg, func(ctx context.Context) (data.MessageRule, error) {
		return store.SaveMessageRule(ctx, r)
	}, func(saved data.MessageRule, err error) {
		e.save.Enable()
		if err != nil {
			e.showNote(data.UserMessage(err), widget.DangerImportance)
			return
		}
		e.showNote(fmt.Sprintf("Saved “%s”.", saved.Name), widget.SuccessImportance)
		found := false
		for i := range e.all {
			if e.all[i].ID == saved.ID {
				e.all[i], e.chosen, found = saved, i, true
			}
		}
		if !found {
			e.all = append(e.all, saved)
			e.chosen = len(e.all) - 1
		}
		e.list.Refresh()
		e.list.Select(e.chosen)
		e.remove.Enable()
		e.a.messagesChanged()
	})
}

func (e *rulesEditor) onDelete() {
	if e.chosen < 0 || e.chosen >= len(e.all) {
		return
	}
	r := e.all[e.chosen]
	dialog.ShowConfirm("Delete rule", fmt.Sprintf("Delete “%s”? Messages it already queued stay in the outbox.", r.Name), func(ok bool) {
		if !ok {
			return
		}
		store := e.a.store
		run(e.a.bg, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, store.DeleteMessageRule(ctx, r.ID)
		}, func(_ struct{}, err error) {
			if err != nil {
				e.showNote(data.UserMessage(err), widget.DangerImportance)
				return
			}
			e.startNew()
			e.refresh()
		})
	}, e.a.win)
}

// onCheck evaluates the rules without acting, the same dry run as "backroom rules check".
func (e *rulesEditor) onCheck() {
	store := e.a.store
	e.check.Disable()
	run(e.a.bg, func(ctx context.Context) ([]data.RuleFiring, error) {
		return store.EvaluateMessageRules(ctx, true)
	}, func(fired []data.RuleFiring, err error) {
		e.check.Enable()
		if err != nil {
			e.firings.SetText(data.UserMessage(err))
			e.firings.Importance = widget.DangerImportance
			e.firings.Show()
			return
		}
		e.firings.Importance = widget.MediumImportance
		e.firings.SetText(firingsText(fired))
		e.firings.Show()
	})
}

// firingsText lists what a dry run found, at most a screenful.
func firingsText(fired []data.RuleFiring) string {
	if len(fired) == 0 {
		return "Nothing would fire now: every rule has already acted on every order it matches."
	}
	const most = 15
	var b strings.Builder
	fmt.Fprintf(&b, "%s would fire now:\n", plural(len(fired), "rule firing", "rule firings"))
	for i, f := range fired {
		if i == most {
			fmt.Fprintf(&b, "… and %d more", len(fired)-most)
			break
		}
		fmt.Fprintf(&b, "• %s, %s %s: %s\n", f.Rule.Name, channelLabel(f.Channel), f.OrderRef, f.Outcome)
	}
	return strings.TrimRight(b.String(), "\n")
}

// The route choices of the sending account.
const (
	routeSMTPLabel   = "Send through the shop's mail server (SMTP)"
	routeDraftsLabel = "Put them in the mailbox's Drafts folder for me to send"
)

// sendingAccountForm is where customer messages go out: an SMTP server, or the Drafts folder of the
// mailbox Backroom already reads. The password goes to the OS keychain, never the database.
type sendingAccountForm struct {
	a        *App
	old      data.SMTPAccount
	route    *widget.RadioGroup
	host     *widget.Entry
	port     *widget.Entry
	security *widget.Select
	user     *widget.Entry
	password *widget.Entry
	from     *widget.Entry
	fromName *widget.Entry
	smtpBox  *fyne.Container
	save     *widget.Button
	test     *widget.Button
	note     *widget.Label
}

func newSendingAccountForm(a *App) *sendingAccountForm {
	f := &sendingAccountForm{a: a}
	f.host = widget.NewEntry()
	f.host.SetPlaceHolder("smtp.example.com")
	f.port = widget.NewEntry()
	f.port.SetPlaceHolder("587")
	f.security = widget.NewSelect(securityChoices(), nil)
	f.security.SetSelected(securityStartTLS)
	f.user = widget.NewEntry()
	f.user.SetPlaceHolder("shop@example.com")
	f.password = widget.NewPasswordEntry()
	f.password.SetPlaceHolder("Kept in this computer's keychain")
	f.from = widget.NewEntry()
	f.from.SetPlaceHolder("hello@yourshop.com")
	f.fromName = widget.NewEntry()
	f.fromName.SetPlaceHolder("Your shop's name")
	f.smtpBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem("Server", f.host),
		widget.NewFormItem("Port", f.port),
		widget.NewFormItem("Security", f.security),
		widget.NewFormItem("User name", f.user),
		widget.NewFormItem("Password", f.password),
	))
	f.route = widget.NewRadioGroup([]string{routeSMTPLabel, routeDraftsLabel}, func(s string) {
		if s == routeDraftsLabel {
			f.smtpBox.Hide()
		} else {
			f.smtpBox.Show()
		}
	})
	f.route.SetSelected(routeSMTPLabel)
	f.save = widget.NewButtonWithIcon("Save sending account", theme.DocumentSaveIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.test = widget.NewButtonWithIcon("Test connection", theme.MailSendIcon(), f.onTest)
	f.note = widget.NewLabel("")
	f.note.Wrapping = fyne.TextWrapWord
	f.note.Hide()
	return f
}

// onTest connects and signs in to the SMTP server as the form says, sending nothing, so a wrong
// password or port shows now rather than as failed messages later.
func (f *sendingAccountForm) onTest() {
	acct, err := f.accountFromForm()
	if err != nil {
		f.showNote(err.Error(), widget.DangerImportance)
		return
	}
	if acct.Route != data.RouteSMTP {
		f.showNote("The Drafts route uses the mailbox account of the Mail section: test it there.", widget.MediumImportance)
		return
	}
	pw, keys := f.password.Text, f.a.keys
	f.test.Disable()
	f.showNote("Connecting to "+acct.Host+"…", widget.MediumImportance)
	run(f.a.bg, func(ctx context.Context) (struct{}, error) {
		if pw == "" {
			var err error
			if pw, err = keys.SMTPPassword(ctx, acct); err != nil {
				return struct{}{}, err
			}
		}
		c, err := outbox.Dial(ctx, acct, outbox.Options{Password: pw})
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, c.Close()
	}, func(_ struct{}, err error) {
		f.test.Enable()
		if err != nil {
			f.showNote(data.UserMessage(err), widget.DangerImportance)
			return
		}
		f.showNote("Connected and signed in to "+acct.Host+". Nothing was sent.", widget.SuccessImportance)
	})
}

func (f *sendingAccountForm) view() fyne.CanvasObject {
	sender := widget.NewForm(
		widget.NewFormItem("From address", f.from),
		widget.NewFormItem("From name", f.fromName),
	)
	return container.NewVBox(
		sectionHeading("How messages go out", "Messages wait in the Outbox while this computer is offline and go out when it is back. "+
			"Amazon, Walmart and other marketplaces hide the buyer's address: their messages wait in the Outbox as text to paste."),
		container.NewHBox(fixedWidth(sender, 560)),
		f.route,
		container.NewHBox(fixedWidth(f.smtpBox, 560)),
		container.NewHBox(f.save, f.test), f.note)
}

func (f *sendingAccountForm) refresh() {
	store := f.a.store
	run(f.a.bg, func(ctx context.Context) (data.SMTPAccount, error) {
		acct, err := store.SMTPAccount(ctx)
		if errors.Is(err, data.ErrNotFound) {
			return data.SMTPAccount{}, nil
		}
		return acct, err
	}, func(acct data.SMTPAccount, err error) {
		if err != nil {
			showError(f.a.win, err)
			return
		}
		f.old = acct
		if acct.Host == "" && acct.Route == "" {
			return // nothing saved yet: keep the defaults
		}
		if acct.Route == data.RouteDrafts {
			f.route.SetSelected(routeDraftsLabel)
		} else {
			f.route.SetSelected(routeSMTPLabel)
		}
		f.host.SetText(acct.Host)
		f.port.SetText(portText(acct.Port))
		switch acct.Security {
		case data.SMTPTLS:
			f.security.SetSelected(securityTLS)
		case data.SMTPNone:
			f.security.SetSelected(securityNone)
		default:
			f.security.SetSelected(securityStartTLS)
		}
		f.user.SetText(acct.User)
		f.from.SetText(acct.From)
		f.fromName.SetText(acct.FromName)
		f.password.SetText("")
		f.password.SetPlaceHolder("Saved in the keychain; type to change it")
	})
}

func (f *sendingAccountForm) showNote(msg string, imp widget.Importance) {
	f.note.Importance = imp
	f.note.SetText(msg)
	f.note.Show()
}

// accountFromForm reads the form; the error names the field.
func (f *sendingAccountForm) accountFromForm() (data.SMTPAccount, error) {
	acct := data.SMTPAccount{
		Route:    data.RouteSMTP,
		Host:     strings.TrimSpace(f.host.Text),
		User:     strings.TrimSpace(f.user.Text),
		From:     strings.TrimSpace(f.from.Text),
		FromName: strings.TrimSpace(f.fromName.Text),
	}
	if !strings.Contains(acct.From, "@") {
		return acct, formNote("From address: write the address customers see and reply to, such as hello@yourshop.com.")
	}
	if f.route.Selected == routeDraftsLabel {
		acct.Route = data.RouteDrafts
		return acct, nil
	}
	switch f.security.Selected {
	case securityTLS:
		acct.Security = data.SMTPTLS
	case securityNone:
		acct.Security = data.SMTPNone
	default:
		acct.Security = data.SMTPStartTLS
	}
	if acct.Host == "" {
		return acct, formNote("Server: write the SMTP server's name, such as smtp.gmail.com.")
	}
	acct.Port = defaultSMTPPort(acct.Security)
	if s := strings.TrimSpace(f.port.Text); s != "" {
		p, err := strconv.Atoi(s)
		if err != nil || p < 1 || p > 65535 {
			return acct, formNote(fmt.Sprintf("Port: %q is not a port number; SMTP uses 587 with STARTTLS or 465 with TLS.", s))
		}
		acct.Port = p
	}
	if acct.User == "" {
		return acct, formNote("User name: write the login of the mail account, usually the whole address.")
	}
	return acct, nil
}

func defaultSMTPPort(sec data.SMTPSecurity) int {
	switch sec {
	case data.SMTPTLS:
		return 465
	case data.SMTPNone:
		return 25
	}
	return 587
}

func (f *sendingAccountForm) onSave() {
	acct, err := f.accountFromForm()
	if err != nil {
		f.showNote(err.Error(), widget.DangerImportance)
		return
	}
	pw := f.password.Text
	if acct.Route == data.RouteSMTP && pw == "" && (f.old.Host != acct.Host || f.old.User != acct.User || f.old.Port != acct.Port) {
		f.showNote("Password: type the mail account's password (or app password); the keychain has none for this server yet.", widget.DangerImportance)
		return
	}
	store, keys, old := f.a.store, f.a.keys, f.old
	f.save.Disable()
	run(f.a.bg, func(ctx context.Context) (string, error) {
		if err := store.SaveSMTPAccount(ctx, acct); err != nil {
			return "", err
		}
		if acct.Route != data.RouteSMTP {
			return "", nil
		}
		if pw == "" {
			// Same server and login: the password already in the keychain still fits.
			return "", nil
		}
		if err := keys.SetSMTPPassword(ctx, acct, pw); err != nil {
			if errors.Is(err, keychain.ErrUnavailable) {
				return "Saved, but this computer has no keychain, so the password could not be kept: messages wait in the Outbox until one is available.", nil
			}
			return "", err
		}
		if old.Host != "" && keychain.SMTPKey(old) != keychain.SMTPKey(acct) {
			_ = keys.DeleteSMTPPassword(ctx, old) // the old key names a server Backroom no longer uses
		}
		return "", nil
	}, func(warning string, err error) {
		f.save.Enable()
		if err != nil {
			f.showNote(data.UserMessage(err), widget.DangerImportance)
			return
		}
		f.old = acct
		f.password.SetText("")
		if warning != "" {
			f.showNote(warning, widget.WarningImportance)
			return
		}
		f.showNote("Saved. Queued messages go out through this account.", widget.SuccessImportance)
	})
}

// formNote is a sentence for a form's note line, naming the field and how to fill it in. It is an error
// so the form readers can return it, and it is shown as written, never wrapped.
type formNote string

func (n formNote) Error() string { return string(n) }
