-- How many readable accounts the accounts list has, in all ('') and with each kind of
-- exception: kept as summaries are kept (in the same transaction), so the list says
-- "5,002 accounts" without counting them on every request.
CREATE TABLE council_list_count (
    council_id TEXT NOT NULL REFERENCES council (council_id),
    kind       TEXT NOT NULL,
    accounts   INTEGER NOT NULL,
    PRIMARY KEY (council_id, kind)
);
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, '', COUNT(*) FROM account_summary WHERE unreadable IS NULL GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'flags', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,flags,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'answers', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,answers,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'open_queries', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,open_queries,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'statements', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,statements,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'late_records', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,late_records,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'surplus_above_contingency', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,surplus_above_contingency,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'plan_ending_soon', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,plan_ending_soon,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'no_recent_spending', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,no_recent_spending,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'quiet', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,quiet,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'no_device', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,no_device,%' GROUP BY council_id;

-- The council's people (accounts with a summary) and the surplus they hold, kept the
-- same way, for the figures.
CREATE TABLE council_total (
    council_id    TEXT PRIMARY KEY REFERENCES council (council_id),
    accounts      INTEGER NOT NULL,
    surplus_pence INTEGER NOT NULL
);
INSERT INTO council_total (council_id, accounts, surplus_pence)
    SELECT council_id, COUNT(*), COALESCE(SUM(CASE WHEN unreadable IS NULL THEN surplus_pence ELSE 0 END), 0)
    FROM account_summary GROUP BY council_id;

-- The words of each account's name and reference (lower case), for finding accounts by
-- the start of any word: a search reads the words it asks for, not every account. Kept
-- with the summary: the summaries kept before this table are marked (below), and get
-- their words as the server works them out again.
CREATE TABLE account_word (
    council_id TEXT NOT NULL,
    word       TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (account_id),
    PRIMARY KEY (council_id, word, account_id)
);
CREATE INDEX account_word_account ON account_word (account_id, word);
UPDATE account_summary SET search = '', stale = stale + 1;
