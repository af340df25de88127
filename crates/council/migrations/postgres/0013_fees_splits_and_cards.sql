-- Fees on statements: a line of a fee entry type is kind 'fee'; a fee charged with a line
-- (a fee column) is kept beside its amount (pence, positive) with the charge recorded for it.
ALTER TABLE statement_line ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE statement_line ADD COLUMN fee BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statement_line ADD COLUMN fee_entry_id TEXT;

-- A line several records make up together (cash withdrawn and spent in several logged
-- payments, one payment for several invoices): its line is in state 'split'.
CREATE TABLE statement_line_part (
    statement_id TEXT NOT NULL REFERENCES statement (statement_id),
    line_no      BIGINT NOT NULL,
    entry_id     TEXT NOT NULL,
    PRIMARY KEY (statement_id, line_no, entry_id)
);

-- Cards (or bank accounts) on a card programme's feed for many cardholders, each the
-- council's account it belongs to. `card` is compared as written without spaces or case.
CREATE TABLE account_card (
    council_id TEXT NOT NULL REFERENCES council (council_id),
    card       TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (account_id),
    written    TEXT NOT NULL,
    PRIMARY KEY (council_id, card)
);
CREATE INDEX account_card_account ON account_card (account_id);
