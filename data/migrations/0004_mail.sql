-- The mailbox the shop's order notifications arrive in. The password is never here: it lives in the
-- operating system's keychain, keyed by user, host and port.
CREATE TABLE mail_accounts (
  id         INTEGER PRIMARY KEY,
  host       TEXT NOT NULL,
  port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  security   TEXT NOT NULL CHECK (security IN ('tls', 'starttls', 'insecure')),
  user_name  TEXT NOT NULL,
  folders    TEXT NOT NULL DEFAULT '["INBOX"]', -- JSON list
  senders    TEXT NOT NULL DEFAULT '[]',        -- JSON list; empty means every sender
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (host, port, user_name)
) STRICT;

-- Where each folder's sync stopped. A message is identified on the server by (UIDVALIDITY, UID); when the
-- server changes UIDVALIDITY every UID is new again and the folder is rescanned from the start.
CREATE TABLE mail_folders (
  account_id   INTEGER NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,
  folder       TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  last_uid     INTEGER NOT NULL,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (account_id, folder)
) STRICT;

-- Every e-mail read, with what the parser made of it. Order mail keeps its raw bytes (gzip) so a better
-- parser can read it again; other mail keeps only what recognises it again: its Message-ID and hash.
CREATE TABLE mail_messages (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER REFERENCES mail_accounts(id) ON DELETE SET NULL,
  folder      TEXT NOT NULL DEFAULT '',
  uid         INTEGER NOT NULL DEFAULT 0,
  source      TEXT NOT NULL DEFAULT '',
  received_at TEXT,
  message_id  TEXT NOT NULL DEFAULT '',
  sha256      BLOB NOT NULL,
  subject     TEXT NOT NULL DEFAULT '',
  sender      TEXT NOT NULL DEFAULT '',
  sent_at     TEXT,
  forwarded   INTEGER NOT NULL DEFAULT 0,
  kind        TEXT NOT NULL CHECK (kind IN ('order', 'not-order', 'unknown-order')),
  channel     TEXT NOT NULL DEFAULT '',
  order_id    INTEGER REFERENCES orders(id) ON DELETE SET NULL,
  problems    TEXT NOT NULL DEFAULT '[]',
  review      TEXT NOT NULL DEFAULT '' CHECK (review IN ('', 'open', 'dismissed', 'entered')),
  raw_size    INTEGER NOT NULL DEFAULT 0,
  raw_gzip    BLOB,
  parsed_at   TEXT NOT NULL,
  stored_at   TEXT NOT NULL
) STRICT;
CREATE INDEX mail_messages_message_id ON mail_messages(message_id) WHERE message_id <> '';
CREATE UNIQUE INDEX mail_messages_sha256 ON mail_messages(sha256);
CREATE INDEX mail_messages_review ON mail_messages(review) WHERE review = 'open';
CREATE INDEX mail_messages_order ON mail_messages(order_id) WHERE order_id IS NOT NULL;

-- Each sync run and how it ended, for "last sync" and for the owner to see what went wrong overnight.
CREATE TABLE mail_sync_runs (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER REFERENCES mail_accounts(id) ON DELETE CASCADE,
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  result      TEXT NOT NULL DEFAULT '{}', -- JSON counts
  error       TEXT NOT NULL DEFAULT '',
  cancelled   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX mail_sync_runs_account ON mail_sync_runs(account_id, id);
