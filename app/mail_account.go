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
	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
)

// mailProvider is a mail service whose server settings people should not have to look up, with what
// it takes to let a program like Backroom in.
type mailProvider struct {
	name     string
	host     string
	security data.MailSecurity
	help     string
}

// mailProviders is a function, not a package variable, so nothing can change the table at run time.
func mailProviders() []mailProvider {
	return []mailProvider{
		{"Gmail", "imap.gmail.com", data.MailTLS,
			"Gmail does not let programs in with your normal password. Turn on 2-Step Verification for the Google account, " +
				"then create an app password (Google Account › Security › App passwords) and type those 16 letters here."},
		{"Outlook.com / Microsoft 365", "outlook.office365.com", data.MailTLS,
			"Microsoft stopped accepting passwords over IMAP for Outlook.com (September 2024) and Microsoft 365; only " +
				"sign-in through Microsoft (OAuth) works, which Backroom does not offer yet. Forward the order e-mails to " +
				"another mailbox (such as Gmail with an app password) and connect that one."},
		{"iCloud Mail", "imap.mail.me.com", data.MailTLS,
			"iCloud needs an app-specific password: appleid.apple.com › Sign-In and Security › App-Specific Passwords. " +
				"The user name is your iCloud address."},
		{"Fastmail", "imap.fastmail.com", data.MailTLS,
			"Create an app password in Fastmail (Settings › Privacy & Security › App passwords) with access to IMAP."},
		{"Yahoo Mail", "imap.mail.yahoo.com", data.MailTLS,
			"Yahoo needs an app password: Account Info › Account Security › Generate app password."},
		{"Another mail server", "", data.MailTLS,
			"Your mail host's help pages list the IMAP server name. Use the whole e-mail address as user name unless they say otherwise."},
	}
}

// The security choices as the form offers them.
const (
	securityTLS      = "TLS (recommended)"
	securityStartTLS = "STARTTLS"
	securityNone     = "No encryption (this computer only)"
)

func securityChoices() []string { return []string{securityTLS, securityStartTLS, securityNone} }

func securityChoice(s data.MailSecurity) string {
	switch s {
	case data.MailStartTLS:
		return securityStartTLS
	case data.MailInsecure:
		return securityNone
	}
	return securityTLS
}

func securityOf(choice string) data.MailSecurity {
	switch choice {
	case securityStartTLS:
		return data.MailStartTLS
	case securityNone:
		return data.MailInsecure
	}
	return data.MailTLS
}

// mailAccountForm is the dialog that sets up or changes the mailbox account.
type mailAccountForm struct {
	sc       *mailScreen
	old      data.MailAccount // the account being changed; ID 0 for a new one
	d        *dialog.CustomDialog
	provider *widget.Select
	help     *widget.Label
	host     *widget.Entry
	port     *widget.Entry
	security *widget.Select
	user     *widget.Entry
	pass     *widget.Entry
	folders  *widget.Entry
	senders  *widget.Entry
	message  *widget.Label
	test     *widget.Button
	save     *widget.Button
}

const mailFormWidth = 560

