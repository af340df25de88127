-- What a council-wide page asks of the summaries, read through indexes so that asking costs
-- the same at 5,000 accounts as at 50.

-- Summaries out of date: marked (`stale` counts the marks) or worked out on an earlier day.
CREATE INDEX account_summary_marked ON account_summary (council_id, stale);
CREATE INDEX account_summary_day ON account_summary (council_id, computed_on);
-- A council's accounts (to see whether each has a summary).
CREATE INDEX account_council ON account (council_id);
-- The few accounts with something for a page to list.
CREATE INDEX account_summary_unreadable ON account_summary (council_id) WHERE unreadable IS NOT NULL;
CREATE INDEX account_summary_signals ON account_summary (council_id) WHERE signal_count > 0;
CREATE INDEX account_summary_answers ON account_summary (council_id) WHERE answer_count > 0;

-- The review queue in its order, holding what it filters on (but the words searched), so a
-- page and its count read the index, not the spends' views.
DROP INDEX review_item_queue;
CREATE INDEX review_item_queue ON review_item (council_id, spent_on, reference, entry_id, amount_pence, rules);
