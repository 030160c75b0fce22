package data

import (
	"context"
	"fmt"
	"time"
)

// demoMessageDays is how long before the demo's today its customer message rules were written: long
// enough for a fortnight of "your order has shipped" mail in the sent log.
const demoMessageDays = 14

// demoUnsent is how far back the demo's outbox still holds unsent messages.
const demoUnsent = 48 * time.Hour

// demoSentAfter is how long after its event the demo's sender got each message out.
const demoSentAfter = 7 * time.Minute

// demoTemplates are the messages a small shop sends most: the shipping note (HTML, with the tracking
// link) and the apology for a late parcel (plain text).
var demoTemplates = []MessageTemplate{
	{Name: "Your order has shipped", HTML: true, Subject: "Your {{.ShopName}} order {{.OrderID}} is on its way",
		Body: `<p>Hello {{.FirstName}},</p>
<p>Good news: your order {{.OrderID}} left us on {{.ShippedDate}} with {{.Carrier}}{{if .Service}} {{.Service}}{{end}}.</p>
<ul>{{range .Lines}}<li>{{.Quantity}} × {{.Name}}</li>{{end}}</ul>
{{if .TrackingURL}}<p>You can follow it here: <a href="{{.TrackingURL}}">{{.Tracking}}</a></p>{{else if .Tracking}}<p>Its tracking number is {{.Tracking}}.</p>{{end}}
<p>Thank you for shopping with us,<br>{{.ShopName}}</p>`},
	{Name: "Sorry, your order is delayed", Subject: "Your {{.ShopName}} order {{.OrderID}} is running late",
		Body: `Hello {{.FirstName}},

We're sorry: your order {{.OrderID}} should have left us by {{.ExpectedDate}}, and it hasn't yet.
We're on it and will send it as soon as we can; you'll get another email with tracking when it goes.

If you would rather cancel, just reply to this email.

{{.ShopName}}`},
}

// addMessages writes the demo's message templates and rules a fortnight back, then evaluates them as of
// the demo's today, as the app would have done all along: the shipping notes of the past fortnight are
// in the sent log, those of the last two days wait in the outbox, late open orders have
// their apology queued and held-up orders a notification for the owner.
func (d *demo) addMessages(ctx context.Context) error {
	var ids []int64
	err := d.s.update(ctx, func(t *tx) error {
		t.backdate(d.daysAgo(demoMessageDays))
		for _, m := range demoTemplates {
			if _, err := renderWith(m, sampleMessageData()); err != nil {
				return fmt.Errorf("demo template %q: %w", m.Name, err)
			}
			res, err := t.ExecContext(ctx, `INSERT INTO message_templates(name, subject, body, html, created_at, updated_at, hlc, device_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.Name, m.Subject, m.Body, m.HTML, t.nowText(), t.nowText(), t.hlc, t.s.device)
			if err != nil {
				return fmt.Errorf("add demo template %q: %w", m.Name, err)
			}
			if m.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			ids = append(ids, m.ID)
			if err := t.audit(ctx, "create", "message_template", fmt.Sprint(m.ID), nil, m); err != nil {
				return err
			}
		}
		for _, r := range []MessageRule{
			{Name: "Shipping note", Trigger: TriggerOrderShipped, Action: ActionMessage, TemplateID: ids[0]},
			{Name: "Late apology", Trigger: TriggerShipByPassed, Action: ActionMessage, TemplateID: ids[1]},
			{Name: "Tell me when an order is held up", Trigger: TriggerOrderHeldUp, Action: ActionNotify},
		} {
			r.Enabled, r.Created = true, t.now
			var tmpl any
			if r.TemplateID != 0 {
				tmpl = r.TemplateID
			}
			res, err := t.ExecContext(ctx, `INSERT INTO message_rules(name, trigger, enabled, channel, sku, min_total, country, action, template_id,
				created_at, updated_at, hlc, device_id) VALUES (?, ?, 1, '', '', 0, '', ?, ?, ?, ?, ?, ?)`,
				r.Name, r.Trigger, r.Action, tmpl, t.nowText(), t.nowText(), t.hlc, t.s.device)
			if err != nil {
				return fmt.Errorf("add demo rule %q: %w", r.Name, err)
			}
			if r.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			if err := t.audit(ctx, "create", "message_rule", fmt.Sprint(r.ID), nil, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return d.s.update(ctx, func(t *tx) error {
		t.backdate(d.opts.Now)
		templates := map[int64]MessageTemplate{}
		if _, err := d.s.evaluate(ctx, t, t.now, func(f *RuleFiring) error { return t.fire(ctx, f, RouteSMTP, templates) }); err != nil {
			return err
		}
		// The shop's sender ran on its other machine until two days ago, and the owner pasted the marketplace
		// messages by hand; the last two days' wait in this machine's outbox, whose mail account the demo
		// leaves for the owner to set up.
		_, err := t.ExecContext(ctx, `UPDATE outbox SET
			status = CASE status WHEN 'paste' THEN 'done' ELSE 'sent' END,
			attempts = CASE status WHEN 'paste' THEN 0 ELSE 1 END,
			sent_by = CASE status WHEN 'paste' THEN ? ELSE 'Backroom' END,
			sent_at = (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', f.event_at, ?) FROM rule_firings f
				WHERE f.rule_id = outbox.rule_id AND f.order_id = outbox.order_id AND f.trigger = outbox.trigger)
			WHERE status IN ('queued', 'paste') AND EXISTS (SELECT 1 FROM rule_firings f WHERE f.rule_id = outbox.rule_id
				AND f.order_id = outbox.order_id AND f.trigger = outbox.trigger AND f.event_at < ?)`,
			d.owner.User().Name, fmt.Sprintf("+%d seconds", int(demoSentAfter/time.Second)), formatTime(t.now.Add(-demoUnsent)))
		if err != nil {
			return fmt.Errorf("send the demo's earlier messages: %w", err)
		}
		return nil
	})
}
