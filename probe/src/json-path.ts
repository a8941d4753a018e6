// A JSON path as monitors write them: `$.data.items[0].status`, `$['odd key']`, `status`.

export type PathSegment = string | number;

export class JsonPathError extends Error {}

/** `$.a.b[0]['c d']` → ['a', 'b', 0, 'c d']; the leading `$` is optional. */
export function parseJsonPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = path.trim().replace(/^\$/, '');
  if (rest !== '' && !rest.startsWith('.') && !rest.startsWith('[')) rest = `.${rest}`;
  while (rest !== '') {
    const m =
      /^\.([^.[\]]+)/.exec(rest) ??
      /^\[(\d+)\]/.exec(rest) ??
      /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest) ??
      /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
    if (!m)
      throw new JsonPathError(`not a JSON path: ${JSON.stringify(path)} (at ${JSON.stringify(rest.slice(0, 20))})`);
    segments.push(/^\[\d/.test(rest) ? Number(m[1]) : m[1]!.replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** The value at the path, or `found: false` when a step is missing. */
export function readJsonPath(doc: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let at: unknown = doc;
  for (const seg of path) {
    if (
      typeof seg === 'number'
        ? !Array.isArray(at) || seg >= at.length
        : at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, seg)
    ) {
      return { found: false, value: undefined };
    }
    at = (at as Record<string | number, unknown>)[seg];
  }
  return { found: true, value: at };
}
