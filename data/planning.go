package data

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// planningSetting is the default and the allowed range of one planning setting.
type planningSetting struct {
	def, min, max float64
	whole         bool // days, not a percentage
}

func (r planningSetting) kind() string {
	if r.whole {
		return "a whole number of days"
	}
	return "a percentage"
}

// planningSettings is a read-only table of the settings reorder planning reads.
var planningSettings = map[Setting]planningSetting{
	SettingVelocityDays: {def: 56, min: 7, max: 365, whole: true},
	SettingServiceLevel: {def: 95, min: 50, max: 99.9},
	SettingCoverDays:    {def: 30, min: 0, max: 365, whole: true},
}

// PlanningSettings are the shop's choices reorder planning follows.
type PlanningSettings struct {
	VelocityDays int     // sales velocity is measured over this many days before now
	ServiceLevel float64 // percent: the chance of not running out during a lead time
	CoverDays    int     // days of demand an order covers beyond the lead time
}

// PlanningSettings reads the planning settings, with the defaults for those never set. A stored value
// outside its range (written by hand, or by an older version) counts as unset rather than failing the plan.
func (s *Store) PlanningSettings(ctx context.Context) (PlanningSettings, error) {
	get := func(key Setting) (float64, error) {
		r := planningSettings[key]
		v, err := s.Setting(ctx, key)
		if err != nil {
			return 0, err
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < r.min || n > r.max {
			return r.def, nil
		}
		return n, nil
	}
	var ps PlanningSettings
	days, err := get(SettingVelocityDays)
	if err != nil {
		return ps, err
	}
	level, err := get(SettingServiceLevel)
	if err != nil {
		return ps, err
	}
	cover, err := get(SettingCoverDays)
	if err != nil {
		return ps, err
	}
	return PlanningSettings{VelocityDays: int(days), ServiceLevel: level, CoverDays: int(cover)}, nil
}

// normalQuantile is the inverse of the standard normal CDF: the z with P(Z ≤ z) = p, for 0 < p < 1.
// It is Peter Acklam's rational approximation (relative error below 1.2e-9), refined by one Halley step
// on math.Erfc, which brings it to about machine precision.
func normalQuantile(p float64) float64 {
	if p <= 0 {
		return math.Inf(-1)
	}
	if p >= 1 {
		return math.Inf(1)
	}
	a := [...]float64{-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
		1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00}
	b := [...]float64{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
		6.680131188771972e+01, -1.328068155288572e+01}
	c := [...]float64{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
		-2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}
	d := [...]float64{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
		3.754408661907416e+00}
	const low = 0.02425
	var x float64
	switch {
	case p < low:
		q := math.Sqrt(-2 * math.Log(p))
		x = (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q + 1)
	case p <= 1-low:
		q := p - 0.5
		r := q * q
		x = (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r + a[5]) * q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r + 1)
	default:
		q := math.Sqrt(-2 * math.Log(1-p))
		x = -(((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q + 1)
	}
	e := 0.5*math.Erfc(-x/math.Sqrt2) - p
	u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
	return x - u/(1+x*u/2)
}

// Velocity is how fast a SKU sells, measured over the days it could sell.
type Velocity struct {
	SKU         string
	Units       int64   // our units ordered in the window (kits counted as their parts)
	InStockDays int     // days of the window the SKU could be sold (see SalesVelocity)
	PerDay      float64 // Units ÷ InStockDays; 0 when it was never in stock
	StdDev      float64 // sample standard deviation of the daily units over the in-stock days
}

// SalesVelocity measures every non-kit SKU's demand over the days days before now, keyed by the SKU as
// the catalogue writes it.
//
// Demand is the units on orders placed in the window and not cancelled, in our units (quantity × pack);
// a kit's units count as its components', since a kit holds no stock and ordering means ordering parts.
// The window is days slices of 24 hours ending at now (not calendar days), so the answer does not
// depend on the time zone or on how much of today has passed.
//
// A day is out of stock when the SKU's on-hand stock over all locations was 0 or less at the start of
// the day and no unit of it was ordered that day. Both halves matter: a day that started empty but saw a
// sale had stock arrive or took a backorder, either way it shows real demand; a day that started empty
// and sold nothing says nothing about demand and would drag the average down, so it is left out. A day
// that started with stock and sold out by noon still counts as in stock, which errs on the side of
// ordering a little less. Days before a SKU's first stock (a new product) are out of stock the same way.
func (s *Store) SalesVelocity(ctx context.Context, now time.Time, days int) (map[string]Velocity, error) {
	h, err := s.readHistory(ctx, s.read, now, days)
	if err != nil {
		return nil, err
	}
	return h.velocities(), nil
}

// history is one pass over the ledger and the window's order lines, per SKU (lower case).
type history struct {
	days  int
	skus  map[string]*skuHistory
	raw   map[string]*skuHistory // by the SKU as rows spell it
	order []string               // lower-case SKUs as the catalogue lists them, for a stable result
}

type skuHistory struct {
	sku    string // as the catalogue writes it
	name   string
	active bool
	kit    bool
	// opening is the on-hand stock at the window's start; onHand the stock at the end of the ledger.
	opening, onHand int64
	days            []dayFigures // days with a movement or an order, by day
}

// dayFigures is what happened to a SKU on one day of the window.
type dayFigures struct {
	day  int
	net  int64 // signed stock movements
	sold int64 // units ordered
}

// lookup finds a SKU's history by the SKU as a row writes it. Rows almost always write a SKU as the
// catalogue does, so the exact spelling is remembered and lower-casing (an allocation) happens once per
// spelling, not once per row.
func (h *history) lookup(sku []byte) *skuHistory {
	if sh, ok := h.raw[string(sku)]; ok {
		return sh
	}
	sh := h.sku(strings.ToLower(string(sku)))
	h.raw[string(sku)] = sh
	return sh
}

func (h *history) sku(key string) *skuHistory {
	sh := h.skus[key]
	if sh == nil {
		// A ledger or order row for a SKU no longer in the catalogue cannot happen (foreign keys), but
		// a lookup must not panic on one.
		sh = &skuHistory{sku: key}
		h.skus[key] = sh
	}
	return sh
}

func (sh *skuHistory) at(day int) *dayFigures {
	if n := len(sh.days); n > 0 && sh.days[n-1].day == day {
		return &sh.days[n-1]
	}
	i := sort.Search(len(sh.days), func(i int) bool { return sh.days[i].day >= day })
	if i < len(sh.days) && sh.days[i].day == day {
		return &sh.days[i]
	}
	sh.days = append(sh.days, dayFigures{})
	copy(sh.days[i+1:], sh.days[i:])
	sh.days[i] = dayFigures{day: day}
	return &sh.days[i]
}

// dayExpr is the 0-based day of the window a stored time falls on, counted in whole milliseconds from
// the window's start (?1) so a time exactly on a boundary lands on the later day.
const dayExpr = `CAST(round((julianday({col}) - julianday(?1)) * 86400000.0) AS INTEGER) / 86400000`

// readHistory reads the catalogue, the whole ledger grouped by SKU and day and the window's demand
// grouped the same way: three queries whatever the size of the shop.
func (s *Store) readHistory(ctx context.Context, q querier, now time.Time, days int) (*history, error) {
	if days <= 0 {
		return nil, errorf(ErrInvalid, "sales velocity needs a window of at least one day, not %d", days)
	}
	start := now.Add(-time.Duration(days) * 24 * time.Hour)
	h := &history{days: days, skus: map[string]*skuHistory{}, raw: map[string]*skuHistory{}}
	err := scanRows(ctx, q, `SELECT v.sku, p.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END, v.active,
			EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = v.sku)
		FROM variants v JOIN products p ON p.id = v.product_id`, func(r *sql.Rows) error {
		sh := &skuHistory{}
		if err := r.Scan(&sh.sku, &sh.name, &sh.active, &sh.kit); err != nil {
			return err
		}
		key := strings.ToLower(sh.sku)
		h.skus[key] = sh
		h.order = append(h.order, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read SKUs for planning: %w", err)
	}
	// Sorted here: ORDER BY on the NOCASE key costs SQLite ten times the query itself.
	sort.Strings(h.order)
	// Each SKU's stock now is its running total in stock_levels. The window's movements and order
	// lines come as plain rows, each with its day, and are added up per SKU and day here: asking SQLite
	// to GROUP BY SKU and day sorts ~120,000 rows on a NOCASE key, which took 0.5–1 s on the
	// 100,000-order shop where reading the rows takes under 0.1 s (there are nearly as many groups as rows).
	var sku sql.RawBytes // valid only until the next row, which lookup allows for
	err = scanRows(ctx, q, `SELECT sku, SUM(on_hand) FROM stock_levels GROUP BY sku`, func(r *sql.Rows) error {
		var n int64
		if err := r.Scan(&sku, &n); err != nil {
			return err
		}
		sh := h.lookup(sku)
		sh.onHand += n
		sh.opening += n // less the window's movements, below
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stock on hand: %w", err)
	}
	// Movements after now (a clock set back) count toward today's stock but toward no day of the window.
	err = scanRows(ctx, q, `SELECT sku, `+strings.ReplaceAll(dayExpr, "{col}", "created_at")+`, quantity
		FROM stock_movements WHERE created_at >= ?1`, func(r *sql.Rows) error {
		var day int
		var n int64
		if err := r.Scan(&sku, &day, &n); err != nil {
			return err
		}
		sh := h.lookup(sku)
		sh.opening -= n
		if day < days {
			sh.at(day).net += n
		}
		return nil
	}, formatTime(start))
	if err != nil {
		return nil, fmt.Errorf("read stock history: %w", err)
	}
	err = scanRows(ctx, q, `SELECT COALESCE(k.component_sku, l.sku), `+strings.ReplaceAll(dayExpr, "{col}", "o.placed_at")+`,
			l.quantity * l.pack * COALESCE(k.quantity, 1)
		FROM orders o JOIN order_lines l ON l.order_id = o.id LEFT JOIN kit_components k ON k.kit_sku = l.sku
		WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'cancelled' AND l.sku IS NOT NULL`, func(r *sql.Rows) error {
		var day int
		var n int64
		if err := r.Scan(&sku, &day, &n); err != nil {
			return err
		}
		if day >= 0 && day < days {
			h.lookup(sku).at(day).sold += n
		}
		return nil
	}, formatTime(start), formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("read demand history: %w", err)
	}
	return h, nil
}

// velocity applies SalesVelocity's rule to one SKU's days.
func (sh *skuHistory) velocity(days int) Velocity {
	v := Velocity{SKU: sh.sku}
	balance := sh.opening // on hand at the start of the day being looked at
	outDays, next := 0, 0
	for _, d := range sh.days {
		if balance <= 0 {
			outDays += d.day - next // the quiet days before d, which start as empty as d
		}
		if balance <= 0 && d.sold == 0 {
			outDays++
		}
		v.Units += d.sold
		balance += d.net
		next = d.day + 1
	}
	if balance <= 0 {
		outDays += days - next
	}
	v.InStockDays = days - outDays
	if v.InStockDays == 0 {
		return v
	}
	v.PerDay = float64(v.Units) / float64(v.InStockDays)
	if v.InStockDays > 1 {
		// Days without a sale are in stock and contribute (0 − mean)²; out-of-stock days never sold, so
		// every day with a sale is an in-stock day.
		var sq float64
		saleDays := 0
		for _, d := range sh.days {
			if d.sold > 0 {
				sq += (float64(d.sold) - v.PerDay) * (float64(d.sold) - v.PerDay)
				saleDays++
			}
		}
		sq += float64(v.InStockDays-saleDays) * v.PerDay * v.PerDay
		v.StdDev = math.Sqrt(sq / float64(v.InStockDays-1))
	}
	return v
}

func (h *history) velocities() map[string]Velocity {
	out := make(map[string]Velocity, len(h.order))
	for _, key := range h.order {
		sh := h.skus[key]
		if sh.kit {
			continue
		}
		out[sh.sku] = sh.velocity(h.days)
	}
	return out
}

// planItem is a supplier's offer of a SKU, with its cost kept even when the acting user may not see it.
type planItem struct {
	SupplierItem
	cost int64
}

// openPOLine is a line of a draft or open purchase order.
type openPOLine struct {
	po          int64
	number      string
	supplierID  string
	status      POStatus
	expected    *time.Time
	outstanding int64 // our units still to come
}

// leadTime is a supplier's learned lead time.
type leadTime struct{ days, stdDev float64 }

// plan is everything reorder planning, the what-if view and contingency plans read, loaded with a fixed
// number of queries however many SKUs the shop has.
type plan struct {
	now       time.Time
	settings  PlanningSettings
	z         float64
	hist      *history
	vel       map[string]Velocity // by lower-case SKU
	reserved  map[string]int64
	items     map[string][]planItem // ranked
	poLines   map[string][]openPOLine
	suppliers map[string]Supplier
	lead      map[string]leadTime // by supplier id
	measured  map[string][]POLeadTime
	canCost   bool
}

// loadPlan reads the shop as planning sees it at now.
func (s *Store) loadPlan(ctx context.Context, now time.Time) (*plan, error) {
	q := s.read
	settings, err := s.PlanningSettings(ctx)
	if err != nil {
		return nil, err
	}
	p := &plan{now: now, settings: settings, z: normalQuantile(settings.ServiceLevel / 100), reserved: map[string]int64{},
		items: map[string][]planItem{}, poLines: map[string][]openPOLine{}, suppliers: map[string]Supplier{},
		lead: map[string]leadTime{}, canCost: s.Can(PermViewCosts)}
	if p.hist, err = s.readHistory(ctx, q, now, settings.VelocityDays); err != nil {
		return nil, err
	}
	p.vel = make(map[string]Velocity, len(p.hist.skus))
	for key, sh := range p.hist.skus {
		if !sh.kit {
			p.vel[key] = sh.velocity(p.hist.days)
		}
	}
	err = scanRows(ctx, q, `SELECT COALESCE(k.component_sku, l.sku), SUM(l.quantity * l.pack * COALESCE(k.quantity, 1))
		FROM order_lines l LEFT JOIN kit_components k ON k.kit_sku = l.sku
		WHERE l.open = 1 AND l.sku IS NOT NULL GROUP BY 1`, func(r *sql.Rows) error {
		var sku string
		var n int64
		if err := r.Scan(&sku, &n); err != nil {
			return err
		}
		p.reserved[strings.ToLower(sku)] += n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sum reserved stock for planning: %w", err)
	}
	sps, err := s.suppliers(ctx)
	if err != nil {
		return nil, err
	}
	if p.measured, err = s.leadTimes(ctx, q, ""); err != nil {
		return nil, err
	}
	for _, sp := range sps {
		p.suppliers[sp.ID] = sp
		perf := performanceOf(sp, p.measured[sp.ID])
		p.lead[sp.ID] = leadTime{days: perf.LearnedDays, stdDev: perf.LeadStdDev}
	}
	err = scanRows(ctx, q, `SELECT supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_qty, rank
		FROM supplier_items`, func(r *sql.Rows) error {
		var it planItem
		if err := r.Scan(&it.SupplierID, &it.SKU, &it.SupplierSKU, &it.cost, &it.PackSize, &it.MinOrderQty, &it.Rank); err != nil {
			return err
		}
		key := strings.ToLower(it.SKU)
		sp := p.suppliers[it.SupplierID]
		it.SupplierName, it.Currency, it.LeadTimeDays, it.Available = sp.Name, sp.Currency, sp.LeadTimeDays, sp.Available()
		if sh := p.hist.skus[key]; sh != nil {
			it.SKU, it.Name = sh.sku, sh.name
		}
		if p.canCost {
			cost := it.cost
			it.UnitCost = &cost
		}
		p.items[key] = append(p.items[key], it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read supplier items for planning: %w", err)
	}
	// Ranked here rather than by ORDER BY, which sorts on the NOCASE SKU; ties (which only a sync could
	// make) fall to the supplier id, as SKUSuppliers orders them.
	for _, items := range p.items {
		sort.Slice(items, func(i, j int) bool {
			if items[i].Rank != items[j].Rank {
				return items[i].Rank < items[j].Rank
			}
			return items[i].SupplierID < items[j].SupplierID
		})
	}
	err = scanRows(ctx, q, `SELECT o.id, o.number, o.supplier_id, o.status, o.expected_at, l.sku, max(l.quantity - l.received, 0)
		FROM purchase_orders o JOIN purchase_order_lines l ON l.po_id = o.id
		WHERE o.status IN ('draft', 'sent', 'partly_received') ORDER BY o.expected_at, o.id, l.line_no`, func(r *sql.Rows) error {
		var l openPOLine
		var sku string
		var expected sql.NullString
		if err := r.Scan(&l.po, &l.number, &l.supplierID, &l.status, &expected, &sku, &l.outstanding); err != nil {
			return err
		}
		l.expected = timePtr(expected)
		key := strings.ToLower(sku)
		p.poLines[key] = append(p.poLines[key], l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read open purchase orders for planning: %w", err)
	}
	return p, nil
}

// source is the supplier a SKU is ordered from: the first available in rank order, or nil. skip names a
// supplier to pass over (one that failed), "" for none.
func (p *plan) source(key, skip string) *planItem {
	for i := range p.items[key] {
		it := &p.items[key][i]
		if it.Available && it.SupplierID != skip {
			return it
		}
	}
	return nil
}

// arrival is when an open PO line is due, as planning counts it: its expected day, or now when that has
// passed (a late order may come any moment), or the supplier's lead time from now when it has none.
func (p *plan) arrival(l openPOLine) time.Time {
	if l.expected == nil {
		return p.now.Add(days(p.lead[l.supplierID].days))
	}
	if l.expected.Before(p.now) {
		return p.now
	}
	return *l.expected
}

// days converts a number of days to a duration, to the second.
func days(n float64) time.Duration { return time.Duration(math.Round(n*86400)) * time.Second }

// ceilUnits rounds a computed quantity up to whole units; the tolerance keeps 3.0000000001 (floating
// point arithmetic on a whole number) from becoming 4.
func ceilUnits(x float64) int64 { return int64(math.Ceil(x - 1e-9)) }

// orderQuantity rounds a need up to the supplier's minimum order and then to whole packs.
func orderQuantity(need float64, pack, moq int64) int64 {
	if pack <= 0 {
		pack = 1
	}
	q := max(ceilUnits(need), moq, 1)
	return (q + pack - 1) / pack * pack
}

// ReorderLine is what planning says about one SKU: its stock, its demand and whether to order it now.
type ReorderLine struct {
	SKU, Name                           string
	OnHand, Reserved, Sellable, OnOrder int64 // Sellable = OnHand − Reserved, negative when oversold; OnOrder = open PO units not yet received
	Velocity                            Velocity
	// LeadDays is the learned lead time of the supplier it would be ordered from (Supplier, else its
	// primary), the promised days while none of its orders were measured; LeadStdDev their spread.
	LeadDays, LeadStdDev      float64
	SafetyStock, ReorderPoint int64
	DaysOfCover               float64       // Sellable ÷ daily demand (0 when oversold); −1 without demand
	StockOutAt                *time.Time    // now + DaysOfCover; now when nothing is sellable; nil without demand
	NextReceiptAt             *time.Time    // the earliest expected open PO line for it
	Supplier                  *SupplierItem // the first available supplier in rank order; nil when none
	SuggestQty                int64         // what to order when NeedsOrder, rounded to Supplier's MOQ and pack
	NeedsOrder                bool
}

// line plans one SKU (lower-case key).
//
// Safety stock is z × √(L×σd² + d²×σL²), z from the service level, L and σL the lead time and its spread
// in days, d and σd the daily demand and its spread; the reorder point is d×L + safety stock, both
// rounded up. A SKU needs ordering when sellable plus on-order stock is at or below the reorder point
// and it sells at all, or when it is oversold beyond what is on order. The suggestion brings sellable
// plus on order up to the reorder point plus CoverDays of demand, rounded up to the supplier's minimum
// order quantity and then to whole packs.
func (p *plan) line(key string) ReorderLine {
	sh := p.hist.skus[key]
	vel := p.vel[key]
	l := ReorderLine{SKU: sh.sku, Name: sh.name, OnHand: sh.onHand, Reserved: p.reserved[key], Velocity: vel}
	l.Sellable = l.OnHand - l.Reserved
	for _, pl := range p.poLines[key] {
		if !pl.status.Open() || pl.outstanding <= 0 {
			continue
		}
		l.OnOrder += pl.outstanding
		if pl.expected != nil && (l.NextReceiptAt == nil || pl.expected.Before(*l.NextReceiptAt)) {
			at := *pl.expected
			l.NextReceiptAt = &at
		}
	}
	src := p.source(key, "")
	lt := leadTime{}
	switch {
	case src != nil:
		it := src.SupplierItem
		l.Supplier = &it
		lt = p.lead[src.SupplierID]
	case len(p.items[key]) > 0:
		lt = p.lead[p.items[key][0].SupplierID]
	}
	l.LeadDays, l.LeadStdDev = lt.days, lt.stdDev
	d, sd := vel.PerDay, vel.StdDev
	safety := p.z * math.Sqrt(lt.days*sd*sd+d*d*lt.stdDev*lt.stdDev)
	if safety < 0 || math.IsNaN(safety) {
		safety = 0
	}
	l.SafetyStock = ceilUnits(safety)
	l.ReorderPoint = ceilUnits(d*lt.days + safety)
	l.DaysOfCover = -1
	if d > 0 {
		l.DaysOfCover = float64(max(l.Sellable, 0)) / d
		at := p.now.Add(days(l.DaysOfCover))
		l.StockOutAt = &at
	}
	position := l.Sellable + l.OnOrder
	l.NeedsOrder = (d > 0 && position <= l.ReorderPoint) || position < 0
	if l.NeedsOrder {
		pack, moq := int64(1), int64(1)
		if src != nil {
			pack, moq = src.PackSize, src.MinOrderQty
		}
		l.SuggestQty = orderQuantity(float64(l.ReorderPoint)+d*float64(p.settings.CoverDays)-float64(position), pack, moq)
	}
	return l
}

// planned reports whether a SKU belongs in the reorder plan: active, not a kit, and with a supplier
// or with demand.
func (p *plan) planned(key string) bool {
	sh := p.hist.skus[key]
	return sh != nil && sh.active && !sh.kit && (len(p.items[key]) > 0 || p.vel[key].Units > 0)
}

// ReorderPlan plans every active SKU that has a supplier or sells, the ones to order first, then by
// how soon they run out. Velocity, service level and cover follow the planning settings.
func (s *Store) ReorderPlan(ctx context.Context, now time.Time) ([]ReorderLine, error) {
	p, err := s.loadPlan(ctx, now)
	if err != nil {
		return nil, err
	}
	return p.lines(), nil
}

func (p *plan) lines() []ReorderLine {
	var out []ReorderLine
	for _, key := range p.hist.order {
		if p.planned(key) {
			out = append(out, p.line(key))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.NeedsOrder != b.NeedsOrder {
			return a.NeedsOrder
		}
		if (a.DaysOfCover < 0) != (b.DaysOfCover < 0) {
			return b.DaysOfCover < 0
		}
		return a.DaysOfCover < b.DaysOfCover
	})
	return out
}

// SupplierSuggestion is what to order from one supplier now: the plan's lines that need ordering and
// would be ordered from it. Lines with no available supplier come last, under an empty SupplierID.
type SupplierSuggestion struct {
	SupplierID, SupplierName, Currency string
	Lines                              []ReorderLine
	Total                              int64 // Σ suggested quantity × the supplier's unit cost; 0 for users who may not see costs
	MinOrderValue                      int64 // the supplier's minimum order; 0 for users who may not see costs
	BelowMinimum                       bool  // Total is under the supplier's minimum order value
}

// ReorderSuggestions groups the SKUs that need ordering by the supplier they would be ordered from,
// suppliers by name.
func (s *Store) ReorderSuggestions(ctx context.Context, now time.Time) ([]SupplierSuggestion, error) {
	p, err := s.loadPlan(ctx, now)
	if err != nil {
		return nil, err
	}
	return p.suggestions(), nil
}

func (p *plan) suggestions() []SupplierSuggestion {
	var out []SupplierSuggestion
	at := map[string]int{}
	for _, key := range p.hist.order {
		if !p.planned(key) {
			continue
		}
		l := p.line(key)
		if !l.NeedsOrder {
			continue
		}
		id := ""
		if l.Supplier != nil {
			id = l.Supplier.SupplierID
		}
		i, ok := at[id]
		if !ok {
			sp := p.suppliers[id]
			i = len(out)
			at[id] = i
			out = append(out, SupplierSuggestion{SupplierID: id, SupplierName: sp.Name, Currency: sp.Currency, MinOrderValue: sp.MinOrderValue})
		}
		g := &out[i]
		g.Lines = append(g.Lines, l)
		if src := p.source(key, ""); src != nil {
			g.Total += l.SuggestQty * src.cost
		}
	}
	for i := range out {
		g := &out[i]
		g.BelowMinimum = g.SupplierID != "" && g.Total < g.MinOrderValue
		if !p.canCost {
			g.Total, g.MinOrderValue = 0, 0
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].SupplierID == "") != (out[j].SupplierID == "") {
			return out[j].SupplierID == ""
		}
		return strings.ToLower(out[i].SupplierName) < strings.ToLower(out[j].SupplierName)
	})
	return out
}

// SkippedReorder is a suggested SKU DraftPOsFromSuggestions left out because a purchase order already
// has it.
type SkippedReorder struct {
	SKU        string
	SupplierID string // the supplier it was suggested for
	PO         string // the number of the draft or open order that has it
}

// DraftPOsFromSuggestions turns the reorder suggestions of the given suppliers (nil for all) into one
// draft purchase order per supplier, in one write. A SKU already on a draft, or on an open order with
// units still to come, is skipped and reported, so pressing the button twice orders nothing twice.
// Lines without an available supplier cannot be drafted and are left out.
func (s *Store) DraftPOsFromSuggestions(ctx context.Context, now time.Time, supplierIDs []string) ([]PurchaseOrder, []SkippedReorder, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return nil, nil, err
	}
	p, err := s.loadPlan(ctx, now)
	if err != nil {
		return nil, nil, err
	}
	want := map[string]bool{}
	for _, id := range supplierIDs {
		want[id] = true
	}
	var groups []SupplierSuggestion
	for _, g := range p.suggestions() {
		if g.SupplierID != "" && (supplierIDs == nil || want[g.SupplierID]) {
			groups = append(groups, g)
		}
	}
	var pos []PurchaseOrder
	var skipped []SkippedReorder
	err = s.update(ctx, func(t *tx) error {
		pos, skipped = nil, nil
		// Read inside the write: an order drafted since the plan was read must still stop a second one.
		onOrder := map[string]string{}
		err := scanRows(ctx, t, `SELECT l.sku, o.number FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.po_id
			WHERE o.status = 'draft' OR (o.status IN ('sent', 'partly_received') AND l.received < l.quantity)
			ORDER BY o.id`, func(r *sql.Rows) error {
			var sku, number string
			if err := r.Scan(&sku, &number); err != nil {
				return err
			}
			if _, ok := onOrder[strings.ToLower(sku)]; !ok {
				onOrder[strings.ToLower(sku)] = number
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("find SKUs already on order: %w", err)
		}
		for _, g := range groups {
			np := NewPO{SupplierID: g.SupplierID, Notes: "Drafted from the reorder suggestions"}
			for _, l := range g.Lines {
				if number, ok := onOrder[strings.ToLower(l.SKU)]; ok {
					skipped = append(skipped, SkippedReorder{SKU: l.SKU, SupplierID: g.SupplierID, PO: number})
					continue
				}
				np.Lines = append(np.Lines, NewPOLine{SKU: l.SKU, Quantity: l.SuggestQty})
			}
			if len(np.Lines) == 0 {
				continue
			}
			po, err := t.insertPO(ctx, np, POOriginReorder)
			if err != nil {
				return err
			}
			pos = append(pos, po)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return pos, skipped, nil
}

// WhatIfLine is what one SKU faces if its supplier stops supplying today.
type WhatIfLine struct {
	SKU, Name string
	Sellable  int64
	PerDay    float64
	// StockOutWithout is when it runs out counting only open POs from other suppliers; nil without demand.
	StockOutWithout *time.Time
	Backup          *SupplierItem // the first available supplier in rank order after the one that stops; nil when none
	BackupLeadDays  float64
	// StockOutWith is when it runs out if a PO goes to the backup today: nil when that PO arrives before
	// the stock runs out (or nothing runs out), else StockOutWithout.
	StockOutWith *time.Time
	// DaysShort is how many days it is out of stock even with the backup: until the backup's PO or
	// another open PO arrives, whichever is first, rounded up; −1 when nothing is coming at all.
	DaysShort int
	// UnitCostDiff is the backup's unit cost minus the stopping supplier's, in Currency (the stopping
	// supplier's); CostDiff90d that difference over 90 days of demand. Both 0 when the two suppliers
	// charge in different currencies (CurrencyMismatch) and for users who may not see costs.
	UnitCostDiff, CostDiff90d int64
	Currency                  string
	CurrencyMismatch          bool
}

// receipt is stock planning expects to arrive.
type receipt struct {
	at  time.Time
	qty int64
}

// stockOut projects when sellable units, sold at perDay and topped up by receipts (by arrival), first
// run out; nil when nothing sells. It also returns the receipts still to come at that moment.
func stockOut(now time.Time, sellable int64, perDay float64, receipts []receipt) (*time.Time, []receipt) {
	if perDay <= 0 {
		return nil, nil
	}
	stock, t := float64(sellable), now
	for i, r := range receipts {
		if !r.at.After(t) {
			stock += float64(r.qty)
			continue
		}
		if stock <= 0 {
			return &t, receipts[i:]
		}
		if out := t.Add(days(stock / perDay)); out.Before(r.at) {
			return &out, receipts[i:]
		}
		stock -= perDay * r.at.Sub(t).Hours() / 24
		stock += float64(r.qty)
		t = r.at
	}
	out := t
	if stock > 0 {
		out = t.Add(days(stock / perDay))
	}
	return &out, nil
}

// WhatIfSupplierStops shows, for every active SKU the supplier is primary for or would be ordered from
// now, when it runs out without that supplier and whether its backup saves it, and at what cost.
func (s *Store) WhatIfSupplierStops(ctx context.Context, now time.Time, supplierID string) ([]WhatIfLine, error) {
	p, err := s.loadPlan(ctx, now)
	if err != nil {
		return nil, err
	}
	if _, ok := p.suppliers[supplierID]; !ok {
		return nil, errorf(ErrNotFound, "there is no such supplier")
	}
	var out []WhatIfLine
	for _, key := range p.hist.order {
		if !p.planned(key) || !p.dependsOn(key, supplierID) {
			continue
		}
		out = append(out, p.whatIf(key, supplierID))
	}
	return out, nil
}

// dependsOn reports whether a SKU is ordered from the supplier: its primary, or the first available.
func (p *plan) dependsOn(key, supplierID string) bool {
	items := p.items[key]
	if len(items) == 0 {
		return false
	}
	src := p.source(key, "")
	return items[0].SupplierID == supplierID || src != nil && src.SupplierID == supplierID
}

// receiptsWithout lists the SKU's open PO units still to come, by arrival, leaving out one supplier's.
func (p *plan) receiptsWithout(key, supplierID string) []receipt {
	var out []receipt
	for _, l := range p.poLines[key] {
		if l.status.Open() && l.outstanding > 0 && l.supplierID != supplierID {
			out = append(out, receipt{at: p.arrival(l), qty: l.outstanding})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func (p *plan) whatIf(key, supplierID string) WhatIfLine {
	rl := p.line(key)
	w := WhatIfLine{SKU: rl.SKU, Name: rl.Name, Sellable: rl.Sellable, PerDay: rl.Velocity.PerDay}
	var current *planItem
	for i := range p.items[key] {
		if p.items[key][i].SupplierID == supplierID {
			current = &p.items[key][i]
		}
	}
	w.Currency = current.Currency
	var rest []receipt
	w.StockOutWithout, rest = stockOut(p.now, rl.Sellable, w.PerDay, p.receiptsWithout(key, supplierID))
	var arrives *time.Time
	if b := p.source(key, supplierID); b != nil {
		it := b.SupplierItem
		w.Backup = &it
		w.BackupLeadDays = p.lead[b.SupplierID].days
		at := p.now.Add(days(w.BackupLeadDays))
		arrives = &at
		w.CurrencyMismatch = b.Currency != current.Currency
		if !w.CurrencyMismatch && p.canCost {
			w.UnitCostDiff = b.cost - current.cost
			w.CostDiff90d = int64(math.Round(float64(w.UnitCostDiff) * 90 * w.PerDay))
		}
	}
	if w.StockOutWithout == nil || arrives != nil && !arrives.After(*w.StockOutWithout) {
		return w
	}
	out := *w.StockOutWithout
	w.StockOutWith = &out
	next := arrives
	if len(rest) > 0 && (next == nil || rest[0].at.Before(*next)) {
		next = &rest[0].at
	}
	w.DaysShort = -1
	if next != nil {
		w.DaysShort = int(math.Ceil(next.Sub(out).Hours()/24 - 1e-9))
	}
	return w
}
