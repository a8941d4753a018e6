// The active-series quota as the decoder threads apply it: new series over the limit are
// refused, series already active keep being stored, and a window later the quiet ones expire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExportRequest, encodeExportRequestObject, type ExportRequestBySignal } from '@telemetryflow/otlp';
import { ActiveSeriesLimits, metricsRequestToRows, seriesAdmitter, type RowContext } from '../src/index.js';
import { metricsRequest } from './fixtures.js';

const T = String(BigInt(Date.now()) * 1_000_000n);

/** A gauge request with one point per host name. */
function gauges(hosts: string[]): ExportRequestBySignal['metrics'] {
  const bytes = encodeExportRequestObject(
    'metrics',
    metricsRequest([
      {
        name: 'up',
        gauge: {
          dataPoints: hosts.map((h) => ({
            timeUnixNano: T,
            asDouble: 1,
            attributes: [{ key: 'host', value: { stringValue: h } }],
          })),
        },
      },
    ]),
  );
  return decodeExportRequest('metrics', bytes, 'protobuf').request as ExportRequestBySignal['metrics'];
}

function store(limits: ActiveSeriesLimits, hosts: string[], quota = 3) {
  const gate = limits.gate('acme', quota)!;
  const refusedPoints = new Set<object>();
  const context: RowContext = { admitSeries: seriesAdmitter(gate), refusedPoints };
  const batch = metricsRequestToRows('acme', gauges(hosts), context);
  return { ...batch, refusedPoints: refusedPoints.size, series: batch.tables.metric_series?.length ?? 0 };
}

test('new series over the limit are refused; active ones are still stored', () => {
  let now = 0;
  const limits = new ActiveSeriesLimits({ now: () => now, windowMs: 1000 });
  const first = store(limits, ['a', 'b']);
  assert.deepEqual([first.accepted, first.rejected, first.series], [2, 0, 2]);
  // c fits (3 of 3), d and e do not; a is known.
  const second = store(limits, ['a', 'c', 'd', 'e']);
  assert.deepEqual([second.accepted, second.rejected, second.rejectedOverQuota, second.refusedPoints], [2, 2, 2, 2]);
  assert.match(second.errorMessage, /active series quota/);
  assert.equal(limits.active('acme'), 3);
  // One window later a, b and c are still active (previous generation); b moves over.
  now = 1500;
  const third = store(limits, ['b', 'd']);
  assert.deepEqual([third.accepted, third.rejected], [1, 1]);
  assert.equal(limits.active('acme'), 3);
  // Two windows after a and c were last seen they have expired: room for d and e.
  now = 2600;
  const fourth = store(limits, ['b', 'd', 'e']);
  assert.deepEqual([fourth.accepted, fourth.rejected], [3, 0]);
  assert.equal(limits.active('acme'), 3);
});

test('each of N replicas admits limit / N; a raised limit keeps the series known', () => {
  const limits = new ActiveSeriesLimits({ replicas: () => 2 });
  assert.deepEqual(
    [store(limits, ['a', 'b', 'c', 'd'], 4).accepted, store(limits, ['a', 'b', 'c', 'd'], 4).accepted],
    [2, 2],
  );
  const raised = store(limits, ['a', 'b', 'c', 'd', 'e'], 8);
  assert.deepEqual([raised.accepted, raised.rejected], [4, 1]);
  assert.equal(limits.gate('acme', undefined), undefined);
});
