import type { CheckResultDto, CheckResultsPage, UptimeBucketDto, UptimeDto } from '@telemetryflow/contract/monitors';
import type { LimitedReader } from '../sources/query-reads.js';
import { MONITOR_RESULTS_TABLE, MONITOR_UPTIME_DAILY_TABLE, MONITOR_UPTIME_HOURLY_TABLE } from './monitor-results.js';

const HOUR_S = 3600;
const DAY_S = 86_400;
/** Raw results are kept this long (migration 0015); finer steps cannot reach further back. */
export const RAW_RESULTS_DAYS = 30;
export const MAX_UPTIME_BUCKETS = 2000;

export class UptimeRangeError extends Error {}

/** Where an uptime series is read from: the daily or hourly rollup when the step allows, else the raw results. */
export function uptimeSource(stepSeconds: number): { table: string; time: string } {
  if (stepSeconds % DAY_S === 0) return { table: MONITOR_UPTIME_DAILY_TABLE, time: 'Day' };
  if (stepSeconds % HOUR_S === 0) return { table: MONITOR_UPTIME_HOURLY_TABLE, time: 'Hour' };
  return { table: MONITOR_RESULTS_TABLE, time: 'Time' };
}

/** Every bucket start of [fromMs, toMs) on the step's grid (epoch-aligned, so UTC days for a 1d step). */
export function bucketStarts(fromMs: number, toMs: number, stepSeconds: number): number[] {
  const stepMs = stepSeconds * 1000;
  const starts: number[] = [];
  for (let t = Math.floor(fromMs / stepMs) * stepMs; t < toMs; t += stepMs) starts.push(t);
  return starts;
}

interface BucketRow {
  b: string;
  checks: string;
  ups: string;
  lsum: number;
  p95: number | null;
}

interface ResultRow {
  t: string;
  Location: string;
  Up: boolean | number;
  LatencyMs: number;
  StatusCode: number | null;
  Error: string;
  cert: string | null;
}

function resultDto(r: ResultRow): CheckResultDto {
  return {
    time: new Date(Number(r.t)).toISOString(),
    location: r.Location,
    up: r.Up === true || r.Up === 1,
    latencyMs: r.LatencyMs,
    statusCode: r.StatusCode,
    error: r.Error === '' ? null : r.Error,
    certificateExpiresAt: r.cert === null ? null : new Date(Number(r.cert) * 1000).toISOString(),
  };
}

const RESULT_COLUMNS = `toUnixTimestamp64Milli(Time) AS t, Location, Up, LatencyMs, StatusCode, Error, toUnixTimestamp(CertificateExpiresAt) AS cert`;

/** What a monitor list shows beside each monitor: its last check and its last 24 hours. */
export interface MonitorSummary {
  lastCheck: CheckResultDto | null;
  uptime24h: number | null;
  latencyP95Ms: number | null;
}

/** Check results and uptime of monitors, always of one tenant, with bound parameters only. */
export class MonitorResultsReader {
  constructor(private readonly reader: LimitedReader) {}

  /** Newest first; the cursor continues after the last row of the page before. */
  async results(
    tenant: string,
    monitorId: string,
    range: { fromMs: number; toMs: number; cursor?: string; limit: number },
  ): Promise<CheckResultsPage> {
    const params: Record<string, unknown> = {
      tenant,
      monitorId,
      fromMs: range.fromMs,
      toMs: range.toMs,
      limit: range.limit + 1,
    };
    let after = '';
    if (range.cursor !== undefined) {
      const m = /^(\d{1,15}):(.{0,100})$/s.exec(range.cursor);
      if (!m) throw new UptimeRangeError('cursor: not a cursor of this API');
      params.cursorMs = Number(m[1]);
      params.cursorLocation = m[2];
      after = ` AND (Time, Location) < (fromUnixTimestamp64Milli({cursorMs:Int64}), {cursorLocation:String})`;
    }
    const rows = await this.reader.select<ResultRow>(
      `SELECT ${RESULT_COLUMNS} FROM ${MONITOR_RESULTS_TABLE}
       WHERE TenantId = {tenant:String} AND MonitorId = {monitorId:UUID}
         AND Time >= fromUnixTimestamp64Milli({fromMs:Int64}) AND Time < fromUnixTimestamp64Milli({toMs:Int64})${after}
       ORDER BY Time DESC, Location DESC LIMIT {limit:UInt32}`,
      params,
    );
    const page = rows.slice(0, range.limit);
    const last = page[page.length - 1];
    return {
      results: page.map(resultDto),
      nextCursor: rows.length > range.limit && last ? `${last.t}:${last.Location}` : null,
    };
  }

