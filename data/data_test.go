package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed clock of store tests.
var testNow = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// mustOpen opens a fresh store in a temporary folder, closed when the test ends.
func mustOpen(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "shop.db"), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// mustVariant adds a SKU with a price and cost in GBP.
func mustVariant(tb testing.TB, s *Store, sku, name string, price, cost int64) Variant {
	tb.Helper()
	v, err := s.AddVariant(context.Background(), NewVariant{SKU: sku, ProductName: name, Price: price, Cost: cost, Currency: "GBP"})
	if err != nil {
		tb.Fatalf("AddVariant(%s): %v", sku, err)
	}
	return v
}

func mustAdjust(tb testing.TB, s *Store, sku string, delta int64) {
	tb.Helper()
	if _, err := s.AdjustStock(context.Background(), Adjustment{SKU: sku, Delta: delta, Reason: ReasonReceipt, Note: "delivery"}); err != nil {
		tb.Fatalf("AdjustStock(%s, %d): %v", sku, delta, err)
	}
}

func mustLevel(tb testing.TB, s *Store, sku string) StockLevel {
	tb.Helper()
	l, err := s.StockLevel(context.Background(), sku)
	if err != nil {
		tb.Fatalf("StockLevel(%s): %v", sku, err)
	}
	return l
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("CreatesAndMigrates", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var version, appID int
		var journal string
		s.read.QueryRow("PRAGMA user_version").Scan(&version)
		s.read.QueryRow("PRAGMA application_id").Scan(&appID)
		s.read.QueryRow("PRAGMA journal_mode").Scan(&journal)
		names, _ := migrationFiles.ReadDir("migrations")
		if got, want := version, len(names); got != want {
			t.Errorf("user_version = %d, want %d", got, want)
		}
		if got, want := appID, applicationID; got != want {
			t.Errorf("application_id = %#x, want %#x", got, want)
		}
		if got, want := journal, "wal"; got != want {
			t.Errorf("journal_mode = %q, want %q", got, want)
		}
		device := s.DeviceID()
		if device == "" {
			t.Fatal("DeviceID is empty")
		}
		s.Close()
		s2, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s2.Close()
		if got := s2.DeviceID(); got != device {
			t.Errorf("DeviceID after reopen = %q, want %q", got, device)
		}
	})
	t.Run("ForeignKeysOnEveryConnection", func(t *testing.T) {
		s := mustOpen(t)
		for i := 0; i < 3; i++ {
			var on int
			if err := s.read.QueryRow("PRAGMA foreign_keys").Scan(&on); err != nil || on != 1 {
				t.Fatalf("read connection foreign_keys = %d (%v), want 1", on, err)
			}
		}
	})
	t.Run("ErrForeignSQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		other, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Exec("CREATE TABLE contacts(name TEXT)"); err != nil {
			t.Fatal(err)
		}
		other.Close()
		_, err = Open(ctx, path, Options{})
		if !errors.Is(err, ErrNotBackroom) {
			t.Fatalf("Open(foreign db) = %v, want ErrNotBackroom", err)
		}
		var n int
		check, _ := sql.Open("sqlite3", path)
		defer check.Close()
		check.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&n)
		if n != 1 {
			t.Errorf("foreign database has %d schema objects after Open, want 1 (untouched)", n)
		}
	})
	t.Run("ErrNotADatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "orders.csv")
		os.WriteFile(path, []byte("Name,Email\n#1001,a@example.com\n"), 0o600)
		_, err := Open(ctx, path, Options{})
		if !errors.Is(err, ErrNotBackroom) {
			t.Fatalf("Open(csv) = %v, want ErrNotBackroom", err)
		}
		if msg := UserMessage(err); msg == "" || msg == UserMessage(errors.New("x")) {
			t.Errorf("UserMessage = %q, want the specific reason", msg)
		}
	})
	t.Run("ErrTooNew", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "future.db")
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.write.Exec("PRAGMA user_version = 999")
		s.Close()
		if _, err := Open(ctx, path, Options{}); !errors.Is(err, ErrTooNew) {
			t.Fatalf("Open(newer db) = %v, want ErrTooNew", err)
		}
	})
}

