-- 0012: each order line keeps its unit cost as it stood when the order was placed, so sales sum in SQL.

-- unit_cost: the cost of one of our units of the line's SKU, in minor units of the order's currency, at
-- the cost in force when the order was placed; for a kit, its parts' costs times their quantities. NULL
-- when that is not known: no SKU, no cost history, or a cost (of the SKU or a kit part) kept in another
-- currency. Set whenever a line is stored or given its SKU (data/sales.go, lineCostSQL, is the same rule);
-- later cost changes never rewrite it.
ALTER TABLE order_lines ADD COLUMN unit_cost INTEGER;

-- The cost in force at a moment is the SKU's latest cost_history row from at or before it, ties to the
-- higher id; an order placed before the SKU's first recorded cost takes that first cost.
UPDATE order_lines SET unit_cost = CASE
  WHEN EXISTS (SELECT 1 FROM kit_components k WHERE k.kit_sku = order_lines.sku) THEN (
    SELECT CASE WHEN count(*) = count(c.cost) THEN SUM(c.cost * c.quantity) END FROM (
      SELECT k.quantity, (SELECT CASE WHEN h.currency = o.currency THEN h.cost END FROM cost_history h WHERE h.id = COALESCE(
          (SELECT id FROM cost_history WHERE sku = k.component_sku AND from_at <= o.placed_at ORDER BY from_at DESC, id DESC LIMIT 1),
          (SELECT id FROM cost_history WHERE sku = k.component_sku ORDER BY from_at, id LIMIT 1))) AS cost
      FROM kit_components k WHERE k.kit_sku = order_lines.sku) AS c)
  ELSE (SELECT CASE WHEN h.currency = o.currency THEN h.cost END FROM cost_history h WHERE h.id = COALESCE(
      (SELECT id FROM cost_history WHERE sku = order_lines.sku AND from_at <= o.placed_at ORDER BY from_at DESC, id DESC LIMIT 1),
      (SELECT id FROM cost_history WHERE sku = order_lines.sku ORDER BY from_at, id LIMIT 1)))
  END
  FROM orders o WHERE o.id = order_lines.order_id AND order_lines.sku IS NOT NULL;

-- Indexes that hold everything the sales report reads, so it never visits the wide order and line rows.
-- order_lines_sales: a period's or a channel's lines, by order. order_lines_sku: by product, each SKU's
-- lines by order id (it replaces the plain index on sku, which served lookups by SKU as this one does).
-- orders_channel_placed: a channel's orders, by date (it replaces the plain one). orders_id_sales: orders
-- by id, to find the few in a range of ids that a period leaves out.
DROP INDEX order_lines_sales;
CREATE INDEX order_lines_sales ON order_lines(order_id, sku, quantity, pack, unit_price, unit_cost);
DROP INDEX order_lines_sku;
CREATE INDEX order_lines_sku ON order_lines(sku, order_id, quantity, pack, unit_price, unit_cost);
DROP INDEX orders_channel_placed;
CREATE INDEX orders_channel_placed ON orders(channel, placed_at, status, currency, total);
CREATE INDEX orders_id_sales ON orders(id, placed_at, status, currency);
