package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The reorder plan of purchasingDB, worked by hand with the default settings (56 days of demand, 95%
// service level, 30 days of cover):
//
//	MUG   no stock, 4 held by the open order, so sellable −4. It sold 4 on the one day of the window it
//	      could (the day of the order: started empty but sold), so 4 a day with no spread. Stoke
//	      Clayworks has no measured PO, so its promised 7 days count, without spread: safety stock 0,
//	      reorder point 4 × 7 = 28. −4 is below it: order 28 + 4 × 30 − (−4) = 152, at least the MOQ of
//	      24, in packs of 12: 156, at £3.20 = £499.20, under Stoke's £600.00 minimum.
//	CARD  sellable −2, 2 a day, no supplier so no lead time: reorder point 0; order 0 + 60 + 2 = 62,
//	      with no supplier to order from.
//	TEA   100 on hand, 50 on order, never sold: no demand, nothing to order.
func TestReorder_Suggestions(t *testing.T) {
	db, base := purchasingDB(t)

	var groups []suggestionJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "reorder", "--json"), &groups)
	if len(groups) != 2 || groups[0].Supplier != "Stoke Clayworks" || groups[1].SupplierID != "" {
		t.Fatalf("reorder --json = %+v, want Stoke Clayworks, then the SKUs without a supplier", groups)
	}
	stoke := groups[0]
	if stoke.Currency != "GBP" || stoke.Total == nil || *stoke.Total != 49920 || stoke.MinOrderValue == nil || *stoke.MinOrderValue != 60000 ||
		!stoke.BelowMinimum || len(stoke.Lines) != 1 {
		t.Fatalf("Stoke Clayworks = %+v, want one line, total 49920 below the 60000 minimum", stoke)
	}
	mug := stoke.Lines[0]
	want := reorderLineJSON{SKU: "MUG", Name: "Stoneware mug", OnHand: 0, Reserved: 4, Sellable: -4, OnOrder: 0, UnitsSold: 4, InStockDays: 1,
		PerDay: 4, LeadDays: 7, LeadStdDev: 0, SafetyStock: 0, ReorderPoint: 28, SupplierID: stoke.SupplierID, Supplier: "Stoke Clayworks",
		SupplierSKU: "SC-MUG", PackSize: 12, MinOrderQty: 24, Currency: "GBP", NeedsOrder: true, SuggestQty: 156}
	got := mug
	got.DaysOfCover, got.StockOut, got.NextReceipt, got.UnitCost = nil, nil, nil, nil
	if got != want {
		t.Errorf("MUG =\n%+v\nwant\n%+v", got, want)
	}
	if mug.DaysOfCover == nil || *mug.DaysOfCover != 0 || mug.StockOut == nil || mug.NextReceipt != nil || mug.UnitCost == nil || *mug.UnitCost != 320 {
		t.Errorf("MUG cover %v, stock-out %v, next receipt %v, unit cost %v; want 0, a day, null, 320", mug.DaysOfCover, mug.StockOut,
			mug.NextReceipt, mug.UnitCost)
	}
	if now := utcDay(time.Now()); mug.StockOut != nil && *mug.StockOut != utcDay(base) && *mug.StockOut != now {
		t.Errorf("MUG stock-out = %s, want today (%s)", *mug.StockOut, now)
	}
	none := groups[1]
	if none.Supplier != "" || none.BelowMinimum || len(none.Lines) != 1 {
		t.Fatalf("no supplier = %+v, want CARD alone", none)
	}
	if c := none.Lines[0]; c.SKU != "CARD" || c.Sellable != -2 || c.PerDay != 2 || c.LeadDays != 0 || c.ReorderPoint != 0 || c.SuggestQty != 62 ||
		c.SupplierID != "" || c.PackSize != 0 || c.UnitCost != nil {
		t.Errorf("CARD = %+v, want sellable −2, 2 a day, order 62, no supplier", c)
	}

	var m []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, nil, "--db", db, "reorder", "--json")), &m); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "suggestion", m[0], sorted("supplier_id", "supplier", "currency", "total", "min_order_value", "below_minimum", "lines"))
	checkKeys(t, "reorder line", m[0]["lines"].([]any)[0].(map[string]any), sorted("sku", "name", "on_hand", "reserved", "sellable", "on_order",
		"units_sold", "in_stock_days", "per_day", "lead_days", "lead_std_dev", "safety_stock", "reorder_point", "days_of_cover", "stock_out",
		"next_receipt", "supplier_id", "supplier", "supplier_sku", "pack_size", "min_order_qty", "unit_cost", "currency", "needs_order", "suggest_qty"))

	table := mustRun(t, nil, "--db", db, "reorder")
	for _, want := range []string{
		"Reorder suggestions on ", "demand over the last 56 days, 95% service level, 30 days of cover.",
		"Stoke Clayworks · 1 SKU · £499.20 (below its £600.00 minimum order)",
		"156 (13×12)", "out now", "£499.20",
		"No available supplier · 1 SKU",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("reorder =\n%s\nwant %q", table, want)
		}
	}

	decodeJSON(t, mustRun(t, nil, "--db", db, "reorder", "--supplier", "stoke", "--json"), &groups)
	if len(groups) != 1 || groups[0].Supplier != "Stoke Clayworks" {
		t.Errorf("reorder --supplier stoke = %+v, want Stoke Clayworks alone", groups)
	}
	if out := mustRun(t, nil, "--db", db, "reorder", "--supplier", "Leafy Greens"); !strings.Contains(out, "Nothing to order from Leafy Greens now.") {
		t.Errorf("reorder --supplier Leafy Greens =\n%s", out)
	}

	// A packer sees the plan without money.
	m = nil
	packer := map[string]string{"BACKROOM_USER": "Jamie", "BACKROOM_PIN": "1234"}
	if err := json.Unmarshal([]byte(mustRun(t, packer, "--db", db, "reorder", "--json")), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m[0]["total"]; ok {
		t.Errorf("packer sees total %v", m[0]["total"])
	}
	if _, ok := m[0]["lines"].([]any)[0].(map[string]any)["unit_cost"]; ok {
		t.Error("packer sees unit_cost")
	}
}

