-- The audit log: one row per state-changing API call or sign-in event, moved here from the
-- control plane's outbox by the relay (ADR 0022). Append-only: nothing in TelemetryFlow
-- updates or deletes a row; TTL removes it after the tenant's audit retention (signal
-- 'audit' in tenant_retention, default 400 days). Hash and PrevHash chain each tenant's
-- events in Seq order. ReplacingMergeTree on (TenantId, Seq): a relay that inserted and then
-- failed before deleting the outbox rows inserts the same rows again, and they collapse.
CREATE TABLE IF NOT EXISTS audit_events
(
    TenantId      LowCardinality(String) CODEC(ZSTD(1)),
    Seq           UInt64 CODEC(Delta(8), ZSTD(1)),
    Id            UUID CODEC(ZSTD(1)),
    Time          DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    ActorType     LowCardinality(String) CODEC(ZSTD(1)),
    ActorId       String CODEC(ZSTD(1)),
    ActorLabel    String CODEC(ZSTD(1)),
    ClientAddress String CODEC(ZSTD(1)),
    UserAgent     String CODEC(ZSTD(1)),
    Action        LowCardinality(String) CODEC(ZSTD(1)),
    ResourceType  LowCardinality(String) CODEC(ZSTD(1)),
    ResourceId    String CODEC(ZSTD(1)),
    ResourceName  String CODEC(ZSTD(1)),
    Outcome       LowCardinality(String) CODEC(ZSTD(1)),
    Status        UInt16 CODEC(ZSTD(1)),
    RequestId     String CODEC(ZSTD(1)),
    Before        String CODEC(ZSTD(3)),
    After         String CODEC(ZSTD(3)),
    PrevHash      String CODEC(ZSTD(1)),
    Hash          String CODEC(ZSTD(1)),
    RetentionDays UInt16
        DEFAULT dictGetOrDefault('tenant_retention_dict', 'RawDays', (toString(TenantId), 'audit'), toUInt16(400)) CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(Time)
ORDER BY (TenantId, Seq)
TTL toDateTime(Time) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0
SETTINGS index_granularity = 1024;
