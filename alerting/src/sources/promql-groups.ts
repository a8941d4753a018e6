// What a PromQL rule condition's query answered, as the groups of its evaluations. Pure.
import { QueryError, type Labels, type QueryValue } from '@telemetryflow/promql';
import { groupKey, type GroupSample } from '../evaluation/evaluate-rule.js';

const METRIC_NAME = '__name__';

/** A series' labels as its alert's group labels: without the metric name, as Prometheus' rule manager sets them. */
export function groupLabels(metric: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of metric) if (l.name !== METRIC_NAME) out[l.name] = l.value;
  return out;
}

function notVectorOrScalar(): QueryError {
  return new QueryError('execution', 'rule result is not a vector or scalar');
}

/** Prometheus refuses an evaluation whose series collide once the metric name is gone (e.g. `{__name__=~"a|b"}`). */
function assertDistinct(groups: readonly GroupSample[]): GroupSample[] {
  const seen = new Set<string>();
  for (const g of groups) {
    const key = groupKey(g.labels);
    if (seen.has(key))
      throw new QueryError('execution', 'vector contains metrics with the same labelset after applying alert labels');
    seen.add(key);
  }
  return [...groups];
}

/**
 * The groups of one evaluation from an instant query: one per series of a vector, or one
 * without labels for a scalar (as Prometheus turns a scalar rule result into a one-sample vector).
 */
export function instantGroups(value: QueryValue): GroupSample[] {
  switch (value.resultType) {
    case 'vector':
      return assertDistinct(value.result.map((s) => ({ labels: groupLabels(s.metric), value: s.v })));
    case 'scalar':
      return [{ labels: {}, value: value.result.v }];
    default:
      throw notVectorOrScalar();
  }
}

/**
 * The groups of every evaluation time from one range query over exactly those times
 * (start, start+step, …): a series is a group at each time it has a point at.
 */
export function rangeGroups(value: QueryValue, times: readonly number[]): GroupSample[][] {
  if (value.resultType !== 'matrix') throw notVectorOrScalar();
  const at = new Map(times.map((t, i) => [t, i]));
  const out: GroupSample[][] = times.map(() => []);
  for (const series of value.result) {
    const labels = groupLabels(series.metric);
    for (const p of series.points) {
      const i = at.get(p.t);
      if (i !== undefined) out[i]!.push({ labels, value: p.v });
    }
  }
  return out.map(assertDistinct);
}
