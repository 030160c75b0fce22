package data

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// packingShop has a mug with a barcode, a card without one, a gift set kit of both, and one paid order
// 5001 of 2 mugs and 1 card, with a packer and an owner with a PIN.
func packingShop(t *testing.T) (owner, packer *Store, orderID int64) {
	t.Helper()
	ctx := context.Background()
	clock := testNow
	s, err := Open(ctx, filepath.Join(t.TempDir(), "shop.db"), Options{Now: func() time.Time {
		clock = clock.Add(30 * time.Second)
		return clock
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, v := range []NewVariant{
		{SKU: "MUG", ProductName: "Stoneware mug", Price: 1800, Currency: "GBP", Barcodes: []string{"5012345678900"}, Bin: "A-01"},
		{SKU: "CARD", ProductName: "Greeting card", Price: 300, Currency: "GBP", Bin: "B-02"},
		{SKU: "GIFT", ProductName: "Gift set", Price: 2000, Currency: "GBP"},
	} {
		if _, err := s.AddVariant(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetKit(ctx, "GIFT", []KitComponent{{SKU: "MUG", Quantity: 1}, {SKU: "CARD", Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	mustAdjust(t, s, "MUG", 10)
	mustAdjust(t, s, "CARD", 10)
	o := shopOrder("5001", StatusPaid, "MUG", 2)
	o.Lines = append(o.Lines, OrderLine{SKU: "CARD", Name: "Greeting card", Quantity: 1, UnitPrice: 300})
	if _, err := s.ApplyOrders(ctx, []Order{o, shopOrder("5002", StatusPaid, "GIFT", 1)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.OrderByKey(ctx, "shopify", "5001")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPIN(ctx, mustUserID(t, s), "9999"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, "Jamie", RolePacker, "1234"); err != nil {
		t.Fatal(err)
	}
	packer, err = s.Login(ctx, "Jamie", "1234")
	if err != nil {
		t.Fatal(err)
	}
	return s, packer, got.ID
}

// mustUserID is the first owner's id, creating one called Olive when the shop has none.
func mustUserID(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	if u, err := s.UserByName(ctx, "Olive"); err == nil {
		return u.ID
	}
	u, err := s.AddUser(ctx, "Olive", RoleOwner, "")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestStore_PackStation(t *testing.T) {
	ctx := context.Background()
	owner, p, id := packingShop(t)

	o, err := p.FindOrderToPack(ctx, "#5001", "")
	if err != nil || o.ID != id {
		t.Fatalf("FindOrderToPack(#5001) = %+v, %v", o, err)
	}
	if _, err := p.FindOrderToPack(ctx, "9999", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown order: %v", err)
	}
	st, err := p.StartPack(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Lines) != 2 || st.Lines[0].Bin != "A-01" || st.Lines[0].Barcodes[0] != "5012345678900" || st.Complete() {
		t.Fatalf("pack state = %+v", st.Lines)
	}

	var outcomes []string
	scan := func(code string) ScanResult {
		t.Helper()
		res, err := p.PackScan(ctx, id, code)
		if err != nil {
			t.Fatalf("PackScan(%s): %v", code, err)
		}
		outcomes = append(outcomes, string(res.Outcome))
		return res
	}
	if r := scan("5012345678900"); r.Outcome != ScanOK || r.Message != "MUG: 1 of 2" {
		t.Errorf("first mug: %+v", r)
	}
	if r := scan("GIFT"); r.Outcome != ScanWrongItem || r.Message != "Wrong item: GIFT is not on shopify order 5001" {
		t.Errorf("gift set: %q", r.Message)
	}
	if r := scan("nonsense-42"); r.Outcome != ScanUnknownCode {
		t.Errorf("unknown code: %+v", r)
	}
	scan("mug") // a SKU typed as it is, in another case
	if r := scan("5012345678900"); r.Outcome != ScanOverQuantity || !strings.Contains(r.Message, "needs 2 × MUG") {
		t.Errorf("third mug: %q", r.Message)
	}
	if got := strings.Join(outcomes, " "); got != "ok wrong-item unknown-code ok over-quantity" {
		t.Errorf("outcomes = %s", got)
	}

	if _, err := p.MarkPacked(ctx, id); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "CARD has 0 of 1") {
		t.Errorf("MarkPacked before the card: %v", err)
	}
	// The card has no barcode: confirmed by hand. The mug has one, so by hand is refused.
	if _, err := p.PackByHand(ctx, id, 1, "MUG", 1); !errors.Is(err, ErrConflict) {
		t.Errorf("mug by hand: %v", err)
	}
	st, err = p.PackByHand(ctx, id, 2, "CARD", 1)
	if err != nil || !st.Complete() {
		t.Fatalf("card by hand: %+v, %v", st.Lines, err)
	}
	packed, err := p.MarkPacked(ctx, id)
	if err != nil || packed.Status != StatusPacked {
		t.Fatalf("MarkPacked = %s, %v", packed.Status, err)
	}

	shipped, err := p.ShipOrder(ctx, id, Shipment{Carrier: "Royal Mail", Service: "Tracked 48", Tracking: "ab 1234 5678 9gb"})
	if err != nil || shipped.Status != StatusShipped {
		t.Fatalf("ShipOrder = %s, %v", shipped.Status, err)
	}
	if l := mustLevel(t, owner, "MUG"); l.OnHand != 8 || l.Reserved != 1 { // the gift set's mug is still reserved
		t.Errorf("mug after shipping: %+v", l)
	}
	// Correcting the tracking number moves no stock again.
	if _, err := p.ShipOrder(ctx, id, Shipment{Carrier: "Royal Mail", Tracking: "AB123456780GB"}); err != nil {
		t.Fatal(err)
	}
	if l := mustLevel(t, owner, "MUG"); l.OnHand != 8 {
		t.Errorf("mug after correcting the tracking: %+v", l)
	}
	sh, ok, err := owner.Shipment(ctx, id)
	if !ok || err != nil || sh.Tracking != "AB123456780GB" || sh.UserName != "Jamie" {
		t.Errorf("shipment = %+v, %v, %v", sh, ok, err)
	}
	list, err := owner.ShippedOrders(ctx, "shopify", testNow.Add(-time.Hour), time.Time{})
	if err != nil || len(list) != 1 || len(list[0].Order.Lines) != 2 {
		t.Errorf("shipped orders = %+v, %v", list, err)
	}
	if _, err := p.PackScan(ctx, id, "5012345678900"); !errors.Is(err, ErrConflict) {
		t.Errorf("scanning into a shipped order: %v", err)
	}

	days, err := owner.PackerDays(ctx, testNow.Add(-time.Hour), testNow.Add(24*time.Hour), time.UTC)
	if err != nil || len(days) != 1 {
		t.Fatalf("PackerDays = %+v, %v", days, err)
	}
	d := days[0]
	if d.UserName != "Jamie" || d.Orders != 1 || d.Items != 3 || d.Scans != 5 || d.BadScans != 3 || d.Overrides != 0 {
		t.Errorf("packer day = %+v", d)
	}
	if acc := d.Accuracy(); fmt.Sprintf("%.2f", acc) != "0.40" {
		t.Errorf("accuracy = %.2f, want 0.40", acc)
	}
	if _, err := p.PackerDays(ctx, testNow, testNow.Add(time.Hour), time.UTC); !errors.Is(err, ErrPermission) {
		t.Errorf("packer reads the figures: %v", err)
	}
}

func TestStore_PackOverrideAndKits(t *testing.T) {
	ctx := context.Background()
	owner, p, _ := packingShop(t)
	gift, err := p.FindOrderToPack(ctx, "5002", "shopify")
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.StartPack(ctx, gift.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Lines) != 2 || st.Lines[0].Kit != "GIFT" || st.Lines[1].Kit != "GIFT" || st.Lines[0].SKU+st.Lines[1].SKU != "CARDMUG" {
		t.Fatalf("kit lines = %+v", st.Lines)
	}
	if _, err := p.PackOverride(ctx, gift.ID, 1, "MUG", 1, " ", Approval{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("override without a reason: %v", err)
	}
	if err := owner.SetSetting(ctx, SettingOverrideNeedsOwner, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PackOverride(ctx, gift.ID, 1, "MUG", 1, "label torn", Approval{}); !errors.Is(err, ErrPermission) {
		t.Errorf("override without the owner: %v", err)
	}
	if _, err := p.PackOverride(ctx, gift.ID, 1, "MUG", 1, "label torn", Approval{Name: "Olive", PIN: "0000"}); !errors.Is(err, ErrPermission) {
		t.Errorf("override with a wrong PIN: %v", err)
	}
	if _, err := p.PackOverride(ctx, gift.ID, 1, "MUG", 1, "label torn", Approval{Name: "Olive", PIN: "9999"}); err != nil {
		t.Fatalf("override approved: %v", err)
	}
	// Starting again forgets what was counted, and the log keeps it.
	st, err = p.ResetPack(ctx, gift.ID)
	if err != nil {
		t.Fatal(err)
	}
	if packed, _ := st.Units(); packed != 0 {
		t.Errorf("after reset: %d packed", packed)
	}
	days, _ := owner.PackerDays(ctx, testNow.Add(-time.Hour), testNow.Add(24*time.Hour), time.UTC)
	if len(days) != 1 || days[0].Overrides != 1 {
		t.Errorf("overrides counted = %+v", days)
	}
}
