package ordermail

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
	"github.com/backroom-app/backroom/importers"
)

func zone(hours int) *time.Location { return time.FixedZone("", hours*3600) }

func readMail(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mail", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func parseFixture(tb testing.TB, name string) Message {
	tb.Helper()
	m, err := Parse(bytes.NewReader(readMail(tb, name)))
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func TestParse_Orders(t *testing.T) {
	for _, tc := range []struct {
		file      string
		forwarded bool
		want      data.Order
	}{
		{file: "shopify_order.eml", want: data.Order{
			Channel: "shopify", ExternalID: "#1080", Status: data.StatusPaid,
			PlacedAt:     time.Date(2025, 3, 29, 14, 49, 0, 0, zone(-7)),
			CustomerName: "Jane Example",
			ShipTo:       data.Address{Name: "Jane Example", Line1: "1 Example Street", City: "Toronto", Region: "ON", Postcode: "M5V 2T6", Country: "CA"},
			Currency:     "CAD", Subtotal: 6698, Shipping: 999, Tax: 1001, Total: 8698,
			Lines: []data.OrderLine{
				{LineNo: 1, Name: "Premium Neocaridina Community Pack - 6", Quantity: 1, UnitPrice: 3800},
				{LineNo: 2, SKU: "MOSS-XMAS", Name: "Vesicularia dubyana 'Christmas Moss ' 1-2-Grow", Quantity: 2, UnitPrice: 1449},
			},
		}},
		{file: "shopify_html_only.eml", want: data.Order{
			Channel: "shopify", ExternalID: "#1093", Status: data.StatusPaid,
			PlacedAt:     time.Date(2026, 11, 24, 9, 5, 0, 0, zone(-5)),
			CustomerName: "Sam Buyer",
			ShipTo:       data.Address{Name: "Sam Buyer", Line1: "22 Sample Road", Line2: "Apt 4", City: "Portland", Region: "ME", Postcode: "04101", Country: "US"},
			Currency:     "USD", Subtotal: 6100, Shipping: 650, Tax: 494, Discount: 500, Total: 6744,
			Lines: []data.OrderLine{
				{LineNo: 1, SKU: "MUG-BLU", Name: "Ceramic Mug - Blue", Quantity: 2, UnitPrice: 1800},
				{LineNo: 2, SKU: "MUG-SND", Name: "Ceramic Mug - Sand", Quantity: 1, UnitPrice: 1800},
				{LineNo: 3, Name: "Gift card", Quantity: 1, UnitPrice: 700},
			},
		}},
		{file: "etsy_order.eml", want: data.Order{
			Channel: "etsy", ExternalID: "4031122334", Status: data.StatusPaid,
			PlacedAt:     time.Date(2025, 4, 14, 10, 12, 5, 0, zone(-5)),
			ShipBy:       time.Date(2025, 4, 17, 0, 0, 0, 0, zone(-5)),
			CustomerName: "Ava Sample",
			ShipTo:       data.Address{Name: "Ava Sample", Line1: "12 Example Lane", City: "ANYTOWN", Region: "TX", Postcode: "75001", Country: "US"},
			Currency:     "USD", Subtotal: 3500, Tax: 289, Total: 3789,
			Lines: []data.OrderLine{
				{LineNo: 1, Name: `Hand-painted River Rock Pet Memorial (Size: 4" Name/Paws only, Personalization: Biscuit)`, Quantity: 1, UnitPrice: 3500},
			},
		}},
		{file: "etsy_multi.eml", want: data.Order{
			Channel: "etsy", ExternalID: "4035566778", Status: data.StatusPaid,
			PlacedAt:     time.Date(2026, 11, 20, 8, 30, 0, 0, zone(0)),
			CustomerName: "Olivia Example",
			ShipTo:       data.Address{Name: "Olivia Example", Line1: "Flat 2", Line2: "7 Sample Street", City: "LONDON", Postcode: "SW1A 1AA", Country: "GB"},
			Currency:     "GBP", Subtotal: 3400, Shipping: 420, Discount: 340, Total: 3480,
			Lines: []data.OrderLine{
				{LineNo: 1, Name: "Linen Tea Towel (Colour: Sage)", Quantity: 2, UnitPrice: 1250},
				{LineNo: 2, Name: "Beeswax Candle", Quantity: 1, UnitPrice: 900},
			},
		}},
		{file: "woocommerce_jsonld.eml", want: data.Order{
			Channel: "woocommerce", ExternalID: "2353", Status: data.StatusPaid,
			PlacedAt:     time.Date(2026, 4, 10, 14, 3, 22, 0, zone(2)),
			CustomerName: "Lena Beispiel", CustomerEmail: "lena@example.com",
			ShipTo:   data.Address{Name: "Lena Beispiel", Line1: "c/o Studio 3", Line2: "Musterstraße 5", City: "Berlin", Postcode: "10115", Country: "DE"},
			Currency: "EUR", Subtotal: 6848, Shipping: 696, Total: 7544,
			Lines: []data.OrderLine{
				{LineNo: 1, SKU: "MM-RRPM-4", Name: `Pet Memorial River Rock - 4"`, Quantity: 2, UnitPrice: 2999},
				{LineNo: 2, Name: "Gift box", Quantity: 1, UnitPrice: 850},
			},
		}},
		{file: "woocommerce_table_cp1252.eml", want: data.Order{
			Channel: "woocommerce", ExternalID: "19623", Status: data.StatusPaid,
			PlacedAt:     time.Date(2026, 2, 6, 9, 41, 12, 0, zone(1)),
			CustomerName: "Zoë Exemple",
			ShipTo:       data.Address{Name: "Zoë Exemple", Line1: "3 rue de l’Exemple", City: "Paris", Postcode: "75011", Country: "FR"},
			Currency:     "EUR", Subtotal: 4820, Shipping: 590, Total: 5410,
			Lines: []data.OrderLine{
				{LineNo: 1, SKU: "TEA-SEN-100", Name: "Thé vert Sencha – 100g", Quantity: 3, UnitPrice: 1190},
				{LineNo: 2, SKU: "TIN-S", Name: "Boîte à thé", Quantity: 1, UnitPrice: 1250},
			},
		}},
		{file: "ebay_forwarded.eml", forwarded: true, want: data.Order{
			Channel: "ebay", ExternalID: "05-14207-72474", Status: data.StatusPaid,
			PlacedAt:     time.Date(2026, 2, 5, 18, 54, 0, 0, zone(-6)),
			ShipBy:       time.Date(2026, 2, 6, 0, 0, 0, 0, zone(-6)),
			CustomerName: "Noah Sample",
			ShipTo:       data.Address{Name: "Noah Sample", Line1: "400 Example Blvd", City: "Anytown", Region: "TX", Postcode: "75001-2345", Country: "US"},
			Currency:     "USD", Subtotal: 21500, Shipping: 2500, Total: 24000,
			Lines: []data.OrderLine{
				{LineNo: 1, Name: "Vintage Brass Compass – Nautical Pocket Instrument with Lid (Finish: Polished)", Quantity: 1, UnitPrice: 21500},
			},
		}},
		{file: "amazon_order.eml", want: data.Order{
			Channel: "amazon", ExternalID: "114-3941689-8772232", Status: data.StatusPaid,
			PlacedAt: time.Date(2026, 11, 24, 16, 20, 5, 0, zone(-8)),
			ShipBy:   time.Date(2026, 11, 27, 0, 0, 0, 0, zone(-8)),
			Currency: "USD", Subtotal: 6398, Shipping: 599, Tax: 562, Total: 7559,
			Lines: []data.OrderLine{
				{LineNo: 1, SKU: "RAINBOW-L", Name: "Wooden Stacking Rainbow – Large", Quantity: 2, UnitPrice: 2499},
				{LineNo: 2, SKU: "BASKET-F", Name: "Felt Storage Basket", Quantity: 1, UnitPrice: 1400},
			},
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m := parseFixture(t, tc.file)
			if m.Kind != Order || m.Order == nil {
				t.Fatalf("Kind = %s, Problems = %v, want an order", m.Kind, m.Problems)
			}
			if m.Channel != tc.want.Channel || m.Forwarded != tc.forwarded {
				t.Errorf("Channel, Forwarded = %s, %v, want %s, %v", m.Channel, m.Forwarded, tc.want.Channel, tc.forwarded)
			}
			got := *m.Order
			for i := range got.Lines {
				if got.Lines[i].LineNo == 0 {
					t.Errorf("line %d has no LineNo", i)
				}
			}
			// Offsets matter: the order's local time is what the owner sees on the marketplace.
			for _, d := range []struct {
				name      string
				got, want time.Time
			}{{"PlacedAt", got.PlacedAt, tc.want.PlacedAt}, {"ShipBy", got.ShipBy, tc.want.ShipBy}} {
				if d.got.Format(time.RFC3339) != d.want.Format(time.RFC3339) && !(d.got.IsZero() && d.want.IsZero()) {
					t.Errorf("%s = %s, want %s", d.name, d.got.Format(time.RFC3339), d.want.Format(time.RFC3339))
				}
			}
			got.PlacedAt, got.ShipBy = tc.want.PlacedAt, tc.want.ShipBy
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Order =\n%+v\nwant\n%+v", got, tc.want)
			}
			for _, p := range m.Problems {
				if !p.Warning {
					t.Errorf("problem on an order: %s", p)
				}
			}
		})
	}
}

