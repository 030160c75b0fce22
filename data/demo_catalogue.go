package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// This file holds what the demo shop sells: Fern & Kettle, a small British homeware and tea shop. The
// hand-written catalogue comes first; larger demos (benchmarks) extend it with product ranges built from
// word lists, so that 20,000 SKUs still read like a shop's and never repeat a SKU.

// demoShopName is the demo shop's trading name; Amazon and eBay listings carry it.
const demoShopName = "Fern & Kettle"

// demoSupplier is one of the shop's suppliers. prefix starts the supplier's own item codes; minOrder is
// its smallest order in pence.
type demoSupplier struct {
	name, contact, email, phone string
	leadDays                    int
	minOrder                    int64
	notes                       string
	prefix                      string
}

// The phone numbers are from Ofcom's ranges reserved for drama, and the addresses use the reserved
// .example domain, so nobody real is ever rung or mailed from the demo. How each supplier behaves (the
// pottery is often late, the linen maker slow but steady) is in demoBuying.
var demoSuppliers = []demoSupplier{
	{"Stoke Clayworks", "Hannah Bright", "hannah@stokeclayworks.example", "01632 960412", 21, 15000,
		"Kiln firings every other week; a missed firing puts a delivery back a week or more. Chase a week before it is due.", "SCW-"},
	{"Leaf & Stone Tea Co.", "Raj Patel", "orders@leafandstone.example", "020 7946 0381", 10, 0,
		"Blends to order; ships Tuesdays and Fridays and has never missed a promised day.", "LST-"},
	{"Northern Linen Co.", "Fiona Mackay", "fiona@northernlinen.example", "0113 496 0721", 28, 0,
		"Dyed to order; allow four weeks. Slow, but it arrives when promised.", "NLC-"},
	{"Wickham Candle Works", "Tom Wickham", "tom@wickhamcandles.example", "01632 960877", 14, 0,
		"Pours in batches of 48.", "WCW-"},
	{"Hollybrook Trade Supplies", "Sam Okafor", "trade@hollybrook.example", "0161 496 0154", 5, 0,
		"Wholesaler: next day on most lines, dearer than the makers. Our first backup for the pottery.", "HB"},
	{"Tamar Valley Pottery", "Ellen Rowe", "studio@tamarvalleypottery.example", "0117 496 0528", 18, 15000,
		"Studio pottery near Tavistock: throws our mug, plate and bowl shapes when Stoke cannot, at a higher price.", "TVP-"},
}

// The suppliers by role, as indexes into demoSuppliers.
const (
	supClay = iota
	supTea
	supLinen
	supCandle
	supTrade
	supTamar // a second backup for the pottery; no SKU has it as its primary
)

// demoOption is one variant of a demo product; a zero price or cost means the product's.
type demoOption struct {
	title, code string
	price, cost int64
}

// demoProduct is one product of the hand-written catalogue.
type demoProduct struct {
	stem     string // SKU stem ("FK-MUG"); the option code is appended
	legacy   int    // when set, SKUs are this number onwards, zero-padded to five digits (the old till's codes)
	name     string
	options  []demoOption
	price    int64
	cost     int64
	supplier int
	pack     int64   // units per case from the supplier
	garage   bool    // bulky: kept in the garage, not the shop
	pop      float64 // relative popularity
	retired  string  // option code of a discontinued variant
}

