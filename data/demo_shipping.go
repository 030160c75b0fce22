package data

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// This file decides what happens to the demo shop's parcels once they are packed: the carrier and
// service each goes with, its tracking number, when it was handed over and delivered, and what customers
// send back. Its choices come from a random stream of their own, so changing how parcels travel leaves
// the orders themselves (who bought what, when) as they were.

// demoService is a carrier's service the shop sends parcels with, and how it behaves.
type demoService struct {
	carrier, service string
	// missed is the share of parcels handed over after their ship-by date: the collection did not come,
	// or came before the parcel was ready.
	missed   float64
	days     int     // usual working days from handover to delivery
	slow     float64 // share delivered later than that
	extra    int     // up to this many days later, when slow
	sunday   bool    // delivers on Sundays
	saturday bool    // collects on Saturdays
	prefix   string  // Royal Mail: the two letters the service's tracking numbers start with
}

// The services, as indexes into demoServices.
const (
	svcTracked48 = iota
	svcTracked24
	svcEvri
	svcDPD
	svcInternational
)

// demoServices is how the shop posts: Royal Mail for most UK parcels and everything abroad, Evri for
// small cheap parcels sold on the marketplaces, DPD for the bulky or valuable ones. Evri's local courier
// sometimes misses a collection and its parcels are the likeliest to be late.
var demoServices = []demoService{
	svcTracked48:     {carrier: "Royal Mail", service: "Tracked 48", missed: 0.02, days: 2, slow: 0.07, extra: 1, saturday: true, prefix: "JW"},
	svcTracked24:     {carrier: "Royal Mail", service: "Tracked 24", missed: 0.02, days: 1, slow: 0.10, extra: 1, saturday: true, prefix: "JV"},
	svcEvri:          {carrier: "Evri", service: "Standard", missed: 0.12, days: 2, slow: 0.25, extra: 3, sunday: true, saturday: true},
	svcDPD:           {carrier: "DPD", service: "Next Day", missed: 0.03, days: 1, slow: 0.03, extra: 1},
	svcInternational: {carrier: "Royal Mail", service: "International Tracked", missed: 0.02, days: 4, slow: 0.5, extra: 5, saturday: true, prefix: "LX"},
}

// demoPost draws how the demo's parcels travel and come back, and numbers them.
type demoPost struct {
	rng    *rand.Rand
	serial []int64 // each service's next tracking serial: labels are printed in sequence
}

func newDemoPost(seed uint64) *demoPost {
	rng := rand.New(rand.NewPCG(seed, 9))
	return &demoPost{rng: rng, serial: []int64{
		svcTracked48:     10_000_000 + rng.Int64N(40_000_000),
		svcTracked24:     10_000_000 + rng.Int64N(40_000_000),
		svcEvri:          3_000_000_000_000_000 + rng.Int64N(100_000_000_000_000),
		svcDPD:           15_500_000_000_000 + rng.Int64N(10_000_000_000),
		svcInternational: 10_000_000 + rng.Int64N(40_000_000),
	}}
}

// service picks how an order goes: abroad by Royal Mail International Tracked; Amazon by Royal Mail
// Tracked 24, to keep its delivery promise; anything bulky (kept in the garage), heavy (six units or more)
// or worth £75 or more by DPD Next Day; the marketplaces' small cheap parcels often by Evri; the rest by
// Royal Mail Tracked 48, with Tracked 24 for the shop's customers who paid for it.
func (dp *demoPost) service(cat *demoCatalogue, p *demoOrder, channel string, region int) int {
	var units int64
	bulky := false
	for _, part := range p.parts {
		units += part.units
		for _, idx := range cat.stockItems(part.item) {
			bulky = bulky || cat.items[idx].garage
		}
	}
	u := dp.rng.Float64()
	switch {
	case region != regionUK:
		return svcInternational
	case channel == "amazon":
		return svcTracked24
	case bulky || units >= 6 || p.Subtotal >= 7500:
		return svcDPD
	case (channel == "ebay" || channel == "tiktok") && u < 0.7, channel == "etsy" && u < 0.35:
		return svcEvri
	case (channel == "shopify" || channel == "woocommerce") && u < 0.15:
		return svcTracked24
	}
	return svcTracked48
}

// handover is when a parcel packed at ready left: at the carrier's next collection, around 4 pm UK time
// on its collection days (DPD does not collect on Saturdays), or the one after when the collection was
// missed. Friday evening's parcels, and missed collections, are what go out after their ship-by date.
func (dp *demoPost) handover(svc int, ready time.Time) time.Time {
	sv := demoServices[svc]
	zone := ukZone(ready)
	local := ready.In(zone)
	at := time.Date(local.Year(), local.Month(), local.Day(), 16, 0, 0, 0, zone).
		Add(time.Duration(dp.rng.IntN(90*60)) * time.Second)
	missed := dp.rng.Float64() < sv.missed
	collects := func(t time.Time) bool {
		return t.Weekday() != time.Sunday && (t.Weekday() != time.Saturday || sv.saturday)
	}
	for at.Before(ready) || !collects(at) {
		at = at.AddDate(0, 0, 1)
	}
	if missed {
		for at = at.AddDate(0, 0, 1); !collects(at); at = at.AddDate(0, 0, 1) {
		}
	}
	return at.UTC()
}

