package data

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// This file is the demo shop's buying: the purchase orders it sent its suppliers over six months, when
// each delivery came, at what price, and the contingency plans the owner set up once the pottery had let
// the shop down a few times. Every unit on the shelves arrived through one of these orders.

// demoBuy is one purchase order in the demo's story.
type demoBuy struct {
	days   int      // sent this many days before the demo's today; for a draft, when it was written
	status POStatus // where it stands today: received, sent (still open) or draft
	// late is, per delivery, how many days after the expected day it came (negative: early). Two
	// deliveries mean the order came in two parts.
	late  []int
	price int64 // the supplier's price, per mille of the catalogue cost
	// share is, for an open order or a draft, the part of the last 90 days' sales it orders again.
	share float64
	note  string
}

// demoBuying is how the shop bought from each supplier. Stoke Clayworks is unreliable: most of its
// orders come days late, one came in two parts, and one is overdue now. Leaf & Stone and Hollybrook keep
// their word; Northern Linen is slow but steady; Wickham is on time but for one order. Prices creep up
// (the pottery's kiln costs most), with a dip from the wholesaler.
var demoBuying = []struct {
	supplier int
	orders   []demoBuy
}{
	{supClay, []demoBuy{
		{days: 182, status: POStatusReceived, late: []int{6}, price: 1000},
		{days: 150, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 118, status: POStatusReceived, late: []int{2, 9}, price: 1040,
			note: "Hannah warned that the second firing is behind: whatever is not ready comes with the next kiln."},
		{days: 88, status: POStatusReceived, late: []int{4}, price: 1040},
		{days: 60, status: POStatusReceived, late: []int{7}, price: 1060},
		{days: 32, status: POStatusSent, price: 1060, share: 0.5, note: "Mugs for the autumn; Hannah said the kiln is booked."},
	}},
	{supTea, []demoBuy{
		{days: 178, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 150, status: POStatusReceived, late: []int{-1}, price: 1000},
		{days: 124, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 98, status: POStatusReceived, late: []int{0}, price: 1030},
		{days: 76, status: POStatusReceived, late: []int{-1}, price: 1030},
		{days: 55, status: POStatusReceived, late: []int{0}, price: 1030},
		{days: 34, status: POStatusReceived, late: []int{0}, price: 1030},
		{days: 14, status: POStatusReceived, late: []int{-1}, price: 1030},
		{days: 4, status: POStatusSent, price: 1030, share: 0.35},
	}},
	{supLinen, []demoBuy{
		{days: 178, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 148, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 118, status: POStatusReceived, late: []int{1}, price: 1025},
		{days: 88, status: POStatusReceived, late: []int{0}, price: 1025},
		{days: 58, status: POStatusReceived, late: []int{0}, price: 1025},
		{days: 1, status: POStatusDraft, price: 1025, share: 0.5, note: "Check the charcoal aprons with Fiona before sending."},
	}},
	{supCandle, []demoBuy{
		{days: 175, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 140, status: POStatusReceived, late: []int{-1}, price: 1000},
		{days: 108, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 80, status: POStatusReceived, late: []int{0}, price: 1020},
		{days: 52, status: POStatusReceived, late: []int{1}, price: 1020},
		{days: 26, status: POStatusReceived, late: []int{0}, price: 1020},
	}},
	{supTrade, []demoBuy{
		{days: 180, status: POStatusReceived, late: []int{-1}, price: 1000},
		{days: 155, status: POStatusReceived, late: []int{0}, price: 1000},
		{days: 130, status: POStatusReceived, late: []int{-2}, price: 990},
		{days: 106, status: POStatusReceived, late: []int{0}, price: 990},
		{days: 84, status: POStatusReceived, late: []int{-1}, price: 1010},
		{days: 63, status: POStatusReceived, late: []int{0}, price: 1010},
		{days: 43, status: POStatusReceived, late: []int{0}, price: 1010},
		{days: 25, status: POStatusReceived, late: []int{-1}, price: 1030},
		{days: 9, status: POStatusReceived, late: []int{0}, price: 1030},
	}},
}

// demoPriceNow is a supplier's price today, per mille of the catalogue cost: that of its latest order.
func demoPriceNow(supplier int) int64 {
	for _, b := range demoBuying {
		if b.supplier == supplier {
			return b.orders[len(b.orders)-1].price
		}
	}
	return 1000
}

// demoAt applies a supplier's price to a catalogue cost, to the penny.
func demoAt(cost, price int64) int64 { return (cost*price + 500) / 1000 }

// demoWave is one demoBuy at its times in the story.
type demoWave struct {
	demoBuy
	supplier                int
	created, sent, expected time.Time
	deliveries              []time.Time
	po                      demoPO
}

