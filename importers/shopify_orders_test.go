package importers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

// shopifyHeader is the current 79-column header of Admin › Orders › Export.
const shopifyHeader = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"

func TestShopifyOrders_2025Export(t *testing.T) {
	f := openFixture(t, "shopify_orders_2025.csv")
	if f.FormatID() != "shopify-orders" || f.HeaderAt != 1 || len(f.Header) != 79 {
		t.Fatalf("format %s, header at %d with %d columns", f.FormatID(), f.HeaderAt, len(f.Header))
	}
	items := collect(t, f)
	got := orders(t, items)
	if len(got) != 5 {
		t.Fatalf("%d orders, want 5", len(got))
	}
	o := got[0]
	wantPlaced := time.Date(2025, 3, 29, 14, 49, 49, 0, time.FixedZone("", -7*3600))
	if o.ExternalID != "#1080" || o.Channel != "shopify" || o.Status != data.StatusPaid || o.Currency != "CAD" ||
		!o.PlacedAt.Equal(wantPlaced) || o.Subtotal != 6698 || o.Shipping != 999 || o.Tax != 1001 || o.Total != 8698 ||
		o.CustomerName != "Jane Example" || o.CustomerEmail != "jane@example.com" || o.ShipTo.City != "Toronto" || o.ShipTo.Postcode != "M5V 2T6" {
		t.Errorf("#1080 = %+v", o)
	}
	if _, off := o.PlacedAt.Zone(); off != -7*3600 {
		t.Errorf("#1080 placed at %v, want the -0700 offset kept", o.PlacedAt)
	}
	wantLines := []data.OrderLine{
		{Name: "Premium Neocaridina Community Pack - 6", Quantity: 1, UnitPrice: 3800},
		{SKU: "MOSS-XMAS", Name: "Vesicularia dubyana 'Christmas Moss ' 1-2-Grow", Quantity: 2, UnitPrice: 1449},
	}
	if len(o.Lines) != 2 || o.Lines[0] != wantLines[0] || o.Lines[1] != wantLines[1] {
		t.Errorf("#1080 lines = %+v, want %+v (totals once, not per row)", o.Lines, wantLines)
	}
	if o := got[1]; o.ExternalID != "#1087" || o.Status != data.StatusShipped || o.ShipTo.Postcode != "02155" ||
		o.ShipTo.Line1 != "3 Example Street West" || o.ShipTo.Line2 != "1116" || o.Total != 18476 || o.ShippedAt.IsZero() ||
		len(o.Lines) != 1 || o.Lines[0].Name != "ShrimpSafe™ Net" || o.Lines[0].Quantity != 4 {
		t.Errorf("#1087 (apostrophe zip, newlines in Note Attributes) = %+v", o)
	}
	if o := got[2]; o.ExternalID != "#1088" || o.Status != data.StatusPaid || len(o.Lines) != 3 || o.Discount != 500 ||
		o.Total != 5335 || o.ShipTo.City != "Montréal" || o.Lines[2].Name != "Gift wrapping" || o.Lines[2].SKU != "" {
		t.Errorf("#1088 (partially refunded, partly fulfilled, item without SKU) = %+v", o)
	}
	if o := got[3]; o.ExternalID != "#1089" || o.Status != data.StatusCancelled {
		t.Errorf("#1089 (cancelled) = %+v", o)
	}
	if o := got[4]; o.ExternalID != "#D12" || o.Status != data.StatusCancelled || o.Total != 700000 || o.Lines[0].Quantity != 10 {
		t.Errorf("#D12 (expired draft) = %+v", o)
	}
}

func TestShopifyOrders_OlderHeaders(t *testing.T) {
	for _, tc := range []struct {
		file     string
		columns  int
		currency string
		lines    int
		status   data.Status
	}{
		{"shopify_orders_2021.csv", 73, "USD", 2, data.StatusShipped},
		{"shopify_orders_2019.csv", 66, "GBP", 1, data.StatusPaid},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := openFixture(t, tc.file)
			if f.FormatID() != "shopify-orders" || len(f.Header) != tc.columns {
				t.Fatalf("format %s with %d columns", f.FormatID(), len(f.Header))
			}
			got := orders(t, collect(t, f))
			if len(got) != 1 || got[0].Currency != tc.currency || len(got[0].Lines) != tc.lines || got[0].Status != tc.status || got[0].Total != 8698 {
				t.Fatalf("orders = %+v", got)
			}
		})
	}
}