func TestStore_AdjustStock(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "00421", "Stoneware mug", 1800, 650)

	t.Run("LedgerSums", func(t *testing.T) {
		mustAdjust(t, s, "00421", 10)
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "00421", Delta: -3, Note: "chipped in transit"}); err != nil {
			t.Fatal(err)
		}
		if got, want := mustLevel(t, s, "00421").OnHand, int64(7); got != want {
			t.Errorf("OnHand = %d, want %d", got, want)
		}
		ms, err := s.Movements(ctx, "00421", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(ms), 2; got != want {
			t.Fatalf("len(Movements) = %d, want %d", got, want)
		}
		if got, want := ms[0].Note, "chipped in transit"; got != want {
			t.Errorf("newest movement note = %q, want %q", got, want)
		}
	})
	t.Run("LeadingZerosAndCase", func(t *testing.T) {
		if _, err := s.Variant(ctx, "421"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Variant(421) = %v, want ErrNotFound: leading zeros are part of the SKU", err)
		}
		mustVariant(t, s, "Fk-Tote", "Tote bag", 1200, 300)
		v, err := s.Variant(ctx, "FK-TOTE")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v.SKU, "Fk-Tote"; got != want {
			t.Errorf("SKU = %q, want the case it was written in, %q", got, want)
		}
		if _, err := s.AddVariant(ctx, NewVariant{SKU: "FK-TOTE", ProductName: "Other", Currency: "GBP"}); !errors.Is(err, ErrConflict) {
			t.Errorf("AddVariant(case twin) = %v, want ErrConflict", err)
		}
	})
	t.Run("ErrAppendOnly", func(t *testing.T) {
		if _, err := s.write.Exec(`UPDATE stock_movements SET quantity = 100`); err == nil {
			t.Error("UPDATE stock_movements succeeded, want the append-only trigger to refuse")
		}
		if _, err := s.write.Exec(`DELETE FROM stock_movements`); err == nil {
			t.Error("DELETE FROM stock_movements succeeded, want the append-only trigger to refuse")
		}
	})
	t.Run("ErrNoReason", func(t *testing.T) {
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "00421", Delta: 1}); !errors.Is(err, ErrInvalid) {
			t.Errorf("AdjustStock without note = %v, want ErrInvalid", err)
		}
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "00421", Delta: 1, Reason: ReasonSale, Note: "x"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("AdjustStock with reason sale = %v, want ErrInvalid", err)
		}
		if _, err := s.AdjustStock(ctx, Adjustment{SKU: "nope", Delta: 1, Note: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("AdjustStock(unknown SKU) = %v, want ErrNotFound", err)
		}
	})
	t.Run("PerLocation", func(t *testing.T) {
		garage, err := s.AddLocation(ctx, "Garage", "garage")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Transfer(ctx, "00421", 4, "", "Garage", "overflow"); err != nil {
			t.Fatal(err)
		}
		byLoc, err := s.StockByLocation(ctx, "00421")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, l := range byLoc {
			got[l.Location] = l.OnHand
		}
		if got["Shop"] != 3 || got["Garage"] != 4 {
			t.Errorf("StockByLocation = %v, want Shop 3, Garage 4", got)
		}
		ls, err := s.StockLevels(ctx, StockFilter{Search: "00421", Location: garage.ID})
		if err != nil || len(ls) != 1 || ls[0].OnHand != 4 {
			t.Errorf("StockLevels(garage) = %+v, %v, want on hand 4", ls, err)
		}
		if got, want := mustLevel(t, s, "00421").OnHand, int64(7); got != want {
			t.Errorf("total OnHand after transfer = %d, want %d", got, want)
		}
	})
	t.Run("DefaultsToTheSKUsLocation", func(t *testing.T) {
		if _, err := s.AddVariant(ctx, NewVariant{SKU: "BULK-1", ProductName: "Jute sacks", Currency: "GBP", Location: "Garage"}); err != nil {
			t.Fatal(err)
		}
		mustAdjust(t, s, "BULK-1", 12)
		byLoc, err := s.StockByLocation(ctx, "BULK-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(byLoc) != 1 || byLoc[0].Location != "Garage" || byLoc[0].OnHand != 12 {
			t.Errorf("StockByLocation = %+v, want 12 in the Garage where the SKU is kept", byLoc)
		}
	})
}