// demoPO is the purchase order of a wave. Everything is delivered to the shop; bulky goods are then
// carried to the garage, where they are kept.
type demoPO struct {
	lines []demoPOLine
	id    int64
}

// demoPOLine is a SKU on a demo order; first is how many of qty came in the first of two deliveries.
type demoPOLine struct {
	item       int
	qty, first int64
}

// schedule dates every order of demoBuying: sent in the morning, expected after the supplier's promised
// lead time (as SendPO reckons it), each delivery during the working day of the day it came.
func (d *demo) schedule() {
	rng := rand.New(rand.NewPCG(d.opts.Seed, 6))
	for _, b := range demoBuying {
		lead := demoSuppliers[b.supplier].leadDays
		for _, o := range b.orders {
			w := &demoWave{demoBuy: o, supplier: b.supplier}
			at := startOfDayUTC(d.daysAgo(float64(o.days))).Add(9*time.Hour + time.Duration(rng.Int64N(int64(3*time.Hour)))).Truncate(time.Second)
			w.created = at.Add(-time.Duration(20+rng.IntN(100)) * time.Minute)
			if o.status != POStatusDraft {
				w.sent, w.expected = at, at.AddDate(0, 0, lead)
			}
			for _, late := range o.late {
				day := startOfDayUTC(w.expected).AddDate(0, 0, late)
				w.deliveries = append(w.deliveries, day.Add(10*time.Hour+time.Duration(rng.Int64N(int64(6*time.Hour)))).Truncate(time.Second))
			}
			d.waves = append(d.waves, w)
		}
	}
}

// deliveryGrid lists the times deliveries arrive, in order: the edges of demoLevels' buckets.
func (d *demo) deliveryGrid() []time.Time {
	var grid []time.Time
	for _, w := range d.waves {
		grid = append(grid, w.deliveries...)
	}
	slices.SortFunc(grid, func(a, b time.Time) int { return a.Compare(b) })
	return slices.Compact(grid)
}

// order decides what each received order brought of each SKU, given what the SKU must receive in all
// (total) and what it loses over time (lv). The first of a supplier's orders brings a quarter of the
// total, the later ones half of it between them and the last the rest, in lots, and never less than the
// sales, breakages and moves up to the supplier's next delivery, so stock never runs out on the way
// (but for the SKU oversold on purpose). A SKU is on an order only when it needs some. Open orders and
// the draft reorder a share of what sold, at least the supplier's minimum order.
func (d *demo) order(lv *demoLevels, total []int64) {
	received := map[int][]*demoWave{}
	for _, w := range d.waves {
		if w.status == POStatusReceived && len(w.deliveries) > 0 {
			received[w.supplier] = append(received[w.supplier], w)
		}
	}
	for _, ws := range received {
		slices.SortStableFunc(ws, func(a, b *demoWave) int { return a.deliveries[0].Compare(b.deliveries[0]) })
	}
	for i, it := range d.cat.items {
		if it.supplier < 0 || !it.active || len(it.kit) > 0 || total[i] <= 0 {
			continue
		}
		// Deliveries come in lots of at least a quarter of the total, in whole packs: few lines per SKU
		// keep a large demo quick to make, and a small shop orders that way anyway.
		pack := max(it.pack, 1)
		lot := max(pack, demoRoundUp((total[i]+3)/4, pack))
		ws := received[it.supplier]
		var have int64
		for j, w := range ws {
			target := total[i]
			if j+1 < len(ws) {
				curve := int64(math.Ceil(float64(total[i]) * (0.25 + 0.5*float64(j)/float64(max(1, len(ws)-2)))))
				need := lv.usedBefore(i, ws[j+1].deliveries[0])
				target = min(total[i], max(have, demoRoundUp(max(curve, need), lot)))
			}
			q := target - have
			if q <= 0 {
				continue
			}
			l := demoPOLine{item: i, qty: q, first: q}
			if len(w.deliveries) == 2 {
				// The first part brings half, or what is sold before the rest comes if that is more.
				l.first = min(q, max(q/2, lv.usedBefore(i, w.deliveries[1])-have))
			}
			w.po.lines = append(w.po.lines, l)
			have = target
		}
	}
	for _, ws := range received {
		fillEmpty(ws)
		d.mergeSmall(ws)
		d.meetMinimum(ws)
	}
	for _, w := range d.waves {
		if w.status == POStatusReceived {
			continue
		}
		var value int64
		for i, it := range d.cat.items {
			if it.supplier != w.supplier || !it.active || len(it.kit) > 0 || it.garage || lv.sold[i] == 0 {
				continue
			}
			q := demoRoundUp(int64(math.Ceil(float64(lv.sold[i])*w.share)), max(it.pack, 1))
			w.po.lines = append(w.po.lines, demoPOLine{item: i, qty: q, first: q})
			value += q * demoAt(it.Cost, w.price)
		}
		// Below the supplier's minimum, another pack of each line in turn makes it up.
		for k := 0; len(w.po.lines) > 0 && value < demoSuppliers[w.supplier].minOrder; k++ {
			l := &w.po.lines[k%len(w.po.lines)]
			it := d.cat.items[l.item]
			l.qty += max(it.pack, 1)
			l.first = l.qty
			value += max(it.pack, 1) * demoAt(it.Cost, w.price)
		}
	}
}

