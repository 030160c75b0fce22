package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers/mailbox"
	"github.com/backroom-app/backroom/importers/ordermail"
)

// mailScreen is where the owner connects the mailbox the shops' order notifications arrive in, reads it
// now or lets Backroom watch it, and deals with mail that looked like an order but that Backroom could
// not read.
type mailScreen struct {
	a    *App
	acct data.MailAccount // the saved account; ID 0 when none is set up

	noAccount  *fyne.Container
	accountBox *fyne.Container
	account    *widget.Label
	facts      *widget.Label
	password   *widget.Label
	lastSync   *widget.Label
	watching   *widget.Label
	setup      *widget.Button
	edit       *widget.Button
	remove     *widget.Button
	syncNow    *widget.Button

	progressBox  *fyne.Container
	progress     *widget.ProgressBar
	progressText *widget.Label
	cancelSync   *widget.Button
	syncCancel   context.CancelFunc // stops the sync on display; nil when none runs

	review       *pagedTable[data.MailMessage]
	reviewTitle  *widget.Label
	reviewBox    *fyne.Container
	reviewSplit  *container.Split
	reviewHead   *widget.Label
	reviewFacts  *widget.Label
	reviewText   *widget.Label
	reviewScroll *container.Scroll
	enter        *widget.Button
	dismiss      *widget.Button
	chosen       data.MailMessage

	top      *fyne.Container  // the part above the review queue, laid out again when its parts show or hide
	form     *mailAccountForm // the account dialog while it is open
	entering *enterOrderForm  // the enter-order dialog last opened
}

func newMailScreen(a *App) *mailScreen {
	sc := &mailScreen{a: a}
	sc.account = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.account.Truncation = fyne.TextTruncateEllipsis
	sc.facts = widget.NewLabel("")
	sc.facts.Wrapping = fyne.TextWrapWord
	sc.password = widget.NewLabel("")
	sc.password.Wrapping = fyne.TextWrapWord
	sc.lastSync = widget.NewLabel("Never read yet.")
	sc.lastSync.Wrapping = fyne.TextWrapWord
	sc.watching = widget.NewLabel("")
	sc.watching.Wrapping = fyne.TextWrapWord

	sc.setup = widget.NewButtonWithIcon("Connect a mailbox…", theme.MailComposeIcon(), func() { sc.showAccountForm(data.MailAccount{}) })
	sc.setup.Importance = widget.HighImportance
	sc.edit = widget.NewButtonWithIcon("Change…", theme.DocumentCreateIcon(), func() { sc.showAccountForm(sc.acct) })
	sc.remove = widget.NewButtonWithIcon("Disconnect…", theme.DeleteIcon(), sc.onRemove)
	sc.syncNow = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), sc.onSyncNow)
	sc.syncNow.Importance = widget.HighImportance

	sc.progress = widget.NewProgressBar()
	sc.progressText = widget.NewLabel("")
	sc.cancelSync = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if sc.syncCancel != nil {
			sc.syncCancel()
		}
	})

	sc.review = newPagedTable(a, "messages", []column[data.MailMessage]{
		{title: "Received", width: 120, text: func(m data.MailMessage) string { return mailWhen(m) }},
		{title: "From", width: 150, grow: 1, drop: 1, text: func(m data.MailMessage) string { return m.From }},
		{title: "Subject", width: 200, grow: 3, text: func(m data.MailMessage) string { return m.Subject }},
	}, func(m data.MailMessage) string { return fmt.Sprint(m.ID) })
	sc.review.emptyText = "Nothing waits for review: every order e-mail so far was read."
	sc.review.onSelected = sc.showReview
	sc.reviewTitle = widget.NewLabelWithStyle("Waiting for review", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.reviewTitle.SizeName = theme.SizeNameSubHeadingText
	sc.reviewHead = detailHeading("")
	sc.reviewFacts = widget.NewLabel("")
	sc.reviewFacts.Wrapping = fyne.TextWrapWord
	sc.reviewText = selectableLabel("")
	sc.reviewText.Wrapping = fyne.TextWrapWord
	sc.enter = widget.NewButtonWithIcon("Enter the order…", theme.ContentAddIcon(), func() { sc.showEnterOrder(sc.chosen) })
	sc.enter.Importance = widget.HighImportance
	sc.dismiss = widget.NewButtonWithIcon("Not an order", theme.ContentClearIcon(), sc.onDismiss)

	a.mail.onChange = func() { sc.watching.SetText(a.mail.status()) }
	return sc
}