func (sc *mailScreen) showAccountForm(old data.MailAccount) {
	f := &mailAccountForm{sc: sc, old: old}
	sc.form = f
	var names []string
	for _, p := range mailProviders() {
		names = append(names, p.name)
	}
	f.help = widget.NewLabel("")
	f.help.Wrapping = fyne.TextWrapWord
	f.help.Importance = widget.LowImportance
	f.host = widget.NewEntry()
	f.host.SetPlaceHolder("imap.example.com")
	f.port = widget.NewEntry()
	f.port.SetPlaceHolder("993")
	f.security = widget.NewSelect(securityChoices(), func(string) { f.defaultPort() })
	f.user = widget.NewEntry()
	f.user.SetPlaceHolder("orders@yourshop.com")
	f.pass = widget.NewPasswordEntry()
	f.pass.SetPlaceHolder("app password")
	f.folders = widget.NewEntry()
	f.folders.SetPlaceHolder("INBOX")
	f.senders = widget.NewEntry()
	f.senders.SetPlaceHolder("any sender; or e.g. @etsy.com, @shopify.com")
	f.provider = widget.NewSelect(names, f.onProvider)
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()

	if old.ID != 0 {
		f.host.SetText(old.Host)
		f.port.SetText(strconv.Itoa(old.Port))
		f.security.SetSelected(securityChoice(old.Security))
		f.user.SetText(old.User)
		f.folders.SetText(strings.Join(old.Folders, ", "))
		f.senders.SetText(strings.Join(old.Senders, ", "))
		f.pass.SetPlaceHolder("leave empty to keep the saved password")
		f.provider.SetSelected(providerOf(old.Host))
	} else {
		f.provider.SetSelected(mailProviders()[0].name)
	}

	form := widget.NewForm(
		widget.NewFormItem("Mail service", f.provider),
		widget.NewFormItem("", f.help),
		widget.NewFormItem("Server", container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewLabel("Port"), fixedWidth(f.port, 70)), f.host)),
		widget.NewFormItem("Security", f.security),
		widget.NewFormItem("User name", f.user),
		widget.NewFormItem("Password", f.pass),
		widget.NewFormItem("Folders", f.folders),
		widget.NewFormItem("Only mail from", f.senders),
	)
	keyNote := mutedText("The password goes into this computer's keychain, never into the shop's database. Backroom only reads: " +
		"it never marks mail read, moves or deletes it.")
	f.test = widget.NewButtonWithIcon("Test connection", theme.SearchIcon(), f.onTest)
	f.save = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { f.d.Hide() })
	title := "Connect a mailbox"
	if old.ID != 0 {
		title = "Change the mailbox"
	}
	f.d = dialog.NewCustomWithoutButtons(title, fixedWidth(container.NewVBox(form, keyNote, f.message), mailFormWidth), sc.a.win)
	f.d.SetButtons([]fyne.CanvasObject{cancel, f.test, f.save})
	f.d.SetOnClosed(func() { sc.form = nil })
	f.d.Show()
	sc.a.win.Canvas().Focus(f.user)
}

func providerOf(host string) string {
	for _, p := range mailProviders() {
		if p.host != "" && strings.EqualFold(p.host, host) {
			return p.name
		}
	}
	return mailProviders()[len(mailProviders())-1].name
}

// onProvider fills the server settings of a known service and says how to get a password for it.
func (f *mailAccountForm) onProvider(name string) {
	for _, p := range mailProviders() {
		if p.name != name {
			continue
		}
		f.help.SetText(p.help)
		if p.host != "" {
			f.host.SetText(p.host)
			f.security.SetSelected(securityChoice(p.security))
			f.port.SetText("")
			f.defaultPort()
		}
	}
	if f.d != nil {
		f.d.Resize(fyne.NewSize(mailFormWidth+40, f.d.MinSize().Height))
	}
}

// defaultPort puts the usual port of the chosen security in an empty or still-default port field.
func (f *mailAccountForm) defaultPort() {
	if f.port == nil {
		return
	}
	if p := f.port.Text; p == "" || p == "993" || p == "143" {
		if securityOf(f.security.Selected) == data.MailTLS {
			f.port.SetText("993")
		} else {
			f.port.SetText("143")
		}
	}
}

// account is the account the form describes; the store checks it further when it is saved.
func (f *mailAccountForm) account() (data.MailAccount, error) {
	a := f.old
	a.Host = strings.TrimSpace(f.host.Text)
	a.Security = securityOf(f.security.Selected)
	a.User = strings.TrimSpace(f.user.Text)
	a.Port = 0
	if p := strings.TrimSpace(f.port.Text); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return a, fmt.Errorf("the port is a number, such as 993")
		}
		a.Port = n
	}
	a.Folders = splitList(f.folders.Text)
	a.Senders = splitList(f.senders.Text)
	if a.Port == 0 {
		a.Port = a.Security.DefaultPort()
	}
	if len(a.Folders) == 0 {
		a.Folders = []string{"INBOX"}
	}
	return a, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (f *mailAccountForm) say(msg string, importance widget.Importance) {
	f.message.SetText(msg)
	f.message.Importance = importance
	f.message.Show()
	f.message.Refresh()
	f.d.Resize(fyne.NewSize(mailFormWidth+40, f.d.MinSize().Height))
}

