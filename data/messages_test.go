package data

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// msgClock is a test clock moved by hand; the tests run on one goroutine.
type msgClock struct{ now time.Time }

func (c *msgClock) Now() time.Time { return c.now }

// msgShop opens a store on a hand-moved clock at testNow with MUG (5 on hand) and JUG (none).
func msgShop(t *testing.T) (*Store, *msgClock) {
	t.Helper()
	c := &msgClock{now: testNow}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "shop.db"), Options{Now: c.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustVariant(t, s, "JUG", "Milk jug", 2400, 900)
	mustAdjust(t, s, "MUG", 5)
	return s, c
}

func msgOrder(channel, id string, status Status, sku string, qty int64, email, country string, shipBy time.Time) Order {
	return Order{Channel: channel, ExternalID: id, Status: status, Currency: "GBP", PlacedAt: testNow.Add(-time.Hour),
		ShipBy: shipBy, CustomerName: "Ada Lovelace", CustomerEmail: email, ShipTo: Address{Name: "Ada Lovelace", Country: country},
		Lines:    []OrderLine{{SKU: sku, Name: "Item " + sku, Quantity: qty, UnitPrice: 1800}},
		Subtotal: 1800 * qty, Total: 1800 * qty}
}

func mustApply(t *testing.T, s *Store, orders ...Order) {
	t.Helper()
	if _, err := s.ApplyOrders(context.Background(), orders); err != nil {
		t.Fatalf("ApplyOrders: %v", err)
	}
}

func mustTemplate(t *testing.T, s *Store, m MessageTemplate) MessageTemplate {
	t.Helper()
	m, err := s.SaveMessageTemplate(context.Background(), m)
	if err != nil {
		t.Fatalf("SaveMessageTemplate(%s): %v", m.Name, err)
	}
	return m
}

func mustMessageRule(t *testing.T, s *Store, r MessageRule) MessageRule {
	t.Helper()
	r.Enabled = true
	r, err := s.SaveMessageRule(context.Background(), r)
	if err != nil {
		t.Fatalf("SaveMessageRule(%s): %v", r.Name, err)
	}
	return r
}

// firings renders firings as "rule order outcome" lines, for comparing with a hand-written list.
func firings(fs []RuleFiring) string {
	var b []string
	for _, f := range fs {
		b = append(b, f.Rule.Name+" "+f.OrderRef+" "+f.Outcome)
	}
	return strings.Join(b, "\n")
}

