-- 0011: purchasing: supplier terms and ranks, purchase orders and their deliveries, and contingency plans.

-- min_order_value is the supplier's smallest order, in minor units of its currency (0: none).
-- unavailable_since is set while the owner has marked the supplier unable to supply (closed, cut off,
-- out of stock everywhere); contingency plans trigger on it.
ALTER TABLE suppliers ADD COLUMN min_order_value INTEGER NOT NULL DEFAULT 0 CHECK (min_order_value >= 0);
ALTER TABLE suppliers ADD COLUMN unavailable_since TEXT;
ALTER TABLE suppliers ADD COLUMN unavailable_note TEXT NOT NULL DEFAULT '';

-- rank orders a SKU's suppliers: 1 is the primary, 2 the first backup, 3 the second, and so on. It
-- replaces preferred (the old primary keeps rank 1; the others follow cheapest first). min_order_qty is
-- in our units, like pack_size.
ALTER TABLE supplier_items ADD COLUMN rank INTEGER NOT NULL DEFAULT 1 CHECK (rank > 0);
ALTER TABLE supplier_items ADD COLUMN min_order_qty INTEGER NOT NULL DEFAULT 1 CHECK (min_order_qty > 0);
UPDATE supplier_items SET rank = r.n
  FROM (SELECT supplier_id, sku, row_number() OVER (PARTITION BY sku ORDER BY preferred DESC, unit_cost, supplier_id) AS n
        FROM supplier_items) AS r
  WHERE r.supplier_id = supplier_items.supplier_id AND r.sku = supplier_items.sku;
ALTER TABLE supplier_items DROP COLUMN preferred;
CREATE INDEX supplier_items_sku_rank ON supplier_items(sku, rank);

-- purchase_orders: draft → sent → partly_received → received, or cancelled. number is what the supplier
-- quotes back ("PO-00042"). expected_at is the promised delivery date; received_at is when the last of
-- the order arrived. origin says what wrote it: '' by hand, 'reorder' from the suggestions,
-- 'contingency' from a plan's action.
CREATE TABLE purchase_orders (
  id           INTEGER PRIMARY KEY,
  number       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  supplier_id  TEXT NOT NULL REFERENCES suppliers(id),
  status       TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'partly_received', 'received', 'cancelled')),
  currency     TEXT NOT NULL,
  location_id  TEXT NOT NULL REFERENCES locations(id),
  origin       TEXT NOT NULL DEFAULT '' CHECK (origin IN ('', 'reorder', 'contingency')),
  notes        TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  sent_at      TEXT,
  expected_at  TEXT,
  received_at  TEXT,
  cancelled_at TEXT,
  user_id      TEXT NOT NULL DEFAULT '',
  hlc          INTEGER NOT NULL,
  device_id    TEXT NOT NULL
) STRICT;
CREATE INDEX purchase_orders_supplier ON purchase_orders(supplier_id, sent_at);
CREATE INDEX purchase_orders_status ON purchase_orders(status, expected_at);

-- purchase_order_lines: quantity and received are in our units; unit_cost is per our unit, in minor units
-- of the order's currency.
CREATE TABLE purchase_order_lines (
  po_id        INTEGER NOT NULL REFERENCES purchase_orders(id) ON DELETE CASCADE,
  line_no      INTEGER NOT NULL,
  sku          TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  supplier_sku TEXT NOT NULL DEFAULT '',
  quantity     INTEGER NOT NULL CHECK (quantity > 0),
  unit_cost    INTEGER NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
  received     INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),
  PRIMARY KEY (po_id, line_no)
) STRICT;
CREATE INDEX purchase_order_lines_sku ON purchase_order_lines(sku);

-- po_receipts: one row per line per delivery, beside the receipt movement it wrote to the ledger. They
-- date each delivery, which is what learned lead times are measured to.
CREATE TABLE po_receipts (
  id          INTEGER PRIMARY KEY,
  po_id       INTEGER NOT NULL REFERENCES purchase_orders(id),
  line_no     INTEGER NOT NULL,
  sku         TEXT NOT NULL COLLATE NOCASE,
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  received_at TEXT NOT NULL,
  user_id     TEXT NOT NULL DEFAULT '',
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL
) STRICT;
CREATE INDEX po_receipts_po ON po_receipts(po_id, received_at);

-- contingency_rules: a trigger and an action, watching one supplier, one SKU, or (both NULL) all of them.
-- late_days is for po_late; min_on_time (percent) and last_pos for on_time_below.
CREATE TABLE contingency_rules (
  id           TEXT PRIMARY KEY,
  supplier_id  TEXT REFERENCES suppliers(id),
  sku          TEXT REFERENCES variants(sku) COLLATE NOCASE,
  trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('po_late', 'on_time_below', 'supplier_unavailable', 'stockout_before_receipt')),
  late_days    INTEGER NOT NULL DEFAULT 0 CHECK (late_days >= 0),
  min_on_time  INTEGER NOT NULL DEFAULT 0 CHECK (min_on_time BETWEEN 0 AND 100),
  last_pos     INTEGER NOT NULL DEFAULT 0 CHECK (last_pos >= 0),
  action       TEXT NOT NULL CHECK (action IN ('alert', 'draft_backup_po', 'list_held_orders')),
  active       INTEGER NOT NULL DEFAULT 1,
  created_at   TEXT NOT NULL,
  hlc          INTEGER NOT NULL,
  device_id    TEXT NOT NULL
) STRICT;

-- contingency_alerts: a rule firing on one cause (subject: "po:12", "supplier:<id>", "sku:<SKU>"). A
-- cause fires once while it lasts; cleared_at is set when it has gone, so a recurrence fires again.
-- dismissed_at is the owner saying it has been dealt with. po_id is the draft an action wrote.
CREATE TABLE contingency_alerts (
  id           INTEGER PRIMARY KEY,
  rule_id      TEXT NOT NULL REFERENCES contingency_rules(id),
  subject      TEXT NOT NULL,
  fired_at     TEXT NOT NULL,
  message      TEXT NOT NULL,
  po_id        INTEGER REFERENCES purchase_orders(id),
  cleared_at   TEXT,
  dismissed_at TEXT,
  hlc          INTEGER NOT NULL,
  device_id    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX contingency_alerts_live ON contingency_alerts(rule_id, subject) WHERE cleared_at IS NULL;

-- contingency_held_orders: the open customer orders a shortage holds up, as listed when the alert fired,
-- so delay messages can go to exactly those customers.
CREATE TABLE contingency_held_orders (
  alert_id INTEGER NOT NULL REFERENCES contingency_alerts(id),
  order_id INTEGER NOT NULL REFERENCES orders(id),
  sku      TEXT NOT NULL COLLATE NOCASE,
  PRIMARY KEY (alert_id, order_id, sku)
) STRICT;
