/**
 * Failed logins slow down further attempts for the same email from the same client address:
 * the first `freeFailures` cost nothing, then each one doubles the wait before the next
 * attempt (1 s, 2 s, 4 s … up to `maxDelaySeconds`). Nobody is ever locked out: a wait never
 * exceeds the maximum, another address is not slowed at all, and a success or
 * `forgetAfterSeconds` without failures starts the pair afresh.
 */
export interface LoginSlowdown {
  freeFailures: number;
  maxDelaySeconds: number;
  forgetAfterSeconds: number;
}

export const DEFAULT_LOGIN_SLOWDOWN: LoginSlowdown = {
  freeFailures: 5,
  maxDelaySeconds: 60,
  forgetAfterSeconds: 15 * 60,
};

/** Failures by email × address, in memory; the least recently failed pair is dropped first beyond `maxKeys`. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; lastMs: number }>();

  constructor(
    private readonly rule: LoginSlowdown,
    private readonly maxKeys = 100_000,
  ) {
    if (!(rule.freeFailures >= 0 && rule.maxDelaySeconds >= 1 && rule.forgetAfterSeconds >= rule.maxDelaySeconds)) {
      throw new Error(`invalid login slowdown ${JSON.stringify(rule)}`);
    }
  }

  /** Whole seconds this email must still wait before its next attempt from this address; 0: it may try now. */
  wait(email: string, address: string, nowMs: number): number {
    const f = this.current(email, address, nowMs);
    if (!f || f.count < this.rule.freeFailures) return 0;
    const delayMs = Math.min(2 ** (f.count - this.rule.freeFailures), this.rule.maxDelaySeconds) * 1000;
    return Math.max(0, Math.ceil((f.lastMs + delayMs - nowMs) / 1000));
  }

  failed(email: string, address: string, nowMs: number): void {
    const key = pairKey(email, address);
    const count = (this.current(email, address, nowMs)?.count ?? 0) + 1;
    this.failures.delete(key);
    this.failures.set(key, { count, lastMs: nowMs });
    if (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
  }

  succeeded(email: string, address: string): void {
    this.failures.delete(pairKey(email, address));
  }

  private current(email: string, address: string, nowMs: number): { count: number; lastMs: number } | undefined {
    const f = this.failures.get(pairKey(email, address));
    return f && nowMs - f.lastMs < this.rule.forgetAfterSeconds * 1000 ? f : undefined;
  }
}

const pairKey = (email: string, address: string) => `${address} ${email}`;
