/** One push from a job: `ok` false when the job reported its own failure. */
export interface Beat {
  atMs: number;
  ok: boolean;
}

export type HeartbeatState = 'pending' | 'up' | 'late' | 'down';

export interface HeartbeatInput {
  beats: readonly Beat[];
  /** How often the job beats. */
  intervalMs: number;
  /** How late a beat may be before the monitor is down. */
  graceMs: number;
  /** When the monitor was created (or last resumed): the wait for a first beat starts here. */
  sinceMs: number;
  nowMs: number;
}

export interface HeartbeatVerdict {
  state: HeartbeatState;
  lastBeatMs: number | null;
  /** When the next beat is due; down after `dueAtMs + graceMs`. */
  dueAtMs: number;
}

/**
 * A push monitor's state: up while the last beat is at most one interval old, late within
 * the grace after that, down after it or when the last beat reported a failure. Before the
 * first beat it is pending until the grace runs out, then down.
 */
export function heartbeatState(input: HeartbeatInput): HeartbeatVerdict {
  const last = input.beats.reduce<Beat | null>(
    (latest, b) => (b.atMs <= input.nowMs && (latest === null || b.atMs >= latest.atMs) ? b : latest),
    null,
  );
  const dueAtMs = (last?.atMs ?? input.sinceMs) + input.intervalMs;
  const lastBeatMs = last?.atMs ?? null;
  if (last !== null && !last.ok) return { state: 'down', lastBeatMs, dueAtMs };
  if (input.nowMs > dueAtMs + input.graceMs) return { state: 'down', lastBeatMs, dueAtMs };
  if (last === null) return { state: 'pending', lastBeatMs, dueAtMs };
  return { state: input.nowMs > dueAtMs ? 'late' : 'up', lastBeatMs, dueAtMs };
}
