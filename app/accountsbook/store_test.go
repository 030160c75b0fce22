package accountsbook

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// storeShop is a real shop (data.Open in a temporary folder) with an October 2026, London time, worked
// out by hand:
//
//	SKUs (GBP): 007 named =HYPERLINK("http://x","y"), cost 400; CARD 100; BOX 200, then 250 from its
//	            delivery of 5 Oct (4 at 250 onto none: the moving average is 250).
//	Ledger:     2 Sep 007 +10, CARD +20; 2 Oct 007 −2 (S-1 delivered); 5 Oct BOX +4 (PO-…);
//	            15 Oct 007 +1 (S-1 return, restocked, refund 1200).
//	Orders (UTC):
//	S-0 shopify 30 Sep 22:30  CARD×1 @550                               out: 23:30 BST on 30 Sep
//	S-1 shopify 30 Sep 23:30  007×2 @1200, delivered        total 2400  in: 00:30 BST on 1 Oct
//	E-2 etsy    10 Oct 12:00  007×1 @1200, CARD×2 @550, discount 100, shipping 300   total 2500
//	S-9 shopify 12 Oct 09:00  CARD×5 @550, cancelled                    left out
//	A-1 amazon  15 Oct 10:00  no lines, tax 250                         total 1500
//	E-3 etsy    20 Oct 10:00  007×1 @1500 EUR                           total 1500 EUR, cost unknown
//	S-8 shopify  1 Nov 00:30  CARD×1 @550                               out: 00:30 GMT on 1 Nov
//
//	channel  cur  orders lines goods discount shipping tax total refunds cost margin
//	amazon   GBP  1      1         0    0        0      250  1500    0     0  1250
//	etsy     EUR  1      1      1500    0        0        0  1500    0     0  1500
//	etsy     GBP  1      2      2300  100      300        0  2500    0   600  1900
//	shopify  GBP  1      1      2400    0        0        0  2400 1200   800   400
//
// Stock at the end of October: 007 9 × 400 + CARD 20 × 100 + BOX 4 × 250 = 6600 GBP. Purchases: BOX
// 4 × 250 = 1000 GBP.
func storeShop(t *testing.T) (*data.Store, data.AccountsPeriod) {
	t.Helper()
	ctx := context.Background()
	clock := time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	s, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	for _, v := range []data.NewVariant{
		{SKU: "007", ProductName: injection, Price: 1200, Cost: 400, Currency: "GBP"},
		{SKU: "CARD", ProductName: "Greeting card", Price: 550, Cost: 100, Currency: "GBP"},
		{SKU: "BOX", ProductName: "Cardboard box", Price: 900, Cost: 200, Currency: "GBP"},
	} {
		_, err := s.AddVariant(ctx, v)
		must(err)
	}
	alder, err := s.AddSupplier(ctx, data.Supplier{Name: "Alder Clay", Currency: "GBP", LeadTimeDays: 7})
	must(err)
	boxCost := int64(250)
	po, err := s.CreatePO(ctx, data.NewPO{SupplierID: alder.ID, Lines: []data.NewPOLine{{SKU: "BOX", Quantity: 4, UnitCost: &boxCost}}})
	must(err)
	_, err = s.SendPO(ctx, po.ID, nil)
	must(err)

	clock = time.Date(2026, 9, 2, 9, 0, 0, 0, time.UTC)
	for sku, n := range map[string]int64{"007": 10, "CARD": 20} {
		_, err := s.AdjustStock(ctx, data.Adjustment{SKU: sku, Delta: n, Reason: data.ReasonReceipt, Note: "opening stock"})
		must(err)
	}

	line := func(sku string, qty, price int64) data.OrderLine {
		return data.OrderLine{SKU: sku, Name: sku, Quantity: qty, UnitPrice: price}
	}
	order := func(channel, id string, placed time.Time, status data.Status, currency string, discount, shipping, tax int64, lines ...data.OrderLine) data.Order {
		o := data.Order{Channel: channel, ExternalID: id, Status: status, PlacedAt: placed, Currency: currency,
			Discount: discount, Shipping: shipping, Tax: tax, Lines: lines}
		for _, l := range lines {
			o.Subtotal += l.Quantity * l.UnitPrice
		}
		o.Total = o.Subtotal - discount + shipping + tax
		return o
	}
	clock = time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
	_, err = s.ApplyOrders(ctx, []data.Order{
		order("shopify", "S-0", utc("2026-09-30T22:30:00Z"), data.StatusPaid, "GBP", 0, 0, 0, line("CARD", 1, 550)),
		order("shopify", "S-1", utc("2026-09-30T23:30:00Z"), data.StatusDelivered, "GBP", 0, 0, 0, line("007", 2, 1200)),
	})
	must(err)

	clock = time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	_, err = s.ReceivePO(ctx, po.ID, []data.POReceipt{{LineNo: 1, Quantity: 4}}, "")
	must(err)

	clock = time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)
	s1, err := s.OrderByKey(ctx, "shopify", "S-1")
	must(err)
	_, err = s.RecordReturn(ctx, data.Return{OrderID: s1.ID, LineNo: 1, Units: 1, Reason: data.ReturnChangedMind,
		Condition: data.ConditionAsNew, Disposition: data.Restock, Refund: 1200})
	must(err)

	clock = time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	_, err = s.ApplyOrders(ctx, []data.Order{
		order("etsy", "E-2", utc("2026-10-10T12:00:00Z"), data.StatusPaid, "GBP", 100, 300, 0, line("007", 1, 1200), line("CARD", 2, 550)),
		order("shopify", "S-9", utc("2026-10-12T09:00:00Z"), data.StatusCancelled, "GBP", 0, 0, 0, line("CARD", 5, 550)),
		{Channel: "amazon", ExternalID: "A-1", Status: data.StatusPaid, PlacedAt: utc("2026-10-15T10:00:00Z"), Currency: "GBP",
			Subtotal: 1250, Tax: 250, Total: 1500},
		order("etsy", "E-3", utc("2026-10-20T10:00:00Z"), data.StatusPaid, "EUR", 0, 0, 0, line("007", 1, 1500)),
		order("shopify", "S-8", utc("2026-11-01T00:30:00Z"), data.StatusPaid, "GBP", 0, 0, 0, line("CARD", 1, 550)),
	})
	must(err)
	return s, data.MonthPeriod(2026, time.October, london(t))
}

