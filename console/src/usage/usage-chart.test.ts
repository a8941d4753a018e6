import { describe, expect, it } from 'vitest';
import { usageOption, usageTotals } from './usage-chart.js';

const usage = {
  step: 3600,
  points: [
    { time: '2026-12-07T10:00:00.000Z', signal: 'traces', kind: 'accepted', requests: 2, items: 30, bytes: 900 },
    {
      time: '2026-12-07T10:00:00.000Z',
      signal: 'traces',
      kind: 'refused',
      reason: 'quota' as const,
      requests: 1,
      items: 0,
      bytes: 50,
    },
    { time: '2026-12-07T11:00:00.000Z', signal: 'traces', kind: 'accepted', requests: 1, items: 5, bytes: 100 },
  ],
};

const withStored = {
  step: 3600,
  points: [
    ...usage.points,
    { time: '2026-12-07T10:00:00.000Z', signal: 'traces', kind: 'stored', requests: 0, items: 30, bytes: 2000 },
    { time: '2026-12-07T11:00:00.000Z', signal: 'traces', kind: 'stored', requests: 0, items: 35, bytes: 2300 },
  ],
};

describe('usage chart', () => {
  it('stacks one series per signal, kind and reason with the chosen measure', () => {
    const option = usageOption(usage, 'items') as {
      series: { name: string; stack: string; data: [number, number][] }[];
    };
    expect(option.series.map((s) => s.name)).toEqual(['traces accepted', 'traces refused (quota)']);
    expect(option.series[0]!.data).toEqual([
      [Date.parse('2026-12-07T10:00:00.000Z'), 30],
      [Date.parse('2026-12-07T11:00:00.000Z'), 5],
    ]);
    expect(option.series[1]!.stack).toBe('items');
  });

  it('shows stored bytes as a line, and its latest measurement as the total', () => {
    const option = usageOption(withStored, 'bytes') as { series: { name: string; type: string; stack?: string }[] };
    expect(option.series.find((s) => s.name === 'traces stored')).toMatchObject({ type: 'line' });
    expect(option.series.find((s) => s.name === 'traces stored')!.stack).toBeUndefined();
    expect(usageTotals(withStored).find((t) => t.name === 'traces stored')).toEqual({
      name: 'traces stored',
      requests: 0,
      items: 35,
      bytes: 2300,
    });
  });

  it('totals each signal and kind over the range', () => {
    expect(usageTotals(usage)).toEqual([
      { name: 'traces accepted', requests: 3, items: 35, bytes: 1000 },
      { name: 'traces refused (quota)', requests: 1, items: 0, bytes: 50 },
    ]);
  });
});
