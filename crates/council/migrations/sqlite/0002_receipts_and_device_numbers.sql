-- Receipt photos, sent by the wallets once each: named by the SHA-256 of their bytes,
-- kept per account (a photo is evidence for one person's spending). Inserted, never
-- updated: the name is the content.
CREATE TABLE receipt (
    account_id     TEXT NOT NULL REFERENCES account (account_id),
    sha256         TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    body           BLOB NOT NULL,
    device_id      TEXT,
    uploaded_at_ms BIGINT NOT NULL,
    PRIMARY KEY (account_id, sha256)
);

-- Each device numbers the records it makes for an account (1, 2, 3...): a gap means a
-- record from that device has not arrived. Records from before this, and the council's
-- own, have none.
ALTER TABLE entry ADD COLUMN device_seq BIGINT;
