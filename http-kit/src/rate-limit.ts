import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { CallerRequest } from './access.js';
import { ApiError } from './api-error.js';
import { RateLimiter, type RateLimitRule } from './rate-limiter.js';

/**
 * `login`: per client IP (failures of one email from one address slow down on their own, see
 * LoginThrottle). `heavy` (searches and other reads of raw rows) and `suggestions` (attribute
 * keys and values, asked for while typing): per credential (API key, or user), each its own budget.
 */
export type RateLimitPolicy = 'login' | 'heavy' | 'suggestions';

export interface RateLimits {
  loginPerIp: RateLimitRule;
  heavy: RateLimitRule;
  suggestions: RateLimitRule;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  loginPerIp: { requests: 30, perSeconds: 60 },
  heavy: { requests: 120, perSeconds: 60 },
  suggestions: { requests: 600, perSeconds: 60 },
};

export const RATE_LIMITS = Symbol('RateLimits');
const RATE_LIMIT_KEY = 'tf:rateLimit';

/** The 429 answer: `Retry-After` on the response and in the error's details. */
export function rateLimited(reply: { header(name: string, value: string): unknown }, waitSeconds: number): ApiError {
  reply.header('retry-after', String(waitSeconds));
  return new ApiError(429, 'rate_limited', `too many requests; retry in ${waitSeconds} s`, {
    retryAfterSeconds: waitSeconds,
  });
}

/**
 * Limits how often one credential (or, for login, one client IP) may call the route: beyond
 * it, 429 with `Retry-After`. Counted in memory per process, so N replicas allow up to N
 * times the budget.
 */
export const RateLimit = (policy: RateLimitPolicy) => SetMetadata(RATE_LIMIT_KEY, policy);

/** The rate-limit policy a route declares on its handler or controller. */
export function routeRateLimit(
  reflector: Reflector,
  targets: Parameters<Reflector['getAllAndOverride']>[1],
): RateLimitPolicy | undefined {
  return reflector.getAllAndOverride<RateLimitPolicy | undefined>(RATE_LIMIT_KEY, targets);
}

interface LimitedRequest extends CallerRequest {
  ip?: string;
}

/** Global guard, after the access guard (so the caller is known): enforces `@RateLimit`. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly loginPerIp: RateLimiter;
  private readonly perCredential: Record<'heavy' | 'suggestions', RateLimiter>;

  constructor(
    @Inject(RATE_LIMITS) limits: RateLimits,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.loginPerIp = new RateLimiter(limits.loginPerIp);
    this.perCredential = { heavy: new RateLimiter(limits.heavy), suggestions: new RateLimiter(limits.suggestions) };
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
    } else {
      const caller = req.caller;
      wait = this.perCredential[policy].take(
        caller?.keyId ? `key:${caller.keyId}` : caller?.userId ? `user:${caller.userId}` : `ip:${req.ip ?? ''}`,
        now,
      );
    }
    if (wait === 0) return true;
    throw rateLimited(ctx.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>(), wait);
  }
}
