-- Usage per tenant, hour, signal and kind, fed by the processes (batched, summed on merge):
-- Signal traces|metrics|logs with Kind accepted (items stored, bytes of the decoded request)
-- or refused (requests refused before they were read: over quota or throttled; items the
-- answer's partial success names as rejected); Signal queries with Kind run (Requests:
-- queries, Items: rows they returned). Kept 400 days.
CREATE TABLE IF NOT EXISTS usage_hourly
(
    TenantId  LowCardinality(String) CODEC(ZSTD(1)),
    Hour      DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    Signal    LowCardinality(String) CODEC(ZSTD(1)),
    Kind      LowCardinality(String) CODEC(ZSTD(1)),
    Requests  UInt64 CODEC(T64, ZSTD(1)),
    Items     UInt64 CODEC(T64, ZSTD(1)),
    Bytes     UInt64 CODEC(T64, ZSTD(1))
)
ENGINE = SummingMergeTree((Requests, Items, Bytes))
PARTITION BY toYYYYMM(Hour)
ORDER BY (TenantId, Hour, Signal, Kind)
TTL Hour + INTERVAL 400 DAY
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000;
