package data

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestListingRule_Apply(t *testing.T) {
	tests := []struct {
		name     string
		rule     ListingRule
		sellable int64
		want     int64
	}{
		{"None", ListingRule{}, 10, 10},
		{"NoneNothingSellable", ListingRule{}, 0, 0},
		{"Buffer", ListingRule{Buffer: 2}, 10, 8},
		{"BufferAboveSellable", ListingRule{Buffer: 2}, 1, 0},
		{"ShareFloor", ListingRule{SharePct: 50}, 7, 3},                                         // 3.5 rounds down
		{"ShareHundred", ListingRule{SharePct: 100}, 7, 7},                                      // 100 % is all
		{"Cap", ListingRule{Cap: 5}, 10, 5},                                                     // more than the cap
		{"CapNotReached", ListingRule{Cap: 5}, 4, 4},                                            // less than the cap
		{"EndBelowUnder", ListingRule{EndBelow: 3}, 2, 0},                                       // 2 < 3 ends the listing
		{"EndBelowAt", ListingRule{EndBelow: 3}, 3, 3},                                          // 3 is not below 3
		{"Combined", ListingRule{Buffer: 2, SharePct: 50, Cap: 3, EndBelow: 4}, 10, 3},          // 10−2=8, ×50%=4, cap 3
		{"CombinedShareFloor", ListingRule{Buffer: 2, SharePct: 50, Cap: 3, EndBelow: 4}, 7, 2}, // 7−2=5, ×50%=2.5→2
		{"CombinedSmall", ListingRule{Buffer: 2, SharePct: 50, Cap: 3, EndBelow: 4}, 4, 1},      // 4−2=2, ×50%=1
		{"CombinedEnded", ListingRule{Buffer: 2, SharePct: 50, Cap: 3, EndBelow: 4}, 3, 0},      // 3 < 4
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Apply(tt.sellable); got != tt.want {
				t.Errorf("%+v.Apply(%d) = %d, want %d", tt.rule, tt.sellable, got, tt.want)
			}
		})
	}
}

