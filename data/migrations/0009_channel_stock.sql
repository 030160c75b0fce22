-- 0009: how much of its stock the shop lists on each channel, and the log of stock files sent to channels.

-- channel_rules: one listing rule per channel, applied to the sellable quantity in this order: keep buffer
-- back, list share_pct % of the rest (0 means all), at most cap (0 means no cap), and 0 when sellable is
-- below end_below (0 means off).
CREATE TABLE channel_rules (
  channel   TEXT PRIMARY KEY,
  buffer    INTEGER NOT NULL DEFAULT 0 CHECK (buffer >= 0),
  share_pct INTEGER NOT NULL DEFAULT 0 CHECK (share_pct BETWEEN 0 AND 100),
  cap       INTEGER NOT NULL DEFAULT 0 CHECK (cap >= 0),
  end_below INTEGER NOT NULL DEFAULT 0 CHECK (end_below >= 0),
  hlc       INTEGER NOT NULL,
  device_id TEXT NOT NULL
) STRICT;

-- stock_exports: one row per stock file made for a channel; the latest one per channel is what the
-- channel believes it may sell, which the at-risk list compares against.
CREATE TABLE stock_exports (
  id        INTEGER PRIMARY KEY,
  channel   TEXT NOT NULL,
  file      TEXT NOT NULL DEFAULT '',
  at        TEXT NOT NULL,
  user      TEXT NOT NULL DEFAULT '',
  lines     INTEGER NOT NULL,
  hlc       INTEGER NOT NULL,
  device_id TEXT NOT NULL
) STRICT;
CREATE INDEX stock_exports_channel ON stock_exports(channel, id);

-- stock_export_lines: what quantity went out under which channel SKU. quantity is in channel units; pack
-- our units per channel unit; location is set for per-location files. No foreign key on sku: the log
-- records what was sent, even for a SKU changed since.
CREATE TABLE stock_export_lines (
  export_id   INTEGER NOT NULL REFERENCES stock_exports(id),
  channel_sku TEXT NOT NULL,
  sku         TEXT NOT NULL COLLATE NOCASE,
  location    TEXT NOT NULL DEFAULT '',
  pack        INTEGER NOT NULL DEFAULT 1 CHECK (pack > 0),
  quantity    INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_export_lines_export ON stock_export_lines(export_id, sku);
