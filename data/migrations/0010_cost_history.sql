-- 0010: unit costs over time, so sales are costed at the cost in force when they were sold.

-- cost_history: a row each time a SKU's unit cost or its currency changes; the cost in force at a moment
-- is the SKU's latest row from before it (ties go to the higher id). Existing SKUs start with their
-- current cost from when they were created: that is all that is known about their past.
CREATE TABLE cost_history (
  id        INTEGER PRIMARY KEY,
  sku       TEXT NOT NULL REFERENCES variants(sku) COLLATE NOCASE,
  cost      INTEGER NOT NULL CHECK (cost >= 0),
  currency  TEXT NOT NULL,
  from_at   TEXT NOT NULL,
  hlc       INTEGER NOT NULL,
  device_id TEXT NOT NULL
) STRICT;
CREATE INDEX cost_history_sku ON cost_history(sku, from_at);

INSERT INTO cost_history(sku, cost, currency, from_at, hlc, device_id)
  SELECT sku, cost, currency, created_at, hlc, device_id FROM variants ORDER BY created_at, sku;

-- The sales report reads every order and line of a period; these cover what it reads, so it never
-- visits the wide order rows (half its time on a 100,000-order shop).
CREATE INDEX orders_sales ON orders(placed_at, id, status, channel, currency, total);
CREATE INDEX order_lines_sales ON order_lines(order_id, sku, quantity, pack, unit_price);
