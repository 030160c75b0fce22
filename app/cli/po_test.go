package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// purchasingDB is a small shop for the purchasing commands, written through the store with its clock set
// 10 days before base (the commands then run at the real time, about base):
//
//	MUG   cost £3.00, no stock; Stoke Clayworks primary (SC-MUG, £3.20, packs of 12, at least 24),
//	      Leaf & Stone Tea Co. first backup (£4.00, packs of 6)
//	TEA   cost £1.50, 100 on hand; Leaf & Stone Tea Co. (LS-TEA, £1.40)
//	CARD  cost £0.50, no supplier
//
// Stoke Clayworks promises 7 days and takes orders of £600.00 or more; Leaf & Stone Tea Co. promises
// 10; Leafy Greens (no items) is there to make "leaf" ambiguous. PO-00001 orders 50 TEA from Leaf &
// Stone, sent 10 days before base and expected 3 days before base: it is 3 days late. One paid order
// placed 12 hours before base holds 4 MUG and 2 CARD. A contingency rule alerts on POs more than 2 days
// late, another on suppliers marked unavailable. Jamie is a packer with PIN 1234.
func purchasingDB(t *testing.T) (path string, base time.Time) {
	t.Helper()
	ctx := context.Background()
	base = time.Now().UTC()
	path = filepath.Join(t.TempDir(), "shop.db")
	s, err := data.Open(ctx, path, data.Options{Now: func() time.Time { return base.Add(-10 * 24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []data.NewVariant{
		{SKU: "MUG", ProductName: "Stoneware mug", Price: 1200, Cost: 300, Currency: "GBP"},
		{SKU: "TEA", ProductName: "Breakfast tea", Price: 600, Cost: 150, Currency: "GBP"},
		{SKU: "CARD", ProductName: "Greeting card", Price: 300, Cost: 50, Currency: "GBP"},
	} {
		_, err := s.AddVariant(ctx, v)
		must(err)
	}
	_, err = s.AdjustStock(ctx, data.Adjustment{SKU: "TEA", Delta: 100, Note: "opening stock"})
	must(err)
	stoke, err := s.AddSupplier(ctx, data.Supplier{Name: "Stoke Clayworks", Currency: "GBP", LeadTimeDays: 7, MinOrderValue: 60000,
		Email: "hannah@stoke.example"})
	must(err)
	leaf, err := s.AddSupplier(ctx, data.Supplier{Name: "Leaf & Stone Tea Co.", Currency: "GBP", LeadTimeDays: 10})
	must(err)
	_, err = s.AddSupplier(ctx, data.Supplier{Name: "Leafy Greens", Currency: "GBP", LeadTimeDays: 3})
	must(err)
	cost := func(n int64) *int64 { return &n }
	must(s.SetSupplierItem(ctx, data.SupplierItem{SupplierID: stoke.ID, SKU: "MUG", SupplierSKU: "SC-MUG", UnitCost: cost(320), PackSize: 12, MinOrderQty: 24}))
	must(s.SetSupplierItem(ctx, data.SupplierItem{SupplierID: leaf.ID, SKU: "MUG", SupplierSKU: "LS-MUG", UnitCost: cost(400), PackSize: 6}))
	must(s.SetSupplierItem(ctx, data.SupplierItem{SupplierID: leaf.ID, SKU: "TEA", SupplierSKU: "LS-TEA", UnitCost: cost(140)}))
	po, err := s.CreatePO(ctx, data.NewPO{SupplierID: leaf.ID, Lines: []data.NewPOLine{{SKU: "TEA", Quantity: 50}}})
	must(err)
	expected := base.Add(-3 * 24 * time.Hour)
	_, err = s.SendPO(ctx, po.ID, &expected)
	must(err)
	_, err = s.ApplyOrders(ctx, []data.Order{{Channel: "shopify", ExternalID: "#1001", Status: data.StatusPaid, Currency: "GBP",
		PlacedAt: base.Add(-12 * time.Hour), Lines: []data.OrderLine{{SKU: "MUG", Quantity: 4, UnitPrice: 1200}, {SKU: "CARD", Quantity: 2, UnitPrice: 300}},
		Subtotal: 5400, Total: 5400}})
	must(err)
	_, err = s.AddContingencyRule(ctx, data.ContingencyRule{Trigger: data.TriggerPOLate, LateDays: 2, Action: data.ActionAlert})
	must(err)
	_, err = s.AddContingencyRule(ctx, data.ContingencyRule{Trigger: data.TriggerSupplierUnavailable, Action: data.ActionAlert})
	must(err)
	_, err = s.AddUser(ctx, "Jamie", data.RolePacker, "1234")
	must(err)
	return path, base
}

// decodeJSON decodes one JSON value into v, failing the test on anything else.
func decodeJSON(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("output is not the expected JSON: %v\n%s", err, out)
	}
}

// alerts are the contingency alert lines a command printed on stderr.
func alerts(stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "backroom: alert: ") {
			out = append(out, line)
		}
	}
	return out
}

func utcDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

func TestPO_Flow(t *testing.T) {
	db, base := purchasingDB(t)
	pdf := filepath.Join(t.TempDir(), "po.pdf")

	// Create: a draft for the supplier named by the start of its name, costed at its price.
	var po poDetailJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "create", "--supplier", "stoke", "--notes", "Christmas stock", "MUG=156", "--json"), &po)
	if got, want := po.Number, "PO-00002"; got != want {
		t.Errorf("number = %q, want %q", got, want)
	}
	if po.Supplier != "Stoke Clayworks" || po.Status != "draft" || po.Currency != "GBP" || po.Location != "Shop" || po.Origin != "manual" ||
		po.Notes != "Christmas stock" || po.Late {
		t.Errorf("created = %+v, want a manual GBP draft to Stoke Clayworks for Shop, with its notes", po.poJSON)
	}
	if po.SentAt != nil || po.Expected != nil || po.ReceivedAt != nil || po.CancelledAt != nil {
		t.Errorf("draft dates = %v %v %v %v, want all null", po.SentAt, po.Expected, po.ReceivedAt, po.CancelledAt)
	}
	if po.Total == nil || *po.Total != 156*320 {
		t.Errorf("total = %v, want %d", po.Total, 156*320)
	}
	if len(po.Lines) != 1 {
		t.Fatalf("lines = %+v, want 1", po.Lines)
	}
	if l := po.Lines[0]; l.LineNo != 1 || l.SKU != "MUG" || l.Name != "Stoneware mug" || l.SupplierSKU != "SC-MUG" || l.Quantity != 156 ||
		l.Received != 0 || l.Outstanding != 156 || l.UnitCost == nil || *l.UnitCost != 320 {
		t.Errorf("line = %+v, want MUG×156 as SC-MUG at 320", l)
	}
	if len(po.Receipts) != 0 {
		t.Errorf("receipts = %v, want none", po.Receipts)
	}

	// Send: the other PO is 3 days late, which the rule for POs late by more than 2 days reports.
	expected := base.AddDate(0, 0, 7)
	r := runCLI(t, nil, "--db", db, "po", "send", "po-2", "--expected", utcDay(expected), "--pdf", pdf)
	if r.code != 0 {
		t.Fatalf("po send: exit %d: %s", r.code, r.stderr)
	}
	if want := "Sent PO-00002 to Stoke Clayworks, expected " + expected.Format("2 Jan 2006") + ".\nWritten to " + pdf + "\n"; !strings.HasPrefix(r.stdout, want) {
		t.Errorf("po send output starts %q, want %q", r.stdout, want)
	}
	if got := alerts(r.stderr); len(got) != 1 || !strings.Contains(got[0], "PO-00001 from Leaf & Stone Tea Co. is 3 days late") {
		t.Errorf("po send alerts = %q, want one: PO-00001 is 3 days late", got)
	}
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("--pdf wrote %d bytes (%v), want a PDF", len(b), err)
	}
	// The next check finds that alert already raised and says nothing more.
	if r := runCLI(t, nil, "--db", db, "suppliers", "available", "Stoke Clayworks"); r.code != 0 || len(alerts(r.stderr)) != 0 {
		t.Errorf("suppliers available: exit %d, alerts %q; want 0 and none", r.code, alerts(r.stderr))
	}

	// List: both open orders, the late one marked.
	var list []poJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "list", "--status", "open", "--json"), &list)
	if len(list) != 2 || list[0].Number != "PO-00002" || list[1].Number != "PO-00001" {
		t.Fatalf("po list --status open = %+v, want PO-00002 and PO-00001, newest first", list)
	}
	if got := list[0]; got.Status != "sent" || got.Late || got.Expected == nil || *got.Expected != utcDay(expected) || got.SentAt == nil {
		t.Errorf("PO-00002 = %+v, want sent, not late, expected %s", got, utcDay(expected))
	}
	if got := list[1]; !got.Late || got.Expected == nil || *got.Expected != utcDay(base.Add(-3*24*time.Hour)) {
		t.Errorf("PO-00001 = %+v, want late, expected %s", got, utcDay(base.Add(-3*24*time.Hour)))
	}
	table := mustRun(t, nil, "--db", db, "po", "list", "--supplier", "Leaf & Stone Tea Co.")
	if !strings.Contains(table, "PO-00001") || strings.Contains(table, "PO-00002") || !strings.Contains(table, "Sent, 3 days late") {
		t.Errorf("po list --supplier Leaf… =\n%s\nwant PO-00001 alone, 3 days late", table)
	}

	// Receive part: 100 of 156 arrive at £3.20 on top of no stock, so the cost becomes £3.20.
	var rec receiveJSON
	r = runCLI(t, nil, "--db", db, "po", "receive", "PO-00002", "mug=100", "--json")
	if r.code != 0 {
		t.Fatalf("po receive: exit %d: %s", r.code, r.stderr)
	}
	decodeJSON(t, r.stdout, &rec)
	if got := rec.PO; got.Status != "partly_received" || got.Lines[0].Received != 100 || got.Lines[0].Outstanding != 56 || got.ReceivedAt != nil {
		t.Errorf("after 100 = %+v, want partly received, 56 to come", got.poJSON)
	}
	if len(rec.Arrived) != 1 {
		t.Fatalf("arrived = %+v, want MUG", rec.Arrived)
	}
	if a := rec.Arrived[0]; a.SKU != "MUG" || a.Quantity != 100 || a.OnHand != 100 || a.Currency != "GBP" ||
		a.Cost == nil || *a.Cost != 320 || a.PreviousCost == nil || *a.PreviousCost != 300 {
		t.Errorf("arrived = %+v, want 100 MUG, 100 on hand, cost 300 → 320", a)
	}
	if len(rec.CostNotes) != 0 || len(rec.PO.Receipts) != 1 || rec.PO.Receipts[0].Quantity != 100 || rec.PO.Receipts[0].SKU != "MUG" {
		t.Errorf("cost notes %v, receipts %+v; want none and one of 100 MUG", rec.CostNotes, rec.PO.Receipts)
	}

	// Receive the rest: no lines means everything outstanding. 56 more at £3.20 leave the cost alone.
	out := mustRun(t, nil, "--db", db, "po", "receive", "2")
	for _, want := range []string{"Received 56 units against PO-00002 from Stoke Clayworks at Shop; it is complete.", "MUG", "156", "£3.20, unchanged"} {
		if !strings.Contains(out, want) {
			t.Errorf("po receive 2 =\n%s\nwant %q", out, want)
		}
	}
	var shown poDetailJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "show", "PO-00002", "--json"), &shown)
	if shown.Status != "received" || shown.ReceivedAt == nil || len(shown.Receipts) != 2 || shown.Receipts[1].Quantity != 56 ||
		shown.Receipts[1].User != "system" {
		t.Errorf("shown = %+v, want received with deliveries of 100 and 56", shown)
	}
	if r := runCLI(t, nil, "--db", db, "po", "receive", "PO-00002"); r.code != 1 || !strings.Contains(r.stderr, "PO-00002 is received") {
		t.Errorf("receiving a received order: exit %d, stderr %q; want 1 saying it is received", r.code, r.stderr)
	}

	// Receiving the late PO clears its cause: no new alert.
	r = runCLI(t, nil, "--db", db, "po", "receive", "PO-00001", "TEA=50")
	if r.code != 0 || len(alerts(r.stderr)) != 0 {
		t.Errorf("po receive PO-00001: exit %d, alerts %q; want 0 and none", r.code, alerts(r.stderr))
	}
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "list", "--status", "received", "--json"), &list)
	if len(list) != 2 {
		t.Errorf("received orders = %d, want 2", len(list))
	}
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "list", "--json"), &list)
	if len(list) != 0 {
		t.Errorf("drafts and open orders = %+v, want none", list)
	}
}

