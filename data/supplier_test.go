package data

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// mustSupplier adds a GBP supplier with a promised lead time.
func mustSupplier(tb testing.TB, s *Store, name string, leadDays int) Supplier {
	tb.Helper()
	sp, err := s.AddSupplier(context.Background(), Supplier{Name: name, Currency: "GBP", LeadTimeDays: leadDays})
	if err != nil {
		tb.Fatalf("AddSupplier(%s): %v", name, err)
	}
	return sp
}

func mustSupplierItem(tb testing.TB, s *Store, it SupplierItem) {
	tb.Helper()
	if err := s.SetSupplierItem(context.Background(), it); err != nil {
		tb.Fatalf("SetSupplierItem(%s, %s): %v", it.SupplierName, it.SKU, err)
	}
}

// rankedNames is a SKU's suppliers by name, in rank order, checking that ranks run 1…n.
func rankedNames(tb testing.TB, s *Store, sku string) []string {
	tb.Helper()
	items, err := s.SKUSuppliers(context.Background(), sku)
	if err != nil {
		tb.Fatalf("SKUSuppliers(%s): %v", sku, err)
	}
	var names []string
	for i, it := range items {
		if it.Rank != i+1 {
			tb.Errorf("SKUSuppliers(%s)[%d].Rank = %d, want %d", sku, i, it.Rank, i+1)
		}
		names = append(names, it.SupplierName)
	}
	return names
}

