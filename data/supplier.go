package data

import (
	"context"
	"fmt"
	"strings"
)

// Supplier is a business the shop buys from. Lead time is what the shop was told; later work learns the
// real one from deliveries.
type Supplier struct {
	ID           string
	Name         string
	Contact      string
	Email        string
	Phone        string
	Currency     string
	LeadTimeDays int
	Notes        string
	Items        int // SKUs this supplier offers, filled by Suppliers
}

// SupplierItem is a SKU a supplier sells, at its price to the shop.
type SupplierItem struct {
	SupplierID  string
	SKU         string
	Name        string
	SupplierSKU string
	UnitCost    *int64 // nil when the acting user may not see costs
	Currency    string
	PackSize    int64
	Preferred   bool
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
	return nil
}

// AddSupplier records a supplier.
func (s *Store) AddSupplier(ctx context.Context, sp Supplier) (Supplier, error) {
	if err := s.require(PermManageSuppliers); err != nil {
		return Supplier{}, err
	}
	sp.Name = strings.TrimSpace(sp.Name)
	sp.Currency = strings.ToUpper(strings.TrimSpace(sp.Currency))
	if err := sp.Validate(); err != nil {
		return Supplier{}, err
	}
	sp.ID = newID()
	err := s.update(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `INSERT INTO suppliers(id, name, contact, email, phone, currency, lead_time_days, notes, hlc, device_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, sp.ID, sp.Name, sp.Contact, sp.Email, sp.Phone, sp.Currency, sp.LeadTimeDays, sp.Notes, t.hlc, t.s.device)
		if isConstraint(err, 2067) {
			return errorf(ErrConflict, "there is already a supplier called %q", sp.Name)
		}
		if err != nil {
			return fmt.Errorf("add supplier %s: %w", sp.Name, err)
		}
		return t.audit(ctx, "create", "supplier", sp.ID, nil, sp)
	})
	return sp, err
}

// SetSupplierItem records that a supplier sells a SKU, or updates its terms.
func (s *Store) SetSupplierItem(ctx context.Context, it SupplierItem) error {
	if err := s.require(PermManageSuppliers); err != nil {
		return err
	}
	if it.PackSize <= 0 {
		it.PackSize = 1
	}
	var cost int64
	if it.UnitCost != nil {
		cost = *it.UnitCost
	}
	if cost < 0 {
		return errorf(ErrInvalid, "the unit cost of %s cannot be negative", it.SKU)
	}
	return s.update(ctx, func(t *tx) error {
		v, err := t.s.variant(ctx, t, it.SKU)
		if err != nil {
			return err
		}
		it.SKU = v.SKU
		if it.Preferred {
			if _, err := t.ExecContext(ctx, `UPDATE supplier_items SET preferred = 0 WHERE sku = ?`, it.SKU); err != nil {
				return fmt.Errorf("set preferred supplier of %s: %w", it.SKU, err)
			}
		}
		_, err = t.ExecContext(ctx, `INSERT INTO supplier_items(supplier_id, sku, supplier_sku, unit_cost, pack_size, preferred)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(supplier_id, sku) DO UPDATE SET supplier_sku = excluded.supplier_sku,
			unit_cost = excluded.unit_cost, pack_size = excluded.pack_size, preferred = excluded.preferred`,
			it.SupplierID, it.SKU, it.SupplierSKU, cost, it.PackSize, it.Preferred)
		if isConstraint(err, 787) { // SQLITE_CONSTRAINT_FOREIGNKEY
			return errorf(ErrNotFound, "there is no such supplier")
		}
		if err != nil {
			return fmt.Errorf("set supplier item %s: %w", it.SKU, err)
		}
		return t.audit(ctx, "set", "supplier_item", it.SupplierID+":"+it.SKU, nil, it)
	})
}

// Suppliers lists suppliers by name with the number of SKUs each offers.
func (s *Store) Suppliers(ctx context.Context) ([]Supplier, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, contact, email, phone, currency, lead_time_days, notes,
		(SELECT count(*) FROM supplier_items i WHERE i.supplier_id = s.id) FROM suppliers s ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list suppliers: %w", err)
	}
	defer rows.Close()
	var out []Supplier
	for rows.Next() {
		var sp Supplier
		if err := rows.Scan(&sp.ID, &sp.Name, &sp.Contact, &sp.Email, &sp.Phone, &sp.Currency, &sp.LeadTimeDays, &sp.Notes, &sp.Items); err != nil {
			return nil, fmt.Errorf("list suppliers: %w", err)
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

// SupplierItems lists what one supplier sells. Costs are left out for users who may not see them.
func (s *Store) SupplierItems(ctx context.Context, supplierID string) ([]SupplierItem, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT i.supplier_id, i.sku, p.name || CASE WHEN v.title <> '' THEN ' – ' || v.title ELSE '' END,
		i.supplier_sku, i.unit_cost, sp.currency, i.pack_size, i.preferred
		FROM supplier_items i JOIN suppliers sp ON sp.id = i.supplier_id JOIN variants v ON v.sku = i.sku JOIN products p ON p.id = v.product_id
		WHERE i.supplier_id = ? ORDER BY i.sku`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("list supplier items: %w", err)
	}
	defer rows.Close()
	var out []SupplierItem
	for rows.Next() {
		var it SupplierItem
		var cost int64
		if err := rows.Scan(&it.SupplierID, &it.SKU, &it.Name, &it.SupplierSKU, &cost, &it.Currency, &it.PackSize, &it.Preferred); err != nil {
			return nil, fmt.Errorf("list supplier items: %w", err)
		}
		if s.Can(PermViewCosts) {
			it.UnitCost = &cost
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
