package importers

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// orderFacts is what a test asserts of an imported order: times as RFC 3339 text, so their offsets are
// compared too, and "" for a time the file does not give.
type orderFacts struct {
	ID, Status, Currency                     string
	Placed, Paid, ShipBy, Shipped, Delivered string
	Customer, Email                          string
	ShipTo                                   data.Address
	Subtotal, Shipping, Tax, Discount, Total int64
	Lines                                    []data.OrderLine
}

func factsOf(o data.Order) orderFacts {
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	return orderFacts{ID: o.ExternalID, Status: string(o.Status), Currency: o.Currency,
		Placed: at(o.PlacedAt), Paid: at(o.PaidAt), ShipBy: at(o.ShipBy), Shipped: at(o.ShippedAt), Delivered: at(o.DeliveredAt),
		Customer: o.CustomerName, Email: o.CustomerEmail, ShipTo: o.ShipTo,
		Subtotal: o.Subtotal, Shipping: o.Shipping, Tax: o.Tax, Discount: o.Discount, Total: o.Total, Lines: o.Lines}
}

// compareOrders checks every order of items against want, and the problems against wantProblems.
func compareOrders(t *testing.T, channel string, items []data.ImportItem, want []orderFacts, wantProblems []string) {
	t.Helper()
	gotProblems := problems(items)
	if strings.Join(gotProblems, "\n") != strings.Join(wantProblems, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(gotProblems, "\n"), strings.Join(wantProblems, "\n"))
	}
	got := orders(t, items)
	if len(got) != len(want) {
		t.Errorf("%d orders, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i].Channel != channel {
			t.Errorf("order %s: channel %q, want %q", got[i].ExternalID, got[i].Channel, channel)
		}
		if g := factsOf(got[i]); !reflect.DeepEqual(g, want[i]) {
			t.Errorf("order %d:\n got %+v\nwant %+v", i, g, want[i])
		}
	}
}

func TestAmazonOrders_Detect(t *testing.T) {
	for _, tc := range []struct{ file, format, layout string }{
		{"amazon_all_orders.txt", "amazon-all-orders", "tab-separated text"},
		{"amazon_all_orders_2024.txt", "amazon-all-orders", "tab-separated text"},
		{"amazon_order_report_us.txt", "amazon-order-report", "tab-separated text"},
		{"amazon_order_report_eu.txt", "amazon-order-report", "tab-separated text, Windows-1252 text"},
		{"amazon_unshipped_in.txt", "amazon-unshipped", "tab-separated text"},
		{"amazon_unshipped_doc.txt", "amazon-unshipped", "tab-separated text"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := openFixture(t, tc.file)
			collect(t, f) // the layout learns the encoding as rows are read
			if f.FormatID() != tc.format || f.Format.Channel != "amazon" || f.Format.Kind != KindOrders || f.Layout != tc.layout {
				t.Errorf("format %s (%s), layout %q; want %s, %q", f.FormatID(), f.FormatName(), f.Layout, tc.format, tc.layout)
			}
		})
	}
}

