-- The raw tables take many mid-sized inserts (one per writer batch, a few thousand to
-- tens of thousands of rows). With the default merge_selector_base (5) every row is
-- rewritten by merges several times, and on a 2-core all-in-one those merges cost more
-- CPU than the inserts themselves. A base of 20 merges wider groups of parts less often:
-- measured on 400,000 spans in 8,000-row inserts, insert + merge CPU fell from ~44 to
-- ~31 ms per 1,000 spans, at the price of more active parts (18 instead of 3-7), which
-- queries read in parallel (docs/adr/0012-fewer-merges-for-raw-tables.md).
ALTER TABLE spans MODIFY SETTING merge_selector_base = 20;
ALTER TABLE logs MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_gauge MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_sum MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_histogram MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_exp_histogram MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_summary MODIFY SETTING merge_selector_base = 20;