var demoProducts = []demoProduct{
	{stem: "FK-MUG", name: "Stoneware mug", price: 1400, cost: 480, supplier: supClay, pack: 6, pop: 5, options: []demoOption{
		{title: "Sage", code: "SAGE"}, {title: "Rust", code: "RUST"}, {title: "Chalk", code: "CHALK"}, {title: "Ink", code: "INK"}}},
	{stem: "FK-TEA", name: "Loose leaf tea 100 g", price: 850, cost: 260, supplier: supTea, pack: 12, pop: 6, retired: "XMAS", options: []demoOption{
		{title: "Earl Grey", code: "EARLGREY"}, {title: "English Breakfast", code: "BREAKFAST"}, {title: "Sencha", code: "SENCHA"},
		{title: "Rooibos", code: "ROOIBOS"}, {title: "Chamomile", code: "CHAMOMILE"}, {title: "Lapsang Souchong", code: "LAPSANG", price: 950, cost: 310},
		{title: "Christmas Spice", code: "XMAS"}}},
	{stem: "FK-TEA250", name: "Loose leaf tea 250 g refill", price: 1800, cost: 560, supplier: supTea, pack: 6, pop: 2, options: []demoOption{
		{title: "Earl Grey", code: "EARLGREY"}, {title: "English Breakfast", code: "BREAKFAST"}}},
	{stem: "FK-CDL", name: "Soy candle 200 g", price: 1800, cost: 510, supplier: supCandle, pack: 6, pop: 4, options: []demoOption{
		{title: "Fig & Cassis", code: "FIG"}, {title: "Sea Salt", code: "SEASALT"}, {title: "Woodsmoke", code: "WOODSMOKE"}, {title: "Tomato Leaf", code: "TOMATO"}}},
	{stem: "FK-DIF", name: "Reed diffuser 100 ml", price: 2200, cost: 650, supplier: supCandle, pack: 6, pop: 1.5, options: []demoOption{
		{title: "Fig & Cassis", code: "FIG"}, {title: "Sea Salt", code: "SEASALT"}}},
	{legacy: 421, name: "Beeswax tealights, pack of 10", price: 700, cost: 210, supplier: supCandle, pack: 12, pop: 2},
	{stem: "FK-APR", name: "Linen apron", price: 3200, cost: 1150, supplier: supLinen, pack: 1, pop: 2.5, options: []demoOption{
		{title: "Natural / S", code: "NAT-S"}, {title: "Natural / M", code: "NAT-M"}, {title: "Natural / L", code: "NAT-L"},
		{title: "Charcoal / S", code: "CHA-S"}, {title: "Charcoal / M", code: "CHA-M"}, {title: "Charcoal / L", code: "CHA-L"}}},
	{stem: "FK-TOTE", name: "Canvas tote bag", price: 1200, cost: 320, supplier: supLinen, pack: 10, pop: 2, options: []demoOption{
		{title: "Natural", code: "NAT"}, {title: "Black", code: "BLK"}}},
	{stem: "FK-TWL", name: "Tea towel", price: 950, cost: 240, supplier: supLinen, pack: 10, pop: 3, options: []demoOption{
		{title: "Fern print", code: "FERN"}, {title: "Kettle print", code: "KETTLE"}, {title: "Ticking stripe", code: "STRIPE"}}},
	{stem: "FK-NAP", name: "Linen napkins, set of 4", price: 2400, cost: 800, supplier: supLinen, pack: 4, pop: 1, options: []demoOption{
		{title: "Natural", code: "NAT"}, {title: "Sage", code: "SAGE"}, {title: "Rust", code: "RUST"}}},
	{stem: "FK-COSY", name: "Wool tea cosy", price: 2600, cost: 890, supplier: supLinen, pack: 1, pop: 0.8, options: []demoOption{
		{title: "Mustard", code: "MUSTARD"}, {title: "Grey", code: "GREY"}}},
	{stem: "FK-TPC", name: "Cast iron teapot 0.8 l", price: 3800, cost: 1400, supplier: supTrade, pack: 2, garage: true, pop: 1, options: []demoOption{
		{title: "Black", code: "BLK"}, {title: "Teal", code: "TEAL"}}},
	{stem: "FK-TPG", name: "Glass teapot with infuser", price: 2400, cost: 840, supplier: supTrade, pack: 4, pop: 1.5},
	{stem: "FK-TPS", name: "Stoneware teapot 1 l", price: 4200, cost: 1550, supplier: supClay, pack: 2, garage: true, pop: 1, options: []demoOption{
		{title: "Sage", code: "SAGE"}, {title: "Chalk", code: "CHALK"}}},
	{legacy: 388, name: "Enamel mug", price: 1100, cost: 350, supplier: supTrade, pack: 12, pop: 2, options: []demoOption{
		{title: "Cream"}, {title: "Green"}}},
	{stem: "FK-PLT", name: "Stoneware plate 21 cm", price: 1600, cost: 550, supplier: supClay, pack: 6, pop: 1.2, options: []demoOption{
		{title: "Sage", code: "SAGE"}, {title: "Chalk", code: "CHALK"}}},
	{stem: "FK-SCOOP", name: "Bamboo tea scoop", price: 450, cost: 90, supplier: supTrade, pack: 25, pop: 1.5},
	{stem: "FK-INF", name: "Stainless steel tea infuser", price: 550, cost: 110, supplier: supTrade, pack: 25, pop: 2},
	{stem: "FK-STR", name: "Brass tea strainer", price: 1200, cost: 380, supplier: supTrade, pack: 10, pop: 0.8},
	{stem: "FK-WHISK", name: "Bamboo matcha whisk", price: 1600, cost: 520, supplier: supTea, pack: 6, pop: 0.8},
	{stem: "FK-MATCHA", name: "Matcha 30 g tin", price: 1900, cost: 780, supplier: supTea, pack: 6, pop: 1.2, options: []demoOption{
		{title: "Ceremonial", code: "CER"}, {title: "Culinary", code: "CUL", price: 1200, cost: 410}}},
	{stem: "FK-HONEY", name: "Raw honey 340 g", price: 900, cost: 420, supplier: supTrade, pack: 12, pop: 1.2, options: []demoOption{
		{title: "Wildflower", code: "WILD"}, {title: "Heather", code: "HEATHER", price: 1100, cost: 520}}},
	{stem: "FK-CST", name: "Oak coasters, set of 4", price: 1800, cost: 600, supplier: supTrade, pack: 5, pop: 1},
	{stem: "FK-NB", name: "A5 dotted notebook", price: 800, cost: 220, supplier: supTrade, pack: 20, pop: 1, options: []demoOption{
		{title: "Fern", code: "FERN"}, {title: "Kettle", code: "KETTLE"}}},
	{stem: "FK-MAT", name: "Jute doormat", price: 2800, cost: 950, supplier: supTrade, pack: 2, garage: true, pop: 0.6},
	{stem: "FK-SPOON", name: "Olive wood spoon set", price: 1500, cost: 480, supplier: supTrade, pack: 6, pop: 0.7},
}

