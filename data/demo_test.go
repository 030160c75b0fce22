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
		want := DemoResult{Users: 3, Locations: 2, Suppliers: 5, Variants: 61, Kits: 3, Aliases: 7, Orders: 200}
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
		preferred := map[string]int{}
		for _, sp := range sps {
			if sp.Contact == "" || !strings.Contains(sp.Email, "@") || sp.LeadTimeDays <= 0 || sp.Items == 0 {
				t.Errorf("supplier %+v, want a contact, an email, a lead time and items", sp)
			}
			items, err := s.SupplierItems(ctx, sp.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Preferred {
					preferred[it.SKU]++
				}
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
			if got := preferred[v.SKU]; got != want {
				t.Errorf("preferred suppliers of %s = %d, want %d", v.SKU, got, want)
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
			if m.At.After(demoNow) || m.At.Before(demoNow.AddDate(0, 0, -demoOpeningDays)) {
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