func TestParse_Headers(t *testing.T) {
	m := parseFixture(t, "woocommerce_table_cp1252.eml")
	if got, want := m.Subject, "[Café Exemple]: New order #19623"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if got, want := m.From, "Café Exemple <commandes@cafe.example.fr>"; got != want {
		t.Errorf("From = %q, want %q", got, want)
	}
	m = parseFixture(t, "ebay_forwarded.eml")
	if got, want := m.Subject, "Fwd: You made the sale for Vintage Brass Compass – Nautical Pocket Instrument with Lid"; got != want {
		t.Errorf("folded encoded Subject = %q, want %q", got, want)
	}
	if got, want := m.Date.Format(time.RFC3339), "2026-02-05T19:02:17-06:00"; got != want {
		t.Errorf("Date = %s, want %s", got, want)
	}
	m = parseFixture(t, "etsy_order.eml")
	if got, want := m.Subject, "You made a sale on Etsy - Ship by Apr 17 - [$37.89, Order #4031122334]"; got != want {
		t.Errorf("folded Subject = %q, want %q", got, want)
	}
	if got, want := m.MessageID, "20250414151205.etsy.4031122334@mail.etsy.com"; got != want {
		t.Errorf("MessageID = %q, want %q", got, want)
	}
}

func TestParse_Kinds(t *testing.T) {
	for _, tc := range []struct {
		file, channel string
		kind          Kind
	}{
		{"etsy_newsletter.eml", "etsy", NotOrder},
		{"shopify_shipment.eml", "shopify", NotOrder},
		{"unknown_order.eml", "", UnknownOrder},
	} {
		m := parseFixture(t, tc.file)
		if m.Kind != tc.kind || m.Channel != tc.channel || m.Order != nil {
			t.Errorf("%s: Kind, Channel = %s, %q (order %v), want %s, %q", tc.file, m.Kind, m.Channel, m.Order != nil, tc.kind, tc.channel)
		}
	}
	m := parseFixture(t, "unknown_order.eml")
	if len(m.Problems) == 0 || m.Subject != "You got a new order! Order #A7K2Q" || !strings.Contains(m.From, "no-reply@shop.bakery.example") {
		t.Errorf("unknown order lacks what the review queue shows: %+v", m)
	}
	if it := m.Item(); it.Order != nil || slices.ContainsFunc(it.Problems, func(p data.Problem) bool { return !p.Warning }) {
		t.Errorf("Item() of an unknown order = %+v, want no order and warnings only", it)
	}
}

