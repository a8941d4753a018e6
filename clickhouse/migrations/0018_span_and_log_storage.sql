-- Fewer bytes per span and log record (docs/adr/0025-trace-lookup-and-span-storage.md).
-- Measured per column on bench:query's data (system.parts_columns, bytes per row):
--
-- EndTime is StartTime + DurationNs for every span (writers refuse an end before the start
-- and write DurationNs = end - start), so it is computed on read instead of stored: 3.9
-- bytes per span. Inserts still name EndTimeNs (an EPHEMERAL column, ADR 0002); parts
-- written before lose their EndTime file (dropping a column only deletes its files).
-- trace_index's view reads the end from the stored columns first (ClickHouse refuses to
-- drop a column a view reads); then one ALTER (one metadata change, so inserts never see
-- spans without EndTime) replaces the column; a rerun replaces the alias with itself.
ALTER TABLE trace_index_mv MODIFY QUERY
SELECT TenantId, TraceId, min(StartTime) AS Start, max(StartTime + toIntervalNanosecond(DurationNs)) AS End
FROM spans
GROUP BY TenantId, TraceId;
ALTER TABLE spans DROP COLUMN IF EXISTS EndTime, ADD COLUMN EndTime DateTime64(9) ALIAS StartTime + toIntervalNanosecond(DurationNs) AFTER EndTimeNs;

-- Attribute maps and log bodies: ZSTD level 3 instead of 1. Span Attributes 2.38 → 0.81,
-- ResourceAttributes 1.18 → 0.24, log Body 2.20 → 1.58, log Attributes 1.39 → 0.75 bytes
-- per row; decompression costs the same, compression more CPU on these columns only.
-- Parts written before are recompressed when merges rewrite them.
ALTER TABLE spans MODIFY COLUMN Attributes Map(LowCardinality(String), String) CODEC(ZSTD(3));
ALTER TABLE spans MODIFY COLUMN ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(3));
ALTER TABLE logs MODIFY COLUMN Body String CODEC(ZSTD(3));
ALTER TABLE logs MODIFY COLUMN Attributes Map(LowCardinality(String), String) CODEC(ZSTD(3));
ALTER TABLE logs MODIFY COLUMN ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(3));