// mustListingShop is the fixed dataset of the listing tests: 10 mugs and 30 teas on the shop shelf, a gift
// kit of 1 mug + 2 teas, an Amazon 3-pack of tea, and an open Etsy order holding 3 mugs. Sellable: MUG
// 10−3 = 7, TEA 30, GIFT min(7÷1, 30÷2) = 7.
func mustListingShop(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustVariant(t, s, "TEA", "Earl Grey 100 g", 900, 250)
	mustVariant(t, s, "GIFT", "Gift box", 2600, 0)
	mustAdjust(t, s, "MUG", 10)
	mustAdjust(t, s, "TEA", 30)
	if err := s.SetKit(ctx, "GIFT", []KitComponent{{SKU: "MUG", Quantity: 1}, {SKU: "TEA", Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, Alias{Channel: "amazon", ChannelKey: "B0TEA3PACK", SKU: "TEA", Pack: 3}); err != nil {
		t.Fatal(err)
	}
	mustOrders(t, s, listingOrder("etsy", "3001", -3*time.Hour, "MUG", 3))
	return s
}

// listingOrder is a paid one-line order placed ago before the test clock.
func listingOrder(channel, number string, ago time.Duration, sku string, qty int64) Order {
	return Order{Channel: channel, ExternalID: number, Status: StatusPaid, Currency: "GBP", PlacedAt: testNow.Add(ago),
		Lines: []OrderLine{{SKU: sku, Quantity: qty, UnitPrice: 1000}}, Subtotal: 1000 * qty, Total: 1000 * qty}
}

func mustOrders(t *testing.T, s *Store, orders ...Order) {
	t.Helper()
	if _, err := s.ApplyOrders(context.Background(), orders); err != nil {
		t.Fatalf("ApplyOrders: %v", err)
	}
}

func mustListings(t *testing.T, s *Store, channel string, perLocation bool) []ChannelListing {
	t.Helper()
	ls, err := s.ChannelListings(context.Background(), channel, perLocation)
	if err != nil {
		t.Fatalf("ChannelListings(%s, %v): %v", channel, perLocation, err)
	}
	return ls
}

// quantities maps channel SKU (and location, when set) to the quantity to list.
func quantities(ls []ChannelListing) map[string]int64 {
	m := map[string]int64{}
	for _, l := range ls {
		k := l.ChannelSKU
		if l.Location != "" {
			k += "@" + l.Location
		}
		m[k] = l.Quantity
	}
	return m
}

func TestStore_ChannelListings(t *testing.T) {
	ctx := context.Background()

	t.Run("Lines", func(t *testing.T) {
		s := mustListingShop(t)
		ls := mustListings(t, s, "amazon", false)
		var got []string
		for _, l := range ls {
			got = append(got, l.ChannelSKU)
		}
		if want := []string{"GIFT", "MUG", "TEA", "B0TEA3PACK"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("channel SKUs = %v, want %v", got, want)
		}
		want := ChannelListing{Channel: "amazon", ChannelSKU: "B0TEA3PACK", SKU: "TEA", Pack: 3, Name: "Earl Grey 100 g",
			Price: 900, Currency: "GBP", OnHand: 30, Sellable: 30, Quantity: 10}
		if ls[3] != want {
			t.Errorf("alias line = %+v, want %+v", ls[3], want)
		}
		mug := ChannelListing{Channel: "amazon", ChannelSKU: "MUG", SKU: "MUG", Pack: 1, Name: "Stoneware mug",
			Price: 1800, Currency: "GBP", OnHand: 10, Reserved: 3, Sellable: 7, Quantity: 7}
		if ls[1] != mug {
			t.Errorf("MUG line = %+v, want %+v", ls[1], mug)
		}
	})

	// Each rule on Etsy against MUG 7, TEA 30, GIFT 7 sellable, worked by hand.
	rules := []struct {
		name string
		rule ListingRule
		want map[string]int64
	}{
		{"NoRule", ListingRule{}, map[string]int64{"MUG": 7, "TEA": 30, "GIFT": 7}},
		{"Buffer", ListingRule{Buffer: 2}, map[string]int64{"MUG": 5, "TEA": 28, "GIFT": 5}},
		{"Share", ListingRule{SharePct: 30}, map[string]int64{"MUG": 2, "TEA": 9, "GIFT": 2}}, // 2.1, 9, 2.1
		{"Cap", ListingRule{Cap: 10}, map[string]int64{"MUG": 7, "TEA": 10, "GIFT": 7}},
		{"EndBelow", ListingRule{EndBelow: 8}, map[string]int64{"MUG": 0, "TEA": 30, "GIFT": 0}},
		// TEA: 30−2 = 28, 50 % = 14, cap 12; MUG and GIFT: 7 < 8 ends them.
		{"Combined", ListingRule{Buffer: 2, SharePct: 50, Cap: 12, EndBelow: 8}, map[string]int64{"MUG": 0, "TEA": 12, "GIFT": 0}},
	}
	for _, tt := range rules {
		t.Run(tt.name, func(t *testing.T) {
			s := mustListingShop(t)
			if tt.rule != (ListingRule{}) {
				tt.rule.Channel = "etsy"
				if err := s.SetListingRule(ctx, tt.rule); err != nil {
					t.Fatal(err)
				}
			}
			if got := quantities(mustListings(t, s, "etsy", false)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("quantities = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("MultipackAlias", func(t *testing.T) {
		s := mustListingShop(t)
		// The rule works in our units, the pack after it: TEA 30 capped at 20, 20 ÷ 3 = 6 three-packs;
		// MUG 7 capped at 7, 7 ÷ 2 = 3 two-packs.
		if err := s.SetAlias(ctx, Alias{Channel: "amazon", ChannelKey: "MUG-2PK", SKU: "MUG", Pack: 2}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetListingRule(ctx, ListingRule{Channel: "amazon", Cap: 20}); err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"GIFT": 7, "MUG": 7, "MUG-2PK": 3, "TEA": 20, "B0TEA3PACK": 6}
		if got := quantities(mustListings(t, s, "amazon", false)); !reflect.DeepEqual(got, want) {
			t.Errorf("quantities = %v, want %v", got, want)
		}
		// Aliases of another channel are not Etsy's.
		if got := quantities(mustListings(t, s, "etsy", false)); len(got) != 3 {
			t.Errorf("etsy quantities = %v, want only GIFT, MUG, TEA", got)
		}
	})

	t.Run("AliasNamedLikeTheSKU", func(t *testing.T) {
		s := mustListingShop(t)
		if err := s.SetAlias(ctx, Alias{Channel: "ebay", ChannelKey: "mug", SKU: "MUG", Pack: 2}); err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"GIFT": 7, "mug": 3, "TEA": 30}
		if got := quantities(mustListings(t, s, "ebay", false)); !reflect.DeepEqual(got, want) {
			t.Errorf("quantities = %v, want %v (the alias replaces the plain line)", got, want)
		}
	})

	t.Run("Kit", func(t *testing.T) {
		s := mustListingShop(t)
		// 17 teas leave 13: floor(13 ÷ 2) = 6 kits, fewer than the 7 mugs allow.
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "TEA", Delta: -17, Note: "water damage"}); err != nil {
			t.Fatal(err)
		}
		var gift ChannelListing
		for _, l := range mustListings(t, s, "etsy", false) {
			if l.SKU == "GIFT" {
				gift = l
			}
		}
		// On hand: min(10 ÷ 1, 13 ÷ 2) = 6; sellable min(7 ÷ 1, 13 ÷ 2) = 6.
		if got, want := [4]int64{gift.OnHand, gift.Reserved, gift.Sellable, gift.Quantity}, [4]int64{6, 0, 6, 6}; got != want {
			t.Errorf("GIFT on hand, reserved, sellable, quantity = %v, want %v", got, want)
		}
	})

	t.Run("PerLocation", func(t *testing.T) {
		s := mustListingShop(t)
		if _, err := s.AddLocation(ctx, "Garage", "garage"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "MUG", Delta: 4, Reason: ReasonReceipt, Note: "delivery", Location: "Garage"}); err != nil {
			t.Fatal(err)
		}
		// MUG: Shop 10 on hand, the 3 reserved held there (where its sales ship from), 7 sellable; Garage 4.
		// TEA: all 30 in the Shop. GIFT: Shop min(7, 15) = 7; Garage min(4, 0) = 0.
		want := map[string]int64{"GIFT@Shop": 7, "GIFT@Garage": 0, "MUG@Shop": 7, "MUG@Garage": 4, "TEA@Shop": 30, "TEA@Garage": 0}
		ls := mustListings(t, s, "shopify", true)
		if got := quantities(ls); !reflect.DeepEqual(got, want) {
			t.Errorf("quantities = %v, want %v", got, want)
		}
		if got, want := [2]string{ls[0].Location, ls[1].Location}, [2]string{"Shop", "Garage"}; got != want {
			t.Errorf("locations = %v, want %v (default first)", got, want)
		}
		for _, l := range ls {
			if l.SKU == "MUG" && l.Location == "Garage" && (l.OnHand != 4 || l.Reserved != 0) {
				t.Errorf("MUG@Garage on hand %d reserved %d, want 4 and 0", l.OnHand, l.Reserved)
			}
		}
		// Together: MUG 14 on hand, 11 sellable.
		if got := quantities(mustListings(t, s, "shopify", false)); got["MUG"] != 11 {
			t.Errorf("MUG over all locations = %d, want 11", got["MUG"])
		}
	})

	t.Run("ErrUnknownChannel", func(t *testing.T) {
		s := mustListingShop(t)
		if _, err := s.ChannelListings(ctx, "tiktok", false); !errors.Is(err, ErrInvalid) {
			t.Errorf("ChannelListings(tiktok) = %v, want ErrInvalid", err)
		}
	})
}

func TestStore_SetListingRule(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	t.Run("OK", func(t *testing.T) {
		for _, r := range []ListingRule{
			{Channel: "shopify", Buffer: 1},
			{Channel: "etsy", Buffer: 2, SharePct: 50, Cap: 10, EndBelow: 3},
			{Channel: "shopify", Buffer: 4}, // replaces the first
		} {
			if err := s.SetListingRule(ctx, r); err != nil {
				t.Fatalf("SetListingRule(%+v): %v", r, err)
			}
		}
		got, err := s.ListingRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []ListingRule{{Channel: "etsy", Buffer: 2, SharePct: 50, Cap: 10, EndBelow: 3}, {Channel: "shopify", Buffer: 4}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ListingRules() = %+v, want %+v", got, want)
		}
	})
	for name, r := range map[string]ListingRule{
		"ErrNegativeBuffer":   {Channel: "etsy", Buffer: -1},
		"ErrNegativeCap":      {Channel: "etsy", Cap: -1},
		"ErrNegativeEndBelow": {Channel: "etsy", EndBelow: -1},
		"ErrShareAbove100":    {Channel: "etsy", SharePct: 101},
		"ErrShareNegative":    {Channel: "etsy", SharePct: -5},
		"ErrUnknownChannel":   {Channel: "tiktok"},
		"ErrUpperCase":        {Channel: "Etsy"},
		"ErrNoChannel":        {},
	} {
		t.Run(name, func(t *testing.T) {
			if err := s.SetListingRule(ctx, r); !errors.Is(err, ErrInvalid) {
				t.Errorf("SetListingRule(%+v) = %v, want ErrInvalid", r, err)
			}
		})
	}
	t.Run("ErrNotOwner", func(t *testing.T) {
		for _, role := range []Role{RolePacker, RoleAccountant} {
			other := s.As(User{Name: "Jamie", Role: role, Active: true})
			if err := other.SetListingRule(ctx, ListingRule{Channel: "etsy"}); !errors.Is(err, ErrPermission) {
				t.Errorf("%s: SetListingRule = %v, want ErrPermission", role, err)
			}
		}
	})
}

func TestStore_ChannelStockExportLog(t *testing.T) {
	ctx := context.Background()
	s := mustListingShop(t)
	if err := s.SetListingRule(ctx, ListingRule{Channel: "amazon", Buffer: 1}); err != nil {
		t.Fatal(err)
	}
	before := mustListings(t, s, "amazon", false)
	for _, l := range before {
		if l.LastListed != 0 || !l.LastExportAt.IsZero() {
			t.Fatalf("%s before any export: LastListed %d, LastExportAt %v; want 0 and zero", l.ChannelSKU, l.LastListed, l.LastExportAt)
		}
	}
	id, err := s.LogStockExport(ctx, "amazon", "/tmp/amazon.txt", before)
	if err != nil {
		t.Fatal(err)
	}
	exports, err := s.StockExports(ctx, "amazon")
	if err != nil {
		t.Fatal(err)
	}
	want := []StockExport{{ID: id, Channel: "amazon", File: "/tmp/amazon.txt", At: testNow, User: "system", Lines: 4}}
	if !reflect.DeepEqual(exports, want) {
		t.Errorf("StockExports() = %+v, want %+v", exports, want)
	}
	// Buffer 1: GIFT 6, MUG 6, TEA 29, B0TEA3PACK floor(29 ÷ 3) = 9.
	after := mustListings(t, s, "amazon", false)
	got := map[string]int64{}
	for _, l := range after {
		got[l.ChannelSKU] = l.LastListed
		if !l.LastExportAt.Equal(testNow) {
			t.Errorf("%s LastExportAt = %v, want %v", l.ChannelSKU, l.LastExportAt, testNow)
		}
	}
	if want := map[string]int64{"GIFT": 6, "MUG": 6, "TEA": 29, "B0TEA3PACK": 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("LastListed = %v, want %v", got, want)
	}
	// The latest export is the one that counts, and other channels know nothing of it.
	if _, err := s.LogStockExport(ctx, "amazon", "/tmp/amazon2.txt", []ChannelListing{{ChannelSKU: "MUG", SKU: "MUG", Pack: 1, Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	got = map[string]int64{}
	for _, l := range mustListings(t, s, "amazon", false) {
		got[l.ChannelSKU] = l.LastListed
	}
	if want := map[string]int64{"GIFT": 0, "MUG": 2, "TEA": 0, "B0TEA3PACK": 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("LastListed after a second export = %v, want %v", got, want)
	}
	for _, l := range mustListings(t, s, "etsy", false) {
		if l.LastListed != 0 || !l.LastExportAt.IsZero() {
			t.Errorf("etsy %s: LastListed %d, LastExportAt %v; want nothing", l.ChannelSKU, l.LastListed, l.LastExportAt)
		}
	}
	if all, _ := s.StockExports(ctx, ""); len(all) != 2 || all[0].File != "/tmp/amazon2.txt" {
		t.Errorf("StockExports(\"\") = %+v, want both, newest first", all)
	}

	t.Run("PerLocation", func(t *testing.T) {
		ls := mustListings(t, s, "shopify", true)
		if _, err := s.LogStockExport(ctx, "shopify", "inventory.csv", ls); err != nil {
			t.Fatal(err)
		}
		for _, l := range mustListings(t, s, "shopify", true) {
			if l.LastListed != l.Quantity {
				t.Errorf("%s@%s LastListed = %d, want %d", l.ChannelSKU, l.Location, l.LastListed, l.Quantity)
			}
		}
	})
	t.Run("ErrUnknownChannel", func(t *testing.T) {
		if _, err := s.LogStockExport(ctx, "tiktok", "x.csv", nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("LogStockExport(tiktok) = %v, want ErrInvalid", err)
		}
	})
	t.Run("ErrNotOwner", func(t *testing.T) {
		packer := s.As(User{Name: "Jamie", Role: RolePacker, Active: true})
		if _, err := packer.LogStockExport(ctx, "etsy", "x.csv", nil); !errors.Is(err, ErrPermission) {
			t.Errorf("packer LogStockExport = %v, want ErrPermission", err)
		}
	})
}

func TestStore_AtRisk(t *testing.T) {
	ctx := context.Background()
	s := mustListingShop(t)
	mustVariant(t, s, "JAR", "Honey jar", 700, 200)
	mustAdjust(t, s, "JAR", 1)
	if err := s.SetListingRule(ctx, ListingRule{Channel: "etsy", Buffer: 2}); err != nil {
		t.Fatal(err)
	}
	atRisk := func(t *testing.T) []AtRisk {
		t.Helper()
		got, err := s.AtRisk(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// Never exported: nothing to compare against, nothing oversold.
	if got := atRisk(t); len(got) != 0 {
		t.Fatalf("AtRisk() before any export = %+v, want none", got)
	}
	// Buffer 2: GIFT 5, JAR 0 (1 − 2), MUG 5, TEA 28; every sellable count is above what went out.
	if _, err := s.LogStockExport(ctx, "etsy", "etsy.csv", mustListings(t, s, "etsy", false)); err != nil {
		t.Fatal(err)
	}
	t.Run("SafeAfterExport", func(t *testing.T) {
		if got := atRisk(t); len(got) != 0 {
			t.Errorf("AtRisk() = %+v, want none", got)
		}
	})

	// Two gift boxes hold 2 mugs and 4 teas: MUG 10 − 5 = 5, TEA 30 − 4 = 26, GIFT min(5, 13) = 5.
	mustOrders(t, s, listingOrder("shopify", "#1002", -2*time.Hour, "GIFT", 2))
	t.Run("SellableAtOrBelowListed", func(t *testing.T) {
		want := []AtRisk{
			{SKU: "GIFT", Name: "Gift box", Sellable: 5, Channel: "etsy", Listed: 5},
			{SKU: "MUG", Name: "Stoneware mug", Sellable: 5, Channel: "etsy", Listed: 5},
			{SKU: "TEA", Name: "Earl Grey 100 g", Sellable: 26, Channel: "etsy", Listed: 28},
		}
		if got := atRisk(t); !reflect.DeepEqual(got, want) {
			t.Errorf("AtRisk() = %+v, want %+v", got, want)
		}
	})

	// 7 mugs broken leave 3 on hand against 5 held: oversold, by the Etsy order and the gift box order.
	// A 2-jar order against 1 jar: oversold, though Etsy was listed none.
	if _, err := s.AdjustStock(ctx, Adjustment{SKU: "MUG", Delta: -7, Note: "shelf collapsed"}); err != nil {
		t.Fatal(err)
	}
	mustOrders(t, s, listingOrder("etsy", "3003", -1*time.Hour, "JAR", 2))
	t.Run("Oversold", func(t *testing.T) {
		want := []AtRisk{
			{SKU: "GIFT", Name: "Gift box", Sellable: 0, Channel: "etsy", Listed: 5},
			{SKU: "JAR", Name: "Honey jar", Sellable: 0, Oversold: true, Short: 1, Orders: []string{"3003"}},
			{SKU: "MUG", Name: "Stoneware mug", Sellable: 0, Channel: "etsy", Listed: 5, Oversold: true, Short: 2, Orders: []string{"3001", "#1002"}},
			{SKU: "TEA", Name: "Earl Grey 100 g", Sellable: 26, Channel: "etsy", Listed: 28},
		}
		if got := atRisk(t); !reflect.DeepEqual(got, want) {
			t.Errorf("AtRisk() =\n%+v, want\n%+v", got, want)
		}
	})

	// Listed counts our units: 10 three-packs on Amazon are 30 teas, more than the 26 sellable.
	if _, err := s.LogStockExport(ctx, "amazon", "amazon.txt", []ChannelListing{{ChannelSKU: "B0TEA3PACK", SKU: "TEA", Pack: 3, Quantity: 10}}); err != nil {
		t.Fatal(err)
	}
	t.Run("PacksInOurUnits", func(t *testing.T) {
		var got []AtRisk
		for _, r := range atRisk(t) {
			if r.SKU == "TEA" {
				got = append(got, r)
			}
		}
		want := []AtRisk{
			{SKU: "TEA", Name: "Earl Grey 100 g", Sellable: 26, Channel: "amazon", Listed: 30},
			{SKU: "TEA", Name: "Earl Grey 100 g", Sellable: 26, Channel: "etsy", Listed: 28},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AtRisk() for TEA = %+v, want %+v", got, want)
		}
	})
}

// TestStore_AtRiskWithoutRule: a stock file without a rule lists exactly what is sellable, which is no
// risk; the first sale after it makes the channel show more than there is.
func TestStore_AtRiskWithoutRule(t *testing.T) {
	ctx := context.Background()
	s := mustListingShop(t) // MUG 10 on hand, 3 held: 7 sellable; TEA 30; GIFT min(7, 15) = 7
	if _, err := s.LogStockExport(ctx, "ebay", "ebay.csv", mustListings(t, s, "ebay", false)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AtRisk(ctx); err != nil || len(got) != 0 {
		t.Fatalf("AtRisk() right after a file without a rule = %+v, %v; want none", got, err)
	}
	mustOrders(t, s, listingOrder("etsy", "3002", -time.Hour, "MUG", 1))
	got, err := s.AtRisk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []AtRisk{
		{SKU: "GIFT", Name: "Gift box", Sellable: 6, Channel: "ebay", Listed: 7},
		{SKU: "MUG", Name: "Stoneware mug", Sellable: 6, Channel: "ebay", Listed: 7},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AtRisk() after a sale = %+v, want %+v", got, want)
	}
}
