-- One-time links for staff: to set a first password (a council's first administrator,
-- someone given access, someone given access again) or a new one (a reset an
-- administrator issued). Only a hash of the link's secret is kept. A link works once,
-- until expires_at_ms; issuing a new one for the same person cancels the older ones.
-- purpose: 'welcome' (first password, or access given again) or 'reset'.
CREATE TABLE staff_link (
    token_hash    TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff (staff_id),
    purpose       TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT
);
CREATE INDEX staff_link_staff ON staff_link (staff_id);
