package importers

import (
	"testing"

	"github.com/backroom-app/backroom/data"
)

const shopifyHeader = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References"

func TestSmokeShopify(t *testing.T) {
	b := csvFile(shopifyHeader,
		map[string]string{"Name": "#1080", "Email": "jane@example.com", "Financial Status": "paid", "Fulfillment Status": "unfulfilled",
			"Currency": "CAD", "Subtotal": "66.98", "Shipping": "9.99", "Taxes": "10.01", "Total": "86.98", "Created at": "2025-03-29 14:49:49 -0700",
			"Lineitem quantity": "1", "Lineitem name": "Shrimp pack", "Lineitem price": "38.00", "Lineitem sku": "SHR-6", "Shipping Zip": "'12345", "Shipping Country": "US"},
		map[string]string{"Name": "#1080", "Email": "jane@example.com", "Created at": "2025-03-29 14:49:49 -0700",
			"Lineitem quantity": "2", "Lineitem name": "Moss", "Lineitem price": "14.49"},
	)
	f := openBytes(t, "orders_export.csv", b)
	if f.FormatID() != "shopify-orders" {
		t.Fatalf("format %s", f.FormatID())
	}
	s := testStore(t)
	res := importInto(t, s, f, data.ImportOptions{})
	if res.OrdersNew != 1 || res.Lines != 2 || len(res.Errors) != 0 {
		t.Fatalf("%+v", res)
	}
	res = importInto(t, s, openBytes(t, "orders_export.csv", b), data.ImportOptions{})
	if res.OrdersUnchanged != 1 || res.OrdersNew != 0 {
		t.Fatalf("second import: %+v", res)
	}
}
