-- One row per (tenant, trace) and insert block, merged to the trace's time bounds, so
-- fetching a trace reads this small table first and then only the spans partitions
-- and granules of that time range.
CREATE TABLE IF NOT EXISTS trace_index
(
    TenantId  LowCardinality(String) CODEC(ZSTD(1)),
    TraceId   FixedString(16) CODEC(ZSTD(1)),
    Start     SimpleAggregateFunction(min, DateTime64(9)) CODEC(ZSTD(1)),
    End       SimpleAggregateFunction(max, DateTime64(9)) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Start)
ORDER BY (TenantId, TraceId)
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS trace_index_mv TO trace_index AS
SELECT TenantId, TraceId, min(StartTime) AS Start, max(EndTime) AS End
FROM spans
GROUP BY TenantId, TraceId;
