import { durationMs, type MonitorCondition } from '@telemetryflow/contract';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import { MONITOR_RESULTS_TABLE } from '../monitors/monitor-results.js';
import type { LimitedReader } from './query-reads.js';

const DAY_MS = 86_400_000;

/** What a monitor condition measures over its window, from `monitor_results`. */
const MEASURE: Record<MonitorCondition['check'], string> = {
  // 1 when the latest check failed, 0 when it passed.
  down: 'if(count() = 0, NULL, toFloat64(NOT argMax(Up, Time)))',
  latencyP95: 'if(count() = 0, NULL, quantile(0.95)(LatencyMs))',
  // Days left on the latest certificate seen, counted from the evaluation time.
  certificateDays:
    'if(countIf(CertificateExpiresAt IS NOT NULL) = 0, NULL, (toFloat64(toUnixTimestamp(argMaxIf(CertificateExpiresAt, Time, CertificateExpiresAt IS NOT NULL))) * 1000 - {atMs:Int64}) / ' +
    String(DAY_MS) +
    ')',
};

/** One sample (no groups): the monitor's measure over [at - window, at]; null when it has no checks then. */
export async function readMonitorCondition(
  reader: LimitedReader,
  tenant: string,
  c: MonitorCondition,
  atMs: number,
): Promise<GroupSample[]> {
  const [row] = await reader.select<{ value: number | null }>(
    `SELECT ${MEASURE[c.check]} AS value FROM ${MONITOR_RESULTS_TABLE}
     WHERE TenantId = {tenant:String} AND MonitorId = {monitorId:UUID}
       AND Time > fromUnixTimestamp64Milli({fromMs:Int64}) AND Time <= fromUnixTimestamp64Milli({atMs:Int64})`,
    { tenant, monitorId: c.monitorId, fromMs: atMs - durationMs(c.window), atMs },
  );
  const value = row?.value ?? null;
  return [{ labels: {}, value: value === null ? null : Number(value) }];
}