// fillEmpty gives an order that lots left empty a line from a later order (half of it when that order
// has only the one), which only brings stock in sooner: every order of the story is one to learn lead
// times from. An order that comes in two parts brings half of it in each.
func fillEmpty(ws []*demoWave) {
	for j, w := range ws {
		if len(w.po.lines) > 0 {
			continue
		}
		for _, donor := range ws[j+1:] {
			var l demoPOLine
			switch dl := donor.po.lines; {
			case len(dl) > 1:
				l, donor.po.lines = dl[0], dl[1:]
			case len(dl) == 1 && dl[0].qty > 1:
				l = demoPOLine{item: dl[0].item, qty: dl[0].qty / 2}
				dl[0].qty -= l.qty
				dl[0].first = min(dl[0].first, dl[0].qty)
			default:
				continue
			}
			l.first = l.qty
			if len(w.deliveries) == 2 {
				l.first = (l.qty + 1) / 2
			}
			w.po.lines = []demoPOLine{l}
			break
		}
	}
}

// demoSmallOrder is the value below which a shop would rather order a little earlier than send a
// supplier an order of its own.
const demoSmallOrder = 4000

// mergeSmall moves the lines of a supplier's small orders (by first delivery) into its order before,
// which only brings stock in sooner, as long as at least five orders are left to learn lead times from.
func (d *demo) mergeSmall(ws []*demoWave) {
	left := 0
	for _, w := range ws {
		if len(w.po.lines) > 0 {
			left++
		}
	}
	for j := len(ws) - 1; j > 0 && left > 5; j-- {
		w := ws[j]
		if len(w.po.lines) == 0 || d.value(w) >= demoSmallOrder {
			continue
		}
		prev := ws[j-1]
		if len(prev.po.lines) > 0 {
			left-- // two orders become one
		}
		for _, l := range w.po.lines {
			k := slices.IndexFunc(prev.po.lines, func(p demoPOLine) bool { return p.item == l.item })
			if k < 0 {
				prev.po.lines = append(prev.po.lines, demoPOLine{item: l.item})
				k = len(prev.po.lines) - 1
			}
			// What moves comes with the first delivery, when the earlier order comes in two.
			prev.po.lines[k].qty += l.qty
			prev.po.lines[k].first += l.qty
		}
		w.po.lines = nil
	}
}

// value is what a wave's order costs.
func (d *demo) value(w *demoWave) int64 {
	var v int64
	for _, l := range w.po.lines {
		v += l.qty * demoAt(d.cat.items[l.item].Cost, w.price)
	}
	return v
}

// meetMinimum brings lines of a supplier's next order forward into an order below the supplier's
// minimum, which only brings stock in sooner, leaving the next order at least one line.
func (d *demo) meetMinimum(ws []*demoWave) {
	if len(ws) == 0 {
		return
	}
	least := demoSuppliers[ws[0].supplier].minOrder
	for j := 0; j+1 < len(ws); j++ {
		w, next := ws[j], ws[j+1]
		for len(w.po.lines) > 0 && len(next.po.lines) > 1 && d.value(w) < least {
			l := next.po.lines[0]
			next.po.lines = next.po.lines[1:]
			k := slices.IndexFunc(w.po.lines, func(p demoPOLine) bool { return p.item == l.item })
			if k < 0 {
				w.po.lines = append(w.po.lines, demoPOLine{item: l.item})
				k = len(w.po.lines) - 1
			}
			w.po.lines[k].qty += l.qty
			w.po.lines[k].first += l.qty
		}
	}
}

// demoRoundUp rounds n up to whole packs.
func demoRoundUp(n, pack int64) int64 { return (n + pack - 1) / pack * pack }

