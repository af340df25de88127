-- What the council-wide pages read, kept per account so their cost does not grow with the
-- caseload: worked out from the account's records (and its plan, the council's policy,
-- statements and safeguarding notes) whenever something changed, and on a new day.
--
-- A summary is out of date when the account has records past `seq`, when it was worked
-- out for an earlier day than today, or when `stale` was set by a change that is not a
-- record (a plan, the policy, a statement, a safeguarding note). Rebuilding every summary
-- from the records gives what is kept (a test checks it).
CREATE TABLE account_summary (
    account_id      TEXT PRIMARY KEY REFERENCES account (account_id),
    council_id      TEXT NOT NULL REFERENCES council (council_id),
    seq             BIGINT NOT NULL,
    computed_on     TEXT NOT NULL,
    stale           INTEGER NOT NULL DEFAULT 0,
    balance_pence   BIGINT NOT NULL,
    surplus_pence   BIGINT NOT NULL,
    open_flags      BIGINT NOT NULL,
    last_synced_ms  BIGINT,
    -- The account's exceptions as the accounts list says them (JSON list of strings), how
    -- many, and their kinds (",flags,queries,...,") for filtering.
    exceptions      TEXT NOT NULL,
    exception_count BIGINT NOT NULL,
    exception_kinds TEXT NOT NULL,
    -- Safeguarding signals with their notes, and answers to statement questions waiting
    -- for an officer (JSON lists of the workspace's wire types).
    signals         TEXT NOT NULL,
    signal_count    BIGINT NOT NULL,
    answers         TEXT NOT NULL,
    answer_count    BIGINT NOT NULL,
    -- Why the account's records could not be read, when they could not.
    unreadable      TEXT
);
CREATE INDEX account_summary_list ON account_summary (council_id, exception_count, account_id);

-- Flagged spending with no final decision: the review queue, one row per spend.
CREATE TABLE review_item (
    account_id   TEXT NOT NULL REFERENCES account (account_id),
    entry_id     TEXT NOT NULL,
    council_id   TEXT NOT NULL,
    spent_on     TEXT NOT NULL,
    amount_pence BIGINT NOT NULL,
    reference    TEXT NOT NULL,
    -- The flags' rules, ",receipt_missing,over_budget,".
    rules        TEXT NOT NULL,
    -- The spend as the queue shows it (the workspace's SpendView, JSON).
    view         TEXT NOT NULL,
    PRIMARY KEY (account_id, entry_id)
);
CREATE INDEX review_item_queue ON review_item (council_id, spent_on, reference, entry_id);

-- An account's money and reviews day by day, for the council's figures over any period.
-- review_days: how long each review of spending closed that day took (JSON list of days).
CREATE TABLE account_day (
    account_id    TEXT NOT NULL REFERENCES account (account_id),
    day           TEXT NOT NULL,
    council_id    TEXT NOT NULL,
    paid_in       BIGINT NOT NULL,
    contributions BIGINT NOT NULL,
    spent         BIGINT NOT NULL,
    within_plan   BIGINT NOT NULL,
    flags_raised  BIGINT NOT NULL,
    recovered     BIGINT NOT NULL,
    review_days   TEXT NOT NULL,
    PRIMARY KEY (account_id, day)
);
CREATE INDEX account_day_council ON account_day (council_id, day);

-- The council's days: the sum of its accounts' days, kept as each account's days change
-- (what changed is added, what went is taken away), so the figures for any period read a
-- row a day whatever the caseload.
CREATE TABLE council_day (
    council_id    TEXT NOT NULL,
    day           TEXT NOT NULL,
    paid_in       BIGINT NOT NULL,
    contributions BIGINT NOT NULL,
    spent         BIGINT NOT NULL,
    within_plan   BIGINT NOT NULL,
    flags_raised  BIGINT NOT NULL,
    recovered     BIGINT NOT NULL,
    PRIMARY KEY (council_id, day)
);

-- How many reviews of spending closed on a day took so many days, across the council.
CREATE TABLE council_review_day (
    council_id TEXT NOT NULL,
    day        TEXT NOT NULL,
    took_days  BIGINT NOT NULL,
    reviews    BIGINT NOT NULL,
    PRIMARY KEY (council_id, day, took_days)
);
