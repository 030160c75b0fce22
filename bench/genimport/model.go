package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// product is one SKU of the generated shop's catalogue.
type product struct {
	SKU       string
	Title     string // product name, as Shopify's Lineitem name shows it: "Title - Option"
	Product   string
	Option    string
	Vendor    string
	Price     int64 // cents
	CompareAt int64 // 0 when the SKU is not on sale
	Cost      int64
}

// address is a buyer's billing or shipping address.
type address struct {
	Name, Address1, Address2, Company, City, Zip, Province, ProvinceName, Country, Phone string
}

// street is Shopify's "Billing Street" / "Shipping Street": Address1 + ", " + Address2.
func (a address) street() string {
	if a.Address2 == "" {
		return a.Address1
	}
	return a.Address1 + ", " + a.Address2
}

// line is one line item of an order.
type line struct {
	*product
	Quantity int64
	Discount int64 // cents taken off this line
	NoSKU    bool  // the product has no SKU in the shop (Shopify writes "")
}

// order is one generated order, independent of the format it is written in.
type order struct {
	Number    int // Shopify's #1001…; Amazon's id is derived from it
	ID        int64
	Email     string
	Created   time.Time
	Paid      time.Time // zero when not paid
	Fulfilled time.Time // zero when not shipped
	Cancelled time.Time // zero unless cancelled

	Financial   string // paid, pending, refunded, partially_refunded, voided, authorized
	Fulfillment string // fulfilled, unfulfilled, partial
	Marketing   bool

	Billing, Shipping address
	ShippingMethod    string
	ShippingCost      int64
	TaxName           string
	TaxRate           int64 // basis points
	DiscountCode      string
	DiscountAmount    int64
	Refunded          int64
	PaymentMethod     string
	PaymentReference  string
	Source            string
	Tags              string
	Notes             string
	NoteAttributes    string
	Risk              string

	Lines []line
}

func (o *order) subtotal() int64 {
	var s int64
	for _, l := range o.Lines {
		s += l.Price*l.Quantity - l.Discount
	}
	return s - o.DiscountAmount
}

func (o *order) tax() int64 { return (o.subtotal()*o.TaxRate + 5000) / 10000 }

func (o *order) total() int64 { return o.subtotal() + o.ShippingCost + o.tax() }

// shop generates a deterministic stream of orders over a fixed catalogue.
type shop struct {
	rnd       *rand.Rand
	catalogue []product
	popular   []int // catalogue indexes weighted towards best sellers
	next      int   // next order number
	nextID    int64 // next Shopify order id
	at        time.Time
	zone      *time.Location
}

func newShop(seed uint64, skus int) *shop {
	zone, err := time.LoadLocation("America/Denver")
	if err != nil {
		// No zoneinfo on this machine: a fixed -0700 still gives realistic timestamps.
		zone = time.FixedZone("MST", -7*3600)
	}
	s := &shop{
		rnd:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		next:   1001,
		nextID: 5_912_345_678_901,
		at:     time.Date(2024, 1, 2, 9, 0, 0, 0, zone),
		zone:   zone,
	}
	s.catalogue = s.makeCatalogue(skus)
	// A few products sell far more than the rest, as in any shop: the first tenth of the catalogue
	// takes about half the sales.
	for i := range s.catalogue {
		s.popular = append(s.popular, i)
		if i < len(s.catalogue)/10 {
			for range 9 {
				s.popular = append(s.popular, i)
			}
		}
	}
	return s
}

func (s *shop) pick(list []string) string { return list[s.rnd.IntN(len(list))] }

func (s *shop) chance(p float64) bool { return s.rnd.Float64() < p }

