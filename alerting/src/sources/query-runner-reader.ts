import type { QueryDto } from '@telemetryflow/contract';
import type { QueryExecutor } from './query-reads.js';
import type { GroupSample } from '../evaluation/evaluate-rule.js';

const NS_PER_MS = 1_000_000n;
/**
 * The longest step the QueryRunner takes. Steps are aligned to the epoch, so with a step this
 * long the window almost always falls inside one step, which then aggregates exactly the
 * window (the runner reads only the requested range).
 */
export const WHOLE_WINDOW_STEP_SECONDS = 31_536_000;

/**
 * A series' value for the window (at - window, at]: the step covering most of it (the
 * later on a tie; two steps share the window only when it crosses a step boundary).
 */
export function windowValue(
  points: readonly [number, number | null][],
  atMs: number,
  windowMs: number,
  stepMs: number,
): number | null {
  const covered = (start: number) => Math.max(0, Math.min(start + stepMs, atMs) - Math.max(start, atMs - windowMs));
  const ranked = points.filter(([, v]) => v !== null).sort((a, b) => covered(b[0]) - covered(a[0]) || b[0] - a[0]);
  const best = ranked[0];
  return best !== undefined && covered(best[0]) > 0 ? best[1] : null;
}

/** Per-second measures divide by the step; over a whole-window step they must divide by the window. */
function perSecond(query: QueryDto): boolean {
  return (
    (query.signal === 'metrics' && query.aggregation === 'rate') ||
    (query.signal === 'spans' && query.measure === 'rate')
  );
}

/**
 * A query DTO's value per series over exactly the window (at - window, at], run by the query
 * API's QueryRunner: through the planner, so whole hours come from rollups.
 */
export async function runOverWindow(
  runner: QueryExecutor,
  tenant: string,
  query: QueryDto,
  atMs: number,
  windowMs: number,
): Promise<GroupSample[]> {
  const stepMs = WHOLE_WINDOW_STEP_SECONDS * 1000;
  const answer = await runner.run(tenant, query, {
    fromNs: BigInt(atMs - windowMs) * NS_PER_MS + 1n,
    toNs: BigInt(atMs) * NS_PER_MS,
    stepSeconds: WHOLE_WINDOW_STEP_SECONDS,
  });
  const scale = perSecond(query) ? stepMs / windowMs : 1;
  return answer.data.series.map((s): GroupSample => {
    const v = windowValue(s.points, atMs, windowMs, stepMs);
    return { labels: s.labels, value: v === null ? null : v * scale };
  });
}
