package importers

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

func etsyDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// byID indexes orders by their Etsy order number.
func byID(os []data.Order) map[string]data.Order {
	m := map[string]data.Order{}
	for _, o := range os {
		m[o.ExternalID] = o
	}
	return m
}

// warnings lists the warnings of items as strings, failing on any error.
func warnings(tb testing.TB, items []data.ImportItem) []string {
	tb.Helper()
	var out []string
	for _, it := range items {
		if it.Err != nil {
			tb.Fatalf("read error: %v", it.Err)
		}
		for _, p := range it.Problems {
			if !p.Warning {
				tb.Fatalf("error: %s", p)
			}
			out = append(out, p.String())
		}
	}
	return out
}

const (
	etsyBreakfast = "breakfast time | sticker flakes stickers, food stickers, bullet journal, stationery, crafts, pen pal, planners"
	etsyBoba      = "quali-tea boba | sticker flakes, stickers, boba stickers, bullet journal, stationery, crafts, pen pal, planners"
	fromItemsFile = "so its items come from the Sold Order Items file (EtsySoldOrderItems); import that file too"
)

// etsyItemOrders is what etsy_order_items.csv holds, order by order.
func etsyItemOrders() []data.Order {
	us := func(name, line1, line2, city, region, zip string) data.Address {
		return data.Address{Name: name, Line1: line1, Line2: line2, City: city, Region: region, Postcode: zip, Country: "United States"}
	}
	return []data.Order{
		{Channel: "etsy", ExternalID: "2294291871", Status: data.StatusShipped, Currency: "USD",
			PlacedAt: etsyDay(2021, 12, 7), PaidAt: etsyDay(2021, 12, 7), ShippedAt: etsyDay(2021, 12, 17),
			CustomerName: "Jane Example", ShipTo: us("Jane Example", "1 Example Street", "", "Example City", "NJ", "01234-5678"),
			Lines: []data.OrderLine{
				{Name: etsyBreakfast, Quantity: 2, UnitPrice: 330},
				{Name: etsyBoba + " (Size:Small)", Quantity: 1, UnitPrice: 450},
			}},
		{Channel: "etsy", ExternalID: "3805375360", Status: data.StatusShipped, Currency: "USD",
			PlacedAt: etsyDay(2025, 9, 23), PaidAt: etsyDay(2025, 9, 23), ShippedAt: etsyDay(2025, 9, 25),
			CustomerName: "Åsa Example", ShipTo: data.Address{Name: "Åsa Example", Line1: "Exempelvägen 1A", City: "Exempelstad",
				Region: "Östergötland", Postcode: "12345", Country: "Sweden"},
			Lines: []data.OrderLine{{SKU: "STK-BOBA-S", Name: "Boba sticker sheet | glossy, waterproof", Quantity: 2, UnitPrice: 1750}}},
		{Channel: "etsy", ExternalID: "3815834288", Status: data.StatusPaid, Currency: "USD",
			PlacedAt: etsyDay(2025, 10, 4), PaidAt: etsyDay(2025, 10, 4),
			CustomerName: "veno ☁️🧸🍄🌱🧺", ShipTo: us("veno ☁️🧸🍄🌱🧺", "2 Example Avenue", "Apt 6", "San Antonio", "TX", "78242"),
			Lines: []data.OrderLine{
				{SKU: "STK-A_S", Name: "Sticker flakes – assorted (Size:Small)", Quantity: 2, UnitPrice: 500},
				{SKU: "STK-B", Name: "Bullet journal stencil", Quantity: 1, UnitPrice: 1200},
			}},
		{Channel: "etsy", ExternalID: "3934607317", Status: data.StatusShipped, Currency: "INR",
			PlacedAt: etsyDay(2025, 12, 29), PaidAt: etsyDay(2025, 12, 29), ShippedAt: etsyDay(2025, 12, 29),
			CustomerName: "Erin Example", ShipTo: us("Erin Example", "3 Example Road", "", "La Porte", "IN", "46350"),
			Lines: []data.OrderLine{{Name: "Catholic Rosary Mysteries Art | Oil Painting Style Prints (Digital Download)", Quantity: 1, UnitPrice: 15000}}},
		{Channel: "etsy", ExternalID: "3814978060", Status: data.StatusPaid, Currency: "USD",
			PlacedAt: etsyDay(2025, 10, 3), PaidAt: etsyDay(2025, 10, 3),
			CustomerName: "Mariella Example", ShipTo: data.Address{Name: "Mariella Example", Line1: "Langstraße 18", City: "Innsbruck",
				Postcode: "6020", Country: "Austria"},
			Lines: []data.OrderLine{{SKU: "MUG-01", Name: "Saggar vase, small", Quantity: 1, UnitPrice: 2200}}},
	}
}

