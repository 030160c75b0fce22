-- 0020: multi-device sync. Every change to the shop's shared tables is recorded as an op (sync_ops) by
-- triggers that exist only once this device syncs (sync_capture.go writes them from the live schema, so a
-- later migration's new column is captured without a migration touching them). The hub's stream is only
-- the meeting point: each device keeps every op, its own and received.

-- sync_state is one row: whether this device syncs, where it stands in the hub's stream, and how the last
-- exchange went. capture is switched off while remote ops are applied, inside that transaction, so
-- applying a change does not record it again as this device's own.
CREATE TABLE sync_state (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  enabled        INTEGER NOT NULL DEFAULT 0,
  capture        INTEGER NOT NULL DEFAULT 0,
  triggers_for   INTEGER NOT NULL DEFAULT 0, -- the schema version the capture triggers were written for
  cursor         INTEGER NOT NULL DEFAULT 0, -- the last hub stream sequence applied here
  last_sync      TEXT,
  last_try       TEXT,
  last_error     TEXT NOT NULL DEFAULT '',
  shop_id        TEXT NOT NULL DEFAULT '',
  device_name    TEXT NOT NULL DEFAULT '',
  hub_url        TEXT NOT NULL DEFAULT '',
  hub_cert       TEXT NOT NULL DEFAULT '',
  hub_user       TEXT NOT NULL DEFAULT '',
  hub_password   TEXT NOT NULL DEFAULT '',
  hosts_hub      INTEGER NOT NULL DEFAULT 0,
  hub_listen     TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO sync_state(id) VALUES (1);

-- sync_ops: the operation log. A local op is written by a capture trigger without its identity, which
-- the store stamps before the transaction commits (op_id, device_id, dev_seq, hlc, schema_v); published
-- is 0 until the hub acknowledges it. A remote op arrives whole. parked holds why an op received could
-- not be applied (a newer schema, a clock too far ahead, a conflict); '' when applied.
CREATE TABLE sync_ops (
  seq       INTEGER PRIMARY KEY,
  op_id     TEXT UNIQUE,
  device_id TEXT NOT NULL DEFAULT '',
  dev_seq   INTEGER NOT NULL DEFAULT 0,
  hlc       INTEGER NOT NULL DEFAULT 0,
  schema_v  INTEGER NOT NULL DEFAULT 0,
  kind      TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete')),
  tbl       TEXT NOT NULL,
  key       TEXT NOT NULL,
  fields    TEXT,
  local     INTEGER NOT NULL DEFAULT 1,
  published INTEGER NOT NULL DEFAULT 0,
  parked    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sync_ops_unpublished ON sync_ops(seq) WHERE local = 1 AND published = 0;
CREATE INDEX sync_ops_parked ON sync_ops(seq) WHERE parked <> '';

-- sync_clocks: the clock of the last write of each field of each shared row, which decides whether a
-- remote edit wins (last writer by hybrid logical clock, then device id, then the device's sequence).
-- field '*' is the row's insert (it stands for every field not written since), '-' its deletion.
CREATE TABLE sync_clocks (
  tbl       TEXT NOT NULL,
  key       TEXT NOT NULL,
  field     TEXT NOT NULL,
  hlc       INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  dev_seq   INTEGER NOT NULL,
  PRIMARY KEY (tbl, key, field)
) STRICT, WITHOUT ROWID;

-- Two devices that ship the same order while apart both record its sale under the same movement id
-- (tx.orderMovementID), so the sale counts once; each device keeps the one it saw first. To end up with
-- the same row everywhere, applying a received op may replace a movement by the earlier of the two: the
-- only deletion the ledger allows, and only while sync applies received ops (capture is off then).
DROP TRIGGER stock_movements_no_delete;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
WHEN NOT (SELECT enabled = 1 AND capture = 0 FROM sync_state WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;

CREATE TRIGGER stock_movements_level_delete AFTER DELETE ON stock_movements
BEGIN
  UPDATE stock_levels SET on_hand = on_hand - OLD.quantity WHERE sku = OLD.sku AND location_id = OLD.location_id;
END;
