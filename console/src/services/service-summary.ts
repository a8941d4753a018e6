import type { EntrySpansName, RedPointDto, ServiceDto } from '@telemetryflow/contract';
import type { TimeWindow } from '../time/time-range.js';

/** What a service's rate, error rate and latency are over (DESIGN: a service's RED is over its entry spans). */
export const ENTRY_SPANS = 'entry spans: server and consumer spans, or root spans for services without them';
export const ENTRY_SPANS_HINT = `Over ${ENTRY_SPANS}.`;

/** Which spans a row's RED is over, in a word or two; '' for the usual server and consumer spans. */
export function entrySpansNote(entrySpans: EntrySpansName): string {
  return entrySpans === 'root' ? 'root spans' : entrySpans === 'none' ? 'no entry spans' : '';
}

/** One row of the services table. */
export interface ServiceSummary {
  name: string;
  spanCount: number;
  requestCount: number;
  /** Requests (entry spans) per second over the window. */
  rate: number;
  errorRate: number | null;
  p95Ms: number | null;
  entrySpans: EntrySpansName;
  /** Requests per second of each step, for the sparkline. */
  trend: number[];
}

export function summarize(service: ServiceDto, window: TimeWindow, red: RedPointDto[] | null): ServiceSummary {
  const seconds = Math.max((window.to - window.from) / 1000, 1);
  return {
    name: service.name,
    spanCount: service.spanCount,
    requestCount: service.requestCount,
    rate: service.requestCount / seconds,
    errorRate: service.requestCount > 0 ? service.errorCount / service.requestCount : null,
    p95Ms: service.p95Ms,
    entrySpans: service.entrySpans,
    trend: (red ?? []).map((p) => p.rate),
  };
}