func (sc *mailScreen) view() fyne.CanvasObject {
	para := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	sc.noAccount = container.NewVBox(
		widget.NewLabelWithStyle("No mailbox is connected yet.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		para("Connect the mailbox your shops send their order e-mails to: Gmail, Outlook, iCloud, Fastmail or your own "+
			"mail server. Backroom reads it, never marks a message read, moves or deletes it, and turns every order "+
			"notification into an order with its stock reserved, hours before any report is downloaded."),
		para("It recognises Shopify “Order placed”, Etsy “You made a sale”, WooCommerce “New order”, eBay “You made the sale” "+
			"and Amazon “Sold, ship now” e-mails, also when you forward them from another mailbox."),
		container.NewHBox(sc.setup),
	)
	sc.accountBox = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.MailComposeIcon()), container.NewHBox(sc.edit, sc.remove), sc.account),
		sc.facts, sc.password, widget.NewSeparator(), sc.lastSync, sc.watching,
	)
	sc.accountBox.Hide()
	sc.progressBox = container.NewBorder(nil, nil, nil, sc.cancelSync, container.NewVBox(sc.progressText, sc.progress))
	sc.progressBox.Hide()

	header := screenHeader("Order e-mails", "Orders read from the shop's mailbox as they arrive.", sc.syncNow)
	sc.top = container.NewVBox(header, widget.NewSeparator(), sc.noAccount, sc.accountBox, sc.progressBox)

	sc.reviewScroll = container.NewVScroll(sc.reviewText)
	actions := container.NewHBox(sc.enter, sc.dismiss)
	sc.reviewBox = container.NewBorder(container.NewVBox(sc.reviewHead, sc.reviewFacts, actions, widget.NewSeparator()), nil, nil, nil, sc.reviewScroll)
	sc.reviewBox.Hide()
	sc.reviewSplit = container.NewHSplit(sc.review.view(), sc.reviewBox)
	sc.reviewSplit.Offset = 0.45
	reviewNote := mutedText("E-mails that look like orders but that Backroom could not read. Open one to enter its order by hand, or set it aside if it is no order. " +
		"Saved e-mails (.eml files) dropped on the window are read here too.")
	bottom := container.NewBorder(container.NewVBox(widget.NewSeparator(), sc.reviewTitle, reviewNote), nil, nil, nil, sc.reviewSplit)
	return container.NewPadded(container.NewBorder(sc.top, nil, nil, nil, bottom))
}

// refresh reloads the account, its last sync and the review queue.
func (sc *mailScreen) refresh() {
	store := sc.a.store
	keys := sc.a.keys
	type state struct {
		acct     data.MailAccount
		runs     []data.MailSyncRun
		password error // nil when the keychain has the password
		toReview int
	}
	run(sc.a.bg, func(ctx context.Context) (state, error) {
		var st state
		var err error
		if st.toReview, err = store.CountMailToReview(ctx); err != nil {
			return st, err
		}
		accts, err := store.MailAccounts(ctx)
		if err != nil || len(accts) == 0 {
			return st, err
		}
		st.acct = accts[0]
		if st.runs, err = store.MailSyncRuns(ctx, st.acct.ID, 50); err != nil {
			return st, err
		}
		_, st.password = keys.Password(ctx, st.acct)
		return st, nil
	}, func(st state, err error) {
		if err != nil {
			showError(sc.a.win, err)
			return
		}
		sc.showAccount(st.acct, st.runs, st.password)
		if st.toReview == 0 {
			sc.reviewTitle.SetText("Waiting for review")
		} else {
			sc.reviewTitle.SetText(fmt.Sprintf("Waiting for review (%d)", st.toReview))
		}
	})
	sc.review.setSource(listSource(func(ctx context.Context) ([]data.MailMessage, error) { return store.MailReviewQueue(ctx) }))
	if sc.chosen.ID != 0 {
		sc.reviewBox.Hide()
		sc.chosen = data.MailMessage{}
	}
}