// shopOrder is a one-line order for tests.
func shopOrder(id string, status Status, sku string, qty int64) Order {
	return Order{
		Channel: "shopify", ExternalID: id, Status: status, Currency: "GBP",
		PlacedAt: testNow.Add(-48 * time.Hour), CustomerName: "Ada Lovelace",
		Lines:    []OrderLine{{SKU: sku, Name: "Stoneware mug", Quantity: qty, UnitPrice: 1800}},
		Subtotal: 1800 * qty, Total: 1800 * qty,
	}
}

func TestStore_ApplyOrders(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 20)

	t.Run("ReservesOpenOrders", func(t *testing.T) {
		res, err := s.ApplyOrders(ctx, []Order{shopOrder("#1001", StatusPaid, "MUG", 2)})
		if err != nil {
			t.Fatal(err)
		}
		if res.New != 1 {
			t.Errorf("New = %d, want 1", res.New)
		}
		l := mustLevel(t, s, "MUG")
		if l.OnHand != 20 || l.Reserved != 2 || l.Available != 18 {
			t.Errorf("level = %d/%d/%d, want on hand 20, reserved 2, available 18", l.OnHand, l.Reserved, l.Available)
		}
	})
	t.Run("ShippedDeductsOnce", func(t *testing.T) {
		batch := []Order{shopOrder("#1002", StatusShipped, "MUG", 3)}
		for i := 0; i < 3; i++ {
			if _, err := s.ApplyOrders(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.ApplyOrders(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		if res.Unchanged != 1 || res.New != 0 || res.Updated != 0 {
			t.Errorf("re-apply = %+v, want 1 unchanged", res)
		}
		if got, want := mustLevel(t, s, "MUG").OnHand, int64(17); got != want {
			t.Errorf("OnHand = %d, want %d (one sale of 3)", got, want)
		}
		ms, _ := s.Movements(ctx, "MUG", 0, 0)
		sales := 0
		for _, m := range ms {
			if m.Reason == ReasonSale {
				sales++
				if m.RefID != "shopify:#1002" {
					t.Errorf("sale RefID = %q, want shopify:#1002", m.RefID)
				}
			}
		}
		if sales != 1 {
			t.Errorf("sale movements = %d, want 1", sales)
		}
	})
	t.Run("StatusOnlyForward", func(t *testing.T) {
		// A newer export says shipped, then a stale one says paid again.
		if _, err := s.ApplyOrders(ctx, []Order{shopOrder("#1001", StatusShipped, "MUG", 2)}); err != nil {
			t.Fatal(err)
		}
		res, err := s.ApplyOrders(ctx, []Order{shopOrder("#1001", StatusPaid, "MUG", 2)})
		if err != nil {
			t.Fatal(err)
		}
		o, err := s.OrderByKey(ctx, "Shopify", "#1001")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != StatusShipped {
			t.Errorf("status after stale import = %s, want shipped", o.Status)
		}
		if res.Unchanged != 1 {
			t.Errorf("stale import = %+v, want unchanged", res)
		}
		l := mustLevel(t, s, "MUG")
		if l.OnHand != 15 || l.Reserved != 0 {
			t.Errorf("level = %d/%d, want on hand 15, reserved 0", l.OnHand, l.Reserved)
		}
		if got, want := len(o.History), 2; got != want {
			t.Errorf("history entries = %d, want %d (paid, shipped)", got, want)
		}
	})
	t.Run("AllOrNothing", func(t *testing.T) {
		bad := shopOrder("#1003", StatusPaid, "MUG", 1)
		bad.Currency = "pounds"
		_, err := s.ApplyOrders(ctx, []Order{shopOrder("#1004", StatusShipped, "MUG", 1), bad})
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("ApplyOrders(bad batch) = %v, want ErrInvalid", err)
		}
		if _, err := s.OrderByKey(ctx, "shopify", "#1004"); !errors.Is(err, ErrNotFound) {
			t.Errorf("good order of a rejected batch was stored: %v", err)
		}
		if got, want := mustLevel(t, s, "MUG").OnHand, int64(15); got != want {
			t.Errorf("OnHand = %d, want %d", got, want)
		}
	})
	t.Run("PlacedAtKeepsOffset", func(t *testing.T) {
		o := shopOrder("#1005", StatusNew, "MUG", 1)
		o.PlacedAt = time.Date(2026, 11, 18, 23, 15, 0, 0, time.FixedZone("", -5*3600))
		if _, err := s.ApplyOrders(ctx, []Order{o}); err != nil {
			t.Fatal(err)
		}
		got, err := s.OrderByKey(ctx, "shopify", "#1005")
		if err != nil {
			t.Fatal(err)
		}
		_, off := got.PlacedAt.Zone()
		if !got.PlacedAt.Equal(o.PlacedAt) || off != -5*3600 {
			t.Errorf("PlacedAt = %v, want %v with offset -05:00", got.PlacedAt, o.PlacedAt)
		}
	})
}

func TestStore_KitsAndAliases(t *testing.T) {
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
	if got, want := mustLevel(t, s, "GIFT").Available, int64(10); got != want {
		t.Errorf("kit available = %d, want %d (limited by 10 mugs)", got, want)
	}
	orders := []Order{
		{Channel: "etsy", ExternalID: "3012345678", Status: StatusShipped, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{SKU: "GIFT", Quantity: 2, UnitPrice: 2600}}},
		{Channel: "amazon", ExternalID: "113-1234567-1234567", Status: StatusPaid, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{ChannelSKU: "B0TEA3PACK", Name: "Earl Grey 3-pack", Quantity: 2, UnitPrice: 2400}}},
		{Channel: "amazon", ExternalID: "113-7654321-7654321", Status: StatusPaid, Currency: "GBP", PlacedAt: testNow,
			Lines: []OrderLine{{ChannelSKU: "B0UNKNOWN", Name: "Mystery listing", Quantity: 1, UnitPrice: 500}}},
	}
	res, err := s.ApplyOrders(ctx, orders)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Unmatched, 1; got != want {
		t.Errorf("Unmatched = %d, want %d", got, want)
	}
	mug, tea := mustLevel(t, s, "MUG"), mustLevel(t, s, "TEA")
	if got, want := mug.OnHand, int64(8); got != want {
		t.Errorf("MUG on hand = %d, want %d (2 kits shipped)", got, want)
	}
	if got, want := tea.OnHand, int64(26); got != want {
		t.Errorf("TEA on hand = %d, want %d (2 kits × 2)", got, want)
	}
	if got, want := tea.Reserved, int64(6); got != want {
		t.Errorf("TEA reserved = %d, want %d (2 × 3-pack)", got, want)
	}
	o, err := s.OrderByKey(ctx, "amazon", "113-7654321-7654321")
	if err != nil {
		t.Fatal(err)
	}
	if o.Lines[0].SKU != "" || o.Lines[0].ChannelSKU != "B0UNKNOWN" || o.Lines[0].Name != "Mystery listing" {
		t.Errorf("unmatched line = %+v, want kept with no SKU", o.Lines[0])
	}
	if _, err := s.AdjustStock(ctx, Adjustment{SKU: "GIFT", Delta: 1, Note: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AdjustStock(kit) = %v, want ErrInvalid", err)
	}
}

