import type { ServiceMapDto } from '@telemetryflow/contract';
import type { ChartOption } from '../charts/useChart.js';
import { formatMs, formatPercent, formatRate } from '../charts/format.js';

/** Green below 1% errors, amber below 5%, red above. */
function errorColor(errorRate: number | null): string {
  if (errorRate === null || errorRate < 0.01) return '#18a058';
  return errorRate < 0.05 ? '#f0a020' : '#d03050';
}

/**
 * The service map as a force-directed graph: a node per service sized by its request rate and
 * coloured by its error rate (of its entry spans), an arrow per caller → callee. With `focus`,
 * only that service and its direct callers and callees.
 */
export function serviceMapOption(map: ServiceMapDto, focus?: string): ChartOption {
  const edges = focus ? map.edges.filter((e) => e.caller === focus || e.callee === focus) : map.edges;
  const names = new Set(
    focus ? [focus, ...edges.flatMap((e) => [e.caller, e.callee])] : map.nodes.map((n) => n.service),
  );
  const maxRate = Math.max(...map.nodes.map((n) => n.rate), 1e-9);
  return {
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'graph',
        layout: 'force',
        roam: true,
        draggable: true,
        force: { repulsion: 260, edgeLength: 140 },
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 9,
        label: { show: true, position: 'bottom' },
        data: map.nodes
          .filter((n) => names.has(n.service))
          .map((n) => ({
            name: n.service,
            symbolSize: 18 + 30 * Math.sqrt(n.rate / maxRate),
            itemStyle: {
              color: errorColor(n.errorRate),
              borderColor: n.service === focus ? '#2080f0' : undefined,
              borderWidth: n.service === focus ? 3 : 0,
            },
            tooltip: {
              formatter: `${n.service}<br/>${formatRate(n.rate)} requests · ${formatPercent(n.errorRate)} errors · p95 ${formatMs(n.p95Ms)}`,
            },
          })),
        links: edges.map((e) => ({
          source: e.caller,
          target: e.callee,
          lineStyle: {
            width: 1 + Math.min(4, Math.log10(1 + e.calls)),
            color: errorColor(e.calls ? e.errorCount / e.calls : null),
            curveness: 0.1,
          },
          tooltip: {
            formatter: `${e.caller} → ${e.callee}<br/>${e.calls} calls · ${e.errorCount} errors · p95 ${formatMs(e.p95Ms)}`,
          },
        })),
      },
    ],
  };
}
