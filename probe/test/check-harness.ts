// Runs a check the way the probe does: the monitor parsed by its schema (defaults applied),
// then runCheck within the monitor's timeout.
import { AddressGuard, parseCidrs, type Resolve } from '@telemetryflow/alerting';
import { durationMs } from '@telemetryflow/contract/alerting';
import { MonitorInputSchema, runCheck, type ActiveCheck, type CheckContext, type CheckResult } from '../src/index.js';

/** Loopback 127.0.0.1 is allowed (the test servers live there); every other private range is refused. */
export const LOOPBACK_ALLOWED = new AddressGuard(parseCidrs('127.0.0.1/32'));
/** The guard as shipped: nothing private allowed. */
export const DEFAULT_GUARD = new AddressGuard();

export interface Checker {
  (check: Record<string, unknown>, monitor?: Record<string, unknown>): Promise<CheckResult>;
  logged: string[];
}

export function checker(ctx: Partial<CheckContext> & { resolve?: Resolve } = {}): Checker {
  const logged: string[] = [];
  const run = async (check: Record<string, unknown>, monitor: Record<string, unknown> = {}) => {
    const m = MonitorInputSchema.parse({ name: 'test', ...monitor, check });
    return runCheck(
      m.check as ActiveCheck,
      { guard: LOOPBACK_ALLOWED, log: (msg) => logged.push(msg), ...ctx },
      {
        monitorId: 'mon-1',
        location: 'test',
        timeoutMs: durationMs(m.timeout),
        atMs: Date.now(),
      },
    );
  };
  return Object.assign(run, { logged });
}
