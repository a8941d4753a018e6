import type { RedPointDto, ServiceDto } from '@telemetryflow/schemas';
import type { TimeWindow } from '../time/time-range.js';

/** One row of the services table. */
export interface ServiceSummary {
  name: string;
  spanCount: number;
  /** Spans per second over the window. */
  rate: number;
  errorRate: number | null;
  /** The highest per-step p95 of the window (null until its series arrived, or without spans). */
  p95PeakMs: number | null;
  /** Spans per second of each step, for the sparkline. */
  trend: number[];
}

export function summarize(service: ServiceDto, window: TimeWindow, red: RedPointDto[] | null): ServiceSummary {
  const seconds = Math.max((window.to - window.from) / 1000, 1);
  const p95s = (red ?? []).map((p) => p.p95Ms).filter((v): v is number => v !== null);
  return {
    name: service.name,
    spanCount: service.spanCount,
    rate: service.spanCount / seconds,
    errorRate: service.spanCount > 0 ? service.errorCount / service.spanCount : null,
    p95PeakMs: p95s.length > 0 ? Math.max(...p95s) : null,
    trend: (red ?? []).map((p) => p.rate),
  };
}