func mustEvaluate(t *testing.T, s *Store, dry bool, want ...string) []RuleFiring {
	t.Helper()
	fs, err := s.EvaluateMessageRules(context.Background(), dry)
	if err != nil {
		t.Fatalf("EvaluateMessageRules(dry=%v): %v", dry, err)
	}
	if got, w := firings(fs), strings.Join(want, "\n"); got != w {
		t.Fatalf("EvaluateMessageRules(dry=%v) at %s fired:\n%s\nwant:\n%s", dry, s.Now().Format(time.RFC3339), got, w)
	}
	return fs
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.read.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestMessageRules_TriggersFireOnce(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	t0 := testNow

	// An order imported before any rule exists must never fire the rules added later.
	c.now = t0.Add(-time.Hour)
	mustApply(t, s, msgOrder("shopify", "OLD", StatusPaid, "MUG", 1, "old@example.com", "GB", time.Time{}))

	c.now = t0
	shipped := mustTemplate(t, s, MessageTemplate{Name: "Shipped", Subject: "Order {{.OrderID}} has shipped",
		Body: "Hi {{.FirstName}}, {{.Carrier}} has it: {{.TrackingURL}}"})
	delayed := mustTemplate(t, s, MessageTemplate{Name: "Delayed", Subject: "Order {{.OrderID}} is late", Body: "Sorry {{.FirstName}}."})
	mustMessageRule(t, s, MessageRule{Name: "a imported", Trigger: TriggerOrderImported, Channel: "Shopify", Action: ActionException})
	mustMessageRule(t, s, MessageRule{Name: "b held up", Trigger: TriggerOrderHeldUp, Action: ActionNotify})
	mustMessageRule(t, s, MessageRule{Name: "c late", Trigger: TriggerShipByPassed, Action: ActionMessage, TemplateID: delayed.ID})
	mustMessageRule(t, s, MessageRule{Name: "d shipped", Trigger: TriggerOrderShipped, Action: ActionMessage, TemplateID: shipped.ID})
	mustMessageRule(t, s, MessageRule{Name: "e returned", Trigger: TriggerReturnReceived, Action: ActionNotify})
	mustMessageRule(t, s, MessageRule{Name: "f refunded", Trigger: TriggerRefundIssued, Action: ActionNotify})

	c.now = t0.Add(time.Hour)
	mustApply(t, s,
		msgOrder("shopify", "A", StatusPaid, "MUG", 2, "ada@example.com", "GB", t0.Add(24*time.Hour)),
		msgOrder("shopify", "B", StatusCancelled, "JUG", 1, "bob@example.com", "GB", t0.Add(2*time.Hour)),
		msgOrder("amazon", "C", StatusPaid, "JUG", 2, "", "GB", time.Time{}),
	)
	// C wants 2 JUG with none on hand; A's 2 MUG are covered by 5; B is cancelled, so holds nothing.
	audits := countRows(t, s, "audit_log")
	mustEvaluate(t, s, true, "a imported A exception", "b held up C notified")
	for _, table := range []string{"rule_firings", "outbox", "notifications", "exceptions"} {
		if n := countRows(t, s, table); n != 0 {
			t.Errorf("a dry run wrote %d rows to %s", n, table)
		}
	}
	if n := countRows(t, s, "audit_log"); n != audits {
		t.Errorf("a dry run wrote %d audit entries", n-audits)
	}
	mustEvaluate(t, s, false, "a imported A exception", "b held up C notified")
	mustEvaluate(t, s, false)
	if n, err := s.PendingNotifications(ctx); err != nil || len(n) != 1 || n[0].Title != "b held up" || !strings.Contains(n[0].Body, "amazon order C") {
		t.Errorf("PendingNotifications = %+v, %v; want one for amazon order C", n, err)
	}

	// A's ship-by passes at t0+24h: not at t0+23h, once at t0+26h; B is cancelled and never fires.
	c.now = t0.Add(23 * time.Hour)
	mustEvaluate(t, s, false)
	c.now = t0.Add(26 * time.Hour)
	mustEvaluate(t, s, false, "c late A queued")
	mustEvaluate(t, s, false)

	a := mustOrder(t, s, "A")
	c.now = t0.Add(27 * time.Hour)
	if _, err := s.ShipOrder(ctx, a.ID, Shipment{Carrier: "Royal Mail", Service: "Tracked 48", Tracking: "JW123456789GB", ShippedAt: c.now}); err != nil {
		t.Fatal(err)
	}
	fs := mustEvaluate(t, s, false, "d shipped A queued")
	if !fs[0].At.Equal(c.now) {
		t.Errorf("shipped firing at %v, want %v", fs[0].At, c.now)
	}
	log, err := s.SentLog(ctx, a.ID)
	if err != nil || len(log) != 2 {
		t.Fatalf("SentLog(A) = %d messages, %v; want 2", len(log), err)
	}
	if m := log[1]; m.Subject != "Order A has shipped" || m.To != "ada@example.com" || m.Route != RouteSMTP || m.Status != OutboxQueued ||
		m.Text != "Hi Ada, Royal Mail has it: https://www.royalmail.com/track-your-item#/tracking-results/JW123456789GB" {
		t.Errorf("shipped message = %+v", m)
	}

	c.now = t0.Add(30 * time.Hour)
	if _, err := s.RecordReturn(ctx, Return{OrderID: a.ID, SKU: "MUG", Units: 1, Reason: ReturnChangedMind, Condition: ConditionAsNew, Disposition: Restock}); err != nil {
		t.Fatal(err)
	}
	mustEvaluate(t, s, false, "e returned A notified")
	c.now = t0.Add(31 * time.Hour)
	if _, err := s.RecordReturn(ctx, Return{OrderID: a.ID, SKU: "MUG", Units: 1, Reason: ReturnChangedMind, Condition: ConditionAsNew, Disposition: Restock, Refund: 1800}); err != nil {
		t.Fatal(err)
	}
	mustEvaluate(t, s, false, "f refunded A notified")
	mustEvaluate(t, s, false)
	if n := countRows(t, s, "rule_firings"); n != 6 {
		t.Errorf("rule_firings has %d rows, want 6", n)
	}
	// The UNIQUE key itself refuses a second firing, whatever code path tries.
	if _, err := s.write.Exec(`INSERT INTO rule_firings(rule_id, order_id, trigger, event_at, fired_at, outcome, hlc, device_id)
		SELECT rule_id, order_id, trigger, event_at, fired_at, outcome, hlc, device_id FROM rule_firings LIMIT 1`); err == nil {
		t.Error("a duplicate firing was stored")
	}
}

func TestMessageRules_ConditionsAndPaste(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	tmpl := mustTemplate(t, s, MessageTemplate{Name: "Thanks", Subject: "Thanks for order {{.OrderID}}", Body: "Thank you."})
	for _, r := range []MessageRule{
		{Name: "big", MinTotal: 3000},
		{Name: "jug", SKU: "jug"},
		{Name: "us", Country: "us"},
		{Name: "amazon", Channel: "amazon"},
		{Name: "off"},
	} {
		r.Trigger, r.Action, r.TemplateID = TriggerOrderImported, ActionMessage, tmpl.ID
		r = mustMessageRule(t, s, r)
		if r.Name == "off" {
			r.Enabled = false
			if _, err := s.SaveMessageRule(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.now = testNow.Add(time.Minute)
	mustApply(t, s,
		msgOrder("shopify", "S1", StatusPaid, "MUG", 1, "s1@example.com", "GB", time.Time{}),     // £18
		msgOrder("shopify", "S2", StatusPaid, "MUG", 2, "s2@example.com", "US", time.Time{}),     // £36
		msgOrder("amazon", "Z1", StatusPaid, "JUG", 1, "z1@example.com", "GB", time.Time{}),      // £18, hides the address
		msgOrder("shopify", "X1", StatusCancelled, "JUG", 5, "x@example.com", "US", time.Time{}), // would match all but is cancelled
	)
	mustEvaluate(t, s, false, "amazon Z1 paste", "big S2 queued", "jug Z1 paste", "us S2 queued")
	paste, err := s.Outbox(ctx, OutboxFilter{Status: []OutboxStatus{OutboxPaste}})
	if err != nil || len(paste) != 2 {
		t.Fatalf("paste messages = %d, %v; want 2", len(paste), err)
	}
	due, err := s.DueMessages(ctx, c.now, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("DueMessages = %d, %v; want the 2 smtp messages", len(due), err)
	}
	// Setting up a Drafts account sends the waiting messages that way; pasted ones stay pasted.
	if err := s.SaveSMTPAccount(ctx, SMTPAccount{Host: "imap.example.com", Port: 993, Security: SMTPTLS, From: "shop@example.com", Route: RouteDrafts}); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueMessages(ctx, c.now, 10); len(due) != 2 || due[0].Route != RouteDrafts || due[1].Route != RouteDrafts {
		t.Errorf("after a Drafts account, due messages = %+v", due)
	}
	if err := s.MarkDone(ctx, paste[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDone(ctx, paste[0].ID); !errors.Is(err, ErrConflict) {
		t.Errorf("MarkDone twice: %v, want ErrConflict", err)
	}
}

func TestOutbox_BackOff(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	tmpl := mustTemplate(t, s, MessageTemplate{Name: "Hello", Subject: "Hello", Body: "Hello {{.CustomerName}}"})
	mustMessageRule(t, s, MessageRule{Name: "hello", Trigger: TriggerOrderImported, Action: ActionMessage, TemplateID: tmpl.ID})
	c.now = testNow.Add(time.Minute)
	mustApply(t, s, msgOrder("shopify", "S1", StatusPaid, "MUG", 1, "s1@example.com", "GB", time.Time{}))
	mustEvaluate(t, s, false, "hello S1 queued")
	due, err := s.DueMessages(ctx, c.now, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("DueMessages = %v, %v", due, err)
	}
	id := due[0].ID
	waits := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour, 12 * time.Hour, 12 * time.Hour}
	for i, w := range waits {
		if err := s.MarkSending(ctx, id); err != nil {
			t.Fatalf("attempt %d: MarkSending: %v", i+1, err)
		}
		if err := s.MarkFailed(ctx, id, "451 try later"); err != nil {
			t.Fatal(err)
		}
		m := mustMessage(t, s, id)
		if m.Status != OutboxFailed || m.Attempts != i+1 || !m.NextAttempt.Equal(c.now.Add(w)) || m.LastError != "451 try later" {
			t.Fatalf("after failure %d: %s, attempts %d, next %v; want failed, %d, %v", i+1, m.Status, m.Attempts, m.NextAttempt, i+1, c.now.Add(w))
		}
		if d, _ := s.DueMessages(ctx, c.now.Add(w-time.Second), 10); len(d) != 0 {
			t.Fatalf("after failure %d the message is due before its wait", i+1)
		}
		c.now = c.now.Add(w)
		if d, _ := s.DueMessages(ctx, c.now, 10); len(d) != 1 {
			t.Fatalf("after failure %d the message is not due after its wait", i+1)
		}
	}
	if err := s.MarkSending(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, id, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if m := mustMessage(t, s, id); m.Status != OutboxGaveUp || m.Attempts != 8 {
		t.Fatalf("after 8 failures: %s, %d attempts; want gave_up", m.Status, m.Attempts)
	}
	if d, _ := s.DueMessages(ctx, c.now.Add(48*time.Hour), 10); len(d) != 0 {
		t.Error("a message that gave up is still due")
	}
	if err := s.RetryMessage(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSending(ctx, id); err != nil {
		t.Fatal(err)
	}
	// A sender that dies mid-send leaves the message "sending"; it is due again once the lease runs out.
	if d, _ := s.DueMessages(ctx, c.now.Add(sendingLease), 10); len(d) != 1 {
		t.Error("a message left sending is not due again after the lease")
	}
	if err := s.MarkSent(ctx, id, RouteDrafts); err != nil {
		t.Fatal(err)
	}
	if m := mustMessage(t, s, id); m.Status != OutboxSent || m.Route != RouteDrafts || !m.Sent.Equal(c.now) || m.SentBy != "system" {
		t.Errorf("sent message = %+v", m)
	}
	if err := s.MarkSent(ctx, id, RouteSMTP); !errors.Is(err, ErrConflict) {
		t.Errorf("MarkSent twice: %v, want ErrConflict", err)
	}
}

func mustMessage(t *testing.T, s *Store, id int64) OutboxMessage {
	t.Helper()
	all, err := s.Outbox(context.Background(), OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no outbox message %d", id)
	return OutboxMessage{}
}

func TestMessageTemplates_Validation(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	for _, c := range []struct {
		m    MessageTemplate
		want string
	}{
		{MessageTemplate{Name: "", Subject: "x", Body: "x"}, "needs a name"},
		{MessageTemplate{Name: "a", Subject: "", Body: "x"}, "needs a subject"},
		{MessageTemplate{Name: "a", Subject: "x", Body: " "}, "needs a body"},
		{MessageTemplate{Name: "a", Subject: "x", Body: "Hello\n{{.CustomerName}\n"}, "body line 2"},
		{MessageTemplate{Name: "a", Subject: "x", Body: "Hello\n\n{{.Nope}}"}, "body line 3"},
		{MessageTemplate{Name: "a", Subject: "Order {{.OrderId}}", Body: "x"}, "subject line 1"},
	} {
		_, err := s.SaveMessageTemplate(ctx, c.m)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SaveMessageTemplate(%+v) = %v, want ErrInvalid with %q", c.m, err, c.want)
		}
	}
	tmpl := mustTemplate(t, s, MessageTemplate{Name: "Dup", Subject: "x", Body: "x"})
	if _, err := s.SaveMessageTemplate(ctx, MessageTemplate{Name: "dup", Subject: "y", Body: "y"}); !errors.Is(err, ErrConflict) {
		t.Errorf("a second template named dup: %v, want ErrConflict", err)
	}
	for _, c := range []struct {
		r    MessageRule
		want string
	}{
		{MessageRule{Name: "", Trigger: TriggerOrderShipped, Action: ActionNotify}, "needs a name"},
		{MessageRule{Name: "r", Trigger: "order_lost", Action: ActionNotify}, "trigger"},
		{MessageRule{Name: "r", Trigger: TriggerOrderShipped, Action: "shout"}, "action"},
		{MessageRule{Name: "r", Trigger: TriggerOrderShipped, Action: ActionMessage}, "needs a template"},
		{MessageRule{Name: "r", Trigger: TriggerOrderShipped, Action: ActionMessage, TemplateID: 99}, "does not exist"},
		{MessageRule{Name: "r", Trigger: TriggerOrderShipped, Action: ActionNotify, Country: "GBR"}, "country"},
	} {
		_, err := s.SaveMessageRule(ctx, c.r)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SaveMessageRule(%+v) = %v, want ErrInvalid with %q", c.r, err, c.want)
		}
	}
	mustMessageRule(t, s, MessageRule{Name: "uses dup", Trigger: TriggerOrderShipped, Action: ActionMessage, TemplateID: tmpl.ID})
	if err := s.DeleteMessageTemplate(ctx, tmpl.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("deleting a template a rule uses: %v, want ErrConflict", err)
	}
}

func TestMessageTemplates_Render(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	if err := s.SetSetting(ctx, SettingShopName, "Tannery Pots"); err != nil {
		t.Fatal(err)
	}
	o := msgOrder("shopify", "#1001", StatusPaid, "MUG", 2, "x@example.com", "GB", time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC))
	o.CustomerName = `Bob <b>"Tables"</b>`
	mustApply(t, s, o)
	o = mustOrder(t, s, "#1001")
	if _, err := s.ShipOrder(ctx, o.ID, Shipment{Carrier: "Evri", Tracking: "H01 234", ShippedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	r, err := s.RenderTemplate(ctx, MessageTemplate{HTML: true, Subject: "{{.ShopName}}: order {{.OrderID}}",
		Body: `<p>Dear {{.CustomerName}},</p><ul>{{range .Lines}}<li>{{.Quantity}} × {{.Name}}</li>{{end}}</ul><a href="{{.TrackingURL}}">{{.Tracking}}</a> by {{.ExpectedDate}}`}, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Tannery Pots: order #1001"; r.Subject != want {
		t.Errorf("Subject = %q, want %q", r.Subject, want)
	}
	if want := `<p>Dear Bob &lt;b&gt;&#34;Tables&#34;&lt;/b&gt;,</p><ul><li>2 × Item MUG</li></ul><a href="https://www.evri.com/track/parcel/H01234/details">H01234</a> by 22 November 2026`; r.HTML != want {
		t.Errorf("HTML =\n%s\nwant\n%s", r.HTML, want)
	}
	if want := "Dear Bob <b>\"Tables\"</b>,\n2 × Item MUG\nH01234 (https://www.evri.com/track/parcel/H01234/details) by 22 November 2026"; r.Text != want {
		t.Errorf("Text =\n%q\nwant\n%q", r.Text, want)
	}
	for carrier, want := range map[string]string{
		"Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/X1", "DPD": "https://track.dpd.co.uk/parcels/X1",
		"Parcelforce": "https://www.parcelforce.com/track-trace?trackNumber=X1", "UPS": "https://www.ups.com/track?tracknum=X1",
		"USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels=X1", "FedEx": "https://www.fedex.com/fedextrack/?trknbr=X1",
		"DHL Express": "https://www.dhl.com/global-en/home/tracking.html?tracking-id=X1", "Pigeon": "",
	} {
		if got := TrackingURL(carrier, "X1"); got != want {
			t.Errorf("TrackingURL(%s) = %q, want %q", carrier, got, want)
		}
	}
}

func TestMessages_PackerRefused(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	p := s.As(User{Name: "Jamie", Role: RolePacker, Active: true})
	checks := map[string]error{}
	_, checks["MessageRules"] = p.MessageRules(ctx)
	_, checks["SaveMessageRule"] = p.SaveMessageRule(ctx, MessageRule{Name: "r", Trigger: TriggerOrderShipped, Action: ActionNotify})
	checks["DeleteMessageRule"] = p.DeleteMessageRule(ctx, 1)
	_, checks["MessageTemplates"] = p.MessageTemplates(ctx)
	_, checks["SaveMessageTemplate"] = p.SaveMessageTemplate(ctx, MessageTemplate{Name: "t", Subject: "s", Body: "b"})
	_, checks["RenderTemplate"] = p.RenderTemplate(ctx, MessageTemplate{Subject: "s", Body: "b"}, 1)
	_, checks["EvaluateMessageRules"] = p.EvaluateMessageRules(ctx, true)
	_, checks["Outbox"] = p.Outbox(ctx, OutboxFilter{})
	_, checks["DueMessages"] = p.DueMessages(ctx, testNow, 1)
	checks["MarkSent"] = p.MarkSent(ctx, 1, RouteSMTP)
	checks["RetryMessage"] = p.RetryMessage(ctx, 1)
	_, checks["SMTPAccount"] = p.SMTPAccount(ctx)
	checks["SaveSMTPAccount"] = p.SaveSMTPAccount(ctx, SMTPAccount{Host: "smtp.example.com", Port: 465, Security: SMTPTLS, From: "a@example.com"})
	checks["SetExceptionLimit"] = p.SetExceptionLimit(ctx, ExceptionLateOrder, time.Hour)
	_, checks["PendingNotifications"] = p.PendingNotifications(ctx)
	for name, err := range checks {
		if !errors.Is(err, ErrPermission) {
			t.Errorf("%s as a packer: %v, want ErrPermission", name, err)
		}
	}
}

func TestOutbox_SMTPAccount(t *testing.T) {
	ctx := context.Background()
	s, _ := msgShop(t)
	if _, err := s.SMTPAccount(ctx); !errors.Is(err, ErrNotFound) {
		t.Errorf("SMTPAccount before setup: %v, want ErrNotFound", err)
	}
	for _, a := range []SMTPAccount{
		{Host: "", Port: 465, Security: SMTPTLS, From: "shop@example.com"},
		{Host: "smtp.example.com", Port: 0, Security: SMTPTLS, From: "shop@example.com"},
		{Host: "smtp.example.com", Port: 25, Security: SMTPNone, From: "shop@example.com"},
		{Host: "smtp.example.com", Port: 465, Security: SMTPTLS, From: "not an address"},
		{Host: "smtp.example.com", Port: 465, Security: SMTPTLS, From: "shop@example.com", Route: RoutePaste},
	} {
		if err := s.SaveSMTPAccount(ctx, a); !errors.Is(err, ErrInvalid) {
			t.Errorf("SaveSMTPAccount(%+v) = %v, want ErrInvalid", a, err)
		}
	}
	want := SMTPAccount{Host: "smtp.example.com", Port: 587, Security: SMTPStartTLS, User: "shop", From: "shop@example.com", FromName: "Tannery Pots", Route: RouteDrafts}
	if err := s.SaveSMTPAccount(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SMTPAccount(ctx); err != nil || got != want {
		t.Errorf("SMTPAccount = %+v, %v; want %+v", got, err, want)
	}
	if err := s.SaveSMTPAccount(ctx, SMTPAccount{Host: "127.0.0.1", Port: 2525, Security: SMTPNone, From: "shop@example.com"}); err != nil {
		t.Errorf("security none on loopback: %v", err)
	}
}

func TestMessageRules_HeldUpKitsAndReenabling(t *testing.T) {
	ctx := context.Background()
	s, c := msgShop(t)
	t0 := testNow
	mustVariant(t, s, "SET", "Two mugs", 3200, 1300)
	if err := s.SetKit(ctx, "SET", []KitComponent{{SKU: "MUG", Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	mustVariant(t, s, "BOWL", "Bowl", 1500, 500)
	mustAdjust(t, s, "BOWL", 3)
	mustMessageRule(t, s, MessageRule{Name: "held", Trigger: TriggerOrderHeldUp, Action: ActionNotify})
	ship := mustMessageRule(t, s, MessageRule{Name: "ship", Trigger: TriggerOrderShipped, Action: ActionNotify})

	// Two sets hold 4 of the 5 mugs: nothing is short. A third set makes mugs short for both orders.
	c.now = t0.Add(time.Minute)
	mustApply(t, s, msgOrder("shopify", "K2", StatusPaid, "SET", 2, "k@example.com", "GB", time.Time{}))
	mustEvaluate(t, s, false)
	mustApply(t, s, msgOrder("shopify", "K3", StatusPaid, "SET", 1, "k@example.com", "GB", time.Time{}))
	mustEvaluate(t, s, false, "held K2 notified", "held K3 notified")

	// A rule switched off and on again does not catch up on what it missed while off.
	ship.Enabled = false
	if _, err := s.SaveMessageRule(ctx, ship); err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, msgOrder("shopify", "P", StatusPaid, "BOWL", 1, "p@example.com", "GB", time.Time{}),
		msgOrder("shopify", "Q", StatusPaid, "BOWL", 1, "q@example.com", "GB", time.Time{}))
	c.now = t0.Add(2 * time.Minute)
	if _, err := s.ShipOrder(ctx, mustOrder(t, s, "P").ID, Shipment{Carrier: "UPS", Tracking: "1Z", ShippedAt: c.now}); err != nil {
		t.Fatal(err)
	}
	mustEvaluate(t, s, false)
	c.now = t0.Add(3 * time.Minute)
	ship.Enabled = true
	if ship, err := s.SaveMessageRule(ctx, ship); err != nil || !ship.Created.Equal(c.now) {
		t.Fatalf("re-enabled rule created %v (%v), want %v", ship.Created, err, c.now)
	}
	mustEvaluate(t, s, false)
	c.now = t0.Add(4 * time.Minute)
	if _, err := s.ShipOrder(ctx, mustOrder(t, s, "Q").ID, Shipment{Carrier: "UPS", Tracking: "1Y", ShippedAt: c.now}); err != nil {
		t.Fatal(err)
	}
	mustEvaluate(t, s, false, "ship Q notified")
}