// ukZone is the shop's own offset from UTC at t.
func ukZone(t time.Time) *time.Location { return demoZone("shopify", regionUK, t) }

// deliver is when a parcel handed over at shipped arrives, in the daytime, and whether it came later
// than the service promises.
func (dp *demoPost) deliver(svc int, shipped time.Time) (time.Time, bool) {
	sv := demoServices[svc]
	days := sv.days
	slow := dp.rng.Float64() < sv.slow
	if slow {
		days += 1 + dp.rng.IntN(sv.extra)
	}
	zone := ukZone(shipped)
	local := shipped.In(zone)
	day := time.Date(local.Year(), local.Month(), local.Day(), 8, 0, 0, 0, zone)
	for d := 0; d < days; {
		day = day.AddDate(0, 0, 1)
		if day.Weekday() != time.Sunday || sv.sunday {
			d++
		}
	}
	return day.Add(time.Duration(dp.rng.Float64() * float64(11*time.Hour))).UTC().Truncate(time.Second), slow
}

// tracking numbers the next parcel of a service in its carrier's style: Royal Mail's two letters, eight
// digits, a check digit and GB; Evri's sixteen digits; DPD's fourteen.
func (dp *demoPost) tracking(svc int) string {
	n := dp.serial[svc]
	dp.serial[svc] += 1 + dp.rng.Int64N(3) // labels spoilt or used for other parcels
	switch demoServices[svc].carrier {
	case "Royal Mail":
		return royalMailTracking(demoServices[svc].prefix, n)
	default:
		return fmt.Sprint(n)
	}
}

