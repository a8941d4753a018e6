-- Metric series: one row per series identity. Fingerprint = xxHash64 of metric name,
-- resource attributes, scope and point attributes (computed by the writer), so point
-- tables carry only the fingerprint and queries never scan attribute maps of points.
-- The descriptive columns are functions of the fingerprint, hence outside the sort key.
CREATE TABLE IF NOT EXISTS metric_series
(
    TenantId               LowCardinality(String) CODEC(ZSTD(1)),
    MetricName             LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint            UInt64 CODEC(ZSTD(1)),
    MetricType             LowCardinality(String) CODEC(ZSTD(1)),
    Unit                   LowCardinality(String) CODEC(ZSTD(1)),
    Description            String CODEC(ZSTD(1)),
    Temporality            UInt8 CODEC(ZSTD(1)),
    IsMonotonic            Bool CODEC(ZSTD(1)),
    ServiceName            LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes     Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ResourceAttributeTypes Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    ScopeName              LowCardinality(String) CODEC(ZSTD(1)),
    ScopeVersion           LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes        Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeAttributeTypes    Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    ResourceSchemaUrl      LowCardinality(String) CODEC(ZSTD(1)),
    ResourceDroppedAttributesCount UInt32 CODEC(ZSTD(1)),
    ScopeSchemaUrl         LowCardinality(String) CODEC(ZSTD(1)),
    ScopeDroppedAttributesCount UInt32 CODEC(ZSTD(1)),
    Attributes             Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    AttributeTypes         Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    MetadataAttributes     Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    MetadataAttributeTypes Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    FirstSeenNs UInt64 EPHEMERAL,
    FirstSeen              SimpleAggregateFunction(min, DateTime64(9)) DEFAULT fromUnixTimestamp64Nano(toInt64(FirstSeenNs)) CODEC(ZSTD(1)),
    LastSeenNs UInt64 EPHEMERAL,
    LastSeen               SimpleAggregateFunction(max, DateTime64(9)) DEFAULT fromUnixTimestamp64Nano(toInt64(LastSeenNs)) CODEC(ZSTD(1)),
    INDEX idx_attr_keys mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_values mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = AggregatingMergeTree
ORDER BY (TenantId, MetricName, Fingerprint)
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000,
    allow_dimensions_outside_sorting_key = 1;

-- Gauge points.
CREATE TABLE IF NOT EXISTS metrics_gauge
(
    TenantId           LowCardinality(String) CODEC(ZSTD(1)),
    MetricName         LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint        UInt64 CODEC(ZSTD(1)),
    StartTimeNs UInt64 EPHEMERAL,
    StartTime          DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(StartTimeNs)) CODEC(Delta(8), ZSTD(1)),
    TimeNs UInt64 EPHEMERAL,
    Time               DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(TimeNs)) CODEC(Delta(8), ZSTD(1)),
    Flags              UInt32 CODEC(ZSTD(1)),
    Value              Float64 CODEC(Gorilla, ZSTD(1)),
    IntValue           Nullable(Int64) CODEC(ZSTD(1)),
    ExemplarTimesNs Array(UInt64) EPHEMERAL,
    ExemplarTimes              Array(DateTime64(9)) DEFAULT arrayMap(x -> fromUnixTimestamp64Nano(toInt64(x)), ExemplarTimesNs) CODEC(ZSTD(1)),
    ExemplarValues             Array(Float64) CODEC(ZSTD(1)),
    ExemplarIntValues          Array(Nullable(Int64)) CODEC(ZSTD(1)),
    ExemplarTraceIdsHex        Array(String) EPHEMERAL,
    ExemplarSpanIdsHex         Array(String) EPHEMERAL,
    ExemplarTraceIds           Array(FixedString(16)) DEFAULT arrayMap(x -> unhex(x), ExemplarTraceIdsHex) CODEC(ZSTD(1)),
    ExemplarSpanIds            Array(FixedString(8)) DEFAULT arrayMap(x -> unhex(x), ExemplarSpanIdsHex) CODEC(ZSTD(1)),
    ExemplarAttributes         Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    ExemplarAttributeTypes     Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(Time)
