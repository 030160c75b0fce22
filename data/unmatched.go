package data

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// UnmatchedLine is an order line whose item matched none of our SKUs. It reserves no stock and, once its
// order ships, moves none, until the shop says which SKU it is.
type UnmatchedLine struct {
	OrderID    int64 // local row id of the order
	Channel    string
	ExternalID string // the channel's order number
	Status     Status
	LineNo     int
	ChannelSKU string
	Name       string
	Quantity   int64
	PlacedAt   time.Time
}

// Key is what an alias for this line would map: the channel's SKU when it gave one, else the listing name.
func (l UnmatchedLine) Key() string {
	if k := strings.TrimSpace(l.ChannelSKU); k != "" {
		return k
	}
	return strings.TrimSpace(l.Name)
}

// UnmatchedLines lists the lines waiting for a SKU, oldest order first. Lines of cancelled orders are
// left out: nothing will ever be picked or deducted for them.
func (s *Store) UnmatchedLines(ctx context.Context, limit int) ([]UnmatchedLine, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.channel, o.external_id, o.status, l.line_no, l.channel_sku, l.name,
		l.quantity, o.placed_at
		FROM order_lines l JOIN orders o ON o.id = l.order_id
		WHERE l.sku IS NULL AND o.status <> 'cancelled'
		ORDER BY o.placed_at, o.channel, o.external_id, l.line_no LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list unmatched lines: %w", err)
	}
	defer rows.Close()
	var out []UnmatchedLine
	for rows.Next() {
		var l UnmatchedLine
		var placed string
		if err := rows.Scan(&l.OrderID, &l.Channel, &l.ExternalID, &l.Status, &l.LineNo, &l.ChannelSKU, &l.Name, &l.Quantity, &placed); err != nil {
			return nil, fmt.Errorf("list unmatched lines: %w", err)
		}
		l.PlacedAt = parseTime(placed)
		out = append(out, l)
	}
	return out, rows.Err()
}

// MapUnmatched records an alias and, in the same transaction, gives its SKU and pack to every waiting
// line of that channel whose SKU or name is the alias key, with the SKU's unit cost as it stood when the
// line's order was placed. Orders among them that have already shipped get their sale movements now;
// movement ids are derived from the order line, so a line can never be deducted twice. It returns how
// many lines it mapped.
func (s *Store) MapUnmatched(ctx context.Context, a Alias) (int, error) {
	if err := s.require(PermEditCatalog); err != nil {
		return 0, err
	}
	a.Channel = strings.ToLower(strings.TrimSpace(a.Channel))
	a.ChannelKey = strings.TrimSpace(a.ChannelKey)
	if a.Channel == "" || a.ChannelKey == "" {
		return 0, errorf(ErrInvalid, "an alias needs a channel and the channel's SKU or listing name")
	}
	if a.Pack == 0 {
		a.Pack = 1
	}
	if a.Pack < 0 {
		return 0, errorf(ErrInvalid, "pack size of alias %s must be at least 1", a.ChannelKey)
	}
	var mapped int
	err := s.update(ctx, func(t *tx) error {
		v, err := t.s.variant(ctx, t, a.SKU)
		if err != nil {
			return err
		}
		a.SKU = v.SKU
		if _, err := t.ExecContext(ctx, `INSERT INTO sku_aliases(channel, channel_key, sku, pack, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(channel, channel_key) DO UPDATE SET sku = excluded.sku, pack = excluded.pack, hlc = excluded.hlc, device_id = excluded.device_id`,
			a.Channel, a.ChannelKey, a.SKU, a.Pack, t.hlc, t.s.device); err != nil {
			return fmt.Errorf("set alias %s: %w", a.ChannelKey, err)
		}
		t.known.aliases, t.known.aliasChannels = nil, nil
		if err := t.audit(ctx, "set", "alias", a.Channel+":"+a.ChannelKey, nil, a); err != nil {
			return err
		}

		// The same comparison resolveLine makes on import: trimmed, ignoring case (sku_aliases is NOCASE).
		rows, err := t.QueryContext(ctx, `SELECT l.order_id, o.channel, o.external_id, l.line_no, o.placed_at, o.currency
			FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE l.sku IS NULL AND o.channel = ?1
			AND (TRIM(l.channel_sku) = ?2 COLLATE NOCASE OR TRIM(l.name) = ?2 COLLATE NOCASE)
			ORDER BY l.order_id, l.line_no`, a.Channel, a.ChannelKey)
		if err != nil {
			return fmt.Errorf("find lines for alias %s: %w", a.ChannelKey, err)
		}
		type lineRef struct {
			orderID             int64
			channel, externalID string
			lineNo              int
			placed, currency    string
		}
		var refs []lineRef
		for rows.Next() {
			var r lineRef
			if err := rows.Scan(&r.orderID, &r.channel, &r.externalID, &r.lineNo, &r.placed, &r.currency); err != nil {
				rows.Close()
				return fmt.Errorf("find lines for alias %s: %w", a.ChannelKey, err)
			}
			refs = append(refs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find lines for alias %s: %w", a.ChannelKey, err)
		}
		mapped = len(refs)

		// Each line gets its SKU (?1) and pack (?2), and is costed as it would have been had it matched
		// when stored: at the SKU's cost in force when its order was placed (?5), in the order's currency (?6).
		mapLine := `UPDATE order_lines SET sku = ?1, pack = ?2, unit_cost = ` + lineCostSQL("?1", "?5", "?6") + `
			WHERE order_id = ?3 AND line_no = ?4`
		var orderKeys []string
		for i, r := range refs {
			if _, err := t.ExecContext(ctx, mapLine, a.SKU, a.Pack, r.orderID, r.lineNo, r.placed, r.currency); err != nil {
				return fmt.Errorf("map line %d of %s order %s: %w", r.lineNo, r.channel, r.externalID, err)
			}
			if i+1 < len(refs) && refs[i+1].orderID == r.orderID {
				continue // the order's last mapped line finishes it below
			}
			orderKeys = append(orderKeys, orderKey(r.channel, r.externalID))
			if err := t.sumLines(ctx, r.orderID); err != nil {
				return err
			}
			// The order's lines changed: stamp it so a later sync carries the change.
			if _, err := t.ExecContext(ctx, `UPDATE orders SET updated_at = ?, hlc = ?, device_id = ? WHERE id = ?`,
				t.nowText(), t.hlc, t.s.device, r.orderID); err != nil {
				return fmt.Errorf("stamp %s order %s: %w", r.channel, r.externalID, err)
			}
			o, err := t.s.orderByKey(ctx, t, r.channel, r.externalID)
			if err != nil {
				return err
			}
			if err := t.applySaleMovements(ctx, &o); err != nil {
				return err
			}
		}
		if mapped == 0 {
			return nil
		}
		return t.audit(ctx, "map_unmatched", "alias", a.Channel+":"+a.ChannelKey, nil,
			map[string]any{"sku": a.SKU, "pack": a.Pack, "lines": mapped, "orders": orderKeys})
	})
	if err != nil {
		return 0, err
	}
	return mapped, nil
}