func (s *shop) makeCatalogue(n int) []product {
	out := make([]product, 0, n)
	seen := map[string]bool{}
	for len(out) < n {
		k := kinds[s.rnd.IntN(len(kinds))]
		adj := s.pick(adjectives)
		name := adj + " " + k.noun
		code := k.code + "-" + strings.ToUpper(adj[:3])
		vendor := s.pick(vendors)
		base := k.minPrice + s.rnd.Int64N(k.maxPrice-k.minPrice+1)
		for _, c := range k.colours {
			for _, size := range k.sizes {
				if len(out) >= n {
					break
				}
				sku := fmt.Sprintf("%s-%s", code, colourCode(c))
				option := c
				if size != "" {
					sku += "-" + size
					option += " / " + size
				}
				if seen[sku] {
					sku = fmt.Sprintf("%s-%d", sku, len(out))
				}
				seen[sku] = true
				p := product{SKU: sku, Product: name, Option: option, Title: name + " - " + option, Vendor: vendor,
					Price: base*100 + 99, Cost: base * 100 * 4 / 10}
				if s.chance(0.1) {
					p.CompareAt = p.Price + 500
				}
				out = append(out, p)
			}
		}
	}
	return out
}

func colourCode(c string) string {
	c = strings.ToUpper(strings.ReplaceAll(c, " ", ""))
	if len(c) > 4 {
		c = c[:4]
	}
	return c
}

// order makes the next order. Orders come a few minutes apart; the newest are still open, which the
// caller decides by telling how far through the file it is (0 = oldest, 1 = newest).
func (s *shop) order(progress float64) order {
	s.at = s.at.Add(time.Duration(1+s.rnd.IntN(600)) * time.Second)
	o := order{Number: s.next, ID: s.nextID, Created: s.at.Truncate(time.Second)}
	s.next++
	s.nextID += 1 + s.rnd.Int64N(40000)

	first, last := s.pick(firstNames), s.pick(lastNames)
	o.Email = fmt.Sprintf("%s.%s%d@%s", emailPart(first), emailPart(last), s.rnd.IntN(100), s.pick(mailDomains))
	o.Marketing = s.chance(0.35)
	o.Billing = s.address(first + " " + last)
	o.Shipping = o.Billing
	if s.chance(0.08) {
		o.Shipping = s.address(s.pick(firstNames) + " " + last)
	}

	n := 1
	switch r := s.rnd.Float64(); {
	case r < 0.58:
		n = 1
	case r < 0.83:
		n = 2
	case r < 0.93:
		n = 3
	default:
		n = 4 + s.rnd.IntN(5)
	}
	used := map[int]bool{}
	for len(o.Lines) < n {
		i := s.popular[s.rnd.IntN(len(s.popular))]
		if used[i] {
			continue
		}
		used[i] = true
		l := line{product: &s.catalogue[i], Quantity: 1}
		if s.chance(0.15) {
			l.Quantity = 2 + s.rnd.Int64N(3)
		}
		l.NoSKU = s.chance(0.01)
		o.Lines = append(o.Lines, l)
	}

	switch m := s.rnd.Float64(); {
	case m < 0.6:
		o.ShippingMethod, o.ShippingCost = "Standard Shipping", 599
	case m < 0.85:
		o.ShippingMethod, o.ShippingCost = "Free Shipping", 0
	default:
		o.ShippingMethod, o.ShippingCost = "Express", 1499
	}
	if s.chance(0.12) {
		o.DiscountCode = s.pick([]string{"WELCOME10", "SPRING15", "VIP20", "FREESHIP"})
		o.DiscountAmount = o.subtotal() / 10
	}
	o.TaxName, o.TaxRate = o.Shipping.taxName()

	o.Source = "web"
	if s.chance(0.05) {
		o.Source = "shopify_draft_order"
	} else if s.chance(0.04) {
		o.Source = "pos"
	}
	o.PaymentMethod = "Shopify Payments"
	if s.chance(0.2) {
		o.PaymentMethod = "PayPal Express Checkout"
	} else if s.chance(0.02) {
		o.PaymentMethod = "Shopify Payments + manual"
	}
	o.PaymentReference = s.reference()
	o.Risk = "Low"
	if s.chance(0.03) {
		o.Risk = "Medium"
	}
	if s.chance(0.1) {
		o.Tags = s.pick([]string{"wholesale", "repeat customer", "gift, priority", "VIP"})
	}
	if s.chance(0.05) {
		o.Notes = s.pick([]string{"Please leave at the back door", "Gift - no invoice please", "Call before delivery, \"ring twice\""})
	}
	if s.chance(0.02) {
		o.NoteAttributes = "gift_wrap: yes\ngift_message: Happy birthday, love from us"
	}

	// Older orders are done; the newest tenth is still being worked on.
	paidAfter := time.Duration(s.rnd.IntN(60)) * time.Second
	switch r := s.rnd.Float64(); {
	case progress < 0.9 && r < 0.9:
		o.Financial, o.Fulfillment = "paid", "fulfilled"
		o.Paid = o.Created.Add(paidAfter)
		o.Fulfilled = o.Created.Add(time.Duration(20+s.rnd.IntN(70)) * time.Hour).Truncate(time.Second)
		if s.chance(0.02) {
			o.Financial = "partially_refunded"
			o.Refunded = o.Lines[0].Price
		}
	case r < 0.94:
		o.Financial, o.Fulfillment = "paid", "unfulfilled"
		o.Paid = o.Created.Add(paidAfter)
		if len(o.Lines) > 1 && s.chance(0.2) {
			o.Fulfillment = "partial"
		}
	case r < 0.96:
		o.Financial, o.Fulfillment = "pending", "unfulfilled"
	case r < 0.98:
		o.Financial, o.Fulfillment = "refunded", "unfulfilled"
		o.Paid = o.Created.Add(paidAfter)
		o.Cancelled = o.Created.Add(3 * time.Hour)
		o.Refunded = o.total()
	default:
		o.Financial, o.Fulfillment = "voided", "unfulfilled"
		o.Cancelled = o.Created.Add(30 * time.Minute)
	}
	return o
}

