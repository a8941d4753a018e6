// When each monitor's next check is due: pure, so it is tested with a fake clock. Each
// monitor has fixed slots (its interval, shifted by a per-monitor offset derived from its
// id), so a thousand monitors with the same interval spread over it instead of firing
// together, and every replica or restart computes the same slots.

export interface ScheduleEntry {
  id: string;
  intervalMs: number;
  /** Set while failures are retried: the next check comes this soon after the last. */
  retryIntervalMs: number | null;
  /** When the last check started; null before the first. */
  lastRunMs: number | null;
}

/** FNV-1a (32-bit) of the id: stable across processes and releases. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

/** Where in its interval a monitor's slots lie (0 ≤ offset < interval). */
export function slotOffsetMs(id: string, intervalMs: number): number {
  return hash32(id) % intervalMs;
}

function slotAtOrBefore(t: number, offset: number, interval: number): number {
  return t - ((((t - offset) % interval) + interval) % interval);
}

/**
 * When the monitor is next due: at once before its first check; else at its next slot
 * (never less than half an interval after the last check, so a first or late check is not
 * followed at once by another), or after the retry interval when that is sooner.
 */
export function nextRunMs(m: ScheduleEntry, nowMs: number): number {
  if (m.lastRunMs === null) return nowMs;
  let slot = slotAtOrBefore(m.lastRunMs, slotOffsetMs(m.id, m.intervalMs), m.intervalMs) + m.intervalMs;
  if (slot - m.lastRunMs < m.intervalMs / 2) slot += m.intervalMs;
  return m.retryIntervalMs === null ? slot : Math.min(slot, m.lastRunMs + m.retryIntervalMs);
}

/** The monitors due at `nowMs`, most overdue first (a missed slot is checked once, not caught up). */
export function dueMonitors<T extends ScheduleEntry>(monitors: readonly T[], nowMs: number): T[] {
  return monitors
    .map((m) => ({ m, at: nextRunMs(m, nowMs) }))
    .filter((x) => x.at <= nowMs)
    .sort((a, b) => a.at - b.at)
    .map((x) => x.m);
}
