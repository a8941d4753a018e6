import type { UsageDto } from '@telemetryflow/contract';
import type { ChartOption } from '../charts/useChart.js';

export type UsageMeasure = 'items' | 'bytes' | 'requests';

/** One stacked bar per bucket: a series per signal and kind (e.g. "traces accepted"), the chosen measure as height. */
export function usageOption(usage: UsageDto, measure: UsageMeasure): ChartOption {
  const names = [...new Set(usage.points.map((p) => `${p.signal} ${p.kind}`))].sort();
  return {
    grid: { left: 64, right: 16, top: 32, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: measure },
    series: names.map((name) => ({
      name,
      type: 'bar',
      stack: measure,
      data: usage.points
        .filter((p) => `${p.signal} ${p.kind}` === name)
        .map((p) => [Date.parse(p.time), p[measure]] as [number, number]),
    })),
  };
}

/** Totals per signal and kind over the whole range, for the table under the chart. */
export function usageTotals(usage: UsageDto): { name: string; requests: number; items: number; bytes: number }[] {
  const totals = new Map<string, { name: string; requests: number; items: number; bytes: number }>();
  for (const p of usage.points) {
    const name = `${p.signal} ${p.kind}`;
    const t = totals.get(name) ?? { name, requests: 0, items: 0, bytes: 0 };
    t.requests += p.requests;
    t.items += p.items;
    t.bytes += p.bytes;
    totals.set(name, t);
  }
  return [...totals.values()].sort((a, b) => a.name.localeCompare(b.name));
}
