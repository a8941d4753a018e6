// Opaque page cursors: the sort key of the last row returned, as base64url JSON. The
// next page starts strictly after it in the same total order, so ties never repeat or skip.
import { invalidParameter } from '@telemetryflow/http-kit';

export interface PageCursor {
  /** The last row's sort value (nanoseconds as a decimal string). */
  k: string;
  /** Its tie-breaker (an id or row hash). */
  id: string;
  /** The sort the cursor belongs to. */
  s: string;
}

export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** 400 naming `cursor` unless it is one this API made for the same sort. */
export function decodeCursor(raw: string | undefined, sort: string): PageCursor | undefined {
  if (raw === undefined || raw === '') return undefined;
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidParameter('cursor', 'is not a cursor of this API');
  }
  const { k, id, s } = (c ?? {}) as Record<string, unknown>;
  if (
    typeof k !== 'string' ||
    !/^\d{1,20}$/.test(k) ||
    typeof id !== 'string' ||
    !/^[0-9a-f]{1,32}$/.test(id) ||
    typeof s !== 'string'
  ) {
    throw invalidParameter('cursor', 'is not a cursor of this API');
  }
  if (s !== sort) throw invalidParameter('cursor', `belongs to sort=${s}; repeat the search with the same parameters`);
  return { k, id, s };
}

/** `attr.<key>` / `resource.<key>` equality filters of a query string, in a stable order. */
export function attributeParams(q: Record<string, unknown>): { label: string; value: string }[] {
  return Object.keys(q)
    .filter((k) => /^(attr|resource)\..+$/.test(k) && typeof q[k] === 'string')
    .sort()
    .map((label) => ({ label, value: q[label] as string }));
}

/** The first `limit` of `rows` (fetched as limit + 1) and the cursor after the last, when more follow. */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (last: T) => PageCursor,
): { page: T[]; meta: { nextCursor?: string } } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, meta: rows.length > limit && last !== undefined ? { nextCursor: encodeCursor(cursorOf(last)) } : {} };
}
