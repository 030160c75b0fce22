package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// ListingRule is how much of its stock the shop shows on one channel. Listing everything invites
// overselling when two channels sell the last unit in the same hour, so a shop holds some back. The rule
// is applied to the sellable quantity in a fixed order: buffer, share (rounded down), cap, end-below.
type ListingRule struct {
	Channel  string
	Buffer   int64 // keep N back
	SharePct int   // list X% (0 = 100)
	Cap      int64 // 0 = none
	EndBelow int64 // list 0 when sellable < N; 0 = off
}

// StockChannels are the channels Backroom makes stock files for, and so the channels a listing rule
// can name.
func StockChannels() []string { return []string{"amazon", "ebay", "etsy", "shopify", "woocommerce"} }

func knownStockChannel(c string) bool {
	for _, k := range StockChannels() {
		if c == k {
			return true
		}
	}
	return false
}

// Validate reports what is wrong with a rule, as ErrInvalid.
func (r ListingRule) Validate() error {
	if !knownStockChannel(r.Channel) {
		return errorf(ErrInvalid, "%q is not a channel Backroom lists stock on; use one of %s", r.Channel, strings.Join(StockChannels(), ", "))
	}
	if r.Buffer < 0 || r.Cap < 0 || r.EndBelow < 0 {
		return errorf(ErrInvalid, "the %s rule's buffer, cap and end-below cannot be negative", r.Channel)
	}
	if r.SharePct < 0 || r.SharePct > 100 {
		return errorf(ErrInvalid, "the %s rule's share must be between 0 and 100 %%, not %d", r.Channel, r.SharePct)
	}
	return nil
}

// Apply is how many of our units the rule lists out of sellable: buffer, share (floor), cap, end-below.
// End-below compares the sellable quantity itself, so a rule "end below 3" ends the listing while fewer
// than 3 are on the shelf whatever the buffer.
func (r ListingRule) Apply(sellable int64) int64 {
	if sellable <= 0 || (r.EndBelow > 0 && sellable < r.EndBelow) {
		return 0
	}
	q := max(sellable-r.Buffer, 0)
	if r.SharePct > 0 && r.SharePct < 100 {
		q = q * int64(r.SharePct) / 100
	}
	if r.Cap > 0 {
		q = min(q, r.Cap)
	}
	return q
}

// ChannelListing is one line of a channel's stock file: what to list under the channel's own SKU.
type ChannelListing struct {
	Channel    string
	ChannelSKU string // the alias's channel key, or our SKU when the channel lists it as is
	SKU        string // ours
	Pack       int64  // our units per channel unit (1 without a multipack alias)

	Name, Option string // product name and variant title, for files that need them
	Barcode      string // first barcode, "" for none
	Price        int64  // our selling price, for files that carry one
	Currency     string
	Location     string // location name, for per-location files (Shopify); "" when the file is not per location

	OnHand, Reserved, Sellable int64 // our units; Sellable = max(OnHand − Reserved, 0)
	Quantity                   int64 // what to list: the rule applied to Sellable, then floor(÷ Pack)

	LastListed   int64     // channel units in the channel's latest export, 0 when not in it
	LastExportAt time.Time // zero when never exported
}

// AtRisk is a SKU that may sell more than the shop has: a channel was told it may sell at least what is
// left, or open orders already hold more than is on the shelf.
type AtRisk struct {
	SKU, Name string
	Sellable  int64
	Channel   string   // "" for an oversold SKU no channel lists
	Listed    int64    // our units in the channel's latest export (channel units × pack)
	Oversold  bool     // open orders hold more than is on hand
	Short     int64    // when oversold: the units open orders hold beyond what is on hand
	Orders    []string // open order numbers (the channel's) holding the SKU when oversold
}

