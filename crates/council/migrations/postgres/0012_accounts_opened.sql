-- How many accounts each council has opened, kept as accounts are opened: the figures'
-- people, and whether some account has no summary yet, without counting the accounts.
ALTER TABLE council_total ADD COLUMN opened BIGINT NOT NULL DEFAULT 0;
INSERT INTO council_total (council_id, accounts, surplus_pence)
    SELECT c.council_id, 0, 0 FROM council c
    WHERE NOT EXISTS (SELECT 1 FROM council_total t WHERE t.council_id = c.council_id);
UPDATE council_total SET opened = (SELECT COUNT(*) FROM account a WHERE a.council_id = council_total.council_id);