// showAccount fills the account card.
func (sc *mailScreen) showAccount(acct data.MailAccount, runs []data.MailSyncRun, password error) {
	sc.acct = acct
	defer sc.top.Refresh()
	if acct.ID == 0 {
		sc.noAccount.Show()
		sc.accountBox.Hide()
		sc.syncNow.Disable()
		return
	}
	sc.noAccount.Hide()
	sc.accountBox.Show()
	sc.syncNow.Enable()
	sc.account.SetText(acct.Label())
	security := map[data.MailSecurity]string{data.MailTLS: "TLS", data.MailStartTLS: "STARTTLS", data.MailInsecure: "no encryption"}[acct.Security]
	senders := "mail from any sender"
	if len(acct.Senders) > 0 {
		senders = "only mail from " + strings.Join(acct.Senders, ", ")
	}
	sc.facts.SetText(fmt.Sprintf("Server %s (%s) · folders: %s · %s", acct.Address(), security, strings.Join(acct.Folders, ", "), senders))
	switch {
	case password == nil:
		sc.password.SetText("The password is kept in this computer's keychain.")
		sc.password.Importance = widget.LowImportance
	case errors.Is(password, keychain.ErrUnavailable):
		sc.password.SetText(capitalized(mailErrorText(password)) + ".")
		sc.password.Importance = widget.WarningImportance
	case sc.a.mail.password != "":
		sc.password.SetText("The password you typed is kept in memory until Backroom closes; it is not saved.")
		sc.password.Importance = widget.LowImportance
	default:
		sc.password.SetText("No password is saved: Sync now asks for it.")
		sc.password.Importance = widget.WarningImportance
	}
	sc.password.Refresh()
	sc.showLastSync(runs)
	sc.watching.SetText(sc.a.mail.status())
}

// showLastSync says how the newest sync ended, and when new mail last came in: the watch checks every
// few minutes, so the newest run alone would mostly say "no new mail".
func (sc *mailScreen) showLastSync(runs []data.MailSyncRun) {
	if len(runs) == 0 {
		sc.lastSync.SetText("Never read yet: Sync now reads the mailbox for the first time.")
		sc.lastSync.Importance = widget.MediumImportance
		sc.lastSync.Refresh()
		return
	}
	last := runs[0]
	var text string
	switch {
	case last.Cancelled:
		text = fmt.Sprintf("Last sync %s was cancelled after %s. The next one continues where it stopped.",
			whenText(last.Finished), mailCounts(last.Result))
		sc.lastSync.Importance = widget.WarningImportance
	case last.Error != "":
		text = fmt.Sprintf("Last sync %s failed: %s", whenText(last.Finished), last.Error)
		sc.lastSync.Importance = widget.DangerImportance
	default:
		text = fmt.Sprintf("Last sync %s: %s.", whenText(last.Finished), mailCounts(last.Result))
		sc.lastSync.Importance = widget.SuccessImportance
	}
	if last.Result.Seen == 0 {
		for _, r := range runs[1:] {
			if r.Result.Seen > 0 {
				text += fmt.Sprintf(" New mail was last read %s: %s.", whenText(r.Finished), mailCounts(r.Result))
				break
			}
		}
	}
	sc.lastSync.SetText(text)
	sc.lastSync.Refresh()
}

// mailCounts says what a sync did, in a sentence.
func mailCounts(r data.MailResult) string {
	if r.Seen == 0 {
		return "no new mail"
	}
	parts := []string{plural(r.Seen, "message read", "messages read")}
	add := func(n int, one, many string) {
		if n > 0 {
			parts = append(parts, plural(n, one, many))
		}
	}
	add(r.OrdersNew, "new order", "new orders")
	add(r.OrdersUpdated, "order updated", "orders updated")
	add(r.Ignored, "not an order", "not orders")
	add(r.Tickets, "filed under a support ticket", "filed under support tickets")
	add(r.Held, "order held for a locked period", "orders held for a locked period")
	add(r.Queued, "waiting for review", "waiting for review")
	add(r.Duplicates, "already read", "already read")
	return strings.Join(parts, ", ")
}

func mailWhen(m data.MailMessage) string {
	t := m.Received
	if t.IsZero() {
		t = m.Date
	}
	if t.IsZero() {
		return ""
	}
	return t.In(time.Local).Format("2 Jan 15:04")
}

