package accountsbook

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// fakeSource hands out fixed rows whatever the period, as a store would for the period it was asked.
type fakeSource struct {
	sales     []data.SaleLine
	refunds   []data.RefundLine
	costs     []data.CostLine
	stock     []data.StockValue
	purchases []data.PurchaseLine
	// failAt names the method that fails ("costs", …) after handing out its first row.
	failAt   string
	previews int
}

var _ Source = (*fakeSource)(nil)

var errFake = errors.New("the disk is on fire")

func each[T any](rows []T, fail bool, fn func(T) error) error {
	for i, r := range rows {
		if fail && i == 1 {
			return errFake
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if fail {
		return errFake
	}
	return nil
}

func (f *fakeSource) AccountsPreview(ctx context.Context, p data.AccountsPeriod) (data.AccountsTotals, error) {
	f.previews++
	return data.AccountsTotals{Rows: data.AccountsRows{Sales: len(f.sales), Refunds: len(f.refunds), Costs: len(f.costs),
		Stock: len(f.stock), Purchases: len(f.purchases)}}, nil
}

func (f *fakeSource) AccountsSales(ctx context.Context, p data.AccountsPeriod, fn func(data.SaleLine) error) error {
	return each(f.sales, f.failAt == "sales", fn)
}

func (f *fakeSource) AccountsRefunds(ctx context.Context, p data.AccountsPeriod, fn func(data.RefundLine) error) error {
	return each(f.refunds, f.failAt == "refunds", fn)
}

func (f *fakeSource) AccountsCosts(ctx context.Context, p data.AccountsPeriod, fn func(data.CostLine) error) error {
	return each(f.costs, f.failAt == "costs", fn)
}

func (f *fakeSource) AccountsStock(ctx context.Context, p data.AccountsPeriod, fn func(data.StockValue) error) error {
	return each(f.stock, f.failAt == "stock", fn)
}

func (f *fakeSource) AccountsPurchases(ctx context.Context, p data.AccountsPeriod, fn func(data.PurchaseLine) error) error {
	return each(f.purchases, f.failAt == "purchases", fn)
}

const injection = `=HYPERLINK("http://x","y")`

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture is October 2026 in London (summer time until the 25th) of a small shop in three currencies
// plus one with no decimals (JPY) and one with three (KWD). Its rows carry formula-like text where
// people type names: a product called =HYPERLINK(…), one called +1, an order numbered -2, a product
// @SUM(A1), a supplier starting with a tab.
//
// The figures, worked out by hand (minor units):
//
//	channel  cur  orders lines goods discount shipping tax  total  refunds cost  margin (total−tax−refunds−cost)
//	amazon   GBP  1      1      900    0        0       0     900   500     0     400   (its cost is unknown)
//	ebay     GBP  0      0        0    0        0       0       0   300     0    -300   (a refund only)
//	etsy     GBP  1      2     4800  200      395       0    4995  1200  1750    2045
//	shopify  GBP  1      1      999    0        0     200    1199     0   300     699
//	all      GBP  3      4     6699  200      395     200    7094  2000  2050    2844
//	shopify  EUR  1      1     3750    0        0     750    4500     0  1215    2535
//	etsy     JPY  1      1     3000    0        0     300    3300     0  1000    2000
//	shopify  KWD  1      1    12345    0        0       0   12345     0  5000    7345
//
// Stock at the end: GBP 4000 + 2850 = 6850, EUR 2025. Purchases: GBP 4800, EUR 2430.
func fixture(t *testing.T) (*fakeSource, Options) {
	t.Helper()
	loc := london(t)
	src := &fakeSource{
		sales: []data.SaleLine{
			// 23:30 UTC on 30 September is 00:30 on 1 October in London.
			{OrderRef: 1, Placed: utc("2026-09-30T23:30:00Z"), Channel: "etsy", OrderID: "E-001", LineNo: 1, SKU: "007", Product: "Stoneware mug",
				Quantity: 2, UnitPrice: 1200, Discount: 100, Shipping: 200, Total: 2500, Currency: "GBP"},
			{OrderRef: 1, Placed: utc("2026-09-30T23:30:00Z"), Channel: "etsy", OrderID: "E-001", LineNo: 2, SKU: "APRON", Product: "Linen apron",
				Quantity: 1, UnitPrice: 2400, Discount: 100, Shipping: 195, Total: 2495, Currency: "GBP"},
			{OrderRef: 2, Placed: utc("2026-10-10T12:05:09Z"), Channel: "shopify", OrderID: "00123", LineNo: 1, SKU: "0042", Product: injection,
				Quantity: 1, UnitPrice: 999, Tax: 200, Total: 1199, Currency: "GBP"},
			{OrderRef: 3, Placed: utc("2026-10-26T10:00:00Z"), Channel: "shopify", OrderID: "S-2", LineNo: 1, SKU: "DISH", Product: "+1",
				Quantity: 3, UnitPrice: 1250, Tax: 750, Total: 4500, Currency: "EUR"},
			{OrderRef: 4, Placed: utc("2026-10-27T08:00:00Z"), Channel: "amazon", OrderID: "-2", LineNo: 1, Product: "@SUM(A1)",
				Quantity: 1, UnitPrice: 900, Total: 900, Currency: "GBP"},
			{OrderRef: 5, Placed: utc("2026-10-28T09:00:00Z"), Channel: "etsy", OrderID: "E-JP", LineNo: 1, SKU: "KOI", Product: "Koi tea towel",
				Quantity: 2, UnitPrice: 1500, Tax: 300, Total: 3300, Currency: "JPY"},
			{OrderRef: 6, Placed: utc("2026-10-31T23:59:00Z"), Channel: "shopify", OrderID: "S-K", LineNo: 1, SKU: "DATES", Product: "Dates, 1 kg",
				Quantity: 1, UnitPrice: 12345, Total: 12345, Currency: "KWD"},
		},
		refunds: []data.RefundLine{
			{At: utc("2026-10-15T09:00:00Z"), Channel: "etsy", OrderID: "E-001", OrderPlaced: utc("2026-09-30T23:30:00Z"), SKU: "007",
				Product: "Stoneware mug", Units: 1, Reason: data.ReturnDamaged, Condition: "damaged", Disposition: "write-off", Refund: 1200, Currency: "GBP"},
			{At: utc("2026-10-20T16:00:00Z"), Channel: "amazon", OrderID: "OLD-9", OrderPlaced: utc("2026-09-02T10:00:00Z"), SKU: "APRON",
				Product: "Linen apron", Units: 1, Reason: data.ReturnChangedMind, Condition: "as-new", Disposition: "restock", Refund: 500, Currency: "GBP"},
			{At: utc("2026-10-21T16:00:00Z"), Channel: "ebay", OrderID: "EB-1", OrderPlaced: utc("2026-08-02T10:00:00Z"), SKU: "007",
				Product: "Stoneware mug", Units: 1, Reason: data.ReturnLate, Condition: "opened", Disposition: "restock", Refund: 300, Currency: "GBP"},
		},
		costs: []data.CostLine{
			{Placed: utc("2026-09-30T23:30:00Z"), Channel: "etsy", OrderID: "E-001", SKU: "007", Product: "Stoneware mug", Units: 2, UnitCost: 400, Cost: 800, Currency: "GBP", Known: true},
			{Placed: utc("2026-09-30T23:30:00Z"), Channel: "etsy", OrderID: "E-001", SKU: "APRON", Product: "Linen apron", Units: 1, UnitCost: 950, Cost: 950, Currency: "GBP", Known: true},
			{Placed: utc("2026-10-10T12:05:09Z"), Channel: "shopify", OrderID: "00123", SKU: "0042", Product: injection, Units: 1, UnitCost: 300, Cost: 300, Currency: "GBP", Known: true},
			{Placed: utc("2026-10-26T10:00:00Z"), Channel: "shopify", OrderID: "S-2", SKU: "DISH", Product: "+1", Units: 3, UnitCost: 405, Cost: 1215, Currency: "EUR", Known: true},
			{Placed: utc("2026-10-27T08:00:00Z"), Channel: "amazon", OrderID: "-2", Product: "@SUM(A1)", Units: 1, Currency: "GBP"},
			{Placed: utc("2026-10-28T09:00:00Z"), Channel: "etsy", OrderID: "E-JP", SKU: "KOI", Product: "Koi tea towel", Units: 2, UnitCost: 500, Cost: 1000, Currency: "JPY", Known: true},
			{Placed: utc("2026-10-31T23:59:00Z"), Channel: "shopify", OrderID: "S-K", SKU: "DATES", Product: "Dates, 1 kg", Units: 1, UnitCost: 5000, Cost: 5000, Currency: "KWD", Known: true},
		},
		stock: []data.StockValue{
			{SKU: "007", Product: "Stoneware mug", OnHand: 10, UnitCost: 400, Value: 4000, Currency: "GBP"},
			{SKU: "APRON", Product: "Linen apron", OnHand: 3, UnitCost: 950, Value: 2850, Currency: "GBP"},
			{SKU: "DISH", Product: "+1", OnHand: 5, UnitCost: 405, Value: 2025, Currency: "EUR"},
		},
		purchases: []data.PurchaseLine{
			{Received: utc("2026-10-05T08:00:00Z"), PONumber: "PO-0001", Supplier: "Potter & Co", SKU: "007", Product: "Stoneware mug", Quantity: 12, UnitCost: 400, Total: 4800, Currency: "GBP"},
			{Received: utc("2026-10-06T08:00:00Z"), PONumber: "PO-0002", Supplier: "\tTabby ceramics", SKU: "DISH", Product: "+1", Quantity: 6, UnitCost: 405, Total: 2430, Currency: "EUR"},
		},
	}
	opt := Options{
		Period:  data.MonthPeriod(2026, time.October, loc),
		Shop:    "Hattie's Homewares",
		Author:  "Hattie",
		Created: utc("2026-11-02T09:15:00Z"),
	}
	return src, opt
}

// wantTotals are the fixture's figures as worked out by hand above.
func wantTotals() data.AccountsTotals {
	return data.AccountsTotals{
		Rows: data.AccountsRows{Sales: 7, Refunds: 3, Costs: 7, Stock: 3, Purchases: 2},
		Channels: []data.AccountsChannelTotal{
			{Channel: "amazon", Currency: "GBP", Orders: 1, Lines: 1, Goods: 900, Total: 900, Refunds: 500},
			{Channel: "ebay", Currency: "GBP", Refunds: 300},
			{Channel: "etsy", Currency: "GBP", Orders: 1, Lines: 2, Goods: 4800, Discount: 200, Shipping: 395, Total: 4995, Refunds: 1200, Cost: 1750},
			{Channel: "etsy", Currency: "JPY", Orders: 1, Lines: 1, Goods: 3000, Tax: 300, Total: 3300, Cost: 1000},
			{Channel: "shopify", Currency: "EUR", Orders: 1, Lines: 1, Goods: 3750, Tax: 750, Total: 4500, Cost: 1215},
			{Channel: "shopify", Currency: "GBP", Orders: 1, Lines: 1, Goods: 999, Tax: 200, Total: 1199, Cost: 300},
			{Channel: "shopify", Currency: "KWD", Orders: 1, Lines: 1, Goods: 12345, Total: 12345, Cost: 5000},
		},
		UnknownCosts: 1,
		StockValue:   []data.CurrencyAmount{{Currency: "EUR", Amount: 2025}, {Currency: "GBP", Amount: 6850}},
		Purchases:    []data.CurrencyAmount{{Currency: "EUR", Amount: 2430}, {Currency: "GBP", Amount: 4800}},
	}
}
