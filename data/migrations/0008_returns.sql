-- Goods customers sent back: from which order line, how many, why, in what state they arrived, whether
-- they went back on the shelf or were written off, and what was refunded.
CREATE TABLE returns (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_no     INTEGER NOT NULL,
  sku         TEXT NOT NULL DEFAULT '',
  units       INTEGER NOT NULL CHECK (units > 0), -- units of the line's SKU (channel units × pack)
  reason      TEXT NOT NULL CHECK (reason IN ('damaged', 'wrong-item', 'changed-mind', 'late', 'other')),
  condition   TEXT NOT NULL CHECK (condition IN ('as-new', 'opened', 'damaged')),
  disposition TEXT NOT NULL CHECK (disposition IN ('restock', 'write-off')),
  refund      INTEGER NOT NULL DEFAULT 0 CHECK (refund >= 0), -- minor units of the order's currency
  note        TEXT NOT NULL DEFAULT '',
  at          TEXT NOT NULL,
  user_id     TEXT NOT NULL DEFAULT '',
  user_name   TEXT NOT NULL DEFAULT '',
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL
) STRICT;
CREATE INDEX returns_order ON returns(order_id, line_no);
CREATE INDEX returns_at ON returns(at);
