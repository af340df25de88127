-- The life of a direct payment, as the council keeps it beside the records: the person's
-- weekly contribution as assessed (whole pence, 0 when none), when and why the direct
-- payment ended (the account is then read-only, kept), and the reviews done.
ALTER TABLE account ADD COLUMN contribution_pence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN ended_on TEXT;
ALTER TABLE account ADD COLUMN ended_reason TEXT;
ALTER TABLE account ADD COLUMN ended_at_ms BIGINT;

CREATE TABLE dp_review (
    review_id  TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account (account_id),
    done_on    TEXT NOT NULL,
    note       TEXT NOT NULL,
    staff_id   TEXT NOT NULL REFERENCES staff (staff_id),
    at_ms      BIGINT NOT NULL
);
CREATE INDEX dp_review_account ON dp_review (account_id, done_on);

-- Three more kinds of exception for the accounts list ('review_due',
-- 'contribution_not_paid', 'ended'). No summary has them yet: every summary is marked to
-- be worked out again, and the counts follow as they are.
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'review_due', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,review_due,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'contribution_not_paid', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,contribution_not_paid,%' GROUP BY council_id;
INSERT INTO council_list_count (council_id, kind, accounts)
    SELECT council_id, 'ended', COUNT(*) FROM account_summary
    WHERE unreadable IS NULL AND exception_kinds LIKE '%,ended,%' GROUP BY council_id;
UPDATE account_summary SET stale = stale + 1;