// demoKit is a bundle sold under its own SKU; it holds no stock, its parts do.
type demoKit struct {
	sku, name string
	price     int64
	parts     []KitComponent
	pop       float64
}

var demoKits = []demoKit{
	{"FK-GIFT-MUGTEA", "Gift box: mug and tea", 2400, []KitComponent{{"FK-MUG-SAGE", 1}, {"FK-TEA-EARLGREY", 1}}, 2},
	{"FK-GIFT-TEASET", "Tea lover's gift set", 4500, []KitComponent{{"FK-TPG", 1}, {"FK-TEA-SENCHA", 1}, {"FK-TEA-ROOIBOS", 1}, {"FK-SCOOP", 1}}, 1},
	{"FK-CDL-TRIO", "Candle trio", 4800, []KitComponent{{"FK-CDL-FIG", 1}, {"FK-CDL-SEASALT", 1}, {"FK-CDL-WOODSMOKE", 1}}, 0.8},
}

// demoAlias is what a channel calls one of the demo's SKUs. price is the channel's price for one
// channel unit when it differs from the SKU's (a 3-pack costs more than one).
type demoAlias struct {
	Alias
	price int64
}

var demoAliases = []demoAlias{
	{Alias{"etsy", "Handmade Stoneware Mug, Sage Green Glaze, 350 ml", "FK-MUG-SAGE", 1}, 0},
	{Alias{"etsy", "Handmade Stoneware Mug, Rust Glaze, 350 ml", "FK-MUG-RUST", 1}, 0},
	{Alias{"etsy", "Linen Apron with Pockets, Natural, Medium", "FK-APR-NAT-M", 1}, 0},
	{Alias{"etsy", "Loose Leaf Earl Grey Tea, 100 g Pouch", "FK-TEA-EARLGREY", 1}, 0},
	{Alias{"amazon", "FK-TEALIGHT-3PK", "00421", 3}, 1900},
	{Alias{"amazon", "FK-EG100-2PK", "FK-TEA-EARLGREY", 2}, 1600},
	{Alias{"ebay", "TEAPOT-CAST-BLACK", "FK-TPC-BLK", 1}, 0},
}

// demoRange is a kind of item the generated product ranges are made of.
type demoRange struct {
	code, noun string
	materials  []string
	options    []demoOption
	price      int64
	supplier   int
	pack       int64
	garage     bool
}

