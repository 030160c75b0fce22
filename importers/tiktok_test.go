package importers

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/backroom-app/backroom/data"
)

const tiktokVNHeader = "Order ID,Order Status,Order Substatus,Cancelation/Return Type,Normal or Pre-order,SKU ID,Seller SKU,Product Name,Variation,Quantity,Sku Quantity of return,SKU Unit Original Price,SKU Subtotal Before Discount,SKU Platform Discount,SKU Seller Discount,SKU Subtotal After Discount,Shipping Fee After Discount,Original Shipping Fee,Shipping Fee Seller Discount,Shipping Fee Platform Discount,Payment platform discount,Taxes,Order Amount,Order Refund Amount,Created Time,Paid Time,RTS Time,Shipped Time,Delivered Time,Cancelled Time,Cancel By,Cancel Reason,Fulfillment Type,Warehouse Name,Tracking ID,Delivery Option,Shipping Provider Name,Buyer Message,Buyer Username,Recipient,Phone #,Country,Province,District,Commune,Detail Address,Additional address information,Payment Method,Weight(kg),Product Category,Package ID,Seller Note,Checked Status,Checked Marked by"

// openTikTok opens a TikTok fixture for a shop with its own currency and time zone.
func openTikTok(t *testing.T, name string, b []byte, currency string, loc *time.Location) *File {
	t.Helper()
	if b == nil {
		var err error
		if b, err = os.ReadFile(filepath.Join("..", "testdata", "imports", name)); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Open(bytes.NewReader(b), name, Options{Currency: currency, Location: loc})
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	if f.FormatID() != "tiktok-orders" || f.Format.Channel != "tiktok" {
		t.Fatalf("%s read as %s, want tiktok-orders", name, f.FormatID())
	}
	return f
}

func TestTikTokOrders_Fixtures(t *testing.T) {
	hcm := time.FixedZone("ICT", 7*3600)
	for _, tc := range []struct {
		file     string
		currency string
		loc      *time.Location
		want     []orderFacts
		problems []string
	}{
		{
			// Vietnam: BOM, ids and times guarded by a trailing tab, DD/MM/YYYY, Province/District/Commune,
			// a line without a seller SKU, a cancelled and refunded order.
			file: "tiktok_orders_vn.csv", currency: "VND", loc: hcm,
			want: []orderFacts{
				{ID: "578123456789012345", Status: "delivered", Currency: "VND", Placed: "2026-06-25T13:03:57+07:00", Paid: "2026-06-25T13:04:10+07:00",
					Shipped: "2026-06-26T15:20:00+07:00", Delivered: "2026-06-28T11:45:00+07:00", Customer: "N****** V** A*",
					ShipTo:   data.Address{Name: "N****** V** A*", Line1: "1*** Đường L* L**", Line2: "Phường Bến Nghé", City: "Quận 1", Region: "Hồ Chí Minh", Country: "Vietnam"},
					Subtotal: 240000, Shipping: 15000, Discount: 15000, Total: 240000,
					Lines: []data.OrderLine{
						{SKU: "TEE-WHT-M", Name: "Áo thun cotton - Trắng, M", Quantity: 1, UnitPrice: 150000},
						{SKU: "SOCK-3P", Name: "Tất cổ ngắn (3 đôi)", Quantity: 2, UnitPrice: 45000},
					}},
				{ID: "578123456789012346", Status: "paid", Currency: "VND", Placed: "2026-06-30T21:15:02+07:00", Paid: "2026-06-30T21:15:30+07:00",
					Customer: "T** T** B***",
					ShipTo:   data.Address{Name: "T** T** B***", Line1: "2** P*** K** M*", Line2: "Tầng 3, Phường Kim Mã", City: "Quận Ba Đình", Region: "Hà Nội", Country: "Vietnam"},
					Subtotal: 99000, Total: 99000,
					Lines: []data.OrderLine{{ChannelSKU: "1729384756102938475", Name: "Mũ lưỡi trai - Đỏ", Quantity: 1, UnitPrice: 99000}}},
				{ID: "578123456789012347", Status: "cancelled", Currency: "VND", Placed: "2026-07-01T08:00:00+07:00", Paid: "2026-07-01T08:01:00+07:00",
					Customer: "L* T** C***",
					ShipTo:   data.Address{Name: "L* T** C***", Line1: "3** Đ*** B***", Line2: "Thạch Thang", City: "Hải Châu", Region: "Đà Nẵng", Country: "Vietnam"},
					Subtotal: 50000, Shipping: 15000, Total: 65000,
					Lines: []data.OrderLine{{SKU: "CAP-BLK", Name: "Mũ lưỡi trai - Đen", Quantity: 1, UnitPrice: 50000}}},
			},
			problems: []string{`row 5, Order Refund Amount "65000": the buyer was refunded 65,000 VND; the order keeps the total that was charged`},
		},
		{
			// Thailand: localized status values, CRLF line ends.
			file: "tiktok_orders_th.csv", currency: "THB",
			want: []orderFacts{
				{ID: "583870900000000001", Status: "shipped", Currency: "THB", Placed: "2026-05-10T22:05:43Z", Paid: "2026-05-10T22:06:01Z",
					Shipped: "2026-05-13T10:00:00Z", Customer: "ส****** ใ**ดี",
					ShipTo:   data.Address{Name: "ส****** ใ**ดี", Line1: "9** ถ.**", Line2: "ลุมพินี", City: "เขตปทุมวัน", Region: "กรุงเทพมหานคร", Country: "Thailand"},
					Subtotal: 59800, Total: 59800,
					Lines: []data.OrderLine{{SKU: "SKU-001", Name: "เสื้อยืด - ดำ, L", Quantity: 2, UnitPrice: 29900}}},
				{ID: "583870900000000002", Status: "cancelled", Currency: "THB", Placed: "2026-05-11T08:15:00Z", Customer: "ม*** ร***",
					ShipTo:   data.Address{Name: "ม*** ร***", Line1: "1** ถ.**", Line2: "ศรีภูมิ", City: "เมืองเชียงใหม่", Region: "เชียงใหม่", Country: "Thailand"},
					Subtotal: 14900, Shipping: 4000, Total: 18900,
					Lines: []data.OrderLine{{SKU: "SKU-002", Name: "หมวก", Quantity: 1, UnitPrice: 14900}}},
			},
			problems: []string{`row 3, Order Refund Amount "189.00": the buyer was refunded ` + data.FormatMoney(18900, "THB") + `; the order keeps the total that was charged`},
		},
		{
			// United States: MM/DD/YYYY hh:mm:ss AM, Zipcode/State/City columns, Small Order Fee.
			file: "tiktok_orders_us.csv", currency: "USD",
			want: []orderFacts{
				{ID: "576543210987654321", Status: "shipped", Currency: "USD", Placed: "2026-03-01T10:00:00Z", Paid: "2026-03-01T10:00:12Z",
					Shipped: "2026-03-02T17:10:00Z", Customer: "J*** E******",
					ShipTo:   data.Address{Name: "J*** E******", Line1: "1** E****** St", Line2: "Apt 4", City: "Boston", Region: "Massachusetts", Postcode: "02134", Country: "United States"},
					Subtotal: 3799, Shipping: 599, Tax: 264, Discount: 503, Total: 4159,
					Lines: []data.OrderLine{
						{SKU: "MUG-OLIVE", Name: "Stoneware mug - Olive", Quantity: 2, UnitPrice: 1400},
						{SKU: "RUL-12", Name: `12" ruler, stainless steel`, Quantity: 1, UnitPrice: 999},
					}},
				{ID: "576543210987654322", Status: "paid", Currency: "USD", Placed: "2026-03-14T23:45:10Z", Paid: "2026-03-14T23:45:20Z", Customer: "M*** R****",
					ShipTo:   data.Address{Name: "M*** R****", Line1: "2** M*** Ave", City: "Portland", Region: "Oregon", Postcode: "97205", Country: "United States"},
					Subtotal: 1299, Tax: 87, Total: 1386,
					Lines: []data.OrderLine{{SKU: "TEA-TIN", Name: "Earl Grey tea tin - 3 x 50g", Quantity: 1, UnitPrice: 1299}}},
			},
		},
		{
			// Every date could be either way round and none has AM/PM: read day first, and say so once.
			file: "tiktok_orders_ambiguous.csv", currency: "MYR",
			want: []orderFacts{
				{ID: "579000000000000101", Status: "paid", Currency: "MYR", Placed: "2026-03-05T10:22:33Z", Paid: "2026-03-05T10:23:00Z", Customer: "A** B***",
					ShipTo:   data.Address{Name: "A** B***", Line1: "1* J***n S**", City: "Petaling Jaya", Region: "Selangor", Country: "Malaysia"},
					Subtotal: 2590, Total: 2590, Lines: []data.OrderLine{{SKU: "SOAP-1", Name: "Handmade soap", Quantity: 1, UnitPrice: 2590}}},
				{ID: "579000000000000102", Status: "paid", Currency: "MYR", Placed: "2026-03-06T18:00:00Z", Customer: "C** D***",
					ShipTo:   data.Address{Name: "C** D***", Line1: "1* J***n S**", City: "Petaling Jaya", Region: "Selangor", Country: "Malaysia"},
					Subtotal: 5180, Total: 5180, Lines: []data.OrderLine{{SKU: "SOAP-1", Name: "Handmade soap", Quantity: 2, UnitPrice: 2590}}},
			},
			problems: []string{`Created Time "05/03/2026 10:22:33": no date in the file shows whether it is day/month or month/day (none has a day above 12 or AM/PM), ` +
				`so all were read as day/month (DD/MM/YYYY), as TikTok writes them outside the US; if the shop is in the US, check the order dates`},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			compareOrders(t, "tiktok", collect(t, openTikTok(t, tc.file, nil, tc.currency, tc.loc)), tc.want, tc.problems)
		})
	}
}

