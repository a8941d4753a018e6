import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExportRequest, encodeExportRequestObject, type ExportTraceServiceRequest } from '@telemetryflow/otlp';
import { splitExportRequest } from './split-request.js';

function traces(resources: number, scopes: number, spans: number, pad = 50): ExportTraceServiceRequest {
  let n = 0;
  const body = {
    resourceSpans: Array.from({ length: resources }, (_, r) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${r}` } }] },
      scopeSpans: Array.from({ length: scopes }, (_, s) => ({
        scope: { name: `scope-${r}-${s}` },
        spans: Array.from({ length: spans }, () => {
          const id = Buffer.alloc(8);
          id.writeUInt32BE(++n, 4);
          return {
            traceId: Buffer.concat([id, id]),
            spanId: id,
            name: 'x'.repeat(pad),
            startTimeUnixNano: '1',
            endTimeUnixNano: '2',
          };
        }),
      })),
    })),
  };
  return decodeExportRequest('traces', encodeExportRequestObject('traces', body), 'protobuf').request;
}

/** service/scope/span-id triples of every span in the parts. */
function spansOf(parts: Uint8Array[]): string[] {
  return parts.flatMap((p) =>
    (decodeExportRequest('traces', p, 'protobuf').request.resourceSpans ?? []).flatMap((rs) =>
      (rs.scopeSpans ?? []).flatMap((ss) =>
        (ss.spans ?? []).map(
          (s) =>
            `${String(rs.resource?.attributes?.[0]?.value?.stringValue)}/${String(ss.scope?.name)}/${Buffer.from(s.spanId!).toString('hex')}`,
        ),
      ),
    ),
  );
}

test('a request that fits stays one message', () => {
  const request = traces(2, 2, 10);
  const { parts, oversized } = splitExportRequest('traces', request, 1 << 20);
  assert.equal(parts.length, 1);
  assert.equal(oversized, 0);
  assert.deepEqual(spansOf(parts), spansOf([encodeExportRequestObject('traces', request as Record<string, unknown>)]));
});

test('a large request is split into messages under the limit that keep every span with its resource and scope', () => {
  const request = traces(3, 2, 200);
  const whole = spansOf([encodeExportRequestObject('traces', request as Record<string, unknown>)]);
  const limit = 8 * 1024;
  const { parts, oversized } = splitExportRequest('traces', request, limit);
  assert.equal(oversized, 0);
  assert.ok(parts.length > 10, `split into ${parts.length} parts`);
  for (const p of parts) assert.ok(p.byteLength <= limit, `part of ${p.byteLength} bytes`);
  assert.deepEqual(spansOf(parts), whole, 'same spans, same order, each under its own resource and scope');
  // Resources are split first: no part mixes two services.
  for (const p of parts) assert.equal(decodeExportRequest('traces', p, 'protobuf').request.resourceSpans?.length, 1);
});

test('an item larger than the limit alone is counted, the rest carried', () => {
  const request = traces(1, 1, 3);
  request.resourceSpans![0]!.scopeSpans![0]!.spans![1]!.name = 'y'.repeat(5000);
  const { parts, oversized } = splitExportRequest('traces', request, 2000);
  assert.equal(oversized, 1);
  assert.equal(spansOf(parts).length, 2);
});
