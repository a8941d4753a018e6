import { invalidParameter, notFound, parseTimeNs } from '@telemetryflow/http-kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from the path: anything that is not a UUID cannot name an object, so 404. */
export function pathId(id: string, what: string): string {
  if (!UUID.test(id)) throw notFound(`no ${what} ${id}`);
  return id.toLowerCase();
}

/** RFC 3339 or epoch milliseconds (already shape-checked by the route schema) to epoch ms. */
export function timeMs(value: string | undefined, name: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const ns = parseTimeNs(value);
  if (ns === undefined) throw invalidParameter(name, 'must be RFC 3339 or epoch milliseconds');
  return Number(ns / 1_000_000n);
}
