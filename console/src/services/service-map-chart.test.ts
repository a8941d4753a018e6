import type { ServiceMapDto } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { serviceMapOption } from './service-map-chart.js';

const node = (service: string, rate: number, errorRate: number) => ({
  service,
  count: rate * 60,
  errorCount: 0,
  rate,
  errorRate,
  p95Ms: 10,
});
const map: ServiceMapDto = {
  nodes: [node('web', 10, 0), node('api', 5, 0.02), node('db', 2, 0.2), node('batch', 1, 0)],
  edges: [
    { caller: 'web', callee: 'api', calls: 100, errorCount: 0, p95Ms: 20 },
    { caller: 'api', callee: 'db', calls: 50, errorCount: 10, p95Ms: 5 },
  ],
};
type Graph = {
  series: { data: { name: string; itemStyle: { color: string } }[]; links: { source: string; target: string }[] }[];
};

describe('service map chart', () => {
  it('draws every service and call, coloured by error rate', () => {
    const g = (serviceMapOption(map) as Graph).series[0]!;
    expect(g.data.map((n) => n.name)).toEqual(['web', 'api', 'db', 'batch']);
    expect(g.data.map((n) => n.itemStyle.color)).toEqual(['#18a058', '#f0a020', '#d03050', '#18a058']);
    expect(g.links.map((l) => `${l.source}>${l.target}`)).toEqual(['web>api', 'api>db']);
  });

  it('keeps a focused service with its direct callers and callees', () => {
    const g = (serviceMapOption(map, 'db') as Graph).series[0]!;
    expect(g.data.map((n) => n.name)).toEqual(['api', 'db']);
    expect(g.links).toHaveLength(1);
  });
});
