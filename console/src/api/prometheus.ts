import { ApiRequestError, sessionFetch } from './http.js';

/** Where the server answers Prometheus' HTTP API (same origin, same credentials as `/api/v1`). */
export const PROMETHEUS_URL = '/prometheus';

type Labels = Record<string, string>;
/** `[unix seconds, "value"]`, as Prometheus writes a sample. */
export type PromSample = [number, string];

export type PromQueryData =
  | { resultType: 'matrix'; result: { metric: Labels; values?: PromSample[] }[] }
  | { resultType: 'vector'; result: { metric: Labels; value?: PromSample }[] }
  | { resultType: 'scalar'; result: PromSample }
  | { resultType: 'string'; result: PromSample };

interface PromResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

/** What the query API answered, with Prometheus' warnings (shown beside the result). */
export interface PromAnswer<T> {
  data: T;
  warnings: string[];
}

/**
 * One call of the Prometheus API. Its errors keep Prometheus' own words: `error` as the message,
 * `errorType` (bad_data, execution, timeout …) as the code.
 */
export async function prometheusCall<T>(path: string, params: Record<string, string>): Promise<PromAnswer<T>> {
  // POST with a form body, as Prometheus' own UI does: a long expression never outgrows a URL.
  const res = await sessionFetch(`${PROMETHEUS_URL}/api/v1${path}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  let body: PromResponse<T> | null = null;
  try {
    body = (await res.json()) as PromResponse<T>;
  } catch {
    // not Prometheus' JSON (a proxy's page, a dropped connection)
  }
  const requestId = res.headers.get('x-request-id');
  if (body?.status === 'error' || !res.ok || body?.data === undefined)
    throw new ApiRequestError(
      res.status,
      body?.errorType ?? 'http_error',
      body?.error ?? `${res.status} ${res.statusText}`,
      requestId,
    );
  return { data: body.data, warnings: body.warnings ?? [] };
}

const seconds = (ms: number) => String(ms / 1000);

/** `query_range`: the expression evaluated at every step from `start` to `end` (epoch ms; step in seconds). */
export function queryRange(expr: string, range: { start: number; end: number; step: number }) {
  return prometheusCall<PromQueryData>('/query_range', {
    query: expr,
    start: seconds(range.start),
    end: seconds(range.end),
    step: String(range.step),
  });
}

/** `query`: the expression evaluated once, at `time` (epoch ms). */
export function queryInstant(expr: string, time: number) {
  return prometheusCall<PromQueryData>('/query', { query: expr, time: seconds(time) });
}
