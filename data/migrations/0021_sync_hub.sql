-- 0021: the sync hub's own records, kept only on the machine that hosts the hub: its TLS identity, the
-- devices allowed to connect, and the one-time pairing secrets that let a new device join. None of it is
-- shop data: it is never recorded as sync ops and never leaves this file (except in its backups).

-- sync_hub_identity: the hub's self-signed certificate and private key (PEM), made once so that devices
-- that pinned the certificate when they paired keep trusting the hub across restarts. One row.
CREATE TABLE sync_hub_identity (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  cert_pem   TEXT NOT NULL,
  key_pem    TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

-- sync_hub_devices: one row per device that may connect. id is the device's id (its hub user name);
-- password_hash is the SHA-256 (hex) of its random password. removed_at revokes a device without
-- forgetting it.
CREATE TABLE sync_hub_devices (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  paired_at     TEXT NOT NULL,
  last_seen     TEXT,
  removed_at    TEXT
) STRICT;

-- sync_hub_pairings: one-time pairing secrets, by SHA-256 (hex). A secret is good until expires_at and
-- only once: used_at and device_id record who used it.
CREATE TABLE sync_hub_pairings (
  secret_hash TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT,
  device_id   TEXT
) STRICT;