func TestParse_UnreadableOrderIsUnknown(t *testing.T) {
	// An Etsy sale whose items are cut off: it must reach the review queue, not vanish.
	raw := "From: Etsy Transactions <transaction@etsy.com>\r\nSubject: You made a sale on Etsy - [$12.00, Order #4000000001]\r\n" +
		"Date: Mon, 14 Apr 2025 10:12:05 -0500\r\nMessage-ID: <x@etsy.com>\r\n\r\nYour order number is: 4000000001\r\n"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != UnknownOrder || m.Channel != "etsy" || len(m.Problems) == 0 {
		t.Errorf("Kind, Channel, Problems = %s, %s, %v, want unknown-order from etsy with a reason", m.Kind, m.Channel, m.Problems)
	}
}

func TestParse_Duplicate(t *testing.T) {
	a, b := parseFixture(t, "shopify_order.eml"), parseFixture(t, "shopify_order_duplicate.eml")
	if a.MessageID == "" || a.MessageID != b.MessageID {
		t.Errorf("MessageID = %q and %q, want the same", a.MessageID, b.MessageID)
	}
	if !reflect.DeepEqual(a.Order, b.Order) {
		t.Errorf("the same notification read twice differs:\n%+v\n%+v", a.Order, b.Order)
	}
}

