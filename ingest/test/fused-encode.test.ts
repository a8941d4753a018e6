import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRowBinary } from '@telemetryflow/clickhouse';
import { decodeExportRequest, encodeExportRequestObject } from '@telemetryflow/otlp';
import { requestToRows, TimeWindow } from '@telemetryflow/rows';
import { logsRequest, PARENT_ID, prng, resource, SPAN_ID, span, T0, TRACE_ID } from '@telemetryflow/rows/test-fixtures';
import { decodeAndEncode } from '../src/index.js';

type Sig = 'traces' | 'logs';
const RECEIVED = '1732540800000000042';

/** Every byte of the string "BADUTF8" in a payload becomes 0xff: invalid UTF-8 on the wire. */
function breakUtf8(payload: Uint8Array): Buffer {
  const bytes = Buffer.from(payload);
  for (let at = bytes.indexOf('BADUTF8'); at >= 0; at = bytes.indexOf('BADUTF8', at + 1)) bytes[at] = 0xff;
  return bytes;
}

/** The fused encoder's output equals encodeRowBinary over requestToRows, byte for byte. */
function assertSameAsRows(
  signal: Sig,
  payload: Uint8Array,
  encoding: 'protobuf' | 'json' = 'protobuf',
  notBeforeNs = 0n,
): { accepted: number; rejected: number } {
  const table = signal === 'traces' ? 'spans' : 'logs';
  const { request, refused } = decodeExportRequest(signal, payload, encoding);
  const batch = requestToRows('acme', signal, request, BigInt(RECEIVED), {
    window: new TimeWindow(notBeforeNs),
    refused,
  });
  const rows = batch.tables[table];
  const fused = decodeAndEncode({
    tenantId: 'acme',
    signal,
    encoding,
    payload,
    receivedAtNs: RECEIVED,
    notBeforeNs: String(notBeforeNs),
  });
  assert.ok(fused.ok);
  assert.equal(fused.batch.accepted, batch.accepted);
  assert.equal(fused.batch.rejected, batch.rejected);
  assert.equal(fused.batch.errorMessage, batch.errorMessage);
  assert.deepEqual(Object.keys(fused.batch.tables), rows ? [table] : []);
  if (rows) {
    const got = fused.batch.tables[table]!;
    assert.equal(got.rows, rows.length);
    assert.deepEqual(Buffer.from(got.data), encodeRowBinary(table, rows));
  }
  return { accepted: batch.accepted, rejected: batch.rejected };
}

const sameAsRows = (signal: Sig, req: Record<string, unknown>, notBeforeNs = 0n) =>
  assertSameAsRows(signal, breakUtf8(encodeExportRequestObject(signal, req)), 'protobuf', notBeforeNs);

/** One attribute of every AnyValue kind, nested arrays and kvlists, bytes and an empty value. */
const EVERY_KIND = [
  { key: 's', value: { stringValue: 'text BADUTF8 é' } },
  { key: 'i', value: { intValue: '-9223372036854775808' } },
  { key: 'd', value: { doubleValue: -0.5 } },
  { key: 'nan', value: { doubleValue: Number.NaN } },
  { key: 'b', value: { boolValue: false } },
  {
    key: 'arr',
    value: {
      arrayValue: {
        values: [{ stringValue: 'a' }, { intValue: 2 }, { arrayValue: { values: [{ boolValue: true }] } }, {}],
      },
    },
  },
  {
    key: 'kv',
    value: {
      kvlistValue: {
        values: [
          { key: 'x', value: { doubleValue: Infinity } },
          { key: 'y', value: { bytesValue: Buffer.from([0, 255]) } },
        ],
      },
    },
  },
  { key: 'bytes', value: { bytesValue: Buffer.from('hello') } },
  { key: 'empty', value: {} },
  { key: 'none' },
  { key: 'BADUTF8 key', value: { stringValue: 'v' } },
  { key: 'long', value: { stringValue: 'x'.repeat(300) + 'ü'.repeat(70) } },
];