// onSyncNow reads the mailbox now, asking for the password when no keychain holds it.
func (sc *mailScreen) onSyncNow() {
	if sc.acct.ID == 0 {
		sc.showAccountForm(data.MailAccount{})
		return
	}
	acct := sc.acct
	sc.syncNow.Disable()
	run(sc.a.bg, func(ctx context.Context) (string, error) {
		return sc.a.mail.passwordFor(ctx, acct)
	}, func(pw string, err error) {
		if err != nil {
			sc.syncNow.Enable()
			sc.askPassword(acct, err, func(typed string) { sc.sync(acct, typed) })
			return
		}
		sc.sync(acct, pw)
	})
}

// askPassword asks for the account's password, saying why it has to: nothing saved, or no keychain.
func (sc *mailScreen) askPassword(acct data.MailAccount, why error, then func(string)) {
	entry := widget.NewPasswordEntry()
	entry.SetPlaceHolder("password or app password")
	reason := "No password is saved for " + acct.Label() + "."
	var none *keychain.UnavailableError
	if errors.As(why, &none) && none.Reason != "" {
		reason = "No keychain is available on this computer to keep it (" + none.Reason + ")."
	} else if errors.Is(why, keychain.ErrUnavailable) {
		reason = "No keychain is available on this computer to keep it."
	} else if !errors.Is(why, keychain.ErrNotFound) {
		reason = "The keychain could not be read (" + mailErrorText(why) + ")."
	}
	note := widget.NewLabel(reason + " Backroom keeps what you type in memory only, until it closes.")
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewForm("Password for "+acct.Label(), "Sync", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("", note), widget.NewFormItem("Password", entry)}, func(ok bool) {
			if ok && entry.Text != "" {
				sc.a.mail.password = entry.Text
				then(entry.Text)
			}
		}, sc.a.win)
	entry.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
	sc.a.win.Canvas().Focus(entry)
}

// sync reads the mailbox with a progress bar and a Cancel button. The watch stops meanwhile, so the two
// never read the same folder at once, and starts again with the password that worked.
func (sc *mailScreen) sync(acct data.MailAccount, password string) {
	ctx, cancel := context.WithCancel(sc.a.bg.ctx)
	sc.syncCancel = cancel
	sc.a.mail.stop()
	sc.syncNow.Disable()
	sc.edit.Disable()
	sc.remove.Disable()
	sc.progress.SetValue(0)
	sc.progressText.SetText("Connecting to " + acct.Address() + "…")
	sc.progressBox.Show()
	sc.top.Refresh()
	store := sc.a.store
	opt := mailbox.Options{Password: password, Progress: func(p mailbox.Progress) {
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			if p.Total > 0 {
				sc.progress.SetValue(float64(p.Done) / float64(p.Total))
			}
			sc.progressText.SetText(fmt.Sprintf("Reading %s: %s of %s new messages · %s", p.Folder,
				groupDigits(int64(p.Done)), groupDigits(int64(p.Total)), mailCounts(p.Result)))
		})
	}}
	started := time.Now()
	type outcome struct {
		res       data.MailResult
		cancelled bool // however the cancel surfaced: a closed connection, a rolled-back write
	}
	run(sc.a.bg, func(context.Context) (outcome, error) {
		defer cancel()
		res, err := mailbox.Sync(ctx, store, acct, opt)
		return outcome{res, ctx.Err() != nil}, err
	}, func(out outcome, err error) {
		res := out.res
		sc.syncCancel = nil
		sc.progressBox.Hide()
		sc.top.Refresh()
		sc.syncNow.Enable()
		sc.edit.Enable()
		sc.remove.Enable()
		run := data.MailSyncRun{AccountID: acct.ID, Started: started, Finished: time.Now(), Result: res}
		switch {
		case out.cancelled:
			run.Cancelled = true
		case err != nil:
			run.Error = mailErrorText(err)
		}
		sc.showLastSync([]data.MailSyncRun{run})
		if errors.Is(err, mailbox.ErrAuth) {
			sc.a.mail.password = ""
		}
		if err == nil || out.cancelled {
			sc.a.mail.start(store, acct, password)
		}
		sc.review.reload()
		sc.a.changed()
		sc.refresh()
	})
}