func TestStatus_CanMoveTo(t *testing.T) {
	tests := []struct {
		from, to Status
		want     bool
	}{
		{StatusNew, StatusPaid, true},
		{StatusNew, StatusShipped, true},
		{StatusShipped, StatusPacked, false},
		{StatusPaid, StatusPaid, false},
		{StatusPacked, StatusCancelled, true},
		{StatusShipped, StatusCancelled, false},
		{StatusCancelled, StatusPaid, false},
		{StatusDelivered, StatusReturned, true},
		{StatusPaid, StatusReturned, false},
		{StatusReturned, StatusDelivered, false},
	}
	for _, tt := range tests {
		if got := tt.from.CanMoveTo(tt.to); got != tt.want {
			t.Errorf("%s.CanMoveTo(%s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestStore_SetOrderStatus(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(t, s, "MUG", 5)
	if _, err := s.ApplyOrders(ctx, []Order{shopOrder("#2001", StatusPaid, "MUG", 2)}); err != nil {
		t.Fatal(err)
	}
	o, _ := s.OrderByKey(ctx, "shopify", "#2001")
	for _, st := range []Status{StatusPicking, StatusPacked, StatusShipped} {
		var err error
		if o, err = s.SetOrderStatus(ctx, o.ID, st); err != nil {
			t.Fatalf("SetOrderStatus(%s): %v", st, err)
		}
	}
	if o.ShippedAt.IsZero() {
		t.Error("ShippedAt not set on shipping")
	}
	if _, err := s.SetOrderStatus(ctx, o.ID, StatusPacked); !errors.Is(err, ErrConflict) {
		t.Errorf("SetOrderStatus(back to packed) = %v, want ErrConflict", err)
	}
	if _, err := s.SetOrderStatus(ctx, o.ID, StatusCancelled); !errors.Is(err, ErrConflict) {
		t.Errorf("SetOrderStatus(cancel shipped) = %v, want ErrConflict", err)
	}
	if _, err := s.SetOrderStatus(ctx, o.ID, StatusDelivered); err != nil {
		t.Fatal(err)
	}
	l := mustLevel(t, s, "MUG")
	if l.OnHand != 3 || l.Reserved != 0 {
		t.Errorf("level = %d/%d, want on hand 3, reserved 0", l.OnHand, l.Reserved)
	}
	cancelled := shopOrder("#2002", StatusPacked, "MUG", 1)
	if _, err := s.ApplyOrders(ctx, []Order{cancelled}); err != nil {
		t.Fatal(err)
	}
	if got, want := mustLevel(t, s, "MUG").Reserved, int64(1); got != want {
		t.Errorf("reserved with a packed order = %d, want %d", got, want)
	}
	c, _ := s.OrderByKey(ctx, "shopify", "#2002")
	if _, err := s.SetOrderStatus(ctx, c.ID, StatusCancelled); err != nil {
		t.Fatal(err)
	}
	if l := mustLevel(t, s, "MUG"); l.Reserved != 0 || l.OnHand != 3 {
		t.Errorf("after cancelling: on hand %d, reserved %d; want 3 and 0 (nothing moves, nothing held)", l.OnHand, l.Reserved)
	}
	o, _ = s.Order(ctx, o.ID)
	var got []Status
	for _, h := range o.History {
		got = append(got, h.Status)
	}
	if want := []Status{StatusPaid, StatusPicking, StatusPacked, StatusShipped, StatusDelivered}; len(got) != len(want) {
		t.Errorf("history = %v, want %v", got, want)
	}
}

func TestStore_Permissions(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	if _, err := s.AddUser(ctx, "Jamie", RolePacker, "1234"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(ctx, "Priya", RoleAccountant, "2468"); err != nil {
		t.Fatal(err)
	}
	packer, err := s.Login(ctx, "jamie", "1234")
	if err != nil {
		t.Fatalf("Login(packer): %v", err)
	}
	accountant, err := s.Login(ctx, "Priya", "2468")
	if err != nil {
		t.Fatalf("Login(accountant): %v", err)
	}

	t.Run("PackerSeesNoCost", func(t *testing.T) {
		v, err := packer.Variant(ctx, "MUG")
		if err != nil {
			t.Fatal(err)
		}
		if v.Cost != nil {
			t.Errorf("packer sees cost %d, want none", *v.Cost)
		}
		vs, _ := packer.Variants(ctx, VariantFilter{})
		for _, v := range vs {
			if v.Cost != nil {
				t.Errorf("packer list shows cost of %s", v.SKU)
			}
		}
		if v, _ := accountant.Variant(ctx, "MUG"); v.Cost == nil || *v.Cost != 650 {
			t.Errorf("accountant cost = %v, want 650", v.Cost)
		}
		ov, err := packer.Overview(ctx, testNow, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if len(ov.Sales30d) != 0 {
			t.Errorf("packer overview has sales figures: %+v", ov.Sales30d)
		}
	})
	t.Run("PackerWorksOrdersAndStock", func(t *testing.T) {
		if _, err := packer.AdjustStock(ctx, Adjustment{SKU: "MUG", Delta: 4, Reason: ReasonCount, Note: "shelf count"}); err != nil {
			t.Errorf("packer AdjustStock: %v", err)
		}
		ms, _ := s.Movements(ctx, "MUG", 1, 0)
		if len(ms) != 1 || ms[0].UserName != "Jamie" {
			t.Errorf("movement user = %+v, want Jamie", ms)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		checks := map[string]error{}
		_, checks["packer AddVariant"] = packer.AddVariant(ctx, NewVariant{SKU: "X", ProductName: "X", Currency: "GBP"})
		_, checks["packer UpdateVariant"] = packer.UpdateVariant(ctx, "MUG", VariantUpdate{})
		_, checks["packer AuditLog"] = packer.AuditLog(ctx, "", "", 10)
		_, checks["packer AddUser"] = packer.AddUser(ctx, "Eve", RoleOwner, "")
		_, checks["accountant AdjustStock"] = accountant.AdjustStock(ctx, Adjustment{SKU: "MUG", Delta: 1, Note: "x"})
		_, checks["accountant ApplyOrders"] = accountant.ApplyOrders(ctx, []Order{shopOrder("#9", StatusNew, "MUG", 1)})
		checks["packer SetSetting"] = packer.SetSetting(ctx, SettingShopName, "Mine")
		for name, err := range checks {
			if !errors.Is(err, ErrPermission) {
				t.Errorf("%s = %v, want ErrPermission", name, err)
			}
		}
	})
	t.Run("ErrWrongPIN", func(t *testing.T) {
		for _, c := range [][2]string{{"Jamie", "9999"}, {"Jamie", ""}, {"Nobody", "1234"}} {
			if _, err := s.Login(ctx, c[0], c[1]); !errors.Is(err, ErrPermission) {
				t.Errorf("Login(%q, %q) = %v, want ErrPermission", c[0], c[1], err)
			}
		}
		if _, err := s.AddUser(ctx, "Sam", RolePacker, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddUser(packer without PIN) = %v, want ErrInvalid", err)
		}
		if _, err := s.AddUser(ctx, "Sam", RolePacker, "12a4"); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddUser(PIN with a letter) = %v, want ErrInvalid", err)
		}
	})
	t.Run("PINIsHashed", func(t *testing.T) {
		var hash string
		s.read.QueryRow(`SELECT pin_hash FROM users WHERE name = 'Jamie'`).Scan(&hash)
		if hash == "1234" || len(hash) < 40 || hash[:10] != "$argon2id$" {
			t.Errorf("pin_hash = %q, want an argon2id hash", hash)
		}
	})
}

func TestStore_AuditLog(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	mustVariant(t, s, "MUG", "Stoneware mug", 1800, 650)
	price := int64(2000)
	if _, err := s.UpdateVariant(ctx, "MUG", VariantUpdate{Price: &price}); err != nil {
		t.Fatal(err)
	}
	mustAdjust(t, s, "MUG", 3)
	entries, err := s.AuditLog(ctx, "variant", "MUG", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(entries), 2; got != want {
		t.Fatalf("variant audit entries = %d, want %d", got, want)
	}
	upd := entries[0]
	if upd.Action != "update" || upd.UserName != "system" || upd.DeviceID != s.DeviceID() {
		t.Errorf("update entry = %+v", upd)
	}
	if !strings.Contains(upd.Before, `"Price":1800`) || !strings.Contains(upd.After, `"Price":2000`) {
		t.Errorf("before/after = %s / %s, want prices 1800 and 2000", upd.Before, upd.After)
	}
	if strings.Contains(upd.Before, "ProductName") || strings.Contains(upd.After, "ProductName") {
		t.Errorf("update entry repeats unchanged fields: %s / %s", upd.Before, upd.After)
	}
	all, _ := s.AuditLog(ctx, "", "", 100)
	kinds := map[string]int{}
	for _, e := range all {
		kinds[e.Entity]++
	}
	if kinds["stock_movement"] != 1 || kinds["location"] != 1 {
		t.Errorf("audit entities = %v, want one stock_movement and the auto-created location", kinds)
	}
	if _, err := s.write.Exec(`DELETE FROM audit_log`); err == nil {
		t.Error("DELETE FROM audit_log succeeded, want it refused")
	}
}

func TestStore_ChangesAreStamped(t *testing.T) {
	s := mustOpen(t)
	mustVariant(t, s, "A", "A", 100, 50)
	mustVariant(t, s, "B", "B", 100, 50)
	mustAdjust(t, s, "A", 1)
	rows, err := s.read.Query(`SELECT hlc, device_id FROM variants UNION ALL SELECT hlc, device_id FROM stock_movements ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var prev int64
	n := 0
	for rows.Next() {
		var h int64
		var dev string
		rows.Scan(&h, &dev)
		if dev != s.DeviceID() {
			t.Errorf("device_id = %q, want %q", dev, s.DeviceID())
		}
		if h <= prev {
			t.Errorf("hlc %d not after %d: each write must tick the clock", h, prev)
		}
		if HLC(h).Time().Before(testNow.Truncate(time.Millisecond)) {
			t.Errorf("hlc time %v before the wall clock %v", HLC(h).Time(), testNow)
		}
		prev = h
		n++
	}
	if n != 3 {
		t.Errorf("stamped rows = %d, want 3", n)
	}
}

func TestClock(t *testing.T) {
	c := &clock{}
	now := time.UnixMilli(1_700_000_000_000)
	a := c.tick(now)
	b := c.tick(now) // same millisecond
	d := c.tick(now.Add(-time.Second))
	if !(a < b && b < d) {
		t.Errorf("ticks %d, %d, %d are not increasing", a, b, d)
	}
	if !c.observe(HLC(int64(now.Add(time.Minute).UnixMilli())<<16), now) {
		t.Error("observe(1 min ahead) refused, want accepted")
	}
	if e := c.tick(now); e.Time().Before(now.Add(time.Minute)) {
		t.Errorf("tick after observing the future = %v, want at least %v", e.Time(), now.Add(time.Minute))
	}
	if c.observe(HLC(int64(now.Add(time.Hour).UnixMilli())<<16), now) {
		t.Error("observe(1 h ahead) accepted, want refused as clock skew")
	}
}

// TestMigrations_Numbered: a database's schema version is how many migrations it has run, in name
// order, so the files must be numbered 0001, 0002, … without gaps: a file slipped into a gap later would
// be skipped by every database that already ran the one after it.
func TestMigrations_Numbered(t *testing.T) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for i, name := range names {
		want := fmt.Sprintf("migrations/%04d_", i+1)
		if !strings.HasPrefix(name, want) {
			t.Errorf("migration %d is %s; want a name starting %s", i+1, name, strings.TrimPrefix(want, "migrations/"))
		}
	}
}
