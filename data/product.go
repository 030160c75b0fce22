package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Variant is one sellable, countable item: a SKU. Products group variants ("Linen apron" in Sage and in
// Rust); a product with no options has a single variant with an empty Title.
type Variant struct {
	SKU         string // as the shop writes it: case and leading zeros kept
	ProductID   string
	ProductName string
	Title       string   // the option that tells variants apart ("Sage / M"), or empty
	Barcodes    []string // EAN, UPC or the shop's own codes
	Price       int64    // minor units of Currency
	Cost        *int64   // minor units of Currency; nil when the acting user may not see costs
	Currency    string
	LocationID  string // where it is usually stored; empty for the default location
	Bin         string // bin or shelf code within the location
	Active      bool
	Kit         []KitComponent // components when this SKU is sold as a bundle
	UpdatedAt   time.Time
}

// Name is what people call the item: the product name and, for variants, the option.
func (v Variant) Name() string {
	if v.Title == "" {
		return v.ProductName
	}
	return v.ProductName + " – " + v.Title
}

// KitComponent is one part of a kit: selling one kit moves Quantity units of SKU.
type KitComponent struct {
	SKU      string
	Quantity int64
}

// NewVariant is what AddVariant needs. ProductID adds a variant to an existing product; otherwise a
// product called ProductName is created.
type NewVariant struct {
	SKU         string
	ProductID   string
	ProductName string
	Title       string
	Barcodes    []string
	Price       int64
	Cost        int64
	Currency    string
	Location    string // id or name; empty for the default
	Bin         string
}

// VariantUpdate changes a variant. Nil fields stay as they are.
type VariantUpdate struct {
	ProductName *string
	Title       *string
	Barcodes    *[]string
	Price       *int64
	Cost        *int64
	Currency    *string
	Bin         *string
	Active      *bool
}

// ValidateSKU checks a SKU the way a shop owner would want: not empty, no surrounding spaces, no control
// characters, at most 64 characters. Anything else (leading zeros, dashes, lower case) is the shop's choice.
func ValidateSKU(sku string) error {
	if sku == "" {
		return errorf(ErrInvalid, "a SKU cannot be empty")
	}
	if strings.TrimSpace(sku) != sku {
		return errorf(ErrInvalid, "SKU %q has spaces at its start or end", sku)
	}
	if len([]rune(sku)) > 64 {
		return errorf(ErrInvalid, "SKU %q is longer than 64 characters", sku)
	}
	for _, r := range sku {
		if r < 0x20 || r == 0x7f {
			return errorf(ErrInvalid, "SKU %q contains a control character", sku)
		}
	}
	return nil
}

// Validate checks a new variant before it is written.
func (n NewVariant) Validate() error {
	if err := ValidateSKU(n.SKU); err != nil {
		return err
	}
	if n.ProductID == "" && strings.TrimSpace(n.ProductName) == "" {
		return errorf(ErrInvalid, "product %s needs a name", n.SKU)
	}
	if !ValidCurrency(n.Currency) {
		return errorf(ErrInvalid, "currency %q of %s is not a three-letter ISO code such as EUR or USD", n.Currency, n.SKU)
	}
	if n.Price < 0 {
		return errorf(ErrInvalid, "the price of %s cannot be negative", n.SKU)
	}
	if n.Cost < 0 {
		return errorf(ErrInvalid, "the cost of %s cannot be negative", n.SKU)
	}
	for _, b := range n.Barcodes {
		if err := validateBarcode(b); err != nil {
			return err
		}
	}
	return nil
}

func validateBarcode(code string) error {
	if code == "" || strings.TrimSpace(code) != code || strings.ContainsAny(code, "\t\r\n") {
		return errorf(ErrInvalid, "barcode %q is empty or has spaces around it", code)
	}
	return nil
}

// AddVariant creates a SKU, and its product when no ProductID is given.
func (s *Store) AddVariant(ctx context.Context, n NewVariant) (Variant, error) {
	if err := s.require(PermEditCatalog); err != nil {
		return Variant{}, err
	}
	n.Currency = strings.ToUpper(strings.TrimSpace(n.Currency))
	n.ProductName = strings.TrimSpace(n.ProductName)
	n.Title = strings.TrimSpace(n.Title)
	if err := n.Validate(); err != nil {
		return Variant{}, err
	}
	err := s.update(ctx, func(t *tx) error { return t.addVariant(ctx, n) })
	if err != nil {
		return Variant{}, err
	}
	return s.Variant(ctx, n.SKU)
}

func (t *tx) addVariant(ctx context.Context, n NewVariant) error {
	now := t.nowText()
	if n.ProductID == "" {
		n.ProductID = newID()
		if _, err := t.ExecContext(ctx, `INSERT INTO products(id, name, created_at, hlc, device_id) VALUES (?, ?, ?, ?, ?)`,
			n.ProductID, n.ProductName, now, t.hlc, t.s.device); err != nil {
			return fmt.Errorf("add product %q: %w", n.ProductName, err)
		}
	} else {
		err := t.QueryRowContext(ctx, `SELECT name FROM products WHERE id = ?`, n.ProductID).Scan(&n.ProductName)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, "there is no product %s to add %s to", n.ProductID, n.SKU)
		}
		if err != nil {
			return fmt.Errorf("find product of %s: %w", n.SKU, err)
		}
	}
	var loc any
	if n.Location != "" {
		id, err := t.locationID(ctx, n.Location)
		if err != nil {
			return err
		}
		loc = id
	}
	_, err := t.ExecContext(ctx, `INSERT INTO variants(sku, product_id, title, price, cost, currency, location_id, bin, active,
		created_at, updated_at, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
		n.SKU, n.ProductID, n.Title, n.Price, n.Cost, n.Currency, loc, n.Bin, now, now, t.hlc, t.s.device)
	if isConstraint(err, 1555) || isConstraint(err, 2067) { // PRIMARYKEY, UNIQUE
		var existing string
		_ = t.QueryRowContext(ctx, `SELECT sku FROM variants WHERE sku = ?`, n.SKU).Scan(&existing)
		if existing != n.SKU && existing != "" {
			return errorf(ErrConflict, "SKU %s differs only in upper/lower case from existing SKU %s", n.SKU, existing)
		}
		return errorf(ErrConflict, "SKU %s already exists", n.SKU)
	}
	if err != nil {
		return fmt.Errorf("add SKU %s: %w", n.SKU, err)
	}
	if t.known.allSKUs {
		t.known.skus[strings.ToLower(n.SKU)] = n.SKU
	} else {
		delete(t.known.skus, strings.ToLower(n.SKU))
	}
	if err := t.recordCost(ctx, n.SKU); err != nil {
		return err
	}
	if err := t.setBarcodes(ctx, n.SKU, n.Barcodes); err != nil {
		return err
	}
	if err := t.rememberBin(ctx, loc, n.Bin); err != nil {
		return err
	}
	return t.audit(ctx, "create", "variant", n.SKU, nil, n)
}

func (t *tx) setBarcodes(ctx context.Context, sku string, codes []string) error {
	if _, err := t.ExecContext(ctx, `DELETE FROM barcodes WHERE sku = ?`, sku); err != nil {
		return fmt.Errorf("set barcodes of %s: %w", sku, err)
	}
	for _, c := range codes {
		if err := validateBarcode(c); err != nil {
			return err
		}
		_, err := t.ExecContext(ctx, `INSERT INTO barcodes(code, sku) VALUES (?, ?)`, c, sku)
		if isConstraint(err, 1555) {
			var other string
			_ = t.QueryRowContext(ctx, `SELECT sku FROM barcodes WHERE code = ?`, c).Scan(&other)
			return errorf(ErrConflict, "barcode %s already belongs to %s", c, other)
		}
		if err != nil {
			return fmt.Errorf("set barcode %s of %s: %w", c, sku, err)
		}
	}
	return nil
}

func (t *tx) rememberBin(ctx context.Context, loc any, bin string) error {
	if bin == "" {
		return nil
	}
	if loc == nil {
		id, err := t.defaultLocation(ctx)
		if err != nil {
			return err
		}
		loc = id
	}
	if _, err := t.ExecContext(ctx, `INSERT OR IGNORE INTO bins(location_id, code) VALUES (?, ?)`, loc, bin); err != nil {
		return fmt.Errorf("record bin %s: %w", bin, err)
	}
	return nil
}

// UpdateVariant changes the fields set in u.
func (s *Store) UpdateVariant(ctx context.Context, sku string, u VariantUpdate) (Variant, error) {
	if err := s.require(PermEditCatalog); err != nil {
		return Variant{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		_, err := t.updateVariant(ctx, sku, u)
		return err
	})
	if err != nil {
		return Variant{}, err
	}
	return s.Variant(ctx, sku)
}

func sameCost(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// updateVariant applies u inside a write and reports whether anything changed; an update that changes
// nothing writes nothing, so re-importing a product file leaves no trace.
func (t *tx) updateVariant(ctx context.Context, sku string, u VariantUpdate) (bool, error) {
	before, err := t.s.variant(ctx, t, sku)
	if err != nil {
		return false, err
	}
	after := before
	if u.ProductName != nil {
		name := strings.TrimSpace(*u.ProductName)
		if name == "" {
			return false, errorf(ErrInvalid, "product %s needs a name", sku)
		}
		after.ProductName = name
	}
	if u.Title != nil {
		after.Title = strings.TrimSpace(*u.Title)
	}
	if u.Price != nil {
		if *u.Price < 0 {
			return false, errorf(ErrInvalid, "the price of %s cannot be negative", sku)
		}
		after.Price = *u.Price
	}
	if u.Cost != nil {
		if *u.Cost < 0 {
			return false, errorf(ErrInvalid, "the cost of %s cannot be negative", sku)
		}
		after.Cost = u.Cost
	}
	if u.Currency != nil {
		c := strings.ToUpper(strings.TrimSpace(*u.Currency))
		if !ValidCurrency(c) {
			return false, errorf(ErrInvalid, "currency %q is not a three-letter ISO code", *u.Currency)
		}
		after.Currency = c
	}
	if u.Bin != nil {
		after.Bin = strings.TrimSpace(*u.Bin)
	}
	if u.Active != nil {
		after.Active = *u.Active
	}
	barcodesChanged := false
	if u.Barcodes != nil {
		after.Barcodes = *u.Barcodes
		barcodesChanged = !slices.Equal(before.Barcodes, after.Barcodes)
	}
	if !barcodesChanged && after.ProductName == before.ProductName && after.Title == before.Title && after.Price == before.Price &&
		sameCost(after.Cost, before.Cost) && after.Currency == before.Currency && after.Bin == before.Bin && after.Active == before.Active {
		return false, nil
	}
	if barcodesChanged {
		if err := t.setBarcodes(ctx, before.SKU, after.Barcodes); err != nil {
			return false, err
		}
	}
	if after.ProductName != before.ProductName {
		if _, err := t.ExecContext(ctx, `UPDATE products SET name = ?, hlc = ?, device_id = ? WHERE id = ?`,
			after.ProductName, t.hlc, t.s.device, before.ProductID); err != nil {
			return false, fmt.Errorf("rename product of %s: %w", sku, err)
		}
	}
	// Cost is nil for a user who may not see costs; COALESCE keeps the stored one then.
	var cost any
	if after.Cost != nil {
		cost = *after.Cost
	}
	if _, err := t.ExecContext(ctx, `UPDATE variants SET title = ?, price = ?, cost = COALESCE(?, cost), currency = ?, bin = ?, active = ?,
		updated_at = ?, hlc = ?, device_id = ? WHERE sku = ?`,
		after.Title, after.Price, cost, after.Currency, after.Bin, after.Active,
		t.nowText(), t.hlc, t.s.device, before.SKU); err != nil {
		return false, fmt.Errorf("update %s: %w", sku, err)
	}
	if !sameCost(after.Cost, before.Cost) || after.Currency != before.Currency {
		if err := t.recordCost(ctx, before.SKU); err != nil {
			return false, err
		}
	}
	var loc any
	if before.LocationID != "" {
		loc = before.LocationID
	}
	if err := t.rememberBin(ctx, loc, after.Bin); err != nil {
		return false, err
	}
	return true, t.audit(ctx, "update", "variant", before.SKU, before, after)
}

const variantColumns = `v.sku, v.product_id, p.name, v.title, v.price, v.cost, v.currency, COALESCE(v.location_id, ''), v.bin, v.active, v.updated_at`

type scanner interface{ Scan(dest ...any) error }

func (s *Store) scanVariant(row scanner) (Variant, error) {
	var v Variant
	var cost int64
	var updated string
	if err := row.Scan(&v.SKU, &v.ProductID, &v.ProductName, &v.Title, &v.Price, &cost, &v.Currency, &v.LocationID, &v.Bin, &v.Active, &updated); err != nil {
		return Variant{}, err
	}
	if s.Can(PermViewCosts) {
		v.Cost = &cost
	}
	v.UpdatedAt = parseTime(updated)
	return v, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Variant finds one SKU, ignoring case.
func (s *Store) Variant(ctx context.Context, sku string) (Variant, error) {
	return s.variant(ctx, s.read, sku)
}

func (s *Store) variant(ctx context.Context, q querier, sku string) (Variant, error) {
	v, err := s.scanVariant(q.QueryRowContext(ctx, `SELECT `+variantColumns+` FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku = ?`, sku))
	if errors.Is(err, sql.ErrNoRows) {
		return Variant{}, errorf(ErrNotFound, "there is no SKU %s", sku)
	}
	if err != nil {
		return Variant{}, fmt.Errorf("find SKU %s: %w", sku, err)
	}
	if err := s.fillVariants(ctx, q, []*Variant{&v}); err != nil {
		return Variant{}, err
	}
	return v, nil
}

// VariantByBarcode finds the SKU a scanned code belongs to; a SKU typed or scanned as-is also matches.
func (s *Store) VariantByBarcode(ctx context.Context, code string) (Variant, error) {
	code = strings.TrimSpace(code)
	var sku string
	err := s.read.QueryRowContext(ctx, `SELECT sku FROM barcodes WHERE code = ?`, code).Scan(&sku)
	if errors.Is(err, sql.ErrNoRows) {
		return s.Variant(ctx, code)
	}
	if err != nil {
		return Variant{}, fmt.Errorf("look up barcode %s: %w", code, err)
	}
	return s.Variant(ctx, sku)
}

// VariantFilter narrows Variants. The zero value lists every active SKU by SKU.
type VariantFilter struct {
	Search          string // part of a SKU, name, option or barcode
	IncludeInactive bool
	Limit, Offset   int
}

// Variants lists SKUs with their barcodes and kit components.
func (s *Store) Variants(ctx context.Context, f VariantFilter) ([]Variant, error) {
	where, args := variantWhere(f.Search, f.IncludeInactive)
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+variantColumns+` FROM variants v JOIN products p ON p.id = v.product_id
		WHERE `+where+` ORDER BY v.sku LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	defer rows.Close()
	var out []Variant
	for rows.Next() {
		v, err := s.scanVariant(rows)
		if err != nil {
			return nil, fmt.Errorf("list products: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	ptrs := make([]*Variant, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.fillVariants(ctx, s.read, ptrs)
}

// variantWhere builds the search condition shared by product and stock lists.
func variantWhere(search string, includeInactive bool) (string, []any) {
	conds := []string{"1"}
	var args []any
	if !includeInactive {
		conds = append(conds, "v.active = 1")
	}
	if q := strings.TrimSpace(search); q != "" {
		like := "%" + escapeLike(q) + "%"
		conds = append(conds, `(v.sku LIKE ? ESCAPE '\' OR p.name LIKE ? ESCAPE '\' OR v.title LIKE ? ESCAPE '\'
			OR v.sku IN (SELECT sku FROM barcodes WHERE code = ?))`)
		args = append(args, like, like, like, q)
	}
	return strings.Join(conds, " AND "), args
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// fillVariants loads barcodes and kit components for variants, two queries per 500 of them (SQLite caps
// the number of parameters of one statement).
func (s *Store) fillVariants(ctx context.Context, q querier, vs []*Variant) error {
	for len(vs) > 500 {
		if err := s.fillVariants(ctx, q, vs[:500]); err != nil {
			return err
		}
		vs = vs[500:]
	}
	if len(vs) == 0 {
		return nil
	}
	bySKU := make(map[string]*Variant, len(vs))
	args := make([]any, len(vs))
	for i, v := range vs {
		bySKU[strings.ToLower(v.SKU)] = v
		args[i] = v.SKU
	}
	in := "(?" + strings.Repeat(",?", len(vs)-1) + ")"
	rows, err := q.QueryContext(ctx, `SELECT sku, code FROM barcodes WHERE sku IN `+in+` ORDER BY rowid`, args...)
	if err != nil {
		return fmt.Errorf("load barcodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sku, code string
		if err := rows.Scan(&sku, &code); err != nil {
			return fmt.Errorf("load barcodes: %w", err)
		}
		if v := bySKU[strings.ToLower(sku)]; v != nil {
			v.Barcodes = append(v.Barcodes, code)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load barcodes: %w", err)
	}
	rows.Close()
	krows, err := q.QueryContext(ctx, `SELECT kit_sku, component_sku, quantity FROM kit_components WHERE kit_sku IN `+in+` ORDER BY component_sku`, args...)
	if err != nil {
		return fmt.Errorf("load kits: %w", err)
	}
	defer krows.Close()
	for krows.Next() {
		var kit string
		var c KitComponent
		if err := krows.Scan(&kit, &c.SKU, &c.Quantity); err != nil {
			return fmt.Errorf("load kits: %w", err)
		}
		if v := bySKU[strings.ToLower(kit)]; v != nil {
			v.Kit = append(v.Kit, c)
		}
	}
	return krows.Err()
}

// CountVariants counts the SKUs a filter matches, for paging.
func (s *Store) CountVariants(ctx context.Context, search string, includeInactive bool) (int, error) {
	where, args := variantWhere(search, includeInactive)
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM variants v JOIN products p ON p.id = v.product_id WHERE `+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count products: %w", err)
	}
	return n, nil
}

// SetKit makes sku a kit of the given components, or an ordinary item when components is empty.
func (s *Store) SetKit(ctx context.Context, sku string, components []KitComponent) error {
	if err := s.require(PermEditCatalog); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		kit, err := t.s.variant(ctx, t, sku)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM kit_components WHERE kit_sku = ?`, kit.SKU); err != nil {
			return fmt.Errorf("set kit %s: %w", sku, err)
		}
		for _, c := range components {
			if c.Quantity <= 0 {
				return errorf(ErrInvalid, "kit %s: quantity of %s must be at least 1", sku, c.SKU)
			}
			comp, err := t.s.variant(ctx, t, c.SKU)
			if err != nil {
				return err
			}
			if strings.EqualFold(comp.SKU, kit.SKU) {
				return errorf(ErrInvalid, "kit %s cannot contain itself", sku)
			}
			if len(comp.Kit) > 0 {
				return errorf(ErrInvalid, "kit %s: component %s is itself a kit; list its parts instead", sku, c.SKU)
			}
			var usedAsComponent int
			if err := t.QueryRowContext(ctx, `SELECT count(*) FROM kit_components WHERE component_sku = ?`, kit.SKU).Scan(&usedAsComponent); err != nil {
				return fmt.Errorf("set kit %s: %w", sku, err)
			}
			if usedAsComponent > 0 {
				return errorf(ErrInvalid, "%s is a part of another kit, so it cannot be a kit itself", sku)
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO kit_components(kit_sku, component_sku, quantity) VALUES (?, ?, ?)`,
				kit.SKU, comp.SKU, c.Quantity); err != nil {
				return fmt.Errorf("set kit %s: %w", sku, err)
			}
		}
		return t.audit(ctx, "set_kit", "variant", kit.SKU, kit.Kit, components)
	})
}

// Alias maps a channel's SKU or listing name to one of ours. Pack is how many of our units one channel
// unit holds.
type Alias struct {
	Channel    string
	ChannelKey string
	SKU        string
	Pack       int64
}

// SetAlias records or replaces an alias. Order lines already waiting for that channel SKU or name are
// matched at once (see MapUnmatched), so nothing stays in the queue that the alias explains.
func (s *Store) SetAlias(ctx context.Context, a Alias) error {
	_, err := s.MapUnmatched(ctx, a)
	return err
}

// Aliases lists the aliases of one SKU, or every alias when sku is empty.
func (s *Store) Aliases(ctx context.Context, sku string) ([]Alias, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT channel, channel_key, sku, pack FROM sku_aliases WHERE ? = '' OR sku = ? ORDER BY channel, channel_key`, sku, sku)
	if err != nil {
		return nil, fmt.Errorf("list aliases: %w", err)
	}
	defer rows.Close()
	var out []Alias
	for rows.Next() {
		var a Alias
		if err := rows.Scan(&a.Channel, &a.ChannelKey, &a.SKU, &a.Pack); err != nil {
			return nil, fmt.Errorf("list aliases: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
