import type { ComponentStatus, IncidentImpact, Severity, UptimeDayDto } from '@telemetryflow/contract';

const RANK: Record<ComponentStatus, number> = {
  operational: 0,
  maintenance: 1,
  degraded: 2,
  partial_outage: 3,
  major_outage: 4,
};
const DAY_MS = 86_400_000;

export function worst(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/** What a firing rule of a severity does to the components bound to it. */
export function impactOfSeverity(severity: Severity): IncidentImpact {
  return severity === 'critical' ? 'major_outage' : severity === 'warning' ? 'partial_outage' : 'degraded';
}

export interface IncidentSpan {
  /** Null: the whole page. */
  componentId: string | null;
  impact: IncidentImpact;
  startedAtMs: number;
  /** Null while open; for maintenance, its planned end. */
  resolvedAtMs: number | null;
}

const affects = (i: IncidentSpan, componentId: string) => i.componentId === null || i.componentId === componentId;
const overlaps = (i: IncidentSpan, from: number, to: number) =>
  i.startedAtMs < to && (i.resolvedAtMs === null || i.resolvedAtMs > from);

/** A hand-set status wins; else the worst impact of the incidents open now; else operational. */
export function componentStatus(
  componentId: string,
  manual: ComponentStatus | null,
  incidents: readonly IncidentSpan[],
  nowMs: number,
): ComponentStatus {
  if (manual !== null) return manual;
  return incidents
    .filter(
      (i) => affects(i, componentId) && i.startedAtMs <= nowMs && (i.resolvedAtMs === null || i.resolvedAtMs > nowMs),
    )
    .reduce<ComponentStatus>((s, i) => worst(s, i.impact), 'operational');
}

/** Milliseconds of [from, to) covered by partial or major outages (overlaps counted once). */
export function outageMs(incidents: readonly IncidentSpan[], from: number, to: number): number {
  const spans = incidents
    .filter((i) => (i.impact === 'partial_outage' || i.impact === 'major_outage') && overlaps(i, from, to))
    .map((i) => [Math.max(from, i.startedAtMs), Math.min(to, i.resolvedAtMs ?? to)] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = from;
  for (const [s, e] of spans) {
    const start = Math.max(s, end);
    if (e > start) total += e - start;
    end = Math.max(end, e);
  }
  return total;
}

/**
 * One bar per UTC day for the last `days` days up to `nowMs`: the day's worst impact and its
 * outage minutes. Days before the component existed are `none`.
 */
export function uptimeDays(
  componentId: string,
  incidents: readonly IncidentSpan[],
  createdAtMs: number,
  nowMs: number,
  days = 90,
): UptimeDayDto[] {
  const mine = incidents.filter((i) => affects(i, componentId));
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const out: UptimeDayDto[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const start = today - d * DAY_MS;
    const end = Math.min(start + DAY_MS, nowMs);
    const date = new Date(start).toISOString().slice(0, 10);
    if (end <= createdAtMs) {
      out.push({ date, status: 'none', outageMinutes: 0 });
      continue;
    }
    const from = Math.max(start, createdAtMs);
    const status = mine
      .filter((i) => overlaps(i, from, end))
      .reduce<ComponentStatus>((s, i) => worst(s, i.impact), 'operational');
    out.push({ date, status, outageMinutes: Math.round(outageMs(mine, from, end) / 60_000) });
  }
  return out;
}

/** Share of the time since `max(created, now - days)` without partial or major outage, in percent (3 decimals). */
export function uptimePercent(
  componentId: string,
  incidents: readonly IncidentSpan[],
  createdAtMs: number,
  nowMs: number,
  days = 90,
): number | null {
  const from = Math.max(createdAtMs, Math.floor(nowMs / DAY_MS) * DAY_MS - (days - 1) * DAY_MS);
  if (nowMs <= from) return null;
  const down = outageMs(
    incidents.filter((i) => affects(i, componentId)),
    from,
    nowMs,
  );
  return Math.round((1 - down / (nowMs - from)) * 100_000) / 1000;
}
