import { metricsDailyUntil, readWatermarks, type ClickHouseClient } from '@telemetryflow/clickhouse';
import type { RetentionSignalName } from '@telemetryflow/contract';

const CACHE_MS = 10_000;
const NS_PER_MS = 1_000_000n;

/** Up to when a signal's daily rollups are complete (epoch ns, exclusive); undefined when every day is. */
export interface DailyWatermarkLookup {
  dailyUntilNs(signal: RetentionSignalName): Promise<bigint | undefined>;
}

/**
 * The metric daily tables' watermark (`rollup_watermarks`, written by the daily rollup job),
 * re-read at most every 10 s. A watermark only moves forward, so a cached one is never
 * ahead of the table: at worst a day already rolled is still read from hourly rows, with the
 * same answer. Span and log daily rollups are still filled on insert: no limit.
 */
export function clickHouseDailyWatermarks(client: ClickHouseClient): DailyWatermarkLookup {
  let cached: { at: number; untilNs: bigint } | undefined;
  return {
    async dailyUntilNs(signal: RetentionSignalName): Promise<bigint | undefined> {
      if (signal !== 'metrics') return undefined;
      if (!cached || Date.now() - cached.at > CACHE_MS) {
        cached = { at: Date.now(), untilNs: BigInt(metricsDailyUntil(await readWatermarks(client))) * NS_PER_MS };
      }
      return cached.untilNs;
    },
  };
}
