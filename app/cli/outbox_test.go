package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// addShippedRule saves a template and an "order shipped" rule that sends it on etsy orders, then ships
// an open etsy order, and returns the rule and the order's number.
func addShippedRule(t *testing.T, db string) (data.MessageRule, string) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tpl, err := s.SaveMessageTemplate(ctx, data.MessageTemplate{Name: "CLI test shipped", Subject: "Order {{.OrderID}} shipped",
		Body: "Hello {{.CustomerName}}, it is on its way."})
	if err != nil {
		t.Fatalf("SaveMessageTemplate: %v", err)
	}
	rule, err := s.SaveMessageRule(ctx, data.MessageRule{Name: "CLI test: tell etsy buyers", Trigger: data.TriggerOrderShipped,
		Enabled: true, Channel: "etsy", Action: data.ActionMessage, TemplateID: tpl.ID})
	if err != nil {
		t.Fatalf("SaveMessageRule: %v", err)
	}
	list, err := s.Orders(ctx, data.OrderFilter{Channel: "etsy", Statuses: data.OpenStatuses(), Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no open etsy order in the demo: %v", err)
	}
	// Shipped after the rule was saved (rules never act on events from before they existed), with
	// tracking, so the rule need not wait for it.
	if _, err := s.ShipOrder(ctx, list[0].ID, data.Shipment{Carrier: "Royal Mail", Tracking: "RM123GB", ShippedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return rule, list[0].ExternalID
}

func firingsOf(list []map[string]any, ruleID int64) []map[string]any {
	var out []map[string]any
	for _, f := range list {
		if f["rule_id"] == float64(ruleID) {
			out = append(out, f)
		}
	}
	return out
}

func TestRun_RulesAndOutbox(t *testing.T) {
	db := demoDB(t)
	rule, order := addShippedRule(t, db)

	t.Run("RulesList", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "rules", "list", "--json"))
		var found map[string]any
		for _, r := range list {
			checkKeys(t, "rule", r, sorted("id", "name", "trigger", "enabled", "channel", "sku", "min_total", "country", "action", "template_id"))
			if r["id"] == float64(rule.ID) {
				found = r
			}
		}
		if found == nil || found["trigger"] != "order_shipped" || found["channel"] != "etsy" || found["action"] != "message" || found["enabled"] != true {
			t.Errorf("rules list has %v for the rule saved", found)
		}
		if table := mustRun(t, nil, "--db", db, "rules", "list"); !strings.Contains(table, "CLI test: tell etsy buyers") || !strings.Contains(table, "channel=etsy") {
			t.Errorf("table = %q", table)
		}
	})

	t.Run("CheckIsDry", func(t *testing.T) {
		for range 2 { // twice: a dry run marks nothing as fired
			fired := firingsOf(decodeList(t, mustRun(t, nil, "--db", db, "rules", "check", "--json")), rule.ID)
			if len(fired) != 1 {
				t.Fatalf("rules check fired the rule %d times, want once: %v", len(fired), fired)
			}
			checkKeys(t, "firing", fired[0], sorted("rule_id", "rule", "action", "trigger", "order_id", "channel", "order_ref", "at", "outcome"))
			if fired[0]["order_ref"] != order || fired[0]["channel"] != "etsy" || fired[0]["outcome"] != "queued" || fired[0]["trigger"] != "order_shipped" {
				t.Errorf("firing = %v, want etsy %s queued", fired[0], order)
			}
		}
		list := decodeList(t, mustRun(t, nil, "--db", db, "outbox", "list", "--json"))
		for _, m := range list {
			if m["rule_id"] == float64(rule.ID) {
				t.Errorf("a dry run queued %v", m)
			}
		}
	})

	t.Run("OutboxList", func(t *testing.T) {
		ctx := context.Background()
		s, err := data.Open(ctx, db, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EvaluateMessageRules(ctx, false); err != nil {
			t.Fatal(err)
		}
		s.Close()
		list := decodeList(t, mustRun(t, nil, "--db", db, "outbox", "list", "--json", "--status", "queued"))
		var mine []map[string]any
		for _, m := range list {
			checkKeys(t, "message", m, sorted("id", "order_id", "channel", "order_ref", "rule_id", "trigger", "route", "to", "to_name",
				"subject", "status", "attempts", "next_attempt", "last_error", "created", "sent", "sent_by"))
			if m["status"] != "queued" {
				t.Errorf("--status queued listed %v", m)
			}
			if m["rule_id"] == float64(rule.ID) {
				mine = append(mine, m)
			}
		}
		if len(mine) != 1 || mine[0]["subject"] != "Order "+order+" shipped" || mine[0]["route"] != "smtp" || mine[0]["sent"] != "" {
			t.Fatalf("outbox has %v for the rule, want one queued smtp message", mine)
		}
		if table := mustRun(t, nil, "--db", db, "outbox", "list"); !strings.Contains(table, "Order "+order+" shipped") {
			t.Errorf("table = %q", table)
		}
		if r := runCLI(t, nil, "--db", db, "outbox", "list", "--status", "lost"); r.code != exitUsage || !strings.Contains(r.stderr, `"lost" is not a status`) {
			t.Errorf("--status lost: exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("SendWithoutAccount", func(t *testing.T) {
		r := runCLI(t, nil, "--db", db, "outbox", "send", "--json")
		if r.code != exitError {
			t.Fatalf("outbox send with no sending account: exit %d, want %d; stderr %q", r.code, exitError, r.stderr)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
		}
		if got["sent"] != float64(0) || got["failed"] != float64(0) || !strings.Contains(got["error"].(string), "no sending account") {
			t.Errorf("outbox send --json = %v", got)
		}
	})

	t.Run("Usage", func(t *testing.T) {
		for _, args := range [][]string{{"outbox", "list", "extra"}, {"outbox", "send", "now"}, {"rules", "check", "x"}, {"outbox", "list", "--limit", "-1"}} {
			if r := runCLI(t, nil, append([]string{"--db", db}, args...)...); r.code != exitUsage {
				t.Errorf("backroom %s: exit %d, want %d", strings.Join(args, " "), r.code, exitUsage)
			}
		}
	})
}
