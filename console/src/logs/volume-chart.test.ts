import { describe, expect, it } from 'vitest';
import { volumeOption } from './volume-chart.js';

describe('log volume chart', () => {
  it('stacks one series per severity present, in severity order', () => {
    const option = volumeOption([
      { t: 0, total: 3, bySeverity: { ERROR: 1, INFO: 2 } },
      { t: 60_000, total: 1, bySeverity: { NOTICE: 1 } },
    ]) as { series: { name: string; data: [number, number][] }[] };
    expect(option.series.map((s) => s.name)).toEqual(['INFO', 'ERROR', 'NOTICE']);
    expect(option.series[0]!.data).toEqual([
      [0, 2],
      [60_000, 0],
    ]);
  });
});
