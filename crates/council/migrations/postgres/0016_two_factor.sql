-- Two-factor sign-in with an authenticator app (TOTP). The secrets are sealed under the
-- server key (never readable from the database alone). totp_pending: a secret being set
-- up, until the person proves their app has it. totp_last_step: the last 30-second step a
-- code was accepted for (a code works once).
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_pending TEXT;
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;

-- Recovery codes, for a lost phone: only a hash of each; each works once.
CREATE TABLE staff_recovery_code (
    code_hash  TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (staff_id),
    used_at_ms BIGINT
);
CREATE INDEX staff_recovery_code_staff ON staff_recovery_code (staff_id);

-- Who at a council must sign in with two factors: 'administrators' (the least a council
-- can choose), 'everyone', or 'none' (the demo council only).
ALTER TABLE council ADD COLUMN two_factor TEXT NOT NULL DEFAULT 'administrators';
