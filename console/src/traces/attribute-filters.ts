import type { LocationQuery } from 'vue-router';

const ATTRIBUTE_PARAM = /^(attr|resource)\..+$/;

/** The `attr.<key>` / `resource.<key>` filters of a URL query. */
export function attributeFiltersOf(query: LocationQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (ATTRIBUTE_PARAM.test(k) && typeof v === 'string') out[k] = v;
  return out;
}

/** The URL patch that replaces the current attribute filters with `rows` (empty keys dropped). */
export function attributeFilterPatch(
  current: Record<string, string>,
  rows: { key: string; value: string }[],
): Record<string, string | undefined> {
  const patch: Record<string, string | undefined> = Object.fromEntries(Object.keys(current).map((k) => [k, undefined]));
  for (const r of rows) {
    const key = r.key.trim();
    if (ATTRIBUTE_PARAM.test(key)) patch[key] = r.value;
  }
  return patch;
}