func TestShopifyOrders_IntoStore(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	for _, v := range []data.NewVariant{
		{SKU: "MOSS-XMAS", ProductName: "Christmas moss", Price: 1449, Currency: "CAD"},
		{SKU: "NET-01", ProductName: "ShrimpSafe net", Price: 4619, Currency: "CAD"},
	} {
		if _, err := s.AddVariant(ctx, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AdjustStock(ctx, data.Adjustment{SKU: v.SKU, Delta: 20, Reason: data.ReasonReceipt, Note: "delivery"}); err != nil {
			t.Fatal(err)
		}
	}
	res := importInto(t, s, openFixture(t, "shopify_orders_2025.csv"), data.ImportOptions{})
	if res.OrdersNew != 5 || res.Lines != 8 || !res.Committed || len(res.Errors) != 0 {
		t.Fatalf("first import: %+v", res)
	}
	// #1087 shipped 4 nets; #1080 holds 2 moss back.
	if l, _ := s.StockLevel(ctx, "NET-01"); l.OnHand != 16 {
		t.Errorf("NET-01 on hand %d, want 16 after the shipped order", l.OnHand)
	}
	if l, _ := s.StockLevel(ctx, "MOSS-XMAS"); l.OnHand != 20 || l.Reserved != 2 {
		t.Errorf("MOSS-XMAS = %+v, want 20 on hand and 2 reserved", l)
	}
	again := importInto(t, s, openFixture(t, "shopify_orders_2025.csv"), data.ImportOptions{})
	if again.OrdersUnchanged != 5 || again.OrdersNew+again.OrdersUpdated != 0 {
		t.Fatalf("second import of the same file: %+v", again)
	}
	if l, _ := s.StockLevel(ctx, "NET-01"); l.OnHand != 16 {
		t.Errorf("NET-01 on hand %d after the same file twice, want 16", l.OnHand)
	}

	// A later export: #1080 has been fulfilled since.
	b := readFixture(t, "shopify_orders_2025.csv")
	later := strings.Replace(string(b), "#1080,jane@example.com,paid,2025-03-29 14:49:50 -0700,unfulfilled,,",
		"#1080,jane@example.com,paid,2025-03-29 14:49:50 -0700,fulfilled,2025-03-31 10:00:00 -0700,", 1)
	if later == string(b) {
		t.Fatal("fixture changed: could not mark #1080 fulfilled")
	}
	res = importInto(t, s, openBytes(t, "orders_export_1.csv", []byte(later)), data.ImportOptions{})
	if res.OrdersUpdated != 1 || res.OrdersUnchanged != 4 || res.OrdersNew != 0 {
		t.Fatalf("later export: %+v", res)
	}
	if l, _ := s.StockLevel(ctx, "MOSS-XMAS"); l.OnHand != 18 || l.Reserved != 0 {
		t.Errorf("MOSS-XMAS = %+v, want 18 on hand and none reserved once shipped", l)
	}
	n, err := s.CountOrders(ctx, data.OrderFilter{Channel: "shopify"})
	if err != nil || n != 5 {
		t.Errorf("%d Shopify orders (%v), want 5: nothing duplicated", n, err)
	}
	// An older export arriving late moves nothing back.
	res = importInto(t, s, openFixture(t, "shopify_orders_2025.csv"), data.ImportOptions{})
	if o, _ := s.OrderByKey(ctx, "shopify", "#1080"); o.Status != data.StatusShipped {
		t.Errorf("#1080 went back to %s after an older export", o.Status)
	}
}

func TestShopifyOrders_RowErrors(t *testing.T) {
	bad := csvFile(shopifyHeader,
		map[string]string{"Name": "#2001", "Email": "a@example.com", "Financial Status": "paid", "Fulfillment Status": "unfulfilled",
			"Currency": "USD", "Total": "10.00", "Created at": "2025-05-01 10:00:00 -0400",
			"Lineitem quantity": "1", "Lineitem name": "Mug", "Lineitem price": "10.00", "Lineitem sku": "MUG"},
		map[string]string{"Name": "#2002", "Email": "b@example.com", "Financial Status": "paid", "Fulfillment Status": "unfulfilled",
			"Currency": "USD", "Total": "twelve", "Created at": "01/05/2025",
			"Lineitem quantity": "two", "Lineitem name": "Tea", "Lineitem price": "12.00"},
		map[string]string{"Name": "#2003", "Email": "c@example.com", "Created at": "2025-05-01 10:00:00 -0400",
			"Lineitem quantity": "1", "Lineitem name": "Tea", "Lineitem price": "12.00"},
	)
	got := problems(collect(t, openBytes(t, "orders_export.csv", bad)))
	want := []string{
		`row 3, Created at "01/05/2025": a spreadsheet program rewrote this date in its own format (the export writes it like 2025-03-29 14:49:50 -0700), so its day, month or time zone cannot be trusted; export the file again and import it without saving it in Excel`,
		`row 3, Total "twelve": is not an amount of money`,
		`row 3, Lineitem quantity "two": the quantity is not a whole number`,
		`row 4, Name "#2003": only item rows of this order are in the file; its first row, with the totals and status, is missing`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	s := testStore(t)
	res := importInto(t, s, openBytes(t, "orders_export.csv", bad), data.ImportOptions{})
	if res.Committed || len(res.Errors) != 4 || res.OrdersNew != 0 {
		t.Fatalf("a file with errors must write nothing: %+v", res)
	}
	if n, _ := s.CountOrders(context.Background(), data.OrderFilter{}); n != 0 {
		t.Fatalf("%d orders written from a refused file", n)
	}
	res = importInto(t, s, openBytes(t, "orders_export.csv", bad), data.ImportOptions{SkipInvalid: true})
	if !res.Committed || res.OrdersNew != 1 || res.Skipped != 2 {
		t.Fatalf("skipping the invalid orders: %+v", res)
	}
}