func TestTikTokOrders_TrailingTab(t *testing.T) {
	// The tab TikTok appends to ids and times is part of the cell as the table reads it; the reader
	// trims it.
	f := openTikTok(t, "tiktok_orders_vn.csv", nil, "VND", nil)
	if cell := f.Preview[0].Cell(f.header.col("Order ID")); cell != "578123456789012345\t" {
		t.Fatalf("Order ID cell %q, want the tab kept by the table layer", cell)
	}
	got := orders(t, collect(t, f))
	if got[0].ExternalID != "578123456789012345" || got[0].Lines[0].SKU != "TEE-WHT-M" || got[0].PlacedAt.IsZero() {
		t.Errorf("tab not trimmed: %+v", got[0])
	}
}

func TestTikTokOrders_ExcelDamaged(t *testing.T) {
	// Saved again by Excel: the tabs are gone, one id is in scientific notation, one was cut to 15
	// digits, the ZIP lost its zero, and times are m/d/yyyy h:mm (month first, since 3/15 cannot be
	// day first).
	items := collect(t, openTikTok(t, "tiktok_orders_excel.csv", nil, "USD", nil))
	want := []string{
		`row 2, Order ID "5.76543E+17": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
		`row 3, Order ID "576543210987654000": ends in zeros after its 15th digit and lacks the tab TikTok puts after ids; a spreadsheet program may have cut it to 15 digits. Compare it with the order in TikTok Seller Center`,
		`row 3, Zipcode "2134": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 02134`,
	}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if o := items[1].Order; o == nil || o.PlacedAt.Format(time.RFC3339) != "2026-03-01T10:00:00Z" || o.ShippedAt.Format(time.RFC3339) != "2026-03-02T17:10:00Z" {
		t.Errorf("second order = %+v", o)
	}

	s := testStore(t)
	res := importInto(t, s, openTikTok(t, "tiktok_orders_excel.csv", nil, "USD", nil), data.ImportOptions{})
	if res.Committed || len(res.Errors) != 1 || res.OrdersNew != 0 {
		t.Fatalf("a file with errors must write nothing: %+v", res)
	}
	assertNoOrders(t, s)
}

func TestTikTokOrders_XLSXNumericID(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	header := strings.Split(tiktokVNHeader, ",")
	// Excel keeps 15 significant digits of a number: 576543210987654321 is stored as 576543210987654000.
	values := map[string]any{"Order ID": int64(576543210987654000), "Order Status": "To ship", "Seller SKU": "MUG-OLIVE", "Product Name": "Stoneware mug",
		"Quantity": 1, "SKU Unit Original Price": 14, "Order Amount": 14, "Created Time": "25/06/2026 13:03:57"}
	for i, name := range header {
		top, _ := excelize.CoordinatesToCellName(i+1, 1)
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		if err := x.SetCellValue("Sheet1", top, name); err != nil {
			t.Fatal(err)
		}
		if v, ok := values[name]; ok {
			if err := x.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	items := collect(t, openTikTok(t, "All order-2026-06-25.xlsx", b.Bytes(), "USD", nil))
	want := []string{`row 2, Order ID "576543210987654000": this id was stored as a number, which keeps only 15 digits, so its last digits may be wrong; format the column as Text and export again`}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTikTokOrders_DateOrder(t *testing.T) {
	row := func(id, created string) map[string]string {
		return map[string]string{"Order ID": id + "\t", "Order Status": "Shipped", "Seller SKU": "A", "Product Name": "A", "Quantity": "1",
			"SKU Unit Original Price": "1.00", "Order Amount": "1.00", "Created Time": created + "\t"}
	}
	for _, tc := range []struct {
		name    string
		created []string
		want    []string
		warning bool
	}{
		{"day above 12 first", []string{"05/03/2026 10:00:00", "25/03/2026 10:00:00"}, []string{"2026-03-05T10:00:00Z", "2026-03-25T10:00:00Z"}, false},
		{"day above 12 second", []string{"05/03/2026 10:00:00", "03/25/2026 10:00:00"}, []string{"2026-05-03T10:00:00Z", "2026-03-25T10:00:00Z"}, false},
		{"AM/PM", []string{"05/03/2026 10:00:00 PM", "01/02/2026 12:30:00 AM"}, []string{"2026-05-03T22:00:00Z", "2026-01-02T00:30:00Z"}, false},
		{"ambiguous", []string{"05/03/2026 10:00:00", "01/02/2026 09:00:00"}, []string{"2026-03-05T10:00:00Z", "2026-02-01T09:00:00Z"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rows []map[string]string
			for i, c := range tc.created {
				rows = append(rows, row("57900000000000010"+string(rune('1'+i)), c))
			}
			items := collect(t, openTikTok(t, "orders.csv", csvFile(tiktokVNHeader, rows...), "USD", nil))
			got := orders(t, items)
			for i, o := range got {
				if at := o.PlacedAt.Format(time.RFC3339); at != tc.want[i] {
					t.Errorf("order %d placed %s, want %s", i, at, tc.want[i])
				}
			}
			if warned := len(problems(items)) == 1; warned != tc.warning {
				t.Errorf("problems %q, want a warning: %v", problems(items), tc.warning)
			}
		})
	}
	// Day first in a file where another date is month first: the odd one out cannot be read.
	items := collect(t, openTikTok(t, "orders.csv", csvFile(tiktokVNHeader, row("579000000000000101", "25/03/2026 10:00:00"), row("579000000000000102", "03/25/2026 10:00:00")), "USD", nil))
	want := []string{`row 3, Created Time "03/25/2026 10:00:00\t": is not a date like 29/3/2025 14:49:50 or 29/3/2025 14:49`}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTikTokOrders_StatusesAndMoney(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  data.Status
		known bool
	}{
		{"Unpaid", data.StatusNew, true}, {"On hold", data.StatusPaid, true}, {"To ship", data.StatusPaid, true},
		{"Awaiting shipment", data.StatusPaid, true}, {"AWAITING_COLLECTION", data.StatusPaid, true}, {"Shipped", data.StatusShipped, true},
		{"In transit", data.StatusShipped, true}, {"Delivered", data.StatusDelivered, true}, {"Completed", data.StatusDelivered, true},
		{"Cancelled", data.StatusCancelled, true}, {"จัดส่งแล้ว", data.StatusShipped, true}, {"Đã hủy", data.StatusCancelled, true},
		{"Selesai", data.StatusDelivered, true}, {"Por enviar", data.StatusPaid, true}, {"Gesendet", "", false},
	} {
		if got, known := tiktokStatus(tc.in); got != tc.want || known != tc.known {
			t.Errorf("tiktokStatus(%q) = %q, %v; want %q, %v", tc.in, got, known, tc.want, tc.known)
		}
	}

	base := map[string]string{"Order ID": "579000000000000201\t", "Seller SKU": "A", "Product Name": "A", "Quantity": "1",
		"SKU Unit Original Price": "$10.00", "Order Amount": "$12.00", "Shipping Fee After Discount": "$2.00", "Created Time": "25/03/2026 10:00:00\t"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	b := csvFile(tiktokVNHeader,
		with(map[string]string{"Order Status": "Gesendet", "Shipped Time": "26/03/2026 10:00:00"}),
		with(map[string]string{"Order Status": "Gesendet", "Order Amount": "$13.00", "Seller SKU": "B", "Quantity": "0"}),
		with(map[string]string{"Order ID": "579000000000000202", "Order Status": "Wartend", "Order Amount": "EUR 12.00", "SKU Unit Original Price": "£10.00", "Shipping Fee After Discount": ""}),
	)
	items := collect(t, openTikTok(t, "orders.csv", b, "CAD", nil))
	want := []string{
		`row 2, Order Status "Gesendet": is not an order status Backroom knows; the order was read as shipped from its times`,
		`row 3, Order Amount "$13.00": this row of order 579000000000000201 has a different Order Amount than its first row; the first row's C$12.00 is taken as the order's total`,
		`row 3, Quantity "0": the quantity must be at least 1`,
		`row 4, Order Status "Wartend": is not an order status Backroom knows; the order was read as new from its times`,
		`row 4, SKU Unit Original Price "£10.00": the amount is in GBP but the order is in EUR`,
	}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A bare $ in a Canadian shop's file is the shop's dollar; a stated code wins over the shop's.
	if o := items[0].Order; o.Currency != "CAD" || o.Total != 1200 || o.Shipping != 200 || o.Status != data.StatusShipped {
		t.Errorf("first order = %+v", o)
	}
	if o := items[1].Order; o.Currency != "EUR" || o.Total != 1200 {
		t.Errorf("second order = %+v", o)
	}
}

func TestTikTokOrders_IntoStore(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file, currency string
		orders         int
	}{
		{"tiktok_orders_vn.csv", "VND", 3}, {"tiktok_orders_th.csv", "THB", 2}, {"tiktok_orders_us.csv", "USD", 2}, {"tiktok_orders_ambiguous.csv", "MYR", 2},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := testStore(t)
			res := importInto(t, s, openTikTok(t, tc.file, nil, tc.currency, nil), data.ImportOptions{})
			if !res.Committed || res.OrdersNew != tc.orders || len(res.Errors) != 0 {
				t.Fatalf("first import: %+v", res)
			}
			again := importInto(t, s, openTikTok(t, tc.file, nil, tc.currency, nil), data.ImportOptions{})
			if again.OrdersUnchanged != tc.orders || again.OrdersNew+again.OrdersUpdated != 0 {
				t.Fatalf("second import of the same file: %+v", again)
			}
			if n, err := s.CountOrders(ctx, data.OrderFilter{Channel: "tiktok"}); err != nil || n != tc.orders {
				t.Errorf("%d TikTok orders (%v), want %d", n, err, tc.orders)
			}
		})
	}
}

func TestTikTokOrders_LaterExport(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	if _, err := s.AddVariant(ctx, data.NewVariant{SKU: "TEA-TIN", ProductName: "Earl Grey tea tin", Price: 1299, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdjustStock(ctx, data.Adjustment{SKU: "TEA-TIN", Delta: 5, Reason: data.ReasonReceipt, Note: "delivery"}); err != nil {
		t.Fatal(err)
	}
	importInto(t, s, openTikTok(t, "tiktok_orders_us.csv", nil, "USD", nil), data.ImportOptions{})
	if l, _ := s.StockLevel(ctx, "TEA-TIN"); l.OnHand != 5 || l.Reserved != 1 {
		t.Errorf("TEA-TIN = %+v, want 5 on hand and 1 held", l)
	}
	res := importInto(t, s, openTikTok(t, "tiktok_orders_us_later.csv", nil, "USD", nil), data.ImportOptions{})
	if res.OrdersUpdated != 1 || res.OrdersNew != 0 {
		t.Fatalf("later export: %+v", res)
	}
	o, err := s.OrderByKey(ctx, "tiktok", "576543210987654322")
	if err != nil || o.Status != data.StatusDelivered || o.DeliveredAt.IsZero() || o.ShippedAt.IsZero() {
		t.Fatalf("576543210987654322 = %+v (%v), want delivered", o, err)
	}
	if l, _ := s.StockLevel(ctx, "TEA-TIN"); l.OnHand != 4 || l.Reserved != 0 {
		t.Errorf("TEA-TIN = %+v, want 4 on hand once delivered", l)
	}
	if n, _ := s.CountOrders(ctx, data.OrderFilter{Channel: "tiktok"}); n != 2 {
		t.Errorf("%d TikTok orders, want 2: nothing duplicated", n)
	}
	importInto(t, s, openTikTok(t, "tiktok_orders_us.csv", nil, "USD", nil), data.ImportOptions{})
	if o, _ := s.OrderByKey(ctx, "tiktok", "576543210987654322"); o.Status != data.StatusDelivered {
		t.Errorf("status went back to %s after an older export", o.Status)
	}
}

func FuzzTikTokOrders(f *testing.F) {
	fuzzFixtureSeeds(f, "tiktok_")
	f.Add([]byte("\ufeff" + tiktokVNHeader + "\n1\t,x,,,,,,,,1,,1,,,,,,,,,,,1,,1/1/2026 1:00:00 PM\t\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzOpenAndRead(t, b, Options{Currency: "VND"})
	})
}
