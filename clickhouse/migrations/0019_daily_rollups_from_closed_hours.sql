-- Daily metric rollups built from closed hours by a periodic job instead of on every insert
-- (docs/adr/0024-metrics-and-logs-read-off-the-wire.md, "Measured after: daily rollups from
-- closed hours"). Until now each insert's hourly rows were aggregated again into daily states
-- by the eight metrics_*_daily_mv views (~20 ms of ClickHouse CPU per 1,000 scrape points).
--
-- rollup_watermarks holds, per daily table, the start of the first day not yet rolled
-- (RolledUntil): days before it are complete in the daily table, days from it are read from
-- hourly rows (query planner). The job (clickhouse/src/daily-rollups.ts) rolls the day at the
-- watermark from the hourly table once it is closed, then moves the watermark on a day.
-- Several rows per table may exist (every advance inserts one); readers take max(RolledUntil).
CREATE TABLE IF NOT EXISTS rollup_watermarks
(
    DailyTable  LowCardinality(String),
    RolledUntil DateTime('UTC'),
    UpdatedAt   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(RolledUntil)
ORDER BY DailyTable
SETTINGS non_replicated_deduplication_window = 100;

-- The first watermark: today (UTC). Days before today were written in full by the views;
-- today's (and any later day's) daily rows are deleted below and rolled by the job. A second
-- process migrating at once inserts the same token and is deduplicated: one watermark.
INSERT INTO rollup_watermarks (DailyTable, RolledUntil)
SETTINGS insert_deduplicate = 1, insert_deduplication_token = '0019_rollup_watermarks', distributed_foreground_insert = 1
SELECT arrayJoin(['metrics_value_daily', 'metrics_histogram_daily', 'metrics_exp_histogram_daily', 'metrics_summary_daily', 'metrics_histogram_cumulative_daily', 'metrics_exp_histogram_cumulative_daily', 'metrics_summary_cumulative_daily', 'metrics_exp_histogram_scaled_daily']), toStartOfDay(now('UTC'));

-- The daily views are kept for late data only: an hour of a day already rolled (before the
-- watermark) still goes to the daily table on insert, as before; an hour of a day not yet
-- rolled is left to the job. With nothing late in an insert the view aggregates no row.
ALTER TABLE metrics_value_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       min(Min) AS Min, max(Max) AS Max, sum(Sum) AS Sum, sum(Count) AS Count,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last,
       sum(IntCount) AS IntCount, min(IntMin) AS IntMin, max(IntMax) AS IntMax, argMaxMergeState(IntLast) AS IntLast
FROM metrics_value_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_value_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day;
ALTER TABLE metrics_histogram_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       sum(Count) AS Count, sum(Sum) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(MinMissing) AS MinMissing, sum(MaxMissing) AS MaxMissing,
       sumMap(Buckets) AS Buckets, argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last
FROM metrics_histogram_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day;
ALTER TABLE metrics_exp_histogram_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       sum(Count) AS Count, sum(Sum) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(ZeroCount) AS ZeroCount,
       sumMap(Positive) AS Positive, sumMap(Negative) AS Negative
FROM metrics_exp_histogram_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day;
ALTER TABLE metrics_summary_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last
FROM metrics_summary_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day;
ALTER TABLE metrics_histogram_cumulative_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, StartTime,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last, argMaxMergeState(Peak) AS Peak,
       min(Min) AS Min, max(Max) AS Max, sum(MinMissing) AS MinMissing, sum(MaxMissing) AS MaxMissing
FROM metrics_histogram_cumulative_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_cumulative_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day, StartTime;
ALTER TABLE metrics_exp_histogram_cumulative_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, StartTime,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last, argMaxMergeState(Peak) AS Peak
FROM metrics_exp_histogram_cumulative_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_cumulative_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day, StartTime;
ALTER TABLE metrics_summary_cumulative_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, StartTime,
       argMinMergeState(First) AS First, argMaxMergeState(Last) AS Last, argMaxMergeState(Peak) AS Peak
FROM metrics_summary_cumulative_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_cumulative_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day, StartTime;
ALTER TABLE metrics_exp_histogram_scaled_daily_mv MODIFY QUERY
SELECT TenantId, MetricName, Fingerprint, toStartOfDay(Hour) AS Day, Scale,
       sum(Count) AS Count, sum(Sum) AS Sum, min(Min) AS Min, max(Max) AS Max, sum(MinMissing) AS MinMissing, sum(MaxMissing) AS MaxMissing,
       sum(ZeroCount) AS ZeroCount, max(ZeroThreshold) AS ZeroThreshold, sumMap(Positive) AS Positive, sumMap(Negative) AS Negative
FROM metrics_exp_histogram_scaled_hourly
WHERE Hour < (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_scaled_daily')
GROUP BY TenantId, MetricName, Fingerprint, Day, Scale;

-- Rows the views wrote for days from the watermark on (today's partial day, future days):
-- the job rolls those days whole from the hourly rows.
ALTER TABLE metrics_value_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_value_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_histogram_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_exp_histogram_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_summary_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_histogram_cumulative_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_histogram_cumulative_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_exp_histogram_cumulative_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_cumulative_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_summary_cumulative_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_summary_cumulative_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
ALTER TABLE metrics_exp_histogram_scaled_daily DELETE WHERE Day >= (SELECT max(RolledUntil) FROM rollup_watermarks WHERE DailyTable = 'metrics_exp_histogram_scaled_daily') SETTINGS mutations_sync = 2, allow_nondeterministic_mutations = 1;
