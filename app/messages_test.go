package app

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/app/keychain"
	"github.com/backroom-app/backroom/data"
)

// notifications records the desktop notifications the message watch sends.
type notifications struct {
	mu   sync.Mutex
	sent []fyne.Notification
}

func (n *notifications) send(x *fyne.Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, *x)
}

func (n *notifications) notifications() []fyne.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]fyne.Notification(nil), n.sent...)
}

func newTestClock(t time.Time) *testClock { return &testClock{t: t} }

func (c *testClock) add(d time.Duration) { c.set(c.Now().Add(d)) }

// newMessagesTestApp is newTestApp with the store on clock and notifications recorded.
func newMessagesTestApp(t *testing.T, clock *testClock, seed func(*data.Store)) (*App, *notifications) {
	t.Helper()
	ctx := context.Background()
	fa := newUIApp(t)
	rec := &notifications{}
	base, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	t.Cleanup(func() { base.Close() })
	seedTestShop(t, base)
	if seed != nil {
		seed(base)
	}
	a := New(ctx, fa, base)
	a.keys = keychain.NewWith("backroom-test", keychain.NewMemory())
	a.messages.send = rec.send
	t.Cleanup(a.Stop)
	u, err := base.UserByName(ctx, testOwner)
	if err != nil {
		t.Fatal(err)
	}
	fa.driver.lock()
	a.signedIn(base.As(u))
	fa.driver.unlock()
	a.bg.wait()
	return a, rec
}

// shippedRule saves a template and a rule sending it when any order ships.
func shippedRule(t *testing.T, s *data.Store) (data.MessageTemplate, data.MessageRule) {
	t.Helper()
	ctx := context.Background()
	tpl, err := s.SaveMessageTemplate(ctx, data.MessageTemplate{Name: "Shipped", Subject: "Order {{.OrderID}} is on its way",
		Body: "Hello {{.CustomerName}}, your parcel left today."})
	if err != nil {
		t.Fatalf("SaveMessageTemplate: %v", err)
	}
	rule, err := s.SaveMessageRule(ctx, data.MessageRule{Name: "Tell them it shipped", Trigger: data.TriggerOrderShipped, Enabled: true,
		Action: data.ActionMessage, TemplateID: tpl.ID})
	if err != nil {
		t.Fatalf("SaveMessageRule: %v", err)
	}
	return tpl, rule
}

func orderID(t *testing.T, s *data.Store, channel, ext string) int64 {
	t.Helper()
	list, err := s.Orders(context.Background(), data.OrderFilter{Channel: channel, Search: ext})
	if err != nil || len(list) == 0 {
		t.Fatalf("no %s order %s: %v", channel, ext, err)
	}
	return list[0].ID
}

// openMessageSettings opens Settings › Messages on the given inner tab.
func openMessageSettings(t *testing.T, a *App, tab int) *messageSettings {
	t.Helper()
	sc := showScreen[*settingsScreen](t, a, sectionSettings)
	if sc.messages == nil {
		t.Fatal("the owner's Settings have no Messages tab")
	}
	for _, item := range sc.tabs.Items {
		if item.Text == messagesTabTitle {
			sc.tabs.Select(item)
		}
	}
	sc.messages.tabs.SelectIndex(tab)
	waitUI(a)
	return sc.messages
}