// sameOrder compares the fields a file gives, not the store's bookkeeping (id, history, line numbers).
func sameOrder(a, b data.Order) bool {
	a.ID, b.ID, a.History, b.History, a.UpdatedAt, b.UpdatedAt, a.Items, b.Items = 0, 0, nil, nil, time.Time{}, time.Time{}, 0, 0
	if len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		la, lb := a.Lines[i], b.Lines[i]
		la.LineNo, lb.LineNo, la.Pack, lb.Pack = 0, 0, 0, 0
		// The store keeps an unknown SKU as the channel's SKU until it is matched.
		if la.SKU == "" {
			la.SKU, la.ChannelSKU = la.ChannelSKU, ""
		}
		if lb.SKU == "" {
			lb.SKU, lb.ChannelSKU = lb.ChannelSKU, ""
		}
		if la != lb {
			return false
		}
	}
	a.Lines, b.Lines = nil, nil
	return a.Status == b.Status && a.PlacedAt.Equal(b.PlacedAt) && a.PaidAt.Equal(b.PaidAt) && a.ShippedAt.Equal(b.ShippedAt) &&
		a.Channel == b.Channel && a.ExternalID == b.ExternalID && a.CustomerName == b.CustomerName && a.CustomerEmail == b.CustomerEmail &&
		a.ShipTo == b.ShipTo && a.Currency == b.Currency && a.Subtotal == b.Subtotal && a.Shipping == b.Shipping && a.Tax == b.Tax &&
		a.Discount == b.Discount && a.Total == b.Total
}

func TestEtsyOrderItems_Fixture(t *testing.T) {
	f := openFixture(t, "etsy_order_items.csv")
	if f.FormatID() != "etsy-order-items" || len(f.Header) != 33 || f.Layout != "CSV" {
		t.Fatalf("format %s, %d columns, layout %q", f.FormatID(), len(f.Header), f.Layout)
	}
	items := collect(t, f)
	if w := warnings(t, items); len(w) != 0 {
		t.Errorf("warnings = %q, want none", w)
	}
	got := orders(t, items)
	want := etsyItemOrders()
	if len(got) != len(want) {
		t.Fatalf("%d orders, want %d", len(got), len(want))
	}
	for i := range want {
		t.Run(want[i].ExternalID, func(t *testing.T) {
			if !sameOrder(got[i], want[i]) {
				t.Errorf("order = %+v\nwant    %+v", got[i], want[i])
			}
			// Order-level amounts printed on item rows are never added up: the totals come from the Sold Orders file.
			if o := got[i]; o.Subtotal != 0 || o.Shipping != 0 || o.Tax != 0 || o.Discount != 0 || o.Total != 0 {
				t.Errorf("totals = %d/%d/%d/%d/%d, want all zero", o.Subtotal, o.Shipping, o.Tax, o.Discount, o.Total)
			}
		})
	}
	if items[0].FirstRow != 2 || items[0].LastRow != 3 || items[2].FirstRow != 5 || items[2].LastRow != 6 {
		t.Errorf("rows of the multi-item orders: %d–%d and %d–%d", items[0].FirstRow, items[0].LastRow, items[2].FirstRow, items[2].LastRow)
	}
}

