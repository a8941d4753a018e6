// The collector's preparation for the bus under an active-series quota: points of new series
// beyond it are refused and left out of what is published; the writers never see them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExportRequest, encodeExportRequestObject, type ExportRequestBySignal } from '@telemetryflow/otlp';
import { ActiveSeriesLimits } from '@telemetryflow/rows';
import { prepareForBus } from './bus-prepare.js';

function gauges(hosts: string[]): Uint8Array {
  const t = String(BigInt(Date.now()) * 1_000_000n);
  return encodeExportRequestObject('metrics', {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'up',
                gauge: {
                  dataPoints: hosts.map((h) => ({
                    timeUnixNano: t,
                    asDouble: 1,
                    attributes: [{ key: 'host', value: { stringValue: h } }],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

test('points of new series over the quota are refused and not published', () => {
  const limits = new ActiveSeriesLimits();
  const prepare = (hosts: string[]) =>
    prepareForBus({
      tenantId: 'acme',
      signal: 'metrics',
      encoding: 'protobuf',
      payload: gauges(hosts),
      receivedAtNs: String(BigInt(Date.now()) * 1_000_000n),
      notBeforeNs: '0',
      maxMessageBytes: 1 << 20,
      activeSeries: limits.gate('acme', 2)!,
    });
  const first = prepare(['a', 'b', 'c']);
  assert.ok(first.ok);
  assert.deepEqual([first.accepted, first.rejected, first.rejectedOverQuota], [2, 1, 1]);
  const published = first.parts.flatMap((part) => {
    const request = decodeExportRequest('metrics', part, 'protobuf').request as ExportRequestBySignal['metrics'];
    return request.resourceMetrics!.flatMap((rm) =>
      rm.scopeMetrics!.flatMap((sm) =>
        sm.metrics!.flatMap((m) => m.gauge!.dataPoints!.map((p) => p.attributes![0]!.value!.stringValue)),
      ),
    );
  });
  assert.deepEqual(published, ['a', 'b']);
  // Active series keep going through whole, the payload as it came.
  const second = prepare(['b', 'a']);
  assert.ok(second.ok);
  assert.deepEqual([second.accepted, second.rejected, second.parts.length], [2, 0, 1]);
});