// ListingRules lists the listing rule of every channel that has one, by channel.
func (s *Store) ListingRules(ctx context.Context) ([]ListingRule, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT channel, buffer, share_pct, cap, end_below FROM channel_rules ORDER BY channel`)
	if err != nil {
		return nil, fmt.Errorf("list listing rules: %w", err)
	}
	defer rows.Close()
	var out []ListingRule
	for rows.Next() {
		var r ListingRule
		if err := rows.Scan(&r.Channel, &r.Buffer, &r.SharePct, &r.Cap, &r.EndBelow); err != nil {
			return nil, fmt.Errorf("list listing rules: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list listing rules: %w", err)
	}
	return out, nil
}

// listingRule is the channel's rule, or the zero rule (list everything) when it has none.
func (s *Store) listingRule(ctx context.Context, q querier, channel string) (ListingRule, error) {
	r := ListingRule{Channel: channel}
	err := q.QueryRowContext(ctx, `SELECT buffer, share_pct, cap, end_below FROM channel_rules WHERE channel = ?`, channel).
		Scan(&r.Buffer, &r.SharePct, &r.Cap, &r.EndBelow)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("find the %s listing rule: %w", channel, err)
	}
	return r, nil
}

// SetListingRule sets a channel's listing rule; the zero rule lists all sellable stock. Deciding how much
// a channel may sell is the owner's call, like prices, so it needs PermEditCatalog.
func (s *Store) SetListingRule(ctx context.Context, r ListingRule) error {
	if err := s.require(PermEditCatalog); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		before, err := s.listingRule(ctx, t, r.Channel)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO channel_rules(channel, buffer, share_pct, cap, end_below, hlc, device_id)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(channel) DO UPDATE SET buffer = excluded.buffer, share_pct = excluded.share_pct,
			cap = excluded.cap, end_below = excluded.end_below, hlc = excluded.hlc, device_id = excluded.device_id`,
			r.Channel, r.Buffer, r.SharePct, r.Cap, r.EndBelow, t.hlc, s.device); err != nil {
			return fmt.Errorf("set the %s listing rule: %w", r.Channel, err)
		}
		return t.audit(ctx, "set_listing_rule", "channel_rule", r.Channel, before, r)
	})
}

// stockItem is one active SKU with what the listings need.
type stockItem struct {
	sku, name, option, barcode, currency string
	price                                int64
	home                                 string // the location its sales come from
	kit                                  []KitComponent
}

// stockPicture is the stock of every SKU, read once so a listing of thousands of SKUs costs a handful of
// queries instead of several per SKU.
type stockPicture struct {
	items     []stockItem
	bySKU     map[string]*stockItem
	locations []listingLocation
	onHand    map[string]map[string]int64 // lower sku → location id → units
	reserved  map[string]int64            // lower sku → units open orders hold (kit lines counted on their parts)
}

// listingLocation is a location as the listings need it.
type listingLocation struct{ ID, Name string }

