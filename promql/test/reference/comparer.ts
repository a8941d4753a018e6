// The compliance tester's comparison (comparer.Compare): a range query's matrix from the reference
// against the one under test, after sorting the tested one as client_golang's model.Matrix sorts;
// metrics exactly equal, timestamps equal, values equal within a fraction of 0.00001 of the smaller
// magnitude (cmpopts.EquateApprox(0.00001, 0)), NaN equal to NaN, infinities exactly.

export interface ApiSeries {
  readonly metric: Record<string, string>;
  readonly values: [number, string][];
}

const FRACTION = 0.00001;

/** model.LabelSet.Before: fewer labels first, then by the sorted union of names. */
function before(a: Record<string, string>, b: Record<string, string>): boolean {
  const an = Object.keys(a);
  const bn = Object.keys(b);
  if (an.length !== bn.length) return an.length < bn.length;
  for (const name of [...an, ...bn].sort()) {
    const av = a[name];
    const bv = b[name];
    if (av === undefined) return true;
    if (bv === undefined) return false;
    if (av < bv) return true;
    if (av > bv) return false;
  }
  return false;
}

export function sortLikeClient(m: readonly ApiSeries[]): ApiSeries[] {
  return [...m].sort((x, y) => (before(x.metric, y.metric) ? -1 : before(y.metric, x.metric) ? 1 : 0));
}

function parseValue(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

function approxEqual(x: number, y: number): boolean {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= FRACTION * Math.min(Math.abs(x), Math.abs(y));
}

/**
 * A description of the first difference, or null when the results agree. With clientSort (the
 * tester's way) the tested matrix is first sorted as client_golang sorts; without, both orders
 * must be the same (Prometheus sorts a range result by labels.Compare).
 */
export function diffMatrices(
  reference: readonly ApiSeries[],
  tested: readonly ApiSeries[],
  clientSort = true,
): string | null {
  const test = clientSort ? sortLikeClient(tested) : tested;
  if (reference.length !== test.length) return `${reference.length} series expected, got ${test.length}`;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const t = test[i]!;
    if (JSON.stringify(Object.entries(r.metric).sort()) !== JSON.stringify(Object.entries(t.metric).sort())) {
      return `series ${i}: metric ${JSON.stringify(r.metric)} expected, got ${JSON.stringify(t.metric)}`;
    }
    if (r.values.length !== t.values.length) {
      return `series ${JSON.stringify(r.metric)}: ${r.values.length} points expected, got ${t.values.length}`;
    }
    for (let j = 0; j < r.values.length; j++) {
      const [rt, rv] = r.values[j]!;
      const [tt, tv] = t.values[j]!;
      if (Math.round(rt * 1000) !== Math.round(tt * 1000) || !approxEqual(parseValue(rv), parseValue(tv))) {
        return `series ${JSON.stringify(r.metric)} point ${j}: [${rt}, ${rv}] expected, got [${tt}, ${tv}]`;
      }
    }
  }
  return null;
}

interface ApiData {
  readonly resultType: string;
  readonly result: unknown;
}

interface ApiSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** An instant query's answers compared the same way: vectors as sorted sets of samples. */
export function diffInstant(reference: ApiData, tested: ApiData): string | null {
  if (reference.resultType !== tested.resultType) return `${reference.resultType} expected, got ${tested.resultType}`;
  switch (reference.resultType) {
    case 'matrix':
      return diffMatrices(sortLikeClient(reference.result as ApiSeries[]), tested.result as ApiSeries[]);
    case 'vector': {
      const asSeries = (v: ApiSample[]) => v.map((s) => ({ metric: s.metric, values: [s.value] }));
      return diffMatrices(
        sortLikeClient(asSeries(reference.result as ApiSample[])),
        asSeries(tested.result as ApiSample[]),
      );
    }
    default: {
      const [rt, rv] = reference.result as [number, string];
      return diffMatrices(
        [{ metric: {}, values: [[rt, rv]] }],
        [{ metric: {}, values: [tested.result as [number, string]] }],
      );
    }
  }
}
