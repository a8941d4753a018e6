import { createPinia, setActivePinia } from 'pinia';
import { vi } from 'vitest';

// For store unit tests: `fetch` answering like the API (the `{ data }` envelope), from a handler.
export interface StubRequest {
  method: string;
  /** The path under /api/v1, without the query. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** What the handler answers: data (200), or a status with an optional body. */
export type StubAnswer = { data: unknown } | { status: number; body?: unknown };

export function apiStub(handle: (req: StubRequest) => StubAnswer) {
  const calls: string[] = [];
  const fetch = async (url: string, init: { method?: string; body?: string } = {}) => {
    const parsed = new URL(url, 'http://console.test');
    const req: StubRequest = {
      method: init.method ?? 'GET',
      path: parsed.pathname.replace(/^\/api\/v1/, ''),
      query: parsed.searchParams,
      body: init.body ? JSON.parse(init.body) : undefined,
    };
    calls.push(`${req.method} ${req.path}`);
    const answer = handle(req);
    if ('data' in answer)
      return new Response(JSON.stringify({ data: answer.data }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-stub' },
    });
  };
  return { fetch, calls };
}

/** A store test's fresh Pinia and signed-out storage, with `fetch` answered by the handler (undone by `vi.unstubAllGlobals`). */
export function useApiStub(handle: (req: StubRequest) => StubAnswer) {
  localStorage.clear();
  setActivePinia(createPinia());
  const api = apiStub(handle);
  vi.stubGlobal('fetch', vi.fn(api.fetch));
  return api;
}
