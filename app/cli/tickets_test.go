package cli

import (
	"strings"
	"testing"
)

func TestRun_TicketsList(t *testing.T) {
	db := demoDB(t)
	all := decodeList(t, mustRun(t, nil, "--db", db, "tickets", "list", "--json"))
	if len(all) != 4 {
		t.Fatalf("the demo has %d tickets, want 4: %v", len(all), all)
	}
	statuses := map[string]int{}
	for _, k := range all {
		checkKeys(t, "ticket", k, sorted("id", "order_id", "channel", "order_ref", "status", "reason", "handler", "customer",
			"subject", "opened", "updated", "last_customer", "last_reply", "messages", "unanswered"))
		statuses[k["status"].(string)]++
		if k["opened"] == "" || k["messages"].(float64) < 1 || !strings.Contains(k["customer"].(string), "@") {
			t.Errorf("ticket %v", k)
		}
		if k["status"] == "open" && k["unanswered"] != true {
			t.Errorf("an open demo ticket that is answered: %v", k)
		}
	}
	if statuses["open"] != 2 || statuses["waiting"] != 1 || statuses["closed"] != 1 {
		t.Errorf("statuses %v", statuses)
	}
	open := decodeList(t, mustRun(t, nil, "--db", db, "tickets", "list", "--status", "open", "--json"))
	if len(open) != 2 {
		t.Errorf("--status open listed %d", len(open))
	}
	both := decodeList(t, mustRun(t, nil, "--db", db, "tickets", "list", "--status", "waiting,closed", "--json", "--limit", "1"))
	if len(both) != 1 || both[0]["status"] == "open" {
		t.Errorf("--status waiting,closed --limit 1 listed %v", both)
	}
	table := mustRun(t, nil, "--db", db, "tickets", "list")
	if !strings.Contains(table, "where_is_order") || !strings.Contains(table, "open*") {
		t.Errorf("table:\n%s", table)
	}
	if r := runCLI(t, nil, "--db", db, "tickets", "list", "--status", "pending"); r.code != 2 || !strings.Contains(r.stderr, "open, waiting or closed") {
		t.Errorf("a bad status: exit %d, %s", r.code, r.stderr)
	}
	if r := runCLI(t, map[string]string{"BACKROOM_PIN": "1234"}, "--db", db, "--user", "Jamie Lee", "tickets", "list"); r.code == 0 ||
		!strings.Contains(r.stderr, "may not") {
		t.Errorf("a packer listing the tickets: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
}