// royalMailTracking writes an international (UPU S10) item number: two letters, an eight-digit serial,
// its check digit, and the country.
func royalMailTracking(prefix string, serial int64) string {
	digits := fmt.Sprintf("%08d", serial%100_000_000)
	sum := 0
	for i, w := range []int{8, 6, 4, 2, 3, 5, 9, 7} {
		sum += int(digits[i]-'0') * w
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return fmt.Sprintf("%s%s%dGB", prefix, digits, check)
}

// demoReturnStory is one way goods come back.
type demoReturnStory struct {
	reason    ReturnReason
	condition ReturnCondition
	note      string
	weight    float64
}

// demoReturnStories are why customers send goods back, and how often. Breakages are likelier for
// pottery, and a parcel that came late is sometimes sent back for that alone.
var demoReturnStories = []demoReturnStory{
	{ReturnDamaged, ConditionDamaged, "Box crushed in transit, contents broken", 0.08},
	{ReturnDamaged, ConditionDamaged, "Arrived chipped", 0.06},
	{ReturnWrongItem, ConditionAsNew, "We sent the wrong colour", 0.07},
	{ReturnChangedMind, ConditionAsNew, "Ordered the wrong size", 0.16},
	{ReturnChangedMind, ConditionAsNew, "Changed their mind", 0.26},
	{ReturnChangedMind, ConditionOpened, "Changed their mind after opening it", 0.07},
	{ReturnOther, ConditionAsNew, "Not as described: the colour is darker than the photos", 0.14},
	{ReturnOther, ConditionOpened, "Not as described: smaller than expected", 0.10},
	{ReturnLate, ConditionAsNew, "Arrived too late for the birthday it was for", 0},
}

// demoReturn is goods sent back from one order line.
type demoReturn struct {
	line    int   // the order line
	item    int   // its catalogue item
	units   int64 // units of the SKU: channel units × pack
	refund  int64
	story   int // index into demoReturnStories
	restock bool
	at      time.Time
}

// returns decides what comes back of an order delivered, at when: every line when whole is set (the
// order is returned), else one unit of one line, and only when the order had more than one. Each
// return has a reason; goods that came back broken, and opened food or gift sets, are written off,
// the rest go back on the shelf. Refunds are the line's price less its share of any discount.
func (dp *demoPost) returns(cat *demoCatalogue, p *demoOrder, whole, late bool, at time.Time) []demoReturn {
	o := &p.Order
	var channelUnits int64
	for _, l := range o.Lines {
		channelUnits += l.Quantity
	}
	parts := p.parts
	if !whole {
		if channelUnits < 2 || len(parts) == 0 {
			return nil
		}
		k := dp.rng.IntN(len(parts))
		parts = parts[k : k+1]
	}
	weights := make([]float64, len(demoReturnStories))
	story := -1
	var out []demoReturn
	var refunded int64
	for _, part := range parts {
		it := cat.items[part.item]
		l := o.Lines[part.line-1]
		qty := l.Quantity
		if !whole {
			qty = 1
		}
		if story < 0 || !whole {
			for i, s := range demoReturnStories {
				weights[i] = s.weight
				switch {
				case s.reason == ReturnDamaged && it.supplier == supClay:
					weights[i] *= 3
				case s.reason == ReturnLate && late:
					weights[i] = 0.4
				}
			}
			story = demoWeighted(dp.rng, weights)
		}
		s := demoReturnStories[story]
		refund := qty * l.UnitPrice
		if o.Subtotal > 0 {
			refund -= refund * o.Discount / o.Subtotal
		}
		refund = min(refund, o.Total-refunded)
		refunded += refund
		perishable := it.supplier == supTea || len(it.kit) > 0
		out = append(out, demoReturn{line: part.line, item: part.item, units: part.units / l.Quantity * qty, refund: refund,
			story: story, restock: s.condition == ConditionAsNew || s.condition == ConditionOpened && !perishable, at: at})
	}
	return out
}

// addRestocked counts the units an order's returns put back on the shelf.
func (lv *demoLevels) addRestocked(cat *demoCatalogue, p *demoOrder) {
	for _, r := range p.returns {
		if !r.restock {
			continue
		}
		for _, idx := range cat.stockItems(r.item) {
			lv.returned[idx] += r.units
		}
	}
}

// writeShipping records how a shipped order left and what came back of it, as ShipOrder and
// RecordReturn would have when they happened.
func (d *demo) writeShipping(ctx context.Context, t *tx, p *demoOrder) error {
	o := &p.Order
	if !o.Status.Shipped() {
		return nil
	}
	t.backdate(o.ShippedAt)
	if err := t.insertShipment(ctx, *o, p.ship); err != nil {
		return err
	}
	for _, dr := range p.returns {
		l := o.Lines[dr.line-1]
		s := demoReturnStories[dr.story]
		r := Return{OrderID: o.ID, LineNo: l.LineNo, SKU: l.SKU, Units: dr.units, Reason: s.reason, Condition: s.condition,
			Disposition: WriteOff, Refund: dr.refund, Note: s.note, Name: l.Name}
		if dr.restock {
			r.Disposition = Restock
		}
		t.backdate(dr.at)
		moved, err := t.insertReturn(ctx, *o, r)
		if err != nil {
			return err
		}
		d.res.Movements += moved
	}
	return nil
}

// insertShipment is ShipOrder's record of a shipment, for an order already written as shipped. Unlike
// ShipOrder it writes no audit entry: the order's own entry already says it shipped, and one more entry
// per order slows the 100,000-order demo by a sixth.
func (t *tx) insertShipment(ctx context.Context, o Order, sh Shipment) error {
	if _, err := t.ExecContext(ctx, `INSERT INTO shipments(order_id, carrier, service, tracking, shipped_at, user_id, user_name, updated_at, hlc, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, sh.Carrier, sh.Service, sh.Tracking, formatTime(sh.ShippedAt), t.s.user.ID, t.s.user.Name, t.nowText(), t.hlc, t.s.device); err != nil {
		return fmt.Errorf("record shipment of %s order %s: %w", o.Channel, o.ExternalID, err)
	}
	return nil
}

// insertReturn is RecordReturn's record of a return without its checks, which the demo's returns pass
// by construction: the return row, the restock movements (through the same restock), and the audit. It
// reports how many movements it wrote.
func (t *tx) insertReturn(ctx context.Context, o Order, r Return) (int, error) {
	r.Channel, r.ExternalID, r.Currency = o.Channel, o.ExternalID, o.Currency
	r.At, r.UserName = t.now, t.s.user.Name
	rowID, err := t.nextRowID(ctx, "returns")
	if err != nil {
		return 0, err
	}
	res, err := t.ExecContext(ctx, `INSERT INTO returns(id, order_id, line_no, sku, units, reason, condition, disposition, refund, note, at,
		user_id, user_name, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rowID, o.ID, r.LineNo, r.SKU, r.Units, r.Reason, r.Condition, r.Disposition, r.Refund, r.Note, t.nowText(), t.s.user.ID, t.s.user.Name,
		t.hlc, t.s.device)
	if err != nil {
		return 0, fmt.Errorf("record return from %s order %s: %w", o.Channel, o.ExternalID, err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return 0, fmt.Errorf("record return from %s order %s: %w", o.Channel, o.ExternalID, err)
	}
	moved := 0
	if r.Disposition == Restock {
		if r.Bin, err = t.restock(ctx, o, r); err != nil {
			return 0, err
		}
		parts, err := t.kitParts(ctx, r.SKU)
		if err != nil {
			return 0, err
		}
		moved = max(1, len(parts))
	}
	return moved, t.audit(ctx, "create", "return", fmt.Sprint(r.ID), nil, r)
}
