-- The accounts list in its order (what needs most looks first, then by reference) and with
-- what it filters on, in one index: a page reads 50 entries of it, and its count the index
-- alone, whatever the caseload. The reference and the words searched (name and reference,
-- in lower case) are kept beside the summary for this.
ALTER TABLE account_summary ADD COLUMN reference TEXT NOT NULL DEFAULT '';
ALTER TABLE account_summary ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE account_summary SET
    reference = (SELECT a.reference FROM account a WHERE a.account_id = account_summary.account_id),
    search = (SELECT LOWER(a.person_name) || ' ' || LOWER(a.reference) FROM account a WHERE a.account_id = account_summary.account_id);
DROP INDEX account_summary_list;
CREATE INDEX account_summary_list ON account_summary (council_id, exception_count DESC, reference, exception_kinds, search)
    WHERE unreadable IS NULL;
