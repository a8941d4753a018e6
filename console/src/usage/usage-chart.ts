import type { UsageDto, UsagePointDto } from '@telemetryflow/contract';
import type { ChartOption } from '../charts/useChart.js';

export type UsageMeasure = 'items' | 'bytes' | 'requests';

/** "traces accepted", "traces refused (quota)": what a series and a row of the totals are named. */
export function usageName(p: UsagePointDto): string {
  return p.reason ? `${p.signal} ${p.kind} (${p.reason})` : `${p.signal} ${p.kind}`;
}

/** One stacked bar per bucket: a series per signal, kind and reason, the chosen measure as height. */
export function usageOption(usage: UsageDto, measure: UsageMeasure): ChartOption {
  const names = [...new Set(usage.points.map(usageName))].sort();
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
        .filter((p) => usageName(p) === name)
        .map((p) => [Date.parse(p.time), p[measure]] as [number, number]),
    })),
  };
}

/** Totals per signal, kind and reason over the whole range, for the table under the chart. */
export function usageTotals(usage: UsageDto): { name: string; requests: number; items: number; bytes: number }[] {
  const totals = new Map<string, { name: string; requests: number; items: number; bytes: number }>();
  for (const p of usage.points) {
    const name = usageName(p);
    const t = totals.get(name) ?? { name, requests: 0, items: 0, bytes: 0 };
    t.requests += p.requests;
    t.items += p.items;
    t.bytes += p.bytes;
    totals.set(name, t);
  }
  return [...totals.values()].sort((a, b) => a.name.localeCompare(b.name));
}
