-- A card feed's reversal and the payment it cancels are kept as a pair: each line names
-- the other, is in state 'reversed', and needs no record.
ALTER TABLE statement_line ADD COLUMN paired_with BIGINT;
