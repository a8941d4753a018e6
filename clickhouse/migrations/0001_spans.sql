-- Spans, one row per span. Sorted for filtering by tenant, service and operation;
-- single traces are found through trace_index (0002). Ids are stored as raw bytes and
-- written as hex through EPHEMERAL columns, so inserts stay plain JSONCompactEachRow.
CREATE TABLE IF NOT EXISTS spans
(
    TenantId               LowCardinality(String) CODEC(ZSTD(1)),
    TraceIdHex             String EPHEMERAL,
    SpanIdHex              String EPHEMERAL,
    ParentSpanIdHex        String EPHEMERAL,
    TraceId                FixedString(16) DEFAULT unhex(TraceIdHex) CODEC(ZSTD(1)),
    SpanId                 FixedString(8) DEFAULT unhex(SpanIdHex) CODEC(ZSTD(1)),
    ParentSpanId           FixedString(8) DEFAULT unhex(ParentSpanIdHex) CODEC(ZSTD(1)),
    TraceState             String CODEC(ZSTD(1)),
    Flags                  UInt32 CODEC(ZSTD(1)),
    ServiceName            LowCardinality(String) CODEC(ZSTD(1)),
    Name                   LowCardinality(String) CODEC(ZSTD(1)),
    Kind                   LowCardinality(String) CODEC(ZSTD(1)),
    StartTimeNs UInt64 EPHEMERAL,
    StartTime              DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(StartTimeNs)) CODEC(Delta(8), ZSTD(1)),
    EndTimeNs UInt64 EPHEMERAL,
    EndTime                DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(EndTimeNs)) CODEC(Delta(8), ZSTD(1)),
    DurationNs             Int64 CODEC(T64, ZSTD(1)),
    StatusCode             LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage          String CODEC(ZSTD(1)),
    ResourceAttributes     Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ResourceAttributeTypes Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    ScopeName              LowCardinality(String) CODEC(ZSTD(1)),
    ScopeVersion           LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes        Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeAttributeTypes    Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    Attributes             Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    AttributeTypes         Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    DroppedAttributesCount UInt32 CODEC(ZSTD(1)),
    DroppedEventsCount     UInt32 CODEC(ZSTD(1)),
    DroppedLinksCount      UInt32 CODEC(ZSTD(1)),
    EventTimesNs Array(UInt64) EPHEMERAL,
    EventTimes             Array(DateTime64(9)) DEFAULT arrayMap(x -> fromUnixTimestamp64Nano(toInt64(x)), EventTimesNs) CODEC(ZSTD(1)),
    EventNames             Array(LowCardinality(String)) CODEC(ZSTD(1)),
    EventAttributes        Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    EventAttributeTypes    Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1)),
    LinkTraceIdsHex        Array(String) EPHEMERAL,
    LinkSpanIdsHex         Array(String) EPHEMERAL,
    LinkTraceIds           Array(FixedString(16)) DEFAULT arrayMap(x -> unhex(x), LinkTraceIdsHex) CODEC(ZSTD(1)),
    LinkSpanIds            Array(FixedString(8)) DEFAULT arrayMap(x -> unhex(x), LinkSpanIdsHex) CODEC(ZSTD(1)),
    LinkTraceStates        Array(String) CODEC(ZSTD(1)),
    LinkAttributes         Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    LinkAttributeTypes     Array(Map(LowCardinality(String), LowCardinality(String))) CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_values mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_keys mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_values mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration DurationNs TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(StartTime)
ORDER BY (TenantId, ServiceName, Name, toDateTime(StartTime))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;
