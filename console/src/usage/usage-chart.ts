import type { UsageDto, UsagePointDto } from '@telemetryflow/contract';
import type { ChartOption } from '../charts/useChart.js';

export type UsageMeasure = 'items' | 'bytes' | 'requests';

/** "traces accepted", "traces refused (quota)": what a series and a row of the totals are named. */
export function usageName(p: UsagePointDto): string {
  return p.reason ? `${p.signal} ${p.kind} (${p.reason})` : `${p.signal} ${p.kind}`;
}

/** Stored bytes and rows are a level, not an amount per bucket: a line, never stacked or summed. */
const isLevel = (p: UsagePointDto) => p.kind === 'stored';

/**
 * One stacked bar per bucket: a series per signal, kind and reason, the chosen measure as
 * height; stored bytes (or rows) as a line per signal.
 */
export function usageOption(usage: UsageDto, measure: UsageMeasure): ChartOption {
  const shown = usage.points.filter((p) => !isLevel(p) || measure !== 'requests');
  const names = [...new Set(shown.map(usageName))].sort();
  const level = new Set(shown.filter(isLevel).map(usageName));
  return {
    grid: { left: 64, right: 16, top: 32, bottom: 28 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: measure },
    series: names.map((name) => ({
      name,
      ...(level.has(name) ? { type: 'line' } : { type: 'bar', stack: measure }),
      data: shown.filter((p) => usageName(p) === name).map((p) => [Date.parse(p.time), p[measure]] as [number, number]),
    })),
  };
}

/**
 * Totals per signal, kind and reason over the whole range, for the table under the chart;
 * for stored bytes and rows the latest measurement.
 */
export function usageTotals(usage: UsageDto): { name: string; requests: number; items: number; bytes: number }[] {
  const totals = new Map<string, { name: string; requests: number; items: number; bytes: number }>();
  for (const p of usage.points) {
    const name = usageName(p);
    const t = totals.get(name) ?? { name, requests: 0, items: 0, bytes: 0 };
    if (isLevel(p)) Object.assign(t, { items: p.items, bytes: p.bytes });
    else {
      t.requests += p.requests;
      t.items += p.items;
      t.bytes += p.bytes;
    }
    totals.set(name, t);
  }
  return [...totals.values()].sort((a, b) => a.name.localeCompare(b.name));
}
