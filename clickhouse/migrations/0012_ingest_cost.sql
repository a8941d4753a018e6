-- Less CPU per inserted row on the raw tables (docs/adr/0012-ingest-cost-of-raw-tables.md).
--
-- Merges: the raw tables take many mid-sized inserts (one per writer batch, thousands to
-- tens of thousands of rows). With the default merge_selector_base (5) every row is
-- rewritten by merges several times, and on a 2-core all-in-one those merges cost more CPU
-- than the inserts. A base of 20 merges wider groups of parts less often: on 400,000 spans
-- in 8,000-row inserts, insert + merge CPU fell from ~44 to ~31 ms per 1,000 spans, at the
-- price of more active parts (18 instead of 3-7), which queries read in parallel.
ALTER TABLE spans MODIFY SETTING merge_selector_base = 20;
ALTER TABLE logs MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_gauge MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_sum MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_histogram MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_exp_histogram MODIFY SETTING merge_selector_base = 20;
ALTER TABLE metrics_summary MODIFY SETTING merge_selector_base = 20;
-- Skip indexes on attribute keys: with bloom filters on both keys and values of both maps,
-- building them was half of a span insert's CPU (9-13 vs 5.3 ms per 1,000 spans without
-- the key indexes), and merges rebuild them again. They prune little: common keys are in
-- every granule. Equality filters (Attributes['k'] = 'v') use the value indexes, which stay.
ALTER TABLE spans DROP INDEX IF EXISTS idx_attr_keys;
ALTER TABLE spans DROP INDEX IF EXISTS idx_res_attr_keys;
ALTER TABLE logs DROP INDEX IF EXISTS idx_attr_keys;
ALTER TABLE logs DROP INDEX IF EXISTS idx_res_attr_keys;
