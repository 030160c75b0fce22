package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// PickItem is one row of a pick list: how many units of a SKU to take from its bin for the chosen orders.
// A kit is never picked as such: its components are, each row saying which kits it came from.
//
// A line that matched none of our SKUs cannot be picked by bin, but it must not vanish from the list
// either: it becomes an item with Unmatched set, an empty SKU and the channel's SKU and name.
type PickItem struct {
	SKU      string
	Name     string
	Location string // name of the location the SKU is kept in
	Bin      string
	Quantity int64    // our units, packs and kits expanded
	Orders   []string // the channels' order numbers that need it, sorted
	Kits     []string // the kits it is a component of, when it came from kits

	Unmatched  bool
	Channel    string // for unmatched lines: whose SKU and name these are
	ChannelSKU string
}

// PickList sums the goods of the given orders per SKU, kits expanded to their parts, sorted for a walk
// through the shelves: by location, then bin (items with no bin last), then SKU. Unmatched lines come
// after every matched item.
func (s *Store) PickList(ctx context.Context, orderIDs []int64) ([]PickItem, error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orderIDs))
	for i, id := range orderIDs {
		args[i] = id
	}
	// One row per order line, or per kit component of a kit line. The default location stands in for
	// SKUs that have none of their own, as it does when a sale moves stock.
	rows, err := s.read.QueryContext(ctx, `SELECT o.external_id, o.channel, l.sku IS NULL, l.channel_sku, l.name,
			l.quantity * l.pack * COALESCE(k.quantity, 1),
			COALESCE(v.sku, ''), COALESCE(p.name, ''), COALESCE(v.title, ''), COALESCE(v.bin, ''), COALESCE(loc.name, ''),
			CASE WHEN k.kit_sku IS NOT NULL THEN l.sku ELSE '' END
		FROM order_lines l
		JOIN orders o ON o.id = l.order_id
		LEFT JOIN kit_components k ON k.kit_sku = l.sku
		LEFT JOIN variants v ON v.sku = COALESCE(k.component_sku, l.sku)
		LEFT JOIN products p ON p.id = v.product_id
		LEFT JOIN locations loc ON loc.id = COALESCE(v.location_id,
			(SELECT id FROM locations ORDER BY is_default DESC, rowid LIMIT 1))
		WHERE l.order_id IN (?`+strings.Repeat(",?", len(orderIDs)-1)+`)
		ORDER BY o.placed_at, o.channel, o.external_id, l.line_no`, args...)
	if err != nil {
		return nil, fmt.Errorf("make pick list: %w", err)
	}
	defer rows.Close()
	items := map[string]*PickItem{}
	orders := map[string]map[string]bool{}
	kits := map[string]map[string]bool{}
	var keys []string
	for rows.Next() {
		var orderNo, channel, channelSKU, lineName, sku, product, title, bin, location, kit string
		var unmatched bool
		var qty int64
		if err := rows.Scan(&orderNo, &channel, &unmatched, &channelSKU, &lineName, &qty, &sku, &product, &title, &bin, &location, &kit); err != nil {
			return nil, fmt.Errorf("make pick list: %w", err)
		}
		var key string
		var it PickItem
		if unmatched {
			key = "\x00" + strings.ToLower(channel) + "\x00" + strings.ToLower(strings.TrimSpace(channelSKU)) + "\x00" + strings.ToLower(strings.TrimSpace(lineName))
			it = PickItem{Name: lineName, Unmatched: true, Channel: channel, ChannelSKU: channelSKU}
		} else {
			key = strings.ToLower(sku)
			name := product
			if title != "" {
				name += " – " + title
			}
			it = PickItem{SKU: sku, Name: name, Location: location, Bin: bin}
		}
		if items[key] == nil {
			items[key] = &it
			orders[key] = map[string]bool{}
			kits[key] = map[string]bool{}
			keys = append(keys, key)
		}
		items[key].Quantity += qty
		orders[key][orderNo] = true
		if kit != "" {
			kits[key][kit] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("make pick list: %w", err)
	}
	out := make([]PickItem, 0, len(keys))
	for _, k := range keys {
		it := items[k]
		it.Orders = sortedKeys(orders[k])
		if len(kits[k]) > 0 {
			it.Kits = sortedKeys(kits[k])
		}
		out = append(out, *it)
	}
	sort.SliceStable(out, func(i, j int) bool { return pickBefore(out[i], out[j]) })
	return out, nil
}

// pickBefore orders a walk through the shelves: matched items by location, then bin, with items that have
// no bin after those that do, then SKU; unmatched lines last, by channel and name.
func pickBefore(a, b PickItem) bool {
	if a.Unmatched != b.Unmatched {
		return !a.Unmatched
	}
	if a.Unmatched {
		if a.Channel != b.Channel {
			return a.Channel < b.Channel
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	}
	if la, lb := strings.ToLower(a.Location), strings.ToLower(b.Location); la != lb {
		return la < lb
	}
	if (a.Bin == "") != (b.Bin == "") {
		return a.Bin != ""
	}
	if ba, bb := strings.ToLower(a.Bin), strings.ToLower(b.Bin); ba != bb {
		return naturalLess(ba, bb)
	}
	return naturalLess(strings.ToLower(a.SKU), strings.ToLower(b.SKU))
}

// naturalLess compares runs of digits by their value, so shelf A2 comes before A10.
func naturalLess(a, b string) bool {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := 0, 0
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na, nb := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
