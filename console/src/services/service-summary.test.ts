import type { RedPointDto } from '@telemetryflow/schemas';
import { describe, expect, it } from 'vitest';
import { summarize } from './service-summary.js';

const point = (t: number, rate: number, p95Ms: number | null): RedPointDto => ({ t, count: rate * 60, errorCount: 0, rate, errorRate: 0, p50Ms: null, p95Ms, p99Ms: null });

describe('service summary', () => {
  it('derives rate, error rate and the trend', () => {
    const s = summarize({ name: 'api', spanCount: 7200, errorCount: 72 }, { from: 0, to: 3_600_000 }, [point(0, 1, 20), point(60_000, 3, 45), point(120_000, 0, null)], 38);
    expect(s).toEqual({ name: 'api', spanCount: 7200, rate: 2, errorRate: 0.01, p95Ms: 38, trend: [1, 3, 0] });
  });

  it('has no error rate without spans, and no trend without series', () => {
    const s = summarize({ name: 'idle', spanCount: 0, errorCount: 0 }, { from: 0, to: 1000 }, null, null);
    expect(s.errorRate).toBeNull();
    expect(s.trend).toEqual([]);
  });
});
