package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/backroom-app/backroom/data"
)

// toList is what the panel's table lists per channel SKU.
func toList(p *channelPanel) map[string]int64 {
	out := map[string]int64{}
	for _, l := range p.listings.rows {
		out[l.ChannelSKU] = l.Quantity
	}
	return out
}

// TestChannelStock_Rule: a buffer of 2 on Amazon lowers what the next file lists by 2, never below 0;
// a share over 100 % is refused in words and changes nothing.
func TestChannelStock_Rule(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*channelStockScreen](t, a, sectionChannelStock)
	p := sc.panel()
	if p == nil || p.channel != "amazon" {
		t.Fatalf("the screen opens on %v, want amazon", p)
	}
	// The test shop: APRON-SAGE 8 sellable, APRON-RUST 0 (oversold), MUG-BLUE 17, TOWEL 4.
	want := map[string]int64{"APRON-SAGE": 8, "APRON-RUST": 0, "MUG-BLUE": 17, "TOWEL": 4}
	if got := toList(p); !equalCounts(got, want) {
		t.Errorf("to list without a rule = %v, want %v", got, want)
	}
	if got := p.ruleWords.String(); got != "Amazon lists everything you can sell." {
		t.Errorf("rule in words = %q", got)
	}

	p.buffer.SetText("2")
	test.Tap(p.saveRule)
	settle(a)
	if p.ruleMessage.Importance != widget.SuccessImportance {
		t.Fatalf("saving the rule said %q", p.ruleMessage.Text)
	}
	want = map[string]int64{"APRON-SAGE": 6, "APRON-RUST": 0, "MUG-BLUE": 15, "TOWEL": 2}
	if got := toList(p); !equalCounts(got, want) {
		t.Errorf("to list with a buffer of 2 = %v, want %v", got, want)
	}
	if got := p.ruleWords.String(); got != "Amazon keeps 2 back." {
		t.Errorf("rule in words = %q", got)
	}
	rules, err := a.store.ListingRules(ctx)
	if err != nil || len(rules) != 1 || rules[0] != (data.ListingRule{Channel: "amazon", Buffer: 2}) {
		t.Errorf("ListingRules() = %+v, %v", rules, err)
	}

	t.Run("Share", func(t *testing.T) {
		p.share.SetText("50 %")
		test.Tap(p.saveRule)
		settle(a)
		want := map[string]int64{"APRON-SAGE": 3, "APRON-RUST": 0, "MUG-BLUE": 7, "TOWEL": 1}
		if got := toList(p); !equalCounts(got, want) {
			t.Errorf("to list with 2 back and 50 %% = %v, want %v", got, want)
		}
		if got := p.ruleWords.String(); got != "Amazon keeps 2 back and lists 50 % of the rest." {
			t.Errorf("rule in words = %q", got)
		}
	})
	t.Run("ErrShare", func(t *testing.T) {
		p.share.SetText("150")
		test.Tap(p.saveRule)
		settle(a)
		if p.ruleMessage.Importance != widget.DangerImportance || !strings.Contains(p.ruleMessage.Text, "150 is not a share") {
			t.Errorf("a share of 150 said %q", p.ruleMessage.Text)
		}
		p.share.SetText("half")
		test.Tap(p.saveRule)
		settle(a)
		if !strings.Contains(p.ruleMessage.Text, `"half" is not a whole number`) {
			t.Errorf("a share of half said %q", p.ruleMessage.Text)
		}
		p.share.SetText("")
		p.cap.SetText("-1")
		test.Tap(p.saveRule)
		settle(a)
		if p.ruleMessage.Importance != widget.DangerImportance || p.ruleMessage.Text != "List at most: -1 is below 0; leave it empty for off." {
			t.Errorf("a cap of -1 said %q", p.ruleMessage.Text)
		}
		if rules, _ := a.store.ListingRules(ctx); len(rules) != 1 || rules[0].Buffer != 2 || rules[0].Cap != 0 {
			t.Errorf("a refused rule changed the stored one: %+v", rules)
		}
	})
	t.Run("OtherChannelUnchanged", func(t *testing.T) {
		sc.showChannel("ebay")
		settle(a)
		e := sc.panel()
		if e.channel != "ebay" || toList(e)["APRON-SAGE"] != 8 {
			t.Errorf("eBay, without a rule, lists %v", toList(e))
		}
	})
}

