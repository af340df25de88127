-- Several councils on one server: a staff email and an account reference are unique
-- within their council, not across the server, so one council never learns from a
-- refusal what another council holds. SQLite cannot drop a column's UNIQUE, so the two
-- tables are rebuilt under the same names. The migration runs in one transaction with
-- foreign keys on; deferring their check to the commit lets the rows leave and come back.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE staff_copy AS SELECT * FROM staff;
DROP TABLE staff;
CREATE TABLE staff (
    staff_id       TEXT PRIMARY KEY,
    council_id     TEXT NOT NULL REFERENCES council (council_id),
    email          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at_ms  BIGINT NOT NULL,
    disabled_at_ms BIGINT,
    totp_secret    TEXT,
    totp_pending   TEXT,
    totp_last_step BIGINT,
    UNIQUE (council_id, email)
);
INSERT INTO staff (staff_id, council_id, email, display_name, role, password_hash, created_at_ms,
                   disabled_at_ms, totp_secret, totp_pending, totp_last_step)
SELECT staff_id, council_id, email, display_name, role, password_hash, created_at_ms,
       disabled_at_ms, totp_secret, totp_pending, totp_last_step FROM staff_copy;
DROP TABLE staff_copy;
CREATE INDEX staff_email ON staff (email);

CREATE TABLE account_copy AS SELECT * FROM account;
DROP TABLE account;
CREATE TABLE account (
    account_id    TEXT PRIMARY KEY,
    council_id    TEXT NOT NULL REFERENCES council (council_id),
    reference     TEXT NOT NULL,
    person_name   TEXT NOT NULL,
    last_seq      BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (council_id, reference)
);
INSERT INTO account (account_id, council_id, reference, person_name, last_seq, created_at_ms)
SELECT account_id, council_id, reference, person_name, last_seq, created_at_ms FROM account_copy;
DROP TABLE account_copy;
CREATE INDEX account_council ON account (council_id);
