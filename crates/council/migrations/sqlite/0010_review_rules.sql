-- The review queue filtered by a flag rule: one row per flagged spend waiting for a
-- decision and each of its rules, in the queue's order, so a page reads the spends with
-- that rule and no others (when few have it, the queue's own index would be read from
-- end to end to find them). Kept with `review_item`.
CREATE TABLE review_rule (
    council_id TEXT NOT NULL,
    rule       TEXT NOT NULL,
    spent_on   TEXT NOT NULL,
    reference  TEXT NOT NULL,
    entry_id   TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES account (account_id),
    PRIMARY KEY (council_id, rule, spent_on, reference, entry_id)
);
CREATE INDEX review_rule_account ON review_rule (account_id);
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'no_plan_line', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,no_plan_line,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'line_not_in_plan', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,line_not_in_plan,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'over_budget', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,over_budget,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'payee_not_approved', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,payee_not_approved,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'receipt_missing', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,receipt_missing,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'possible_duplicate', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,possible_duplicate,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'balance_below_zero', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,balance_below_zero,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'future_date', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,future_date,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'outside_plan_dates', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,outside_plan_dates,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'close_relative_in_household', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,close_relative_in_household,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'banned_category', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,banned_category,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'cash_not_allowed', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,cash_not_allowed,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'respite_cap', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,respite_cap,%';
INSERT INTO review_rule (council_id, rule, spent_on, reference, entry_id, account_id)
    SELECT council_id, 'over_entry_maximum', spent_on, reference, entry_id, account_id FROM review_item WHERE rules LIKE '%,over_entry_maximum,%';

-- The queue filtered by amount, when few spends are in the range: read by amount.
CREATE INDEX review_item_amount ON review_item (council_id, amount_pence, spent_on, reference, entry_id);
