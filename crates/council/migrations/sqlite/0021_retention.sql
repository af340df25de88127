-- Retention: when a direct payment's account was anonymised, its retention period (the
-- council's policy, in years after the end) having passed. NULL while it is kept whole.
ALTER TABLE account ADD COLUMN anonymised_at_ms BIGINT;
CREATE INDEX account_ended ON account (council_id, ended_on);

-- Records are never removed, except those of an account anonymised at the end of its
-- retention period (its figures are kept in its summary and day figures).
DROP TRIGGER entry_not_removed;
CREATE TRIGGER entry_not_removed BEFORE DELETE ON entry
WHEN (SELECT anonymised_at_ms FROM account WHERE account_id = OLD.account_id) IS NULL
BEGIN SELECT RAISE(ABORT, 'records are never removed: a void is a new record'); END;
