-- A phone paired again (its token revoked, or the app reinstalled with its data) becomes
-- a new device that carries on from the one it replaces: it proved it held the earlier
-- device's token when it paired. Records made under the earlier pairing may then be sent
-- with the new token, and by no other device.
ALTER TABLE device ADD COLUMN replaces TEXT REFERENCES device (device_id);

-- What a statement showed when its period was closed (the reconciliation and its lines),
-- as JSON: a closed period keeps the figures it was closed with, whatever arrives later.
ALTER TABLE statement ADD COLUMN closed_view TEXT;
-- When an officer last marked the records that arrived after closing as seen.
ALTER TABLE statement ADD COLUMN late_seen_at_ms BIGINT;

-- Records that arrive dated inside a closed period are found by when they arrived.
CREATE INDEX entry_received ON entry (account_id, received_at_ms);
