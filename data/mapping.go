package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ColumnMapping is how the owner told Backroom to read a spreadsheet layout it did not recognise: which
// column holds the order number, the SKU, the quantity and so on. It is kept under the signature of the
// file's header, so the next file of that shape imports without asking.
type ColumnMapping struct {
	Signature string
	Name      string            // what the owner calls the layout, e.g. "Faire orders"
	Header    []string          // the header as it was seen
	Channel   string            // the channel the orders come from
	Kind      string            // orders, products or stock
	Columns   map[string]string // field → header cell
	Options   map[string]string // how values are written: date order, currency when no column gives it
	UpdatedAt time.Time
}

type mappingBody struct {
	Columns map[string]string `json:"columns"`
	Options map[string]string `json:"options,omitempty"`
}

// SaveColumnMapping stores m, replacing an earlier mapping of the same header.
func (s *Store) SaveColumnMapping(ctx context.Context, m ColumnMapping) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	m.Name, m.Channel = strings.TrimSpace(m.Name), strings.ToLower(strings.TrimSpace(m.Channel))
	switch {
	case m.Signature == "":
		return errorf(ErrInvalid, "a column mapping needs the signature of its header")
	case m.Name == "":
		return errorf(ErrInvalid, "give the layout a name, such as “Faire orders”")
	case m.Channel == "" && m.Kind == "orders":
		return errorf(ErrInvalid, "say which channel the orders in %s come from", m.Name)
	case m.Kind != "orders" && m.Kind != "products" && m.Kind != "stock":
		return errorf(ErrInvalid, "a layout holds orders, products or stock, not %q", m.Kind)
	case len(m.Columns) == 0:
		return errorf(ErrInvalid, "map at least one column of %s", m.Name)
	}
	body, err := json.Marshal(mappingBody{Columns: m.Columns, Options: m.Options})
	if err != nil {
		return fmt.Errorf("save column mapping %s: %w", m.Name, err)
	}
	header, err := json.Marshal(m.Header)
	if err != nil {
		return fmt.Errorf("save column mapping %s: %w", m.Name, err)
	}
	return s.update(ctx, func(t *tx) error {
		now := t.nowText()
		if _, err := t.ExecContext(ctx, `INSERT INTO column_mappings(signature, name, header, channel, kind, mapping, created_at, updated_at, hlc, device_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(signature) DO UPDATE SET name = excluded.name, header = excluded.header,
			channel = excluded.channel, kind = excluded.kind, mapping = excluded.mapping, updated_at = excluded.updated_at,
			hlc = excluded.hlc, device_id = excluded.device_id`,
			m.Signature, m.Name, string(header), m.Channel, m.Kind, string(body), now, now, t.hlc, t.s.device); err != nil {
			return fmt.Errorf("save column mapping %s: %w", m.Name, err)
		}
		return t.audit(ctx, "update", "column_mapping", m.Signature, nil, m)
	})
}

const mappingColumns = `signature, name, header, channel, kind, mapping, updated_at`

func scanMapping(row scanner) (ColumnMapping, error) {
	var m ColumnMapping
	var header, body, at string
	if err := row.Scan(&m.Signature, &m.Name, &header, &m.Channel, &m.Kind, &body, &at); err != nil {
		return m, err
	}
	var b mappingBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return m, fmt.Errorf("read column mapping %s: %w", m.Name, err)
	}
	if err := json.Unmarshal([]byte(header), &m.Header); err != nil {
		return m, fmt.Errorf("read column mapping %s: %w", m.Name, err)
	}
	m.Columns, m.Options, m.UpdatedAt = b.Columns, b.Options, parseTime(at)
	return m, nil
}

// ColumnMapping finds the mapping saved for a header signature, or ErrNotFound.
func (s *Store) ColumnMapping(ctx context.Context, signature string) (ColumnMapping, error) {
	m, err := scanMapping(s.read.QueryRowContext(ctx, `SELECT `+mappingColumns+` FROM column_mappings WHERE signature = ?`, signature))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errorf(ErrNotFound, "no column mapping is saved for this layout")
	}
	if err != nil {
		return m, fmt.Errorf("read column mapping: %w", err)
	}
	return m, nil
}

// ColumnMappings lists every saved mapping by name.
func (s *Store) ColumnMappings(ctx context.Context) ([]ColumnMapping, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+mappingColumns+` FROM column_mappings ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list column mappings: %w", err)
	}
	defer rows.Close()
	var out []ColumnMapping
	for rows.Next() {
		m, err := scanMapping(rows)
		if err != nil {
			return nil, fmt.Errorf("list column mappings: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteColumnMapping forgets a mapping; the next file of that shape asks again.
func (s *Store) DeleteColumnMapping(ctx context.Context, signature string) error {
	if err := s.require(PermImport); err != nil {
		return err
	}
	return s.update(ctx, func(t *tx) error {
		r, err := t.ExecContext(ctx, `DELETE FROM column_mappings WHERE signature = ?`, signature)
		if err != nil {
			return fmt.Errorf("delete column mapping: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errorf(ErrNotFound, "no column mapping is saved for this layout")
		}
		return t.audit(ctx, "delete", "column_mapping", signature, nil, nil)
	})
}
