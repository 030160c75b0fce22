package cli

import (
	"strings"
	"testing"
	"time"
)

func TestReturns(t *testing.T) {
	db := demoDB(t)
	ids := shipDemoOrders(t, db, time.Now().Add(-time.Hour))
	order := ids["shopify"]
	sku := firstSKU(t, db, "shopify", order)

	t.Run("Add", func(t *testing.T) {
		got := mustRun(t, nil, "--db", db, "returns", "add", order, "--channel", "shopify", "--sku", sku, "--units", "1", "--reason", "damaged",
			"--condition", "opened", "--refund", "4.50")
		if !strings.HasPrefix(got, "shopify order "+order+": 1 × "+sku+" returned, damaged, back on stock") || !strings.HasSuffix(got, "; refund £4.50\n") {
			t.Errorf("output = %q", got)
		}
	})

	t.Run("WriteOffJSON", func(t *testing.T) {
		out := mustRun(t, nil, "--db", db, "returns", "add", ids["ebay"], "--channel", "ebay", "--sku", firstSKU(t, db, "ebay", ids["ebay"]),
			"--units", "1", "--reason", "wrong-item", "--write-off", "--json")
		list := decodeList(t, "["+out+"]")
		checkKeys(t, "return", list[0], sorted("id", "channel", "external_id", "line_no", "sku", "name", "units", "reason", "condition",
			"disposition", "refund", "currency", "note", "at", "user"))
		if list[0]["disposition"] != "write-off" || list[0]["condition"] != "as-new" || list[0]["refund"] != float64(0) {
			t.Errorf("return = %v", list[0])
		}
	})

	t.Run("List", func(t *testing.T) {
		list := decodeList(t, mustRun(t, nil, "--db", db, "returns", "list", "--json"))
		// Newest first: the two recorded above come before the demo's own returns.
		if len(list) < 2 || list[0]["channel"] != "ebay" || list[1]["refund"] != float64(450) || list[1]["currency"] != "GBP" {
			t.Errorf("returns list = %v", list)
		}
		table := mustRun(t, nil, "--db", db, "returns", "list")
		if !strings.Contains(table, "REFUND") || !strings.Contains(table, "£4.50") {
			t.Errorf("table = %q", table)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		// An order nothing has come back from yet: the Add case above may have returned all of its order.
		etsy := ids["etsy"]
		r := runCLI(t, nil, "--db", db, "returns", "add", etsy, "--channel", "etsy", "--sku", firstSKU(t, db, "etsy", etsy), "--units", "999", "--reason", "late")
		if r.code != exitError || !strings.Contains(r.stderr, "cannot be returned") {
			t.Errorf("over-return: exit %d, stderr %q", r.code, r.stderr)
		}
		for _, args := range [][]string{
			{"returns", "add", order, "--units", "1", "--reason", "late"},
			{"returns", "add", order, "--sku", sku, "--reason", "late"},
			{"returns", "add", order, "--sku", sku, "--units", "1", "--reason", "bored"},
			{"returns", "add", order, "--sku", sku, "--units", "1", "--reason", "late", "--condition", "mint"},
			{"returns", "add", order, "--channel", "shopify", "--sku", sku, "--units", "1", "--reason", "late", "--refund", "lots"},
		} {
			if r := runCLI(t, nil, append([]string{"--db", db}, args...)...); r.code != exitUsage {
				t.Errorf("backroom %s: exit %d, want %d; stderr %q", strings.Join(args, " "), r.code, exitUsage, r.stderr)
			}
		}
	})
}

// firstSKU is the SKU of an order's first line.
func firstSKU(t *testing.T, db, channel, id string) string {
	t.Helper()
	for _, o := range decodeList(t, mustRun(t, nil, "--db", db, "orders", "list", "--json", "--channel", channel, "--search", id)) {
		if o["external_id"] == id {
			if sku, ok := o["lines"].([]any)[0].(map[string]any)["sku"].(string); ok {
				return sku
			}
		}
	}
	t.Fatalf("%s order %s has no matched first line", channel, id)
	return ""
}
