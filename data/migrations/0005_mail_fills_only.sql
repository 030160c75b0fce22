-- Whether a message's order was applied only to fill gaps, because another source (a marketplace file,
-- a person) had already changed the order. Such mail never owns the order: re-reading it fills gaps
-- again and never overwrites what the other source said.
ALTER TABLE mail_messages ADD COLUMN fills_only INTEGER NOT NULL DEFAULT 0;
