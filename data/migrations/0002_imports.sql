-- Every file that was imported, or refused, with what it did: the owner can see when a marketplace
-- export came in and the store can tell a file it has seen before by its hash.
CREATE TABLE import_log (
  id                 INTEGER PRIMARY KEY,
  at                 TEXT NOT NULL,
  user_id            TEXT NOT NULL DEFAULT '',
  user_name          TEXT NOT NULL DEFAULT '',
  device_id          TEXT NOT NULL,
  file_name          TEXT NOT NULL,
  file_size          INTEGER NOT NULL,
  sha256             TEXT NOT NULL,
  format             TEXT NOT NULL,
  outcome            TEXT NOT NULL CHECK (outcome IN ('imported', 'partial', 'rejected')),
  orders_new         INTEGER NOT NULL DEFAULT 0,
  orders_updated     INTEGER NOT NULL DEFAULT 0,
  orders_unchanged   INTEGER NOT NULL DEFAULT 0,
  lines              INTEGER NOT NULL DEFAULT 0,
  unmatched          INTEGER NOT NULL DEFAULT 0,
  products_new       INTEGER NOT NULL DEFAULT 0,
  products_updated   INTEGER NOT NULL DEFAULT 0,
  products_unchanged INTEGER NOT NULL DEFAULT 0,
  stock_counted      INTEGER NOT NULL DEFAULT 0,
  skipped            INTEGER NOT NULL DEFAULT 0,
  errors             INTEGER NOT NULL DEFAULT 0,
  warnings           INTEGER NOT NULL DEFAULT 0,
  -- The first problems found, as JSON, so a refused import can be explained later without the file.
  problems           TEXT NOT NULL DEFAULT '[]'
) STRICT;
CREATE INDEX import_log_sha256 ON import_log(sha256);
CREATE INDEX import_log_at ON import_log(at);

-- How the owner mapped the columns of a spreadsheet layout Backroom did not know, keyed by the shape of
-- its header, so the next file of that shape imports without asking.
CREATE TABLE column_mappings (
  signature  TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  header     TEXT NOT NULL,
  channel    TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('orders', 'products', 'stock')),
  mapping    TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;
