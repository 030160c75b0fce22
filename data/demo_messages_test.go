package data

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDemo_Messages(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{})
	rules, err := s.MessageRules(ctx)
	if err != nil || len(rules) != 3 {
		t.Fatalf("demo rules = %+v, %v; want 3", rules, err)
	}
	templates, err := s.MessageTemplates(ctx)
	if err != nil || len(templates) != 2 {
		t.Fatalf("demo templates = %+v, %v; want 2", templates, err)
	}
	var shippingNote int64
	for _, r := range rules {
		if !r.Created.Equal(demoNow.Add(-demoMessageDays * 24 * time.Hour)) {
			t.Errorf("rule %q created %v, want %d days before the demo's today", r.Name, r.Created, demoMessageDays)
		}
		if r.Trigger == TriggerOrderShipped {
			shippingNote = r.ID
		}
	}

	// Every parcel of the fortnight gets exactly one shipping note, and no older parcel does.
	orders, ships := demoShipments(t, s)
	notes := map[int64]int{}
	all, err := s.Outbox(ctx, OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var sent, queued, done int
	for _, m := range all {
		if strings.Contains(m.Text, "<no value>") || strings.Contains(m.HTML, "<no value>") {
			t.Errorf("message %d has an empty field: %s", m.ID, m.Text)
		}
		if m.RuleID == shippingNote {
			notes[m.OrderID]++
		}
		switch m.Status {
		case OutboxSent:
			sent++
			if m.Sent.After(demoNow.Add(-demoUnsent + demoSentAfter)) {
				t.Errorf("message %d of %s was sent at %v, within the last two days", m.ID, m.OrderRef, m.Sent)
			}
		case OutboxQueued:
			queued++
		case OutboxDone:
			done++
		}
	}
	var want int
	for _, o := range orders {
		sh, ok := ships[o.ID]
		fires := ok && o.Status != StatusCancelled && !sh.ShippedAt.Before(demoNow.Add(-demoMessageDays*24*time.Hour)) &&
			!sh.ShippedAt.After(demoNow) && (sh.Tracking != "" || !sh.ShippedAt.After(demoNow.Add(-untrackedShipWait)))
		if fires {
			want++
		}
		if got := notes[o.ID]; (fires && got != 1) || (!fires && got != 0) {
			t.Errorf("%s %s shipped %v: %d shipping notes", o.Channel, o.ExternalID, sh.ShippedAt, got)
		}
	}
	if want == 0 || sent == 0 || queued == 0 {
		t.Errorf("demo outbox: %d shipping notes, %d sent, %d queued, %d done; want some of each", want, sent, queued, done)
	}
	if fs, err := s.EvaluateMessageRules(ctx, true); err != nil || len(fs) != 0 {
		t.Errorf("re-evaluating the demo would fire %s (%v)", firings(fs), err)
	}
}
