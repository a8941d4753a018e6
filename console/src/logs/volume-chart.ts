import type { LogVolumePointDto } from '@telemetryflow/contract';
import type { ChartOption } from '../charts/useChart.js';
import { SEVERITIES, SEVERITY_COLORS } from './log-format.js';

/** Stacked bars of log records per step and severity, most severe on top. */
export function volumeOption(points: LogVolumePointDto[]): ChartOption {
  const present = new Set(points.flatMap((p) => Object.keys(p.bySeverity)));
  const names = [
    ...SEVERITIES.filter((s) => present.has(s)),
    ...[...present].filter((s) => !(SEVERITIES as readonly string[]).includes(s)).sort(),
  ];
  return {
    grid: { left: 48, right: 16, top: 28, bottom: 24 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', minInterval: 1 },
    brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single', transformable: false },
    series: names.map((name) => ({
      name,
      type: 'bar',
      stack: 'severity',
      barCategoryGap: '10%',
      itemStyle: { color: SEVERITY_COLORS[name] ?? SEVERITY_COLORS.UNSPECIFIED },
      data: points.map((p) => [p.t, p.bySeverity[name] ?? 0]),
    })),
  };
}
