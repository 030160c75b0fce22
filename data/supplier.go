package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Supplier is a business the shop buys from. Lead time is what the shop was told; SupplierPerformance
// learns the real one from deliveries.
type Supplier struct {
	ID           string
	Name         string
	Contact      string
	Email        string
	Phone        string
	Currency     string
	LeadTimeDays int
	Notes        string
	// MinOrderValue is the smallest order the supplier accepts, in minor units of Currency (0: none).
	MinOrderValue int64
	// UnavailableSince is set while the owner has marked the supplier unable to supply; contingency
	// plans trigger on it. UnavailableNote says why ("closed until January").
	UnavailableSince *time.Time
	UnavailableNote  string
	Items            int // SKUs this supplier offers, filled by Suppliers
}

// Available reports whether the supplier can currently supply.
func (sp Supplier) Available() bool { return sp.UnavailableSince == nil }

// SupplierItem is a SKU a supplier sells, at its price to the shop, and where the supplier stands among
// the SKU's sources. Supplier name, lead time and availability come along so planners need no second query.
type SupplierItem struct {
	SupplierID   string
	SupplierName string
	SKU          string
	Name         string
	SupplierSKU  string
	UnitCost     *int64 // per our unit, in Currency; nil when the acting user may not see costs
	Currency     string // the supplier's
	PackSize     int64  // our units in one of the supplier's packs
	MinOrderQty  int64  // the fewest of our units the supplier sells of it (at least 1)
	// Rank orders the SKU's suppliers: 1 is the primary, 2 the first backup, and so on, without gaps.
	// On SetSupplierItem, 0 keeps the item's rank (or puts a new one last).
	Rank         int
	LeadTimeDays int  // the supplier's promised lead time
	Available    bool // the supplier is not marked unavailable
}

// RankName is the rank as people say it: "Primary", "Backup 1", "Backup 2"…
func (it SupplierItem) RankName() string {
	switch {
	case it.Rank <= 0:
		return ""
	case it.Rank == 1:
		return "Primary"
	}
	return fmt.Sprintf("Backup %d", it.Rank-1)
}

// Validate checks a supplier before it is written.
func (sp Supplier) Validate() error {
	if strings.TrimSpace(sp.Name) == "" {
		return errorf(ErrInvalid, "a supplier needs a name")
	}
	if !ValidCurrency(sp.Currency) {
		return errorf(ErrInvalid, "supplier %s: currency %q is not a three-letter ISO code", sp.Name, sp.Currency)
	}
	if sp.LeadTimeDays < 0 {
		return errorf(ErrInvalid, "supplier %s: lead time cannot be negative", sp.Name)
	}
	if sp.MinOrderValue < 0 {
		return errorf(ErrInvalid, "supplier %s: the minimum order value cannot be negative", sp.Name)
	}
	return nil
}

func (sp *Supplier) normalize() {
	sp.Name = strings.TrimSpace(sp.Name)
	sp.Currency = strings.ToUpper(strings.TrimSpace(sp.Currency))
	sp.UnavailableNote = strings.TrimSpace(sp.UnavailableNote)
}