func storeTotals() data.AccountsTotals {
	return data.AccountsTotals{
		Rows: data.AccountsRows{Sales: 5, Refunds: 1, Costs: 4, Stock: 3, Purchases: 1},
		Channels: []data.AccountsChannelTotal{
			{Channel: "amazon", Currency: "GBP", Orders: 1, Lines: 1, Tax: 250, Total: 1500},
			{Channel: "etsy", Currency: "EUR", Orders: 1, Lines: 1, Goods: 1500, Total: 1500},
			{Channel: "etsy", Currency: "GBP", Orders: 1, Lines: 2, Goods: 2300, Discount: 100, Shipping: 300, Total: 2500, Cost: 600},
			{Channel: "shopify", Currency: "GBP", Orders: 1, Lines: 1, Goods: 2400, Total: 2400, Refunds: 1200, Cost: 800},
		},
		UnknownCosts: 1,
		StockValue:   []data.CurrencyAmount{{Currency: "GBP", Amount: 6600}},
		Purchases:    []data.CurrencyAmount{{Currency: "GBP", Amount: 1000}},
	}
}

// TestStore_WriteXLSX exports a real shop's October: the figures are the hand-worked ones and the
// store's own preview of them, openpyxl finds text kept as text, and LibreOffice recalculating the
// Summary gets the same totals.
func TestStore_WriteXLSX(t *testing.T) {
	s, p := storeShop(t)
	ctx := context.Background()
	var progress [][2]int
	var buf bytes.Buffer
	res, err := WriteXLSX(ctx, &buf, s, Options{Period: p, Shop: "Test shop", Author: "Owner",
		Created: utc("2026-11-03T09:00:00Z"), Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
	if err != nil {
		t.Fatalf("WriteXLSX() error = %v", err)
	}
	want := storeTotals()
	if !reflect.DeepEqual(res.Totals, want) {
		t.Errorf("Totals =\n%+v\nwant\n%+v", res.Totals, want)
	}
	preview, err := s.AccountsPreview(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Totals, preview) {
		t.Errorf("Totals of the rows written =\n%+v\ndiffer from the store's preview\n%+v", res.Totals, preview)
	}
	if got, want := progress, [][2]int{{0, 14}, {14, 14}}; !reflect.DeepEqual(got, want) {
		t.Errorf("progress = %v, want %v", got, want)
	}

	path := filepath.Join(t.TempDir(), FileName(p, "Test shop"))
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	book := openpyxl(t, path)
	sales := book.Sheets[1]
	// Sales rows by placing time: S-1 (1 Oct 00:30 BST), E-2 ×2, A-1, E-3.
	for ref, w := range map[string]string{"A2": "2026-10-01T00:00:00", "B2": "00:30:00", "D2": "S-1", "F2": "007", "G2": injection,
		"D3": "E-2", "F4": "CARD", "D5": "A-1", "O6": "EUR"} {
		if c := sales.cell(t, ref); c.V != w {
			t.Errorf("Sales!%s = %v, want %q", ref, c.V, w)
		}
	}
	if c := sales.cell(t, "G2"); c.Type != "s" || !c.Quote {
		t.Errorf("Sales!G2 (the product named %s) = type %q quote %v, want quoted text", injection, c.Type, c.Quote)
	}
	if c := sales.cell(t, "F2"); c.Type != "s" {
		t.Errorf("Sales!F2 (SKU 007) type %q, want text", c.Type)
	}
	// E-2's lines share its discount, shipping and total, and add up to them.
	var discount, shipping, total float64
	for _, r := range []string{"3", "4"} {
		discount += sales.cell(t, "K"+r).V.(float64)
		shipping += sales.cell(t, "L"+r).V.(float64)
		total += sales.cell(t, "N"+r).V.(float64)
	}
	if math.Abs(discount-1) > 1e-9 || math.Abs(shipping-3) > 1e-9 || math.Abs(total-25) > 1e-9 {
		t.Errorf("E-2's lines add up to discount %v, shipping %v, total %v; want 1, 3, 25", discount, shipping, total)
	}

	zeroed := filepath.Join(t.TempDir(), "zeroed.xlsx")
	withoutCachedValues(t, path, zeroed)
	lo := libreOfficeCSV(t, zeroed)
	rows := map[[2]string][]string{}
	for _, r := range lo["Summary"] {
		if len(r) >= 12 {
			rows[[2]string{r[0], r[1]}] = r
		}
	}
	for _, c := range want.Channels {
		r := rows[[2]string{c.Channel, c.Currency}]
		figs := []int64{int64(c.Orders), int64(c.Lines), c.Goods, c.Discount, c.Shipping, c.Tax, c.Total, c.Refunds, c.Cost, margin(c)}
		for i, v := range figs {
			want := float64(v)
			if i >= 2 {
				want /= 100
			}
			if r == nil {
				t.Errorf("LibreOffice's Summary has no row %s %s", c.Channel, c.Currency)
				break
			}
			if got, err := strconv.ParseFloat(r[2+i], 64); err != nil || math.Abs(got-want) > 1e-9 {
				t.Errorf("LibreOffice's Summary %s %s column %d = %q, want %v", c.Channel, c.Currency, i+3, r[2+i], want)
			}
		}
	}
	if r := rows[[2]string{"All channels", "GBP"}]; r == nil || r[8] != "64" || r[11] != "35.5" {
		t.Errorf("LibreOffice's Summary All channels GBP = %q, want total 64 and margin 35.5", r)
	}
	if r := rows[[2]string{"Stock value at 2026-10-31", "GBP"}]; r == nil || r[2] != "66" {
		t.Errorf("LibreOffice's stock value = %q, want 66", r)
	}
}

func TestStore_WriteCSV(t *testing.T) {
	s, p := storeShop(t)
	dir := t.TempDir()
	res, err := WriteCSV(context.Background(), dir, s, Options{Period: p, Shop: "Test shop", Author: "Owner"})
	if err != nil {
		t.Fatalf("WriteCSV() error = %v", err)
	}
	if !reflect.DeepEqual(res.Totals, storeTotals()) {
		t.Errorf("Totals =\n%+v\nwant\n%+v", res.Totals, storeTotals())
	}
	b, err := os.ReadFile(filepath.Join(dir, "sales.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `2026-10-01,00:30,shopify,S-1,1,007,"'=HYPERLINK(""http://x"",""y"")",2,12.00,24.00,0.00,0.00,0.00,24.00,GBP` + "\r\n"; !bytes.Contains(b, []byte(want)) {
		t.Errorf("sales.csv =\n%s\nwant a line %q", b, want)
	}
}

// TestStore_PackerMayNot: the workbook holds costs, which a packer may not see.
func TestStore_PackerMayNot(t *testing.T) {
	s, p := storeShop(t)
	packer := s.As(data.User{Name: "Pat", Role: data.RolePacker, Active: true})
	var buf bytes.Buffer
	if _, err := WriteXLSX(context.Background(), &buf, packer, Options{Period: p}); !errors.Is(err, data.ErrPermission) {
		t.Errorf("WriteXLSX() as a packer error = %v, want ErrPermission", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes for a packer", buf.Len())
	}
	dir := t.TempDir()
	if _, err := WriteCSV(context.Background(), dir, packer, Options{Period: p}); !errors.Is(err, data.ErrPermission) {
		t.Errorf("WriteCSV() as a packer error = %v, want ErrPermission", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("WriteCSV() as a packer left %d files", len(ents))
	}
}
