-- 0018: support tickets. A customer's mail that replies to one of our messages or names one of our
-- orders becomes a ticket on that order: its thread of messages in and out, notes, who handles it and
-- why the customer wrote. The outbox learns threading headers so a reply lands in the customer's thread,
-- and the exceptions learn the kind "ticket_unanswered".

CREATE TABLE tickets (
  id               INTEGER PRIMARY KEY,
  order_id         INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  status           TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'closed')),
  reason           TEXT NOT NULL CHECK (reason IN ('where_is_order', 'damaged', 'wrong_item', 'return_request', 'question', 'other')),
  handler          TEXT NOT NULL DEFAULT '',
  customer         TEXT NOT NULL DEFAULT '',
  subject          TEXT NOT NULL DEFAULT '',
  opened_at        TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  last_customer_at TEXT,
  last_reply_at    TEXT,
  hlc              INTEGER NOT NULL,
  device_id        TEXT NOT NULL
) STRICT;
CREATE INDEX tickets_order ON tickets(order_id);
CREATE INDEX tickets_status ON tickets(status, updated_at);
CREATE INDEX tickets_opened ON tickets(opened_at);

-- ticket_messages: the thread. message_id is the mail's Message-ID (ours for a reply), so a later mail
-- whose In-Reply-To or References names it joins the same ticket.
CREATE TABLE ticket_messages (
  id         INTEGER PRIMARY KEY,
  ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  direction  TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  mail_id    INTEGER REFERENCES mail_messages(id) ON DELETE SET NULL,
  outbox_id  INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
  message_id TEXT NOT NULL DEFAULT '',
  at         TEXT NOT NULL,
  sender     TEXT NOT NULL DEFAULT '',
  subject    TEXT NOT NULL DEFAULT '',
  text       TEXT NOT NULL DEFAULT '',
  hlc        INTEGER NOT NULL,
  device_id  TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, at, id);
CREATE UNIQUE INDEX ticket_messages_mail ON ticket_messages(mail_id) WHERE mail_id IS NOT NULL;
CREATE INDEX ticket_messages_message_id ON ticket_messages(message_id) WHERE message_id <> '';

CREATE TABLE ticket_notes (
  id        INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  at        TEXT NOT NULL,
  author    TEXT NOT NULL,
  text      TEXT NOT NULL,
  hlc       INTEGER NOT NULL,
  device_id TEXT NOT NULL
) STRICT;
CREATE INDEX ticket_notes_ticket ON ticket_notes(ticket_id, id);

-- A reply to a ticket carries the customer's thread: In-Reply-To and References name their last mail.
ALTER TABLE outbox ADD COLUMN in_reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN refs TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN ticket_id INTEGER REFERENCES tickets(id) ON DELETE SET NULL;

-- exceptions gains the kind ticket_unanswered. A CHECK cannot be altered, so the table is rebuilt with
-- its rows; nothing references it.
CREATE TABLE exceptions_new (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('late_order', 'unmatched_sku', 'mail_review', 'at_risk_sku', 'return_opened', 'po_overdue', 'rule',
    'ticket_unanswered')),
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
INSERT INTO exceptions_new(id, kind, subject, order_id, ref, summary, opened_at, handled_at, handled_by, how, gone, hlc, device_id)
  SELECT id, kind, subject, order_id, ref, summary, opened_at, handled_at, handled_by, how, gone, hlc, device_id FROM exceptions;
DROP TABLE exceptions;
ALTER TABLE exceptions_new RENAME TO exceptions;
CREATE UNIQUE INDEX exceptions_open ON exceptions(kind, subject) WHERE handled_at IS NULL;
CREATE INDEX exceptions_live ON exceptions(kind, subject, gone);