/** Repeated keys (the last value and its type win), and integer-like keys that objects sort first. */
const TRICKY_KEYS = [
  { key: 'a', value: { intValue: 1 } },
  { key: 'b', value: { boolValue: true } },
  { key: 'a', value: { stringValue: 'now a string' } },
  { key: 'c', value: { stringValue: 'c' } },
  { key: 'b', value: { doubleValue: 2.5 } },
  { key: 'a', value: { intValue: 3 } },
];
const NUMERIC_KEYS = [
  { key: 'z', value: { stringValue: '1' } },
  { key: '10', value: { intValue: 10 } },
  { key: '2', value: { stringValue: 'two' } },
  { key: '007', value: { boolValue: true } },
];
const MANY_KEYS = Array.from({ length: 80 }, (_, i) => ({
  key: `k${i % 70}`,
  value: i % 3 ? { stringValue: `v${i}` } : { intValue: i },
}));
/** Two different invalid keys that both become "\uFFFDX": a duplicate only after cleaning. */
const CLEANED_DUPLICATE = [
  { key: 'BADUTF8X', value: { intValue: 1 } },
  { key: 'x', value: {} },
];

test('fused span encoding equals encodeRowBinary over requestToRows for varied requests', () => {
  const zeros8 = Buffer.alloc(8);
  const spans = [
    span(),
    span({
      attributes: EVERY_KIND,
      name: 'BADUTF8 name',
      traceState: 'BADUTF8',
      status: { code: 1, message: 'BADUTF8' },
    }),
    span({ attributes: TRICKY_KEYS, events: [], links: [] }),
    span({ traceId: Buffer.alloc(16) }),
    span({ attributes: NUMERIC_KEYS, kind: 9, status: { code: 7 } }),
    span({ spanId: Buffer.alloc(7) }),
    span({ attributes: MANY_KEYS, parentSpanId: Buffer.alloc(0) }),
    span({ parentSpanId: Buffer.alloc(3) }),
    span({ attributes: CLEANED_DUPLICATE, endTimeUnixNano: (T0 - 5n).toString() }),
    span({ startTimeUnixNano: '18446744073709551615' }),
    span({ events: [{ timeUnixNano: '9223372036854775808', name: 'late' }] }),
    span({ startTimeUnixNano: '9223372036854775807', endTimeUnixNano: '9223372036854775808' }),
    span({ startTimeUnixNano: '4294967301', endTimeUnixNano: '4294967295' }),
    span({ startTimeUnixNano: '4294967295', endTimeUnixNano: '9223372036854775807' }),
    span({ startTimeUnixNano: '9223372036854775807', endTimeUnixNano: '0' }),
    span({ links: [{ traceId: TRACE_ID, spanId: zeros8 }] }),
    span({
      events: [
        { timeUnixNano: T0.toString(), name: 'e1', attributes: TRICKY_KEYS },
        { name: 'BADUTF8', attributes: EVERY_KIND, droppedAttributesCount: 4 },
      ],
      links: [
        { traceId: TRACE_ID, spanId: SPAN_ID, traceState: 'a=b', attributes: NUMERIC_KEYS, flags: 1 },
        { traceId: TRACE_ID, spanId: PARENT_ID },
      ],
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
      flags: 0x301,
    }),
    span({ attributes: [], events: undefined, links: undefined, status: undefined, kind: undefined, name: '' }),
  ];
  const result = sameAsRows('traces', {
    resourceSpans: [
      // An invalid span first: its bytes, envelope included, must be rolled back.
      {
        resource,
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scopeSpans: [
          {
            scope: { name: 'lib', version: '1', attributes: EVERY_KIND, droppedAttributesCount: 1 },
            schemaUrl: 's',
            spans: [span({ traceId: Buffer.alloc(2) }), ...spans],
          },
        ],
      },
      {
        scopeSpans: [
          { spans: spans.slice(0, 4) },
          { scope: { name: 'second' }, spans: spans.slice(4) },
          { scope: {}, spans: [] },
        ],
      },
      {
        resource: { attributes: TRICKY_KEYS, droppedAttributesCount: 9 },
        scopeSpans: [{ scope: { attributes: NUMERIC_KEYS }, spans: spans.slice(2, 9) }],
      },
      {
        resource: { attributes: [{ key: 'service.name', value: { intValue: 5 } }] },
        scopeSpans: [{ spans: [span()] }],
      },
      { resource: {}, scopeSpans: [] },
    ],
  });
  // Refused: the first span, then 10 + 10 + 4 of the copies of `spans` (ids, times out of
  // range, ends before starts).
  assert.equal(result.rejected, 1 + 10 + 10 + 4);
  assert.ok(result.accepted > 10);
});