func TestAmazonOrders_Fixtures(t *testing.T) {
	us := func(city, state, zip string) data.Address {
		return data.Address{City: city, Region: state, Postcode: zip, Country: "US"}
	}
	jane := data.Address{Name: "Jane Example", Line1: "1 Example Street", Line2: "Apt 4, c/o Example Co", City: "Exampleton", Region: "NY", Postcode: "10001", Country: "US"}
	for _, tc := range []struct {
		file     string
		want     []orderFacts
		problems []string
	}{
		{
			// Classic 32 columns: a multi-item order whose item-price is the line total, a Pending order
			// with no price or currency yet (and a row cut short), a cancelled order, a shipped order with
			// a cancelled item and gift wrap, and a Multi-Channel Fulfillment order sold elsewhere.
			file: "amazon_all_orders.txt",
			want: []orderFacts{
				{ID: "113-4521987-1234502", Status: "shipped", Currency: "USD", Placed: "2025-07-30T08:34:47Z",
					ShipTo: us("EXAMPLEVILLE", "WA", "98101"), Subtotal: 2998, Shipping: 499, Tax: 280, Discount: 200, Total: 3577,
					Lines: []data.OrderLine{
						{SKU: "RUL-12", Name: `12" ruler, stainless steel`, Quantity: 2, UnitPrice: 999},
						{SKU: "TEA-TIN", Name: "Earl Grey tea tin, 3 x 50g", Quantity: 3, UnitPrice: 333},
					}},
				{ID: "114-0149180-7966659", Status: "new", Currency: "USD", Placed: "2025-07-31T10:00:00Z", ShipTo: us("Springfield", "IL", "62701"),
					Lines: []data.OrderLine{{SKU: "MUG-OLIVE", Name: `Stoneware mug "Olive"`, Quantity: 1}}},
				{ID: "403-7781234-5566778", Status: "cancelled", Currency: "EUR", Placed: "2025-08-01T09:12:40+02:00",
					ShipTo: data.Address{City: "MILANO", Region: "MI", Postcode: "20121", Country: "IT"}},
				{ID: "111-2222222-3333333", Status: "shipped", Currency: "USD", Placed: "2025-08-02T18:30:00-07:00",
					ShipTo: us("BOSTON", "MA", "02134-1234"), Subtotal: 2500, Shipping: 899, Tax: 181, Total: 3580,
					Lines: []data.OrderLine{{SKU: "WHISK-BAMBOO", Name: "Bamboo whisk", Quantity: 1, UnitPrice: 2500}}},
			},
			problems: []string{
				`row 3, item-price "10.00": is the price of all 3 units and does not divide evenly; the unit price was rounded to $3.33 and the order's subtotal keeps the exact amount`,
				`row 7, item-status "Cancelled": this item of order 111-2222222-3333333 was cancelled; it and its amounts are left out of the order`,
				`row 8, sales-channel "Non-Amazon": order S01-1234567-7654321 was sold on another channel (its number there is "#1080") and only shipped by Amazon, so it is left out here; import it from the channel that sold it`,
			},
		},
		{
			// The 2024+ superset: Easy Ship's "Shipped - Delivered to Buyer", Handmade personalisation
			// columns, a positive promotion discount.
			file: "amazon_all_orders_2024.txt",
			want: []orderFacts{
				{ID: "408-4870009-9733125", Status: "delivered", Currency: "INR", Placed: "2025-07-30T08:34:47Z",
					ShipTo:   data.Address{City: "EXAMPLE CITY", Region: "EXAMPLE STATE", Postcode: "100001", Country: "IN"},
					Subtotal: 149900, Tax: 22866, Total: 172766,
					Lines: []data.OrderLine{{SKU: "ARB_B0B79CYVTM", Name: "VSN Noise Gate Pedal, Noise Killer Guitar Pedal", Quantity: 1, UnitPrice: 149900}}},
				{ID: "112-9876543-2109876", Status: "paid", Currency: "USD", Placed: "2025-09-14T21:05:09-07:00", ShipTo: us("PORTLAND", "OR", "97205"),
					Subtotal: 8250, Shipping: 800, Discount: 125, Total: 8925,
					Lines: []data.OrderLine{
						{SKU: "BOARD-CUSTOM", Name: "Personalised cutting board", Quantity: 2, UnitPrice: 3500},
						{SKU: "OIL-250", Name: "Board oil, 250 ml", Quantity: 1, UnitPrice: 1250},
					}},
			},
		},
		{
			// The sample row of a real 2017 US download, then a two-item order whose last row stops early.
			file: "amazon_order_report_us.txt",
			want: []orderFacts{
				{ID: "114-0149180-7966659", Status: "paid", Currency: "USD", Placed: "2017-09-23T14:18:23-07:00", Paid: "2017-09-23T14:18:23-07:00",
					Customer: "John Example", Email: "0example0buyer1@marketplace.amazon.com",
					ShipTo:   data.Address{Name: "John Example", Line1: "1 Example Rd", City: "Exampleville", Region: "KY", Postcode: "12345", Country: "US"},
					Subtotal: 988, Total: 988,
					Lines: []data.OrderLine{{SKU: "AUSC2A13-02", Name: "Mens Summer Cotton No Embroidery Visor Bucket Hats Fisherman Hat Outdoor Climbing", Quantity: 1, UnitPrice: 988}}},
				{ID: "113-5550101-2020202", Status: "paid", Currency: "USD", Placed: "2017-09-24T08:01:02-07:00", Paid: "2017-09-24T08:01:05-07:00",
					Customer: "Jane Example", Email: "0example0buyer3@marketplace.amazon.com", ShipTo: jane,
					Subtotal: 2498, Shipping: 499, Tax: 240, Total: 3237,
					Lines: []data.OrderLine{
						{SKU: "RUL-12", Name: `12" ruler, stainless steel`, Quantity: 2, UnitPrice: 999},
						{SKU: "TEA-TIN", Name: "Earl Grey tea tin, 3 x 50g", Quantity: 1, UnitPrice: 500},
					}},
			},
		},
		{
			// The EU variant as Amazon.de serves it: Windows-1252 (ü is the byte 0xFC), CRLF line ends,
			// promotions written as negative amounts.
			file: "amazon_order_report_eu.txt",
			want: []orderFacts{
				{ID: "302-1234567-8901234", Status: "paid", Currency: "EUR", Placed: "2025-03-05T10:22:33+01:00", Paid: "2025-03-05T10:25:00+01:00",
					Customer: "Jürgen Müller", Email: "0example0buyer4@marketplace.amazon.de",
					ShipTo:   data.Address{Name: "Jürgen Müller", Line1: "Beispielstraße 1", City: "München", Region: "Bayern", Postcode: "80331", Country: "DE"},
					Subtotal: 6747, Shipping: 490, Tax: 1156, Discount: 1090, Total: 7303,
					Lines: []data.OrderLine{
						{SKU: "STAND-3", Name: "Tischständer mit Metallfüßen, 3 Stück", Quantity: 3, UnitPrice: 1999},
						{SKU: "BRUSH-1", Name: "Bürste »Classic«", Quantity: 1, UnitPrice: 750},
					}},
			},
		},
		{
			// A real Amazon.in 2025 download: no money columns, so the currency comes from the buyer's
			// relay address; promise-date is the ship-by date.
			file: "amazon_unshipped_in.txt",
			want: []orderFacts{
				{ID: "408-4870009-9733125", Status: "paid", Currency: "INR", Placed: "2025-07-30T08:34:47Z", Paid: "2025-07-30T08:34:47Z",
					ShipBy: "2025-08-21T18:29:59Z", Customer: "Jane Example", Email: "0example0buyer2@marketplace.amazon.in",
					ShipTo: data.Address{Name: "Jane Example", Line1: "1 Example Street", Line2: "Example Colony, Example Area", City: "EXAMPLE CITY",
						Region: "EXAMPLE STATE", Postcode: "100001", Country: "IN"},
					Lines: []data.OrderLine{{SKU: "ARB_B0B79CYVTM", Name: "VSN Noise Gate Pedal, Noise Killer Guitar Pedal", Quantity: 1}}},
				{ID: "171-5550000-1112223", Status: "paid", Currency: "INR", Placed: "2025-07-29T12:00:00Z", Paid: "2025-07-29T12:00:05Z",
					ShipBy: "2025-08-02T18:29:59Z", Customer: "Ravi Example", Email: "0example0buyer5@marketplace.amazon.in",
					ShipTo: data.Address{Name: "Ravi Example", Line1: "2 Example Road", City: "PUNE", Region: "MAHARASHTRA", Postcode: "411001", Country: "IN"},
					Lines: []data.OrderLine{
						{SKU: "CABLE-3M", Name: "Guitar cable 3 m", Quantity: 3},
						{SKU: "PICKS-12", Name: "Guitar picks, pack of 12", Quantity: 1},
					}},
			},
			problems: []string{`row 3, quantity-to-ship "2": 2 of the 3 ordered are still to ship; the order lists all 3`},
		},
		{
			// The documented header: no buyer-name (the recipient names the customer), ends with is-prime.
			file: "amazon_unshipped_doc.txt",
			want: []orderFacts{
				{ID: "113-5550101-2020202", Status: "paid", Currency: "USD", Placed: "2017-09-24T08:01:02-07:00", Paid: "2017-09-24T08:01:05-07:00",
					ShipBy: "2017-09-27T23:59:59-07:00", Customer: "Jane Example", Email: "0example0buyer3@marketplace.amazon.com", ShipTo: jane,
					Lines: []data.OrderLine{
						{SKU: "RUL-12", Name: `12" ruler, stainless steel`, Quantity: 2},
						{SKU: "TEA-TIN", Name: "Earl Grey tea tin, 3 x 50g", Quantity: 1},
					}},
			},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			compareOrders(t, "amazon", collect(t, openFixture(t, tc.file)), tc.want, tc.problems)
		})
	}
}

