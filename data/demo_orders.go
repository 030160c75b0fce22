package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// This file makes up the demo shop's orders: who bought what, on which channel, when, and how far each
// order has got. Orders come out one at a time in the order they were placed, from a generator that can
// be rewound (made again from the same seed), so the demo can first total up what will sell and then
// write the orders without ever holding 100,000 of them in memory.

// demoChannel is one place the demo shop sells. regions gives the share of UK, EU and US buyers.
type demoChannel struct {
	name      string
	weight    float64
	regions   [3]float64
	sinceDays float64 // the shop opened here this many days ago; 0 means before the demo's 90 days
}

var demoChannels = []demoChannel{
	{"shopify", 0.34, [3]float64{0.82, 0.10, 0.08}, 0},
	{"etsy", 0.26, [3]float64{0.60, 0.12, 0.28}, 0},
	{"amazon", 0.14, [3]float64{0.90, 0, 0.10}, 0},
	{"ebay", 0.10, [3]float64{0.85, 0.08, 0.07}, 0},
	{"woocommerce", 0.09, [3]float64{0.90, 0.10, 0}, 0},
	{"tiktok", 0.07, [3]float64{1, 0, 0}, 30},
}

// Buyer regions.
const (
	regionUK = iota
	regionEU
	regionUS
)

var (
	demoUKFirst = []string{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace", "Freya",
		"Florence", "Poppy", "Evie", "Ella", "Charlotte", "Emily", "Harriet", "Ruby", "Alice", "Sarah", "Rachel", "Claire",
		"Helen", "Joanne", "Fiona", "Megan", "Chloe", "Priya", "Aisha", "Zara", "Niamh", "Ffion", "Noah", "Oliver", "George",
		"Arthur", "Leo", "Harry", "Oscar", "Jack", "Charlie", "Thomas", "James", "William", "Daniel", "Samuel", "Ben", "Tom",
		"Matthew", "David", "Mark", "Rhys", "Callum", "Euan", "Mohammed", "Ravi", "Kwame", "Tomasz", "Hamish"}
	demoUKLast = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
		"Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan",
		"Hughes", "Edwards", "Lewis", "Turner", "Hill", "Moore", "Harrison", "Scott", "Young", "Morris", "Baker", "Cooper",
		"King", "Ward", "Harris", "Martin", "Campbell", "Stewart", "Murray", "MacDonald", "Reid", "Ahmed", "Begum", "Nowak",
		"Okafor", "O'Neill", "Fletcher", "Ashworth", "Holloway", "Pemberton", "Whitfield", "Bancroft", "Kowalski", "Chen",
		"Singh", "Shah", "Lloyd", "Ellis"}
	demoUSFirst = []string{"Emma", "Madison", "Hannah", "Ashley", "Taylor", "Jessica", "Lauren", "Kayla", "Brianna", "Sofia",
		"Maria", "Michael", "Tyler", "Jacob", "Ethan", "Logan", "Mason", "Dylan", "Carlos", "Nathan"}
	demoUSLast = []string{"Johnson", "Miller", "Garcia", "Rodriguez", "Anderson", "Martinez", "Thomas", "Hernandez", "Lee",
		"Nguyen", "Carter", "Mitchell", "Perez", "Bennett", "Kim", "Rivera", "Brooks", "Sullivan"}
)

// demoTown is a UK town with its county and postcode area.
type demoTown struct{ city, region, area string }