ORDER BY (TenantId, MetricName, Fingerprint, toDateTime(Time))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;

-- Sum points; Temporality 1 = delta, 2 = cumulative (OTLP enum values).
CREATE TABLE IF NOT EXISTS metrics_sum
(
    TenantId           LowCardinality(String) CODEC(ZSTD(1)),
    MetricName         LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint        UInt64 CODEC(ZSTD(1)),
    StartTimeNs UInt64 EPHEMERAL,
    StartTime          DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(StartTimeNs)) CODEC(Delta(8), ZSTD(1)),
    TimeNs UInt64 EPHEMERAL,
    Time               DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(TimeNs)) CODEC(Delta(8), ZSTD(1)),
    Flags              UInt32 CODEC(ZSTD(1)),
    Value              Float64 CODEC(Gorilla, ZSTD(1)),
    IntValue           Nullable(Int64) CODEC(ZSTD(1)),
    Temporality        UInt8 CODEC(ZSTD(1)),
    IsMonotonic        Bool CODEC(ZSTD(1)),
    ExemplarTimesNs Array(UInt64) EPHEMERAL,
    ExemplarTimes              Array(DateTime64(9)) DEFAULT arrayMap(x -> fromUnixTimestamp64Nano(toInt64(x)), ExemplarTimesNs) CODEC(ZSTD(1)),
    ExemplarValues             Array(Float64) CODEC(ZSTD(1)),
    ExemplarIntValues          Array(Nullable(Int64)) CODEC(ZSTD(1)),
    ExemplarTraceIdsHex        Array(String) EPHEMERAL,
    ExemplarSpanIdsHex         Array(String) EPHEMERAL,
    ExemplarTraceIds           Array(FixedString(16)) DEFAULT arrayMap(x -> unhex(x), ExemplarTraceIdsHex) CODEC(ZSTD(1)),
    ExemplarSpanIds            Array(FixedString(8)) DEFAULT arrayMap(x -> unhex(x), ExemplarSpanIdsHex) CODEC(ZSTD(1)),
    ExemplarAttributes         Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    ExemplarAttributeTypes     Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(Time)
ORDER BY (TenantId, MetricName, Fingerprint, toDateTime(Time))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;

-- Explicit-bucket histogram points.
CREATE TABLE IF NOT EXISTS metrics_histogram
(
    TenantId           LowCardinality(String) CODEC(ZSTD(1)),
    MetricName         LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint        UInt64 CODEC(ZSTD(1)),
    StartTimeNs UInt64 EPHEMERAL,
    StartTime          DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(StartTimeNs)) CODEC(Delta(8), ZSTD(1)),
    TimeNs UInt64 EPHEMERAL,
    Time               DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(TimeNs)) CODEC(Delta(8), ZSTD(1)),
    Flags              UInt32 CODEC(ZSTD(1)),
    Count              UInt64 CODEC(T64, ZSTD(1)),
    Sum                Nullable(Float64) CODEC(ZSTD(1)),
    Min                Nullable(Float64) CODEC(ZSTD(1)),
    Max                Nullable(Float64) CODEC(ZSTD(1)),
    BucketCounts       Array(UInt64) CODEC(ZSTD(1)),
    ExplicitBounds     Array(Float64) CODEC(ZSTD(1)),
    Temporality        UInt8 CODEC(ZSTD(1)),
    ExemplarTimesNs Array(UInt64) EPHEMERAL,
    ExemplarTimes              Array(DateTime64(9)) DEFAULT arrayMap(x -> fromUnixTimestamp64Nano(toInt64(x)), ExemplarTimesNs) CODEC(ZSTD(1)),
    ExemplarValues             Array(Float64) CODEC(ZSTD(1)),
    ExemplarIntValues          Array(Nullable(Int64)) CODEC(ZSTD(1)),
    ExemplarTraceIdsHex        Array(String) EPHEMERAL,
    ExemplarSpanIdsHex         Array(String) EPHEMERAL,
    ExemplarTraceIds           Array(FixedString(16)) DEFAULT arrayMap(x -> unhex(x), ExemplarTraceIdsHex) CODEC(ZSTD(1)),
    ExemplarSpanIds            Array(FixedString(8)) DEFAULT arrayMap(x -> unhex(x), ExemplarSpanIdsHex) CODEC(ZSTD(1)),
    ExemplarAttributes         Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    ExemplarAttributeTypes     Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(Time)