test('fused log encoding equals encodeRowBinary over requestToRows for varied requests', () => {
  const t = T0.toString();
  const records = [
    {
      timeUnixNano: t,
      observedTimeUnixNano: t,
      severityNumber: 17,
      severityText: 'ERROR',
      body: { stringValue: 'failed BADUTF8' },
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      flags: 1,
      eventName: 'ev',
    },
    { body: { kvlistValue: { values: EVERY_KIND } }, attributes: EVERY_KIND },
    { severityNumber: 99 },
    {
      attributes: TRICKY_KEYS,
      body: { arrayValue: { values: [{ intValue: 1 }, { bytesValue: Buffer.from([1, 2]) }] } },
    },
    { traceId: Buffer.alloc(5) },
    { attributes: NUMERIC_KEYS, body: { bytesValue: Buffer.from('b') }, observedTimeUnixNano: t },
    { spanId: Buffer.alloc(16) },
    { attributes: MANY_KEYS, body: { doubleValue: 1e300 }, droppedAttributesCount: 7 },
    { timeUnixNano: '18446744073709551615' },
    { attributes: CLEANED_DUPLICATE, body: { boolValue: true }, severityNumber: 24, eventName: 'BADUTF8' },
    { severityNumber: -1 },
    { body: { intValue: '12' }, traceId: TRACE_ID, spanId: Buffer.alloc(0) },
    {},
  ];
  const result = sameAsRows('logs', {
    resourceLogs: [
      {
        resource,
        schemaUrl: 'r',
        scopeLogs: [
          {
            scope: { name: 'logger', version: 'v', attributes: TRICKY_KEYS },
            schemaUrl: 's',
            logRecords: [{ severityNumber: 30 }, ...records],
          },
        ],
      },
      {
        scopeLogs: [
          { logRecords: records.slice(0, 5) },
          { scope: { name: 'two', droppedAttributesCount: 2 }, logRecords: records.slice(5) },
        ],
      },
      {
        resource: { attributes: EVERY_KIND },
        scopeLogs: [{ scope: {}, logRecords: [] }, { logRecords: records.slice(3, 4) }],
      },
      { resource: {}, scopeLogs: [] },
    ],
  });
  // Refused: the first record, then 5 + 2 + 3 of the copies of `records`.
  assert.equal(result.rejected, 1 + 5 + 2 + 3);
  assert.ok(result.accepted > 10);
});

test('requests whose items are all refused, or that hold none, produce no table', () => {
  assert.deepEqual(
    sameAsRows('traces', {
      resourceSpans: [{ resource, scopeSpans: [{ spans: [span({ traceId: Buffer.alloc(1) })] }] }],
    }),
    { accepted: 0, rejected: 1 },
  );
  assert.deepEqual(sameAsRows('logs', { resourceLogs: [] }), { accepted: 0, rejected: 0 });
  assert.deepEqual(sameAsRows('logs', {}), { accepted: 0, rejected: 0 });
});

test('OTLP/JSON requests (int64 as numbers and strings) encode the same through both paths', () => {
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'js' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5B8EFFF798038103D269B633813FC60C',
                spanId: 'eee19b7ec3c1b174',
                name: 'x',
                kind: 3,
                startTimeUnixNano: '1732540800123456789',
                endTimeUnixNano: 1732540800123457000,
                attributes: [
                  { key: 'big', value: { intValue: '9223372036854775807' } },
                  { key: 'n', value: { intValue: 12 } },
                ],
              },
              { traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'eee19b7ec3c1b174', startTimeUnixNano: '-1' },
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(assertSameAsRows('traces', Buffer.from(body), 'json'), { accepted: 1, rejected: 1 });
  const logs = JSON.stringify({
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: 5,
                body: { stringValue: 'hi' },
                attributes: [{ key: 'a', value: { doubleValue: 'NaN' } }],
              },
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(assertSameAsRows('logs', Buffer.from(logs), 'json'), { accepted: 1, rejected: 0 });
});

