import { Agent, buildConnector, request } from 'undici';
import type { AddressGuard } from './address-guard.js';
import type { OutboundRequest } from './channel-messages.js';
import {
  assertLiteralAllowed,
  BlockedAddressError,
  guardedLookup,
  systemResolve,
  type Resolve,
} from './guarded-lookup.js';
import { backoffMs, DELIVERY_FAILED, verdictOf, type AttemptVerdict } from './delivery-outcome.js';

export interface DeliveryConfig {
  guard: AddressGuard;
  /** A target name's addresses (default: the system's resolver, `dns.lookup`); every one of them is checked. */
  resolve?: Resolve;
  /** Where failed attempts are told in detail (socket errors, blocked addresses): the log, never the API. */
  log?: (msg: string) => void;
  connectTimeoutMs?: number;
  /** Time to the response headers, and between body chunks. */
  requestTimeoutMs?: number;
  /** Attempts per delivery (default 4). */
  maxAttempts?: number;
  baseDelayMs?: number;
  /** Longest wait between attempts; a longer Retry-After ends this delivery as "retry later". */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export type DeliveryResult =
  | { delivered: true; status: number; attempts: number }
  | {
      delivered: false;
      permanent: boolean;
      status: number | null;
      attempts: number;
      error: string;
      retryAfterMs: number | null;
    };

/** Socket errors after the connection was made: the receiver took too long. */
const NO_ANSWER_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorDetail(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const own = [typeof e.code === 'string' ? e.code : '', typeof e.message === 'string' ? e.message : String(err)]
    .filter(Boolean)
    .join(' ');
  return e.cause !== undefined && e.cause !== err ? `${own} (${errorDetail(e.cause)})` : own;
}

/**
 * HTTP POSTs to notification targets with undici. The address is checked when the socket
 * connects (after DNS, so a name that resolves to a private address is refused too, and
 * a DNS answer that changes between check and connect cannot slip through); redirects
 * are not followed; every request has connect and response timeouts.
 */
export class HttpDelivery {
  private readonly agent: Agent;
  private readonly cfg: Required<Omit<DeliveryConfig, 'guard'>> & { guard: AddressGuard };

  constructor(cfg: DeliveryConfig) {
    this.cfg = {
      connectTimeoutMs: 5000,
      requestTimeoutMs: 10_000,
      maxAttempts: 4,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      random: Math.random,
      now: Date.now,
      resolve: systemResolve,
      log: () => {},
      ...cfg,
    };
    const { guard, resolve } = this.cfg;
    const lookup = guardedLookup(guard, resolve);
    const connect = buildConnector({ timeout: this.cfg.connectTimeoutMs, lookup } as buildConnector.BuildOptions);
    this.agent = new Agent({
      connect: (opts, cb) => {
        try {
          assertLiteralAllowed(guard, opts.hostname);
        } catch (err) {
          return cb(err as BlockedAddressError, null);
        }
        connect(opts, cb);
      },
      headersTimeout: this.cfg.requestTimeoutMs,
      bodyTimeout: this.cfg.requestTimeoutMs,
      connections: 16,
    });
  }

  /** One request, retried with backoff and jitter on 429 / 5xx / network errors. */
  async send(req: OutboundRequest): Promise<DeliveryResult> {
    let last: { status: number | null; verdict: AttemptVerdict } = {
      status: null,
      verdict: { kind: 'permanent', error: 'not attempted' },
    };
    for (let attempt = 1; attempt <= this.cfg.maxAttempts; attempt++) {
      last = await this.attempt(req);
      const v = last.verdict;
      if (v.kind === 'delivered') return { delivered: true, status: last.status!, attempts: attempt };
      if (v.kind === 'permanent')
        return {
          delivered: false,
          permanent: true,
          status: last.status,
          attempts: attempt,
          error: v.error,
          retryAfterMs: null,
        };
      if (attempt === this.cfg.maxAttempts) break;
      if (v.retryAfterMs !== null && v.retryAfterMs > this.cfg.maxDelayMs) {
        return {
          delivered: false,
          permanent: false,
          status: last.status,
          attempts: attempt,
          error: v.error,
          retryAfterMs: v.retryAfterMs,
        };
      }
      await this.cfg.sleep(
        v.retryAfterMs ?? backoffMs(attempt, this.cfg.baseDelayMs, this.cfg.maxDelayMs, this.cfg.random),
      );
    }
    const v = last.verdict;
    return {
      delivered: false,
      permanent: false,
      status: last.status,
      attempts: this.cfg.maxAttempts,
      error: v.kind === 'retry' ? v.error : DELIVERY_FAILED.unreachable,
      retryAfterMs: v.kind === 'retry' ? v.retryAfterMs : null,
    };
  }

  /** One POST. Its failure is told to the caller generically, and in detail to the log (scheme, host and port only: paths hold secrets). */
  private async attempt(req: OutboundRequest): Promise<{ status: number | null; verdict: AttemptVerdict }> {
    try {
      const res = await request(req.url, {
        method: 'POST',
        headers: { 'user-agent': 'TelemetryFlow-Alerting', ...req.headers },
        body: req.body,
        dispatcher: this.agent,
      });
      await res.body.dump({ limit: 64 * 1024 });
      const verdict = verdictOf(res.statusCode, res.headers['retry-after'], this.cfg.now());
      if (verdict.kind !== 'delivered')
        this.cfg.log(`notification to ${new URL(req.url).origin}: HTTP ${res.statusCode}`);
      return { status: res.statusCode, verdict };
    } catch (err) {
      this.cfg.log(`notification to ${new URL(req.url).origin} failed: ${errorDetail(err)}`);
      if (err instanceof BlockedAddressError || (err as { cause?: unknown }).cause instanceof BlockedAddressError) {
        return { status: null, verdict: { kind: 'permanent', error: DELIVERY_FAILED.notAllowed } };
      }
      const code = (err as { code?: string }).code;
      return {
        status: null,
        verdict: {
          kind: 'retry',
          retryAfterMs: null,
          error: code && NO_ANSWER_CODES.has(code) ? DELIVERY_FAILED.noAnswer : DELIVERY_FAILED.unreachable,
        },
      };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
