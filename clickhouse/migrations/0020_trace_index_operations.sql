-- Trace by id reads exact primary-key ranges of spans (docs/adr/0025-trace-lookup-and-span-storage.md).
-- spans is sorted by (TenantId, ServiceName, Name, toDateTime(StartTime)); trace_index now keeps,
-- per trace, the (ServiceName, Name) pairs of its spans, so a lookup asks spans for those pairs
-- within the trace's seconds: a granule or two per pair and part, however many spans are stored,
-- instead of testing the trace id's bloom filter on every granule of the trace's days.
--
-- Rows written before this migration have no pairs: OperationsComplete reads 0 for them (the
-- default) and 1 for rows the view writes from now on; min() keeps 0 when a trace has rows of
-- both, so such traces are read the old way (time range and bloom filter) and none is lost.
-- The pairs are plain Strings: a SimpleAggregateFunction's storage type must be the type its
-- function returns (groupUniqArrayArray drops LowCardinality).
ALTER TABLE trace_index ADD COLUMN IF NOT EXISTS Operations SimpleAggregateFunction(groupUniqArrayArray, Array(Tuple(String, String))) CODEC(ZSTD(3));
ALTER TABLE trace_index ADD COLUMN IF NOT EXISTS OperationsComplete SimpleAggregateFunction(min, UInt8) DEFAULT 0 CODEC(ZSTD(1));
ALTER TABLE trace_index_mv MODIFY QUERY
SELECT TenantId, TraceId, min(StartTime) AS Start, max(StartTime + toIntervalNanosecond(DurationNs)) AS End,
       groupUniqArray((ServiceName, Name)) AS Operations, toUInt8(1) AS OperationsComplete
FROM spans
GROUP BY TenantId, TraceId;