func TestStore_SupplierItemRanks(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 600)
	mustVariant(t, s, "TEA", "Earl Grey", 900, 250)
	a := mustSupplier(t, s, "Alder Clay", 10)
	b := mustSupplier(t, s, "Birch Wholesale", 5)
	c := mustSupplier(t, s, "Cedar Imports", 30)
	cost := int64(500)

	// Rank 0 appends, in the order they come.
	for _, sp := range []Supplier{a, b, c} {
		mustSupplierItem(t, s, SupplierItem{SupplierID: sp.ID, SKU: "mug", UnitCost: &cost})
	}
	if got, want := rankedNames(t, s, "MUG"), []string{"Alder Clay", "Birch Wholesale", "Cedar Imports"}; !slices.Equal(got, want) {
		t.Fatalf("appended: %v, want %v", got, want)
	}

	t.Run("InsertAtRank", func(t *testing.T) {
		mustSupplierItem(t, s, SupplierItem{SupplierID: c.ID, SKU: "MUG", UnitCost: &cost, Rank: 1})
		if got, want := rankedNames(t, s, "MUG"), []string{"Cedar Imports", "Alder Clay", "Birch Wholesale"}; !slices.Equal(got, want) {
			t.Errorf("Cedar to primary: %v, want %v", got, want)
		}
		mustSupplierItem(t, s, SupplierItem{SupplierID: c.ID, SKU: "MUG", UnitCost: &cost, Rank: 9}) // past the end: last
		if got, want := rankedNames(t, s, "MUG"), []string{"Alder Clay", "Birch Wholesale", "Cedar Imports"}; !slices.Equal(got, want) {
			t.Errorf("Cedar to rank 9: %v, want %v", got, want)
		}
		mustSupplierItem(t, s, SupplierItem{SupplierID: a.ID, SKU: "MUG", UnitCost: &cost, Rank: 2})
		if got, want := rankedNames(t, s, "MUG"), []string{"Birch Wholesale", "Alder Clay", "Cedar Imports"}; !slices.Equal(got, want) {
			t.Errorf("Alder to rank 2: %v, want %v", got, want)
		}
	})

	t.Run("KeepRank", func(t *testing.T) {
		dearer := int64(650)
		mustSupplierItem(t, s, SupplierItem{SupplierID: a.ID, SKU: "MUG", SupplierSKU: "AC-1", UnitCost: &dearer, PackSize: 6, MinOrderQty: 12})
		items, err := s.SKUSuppliers(ctx, "MUG")
		if err != nil {
			t.Fatal(err)
		}
		got := items[1]
		want := SupplierItem{SupplierID: a.ID, SupplierName: "Alder Clay", SKU: "MUG", Name: "Stoneware mug", SupplierSKU: "AC-1",
			UnitCost: got.UnitCost, Currency: "GBP", PackSize: 6, MinOrderQty: 12, Rank: 2, LeadTimeDays: 10, Available: true}
		if got != want || *got.UnitCost != 650 {
			t.Errorf("Alder's MUG = %+v, want %+v at 650", got, want)
		}
		if got.RankName() != "Backup 1" || items[0].RankName() != "Primary" || items[2].RankName() != "Backup 2" {
			t.Errorf("rank names = %q %q %q", items[0].RankName(), got.RankName(), items[2].RankName())
		}
	})

	t.Run("Remove", func(t *testing.T) {
		if err := s.RemoveSupplierItem(ctx, b.ID, "mug"); err != nil {
			t.Fatal(err)
		}
		if got, want := rankedNames(t, s, "MUG"), []string{"Alder Clay", "Cedar Imports"}; !slices.Equal(got, want) {
			t.Errorf("after removing the primary: %v, want %v", got, want)
		}
		if err := s.RemoveSupplierItem(ctx, b.ID, "MUG"); !errors.Is(err, ErrNotFound) {
			t.Errorf("removing it twice: %v, want ErrNotFound", err)
		}
	})

	t.Run("OtherSKUsUntouched", func(t *testing.T) {
		mustSupplierItem(t, s, SupplierItem{SupplierID: c.ID, SKU: "TEA", UnitCost: &cost})
		mustSupplierItem(t, s, SupplierItem{SupplierID: b.ID, SKU: "TEA", UnitCost: &cost, Rank: 1})
		if got, want := rankedNames(t, s, "TEA"), []string{"Birch Wholesale", "Cedar Imports"}; !slices.Equal(got, want) {
			t.Errorf("TEA: %v, want %v", got, want)
		}
		if got, want := rankedNames(t, s, "MUG"), []string{"Alder Clay", "Cedar Imports"}; !slices.Equal(got, want) {
			t.Errorf("MUG after TEA changed: %v, want %v", got, want)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		if err := s.SetSupplierItem(ctx, SupplierItem{SupplierID: "nobody", SKU: "MUG"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown supplier: %v", err)
		}
		if err := s.SetSupplierItem(ctx, SupplierItem{SupplierID: a.ID, SKU: "NOPE"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown SKU: %v", err)
		}
		if err := s.SetSupplierItem(ctx, SupplierItem{SupplierID: a.ID, SKU: "MUG", Rank: -1}); !errors.Is(err, ErrInvalid) {
			t.Errorf("rank -1: %v", err)
		}
	})
}

func TestStore_UpdateSupplier(t *testing.T) {
	ctx := context.Background()
	clock := testNow
	s := mustOpenAt(t, &clock)
	sp, err := s.AddSupplier(ctx, Supplier{Name: "Alder Clay", Currency: "gbp", LeadTimeDays: 10, MinOrderValue: 15000})
	if err != nil {
		t.Fatal(err)
	}
	mustSupplier(t, s, "Birch Wholesale", 5)

	sp.Phone, sp.MinOrderValue = "01234 567890", 20000
	if _, err := s.UpdateSupplier(ctx, sp); err != nil {
		t.Fatal(err)
	}
	got, err := s.Supplier(ctx, sp.ID)
	if err != nil || got.Phone != "01234 567890" || got.MinOrderValue != 20000 || got.Currency != "GBP" || !got.Available() {
		t.Errorf("after update: %+v, %v", got, err)
	}
	sp.Name = "birch wholesale"
	if _, err := s.UpdateSupplier(ctx, sp); !errors.Is(err, ErrConflict) {
		t.Errorf("renamed to another's name: %v, want ErrConflict", err)
	}
	sp.Name, sp.MinOrderValue = "Alder Clay", -1
	if _, err := s.UpdateSupplier(ctx, sp); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative minimum order: %v, want ErrInvalid", err)
	}

	// Unavailable from the first mark; a second mark changes only the note.
	if err := s.SetSupplierAvailable(ctx, sp.ID, false, "kiln broken"); err != nil {
		t.Fatal(err)
	}
	marked := clock
	clock = clock.Add(48 * time.Hour)
	if err := s.SetSupplierAvailable(ctx, sp.ID, false, "kiln still broken"); err != nil {
		t.Fatal(err)
	}
	all, err := s.Suppliers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := all[0]; got.Available() || !got.UnavailableSince.Equal(marked) || got.UnavailableNote != "kiln still broken" {
		t.Errorf("unavailable: since %v note %q, want since %v", got.UnavailableSince, got.UnavailableNote, marked)
	}
	// An edit of the details leaves availability alone.
	sp.MinOrderValue = 0
	if _, err := s.UpdateSupplier(ctx, sp); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Supplier(ctx, sp.ID); got.Available() {
		t.Errorf("UpdateSupplier made the supplier available again")
	}
	if err := s.SetSupplierAvailable(ctx, sp.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Supplier(ctx, sp.ID); !got.Available() || got.UnavailableNote != "" {
		t.Errorf("available again: %+v", got)
	}
	log, err := s.AuditLog(ctx, "supplier", sp.ID, 0)
	if err != nil || len(log) != 6 { // create, update, 3 availability changes, update
		t.Errorf("audit entries = %d, %v; want 6", len(log), err)
	}
}

// mustOpenAt opens a fresh store whose clock reads *clock, so a test can move time on.
func mustOpenAt(tb testing.TB, clock *time.Time) *Store {
	tb.Helper()
	s, err := Open(context.Background(), tb.TempDir()+"/shop.db", Options{Now: func() time.Time { return *clock }})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