func TestEtsyOrders_Fixture(t *testing.T) {
	f := openFixture(t, "etsy_orders.csv")
	if f.FormatID() != "etsy-orders" || len(f.Header) != 36 {
		t.Fatalf("format %s, %d columns", f.FormatID(), len(f.Header))
	}
	items := collect(t, f)
	wantWarnings := []string{
		"row 2, SKU: the order lists no SKU, " + fromItemsFile + " (said once for every order like this)",
		`row 4, SKU "STK-A_S,STK-B": the order has several SKUs and this file does not say how many of each were sold, ` + fromItemsFile,
		`row 7, SKU "sku-a,sku-b": the order has several SKUs and this file does not say how many of each were sold, ` + fromItemsFile,
	}
	if w := warnings(t, items); !slices.Equal(w, wantWarnings) {
		t.Errorf("warnings =\n%s\nwant\n%s", strings.Join(w, "\n"), strings.Join(wantWarnings, "\n"))
	}
	got := orders(t, items)
	for _, tc := range []struct {
		id                                       string
		status                                   data.Status
		currency                                 string
		subtotal, discount, shipping, tax, total int64
		lines                                    []data.OrderLine
	}{
		{"2294291871", data.StatusShipped, "USD", 1110, 0, 0, 0, 1110, nil},
		{"3805375360", data.StatusShipped, "USD", 3500, 0, 2030, 0, 6913, []data.OrderLine{{SKU: "STK-BOBA-S", Quantity: 2, UnitPrice: 1750}}},
		{"3815834288", data.StatusPaid, "USD", 2200, 220, 480, 0, 2653, nil},
		{"3934607317", data.StatusShipped, "INR", 15000, 7500, 0, 0, 7500, nil},
		{"3814978060", data.StatusPaid, "USD", 2200, 0, 2138, 0, 5206, []data.OrderLine{{SKU: "MUG-01", Quantity: 1, UnitPrice: 2200}}},
		{"3808758251", data.StatusCancelled, "USD", 5000, 0, 480, 0, 5874, nil},
	} {
		t.Run(tc.id, func(t *testing.T) {
			o, ok := byID(got)[tc.id]
			if !ok {
				t.Fatalf("order %s missing", tc.id)
			}
			if o.Status != tc.status || o.Currency != tc.currency || o.Subtotal != tc.subtotal || o.Discount != tc.discount ||
				o.Shipping != tc.shipping || o.Tax != tc.tax || o.Total != tc.total || !slices.Equal(o.Lines, tc.lines) {
				t.Errorf("order = %+v", o)
			}
		})
	}
	// The fields both files have read the same from both.
	items2 := byID(orders(t, collect(t, openFixture(t, "etsy_order_items.csv"))))
	for _, o := range got {
		it, ok := items2[o.ExternalID]
		if !ok {
			continue
		}
		if !o.PlacedAt.Equal(it.PlacedAt) || !o.ShippedAt.Equal(it.ShippedAt) || o.Status != it.Status || o.Currency != it.Currency ||
			o.CustomerName != it.CustomerName || o.ShipTo != it.ShipTo {
			t.Errorf("order %s differs between the files:\norders %+v\nitems  %+v", o.ExternalID, o, it)
		}
	}
}

func TestEtsyOrders_OlderHeader(t *testing.T) {
	f := openFixture(t, "etsy_orders_2019.csv")
	if f.FormatID() != "etsy-orders" || len(f.Header) != 33 {
		t.Fatalf("format %s, %d columns", f.FormatID(), len(f.Header))
	}
	items := collect(t, f)
	if w := warnings(t, items); len(w) != 0 {
		t.Errorf("warnings = %q; without a SKU column there is nothing to say", w)
	}
	got := orders(t, items)
	if len(got) != 2 || got[0].Total != 1110 || got[1].Total != 6913 || got[1].Lines != nil || got[0].CustomerName != "Jane Example" {
		t.Errorf("orders = %+v", got)
	}
}

