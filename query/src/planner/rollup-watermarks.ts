import {
  metricsDailyUntil,
  metricsHourlyUntil,
  readWatermarks,
  type ClickHouseClient,
} from '@telemetryflow/clickhouse';
import type { RetentionSignalName } from '@telemetryflow/contract';

const CACHE_MS = 10_000;
const NS_PER_MS = 1_000_000n;

/** Up to when a signal's rollups are complete (epoch ns, exclusive); undefined where every bucket is. */
export interface RollupLimits {
  hourlyUntilNs?: bigint;
  dailyUntilNs?: bigint;
}

export interface RollupWatermarkLookup {
  limits(signal: RetentionSignalName): Promise<RollupLimits>;
}

/**
 * The metric rollup tables' watermarks (`rollup_watermarks`, written by the rollup job),
 * re-read at most every 10 s, hourly and daily from one read: the job moves a daily watermark
 * only behind the hourly one, so the pair is consistent. A watermark only moves forward, so
 * a cached one is never ahead of its table: at worst an hour or a day already rolled is still
 * read from finer data, with the same answer. Span and log rollups are still filled on
 * insert: no limit.
 */
export function clickHouseRollupWatermarks(client: ClickHouseClient): RollupWatermarkLookup {
  let cached: { at: number; limits: RollupLimits } | undefined;
  return {
    async limits(signal: RetentionSignalName): Promise<RollupLimits> {
      if (signal !== 'metrics') return {};
      if (!cached || Date.now() - cached.at > CACHE_MS) {
        const watermarks = await readWatermarks(client);
        const hourly = metricsHourlyUntil(watermarks);
        cached = {
          at: Date.now(),
          limits: {
            dailyUntilNs: BigInt(metricsDailyUntil(watermarks)) * NS_PER_MS,
            ...(hourly !== undefined ? { hourlyUntilNs: BigInt(hourly) * NS_PER_MS } : {}),
          },
        };
      }
      return cached.limits;
    },
  };
}