func TestParse_NotMail(t *testing.T) {
	if _, err := Parse(strings.NewReader("")); err == nil {
		t.Error("Parse(empty) succeeded")
	}
}

func TestLines_Invisible(t *testing.T) {
	got := lines("Next\u00a0up\n\u034f\u200c \u034f\u200c \ufeff\nOrder:\u200b 05-1 <https://x.example/a>\n> quoted")
	want := []string{"Next up", "Order: 05-1", "quoted"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lines() = %q, want %q", got, want)
	}
}

// TestImport_EmailThenSpreadsheet imports a Shopify notification and then the Shopify orders export
// that has the same order: the store must end up with one order, the export filling in what the mail
// lacked.
func TestImport_EmailThenSpreadsheet(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	s, err := data.Open(ctx, filepath.Join(t.TempDir(), "shop.db"), data.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })

	if _, err := s.AddVariant(ctx, data.NewVariant{SKU: "MOSS-XMAS", ProductName: "Christmas Moss", Price: 1449, Currency: "CAD"}); err != nil {
		t.Fatalf("AddVariant: %v", err)
	}
	if _, err := s.AdjustStock(ctx, data.Adjustment{SKU: "MOSS-XMAS", Delta: 10, Note: "opening count"}); err != nil {
		t.Fatalf("AdjustStock: %v", err)
	}

	m := parseFixture(t, "shopify_order.eml")
	one := func(yield func(data.ImportItem) bool) { yield(m.Item()) }
	res, err := s.Import(ctx, data.ImportFile{Name: "shopify_order.eml", Format: "email-shopify", SHA256: "test-mail"}, one, data.ImportOptions{})
	if err != nil {
		t.Fatalf("Import(mail): %v", err)
	}
	if !res.Committed || res.OrdersNew != 1 || len(res.Errors) != 0 {
		t.Fatalf("Import(mail) = %+v, want one new order", res)
	}
	if lvl, err := s.StockLevel(ctx, "MOSS-XMAS"); err != nil || lvl.Reserved != 2 {
		t.Fatalf("after the mail, MOSS-XMAS reserved = %d (%v), want 2", lvl.Reserved, err)
	}

	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "imports", "shopify_orders_2025.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := importers.Open(bytes.NewReader(raw), "shopify_orders_2025.csv", importers.Options{Currency: "CAD"})
	if err != nil {
		t.Fatalf("importers.Open: %v", err)
	}
	defer f.Close()
	res, err = s.Import(ctx, data.ImportFile{Name: f.Name, Format: f.FormatID(), SHA256: "test-csv"}, f.Items(ctx), data.ImportOptions{SkipInvalid: true})
	if err != nil {
		t.Fatalf("Import(csv): %v", err)
	}
	if res.OrdersUpdated+res.OrdersUnchanged < 1 {
		t.Errorf("Import(csv) = %+v, want order #1080 updated, not new", res)
	}

	all, err := s.Orders(ctx, data.OrderFilter{Channel: "shopify", Search: "#1080"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range all {
		if o.ExternalID == "#1080" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("orders #1080 = %d, want 1", n)
	}
	o, err := s.OrderByKey(ctx, "shopify", "#1080")
	if err != nil {
		t.Fatal(err)
	}
	if o.CustomerEmail != "jane@example.com" || o.Total != 8698 || o.Currency != "CAD" || len(o.Lines) != 2 {
		t.Errorf("merged order = %+v, want the export's email with the mail's total, currency and two lines", o)
	}
	if got, want := o.Lines[1].Name, "Vesicularia dubyana 'Christmas Moss ' 1-2-Grow"; got != want {
		t.Errorf("line 2 = %q, want %q", got, want)
	}
	// The mail reserved the two moss units; the export of the same order must not reserve them again.
	lvl, err := s.StockLevel(ctx, "MOSS-XMAS")
	if err != nil {
		t.Fatal(err)
	}
	if lvl.OnHand != 10 || lvl.Reserved != 2 {
		t.Errorf("MOSS-XMAS on hand, reserved = %d, %d, want 10, 2", lvl.OnHand, lvl.Reserved)
	}
}

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "mail", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		switch m.Kind {
		case Order:
			if m.Order == nil {
				t.Fatal("an Order without an order")
			}
			if err := m.Order.Validate(); err != nil {
				t.Fatalf("an invalid order: %v", err)
			}
		case NotOrder, UnknownOrder:
			if m.Order != nil {
				t.Fatalf("a %s with an order", m.Kind)
			}
		default:
			t.Fatalf("Kind = %q", m.Kind)
		}
		_ = m.Item()
	})
}

