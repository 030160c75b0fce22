-- 0019: wrong-PIN counts per sign-in name, so the shared desk cannot be used to guess a 4-digit PIN, and
-- quitting the app does not wipe the count.

-- login_guard: name is what was typed at sign-in, trimmed (NOCASE, as users.name), whether or not a user
-- has it: unknown names are throttled the same way, so the answer does not reveal who has an account.
-- failures counts wrong PINs since the last right one; locked_until (UTC, formatTime) is when the next
-- attempt is heard again, NULL while fewer than five went wrong. A right PIN deletes the row. It is this
-- device's defence, not shop data, so it carries no sync stamps.
CREATE TABLE login_guard (
  name         TEXT PRIMARY KEY COLLATE NOCASE,
  failures     INTEGER NOT NULL CHECK (failures >= 0),
  last_failure TEXT NOT NULL,
  locked_until TEXT
) STRICT;
