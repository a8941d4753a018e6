-- Trace by id without a time range (docs/adr/0023-trace-lookup-by-projection.md).
--
-- spans are sorted for searches (tenant, service, span name, time), so one trace's rows lie
-- in a handful of granules anywhere in the table. Until now trace_index gave the trace's
-- time range and a bloom filter on TraceId picked the granules within it; the filter is
-- read for every granule of that range, ~15 KB each, so a lookup cost grew with the spans
-- of a day. A projection that keeps only each row's position (_part_offset) sorted by
-- (tenant, trace id) finds the rows of a trace by binary search in every part, whatever
-- the part holds; ClickHouse applies it to the reads of the base table
-- (optimize_use_projection_filtering). It replaces the bloom filter.
--
-- logs keep theirs: they are sorted by (tenant, service, time), so the trace's time range
-- leaves a few granules per service to test, and the projection would cost ~5 bytes per
-- record, most of which have no trace id.
--
-- Parts written before this migration get the projection through MATERIALIZE PROJECTION,
-- a background mutation: until a part has it, a lookup reads that part whole (rows stay
-- right, only slower), which trace_index's time range keeps to the trace's own day.
ALTER TABLE spans ADD PROJECTION IF NOT EXISTS spans_by_trace (SELECT _part_offset ORDER BY TenantId, TraceId);
ALTER TABLE spans MATERIALIZE PROJECTION spans_by_trace;
ALTER TABLE spans DROP INDEX IF EXISTS idx_trace_id;
