import type { ApiErrorBody, ApiSuccess } from '@telemetryflow/contract';

/** An API answer other than 2xx, as the error envelope describes it. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** What the HTTP layer needs from the signed-in session (registered by the auth store). */
export interface SessionHooks {
  /** The bearer token; a user's is renewed first when there is none yet (after a reload). Null: signed out, or renewal refused. */
  accessToken(): Promise<string | null>;
  tenant(): string | null;
  /** Gets a new access token after a 401; false when the session cannot be renewed. */
  renew(): Promise<boolean>;
  /** The session is gone (renewal failed): sign in again. */
  expired(): void;
}

let session: SessionHooks | null = null;

export function useSession(hooks: SessionHooks): void {
  session = hooks;
}

/** The bearer token and tenant of the session, for connections that are not HTTP requests (live tail). */
export async function sessionCredentials(): Promise<{ token: string | null; tenant: string | null }> {
  return { token: (await session?.accessToken()) ?? null, tenant: session?.tenant() ?? null };
}

/** Renews the session's access token (after a refused socket connection); false when it cannot. */
export function renewSession(): Promise<boolean> {
  return session ? session.renew() : Promise.resolve(false);
}

export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export function queryString(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

interface RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Sign-in and token renewal must not try to renew on 401. */
  anonymous?: boolean;
  /** Overrides the session's token (checking an API key before it becomes the session). */
  token?: string;
  /** A read of the page on show: cancelled when the console moves to another page (abortPageReads). */
  pageRead?: boolean;
}

// The embedded engine answers one query at a time: reads of a page left behind must not hold
// up the next page's. The API drops a cancelled request's queries that have not started.
let pageReads = new AbortController();

/** Cancels the page reads under way (the console moved to another page). */
export function abortPageReads(): void {
  pageReads.abort();
  pageReads = new AbortController();
}

/** A request cancelled by abortPageReads (its page is gone: nothing to show). */
export function isAbortedRead(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = opts.token ?? (opts.anonymous ? null : await session?.accessToken());
  if (token) headers.authorization = `Bearer ${token}`;
  const tenant = opts.anonymous ? null : session?.tenant();
  if (tenant) headers['x-tenant'] = tenant;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`/api/v1${path}${opts.query ? queryString(opts.query) : ''}`, {
    method: opts.method ?? 'GET',
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    ...(opts.pageRead ? { signal: pageReads.signal } : {}),
  });
}

async function toError(res: Response): Promise<ApiRequestError> {
  const requestId = res.headers.get('x-request-id');
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    if (body.error)
      return new ApiRequestError(
        res.status,
        body.error.code,
        body.error.message,
        body.error.requestId ?? requestId,
        body.error.details,
      );
  } catch {
    // not the envelope (a proxy's page, a dropped connection): fall through
  }
  return new ApiRequestError(res.status, 'http_error', `${res.status} ${res.statusText}`, requestId);
}

/**
 * A request to another API on the console's origin (the Prometheus API under `/prometheus`) with the
 * session's bearer token and tenant; a 401 renews the access token once and repeats it, as `request` does.
 */
export async function sessionFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const attempt = async () => {
    const headers = new Headers(init.headers);
    const token = await session?.accessToken();
    if (token) headers.set('authorization', `Bearer ${token}`);
    const tenant = session?.tenant();
    if (tenant) headers.set('x-tenant', tenant);
    return fetch(url, { ...init, headers });
  };
  let res = await attempt();
  if (res.status === 401 && session) {
    if (await session.renew()) res = await attempt();
    else session.expired();
  }
  return res;
}

/**
 * One API call. A 401 on a signed-in session renews the access token once and repeats the
 * call, so an expired token never costs the user the page they are on.
 */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiSuccess<T>> {
  let res = await send(path, opts);
  if (res.status === 401 && !opts.anonymous && opts.token === undefined && session) {
    if (await session.renew()) res = await send(path, opts);
    else session.expired();
  }
  if (res.status === 204) return { data: undefined as T };
  if (!res.ok) throw await toError(res);
  return (await res.json()) as ApiSuccess<T>;
}