var demoTowns = []demoTown{
	{"London", "", "SE"}, {"London", "", "N"}, {"London", "", "E"}, {"London", "", "SW"}, {"Bristol", "", "BS"},
	{"Leeds", "West Yorkshire", "LS"}, {"Manchester", "Greater Manchester", "M"}, {"Brighton", "East Sussex", "BN"},
	{"Edinburgh", "", "EH"}, {"Cardiff", "", "CF"}, {"Norwich", "Norfolk", "NR"}, {"York", "North Yorkshire", "YO"},
	{"Bath", "Somerset", "BA"}, {"Sheffield", "South Yorkshire", "S"}, {"Glasgow", "", "G"}, {"Oxford", "Oxfordshire", "OX"},
	{"Cambridge", "Cambridgeshire", "CB"}, {"Exeter", "Devon", "EX"}, {"Nottingham", "Nottinghamshire", "NG"},
	{"Harrogate", "North Yorkshire", "HG"}, {"Cheltenham", "Gloucestershire", "GL"}, {"Belfast", "County Antrim", "BT"},
	{"Penzance", "Cornwall", "TR"}, {"Kendal", "Cumbria", "LA"}, {"Hebden Bridge", "West Yorkshire", "HX"},
	{"Frome", "Somerset", "BA"}, {"Lewes", "East Sussex", "BN"}, {"Aberystwyth", "Ceredigion", "SY"},
	{"Inverness", "Highland", "IV"}, {"Canterbury", "Kent", "CT"},
}

var demoUKStreets = []string{"High Street", "Church Lane", "Mill Lane", "Station Road", "Victoria Road", "Park Avenue",
	"The Green", "Queen Street", "Orchard Close", "Chapel Street", "Beech Grove", "Meadow Way", "Hillside Road", "Kings Road",
	"Albert Terrace", "Springfield Road", "Elm Grove", "Manor Road", "North Street", "Willow Crescent", "Westgate",
	"Castle Street", "St Mary's Road", "Ashdown Close", "Nelson Street"}

// demoEUCity is a continental or Irish city with how its addresses are written there.
type demoEUCity struct {
	country, city string
	postcode      func(r *rand.Rand) string
	streets       []string
	numberFirst   bool // "14 Camden Street" rather than "Prinsengracht 263"
	first, last   []string
}

var demoEUCities = []demoEUCity{
	{"IE", "Dublin", func(r *rand.Rand) string {
		return fmt.Sprintf("D%02d %c%c%d%c", 1+r.IntN(24), demoPick(r, "ACDEFHKNPRTVWXY"), demoPick(r, "0123456789"), r.IntN(10), demoPick(r, "ACDEFHKNPRTVWXY"))
	}, []string{"Camden Street Lower", "Harold's Cross Road", "Manor Street", "Clontarf Road"}, true,
		[]string{"Aoife", "Ciarán", "Niamh", "Seán", "Róisín", "Cian"}, []string{"Byrne", "Murphy", "Kelly", "O'Brien", "Walsh", "Doyle"}},
	{"NL", "Amsterdam", func(r *rand.Rand) string {
		return fmt.Sprintf("%04d %c%c", 1011+r.IntN(98), demoPick(r, "ABCDEGHJKLMNPRSTVWX"), demoPick(r, "ABCDEGHJKLMNPRSTVWX"))
	}, []string{"Prinsengracht", "Javastraat", "Ferdinand Bolstraat", "Bilderdijkstraat"}, false,
		[]string{"Daan", "Sanne", "Lotte", "Bram", "Femke", "Joost"}, []string{"de Vries", "Jansen", "Bakker", "Visser", "Smit", "de Boer"}},
	{"DE", "Berlin", func(r *rand.Rand) string { return fmt.Sprintf("10%03d", 115+r.IntN(880)) },
		[]string{"Kastanienallee", "Oderberger Straße", "Bergmannstraße", "Weserstraße"}, false,
		[]string{"Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie"}, []string{"Müller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann"}},
	{"FR", "Paris", func(r *rand.Rand) string { return fmt.Sprintf("750%02d", 1+r.IntN(20)) },
		[]string{"Rue Oberkampf", "Rue des Martyrs", "Rue de Charonne", "Boulevard Voltaire"}, true,
		[]string{"Léa", "Hugo", "Camille", "Louis", "Chloé", "Théo"}, []string{"Martin", "Dubois", "Moreau", "Laurent", "Girard", "Lefèvre"}},
	{"DK", "Copenhagen", func(r *rand.Rand) string { return fmt.Sprintf("2%03d", 100+r.IntN(400)) },
		[]string{"Jægersborggade", "Istedgade", "Vesterbrogade", "Nørrebrogade"}, false,
		[]string{"Mads", "Freja", "Emil", "Ida", "Magnus", "Sofie"}, []string{"Jensen", "Nielsen", "Hansen", "Pedersen", "Sørensen", "Larsen"}},
}

