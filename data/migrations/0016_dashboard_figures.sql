-- 0016: what the dashboard's cards read, kept beside the records it comes from (status waits, the lines'
-- shipping times, the orders' line sums), and indexes that hold what the cards read.

-- status_waits: every wait of an order in an open status (new, paid, picking, packed), from the step
-- entering it to the order's next step, in whole milliseconds, as StatusAges measures them; a wait still
-- running (the order's latest step) has no end yet. placed_at is the order's, so a period's waits are one
-- range of an index. Reading them from the status history meant a hundred thousand steps through Go for
-- a month of a large shop. The history stays the record (rows only ever inserted). Steps follow one
-- another by time, then by insertion (the history's rowid), as StatusAges has always ordered them, so a
-- step that arrives late (a sync from another device) splits the wait it falls into.
--
-- The store keeps it where it writes the history (tx.addStep, tx.addFirstStep), not by a trigger: a
-- trigger makes SQLite keep a statement journal for every row written to its table, and the triggers
-- this migration first had on the history and the order lines made a 100,000-line import take twice as
-- long. The triggers below are on changes to orders, which are few beside them.
CREATE TABLE status_waits (
  order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  status     TEXT NOT NULL,
  placed_at  TEXT NOT NULL,
  entered_at TEXT NOT NULL,
  left_at    TEXT,    -- NULL while the wait runs
  wait_ms    INTEGER  -- left_at − entered_at; NULL while the wait runs
) STRICT;

-- A time SQLite cannot read counts as no wait rather than failing the status change that records it.
INSERT INTO status_waits(order_id, status, placed_at, entered_at, left_at, wait_ms)
  SELECT h.order_id, h.status, o.placed_at, h.at, h.next_at,
    CASE WHEN h.next_at IS NOT NULL THEN
      COALESCE(CAST(round((unixepoch(h.next_at, 'subsec') - unixepoch(h.at, 'subsec')) * 1000) AS INTEGER), 0) END
  FROM (SELECT order_id, status, at, LEAD(at) OVER (PARTITION BY order_id ORDER BY at, rowid) AS next_at
    FROM order_status_history) h
  JOIN orders o ON o.id = h.order_id
  WHERE h.status IN ('new', 'paid', 'picking', 'packed');

-- The ended waits and the running ones, each read from its index alone (a column the query tests must be
-- in the index for that, hence wait_ms in the second).
CREATE INDEX status_waits_ended ON status_waits(status, placed_at, wait_ms) WHERE wait_ms IS NOT NULL;
CREATE INDEX status_waits_running ON status_waits(status, placed_at, order_id, entered_at, wait_ms) WHERE wait_ms IS NULL;
CREATE INDEX status_waits_order ON status_waits(order_id, entered_at);

CREATE TRIGGER orders_placed_waits AFTER UPDATE OF placed_at ON orders WHEN NEW.placed_at IS NOT OLD.placed_at
BEGIN
  UPDATE status_waits SET placed_at = NEW.placed_at WHERE order_id = NEW.id;
END;

-- shipped_at: the order's shipping time while its status counts it as gone (shipped, delivered, returned),
-- else NULL. With it, the units of a SKU shipped in a period are one range of an index: the return rates
-- had to check each line's order against the period, a lookup per line, which was most of their time on
-- a large shop. A line takes it from its order when stored (tx.insertLines); the trigger below follows
-- the order.
ALTER TABLE order_lines ADD COLUMN shipped_at TEXT;

UPDATE order_lines SET shipped_at = o.shipped_at
  FROM orders o WHERE o.id = order_lines.order_id AND o.status IN ('shipped', 'delivered', 'returned');

CREATE INDEX order_lines_sku_shipped ON order_lines(sku, shipped_at, quantity, pack);

CREATE TRIGGER orders_lines_shipped AFTER UPDATE OF status, shipped_at ON orders
WHEN (CASE WHEN OLD.status IN ('shipped', 'delivered', 'returned') THEN OLD.shipped_at END)
  IS NOT (CASE WHEN NEW.status IN ('shipped', 'delivered', 'returned') THEN NEW.shipped_at END)
BEGIN
  UPDATE order_lines SET shipped_at = CASE WHEN NEW.status IN ('shipped', 'delivered', 'returned') THEN NEW.shipped_at END
    WHERE order_id = NEW.id;
END;

-- Reserved stock sums the open lines' units: from the index alone (it replaces the one without them).
DROP INDEX order_lines_open_sku;
CREATE INDEX order_lines_open_sku ON order_lines(sku, quantity, pack) WHERE open = 1;

-- The carrier figures sum each spelling of a carrier and service over a period from this index alone
-- (order_id is the table's rowid, so it is in every index).
CREATE INDEX shipments_carrier ON shipments(carrier, service, shipped_at);

-- line_units, line_cost, uncosted_units: each order's lines summed as the sales report sums them (units;
-- units at their kept unit cost; units without one), so the sales by channel read the period's orders
-- from one index and no line: the lines were two thirds of that report's time, which the dashboard waits
-- for twice. The store sums them again wherever it writes lines (tx.sumLines), rather than a trigger on
-- every line (see status_waits).
ALTER TABLE orders ADD COLUMN line_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN line_cost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN uncosted_units INTEGER NOT NULL DEFAULT 0;

UPDATE orders SET line_units = l.units, line_cost = l.cost, uncosted_units = l.uncosted
  FROM (SELECT order_id, SUM(quantity * pack) AS units, COALESCE(SUM(quantity * pack * unit_cost), 0) AS cost,
      COALESCE(SUM(CASE WHEN unit_cost IS NULL THEN quantity * pack END), 0) AS uncosted
    FROM order_lines GROUP BY order_id) AS l
  WHERE l.order_id = orders.id;

-- A channel's orders by date with the sums (it replaces the one without them, from 0014).
DROP INDEX orders_channel_placed;
CREATE INDEX orders_channel_placed ON orders(channel, placed_at, status, currency, total, discount, shipping, tax,
  line_units, line_cost, uncosted_units);

-- The dashboard counts the open orders due today and late from this index alone (it replaces the one
-- without the ship-by date).
DROP INDEX orders_status_placed;
CREATE INDEX orders_status_placed ON orders(status, placed_at, ship_by);
