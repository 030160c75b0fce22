package cli

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backroom-app/backroom/data"
)

func TestSuppliers_AddAndList(t *testing.T) {
	// A new shop may start with its suppliers: the database is made.
	db := filepath.Join(t.TempDir(), "new.db")
	var sp supplierJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "suppliers", "add", "--name", " Stoke Clayworks ", "--currency", "gbp", "--email", "hannah@stoke.example",
		"--contact", "Hannah", "--phone", "01782 000000", "--lead-days", "21", "--min-order", "1,250.50", "--notes", "kiln fires on Mondays", "--json"), &sp)
	if sp.ID == "" || sp.Name != "Stoke Clayworks" || sp.Currency != "GBP" || sp.Email != "hannah@stoke.example" || sp.Contact != "Hannah" ||
		sp.Phone != "01782 000000" || sp.LeadTimeDays != 21 || sp.MinOrderValue != 125050 || sp.Notes != "kiln fires on Mondays" ||
		!sp.Available || sp.UnavailableSince != nil || sp.Items != 0 {
		t.Errorf("added = %+v, want every field as given, min order 125050 pence, available", sp)
	}
	out := mustRun(t, nil, "--db", db, "suppliers", "add", "--name", "Leaf & Stone Tea Co.", "--currency", "EUR", "--lead-days", "10")
	if want := "Added supplier Leaf & Stone Tea Co. (EUR, 10 days lead time)\n"; out != want {
		t.Errorf("suppliers add = %q, want %q", out, want)
	}

	list := decodeList(t, mustRun(t, nil, "--db", db, "suppliers", "list", "--json"))
	if len(list) != 2 || list[0]["name"] != "Leaf & Stone Tea Co." || list[1]["name"] != "Stoke Clayworks" {
		t.Fatalf("suppliers list = %v, want the two by name", list)
	}
	checkKeys(t, "supplier", list[0], sorted("id", "name", "contact", "email", "phone", "currency", "lead_time_days", "min_order_value",
		"notes", "available", "unavailable_since", "unavailable_note", "items"))
	table := mustRun(t, nil, "--db", db, "suppliers", "list")
	if !strings.Contains(table, "£1,250.50") || !strings.Contains(table, "21 days") {
		t.Errorf("suppliers list =\n%s\nwant the minimum order and lead time", table)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"SameNameOtherCase", []string{"--name", "STOKE CLAYWORKS", "--currency", "GBP"}, 1, `there is already a supplier called "STOKE CLAYWORKS"`},
		{"NoName", []string{"--currency", "GBP"}, 2, "--name is required"},
		{"NoCurrency", []string{"--name", "X"}, 2, "--currency is required"},
		{"BadCurrency", []string{"--name", "X", "--currency", "pounds"}, 2, `--currency "pounds" is not a three-letter ISO code`},
		{"BadMinOrder", []string{"--name", "X", "--currency", "GBP", "--min-order", "lots"}, 2, `--min-order: "lots" is not an amount of money`},
		{"NegativeLead", []string{"--name", "X", "--currency", "GBP", "--lead-days", "-3"}, 2, "--lead-days cannot be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, append([]string{"--db", db, "suppliers", "add"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d saying %q", r.code, r.stderr, tc.code, tc.want)
			}
		})
	}
}

func TestSuppliers_Availability(t *testing.T) {
	db, _ := purchasingDB(t)
	r := runCLI(t, nil, "--db", db, "suppliers", "unavailable", "leaf & stone tea co.", "--note", "closed until January")
	if r.code != 0 || r.stdout != "Leaf & Stone Tea Co. is marked unavailable.\n" {
		t.Fatalf("suppliers unavailable: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	// Two rules fire on the first check: the supplier just marked unavailable, and PO-00001, late since
	// before the command.
	got := alerts(r.stderr)
	if len(got) != 2 || !strings.Contains(r.stderr, "Leaf & Stone Tea Co.") || !strings.Contains(r.stderr, "PO-00001") {
		t.Errorf("alerts = %q, want two: the unavailable supplier and the late PO", got)
	}
	var list []supplierJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "suppliers", "list", "--json"), &list)
	leaf := list[0]
	if leaf.Name != "Leaf & Stone Tea Co." || leaf.Available || leaf.UnavailableSince == nil || leaf.UnavailableNote != "closed until January" {
		t.Errorf("after unavailable = %+v, want unavailable since now, with the note", leaf)
	}
	if table := mustRun(t, nil, "--db", db, "suppliers", "list"); !strings.Contains(table, "unavailable since") ||
		!strings.Contains(table, "closed until January") {
		t.Errorf("suppliers list =\n%s\nwant Leaf & Stone unavailable with its note", table)
	}
	// A supplier marked unavailable is sent nothing.
	if r := runCLI(t, nil, "--db", db, "po", "create", "--supplier", "Leaf & Stone Tea Co.", "--send", "TEA=5"); r.code != 1 ||
		!strings.Contains(r.stderr, "PO-00002 was written as a draft but not sent: Leaf & Stone Tea Co. is marked unavailable") {
		t.Errorf("po create --send to an unavailable supplier: exit %d, %q", r.code, r.stderr)
	}

	r = runCLI(t, nil, "--db", db, "suppliers", "available", "Leaf & Stone Tea Co.")
	if r.code != 0 || r.stdout != "Leaf & Stone Tea Co. is available again.\n" || len(alerts(r.stderr)) != 0 {
		t.Errorf("suppliers available: exit %d, %q, alerts %q", r.code, r.stdout, alerts(r.stderr))
	}
	decodeJSON(t, mustRun(t, nil, "--db", db, "suppliers", "list", "--json"), &list)
	if !list[0].Available || list[0].UnavailableSince != nil {
		t.Errorf("after available = %+v, want available", list[0])
	}
	if r := runCLI(t, nil, "--db", db, "suppliers", "unavailable", "Nobody"); r.code != 1 ||
		!strings.Contains(r.stderr, `there is no supplier "Nobody"; the suppliers are Leaf & Stone Tea Co., Leafy Greens and Stoke Clayworks`) {
		t.Errorf("unknown supplier: exit %d, %q", r.code, r.stderr)
	}
}