// demoUSCity is a US city with its state and the first three digits of its ZIP codes.
type demoUSCity struct{ city, state, zip3 string }

var demoUSCities = []demoUSCity{
	{"Portland", "OR", "972"}, {"Austin", "TX", "787"}, {"Brooklyn", "NY", "112"}, {"Asheville", "NC", "288"},
	{"Denver", "CO", "802"}, {"Seattle", "WA", "981"}, {"Chicago", "IL", "606"}, {"Burlington", "VT", "054"},
	{"Savannah", "GA", "314"}, {"Madison", "WI", "537"},
}

var demoUSStreets = []string{"Maple Ave", "Oak St", "SE Belmont St", "Elm St", "Cedar Ln", "Park Pl", "Washington Ave", "Lake Dr"}

// demoCustomer is a buyer; returning buyers are drawn again from the pool they were added to.
type demoCustomer struct {
	name, email string
	addr        Address
}

// demoParts is one matched line in the shop's own units: a kit is expanded later.
type demoParts struct {
	item  int
	units int64
	line  int
}

// demoEvent is a status an order passed through on the way to its current one.
type demoEvent struct {
	status Status
	at     time.Time
}

// demoOrder is one made-up order with the story the writer needs to record it faithfully.
type demoOrder struct {
	Order
	parts   []demoParts
	history []demoEvent // earlier statuses, oldest first
	last    time.Time   // when the order reached its current status
	ship    Shipment    // how it left, once shipped
	returns []demoReturn
}

// demoOrders generates the demo's orders in the order they were placed.
type demoOrders struct {
	cat       *demoCatalogue
	now       time.Time
	times     []time.Time
	late      []bool
	unmatched []bool
	rng       *rand.Rand
	cum       []float64 // cumulative popularity over sellable items
	sellable  []int
	customers [3][]demoCustomer
	shopifyNo int64
	wooNo     int64
	etsyNo    int64
	tiktokNo  int64
	used      map[string]bool // Amazon and eBay ids, which are random, not counted up
	post      *demoPost
	next      int
}

// newDemoOrders returns a generator of n orders placed in the 90 days before now. Two generators made
// with the same arguments produce the same orders.
func newDemoOrders(seed uint64, cat *demoCatalogue, n int, now time.Time) *demoOrders {
	g := &demoOrders{cat: cat, now: now, rng: rand.New(rand.NewPCG(seed, 3)), used: map[string]bool{},
		shopifyNo: 1001, wooNo: 2417, post: newDemoPost(seed)}
	g.etsyNo = 3_300_000_000 + g.rng.Int64N(100_000_000)
	g.tiktokNo = 576_100_000_000_000_000 + g.rng.Int64N(1_000_000_000_000)
	total := 0.0
	for i, it := range cat.items {
		if !it.active {
			continue
		}
		total += it.pop
		g.sellable = append(g.sellable, i)
		g.cum = append(g.cum, total)
	}
	g.plan(rand.New(rand.NewPCG(seed, 2)), n)
	return g
}

