import type { InstanceState, Transition } from '../evaluation/state-machine.js';

export interface NotificationTiming {
  /** How long a new firing alert waits before its first notification. */
  groupWaitMs: number;
  /** How often a still-firing alert is notified again. */
  repeatIntervalMs: number;
}

export interface NotificationDecision {
  groupKey: string;
  kind: 'firing' | 'resolved';
  /** A silence or maintenance window covers it: recorded, not sent. */
  suppressed: boolean;
}

export interface NotificationPlan {
  decisions: NotificationDecision[];
  /** When each group was last notified as firing, after this plan (null: never, or resolved since). */
  lastNotifiedMs: Map<string, number | null>;
}

/**
 * What to send after one evaluation: a firing alert is notified once it has fired for
 * `groupWaitMs`, then again every `repeatIntervalMs`; a resolve is sent once, and only for
 * alerts whose firing was notified — also under a silence, so no incident stays open at
 * the receiver. A silenced firing alert is not marked notified, so it is notified when the
 * silence ends while it still fires.
 */
export function planNotifications(
  instances: ReadonlyMap<string, InstanceState>,
  transitions: readonly Transition[],
  lastNotifiedMs: ReadonlyMap<string, number | null>,
  timing: NotificationTiming,
  nowMs: number,
  silenced: (labels: Record<string, string>) => boolean,
): NotificationPlan {
  const next = new Map(lastNotifiedMs);
  const decisions: NotificationDecision[] = [];
  for (const t of transitions) {
    if (t.to !== 'resolved' || (lastNotifiedMs.get(t.groupKey) ?? null) === null) continue;
    decisions.push({ groupKey: t.groupKey, kind: 'resolved', suppressed: false });
    next.set(t.groupKey, null);
  }
  for (const [key, inst] of instances) {
    if (inst.state !== 'firing') continue;
    const last = lastNotifiedMs.get(key) ?? null;
    const due = last === null ? nowMs - inst.firedAtMs! >= timing.groupWaitMs : nowMs - last >= timing.repeatIntervalMs;
    if (!due) continue;
    const suppressed = silenced(inst.labels);
    decisions.push({ groupKey: key, kind: 'firing', suppressed });
    if (!suppressed) next.set(key, nowMs);
  }
  return { decisions, lastNotifiedMs: next };
}
