package app

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// exportShop is a store with two SKUs and three orders whose every exported field is known.
func exportShop(t *testing.T) *data.Store {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	s, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []data.NewVariant{
		{SKU: "APRON-SAGE", ProductName: "Linen apron", Title: "Sage", Price: 2400, Cost: 950, Currency: "GBP", Bin: "A-01"},
		{SKU: "0042", ProductName: "Crème brûlée dish, \"large\"", Price: 1250, Cost: 405, Currency: "EUR"},
	} {
		_, err := s.AddVariant(ctx, v)
		must(err)
	}
	_, err = s.AdjustStock(ctx, data.Adjustment{SKU: "APRON-SAGE", Delta: 10, Reason: data.ReasonReceipt, Note: "delivery"})
	must(err)
	_, err = s.ApplyOrders(ctx, []data.Order{
		{Channel: "etsy", ExternalID: "3012345678", Status: data.StatusPaid, Currency: "GBP",
			PlacedAt: time.Date(2026, 11, 18, 14, 5, 0, 0, time.UTC), PaidAt: time.Date(2026, 11, 18, 14, 6, 0, 0, time.UTC),
			ShipBy: time.Date(2026, 11, 21, 17, 0, 0, 0, time.UTC), CustomerName: "Zoë Müller", CustomerEmail: "zoe@example.de",
			ShipTo: data.Address{Country: "DE"}, Subtotal: 4800, Shipping: 395, Discount: 480, Total: 4715,
			Lines: []data.OrderLine{{SKU: "APRON-SAGE", Quantity: 2, UnitPrice: 2400}}},
		{Channel: "shopify", ExternalID: "#1001", Status: data.StatusShipped, Currency: "EUR",
			PlacedAt: time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC), ShippedAt: time.Date(2026, 11, 19, 16, 45, 0, 0, time.UTC),
			CustomerName: "=HYPERLINK(\"http://x\")", ShipTo: data.Address{Country: "FR"}, Subtotal: 1250, Tax: 250, Total: 1500,
			Lines: []data.OrderLine{{SKU: "0042", Quantity: 1, UnitPrice: 1250}}},
		{Channel: "amazon", ExternalID: "113-1", Status: data.StatusCancelled, Currency: "JPY",
			PlacedAt: time.Date(2026, 11, 1, 23, 59, 0, 0, time.UTC), CustomerName: "Sato, Yuki", Subtotal: 3000, Total: 3000,
			Lines: []data.OrderLine{{ChannelSKU: "B0X", Name: "Mystery", Quantity: 1, UnitPrice: 3000}}},
	})
	must(err)
	return s
}

func TestWriteOrdersCSV(t *testing.T) {
	s := exportShop(t)
	var buf bytes.Buffer
	var progress []float64
	n, err := writeOrdersCSV(context.Background(), &buf, s, time.UTC, func(f float64) { progress = append(progress, f) })
	if err != nil {
		t.Fatal(err)
	}
	want := "\ufeff" +
		"Order,Channel,Status,Placed,Paid,Ship by,Shipped,Customer,Email,Country,Items,Currency,Subtotal,Shipping,Tax,Discount,Total\n" +
		"#1001,shopify,shipped,2026-11-19 08:00,,,2026-11-19 16:45,\"'=HYPERLINK(\"\"http://x\"\")\",,FR,1,EUR,12.50,0.00,2.50,0.00,15.00\n" +
		"3012345678,etsy,paid,2026-11-18 14:05,2026-11-18 14:06,2026-11-21 17:00,,Zoë Müller,zoe@example.de,DE,2,GBP,48.00,3.95,0.00,4.80,47.15\n" +
		"113-1,amazon,cancelled,2026-11-01 23:59,,,,\"Sato, Yuki\",,,1,JPY,3000,0,0,0,3000\n"
	if got := buf.String(); got != want {
		t.Errorf("writeOrdersCSV() =\n%s\nwant\n%s", got, want)
	}
	if n != 3 {
		t.Errorf("writeOrdersCSV() = %d orders, want 3", n)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 1 {
		t.Errorf("progress = %v, want it to end at 1", progress)
	}
}

func TestWriteStockCSV(t *testing.T) {
	s := exportShop(t)
	t.Run("WithCosts", func(t *testing.T) {
		var buf bytes.Buffer
		if _, err := writeStockCSV(context.Background(), &buf, s, time.UTC, nil); err != nil {
			t.Fatal(err)
		}
		// The paid Etsy order reserves 2 aprons; the shipped Shopify order took the only dish there never was.
		want := "\ufeff" +
			"SKU,Name,Bin,Active,Kit,On hand,Reserved,Available,Currency,Price,Unit cost\n" +
			"0042,\"Crème brûlée dish, \"\"large\"\"\",,yes,no,-1,0,-1,EUR,12.50,4.05\n" +
			"APRON-SAGE,Linen apron – Sage,A-01,yes,no,10,2,8,GBP,24.00,9.50\n"
		if got := buf.String(); got != want {
			t.Errorf("writeStockCSV() =\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("NoCostsForPackers", func(t *testing.T) {
		packer := s.As(data.User{ID: "p", Name: "Pat", Role: data.RolePacker, Active: true})
		var buf bytes.Buffer
		if _, err := writeStockCSV(context.Background(), &buf, packer, time.UTC, nil); err != nil {
			t.Fatal(err)
		}
		want := "\ufeff" +
			"SKU,Name,Bin,Active,Kit,On hand,Reserved,Available,Currency,Price\n" +
			"0042,\"Crème brûlée dish, \"\"large\"\"\",,yes,no,-1,0,-1,EUR,12.50\n" +
			"APRON-SAGE,Linen apron – Sage,A-01,yes,no,10,2,8,GBP,24.00\n"
		if got := buf.String(); got != want {
			t.Errorf("writeStockCSV(packer) =\n%s\nwant\n%s", got, want)
		}
	})
}

func TestWriteOrdersCSV_Pages(t *testing.T) {
	ctx := context.Background()
	s, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	orders := make([]data.Order, exportPage+1)
	for i := range orders {
		orders[i] = data.Order{Channel: "etsy", ExternalID: time.Duration(i).String(), Status: data.StatusPaid, Currency: "GBP",
			PlacedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)}
	}
	if _, err := s.ApplyOrders(ctx, orders); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := writeOrdersCSV(ctx, &buf, s, time.UTC, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n, exportPage+1; got != want {
		t.Errorf("orders written = %d, want %d", got, want)
	}
	if got, want := bytes.Count(buf.Bytes(), []byte("\n")), exportPage+2; got != want {
		t.Errorf("lines = %d, want %d (header and every order once)", got, want)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := writeOrdersCSV(cancelled, &bytes.Buffer{}, s, time.UTC, nil); err == nil {
		t.Error("writeOrdersCSV(cancelled) = nil error, want the cancellation")
	}
}