func TestReorder_Draft(t *testing.T) {
	db, _ := purchasingDB(t)
	packer := map[string]string{"BACKROOM_USER": "Jamie", "BACKROOM_PIN": "1234"}
	if r := runCLI(t, packer, "--db", db, "reorder", "--draft"); r.code != 1 {
		t.Errorf("packer drafts: exit %d, want 1", r.code)
	}

	out := mustRun(t, nil, "--db", db, "reorder", "--draft")
	for _, want := range []string{
		"Drafted PO-00002 for Stoke Clayworks: 1 line, 156 units, £499.20.",
		"Below Stoke Clayworks's minimum order of £600.00",
		"Left out, no available supplier: CARD.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("reorder --draft =\n%s\nwant %q", out, want)
		}
	}
	var po poDetailJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "po", "show", "PO-00002", "--json"), &po)
	if po.Status != "draft" || po.Origin != "reorder" || len(po.Lines) != 1 || po.Lines[0].SKU != "MUG" || po.Lines[0].Quantity != 156 ||
		*po.Lines[0].UnitCost != 320 {
		t.Errorf("drafted = %+v, want a reorder draft of 156 MUG at 320", po)
	}

	// Drafting again orders nothing twice, and says why.
	var d draftJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "reorder", "--draft", "--json"), &d)
	if len(d.Drafted) != 0 || len(d.Skipped) != 1 || d.Skipped[0] != (skippedJSON{SKU: "MUG", Supplier: "Stoke Clayworks", PO: "PO-00002"}) ||
		len(d.NoSupplier) != 1 || d.NoSupplier[0] != "CARD" {
		t.Errorf("second --draft = %+v, want MUG skipped for PO-00002 and CARD without a supplier", d)
	}

	// Once the draft is sent, MUG is on order: sellable −4 + 156 on order is above the reorder point.
	mustRun(t, nil, "--db", db, "po", "send", "PO-00002")
	var groups []suggestionJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "reorder", "--json"), &groups)
	if len(groups) != 1 || groups[0].SupplierID != "" {
		t.Errorf("after sending = %+v, want only CARD, without a supplier", groups)
	}
	var plan []reorderLineJSON
	decodeJSON(t, mustRun(t, nil, "--db", db, "reorder", "--all", "--json"), &plan)
	bySKU := map[string]reorderLineJSON{}
	for _, l := range plan {
		bySKU[l.SKU] = l
	}
	if len(plan) != 3 || plan[0].SKU != "CARD" {
		t.Fatalf("reorder --all = %+v, want CARD (to order) first, then MUG and TEA", plan)
	}
	if mug := bySKU["MUG"]; mug.NeedsOrder || mug.OnOrder != 156 || mug.SuggestQty != 0 || mug.NextReceipt == nil {
		t.Errorf("MUG = %+v, want 156 on order with a next receipt, nothing to order", mug)
	}
	if tea := bySKU["TEA"]; tea.NeedsOrder || tea.OnHand != 100 || tea.OnOrder != 50 || tea.PerDay != 0 || tea.DaysOfCover != nil ||
		tea.StockOut != nil || tea.Supplier != "Leaf & Stone Tea Co." {
		t.Errorf("TEA = %+v, want 100 on hand, 50 on order, no demand", tea)
	}
	table := mustRun(t, nil, "--db", db, "reorder", "--all")
	if !strings.Contains(table, "Reorder plan on ") || !strings.Contains(table, "NEXT DELIVERY") || !strings.Contains(table, "Leaf & Stone Tea Co.") {
		t.Errorf("reorder --all =\n%s", table)
	}

	if r := runCLI(t, nil, "--db", db, "reorder", "--all", "--draft"); r.code != 2 || !strings.Contains(r.stderr, "use one of them") {
		t.Errorf("--all --draft: exit %d, %q; want 2", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "--db", db, "reorder", "--supplier", "Nobody"); r.code != 1 {
		t.Errorf("--supplier Nobody: exit %d, want 1", r.code)
	}
}