// stockPicture reads the stock of every active SKU, or with only (lower-case SKUs) of those alone: their
// kits' components are read with them, so each one's level is whole.
func (s *Store) stockPicture(ctx context.Context, q querier, only []string) (*stockPicture, error) {
	p := &stockPicture{bySKU: map[string]*stockItem{}, onHand: map[string]map[string]int64{}, reserved: map[string]int64{}}
	var def string
	if err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT id FROM locations ORDER BY is_default DESC, rowid LIMIT 1), '')`).Scan(&def); err != nil {
		return nil, fmt.Errorf("find the default location: %w", err)
	}
	// The restriction is a JSON list the queries read with json_each; NULL reads everything.
	var list any
	if only != nil {
		b, err := json.Marshal(only)
		if err != nil {
			return nil, fmt.Errorf("read SKUs for listing: %w", err)
		}
		list = string(b)
	}
	rows, err := q.QueryContext(ctx, `SELECT v.sku, p.name, v.title, v.price, v.currency, COALESCE(v.location_id, ''),
			COALESCE((SELECT b.code FROM barcodes b WHERE b.sku = v.sku ORDER BY b.rowid LIMIT 1), '')
		FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.active = 1 AND (?1 IS NULL OR v.sku IN (SELECT value FROM json_each(?1))) ORDER BY v.sku`, list)
	if err != nil {
		return nil, fmt.Errorf("read SKUs for listing: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it stockItem
		if err := rows.Scan(&it.sku, &it.name, &it.option, &it.price, &it.currency, &it.home, &it.barcode); err != nil {
			return nil, fmt.Errorf("read SKUs for listing: %w", err)
		}
		if it.home == "" {
			it.home = def
		}
		p.items = append(p.items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read SKUs for listing: %w", err)
	}
	rows.Close()
	for i := range p.items {
		p.bySKU[strings.ToLower(p.items[i].sku)] = &p.items[i]
	}

	// Kits of inactive SKUs do not matter; components of an active kit are looked up among all SKUs'
	// stock, active or not, because selling the kit still moves them.
	if err := scanRows(ctx, q, `SELECT kit_sku, component_sku, quantity FROM kit_components ORDER BY kit_sku, component_sku`, func(r *sql.Rows) error {
		var kit string
		var c KitComponent
		if err := r.Scan(&kit, &c.SKU, &c.Quantity); err != nil {
			return err
		}
		if it := p.bySKU[strings.ToLower(kit)]; it != nil {
			it.kit = append(it.kit, c)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read kits for listing: %w", err)
	}
	if err := scanRows(ctx, q, `SELECT id, name FROM locations ORDER BY is_default DESC, name COLLATE NOCASE`, func(r *sql.Rows) error {
		var l listingLocation
		if err := r.Scan(&l.ID, &l.Name); err != nil {
			return err
		}
		p.locations = append(p.locations, l)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read locations for listing: %w", err)
	}
	if only != nil {
		levels := slices.Clone(only)
		for _, it := range p.items {
			for _, c := range it.kit {
				levels = append(levels, strings.ToLower(c.SKU))
			}
		}
		b, err := json.Marshal(levels)
		if err != nil {
			return nil, fmt.Errorf("read on-hand stock for listing: %w", err)
		}
		list = string(b)
	}
	if err := scanRows(ctx, q, `SELECT sku, location_id, on_hand FROM stock_levels
		WHERE on_hand <> 0 AND (?1 IS NULL OR sku IN (SELECT value FROM json_each(?1)))`, func(r *sql.Rows) error {
		var sku, loc string
		var n int64
		if err := r.Scan(&sku, &loc, &n); err != nil {
			return err
		}
		k := strings.ToLower(sku)
		if p.onHand[k] == nil {
			p.onHand[k] = map[string]int64{}
		}
		p.onHand[k][loc] += n
		return nil
	}, list); err != nil {
		return nil, fmt.Errorf("read on-hand stock for listing: %w", err)
	}
	// Reserved counts the same lines as StockLevels: a kit line holds its parts back.
	reserved := `SELECT l.sku, SUM(l.quantity * l.pack) FROM order_lines l WHERE l.open = 1 AND l.sku IS NOT NULL GROUP BY l.sku
		UNION ALL SELECT k.component_sku, SUM(l.quantity * l.pack * k.quantity) FROM kit_components k
			JOIN order_lines l ON l.open = 1 AND l.sku = k.kit_sku GROUP BY k.component_sku`
	var args []any
	if only != nil {
		reserved, args = `SELECT DISTINCT value, `+forSKU(reservedExpr, "value")+` FROM json_each(?)`, []any{list}
	}
	if err := scanRows(ctx, q, reserved, func(r *sql.Rows) error {
		var sku string
		var n int64
		if err := r.Scan(&sku, &n); err != nil {
			return err
		}
		p.reserved[strings.ToLower(sku)] += n
		return nil
	}, args...); err != nil {
		return nil, fmt.Errorf("read reserved stock for listing: %w", err)
	}
	return p, nil
}

// plainLevel is the on-hand and reserved stock of a non-kit SKU, in one location or (loc "") in all.
// Open orders have no location: they are held against the location the SKU's sales come from, where
// shipping them will take the stock.
func (p *stockPicture) plainLevel(sku, loc string) (onHand, reserved int64) {
	k := strings.ToLower(sku)
	if loc == "" {
		for _, n := range p.onHand[k] {
			onHand += n
		}
		return onHand, p.reserved[k]
	}
	home := ""
	if it := p.bySKU[k]; it != nil {
		home = it.home
	}
	onHand = p.onHand[k][loc]
	if home == loc || home == "" {
		reserved = p.reserved[k]
	}
	return onHand, reserved
}

// level is a SKU's on-hand, reserved and sellable units. A kit holds nothing itself: it has as many as
// the scarcest component makes, floor(component ÷ quantity per kit), and its sellable count the same way
// from the components' sellable units.
func (p *stockPicture) level(it *stockItem, loc string) (onHand, reserved, sellable int64) {
	if len(it.kit) == 0 {
		onHand, reserved = p.plainLevel(it.sku, loc)
		return onHand, reserved, max(onHand-reserved, 0)
	}
	for i, c := range it.kit {
		oh, res := p.plainLevel(c.SKU, loc)
		kOn, kSell := floorDiv(max(oh, 0), c.Quantity), floorDiv(max(oh-res, 0), c.Quantity)
		if i == 0 || kOn < onHand {
			onHand = kOn
		}
		if i == 0 || kSell < sellable {
			sellable = kSell
		}
	}
	return onHand, onHand - sellable, sellable
}

// lastExport is a channel's latest stock export: when, and the channel units per (channel SKU, location).
type lastExport struct {
	id    int64
	at    time.Time
	lines []exportLine
}

type exportLine struct {
	channelSKU, sku, location string
	pack, quantity            int64
}

func (s *Store) lastExport(ctx context.Context, q querier, channel string) (lastExport, error) {
	var e lastExport
	var at string
	err := q.QueryRowContext(ctx, `SELECT id, at FROM stock_exports WHERE channel = ? ORDER BY id DESC LIMIT 1`, channel).Scan(&e.id, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil
	}
	if err != nil {
		return e, fmt.Errorf("find the last %s stock export: %w", channel, err)
	}
	e.at = parseTime(at)
	err = scanRows(ctx, q, `SELECT channel_sku, sku, location, pack, quantity FROM stock_export_lines WHERE export_id = ?`, func(r *sql.Rows) error {
		var l exportLine
		if err := r.Scan(&l.channelSKU, &l.sku, &l.location, &l.pack, &l.quantity); err != nil {
			return err
		}
		e.lines = append(e.lines, l)
		return nil
	}, e.id)
	if err != nil {
		return e, fmt.Errorf("read the last %s stock export: %w", channel, err)
	}
	return e, nil
}

// listed is the channel units the export gave channelSKU: at one location, or summed over all when the
// listing is not per location.
func (e lastExport) listed(channelSKU, location string, perLocation bool) int64 {
	var n int64
	for _, l := range e.lines {
		if strings.EqualFold(l.channelSKU, channelSKU) && (!perLocation || strings.EqualFold(l.location, location)) {
			n += l.quantity
		}
	}
	return n
}

// ChannelListings is what to list on channel: every active SKU under its own SKU, and every alias of the
// channel under the alias's key (an alias whose key is our SKU replaces the plain line), each with the
// channel's listing rule applied. A kit's stock is what its components make. With perLocation every
// listing is repeated for each location (the default first), its stock counted at that location only.
// Lines come by SKU, the SKU's own line before its aliases by channel key.
func (s *Store) ChannelListings(ctx context.Context, channel string, perLocation bool) ([]ChannelListing, error) {
	channel = strings.ToLower(strings.TrimSpace(channel))
	if !knownStockChannel(channel) {
		return nil, errorf(ErrInvalid, "%q is not a channel Backroom lists stock on; use one of %s", channel, strings.Join(StockChannels(), ", "))
	}
	rule, err := s.listingRule(ctx, s.read, channel)
	if err != nil {
		return nil, err
	}
	p, err := s.stockPicture(ctx, s.read, nil)
	if err != nil {
		return nil, err
	}
	last, err := s.lastExport(ctx, s.read, channel)
	if err != nil {
		return nil, err
	}
	aliases := map[string][]Alias{}
	if err := scanRows(ctx, s.read, `SELECT channel_key, sku, pack FROM sku_aliases WHERE channel = ? ORDER BY channel_key COLLATE NOCASE`, func(r *sql.Rows) error {
		a := Alias{Channel: channel}
		if err := r.Scan(&a.ChannelKey, &a.SKU, &a.Pack); err != nil {
			return err
		}
		k := strings.ToLower(a.SKU)
		aliases[k] = append(aliases[k], a)
		return nil
	}, channel); err != nil {
		return nil, fmt.Errorf("read %s aliases: %w", channel, err)
	}

	locs := []listingLocation{{}}
	if perLocation {
		locs = p.locations
	}
	var out []ChannelListing
	for i := range p.items {
		it := &p.items[i]
		type key struct {
			channelSKU string
			pack       int64
		}
		keys := []key{{it.sku, 1}}
		for _, a := range aliases[strings.ToLower(it.sku)] {
			if strings.EqualFold(a.ChannelKey, it.sku) {
				keys[0] = key{a.ChannelKey, max(a.Pack, 1)}
				continue
			}
			keys = append(keys, key{a.ChannelKey, max(a.Pack, 1)})
		}
		for _, k := range keys {
			for _, loc := range locs {
				onHand, reserved, sellable := p.level(it, loc.ID)
				l := ChannelListing{
					Channel: channel, ChannelSKU: k.channelSKU, SKU: it.sku, Pack: k.pack,
					Name: it.name, Option: it.option, Barcode: it.barcode, Price: it.price, Currency: it.currency,
					Location: loc.Name, OnHand: onHand, Reserved: reserved, Sellable: sellable,
					Quantity:     rule.Apply(sellable) / k.pack,
					LastExportAt: last.at,
				}
				if last.id != 0 {
					l.LastListed = last.listed(k.channelSKU, loc.Name, perLocation)
				}
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// LogStockExport records, in one transaction, that listings went to channel in file, and returns the
// export's id. The latest export per channel is what AtRisk compares against, so log a file only once
// it is written.
func (s *Store) LogStockExport(ctx context.Context, channel, file string, listings []ChannelListing) (int64, error) {
	if err := s.require(PermEditCatalog); err != nil {
		return 0, err
	}
	channel = strings.ToLower(strings.TrimSpace(channel))
	if !knownStockChannel(channel) {
		return 0, errorf(ErrInvalid, "%q is not a channel Backroom lists stock on; use one of %s", channel, strings.Join(StockChannels(), ", "))
	}
	var id int64
	err := s.update(ctx, func(t *tx) error {
		rowID, err := t.nextRowID(ctx, "stock_exports")
		if err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `INSERT INTO stock_exports(id, channel, file, at, user, lines, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			rowID, channel, file, t.nowText(), s.user.Name, len(listings), t.hlc, s.device)
		if err != nil {
			return fmt.Errorf("log %s stock export: %w", channel, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("log %s stock export: %w", channel, err)
		}
		for _, l := range listings {
			if _, err := t.ExecContext(ctx, `INSERT INTO stock_export_lines(export_id, channel_sku, sku, location, pack, quantity) VALUES (?, ?, ?, ?, ?, ?)`,
				id, l.ChannelSKU, l.SKU, l.Location, max(l.Pack, 1), l.Quantity); err != nil {
				return fmt.Errorf("log %s stock export line %s: %w", channel, l.ChannelSKU, err)
			}
		}
		return t.audit(ctx, "export_stock", "stock_export", fmt.Sprint(id), nil, map[string]any{"channel": channel, "file": file, "lines": len(listings)})
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// StockExport is one logged stock file.
type StockExport struct {
	ID      int64
	Channel string
	File    string
	At      time.Time
	User    string
	Lines   int
}

// StockExports lists the logged stock files, newest first; channel "" lists every channel's.
func (s *Store) StockExports(ctx context.Context, channel string) ([]StockExport, error) {
	var out []StockExport
	err := scanRows(ctx, s.read, `SELECT id, channel, file, at, user, lines FROM stock_exports WHERE ?1 = '' OR channel = ?1 ORDER BY id DESC`, func(r *sql.Rows) error {
		var e StockExport
		var at string
		if err := r.Scan(&e.ID, &e.Channel, &e.File, &at, &e.User, &e.Lines); err != nil {
			return err
		}
		e.At = parseTime(at)
		out = append(out, e)
		return nil
	}, strings.ToLower(strings.TrimSpace(channel)))
	if err != nil {
		return nil, fmt.Errorf("list stock exports: %w", err)
	}
	return out, nil
}

// AtRisk lists the SKUs that may sell more than the shop has: one row per channel whose latest stock file
// listed a SKU (in our units, summed over its listings and locations there) above what is sellable now,
// or exactly what is sellable when the channel's rule keeps a margin (a buffer or a share) that sales have
// now used up, and one row for an oversold SKU (open orders hold more than is on hand) that no channel is at risk
// on, with the orders holding it. Kits are compared as a whole against what their parts make; an
// oversold part shows under its own SKU. Rows come by SKU, then channel.
func (s *Store) AtRisk(ctx context.Context) ([]AtRisk, error) {
	// Only a SKU that a channel's latest stock file lists at or above what it can sell, or that open orders
	// hold more of than is on hand, can be at risk: SQLite picks those, with the units listed, and only
	// their stock is read (reading every SKU's was most of this list's time on a large shop). Every listed
	// kit is picked: what its parts make is worked out below. The oversold come in three parts, a SKU maybe
	// more than once: those whose own open lines alone hold more than is on hand (read in the open lines'
	// index order, nothing sorted), kit parts, whose kits' lines hold them too, and any below nothing.
	listed := map[string]map[string]int64{} // lower sku → channel → our units listed
	var only []string
	err := scanRows(ctx, s.read, `WITH latest(id, channel) AS (SELECT max(id), channel FROM stock_exports GROUP BY channel),
			listed(sku, channel, units) AS (SELECT l.sku, e.channel, SUM(l.quantity * max(l.pack, 1))
				FROM latest e JOIN stock_export_lines l ON l.export_id = e.id GROUP BY l.sku, e.channel)
		SELECT x.sku, x.channel, x.units FROM listed x WHERE x.units > 0 AND (
			EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = x.sku) OR
			max(`+forSKU(onHandAll, "x.sku")+` - `+forSKU(reservedExpr, "x.sku")+`, 0) <= x.units)
		UNION ALL SELECT r.sku, NULL, 0 FROM (SELECT l.sku AS sku, SUM(l.quantity * l.pack) AS units FROM order_lines l
				WHERE l.open = 1 AND l.sku IS NOT NULL GROUP BY l.sku) r
			WHERE r.units > `+forSKU(onHandAll, "r.sku")+`
		UNION ALL SELECT k.component_sku, NULL, 0 FROM kit_components k GROUP BY k.component_sku
			HAVING `+forSKU(reservedExpr, "k.component_sku")+` > `+forSKU(onHandAll, "k.component_sku")+`
		UNION ALL SELECT sku, NULL, 0 FROM stock_levels WHERE sku IN `+negativeStockSKUs+` GROUP BY sku HAVING SUM(on_hand) < 0`, func(r *sql.Rows) error {
		var sku string
		var channel sql.NullString
		var units int64
		if err := r.Scan(&sku, &channel, &units); err != nil {
			return err
		}
		k := strings.ToLower(sku)
		if listed[k] == nil {
			listed[k] = map[string]int64{}
			only = append(only, k)
		}
		if channel.Valid {
			listed[k][channel.String] += units
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find SKUs at risk: %w", err)
	}
	if len(only) == 0 {
		return nil, nil
	}
	p, err := s.stockPicture(ctx, s.read, only)
	if err != nil {
		return nil, err
	}
	rules, err := s.ListingRules(ctx)
	if err != nil {
		return nil, err
	}
	// A channel told exactly what is sellable is not at risk: that is what a stock file without a rule
	// says. Only a channel whose rule keeps a margin has one to lose.
	margin := map[string]bool{}
	for _, r := range rules {
		margin[r.Channel] = r.Buffer > 0 || r.SharePct > 0 && r.SharePct < 100
	}
	// The orders behind an oversold SKU are looked up for those SKUs alone: listing every open order's
	// SKUs to name the few oversold ones was most of this list's time on a large shop.
	var oversold []string
	for i := range p.items {
		it := &p.items[i]
		if onHand, reserved, _ := p.level(it, ""); len(it.kit) == 0 && reserved > onHand {
			oversold = append(oversold, it.sku)
		}
	}
	orders, err := s.openOrdersBySKU(ctx, oversold)
	if err != nil {
		return nil, err
	}
	var out []AtRisk
	for i := range p.items {
		it := &p.items[i]
		k := strings.ToLower(it.sku)
		onHand, reserved, sellable := p.level(it, "")
		oversold := len(it.kit) == 0 && reserved > onHand
		var held []string
		var short int64
		if oversold {
			held, short = orders[k], reserved-onHand
		}
		name := it.name
		if it.option != "" {
			name += " – " + it.option
		}
		n := len(out)
		byChannel := listed[k]
		chs := make([]string, 0, len(byChannel))
		for c := range byChannel {
			chs = append(chs, c)
		}
		sort.Strings(chs)
		for _, c := range chs {
			if u := byChannel[c]; u > 0 && (sellable < u || sellable == u && margin[c]) {
				out = append(out, AtRisk{SKU: it.sku, Name: name, Sellable: sellable, Channel: c, Listed: u, Oversold: oversold, Short: short,
					Orders: held})
			}
		}
		if oversold && len(out) == n {
			out = append(out, AtRisk{SKU: it.sku, Name: name, Sellable: sellable, Oversold: true, Short: short, Orders: held})
		}
	}
	return out, nil
}

// openOrdersBySKU lists, per lower-case SKU of skus, the channel order numbers of open orders holding it,
// directly or through a kit, oldest order first.
func (s *Store) openOrdersBySKU(ctx context.Context, skus []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(skus) == 0 {
		return out, nil
	}
	list, err := json.Marshal(skus)
	if err != nil {
		return nil, fmt.Errorf("list open orders by SKU: %w", err)
	}
	seen := map[string]bool{}
	err = scanRows(ctx, s.read, `WITH wanted(sku) AS (SELECT value FROM json_each(?1))
		SELECT x.sku, o.external_id FROM (
			SELECT l.sku AS sku, l.order_id AS order_id FROM wanted w JOIN order_lines l ON l.open = 1 AND l.sku = w.sku COLLATE NOCASE
			UNION SELECT k.component_sku, l.order_id FROM wanted w JOIN kit_components k ON k.component_sku = w.sku COLLATE NOCASE
				JOIN order_lines l ON l.open = 1 AND l.sku = k.kit_sku
		) x JOIN orders o ON o.id = x.order_id ORDER BY o.placed_at, o.channel, o.external_id`, func(r *sql.Rows) error {
		var sku, number string
		if err := r.Scan(&sku, &number); err != nil {
			return err
		}
		k := strings.ToLower(sku)
		if !seen[k+"\x00"+number] {
			seen[k+"\x00"+number] = true
			out[k] = append(out[k], number)
		}
		return nil
	}, string(list))
	if err != nil {
		return nil, fmt.Errorf("list open orders by SKU: %w", err)
	}
	return out, nil
}
