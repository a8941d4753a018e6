// Pure: which stored resolution answers an aggregate query, and how its time range splits
// into whole rollup buckets plus finer edges (the newest partial hour comes from raw data).

export type Resolution = 'raw' | 'hourly' | 'daily';

/** Days each resolution of a signal is kept; 0 = no limit known. */
export interface RetentionDays {
  rawDays: number;
  hourlyDays: number;
  dailyDays: number;
}

/** Half-open [fromNs, toNs) read from one resolution. */
export interface Segment {
  source: Resolution;
  fromNs: bigint;
  toNs: bigint;
}

export interface QueryPlan {
  /** The coarsest resolution the answer reads; what `meta.resolution` reports. */
  resolution: Resolution;
  /** Disjoint, in time order; together they cover the (possibly widened) range. */
  segments: Segment[];
}

export interface PlanRequest {
  /** Inclusive bounds, nanoseconds, as the API's `from` / `to`. */
  fromNs: bigint;
  toNs: bigint;
  /** Step of a time series; undefined for one total over the range. */
  stepMs?: number;
  nowMs: number;
  retention: RetentionDays;
  /**
   * Daily rows are complete only for days before this (the daily rollup job's watermark,
   * clickhouse/src/daily-rollups.ts); later whole days are read from hourly rows. Undefined:
   * every day is complete (rollups filled by views on insert).
   */
  dailyUntilNs?: bigint;
  /**
   * Hourly rows are complete only for hours before this (the hourly rollup job's watermark,
   * clickhouse/src/hourly-rollups.ts); later whole hours are read from raw points. Undefined:
   * every hour is complete.
   */
  hourlyUntilNs?: bigint;
}

const NS_PER_MS = 1_000_000n;
const BUCKET_NS: Record<Exclude<Resolution, 'raw'>, bigint> = {
  hourly: 3_600_000n * NS_PER_MS,
  daily: 86_400_000n * NS_PER_MS,
};
const FINER: Record<Exclude<Resolution, 'raw'>, Resolution> = { daily: 'hourly', hourly: 'raw' };
const COARSEST_FIRST = ['daily', 'hourly'] as const;

const floorTo = (t: bigint, unit: bigint): bigint => (t / unit) * unit;
const ceilTo = (t: bigint, unit: bigint): bigint => floorTo(t + unit - 1n, unit);

/**
 * Picks the coarsest rollup whose bucket divides the step (any, without a step) and that
 * has at least one whole bucket in the range; reads whole buckets from it and the partial
 * ones at either end from finer resolutions, so results equal a raw-only query. Where the
 * finer data has expired by retention, the range is widened to whole buckets of the
 * resolution that still holds it, and a resolution is forced when the range starts before
 * the finer ones' retention. Daily buckets are read only before `dailyUntilNs` (days the
 * daily rollup job has rolled), the whole days after it from hourly rows; hourly buckets only
 * before `hourlyUntilNs` (hours the hourly rollup job has rolled), the whole hours after it
 * from raw points.
 */
export function planQuery(req: PlanRequest): QueryPlan {
  const availableFrom = (r: Resolution): bigint => {
    const days =
      r === 'raw' ? req.retention.rawDays : r === 'hourly' ? req.retention.hourlyDays : req.retention.dailyDays;
    return days > 0 ? (BigInt(req.nowMs) - BigInt(days) * 86_400_000n) * NS_PER_MS : -1n;
  };
  let from = req.fromNs;
  let to = req.toNs + 1n;
  // Widen ends whose finer data is gone to buckets of the resolution that still has them.
  if (from < availableFrom('raw')) from = floorTo(from, BUCKET_NS.hourly);
  if (from < availableFrom('hourly')) from = floorTo(from, BUCKET_NS.daily);
  if (floorTo(to - 1n, BUCKET_NS.hourly) < availableFrom('raw')) to = ceilTo(to, BUCKET_NS.hourly);
  if (floorTo(to - 1n, BUCKET_NS.daily) < availableFrom('hourly')) to = ceilTo(to, BUCKET_NS.daily);

  // Rolled buckets only; a day is rolled from its hours, so never past the rolled hours either.
  const hourlyUntil = req.hourlyUntilNs ?? to;
  const rolledUntil = {
    hourly: hourlyUntil,
    daily: req.dailyUntilNs !== undefined && req.dailyUntilNs < hourlyUntil ? req.dailyUntilNs : hourlyUntil,
  };
  const bodyEnd = (r: Exclude<Resolution, 'raw'>, end: bigint) =>
    floorTo(rolledUntil[r] < end ? rolledUntil[r] : end, BUCKET_NS[r]);
  const hasWholeBucket = (r: Exclude<Resolution, 'raw'>) => ceilTo(from, BUCKET_NS[r]) < bodyEnd(r, to);
  const fitsStep = (r: Exclude<Resolution, 'raw'>) =>
    req.stepMs === undefined || (BigInt(req.stepMs) * NS_PER_MS) % BUCKET_NS[r] === 0n;
  let resolution: Resolution = COARSEST_FIRST.find((r) => fitsStep(r) && hasWholeBucket(r)) ?? 'raw';
  if (from < availableFrom('hourly')) resolution = 'daily';
  else if (from < availableFrom('raw') && resolution === 'raw') resolution = 'hourly';

  const segments = split(from, to, resolution, bodyEnd).filter((s) => s.fromNs < s.toNs);
  return { resolution, segments: mergeAdjacent(segments) };
}

/** The plan that reads raw data only, for inclusive bounds as in PlanRequest. */
export function rawPlan(fromNs: bigint, toNs: bigint): QueryPlan {
  return { resolution: 'raw', segments: [{ source: 'raw', fromNs, toNs: toNs + 1n }] };
}

/** The plan's hourly and daily segments alone (no segments when it reads only raw data). */
export function rollupPart(plan: QueryPlan): QueryPlan {
  return { ...plan, segments: plan.segments.filter((s) => s.source !== 'raw') };
}

/**
 * A plan extended back to `fromNs` with raw data, for increases that need the point before
 * the plan's range: the lookback never widens a rollup bucket across the range's start, so
 * every increase inside the range comes from the same points as in a raw-only answer.
 */
export function withRawLookback(plan: QueryPlan, fromNs: bigint): QueryPlan {
  const first = plan.segments[0];
  if (!first || fromNs >= first.fromNs) return plan;
  return { ...plan, segments: mergeAdjacent([{ source: 'raw', fromNs, toNs: first.fromNs }, ...plan.segments]) };
}

/** Whole buckets of `r` from `from` on: where they end before `to` (not past the rolled hours or days). */
type BodyEnd = (r: Exclude<Resolution, 'raw'>, to: bigint) => bigint;

function split(from: bigint, to: bigint, r: Resolution, bodyEnd: BodyEnd): Segment[] {
  if (from >= to) return [];
  if (r === 'raw') return [{ source: 'raw', fromNs: from, toNs: to }];
  const bodyFrom = ceilTo(from, BUCKET_NS[r]);
  const bodyTo = bodyEnd(r, to);
  if (bodyFrom >= bodyTo) return split(from, to, FINER[r], bodyEnd);
  return [
    ...split(from, bodyFrom, FINER[r], bodyEnd),
    { source: r, fromNs: bodyFrom, toNs: bodyTo },
    ...split(bodyTo, to, FINER[r], bodyEnd),
  ];
}

function mergeAdjacent(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.source === s.source && last.toNs === s.fromNs) last.toNs = s.toNs;
    else out.push({ ...s });
  }
  return out;
}
