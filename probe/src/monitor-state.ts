export type MonitorStatus = 'pending' | 'up' | 'down';

/** What the probe remembers of a monitor between checks. */
export interface MonitorState {
  status: MonitorStatus;
  /** Failed checks in a row (0 after any success). */
  consecutiveFailures: number;
  /** When the status last changed (ms). */
  sinceMs: number;
}

export function initialMonitorState(nowMs: number): MonitorState {
  return { status: 'pending', consecutiveFailures: 0, sinceMs: nowMs };
}

/** Failures in a row are being retried: the monitor is not down (yet) but its next check comes at the retry interval. */
export function isRetrying(state: MonitorState): boolean {
  return state.consecutiveFailures > 0 && state.status !== 'down';
}

/**
 * The state after one check: one success makes the monitor up; it goes down only when
 * more than `retries` checks in a row failed (retries 0: the first failure). While the
 * failures are retried the status stays what it was.
 */
export function nextMonitorState(
  prev: MonitorState,
  check: { up: boolean; atMs: number },
  retries: number,
): { state: MonitorState; changed: boolean } {
  const failures = check.up ? 0 : prev.consecutiveFailures + 1;
  const status: MonitorStatus = check.up ? 'up' : failures > retries ? 'down' : prev.status;
  const changed = status !== prev.status;
  return { state: { status, consecutiveFailures: failures, sinceMs: changed ? check.atMs : prev.sinceMs }, changed };
}
