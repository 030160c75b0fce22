package data

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestStore_StockCount(t *testing.T) {
	ctx := context.Background()
	owner, packer, _ := packingShop(t) // MUG (barcode, bin A-01) and CARD (bin B-02): 10 each, 3 mugs and 1 card on orders
	locs, err := owner.Locations(ctx)
	if err != nil || len(locs) == 0 {
		t.Fatal(locs, err)
	}
	shop := locs[0].Name

	c, err := packer.StartCount(ctx, shop, "A-01")
	if err != nil {
		t.Fatalf("StartCount: %v", err)
	}
	if len(c.Lines) != 1 || c.Lines[0].SKU != "MUG" || c.Lines[0].Expected != 10 || c.Lines[0].Scanned {
		t.Fatalf("bin A-01 count = %+v", c.Lines)
	}
	for range 7 {
		if _, _, err := packer.CountScan(ctx, c.ID, "5012345678900", 1); err != nil {
			t.Fatal(err)
		}
	}
	// A card found on the mug's shelf is listed as misplaced: it says nothing about the cards in B-02.
	line, _, err := packer.CountScan(ctx, c.ID, "card", 2)
	if err != nil || line.SKU != "CARD" || line.Counted != 2 || !line.Misplaced || line.Difference() != 0 {
		t.Fatalf("card on the wrong shelf: %+v, %v", line, err)
	}
	if _, _, err := packer.CountScan(ctx, c.ID, "nothing-here", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown code: %v", err)
	}
	if _, _, err := packer.CountScan(ctx, c.ID, "GIFT", 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("a kit: %v", err)
	}

	// The count survives a restart: starting the same place again continues it.
	again, err := packer.StartCount(ctx, shop, "a-01")
	if err != nil || again.ID != c.ID {
		t.Fatalf("second start = %d, %v; want count %d continued", again.ID, err, c.ID)
	}
	if _, err := packer.SetCounted(ctx, c.ID, "MUG", 7); err != nil {
		t.Fatal(err)
	}
	c, err = packer.SubmitCount(ctx, c.ID)
	if err != nil || c.Status != CountSubmitted {
		t.Fatalf("submit: %+v, %v", c.Status, err)
	}
	if _, err := packer.ApproveCount(ctx, c.ID, "weekly count"); !errors.Is(err, ErrPermission) {
		t.Errorf("packer approves: %v", err)
	}
	if _, err := owner.ApproveCount(ctx, c.ID, " "); !errors.Is(err, ErrInvalid) {
		t.Errorf("approval without a reason: %v", err)
	}
	moved, err := owner.ApproveCount(ctx, c.ID, "weekly count")
	if err != nil || moved != 1 {
		t.Fatalf("approve = %d, %v; want only the mug's −3", moved, err)
	}
	if l := mustLevel(t, owner, "MUG"); l.OnHand != 7 {
		t.Errorf("mugs on hand after the count = %d, want 7", l.OnHand)
	}
	hist, err := owner.Movements(ctx, "MUG", 5, 0)
	if err != nil || hist[0].Reason != ReasonCount || !strings.Contains(hist[0].Note, "7 counted, 10 expected; weekly count") {
		t.Errorf("mug ledger = %+v, %v", hist, err)
	}
	if _, _, err := packer.CountScan(ctx, c.ID, "MUG", 1); !errors.Is(err, ErrConflict) {
		t.Errorf("scanning into an approved count: %v", err)
	}
	open, err := owner.OpenCounts(ctx)
	if err != nil || len(open) != 0 {
		t.Errorf("open counts after approval = %+v, %v", open, err)
	}

	d, err := packer.StartCount(ctx, shop, "")
	if err != nil || len(d.Lines) != 2 {
		t.Fatalf("whole-location count = %+v, %v", d.Lines, err)
	}
	if err := packer.DiscardCount(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if l := mustLevel(t, owner, "CARD"); l.OnHand != 10 {
		t.Errorf("cards after a misplaced find and a discarded count = %d, want 10", l.OnHand)
	}
	if _, err := packer.StartCount(ctx, "Nowhere", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown location: %v", err)
	}
}
