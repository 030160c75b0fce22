package shipexport

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/backroom-app/backroom/data"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func shipped(channel, id string, sh data.Shipment, lines ...data.OrderLine) data.ShippedOrder {
	return data.ShippedOrder{Order: data.Order{Channel: channel, ExternalID: id, Status: data.StatusShipped, Lines: lines}, Shipment: sh}
}

// orders mixes the channels, so every test also checks that a file holds only its own channel's orders.
func orders() []data.ShippedOrder {
	return []data.ShippedOrder{
		// Several lines, one parcel; 23:30 UTC is the next day in Berlin.
		shipped("amazon", "113-1234567-1234567", data.Shipment{Carrier: "Royal Mail", Service: "Tracked 48", Tracking: "AB123456789GB",
			ShippedAt: at("2026-11-24T23:30:00Z")},
			data.OrderLine{LineNo: 1, SKU: "MUG-BLUE", Quantity: 2}, data.OrderLine{LineNo: 2, SKU: "TEE-M", Quantity: 1}),
		shipped("shopify", "#1001", data.Shipment{Carrier: "ups", Tracking: "1Z999AA10123456784", ShippedAt: at("2026-11-25T09:00:00Z")}),
		// A carrier not on Amazon's list.
		shipped("amazon", "114-7654321-7654321", data.Shipment{Carrier: "Evri", Tracking: "H01ABC0000012345", ShippedAt: at("2026-11-25T10:00:00Z")}),
		shipped("ebay", "12-34567-89012", data.Shipment{Carrier: "royal mail", Tracking: "AB987654321GB", ShippedAt: at("2026-11-25T11:00:00Z")},
			data.OrderLine{LineNo: 1, SKU: "MUG-BLUE", Name: "Blue mug, large", Quantity: 1},
			data.OrderLine{LineNo: 2, ChannelSKU: "EB-POSTER", Name: "Poster A3", Quantity: 1}),
		shipped("shopify", "#1002", data.Shipment{Carrier: "dpd uk", ShippedAt: at("2026-11-25T12:00:00Z")}),
		// No tracking number.
		shipped("amazon", "115-1111111-2222222", data.Shipment{Carrier: "usps", Service: "Ground Advantage", ShippedAt: at("2026-11-26T08:00:00Z")}),
		shipped("ebay", "23-45678-90123", data.Shipment{Carrier: "Evri", ShippedAt: at("2026-11-26T09:00:00Z")},
			data.OrderLine{LineNo: 1, SKU: "TEE-M", Name: `T-shirt "Logo" M`, Quantity: 1}),
		shipped("shopify", "1003", data.Shipment{Carrier: "DHL", Tracking: "JD014600006281234567", ShippedAt: at("2026-11-26T10:00:00Z")}),
		shipped("etsy", "3141592653", data.Shipment{Carrier: "Royal Mail", Tracking: "AB000000000GB", ShippedAt: at("2026-11-26T10:00:00Z")}),
	}
}

func TestWrite_Fixtures(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		channel, fixture string
		orders, rows     int
		noTracking       []string
	}{
		{"amazon", "amazon.txt", 3, 3, []string{"115-1111111-2222222"}},
		{"shopify", "shopify.csv", 3, 3, []string{"#1002"}},
		{"ebay", "ebay.csv", 2, 3, []string{"23-45678-90123"}},
	} {
		t.Run(tc.channel, func(t *testing.T) {
			var buf bytes.Buffer
			res, err := Write(&buf, tc.channel, orders(), Options{Location: berlin})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "exports", tc.fixture)
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s file differs from %s\ngot:\n%q\nwant:\n%q", tc.channel, path, buf.String(), want)
			}
			if res.Orders != tc.orders || res.Rows != tc.rows || !slices.Equal(res.NoTracking, tc.noTracking) {
				t.Errorf("Result = %+v, want %d orders, %d rows, no tracking %v", res, tc.orders, tc.rows, tc.noTracking)
			}
		})
	}
}

func TestWrite_Etsy(t *testing.T) {
	var buf bytes.Buffer
	_, err := Write(&buf, "Etsy", orders(), Options{})
	if !errors.Is(err, ErrNoFileRoute) {
		t.Fatalf("Write(etsy) error = %v, want ErrNoFileRoute", err)
	}
	if buf.Len() != 0 {
		t.Errorf("Write(etsy) wrote %q, want nothing", buf.String())
	}
}

func TestWrite_NoOrders(t *testing.T) {
	var buf bytes.Buffer
	res, err := Write(&buf, "amazon", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\r\n"; got != want {
		t.Errorf("empty file = %q, want the header only", got)
	}
	if res.Orders != 0 {
		t.Errorf("Orders = %d, want 0", res.Orders)
	}
}

func TestAmazonCarrier(t *testing.T) {
	for _, tc := range []struct{ in, code, name string }{
		{"Royal Mail", "Royal Mail", ""},
		{"royal-mail", "Royal Mail", ""},
		{"FEDEX", "FedEx", ""},
		{"DHL Express", "DHL", ""},
		{"Evri", "Other", "Evri"},
		{"Bike\tcourier", "Other", "Bike courier"},
		{"", "", ""},
	} {
		if code, name := AmazonCarrier(tc.in); code != tc.code || name != tc.name {
			t.Errorf("AmazonCarrier(%q) = %q, %q; want %q, %q", tc.in, code, name, tc.code, tc.name)
		}
	}
}

func TestAmazon_KeepsColumns(t *testing.T) {
	var buf bytes.Buffer
	o := shipped("amazon", "1\t2", data.Shipment{Carrier: "UPS", Service: "Next\r\nDay", Tracking: "1Z", ShippedAt: at("2026-11-25T10:00:00Z")})
	if _, err := Amazon(&buf, []data.ShippedOrder{o}, Options{}); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\r\n")), []byte("\r\n"))
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want header and one row: %q", len(lines), buf.String())
	}
	if got, want := string(lines[1]), "1 2\t\t\t2026-11-25\tUPS\t\t1Z\tNext Day"; got != want {
		t.Errorf("row = %q, want %q", got, want)
	}
}