// TestAmazonOrders_CP1252 builds the Windows-1252 case byte by byte, so no editor or generator can have
// turned 0xFC into UTF-8 on the way.
func TestAmazonOrders_CP1252(t *testing.T) {
	header := "order-id\torder-item-id\tpurchase-date\tpayments-date\tbuyer-email\tbuyer-name\tsku\tproduct-name\tquantity-purchased\tcurrency\titem-price\tship-city\tship-country"
	row := "302-1234567-8901234\t40123456789012\t2025-03-05T10:22:33+01:00\t2025-03-05T10:25:00+01:00\t0x@marketplace.amazon.de\tJ\xfcrgen Example\tRUL-12\t12\" Lineal\t1\tEUR\t4,99\tK\xf6ln\tDE"
	f := openBytes(t, "amazon.txt", []byte(header+"\r\n"+row+"\r\n"))
	got := orders(t, collect(t, f))
	if len(got) != 1 {
		t.Fatalf("%d orders, want 1", len(got))
	}
	o := got[0]
	if o.CustomerName != "Jürgen Example" || o.ShipTo.City != "Köln" || o.Lines[0].Name != `12" Lineal` || o.Lines[0].UnitPrice != 499 || o.Total != 499 {
		t.Errorf("order = %+v", o)
	}
	if !strings.Contains(f.Layout, "Windows-1252") {
		t.Errorf("layout %q does not say the file was Windows-1252", f.Layout)
	}
}

