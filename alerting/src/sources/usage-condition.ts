import { durationMs, type UsageCondition } from '@telemetryflow/contract';
import { STORED_BYTES_TABLE, USAGE_TABLE } from '@telemetryflow/clickhouse';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import type { LimitedReader } from './query-reads.js';

/** The usage row kind and column each counted measure sums. */
const MEASURE: Record<Exclude<UsageCondition['measure'], 'stored_bytes'>, { kind: string; column: string }> = {
  accepted_items: { kind: 'accepted', column: 'Items' },
  accepted_bytes: { kind: 'accepted', column: 'Bytes' },
  refused_requests: { kind: 'refused', column: 'Requests' },
  refused_items: { kind: 'refused', column: 'Items' },
};

/**
 * One sample (no groups): the tenant's usage of the measure in the hourly buckets that start
 * within (at - window, at]; 0 when nothing was counted. Stored bytes: the latest measurement
 * in those hours, null (no data) without one.
 */
export async function readUsageCondition(
  reader: LimitedReader,
  tenant: string,
  c: UsageCondition,
  atMs: number,
): Promise<GroupSample[]> {
  const fromMs = atMs - durationMs(c.window);
  if (c.measure === 'stored_bytes') {
    const [row] = await reader.select<{ value: string | number | null }>(
      `SELECT if(count() = 0, NULL, argMax(Bytes, (Hour, MeasuredAt))) AS value FROM ${STORED_BYTES_TABLE}
       WHERE TenantId = {tenant:String} AND Signal = {signal:String}
         AND Hour > toDateTime(intDiv({fromMs:Int64}, 1000), 'UTC') AND Hour <= toDateTime(intDiv({atMs:Int64}, 1000), 'UTC')`,
      { tenant, signal: c.signal, fromMs, atMs },
    );
    const value = row?.value ?? null;
    return [{ labels: {}, value: value === null ? null : Number(value) }];
  }
  const { kind, column } = MEASURE[c.measure];
  const [row] = await reader.select<{ value: string | number }>(
    `SELECT sum(${column}) AS value FROM ${USAGE_TABLE}
     WHERE TenantId = {tenant:String} AND Signal = {signal:String} AND Kind = {kind:String}
       AND ({reason:String} = '' OR Reason = {reason:String})
       AND Hour > toDateTime(intDiv({fromMs:Int64}, 1000), 'UTC') AND Hour <= toDateTime(intDiv({atMs:Int64}, 1000), 'UTC')`,
    { tenant, signal: c.signal, kind, reason: c.reason ?? '', fromMs, atMs },
  );
  return [{ labels: {}, value: Number(row?.value ?? 0) }];
}
