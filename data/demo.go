package data

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// DemoOptions shape the demo shop. The zero value is the shop the app offers on first run.
type DemoOptions struct {
	// Seed picks one of many possible demo shops; the same seed and Now give the same shop.
	Seed uint64
	// Products is the number of SKUs, kits included (default: the 61 of the hand-written catalogue).
	// Larger numbers add generated product ranges.
	Products int
	// Orders is the number of orders over the 90 days before Now (default 200).
	Orders int
	// Now is the demo's today (default: the store's clock).
	Now time.Time
	// Progress, when set, is called with the share of the work done, from 0 to 1, on the calling goroutine.
	Progress func(done float64)
}

// DemoResult counts what GenerateDemo created.
type DemoResult struct {
	Users, Locations, Suppliers, SupplierItems  int
	Products, Variants, Kits, Aliases, Barcodes int
	Movements                                   int
	Orders, OrderLines, UnmatchedLines          int
	LateOrders                                  int // open orders past their ship-by date
	// PurchaseOrders counts every purchase order, the drafts the contingency plans wrote included.
	// Alerts counts the alerts the ContingencyRules raised.
	PurchaseOrders, ContingencyRules, Alerts int
	// Oversold lists the SKUs the demo leaves with negative stock on purpose, to show what overselling
	// looks like.
	Oversold []string
}

// The demo's story, in days before its today: the catalogue is written a few days before the first
// purchase orders go out (demoBuying), sales start 90 days ago, and some overflow goes to the garage.
const (
	demoCatalogueDays = 185
	demoTransferDays  = 85
	demoBatch         = 1000 // orders per transaction: big enough to be fast, small enough to keep the WAL small
)

// GenerateDemo fills an empty database with Fern & Kettle, a small British homeware and tea shop: users,
// a shop and a garage, suppliers with ranked backups, products with variants, kits and channel aliases,
// six months of purchase orders and their deliveries (one supplier unreliable, one order overdue, one on
// its way, one draft), a stock ledger, orders from six channels over the last 90 days (some late, one
// with an item nobody has mapped, one SKU oversold), and contingency plans with the alerts they raise.
// It refuses a database that has any products or orders, and otherwise keeps what is there (users,
// locations, suppliers of the same names are reused). A demo stopped part-way (cancelled, disk
// full) leaves part of the shop behind; delete the file to start again.
//
// Everything is written through the store's own transaction helpers, so the demo obeys the same rules as
// real data. Rows are dated when they happen in the story (each purchase order when it was written, sent
// and delivered, each order when it reached its current status, with its earlier steps in its history,
// returned goods when they came back), so the ledger, cost and order histories read like a real shop's.
func (s *Store) GenerateDemo(ctx context.Context, opts DemoOptions) (DemoResult, error) {
	var res DemoResult
	if s.user.Role != RoleOwner {
		return res, errorf(ErrPermission, "only an owner can fill the database with the demo shop")
	}
	if opts.Products <= 0 {
		opts.Products = demoDefaultProducts()
	}
	if opts.Orders <= 0 {
		opts.Orders = 200
	}
	if opts.Now.IsZero() {
		opts.Now = s.Now()
	}
	opts.Now = opts.Now.UTC().Truncate(time.Second)
	variants, err := s.CountVariants(ctx, "", true)
	if err != nil {
		return res, err
	}
	orders, err := s.CountOrders(ctx, OrderFilter{})
	if err != nil {
		return res, err
	}
	if variants > 0 || orders > 0 {
		return res, errorf(ErrConflict, "the database already has products or orders; the demo shop only goes into an empty one")
	}
	d := &demo{s: s, opts: opts, res: &res, locations: map[string]string{}}
	d.cat = newDemoCatalogue(rand.New(rand.NewPCG(opts.Seed, 1)), opts.Products)
	steps := []struct {
		run    func(context.Context) error
		weight float64
	}{
		{d.addUsers, 0.01}, {d.addSettings, 0}, {d.addLocations, 0}, {d.addSuppliers, 0.01}, {d.addCatalogue, 0.10},
		{d.addSupplierItems, 0.06}, {d.addStock, 0.10}, {d.addOrders, 0.68}, {d.addContingencies, 0.04},
		{d.addMessages, 0},
	}
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("make demo shop: %w", err)
		}
		d.weight = st.weight
		if err := st.run(ctx); err != nil {
			return res, fmt.Errorf("make demo shop: %w", err)
		}
		d.done += st.weight
		d.report(0)
	}
	return res, nil
}

