import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Caller } from './access.js';
import { ApiError } from './api-error.js';
import { DEFAULT_RATE_LIMITS, RateLimit, RateLimitGuard } from './rate-limit.js';

class SearchRoutes {
  @RateLimit('heavy')
  search(): void {}

  @RateLimit('login')
  login(): void {}

  plain(): void {}
}

function request(handler: keyof SearchRoutes, req: { caller?: Partial<Caller>; ip?: string; body?: unknown }) {
  const headers: Record<string, string> = {};
  const ctx = {
    getType: () => 'http',
    getHandler: () => SearchRoutes.prototype[handler],
    getClass: () => SearchRoutes,
    switchToHttp: () => ({
      getRequest: () => ({ headers: {}, ...req }),
      getResponse: () => ({ header: (name: string, value: string) => (headers[name] = value) }),
    }),
  } as unknown as ExecutionContext;
  return { ctx, headers };
}

function outcome(
  guard: RateLimitGuard,
  handler: keyof SearchRoutes,
  req: Parameters<typeof request>[1],
): { allowed: boolean; retryAfter?: string; status?: number } {
  const { ctx, headers } = request(handler, req);
  try {
    return { allowed: guard.canActivate(ctx) };
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return { allowed: false, retryAfter: headers['retry-after'], status: err.status };
  }
}

const limits = {
  ...DEFAULT_RATE_LIMITS,
  heavy: { requests: 2, perSeconds: 60 },
  loginPerIp: { requests: 3, perSeconds: 60 },
};

test('heavy routes are limited per credential: one key running out leaves other keys and users alone', () => {
  const guard = new RateLimitGuard(limits, new Reflector());
  const keyA = { caller: { keyId: 'a', tenantId: 't' } };
  assert.equal(outcome(guard, 'search', keyA).allowed, true);
  assert.equal(outcome(guard, 'search', keyA).allowed, true);
  assert.deepEqual(outcome(guard, 'search', keyA), { allowed: false, retryAfter: '30', status: 429 });
  assert.equal(outcome(guard, 'search', { caller: { keyId: 'b', tenantId: 't' } }).allowed, true);
  assert.equal(outcome(guard, 'search', { caller: { userId: 'u', tenantId: 't' } }).allowed, true);
  for (let i = 0; i < 5; i++)
    assert.equal(outcome(guard, 'plain', keyA).allowed, true, 'routes without @RateLimit are not counted');
});

test('login is limited per client IP, whatever the email', () => {
  const guard = new RateLimitGuard(limits, new Reflector());
  const attempt = (ip: string, email: string) => outcome(guard, 'login', { ip, body: { email } }).allowed;
  assert.equal(attempt('10.0.0.1', 'ann@x.io'), true);
  assert.equal(attempt('10.0.0.1', 'bob@x.io'), true);
  assert.equal(attempt('10.0.0.1', 'carl@x.io'), true);
  assert.equal(attempt('10.0.0.1', 'dave@x.io'), false, 'the fourth attempt from one address');
  for (let i = 0; i < 5; i++)
    assert.equal(
      attempt(`10.0.1.${i}`, 'ann@x.io'),
      true,
      'one email from many addresses is not limited here (see LoginThrottle)',
    );
});