var (
	demoColours = []demoOption{{title: "Sage", code: "SAGE"}, {title: "Rust", code: "RUST"}, {title: "Chalk", code: "CHALK"},
		{title: "Ink", code: "INK"}, {title: "Moss", code: "MOSS"}, {title: "Oat", code: "OAT"}, {title: "Clay", code: "CLAY"},
		{title: "Slate", code: "SLATE"}, {title: "Mustard", code: "MUST"}, {title: "Blush", code: "BLUSH"},
		{title: "Indigo", code: "INDIGO"}, {title: "Charcoal", code: "CHAR"}}
	demoSizes  = []demoOption{{title: "Small", code: "S"}, {title: "Medium", code: "M"}, {title: "Large", code: "L"}}
	demoScents = []demoOption{{title: "Fig & Cassis", code: "FIG"}, {title: "Sea Salt", code: "SEASALT"},
		{title: "Woodsmoke", code: "SMOKE"}, {title: "Tomato Leaf", code: "TOMATO"}, {title: "Neroli", code: "NEROLI"},
		{title: "Cedar", code: "CEDAR"}, {title: "Rhubarb", code: "RHUBARB"}, {title: "Lavender", code: "LAV"}}
)

var demoRanges = []demoRange{
	{"BWL", "bowl", []string{"stoneware", "porcelain", "enamel", "olive wood"}, demoColours, 1400, supClay, 6, false},
	{"JUG", "jug", []string{"stoneware", "enamel", "glass", "copper"}, demoColours, 2200, supClay, 4, false},
	{"VAS", "vase", []string{"stoneware", "glass", "porcelain"}, demoColours, 2600, supClay, 4, false},
	{"CUS", "cushion cover", []string{"linen", "wool", "cotton", "velvet"}, demoColours, 2800, supLinen, 4, false},
	{"THR", "throw", []string{"wool", "cotton", "linen"}, demoColours, 6500, supLinen, 2, true},
	{"TRY", "tray", []string{"oak", "walnut", "enamel", "rattan"}, demoSizes, 2400, supTrade, 4, false},
	{"BSK", "basket", []string{"rattan", "seagrass", "willow"}, demoSizes, 3200, supTrade, 2, true},
	{"CST", "coaster set", []string{"cork", "oak", "slate", "marble"}, demoColours, 1600, supTrade, 6, false},
	{"PLN", "planter", []string{"terracotta", "stoneware", "concrete"}, demoSizes, 1800, supClay, 4, true},
	{"CHD", "candle holder", []string{"brass", "glass", "stoneware"}, demoColours, 1500, supCandle, 6, false},
	{"BRD", "chopping board", []string{"oak", "walnut", "olive wood"}, demoSizes, 3400, supTrade, 3, false},
	{"NAP", "napkin set", []string{"linen", "cotton"}, demoColours, 2200, supLinen, 4, false},
	{"DSH", "dish", []string{"porcelain", "stoneware", "olive wood"}, demoColours, 1200, supClay, 6, false},
	{"TMB", "tumbler", []string{"glass", "stoneware"}, demoColours, 900, supTrade, 6, false},
	{"JAR", "storage jar", []string{"glass", "stoneware", "enamel"}, demoSizes, 1600, supTrade, 6, false},
	{"CDL", "candle", []string{"soy wax", "beeswax", "rapeseed wax"}, demoScents, 1900, supCandle, 6, false},
}

// Ranges are named after collections and, once those run out, a style within a collection.
var (
	demoCollections = []string{"Hedgerow", "Meadow", "Harbour", "Orchard", "Moorland", "Willow", "Bramble", "Thistle",
		"Heather", "Cove", "Estuary", "Fell", "Dale", "Coppice", "Sorrel", "Yarrow", "Clover", "Juniper", "Rowan", "Hazel",
		"Alder", "Elder", "Linnet", "Wren", "Marsh", "Shoreline", "Tideway", "Brookside", "Bracken", "Foxglove", "Primrose",
		"Bluebell", "Larch", "Birch", "Chalkhill", "Quarry", "Millpond", "Saltmarsh", "Greenway", "Downland"}
	demoStyles = []string{"", "classic", "rustic", "studio", "heritage", "everyday", "artisan", "Nordic", "cottage", "coastal"}
)

// demoItem is one SKU of the demo catalogue with everything the generator needs about it.
type demoItem struct {
	NewVariant
	product     int   // index of its product, to group variants
	kit         []int // component indexes when the item is a kit, one per unit
	kitParts    []KitComponent
	active      bool
	garage      bool
	pop         float64
	supplier    int
	supplierSKU string
	pack        int64
}

// demoCatalogue is the whole demo catalogue.
type demoCatalogue struct {
	items    []demoItem
	products int
	bySKU    map[string]int
	aliases  []demoAlias
}

