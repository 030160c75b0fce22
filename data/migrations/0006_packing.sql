-- How each order left: carrier, service, tracking number and the day it was handed over, for the
-- customer, for the channel's shipping confirmation and for the owner's late-carrier figures.
CREATE TABLE shipments (
  order_id   INTEGER PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
  carrier    TEXT NOT NULL,
  service    TEXT NOT NULL DEFAULT '',
  tracking   TEXT NOT NULL DEFAULT '',
  shipped_at TEXT NOT NULL,
  user_id    TEXT NOT NULL DEFAULT '',
  user_name  TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;
CREATE INDEX shipments_shipped ON shipments(shipped_at);

-- Every scan at the pack station, good or bad, and every by-hand confirmation and override: what the
-- order's progress is computed from, and what the owner's accuracy figures count.
CREATE TABLE pack_scans (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  user_id     TEXT NOT NULL DEFAULT '',
  user_name   TEXT NOT NULL DEFAULT '',
  order_id    INTEGER REFERENCES orders(id) ON DELETE SET NULL,
  code        TEXT NOT NULL DEFAULT '',
  sku         TEXT NOT NULL DEFAULT '',
  line_no     INTEGER NOT NULL DEFAULT 0,
  quantity    INTEGER NOT NULL DEFAULT 0, -- units this entry counts toward its line
  outcome     TEXT NOT NULL CHECK (outcome IN ('order', 'ok', 'wrong-item', 'over-quantity', 'unknown-code',
                                               'manual', 'override', 'reset', 'packed')),
  reason      TEXT NOT NULL DEFAULT '',
  approved_by TEXT NOT NULL DEFAULT '',
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL
) STRICT;
CREATE INDEX pack_scans_order ON pack_scans(order_id, id);
CREATE INDEX pack_scans_at ON pack_scans(at);