// demoDefaultProducts is the size of the hand-written catalogue, kits included.
func demoDefaultProducts() int {
	n := len(demoKits)
	for _, p := range demoProducts {
		n += max(1, len(p.options))
	}
	return n
}

// demo is one run of GenerateDemo.
type demo struct {
	s         *Store
	owner     *Store // Alex, who set the shop up
	packer    *Store // Jamie, who packs orders and notices breakages
	opts      DemoOptions
	cat       *demoCatalogue
	res       *DemoResult
	locations map[string]string // name → id
	suppliers []string          // ids, as demoSuppliers
	waves     []*demoWave       // the purchase orders of the story, as demoBuying
	// timed is what happens to stock apart from orders (deliveries, breakages, counts, transfers), in
	// time order; addOrders writes it among the orders. It has written it up to nextTimed.
	timed     []demoTimed
	nextTimed int
	done      float64
	weight    float64
}

func (d *demo) report(part float64) {
	if d.opts.Progress != nil {
		d.opts.Progress(min(1, d.done+d.weight*part))
	}
}

func (d *demo) daysAgo(days float64) time.Time {
	return d.opts.Now.Add(-time.Duration(days * float64(24*time.Hour)))
}

// backdate makes the rows a transaction writes next carry the time they happen in the demo's story,
// instead of the moment the demo is generated.
func (t *tx) backdate(at time.Time) { t.now = at.UTC() }

