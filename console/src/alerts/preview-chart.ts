import type { PreviewDto } from '@telemetryflow/contract';
import type { ChartOption } from '../charts/useChart.js';

const STATE_COLORS: Record<string, string> = {
  firing: '#d03050',
  pending: '#f0a020',
  resolved: '#18a058',
  inactive: '#8a8a8a',
};

/** When a rule would have fired: each transition as a dot at its time, one row per group. */
export function previewOption(preview: PreviewDto): ChartOption {
  const groups = [...new Set(preview.transitions.map((t) => t.groupKey || '(all)'))];
  return {
    grid: { left: 120, right: 16, top: 16, bottom: 28 },
    tooltip: { trigger: 'item', formatter: (p: { data: { value: [number, string]; name: string } }) => p.data.name },
    xAxis: { type: 'time' },
    yAxis: { type: 'category', data: groups },
    series: [
      {
        type: 'scatter',
        symbolSize: 12,
        data: preview.transitions.map((t) => ({
          value: [Date.parse(t.time), t.groupKey || '(all)'],
          name: `${t.from} → ${t.to}${t.value !== null ? ` (value ${t.value})` : ''}`,
          itemStyle: { color: STATE_COLORS[t.to] ?? '#2080f0' },
        })),
      },
    ],
  };
}
