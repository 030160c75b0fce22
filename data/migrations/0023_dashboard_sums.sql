-- 0023: the sales summed by the hour, each parcel's times against its order's dates, and the ended status
-- waits by length: what the dashboard and the sales report read, kept beside the records they come from
-- so that a figure no longer walks a period's orders one by one.

-- sales_hours: the orders that count as sales (every status but cancelled), summed per hour they were
-- placed in (UTC), channel and currency, as the sales report sums them: how many, their totals, and their
-- lines' units, cost and uncosted units (orders.line_units and the rest, 0016). A report sums the whole
-- hours of its period here and the orders of the part-hours at its ends from orders, so it stays exact
-- for any bounds and any time zone (half-hour zones included) while reading a few rows per hour instead
-- of every order: 30 days of a large shop's sales by channel were 43,000 orders read from an index.
--
-- hour is placed_at's first 13 characters ("2026-11-20T12"): times are stored in one fixed layout, UTC.
-- channel is compared without case, as orders.channel is, so one channel spelled two ways is one row.
--
-- Triggers keep it as orders change or go: every such change (a status step, a source correcting an
-- order, a sync from another device) goes through the orders table, and a trigger cannot be forgotten by
-- one of them. The store adds what is new, where it is cheap: the orders a write inserts all at once when
-- the write is done with them (tx.countSales), and lines summed again onto an order as the difference
-- (tx.sumLines). Triggers on inserting orders and on their line sums, firing once per order of an import,
-- made a 10,000-line import 15–20 % slower.
CREATE TABLE sales_hours (
  hour     TEXT NOT NULL,
  channel  TEXT NOT NULL COLLATE NOCASE,
  currency TEXT NOT NULL,
  orders   INTEGER NOT NULL,
  revenue  INTEGER NOT NULL, -- order totals, minor units
  units    INTEGER NOT NULL,
  cost     INTEGER NOT NULL, -- units at the unit cost each line keeps, minor units
  uncosted INTEGER NOT NULL,
  PRIMARY KEY (hour, channel, currency)
) STRICT, WITHOUT ROWID;

INSERT INTO sales_hours(hour, channel, currency, orders, revenue, units, cost, uncosted)
  SELECT substr(placed_at, 1, 13), channel, currency, count(*), SUM(total), SUM(line_units), SUM(line_cost), SUM(uncosted_units)
  FROM orders WHERE status <> 'cancelled'
  GROUP BY substr(placed_at, 1, 13), channel, currency;

CREATE TRIGGER orders_sales_delete AFTER DELETE ON orders WHEN OLD.status <> 'cancelled'
BEGIN
  UPDATE sales_hours SET orders = orders - 1, revenue = revenue - OLD.total, units = units - OLD.line_units,
      cost = cost - OLD.line_cost, uncosted = uncosted - OLD.uncosted_units
    WHERE hour = substr(OLD.placed_at, 1, 13) AND channel = OLD.channel AND currency = OLD.currency;
END;

-- An update takes the order's old figures out of their hour and puts the new ones in theirs; a status step
-- that neither cancels nor restores the order changes nothing here and does not fire it.
CREATE TRIGGER orders_sales_update AFTER UPDATE OF placed_at, channel, currency, status, total ON orders
WHEN (OLD.status <> 'cancelled' OR NEW.status <> 'cancelled') AND (
  (OLD.status = 'cancelled') <> (NEW.status = 'cancelled') OR NEW.placed_at IS NOT OLD.placed_at OR NEW.channel IS NOT OLD.channel
  OR NEW.currency IS NOT OLD.currency OR NEW.total <> OLD.total)
BEGIN
  UPDATE sales_hours SET orders = orders - 1, revenue = revenue - OLD.total, units = units - OLD.line_units,
      cost = cost - OLD.line_cost, uncosted = uncosted - OLD.uncosted_units
    WHERE OLD.status <> 'cancelled' AND hour = substr(OLD.placed_at, 1, 13) AND channel = OLD.channel AND currency = OLD.currency;
  INSERT INTO sales_hours(hour, channel, currency, orders, revenue, units, cost, uncosted)
    SELECT substr(NEW.placed_at, 1, 13), NEW.channel, NEW.currency, 1, NEW.total, NEW.line_units, NEW.line_cost, NEW.uncosted_units
    WHERE NEW.status <> 'cancelled'
    ON CONFLICT DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue, units = units + excluded.units,
      cost = cost + excluded.cost, uncosted = uncosted + excluded.uncosted;
END;

-- The median wait of a status is the middle of its waits in order of length: with the ended ones in that
-- order here, StatusAges merges them with the few still running instead of sorting a month of waits.
CREATE INDEX status_waits_ended_length ON status_waits(status, wait_ms, placed_at) WHERE wait_ms IS NOT NULL;

-- The sales by channel now come from sales_hours, so orders_channel_placed no longer needs each order's
-- line sums (0016): without them, summing an order's lines no longer moves its entry in this index. It
-- holds again what the accountant's workbook sums (0014).
DROP INDEX orders_channel_placed;
CREATE INDEX orders_channel_placed ON orders(channel, placed_at, status, currency, total, discount, shipping, tax);

