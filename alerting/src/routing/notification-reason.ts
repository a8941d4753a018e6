// Whether a group's flush notifies its receiver, as Alertmanager's dedup stage decides from
// the notification log: the firing and resolved alerts last notified, and when.

export type NotifyReason =
  | 'first notification'
  | 'new alerts added'
  | 'some alerts resolved'
  | 'all alerts resolved'
  | 'repeat interval elapsed';

/** What was last notified to one receiver for one group. */
export interface NotificationLogEntry {
  firing: ReadonlySet<string>;
  resolved: ReadonlySet<string>;
  atMs: number;
}

const subset = (set: ReadonlySet<string>, of: ReadonlySet<string>) => [...set].every((x) => of.has(x));

/**
 * Null when nothing needs telling. New firing alerts are told at once; so are resolved
 * ones when the receiver takes them; all alerts resolved is told even when it does not
 * (to clear its log). Otherwise the same state is repeated once `repeatIntervalMs` has
 * passed (Alertmanager compares strictly, but its timers fire a little late, so a repeat
 * interval that is a multiple of the group interval repeats on that flush: so here too).
 */
export function notifyReason(
  entry: NotificationLogEntry | null,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  repeatIntervalMs: number,
  nowMs: number,
  sendResolved: boolean,
): NotifyReason | null {
  if (entry === null) return firing.size > 0 ? 'first notification' : null;
  if (!subset(firing, entry.firing)) return entry.firing.size === 0 ? 'first notification' : 'new alerts added';
  if (firing.size === 0) return entry.firing.size > 0 ? 'all alerts resolved' : null;
  if (sendResolved && !subset(resolved, entry.resolved)) return 'some alerts resolved';
  return entry.atMs <= nowMs - repeatIntervalMs ? 'repeat interval elapsed' : null;
}
