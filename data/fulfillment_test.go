package data

import (
	"context"
	"reflect"
	"testing"
)

func TestStore_PickList(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	for _, n := range []NewVariant{
		{SKU: "MUG", ProductName: "Stoneware mug", Title: "Sage", Bin: "A10", Currency: "GBP"},
		{SKU: "TEA", ProductName: "Earl Grey 100 g", Bin: "A2", Currency: "GBP"},
		{SKU: "CARD", ProductName: "Gift card", Currency: "GBP"},
		{SKU: "GIFT", ProductName: "Gift box", Bin: "Z1", Currency: "GBP"},
	} {
		if _, err := s.AddVariant(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetKit(ctx, "GIFT", []KitComponent{{SKU: "MUG", Quantity: 1}, {SKU: "TEA", Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlias(ctx, Alias{Channel: "amazon", ChannelKey: "B0TEA3", SKU: "TEA", Pack: 3}); err != nil {
		t.Fatal(err)
	}
	orders := []Order{
		{Channel: "shopify", ExternalID: "#1001", Status: StatusPaid, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{SKU: "MUG", Quantity: 2}, {SKU: "CARD", Quantity: 1}}},
		{Channel: "etsy", ExternalID: "3012345678", Status: StatusPaid, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{SKU: "GIFT", Quantity: 1}}},
		{Channel: "amazon", ExternalID: "113-1", Status: StatusNew, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{ChannelSKU: "B0TEA3", Quantity: 1}, {ChannelSKU: "B0UNKNOWN", Name: "Mystery listing", Quantity: 2}}},
		{Channel: "shopify", ExternalID: "#1002", Status: StatusPaid, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{SKU: "MUG", Quantity: 5}}},
	}
	if _, err := s.ApplyOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, o := range orders[:3] {
		got, err := s.OrderByKey(ctx, o.Channel, o.ExternalID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}

	t.Run("OK", func(t *testing.T) {
		items, err := s.PickList(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			SKU, Bin  string
			Qty       int64
			Orders    []string
			Unmatched bool
		}
		var got []row
		for _, it := range items {
			got = append(got, row{it.SKU, it.Bin, it.Quantity, it.Orders, it.Unmatched})
		}
		want := []row{
			{"TEA", "A2", 5, []string{"113-1", "3012345678"}, false},  // 1 × 3-pack + 1 kit × 2
			{"MUG", "A10", 3, []string{"#1001", "3012345678"}, false}, // A2 before A10; #1002 not chosen
			{"CARD", "", 1, []string{"#1001"}, false},                 // no bin: after every binned item
			{"", "", 2, []string{"113-1"}, true},                      // unmatched: listed, last
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("PickList() = %+v, want %+v", got, want)
		}
		if got, want := items[1].Name, "Stoneware mug – Sage"; got != want {
			t.Errorf("MUG name = %q, want %q", got, want)
		}
		if got, want := items[1].Kits, []string{"GIFT"}; !reflect.DeepEqual(got, want) {
			t.Errorf("MUG kits = %v, want %v", got, want)
		}
		if got, want := items[1].Location, "Shop"; got != want {
			t.Errorf("MUG location = %q, want the default %q", got, want)
		}
		if u := items[3]; u.Channel != "amazon" || u.ChannelSKU != "B0UNKNOWN" || u.Name != "Mystery listing" {
			t.Errorf("unmatched item = %+v, want amazon B0UNKNOWN Mystery listing", u)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		items, err := s.PickList(ctx, nil)
		if err != nil || len(items) != 0 {
			t.Errorf("PickList(nil) = %v, %v, want nothing", items, err)
		}
	})
}

func TestNaturalLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a2", "a10", true},
		{"a10", "a2", false},
		{"a-01-3", "a-01-12", true},
		{"b1", "a9", false},
		{"a", "a1", true},
		{"a1", "a1", false},
	}
	for _, tt := range tests {
		if got := naturalLess(tt.a, tt.b); got != tt.want {
			t.Errorf("naturalLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