-- shipment_times: each parcel's figures for the carrier card, worked out once instead of on every read:
-- whether its order has a ship-by date (ship_by) and the parcel was handed over by it (on_time), whether
-- the order has a delivery date (delivered) on or after the handover (measured), and the handover-to-
-- delivery time in milliseconds (NULL when it cannot be measured). CarrierFigures sums a period of one
-- carrier and service from its index alone: joining each parcel to its order and parsing both times was
-- most of that card's time, 35 ms for a month of a large shop. Triggers keep it: parcels are recorded one
-- at a time (packing, a sync), and the orders' dates change by the order.
CREATE TABLE shipment_times (
  order_id   INTEGER PRIMARY KEY REFERENCES shipments(order_id) ON DELETE CASCADE,
  carrier    TEXT NOT NULL,
  service    TEXT NOT NULL,
  shipped_at TEXT NOT NULL,
  ship_by    INTEGER NOT NULL,
  on_time    INTEGER NOT NULL,
  delivered  INTEGER NOT NULL,
  measured   INTEGER NOT NULL,
  transit_ms INTEGER
) STRICT;

INSERT INTO shipment_times(order_id, carrier, service, shipped_at, ship_by, on_time, delivered, measured, transit_ms)
  SELECT sh.order_id, sh.carrier, sh.service, sh.shipped_at, o.ship_by IS NOT NULL, COALESCE(sh.shipped_at <= o.ship_by, 0),
    o.delivered_at IS NOT NULL, COALESCE(o.delivered_at >= sh.shipped_at, 0),
    CASE WHEN o.delivered_at >= sh.shipped_at THEN
      CAST(round((unixepoch(o.delivered_at, 'subsec') - unixepoch(sh.shipped_at, 'subsec')) * 1000) AS INTEGER) END
  FROM shipments sh JOIN orders o ON o.id = sh.order_id;

CREATE INDEX shipment_times_carrier ON shipment_times(carrier, service, shipped_at, ship_by, on_time, delivered, measured, transit_ms);

CREATE TRIGGER shipments_times_insert AFTER INSERT ON shipments
BEGIN
  INSERT INTO shipment_times(order_id, carrier, service, shipped_at, ship_by, on_time, delivered, measured, transit_ms)
    SELECT NEW.order_id, NEW.carrier, NEW.service, NEW.shipped_at, o.ship_by IS NOT NULL, COALESCE(NEW.shipped_at <= o.ship_by, 0),
      o.delivered_at IS NOT NULL, COALESCE(o.delivered_at >= NEW.shipped_at, 0),
      CASE WHEN o.delivered_at >= NEW.shipped_at THEN
        CAST(round((unixepoch(o.delivered_at, 'subsec') - unixepoch(NEW.shipped_at, 'subsec')) * 1000) AS INTEGER) END
    FROM orders o WHERE o.id = NEW.order_id
    ON CONFLICT(order_id) DO UPDATE SET carrier = excluded.carrier, service = excluded.service, shipped_at = excluded.shipped_at,
      ship_by = excluded.ship_by, on_time = excluded.on_time, delivered = excluded.delivered, measured = excluded.measured,
      transit_ms = excluded.transit_ms;
END;

CREATE TRIGGER shipments_times_update AFTER UPDATE OF order_id, carrier, service, shipped_at ON shipments
BEGIN
  DELETE FROM shipment_times WHERE order_id = OLD.order_id;
  INSERT INTO shipment_times(order_id, carrier, service, shipped_at, ship_by, on_time, delivered, measured, transit_ms)
    SELECT NEW.order_id, NEW.carrier, NEW.service, NEW.shipped_at, o.ship_by IS NOT NULL, COALESCE(NEW.shipped_at <= o.ship_by, 0),
      o.delivered_at IS NOT NULL, COALESCE(o.delivered_at >= NEW.shipped_at, 0),
      CASE WHEN o.delivered_at >= NEW.shipped_at THEN
        CAST(round((unixepoch(o.delivered_at, 'subsec') - unixepoch(NEW.shipped_at, 'subsec')) * 1000) AS INTEGER) END
    FROM orders o WHERE o.id = NEW.order_id;
END;

CREATE TRIGGER orders_shipment_times AFTER UPDATE OF ship_by, delivered_at ON orders
WHEN NEW.ship_by IS NOT OLD.ship_by OR NEW.delivered_at IS NOT OLD.delivered_at
BEGIN
  UPDATE shipment_times SET ship_by = NEW.ship_by IS NOT NULL, on_time = COALESCE(shipped_at <= NEW.ship_by, 0),
      delivered = NEW.delivered_at IS NOT NULL, measured = COALESCE(NEW.delivered_at >= shipped_at, 0),
      transit_ms = CASE WHEN NEW.delivered_at >= shipped_at THEN
        CAST(round((unixepoch(NEW.delivered_at, 'subsec') - unixepoch(shipped_at, 'subsec')) * 1000) AS INTEGER) END
    WHERE order_id = NEW.id;
END;

-- What CarrierFigures read before (0013, 0016); nothing else reads them.
DROP INDEX shipments_carrier;
DROP INDEX orders_id_delivery;

-- The return rates look up the order of each return for its status and shipping time: from this index
-- rather than the orders' wide rows, scattered over a table too big for a reader's page cache.
CREATE INDEX orders_id_shipped ON orders(id, status, shipped_at);

-- A purchase order whose lines all came in is measured for its supplier's lead times; the lines still
-- short are few, and checking each received order's lines one by one (a large shop orders thousands of
-- lines at a time) was most of the supplier card's time.
CREATE INDEX purchase_order_lines_short ON purchase_order_lines(po_id) WHERE received < quantity;