test('OTLP/JSON items the decoder refuses count as rejected, with their reason, through both paths', () => {
  const body = JSON.stringify({
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: [
              { timeUnixNano: '1732540800123456789', body: { stringValue: 'kept' } },
              { timeUnixNano: '1.5' },
              { observedTimeUnixNano: 'abc' },
              { traceId: 'abc' },
              { timeUnixNano: '1732540800123456789', severityNumber: 99 },
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(assertSameAsRows('logs', Buffer.from(body), 'json'), { accepted: 1, rejected: 4 });
  const encoded = decodeAndEncode({
    tenantId: 'acme',
    signal: 'logs',
    encoding: 'json',
    payload: Buffer.from(body),
    receivedAtNs: RECEIVED,
    notBeforeNs: '0',
  });
  assert.ok(encoded.ok);
  assert.equal(
    encoded.batch.errorMessage,
    'rejected 4 item(s): log record: time_unix_nano: "1.5" is not an integer; log record: observed_time_unix_nano: "abc" is not a decimal integer; ' +
      'log record: trace_id: must be a hex string, got "abc"; log record: severity_number 99 is not an OTLP severity',
  );
});

test('a retention cutoff refuses the same old spans and log records through both paths', () => {
  const cutoff = T0 + 1_000n;
  const t = (d: bigint) => (T0 + d).toString();
  const spans = [
    span({ startTimeUnixNano: t(0n), endTimeUnixNano: t(5_000n) }),
    span({ startTimeUnixNano: t(1_000n) }),
    span({ startTimeUnixNano: t(999n), events: [], links: [] }),
  ];
  assert.deepEqual(sameAsRows('traces', { resourceSpans: [{ resource, scopeSpans: [{ spans }] }] }, cutoff), {
    accepted: 1,
    rejected: 2,
  });
  const records = [
    { timeUnixNano: t(999n) },
    { timeUnixNano: t(1_000n) },
    { observedTimeUnixNano: t(999n) }, // stored at its observed time: too old
    { observedTimeUnixNano: t(2_000n) },
    { timeUnixNano: t(5_000n), observedTimeUnixNano: t(0n) }, // only its time places it
  ];
  assert.deepEqual(sameAsRows('logs', logsRequest(records), cutoff), { accepted: 3, rejected: 2 });
});

test('generated requests with random attributes, resources and invalid items encode the same through both paths', () => {
  const r = prng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const keyPool = ['a', 'b', 'http.route', 'service.name', '1', '20', 'BADUTF8', 'ü', ''];
  const attrs = () =>
    Array.from({ length: Math.floor(r() * 6) }, () => ({ key: pick(keyPool), value: pick(EVERY_KIND).value }));
  const id = (n: number) =>
    r() < 0.05 ? Buffer.alloc(n) : Buffer.from(Array.from({ length: n }, () => 1 + Math.floor(r() * 255)));
  const time = () => (r() < 0.03 ? '18446744073709551615' : (T0 + BigInt(Math.floor(r() * 1e9))).toString());
  for (let n = 0; n < 40; n++) {
    const scopes = () =>
      Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
        scope: r() < 0.3 ? undefined : { name: pick(keyPool), attributes: attrs() },
      }));
    const resources = () =>
      Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
        resource: r() < 0.2 ? undefined : { attributes: attrs() },
      }));
    sameAsRows('traces', {
      resourceSpans: resources().map((res) => ({
        ...res,
        scopeSpans: scopes().map((sc) => ({
          ...sc,
          spans: Array.from({ length: Math.floor(r() * 8) }, () =>
            span({
              traceId: id(16),
              spanId: id(8),
              startTimeUnixNano: time(),
              endTimeUnixNano: time(),
              attributes: attrs(),
              events: r() < 0.3 ? [{ timeUnixNano: time(), name: pick(keyPool), attributes: attrs() }] : [],
              links: r() < 0.2 ? [{ traceId: id(16), spanId: id(8), attributes: attrs() }] : [],
            }),
          ),
        })),
      })),
    });
    sameAsRows('logs', {
      resourceLogs: resources().map((res) => ({
        ...res,
        scopeLogs: scopes().map((sc) => ({
          ...sc,
          logRecords: Array.from({ length: Math.floor(r() * 8) }, () => ({
            timeUnixNano: r() < 0.3 ? undefined : time(),
            observedTimeUnixNano: r() < 0.5 ? undefined : time(),
            severityNumber: Math.floor(r() * 27),
            body: pick(EVERY_KIND).value,
            attributes: attrs(),
            traceId: r() < 0.5 ? undefined : id(16),
          })),
        })),
      })),
    });
  }
});