func equalCounts(got, want map[string]int64) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if n, ok := got[k]; !ok || n != v {
			return false
		}
	}
	return true
}

// TestChannelStock_SaveFile: saving Amazon's file writes it with Amazon's header, logs the export, and
// from then on the table compares with it and the at-risk list names a SKU that sells down to what the
// file listed.
func TestChannelStock_SaveFile(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t)
	holdUI(t, a)
	sc := showScreen[*channelStockScreen](t, a, sectionChannelStock)
	p := sc.panel()

	// Before any file, only the oversold apron is at risk, with the order holding it.
	if got := sc.atRisk.rows; len(got) != 1 || got[0].SKU != "APRON-RUST" || !got[0].Oversold || strings.Join(got[0].Orders, ",") != "2002" {
		t.Fatalf("at risk before any file = %+v", got)
	}
	if !hasText(p.lastExport, "No file saved yet") {
		t.Errorf("last export = %q", p.lastExport.Text)
	}

	p.buffer.SetText("2")
	test.Tap(p.saveRule)
	settle(a)

	path := filepath.Join(t.TempDir(), "amazon-stock.txt")
	var offered string
	save := saveTo(t, path)
	sc.saveAs = func(name string, done func(fyne.URIWriteCloser, error)) {
		offered = name
		save(name, done)
	}
	test.Tap(p.saveFile)
	settle(a)
	if !strings.HasPrefix(offered, "amazon-stock-") || !strings.HasSuffix(offered, ".txt") {
		t.Errorf("the dialog offered %q", offered)
	}
	if want := "Saved 4 listings to " + path; !strings.HasPrefix(p.note.Text, want) || p.note.Importance != widget.SuccessImportance {
		t.Errorf("note = %q, want it to start %q", p.note.Text, want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "sku\tprice\t") || !strings.Contains(string(b), "APRON-SAGE\t\t\t\t6\t") {
		t.Errorf("the file is\n%s", b)
	}
	if _, err := os.Stat(path + ".part"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
	exports, err := a.store.StockExports(ctx, "amazon")
	if err != nil || len(exports) != 1 || exports[0].File != path || exports[0].Lines != 4 {
		t.Fatalf("StockExports() = %+v, %v", exports, err)
	}
	if !hasText(p.lastExport, "Last file: amazon-stock.txt, ") || !hasText(p.lastExport, "by Olive, 4 lines.") {
		t.Errorf("last export = %q", p.lastExport.Text)
	}
	if !strings.Contains(p.summary.Text, "all as the last file listed them") {
		t.Errorf("summary = %q", p.summary.Text)
	}
	// Listed with 2 kept back, nothing else is at risk yet.
	if got := sc.atRisk.rows; len(got) != 1 {
		t.Errorf("at risk after the file = %+v", got)
	}

	// Three aprons go: 5 left, less than the 6 Amazon was told.
	if _, err := a.store.AdjustStock(ctx, data.Adjustment{SKU: "APRON-SAGE", Delta: -3, Reason: data.ReasonAdjustment, Note: "damaged"}); err != nil {
		t.Fatal(err)
	}
	sc.refresh()
	settle(a)
	var risky *data.AtRisk
	for i, r := range sc.atRisk.rows {
		if r.SKU == "APRON-SAGE" {
			risky = &sc.atRisk.rows[i]
		}
	}
	if risky == nil || risky.Channel != "amazon" || risky.Listed != 6 || risky.Sellable != 5 || risky.Oversold {
		t.Fatalf("at risk after selling down = %+v", sc.atRisk.rows)
	}
	var changed []string
	for _, l := range p.listings.rows {
		if listingChanged(l) {
			changed = append(changed, l.ChannelSKU)
		}
	}
	if strings.Join(changed, ",") != "APRON-SAGE" || !strings.Contains(p.summary.Text, "1 differs from the last file") {
		t.Errorf("highlighted %v, summary %q", changed, p.summary.Text)
	}

	t.Run("ChooseOversold", func(t *testing.T) {
		for i, r := range sc.atRisk.rows {
			if r.SKU == "APRON-RUST" {
				sc.atRisk.choose(i)
			}
		}
		settle(a)
		if a.current != sectionOrders {
			t.Fatalf("choosing the oversold apron opened %q", a.current)
		}
		orders := a.screens[sectionOrders].(*ordersScreen)
		if orders.search.Text != "APRON-RUST" {
			t.Errorf("orders search = %q", orders.search.Text)
		}
	})
	t.Run("Closed", func(t *testing.T) {
		a.show(sectionChannelStock)
		settle(a)
		p.note.Hide()
		sc.saveAs = func(_ string, done func(fyne.URIWriteCloser, error)) { done(nil, nil) }
		test.Tap(p.saveFile)
		settle(a)
		if p.note.Visible() {
			t.Errorf("closing the dialog said %q", p.note.Text)
		}
		if exports, _ := a.store.StockExports(ctx, "amazon"); len(exports) != 1 {
			t.Errorf("%d exports after a closed dialog, want 1", len(exports))
		}
	})
}

func TestChannelStock_NotForPacker(t *testing.T) {
	a := newTestAppAs(t, testPacker)
	if a.canShow(sectionChannelStock) || a.show(sectionChannelStock) != nil {
		t.Error("the packer can open Channel stock")
	}
}

func TestRuleText(t *testing.T) {
	for _, tt := range []struct {
		rule data.ListingRule
		want string
	}{
		{data.ListingRule{Channel: "ebay"}, "eBay lists everything you can sell."},
		{data.ListingRule{Channel: "ebay", SharePct: 100}, "eBay lists everything you can sell."},
		{data.ListingRule{Channel: "ebay", Cap: 10}, "eBay lists at most 10."},
		{data.ListingRule{Channel: "ebay", SharePct: 50}, "eBay lists 50 % of what you can sell."},
		{data.ListingRule{Channel: "shopify", Buffer: 2, SharePct: 50, Cap: 10, EndBelow: 3},
			"Shopify keeps 2 back, lists 50 % of the rest, at most 10 and none while fewer than 3 are sellable."},
	} {
		if got := ruleText(tt.rule); got != tt.want {
			t.Errorf("ruleText(%+v) = %q, want %q", tt.rule, got, tt.want)
		}
	}
}

func TestChannelStock_Screenshots(t *testing.T) {
	save := screenshots(t, "channelstock")
	ctx := context.Background()
	a := newTestApp(t)
	a.fyne.Settings().SetTheme(theme.DefaultTheme())
	a.win.Resize(fyne.NewSize(1200, 780))
	holdUI(t, a)
	sc := showScreen[*channelStockScreen](t, a, sectionChannelStock)
	save(a, "1-no-file")
	p := sc.panel()
	p.buffer.SetText("1")
	p.cap.SetText("10")
	test.Tap(p.saveRule)
	settle(a)
	sc.saveAs = saveTo(t, filepath.Join(t.TempDir(), "amazon-stock.txt"))
	test.Tap(p.saveFile)
	settle(a)
	if _, err := a.store.AdjustStock(ctx, data.Adjustment{SKU: "APRON-SAGE", Delta: -3, Reason: data.ReasonAdjustment, Note: "damaged"}); err != nil {
		t.Fatal(err)
	}
	sc.loadAtRisk()
	p.refresh()
	settle(a)
	save(a, "2-saved-then-sold")
	sc.showChannel("shopify")
	settle(a)
	save(a, "3-shopify")
	sc.showChannel("amazon")
	settle(a)
	p.share.SetText("150")
	test.Tap(p.saveRule)
	settle(a)
	save(a, "4-refused-rule")
}