// newDemoCatalogue builds n SKUs: the hand-written catalogue (kits included when their parts are), cut
// short or extended by generated ranges.
func newDemoCatalogue(rng *rand.Rand, n int) *demoCatalogue {
	c := &demoCatalogue{bySKU: map[string]int{}}
	var base []demoItem
	for pi, p := range demoProducts {
		opts := p.options
		if len(opts) == 0 {
			opts = []demoOption{{}}
		}
		for oi, o := range opts {
			sku := p.stem
			if p.legacy > 0 {
				sku = fmt.Sprintf("%05d", p.legacy+oi)
			} else if o.code != "" {
				sku += "-" + o.code
			}
			it := demoItem{
				NewVariant: NewVariant{SKU: sku, ProductName: p.name, Title: o.title, Price: p.price, Cost: p.cost, Currency: "GBP"},
				product:    pi, active: o.code == "" || o.code != p.retired, garage: p.garage, pop: p.pop / float64(len(opts)),
				supplier: p.supplier, pack: p.pack,
			}
			if o.price > 0 {
				it.Price, it.Cost = o.price, o.cost
			}
			base = append(base, it)
		}
	}
	// Take as many hand-written items as fit, then the kits whose parts made it in.
	keep := min(n, len(base))
	for ; keep > 0; keep-- {
		kits := 0
		for _, k := range demoKits {
			if kitFits(k, base[:keep]) {
				kits++
			}
		}
		if keep+kits <= n {
			break
		}
	}
	for _, it := range base[:keep] {
		c.add(it)
	}
	c.products = len(demoProducts)
	if keep > 0 {
		c.products = c.items[keep-1].product + 1
	}
	for _, k := range demoKits {
		if !kitFits(k, base[:keep]) {
			continue
		}
		it := demoItem{
			NewVariant: NewVariant{SKU: k.sku, ProductName: k.name, Price: k.price, Currency: "GBP"},
			product:    c.products, active: true, pop: k.pop, supplier: -1, kitParts: k.parts,
		}
		for _, part := range k.parts {
			pi := c.bySKU[part.SKU]
			it.Cost += c.items[pi].Cost * part.Quantity
			for range part.Quantity {
				it.kit = append(it.kit, pi)
			}
		}
		c.add(it)
		c.products++
	}
	for _, a := range demoAliases {
		if _, ok := c.bySKU[a.SKU]; ok {
			c.aliases = append(c.aliases, a)
		}
	}
	c.extend(rng, n)
	c.finish(rng)
	return c
}

func kitFits(k demoKit, items []demoItem) bool {
	for _, part := range k.parts {
		found := false
		for _, it := range items {
			found = found || it.SKU == part.SKU
		}
		if !found {
			return false
		}
	}
	return true
}

func (c *demoCatalogue) add(it demoItem) {
	c.bySKU[it.SKU] = len(c.items)
	c.items = append(c.items, it)
}

// extend adds generated product ranges until the catalogue has n SKUs. Every name is distinct: a range
// is an item kind and material in a collection, then in a style of that collection, then numbered.
func (c *demoCatalogue) extend(rng *rand.Rand, n int) {
	type kind struct {
		r        *demoRange
		material string
	}
	var kinds []kind
	for i := range demoRanges {
		for _, m := range demoRanges[i].materials {
			kinds = append(kinds, kind{&demoRanges[i], m})
		}
	}
	legacyNo := 1000
	for g := 0; len(c.items) < n; g++ {
		k := kinds[g%len(kinds)]
		rest := g / len(kinds)
		coll := demoCollections[rest%len(demoCollections)]
		rest /= len(demoCollections)
		name := coll
		if style := demoStyles[rest%len(demoStyles)]; style != "" {
			name += " " + style
		}
		name += " " + k.material + " " + k.r.noun
		if series := rest / len(demoStyles); series > 0 {
			name += fmt.Sprintf(" No. %d", series+1)
		}
		price := demoShopPrice(rng, float64(k.r.price)*(0.75+0.8*rng.Float64()))
		cost := int64(float64(price) * (0.28 + 0.12*rng.Float64()))
		// Pick 1–4 options, in the option list's order so a range reads Small, Medium, Large.
		count := 1 + rng.IntN(min(4, len(k.r.options)))
		picked := rng.Perm(len(k.r.options))[:count]
		slices.Sort(picked)
		legacy := g%9 == 8
		pop := 0.02 + 0.6*rng.Float64()*rng.Float64()*rng.Float64()
		for _, oi := range picked {
			if len(c.items) >= n {
				break
			}
			o := k.r.options[oi]
			var sku, title string
			switch {
			case legacy:
				sku = fmt.Sprintf("%05d", legacyNo)
				legacyNo++
			case count == 1:
				sku = fmt.Sprintf("FK-%s-%04d", k.r.code, g)
			default:
				sku = fmt.Sprintf("FK-%s-%04d-%s", k.r.code, g, o.code)
			}
			if count > 1 {
				title = o.title
			}
			c.add(demoItem{
				NewVariant: NewVariant{SKU: sku, ProductName: name, Title: title, Price: price, Cost: cost, Currency: "GBP"},
				product:    c.products, active: true, garage: k.r.garage, pop: pop / float64(count),
				supplier: k.r.supplier, pack: k.r.pack,
			})
		}
		c.products++
	}
}

