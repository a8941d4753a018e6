import { describe, expect, it } from 'vitest';
import { previewOption } from './preview-chart.js';

describe('rule preview chart', () => {
  it('puts each transition at its time on its group row, coloured by the new state', () => {
    const option = previewOption({
      evaluations: 10,
      transitions: [
        { time: '2026-11-25T10:00:00Z', groupKey: 'service=a', labels: {}, from: 'inactive', to: 'firing', value: 0.2 },
        { time: '2026-11-25T10:05:00Z', groupKey: '', labels: {}, from: 'firing', to: 'resolved', value: null },
      ],
    }) as {
      yAxis: { data: string[] };
      series: { data: { value: [number, string]; itemStyle: { color: string } }[] }[];
    };
    expect(option.yAxis.data).toEqual(['service=a', '(all)']);
    expect(option.series[0]!.data.map((d) => d.value)).toEqual([
      [Date.parse('2026-11-25T10:00:00Z'), 'service=a'],
      [Date.parse('2026-11-25T10:05:00Z'), '(all)'],
    ]);
    expect(option.series[0]!.data[0]!.itemStyle.color).toBe('#d03050');
  });
});
