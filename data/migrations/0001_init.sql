-- 0001: the foundation schema: catalogue, locations, stock ledger, orders, users, audit log and sync stamps.

-- meta holds per-file facts: the device id of this installation and the last hybrid logical clock value.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role       TEXT NOT NULL CHECK (role IN ('owner', 'packer', 'accountant')),
  pin_hash   TEXT NOT NULL DEFAULT '',
  active     INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;

CREATE TABLE locations (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind       TEXT NOT NULL DEFAULT 'shop' CHECK (kind IN ('shop', 'warehouse', 'garage', 'other')),
  is_default INTEGER NOT NULL DEFAULT 0,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;

CREATE TABLE bins (
  location_id TEXT NOT NULL REFERENCES locations(id),
  code        TEXT NOT NULL COLLATE NOCASE,
  PRIMARY KEY (location_id, code)
) STRICT;

CREATE TABLE products (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;

-- variants are what a shop sells and counts: one SKU each. SKUs keep their case and leading zeros,
-- but two SKUs that differ only in case are refused, because people type them both ways.
CREATE TABLE variants (
  sku         TEXT PRIMARY KEY COLLATE NOCASE,
  product_id  TEXT NOT NULL REFERENCES products(id),
  title       TEXT NOT NULL DEFAULT '',
  price       INTEGER NOT NULL DEFAULT 0,
  cost        INTEGER NOT NULL DEFAULT 0,
  currency    TEXT NOT NULL,
  location_id TEXT REFERENCES locations(id),
  bin         TEXT NOT NULL DEFAULT '',
  active      INTEGER NOT NULL DEFAULT 1,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL
) STRICT;
CREATE INDEX variants_product ON variants(product_id);

CREATE TABLE barcodes (
  code TEXT PRIMARY KEY,
  sku  TEXT NOT NULL REFERENCES variants(sku) ON UPDATE CASCADE
) STRICT;
CREATE INDEX barcodes_sku ON barcodes(sku);

-- kit_components: selling one kit moves quantity units of each component; the kit holds no stock itself.
CREATE TABLE kit_components (
  kit_sku       TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  component_sku TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  quantity      INTEGER NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (kit_sku, component_sku),
  CHECK (kit_sku <> component_sku)
) STRICT;
CREATE INDEX kit_components_component ON kit_components(component_sku);

-- sku_aliases maps what a channel calls an item (its SKU or listing name) to one of ours.
-- pack is how many of our units one channel unit is: a "3-pack" listing deducts 3.
CREATE TABLE sku_aliases (
  channel     TEXT NOT NULL COLLATE NOCASE,
  channel_key TEXT NOT NULL COLLATE NOCASE,
  sku         TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  pack        INTEGER NOT NULL DEFAULT 1 CHECK (pack > 0),
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL,
  PRIMARY KEY (channel, channel_key)
) STRICT;

CREATE TABLE suppliers (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
  contact        TEXT NOT NULL DEFAULT '',
  email          TEXT NOT NULL DEFAULT '',
  phone          TEXT NOT NULL DEFAULT '',
  currency       TEXT NOT NULL,
  lead_time_days INTEGER NOT NULL DEFAULT 0,
  notes          TEXT NOT NULL DEFAULT '',
  hlc            INTEGER NOT NULL,
  device_id      TEXT NOT NULL
) STRICT;

CREATE TABLE supplier_items (
  supplier_id  TEXT NOT NULL REFERENCES suppliers(id),
  sku          TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  supplier_sku TEXT NOT NULL DEFAULT '',
  unit_cost    INTEGER NOT NULL DEFAULT 0,
  pack_size    INTEGER NOT NULL DEFAULT 1,
  preferred    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (supplier_id, sku)
) STRICT;
CREATE INDEX supplier_items_sku ON supplier_items(sku);

-- stock_movements is the ledger. Rows are only ever inserted: on-hand is SUM(quantity), and a correction is
-- a new row. Triggers below refuse UPDATE and DELETE so no code path can quietly rewrite history.
CREATE TABLE stock_movements (
  id          TEXT PRIMARY KEY,
  sku         TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  location_id TEXT NOT NULL REFERENCES locations(id),
  quantity    INTEGER NOT NULL CHECK (quantity <> 0),
  reason      TEXT NOT NULL CHECK (reason IN ('receipt', 'sale', 'return', 'adjustment', 'count', 'transfer')),
  ref_type    TEXT NOT NULL DEFAULT '' CHECK (ref_type IN ('', 'order', 'purchase_order', 'count', 'transfer')),
  ref_id      TEXT NOT NULL DEFAULT '',
  note        TEXT NOT NULL DEFAULT '',
  user_id     TEXT NOT NULL DEFAULT '',
  device_id   TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX stock_movements_sku ON stock_movements(sku, location_id, quantity);
CREATE INDEX stock_movements_ref ON stock_movements(ref_type, ref_id);
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'stock movements are append-only'); END;

CREATE TABLE orders (
  id               INTEGER PRIMARY KEY,
  channel          TEXT NOT NULL COLLATE NOCASE,
  external_id      TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('new', 'paid', 'picking', 'packed', 'shipped', 'delivered', 'cancelled', 'returned')),
  placed_at        TEXT NOT NULL,
  placed_offset    INTEGER,
  paid_at          TEXT,
  ship_by          TEXT,
  shipped_at       TEXT,
  delivered_at     TEXT,
  customer_name    TEXT NOT NULL DEFAULT '',
  customer_email   TEXT NOT NULL DEFAULT '',
  ship_name        TEXT NOT NULL DEFAULT '',
  ship_address1    TEXT NOT NULL DEFAULT '',
  ship_address2    TEXT NOT NULL DEFAULT '',
  ship_city        TEXT NOT NULL DEFAULT '',
  ship_region      TEXT NOT NULL DEFAULT '',
  ship_postcode    TEXT NOT NULL DEFAULT '',
  ship_country     TEXT NOT NULL DEFAULT '',
  currency         TEXT NOT NULL,
  subtotal         INTEGER NOT NULL DEFAULT 0,
  shipping         INTEGER NOT NULL DEFAULT 0,
  tax              INTEGER NOT NULL DEFAULT 0,
  discount         INTEGER NOT NULL DEFAULT 0,
  total            INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  hlc              INTEGER NOT NULL,
  device_id        TEXT NOT NULL,
  UNIQUE (channel, external_id)
) STRICT;
CREATE INDEX orders_placed ON orders(placed_at);
CREATE INDEX orders_status_placed ON orders(status, placed_at);
CREATE INDEX orders_channel_placed ON orders(channel, placed_at);
CREATE INDEX orders_channel_status_placed ON orders(channel, status, placed_at);
CREATE INDEX orders_external ON orders(external_id);
-- orders_search is narrow on purpose: a substring search scans it instead of the wide order rows.
CREATE INDEX orders_search ON orders(customer_name, customer_email, external_id);

CREATE TABLE order_lines (
  order_id    INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no     INTEGER NOT NULL,
  sku         TEXT REFERENCES variants(sku) COLLATE NOCASE,
  channel_sku TEXT NOT NULL DEFAULT '',
  name        TEXT NOT NULL DEFAULT '',
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  pack        INTEGER NOT NULL DEFAULT 1 CHECK (pack > 0),
  unit_price  INTEGER NOT NULL DEFAULT 0,
  -- open mirrors whether the order still holds stock back (not shipped or cancelled), so reserved stock is
  -- read from a small partial index instead of joining every order ever taken.
  open        INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (order_id, line_no)
) STRICT;
CREATE INDEX order_lines_sku ON order_lines(sku);
CREATE INDEX order_lines_open_sku ON order_lines(sku) WHERE open = 1;
CREATE INDEX order_lines_channel_sku ON order_lines(channel_sku);

CREATE TABLE order_status_history (
  order_id  INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  status    TEXT NOT NULL,
  at        TEXT NOT NULL,
  user_id   TEXT NOT NULL DEFAULT '',
  device_id TEXT NOT NULL,
  hlc       INTEGER NOT NULL
) STRICT;
CREATE INDEX order_status_history_order ON order_status_history(order_id, at);

-- audit_log records every write the store performs, with before and after values as JSON.
CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  user_id   TEXT NOT NULL DEFAULT '',
  user_name TEXT NOT NULL DEFAULT '',
  device_id TEXT NOT NULL,
  hlc       INTEGER NOT NULL,
  action    TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  before    TEXT,
  after     TEXT
) STRICT;
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
