import type { ServiceMapDto, ServiceMapNodeType } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { NODE_STYLES, serviceMapOption } from './service-map-chart.js';

const node = (service: string, rate: number, errorRate: number, type: ServiceMapNodeType = 'service') => ({
  service,
  type,
  count: rate * 60,
  errorCount: 0,
  rate,
  errorRate,
  p95Ms: 10,
});
const map: ServiceMapDto = {
  nodes: [
    node('web', 10, 0),
    node('api', 5, 0.02),
    node('batch', 1, 0),
    { ...node('postgresql orders', 2, 0.2, 'database'), system: 'postgresql' },
    node('api.stripe.com', 1, 0, 'external'),
  ],
  edges: [
    { caller: 'web', callee: 'api', calls: 100, errorCount: 0, p95Ms: 20 },
    { caller: 'api', callee: 'postgresql orders', calls: 50, errorCount: 10, p95Ms: 5 },
    { caller: 'api', callee: 'api.stripe.com', calls: 10, errorCount: 0, p95Ms: 90 },
  ],
};
interface GraphNode {
  name: string;
  x: number;
  y: number;
  symbol: string;
  itemStyle: { color: string; borderColor?: string };
  tooltip: { formatter: string };
}
type Graph = {
  aria: { label: { description: string } };
  series: {
    layout: string;
    data: GraphNode[];
    links: { source: string; target: string; lineStyle: { color: string } }[];
  }[];
};

describe('service map chart', () => {
  it('draws every node in the colour and shape of its type, ringed when it fails, calls coloured by error rate', () => {
    const g = (serviceMapOption(map) as Graph).series[0]!;
    expect(g.data.map((n) => n.name)).toEqual(['web', 'api', 'batch', 'postgresql orders', 'api.stripe.com']);
    expect(g.data.map((n) => n.itemStyle.color)).toEqual([
      NODE_STYLES.service.color,
      NODE_STYLES.service.color,
      NODE_STYLES.service.color,
      NODE_STYLES.database.color,
      NODE_STYLES.external.color,
    ]);
    expect(g.data.map((n) => n.symbol)).toEqual(['circle', 'circle', 'circle', NODE_STYLES.database.symbol, 'diamond']);
    expect(g.data.map((n) => n.itemStyle.borderColor)).toEqual([undefined, '#f0a020', undefined, '#d03050', undefined]);
    expect(g.links.map((l) => `${l.source}>${l.target}:${l.lineStyle.color}`)).toEqual([
      'web>api:#18a058',
      'api>postgresql orders:#d03050',
      'api>api.stripe.com:#18a058',
    ]);
    expect(g.data.find((n) => n.name === 'postgresql orders')!.tooltip.formatter).toMatch(
      /^postgresql orders \(database, postgresql\)<br\/>120 calls \(2\.00\/s\) · 20\.0% errors · p95 10 ms$/,
    );
  });

  it('lays callers out left of what they call, the same way for the same map', () => {
    const g = (serviceMapOption(map) as Graph).series[0]!;
    expect(g.layout).toBe('none');
    const x = Object.fromEntries(g.data.map((n) => [n.name, n.x]));
    expect(x.web).toBeLessThan(x.api!);
    expect(x.api).toBeLessThan(x['postgresql orders']!);
    expect(x['postgresql orders']).toBe(x['api.stripe.com']);
    const reversed = { nodes: [...map.nodes].reverse(), edges: [...map.edges].reverse() };
    const again = (serviceMapOption(reversed) as Graph).series[0]!;
    const at = (d: GraphNode[]) => Object.fromEntries(d.map((n) => [n.name, [n.x, n.y]]));
    expect(at(again.data)).toEqual(at(g.data));
  });

  it('describes the map in words for screen readers', () => {
    expect((serviceMapOption(map) as Graph).aria.label.description).toBe(
      'Service map: 3 services, 1 database, 1 external service. web (service); api (service); batch (service); ' +
        'postgresql orders (database); api.stripe.com (external). Calls: web → api; api → postgresql orders; api → api.stripe.com.',
    );
  });

  it('keeps a focused service with its direct callers and callees', () => {
    const g = (serviceMapOption(map, 'web') as Graph).series[0]!;
    expect(g.data.map((n) => n.name)).toEqual(['web', 'api']);
    expect(g.links).toHaveLength(1);
  });
});
