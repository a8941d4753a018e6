import { describe, expect, it } from 'vitest';
import { draftOf, quotasOf } from './quota-form.js';

describe('quota form', () => {
  it('round-trips quotas; empty fields are left out (unlimited)', () => {
    const quotas = { ingestItemsPerSecond: { traces: 100 }, maxConcurrentQueries: 4, maxActiveSeries: 50_000 };
    const draft = draftOf(quotas);
    expect(draft.ingestItemsPerSecond).toEqual({ traces: 100, metrics: null, logs: null });
    expect(draft.dailyItems).toEqual({ traces: null, metrics: null, logs: null });
    expect(quotasOf(draft)).toEqual(quotas);
    draft.dailyItems.logs = 5000;
    draft.maxConcurrentQueries = null;
    expect(quotasOf(draft)).toEqual({
      ingestItemsPerSecond: { traces: 100 },
      dailyItems: { logs: 5000 },
      maxActiveSeries: 50_000,
    });
  });
});
