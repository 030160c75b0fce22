package data

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestStore_MapUnmatched(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "TEA", "Earl Grey 100 g", 900, 250)
	mustAdjust(t, s, "TEA", 30)
	line := func(id string, st Status, channelSKU, name string, qty int64) Order {
		return Order{Channel: "amazon", ExternalID: id, Status: st, Currency: "GBP", PlacedAt: testNow.Add(-time.Hour),
			Lines: []OrderLine{{ChannelSKU: channelSKU, Name: name, Quantity: qty, UnitPrice: 2400}}}
	}
	orders := []Order{
		line("113-1", StatusShipped, "B0TEA3", "Earl Grey 3-pack", 2),
		line("113-2", StatusPaid, "", "earl grey 3-pack ", 1), // same listing by name, other case and spacing
		line("113-3", StatusPaid, "B0OTHER", "Other thing", 1),
		line("113-4", StatusCancelled, "B0TEA3", "Earl Grey 3-pack", 9),
		{Channel: "etsy", ExternalID: "301", Status: StatusPaid, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{ChannelSKU: "B0TEA3", Quantity: 1}}}, // another channel's key is not ours to map
	}
	if _, err := s.ApplyOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}

	t.Run("UnmatchedLines", func(t *testing.T) {
		ls, err := s.UnmatchedLines(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range ls {
			got = append(got, l.Channel+":"+l.ExternalID+":"+l.Key())
		}
		want := "[amazon:113-1:B0TEA3 amazon:113-2:earl grey 3-pack amazon:113-3:B0OTHER etsy:301:B0TEA3]"
		if g := fmt.Sprint(got); g != want {
			t.Errorf("UnmatchedLines() = %s, want %s (oldest first, cancelled left out)", g, want)
		}
		if l := ls[0]; l.Quantity != 2 || l.LineNo != 1 || l.Status != StatusShipped || l.OrderID == 0 || !l.PlacedAt.Equal(testNow.Add(-time.Hour)) {
			t.Errorf("first line = %+v", l)
		}
		if ls, _ := s.UnmatchedLines(ctx, 2); len(ls) != 2 {
			t.Errorf("UnmatchedLines(limit 2) = %d lines, want 2", len(ls))
		}
	})

	t.Run("ErrPermission", func(t *testing.T) {
		if _, err := s.AddUser(ctx, "Jamie", RolePacker, "1234"); err != nil {
			t.Fatal(err)
		}
		packer, err := s.Login(ctx, "Jamie", "1234")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := packer.MapUnmatched(ctx, Alias{Channel: "amazon", ChannelKey: "B0TEA3", SKU: "TEA"}); !errors.Is(err, ErrPermission) {
			t.Errorf("packer MapUnmatched = %v, want ErrPermission", err)
		}
	})
	t.Run("ErrUnknownSKU", func(t *testing.T) {
		if _, err := s.MapUnmatched(ctx, Alias{Channel: "amazon", ChannelKey: "B0TEA3", SKU: "NOPE"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("MapUnmatched(unknown SKU) = %v, want ErrNotFound", err)
		}
		if ls, _ := s.UnmatchedLines(ctx, 0); len(ls) != 4 {
			t.Errorf("unmatched lines after a refused mapping = %d, want 4", len(ls))
		}
	})

	t.Run("OK", func(t *testing.T) {
		n, err := s.MapUnmatched(ctx, Alias{Channel: "Amazon", ChannelKey: "B0TEA3", SKU: "tea", Pack: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := n, 2; got != want { // 113-1 and the cancelled 113-4; not etsy's
			t.Errorf("MapUnmatched(B0TEA3) = %d lines, want %d", got, want)
		}
		n, err = s.MapUnmatched(ctx, Alias{Channel: "amazon", ChannelKey: "Earl Grey 3-pack", SKU: "TEA", Pack: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := n, 1; got != want {
			t.Errorf("MapUnmatched(by name) = %d lines, want %d", got, want)
		}
		o, err := s.OrderByKey(ctx, "amazon", "113-1")
		if err != nil {
			t.Fatal(err)
		}
		if l := o.Lines[0]; l.SKU != "TEA" || l.Pack != 3 {
			t.Errorf("mapped line = %+v, want SKU TEA pack 3", l)
		}
		lvl := mustLevel(t, s, "TEA")
		if got, want := lvl.OnHand, int64(24); got != want {
			t.Errorf("TEA on hand = %d, want %d (shipped 113-1: 2 × 3-pack deducted)", got, want)
		}
		if got, want := lvl.Reserved, int64(3); got != want {
			t.Errorf("TEA reserved = %d, want %d (open 113-2: 1 × 3-pack)", got, want)
		}
		if ls, _ := s.UnmatchedLines(ctx, 0); len(ls) != 2 {
			t.Errorf("unmatched lines left = %d, want 2 (B0OTHER and etsy's)", len(ls))
		}
		aliases, _ := s.Aliases(ctx, "TEA")
		if len(aliases) != 2 {
			t.Errorf("aliases of TEA = %+v, want 2", aliases)
		}
		entries, _ := s.AuditLog(ctx, "alias", "amazon:B0TEA3", 10)
		if len(entries) != 2 || entries[0].Action != "map_unmatched" {
			t.Errorf("audit of the mapping = %+v, want set and map_unmatched", entries)
		}
	})
	t.Run("Idempotent", func(t *testing.T) {
		n, err := s.MapUnmatched(ctx, Alias{Channel: "amazon", ChannelKey: "B0TEA3", SKU: "TEA", Pack: 3})
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second MapUnmatched = %d lines, want 0", n)
		}
		// Re-applying the shipped order, as a repeated import does, deducts nothing more.
		if _, err := s.ApplyOrders(ctx, orders[:1]); err != nil {
			t.Fatal(err)
		}
		if got, want := mustLevel(t, s, "TEA").OnHand, int64(24); got != want {
			t.Errorf("TEA on hand after re-import = %d, want %d", got, want)
		}
		ms, _ := s.Movements(ctx, "TEA", 0, 0)
		sales := 0
		for _, m := range ms {
			if m.Reason == ReasonSale {
				sales++
			}
		}
		if sales != 1 {
			t.Errorf("sale movements = %d, want 1", sales)
		}
	})
}