func TestTemplatePreview_FollowsEdits(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	shippedRule(t, a.base)
	m := openMessageSettings(t, a, 1)
	e := m.templates
	// The preview starts on the latest shipped order: shopify 2001, Mary Somerville's.
	if !strings.HasPrefix(e.order.Selected, "Shopify 2001") {
		t.Fatalf("preview order = %q, want the latest shipped, Shopify 2001", e.order.Selected)
	}
	if got := e.previewSubj.Text; got != "Subject: Order 2001 is on its way" {
		t.Errorf("preview subject = %q", got)
	}
	if got := e.previewBody.Text; !strings.Contains(got, "Hello Mary Somerville, your parcel left today.") {
		t.Errorf("preview body = %q", got)
	}

	e.body.SetText("Dear {{.CustomerName}}, thank you for order {{.OrderID}}.")
	waitUI(a)
	if got := e.previewBody.Text; !strings.Contains(got, "Dear Mary Somerville, thank you for order 2001.") {
		t.Errorf("after the edit the preview body = %q", got)
	}

	e.order.SetSelected(previewChoice(mustOrder(t, a.base, "etsy", "1001")))
	waitUI(a)
	if got := e.previewBody.Text; !strings.Contains(got, "Dear Ada Lovelace, thank you for order 1001.") {
		t.Errorf("on etsy 1001 the preview body = %q", got)
	}

	e.body.SetText("Dear {{.CustomerName}\nbroken")
	waitUI(a)
	if !e.previewErr.Visible() || e.previewErr.Text == "" {
		t.Fatalf("a broken template shows no error; preview = %q", e.previewBody.Text)
	}

	// Saving keeps the edit: the store has the new body.
	e.body.SetText("Dear {{.CustomerName}}, it shipped.")
	test.Tap(e.save)
	waitUI(a)
	all, err := a.base.MessageTemplates(context.Background())
	if err != nil || len(all) != 1 || all[0].Body != "Dear {{.CustomerName}}, it shipped." {
		t.Fatalf("templates after save = %+v, %v", all, err)
	}
}

