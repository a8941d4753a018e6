import type { UptimeDto } from '@telemetryflow/contract/monitors';
import { describe, expect, it } from 'vitest';
import {
  bucketLabel,
  DEGRADED_COLOUR,
  DOWN_COLOUR,
  latencyTrend,
  NO_DATA_COLOUR,
  responseTimeOption,
  UP_COLOUR,
  uptimeBarsOption,
  uptimeColour,
} from './monitor-charts.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');
function uptime(stepSeconds: number, buckets: [number | null, number | null][]): UptimeDto {
  return {
    from: new Date(T0).toISOString(),
    to: new Date(T0 + buckets.length * stepSeconds * 1000).toISOString(),
    stepSeconds,
    buckets: buckets.map(([up, avg], i) => ({
      start: new Date(T0 + i * stepSeconds * 1000).toISOString(),
      checks: up === null ? 0 : 10,
      up,
      avgLatencyMs: avg,
      p95LatencyMs: avg === null ? null : avg * 2,
    })),
    up: null,
    checks: 0,
  };
}

describe('monitor charts', () => {
  it('colours a bucket by its share of up checks', () => {
    expect([1, 0.97, 0.5, 0, null].map(uptimeColour)).toEqual([
      UP_COLOUR,
      DEGRADED_COLOUR,
      DOWN_COLOUR,
      DOWN_COLOUR,
      NO_DATA_COLOUR,
    ]);
  });

  it('charts average and p95 response time and shades the buckets with failed checks', () => {
    const option = responseTimeOption(
      uptime(30, [
        [1, 20],
        [0.5, 40],
        [null, null],
      ]),
    ) as { series: { name: string; data: unknown[]; showSymbol: boolean; markArea?: { data: unknown[] } }[] };
    expect(option.series.map((s) => s.name)).toEqual(['average', 'p95']);
    expect(option.series[0]!.data).toEqual([
      [T0, 20],
      [T0 + 30_000, 40],
      [T0 + 60_000, null],
    ]);
    expect(option.series[1]!.data[1]).toEqual([T0 + 30_000, 80]);
    expect(option.series[0]!.markArea!.data).toEqual([[{ xAxis: T0 + 30_000 }, { xAxis: T0 + 60_000 }]]);
    // Two buckets with checks: each is a dot, since a lone point draws no line.
    expect(option.series.map((s) => s.showSymbol)).toEqual([true, true]);
  });

  it('draws one full-height bar per bucket, labelled by local hour or UTC day', () => {
    const hourly = uptimeBarsOption(
      uptime(3600, [
        [1, 10],
        [null, null],
      ]),
    ) as { series: { data: { value: number; itemStyle: { color: string } }[] }[]; xAxis: { data: string[] } };
    expect(hourly.series[0]!.data.map((d) => [d.value, d.itemStyle.color])).toEqual([
      [1, UP_COLOUR],
      [1, NO_DATA_COLOUR],
    ]);
    const local = new Date(T0);
    expect(hourly.xAxis.data[0]).toBe(
      `${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')} ${String(local.getHours()).padStart(2, '0')}:00`,
    );
    expect(bucketLabel('2026-12-07T00:00:00Z', 86_400)).toBe('2026-12-07');
  });

  it("takes a list row's latency trend from the buckets with checks", () => {
    expect(
      latencyTrend(
        uptime(60, [
          [1, 12],
          [null, null],
          [0, 30],
        ]),
      ),
    ).toEqual([12, 30]);
  });
});
