import { describe, expect, it } from 'vitest';
import {
  heatmapAxes,
  heatmapStepSeconds,
  traceHeatmapOption,
  traceScatterOption,
  traceSelection,
} from './trace-chart.js';

const trace = {
  traceId: 'ab'.repeat(16),
  rootServiceName: 'shop',
  rootName: 'GET /checkout',
  startTimeUnixNano: '1764000000000000000',
  durationNs: '400000000',
  spanCount: 2,
  errorCount: 1,
};

describe('trace chart', () => {
  it('tooltips name the trace, its duration and start: never "undefined"', () => {
    const scatter = traceScatterOption([trace]) as {
      tooltip: { formatter: (p: unknown) => string };
      series: { data: { value: unknown[] }[] }[];
    };
    const text = scatter.tooltip.formatter({ value: scatter.series[0]!.data[0]!.value });
    expect(text).toContain('shop: GET /checkout');
    expect(text).toContain('400 ms');
    expect(text).not.toContain('undefined');
    const cells = [{ t: 1_764_000_000_000, band: 8, count: 3, errors: 1 }];
    const axes = heatmapAxes(cells, 60_000, { from: 1_764_000_000_000 - 120_000, to: 1_764_000_000_000 });
    const heat = traceHeatmapOption(cells, axes, 'utc') as { tooltip: { formatter: (p: unknown) => string } };
    const cell = heat.tooltip.formatter({ value: [2, 0, 3, 1] });
    expect(cell).toBe('16:00:00Z<br/>256 ms – 512 ms: 3 traces, 1 failed');
  });

  it('spans the whole range: a column per step, a row per duration band between the extremes', () => {
    const axes = heatmapAxes(
      [
        { t: 0, band: 2, count: 1, errors: 0 },
        { t: 60_000, band: 5, count: 1, errors: 0 },
      ],
      60_000,
      { from: 0, to: 180_000 },
    );
    expect(axes).toEqual({ times: [0, 60_000, 120_000, 180_000], bands: [2, 3, 4, 5] });
    expect(heatmapStepSeconds({ from: 0, to: 3_600_000 })).toBe(60);
    expect(heatmapStepSeconds({ from: 0, to: 7 * 86_400_000 })).toBe(21_600);
  });

  it('turns a dragged rectangle into a time span and a duration span', () => {
    expect(
      traceSelection(
        [
          [1000.2, 5000.7],
          [12.3456, 400.5],
        ],
        null,
      ),
    ).toEqual({
      from: 1000,
      to: 5001,
      minDurationMs: 12.345,
      maxDurationMs: 400.5,
    });
    const axes = { times: [0, 60_000, 120_000], bands: [2, 3, 4] };
    expect(
      traceSelection(
        [
          [0.6, 1.2],
          [0, 1],
        ],
        { axes, stepMs: 60_000 },
      ),
    ).toEqual({
      from: 60_000,
      to: 120_000,
      minDurationMs: 4,
      maxDurationMs: 16,
    });
    expect(traceSelection(undefined, null)).toBeNull();
  });
});