// The REAL Epicrae pattern: the file was opened in Excel and saved as tab-delimited text.
func TestEtsyOrders_ExcelDamaged(t *testing.T) {
	f := openFixture(t, "etsy_orders_excel_tab.csv")
	if f.FormatID() != "etsy-orders" || f.Layout != "tab-separated text" {
		t.Fatalf("format %s, layout %q", f.FormatID(), f.Layout)
	}
	items := collect(t, f)
	wantWarnings := []string{
		`row 2, Full Name "JÃ¢ne Example": the text was garbled by a wrong character set and was repaired to "Jâne Example"`,
		`row 2, Ship Zipcode "6084": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 06084`,
		"row 2, SKU: the order lists no SKU, " + fromItemsFile + " (said once for every order like this)",
		`row 3, Street 1 "2029 Av BourbonniÃ¨re": the text was garbled by a wrong character set and was repaired to "2029 Av Bourbonnière"`,
		`row 3, Ship City "MontrÃ©al": the text was garbled by a wrong character set and was repaired to "Montréal"`,
		`row 4, Ship Zipcode "2155": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 02155`,
	}
	if w := warnings(t, items); !slices.Equal(w, wantWarnings) {
		t.Errorf("warnings =\n%s\nwant\n%s", strings.Join(w, "\n"), strings.Join(wantWarnings, "\n"))
	}
	got := orders(t, items)
	if len(got) != 3 {
		t.Fatalf("%d orders", len(got))
	}
	o := got[0]
	if o.ExternalID != "3166014078" || !o.PlacedAt.Equal(etsyDay(2023, 12, 30)) || !o.ShippedAt.Equal(etsyDay(2024, 1, 4)) ||
		o.Status != data.StatusShipped || o.CustomerName != "Jâne Example" || o.ShipTo.Name != "Jâne Example" || o.ShipTo.Postcode != "06084" ||
		o.Subtotal != 1700 || o.Discount != 425 || o.Shipping != 413 || o.Total != 1795 {
		t.Errorf("first order = %+v", o)
	}
	if o := got[1]; o.ShipTo.City != "Montréal" || o.ShipTo.Postcode != "H1W 3N8" || o.Discount != 350 {
		t.Errorf("second order = %+v", o)
	}
	if o := got[2]; o.ShipTo.Postcode != "02155" || !o.ShippedAt.Equal(etsyDay(2024, 1, 5)) || o.Total != 159 {
		t.Errorf("third order = %+v", o)
	}
}

