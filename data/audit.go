package data

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one write the store performed.
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserName string
	DeviceID string
	Action   string
	Entity   string
	EntityID string
	Before   string // JSON, empty when the thing was created
	After    string // JSON
}

// audit appends one entry inside the current write. before and after are marshalled as JSON; nil is NULL.
func (t *tx) audit(ctx context.Context, action, entity, id string, before, after any) error {
	enc := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("audit %s %s: %w", entity, id, err)
		}
		return string(b), nil
	}
	b, err := enc(before)
	if err != nil {
		return err
	}
	a, err := enc(after)
	if err != nil {
		return err
	}
	if bs, ok := b.(string); ok {
		if as, ok := a.(string); ok {
			b, a = changedFields(bs, as)
		}
	}
	_, err = t.ExecContext(ctx, `INSERT INTO audit_log(at, user_id, user_name, device_id, hlc, action, entity, entity_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.nowText(), t.s.user.ID, t.s.user.Name, t.s.device, t.hlc, action, entity, id, b, a)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", entity, id, err)
	}
	return nil
}

// AuditLog returns the newest entries first; entity and entityID narrow it when not empty.
func (s *Store) AuditLog(ctx context.Context, entity, entityID string, limit int) ([]AuditEntry, error) {
	if err := s.require(PermViewAudit); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, at, user_name, device_id, action, entity, entity_id,
		COALESCE(before, ''), COALESCE(after, '')
		FROM audit_log WHERE (? = '' OR entity = ?) AND (? = '' OR entity_id = ?)
		ORDER BY id DESC LIMIT ?`, entity, entity, entityID, entityID, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.UserName, &e.DeviceID, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// changedFields narrows an update's before and after JSON objects to the fields that differ, so the log
// says what changed rather than repeating a whole order twice. Values that are not objects stay whole.
func changedFields(before, after string) (string, string) {
	var b, a map[string]json.RawMessage
	if json.Unmarshal([]byte(before), &b) != nil || json.Unmarshal([]byte(after), &a) != nil {
		return before, after
	}
	for k, v := range b {
		if w, ok := a[k]; ok && bytes.Equal(v, w) {
			delete(a, k)
			delete(b, k)
		}
	}
	nb, err1 := json.Marshal(b)
	na, err2 := json.Marshal(a)
	if err1 != nil || err2 != nil {
		return before, after
	}
	return string(nb), string(na)
}