func TestPO_JSONKeys(t *testing.T) {
	db, _ := purchasingDB(t)
	var m map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, nil, "--db", db, "po", "show", "1", "--json")), &m); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "po show", m, sorted("number", "supplier_id", "supplier", "status", "late", "currency", "location", "origin", "notes",
		"created_at", "sent_at", "expected", "received_at", "cancelled_at", "total", "lines", "receipts"))
	checkKeys(t, "po line", m["lines"].([]any)[0].(map[string]any), sorted("line_no", "sku", "name", "supplier_sku", "quantity", "received",
		"outstanding", "unit_cost"))
	if _, err := time.Parse(time.RFC3339, m["sent_at"].(string)); err != nil || !strings.HasSuffix(m["sent_at"].(string), "Z") {
		t.Errorf("sent_at = %v, want RFC 3339 in UTC", m["sent_at"])
	}

	// A packer may not see costs: they are left out, not shown as 0.
	packer := map[string]string{"BACKROOM_USER": "Jamie", "BACKROOM_PIN": "1234"}
	m = nil // Unmarshal into a map keeps the keys already there
	if err := json.Unmarshal([]byte(mustRun(t, packer, "--db", db, "po", "show", "1", "--json")), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["total"]; ok {
		t.Errorf("packer sees total %v", m["total"])
	}
	if _, ok := m["lines"].([]any)[0].(map[string]any)["unit_cost"]; ok {
		t.Error("packer sees unit_cost")
	}
}

