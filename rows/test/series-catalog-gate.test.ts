import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRowBinary } from '@telemetryflow/clickhouse';
import { decodeExportRequest, encodeExportRequestObject } from '@telemetryflow/otlp';
import { metricsRequestToRows, SeriesCatalogGate } from '../src/index.js';
import { metricsRequest } from './fixtures.js';

const MIN = 60_000_000_000n;
const T0 = 1_767_607_380_000_000_000n; // 2026-01-05T10:03:00Z: three minutes into a 10-minute bucket

interface Point {
  room: string;
  at: bigint;
  unit?: string;
}

/** The metric_series rows of one request (one row per room), as the encoders write them. */
function seriesRows(points: Point[]): { data: Uint8Array; rows: number; each: unknown[][] } {
  const request = metricsRequest(
    points.map((p) => ({
      name: 'room.temp',
      unit: p.unit ?? 'Cel',
      gauge: {
        dataPoints: [
          { timeUnixNano: p.at.toString(), asDouble: 1, attributes: [{ key: 'room', value: { stringValue: p.room } }] },
        ],
      },
    })),
  );
  const decoded = decodeExportRequest('metrics', encodeExportRequestObject('metrics', request), 'protobuf');
  const each = metricsRequestToRows('acme', decoded.request).tables.metric_series! as unknown[][];
  return { data: encodeRowBinary('metric_series', each), rows: each.length, each };
}

function kept(gate: SeriesCatalogGate, points: Point[]): number {
  const { data, rows } = seriesRows(points);
  return gate.filter(data, rows).rows;
}

test('a series is written when new, then only when its seen time moves to another bucket', () => {
  const gate = new SeriesCatalogGate();
  assert.equal(kept(gate, [{ room: 'a', at: T0 }]), 1, 'new');
  assert.equal(kept(gate, [{ room: 'a', at: T0 + 6n * MIN }]), 0, 'same bucket');
  assert.equal(kept(gate, [{ room: 'a', at: T0 + 7n * MIN }]), 1, 'next bucket');
  assert.equal(kept(gate, [{ room: 'a', at: T0 + 8n * MIN }]), 0);
  assert.equal(kept(gate, [{ room: 'a', at: T0 - 4n * MIN }]), 1, 'a point a bucket before the first written');
  assert.equal(kept(gate, [{ room: 'a', at: T0 + 8n * MIN, unit: 'K' }]), 1, 'a changed description');
  assert.equal(kept(gate, [{ room: 'a', at: T0 + 8n * MIN, unit: 'K' }]), 0);
});

test('of several series only the changed rows are kept, byte for byte', () => {
  const gate = new SeriesCatalogGate();
  kept(gate, [
    { room: 'a', at: T0 },
    { room: 'b', at: T0 },
  ]);
  const next = seriesRows([
    { room: 'a', at: T0 + MIN },
    { room: 'c', at: T0 + MIN },
    { room: 'b', at: T0 + 9n * MIN },
  ]);
  const out = gate.filter(next.data, next.rows);
  assert.equal(out.rows, 2);
  assert.deepEqual(Buffer.from(out.data), encodeRowBinary('metric_series', [next.each[1]!, next.each[2]!]));
  const unchanged = seriesRows([{ room: 'a', at: T0 + 2n * MIN }]);
  const same = gate.filter(unchanged.data, unchanged.rows);
  assert.equal(same.rows, 0);
  assert.equal(same.data.byteLength, 0);
});

test('a new epoch forgets what was written; at its limit the gate starts over', () => {
  const gate = new SeriesCatalogGate(2);
  gate.useEpoch(0);
  assert.equal(kept(gate, [{ room: 'a', at: T0 }]), 1);
  gate.useEpoch(0);
  assert.equal(kept(gate, [{ room: 'a', at: T0 }]), 0, 'same epoch');
  gate.useEpoch(1);
  assert.equal(kept(gate, [{ room: 'a', at: T0 }]), 1, 'after a failed insert');
  assert.equal(kept(gate, [{ room: 'b', at: T0 }]), 1);
  assert.equal(gate.size, 2);
  assert.equal(kept(gate, [{ room: 'c', at: T0 }]), 1);
  assert.equal(gate.size, 1, 'started over');
  assert.equal(kept(gate, [{ room: 'a', at: T0 }]), 1, 'forgotten: written again');
});
