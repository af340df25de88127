-- Marks only ever grow: `stale` counts every mark an account's summary was given, and
-- `marks_done` how many of them the kept summary saw. It is out of date while
-- stale > marks_done. Keeping a summary writes only `marks_done`, in place, so a mark
-- made meanwhile (on another server) is never taken away, and a summary that saw fewer
-- marks never replaces one that saw more. Summaries kept until now saw none of their
-- marks (`stale` counted the ones not yet seen): the same meaning.
ALTER TABLE account_summary ADD COLUMN marks_done BIGINT NOT NULL DEFAULT 0;
DROP INDEX account_summary_marked;
CREATE INDEX account_summary_behind ON account_summary (council_id, account_id) WHERE stale > marks_done;
