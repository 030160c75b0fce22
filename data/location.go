package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Location is a place stock sits: the shop floor, a warehouse, a garage. Stock figures exist per location
// and in total.
type Location struct {
	ID        string
	Name      string
	Kind      string // shop, warehouse, garage, other
	IsDefault bool   // where sales and adjustments land when no location is named
}

// Locations lists every location, the default first.
func (s *Store) Locations(ctx context.Context) ([]Location, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, kind, is_default FROM locations ORDER BY is_default DESC, name`)
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	defer rows.Close()
	var out []Location
	for rows.Next() {
		var l Location
		if err := rows.Scan(&l.ID, &l.Name, &l.Kind, &l.IsDefault); err != nil {
			return nil, fmt.Errorf("list locations: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AddLocation creates a location. The first one becomes the default.
func (s *Store) AddLocation(ctx context.Context, name, kind string) (Location, error) {
	if err := s.require(PermEditCatalog); err != nil {
		return Location{}, err
	}
	var loc Location
	err := s.update(ctx, func(t *tx) error {
		var err error
		loc, err = t.addLocation(ctx, name, kind)
		return err
	})
	return loc, err
}

func (t *tx) addLocation(ctx context.Context, name, kind string) (Location, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Location{}, errorf(ErrInvalid, "a location needs a name")
	}
	if kind == "" {
		kind = "shop"
	}
	switch kind {
	case "shop", "warehouse", "garage", "other":
	default:
		return Location{}, errorf(ErrInvalid, "location kind %q is not one of shop, warehouse, garage, other", kind)
	}
	var n int
	if err := t.QueryRowContext(ctx, `SELECT count(*) FROM locations`).Scan(&n); err != nil {
		return Location{}, fmt.Errorf("add location: %w", err)
	}
	loc := Location{ID: newID(), Name: name, Kind: kind, IsDefault: n == 0}
	_, err := t.ExecContext(ctx, `INSERT INTO locations(id, name, kind, is_default, hlc, device_id) VALUES (?, ?, ?, ?, ?, ?)`,
		loc.ID, loc.Name, loc.Kind, loc.IsDefault, t.hlc, t.s.device)
	if isConstraint(err, 2067) {
		return Location{}, errorf(ErrConflict, "there is already a location called %q", name)
	}
	if err != nil {
		return Location{}, fmt.Errorf("add location %q: %w", name, err)
	}
	return loc, t.audit(ctx, "create", "location", loc.ID, nil, loc)
}

// defaultLocation returns the default location, creating "Shop" when the database has none yet, so the
// first stock movement of a new shop needs no setup.
func (t *tx) defaultLocation(ctx context.Context) (string, error) {
	var id string
	err := t.QueryRowContext(ctx, `SELECT id FROM locations ORDER BY is_default DESC, rowid LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		loc, err := t.addLocation(ctx, "Shop", "shop")
		return loc.ID, err
	}
	if err != nil {
		return "", fmt.Errorf("find default location: %w", err)
	}
	return id, nil
}

// locationID resolves a location given by id or name; empty means the default.
func (t *tx) locationID(ctx context.Context, ref string) (string, error) {
	if strings.TrimSpace(ref) == "" {
		return t.defaultLocation(ctx)
	}
	var id string
	err := t.QueryRowContext(ctx, `SELECT id FROM locations WHERE id = ? OR name = ?`, ref, strings.TrimSpace(ref)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errorf(ErrNotFound, "there is no location %q", ref)
	}
	if err != nil {
		return "", fmt.Errorf("find location %q: %w", ref, err)
	}
	return id, nil
}
