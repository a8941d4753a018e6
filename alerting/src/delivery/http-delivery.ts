import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { AddressGuard } from './address-guard.js';
import type { OutboundRequest } from './channel-messages.js';
import { backoffMs, verdictOf, type AttemptVerdict } from './delivery-outcome.js';

export interface DeliveryConfig {
  guard: AddressGuard;
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
  | { delivered: false; permanent: boolean; status: number | null; attempts: number; error: string; retryAfterMs: number | null };

class BlockedAddressError extends Error {
  readonly code = 'TF_BLOCKED_ADDRESS';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

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
      connectTimeoutMs: 5000, requestTimeoutMs: 10_000, maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: Math.random, now: Date.now, ...cfg,
    };
    const guard = cfg.guard;
    const lookup = (hostname: string, options: { all?: boolean }, cb: LookupCallback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return cb(err, []);
        const blocked = addresses.map((a) => guard.check(a.address)).find((why) => why !== null);
        if (blocked) return cb(new BlockedAddressError(`${hostname} resolves to a blocked address: ${blocked}`), []);
        if (options.all) return cb(null, addresses);
        cb(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    const connect = buildConnector({ timeout: this.cfg.connectTimeoutMs, lookup } as buildConnector.BuildOptions);
    this.agent = new Agent({
      connect: (opts, cb) => {
        const host = opts.hostname.replace(/^\[|\]$/g, '');
        const why = isIP(host) !== 0 ? guard.check(host) : null;
        if (why) return cb(new BlockedAddressError(`blocked target: ${why}`), null);
        connect(opts, cb);
      },
      headersTimeout: this.cfg.requestTimeoutMs,
      bodyTimeout: this.cfg.requestTimeoutMs,
      connections: 16,
    });
  }

  /** One request, retried with backoff and jitter on 429 / 5xx / network errors. */
  async send(req: OutboundRequest): Promise<DeliveryResult> {
    let last: { status: number | null; verdict: AttemptVerdict } = { status: null, verdict: { kind: 'permanent', error: 'not attempted' } };
    for (let attempt = 1; attempt <= this.cfg.maxAttempts; attempt++) {
      last = await this.attempt(req);
      const v = last.verdict;
      if (v.kind === 'delivered') return { delivered: true, status: last.status!, attempts: attempt };
      if (v.kind === 'permanent') return { delivered: false, permanent: true, status: last.status, attempts: attempt, error: v.error, retryAfterMs: null };
      if (attempt === this.cfg.maxAttempts) break;
      if (v.retryAfterMs !== null && v.retryAfterMs > this.cfg.maxDelayMs) {
        return { delivered: false, permanent: false, status: last.status, attempts: attempt, error: v.error, retryAfterMs: v.retryAfterMs };
      }
      await this.cfg.sleep(v.retryAfterMs ?? backoffMs(attempt, this.cfg.baseDelayMs, this.cfg.maxDelayMs, this.cfg.random));
    }
    const v = last.verdict;
    return { delivered: false, permanent: false, status: last.status, attempts: this.cfg.maxAttempts, error: v.kind === 'retry' ? v.error : 'failed', retryAfterMs: v.kind === 'retry' ? v.retryAfterMs : null };
  }

  private async attempt(req: OutboundRequest): Promise<{ status: number | null; verdict: AttemptVerdict }> {
    try {
      const res = await request(req.url, { method: 'POST', headers: { 'user-agent': 'TelemetryFlow-Alerting', ...req.headers }, body: req.body, dispatcher: this.agent });
      await res.body.dump({ limit: 64 * 1024 });
      return { status: res.statusCode, verdict: verdictOf(res.statusCode, res.headers['retry-after'], this.cfg.now()) };
    } catch (err) {
      if (err instanceof BlockedAddressError || (err as { cause?: unknown }).cause instanceof BlockedAddressError) {
        return { status: null, verdict: { kind: 'permanent', error: (err instanceof BlockedAddressError ? err : ((err as { cause: Error }).cause)).message } };
      }
      const code = (err as { code?: string }).code;
      return { status: null, verdict: { kind: 'retry', retryAfterMs: null, error: `network error${code ? ` ${code}` : ''}` } };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
