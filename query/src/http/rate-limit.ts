import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { CallerRequest } from './access.js';
import { ApiError } from './api-error.js';
import { RateLimiter, type RateLimitRule } from './rate-limiter.js';

/** `login`: per client IP and per email in the body. `heavy`: per credential (API key, or user). */
export type RateLimitPolicy = 'login' | 'heavy';

export interface RateLimits {
  loginPerIp: RateLimitRule;
  loginPerEmail: RateLimitRule;
  heavy: RateLimitRule;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginPerIp: { requests: 30, perSeconds: 60 },
  loginPerEmail: { requests: 10, perSeconds: 300 },
  heavy: { requests: 120, perSeconds: 60 },
};

export const RATE_LIMITS = Symbol('RateLimits');
const RATE_LIMIT_KEY = 'tf:rateLimit';

/**
 * Limits how often one credential (or, for login, one client IP and one email) may call the
 * route: beyond it, 429 with `Retry-After`. Counted in memory per process, so N replicas
 * allow up to N times the budget.
 */
export const RateLimit = (policy: RateLimitPolicy) => SetMetadata(RATE_LIMIT_KEY, policy);

/** The rate-limit policy a route declares on its handler or controller. */
export function routeRateLimit(reflector: Reflector, targets: Parameters<Reflector['getAllAndOverride']>[1]): RateLimitPolicy | undefined {
  return reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT_KEY, targets);
}

interface LimitedRequest extends CallerRequest {
  ip?: string;
  body?: unknown;
}

/** Global guard, after the access guard (so the caller is known): enforces `@RateLimit`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly loginPerIp: RateLimiter;
  private readonly loginPerEmail: RateLimiter;
  private readonly heavy: RateLimiter;

  constructor(
    @Inject(RATE_LIMITS) limits: RateLimits,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.loginPerIp = new RateLimiter(limits.loginPerIp);
    this.loginPerEmail = new RateLimiter(limits.loginPerEmail);
    this.heavy = new RateLimiter(limits.heavy);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const policy = routeRateLimit(this.reflector, [ctx.getHandler(), ctx.getClass()]);
    if (policy === undefined) return true;
    const req = ctx.switchToHttp().getRequest<LimitedRequest>();
    const now = Date.now();
    let wait: number;
    if (policy === 'login') {
      wait = this.loginPerIp.take(`ip:${req.ip ?? ''}`, now);
      const email = loginEmail(req.body);
      if (wait === 0 && email !== undefined) wait = this.loginPerEmail.take(`email:${email}`, now);
    } else {
      const caller = req.caller;
      wait = this.heavy.take(caller?.keyId ? `key:${caller.keyId}` : caller?.userId ? `user:${caller.userId}` : `ip:${req.ip ?? ''}`, now);
    }
    if (wait === 0) return true;
    ctx.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>().header('retry-after', String(wait));
    throw new ApiError(429, 'rate_limited', `too many requests; retry in ${wait} s`, { retryAfterSeconds: wait });
  }
}

/** Longest valid address; the guard runs before validation, so a longer one must not grow the key space. */
const MAX_EMAIL_LENGTH = 320;

function loginEmail(body: unknown): string | undefined {
  const email = typeof body === 'object' && body !== null ? (body as { email?: unknown }).email : undefined;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, MAX_EMAIL_LENGTH) : undefined;
}
