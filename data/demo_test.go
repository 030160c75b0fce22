package data

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// demoNow is the demo tests' today: in British Summer Time, so UK order times carry +01:00.
var demoNow = time.Date(2026, 6, 12, 14, 0, 0, 0, time.UTC)

// openDemoStore opens an empty store on a fixed clock in a temporary folder.
func openDemoStore(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "demo.db"), Options{Now: func() time.Time { return demoNow }})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// generateDemo fills a new store with the demo shop.
func generateDemo(tb testing.TB, opts DemoOptions) (*Store, DemoResult) {
	tb.Helper()
	s := openDemoStore(tb)
	res, err := s.GenerateDemo(context.Background(), opts)
	if err != nil {
		tb.Fatalf("GenerateDemo: %v", err)
	}
	return s, res
}

// allOrders reads every order with its lines.
func allOrders(tb testing.TB, s *Store) []Order {
	tb.Helper()
	ctx := context.Background()
	orders, err := s.Orders(ctx, OrderFilter{})
	if err != nil {
		tb.Fatalf("Orders: %v", err)
	}
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	lines, err := s.OrderLines(ctx, ids)
	if err != nil {
		tb.Fatalf("OrderLines: %v", err)
	}
	for i := range orders {
		orders[i].Lines = lines[orders[i].ID]
	}
	return orders
}