func mustOrder(t *testing.T, s *data.Store, channel, ext string) data.Order {
	t.Helper()
	o, err := s.Order(context.Background(), orderID(t, s, channel, ext))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestRuleEditor_SavesAndNamesTheWrongField(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	tpl, _ := shippedRule(t, a.base)
	m := openMessageSettings(t, a, 0)
	e := m.rules
	if len(e.all) != 1 || e.name.Text != "Tell them it shipped" {
		t.Fatalf("rules editor shows %d rules, name %q", len(e.all), e.name.Text)
	}
	e.startNew()
	e.name.SetText("Big UK orders")
	e.trigger.SetSelected(triggerLabel(data.TriggerOrderImported))
	e.minTotal.SetText("50")
	e.country.SetText("GBR")
	e.action.SetSelected(actionMessageLabel)
	e.template.SetSelected(tpl.Name)
	test.Tap(e.save)
	waitUI(a)
	if !e.note.Visible() || !strings.HasPrefix(e.note.Text, "Ships to country") {
		t.Fatalf("a three-letter country: note = %q", e.note.Text)
	}
	e.country.SetText("gb")
	test.Tap(e.save)
	waitUI(a)
	rules, err := a.base.MessageRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got *data.MessageRule
	for i := range rules {
		if rules[i].Name == "Big UK orders" {
			got = &rules[i]
		}
	}
	if got == nil || got.MinTotal != 5000 || got.Country != "GB" || got.Trigger != data.TriggerOrderImported ||
		got.Action != data.ActionMessage || got.TemplateID != tpl.ID || !got.Enabled {
		t.Fatalf("saved rule = %+v (note %q)", got, e.note.Text)
	}
}

func TestOutbox_ShowsQueuedMessageAndSentLog(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	ctx := context.Background()
	shippedRule(t, a.base)
	id := orderID(t, a.base, "etsy", "1001")
	if _, err := a.base.ShipOrder(ctx, id, data.Shipment{Carrier: "Royal Mail", Tracking: "RM1GB", ShippedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	fired, err := a.base.EvaluateMessageRules(ctx, false)
	if err != nil || len(fired) != 1 {
		t.Fatalf("EvaluateMessageRules fired %v, %v; want one", fired, err)
	}
	sc := showScreen[*outboxScreen](t, a, sectionOutbox)
	if !hasText(sc.list.view(), "Order 1001 is on its way") || !hasText(sc.list.view(), "Queued") {
		t.Fatalf("the outbox shows %q", texts(sc.list.view()))
	}
	sc.list.choose(0)
	waitUI(a)
	if sc.chosen == nil || sc.body.Text != "Hello Ada Lovelace, your parcel left today." || !hasText(sc.detail, "Ada Lovelace <ada@example.com>") {
		t.Fatalf("chosen message body = %q, detail %q", sc.body.Text, texts(sc.detail))
	}
	if sc.retry.Visible() || sc.markDone.Visible() {
		t.Error("a queued message offers Retry or Mark done")
	}

	// Sending it (as the sender does) moves it to the Sent view and into the order's sent log.
	msgID := sc.chosen.ID
	if err := a.base.MarkSending(ctx, msgID); err != nil {
		t.Fatal(err)
	}
	if err := a.base.MarkSent(ctx, msgID, data.RouteSMTP); err != nil {
		t.Fatal(err)
	}
	sc.filter.SetSelected(outboxSentTab)
	waitUI(a)
	if !hasText(sc.list.view(), "Order 1001 is on its way") {
		t.Fatalf("the Sent view shows %q", texts(sc.list.view()))
	}
	a.showOrder(id)
	waitUI(a)
	orders := a.screens[sectionOrders].(*ordersScreen)
	waitUI(a)
	if !hasText(orders.detail, "Messages to the customer") || !hasText(orders.detail, "Order 1001 is on its way") {
		t.Fatalf("the order's detail shows %q", texts(orders.detail))
	}
}

func TestOutbox_PasteRoute(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	ctx := context.Background()
	shippedRule(t, a.base)
	// Emmy Noether's shopify order has no e-mail address: the message waits to be pasted.
	if _, err := a.base.ShipOrder(ctx, orderID(t, a.base, "shopify", "2002"), data.Shipment{Carrier: "DPD", Tracking: "DPD1", ShippedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.base.EvaluateMessageRules(ctx, false); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*outboxScreen](t, a, sectionOutbox)
	if hasText(sc.list.view(), "Order 2002 is on its way") {
		t.Fatal("a message to paste is listed as waiting to be sent")
	}
	sc.filter.SetSelected(outboxToPaste)
	waitUI(a)
	sc.list.choose(0)
	waitUI(a)
	if sc.chosen == nil || sc.chosen.Subject != "Order 2002 is on its way" || !sc.copyText.Visible() || !sc.markDone.Visible() {
		t.Fatalf("the To paste view: chosen %+v, copy %v, done %v", sc.chosen, sc.copyText.Visible(), sc.markDone.Visible())
	}
	test.Tap(sc.copyText)
	if got := a.fyne.Clipboard().Content(); got != "Order 2002 is on its way\n\nHello Emmy Noether, your parcel left today." {
		t.Errorf("clipboard = %q", got)
	}
	test.Tap(sc.markDone)
	waitUI(a)
	got, err := a.base.Outbox(ctx, data.OutboxFilter{})
	if err != nil || len(got) != 1 || got[0].Status != data.OutboxDone {
		t.Fatalf("after Mark done the outbox holds %+v, %v", got, err)
	}
}

func TestOutbox_FailedMessageRetries(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	ctx := context.Background()
	shippedRule(t, a.base)
	if _, err := a.base.ShipOrder(ctx, orderID(t, a.base, "etsy", "1001"), data.Shipment{Carrier: "DPD", Tracking: "DPD1", ShippedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.base.EvaluateMessageRules(ctx, false); err != nil {
		t.Fatal(err)
	}
	msgs, err := a.base.Outbox(ctx, data.OutboxFilter{})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox = %v, %v", msgs, err)
	}
	if err := a.base.MarkSending(ctx, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.base.MarkFailed(ctx, msgs[0].ID, "550 mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	sc := showScreen[*outboxScreen](t, a, sectionOutbox)
	sc.list.choose(0)
	waitUI(a)
	if !sc.retry.Visible() || !sc.problem.Visible() || !strings.Contains(sc.problem.Text, "550 mailbox unavailable") {
		t.Fatalf("a failed message: retry shown %v, problem %q", sc.retry.Visible(), sc.problem.Text)
	}
	test.Tap(sc.retry)
	waitUI(a)
	got, err := a.base.Outbox(ctx, data.OutboxFilter{})
	if err != nil || got[0].Status != data.OutboxQueued {
		t.Fatalf("after Retry the message is %v, %v", got, err)
	}
}

func TestExceptions_HandleFromDashboard(t *testing.T) {
	clock := newTestClock(time.Now())
	a, _ := newMessagesTestApp(t, clock, nil)
	holdUI(t, a)
	sc := showScreen[*dashboardScreen](t, a, sectionDashboard)
	if sc.exceptions == nil {
		t.Fatal("the owner's dashboard has no exceptions card")
	}
	card := sc.exceptions.view()
	// etsy 1001 is a day past its ship-by date: open, and past the late-order limit, so first and red.
	if len(sc.exceptions.shown) == 0 || sc.exceptions.shown[0].Kind != data.ExceptionLateOrder || !hasText(card, "etsy order 1001") {
		t.Fatalf("exceptions card shows %q", texts(card))
	}
	late := sc.exceptions.shown[0]
	var handle *widget.Button
	walk(card, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Handle…" && handle == nil {
			handle = b
		}
	})
	test.Tap(handle)
	save := overlayButton(t, a, "Mark handled")
	test.Tap(save)
	if open, _ := a.base.Exceptions(context.Background(), true); !containsException(open, late.ID) {
		t.Fatal("Mark handled with no words closed the exception")
	}
	var how *widget.Entry
	walk(a.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok {
			how = e
		}
	})
	how.SetText("Wrote to Ada: ships tomorrow")
	test.Tap(save)
	waitUI(a)
	handled, err := a.base.Exceptions(context.Background(), false)
	if err != nil || len(handled) == 0 || handled[0].ID != late.ID || handled[0].How != "Wrote to Ada: ships tomorrow" || handled[0].HandledBy == "" {
		t.Fatalf("handled exceptions = %+v, %v", handled, err)
	}
	if hasText(card, "etsy order 1001") {
		t.Errorf("the card still lists the handled exception: %q", texts(card))
	}
}

func containsException(list []data.Exception, id int64) bool {
	for _, e := range list {
		if e.ID == id {
			return true
		}
	}
	return false
}

func TestExceptions_NotifyOncePastTheLimit(t *testing.T) {
	start := time.Now().UTC()
	clock := newTestClock(start)
	a, rec := newMessagesTestApp(t, clock, func(s *data.Store) {
		// Shopify 2002 is due in a day: late only once the clock passes it.
		if err := s.SetExceptionLimit(context.Background(), data.ExceptionLateOrder, time.Hour); err != nil {
			t.Fatal(err)
		}
	})
	holdUI(t, a)
	// On sign-in: etsy 1001 has been late for a day, past the hour's limit.
	first := rec.notifications()
	if len(first) != 1 || first[0].Title != "Exception waiting too long" || !strings.Contains(first[0].Content, "etsy order 1001") {
		t.Fatalf("notifications on sign-in = %+v", first)
	}
	a.messages.changed()
	waitUI(a)
	if n := len(rec.notifications()); n != 1 {
		t.Fatalf("a second check notified again: %+v", rec.notifications())
	}
	// A day and two hours on, three more are past their limits: shopify 2002 (due in 24 h, limit 1 h),
	// etsy 1002's unmatched candle and the oversold APRON-RUST (24 h each). One notification says so,
	// naming the oldest.
	clock.add(24*time.Hour + 2*time.Hour)
	a.messages.changed()
	waitUI(a)
	all := rec.notifications()
	if len(all) != 2 || all[1].Title != "3 exceptions waiting too long" || !strings.HasSuffix(all[1].Content, " and 2 more.") {
		t.Fatalf("notifications a day later = %+v", all)
	}
}

func TestNotifyRule_SendsDesktopNotification(t *testing.T) {
	clock := newTestClock(time.Now().UTC())
	a, rec := newMessagesTestApp(t, clock, nil)
	holdUI(t, a)
	ctx := context.Background()
	if _, err := a.base.SaveMessageRule(ctx, data.MessageRule{Name: "Tell me about shipments", Trigger: data.TriggerOrderShipped,
		Enabled: true, Action: data.ActionNotify}); err != nil {
		t.Fatal(err)
	}
	clock.add(time.Minute)
	if _, err := a.base.ShipOrder(ctx, orderID(t, a.base, "shopify", "2002"), data.Shipment{Carrier: "DPD", Tracking: "DPD2", ShippedAt: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	before := len(rec.notifications())
	a.changed()
	waitUI(a)
	got := rec.notifications()[before:]
	if len(got) != 1 || !strings.Contains(got[0].Title+got[0].Content, "2002") {
		t.Fatalf("notifications for the notify rule = %+v", got)
	}
	pending, err := a.base.PendingNotifications(ctx)
	if err != nil || len(pending) != 0 {
		t.Errorf("pending after showing = %v, %v", pending, err)
	}
}

func TestSendingAccount_PasswordGoesToKeychain(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	m := openMessageSettings(t, a, 2)
	f := m.account
	f.route.SetSelected(routeSMTPLabel)
	f.host.SetText("smtp.example.com")
	f.security.SetSelected(securityTLS)
	f.user.SetText("shop@example.com")
	f.from.SetText("hello@example.com")
	f.fromName.SetText("Fern & Kettle")
	test.Tap(f.save)
	waitUI(a)
	if !strings.HasPrefix(f.note.Text, "Password:") {
		t.Fatalf("saving a new server without a password: note = %q", f.note.Text)
	}
	f.password.SetText("s3cret app password")
	test.Tap(f.save)
	waitUI(a)
	ctx := context.Background()
	acct, err := a.base.SMTPAccount(ctx)
	want := data.SMTPAccount{Host: "smtp.example.com", Port: 465, Security: data.SMTPTLS, User: "shop@example.com",
		From: "hello@example.com", FromName: "Fern & Kettle", Route: data.RouteSMTP}
	if err != nil || acct != want {
		t.Fatalf("SMTPAccount = %+v, %v; want %+v (note %q)", acct, err, want, f.note.Text)
	}
	if pw, err := a.keys.SMTPPassword(ctx, acct); err != nil || pw != "s3cret app password" {
		t.Fatalf("keychain holds %q, %v", pw, err)
	}
	if f.password.Text != "" {
		t.Error("the password stays in the form after saving")
	}

	// A server nobody listens on: Test connection says so instead of pretending.
	f.host.SetText("127.0.0.1")
	f.port.SetText("1")
	f.security.SetSelected(securityNone)
	f.password.SetText("x")
	test.Tap(f.test)
	waitUI(a)
	if f.note.Importance != widget.DangerImportance || !strings.Contains(f.note.Text, "127.0.0.1") {
		t.Errorf("testing a closed port: note = %q", f.note.Text)
	}
}

func TestMessages_HiddenFromPackers(t *testing.T) {
	a := newTestAppAs(t, testPacker)
	holdUI(t, a)
	if a.canShow(sectionOutbox) {
		t.Error("a packer sees the Outbox")
	}
	if a.outbox.sender != nil || a.messages.store != nil {
		t.Error("a packer's session sends the outbox or fires the rules")
	}
	dash := showScreen[*dashboardScreen](t, a, sectionDashboard)
	if dash.exceptions != nil {
		t.Error("a packer's dashboard lists exceptions")
	}
	settings := showScreen[*settingsScreen](t, a, sectionSettings)
	if settings.messages != nil {
		t.Error("a packer's Settings have the Messages tab, with the sending account")
	}
}

func TestExceptionLimits_Saved(t *testing.T) {
	a := newTestApp(t)
	holdUI(t, a)
	f := openMessageSettings(t, a, 3).limits
	// The defaults: 4 hours for a late order, two days for an overdue PO.
	if f.entries[data.ExceptionLateOrder].Text != "4" || f.entries[data.ExceptionPOOverdue].Text != "48" {
		t.Fatalf("limits shown: late %q, PO %q", f.entries[data.ExceptionLateOrder].Text, f.entries[data.ExceptionPOOverdue].Text)
	}
	f.entries[data.ExceptionLateOrder].SetText("soon")
	test.Tap(f.save)
	waitUI(a)
	if !strings.HasPrefix(f.note.Text, "Late order:") {
		t.Fatalf("a limit that is no number: note %q", f.note.Text)
	}
	f.entries[data.ExceptionLateOrder].SetText("0,5")
	test.Tap(f.save)
	waitUI(a)
	limits, err := a.base.ExceptionLimits(context.Background())
	if err != nil || limits[data.ExceptionLateOrder] != 30*time.Minute || limits[data.ExceptionPOOverdue] != 48*time.Hour {
		t.Fatalf("limits = %v, %v (note %q)", limits, err, f.note.Text)
	}
}