func TestAmazonOrders_ExcelDamaged(t *testing.T) {
	items := collect(t, openFixture(t, "amazon_order_report_excel.txt"))
	want := []string{
		`row 2, ship-postal-code "2134": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 02134`,
		`row 2, order-item-id "5.23365E+13": a spreadsheet program turned this number into scientific notation and its last digits are lost; export the file again and open it without Excel, or format the column as Text before saving`,
		`row 3, ship-postal-code "2134": a US ZIP code has five digits; a spreadsheet program dropped its leading zero, so it was read as 02134`,
	}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if items[0].Order != nil && items[0].Problems[1].Warning {
		t.Errorf("the damaged order-item-id must be an error")
	}
	// Without a payments-date the Order Report's order is not paid yet.
	if o := items[1].Order; o == nil || o.Status != data.StatusNew || o.ShipTo.Postcode != "02134" {
		t.Errorf("second order = %+v", o)
	}

	s := testStore(t)
	res := importInto(t, s, openFixture(t, "amazon_order_report_excel.txt"), data.ImportOptions{})
	if res.Committed || res.OrdersNew != 0 || len(res.Errors) != 1 || len(res.Warnings) != 2 {
		t.Fatalf("import of a damaged file: %+v", res)
	}
	assertNoOrders(t, s)
}

func TestAmazonOrders_BadFile(t *testing.T) {
	items := collect(t, openFixture(t, "amazon_all_orders_bad.txt"))
	want := []string{
		`row 3, purchase-date "02/08/2025 18:30": a spreadsheet program rewrote this date in its own format (the export writes it like 2025-03-29T14:49:50-07:00 or 2025-03-29T14:49:50), so its day, month or time zone cannot be trusted; export the file again and import it without saving it in Excel`,
		`row 3, quantity "two": the quantity is not a whole number`,
	}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := testStore(t)
	res := importInto(t, s, openFixture(t, "amazon_all_orders_bad.txt"), data.ImportOptions{})
	if res.Committed || len(res.Errors) != 2 || res.OrdersNew != 0 {
		t.Fatalf("a file with errors must write nothing: %+v", res)
	}
	assertNoOrders(t, s)
	res = importInto(t, s, openFixture(t, "amazon_all_orders_bad.txt"), data.ImportOptions{SkipInvalid: true})
	if !res.Committed || res.OrdersNew != 1 || res.Skipped != 1 {
		t.Fatalf("skipping the invalid order: %+v", res)
	}
}