// plan draws when each order was placed, busier towards now as the shop grows, and picks the orders
// that will be late and the ones with an item nobody has mapped yet.
func (g *demoOrders) plan(rng *rand.Rand, n int) {
	hourWeights := []float64{1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3, 3, 3, 3.5, 3, 3, 3, 3, 3.5, 4, 5, 5.5, 5, 3.5, 2}
	today := g.now.Truncate(24 * time.Hour)
	recent := min(n, max(4, n/100))
	g.times = make([]time.Time, n)
	for i := range g.times {
		if i < recent {
			// Guarantee a few orders from the last day and a half, so the packing queue is never empty.
			g.times[i] = g.now.Add(-time.Duration(rng.Float64() * float64(30*time.Hour))).Truncate(time.Second)
			continue
		}
		day := today.AddDate(0, 0, -int(89.999*math.Pow(rng.Float64(), 1.25)))
		hour := demoWeighted(rng, hourWeights)
		t := day.Add(time.Duration(hour)*time.Hour + time.Duration(rng.IntN(3600))*time.Second)
		if t.After(g.now) {
			t = day.Add(time.Duration(rng.Float64() * float64(g.now.Sub(day)))).Truncate(time.Second)
		}
		g.times[i] = t
	}
	slices.SortFunc(g.times, func(a, b time.Time) int { return a.Compare(b) })

	g.late = make([]bool, n)
	var candidates []int
	for i, t := range g.times {
		// Older than the longest ship-by (3 days) plus half a day, so each one really is late.
		if age := g.now.Sub(t); age >= 84*time.Hour && age <= 8*24*time.Hour {
			candidates = append(candidates, i)
		}
	}
	rng.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	for _, i := range candidates[:min(len(candidates), max(3, n/60))] {
		g.late[i] = true
	}

	g.unmatched = make([]bool, n)
	if n > 0 {
		g.unmatched[n-1-rng.IntN(recent)] = true // one still waiting to be packed
	}
	for k := 1; k < max(2, n/1000) && k < n; k++ {
		g.unmatched[rng.IntN(n)] = true
	}
}

