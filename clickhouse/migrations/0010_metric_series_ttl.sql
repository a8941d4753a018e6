-- Series identities expire with the metric data that needs them: the tenant's daily metric
-- retention (the longest of raw, hourly and daily) after the series was last seen. Rows keep
-- the policy of their insert (max over merged rows), so a shortened policy reaches a series
-- once its older rows have merged away; RetentionDays 0 (no policy known) keeps the row.
ALTER TABLE metric_series ADD COLUMN IF NOT EXISTS RetentionDays SimpleAggregateFunction(max, UInt16)
    DEFAULT dictGetOrDefault('tenant_retention_dict', 'DailyDays', (toString(TenantId), 'metrics'), toUInt16(0)) CODEC(ZSTD(1));
ALTER TABLE metric_series MODIFY TTL toDateTime(LastSeen) + toIntervalDay(RetentionDays) WHERE RetentionDays > 0;