  /** Buckets of `stepSeconds` over [fromMs, toMs): a bucket without checks is no data, never uptime. */
  async uptime(
    tenant: string,
    monitorIds: readonly string[],
    range: { fromMs: number; toMs: number; stepSeconds: number },
    nowMs: number,
  ): Promise<UptimeDto> {
    const starts = bucketStarts(range.fromMs, range.toMs, range.stepSeconds);
    if (starts.length > MAX_UPTIME_BUCKETS)
      throw new UptimeRangeError(`step: at most ${MAX_UPTIME_BUCKETS} buckets; use a longer step`);
    const src = uptimeSource(range.stepSeconds);
    if (src.table === MONITOR_RESULTS_TABLE && range.fromMs < nowMs - RAW_RESULTS_DAYS * DAY_S * 1000)
      throw new UptimeRangeError(`step: ranges older than ${RAW_RESULTS_DAYS} days need a step of whole hours`);
    const rollup = src.table !== MONITOR_RESULTS_TABLE;
    const rows =
      monitorIds.length === 0
        ? []
        : await this.reader.select<BucketRow>(
            `SELECT toUnixTimestamp(toStartOfInterval(toDateTime(${src.time}, 'UTC'), INTERVAL {step:UInt32} SECOND)) AS b,
                ${rollup ? 'sum(Checks)' : 'count()'} AS checks, ${rollup ? 'sum(UpChecks)' : 'countIf(Up)'} AS ups,
                ${rollup ? 'sum(LatencySumMs)' : 'sum(LatencyMs)'} AS lsum,
                ${rollup ? 'quantilesDDMerge(0.01, 0.5, 0.95)(LatencyQuantiles)[2]' : 'quantilesDD(0.01, 0.5, 0.95)(LatencyMs)[2]'} AS p95
             FROM ${src.table}
             WHERE TenantId = {tenant:String} AND MonitorId IN {ids:Array(UUID)}
               AND ${src.time} >= fromUnixTimestamp64Milli({fromMs:Int64}) AND ${src.time} < fromUnixTimestamp64Milli({toMs:Int64})
             GROUP BY b ORDER BY b`,
            {
              tenant,
              ids: monitorIds,
              step: range.stepSeconds,
              fromMs: starts[0] ?? range.fromMs,
              toMs: range.toMs,
            },
          );
    const byStart = new Map(rows.map((r) => [Number(r.b) * 1000, r]));
    let checks = 0;
    let ups = 0;
    const buckets: UptimeBucketDto[] = starts.map((start) => {
      const r = byStart.get(start);
      const n = r ? Number(r.checks) : 0;
      if (!r || n === 0)
        return { start: new Date(start).toISOString(), checks: 0, up: null, avgLatencyMs: null, p95LatencyMs: null };
      checks += n;
      ups += Number(r.ups);
      return {
        start: new Date(start).toISOString(),
        checks: n,
        up: Number(r.ups) / n,
        avgLatencyMs: r.lsum / n,
        p95LatencyMs: r.p95 === null || !Number.isFinite(r.p95) ? null : r.p95,
      };
    });
    return {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      stepSeconds: range.stepSeconds,
      buckets,
      up: checks === 0 ? null : ups / checks,
      checks,
    };
  }

  /** The last check and the last 24 hours of each monitor. */
  async summaries(tenant: string, monitorIds: readonly string[], nowMs: number): Promise<Map<string, MonitorSummary>> {
    const out = new Map<string, MonitorSummary>();
    if (monitorIds.length === 0) return out;
    const params = { tenant, ids: monitorIds, fromMs: nowMs - DAY_S * 1000, lastFromMs: nowMs - 2 * DAY_S * 1000 };
    const [stats, last] = await Promise.all([
      this.reader.select<{ id: string; checks: string; ups: string; p95: number }>(
        `SELECT toString(MonitorId) AS id, count() AS checks, countIf(Up) AS ups, quantilesDD(0.01, 0.5, 0.95)(LatencyMs)[2] AS p95
         FROM ${MONITOR_RESULTS_TABLE}
         WHERE TenantId = {tenant:String} AND MonitorId IN {ids:Array(UUID)} AND Time >= fromUnixTimestamp64Milli({fromMs:Int64})
         GROUP BY MonitorId`,
        params,
      ),
      this.reader.select<ResultRow & { id: string }>(
        `SELECT toString(MonitorId) AS id, ${RESULT_COLUMNS}
         FROM ${MONITOR_RESULTS_TABLE}
         WHERE TenantId = {tenant:String} AND MonitorId IN {ids:Array(UUID)} AND Time >= fromUnixTimestamp64Milli({lastFromMs:Int64})
         ORDER BY MonitorId, Time DESC LIMIT 1 BY MonitorId`,
        params,
      ),
    ]);
    for (const id of monitorIds) out.set(id, { lastCheck: null, uptime24h: null, latencyP95Ms: null });
    for (const s of stats) {
      const n = Number(s.checks);
      out.set(s.id, {
        ...out.get(s.id)!,
        uptime24h: n === 0 ? null : Number(s.ups) / n,
        latencyP95Ms: n === 0 ? null : s.p95,
      });
    }
    for (const r of last) out.set(r.id, { ...out.get(r.id)!, lastCheck: resultDto(r) });
    return out;
  }
}
