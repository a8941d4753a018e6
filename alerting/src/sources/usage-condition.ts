import { durationMs, type UsageCondition } from '@telemetryflow/contract';
import { USAGE_TABLE } from '@telemetryflow/clickhouse';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import type { LimitedReader } from './query-reads.js';

/** The usage row kind and column each measure sums. */
const MEASURE: Record<UsageCondition['measure'], { kind: string; column: string }> = {
  accepted_items: { kind: 'accepted', column: 'Items' },
  accepted_bytes: { kind: 'accepted', column: 'Bytes' },
  refused_requests: { kind: 'refused', column: 'Requests' },
  refused_items: { kind: 'refused', column: 'Items' },
};

/**
 * One sample (no groups): the tenant's usage of the measure in the hourly buckets that start
 * within (at - window, at]; 0 when nothing was counted.
 */
export async function readUsageCondition(
  reader: LimitedReader,
  tenant: string,
  c: UsageCondition,
  atMs: number,
): Promise<GroupSample[]> {
  const { kind, column } = MEASURE[c.measure];
  const [row] = await reader.select<{ value: string | number }>(
    `SELECT sum(${column}) AS value FROM ${USAGE_TABLE}
     WHERE TenantId = {tenant:String} AND Signal = {signal:String} AND Kind = {kind:String}
       AND ({reason:String} = '' OR Reason = {reason:String})
       AND Hour > toDateTime(intDiv({fromMs:Int64}, 1000), 'UTC') AND Hour <= toDateTime(intDiv({atMs:Int64}, 1000), 'UTC')`,
    { tenant, signal: c.signal, kind, reason: c.reason ?? '', fromMs: atMs - durationMs(c.window), atMs },
  );
  return [{ labels: {}, value: Number(row?.value ?? 0) }];
}
