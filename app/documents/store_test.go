package documents

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// testStore is a small shop: two locations, SKUs with and without barcodes and bins, one order whose
// line came without a name. It is read as the packer, who prints these documents and sees no costs.
func testStore(t *testing.T) *data.Store {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	must(s.SetSetting(ctx, data.SettingShopName, "Fern & Kettle"))
	_, err = s.AddLocation(ctx, "Shop", "shop")
	must(err)
	_, err = s.AddLocation(ctx, "Garage", "garage")
	must(err)
	for _, v := range []data.NewVariant{
		{SKU: "APRON-SAGE", ProductName: "Linen apron", Title: "Sage", Barcodes: []string{"OLD-7", "5012345678900"}, Price: 2400, Currency: "GBP", Bin: "A-10"},
		{SKU: "APRON-RUST", ProductName: "Linen apron", Title: "Rust", Barcodes: []string{"FK-0042"}, Price: 2400, Currency: "GBP", Bin: "A-2"},
		{SKU: "CREME-01", ProductName: "Crème brûlée kit", Price: 1800, Currency: "GBP", Bin: "A-2"},
		{SKU: "TOWEL", ProductName: "Tea towel", Price: 800, Currency: "GBP", Location: "Garage", Bin: "G-1"},
		{SKU: "LOOSE", ProductName: "Loose thing", Price: 100, Currency: "GBP"},
	} {
		_, err := s.AddVariant(ctx, v)
		must(err)
	}
	_, err = s.ApplyOrders(ctx, []data.Order{{Channel: "etsy", ExternalID: "1001", Status: data.StatusPaid, PlacedAt: time.Now(),
		Currency: "GBP", Lines: []data.OrderLine{{SKU: "CREME-01", Quantity: 1, UnitPrice: 1800}, {SKU: "TOWEL", Name: "Towel, blue", Quantity: 2}}}})
	must(err)
	_, err = s.AddUser(ctx, "owner", data.RoleOwner, "")
	must(err)
	packer, err := s.AddUser(ctx, "pat", data.RolePacker, "1234")
	must(err)
	return s.As(packer)
}

func TestProductLabels(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	got, err := ProductLabels(ctx, s, []string{"apron-sage", "APRON-RUST", "CREME-01"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Label{
		{Code: "5012345678900", Title: "Linen apron", Sub: "Sage · APRON-SAGE · bin A-10"}, // the EAN-13, not the first barcode
		{Code: "FK-0042", Title: "Linen apron", Sub: "Rust · APRON-RUST · bin A-2"},
		{Code: "CREME-01", Title: "Crème brûlée kit", Sub: "CREME-01 · bin A-2"}, // no barcode: the SKU
	}
	if !slices.Equal(got, want) {
		t.Errorf("ProductLabels() = %+v, want %+v", got, want)
	}
	if _, err := ProductLabels(ctx, s, []string{"CREME-01", "NOPE"}); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("ProductLabels(NOPE) = %v, want ErrNotFound", err)
	}
}

func TestBinLabels(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	got, err := BinLabels(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, l := range got {
		codes = append(codes, l.Code)
	}
	// Garage before Shop, and A-2 before A-10: the order the shelves are walked.
	if want := []string{"G-1", "A-2", "A-10"}; !slices.Equal(codes, want) {
		t.Errorf("bin codes = %v, want %v", codes, want)
	}
	if got[1].Sub != "Shop · 2 SKUs" {
		t.Errorf("A-2 label sub = %q, want %q", got[1].Sub, "Shop · 2 SKUs")
	}
	shop, err := BinLabels(ctx, s, "shop")
	if err != nil || len(shop) != 2 {
		t.Errorf("BinLabels(shop) = %d labels, %v; want 2", len(shop), err)
	}
	if _, err := BinLabels(ctx, s, "Loft"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("BinLabels(Loft) = %v, want ErrNotFound", err)
	}
}

func TestWithLines(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	orders, err := s.Orders(ctx, data.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := WithLines(ctx, s, orders)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Lines) != 2 {
		t.Fatalf("WithLines() = %+v, want one order with two lines", got)
	}
	if a, b := got[0].Lines[0].Name, got[0].Lines[1].Name; a != "Crème brûlée kit" || b != "Towel, blue" {
		t.Errorf("line names = %q, %q; want the SKU's name for the line without one and the channel's otherwise", a, b)
	}
	if name, err := ShopName(ctx, s); err != nil || name != "Fern & Kettle" {
		t.Errorf("ShopName() = %q, %v", name, err)
	}
}