// password is the one typed, or the saved one when changing an account without typing a new one.
func (f *mailAccountForm) password(ctx context.Context, acct data.MailAccount) (string, error) {
	if f.pass.Text != "" {
		return f.pass.Text, nil
	}
	if f.old.ID == 0 {
		return "", errors.New("type the password (or app password) first")
	}
	pw, err := f.sc.a.mail.passwordFor(ctx, f.old)
	if err != nil {
		return "", errors.New("type the password: none is saved for this mailbox")
	}
	return pw, nil
}

// onTest connects with what the form says, without saving, and shows what it found.
func (f *mailAccountForm) onTest() {
	acct, err := f.account()
	if err != nil {
		f.say(err.Error(), widget.DangerImportance)
		return
	}
	if acct.Host == "" || acct.User == "" {
		f.say("Fill in the server and the user name first.", widget.DangerImportance)
		return
	}
	if acct.Security == data.MailInsecure && !data.IsLoopback(acct.Host) {
		f.say("Without encryption the password would cross the network in plain text; that is only allowed to a server on this computer. Choose TLS or STARTTLS.", widget.DangerImportance)
		return
	}
	f.test.Disable()
	f.say("Connecting to "+acct.Address()+"…", widget.MediumImportance)
	run(f.sc.a.bg, func(ctx context.Context) ([]mailbox.FolderInfo, error) {
		pw, err := f.password(ctx, acct)
		if err != nil {
			return nil, err
		}
		return mailbox.Check(ctx, acct, mailbox.Options{Password: pw})
	}, func(folders []mailbox.FolderInfo, err error) {
		f.test.Enable()
		if err != nil {
			f.say("The connection failed: "+mailErrorText(err), widget.DangerImportance)
			return
		}
		var parts []string
		for _, fi := range folders {
			parts = append(parts, fmt.Sprintf("%s has %s", fi.Name, plural(int(fi.Messages), "message", "messages")))
		}
		f.say("Connected and signed in. "+strings.Join(parts, "; ")+".", widget.SuccessImportance)
	})
}

// onSave saves the account and puts the password in the keychain; without a keychain it is kept in
// memory for this session, and the dialog says so.
func (f *mailAccountForm) onSave() {
	acct, err := f.account()
	if err != nil {
		f.say(err.Error(), widget.DangerImportance)
		return
	}
	if f.old.ID == 0 && f.pass.Text == "" {
		f.say("Type the password (or app password) for the mailbox.", widget.DangerImportance)
		f.sc.a.win.Canvas().Focus(f.pass)
		return
	}
	typed := f.pass.Text
	store, keys, old := f.sc.a.store, f.sc.a.keys, f.old
	f.save.Disable()
	type saved struct {
		acct    data.MailAccount
		keyErr  error  // why the password could not go into the keychain
		movedPw string // the saved password, moved with the account to its new key
	}
	run(f.sc.a.bg, func(ctx context.Context) (saved, error) {
		var out saved
		// A changed server or user files the password under another key: carry it over when none was typed.
		if old.ID != 0 && typed == "" && keychain.Key(old) != keychain.Key(acct) {
			out.movedPw, _ = keys.Password(ctx, old)
		}
		a, err := store.SaveMailAccount(ctx, acct)
		if err != nil {
			return out, err
		}
		out.acct = a
		pw := typed
		if pw == "" {
			pw = out.movedPw
		}
		if pw != "" {
			out.keyErr = keys.SetPassword(ctx, a, pw)
		}
		if old.ID != 0 && keychain.Key(old) != keychain.Key(a) {
			_ = keys.DeletePassword(ctx, old) // the old key names a mailbox Backroom no longer reads
		}
		return out, nil
	}, func(out saved, err error) {
		f.save.Enable()
		if err != nil {
			f.say(data.UserMessage(err), widget.DangerImportance)
			return
		}
		pw := typed
		if pw == "" {
			pw = out.movedPw
		}
		if out.keyErr != nil && pw != "" {
			f.sc.a.mail.password = pw
		}
		f.d.Hide()
		if out.keyErr != nil {
			dialog.ShowInformation("Password not saved",
				mailErrorText(out.keyErr)+"\n\nBackroom keeps the password in memory until it closes, and asks again next time.", f.sc.a.win)
		}
		f.sc.acct = out.acct
		f.sc.refresh()
		if pw != "" {
			f.sc.sync(out.acct, pw)
		} else {
			f.sc.onSyncNow() // the password saved before, read from the keychain in the background
		}
	})
}