func TestSuppliers_Performance(t *testing.T) {
	db, _ := purchasingDB(t)
	perf := func() map[string]performanceJSON {
		t.Helper()
		var list []performanceJSON
		decodeJSON(t, mustRun(t, nil, "--db", db, "suppliers", "performance", "--json"), &list)
		out := map[string]performanceJSON{}
		for _, p := range list {
			out[p.Name] = p
		}
		return out
	}

	// Before anything arrived: PO-00001 is open and past its expected day; nothing is measured.
	leaf := perf()["Leaf & Stone Tea Co."]
	if leaf.PromisedDays != 10 || leaf.Measured != 0 || leaf.LearnedDays != 10 || leaf.OnTimePercent != nil || leaf.Trend != nil ||
		leaf.OpenPOs != 1 || leaf.LatePOs != 1 || len(leaf.Recent) != 0 || !leaf.Available {
		t.Errorf("before = %+v, want promised 10 = learned, nothing measured, 1 open and late", leaf)
	}
	var m []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, nil, "--db", db, "suppliers", "performance", "--json")), &m); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "performance", m[0], sorted("supplier_id", "name", "available", "promised_days", "learned_days", "lead_std_dev", "measured",
		"on_time_percent", "average_delay_days", "open_pos", "late_pos", "closed_short", "trend", "recent"))

	// Sent 10 days ago, expected 3 days ago, complete now: a 10-day lead time, 3 days late.
	mustRun(t, nil, "--db", db, "po", "receive", "PO-00001")
	leaf = perf()["Leaf & Stone Tea Co."]
	if leaf.Measured != 1 || leaf.LearnedDays != 10 || leaf.LeadStdDev != 0 || leaf.OnTimePercent == nil || *leaf.OnTimePercent != 0 ||
		leaf.AverageDelayDays != 3 || leaf.OpenPOs != 0 || leaf.LatePOs != 0 {
		t.Errorf("after = %+v, want 1 measured: 10 days, 0%% on time, 3 days late, none open", leaf)
	}
	if len(leaf.Recent) != 1 || leaf.Recent[0].Number != "PO-00001" || leaf.Recent[0].Days != 10 || leaf.Recent[0].LateDays != 3 {
		t.Errorf("recent = %+v, want PO-00001, 10 days, 3 late", leaf.Recent)
	}
	if stoke := perf()["Stoke Clayworks"]; stoke.Measured != 0 || stoke.PromisedDays != 7 || stoke.OpenPOs != 0 {
		t.Errorf("Stoke Clayworks = %+v, want nothing measured, promised 7", stoke)
	}

	table := mustRun(t, nil, "--db", db, "suppliers", "performance")
	for _, want := range []string{"SUPPLIER", "PROMISED", "LEARNED", "ON TIME", "Leaf & Stone Tea Co.", "10.0 d", "0%", "3.0 d"} {
		if !strings.Contains(table, want) {
			t.Errorf("suppliers performance =\n%s\nwant %q", table, want)
		}
	}
}

func TestFindSupplier(t *testing.T) {
	db, _ := purchasingDB(t)
	ctx := context.Background()
	s, err := data.Open(ctx, db, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sps, err := s.Suppliers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{"stoke clayworks", "Stoke Clayworks"},
		{"  Stoke ", "Stoke Clayworks"},
		{"leafy", "Leafy Greens"},
		{"Leaf & Stone", "Leaf & Stone Tea Co."},
		{sps[2].ID, sps[2].Name},
	} {
		sp, err := findSupplier(ctx, s, tc.name)
		if err != nil || sp.Name != tc.want {
			t.Errorf("findSupplier(%q) = %q, %v; want %q", tc.name, sp.Name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name, want string
		usage      bool
	}{
		{"Clayworks", `there is no supplier "Clayworks"; did you mean Stoke Clayworks?`, false},
		{"Leafy Green", "", false},
		{"Lief & Stone Tea Co.", `there is no supplier "Lief & Stone Tea Co."; did you mean Leaf & Stone Tea Co.?`, false},
		{"Acme", `there is no supplier "Acme"; the suppliers are Leaf & Stone Tea Co., Leafy Greens and Stoke Clayworks`, false},
		{"LEAF", `"LEAF" could be Leaf & Stone Tea Co. or Leafy Greens: say which`, true},
		{"", "say which supplier: its name or id", true},
	} {
		_, err := findSupplier(ctx, s, tc.name)
		if tc.want == "" {
			if err != nil {
				t.Errorf("findSupplier(%q) = %v, want a match by the start of the name", tc.name, err)
			}
			continue
		}
		var ue usageError
		if err == nil || err.Error() != tc.want || errors.As(err, &ue) != tc.usage {
			t.Errorf("findSupplier(%q) = %v (usage %v), want %q (usage %v)", tc.name, err, errors.As(err, &ue), tc.want, tc.usage)
		}
	}
}
