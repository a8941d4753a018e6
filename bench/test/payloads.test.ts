import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExportRequest } from '@telemetryflow/otlp';
import { buildTemplates, stampPayload } from '../src/payloads.js';
import { percentile, renderTable } from '../src/stats.js';

const hex = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('hex');

test('trace payloads: ~400 B per span, 10 attributes, stamped ids stay linked and distinct', () => {
  const [t] = buildTemplates('traces', { itemsPerRequest: 1000, templates: 1, seed: 1 });
  assert.ok(t);
  assert.equal(t.items, 1000);
  const perSpan = t.bytes.length / t.items;
  assert.ok(perSpan > 300 && perSpan < 500, `bytes per span ${perSpan}`);
  assert.equal(t.idOffsets.length, 100 * 2 + 900 * 3);

  const a = decodeExportRequest('traces', stampPayload(t, 0x01000001), 'protobuf').request;
  const b = decodeExportRequest('traces', stampPayload(t, 0x01000002), 'protobuf').request;
  const spansA = a.resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [];
  const spansB = b.resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [];
  assert.equal(spansA.length, 1000);
  assert.equal(spansA[0]?.attributes?.length, 10);
  for (const s of spansA) {
    assert.ok(hex(s.traceId).startsWith('01000001'));
    assert.ok(hex(s.spanId).startsWith('01000001'));
  }
  // Children point at the (stamped) root of their trace.
  assert.equal(hex(spansA[1]?.parentSpanId), hex(spansA[0]?.spanId));
  assert.equal(hex(spansA[1]?.traceId), hex(spansA[0]?.traceId));
  // Two sends of one template share no trace id.
  const idsA = new Set(spansA.map((s) => hex(s.traceId)));
  assert.equal(idsA.size, 100);
  assert.ok(spansB.every((s) => !idsA.has(hex(s.traceId))));
  // The template itself is untouched.
  assert.ok(!stampPayload(t, 5).equals(t.bytes));
});

test('log and metric payloads decode with the requested item counts', () => {
  const [logs] = buildTemplates('logs', { itemsPerRequest: 500, templates: 1, seed: 2 });
  assert.ok(logs);
  const l = decodeExportRequest('logs', stampPayload(logs, 7), 'protobuf').request;
  assert.equal(l.resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords?.length, 500);

  const [metrics] = buildTemplates('metrics', { itemsPerRequest: 1000, templates: 1, seed: 3 });
  assert.ok(metrics);
  const m = decodeExportRequest('metrics', metrics.bytes, 'protobuf').request;
  let points = 0;
  for (const metric of m.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics ?? []) {
    points += (metric.gauge ?? metric.sum ?? metric.histogram)?.dataPoints?.length ?? 0;
  }
  assert.equal(points, 1000);
  assert.equal(metrics.items, 1000);
});

test('metric payloads: each send moves every point time by its stamp, so no two sends are the same export', () => {
  const [t] = buildTemplates('metrics', { itemsPerRequest: 1000, templates: 1, seed: 3 });
  assert.ok(t?.baseTimeNs);
  const times = (stamp: number) => {
    const m = decodeExportRequest('metrics', stampPayload(t, stamp), 'protobuf').request;
    return (m.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics ?? []).flatMap((metric) =>
      ((metric.gauge ?? metric.sum ?? metric.histogram)?.dataPoints ?? []).map((p) => BigInt(String(p.timeUnixNano))),
    );
  };
  const a = times(1);
  const b = times(2);
  assert.equal(a.length, 1000);
  assert.ok(a.every((ns) => ns === t.baseTimeNs! + 1000n));
  assert.ok(b.every((ns) => ns === t.baseTimeNs! + 2000n));
  assert.ok(!stampPayload(t, 1).equals(stampPayload(t, 2)));
});

test('percentile and table helpers', () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([5, 1, 4, 2, 3], 99), 5);
  assert.ok(Number.isNaN(percentile([], 99)));
  assert.equal(renderTable(['a', 'b'], [['x', '1']]).split('\n').length, 3);
});
