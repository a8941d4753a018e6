import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRowBinary } from '@telemetryflow/clickhouse';
import { decodeExportRequest, encodeExportRequestObject } from '@telemetryflow/otlp';
import { ANY_TIME, LATEST_ROW_TIME_NS, requestToRows, TimeWindow, transcodeLogsRequest } from '@telemetryflow/rows';
import { decodeAndEncode } from '../src/index.js';
import { double, fixed32, fixed64, kv, len, msg, str, UNKNOWN, vint, type Bytes } from './protobuf-bytes.js';

const T0 = 1_732_540_800_000_000_000n;
const RECEIVED = T0 + 5_000_000_000n;
const TRACE_ID = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
const SPAN_ID = Buffer.from('b7ad6b7169203331', 'hex');

/** The fields of a usual log record, one Buffer per field. */
function recordFields(i: number): Bytes[] {
  return [
    fixed64(1, T0 + BigInt(i)),
    fixed64(11, T0 + 1_000n),
    vint(2, 9 + (i % 4)),
    len(3, ['INFO', 'WARN', 'ERROR', ''][i % 4]!),
    len(5, [str(`request ${i} served in 12 ms é`), vint(3, 42), len(6, len(1, kv('a', str('b')))), str('')][i % 4]!),
    len(6, kv('http.route', str('/item/{id}'))),
    len(6, kv('http.status_code', vint(3, 200))),
    len(6, kv('ok', vint(2, 1))),
    len(6, kv('ratio', double(4, 0.25))),
    len(6, kv('tags', len(5, len(1, str('a'))))),
    len(6, kv('none')),
    vint(7, i % 3),
    fixed32(8, 1),
    len(9, TRACE_ID),
    len(10, SPAN_ID),
    len(12, i % 2 ? 'checkout.completed' : ''),
  ];
}

function request(records: Bytes[], opts: { resourceLast?: boolean; unknown?: boolean } = {}): Bytes {
  const extra = opts.unknown ? UNKNOWN : [];
  const scopeLogs = msg(
    len(1, msg(len(1, 'lib'), len(2, '1.2.3'))),
    ...records.map((r) => len(2, r)),
    ...extra,
    len(3, 'https://example.com/scope'),
  );
  const res = len(1, msg(len(1, kv('service.name', str('checkout'))), len(1, kv('host.cpu', vint(3, 8)))));
  const resourceLogs = msg(
    ...(opts.resourceLast ? [] : [res]),
    len(2, scopeLogs),
    ...extra,
    len(3, 'https://opentelemetry.io/schemas/1.26.0'),
    ...(opts.resourceLast ? [res] : []),
  );
  return msg(...extra, len(1, resourceLogs));
}

/** The object path: protobufjs decode, row building, encodeRowBinary. */
function viaObjects(payload: Uint8Array, window = ANY_TIME) {
  const batch = requestToRows('acme', 'logs', decodeExportRequest('logs', payload, 'protobuf').request, RECEIVED, {
    window,
  });
  const rows = batch.tables.logs ?? [];
  return {
    data: encodeRowBinary('logs', rows),
    rows: rows.length,
    accepted: batch.accepted,
    rejected: batch.rejected,
    errorMessage: batch.errorMessage,
  };
}

/** The wire reader takes the payload (no fallback for the whole request) and writes what the object path writes. */
function assertWireSameAsObjects(payload: Uint8Array, window = ANY_TIME): { accepted: number; rejected: number } {
  let result = { accepted: 0, rejected: 0 };
  for (const form of [Buffer.from(payload), new Uint8Array(payload)]) {
    const wire = transcodeLogsRequest('acme', form, RECEIVED, 64, window);
    assert.ok(wire, 'read off the wire');
    const expected = viaObjects(form, window);
    assert.equal(wire.rows, expected.rows);
    assert.equal(wire.accepted, expected.accepted);
    assert.equal(wire.rejected, expected.rejected);
    assert.equal(wire.errorMessage, expected.errorMessage);
    const at = Buffer.from(wire.data).findIndex((b, i) => b !== expected.data[i]);
    assert.deepEqual(
      { length: wire.data.length, firstDifference: at },
      { length: expected.data.length, firstDifference: -1 },
    );
    result = { accepted: wire.accepted, rejected: wire.rejected };
  }
  return result;
}

