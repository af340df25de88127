-- The council workspace: staff sign-in sessions, sign-in attempts (for rate limiting,
-- shared by every server on one database) and the audit trail of what staff did.

-- Only a hash of the session token (the cookie) is kept. csrf_token is sent back by the
-- workspace in a header with every change, and must match.
CREATE TABLE staff_session (
    token_hash    TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff (staff_id),
    csrf_token    TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

CREATE TABLE sign_in_attempt (
    email     TEXT NOT NULL,
    at_ms     BIGINT NOT NULL,
    succeeded BIGINT NOT NULL
);
CREATE INDEX sign_in_attempt_email ON sign_in_attempt (email, at_ms);

-- Append-only: who did what, to which account, when.
CREATE TABLE audit_event (
    event_id   TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES council (council_id),
    staff_id   TEXT REFERENCES staff (staff_id),
    account_id TEXT REFERENCES account (account_id),
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    at_ms      BIGINT NOT NULL
);
CREATE INDEX audit_event_account ON audit_event (account_id, at_ms);

-- What officers recorded about a safeguarding signal ("looked at, no concern", "raised
-- with the safeguarding team"). Never shown to the person. Append-only.
CREATE TABLE safeguarding_note (
    note_id    TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account (account_id),
    signal_key TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    note       TEXT NOT NULL,
    staff_id   TEXT NOT NULL REFERENCES staff (staff_id),
    at_ms      BIGINT NOT NULL
);
CREATE INDEX safeguarding_note_account ON safeguarding_note (account_id, signal_key, at_ms);

-- Imported bank and card statements. Lines are never changed but for what they are matched
-- with; a closed (reconciled) statement is locked.
CREATE TABLE statement (
    statement_id    TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES account (account_id),
    format          TEXT NOT NULL,
    first_date      TEXT NOT NULL,
    last_date       TEXT NOT NULL,
    closing_balance BIGINT,
    imported_by     TEXT NOT NULL REFERENCES staff (staff_id),
    imported_at_ms  BIGINT NOT NULL,
    closed_by       TEXT REFERENCES staff (staff_id),
    closed_at_ms    BIGINT
);
CREATE INDEX statement_account ON statement (account_id, first_date);

-- amount is signed whole pence (negative: money out). state: certain, proposed,
-- confirmed (by an officer) or none (unmatched).
CREATE TABLE statement_line (
    statement_id TEXT NOT NULL REFERENCES statement (statement_id),
    line_no      BIGINT NOT NULL,
    line_date    TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    description  TEXT NOT NULL,
    reference    TEXT NOT NULL,
    entry_id     TEXT,
    state        TEXT NOT NULL,
    confidence   BIGINT NOT NULL,
    PRIMARY KEY (statement_id, line_no)
);

-- Column mappings a council saved for its statement providers (the ledger-independent
-- Mapping of tally-council as JSON).
CREATE TABLE statement_format (
    council_id TEXT NOT NULL REFERENCES council (council_id),
    name       TEXT NOT NULL,
    mapping    TEXT NOT NULL,
    PRIMARY KEY (council_id, name)
);

-- Administrators remove a member of staff's access by setting this; the row stays, so
-- the audit trail still names who did what.
ALTER TABLE staff ADD COLUMN disabled_at_ms BIGINT;

-- Regular payments in, recorded by the server when due (every server may try; each
-- payment's id comes from the schedule and the date, so it is stored once).
CREATE TABLE payment_schedule (
    schedule_id   TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES account (account_id),
    amount        BIGINT NOT NULL,
    every_weeks   BIGINT NOT NULL,
    next_date     TEXT NOT NULL,
    reference     TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES staff (staff_id),
    created_at_ms BIGINT NOT NULL,
    stopped_at_ms BIGINT
);
CREATE INDEX payment_schedule_due ON payment_schedule (next_date);
