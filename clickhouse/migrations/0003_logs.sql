-- Log records. Body is kept as text (structured bodies as their OTLP/JSON AnyValue,
-- BodyType naming the type) and indexed by token of the UTF-8 lower-cased body for word search.
CREATE TABLE IF NOT EXISTS logs
(
    TenantId               LowCardinality(String) CODEC(ZSTD(1)),
    TimestampNs UInt64 EPHEMERAL,
    Timestamp              DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(TimestampNs)) CODEC(Delta(8), ZSTD(1)),
    ObservedTimestampNs UInt64 EPHEMERAL,
    ObservedTimestamp      DateTime64(9) DEFAULT fromUnixTimestamp64Nano(toInt64(ObservedTimestampNs)) CODEC(Delta(8), ZSTD(1)),
    TraceIdHex             String EPHEMERAL,
    SpanIdHex              String EPHEMERAL,
    TraceId                FixedString(16) DEFAULT unhex(TraceIdHex) CODEC(ZSTD(1)),
    SpanId                 FixedString(8) DEFAULT unhex(SpanIdHex) CODEC(ZSTD(1)),
    Flags                  UInt32 CODEC(ZSTD(1)),
    SeverityText           LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber         UInt8 CODEC(ZSTD(1)),
    ServiceName            LowCardinality(String) CODEC(ZSTD(1)),
    EventName              LowCardinality(String) CODEC(ZSTD(1)),
    Body                   String CODEC(ZSTD(1)),
    BodyType               LowCardinality(String) CODEC(ZSTD(1)),
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
    DroppedAttributesCount UInt32 CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_body lowerUTF8(Body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1,
    INDEX idx_severity lower(SeverityText) TYPE set(64) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_values mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_keys mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_values mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (TenantId, ServiceName, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000;