func TestEtsyOrderItems_BadFile(t *testing.T) {
	f := openFixture(t, "etsy_order_items_bad.csv")
	if f.FormatID() != "etsy-order-items" {
		t.Fatalf("format %s", f.FormatID())
	}
	want := []string{
		`row 2, Order ID "2.29429E+09": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
		`row 3, Quantity "two": the quantity is not a whole number`,
		`row 4, Sale Date "2025-29-12": is not a date like 3/29/25 or 3/29/2025`,
	}
	if got := problems(collect(t, f)); !slices.Equal(got, want) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := testStore(t)
	res := importInto(t, s, openFixture(t, "etsy_order_items_bad.csv"), data.ImportOptions{})
	if !res.Rejected() || len(res.Errors) != 3 || res.OrdersNew != 0 {
		t.Errorf("result = %+v, want the file refused", res)
	}
	if n, err := s.CountOrders(context.Background(), data.OrderFilter{}); err != nil || n != 0 {
		t.Errorf("orders in the store = %d, %v; want none", n, err)
	}
}

func TestEtsyOrderItems_ScientificOrderIDAndBadCells(t *testing.T) {
	for _, tc := range []struct{ name, from, to, want string }{
		{"order id not a number", "2294291871", "22942918-71", `row 2, Order ID "22942918-71": an Etsy order number is made of digits only`},
		{"empty order id", ",2294291871,", ",,", `row 2, Order ID: the order number is empty`},
		{"zero quantity", `,"Jane Example (jexample29)",2,`, `,"Jane Example (jexample29)",0,`, `row 2, Quantity "0": the quantity must be at least 1`},
		{"price", ",2,3.30,", ",2,3.3.0,", `row 2, Price "3.3.0": is not an amount of money`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := readFixture(t, "etsy_order_items.csv")
			lines := strings.SplitN(string(b), "\n", 3)
			lines[1] = strings.Replace(lines[1], tc.from, tc.to, 1)
			items := collect(t, openBytes(t, "EtsySoldOrderItems2021.csv", []byte(strings.Join(lines, "\n"))))
			var errs []string
			for _, it := range items {
				for _, p := range it.Problems {
					if !p.Warning && p.Row == 2 {
						errs = append(errs, p.String())
					}
				}
			}
			if len(errs) == 0 || errs[0] != tc.want {
				t.Errorf("errors = %q, want %q", errs, tc.want)
			}
		})
	}
}

func TestEtsyOrderItems_ItemTotalDisagrees(t *testing.T) {
	b := readFixture(t, "etsy_order_items.csv")
	b = bytes.Replace(b, []byte(",0,0,6.6,USD,"), []byte(",0,0,6.9,USD,"), 1)
	items := collect(t, openBytes(t, "EtsySoldOrderItems2021.csv", b))
	w := warnings(t, items)
	want := `row 2, Item Total "6.9": is not Price × Quantity (3.30 × 2); the unit price was taken from Price`
	if len(w) != 1 || w[0] != want {
		t.Errorf("warnings = %q, want %q", w, want)
	}
	if o := orders(t, items)[0]; o.Lines[0].UnitPrice != 330 {
		t.Errorf("unit price = %d, want 330 from Price", o.Lines[0].UnitPrice)
	}
}

// importBoth imports the two files in the given order and returns each result.
func importBoth(t *testing.T, s *data.Store, names ...string) []data.ImportResult {
	t.Helper()
	var out []data.ImportResult
	for _, n := range names {
		res := importInto(t, s, openFixture(t, n), data.ImportOptions{})
		if len(res.Errors) != 0 || !res.Committed {
			t.Fatalf("import %s: %+v", n, res)
		}
		out = append(out, res)
	}
	return out
}

func storedEtsyOrders(t *testing.T, s *data.Store) map[string]data.Order {
	t.Helper()
	out := map[string]data.Order{}
	for _, id := range []string{"2294291871", "3805375360", "3815834288", "3934607317", "3814978060", "3808758251"} {
		o, err := s.OrderByKey(context.Background(), "etsy", id)
		if err != nil {
			t.Fatalf("order %s: %v", id, err)
		}
		out[id] = o
	}
	return out
}

// The two files join: lines from the items file, totals from the orders file, in either order, and
// importing either again changes nothing.
func TestEtsyJoin_ItemsAndOrders(t *testing.T) {
	const items, ords = "etsy_order_items.csv", "etsy_orders.csv"
	s := testStore(t)
	res := importBoth(t, s, items, ords)
	if res[0].OrdersNew != 5 || res[1].OrdersNew != 1 || res[1].OrdersUpdated != 5 {
		t.Errorf("first imports: items %+v, orders %+v", res[0], res[1])
	}
	res = importBoth(t, s, items, ords, items)
	if res[0].OrdersUnchanged != 5 || res[1].OrdersUnchanged != 6 || res[2].OrdersUnchanged != 5 {
		t.Errorf("re-imports: %+v", res)
	}
	joined := storedEtsyOrders(t, s)

	a := joined["2294291871"]
	want := etsyItemOrders()[0]
	want.Subtotal, want.Total = 1110, 1110
	if !sameOrder(a, want) {
		t.Errorf("joined 2294291871 = %+v\nwant %+v", a, want)
	}
	for _, tc := range []struct {
		id    string
		lines int
		total int64
		name  string
	}{
		{"3805375360", 1, 6913, "Boba sticker sheet | glossy, waterproof"}, // shipped: the orders file's SKU-only line is named by the items file
		{"3814978060", 1, 5206, "Saggar vase, small"},                      // not shipped yet: the same, before stock moves
		{"3815834288", 2, 2653, "Sticker flakes – assorted (Size:Small)"},
		{"3934607317", 1, 7500, "Catholic Rosary Mysteries Art | Oil Painting Style Prints (Digital Download)"},
	} {
		o := joined[tc.id]
		if len(o.Lines) != tc.lines || o.Total != tc.total || o.Lines[0].Name != tc.name || o.PaidAt.IsZero() {
			t.Errorf("joined %s = %+v", tc.id, o)
		}
	}
	if o := joined["3808758251"]; o.Status != data.StatusCancelled || len(o.Lines) != 0 {
		t.Errorf("orders-file-only order = %+v", o)
	}

	// The other way round ends the same.
	s2 := testStore(t)
	res = importBoth(t, s2, ords, items)
	if res[0].OrdersNew != 6 || res[1].OrdersUpdated != 5 {
		t.Errorf("reverse imports: orders %+v, items %+v", res[0], res[1])
	}
	res = importBoth(t, s2, ords, items, ords)
	if res[0].OrdersUnchanged != 6 || res[1].OrdersUnchanged != 5 || res[2].OrdersUnchanged != 6 {
		t.Errorf("reverse re-imports: %+v", res)
	}
	for id, o := range storedEtsyOrders(t, s2) {
		if !sameOrder(o, joined[id]) {
			t.Errorf("order %s differs by import order:\norders first %+v\nitems first  %+v", id, o, joined[id])
		}
	}
}

// A later export in which an order has shipped moves it forward and does not duplicate it.
func TestEtsyOrderItems_LaterExportShips(t *testing.T) {
	s := testStore(t)
	importBoth(t, s, "etsy_order_items.csv")
	later := bytes.ReplaceAll(readFixture(t, "etsy_order_items.csv"), []byte(",10/04/2025,,"), []byte(",10/04/2025,10/08/2025,"))
	res := importInto(t, s, openBytes(t, "EtsySoldOrderItems2025.csv", later), data.ImportOptions{})
	if res.OrdersUpdated != 1 || res.OrdersUnchanged != 4 || res.OrdersNew != 0 {
		t.Errorf("later export: %+v", res)
	}
	o, err := s.OrderByKey(context.Background(), "etsy", "3815834288")
	if err != nil || o.Status != data.StatusShipped || !o.ShippedAt.Equal(etsyDay(2025, 10, 8)) || len(o.Lines) != 2 {
		t.Errorf("order = %+v, %v", o, err)
	}
	if n, err := s.CountOrders(context.Background(), data.OrderFilter{}); err != nil || n != 5 {
		t.Errorf("%d orders, %v; want 5", n, err)
	}
	// The stale export does not drag it back.
	res = importInto(t, s, openFixture(t, "etsy_order_items.csv"), data.ImportOptions{})
	if res.OrdersUnchanged != 5 {
		t.Errorf("stale export: %+v", res)
	}
}

// An xlsx keeps a 10-digit Order ID exact as a number; dates and zips arrive as cells, not text.
func TestEtsyOrders_Workbook(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	cols := splitHeader(`"Sale Date","Order ID","Full Name","Number of Items","Date Shipped","Street 1","Ship City","Ship State","Ship Zipcode","Ship Country",Currency,"Order Value","Discount Amount",Shipping,"Sales Tax","Order Total",SKU`)
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c
	}
	rows := [][]any{
		header,
		{time.Date(2023, 12, 30, 0, 0, 0, 0, time.UTC), 3166014078, "Jane Example", 1, time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC),
			"11 Example Way", "TOLLAND", "CT", 6084, "United States", "USD", 17, 4.25, 4.13, 0, 17.95, "MUG-01"},
		{time.Date(2023, 12, 30, 0, 0, 0, 0, time.UTC), "3.16601E+09", "John Example", 1, nil,
			"12 Example Way", "Boston", "MA", "02155", "United States", "USD", 17, 0, 0, 0, 17, ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	f := openBytes(t, "EtsySoldOrders2023.xlsx", b.Bytes())
	if f.FormatID() != "etsy-orders" {
		t.Fatalf("format %s", f.FormatID())
	}
	items := collect(t, f)
	if len(items) != 2 || items[0].Order == nil {
		t.Fatalf("items = %+v", items)
	}
	o := items[0].Order
	if o.ExternalID != "3166014078" || !o.PlacedAt.Equal(etsyDay(2023, 12, 30)) || !o.ShippedAt.Equal(etsyDay(2024, 1, 4)) ||
		o.ShipTo.Postcode != "06084" || o.Total != 1795 || o.Discount != 425 || len(o.Lines) != 1 || o.Lines[0].UnitPrice != 1700 {
		t.Errorf("order = %+v", o)
	}
	if got := problems(items[1:]); len(got) != 1 || !strings.HasPrefix(got[0], `row 3, Order ID "3.16601E+09": a spreadsheet program turned this number into scientific notation`) {
		t.Errorf("problems = %q", got)
	}
}

func TestEtsyListings_English(t *testing.T) {
	f := openFixture(t, "etsy_listings.csv")
	if f.FormatID() != "etsy-listings" || f.Format.Kind != KindProducts || len(f.Header) != 24 {
		t.Fatalf("format %s, %d columns", f.FormatID(), len(f.Header))
	}
	items := collect(t, f)
	wantWarnings := []string{
		`row 3, SKU "STK-A_S,STK-A_M,STK-A_,STK-A_S": the listing has 3 SKUs, one per variant; QUANTITY (30) is their total, not each one's, ` +
			`so no stock was counted, and PRICE is the listing's price, not necessarily each variant's, so their prices were left as they are`,
		`row 5, SKU: the listing "Custom portrait (made to order)" has no SKU, and Backroom keeps products by SKU, so it was left out; give it a SKU on Etsy to import it`,
	}
	if w := warnings(t, items); !slices.Equal(w, wantWarnings) {
		t.Errorf("warnings =\n%s\nwant\n%s", strings.Join(w, "\n"), strings.Join(wantWarnings, "\n"))
	}
	price := func(v int64) *int64 { return &v }
	type rec struct {
		row     int
		sku     string
		name    string
		price   *int64
		counted *int64
	}
	want := []rec{
		{2, "STK-BOBA-S", "quali-tea boba | sticker flakes, stickers", price(450), price(12)},
		{3, "STK-A_S", "Sticker flakes – assorted", nil, nil},
		{3, "STK-A_M", "Sticker flakes – assorted", nil, nil},
		{3, "STK-A_", "Sticker flakes – assorted", nil, nil},
		{4, "STK-B", "Bullet journal stencil", price(1200), price(0)},
	}
	var got []rec
	for _, it := range items {
		if it.Product == nil {
			continue
		}
		r := rec{it.FirstRow, it.Product.SKU, it.Product.ProductName, it.Product.Price, nil}
		if it.Product.Currency != "USD" {
			t.Errorf("%s currency %q", r.sku, it.Product.Currency)
		}
		if it.Count != nil {
			r.counted = &it.Count.OnHand
		}
		got = append(got, r)
	}
	eq := func(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	if len(got) != len(want) {
		t.Fatalf("%d products, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.row != w.row || g.sku != w.sku || g.name != w.name || !eq(g.price, w.price) || !eq(g.counted, w.counted) {
			t.Errorf("product %d = %+v, want %+v", i, g, w)
		}
	}

	s := testStore(t)
	res := importInto(t, s, openFixture(t, "etsy_listings.csv"), data.ImportOptions{})
	if res.ProductsNew != 5 || res.StockCounted != 1 || len(res.Errors) != 0 || len(res.Warnings) != 2 {
		t.Errorf("import = %+v", res)
	}
	res = importInto(t, s, openFixture(t, "etsy_listings.csv"), data.ImportOptions{})
	if res.ProductsUnchanged != 5 || res.StockCounted != 0 || res.ProductsNew != 0 {
		t.Errorf("second import = %+v", res)
	}
	v, err := s.Variant(context.Background(), "STK-BOBA-S")
	if err != nil || v.Price != 450 || v.ProductName != "quali-tea boba | sticker flakes, stickers" {
		t.Errorf("STK-BOBA-S = %+v, %v", v, err)
	}
	levels, err := s.StockLevels(context.Background(), data.StockFilter{Search: "STK-BOBA-S"})
	if err != nil || len(levels) != 1 || levels[0].OnHand != 12 {
		t.Errorf("stock = %+v, %v", levels, err)
	}
}

func TestEtsyListings_Italian(t *testing.T) {
	f := openFixture(t, "etsy_listings_it.csv")
	if f.FormatID() != "etsy-listings" {
		t.Fatalf("format %s", f.FormatID())
	}
	items := collect(t, f)
	if w := warnings(t, items); len(w) != 0 {
		t.Errorf("warnings = %q", w)
	}
	if len(items) != 2 {
		t.Fatalf("%d items", len(items))
	}
	p, c := items[0].Product, items[0].Count
	if p == nil || p.SKU != "32" || p.ProductName != "Saggar pottery vase with smoky grey textures" || p.Price == nil || *p.Price != 4600 ||
		p.Currency != "EUR" || c == nil || c.OnHand != 1 || c.SKU != "32" {
		t.Errorf("first listing = %+v, %+v", p, c)
	}
	if p := items[1].Product; p == nil || p.SKU != "24" || *p.Price != 13600 || items[1].Count.OnHand != 2 {
		t.Errorf("second listing = %+v", items[1])
	}
	s := testStore(t)
	if res := importInto(t, s, openFixture(t, "etsy_listings_it.csv"), data.ImportOptions{}); res.ProductsNew != 2 || res.StockCounted != 2 {
		t.Errorf("import = %+v", res)
	}
}

func TestEtsyListings_BadQuantity(t *testing.T) {
	b := bytes.Replace(readFixture(t, "etsy_listings_it.csv"), []byte(",EUR,2,"), []byte(",EUR,-2,"), 1)
	got := problems(collect(t, openBytes(t, "EtsyListingsDownload.csv", b)))
	want := []string{`row 3, QUANTITÀ "-2": the quantity is not a whole number of 0 or more`}
	if !slices.Equal(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

func etsyFuzz(f *testing.F, fixtures ...string) {
	for _, name := range fixtures {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Open(bytes.NewReader(b), "fuzz.csv", Options{})
		if err != nil {
			return
		}
		defer file.Close()
		for range file.Items(context.Background()) {
		}
	})
}

func FuzzEtsyOrderItems(f *testing.F) {
	etsyFuzz(f, "etsy_order_items.csv", "etsy_order_items_bad.csv")
}

func FuzzEtsyOrders(f *testing.F) {
	etsyFuzz(f, "etsy_orders.csv", "etsy_orders_2019.csv", "etsy_orders_excel_tab.csv")
}

func FuzzEtsyListings(f *testing.F) {
	etsyFuzz(f, "etsy_listings.csv", "etsy_listings_it.csv")
}

// Without a ship-to name the buyer's display name stands in, without the username.
func TestEtsyOrderItems_BuyerWhenNoShipName(t *testing.T) {
	b := bytes.ReplaceAll(readFixture(t, "etsy_order_items.csv"), []byte(`"Jane Example","1 Example Street"`), []byte(`,"1 Example Street"`))
	o := orders(t, collect(t, openBytes(t, "EtsySoldOrderItems2021.csv", b)))[0]
	if o.CustomerName != "Jane Example" || o.ShipTo.Name != "" || o.ShipTo.Line1 != "1 Example Street" {
		t.Errorf("order = %+v", o)
	}
}

func TestEtsyOrders_OrderTwice(t *testing.T) {
	b := readFixture(t, "etsy_orders.csv")
	first := strings.SplitN(string(b), "\n", 3)[1]
	b = append(b, []byte(first+"\n")...)
	want := []string{`row 8, Order ID "2294291871": order 2294291871 is in the file twice, on rows 2 and 8`}
	var got []string
	for _, it := range collect(t, openBytes(t, "EtsySoldOrders2021.csv", b)) {
		for _, p := range it.Problems {
			if !p.Warning {
				got = append(got, p.String())
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}