func TestStore_GenerateDemo(t *testing.T) {
	ctx := context.Background()
	s, res := generateDemo(t, DemoOptions{Seed: 1})

	t.Run("Counts", func(t *testing.T) {
		want := DemoResult{Users: 3, Locations: 2, Suppliers: 6, Variants: 61, Kits: 3, Aliases: 7, Orders: 200}
		got := DemoResult{Users: res.Users, Locations: res.Locations, Suppliers: res.Suppliers, Variants: res.Variants,
			Kits: res.Kits, Aliases: res.Aliases, Orders: res.Orders}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("GenerateDemo() counts = %+v, want %+v", got, want)
		}
		if got, want := res.SupplierItems, 58; got < want { // every stocked SKU has at least its maker
			t.Errorf("SupplierItems = %d, want at least %d", got, want)
		}
		if n, err := s.CountVariants(ctx, "", true); err != nil || n != res.Variants {
			t.Errorf("CountVariants() = %d, %v, want %d", n, err, res.Variants)
		}
		if n, err := s.CountOrders(ctx, OrderFilter{}); err != nil || n != res.Orders {
			t.Errorf("CountOrders() = %d, %v, want %d", n, err, res.Orders)
		}
		if got, want := len(allOrders(t, s)), 200; got != want {
			t.Errorf("orders read back = %d, want %d", got, want)
		}
	})

	t.Run("Settings", func(t *testing.T) {
		for key, want := range map[Setting]string{SettingShopName: "Fern & Kettle", SettingCurrency: "GBP"} {
			if got, err := s.Setting(ctx, key); err != nil || got != want {
				t.Errorf("Setting(%s) = %q, %v, want %q", key, got, err, want)
			}
		}
	})

	t.Run("Users", func(t *testing.T) {
		users, err := s.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range users {
			got = append(got, fmt.Sprintf("%s/%s/%v", u.Name, u.Role, u.HasPIN))
		}
		want := []string{"Alex Morgan/owner/false", "Jamie Lee/packer/true", "Priya Shah/accountant/true"}
		if !slices.Equal(got, want) {
			t.Errorf("Users() = %v, want %v", got, want)
		}
		packer, err := s.Login(ctx, "Jamie Lee", "1234")
		if err != nil {
			t.Fatalf("Login(Jamie Lee, 1234) = %v, want nil", err)
		}
		if got, want := packer.User().Role, RolePacker; got != want {
			t.Errorf("packer role = %s, want %s", got, want)
		}
		if v, err := packer.Variant(ctx, "FK-MUG-SAGE"); err != nil || v.Cost != nil {
			t.Errorf("packer Variant(FK-MUG-SAGE).Cost = %v, %v, want nil", v.Cost, err)
		}
		if _, err := s.Login(ctx, "Priya Shah", "2468"); err != nil {
			t.Errorf("Login(Priya Shah, 2468) = %v, want nil", err)
		}
		if _, err := s.Login(ctx, "Jamie Lee", "0000"); !errors.Is(err, ErrPermission) {
			t.Errorf("Login(Jamie Lee, 0000) = %v, want ErrPermission", err)
		}
	})

	t.Run("Catalogue", func(t *testing.T) {
		vs, err := s.Variants(ctx, VariantFilter{IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		withBarcode, leadingZero, inactive := 0, 0, 0
		for _, v := range vs {
			for _, code := range v.Barcodes {
				if got, want := code, withEANCheckDigit(code[:12]); len(code) != 13 || got != want {
					t.Errorf("barcode of %s = %s, want a valid EAN-13 (%s)", v.SKU, got, want)
				}
			}
			if len(v.Barcodes) > 0 {
				withBarcode++
			}
			if strings.HasPrefix(v.SKU, "0") {
				leadingZero++
			}
			if !v.Active {
				inactive++
			}
			if v.Currency != "GBP" || v.Price <= 0 || (len(v.Kit) == 0 && (v.Cost == nil || *v.Cost <= 0 || *v.Cost >= v.Price)) {
				t.Errorf("%s: price %d, cost %v %s, want GBP with 0 < cost < price", v.SKU, v.Price, v.Cost, v.Currency)
			}
			if len(v.Kit) == 0 && !regexp.MustCompile(`^[A-G]-\d\d-\d$`).MatchString(v.Bin) {
				t.Errorf("bin of %s = %q, want a code like A-01-3", v.SKU, v.Bin)
			}
		}
		if withBarcode < len(vs)*3/4 {
			t.Errorf("SKUs with a barcode = %d of %d, want most", withBarcode, len(vs))
		}
		if got, want := leadingZero, 3; got != want {
			t.Errorf("SKUs with leading zeros = %d, want %d", got, want)
		}
		if got, want := inactive, 1; got != want {
			t.Errorf("discontinued SKUs = %d, want %d", got, want)
		}
		kit, err := s.Variant(ctx, "FK-GIFT-MUGTEA")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(kit.Kit), "[{FK-MUG-SAGE 1} {FK-TEA-EARLGREY 1}]"; got != want {
			t.Errorf("kit FK-GIFT-MUGTEA = %s, want %s", got, want)
		}
		aliases, err := s.Aliases(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(aliases, Alias{Channel: "amazon", ChannelKey: "FK-TEALIGHT-3PK", SKU: "00421", Pack: 3}) {
			t.Errorf("Aliases() = %v, want the amazon 3-pack of 00421", aliases)
		}
	})

	t.Run("Suppliers", func(t *testing.T) {
		sps, err := s.Suppliers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ranks := map[string][]int{}
		for _, sp := range sps {
			if sp.Contact == "" || !strings.Contains(sp.Email, "@") || sp.LeadTimeDays <= 0 || sp.Items == 0 {
				t.Errorf("supplier %+v, want a contact, an email, a lead time and items", sp)
			}
			items, err := s.SupplierItems(ctx, sp.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				ranks[it.SKU] = append(ranks[it.SKU], it.Rank)
			}
		}
		vs, err := s.Variants(ctx, VariantFilter{IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			want := 1
			if len(v.Kit) > 0 {
				want = 0
			}
			primaries := 0
			for _, r := range ranks[v.SKU] {
				if r == 1 {
					primaries++
				}
			}
			if primaries != want {
				t.Errorf("primary suppliers of %s = %d, want %d", v.SKU, primaries, want)
			}
			// Ranks run 1…n without gaps: the wholesaler, when there, is the first backup.
			slices.Sort(ranks[v.SKU])
			for i, r := range ranks[v.SKU] {
				if r != i+1 {
					t.Errorf("ranks of %s's suppliers = %v, want 1…%d", v.SKU, ranks[v.SKU], len(ranks[v.SKU]))
					break
				}
			}
		}
	})

	t.Run("Stock", func(t *testing.T) {
		if got, want := len(res.Oversold), 1; got != want {
			t.Fatalf("Oversold = %v, want %d SKU", res.Oversold, want)
		}
		levels, err := s.StockLevels(ctx, StockFilter{IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		var negative []string
		for _, l := range levels {
			if l.OnHand < 0 && !l.Kit {
				negative = append(negative, l.SKU)
			}
			byLoc, err := s.StockByLocation(ctx, l.SKU)
			if err != nil {
				t.Fatal(err)
			}
			for _, ls := range byLoc {
				if ls.OnHand < 0 && !slices.Contains(res.Oversold, l.SKU) {
					t.Errorf("%s in %s = %d, want no negative stock", l.SKU, ls.Location, ls.OnHand)
				}
			}
		}
		if !slices.Equal(negative, res.Oversold) {
			t.Errorf("SKUs with negative stock = %v, want %v", negative, res.Oversold)
		}
		ms, err := s.Movements(ctx, "FK-MUG-SAGE", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[Reason]int{}
		for _, m := range ms {
			reasons[m.Reason]++
			if m.At.After(demoNow) || m.At.Before(demoNow.AddDate(0, 0, -demoCatalogueDays)) {
				t.Errorf("movement %s %+d at %v, want within the demo's story", m.Reason, m.Quantity, m.At)
			}
		}
		if reasons[ReasonReceipt] == 0 || reasons[ReasonSale] == 0 {
			t.Errorf("movements of FK-MUG-SAGE by reason = %v, want receipts and sales", reasons)
		}
		ov, err := s.Overview(ctx, demoNow, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ov.Oversold, 1; got != want {
			t.Errorf("Overview().Oversold = %d, want %d", got, want)
		}
		var transfers, breakages int
		for _, l := range levels {
			ms, err := s.Movements(ctx, l.SKU, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				switch {
				case m.Reason == ReasonTransfer && m.Location == "Garage" && m.Quantity > 0:
					transfers++
				case m.Reason == ReasonAdjustment && m.Quantity < 0:
					breakages++
				}
			}
		}
		if transfers == 0 || breakages == 0 {
			t.Errorf("transfers to the garage = %d, breakages = %d, want some of each", transfers, breakages)
		}
	})

	t.Run("Purchasing", func(t *testing.T) {
		sps, err := s.Suppliers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]Supplier{}
		for _, sp := range sps {
			byName[sp.Name] = sp
		}
		clay, tea, trade := byName["Stoke Clayworks"], byName["Leaf & Stone Tea Co."], byName["Hollybrook Trade Supplies"]
		pos, err := s.PurchaseOrders(ctx, POFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pos) == 0 || len(pos) != res.PurchaseOrders {
			t.Fatalf("PurchaseOrders() = %d orders, want %d and more than 0", len(pos), res.PurchaseOrders)
		}

		// Every unit received came through a purchase order, and the ledger holds exactly what the
		// orders say arrived.
		vs, err := s.Variants(ctx, VariantFilter{IncludeInactive: true})
		if err != nil {
			t.Fatal(err)
		}
		ledger := map[string]int64{} // po id + SKU → units received
		for _, v := range vs {
			ms, err := s.Movements(ctx, v.SKU, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Reason != ReasonReceipt {
					continue
				}
				if m.RefType != "purchase_order" || m.Quantity <= 0 {
					t.Errorf("receipt of %+d %s ref %s:%s, want a delivery against a purchase order", m.Quantity, m.SKU, m.RefType, m.RefID)
				}
				ledger[m.RefID+" "+m.SKU] += m.Quantity
			}
		}
		received := map[string]int{}
		var partial []string
		oldest := demoNow
		for _, po := range pos {
			if po.SentAt != nil && po.SentAt.Before(oldest) {
				oldest = *po.SentAt
			}
			for _, l := range po.Lines {
				key := fmt.Sprint(po.ID) + " " + l.SKU
				if got := ledger[key]; got != l.Received {
					t.Errorf("%s line %s: ledger receipts = %d, want the %d received", po.Number, l.SKU, got, l.Received)
				}
				delete(ledger, key)
				if po.Status == POStatusReceived && l.Received != l.Quantity {
					t.Errorf("%s is received with %d of %d %s, want all of it", po.Number, l.Received, l.Quantity, l.SKU)
				}
			}
			if po.Status != POStatusReceived {
				continue
			}
			received[po.SupplierName]++
			if po.ReceivedAt == nil || po.ReceivedAt.After(demoNow) || po.ReceivedAt.Before(*po.SentAt) {
				t.Errorf("%s sent %v, received %v, want received after it was sent and before now", po.Number, po.SentAt, po.ReceivedAt)
			}
			rs, err := s.POReceipts(ctx, po.ID)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(rs, func(r POReceipt) bool { return !r.At.Equal(rs[0].At) }) {
				partial = append(partial, po.Number+" "+po.SupplierName)
			}
		}
		if len(ledger) > 0 {
			t.Errorf("receipts in the ledger on no order line: %v", ledger)
		}
		if age := demoNow.Sub(oldest); age < 175*24*time.Hour || age > demoCatalogueDays*24*time.Hour {
			t.Errorf("the first order was sent %v before now, want about six months", age)
		}
		for _, sp := range sps {
			if want := 3; sp.Name != "Tamar Valley Pottery" && received[sp.Name] < want {
				t.Errorf("received orders from %s = %d, want at least %d", sp.Name, received[sp.Name], want)
			}
		}
		if len(partial) != 1 || !strings.HasSuffix(partial[0], clay.Name) {
			t.Errorf("received orders delivered in parts = %v, want one from %s", partial, clay.Name)
		}

		// Today: one order overdue from the unreliable supplier, one on its way, one draft by hand and
		// the backup order the contingency plan drafted.
		overdue, err := s.OverduePOs(ctx, demoNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(overdue) != 1 || overdue[0].SupplierID != clay.ID || !overdue[0].Late(demoNow) {
			t.Fatalf("OverduePOs() = %v, want one order from %s", overdue, clay.Name)
		}
		var open, drafts []string
		for _, po := range pos {
			switch {
			case po.Status.Open() && !po.Late(demoNow):
				open = append(open, po.SupplierName)
			case po.Status == POStatusDraft:
				drafts = append(drafts, po.SupplierName+"/"+po.Origin)
			}
		}
		if want := []string{tea.Name}; !slices.Equal(open, want) {
			t.Errorf("open orders not yet due from %v, want %v", open, want)
		}
		slices.Sort(drafts)
		if want := []string{trade.Name + "/" + POOriginContingency, "Northern Linen Co./"}; !slices.Equal(drafts, want) {
			t.Errorf("drafts = %v, want %v", drafts, want)
		}

		// The unreliable supplier shows it; the reliable ones keep their promises.
		perf, err := s.SupplierPerformance(ctx, demoNow)
		if err != nil {
			t.Fatal(err)
		}
		pf := map[string]SupplierPerformance{}
		for _, p := range perf {
			pf[p.Name] = p
		}
		if p := pf[clay.Name]; p.Received < 5 || p.OnTimeRate < 0 || p.OnTimeRate >= 0.7 || p.AverageDelayDays < 3 || p.LatePOs != 1 {
			t.Errorf("%s: %d measured, on time %.2f, delay %.1f d, %d late, want 5 or more, under 0.7, 3 days or more, 1",
				clay.Name, p.Received, p.OnTimeRate, p.AverageDelayDays, p.LatePOs)
		}
		for _, name := range []string{tea.Name, trade.Name} {
			p := pf[name]
			if p.OnTimeRate != 1 || p.OnTimeRate <= pf[clay.Name].OnTimeRate || p.LearnedDays > float64(p.PromisedDays)+0.5 ||
				p.LearnedDays < float64(p.PromisedDays)-1.5 {
				t.Errorf("%s: on time %.2f, learned %.1f d of %d promised, want always on time and about as promised",
					name, p.OnTimeRate, p.LearnedDays, p.PromisedDays)
			}
		}
		if p := pf["Northern Linen Co."]; p.OnTimeRate < 0.7 || p.LearnedDays < 27 || p.LeadStdDev > 1 {
			t.Errorf("Northern Linen Co.: on time %.2f, learned %.1f ± %.1f d, want slow but steady", p.OnTimeRate, p.LearnedDays, p.LeadStdDev)
		}

		// Every SKU of the unreliable supplier has a dearer backup; some a second one.
		items, err := s.SupplierItems(ctx, clay.ID)
		if err != nil {
			t.Fatal(err)
		}
		second := 0
		for _, it := range items {
			srcs, err := s.SKUSuppliers(ctx, it.SKU)
			if err != nil {
				t.Fatal(err)
			}
			if len(srcs) < 2 || srcs[0].SupplierID != clay.ID || srcs[1].SupplierID != trade.ID || *srcs[1].UnitCost <= *srcs[0].UnitCost {
				t.Errorf("suppliers of %s = %+v, want %s first and a dearer %s as the first backup", it.SKU, srcs, clay.Name, trade.Name)
				continue
			}
			if len(srcs) > 2 {
				second++
			}
		}
		if len(items) == 0 || second == 0 || second == len(items) {
			t.Errorf("%d of %s's %d SKUs have a second backup, want some", second, clay.Name, len(items))
		}

		// Deliveries at changing prices move the cost, and margins stay sensible.
		changed := 0
		for _, v := range vs {
			if len(v.Kit) > 0 {
				continue
			}
			if *v.Cost*2 > v.Price {
				t.Errorf("%s costs %d and sells at %d, want a margin of at least half", v.SKU, *v.Cost, v.Price)
			}
			hist, err := s.CostHistory(ctx, v.SKU)
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) >= 3 {
				changed++
			}
		}
		if changed < 10 {
			t.Errorf("SKUs whose cost changed at least twice = %d, want 10 or more", changed)
		}

		// The contingency plans have fired.
		rules, err := s.ContingencyRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(rules), 3; got != want || res.ContingencyRules != want {
			t.Errorf("contingency rules = %d (result says %d), want %d", got, res.ContingencyRules, want)
		}
		alerts, err := s.ContingencyAlerts(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) != res.Alerts {
			t.Errorf("ContingencyAlerts() = %d alerts, want the %d fired", len(alerts), res.Alerts)
		}
		subjects := map[string]ContingencyAlert{}
		for _, a := range alerts {
			subjects[a.Subject] = a
		}
		if a, ok := subjects[fmt.Sprintf("po:%d", overdue[0].ID)]; !ok || a.PO == nil {
			t.Errorf("alerts = %v, want one for the overdue %s with a backup order drafted", alerts, overdue[0].Number)
		} else if po, err := s.PurchaseOrder(ctx, *a.PO); err != nil || po.SupplierID != trade.ID || po.Status != POStatusDraft {
			t.Errorf("backup order %+v, %v, want a draft with %s", po, err, trade.Name)
		}
		if _, ok := subjects["supplier:"+clay.ID]; !ok {
			t.Errorf("alerts = %v, want one for %s's on-time rate", alerts, clay.Name)
		}
		if len(res.Oversold) == 0 {
			t.Fatalf("Oversold = %v, want a SKU", res.Oversold)
		}
		if a := subjects["sku:"+res.Oversold[0]]; len(a.HeldOrders) == 0 {
			t.Errorf("alert for the oversold %s = %+v, want the open orders it holds up", res.Oversold[0], a)
		}
	})

	t.Run("Orders", func(t *testing.T) {
		idFormats := map[string]*regexp.Regexp{
			"shopify":     regexp.MustCompile(`^#1\d{3}$`),
			"etsy":        regexp.MustCompile(`^\d{10}$`),
			"amazon":      regexp.MustCompile(`^\d{3}-\d{7}-\d{7}$`),
			"ebay":        regexp.MustCompile(`^\d{2}-\d{5}-\d{5}$`),
			"woocommerce": regexp.MustCompile(`^\d{4}$`),
			"tiktok":      regexp.MustCompile(`^\d{18}$`),
		}
		statuses := map[Status]int{}
		channels := map[string]int{}
		withOffset := 0
		for _, o := range allOrders(t, s) {
			channels[o.Channel]++
			statuses[o.Status]++
			if re := idFormats[o.Channel]; re == nil || !re.MatchString(o.ExternalID) {
				t.Errorf("%s order id %q, want the channel's style", o.Channel, o.ExternalID)
			}
			if _, off := o.PlacedAt.Zone(); off != 0 {
				withOffset++
			}
			if o.PlacedAt.After(demoNow) || o.PlacedAt.Before(demoNow.AddDate(0, 0, -90)) {
				t.Errorf("%s placed %v, want within the 90 days before %v", o.ExternalID, o.PlacedAt, demoNow)
			}
			if d := o.ShipBy.Sub(o.PlacedAt); d < 48*time.Hour || d > 72*time.Hour {
				t.Errorf("%s ships by %v after it was placed, want 2 to 3 days", o.ExternalID, d)
			}
			var subtotal int64
			for _, l := range o.Lines {
				subtotal += l.Quantity * l.UnitPrice
			}
			if len(o.Lines) == 0 || subtotal != o.Subtotal || o.Total != o.Subtotal+o.Shipping+o.Tax-o.Discount {
				t.Errorf("%s: %d lines, subtotal %d (lines say %d), total %d = %d+%d+%d-%d?", o.ExternalID, len(o.Lines),
					o.Subtotal, subtotal, o.Total, o.Subtotal, o.Shipping, o.Tax, o.Discount)
			}
			if o.Status.Shipped() && (o.ShippedAt.IsZero() || o.ShippedAt.After(demoNow)) {
				t.Errorf("%s is %s, shipped at %v, want a time before now", o.ExternalID, o.Status, o.ShippedAt)
			}
			if o.Status.Open() && demoNow.Sub(o.PlacedAt) > 8*24*time.Hour {
				t.Errorf("%s is still %s after %v, want old orders finished", o.ExternalID, o.Status, demoNow.Sub(o.PlacedAt))
			}
		}
		if got, want := len(channels), 6; got != want {
			t.Errorf("channels = %v, want %d", channels, want)
		}
		for _, st := range Statuses() {
			if statuses[st] == 0 && st != StatusNew {
				t.Errorf("orders by status = %v, want some %s", statuses, st)
			}
		}
		if statuses[StatusDelivered] < 100 {
			t.Errorf("delivered orders = %d, want most of them", statuses[StatusDelivered])
		}
		if withOffset == 0 {
			t.Errorf("orders with a time zone offset = 0, want some")
		}
		ov, err := s.Overview(ctx, demoNow, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if ov.LateOrders == 0 || ov.LateOrders != res.LateOrders {
			t.Errorf("Overview().LateOrders = %d, want %d and more than 0", ov.LateOrders, res.LateOrders)
		}
		if ov.UnmatchedLine == 0 || ov.UnmatchedLine != res.UnmatchedLines {
			t.Errorf("Overview().UnmatchedLine = %d, want %d and more than 0", ov.UnmatchedLine, res.UnmatchedLines)
		}
		o, err := s.OrderByKey(ctx, "shopify", "#1001")
		if err != nil {
			t.Fatal(err)
		}
		if len(o.History) < 2 || o.History[len(o.History)-1].Status != o.Status ||
			!slices.IsSortedFunc(o.History, func(a, b StatusChange) int { return a.At.Compare(b.At) }) {
			t.Errorf("history of the first order = %v, want its steps in time order ending in %s", o.History, o.Status)
		}
	})
}

// demoSnapshot is what two demo shops made from the same seed must share.
func demoSnapshot(tb testing.TB, s *Store) string {
	tb.Helper()
	ctx := context.Background()
	var b strings.Builder
	vs, err := s.Variants(ctx, VariantFilter{IncludeInactive: true})
	if err != nil {
		tb.Fatal(err)
	}
	for _, v := range vs {
		fmt.Fprintln(&b, v.SKU, v.Name(), v.Barcodes, v.Price, *v.Cost, v.Bin, v.Active, v.Kit)
	}
	levels, err := s.StockLevels(ctx, StockFilter{IncludeInactive: true})
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range levels {
		fmt.Fprintln(&b, l.SKU, l.OnHand, l.Reserved)
	}
	for _, o := range allOrders(tb, s) {
		fmt.Fprintln(&b, o.Channel, o.ExternalID, o.Status, o.PlacedAt.Format(time.RFC3339), o.CustomerName, o.ShipTo, o.Total, o.Lines)
	}
	pos, err := s.PurchaseOrders(ctx, POFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, po := range pos {
		rs, err := s.POReceipts(ctx, po.ID)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintln(&b, po.Number, po.SupplierName, po.Status, po.CreatedAt, po.SentAt, po.ExpectedAt, po.ReceivedAt, po.Lines, len(rs))
	}
	alerts, err := s.ContingencyAlerts(ctx, true)
	if err != nil {
		tb.Fatal(err)
	}
	for _, a := range alerts {
		var po int64
		if a.PO != nil {
			po = *a.PO
		}
		fmt.Fprintln(&b, a.Message, po, a.HeldOrders)
	}
	return b.String()
}

func TestStore_GenerateDemo_Deterministic(t *testing.T) {
	opts := DemoOptions{Seed: 42, Products: 80, Orders: 150}
	a, _ := generateDemo(t, opts)
	b, _ := generateDemo(t, opts)
	if got, want := demoSnapshot(t, b), demoSnapshot(t, a); got != want {
		t.Errorf("two demo shops from seed 42 differ:\n%s\nwant\n%s", got, want)
	}
	opts.Seed = 43
	c, _ := generateDemo(t, opts)
	if demoSnapshot(t, c) == demoSnapshot(t, a) {
		t.Errorf("demo shops from seeds 42 and 43 are the same, want different shops")
	}
}

func TestStore_GenerateDemo_Sizes(t *testing.T) {
	for _, size := range []struct{ products, orders int }{{5, 3}, {40, 30}, {300, 400}} {
		t.Run(fmt.Sprintf("%d/%d", size.products, size.orders), func(t *testing.T) {
			s, res := generateDemo(t, DemoOptions{Products: size.products, Orders: size.orders})
			if got, want := res.Variants, size.products; got != want {
				t.Errorf("Variants = %d, want %d", got, want)
			}
			if got, want := res.Orders, size.orders; got != want {
				t.Errorf("Orders = %d, want %d", got, want)
			}
			names := map[string]bool{}
			vs, err := s.Variants(context.Background(), VariantFilter{IncludeInactive: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if names[v.Name()] {
					t.Errorf("two SKUs are called %q, want distinct names", v.Name())
				}
				names[v.Name()] = true
			}
			levels, err := s.StockLevels(context.Background(), StockFilter{IncludeInactive: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range levels {
				if l.OnHand < 0 && !l.Kit && !slices.Contains(res.Oversold, l.SKU) {
					t.Errorf("%s on hand = %d, want no negative stock but %v", l.SKU, l.OnHand, res.Oversold)
				}
			}
		})
	}
}

func TestStore_GenerateDemo_Refuses(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrConflictProducts", func(t *testing.T) {
		s := openDemoStore(t)
		if _, err := s.AddVariant(ctx, NewVariant{SKU: "MY-1", ProductName: "My own mug", Currency: "GBP"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.GenerateDemo(ctx, DemoOptions{})
		if !errors.Is(err, ErrConflict) || !strings.Contains(UserMessage(err), "only goes into an empty one") {
			t.Errorf("GenerateDemo() = %v, want ErrConflict saying the database must be empty", err)
		}
	})
	t.Run("ErrConflictOrders", func(t *testing.T) {
		s := openDemoStore(t)
		o := Order{Channel: "etsy", ExternalID: "3300000001", Status: StatusPaid, Currency: "GBP", PlacedAt: demoNow,
			Lines: []OrderLine{{Name: "A mug", Quantity: 1}}}
		if _, err := s.ApplyOrders(ctx, []Order{o}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GenerateDemo(ctx, DemoOptions{}); !errors.Is(err, ErrConflict) {
			t.Errorf("GenerateDemo() = %v, want ErrConflict", err)
		}
	})
	t.Run("ErrConflictTwice", func(t *testing.T) {
		s, _ := generateDemo(t, DemoOptions{Products: 10, Orders: 10})
		if _, err := s.GenerateDemo(ctx, DemoOptions{Products: 10, Orders: 10}); !errors.Is(err, ErrConflict) {
			t.Errorf("second GenerateDemo() = %v, want ErrConflict", err)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		s := openDemoStore(t)
		packer := s.As(User{ID: "p", Name: "Jamie", Role: RolePacker, Active: true})
		if _, err := packer.GenerateDemo(ctx, DemoOptions{}); !errors.Is(err, ErrPermission) {
			t.Errorf("GenerateDemo() as a packer = %v, want ErrPermission", err)
		}
		if n, _ := s.CountVariants(ctx, "", true); n != 0 {
			t.Errorf("CountVariants() after a refused demo = %d, want 0", n)
		}
	})
}

func TestWithEANCheckDigit(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"400638133393", "4006381333931"}, // the GS1 worked example
		{"501234567890", "5012345678900"},
		{"978014300723", "9780143007234"}, // an ISBN-13
	} {
		if got := withEANCheckDigit(tc.in); got != tc.want {
			t.Errorf("withEANCheckDigit(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestRoyalMailTracking(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		serial int64
		want   string
	}{
		{"AB", 12345678, "AB123456785GB"}, // 1×8+2×6+3×4+4×2+5×3+6×5+7×9+8×7 = 204; 11 − 204 mod 11 = 5
		{"JW", 10, "JW000000102GB"},       // 1×9 = 9; 11 − 9 = 2
		{"JV", 8, "JV000000080GB"},        // 8×7 = 56; 11 − 56 mod 11 = 10, written 0
		{"LX", 0, "LX000000005GB"},        // 0; 11 − 0 = 11, written 5
	} {
		if got := royalMailTracking(tc.prefix, tc.serial); got != tc.want {
			t.Errorf("royalMailTracking(%s, %d) = %s, want %s", tc.prefix, tc.serial, got, tc.want)
		}
	}
}

// demoShipments reads every order of the demo with its shipment, if any.
func demoShipments(tb testing.TB, s *Store) ([]Order, map[int64]Shipment) {
	tb.Helper()
	orders := allOrders(tb, s)
	shipments := map[int64]Shipment{}
	for _, o := range orders {
		sh, ok, err := s.Shipment(context.Background(), o.ID)
		if err != nil {
			tb.Fatal(err)
		}
		if ok {
			shipments[o.ID] = sh
		}
	}
	return orders, shipments
}

func TestStore_GenerateDemo_Shipments(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Seed: 1})
	orders, shipments := demoShipments(t, s)
	trackingFormats := map[string]*regexp.Regexp{
		"Royal Mail": regexp.MustCompile(`^[A-Z]{2}\d{9}GB$`),
		"Evri":       regexp.MustCompile(`^\d{16}$`),
		"DPD":        regexp.MustCompile(`^\d{14}$`),
	}
	services := map[string]bool{"Royal Mail/Tracked 48": true, "Royal Mail/Tracked 24": true, "Royal Mail/International Tracked": true,
		"Evri/Standard": true, "DPD/Next Day": true}
	tracking := map[string]bool{}
	from, to := demoNow.AddDate(0, 0, -30), demoNow.Add(48*time.Hour)
	type key struct{ carrier, service string }
	want := map[key]*CarrierFigures{}
	for _, o := range orders {
		sh, ok := shipments[o.ID]
		if ok != o.Status.Shipped() {
			t.Errorf("%s %s order %s has a shipment: %v, want %v", o.Status, o.Channel, o.ExternalID, ok, o.Status.Shipped())
			continue
		}
		if !ok {
			continue
		}
		if !sh.ShippedAt.Equal(o.ShippedAt) {
			t.Errorf("%s shipment handed over %v, want when the order shipped, %v", o.ExternalID, sh.ShippedAt, o.ShippedAt)
		}
		if !services[sh.Carrier+"/"+sh.Service] {
			t.Errorf("%s went by %s %s, want one of %v", o.ExternalID, sh.Carrier, sh.Service, services)
		}
		if re := trackingFormats[sh.Carrier]; re == nil || !re.MatchString(sh.Tracking) {
			t.Errorf("%s %s tracking %q, want the carrier's format", o.ExternalID, sh.Carrier, sh.Tracking)
		} else if sh.Carrier == "Royal Mail" && royalMailTracking(sh.Tracking[:2], int64(atoiTest(t, sh.Tracking[2:10]))) != sh.Tracking {
			t.Errorf("%s tracking %s has a wrong check digit", o.ExternalID, sh.Tracking)
		}
		if tracking[sh.Tracking] {
			t.Errorf("tracking %s used twice", sh.Tracking)
		}
		tracking[sh.Tracking] = true
		switch {
		case o.ShipTo.Country != "GB" && sh.Service != "International Tracked":
			t.Errorf("%s to %s went by %s %s, want Royal Mail International Tracked", o.ExternalID, o.ShipTo.Country, sh.Carrier, sh.Service)
		case o.ShipTo.Country == "GB" && o.Channel == "amazon" && sh.Service != "Tracked 24":
			t.Errorf("Amazon order %s went by %s %s, want Royal Mail Tracked 24", o.ExternalID, sh.Carrier, sh.Service)
		}
		if !o.DeliveredAt.IsZero() {
			if transit := o.DeliveredAt.Sub(o.ShippedAt); transit < 8*time.Hour || transit > 10*24*time.Hour {
				t.Errorf("%s by %s took %v, want between a night and ten days", o.ExternalID, sh.Service, transit)
			}
		}
		if sh.ShippedAt.Before(from) || !sh.ShippedAt.Before(to) {
			continue
		}
		f := want[key{sh.Carrier, sh.Service}]
		if f == nil {
			f = &CarrierFigures{Carrier: sh.Carrier, Service: sh.Service}
			want[key{sh.Carrier, sh.Service}] = f
		}
		f.Shipped++
		f.WithShipBy++
		if !o.ShippedAt.After(o.ShipBy) {
			f.OnTime++
		}
		if !o.DeliveredAt.IsZero() {
			f.Delivered++
		}
	}

	got, err := s.CarrierFigures(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		t.Logf("%s %s: %d shipped, %d/%d on time, %d delivered in %v on average", f.Carrier, f.Service, f.Shipped, f.OnTime,
			f.WithShipBy, f.Delivered, f.AverageTransit)
	}
	carriers := map[string]bool{}
	shipped, late := 0, 0
	transit := map[string]time.Duration{}
	for _, f := range got {
		carriers[f.Carrier] = true
		shipped += f.Shipped
		w := want[key{f.Carrier, f.Service}]
		if w == nil || f.Shipped != w.Shipped || f.OnTime != w.OnTime || f.WithShipBy != w.WithShipBy || f.Delivered != w.Delivered {
			t.Errorf("CarrierFigures() %s %s = %d shipped, %d/%d on time, %d delivered, want %+v", f.Carrier, f.Service, f.Shipped,
				f.OnTime, f.WithShipBy, f.Delivered, w)
		}
		if f.OnTimeRate() < 1 {
			late++
		}
		transit[f.Carrier+" "+f.Service] = f.AverageTransit
	}
	var wantShipped int
	for _, o := range orders {
		if o.Status.Shipped() && !o.ShippedAt.Before(from) && o.ShippedAt.Before(to) {
			wantShipped++
		}
	}
	if len(got) != len(want) || shipped != wantShipped || wantShipped == 0 {
		t.Errorf("CarrierFigures() = %d services shipping %d parcels, want %d services and the %d orders shipped in the 30 days",
			len(got), shipped, len(want), wantShipped)
	}
	if len(carriers) < 2 {
		t.Errorf("CarrierFigures() carriers = %v, want at least 2", carriers)
	}
	if late == 0 {
		t.Errorf("CarrierFigures() = %+v, want a service handing over some parcels after their ship-by date", got)
	}
	if dpd, evri := transit["DPD Next Day"], transit["Evri Standard"]; dpd == 0 || evri == 0 || dpd >= evri {
		t.Errorf("average transit DPD Next Day %v, Evri Standard %v, want both, DPD the faster", dpd, evri)
	}
}

func atoiTest(tb testing.TB, s string) int {
	tb.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		tb.Fatalf("not a number: %q", s)
	}
	return n
}

func TestStore_GenerateDemo_Returns(t *testing.T) {
	ctx := context.Background()
	s, _ := generateDemo(t, DemoOptions{Seed: 1})
	orders := map[int64]Order{}
	var returnedOrders int
	for _, o := range allOrders(t, s) {
		orders[o.ID] = o
		if o.Status == StatusReturned {
			returnedOrders++
		}
	}
	rs, err := s.Returns(ctx, ReturnFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byOrder := map[int64][]Return{}
	dispositions := map[Disposition]int{}
	units := map[string]int64{} // by SKU
	for _, r := range rs {
		o := orders[r.OrderID]
		byOrder[r.OrderID] = append(byOrder[r.OrderID], r)
		dispositions[r.Disposition]++
		units[r.SKU] += r.Units
		if o.DeliveredAt.IsZero() || !r.At.After(o.DeliveredAt) || r.At.After(demoNow) {
			t.Errorf("return %d from %s came back %v, want after its delivery (%v) and before now", r.ID, o.ExternalID, r.At, o.DeliveredAt)
		}
		if !r.Reason.Valid() || !r.Condition.Valid() || r.Note == "" || r.SKU == "" {
			t.Errorf("return %d = %+v, want a SKU, a reason, a condition and a note", r.ID, r)
		}
		if r.Condition == ConditionDamaged && r.Disposition != WriteOff {
			t.Errorf("return %d arrived damaged and was %s, want written off", r.ID, r.Disposition)
		}
		// A restock puts the units back as a movement naming the return; a write-off moves nothing.
		ms, err := s.Movements(ctx, r.SKU, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var back int64
		for _, m := range ms {
			if strings.HasPrefix(m.Note, fmt.Sprintf("return %d:", r.ID)) {
				back += m.Quantity
			}
		}
		v, err := s.Variant(ctx, r.SKU)
		if err != nil {
			t.Fatal(err)
		}
		wantBack := r.Units
		if r.Disposition == WriteOff {
			wantBack = 0
		}
		if len(v.Kit) == 0 && back != wantBack { // a kit's parts go back instead
			t.Errorf("return %d of %d × %s (%s) put %d back on the shelf, want %d", r.ID, r.Units, r.SKU, r.Disposition, back, wantBack)
		}
	}
	if dispositions[Restock] == 0 || dispositions[WriteOff] == 0 {
		t.Errorf("returns by disposition = %v, want some restocked and some written off", dispositions)
	}
	partial := 0
	for id, rs := range byOrder {
		o := orders[id]
		lines, err := s.ReturnableLines(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var left, refunds int64
		for _, l := range lines {
			left += l.Left()
		}
		for _, r := range rs {
			refunds += r.Refund
		}
		switch {
		case o.Status == StatusReturned && left != 0:
			t.Errorf("returned order %s has %d units not sent back, want all of them", o.ExternalID, left)
		case o.Status == StatusDelivered && left == 0:
			t.Errorf("delivered order %s had everything sent back, want it returned", o.ExternalID)
		case o.Status == StatusDelivered:
			partial++
		case o.Status != StatusReturned:
			t.Errorf("%s order %s has returns, want it delivered or returned", o.Status, o.ExternalID)
		}
		if refunds <= 0 || refunds > o.Total {
			t.Errorf("order %s refunds %d of its total %d, want some and no more than the total", o.ExternalID, refunds, o.Total)
		}
	}
	if returned := len(byOrder) - partial; returned != returnedOrders || returnedOrders == 0 || partial == 0 {
		t.Errorf("orders with returns: %d returned, %d partly, want all %d returned orders and some delivered ones",
			returned, partial, returnedOrders)
	}

	// Over the whole story, the return rates count exactly the returns recorded.
	rates, reasons, err := s.ReturnRates(ctx, demoNow.AddDate(0, 0, -91), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var total, byReason int64
	for _, r := range rates {
		total += r.Returned
		if r.Returned != units[r.SKU] {
			t.Errorf("ReturnRates() %s returned %d, want %d", r.SKU, r.Returned, units[r.SKU])
		}
	}
	for _, n := range reasons {
		byReason += n
	}
	var wantTotal int64
	for _, n := range units {
		wantTotal += n
	}
	if total != wantTotal || byReason != wantTotal || len(reasons) < 2 {
		t.Errorf("ReturnRates() = %d units returned, %d by reason (%v), want %d and at least two reasons", total, byReason, reasons, wantTotal)
	}
	// The dashboard's card: the last 30 days have returns to rank.
	rates, _, err = s.ReturnRates(ctx, demoNow.AddDate(0, 0, -30), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rates[:min(5, len(rates))] {
		t.Logf("last 30 days: %s %d of %d returned", r.SKU, r.Returned, r.Sold)
	}
	if len(rates) == 0 || rates[0].Returned == 0 {
		t.Errorf("ReturnRates(last 30 days) = %+v, want products that came back", rates[:min(3, len(rates))])
	}
}

func TestStore_GenerateDemo_ShippingDeterministic(t *testing.T) {
	dump := func(s *Store) string {
		var b strings.Builder
		orders, shipments := demoShipments(t, s)
		for _, o := range orders {
			fmt.Fprintln(&b, o.Channel, o.ExternalID, o.Status, o.ShippedAt, o.DeliveredAt, shipments[o.ID])
		}
		rs, err := s.Returns(context.Background(), ReturnFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			fmt.Fprintln(&b, r.ExternalID, r.LineNo, r.SKU, r.Units, r.Reason, r.Condition, r.Disposition, r.Refund, r.At)
		}
		return b.String()
	}
	opts := DemoOptions{Seed: 42, Products: 80, Orders: 150}
	a, _ := generateDemo(t, opts)
	b, _ := generateDemo(t, opts)
	if got, want := dump(b), dump(a); got != want {
		t.Errorf("shipments and returns of two demo shops from seed 42 differ:\n%s\nwant\n%s", got, want)
	}
	opts.Seed = 43
	c, _ := generateDemo(t, opts)
	if dump(c) == dump(a) {
		t.Errorf("shipments and returns from seeds 42 and 43 are the same, want different")
	}
}
