import type { RedPointDto, ServiceDto } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { entrySpansNote, summarize } from './service-summary.js';

const point = (t: number, rate: number, p95Ms: number | null): RedPointDto => ({
  t,
  count: rate * 60,
  errorCount: 0,
  rate,
  errorRate: 0,
  p50Ms: null,
  p95Ms,
  p99Ms: null,
});
const service = (o: Partial<ServiceDto>): ServiceDto => ({
  name: 'api',
  spanCount: 0,
  requestCount: 0,
  errorCount: 0,
  p50Ms: null,
  p95Ms: null,
  p99Ms: null,
  entrySpans: 'server_consumer',
  ...o,
});

describe('service summary', () => {
  it('rate, error rate and p95 of the requests (entry spans), not of every span', () => {
    const s = summarize(
      service({ spanCount: 151_200, requestCount: 7200, errorCount: 360, p95Ms: 289 }),
      { from: 0, to: 3_600_000 },
      [point(0, 1, 20), point(60_000, 3, 45), point(120_000, 0, null)],
    );
    expect(s).toEqual({
      name: 'api',
      spanCount: 151_200,
      requestCount: 7200,
      rate: 2,
      errorRate: 0.05,
      p95Ms: 289,
      entrySpans: 'server_consumer',
      trend: [1, 3, 0],
    });
  });

  it('has no error rate without requests, and no trend without series', () => {
    const s = summarize(service({ name: 'idle', spanCount: 10, entrySpans: 'none' }), { from: 0, to: 1000 }, null);
    expect(s.errorRate).toBeNull();
    expect(s.trend).toEqual([]);
  });

  it('says when a service is measured by its root spans', () => {
    expect(entrySpansNote('root')).toBe('root spans');
    expect(entrySpansNote('none')).toBe('no entry spans');
    expect(entrySpansNote('server_consumer')).toBe('');
  });
});
