package data

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
	err = d.s.update(ctx, func(t *tx) error {
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
	if err != nil {
		return err
	}
	return d.addTickets(ctx)
}

// demoTicketOrder is an order the demo's customers write about, with our shipping note (and when it
// was sent) when it had one.
type demoTicketOrder struct {
	id               int64
	ref, name, email string
	noteID           int64
	noteAt           time.Time
	noteSubject      string
}

// first is the customer's first name, as they sign.
func (o demoTicketOrder) first() string {
	first, _, _ := strings.Cut(o.name, " ")
	return first
}

// demoTicketOrders finds, among the e-mail channels' orders, shipped ones whose shipping note went out in
// the last fortnight (newest first) and ones not yet shipped: new or paid Shopify ones first, newest
// first. A demo shop made at some hours has only a handful of orders not yet picked, none of them from
// Shopify: it still gets its support story.
func (d *demo) demoTicketOrders(ctx context.Context) (shipped, open []demoTicketOrder, err error) {
	shipped, err = queryList(ctx, d.s.read, func(r scanner) (demoTicketOrder, error) {
		var o demoTicketOrder
		var at string
		err := r.Scan(&o.id, &o.ref, &o.name, &o.email, &o.noteID, &at, &o.noteSubject)
		o.noteAt = parseTime(at)
		return o, err
	}, `SELECT o.id, o.external_id, o.customer_name, o.customer_email, m.id, m.sent_at, m.subject FROM outbox m
		JOIN orders o ON o.id = m.order_id WHERE m.trigger = 'order_shipped' AND m.status = 'sent' AND o.customer_email <> ''
		AND o.channel IN ('shopify', 'woocommerce') AND o.customer_name LIKE '% %' ORDER BY m.sent_at DESC, m.id DESC LIMIT 200`)
	if err != nil {
		return nil, nil, fmt.Errorf("find the demo's shipped orders: %w", err)
	}
	open, err = queryList(ctx, d.s.read, func(r scanner) (demoTicketOrder, error) {
		var o demoTicketOrder
		err := r.Scan(&o.id, &o.ref, &o.name, &o.email)
		return o, err
	}, `SELECT id, external_id, customer_name, customer_email FROM orders WHERE status IN ('new', 'paid', 'picking')
		AND channel IN ('shopify', 'woocommerce') AND customer_email <> '' AND customer_name LIKE '% %'
		ORDER BY status IN ('new', 'paid') DESC, channel = 'shopify' DESC, placed_at DESC LIMIT 2`)
	if err != nil {
		return nil, nil, fmt.Errorf("find the demo's open orders: %w", err)
	}
	return shipped, open, nil
}

// demoCustomerMail is one mail a demo customer sent, as the mailbox importer would have handed it over.
func demoCustomerMail(o demoTicketOrder, n int, subject, text string, at time.Time, inReplyTo string, mentions ...string) MailMessage {
	id := fmt.Sprintf("CAE%07d.demo%d@mail.example.net", o.id, n)
	from := o.name + " <" + o.email + ">"
	raw := "Message-ID: <" + id + ">\r\nFrom: " + from + "\r\nTo: hello@fernandkettle.example\r\nSubject: " + subject +
		"\r\nDate: " + at.Format(time.RFC1123Z) + "\r\n"
	m := MailMessage{Kind: MailNotOrder, MessageID: id, From: from, Subject: subject, Text: text, Received: at, Date: at,
		Folder: "INBOX", Mentions: mentions}
	if inReplyTo != "" {
		m.InReplyTo = []string{inReplyTo}
		raw += "In-Reply-To: <" + inReplyTo + ">\r\nReferences: <" + inReplyTo + ">\r\n"
	}
	m.Raw = []byte(raw + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(text, "\n", "\r\n") + "\r\n")
	return m
}

// addTickets writes a few weeks of customer support: mail that answers our shipping notes or names an
// order, filed by the same code a mail sync runs, and the owner's replies, notes and closings. One
// customer has waited past the day's limit, so the exceptions and the support load have something to say.
func (d *demo) addTickets(ctx context.Context) error {
	shipped, open, err := d.demoTicketOrders(ctx)
	if err != nil {
		return err
	}
	// Each story needs its shipping note old enough for what follows it to have happened by today.
	var picked []demoTicketOrder
	for _, age := range []time.Duration{50 * time.Hour, 3 * 24 * time.Hour, 6 * 24 * time.Hour} {
		for i, o := range shipped {
			if o.noteAt.Before(d.opts.Now.Add(-age)) {
				picked = append(picked, o)
				shipped = shipped[i+1:]
				break
			}
		}
	}
	if len(picked) < 3 || len(open) < 1 {
		return nil // a demo too small for a support story
	}
	shipped = picked
	ourID := func(o demoTicketOrder) string {
		return fmt.Sprintf("backroom.%d.%d.%s@fernandkettle.example", o.id, o.noteID, strconv.FormatInt(o.noteAt.UnixNano(), 36))
	}
	// receive files one customer mail at its time; reply answers a ticket as the owner, sent a few
	// minutes later unless it is in the last two days the demo's outbox still holds.
	receive := func(m MailMessage) (int64, error) {
		var id int64
		err := d.owner.update(ctx, func(t *tx) error {
			t.backdate(m.Received)
			var res MailResult
			if err := t.storeMail(ctx, &m, &res); err != nil {
				return err
			}
			id = m.TicketID
			return nil
		})
		if err == nil && id == 0 {
			err = fmt.Errorf("demo mail %q made no ticket", m.Subject)
		}
		return id, err
	}
	act := func(id int64, at time.Time, fn func(t *tx, k *Ticket) (string, error)) error {
		return d.owner.update(ctx, func(t *tx) error {
			t.backdate(at)
			before, err := t.readTicket(ctx, id)
			if err != nil {
				return err
			}
			after := before
			action, err := fn(t, &after)
			if err != nil {
				return err
			}
			return t.writeTicket(ctx, action, before, after)
		})
	}
	reply := func(id int64, at time.Time, text string) error {
		return act(id, at, func(t *tx, k *Ticket) (string, error) {
			out, err := t.queueTicketReply(ctx, k, text)
			if err != nil || at.After(d.opts.Now.Add(-demoUnsent)) {
				return "reply", err
			}
			_, err = t.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = 1, sent_at = ?, sent_by = 'Backroom' WHERE id = ?`,
				formatTime(at.Add(demoSentAfter)), out.ID)
			return "reply", err
		})
	}
	note := func(id int64, at time.Time, text string) error {
		return act(id, at, func(t *tx, k *Ticket) (string, error) {
			_, err := t.ExecContext(ctx, `INSERT INTO ticket_notes(ticket_id, at, author, text, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?)`,
				k.ID, t.nowText(), t.s.user.Name, text, t.hlc, t.s.device)
			return "note", err
		})
	}
	status := func(id int64, at time.Time, st TicketStatus) error {
		return act(id, at, func(_ *tx, k *Ticket) (string, error) { k.Status = st; return "status", nil })
	}
	now := d.opts.Now

	// A customer whose parcel has not moved, unanswered for more than a day.
	a := shipped[0]
	if _, err := receive(demoCustomerMail(a, 1, "Re: "+a.noteSubject, fmt.Sprintf("Hi,\n\nthe tracking link hasn't changed for three days now. "+
		"Is my parcel lost? I need it by the weekend.\n\nThanks,\n%s", a.first()), now.Add(-30*time.Hour), ourID(a))); err != nil {
		return err
	}

	// A chipped lid: answered, and waiting for the customer to say the replacement came.
	b := shipped[1]
	at := b.noteAt.Add(52 * time.Hour)
	if at.After(now.Add(-20 * time.Hour)) {
		at = now.Add(-20 * time.Hour)
	}
	id, err := receive(demoCustomerMail(b, 1, "Re: "+b.noteSubject, fmt.Sprintf("Hello,\n\nthe parcel came today but the lid of the teapot is chipped "+
		"on one side, it must have been damaged on the way. The box was dented too. Can you help?\n\n%s", b.first()), at, ourID(b)))
	if err != nil {
		return err
	}
	if err := reply(id, at.Add(95*time.Minute), fmt.Sprintf("Hello %s,\n\nI'm so sorry about the lid. A replacement goes out with tomorrow's "+
		"collection, no need to send the chipped one back.\n\nAlex\n%s", b.first(), demoShopName)); err != nil {
		return err
	}
	if err := note(id, at.Add(100*time.Minute), "Replacement lid put aside; claim the damage with the carrier."); err != nil {
		return err
	}

	// A wrong colour, sorted out and closed.
	c := shipped[2]
	at = c.noteAt.Add(40 * time.Hour)
	if at.After(now.Add(-4 * 24 * time.Hour)) {
		at = now.Add(-4 * 24 * time.Hour)
	}
	if id, err = receive(demoCustomerMail(c, 1, "Wrong colour in order "+c.ref, fmt.Sprintf("Hi there,\n\nI ordered the sage green mug but the "+
		"one in the box is blue. Could you send the right one?\n\nBest wishes,\n%s", c.first()), at, "", strings.TrimPrefix(c.ref, "#"))); err != nil {
		return err
	}
	if err := reply(id, at.Add(3*time.Hour), fmt.Sprintf("Hi %s,\n\nthat was our mistake, sorry! The sage mug is on its way and please keep "+
		"the blue one.\n\nAlex", c.first())); err != nil {
		return err
	}
	if _, err := receive(demoCustomerMail(c, 2, "Re: Wrong colour in order "+c.ref, "That's so kind, thank you! It arrived this morning.",
		at.Add(50*time.Hour), fmt.Sprintf("CAE%07d.demo1@mail.example.net", c.id))); err != nil {
		return err
	}
	if err := note(id, at.Add(51*time.Hour), "Sent the sage mug; the customer keeps the blue one."); err != nil {
		return err
	}
	if err := status(id, at.Add(51*time.Hour), TicketClosed); err != nil {
		return err
	}

	// A question on an order not yet shipped, a few hours old.
	o := open[0]
	_, err = receive(demoCustomerMail(o, 1, "Gift note", fmt.Sprintf("Hello!\n\nCould you put a small gift note in order %s? "+
		"It's a birthday present for my mum: \"Happy birthday, love from Sam\". Is that possible?\n\n%s", o.ref, o.first()),
		now.Add(-4*time.Hour), "", strings.TrimPrefix(o.ref, "#")))
	return err
}
