// The soak benchmark's view of the API: every request timed under the name of its route,
// every unexpected answer counted as an error by kind, every answer that contradicts what
// was written or who asked counted as a wrong answer. An operation stops at its first
// problem (`Abort`), so one fault is counted once.
import { isDeepStrictEqual } from 'node:util';

export interface Credential {
  /** An API key or a user access token; empty for none (a login). */
  bearer: string;
  /** A user's client address (the API trusts X-Forwarded-For in the soak). */
  forwardedFor?: string;
  /** X-Tenant: which of a user's tenants the request acts in. */
  tenant?: string;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** Ends the operation under way; the reason is already in the ledger. */
export class Abort extends Error {
  override readonly name = 'Abort';
}

interface Tally {
  count: number;
  sample: string;
}

/** What the soak saw: latencies per call, errors and wrong answers by kind. */
export class Ledger {
  requests = 0;
  readonly latencies = new Map<string, number[]>();
  readonly errors = new Map<string, Tally>();
  readonly wrong = new Map<string, Tally>();

  time(call: string, ms: number): void {
    let list = this.latencies.get(call);
    if (!list) this.latencies.set(call, (list = []));
    list.push(ms);
  }

  error(kind: string, detail: string): Abort {
    tally(this.errors, kind, detail);
    return new Abort(kind);
  }

  wrongAnswer(kind: string, detail: string): Abort {
    tally(this.wrong, kind, detail);
    return new Abort(kind);
  }

  errorCount(): number {
    return sum(this.errors);
  }

  wrongCount(): number {
    return sum(this.wrong);
  }
}

function tally(map: Map<string, Tally>, kind: string, detail: string): void {
  const t = map.get(kind);
  if (t) t.count++;
  else map.set(kind, { count: 1, sample: detail.slice(0, 400) });
}

function sum(map: Map<string, Tally>): number {
  let n = 0;
  for (const t of map.values()) n += t.count;
  return n;
}

export interface RequestOptions {
  /** `GET /api/v1/dashboards/{id}`: the name latencies and errors are kept under. */
  call: string;
  method: string;
  path: string;
  credential?: Credential;
  body?: unknown;
  /** Statuses that are the expected answer; anything else is an error. */
  expect: number[];
}

export class SoakApi {
  constructor(
    private readonly apiUrl: string,
    readonly ledger: Ledger,
    private readonly timeoutMs = 60_000,
  ) {}

  async request<T>(o: RequestOptions): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.credential?.bearer) headers.authorization = `Bearer ${o.credential.bearer}`;
    if (o.credential?.forwardedFor) headers['x-forwarded-for'] = o.credential.forwardedFor;
    if (o.credential?.tenant) headers['x-tenant'] = o.credential.tenant;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    this.ledger.requests++;
    const t0 = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.apiUrl}${o.path}`, {
        method: o.method,
        headers,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw this.ledger.error(`${o.call}: ${cause}`, (err as Error).message);
    } finally {
      this.ledger.time(o.call, performance.now() - t0);
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    if (!o.expect.includes(res.status)) {
      const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
      throw this.ledger.error(`${o.call} → ${res.status}${code ? ` ${code}` : ''}`, text);
    }
    return { status: res.status, body: body as T };
  }

  /** Records a wrong answer of `call` unless `actual` equals `expected`. */
  same(call: string, what: string, actual: unknown, expected: unknown): void {
    if (!isDeepStrictEqual(actual, expected)) {
      throw this.ledger.wrongAnswer(
        `${call}: ${what}`,
        `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
      );
    }
  }

  /** Records a wrong answer unless every field of `sent` comes back equal in `stored`. */
  sameFields(call: string, what: string, stored: Record<string, unknown>, sent: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(sent)) this.same(call, `${what}.${key}`, stored[key], value);
  }

  check(call: string, what: string, ok: boolean, detail: string): void {
    if (!ok) throw this.ledger.wrongAnswer(`${call}: ${what}`, detail);
  }
}
