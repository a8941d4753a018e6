import type { RedPointDto, ServiceDto } from '@telemetryflow/schemas';
import type { TimeWindow } from '../time/time-range.js';

/** One row of the services table. */
export interface ServiceSummary {
  name: string;
  spanCount: number;
  /** Spans per second over the window. */
  rate: number;
  errorRate: number | null;
  /** p95 over the window (from the service map), null without spans. */
  p95Ms: number | null;
  /** Spans per second of each step, for the sparkline. */
  trend: number[];
}

export function summarize(service: ServiceDto, window: TimeWindow, red: RedPointDto[] | null, p95Ms: number | null): ServiceSummary {
  const seconds = Math.max((window.to - window.from) / 1000, 1);
  return {
    name: service.name,
    spanCount: service.spanCount,
    rate: service.spanCount / seconds,
    errorRate: service.spanCount > 0 ? service.errorCount / service.spanCount : null,
    p95Ms,
    trend: (red ?? []).map((p) => p.rate),
  };
}
