-- 0015: periods the owner locked after sending them to the accountant, and the order changes imports
-- brought for those periods, held until the owner applies or discards them.

-- period_locks: from_date and to_date are the period's days (YYYY-MM-DD, both included) in zone (an IANA
-- name); start_at and end_at are the same period as UTC instants [start_at, end_at), which is what an
-- import compares placing times with. export_id is the export the lock came with (NULL when the owner
-- locked without exporting). A lock is never deleted, so the changes held under it keep their period:
-- unlocking sets unlocked_at.
CREATE TABLE period_locks (
  id             INTEGER PRIMARY KEY,
  from_date      TEXT NOT NULL,
  to_date        TEXT NOT NULL,
  zone           TEXT NOT NULL,
  start_at       TEXT NOT NULL,
  end_at         TEXT NOT NULL CHECK (end_at > start_at),
  export_id      INTEGER REFERENCES accounts_exports(id),
  user_id        TEXT NOT NULL DEFAULT '',
  user_name      TEXT NOT NULL DEFAULT '',
  at             TEXT NOT NULL,
  unlocked_at    TEXT,
  unlocked_by    TEXT NOT NULL DEFAULT '',
  hlc            INTEGER NOT NULL,
  device_id      TEXT NOT NULL
) STRICT;
-- One open lock per period: locking it again finds the lock there is.
CREATE UNIQUE INDEX period_locks_open ON period_locks(from_date, to_date, zone) WHERE unlocked_at IS NULL;

-- held_changes: kind 'new' is an order the store does not have, 'update' one whose accounting figures
-- would change. order_json is the whole incoming order as the source gave it (SKUs resolved), applied
-- later as the import would have applied it. before_total is the stored order's total (0 when new),
-- after_total what it would become (0 when cancelled). resolved: '' while waiting, then 'applied' or
-- 'discarded'. A later import of the same order replaces the waiting change, so there is at most one
-- waiting change per order.
CREATE TABLE held_changes (
  id           INTEGER PRIMARY KEY,
  lock_id      INTEGER NOT NULL REFERENCES period_locks(id),
  channel      TEXT NOT NULL,
  external_id  TEXT NOT NULL,
  placed_at    TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('new', 'update')),
  source       TEXT NOT NULL DEFAULT '',
  before_total INTEGER NOT NULL DEFAULT 0,
  after_total  INTEGER NOT NULL DEFAULT 0,
  currency     TEXT NOT NULL,
  what         TEXT NOT NULL DEFAULT '',
  order_json   TEXT NOT NULL,
  at           TEXT NOT NULL,
  resolved     TEXT NOT NULL DEFAULT '' CHECK (resolved IN ('', 'applied', 'discarded')),
  resolved_at  TEXT,
  resolved_by  TEXT NOT NULL DEFAULT '',
  user_id      TEXT NOT NULL DEFAULT '',
  hlc          INTEGER NOT NULL,
  device_id    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX held_changes_waiting ON held_changes(channel, external_id) WHERE resolved = '';
CREATE INDEX held_changes_lock ON held_changes(lock_id);

-- The import log counts held orders like the others.
ALTER TABLE import_log ADD COLUMN orders_held INTEGER NOT NULL DEFAULT 0;