func TestPO_Numbers(t *testing.T) {
	db, _ := purchasingDB(t)
	for _, ref := range []string{"PO-00001", "po-1", "1", "PO1", "00001"} {
		var po poDetailJSON
		decodeJSON(t, mustRun(t, nil, "--db", db, "po", "show", ref, "--json"), &po)
		if po.Number != "PO-00001" {
			t.Errorf("po show %s = %s, want PO-00001", ref, po.Number)
		}
	}
}

func TestPO_Errors(t *testing.T) {
	db, _ := purchasingDB(t)
	packer := map[string]string{"BACKROOM_USER": "Jamie", "BACKROOM_PIN": "1234"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"BadQuantity", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG=abc"}, 2, `"MUG=abc": the quantity "abc" is not a whole number`},
		{"ZeroQuantity", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG=0"}, 2, `"MUG=0": the quantity "0"`},
		{"NoEquals", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG"}, 2, `"MUG": write each line as SKU=QTY or SKU=QTY@COST`},
		{"BadCost", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG=24@cheap"}, 2, `"MUG=24@cheap": the unit cost: "cheap" is not an amount of money`},
		{"TooManyDecimals", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG=24@3.105"}, 2, `has more than 2 decimals for GBP`},
		{"TwiceTheSKU", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG=24", "mug=12"}, 2, `"mug=12": mug is already given as "MUG=24"`},
		{"UnknownSKU", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG=24", "NOPE=3"}, 1, "line 2: there is no SKU NOPE"},
		{"NoSupplier", nil, []string{"po", "create", "MUG=24"}, 2, "--supplier NAME"},
		{"NoLines", nil, []string{"po", "create", "--supplier", "Stoke Clayworks"}, 2, "list what to order as SKU=QTY"},
		{"UnknownSupplier", nil, []string{"po", "create", "--supplier", "Stoke Clayworx", "MUG=24"}, 1, `there is no supplier "Stoke Clayworx"; did you mean Stoke Clayworks?`},
		{"AmbiguousSupplier", nil, []string{"po", "create", "--supplier", "leaf", "MUG=24"}, 2, `"leaf" could be Leaf & Stone Tea Co. or Leafy Greens`},
		{"BadExpected", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "--expected", "12/01/2027", "MUG=24"}, 2, `--expected "12/01/2027" is not a day written YYYY-MM-DD`},
		{"SendDueYesterday", nil, []string{"po", "create", "--supplier", "Stoke Clayworks", "--send", "--expected", utcDay(time.Now().AddDate(0, 0, -1)), "MUG=24"}, 2, "is before today"},
		{"UnknownPO", nil, []string{"po", "show", "PO-00099"}, 1, "there is no purchase order PO-00099"},
		{"NotAPONumber", nil, []string{"po", "show", "banana"}, 2, `"banana" is not a purchase order number`},
		{"LineNotOnPO", nil, []string{"po", "receive", "PO-00001", "MUG=2"}, 1, `PO-00001 has no line for MUG; its lines are TEA`},
		{"NegativeDelivery", nil, []string{"po", "receive", "PO-00001", "TEA=-1"}, 2, `the quantity "-1" is not a whole number`},
		{"DeliveryWithCost", nil, []string{"po", "receive", "PO-00001", "TEA=1@2"}, 2, "a delivery takes no cost"},
		{"SentTwice", nil, []string{"po", "send", "PO-00001"}, 1, "PO-00001 was already sent"},
		{"NoPDFFolder", nil, []string{"po", "send", "PO-00001", "--pdf", "/no/such/folder/po.pdf"}, 2, "--pdf /no/such/folder/po.pdf: there is no folder"},
		{"BadStatus", nil, []string{"po", "list", "--status", "lost"}, 2, `--status "lost": use open, draft`},
		{"CloseUnstarted", nil, []string{"po", "close", "PO-00001"}, 1, "nothing of PO-00001 has arrived: cancel it instead"},
		{"PackerCreates", packer, []string{"po", "create", "--supplier", "Stoke Clayworks", "MUG=24"}, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, append([]string{"--db", db}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr = %q, want it to say %q", r.stderr, tc.want)
			}
		})
	}
	// None of the refused commands wrote an order.
	var list []poJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "list", "--status", "all", "--json"), &list)
	if len(list) != 1 {
		t.Errorf("orders after the refusals = %d, want 1", len(list))
	}
}

func TestPO_CreateSendAndCancel(t *testing.T) {
	db, _ := purchasingDB(t)
	// A cost given on the line wins over the supplier's price; --send sends at once, at the lead time.
	var po poDetailJSON
	r := runCLI(t, nil, "--db", db, "po", "create", "--supplier", "LEAF & STONE TEA CO.", "--send", "--json", "TEA=20@1.35", "MUG=6")
	if r.code != 0 {
		t.Fatalf("po create --send: exit %d: %s", r.code, r.stderr)
	}
	decodeJSON(t, r.stdout, &po)
	if po.Status != "sent" || po.Expected == nil || po.SentAt == nil {
		t.Fatalf("created = %+v, want sent with an expected day", po.poJSON)
	}
	sent, _ := time.Parse(time.RFC3339, *po.SentAt)
	if want := utcDay(sent.AddDate(0, 0, 10)); *po.Expected != want {
		t.Errorf("expected = %s, want %s (10 days' lead time)", *po.Expected, want)
	}
	if got := [2]int64{*po.Lines[0].UnitCost, *po.Lines[1].UnitCost}; got != [2]int64{135, 400} {
		t.Errorf("unit costs = %v, want [135 400]", got)
	}
	if *po.Total != 20*135+6*400 {
		t.Errorf("total = %d, want %d", *po.Total, 20*135+6*400)
	}
	out := mustRun(t, nil, "--db", db, "po", "cancel", po.Number, "--reason", "ordered twice")
	if !strings.Contains(out, "Cancelled PO-00002 to Leaf & Stone Tea Co.") || !strings.Contains(out, "Notes: Cancelled: ordered twice") {
		t.Errorf("po cancel =\n%s\nwant it cancelled with the reason in the notes", out)
	}
	var list []poJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "list", "--status", "cancelled", "--json"), &list)
	if len(list) != 1 || list[0].CancelledAt == nil {
		t.Errorf("cancelled orders = %+v, want PO-00002", list)
	}
}
