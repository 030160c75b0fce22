package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

func TestAccountsLocks(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC) // last month, full of demo orders
	month := first.Format("2006-01")
	last := first.AddDate(0, 1, -1).Format(time.DateOnly)

	var lockID float64
	t.Run("Lock", func(t *testing.T) {
		out := mustRun(t, nil, "--db", db, "accounts", "lock", "--month", month, "--tz", "UTC", "--json")
		var l map[string]any
		if err := json.Unmarshal([]byte(out), &l); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		checkKeys(t, "lock", l, sorted("id", "period", "export_id", "user", "at"))
		if !mapsEqual(l["period"], map[string]any{"from": first.Format(time.DateOnly), "to": last, "zone": "UTC"}) || l["export_id"] != nil {
			t.Errorf("lock = %v, want %s without an export", l, month)
		}
		lockID = l["id"].(float64)
		list := decodeList(t, mustRun(t, nil, "--db", db, "accounts", "locks", "--json"))
		if len(list) != 1 || list[0]["id"] != lockID {
			t.Errorf("locks = %v, want the one lock", list)
		}
		if text := mustRun(t, nil, "--db", db, "accounts", "locks"); !strings.Contains(text, first.Format(time.DateOnly)+" to "+last) {
			t.Errorf("accounts locks:\n%s", text)
		}
	})

	// An import adds an order to the locked month and changes another's total: both are held.
	s, err := data.Open(ctx, db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Orders(ctx, data.OrderFilter{Statuses: []data.Status{data.StatusDelivered}, From: first.AddDate(0, 0, 1),
		To: first.AddDate(0, 1, -1), Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no delivered order in %s: %v", month, err)
	}
	stored := list[0]
	changed := stored
	changed.Shipping += 250
	changed.Total += 250
	res, err := s.ApplyOrders(ctx, []data.Order{changed, {Channel: "etsy", ExternalID: "9990002", Status: data.StatusPaid, Currency: "GBP",
		PlacedAt: first.Add(36 * time.Hour), Subtotal: 1800, Total: 1800,
		Lines: []data.OrderLine{{Name: "Gift card", Quantity: 1, UnitPrice: 1800}}}})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Held != 2 {
		t.Fatalf("ApplyOrders() = %+v, want 2 held by the lock", res)
	}

	held := map[string]map[string]any{}
	t.Run("Held", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "accounts", "held", "--json"))
		for _, h := range list {
			checkKeys(t, "held", h, sorted("id", "lock_id", "period", "channel", "order_id", "placed", "kind", "source", "before",
				"after", "currency", "what", "at"))
			held[h["order_id"].(string)] = h
		}
		if h := held["9990002"]; h == nil || h["kind"] != "new" || h["after"] != 1800.0 || h["lock_id"] != lockID {
			t.Errorf("held new order = %v", h)
		}
		if h := held[stored.ExternalID]; h == nil || h["kind"] != "update" || h["before"] != float64(stored.Total) ||
			h["after"] != float64(stored.Total+250) {
			t.Errorf("held update = %v, want %s from %d to %d", h, stored.ExternalID, stored.Total, stored.Total+250)
		}
		text := mustRun(t, nil, "--db", db, "accounts", "held")
		if !strings.Contains(text, "9990002") || !strings.Contains(text, "backroom accounts apply ID") {
			t.Errorf("accounts held:\n%s", text)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		accountant := map[string]string{"BACKROOM_USER": "Priya Shah", "BACKROOM_PIN": "2468"}
		for _, args := range [][]string{
			{"accounts", "apply", fmt.Sprint(held["9990002"]["id"])},
			{"accounts", "discard", "--all"},
			{"accounts", "unlock", fmt.Sprint(lockID)},
			{"accounts", "lock", "--year", "2025"},
		} {
			if r := runCLI(t, accountant, append([]string{"--db", db}, args...)...); r.code != exitError || !strings.Contains(r.stderr, "may not") {
				t.Errorf("accountant: backroom %s: exit %d, stderr %q; want refused", strings.Join(args, " "), r.code, r.stderr)
			}
		}
		// Reading is fine for the accountant.
		if list := decodeList(t, mustRun(t, accountant, "--db", db, "accounts", "held", "--json")); len(list) != 2 {
			t.Errorf("accountant sees %d held changes, want 2", len(list))
		}
	})

	t.Run("Apply", func(t *testing.T) {
		id := fmt.Sprint(held["9990002"]["id"])
		got := mustRun(t, nil, "--db", db, "accounts", "apply", id)
		if want := "Applied " + id + ": new etsy order 9990002 placed " + first.Add(36*time.Hour).Format(time.DateOnly) + ", £18.00\n"; got != want {
			t.Errorf("apply = %q, want %q", got, want)
		}
		out := mustRun(t, nil, "--db", db, "orders", "list", "--search", "9990002", "--json")
		if list := decodeList(t, out); len(list) != 1 {
			t.Errorf("after apply, orders list finds %d of 9990002, want 1", len(list))
		}
		if list := decodeList(t, mustRun(t, nil, "--db", db, "accounts", "held", "--json")); len(list) != 1 {
			t.Errorf("after apply, %d held, want 1", len(list))
		}
	})

	t.Run("Discard", func(t *testing.T) {
		got := mustRun(t, nil, "--db", db, "accounts", "discard", "--all")
		if !strings.Contains(got, "Discarded ") || !strings.Contains(got, stored.ExternalID) {
			t.Errorf("discard --all = %q", got)
		}
		if got := mustRun(t, nil, "--db", db, "accounts", "held"); !strings.HasPrefix(got, "Nothing is held") {
			t.Errorf("after discard: %q", got)
		}
		s, err := data.Open(ctx, db, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		o, err := s.Order(ctx, stored.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Total != stored.Total {
			t.Errorf("after discard the order's total = %d, want %d as stored", o.Total, stored.Total)
		}
		if got := mustRun(t, nil, "--db", db, "accounts", "discard", "--all"); got != "Nothing is held.\n" {
			t.Errorf("discard --all with nothing held = %q", got)
		}
	})

	t.Run("Unlock", func(t *testing.T) {
		id := fmt.Sprint(lockID)
		if got := mustRun(t, nil, "--db", db, "accounts", "unlock", id); !strings.HasPrefix(got, "Lock "+id+" removed") {
			t.Errorf("unlock = %q", got)
		}
		if got := mustRun(t, nil, "--db", db, "accounts", "locks", "--json"); got != "[]\n" {
			t.Errorf("locks after unlock = %q", got)
		}
	})

	t.Run("Usage", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"accounts", "unlock"}, exitUsage, "say which lock"},
			{[]string{"accounts", "unlock", "abc"}, exitUsage, `LOCK "abc" is not a lock number`},
			{[]string{"accounts", "unlock", "999"}, exitError, "there is no lock 999"},
			{[]string{"accounts", "apply"}, exitUsage, "say which held change"},
			{[]string{"accounts", "apply", "3", "--all"}, exitUsage, "give an ID or --all, not both"},
			{[]string{"accounts", "discard", "999"}, exitError, "there is no held change 999"},
			{[]string{"accounts", "lock"}, exitUsage, "say which period"},
			{[]string{"accounts", "lock", "--month", "2026-10", "--tz", "Nowhere/Else"}, exitUsage, `--tz "Nowhere/Else"`},
			{[]string{"accounts", "log", "--limit", "-1"}, exitUsage, "--limit -1"},
		} {
			r := runCLI(t, nil, append([]string{"--db", db}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Errorf("backroom %s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), r.code, r.stderr, c.code, c.want)
			}
		}
	})
}