// addUsers makes the shop's three people, or reuses users of those names.
func (d *demo) addUsers(ctx context.Context) error {
	people := []struct {
		name string
		role Role
		pin  string
	}{
		{"Alex Morgan", RoleOwner, ""},
		{"Jamie Lee", RolePacker, "1234"},
		{"Priya Shah", RoleAccountant, "2468"},
	}
	var users []User
	for _, p := range people {
		u, err := d.s.UserByName(ctx, p.name)
		if errors.Is(err, ErrNotFound) {
			if u, err = d.s.AddUser(ctx, p.name, p.role, p.pin); err == nil {
				d.res.Users++
			}
		}
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	d.owner, d.packer = d.s.As(users[0]), d.s.As(users[1])
	return nil
}

// addSettings names the shop and its currency, unless someone already chose them.
func (d *demo) addSettings(ctx context.Context) error {
	for _, st := range []struct {
		key   Setting
		value string
	}{{SettingShopName, demoShopName}, {SettingShopAddress, "Unit 4, Tannery Yard\nMill Street\nLeek ST13 5AA"}, {SettingCurrency, "GBP"}} {
		v, err := d.s.Setting(ctx, st.key)
		if err != nil {
			return err
		}
		if v == "" {
			if err := d.owner.SetSetting(ctx, st.key, st.value); err != nil {
				return err
			}
		}
	}
	return nil
}

// addLocations makes the shop floor and the garage, or reuses locations of those names.
func (d *demo) addLocations(ctx context.Context) error {
	existing, err := d.s.Locations(ctx)
	if err != nil {
		return err
	}
	for _, l := range []struct{ name, kind string }{{"Shop", "shop"}, {"Garage", "garage"}} {
		i := slices.IndexFunc(existing, func(e Location) bool { return strings.EqualFold(e.Name, l.name) })
		if i >= 0 {
			d.locations[l.name] = existing[i].ID
			continue
		}
		loc, err := d.owner.AddLocation(ctx, l.name, l.kind)
		if err != nil {
			return err
		}
		d.locations[l.name] = loc.ID
		d.res.Locations++
	}
	return nil
}

// addSuppliers records the shop's six suppliers, or reuses suppliers of those names.
func (d *demo) addSuppliers(ctx context.Context) error {
	existing, err := d.s.Suppliers(ctx)
	if err != nil {
		return err
	}
	for _, sp := range demoSuppliers {
		i := slices.IndexFunc(existing, func(e Supplier) bool { return strings.EqualFold(e.Name, sp.name) })
		if i >= 0 {
			d.suppliers = append(d.suppliers, existing[i].ID)
			continue
		}
		added, err := d.owner.AddSupplier(ctx, Supplier{Name: sp.name, Contact: sp.contact, Email: sp.email, Phone: sp.phone,
			Currency: "GBP", LeadTimeDays: sp.leadDays, MinOrderValue: sp.minOrder, Notes: sp.notes})
		if err != nil {
			return err
		}
		d.suppliers = append(d.suppliers, added.ID)
		d.res.Suppliers++
	}
	return nil
}

// addCatalogue writes the SKUs a few thousand to a transaction (AddVariant would take one each), then
// the kits, aliases and the one discontinued SKU through the ordinary methods.
func (d *demo) addCatalogue(ctx context.Context) error {
	productIDs := map[int]string{}
	items := d.cat.items
	const batch = 2000
	for start := 0; start < len(items); start += batch {
		err := d.owner.update(ctx, func(t *tx) error {
			t.backdate(d.daysAgo(demoCatalogueDays))
			for i := start; i < min(start+batch, len(items)); i++ {
				it := items[i]
				n := it.NewVariant
				if it.garage {
					n.Location = "Garage"
				} else {
					n.Location = "Shop"
				}
				n.ProductID = productIDs[it.product]
				if err := n.Validate(); err != nil {
					return err
				}
				if err := t.addVariant(ctx, n); err != nil {
					return err
				}
				if n.ProductID == "" {
					v, err := t.s.variant(ctx, t, n.SKU)
					if err != nil {
						return err
					}
					productIDs[it.product] = v.ProductID
				}
				d.res.Barcodes += len(n.Barcodes)
			}
			return nil
		})
		if err != nil {
			return err
		}
		d.report(float64(min(start+batch, len(items))) / float64(len(items)))
	}
	d.res.Products, d.res.Variants = len(productIDs), len(items)
	for _, it := range items {
		if len(it.kitParts) > 0 {
			if err := d.owner.SetKit(ctx, it.SKU, it.kitParts); err != nil {
				return err
			}
			d.res.Kits++
		}
		if !it.active {
			off := false
			if _, err := d.owner.UpdateVariant(ctx, it.SKU, VariantUpdate{Active: &off}); err != nil {
				return err
			}
		}
	}
	for _, a := range d.cat.aliases {
		if err := d.owner.SetAlias(ctx, a.Alias); err != nil {
			return err
		}
		d.res.Aliases++
	}
	return nil
}

// addSupplierItems gives every stocked SKU its maker as the primary supplier at today's price, a few
// thousand to a transaction. Backups cost a little more: every piece of pottery has the wholesaler as
// its first backup, and the smaller pieces Tamar Valley Pottery as the second; a fifth of the other
// makers' SKUs have the wholesaler as a backup too.
func (d *demo) addSupplierItems(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(d.opts.Seed, 5))
	items := d.cat.items
	const batch = 2000
	for start := 0; start < len(items); start += batch {
		err := d.owner.update(ctx, func(t *tx) error {
			t.backdate(d.daysAgo(demoCatalogueDays))
			for i := start; i < min(start+batch, len(items)); i++ {
				it := items[i]
				if it.supplier < 0 {
					continue
				}
				cost := demoAt(it.Cost, demoPriceNow(it.supplier))
				sources := []SupplierItem{{SupplierID: d.suppliers[it.supplier], SKU: it.SKU, SupplierSKU: it.supplierSKU, UnitCost: &cost,
					PackSize: it.pack}}
				wholesale := it.supplier != supTrade && rng.IntN(5) == 0
				if wholesale || it.supplier == supClay {
					dearer := cost * 112 / 100
					sources = append(sources, SupplierItem{SupplierID: d.suppliers[supTrade], SKU: it.SKU,
						SupplierSKU: fmt.Sprintf("HB%05d", 20000+i), UnitCost: &dearer, PackSize: 1})
				}
				if it.supplier == supClay && !it.garage {
					studio := cost * 120 / 100
					sources = append(sources, SupplierItem{SupplierID: d.suppliers[supTamar], SKU: it.SKU,
						SupplierSKU: fmt.Sprintf("TVP-%04d", 1000+i), UnitCost: &studio, PackSize: 1, MinOrderQty: 2})
				}
				for rank, src := range sources {
					src.Rank = rank + 1
					if err := t.addSupplierItem(ctx, src); err != nil {
						return err
					}
					d.res.SupplierItems++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		d.report(float64(min(start+batch, len(items))) / float64(len(items)))
	}
	return nil
}

// addSupplierItem records that a supplier sells a SKU the transaction has just created. It is
// SetSupplierItem's insert without the checks a new, empty catalogue cannot fail, so thousands fit in
// one transaction; the caller gives each of a SKU's suppliers its rank.
func (t *tx) addSupplierItem(ctx context.Context, it SupplierItem) error {
	if it.MinOrderQty <= 0 {
		it.MinOrderQty = 1
	}
	_, err := t.ExecContext(ctx, `INSERT INTO supplier_items(supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_qty, rank)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, it.SupplierID, it.SKU, it.SupplierSKU, *it.UnitCost, it.PackSize, it.MinOrderQty, it.Rank)
	if err != nil {
		return fmt.Errorf("set supplier item %s: %w", it.SKU, err)
	}
	return t.audit(ctx, "set", "supplier_item", it.SupplierID+":"+it.SKU, nil, it)
}

// demoLevels is what the story does to each SKU's stock, kits expanded into their parts.
type demoLevels struct {
	grid []time.Time // when deliveries arrive, in order
	// used holds, per item, len(grid)+1 buckets of the units that left its location (sold, broken, moved
	// to the garage): before the first delivery, between each delivery and the next, after the last.
	used     []int64
	sold     []int64 // units shipped
	returned []int64 // units that came back
	reserved []int64 // units on open orders
}

// take records that units of item leave its location at a time.
func (lv *demoLevels) take(item int, at time.Time, units int64) {
	k := sort.Search(len(lv.grid), func(j int) bool { return lv.grid[j].After(at) })
	lv.used[item*(len(lv.grid)+1)+k] += units
}

// usedBefore is what left item's location before the delivery at grid time at.
func (lv *demoLevels) usedBefore(item int, at time.Time) int64 {
	k, _ := slices.BinarySearchFunc(lv.grid, at, func(g, t time.Time) int { return g.Compare(t) })
	var n int64
	for _, u := range lv.used[item*(len(lv.grid)+1) : item*(len(lv.grid)+1)+k+1] {
		n += u
	}
	return n
}

// plan runs through every order the demo will write and totals what they take from stock, and when.
func (d *demo) plan() *demoLevels {
	n := len(d.cat.items)
	lv := &demoLevels{grid: d.deliveryGrid(), sold: make([]int64, n), returned: make([]int64, n), reserved: make([]int64, n)}
	lv.used = make([]int64, n*(len(lv.grid)+1))
	g := newDemoOrders(d.opts.Seed, d.cat, d.opts.Orders, d.opts.Now)
	for !g.done() {
		o := g.order()
		for _, part := range o.parts {
			for _, idx := range d.cat.stockItems(part.item) {
				switch {
				case o.Status.Open():
					lv.reserved[idx] += part.units
				case o.Status.Shipped():
					lv.sold[idx] += part.units
					lv.take(idx, o.ShippedAt, part.units)
				}
			}
		}
		lv.addRestocked(d.cat, &o)
	}
	return lv
}

// stockItems lists the items that hold the stock of item: its parts when it is a kit, one entry per unit.
func (c *demoCatalogue) stockItems(item int) []int {
	if k := c.items[item].kit; len(k) > 0 {
		return k
	}
	return []int{item}
}

// demoTimed is one thing that happens to stock in the story apart from orders: a movement, or a
// delivery against a purchase order.
type demoTimed struct {
	at       time.Time
	by       *Store
	move     *Movement
	wave     *demoWave
	delivery int // which of the wave's deliveries
}

// addStock works out what every SKU must receive so that it ends with what its open orders need plus a
// margin (a few end with little or none, and one is oversold) and never dips below zero on the way,
// orders it from its suppliers (see order), and plans the breakages, stock-count finds and overflow
// moved to the garage. It writes the purchase orders; addOrders writes the rest among the orders.
func (d *demo) addStock(ctx context.Context) error {
	d.schedule()
	lv := d.plan()
	rng := rand.New(rand.NewPCG(d.opts.Seed, 4))
	items := d.cat.items
	shop, garage := d.locations["Shop"], d.locations["Garage"]
	// The SKU oversold is the one most wanted by open orders, preferably not the pottery's: its overdue
	// order would hide the orders the shortage holds up from the contingency plan that lists them.
	oversold := -1
	rank := func(i int) []int64 {
		var other int64
		if items[i].supplier != supClay {
			other = 1
		}
		return []int64{other, lv.reserved[i], lv.sold[i]}
	}
	for i, it := range items {
		if len(it.kit) > 0 || !it.active || lv.sold[i] < 3 {
			continue
		}
		if oversold < 0 || slices.Compare(rank(i), rank(oversold)) > 0 {
			oversold = i
		}
	}
	move := func(by *Store, at time.Time, m Movement) {
		m.ID = newID()
		d.timed = append(d.timed, demoTimed{at: at, by: by, move: &m})
	}
	adjustNotes := []string{"Dropped while packing", "Chipped in the delivery", "Damaged on the shelf", "Used for photos",
		"Given to a customer as a replacement"}
	total := make([]int64, len(items)) // what each SKU must receive
	for i, it := range items {
		if len(it.kit) > 0 || !it.active {
			continue
		}
		loc := shop
		if it.garage {
			loc = garage
		}
		// spare is what is left over once open orders are packed.
		var spare int64
		switch {
		case i == oversold:
			spare = -lv.reserved[i] - lv.returned[i] - 2
			d.res.Oversold = append(d.res.Oversold, it.SKU)
		case rng.IntN(16) == 0:
			spare = rng.Int64N(3)
		default:
			spare = max(6, lv.sold[i]*int64(20+rng.IntN(60))/100) + rng.Int64N(12)
		}
		total[i] = lv.reserved[i] + spare + lv.sold[i]
		// A handful of breakages and stock-count finds, in proportion to the catalogue.
		if spare >= 6 && rng.IntN(len(items)) < max(3, len(items)/15) {
			broken := 1 + rng.Int64N(2)
			at := d.daysAgo(rng.Float64() * 45)
			move(d.packer, at, Movement{SKU: it.SKU, LocationID: loc, Quantity: -broken, Reason: ReasonAdjustment,
				Note: demoOne(rng, adjustNotes)})
			lv.take(i, at, broken)
			total[i] += broken
			spare -= broken
		}
		if spare >= 2 && rng.IntN(len(items)) < max(2, len(items)/30) {
			found := 1 + rng.Int64N(2)
			move(d.packer, d.daysAgo(2+rng.Float64()*40), Movement{SKU: it.SKU, LocationID: loc, Quantity: found,
				Reason: ReasonCount, RefType: "count", Note: "Stock count: found more on the shelf than recorded"})
		}
		// Overflow goes to the garage; what is left in the shop still covers every sale and open order.
		if !it.garage && spare >= 9 && rng.IntN(10) < 3 {
			qty := spare / 3
			ref := newID()
			at := d.daysAgo(demoTransferDays - rng.Float64()*3)
			move(d.owner, at, Movement{SKU: it.SKU, LocationID: shop, Quantity: -qty, Reason: ReasonTransfer,
				RefType: "transfer", RefID: ref, Note: "Overflow to the garage"})
			move(d.owner, at, Movement{SKU: it.SKU, LocationID: garage, Quantity: qty, Reason: ReasonTransfer,
				RefType: "transfer", RefID: ref, Note: "Overflow to the garage"})
			lv.take(i, at, qty)
		}
	}
	d.order(lv, total)
	d.report(0.5)
	if err := d.writePOs(ctx); err != nil {
		return err
	}
	slices.SortStableFunc(d.timed, func(a, b demoTimed) int { return a.at.Compare(b.at) })
	return nil
}

// writeTimed writes timed entries up to (not including) upto, in time order, a transaction per run of
// one person's entries.
func (d *demo) writeTimed(ctx context.Context, upto int) error {
	const batch = 2000
	for d.nextTimed < upto {
		start, end := d.nextTimed, d.nextTimed
		by := d.timed[start].by
		for end < upto && end-start < batch && d.timed[end].by == by {
			end++
		}
		err := by.update(ctx, func(t *tx) error {
			for _, ev := range d.timed[start:end] {
				t.backdate(ev.at)
				if ev.move == nil {
					if err := d.receive(ctx, t, ev.wave, ev.delivery); err != nil {
						return err
					}
					continue
				}
				if _, err := t.insertMovement(ctx, *ev.move); err != nil {
					return err
				}
				d.res.Movements++
			}
			return nil
		})
		if err != nil {
			return err
		}
		d.nextTimed = end
	}
	return nil
}

// addOrders writes the orders a thousand to a transaction through applyOrder, as an import would, each
// dated when it reached its current status and given its earlier steps as history, with the deliveries
// and other movements of the story in between, in time order. A returned order's goods come back onto
// the shelf.
func (d *demo) addOrders(ctx context.Context) error {
	g := newDemoOrders(d.opts.Seed, d.cat, d.opts.Orders, d.opts.Now)
	batch := make([]demoOrder, 0, demoBatch)
	for !g.done() {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Deliveries go in before the first order placed after them, with whatever else happened to
		// stock before them, so each one's moving-average cost weighs the stock really on hand. Orders
		// are cut into batches only there: a transaction per breakage would slow a large demo down.
		upto := d.nextTimed
		for i := d.nextTimed; i < len(d.timed) && d.timed[i].at.Before(g.times[g.next]); i++ {
			if d.timed[i].wave != nil {
				upto = i + 1
			}
		}
		if err := d.writeTimed(ctx, upto); err != nil {
			return err
		}
		next := len(d.timed) // the next delivery
		for i := d.nextTimed; i < len(d.timed); i++ {
			if d.timed[i].wave != nil {
				next = i
				break
			}
		}
		batch = batch[:0]
		for len(batch) < demoBatch && !g.done() && (next == len(d.timed) || !g.times[g.next].After(d.timed[next].at)) {
			batch = append(batch, g.order())
		}
		err := d.packer.update(ctx, func(t *tx) error {
			for i := range batch {
				if err := d.writeOrder(ctx, t, &batch[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		d.report(float64(g.next) / float64(len(g.times)))
	}
	return d.writeTimed(ctx, len(d.timed))
}

func (d *demo) writeOrder(ctx context.Context, t *tx, p *demoOrder) error {
	o := &p.Order
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Status == StatusReturned {
		// Book the sale when the parcel left, so it comes before the goods coming back; applyOrder then
		// finds those movements already there and adds none.
		for i := range o.Lines {
			if err := t.resolveLine(ctx, o.Channel, &o.Lines[i]); err != nil {
				return err
			}
		}
		t.backdate(o.ShippedAt)
		if err := t.applySaleMovements(ctx, o); err != nil {
			return err
		}
	}
	t.backdate(p.last)
	_, unmatched, err := t.applyOrder(ctx, o)
	if err != nil {
		return err
	}
	for _, ev := range p.history {
		t.backdate(ev.at)
		if err := t.addHistory(ctx, o.ID, ev.status); err != nil {
			return err
		}
	}
	if o.Status.Shipped() {
		for _, part := range p.parts {
			d.res.Movements += len(d.cat.uniqueStockItems(part.item))
		}
	}
	if err := d.writeShipping(ctx, t, p); err != nil {
		return err
	}
	d.res.Orders++
	d.res.OrderLines += len(o.Lines)
	d.res.UnmatchedLines += unmatched
	if o.Status.Open() && o.ShipBy.Before(d.opts.Now) {
		d.res.LateOrders++
	}
	return nil
}

// uniqueStockItems is stockItems without repeats: one movement per part, whatever its quantity.
func (c *demoCatalogue) uniqueStockItems(item int) []int {
	var out []int
	for _, idx := range c.stockItems(item) {
		if !slices.Contains(out, idx) {
			out = append(out, idx)
		}
	}
	return out
}
