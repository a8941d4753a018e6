-- Alert history: every evaluation, state transition and notification attempt of the
-- alerting role, per tenant. Kept 90 days (alert state itself lives in Postgres).
CREATE TABLE IF NOT EXISTS alert_history
(
    TenantId  LowCardinality(String) CODEC(ZSTD(1)),
    Time      DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    RuleId    UUID CODEC(ZSTD(1)),
    RuleName  String CODEC(ZSTD(1)),
    GroupKey  String CODEC(ZSTD(1)),
    Labels    Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Event     LowCardinality(String) CODEC(ZSTD(1)),
    FromState LowCardinality(String) CODEC(ZSTD(1)),
    ToState   LowCardinality(String) CODEC(ZSTD(1)),
    Value     Nullable(Float64) CODEC(ZSTD(1)),
    ChannelId String CODEC(ZSTD(1)),
    Outcome   LowCardinality(String) CODEC(ZSTD(1)),
    Message   String CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(Time)
ORDER BY (TenantId, RuleId, Time)
TTL toDateTime(Time) + INTERVAL 90 DAY
SETTINGS index_granularity = 8192;
