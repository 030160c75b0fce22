-- A stock count by scanning: what was counted in a location (or one bin of it), kept while the count
-- goes on so it survives a restart, and turned into count movements only when an owner approves.
CREATE TABLE stock_counts (
  id           INTEGER PRIMARY KEY,
  location_id  TEXT NOT NULL REFERENCES locations(id),
  bin          TEXT NOT NULL DEFAULT '' COLLATE NOCASE, -- '' counts the whole location
  status       TEXT NOT NULL CHECK (status IN ('counting', 'submitted', 'approved', 'discarded')),
  started_at   TEXT NOT NULL,
  started_by   TEXT NOT NULL DEFAULT '',
  submitted_at TEXT,
  closed_at    TEXT,
  closed_by    TEXT NOT NULL DEFAULT '',
  reason       TEXT NOT NULL DEFAULT '',
  hlc          INTEGER NOT NULL,
  device_id    TEXT NOT NULL
) STRICT;
CREATE INDEX stock_counts_open ON stock_counts(status) WHERE status IN ('counting', 'submitted');

CREATE TABLE stock_count_items (
  count_id   INTEGER NOT NULL REFERENCES stock_counts(id) ON DELETE CASCADE,
  sku        TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  counted    INTEGER NOT NULL CHECK (counted >= 0),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (count_id, sku)
) STRICT;
