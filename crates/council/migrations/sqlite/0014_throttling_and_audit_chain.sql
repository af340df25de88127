-- Signing in slows down after wrong passwords per account and per client address, so
-- the address is kept. succeeded: 0 a wrong password, 1 signed in, 2 the account's
-- failures cleared by an administrator.
ALTER TABLE sign_in_attempt ADD COLUMN address TEXT;
CREATE INDEX sign_in_attempt_address ON sign_in_attempt (address, at_ms);
CREATE INDEX sign_in_attempt_at ON sign_in_attempt (at_ms);

-- The audit trail, hash-chained: each line's hash covers its fields and the line before's
-- hash (the first follows 64 zeros), so a line changed, removed or put in afterwards
-- breaks the chain (`tally-council verify-audit`). Lines are written in the transaction of
-- the change they record. council_id is NULL for the server's own events (pairing attempts
-- refused, sign-ins with unknown addresses). actor: staff, device, person, server or command line.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    council_id TEXT REFERENCES council (council_id),
    staff_id   TEXT REFERENCES staff (staff_id),
    account_id TEXT REFERENCES account (account_id),
    actor      TEXT NOT NULL,
    address    TEXT,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
-- The lines written before the chain existed are copied in order and chained by the server
-- when it next starts (their hash is empty until then).
INSERT INTO audit_log (seq, event_id, council_id, staff_id, account_id, actor, address, action, detail, at_ms, prev_hash, hash)
SELECT ROW_NUMBER() OVER (ORDER BY at_ms, event_id), event_id, council_id, staff_id, account_id,
       CASE WHEN staff_id IS NULL THEN 'server' ELSE 'staff' END, NULL, action, detail, at_ms, '', ''
FROM audit_event;
DROP TABLE audit_event;
CREATE INDEX audit_log_account ON audit_log (account_id, seq);
CREATE INDEX audit_log_council ON audit_log (council_id, seq);

-- The kinds of line each council's trail holds (for the audit log's filter, without
-- reading the trail). council_id is '' for the server's own.
CREATE TABLE audit_action (
    council_id TEXT NOT NULL,
    action     TEXT NOT NULL,
    PRIMARY KEY (council_id, action)
);
INSERT INTO audit_action (council_id, action)
SELECT DISTINCT COALESCE(council_id, ''), action FROM audit_log;

-- The chain's last line: taken (row-locked) by each writer, so lines are chained one at a
-- time even with several servers on one database.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) SELECT 1, COUNT(*), '' FROM audit_log;

-- The audit trail and the records are never changed or removed, whoever asks.
CREATE TRIGGER audit_log_kept BEFORE UPDATE ON audit_log WHEN OLD.hash <> ''
BEGIN SELECT RAISE(ABORT, 'the audit trail is never changed'); END;
CREATE TRIGGER audit_log_not_removed BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is never removed'); END;
CREATE TRIGGER entry_kept BEFORE UPDATE ON entry
BEGIN SELECT RAISE(ABORT, 'records are never changed: a correction is a new record'); END;
CREATE TRIGGER entry_not_removed BEFORE DELETE ON entry
BEGIN SELECT RAISE(ABORT, 'records are never removed: a void is a new record'); END;
