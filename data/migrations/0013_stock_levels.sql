-- 0013: on-hand stock kept beside the ledger, and indexes for the dashboard's figures.

-- stock_levels: each SKU's on-hand units per location, which is the ledger's sum. The ledger stays the
-- record (rows only ever inserted); this is its running total, kept by the trigger below in the same
-- transaction as every movement, so no code path can forget it. Summing 250,000 movements was most of
-- what the dashboard, the channel stock files and the reorder plan waited for on a large shop.
CREATE TABLE stock_levels (
  sku         TEXT NOT NULL COLLATE NOCASE,
  location_id TEXT NOT NULL,
  on_hand     INTEGER NOT NULL,
  PRIMARY KEY (sku, location_id)
) STRICT, WITHOUT ROWID;

INSERT INTO stock_levels(sku, location_id, on_hand)
  SELECT sku, location_id, SUM(quantity) FROM stock_movements GROUP BY sku, location_id;

CREATE TRIGGER stock_movements_level AFTER INSERT ON stock_movements
BEGIN
  INSERT INTO stock_levels(sku, location_id, on_hand) VALUES (NEW.sku, NEW.location_id, NEW.quantity)
    ON CONFLICT(sku, location_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand;
END;

-- Orders by the day they shipped, for the return rates of what shipped in a period.
CREATE INDEX orders_shipped ON orders(shipped_at, status);

-- Each order's status history with the status itself, so the waits in each status are read from the
-- index alone (it replaces the index without the status).
DROP INDEX order_status_history_order;
CREATE INDEX order_status_history_order ON order_status_history(order_id, at, status);

-- The carrier figures read a month of parcels with their orders' ship-by and delivery dates: from these
-- two indexes alone, instead of a visit to each parcel's and each order's row.
CREATE INDEX shipments_figures ON shipments(shipped_at, order_id, carrier, service);
DROP INDEX shipments_shipped;
CREATE INDEX orders_id_delivery ON orders(id, ship_by, delivered_at);
