// `rate` / `increase` of counter series at every step of a range query, and the simple
// aggregations over them, from samples in time order. Each step's window
// [T − offset − range, T − offset] is a slice of a series' samples found by two cursors that only
// move forward, so a series costs one pass over its samples and steps; the arithmetic is the
// engine's own (extrapolate, the aggregation groups), so answers equal its answers to the bit.
import {
  addToSimpleGroup,
  extrapolate,
  simpleGroupValue,
  startSimpleGroup,
  type PushdownAggregation,
  type SimpleGroup,
} from '@telemetryflow/promql';

/** The steps of a range query and the window of the function at each. */
export interface StepGrid {
  readonly startMs: number;
  readonly stepMs: number;
  readonly steps: number;
  readonly rangeMs: number;
  readonly offsetMs: number;
  /** `rate` divides the extrapolated increase by the range in seconds; `increase` does not. */
  readonly perSecond: boolean;
}

/** One value per step; `present[k]` is 0 where the function has no value at step k. */
export interface StepValues {
  readonly values: Float64Array;
  readonly present: Uint8Array;
}

/**
 * Prometheus' extrapolated rate (or increase) of one counter at every step. `ts` ascending; of
 * samples with equal times only the first counts (the TSDB keeps one sample per millisecond).
 */
export function counterRateSteps(tsIn: Float64Array, vsIn: Float64Array, grid: StepGrid): StepValues {
  const { ts, vs } = onePerMillisecond(tsIn, vsIn);
  const n = ts.length;
  const values = new Float64Array(grid.steps);
  const present = new Uint8Array(grid.steps);
  // Samples where the counter dropped: the value before each is added to the increase.
  const resets: number[] = [];
  for (let i = 1; i < n; i++) if (vs[i]! < vs[i - 1]!) resets.push(i);
  let first = 0;
  let last = -1;
  let reset = 0;
  for (let k = 0; k < grid.steps; k++) {
    const end = grid.startMs + k * grid.stepMs - grid.offsetMs;
    const start = end - grid.rangeMs;
    while (first < n && ts[first]! < start) first++;
    while (last + 1 < n && ts[last + 1]! <= end) last++;
    if (last - first < 1) continue;
    let result = vs[last]! - vs[first]!;
    while (reset < resets.length && resets[reset]! <= first) reset++;
    for (let r = reset; r < resets.length && resets[r]! <= last; r++) result += vs[resets[r]! - 1]!;
    values[k] = extrapolate(
      result,
      { t: ts[first]!, v: vs[first]! },
      { t: ts[last]!, v: vs[last]! },
      last - first + 1,
      { end, range: grid.rangeMs, isCounter: true, isRate: grid.perSecond },
    );
    present[k] = 1;
  }
  return { values, present };
}

function onePerMillisecond(ts: Float64Array, vs: Float64Array): { ts: Float64Array; vs: Float64Array } {
  let duplicates = 0;
  for (let i = 1; i < ts.length; i++) if (ts[i] === ts[i - 1]) duplicates++;
  if (duplicates === 0) return { ts, vs };
  const keptTs = new Float64Array(ts.length - duplicates);
  const keptVs = new Float64Array(ts.length - duplicates);
  let j = 0;
  for (let i = 0; i < ts.length; i++) {
    if (i > 0 && ts[i] === ts[i - 1]) continue;
    keptTs[j] = ts[i]!;
    keptVs[j++] = vs[i]!;
  }
  return { ts: keptTs, vs: keptVs };
}

/**
 * `op` over the series of each group at every step. `series` must be in the order the engine
 * would see them (sorted by labels): sums and means depend on the order of addition.
 */
export function aggregateSteps(
  op: PushdownAggregation,
  series: readonly { readonly group: number; readonly steps: StepValues }[],
  grid: StepGrid,
): Map<number, { t: number; v: number }[]> {
  const state = new Map<number, (SimpleGroup | undefined)[]>();
  for (const s of series) {
    let groups = state.get(s.group);
    if (!groups) state.set(s.group, (groups = new Array<SimpleGroup | undefined>(grid.steps)));
    const { values, present } = s.steps;
    for (let k = 0; k < grid.steps; k++) {
      if (present[k] === 0) continue;
      const g = groups[k];
      if (g) addToSimpleGroup(op, g, values[k]!);
      else groups[k] = startSimpleGroup(op, values[k]!);
    }
  }
  const out = new Map<number, { t: number; v: number }[]>();
  for (const [group, groups] of state) {
    const points: { t: number; v: number }[] = [];
    groups.forEach((g, k) => {
      if (g) points.push({ t: grid.startMs + k * grid.stepMs, v: simpleGroupValue(op, g) });
    });
    if (points.length > 0) out.set(group, points);
  }
  return out;
}