// onRemove disconnects the mailbox after asking: the mail already read and its orders stay.
func (sc *mailScreen) onRemove() {
	acct := sc.acct
	msg := fmt.Sprintf("Stop reading %s? The orders already read from it stay, and so does the review queue. "+
		"The saved password is removed from the keychain.", acct.Label())
	dialog.ShowConfirm("Disconnect the mailbox", msg, func(ok bool) {
		if !ok {
			return
		}
		sc.a.mail.stop()
		sc.a.mail.password = ""
		store, keys := sc.a.store, sc.a.keys
		run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
			if err := store.DeleteMailAccount(ctx, acct.ID); err != nil {
				return struct{}{}, err
			}
			if err := keys.DeletePassword(ctx, acct); err != nil && !errors.Is(err, keychain.ErrUnavailable) {
				return struct{}{}, err
			}
			return struct{}{}, nil
		}, func(_ struct{}, err error) {
			if err != nil {
				showError(sc.a.win, err)
			}
			sc.refresh()
		})
	}, sc.a.win)
}

// showReview opens a message of the review queue beside the list: why it is there and what it says.
func (sc *mailScreen) showReview(m data.MailMessage) {
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (string, error) {
		full, err := store.StoredMail(ctx, m.ID)
		if err != nil {
			return "", err
		}
		text, err := ordermail.Text(strings.NewReader(string(full.Raw)))
		if err != nil {
			return "", fmt.Errorf("read message %d: %w", m.ID, err)
		}
		return text, nil
	}, func(text string, err error) {
		if err != nil {
			text = "The message could not be shown: " + mailErrorText(err)
		}
		sc.chosen = m
		sc.reviewHead.SetText(m.Subject)
		var why []string
		for _, p := range m.Problems {
			why = append(why, p.Reason)
		}
		sc.reviewFacts.SetText(fmt.Sprintf("From %s · received %s\nWhy it is here: %s", m.From, mailWhen(m), strings.Join(why, "; ")))
		sc.reviewText.SetText(text)
		sc.reviewScroll.ScrollToTop()
		showPanel(sc.reviewSplit, sc.reviewBox)
	})
}

// onDismiss sets the chosen message aside as no order.
func (sc *mailScreen) onDismiss() {
	m := sc.chosen
	if m.ID == 0 {
		return
	}
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, store.DismissMail(ctx, m.ID)
	}, func(_ struct{}, err error) {
		if err != nil {
			showError(sc.a.win, err)
		}
		sc.refresh()
	})
}

// allMail reports whether every dropped file is a saved e-mail, which goes to the Mail screen rather
// than to Imports.
func allMail(uris []fyne.URI) bool {
	for _, u := range uris {
		if !strings.EqualFold(u.Extension(), ".eml") {
			return false
		}
	}
	return len(uris) > 0
}

// readFiles reads saved e-mails (.eml files dropped on the window) through the same pipeline as the
// mailbox, in one transaction: a file that cannot be read stops them all, and says which.
func (sc *mailScreen) readFiles(uris []fyne.URI) {
	store := sc.a.store
	run(sc.a.bg, func(ctx context.Context) (data.MailResult, error) {
		var msgs []data.MailMessage
		for _, u := range uris {
			raw, err := readURI(u)
			if err != nil {
				return data.MailResult{}, fmt.Errorf("read %s: %w", u.Name(), err)
			}
			if _, err := ordermail.Parse(bytes.NewReader(raw)); err != nil {
				return data.MailResult{}, fmt.Errorf("%s is not an e-mail (%v)", u.Name(), err)
			}
			received := time.Now()
			if info, err := os.Stat(u.Path()); err == nil {
				received = info.ModTime()
			}
			m := mailbox.Message(raw, received)
			m.Source = u.Name()
			msgs = append(msgs, m)
		}
		return store.ApplyMail(ctx, data.MailBatch{Messages: msgs})
	}, func(res data.MailResult, err error) {
		if err != nil {
			dialog.ShowInformation("Saved e-mails", "Nothing was read: "+mailErrorText(err), sc.a.win)
			return
		}
		dialog.ShowInformation("Saved e-mails", capitalized(mailCounts(res))+".", sc.a.win)
		sc.refresh()
		sc.a.changed()
	})
}

func readURI(u fyne.URI) ([]byte, error) {
	r, err := storage.Reader(u)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, 64<<20))
}
