-- Retention: when a direct payment's account was anonymised, its retention period (the
-- council's policy, in years after the end) having passed. NULL while it is kept whole.
ALTER TABLE account ADD COLUMN anonymised_at_ms BIGINT;
CREATE INDEX account_ended ON account (council_id, ended_on);

-- Records are never removed, except those of an account anonymised at the end of its
-- retention period (its figures are kept in its summary and day figures).
CREATE FUNCTION tally_entry_removed_only_when_anonymised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM account WHERE account_id = OLD.account_id AND anonymised_at_ms IS NOT NULL) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'entry is never changed or removed (refused %)', TG_OP;
END
$$;
DROP TRIGGER entry_kept ON entry;
CREATE TRIGGER entry_kept BEFORE UPDATE ON entry
    FOR EACH ROW EXECUTE FUNCTION tally_refuse_change();
CREATE TRIGGER entry_not_removed BEFORE DELETE ON entry
    FOR EACH ROW EXECUTE FUNCTION tally_entry_removed_only_when_anonymised();