// emailPart writes a name as the ASCII local part of an e-mail address.
func emailPart(name string) string {
	return strings.ToLower(strings.NewReplacer("é", "e", "ë", "e", "ô", "o", "ü", "u", "'", "").Replace(name))
}

func (s *shop) reference() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 25)
	for i := range b {
		b[i] = letters[s.rnd.IntN(len(letters))]
	}
	return string(b)
}

func (s *shop) address(name string) address {
	a := address{Name: name}
	a.Address1 = fmt.Sprintf("%d %s %s", 1+s.rnd.IntN(9899), s.pick(streetNames), s.pick(streetKinds))
	if s.chance(0.15) {
		a.Address2 = fmt.Sprintf("%s %d", s.pick([]string{"Apt", "Suite", "Unit", "#"}), 1+s.rnd.IntN(400))
	}
	if s.chance(0.04) {
		a.Company = s.pick([]string{"Acme Supplies, Inc.", "Example Studio", "Northwind Traders", "Blue Heron Café"})
	}
	if s.chance(0.12) {
		c := canadianCities[s.rnd.IntN(len(canadianCities))]
		a.City, a.Province, a.ProvinceName, a.Country = c.city, c.code, c.name, "CA"
		a.Zip = fmt.Sprintf("%c%d%c %d%c%d", 'A'+rune(s.rnd.IntN(26)), s.rnd.IntN(10), 'A'+rune(s.rnd.IntN(26)), s.rnd.IntN(10), 'A'+rune(s.rnd.IntN(26)), s.rnd.IntN(10))
	} else {
		c := usCities[s.rnd.IntN(len(usCities))]
		a.City, a.Province, a.ProvinceName, a.Country = c.city, c.code, c.name, "US"
		// Zips start with 0 in New England, which is why Shopify guards them with an apostrophe.
		a.Zip = fmt.Sprintf("%s%03d", c.zip, s.rnd.IntN(1000))
	}
	if s.chance(0.6) {
		a.Phone = fmt.Sprintf("+1%03d555%04d", 201+s.rnd.IntN(700), s.rnd.IntN(10000))
	}
	return a
}

// taxName is the tax Shopify names for the destination: a Canadian HST/GST or a US state tax.
func (a address) taxName() (string, int64) {
	if a.Country == "CA" {
		switch a.Province {
		case "ON":
			return "HST 13%", 1300
		case "NS":
			return "HST 15%", 1500
		}
		return "GST 5%", 500
	}
	return a.ProvinceName + " State Tax 6%", 600
}

type kind struct {
	noun               string
	code               string
	colours            []string
	sizes              []string
	minPrice, maxPrice int64
}