func TestAmazonOrders_RowErrors(t *testing.T) {
	header := "order-id\torder-item-id\tpurchase-date\tpayments-date\tsku\tproduct-name\tquantity-purchased\tcurrency\titem-price"
	rows := []string{
		"\t11111111111111\t2025-03-05T10:22:33Z\t\tA\tA\t1\tUSD\t1.00",
		"111-1111111-1111111\t11111111111112\t\t\tA\tA\t0\tUSD\t1.00",
		"111-1111111-2222222\t1111111111111x\t2025-03-05T10:22:33Z\t\t\t\t1\tUS\t1.00",
		"111-1111111-3333333\t11111111111113\t2025-03-05T10:22:33Z\t\tB\tB\t1\tUSD\t1.00",
		"111-1111111-3333333\t11111111111114\t2025-03-05T10:22:33Z\t\tC\tC\t1\tEUR\t1.00",
		"42\t11111111111115\t2025-03-05T10:22:33Z\t\tD\tD\t1\tUSD\tabc",
	}
	items := collect(t, openBytes(t, "amazon.txt", []byte(header+"\n"+strings.Join(rows, "\n")+"\n")))
	want := []string{
		`row 2, order-id: the order id is empty`,
		`row 3, purchase-date: the date is empty`,
		`row 3, quantity-purchased "0": the quantity must be at least 1`,
		`row 4, currency "US": is not a currency code such as USD or EUR`,
		`row 4, order-item-id "1111111111111x": an order-item-id is a number of 14 digits`,
		`row 6, currency "EUR": the order's items are in two currencies, USD and EUR`,
		`row 7, order-id "42": Amazon order numbers are written like 113-4521987-1234502; this one is not, check that the file is an Amazon report`,
		`row 7, item-price "abc": is not an amount of money`,
	}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAmazonOrders_Statuses(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  data.Status
		known bool
	}{
		{"Pending", data.StatusNew, true},
		{"Pending - Waiting for Pick Up", data.StatusNew, true},
		{"Unshipped", data.StatusPaid, true},
		{"PartiallyShipped", data.StatusPaid, true},
		{"Shipping", data.StatusPaid, true},
		{"Shipped", data.StatusShipped, true},
		{"Shipped - Out for Delivery", data.StatusShipped, true},
		{"Shipped - Delivered to Buyer", data.StatusDelivered, true},
		{"Cancelled", data.StatusCancelled, true},
		{"Canceled", data.StatusCancelled, true},
		{"Unfulfillable", data.StatusPaid, false},
	} {
		if got, known := amazonStatus(tc.in); got != tc.want || known != tc.known {
			t.Errorf("amazonStatus(%q) = %s, %v; want %s, %v", tc.in, got, known, tc.want, tc.known)
		}
	}

	header := "amazon-order-id\tpurchase-date\torder-status\tproduct-name\tsku\tquantity\tcurrency\titem-price"
	items := collect(t, openBytes(t, "amazon.txt", []byte(header+"\n111-1111111-1111111\t2025-03-05T10:22:33Z\tUnfulfillable\tMug\tMUG\t1\tUSD\t9.00\n")))
	want := []string{`row 2, order-status "Unfulfillable": is not an order status Backroom knows (Pending, Unshipped, Shipped, Cancelled); the order was read as paid, to be shipped`}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") || items[0].Order.Status != data.StatusPaid {
		t.Fatalf("problems %q, status %s", got, items[0].Order.Status)
	}
}

// TestAmazonOrders_AllItemsCancelled reads the scrubbed production row of the reference: order-status
// Shipped, but its only item cancelled.
func TestAmazonOrders_AllItemsCancelled(t *testing.T) {
	header := "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\titem-promotion-discount\tship-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\tpromotion-ids\tis-business-order\tpurchase-order-number\tprice-designation"
	row := "171-1234567-1234567\t\t2017-06-17T08:04:21+00:00\t2017-06-18T22:07:59+00:00\tShipped\tAmazon\tAmazon.it\t\t\tSecondDay\tscrubbed\tscrubbed\tscrubbed\tCancelled\t1\tEUR\t89.95\t\t\t\t\t\t\t\tTOWNNAME\tGA\t12345-6789\tUS\t\tfalse\t\t"
	items := collect(t, openBytes(t, "amazon.txt", []byte(header+"\n"+row+"\n")))
	want := []string{`row 2, item-status "Cancelled": every item of order 171-1234567-1234567 was cancelled, so the order is read as cancelled although its order-status is Shipped`}
	if got := problems(items); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	o := orders(t, items)[0]
	if o.Status != data.StatusCancelled || len(o.Lines) != 1 || o.Lines[0].UnitPrice != 8995 || o.Currency != "EUR" || o.ShipTo.Postcode != "12345-6789" {
		t.Errorf("order = %+v", o)
	}
}