// AddSupplier records a supplier. A supplier added with UnavailableSince set starts out unavailable.
func (s *Store) AddSupplier(ctx context.Context, sp Supplier) (Supplier, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return Supplier{}, err
	}
	sp.normalize()
	if err := sp.Validate(); err != nil {
		return Supplier{}, err
	}
	sp.ID = newID()
	sp.Items = 0
	err := s.update(ctx, func(t *tx) error {
		var since any
		if sp.UnavailableSince != nil {
			since = formatTime(*sp.UnavailableSince)
		}
		_, err := t.ExecContext(ctx, `INSERT INTO suppliers(id, name, contact, email, phone, currency, lead_time_days, notes,
			min_order_value, unavailable_since, unavailable_note, hlc, device_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, sp.ID, sp.Name, sp.Contact, sp.Email, sp.Phone, sp.Currency, sp.LeadTimeDays, sp.Notes,
			sp.MinOrderValue, since, sp.UnavailableNote, t.hlc, t.s.device)
		if isConstraint(err, 2067) {
			return errorf(ErrConflict, "there is already a supplier called %q", sp.Name)
		}
		if err != nil {
			return fmt.Errorf("add supplier %s: %w", sp.Name, err)
		}
		return t.audit(ctx, "create", "supplier", sp.ID, nil, sp)
	})
	if err != nil {
		return Supplier{}, err
	}
	return sp, nil
}

// UpdateSupplier changes a supplier's details and terms. Availability is left alone: it changes only
// through SetSupplierAvailable, so an edit of a phone number cannot end (or start) a contingency.
// Changing the currency does not convert the supplier's item costs; they are then read in the new one.
func (s *Store) UpdateSupplier(ctx context.Context, sp Supplier) (Supplier, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return Supplier{}, err
	}
	sp.normalize()
	if err := sp.Validate(); err != nil {
		return Supplier{}, err
	}
	err := s.update(ctx, func(t *tx) error {
		before, err := t.s.supplier(ctx, t, sp.ID)
		if err != nil {
			return err
		}
		sp.UnavailableSince, sp.UnavailableNote, sp.Items = before.UnavailableSince, before.UnavailableNote, before.Items
		_, err = t.ExecContext(ctx, `UPDATE suppliers SET name = ?, contact = ?, email = ?, phone = ?, currency = ?, lead_time_days = ?,
			notes = ?, min_order_value = ?, hlc = ?, device_id = ? WHERE id = ?`,
			sp.Name, sp.Contact, sp.Email, sp.Phone, sp.Currency, sp.LeadTimeDays, sp.Notes, sp.MinOrderValue, t.hlc, t.s.device, sp.ID)
		if isConstraint(err, 2067) {
			return errorf(ErrConflict, "there is already a supplier called %q", sp.Name)
		}
		if err != nil {
			return fmt.Errorf("update supplier %s: %w", sp.Name, err)
		}
		return t.audit(ctx, "update", "supplier", sp.ID, before, sp)
	})
	if err != nil {
		return Supplier{}, err
	}
	return sp, nil
}

// SetSupplierAvailable marks a supplier able or unable to supply; note says why. Marking an unavailable
// supplier unavailable again only changes the note, so the date it became unavailable stays true.
func (s *Store) SetSupplierAvailable(ctx context.Context, id string, available bool, note string) error {
	if err := s.require(PermManageSuppliers); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	return s.update(ctx, func(t *tx) error {
		before, err := t.s.supplier(ctx, t, id)
		if err != nil {
			return err
		}
		after := before
		if available {
			after.UnavailableSince, after.UnavailableNote = nil, ""
		} else {
			if after.UnavailableSince == nil {
				now := t.now
				after.UnavailableSince = &now
			}
			after.UnavailableNote = note
		}
		var since any
		if after.UnavailableSince != nil {
			since = formatTime(*after.UnavailableSince)
		}
		if _, err := t.ExecContext(ctx, `UPDATE suppliers SET unavailable_since = ?, unavailable_note = ?, hlc = ?, device_id = ? WHERE id = ?`,
			since, after.UnavailableNote, t.hlc, t.s.device, id); err != nil {
			return fmt.Errorf("set availability of supplier %s: %w", before.Name, err)
		}
		return t.audit(ctx, "update", "supplier", id, before, after)
	})
}

const supplierColumns = `s.id, s.name, s.contact, s.email, s.phone, s.currency, s.lead_time_days, s.notes, s.min_order_value,
	s.unavailable_since, s.unavailable_note, (SELECT count(*) FROM supplier_items i WHERE i.supplier_id = s.id)`

func scanSupplier(row scanner) (Supplier, error) {
	var sp Supplier
	var since sql.NullString
	if err := row.Scan(&sp.ID, &sp.Name, &sp.Contact, &sp.Email, &sp.Phone, &sp.Currency, &sp.LeadTimeDays, &sp.Notes, &sp.MinOrderValue,
		&since, &sp.UnavailableNote, &sp.Items); err != nil {
		return Supplier{}, err
	}
	if since.Valid {
		at := parseTime(since.String)
		sp.UnavailableSince = &at
	}
	return sp, nil
}

// Suppliers lists suppliers by name with the number of SKUs each offers.
func (s *Store) Suppliers(ctx context.Context) ([]Supplier, error) {
	out, err := s.suppliers(ctx)
	for i := range out {
		out[i] = s.visibleSupplier(out[i])
	}
	return out, err
}

// suppliers lists suppliers with their terms whoever asks: the reorder plan works out whether an order
// reaches a minimum without showing the minimum.
func (s *Store) suppliers(ctx context.Context) ([]Supplier, error) {
	out, err := queryList(ctx, s.read, scanSupplier, `SELECT `+supplierColumns+` FROM suppliers s ORDER BY s.name`)
	if err != nil {
		return nil, fmt.Errorf("list suppliers: %w", err)
	}
	return out, nil
}

// Supplier finds one supplier by id.
func (s *Store) Supplier(ctx context.Context, id string) (Supplier, error) {
	sp, err := s.supplier(ctx, s.read, id)
	return s.visibleSupplier(sp), err
}

// visibleSupplier hides the supplier's minimum order value, a term of trade, from users who may not see
// costs; a packer receiving a delivery still sees who it is from.
func (s *Store) visibleSupplier(sp Supplier) Supplier {
	if !s.Can(PermViewCosts) {
		sp.MinOrderValue = 0
	}
	return sp
}

func (s *Store) supplier(ctx context.Context, q querier, id string) (Supplier, error) {
	sp, err := scanSupplier(q.QueryRowContext(ctx, `SELECT `+supplierColumns+` FROM suppliers s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Supplier{}, errorf(ErrNotFound, "there is no such supplier")
	}
	if err != nil {
		return Supplier{}, fmt.Errorf("find supplier %s: %w", id, err)
	}
	return sp, nil
}

// SetSupplierItem records that a supplier sells a SKU, or updates its terms. Rank 0 keeps the item's
// rank, or puts a new item after the SKU's other suppliers; a given rank puts it there and moves the
// others down, so a SKU's ranks always run 1, 2, 3… without gaps or ties.
func (s *Store) SetSupplierItem(ctx context.Context, it SupplierItem) error {
	if err := s.require(PermManageSuppliers); err != nil {
		return err
	}
	if it.PackSize <= 0 {
		it.PackSize = 1
	}
	if it.MinOrderQty <= 0 {
		it.MinOrderQty = 1
	}
	if it.Rank < 0 {
		return errorf(ErrInvalid, "the rank of a supplier of %s is 1 (primary) or more", it.SKU)
	}
	var cost int64
	if it.UnitCost != nil {
		cost = *it.UnitCost
	}
	if cost < 0 {
		return errorf(ErrInvalid, "the unit cost of %s cannot be negative", it.SKU)
	}
	it.SupplierSKU = strings.TrimSpace(it.SupplierSKU)
	return s.update(ctx, func(t *tx) error {
		v, err := t.s.variant(ctx, t, it.SKU)
		if err != nil {
			return err
		}
		if len(v.Kit) > 0 {
			return errorf(ErrInvalid, "%s is a kit: record who supplies its parts instead", v.SKU)
		}
		sp, err := t.s.supplier(ctx, t, it.SupplierID)
		if err != nil {
			return err
		}
		it.SKU, it.Name, it.SupplierName, it.Currency = v.SKU, v.Name(), sp.Name, sp.Currency
		it.LeadTimeDays, it.Available = sp.LeadTimeDays, sp.Available()
		order, err := t.supplierOrder(ctx, it.SKU)
		if err != nil {
			return err
		}
		pos := len(order) // where it goes, 0-based
		var before any
		if i := indexOf(order, it.SupplierID); i >= 0 {
			pos = i
			order = append(order[:i], order[i+1:]...)
			old, err := t.s.supplierItem(ctx, t, it.SupplierID, it.SKU)
			if err != nil {
				return err
			}
			before = old
		}
		if it.Rank > 0 {
			pos = min(it.Rank-1, len(order))
		}
		order = append(order[:pos], append([]string{it.SupplierID}, order[pos:]...)...)
		it.Rank = pos + 1
		_, err = t.ExecContext(ctx, `INSERT INTO supplier_items(supplier_id, sku, supplier_sku, unit_cost, pack_size, min_order_qty, rank)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(supplier_id, sku) DO UPDATE SET supplier_sku = excluded.supplier_sku,
			unit_cost = excluded.unit_cost, pack_size = excluded.pack_size, min_order_qty = excluded.min_order_qty, rank = excluded.rank`,
			it.SupplierID, it.SKU, it.SupplierSKU, cost, it.PackSize, it.MinOrderQty, it.Rank)
		if err != nil {
			return fmt.Errorf("set supplier item %s: %w", it.SKU, err)
		}
		if err := t.renumberSuppliers(ctx, it.SKU, order); err != nil {
			return err
		}
		it.UnitCost = &cost
		action := "set"
		if before == nil {
			action = "create"
		}
		return t.audit(ctx, action, "supplier_item", it.SupplierID+":"+it.SKU, before, it)
	})
}

// RemoveSupplierItem records that a supplier no longer sells a SKU; the SKU's other suppliers move up.
func (s *Store) RemoveSupplierItem(ctx context.Context, supplierID, sku string) error {
	if err := s.require(PermManageSuppliers); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		before, err := t.s.supplierItem(ctx, t, supplierID, sku)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM supplier_items WHERE supplier_id = ? AND sku = ?`, supplierID, before.SKU); err != nil {
			return fmt.Errorf("remove supplier item %s: %w", before.SKU, err)
		}
		order, err := t.supplierOrder(ctx, before.SKU)
		if err != nil {
			return err
		}
		if err := t.renumberSuppliers(ctx, before.SKU, order); err != nil {
			return err
		}
		return t.audit(ctx, "delete", "supplier_item", supplierID+":"+before.SKU, before, nil)
	})
}

// supplierOrder lists the ids of a SKU's suppliers by rank. Ties (which only a sync could make) fall to
// the supplier id, the same on every device.
func (t *tx) supplierOrder(ctx context.Context, sku string) ([]string, error) {
	var ids []string
	err := scanRows(ctx, t, `SELECT supplier_id FROM supplier_items WHERE sku = ? ORDER BY rank, supplier_id`, func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, sku)
	if err != nil {
		return nil, fmt.Errorf("read suppliers of %s: %w", sku, err)
	}
	return ids, nil
}

// renumberSuppliers gives a SKU's suppliers the ranks 1…n in the given order, writing only what changes.
func (t *tx) renumberSuppliers(ctx context.Context, sku string, order []string) error {
	for i, id := range order {
		if _, err := t.ExecContext(ctx, `UPDATE supplier_items SET rank = ? WHERE supplier_id = ? AND sku = ? AND rank <> ?`,
			i+1, id, sku, i+1); err != nil {
			return fmt.Errorf("rank suppliers of %s: %w", sku, err)
		}
	}
	return nil
}

func indexOf(ids []string, id string) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	return -1
}

const supplierItemColumns = `i.supplier_id, sp.name, i.sku, p.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END,
	i.supplier_sku, i.unit_cost, sp.currency, i.pack_size, i.min_order_qty, i.rank, sp.lead_time_days, sp.unavailable_since IS NULL`

const supplierItemFrom = ` FROM supplier_items i JOIN suppliers sp ON sp.id = i.supplier_id JOIN variants v ON v.sku = i.sku
	JOIN products p ON p.id = v.product_id `

func (s *Store) scanSupplierItem(row scanner) (SupplierItem, error) {
	var it SupplierItem
	var cost int64
	if err := row.Scan(&it.SupplierID, &it.SupplierName, &it.SKU, &it.Name, &it.SupplierSKU, &cost, &it.Currency, &it.PackSize,
		&it.MinOrderQty, &it.Rank, &it.LeadTimeDays, &it.Available); err != nil {
		return SupplierItem{}, err
	}
	if s.Can(PermViewCosts) {
		it.UnitCost = &cost
	}
	return it, nil
}

// supplierItem finds what one supplier charges for one SKU.
func (s *Store) supplierItem(ctx context.Context, q querier, supplierID, sku string) (SupplierItem, error) {
	it, err := s.scanSupplierItem(q.QueryRowContext(ctx, `SELECT `+supplierItemColumns+supplierItemFrom+`WHERE i.supplier_id = ? AND i.sku = ?`,
		supplierID, sku))
	if errors.Is(err, sql.ErrNoRows) {
		return SupplierItem{}, errorf(ErrNotFound, "the supplier does not sell %s", sku)
	}
	if err != nil {
		return SupplierItem{}, fmt.Errorf("find supplier item %s: %w", sku, err)
	}
	return it, nil
}

// SupplierItems lists what one supplier sells. Costs are left out for users who may not see them.
func (s *Store) SupplierItems(ctx context.Context, supplierID string) ([]SupplierItem, error) {
	out, err := queryList(ctx, s.read, s.scanSupplierItem, `SELECT `+supplierItemColumns+supplierItemFrom+
		`WHERE i.supplier_id = ? ORDER BY i.sku`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("list supplier items: %w", err)
	}
	return out, nil
}

// SKUSuppliers lists who sells a SKU, primary first. Costs are left out for users who may not see them.
func (s *Store) SKUSuppliers(ctx context.Context, sku string) ([]SupplierItem, error) {
	return s.skuSuppliers(ctx, s.read, sku)
}

// skuSuppliers is SKUSuppliers on any querier, so a write can ask inside its own transaction.
func (s *Store) skuSuppliers(ctx context.Context, q querier, sku string) ([]SupplierItem, error) {
	out, err := queryList(ctx, q, s.scanSupplierItem, `SELECT `+supplierItemColumns+supplierItemFrom+
		`WHERE i.sku = ? ORDER BY i.rank, i.supplier_id`, sku)
	if err != nil {
		return nil, fmt.Errorf("list suppliers of %s: %w", sku, err)
	}
	return out, nil
}