// writePOs writes the orders in the order they were written, a transaction each, through the same
// steps as the app (insertPO, then sendPO), each dated when it happened. Their deliveries are booked
// later, among the orders (see addOrders), so each receipt's moving-average cost weighs the stock on
// hand at the time.
func (d *demo) writePOs(ctx context.Context) error {
	var ws []*demoWave
	for _, w := range d.waves {
		if len(w.po.lines) > 0 {
			ws = append(ws, w)
		}
	}
	slices.SortStableFunc(ws, func(a, b *demoWave) int { return a.created.Compare(b.created) })
	for n, w := range ws {
		p := &w.po
		lines := make([]NewPOLine, len(p.lines))
		for k, l := range p.lines {
			it := d.cat.items[l.item]
			cost := demoAt(it.Cost, w.price)
			lines[k] = NewPOLine{SKU: it.SKU, Quantity: l.qty, UnitCost: &cost}
		}
		err := d.owner.update(ctx, func(t *tx) error {
			t.backdate(w.created)
			po, err := t.insertPO(ctx, NewPO{SupplierID: d.suppliers[w.supplier], LocationID: d.locations["Shop"], Notes: w.note,
				Lines: lines}, POOriginManual)
			if err != nil {
				return err
			}
			p.id = po.ID
			if w.status == POStatusDraft {
				return nil
			}
			t.backdate(w.sent)
			expected := w.expected
			_, err = t.sendPO(ctx, p.id, &expected)
			return err
		})
		if err != nil {
			return err
		}
		for k, at := range w.deliveries {
			d.timed = append(d.timed, demoTimed{at: at, by: d.owner, wave: w, delivery: k})
		}
		d.report(0.5 + 0.5*float64(n+1)/float64(len(ws)))
	}
	return nil
}

// receive books one delivery of a wave's order at the shop, and carries the bulky goods to the garage.
func (d *demo) receive(ctx context.Context, t *tx, w *demoWave, delivery int) error {
	var got []POReceipt
	var carry []Movement
	for k, l := range w.po.lines {
		q := l.qty
		if len(w.deliveries) == 2 {
			if q = l.first; delivery == 1 {
				q = l.qty - l.first
			}
		}
		if q <= 0 {
			continue
		}
		got = append(got, POReceipt{LineNo: k + 1, Quantity: q})
		if it := d.cat.items[l.item]; it.garage {
			ref := newID()
			carry = append(carry,
				Movement{ID: newID(), SKU: it.SKU, LocationID: d.locations["Shop"], Quantity: -q, Reason: ReasonTransfer,
					RefType: "transfer", RefID: ref, Note: "Put away in the garage"},
				Movement{ID: newID(), SKU: it.SKU, LocationID: d.locations["Garage"], Quantity: q, Reason: ReasonTransfer,
					RefType: "transfer", RefID: ref, Note: "Put away in the garage"})
		}
	}
	if len(got) == 0 {
		return nil
	}
	note := ""
	if len(w.deliveries) == 2 && delivery == 0 {
		note = "Part delivery from " + demoSuppliers[w.supplier].name + ": the rest missed the firing"
	}
	if _, err := t.receivePO(ctx, w.po.id, got, note); err != nil {
		return fmt.Errorf("receive demo purchase order %d: %w", w.po.id, err)
	}
	for _, m := range carry {
		if _, err := t.insertMovement(ctx, m); err != nil {
			return err
		}
	}
	d.res.Movements += len(got) + len(carry)
	return nil
}

// addContingencies writes the owner's plans for the pottery failing, and for any product running out
// before its next delivery, and evaluates them so the alerts are there on first run. Each rule is
// evaluated as it is added: rules written within the same clock tick are evaluated in the order of
// their random ids, and the demo's alerts should not depend on that.
func (d *demo) addContingencies(ctx context.Context) error {
	clay := d.suppliers[supClay]
	for i, r := range []ContingencyRule{
		{SupplierID: clay, Trigger: TriggerPOLate, LateDays: 3, Action: ActionDraftBackupPO},
		{SupplierID: clay, Trigger: TriggerOnTimeBelow, MinOnTime: 70, LastPOs: 5, Action: ActionAlert},
		{Trigger: TriggerStockoutBeforeReceipt, Action: ActionListHeldOrders},
	} {
		if _, err := d.owner.AddContingencyRule(ctx, r); err != nil {
			return err
		}
		d.res.ContingencyRules++
		alerts, err := d.owner.EvaluateContingencies(ctx, d.opts.Now)
		if err != nil {
			return err
		}
		d.res.Alerts += len(alerts)
		d.report(float64(i+1) / 3)
	}
	if err := d.s.read.QueryRowContext(ctx, `SELECT count(*) FROM purchase_orders`).Scan(&d.res.PurchaseOrders); err != nil {
		return fmt.Errorf("count purchase orders: %w", err)
	}
	return nil
}