// finish gives every item its barcodes, bin and supplier code.
func (c *demoCatalogue) finish(rng *rand.Rand) {
	for i := range c.items {
		it := &c.items[i]
		if len(it.kit) > 0 {
			it.Bin = ""
			if rng.IntN(2) == 0 {
				it.Barcodes = []string{demoEAN(demoKitBarcodes, i)}
			}
			continue
		}
		// Most items carry the shop's own GS1 barcode; some came from the maker with none.
		if rng.Float64() < 0.88 {
			it.Barcodes = []string{demoEAN(demoItemBarcodes, i)}
		}
		if it.SKU == "FK-TEA-EARLGREY" {
			// The old pouch's barcode still turns up at the till.
			it.Barcodes = append(it.Barcodes, demoEAN(demoOldBarcodes, i))
		}
		if it.garage {
			it.Location = "Garage"
			it.Bin = fmt.Sprintf("G-%02d-%d", 1+it.product%8, 1+rng.IntN(3))
		} else {
			it.Bin = fmt.Sprintf("%c-%02d-%d", 'A'+rune(it.product/12%6), 1+it.product%12, 1+rng.IntN(4))
		}
		s := demoSuppliers[it.supplier]
		it.supplierSKU = fmt.Sprintf("%s%04d", s.prefix, 1000+i)
	}
}

// Barcode number ranges, kept apart so no two items ever share a code.
const (
	demoItemBarcodes = 41_870_000
	demoKitBarcodes  = 30_000_000
	demoOldBarcodes  = 20_000_000
)

// demoEAN returns the i-th valid EAN-13 of a number range of a small UK (50) GS1 member.
func demoEAN(base, i int) string {
	return withEANCheckDigit(fmt.Sprintf("5060%08d", base+i))
}

// withEANCheckDigit appends the GS1 check digit to twelve digits: weights 1 and 3 alternate from the left.
func withEANCheckDigit(digits12 string) string {
	sum := 0
	for i, r := range digits12 {
		d := int(r - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return digits12 + string(rune('0'+(10-sum%10)%10))
}

// demoShopPrice rounds to what a shop would charge: whole or half pounds, some ending in 95p.
func demoShopPrice(rng *rand.Rand, pence float64) int64 {
	p := (int64(pence) + 25) / 50 * 50
	if p < 300 {
		p = 300
	}
	if rng.IntN(3) == 0 {
		p -= 5
	}
	return p
}

// etsyTitle is how the demo shop words a listing on Etsy when no alias gives one: long and searchable.
func etsyTitle(it *demoItem) string {
	t := it.ProductName
	if it.Title != "" {
		t += ", " + it.Title
	}
	return t + " | " + demoShopName
}

// amazonTitle is Amazon's style of product name: brand first, everything capitalised.
func amazonTitle(it *demoItem) string {
	t := demoShopName + " " + titleCase(it.ProductName)
	if it.Title != "" {
		t += " (" + it.Title + ")"
	}
	return t
}

// shopifyTitle is Shopify's "Product - Variant" line item name.
func shopifyTitle(it *demoItem) string {
	if it.Title == "" {
		return it.ProductName
	}
	return it.ProductName + " - " + it.Title
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		switch w {
		case "g", "ml", "l", "cm", "of", "and", "with":
			continue // units and small words stay as they are: "100 ml", "set of 4"
		}
		if w[0] >= 'a' && w[0] <= 'z' {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
