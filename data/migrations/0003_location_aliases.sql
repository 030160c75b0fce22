-- What a marketplace calls a location the shop already has: Shopify names a shop's location by its
-- street address, Backroom by what the owner typed. Counts from a file naming the alias land at the
-- location, instead of at a second location made for the same shelf.
CREATE TABLE location_aliases (
  name        TEXT PRIMARY KEY COLLATE NOCASE,
  location_id TEXT NOT NULL REFERENCES locations(id),
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL
) STRICT;
