package data

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// FuzzApplyRemote feeds a syncing device ops as they might arrive from a damaged or hostile hub: it may
// apply, skip or park them, or refuse the batch, but never panic, and its stock always equals its ledger.
func FuzzApplyRemote(f *testing.F) {
	ctx := context.Background()
	a, err := Open(ctx, filepath.Join(f.TempDir(), "a.db"), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		f.Fatal(err)
	}
	defer a.Close()
	mustVariant(f, a, "MUG", "Stoneware mug", 1800, 650)
	mustAdjust(f, a, "MUG", 10)
	if err := a.EnableSync(ctx, true); err != nil {
		f.Fatal(err)
	}
	if _, err := a.ApplyOrders(ctx, []Order{shopOrder("#1001", StatusShipped, "MUG", 2)}); err != nil {
		f.Fatal(err)
	}
	ops, _, err := a.SyncOps(ctx, 0, 1000)
	if err != nil {
		f.Fatal(err)
	}
	for _, op := range ops {
		b, _ := json.Marshal(op)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x:1","device":"x","seq":1,"hlc":1,"kind":"update","table":"variants","key":["MUG"],"fields":{"price":"lots"}}`))
	f.Add([]byte(`{"id":"x:2","device":"x","seq":2,"hlc":1,"kind":"insert","table":"sqlite_schema","key":[1],"fields":{}}`))
	f.Add([]byte(`{"id":"x:3","device":"x","seq":3,"hlc":1,"kind":"delete","table":"stock_movements","key":[null]}`))

	dir := f.TempDir()
	var b *Store
	f.Fuzz(func(t *testing.T, raw []byte) {
		var op SyncOp
		if json.Unmarshal(raw, &op) != nil {
			return
		}
		if b == nil { // one device per fuzzing process: opening a database per input would be most of the time
			s, err := Open(ctx, filepath.Join(dir, "b.db"), Options{Now: func() time.Time { return testNow }})
			if err != nil {
				t.Fatal(err)
			}
			if st, _ := s.SyncStatus(ctx); !st.Enabled {
				if err := s.EnableSync(ctx, false); err != nil {
					t.Fatal(err)
				}
				if _, err := s.ApplyRemote(ctx, ops, uint64(len(ops))); err != nil {
					t.Fatal(err)
				}
			}
			b = s
		}
		_, err := b.ApplyRemote(ctx, []SyncOp{op}, 0)
		if err != nil && errors.Is(err, ErrStorage) && !errors.Is(err, ErrConflict) {
			// A batch the store refuses must leave it as it was; the checks below say so.
			t.Logf("refused: %v", err)
		}
		var bad int
		if err := b.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT sku, location_id, SUM(quantity) q FROM stock_movements
			GROUP BY sku, location_id) m LEFT JOIN stock_levels l USING (sku, location_id) WHERE l.on_hand IS NOT m.q`).Scan(&bad); err != nil || bad != 0 {
			t.Fatalf("after %s: %d stock levels differ from the ledger (%v)", raw, bad, err)
		}
	})
}