test('log records with fields in any order, unknown fields and a late resource are read off the wire as the object path writes them', () => {
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const shuffled = (fields: Bytes[]) =>
    fields
      .map((f) => [random(), f] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, f]) => f);
  const records = Array.from({ length: 24 }, (_, i) =>
    msg(...shuffled([...recordFields(i), ...(i % 3 === 0 ? UNKNOWN : [])])),
  );
  assert.deepEqual(assertWireSameAsObjects(request(records)), { accepted: 24, rejected: 0 });
  assert.deepEqual(assertWireSameAsObjects(request(records, { resourceLast: true, unknown: true })), {
    accepted: 24,
    rejected: 0,
  });
  // What protobufjs writes, as the SDKs' exporters do.
  assertWireSameAsObjects(
    encodeExportRequestObject('logs', {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeLogs: [
            {
              scope: { name: 'logger' },
              logRecords: [
                { timeUnixNano: String(T0), severityNumber: 9, severityText: 'INFO', body: { stringValue: 'hello' } },
                { observedTimeUnixNano: String(T0), body: { kvlistValue: { values: [] } }, attributes: [] },
              ],
            },
          ],
        },
      ],
    }),
  );
});

test('bodies and attribute values of every kind and edge: the wire reader agrees with protobufjs', () => {
  const values: Bytes[] = [
    vint(3, 0),
    vint(3, 2 ** 28),
    vint(3, -1),
    vint(2, 1),
    vint(2, 2),
    double(4, -0.5),
    double(4, Number.NaN),
    str(''),
    str('ü€😀'),
    str(Buffer.from([0x61, 0xff, 0x62])),
    msg(str('first'), str('second')),
    msg(str('x'), ...UNKNOWN),
    len(7, Buffer.from([0, 255])),
    len(6, len(1, kv('a', str('b')))),
    Buffer.alloc(0),
  ];
  const base = recordFields(0).filter((f) => f[0] !== ((5 << 3) | 2));
  const records = values.map((v, i) => msg(...base, len(5, v), len(6, kv(`k${i}`, v))));
  records.push(msg(...base)); // no body
  assert.deepEqual(assertWireSameAsObjects(request(records)), { accepted: records.length, rejected: 0 });
});

test('log records outside the usual shape are decoded by protobufjs, with the same rows and refusals', () => {
  const base = recordFields(1);
  const without = (...numbers: number[]) => base.filter((f) => !numbers.includes(f[0]! >> 3));
  const cutoff = T0 - 1_000_000n;
  const records = [
    msg(...base, len(3, 'the last severity text wins')),
    msg(...without(9), len(9, SPAN_ID)), // an 8-byte trace id: refused
    msg(...without(10), len(10, Buffer.alloc(3))), // a short span id: refused
    msg(...without(9, 10)), // no ids
    msg(...without(1)), // no time: the observed time
    msg(...without(1, 11)), // neither: the time received
    msg(...without(1), fixed64(1, 2n ** 63n)), // out of range: refused
    msg(...without(11), fixed64(11, 2n ** 63n)), // observed out of range: refused
    msg(...without(1), fixed64(1, cutoff - 1n)), // before the retention cutoff: refused
    msg(...without(1), fixed64(1, LATEST_ROW_TIME_NS + 1n)), // after 2096: refused
    msg(...without(1, 11), fixed64(11, cutoff - 1n)), // observed before the cutoff, no time: refused
    msg(...without(2), vint(2, 25)), // no such severity: refused
    msg(...without(2), vint(2, -1)), // refused
    msg(...without(3), len(3, Buffer.from([0xff]))), // invalid UTF-8
    msg(...without(12), len(12, Buffer.from([0x6e, 0xc3]))),
    msg(...base, len(6, kv('http.route', str('again')))), // key repeated
    msg(...base, len(6, kv('7', str('digit first')))),
    msg(...Array.from({ length: 70 }, (_, i) => len(6, kv(`many${i}`, str('v')))), ...without(6)),
    msg(...UNKNOWN),
  ];
  const { accepted, rejected } = assertWireSameAsObjects(request(records), new TimeWindow(cutoff));
  assert.equal(rejected, 9);
  assert.equal(accepted, records.length - 9);
});

test('malformed log payloads are left to the object path, and the decoder thread writes the same rows either way', () => {
  const good = request([msg(...recordFields(0))]);
  assert.equal(transcodeLogsRequest('acme', good.subarray(0, good.length - 3), RECEIVED, 64), undefined);
  assert.equal(transcodeLogsRequest('acme', msg(vint(1, 3)), RECEIVED, 64), undefined);
  const result = decodeAndEncode({
    tenantId: 'acme',
    signal: 'logs',
    encoding: 'protobuf',
    payload: new Uint8Array(good),
    receivedAtNs: String(RECEIVED),
    notBeforeNs: '0',
  });
  assert.ok(result.ok);
  const expected = viaObjects(new Uint8Array(good));
  assert.deepEqual(Buffer.from(result.batch.tables.logs!.data), expected.data);
});