func demoWeighted(rng *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func demoPick(rng *rand.Rand, chars string) rune {
	r := []rune(chars)
	return r[rng.IntN(len(r))]
}

func demoOne[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// done reports whether every order has been generated.
func (g *demoOrders) done() bool { return g.next >= len(g.times) }

// order generates the next order.
func (g *demoOrders) order() demoOrder {
	i := g.next
	g.next++
	rng := g.rng
	placed := g.times[i]
	age := g.now.Sub(placed)

	weights := make([]float64, len(demoChannels))
	for c, ch := range demoChannels {
		if ch.sinceDays == 0 || age < time.Duration(ch.sinceDays*24)*time.Hour {
			weights[c] = ch.weight
		}
	}
	ch := demoChannels[demoWeighted(rng, weights)]
	region := demoWeighted(rng, ch.regions[:])

	var p demoOrder
	o := &p.Order
	o.Channel, o.Currency = ch.name, "GBP"
	cust := g.customer(region)
	o.CustomerName, o.CustomerEmail, o.ShipTo = cust.name, cust.email, cust.addr
	switch ch.name {
	case "amazon":
		// Amazon hides buyers behind a relay address.
		o.CustomerEmail = demoToken(rng, 14) + "@marketplace.example.com"
	case "tiktok":
		o.CustomerEmail = ""
	}
	o.ExternalID = g.externalID(ch.name, region)
	o.PlacedAt = placed.In(demoZone(ch.name, region, placed))

	g.lines(&p, ch.name, g.unmatched[i])
	g.money(&p, ch.name, region)
	g.lifecycle(&p, ch.name, region, g.late[i], g.unmatched[i])
	return p
}

// customer returns a returning buyer a quarter of the time, otherwise a new one.
func (g *demoOrders) customer(region int) demoCustomer {
	rng := g.rng
	pool := g.customers[region]
	if len(pool) > 0 && rng.IntN(4) == 0 {
		return pool[rng.IntN(len(pool))]
	}
	var c demoCustomer
	var first, last string
	switch region {
	case regionUK:
		first, last = demoOne(rng, demoUKFirst), demoOne(rng, demoUKLast)
		town := demoOne(rng, demoTowns)
		letters := "ABDEFGHJLNPQRSTUWXYZ"
		c.addr = Address{
			Line1:    fmt.Sprintf("%d %s", 1+rng.IntN(180), demoOne(rng, demoUKStreets)),
			City:     town.city,
			Region:   town.region,
			Postcode: fmt.Sprintf("%s%d %d%c%c", town.area, 1+rng.IntN(20), 1+rng.IntN(9), demoPick(rng, letters), demoPick(rng, letters)),
			Country:  "GB",
		}
		if rng.IntN(7) == 0 {
			c.addr.Line2 = demoOne(rng, []string{"Flat 2", "Flat 14", "Apartment 5", "The Old Bakery", "Unit 3", "Flat B"})
		}
	case regionEU:
		city := demoOne(rng, demoEUCities)
		first, last = demoOne(rng, city.first), demoOne(rng, city.last)
		street, no := demoOne(rng, city.streets), 1+rng.IntN(120)
		c.addr = Address{City: city.city, Postcode: city.postcode(rng), Country: city.country}
		if city.numberFirst {
			c.addr.Line1 = fmt.Sprintf("%d %s", no, street)
		} else {
			c.addr.Line1 = fmt.Sprintf("%s %d", street, no)
		}
	default:
		first, last = demoOne(rng, demoUSFirst), demoOne(rng, demoUSLast)
		city := demoOne(rng, demoUSCities)
		c.addr = Address{
			Line1:    fmt.Sprintf("%d %s", 100+rng.IntN(4900), demoOne(rng, demoUSStreets)),
			City:     city.city,
			Region:   city.state,
			Postcode: fmt.Sprintf("%s%02d", city.zip3, rng.IntN(100)),
			Country:  "US",
		}
		if rng.IntN(5) == 0 {
			c.addr.Line2 = fmt.Sprintf("Apt %d%c", 1+rng.IntN(12), 'A'+rune(rng.IntN(4)))
		}
	}
	c.name = first + " " + last
	c.addr.Name = c.name
	c.email = demoEmail(rng, first, last)
	if len(pool) < 5000 {
		g.customers[region] = append(pool, c)
	}
	return c
}

var demoASCII = strings.NewReplacer("á", "a", "é", "e", "è", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ö", "o",
	"ä", "a", "ø", "o", "æ", "ae", "å", "a", "ß", "ss", "'", "", " ", "")

// demoEmail makes an address the way people pick them, at domains reserved for examples.
func demoEmail(rng *rand.Rand, first, last string) string {
	f, l := strings.ToLower(demoASCII.Replace(first)), strings.ToLower(demoASCII.Replace(last))
	var local string
	switch rng.IntN(5) {
	case 0:
		local = f + "." + l
	case 1:
		local = fmt.Sprintf("%s%s%d", f, l, 70+rng.IntN(35))
	case 2:
		local = f[:1] + "." + l
	case 3:
		local = f + "_" + l
	default:
		local = l + "." + f
	}
	return local + "@" + demoOne(rng, []string{"example.com", "example.net", "example.org"})
}

func demoToken(rng *rand.Rand, n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

// externalID makes the channel's order id in its own style.
func (g *demoOrders) externalID(channel string, region int) string {
	rng := g.rng
	for {
		var id string
		switch channel {
		case "shopify":
			id = fmt.Sprintf("#%d", g.shopifyNo)
			g.shopifyNo++
		case "woocommerce":
			// WooCommerce numbers orders with post ids, which other posts use too, so they skip.
			id = fmt.Sprint(g.wooNo)
			g.wooNo += 1 + rng.Int64N(3)
		case "etsy":
			id = fmt.Sprint(g.etsyNo)
			g.etsyNo += 2000 + rng.Int64N(58000)
		case "tiktok":
			id = fmt.Sprint(g.tiktokNo)
			g.tiktokNo += 1_000_000_000 + rng.Int64N(99_000_000_000)
		case "amazon":
			site := []int{202, 203, 204, 205, 206}
			if region == regionUS {
				site = []int{111, 112, 113, 114}
			}
			id = fmt.Sprintf("%03d-%07d-%07d", demoOne(rng, site), rng.IntN(10_000_000), rng.IntN(10_000_000))
		default:
			id = fmt.Sprintf("%02d-%05d-%05d", 10+rng.IntN(18), rng.IntN(100_000), rng.IntN(100_000))
		}
		if !g.used[channel+id] {
			if channel == "amazon" || channel == "ebay" {
				g.used[channel+id] = true
			}
			return id
		}
	}
}

// demoZone is the offset a channel reports order times in: the shop's own UK time for its shops and
// TikTok, UTC for Etsy, eBay and Amazon UK, US Eastern for Amazon.com.
func demoZone(channel string, region int, t time.Time) *time.Location {
	switch {
	case channel == "amazon" && region == regionUS:
		if usSummerTime(t) {
			return time.FixedZone("", -4*3600)
		}
		return time.FixedZone("", -5*3600)
	case channel == "shopify" || channel == "woocommerce" || channel == "tiktok":
		if ukSummerTime(t) {
			return time.FixedZone("", 3600)
		}
		return time.FixedZone("", 0)
	}
	return time.UTC
}

// ukSummerTime: BST runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
func ukSummerTime(t time.Time) bool {
	t = t.UTC()
	lastSunday := func(month time.Month) time.Time {
		d := time.Date(t.Year(), month+1, 0, 1, 0, 0, 0, time.UTC)
		return d.AddDate(0, 0, -int(d.Weekday()))
	}
	return !t.Before(lastSunday(time.March)) && t.Before(lastSunday(time.October))
}

// usSummerTime: US Eastern daylight time runs from the second Sunday of March (07:00 UTC) to the first
// Sunday of November (06:00 UTC).
func usSummerTime(t time.Time) bool {
	t = t.UTC()
	nthSunday := func(month time.Month, n int, hour int) time.Time {
		d := time.Date(t.Year(), month, 1, hour, 0, 0, 0, time.UTC)
		d = d.AddDate(0, 0, (7-int(d.Weekday()))%7)
		return d.AddDate(0, 0, 7*(n-1))
	}
	return !t.Before(nthSunday(time.March, 2, 7)) && t.Before(nthSunday(time.November, 1, 6))
}

// lines fills the order's lines as the channel would send them, and notes what they take from stock.
func (g *demoOrders) lines(p *demoOrder, channel string, unmatched bool) {
	rng := g.rng
	n := 1 + demoWeighted(rng, []float64{0.55, 0.28, 0.12, 0.05})
	n = min(n, len(g.sellable))
	var picked []int
	for len(picked) < n {
		idx := g.pick()
		if slices.Contains(picked, idx) {
			if rng.IntN(3) == 0 {
				break // a small catalogue runs out of distinct popular items
			}
			continue
		}
		picked = append(picked, idx)
	}
	for k, idx := range picked {
		it := &g.cat.items[idx]
		qty := int64(1 + demoWeighted(rng, []float64{0.8, 0.15, 0.04, 0.005, 0.003, 0.002}))
		l := OrderLine{LineNo: k + 1, Quantity: qty, UnitPrice: it.Price, Pack: 1}
		alias, hasAlias := g.cat.alias(channel, it.SKU)
		switch {
		case hasAlias && (alias.Pack == 1 || rng.IntN(2) == 0):
			// The channel knows this item by its own name or pack code; the alias maps it back.
			if channel == "etsy" {
				l.Name = alias.ChannelKey
			} else {
				l.ChannelSKU = alias.ChannelKey
				l.Name = amazonTitle(it)
				if alias.Pack > 1 {
					l.Name += fmt.Sprintf(", pack of %d", alias.Pack)
				}
			}
			if alias.price > 0 {
				l.UnitPrice = alias.price
			}
			p.parts = append(p.parts, demoParts{idx, qty * alias.Pack, l.LineNo})
			p.Lines = append(p.Lines, l)
			continue
		case channel == "shopify" || channel == "woocommerce":
			l.Name = shopifyTitle(it)
		case channel == "etsy":
			l.Name = etsyTitle(it)
		case channel == "amazon" || channel == "ebay":
			l.Name = amazonTitle(it)
		default:
			l.Name = shopifyTitle(it)
		}
		l.SKU = it.SKU
		p.parts = append(p.parts, demoParts{idx, qty, l.LineNo})
		p.Lines = append(p.Lines, l)
	}
	if unmatched {
		// An item the shop retired or never listed in Backroom: it waits in the unmatched queue.
		l := OrderLine{LineNo: len(p.Lines) + 1, Quantity: 1, Pack: 1}
		if channel == "etsy" {
			l.Name, l.UnitPrice = "Vintage Enamel Jug, Cream, 1 Litre | "+demoShopName, 2200
		} else {
			l.ChannelSKU, l.Name, l.UnitPrice = "FK-MUG-OLIVE", "Stoneware mug - Olive", 1400
		}
		p.Lines = append(p.Lines, l)
	}
}

// pick draws a sellable item, popular ones more often.
func (g *demoOrders) pick() int {
	x := g.rng.Float64() * g.cum[len(g.cum)-1]
	i, _ := slices.BinarySearch(g.cum, x)
	return g.sellable[min(i, len(g.sellable)-1)]
}

// money totals the order the way the channel would: shipping by destination, the odd discount code,
// and US sales tax collected by the marketplaces. UK prices include VAT, so UK tax is not added on top.
func (g *demoOrders) money(p *demoOrder, channel string, region int) {
	rng := g.rng
	o := &p.Order
	for _, l := range o.Lines {
		o.Subtotal += l.Quantity * l.UnitPrice
	}
	switch {
	case region == regionEU:
		o.Shipping = 995
	case region == regionUS:
		o.Shipping = 1495
	case channel == "tiktok":
		o.Shipping = 0
	case channel == "amazon":
		if o.Subtotal < 2500 {
			o.Shipping = 299
		}
	case channel == "etsy":
		o.Shipping = 350
	case channel == "ebay":
		o.Shipping = 325
	default:
		if o.Subtotal < 4000 {
			o.Shipping = 395
		}
	}
	switch {
	case (channel == "shopify" || channel == "woocommerce") && rng.IntN(8) == 0:
		o.Discount = o.Subtotal / 10
	case channel == "etsy" && rng.IntN(12) == 0:
		o.Discount = o.Subtotal * 15 / 100
	case channel == "tiktok" && rng.IntN(2) == 0 && o.Subtotal > 1000:
		o.Discount = 200
	}
	if region == regionUS && (channel == "etsy" || channel == "amazon" || channel == "ebay") {
		rate := demoOne(rng, []float64{0.06, 0.0725, 0.08, 0.0875, 0.095})
		o.Tax = int64(math.Round(float64(o.Subtotal-o.Discount) * rate))
	}
	o.Total = o.Subtotal + o.Shipping + o.Tax - o.Discount
}

// lifecycle decides how far the order has got by its age, and when each step happened. Old orders are
// delivered (a few cancelled or sent back), yesterday's are being packed, and the late ones are open
// past their ship-by date.
func (g *demoOrders) lifecycle(p *demoOrder, channel string, region int, late, keep bool) {
	rng := g.rng
	o := &p.Order
	placed := o.PlacedAt.UTC()
	age := g.now.Sub(placed)
	days := 2 + rng.IntN(2)
	if channel == "amazon" {
		days = 2
	}
	o.ShipBy = placed.AddDate(0, 0, days)
	paid := placed.Add(time.Duration(rng.IntN(900)) * time.Second)
	if paid.After(g.now) {
		paid = placed
	}
	// A parcel is packed within a day and goes with the carrier's next collection.
	svc := g.post.service(g.cat, p, channel, region)
	shipped := g.post.handover(svc, placed.Add(2*time.Hour+time.Duration(rng.Float64()*float64(24*time.Hour))))
	delivered, slow := g.post.deliver(svc, shipped)
	returned := delivered.Add(4*24*time.Hour + time.Duration(rng.Float64()*float64(10*24*time.Hour)))

	var st Status
	u := rng.Float64()
	switch {
	case late:
		st = demoOne(rng, []Status{StatusPaid, StatusPicking, StatusPacked})
	case age < 3*time.Hour:
		st = StatusNew
		if u < 0.5 {
			st = StatusPaid
		}
	case age < 24*time.Hour:
		st = demoStatus(u, []demoShare{{StatusPaid, 0.35}, {StatusPicking, 0.25}, {StatusPacked, 0.25}}, StatusShipped)
	case age < 48*time.Hour:
		st = demoStatus(u, []demoShare{{StatusPaid, 0.08}, {StatusPicking, 0.07}, {StatusPacked, 0.15}}, StatusShipped)
	case age < 5*24*time.Hour:
		st = demoStatus(u, []demoShare{{StatusShipped, 0.55}}, StatusDelivered)
	case age < 12*24*time.Hour:
		st = demoStatus(u, []demoShare{{StatusShipped, 0.12}}, StatusDelivered)
	default:
		st = StatusDelivered
	}
	cancel := rng.Float64() < 0.03
	sendBack := rng.Float64() < 0.025
	switch {
	case late || keep:
	case cancel && age > 2*time.Hour:
		st = StatusCancelled
	case sendBack && st == StatusDelivered:
		st = StatusReturned
	}
	// Nothing can have happened after now: an order that would have shipped later is still being packed.
	if st == StatusReturned && returned.After(g.now) {
		st = StatusDelivered
	}
	if st == StatusDelivered && delivered.After(g.now) {
		st = StatusShipped
	}
	if st == StatusShipped && shipped.After(g.now) {
		st = StatusPacked
	}

	// The history starts when Backroom first saw the order: paid already, unless it is still new.
	var ev []demoEvent
	add := func(s Status, at time.Time) { ev = append(ev, demoEvent{s, at}) }
	if st == StatusNew {
		add(StatusNew, placed)
	} else {
		o.PaidAt = paid
		add(StatusPaid, paid)
	}
	switch st {
	case StatusPicking, StatusPacked:
		span := g.now.Sub(paid)
		if late {
			span = o.ShipBy.Sub(paid)
		}
		add(StatusPicking, paid.Add(span/2))
		if st == StatusPacked {
			add(StatusPacked, paid.Add(span*3/4))
		}
	case StatusCancelled:
		add(StatusCancelled, paid.Add(time.Duration(rng.Float64()*float64(min(20*time.Hour, g.now.Sub(paid))))))
	case StatusShipped, StatusDelivered, StatusReturned:
		o.ShippedAt = shipped
		add(StatusShipped, shipped)
		p.ship = Shipment{Carrier: demoServices[svc].carrier, Service: demoServices[svc].service, Tracking: g.post.tracking(svc),
			ShippedAt: shipped}
		if st != StatusShipped {
			o.DeliveredAt = delivered
			add(StatusDelivered, delivered)
		}
		switch {
		case st == StatusReturned:
			add(StatusReturned, returned)
			p.returns = g.post.returns(g.cat, p, true, slow, returned)
		case st == StatusDelivered && !late && !keep && !returned.After(g.now) && g.post.rng.Float64() < 0.06:
			// Part of an order with more than one unit comes back; the rest is kept.
			p.returns = g.post.returns(g.cat, p, false, slow, returned)
		}
	}
	o.Status = st
	p.last = ev[len(ev)-1].at
	p.history = ev[:len(ev)-1]
}

// demoShare is the share of orders of one age that are in a status.
type demoShare struct {
	status Status
	share  float64
}

// demoStatus picks the status whose cumulative share u falls in, or rest beyond them all.
func demoStatus(u float64, shares []demoShare, rest Status) Status {
	acc := 0.0
	for _, s := range shares {
		acc += s.share
		if u < acc {
			return s.status
		}
	}
	return rest
}

// alias returns the alias a channel uses for sku, if any.
func (c *demoCatalogue) alias(channel, sku string) (demoAlias, bool) {
	for _, a := range c.aliases {
		if a.Channel == channel && a.SKU == sku {
			return a, true
		}
	}
	return demoAlias{}, false
}
