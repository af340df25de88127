-- API clients: a council's finance system reaching the API with a client id and secret
-- (HTTP Basic), scoped. Each client acts through a staff row of its own (its email is
-- "api-client:<client_id>", which no person's email can be, and it has no password), so
-- every change and audit line names it like any member of staff. Only a hash of the
-- secret is kept. scopes is ",read,exports,money_in," (those it has).
CREATE TABLE api_client (
    client_id     TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL UNIQUE REFERENCES staff (staff_id),
    council_id    TEXT NOT NULL REFERENCES council (council_id),
    secret_hash   TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES staff (staff_id),
    created_at_ms BIGINT NOT NULL,
    last_used_ms  BIGINT,
    revoked_at_ms BIGINT
);
CREATE INDEX api_client_council ON api_client (council_id);
