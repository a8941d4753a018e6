import type { DataSource } from 'typeorm';

/**
 * Lockout after repeated failed sign-ins (wrong password or wrong second factor), kept in
 * Postgres so every replica enforces it: from the `threshold`th failure of an account (any
 * address) or of an address (any account), further attempts wait `baseSeconds`, doubling with
 * each further failure up to `maxSeconds`. `forgetAfterSeconds` without failures starts afresh;
 * a successful sign-in clears the account's count (the address's decays, so an attacker's own
 * account cannot reset it).
 */
export interface LockoutRule {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
  forgetAfterSeconds: number;
}

export interface LoginLockoutConfig {
  account: LockoutRule;
  address: LockoutRule;
}

export const DEFAULT_LOGIN_LOCKOUT: LoginLockoutConfig = {
  account: { threshold: 10, baseSeconds: 30, maxSeconds: 15 * 60, forgetAfterSeconds: 24 * 3600 },
  address: { threshold: 50, baseSeconds: 30, maxSeconds: 15 * 60, forgetAfterSeconds: 24 * 3600 },
};

export function validateLockoutRule(rule: LockoutRule): void {
  const ok =
    Number.isInteger(rule.threshold) &&
    rule.threshold >= 1 &&
    rule.baseSeconds >= 1 &&
    rule.maxSeconds >= rule.baseSeconds &&
    rule.forgetAfterSeconds >= rule.maxSeconds;
  if (!ok) throw new Error(`invalid login lockout ${JSON.stringify(rule)}`);
}

/** Milliseconds a subject with `failures` failures, the last at `lastMs`, must still wait at `nowMs`; 0: none. */
export function lockoutWaitMs(rule: LockoutRule, failures: number, lastMs: number, nowMs: number): number {
  if (nowMs - lastMs >= rule.forgetAfterSeconds * 1000 || failures < rule.threshold) return 0;
  const seconds = Math.min(rule.baseSeconds * 2 ** Math.min(failures - rule.threshold, 30), rule.maxSeconds);
  return Math.max(0, lastMs + seconds * 1000 - nowMs);
}

type Scope = keyof LoginLockoutConfig;

export class LoginLockout {
  constructor(
    private readonly ds: DataSource,
    private readonly cfg: LoginLockoutConfig = DEFAULT_LOGIN_LOCKOUT,
    private readonly now: () => number = Date.now,
  ) {
    validateLockoutRule(cfg.account);
    validateLockoutRule(cfg.address);
  }

  /** Whole seconds before the next attempt of this account from this address; 0: it may try now. */
  async wait(email: string, address: string): Promise<number> {
    const rows = (await this.ds.query(
      `SELECT scope, failures, last_failed_at FROM login_failures
        WHERE (scope = 'account' AND subject = $1) OR (scope = 'address' AND subject = $2)`,
      [email, address],
    )) as { scope: Scope; failures: number; last_failed_at: Date }[];
    const now = this.now();
    const waitMs = Math.max(
      0,
      ...rows.map((r) => lockoutWaitMs(this.cfg[r.scope], r.failures, r.last_failed_at.getTime(), now)),
    );
    return Math.ceil(waitMs / 1000);
  }

  /** Counts a failure against the account and the address. */
  async failed(email: string, address: string): Promise<void> {
    const now = this.now();
    for (const [scope, subject] of [
      ['account', email],
      ['address', address],
    ] as const) {
      const forgetBefore = new Date(now - this.cfg[scope].forgetAfterSeconds * 1000);
      await this.ds.query(
        `INSERT INTO login_failures (scope, subject, failures, last_failed_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (scope, subject) DO UPDATE SET
           failures = CASE WHEN login_failures.last_failed_at < $4 THEN 1 ELSE login_failures.failures + 1 END,
           last_failed_at = $3`,
        [scope, subject, new Date(now), forgetBefore],
      );
    }
    // Rows nobody failed with for a day are of no use: the table stays bounded by recent failures.
    if (Math.random() < 0.01) await this.prune();
  }

  async succeeded(email: string): Promise<void> {
    await this.ds.query(`DELETE FROM login_failures WHERE scope = 'account' AND subject = $1`, [email]);
  }

  async prune(): Promise<void> {
    const longest = Math.max(this.cfg.account.forgetAfterSeconds, this.cfg.address.forgetAfterSeconds);
    await this.ds.query(`DELETE FROM login_failures WHERE last_failed_at < $1`, [
      new Date(this.now() - longest * 1000),
    ]);
  }
}
