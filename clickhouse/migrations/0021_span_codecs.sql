-- Fewer bytes per span (docs/adr/0025-trace-lookup-and-span-storage.md, "Measured (migration 0021)").
-- Codecs only: no type changes, so writers, readers and RowBinary column order are untouched.
-- Measured per column on bench:query's spans (system.columns after OPTIMIZE FINAL, bytes per span):
--
-- Attributes and ResourceAttributes ZSTD(3) → ZSTD(6): 0.82 → 0.54 and 0.24 → 0.02 (level 6
-- searches a larger window, which the repeated keys and values fill; levels 4, 5, 7, 8 and 9
-- measured no better); compressing the maps costs ~1.4× level 3's CPU on insert and merges,
-- decompressing them the same.
-- trace_index Start and End ZSTD(1) → T64, ZSTD(3): 1.31 → 1.03 and 1.38 → 1.13 (rows are in
-- trace id order, so the times are random within the partition: T64 drops the bits they share).
--
-- Codec changes apply to parts written from now on and to older parts as merges rewrite them.
-- Only the codec is named, so each column keeps its type.
ALTER TABLE spans MODIFY COLUMN Attributes CODEC(ZSTD(6));
ALTER TABLE spans MODIFY COLUMN ResourceAttributes CODEC(ZSTD(6));
ALTER TABLE trace_index MODIFY COLUMN Start CODEC(T64, ZSTD(3));
ALTER TABLE trace_index MODIFY COLUMN End CODEC(T64, ZSTD(3));