func TestAmazonOrders_UnitPriceRounding(t *testing.T) {
	for _, tc := range []struct {
		total, qty, unit int64
		exact            bool
	}{
		{1998, 2, 999, true}, {1000, 3, 333, false}, {2000, 3, 667, false},
		{5, 2, 2, false}, {7, 2, 4, false}, // halves go to the even cent
		{-1000, 3, -333, false}, {0, 4, 0, true},
	} {
		if unit, exact := roundHalfEven(tc.total, tc.qty); unit != tc.unit || exact != tc.exact {
			t.Errorf("roundHalfEven(%d, %d) = %d, %v; want %d, %v", tc.total, tc.qty, unit, exact, tc.unit, tc.exact)
		}
	}
}

func TestAmazonOrders_IntoStore(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file   string
		orders int
	}{
		{"amazon_all_orders.txt", 4}, {"amazon_all_orders_2024.txt", 2}, {"amazon_order_report_us.txt", 2},
		{"amazon_order_report_eu.txt", 1}, {"amazon_unshipped_in.txt", 2}, {"amazon_unshipped_doc.txt", 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := testStore(t)
			res := importInto(t, s, openFixture(t, tc.file), data.ImportOptions{})
			if !res.Committed || res.OrdersNew != tc.orders || len(res.Errors) != 0 {
				t.Fatalf("first import: %+v", res)
			}
			again := importInto(t, s, openFixture(t, tc.file), data.ImportOptions{})
			if again.OrdersUnchanged != tc.orders || again.OrdersNew+again.OrdersUpdated != 0 {
				t.Fatalf("second import of the same file: %+v", again)
			}
			if n, err := s.CountOrders(ctx, data.OrderFilter{Channel: "amazon"}); err != nil || n != tc.orders {
				t.Errorf("%d Amazon orders (%v), want %d", n, err, tc.orders)
			}
		})
	}
}

