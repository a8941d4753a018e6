// Small map helpers the metric strategies share: rows per series, per step, values per step.

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) getOr(m, key(it), () => []).push(it);
  return m;
}

export function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

export function mapValues<K, V, W>(m: Map<K, V>, f: (v: V) => W): Map<K, W> {
  return new Map([...m].map(([k, v]) => [k, f(v)]));
}

/** The rows of a group's series per step bucket. */
export function rowsPerStep<R extends { bucket: number }>(
  byFp: Map<string, R[]>,
  fingerprints: readonly string[],
): Map<number, R[]> {
  const out = new Map<number, R[]>();
  for (const fp of fingerprints) {
    for (const r of byFp.get(fp) ?? []) getOr(out, r.bucket, () => []).push(r);
  }
  return out;
}
