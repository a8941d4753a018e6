-- Points flagged "no recorded value" (OTLP FLAG_NO_RECORDED_VALUE; a Prometheus staleness marker
-- is stored as one) carry no value: the value rollups skip them, so min, max, sum, count and
-- first/last stay those of real samples. PromQL reads them from the raw tables as end-of-series.
ALTER TABLE metrics_value_hourly_gauge_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last,
       countIf(isNotNull(IntValue)) AS IntCount, min(IntValue) AS IntMin, max(IntValue) AS IntMax, argMaxState(ifNull(IntValue, 0), Time) AS IntLast
FROM metrics_gauge
WHERE bitAnd(Flags, 1) = 0
GROUP BY TenantId, MetricName, Fingerprint, Hour;

ALTER TABLE metrics_value_hourly_sum_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfHour(toDateTime(Time, 'UTC')) AS Hour,
       min(Value) AS Min, max(Value) AS Max, sum(Value) AS Sum, count() AS Count,
       argMinState(Value, Time) AS First, argMaxState(Value, Time) AS Last,
       countIf(isNotNull(IntValue)) AS IntCount, min(IntValue) AS IntMin, max(IntValue) AS IntMax, argMaxState(ifNull(IntValue, 0), Time) AS IntLast
FROM metrics_sum
WHERE bitAnd(Flags, 1) = 0
GROUP BY TenantId, MetricName, Fingerprint, Hour;