ORDER BY (TenantId, MetricName, Fingerprint, toDateTime(Time))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;

-- Exponential histogram points, buckets as sent (scale, offsets, counts).
CREATE TABLE IF NOT EXISTS metrics_exp_histogram
(
    TenantId           LowCardinality(String) CODEC(ZSTD(1)),
    MetricName         LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint        UInt64 CODEC(ZSTD(1)),
    StartTimeNs UInt64 EPHEMERAL,
    StartTime          DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(StartTimeNs)) CODEC(Delta(8), ZSTD(1)),
    TimeNs UInt64 EPHEMERAL,
    Time               DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(TimeNs)) CODEC(Delta(8), ZSTD(1)),
    Flags              UInt32 CODEC(ZSTD(1)),
    Count              UInt64 CODEC(T64, ZSTD(1)),
    Sum                Nullable(Float64) CODEC(ZSTD(1)),
    Min                Nullable(Float64) CODEC(ZSTD(1)),
    Max                Nullable(Float64) CODEC(ZSTD(1)),
    Scale              Int32 CODEC(ZSTD(1)),
    ZeroCount          UInt64 CODEC(ZSTD(1)),
    ZeroThreshold      Float64 CODEC(ZSTD(1)),
    PositiveOffset     Int32 CODEC(ZSTD(1)),
    PositiveBucketCounts Array(UInt64) CODEC(ZSTD(1)),
    NegativeOffset     Int32 CODEC(ZSTD(1)),
    NegativeBucketCounts Array(UInt64) CODEC(ZSTD(1)),
    Temporality        UInt8 CODEC(ZSTD(1)),
    ExemplarTimesNs Array(UInt64) EPHEMERAL,
    ExemplarTimes              Array(DateTime64(9)) DEFAULT arrayMap(x -> fromUnixTimestamp64Nano(toInt64(x)), ExemplarTimesNs) CODEC(ZSTD(1)),
    ExemplarValues             Array(Float64) CODEC(ZSTD(1)),
    ExemplarIntValues          Array(Nullable(Int64)) CODEC(ZSTD(1)),
    ExemplarTraceIdsHex        Array(String) EPHEMERAL,
    ExemplarSpanIdsHex         Array(String) EPHEMERAL,
    ExemplarTraceIds           Array(FixedString(16)) DEFAULT arrayMap(x -> unhex(x), ExemplarTraceIdsHex) CODEC(ZSTD(1)),
    ExemplarSpanIds            Array(FixedString(8)) DEFAULT arrayMap(x -> unhex(x), ExemplarSpanIdsHex) CODEC(ZSTD(1)),
    ExemplarAttributes         Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    ExemplarAttributeTypes     Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(Time)
ORDER BY (TenantId, MetricName, Fingerprint, toDateTime(Time))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;

-- Summary points.
CREATE TABLE IF NOT EXISTS metrics_summary
(
    TenantId           LowCardinality(String) CODEC(ZSTD(1)),
    MetricName         LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint        UInt64 CODEC(ZSTD(1)),
    StartTimeNs UInt64 EPHEMERAL,
    StartTime          DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(StartTimeNs)) CODEC(Delta(8), ZSTD(1)),
    TimeNs UInt64 EPHEMERAL,
    Time               DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(TimeNs)) CODEC(Delta(8), ZSTD(1)),
    Flags              UInt32 CODEC(ZSTD(1)),
    Count              UInt64 CODEC(T64, ZSTD(1)),
    Sum                Float64 CODEC(ZSTD(1)),
    Quantiles          Array(Float64) CODEC(ZSTD(1)),
    QuantileValues     Array(Float64) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(Time)
ORDER BY (TenantId, MetricName, Fingerprint, toDateTime(Time))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;
