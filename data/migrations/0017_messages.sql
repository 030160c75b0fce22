-- 0017: customer messages: templates, rules that fire once per order and event, the outbox and sent
-- log, the outgoing mail account, exceptions and the owner's notifications.

CREATE TABLE message_templates (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  subject    TEXT NOT NULL,
  body       TEXT NOT NULL,
  html       INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;

-- message_rules: AUTOINCREMENT so a deleted rule's id is never reused: its firings stay on record, and
-- a new rule under an old id would otherwise be taken as having fired already.
CREATE TABLE message_rules (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  trigger     TEXT NOT NULL CHECK (trigger IN ('order_imported', 'order_shipped', 'ship_by_passed', 'order_held_up', 'return_received', 'refund_issued')),
  enabled     INTEGER NOT NULL DEFAULT 1,
  channel     TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  sku         TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  min_total   INTEGER NOT NULL DEFAULT 0 CHECK (min_total >= 0),
  country     TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  action      TEXT NOT NULL CHECK (action IN ('message', 'notify', 'exception')),
  template_id INTEGER REFERENCES message_templates(id),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL,
  CHECK (action <> 'message' OR template_id IS NOT NULL)
) STRICT;

-- rule_firings: the UNIQUE key is the promise that a rule acts once per order and trigger, ever.
CREATE TABLE rule_firings (
  rule_id   INTEGER NOT NULL,
  order_id  INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  trigger   TEXT NOT NULL,
  event_at  TEXT NOT NULL,
  fired_at  TEXT NOT NULL,
  outcome   TEXT NOT NULL,
  hlc       INTEGER NOT NULL,
  device_id TEXT NOT NULL,
  UNIQUE (rule_id, order_id, trigger)
) STRICT;
CREATE INDEX rule_firings_order ON rule_firings(order_id);

-- outbox: every customer message, queued or sent; the sent log of an order is its rows here.
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY,
  order_id     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  rule_id      INTEGER NOT NULL DEFAULT 0,
  trigger      TEXT NOT NULL DEFAULT '',
  route        TEXT NOT NULL CHECK (route IN ('smtp', 'drafts', 'paste')),
  to_addr      TEXT NOT NULL DEFAULT '',
  to_name      TEXT NOT NULL DEFAULT '',
  subject      TEXT NOT NULL,
  text         TEXT NOT NULL DEFAULT '',
  html         TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'gave_up', 'paste', 'done')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_attempt TEXT NOT NULL,
  last_error   TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  sent_at      TEXT,
  sent_by      TEXT NOT NULL DEFAULT '',
  hlc          INTEGER NOT NULL,
  device_id    TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox(status, next_attempt);
CREATE INDEX outbox_order ON outbox(order_id, id);

-- smtp_account: the one outgoing mail account. No password column on purpose: it lives in the OS keychain.
CREATE TABLE smtp_account (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  host      TEXT NOT NULL,
  port      INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  security  TEXT NOT NULL CHECK (security IN ('tls', 'starttls', 'none')),
  user_name TEXT NOT NULL DEFAULT '',
  from_addr TEXT NOT NULL,
  from_name TEXT NOT NULL DEFAULT '',
  route     TEXT NOT NULL CHECK (route IN ('smtp', 'drafts')),
  hlc       INTEGER NOT NULL,
  device_id TEXT NOT NULL
) STRICT;

-- exceptions: problems someone should look at. subject names the problem ("order:12", "po:3",
-- "sku:MUG-1"); one open exception per problem. gone is set on an exception a person handled once its
-- problem has also gone away, so the problem coming back opens a new one, while a problem that is still
-- there after being handled does not nag again.
CREATE TABLE exceptions (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('late_order', 'unmatched_sku', 'mail_review', 'at_risk_sku', 'return_opened', 'po_overdue', 'rule')),
  subject    TEXT NOT NULL,
  order_id   INTEGER REFERENCES orders(id) ON DELETE SET NULL,
  ref        TEXT NOT NULL DEFAULT '',
  summary    TEXT NOT NULL,
  opened_at  TEXT NOT NULL,
  handled_at TEXT,
  handled_by TEXT NOT NULL DEFAULT '',
  how        TEXT NOT NULL DEFAULT '',
  gone       INTEGER NOT NULL DEFAULT 0,
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX exceptions_open ON exceptions(kind, subject) WHERE handled_at IS NULL;
CREATE INDEX exceptions_live ON exceptions(kind, subject, gone);

-- notifications: what "notify" rules want the owner told on the desktop; notified_at once shown.
CREATE TABLE notifications (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL DEFAULT '',
  at          TEXT NOT NULL,
  rule_id     INTEGER NOT NULL DEFAULT 0,
  order_id    INTEGER REFERENCES orders(id) ON DELETE SET NULL,
  notified_at TEXT,
  hlc         INTEGER NOT NULL,
  device_id   TEXT NOT NULL
) STRICT;
CREATE INDEX notifications_pending ON notifications(id) WHERE notified_at IS NULL;
