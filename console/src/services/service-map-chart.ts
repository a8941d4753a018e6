import type { ServiceMapDto, ServiceMapNodeDto, ServiceMapNodeType } from '@telemetryflow/contract';
import type { ChartOption } from '../charts/useChart.js';
import { formatMs, formatPercent, formatRate } from '../charts/format.js';
import { layeredLayout } from './layered-layout.js';

/** A cylinder, as databases are drawn. */
const CYLINDER = 'path://M0,4C0,-1 20,-1 20,4L20,20C20,25 0,25 0,20Z';

/** How each type of node is drawn and named (the legend shows the same). */
export const NODE_STYLES: Record<
  ServiceMapNodeType,
  { label: string; nouns: [string, string]; symbol: string; color: string }
> = {
  service: { label: 'Service (sends spans)', nouns: ['service', 'services'], symbol: 'circle', color: '#2080f0' },
  database: { label: 'Database (db.system)', nouns: ['database', 'databases'], symbol: CYLINDER, color: '#8a5cf5' },
  messaging: {
    label: 'Messaging (messaging.system)',
    nouns: ['messaging system', 'messaging systems'],
    symbol: 'roundRect',
    color: '#0f9aa8',
  },
  external: {
    label: 'External service (peer.service, host)',
    nouns: ['external service', 'external services'],
    symbol: 'diamond',
    color: '#6b7785',
  },
};

/** Error-rate colours of edges and node rings, lowest first; `below`: the rate this colour stops at. */
export const ERROR_COLORS = [
  { below: 0.01, color: '#18a058', label: 'under 1% errors' },
  { below: 0.05, color: '#f0a020', label: '1–5% errors' },
  { below: Infinity, color: '#d03050', label: '5% errors or more' },
] as const;

export function errorColor(errorRate: number | null): string {
  return ERROR_COLORS.find((c) => (errorRate ?? 0) < c.below)!.color;
}

function describeNode(n: ServiceMapNodeDto): string {
  const type = n.type;
  const kind = type === 'service' ? 'service' : n.system ? `${type}, ${n.system}` : type;
  const volume = type === 'service' ? `${formatRate(n.rate)} requests` : `${n.count} calls (${formatRate(n.rate)})`;
  return `${n.service} (${kind})<br/>${volume} · ${formatPercent(n.errorRate)} errors · p95 ${formatMs(n.p95Ms)}`;
}

/**
 * The service map as a layered graph: callers on the left, what they call to the right
 * (layeredLayout: the same map is drawn the same way on every load). A node's shape and colour
 * say its type, its size the request rate, a ring its error rate when 1% or more; an arrow per
 * caller → callee, coloured by the calls' error rate. With `focus`, only that service and its
 * direct callers and callees.
 */
export function serviceMapOption(map: ServiceMapDto, focus?: string): ChartOption {
  const edges = focus ? map.edges.filter((e) => e.caller === focus || e.callee === focus) : map.edges;
  const names = new Set(
    focus ? [focus, ...edges.flatMap((e) => [e.caller, e.callee])] : map.nodes.map((n) => n.service),
  );
  const nodes = map.nodes.filter((n) => names.has(n.service));
  const places = layeredLayout(
    nodes.map((n) => n.service),
    edges.map((e) => ({ from: e.caller, to: e.callee })),
  );
  const maxRate = Math.max(...map.nodes.map((n) => n.rate), 1e-9);
  const counts = Object.entries(NODE_STYLES)
    .map(([t, style]) => [style.nouns, nodes.filter((n) => n.type === t).length] as const)
    .filter(([, c]) => c > 0)
    .map(([nouns, c]) => `${c} ${nouns[c === 1 ? 0 : 1]}`);
  return {
    tooltip: { trigger: 'item' },
    aria: {
      enabled: true,
      label: {
        description:
          `Service map: ${counts.join(', ') || 'no services'}. ` +
          nodes.map((n) => `${n.service} (${n.type})`).join('; ') +
          (edges.length ? `. Calls: ${edges.map((e) => `${e.caller} → ${e.callee}`).join('; ')}.` : '.'),
      },
    },
    series: [
      {
        type: 'graph',
        layout: 'none',
        roam: true,
        animation: false,
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 9,
        label: { show: true, position: 'bottom' },
        data: nodes.map((n) => {
          const style = NODE_STYLES[n.type];
          const place = places.get(n.service)!;
          const ring = (n.errorRate ?? 0) >= ERROR_COLORS[0].below;
          return {
            name: n.service,
            x: place.x,
            y: place.y,
            symbol: style.symbol,
            symbolKeepAspect: true,
            symbolSize: 18 + 30 * Math.sqrt(n.rate / maxRate),
            itemStyle: {
              color: style.color,
              borderColor: n.service === focus ? '#2080f0' : ring ? errorColor(n.errorRate) : undefined,
              borderWidth: n.service === focus || ring ? 3 : 0,
            },
            tooltip: { formatter: describeNode(n) },
          };
        }),
        links: edges.map((e) => {
          const from = places.get(e.caller);
          const to = places.get(e.callee);
          return {
            source: e.caller,
            target: e.callee,
            lineStyle: {
              width: 1 + Math.min(4, Math.log10(1 + e.calls)),
              color: errorColor(e.calls ? e.errorCount / e.calls : null),
              // Calls back to the left or within a layer bend, so they don't cover the ones forward.
              curveness: from && to && to.layer <= from.layer ? 0.3 : 0.05,
            },
            tooltip: {
              formatter: `${e.caller} → ${e.callee}<br/>${e.calls} calls · ${e.errorCount} errors · p95 ${formatMs(e.p95Ms)}`,
            },
          };
        }),
      },
    ],
  };
}
