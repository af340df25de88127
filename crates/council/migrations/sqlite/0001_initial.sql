-- Tally council schema, version 1. Never edit a released migration: add a new one.
-- Portable SQL: the same statements run on SQLite and Postgres. Times are Unix
-- milliseconds (BIGINT); money is whole pence (BIGINT); ids are UUID text.

-- policy is the council's CouncilPolicy (tally-ledger) as JSON.
CREATE TABLE council (
    council_id    TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    policy        TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE staff (
    staff_id      TEXT PRIMARY KEY,
    council_id    TEXT NOT NULL REFERENCES council (council_id),
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

-- One direct payment account. last_seq is the highest account_seq given to an entry of
-- this account; pushes update it first, which serialises writers per account so pull
-- cursors never skip an entry that commits late.
CREATE TABLE account (
    account_id    TEXT PRIMARY KEY,
    council_id    TEXT NOT NULL REFERENCES council (council_id),
    reference     TEXT NOT NULL UNIQUE,
    person_name   TEXT NOT NULL,
    last_seq      BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL
);

-- The person's support plan, all versions, as the ledger's SupportPlan JSON.
CREATE TABLE support_plan (
    account_id    TEXT PRIMARY KEY REFERENCES account (account_id),
    body          TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

-- One-time codes a council gives a person to pair a device. Only a hash is kept.
CREATE TABLE pairing_code (
    code_hash     TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES account (account_id),
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT
);

-- A paired phone or browser. Only a hash of its token is kept.
CREATE TABLE device (
    device_id     TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES account (account_id),
    token_hash    TEXT NOT NULL UNIQUE,
    label         TEXT NOT NULL,
    paired_at_ms  BIGINT NOT NULL,
    revoked_at_ms BIGINT
);

-- Append-only: rows are inserted, never updated or deleted. body is the entry's
-- canonical JSON; a second push of the same id must carry exactly the same body.
CREATE TABLE entry (
    entry_id       TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES account (account_id),
    account_seq    BIGINT NOT NULL,
    device_id      TEXT,
    body           TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    UNIQUE (account_id, account_seq)
);