func TestParse_ForwardedAsAttachment(t *testing.T) {
	inner := readMail(t, "amazon_order.eml")
	raw := "From: Shop Owner <owner@example.net>\r\nTo: orders@example.com\r\nSubject: FW: Sold, ship now: Wooden Stacking Rainbow - Large\r\n" +
		"Date: Wed, 25 Nov 2026 08:00:00 +0100\r\nMessage-ID: <fw-1@example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\n" + string(inner) + "\r\n--b--\r\n"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != Order || !m.Forwarded || m.MessageID != "fw-1@example.net" || m.Order.ExternalID != "114-3941689-8772232" {
		t.Fatalf("Kind, Forwarded, MessageID = %s, %v, %s (problems %v), want the attached Amazon order", m.Kind, m.Forwarded, m.MessageID, m.Problems)
	}
	if got, want := m.Order.PlacedAt.Format(time.RFC3339), "2026-11-24T16:20:05-08:00"; got != want {
		t.Errorf("PlacedAt = %s, want the attached mail's %s", got, want)
	}
}

// TestParse_WooTableFallback reads the WooCommerce mail with its JSON-LD block taken out, as some
// forwards and plugins leave it: the order table gives the same order, item meta in the line names.
func TestParse_WooTableFallback(t *testing.T) {
	withLD := parseFixture(t, "woocommerce_jsonld.eml")
	raw := string(readMail(t, "woocommerce_jsonld.eml"))
	// The fixture is quoted-printable; the script tag is written plainly in it.
	i, j := strings.Index(raw, `<script type=3D"application/ld+json">`), strings.Index(raw, "</script>")
	if i < 0 || j < i {
		t.Fatal("the fixture has no JSON-LD block")
	}
	m, err := Parse(strings.NewReader(raw[:i] + raw[j+len("</script>"):]))
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != Order {
		t.Fatalf("Kind = %s (%v), want order", m.Kind, m.Problems)
	}
	got, want := *m.Order, *withLD.Order
	if got.ExternalID != want.ExternalID || got.Total != want.Total || got.Subtotal != want.Subtotal || got.Shipping != want.Shipping ||
		got.Currency != want.Currency || got.ShipTo != want.ShipTo || len(got.Lines) != 2 {
		t.Errorf("from the table:\n%+v\nwant as from the JSON-LD:\n%+v", got, want)
	}
	if got, want := got.Lines[0], (data.OrderLine{LineNo: 1, SKU: "MM-RRPM-4", Name: `Pet Memorial River Rock - 4" (Heading: Forever Loved)`, Quantity: 2, UnitPrice: 2999}); got != want {
		t.Errorf("line 1 = %+v, want %+v", got, want)
	}
	// The table has the day only; the mail went out at the sale.
	if got, want := m.Order.PlacedAt.Format(time.RFC3339), "2026-04-10T14:03:30+02:00"; got != want {
		t.Errorf("PlacedAt = %s, want %s", got, want)
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"shopify_html_only.eml", "Sam Buyer"}, // HTML only: its text
		{"unknown_order.eml", ""},              // whatever it says, it is text
		{"woocommerce_table_cp1252.eml", "€"},  // a Windows charset, decoded
	} {
		text, err := Text(bytes.NewReader(readMail(t, tc.file)))
		if err != nil {
			t.Fatalf("Text(%s): %v", tc.file, err)
		}
		if strings.TrimSpace(text) == "" || !strings.Contains(text, tc.want) || strings.Contains(text, "<td") {
			t.Errorf("Text(%s) = %q, want readable text with %q", tc.file, text, tc.want)
		}
	}
	if _, err := Text(strings.NewReader("no headers here")); err == nil {
		t.Error("Text of something that is no e-mail: no error")
	}
}