var (
	apparelSizes = []string{"XS", "S", "M", "L", "XL", "XXL"}
	colours      = []string{"Black", "White", "Navy", "Heather Grey", "Forest Green", "Burgundy", "Sand", "Dusty Rose"}
	kinds        = []kind{
		{"T-Shirt", "TSH", colours, apparelSizes, 18, 34},
		{"Hoodie", "HOO", colours[:6], apparelSizes, 45, 75},
		{"Beanie", "BEA", colours, []string{""}, 14, 28},
		{"Ceramic Mug 12oz", "MUG", colours[:5], []string{""}, 12, 22},
		{"Tote Bag", "TOT", colours[:4], []string{""}, 16, 30},
		{"Enamel Pin", "PIN", []string{"Gold", "Silver"}, []string{""}, 8, 14},
		{"Scented Candle 8oz", "CAN", []string{"Cedar", "Lavender", "Sea Salt", "Fig", "Amber"}, []string{""}, 18, 32},
		{"Linen Apron", "APR", colours[:5], []string{"Regular", "Long"}, 28, 48},
		{"Socks", "SOC", colours, []string{"S/M", "L/XL"}, 9, 16},
		{"Art Print 8x10\"", "PRT", []string{"Matte", "Glossy"}, []string{"Unframed", "Framed"}, 20, 65},
	}
	adjectives = []string{"Classic", "Organic", "Vintage", "Everyday", "Trail", "Harbor", "Summit", "Meadow", "Coastal", "Urban",
		"Northern", "Wildflower", "Midnight", "Sunset", "Pine", "Desert", "Canyon", "Prairie", "Riverside", "Heritage",
		"Café", "Atelier", "Nordic", "Alpine", "Bayou", "Cobalt", "Copper", "Juniper", "Maple", "Willow"}
	vendors     = []string{"Backroom Goods", "Harbor & Pine", "Little Kiln Co.", "Northern Thread", "Wick & Wax"}
	firstNames  = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chloé", "José", "Aiden", "Olivia", "Noah", "Emma", "Liam", "Ava", "Mateo", "Sofia", "Ethan", "Mia", "Lucas", "Zoë", "Priya", "Wei", "Hana", "Omar", "Fatima", "Sven", "Ingrid", "Kai"}
	lastNames   = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Clark", "O'Brien", "Nguyen", "Kim", "Patel", "Müller", "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard"}
	mailDomains = []string{"example.com", "example.net", "example.org", "mail.example.com"}
	streetNames = []string{"Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset", "Ridge", "River", "Church", "Highland", "Mill", "Spring", "Union", "Water", "Rue de l'Église"}
	streetKinds = []string{"St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way", "Street West"}
	usCities    = []struct{ city, code, name, zip string }{
		{"Boston", "MA", "Massachusetts", "02"}, {"Portland", "ME", "Maine", "04"}, {"Hartford", "CT", "Connecticut", "06"},
		{"Newark", "NJ", "New Jersey", "07"}, {"Brooklyn", "NY", "New York", "11"}, {"Philadelphia", "PA", "Pennsylvania", "19"},
		{"Atlanta", "GA", "Georgia", "30"}, {"Miami", "FL", "Florida", "33"}, {"Chicago", "IL", "Illinois", "60"},
		{"Austin", "TX", "Texas", "78"}, {"Denver", "CO", "Colorado", "80"}, {"Salt Lake City", "UT", "Utah", "84"},
		{"Phoenix", "AZ", "Arizona", "85"}, {"Los Angeles", "CA", "California", "90"}, {"San Francisco", "CA", "California", "94"},
		{"Seattle", "WA", "Washington", "98"}, {"Portland", "OR", "Oregon", "97"}, {"Minneapolis", "MN", "Minnesota", "55"},
	}
	canadianCities = []struct{ city, code, name string }{
		{"Toronto", "ON", "Ontario"}, {"Ottawa", "ON", "Ontario"}, {"Halifax", "NS", "Nova Scotia"}, {"Vancouver", "BC", "British Columbia"},
		{"Montréal", "QC", "Quebec"}, {"Calgary", "AB", "Alberta"},
	}
)
