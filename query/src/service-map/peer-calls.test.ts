import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceMapDto } from '@telemetryflow/contract';
import { withPeers, type PeerCallRow } from './peer-calls.js';

const service = (name: string) => ({
  service: name,
  type: 'service' as const,
  count: 10,
  errorCount: 0,
  rate: 1,
  errorRate: 0,
  p95Ms: 5,
});
const MAP: ServiceMapDto = {
  nodes: [service('api'), service('web')],
  edges: [{ caller: 'web', callee: 'api', calls: 10, errorCount: 1, p95Ms: 20 }],
};
const row = (caller: string | null, peer: string, calls: number, o: Partial<PeerCallRow> = {}): PeerCallRow => ({
  caller,
  type: 'database',
  system: 'postgresql',
  peer,
  calls,
  errorCount: 0,
  p95Ns: 30e6,
  ...o,
});

test('peers become nodes with their RED over the range and edges from each caller, all in map order', () => {
  const map = withPeers(
    MAP,
    [
      row('api', 'postgresql orders', 6, { errorCount: 3 }),
      row('web', 'postgresql orders', 2),
      row('api', 'api.stripe.com', 1, { type: 'external', system: '' }),
      row(null, 'postgresql orders', 8, { errorCount: 3, p95Ns: 40e6 }),
      row(null, 'api.stripe.com', 1, { type: 'external', system: '', p95Ns: 90e6 }),
    ],
    2,
  );
  assert.deepEqual(map.nodes.slice(2), [
    {
      service: 'api.stripe.com',
      type: 'external',
      count: 1,
      errorCount: 0,
      rate: 0.5,
      errorRate: 0,
      p95Ms: 90,
    },
    {
      service: 'postgresql orders',
      type: 'database',
      system: 'postgresql',
      count: 8,
      errorCount: 3,
      rate: 4,
      errorRate: 3 / 8,
      p95Ms: 40,
    },
  ]);
  assert.deepEqual(
    map.edges.map((e) => [e.caller, e.callee, e.calls, e.errorCount, e.p95Ms]),
    [
      ['web', 'api', 10, 1, 20],
      ['api', 'postgresql orders', 6, 3, 30],
      ['web', 'postgresql orders', 2, 0, 30],
      ['api', 'api.stripe.com', 1, 0, 30],
    ],
  );
});

test("a peer named like a service is that service: its calls join the edge, the larger p95 kept; a service's call to itself is no edge", () => {
  const map = withPeers(
    MAP,
    [
      row('web', 'api', 5, { type: 'external', errorCount: 2, p95Ns: 50e6 }),
      row('api', 'api', 3, { type: 'external' }),
      row(null, 'api', 8, { type: 'external' }),
    ],
    1,
  );
  assert.deepEqual(map.nodes, MAP.nodes);
  assert.deepEqual(map.edges, [{ caller: 'web', callee: 'api', calls: 15, errorCount: 3, p95Ms: 50 }]);
  assert.equal(MAP.edges[0]!.calls, 10, 'the map given is left as it was');
});

test('one name given to two kinds of peer is one node, of the kind with more calls', () => {
  const map = withPeers(
    { nodes: [service('api')], edges: [] },
    [
      row('api', 'orders', 4),
      row('api', 'orders', 1, { type: 'external', system: '', p95Ns: 70e6 }),
      row(null, 'orders', 4),
      row(null, 'orders', 1, { type: 'external', system: '', p95Ns: 70e6 }),
    ],
    1,
  );
  assert.deepEqual(
    map.nodes.map((n) => [n.service, n.type, n.count, n.p95Ms]),
    [
      ['api', 'service', 10, 5],
      ['orders', 'database', 5, 70],
    ],
  );
  assert.deepEqual(map.edges, [{ caller: 'api', callee: 'orders', calls: 5, errorCount: 0, p95Ms: 70 }]);
});