func TestAmazonOrders_LaterExport(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	if _, err := s.AddVariant(ctx, data.NewVariant{SKU: "MUG-OLIVE", ProductName: "Stoneware mug", Price: 1400, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdjustStock(ctx, data.Adjustment{SKU: "MUG-OLIVE", Delta: 10, Reason: data.ReasonReceipt, Note: "delivery"}); err != nil {
		t.Fatal(err)
	}
	importInto(t, s, openFixture(t, "amazon_all_orders.txt"), data.ImportOptions{})
	if l, _ := s.StockLevel(ctx, "MUG-OLIVE"); l.OnHand != 10 || l.Reserved != 1 {
		t.Errorf("MUG-OLIVE = %+v, want 10 on hand and 1 held for the pending order", l)
	}
	// A week later the pending order has been paid and shipped.
	res := importInto(t, s, openFixture(t, "amazon_all_orders_later.txt"), data.ImportOptions{})
	if res.OrdersUpdated != 1 || res.OrdersUnchanged != 1 || res.OrdersNew != 0 {
		t.Fatalf("later export: %+v", res)
	}
	o, err := s.OrderByKey(ctx, "amazon", "114-0149180-7966659")
	if err != nil || o.Status != data.StatusShipped || o.Total != 1400+112+399 || o.Lines[0].UnitPrice != 1400 {
		t.Fatalf("114-0149180-7966659 = %+v (%v), want shipped with its prices", o, err)
	}
	if l, _ := s.StockLevel(ctx, "MUG-OLIVE"); l.OnHand != 9 || l.Reserved != 0 {
		t.Errorf("MUG-OLIVE = %+v, want 9 on hand once shipped", l)
	}
	if n, _ := s.CountOrders(ctx, data.OrderFilter{Channel: "amazon"}); n != 4 {
		t.Errorf("%d Amazon orders, want 4: nothing duplicated", n)
	}
	// The older export arriving again moves nothing back.
	importInto(t, s, openFixture(t, "amazon_all_orders.txt"), data.ImportOptions{})
	if o, _ := s.OrderByKey(ctx, "amazon", "114-0149180-7966659"); o.Status != data.StatusShipped {
		t.Errorf("status went back to %s after an older export", o.Status)
	}
}

// TestAmazonOrders_ReportsTogether imports the three reports of the same order: each knows a part of
// it, and none may wipe what another gave.
func TestAmazonOrders_ReportsTogether(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	importInto(t, s, openFixture(t, "amazon_order_report_us.txt"), data.ImportOptions{})
	full, err := s.OrderByKey(ctx, "amazon", "113-5550101-2020202")
	if err != nil {
		t.Fatal(err)
	}
	// The Unshipped report adds the ship-by date and has no money.
	res := importInto(t, s, openFixture(t, "amazon_unshipped_doc.txt"), data.ImportOptions{})
	if res.OrdersUpdated != 1 {
		t.Fatalf("unshipped report: %+v", res)
	}
	o, _ := s.OrderByKey(ctx, "amazon", "113-5550101-2020202")
	if o.ShipBy.IsZero() || o.Total != full.Total || o.Currency != "USD" || o.Lines[0].UnitPrice != 999 || o.Lines[1].UnitPrice != 500 || o.ShipTo != full.ShipTo {
		t.Errorf("after the Unshipped report: %+v", o)
	}
	// The All Orders report knows only the city of the address; it must not wipe the street.
	all := "amazon-order-id\tpurchase-date\torder-status\tproduct-name\tsku\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tship-city\tship-state\tship-postal-code\tship-country\n" +
		"113-5550101-2020202\t2017-09-24T08:01:02-07:00\tShipped\t12\" ruler, stainless steel\tRUL-12\t2\tUSD\t19.98\t1.60\t4.99\t0.40\tExampleton\tNY\t10001\tUS\n" +
		"113-5550101-2020202\t2017-09-24T08:01:02-07:00\tShipped\tEarl Grey tea tin, 3 x 50g\tTEA-TIN\t1\tUSD\t5.00\t0.40\t0.00\t0.00\tExampleton\tNY\t10001\tUS\n"
	importInto(t, s, openBytes(t, "all.txt", []byte(all)), data.ImportOptions{})
	o, _ = s.OrderByKey(ctx, "amazon", "113-5550101-2020202")
	if o.Status != data.StatusShipped || o.ShipTo != full.ShipTo || o.CustomerName != "Jane Example" || o.Total != full.Total {
		t.Errorf("after the All Orders report: %+v", o)
	}
}

// TestAmazonOrders_Unquoted checks the table layer keeps Amazon's rows as they are: a quote is text, a
// row may end before the header does, and CRLF ends lines.
func TestAmazonOrders_Unquoted(t *testing.T) {
	header := "amazon-order-id\tpurchase-date\torder-status\tproduct-name\tsku\tquantity\tcurrency\titem-price\tship-city\tship-country"
	b := header + "\r\n" +
		"111-1111111-1111111\t2025-03-05T10:22:33Z\tShipped\t12\" ruler\tRUL-12\t1\tUSD\t9.99\r\n" +
		"111-1111111-2222222\t2025-03-05T10:22:33Z\tShipped\t\"Quoted\" name, with comma\tQ-1\t1\tUSD\t1.00\tOslo\tNO\r\n"
	got := orders(t, collect(t, openBytes(t, "amazon.txt", []byte(b))))
	if len(got) != 2 || got[0].Lines[0].Name != `12" ruler` || got[0].Lines[0].UnitPrice != 999 ||
		got[1].Lines[0].Name != `"Quoted" name, with comma` || got[1].ShipTo.Country != "NO" {
		t.Fatalf("orders = %+v", got)
	}
}

func assertNoOrders(t *testing.T, s *data.Store) {
	t.Helper()
	if n, err := s.CountOrders(context.Background(), data.OrderFilter{}); err != nil || n != 0 {
		t.Fatalf("%d orders in the store (%v) after a refused file, want none", n, err)
	}
}

// fuzzFixtureSeeds adds the fixtures whose names start with prefix to the corpus.
func fuzzFixtureSeeds(f *testing.F, prefix string) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "imports", prefix+"*"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no %s fixtures (%v)", prefix, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// fuzzOpenAndRead opens b and reads every item; it must not panic, and every problem must name a row.
func fuzzOpenAndRead(t *testing.T, b []byte, opts Options) {
	file, err := Open(bytes.NewReader(b), "fuzz.txt", opts)
	if err != nil {
		return
	}
	defer file.Close()
	for it := range file.Items(context.Background()) {
		if it.Order != nil && it.Order.ExternalID == "" {
			t.Fatalf("an order without an id: %+v", it.Order)
		}
		for _, p := range it.Problems {
			if p.Reason == "" {
				t.Fatalf("a problem without a reason: %+v", p)
			}
		}
	}
}

func FuzzAmazonOrders(f *testing.F) {
	fuzzFixtureSeeds(f, "amazon_")
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzOpenAndRead(t, b, Options{Currency: "USD"})
	})
}
