package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Bin is a shelf or bin code in use at a location: what a bin label carries.
type Bin struct {
	Location string // the location's name
	Code     string // as the shop writes it, e.g. "A-02"
	SKUs     int    // active SKUs kept there
}

// Bins lists the bin codes that active SKUs are kept in, by location and then bin in shelf order, so a
// sheet of bin labels comes out in the order the shelves are walked. location, an id or a name, limits
// the list to one location; empty means every location. SKUs with no location of their own are counted
// at the default location, as the pick list does. Anyone signed in may read it: the packer prints these.
func (s *Store) Bins(ctx context.Context, location string) ([]Bin, error) {
	where, args := "", []any{}
	if ref := strings.TrimSpace(location); ref != "" {
		var id string
		err := s.read.QueryRowContext(ctx, `SELECT id FROM locations WHERE id = ? OR name = ? COLLATE NOCASE`, ref, ref).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errorf(ErrNotFound, "there is no location %q", ref)
		}
		if err != nil {
			return nil, fmt.Errorf("find location %q: %w", ref, err)
		}
		where, args = ` AND loc.id = ?`, append(args, id)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT COALESCE(loc.name, ''), v.bin, COUNT(*)
		FROM variants v
		LEFT JOIN locations loc ON loc.id = COALESCE(v.location_id,
			(SELECT id FROM locations ORDER BY is_default DESC, rowid LIMIT 1))
		WHERE v.active = 1 AND v.bin != ''`+where+`
		GROUP BY loc.id, v.bin`, args...)
	if err != nil {
		return nil, fmt.Errorf("list bins: %w", err)
	}
	defer rows.Close()
	var out []Bin
	for rows.Next() {
		var b Bin
		if err := rows.Scan(&b.Location, &b.Code, &b.SKUs); err != nil {
			return nil, fmt.Errorf("list bins: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list bins: %w", err)
	}
	sortBins(out)
	return out, nil
}

// sortBins puts bins in walking order: by location, then by bin with runs of digits compared by value.
func sortBins(bins []Bin) {
	less := func(a, b Bin) bool {
		if la, lb := strings.ToLower(a.Location), strings.ToLower(b.Location); la != lb {
			return la < lb
		}
		return naturalLess(strings.ToLower(a.Code), strings.ToLower(b.Code))
	}
	sort.SliceStable(bins, func(i, j int) bool { return less(bins[i], bins[j]) })
}
