import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeExportRequest,
  decodeExportResponse,
  decodeStatus,
  encodeExportRequestObject,
  encodeExportResponse,
  encodeStatus,
  keyValuesToStored,
  MalformedPayloadError,
  storedToKeyValuesJson,
} from '../src/index.js';

test('protobuf and OTLP/JSON decode to the same span', () => {
  const proto = decodeExportRequest(
    'traces',
    encodeExportRequestObject('traces', {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'),
                  spanId: Buffer.from('b7ad6b7169203331', 'hex'),
                  name: 'a',
                  kind: 2,
                  startTimeUnixNano: '1732540800123456789',
                },
              ],
            },
          ],
        },
      ],
    }),
    'protobuf',
  ).request;
  const json = decodeExportRequest(
    'traces',
    Buffer.from(
      JSON.stringify({
        resource_spans: [
          {
            scope_spans: [
              {
                spans: [
                  {
                    trace_id: '0af7651916cd43dd8448eb211c80319c',
                    span_id: 'b7ad6b7169203331',
                    name: 'a',
                    kind: 2,
                    start_time_unix_nano: 1732540800123456789n.toString(),
                  },
                ],
              },
            ],
          },
        ],
      }),
    ),
    'json',
  ).request;
  for (const req of [proto, json]) {
    const span = req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0];
    assert.equal(Buffer.from(span!.traceId!).toString('hex'), '0af7651916cd43dd8448eb211c80319c');
    assert.equal(span!.kind, 2);
    assert.equal(String(span!.startTimeUnixNano), '1732540800123456789');
  }
});

test('malformed input raises MalformedPayloadError', () => {
  assert.throws(() => decodeExportRequest('logs', Buffer.from([0x0a, 0xff]), 'protobuf'), MalformedPayloadError);
  assert.throws(() => decodeExportRequest('logs', Buffer.from('[1,2]'), 'json'), MalformedPayloadError);
  assert.throws(() => decodeExportRequest('logs', Buffer.from('{'), 'json'), MalformedPayloadError);
});

test('responses carry partial success only when something was rejected, in both encodings', () => {
  assert.equal(encodeExportResponse('traces', { rejected: 0, errorMessage: '' }, 'protobuf').length, 0);
  assert.equal(Buffer.from(encodeExportResponse('traces', null, 'json')).toString(), '{}');
  for (const enc of ['protobuf', 'json'] as const) {
    const body = encodeExportResponse('metrics', { rejected: 2, errorMessage: 'bad points' }, enc);
    assert.deepEqual(decodeExportResponse('metrics', body, enc), { rejected: 2, errorMessage: 'bad points' });
  }
  assert.match(
    Buffer.from(encodeExportResponse('logs', { rejected: 3, errorMessage: 'x' }, 'json')).toString(),
    /"rejectedLogRecords":"3"/,
  );
  for (const enc of ['protobuf', 'json'] as const)
    assert.deepEqual(decodeStatus(encodeStatus(3, 'nope', enc), enc), { code: 3, message: 'nope' });
});

test('attributes keep their OTLP types through the storage form', () => {
  const kvs = [
    { key: 's', value: { stringValue: 'x' } },
    { key: 'i', value: { intValue: '9223372036854775807' } },
    { key: 'd', value: { doubleValue: 1.5 } },
    { key: 'b', value: { boolValue: false } },
    { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, { intValue: '2' }] } } },
    { key: 'k', value: { kvlistValue: { values: [{ key: 'n', value: { doubleValue: 2 } }] } } },
    { key: 'y', value: { bytesValue: Buffer.from([1, 2, 3]) } },
  ];
  const stored = keyValuesToStored(kvs);
  assert.equal(stored.values.i, '9223372036854775807');
  assert.equal(stored.types.s, undefined);
  const back = Object.fromEntries(storedToKeyValuesJson(stored.values, stored.types).map((kv) => [kv.key, kv.value]));
  assert.deepEqual(back, {
    s: { stringValue: 'x' },
    i: { intValue: '9223372036854775807' },
    d: { doubleValue: 1.5 },
    b: { boolValue: false },
    a: { arrayValue: { values: [{ stringValue: 'p' }, { intValue: '2' }] } },
    k: { kvlistValue: { values: [{ key: 'n', value: { doubleValue: 2 } }] } },
    y: { bytesValue: 'AQID' },
  });
});

test('attribute keys named like object properties are ordinary keys', () => {
  const kvs = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((key) => ({
    key,
    value: { stringValue: `v-${key}` },
  }));
  const stored = keyValuesToStored(kvs);
  assert.deepEqual(Object.keys(stored.values).sort(), ['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
  // The read path gets plain objects back from ClickHouse.
  const fromDb = JSON.parse(JSON.stringify(stored.values)) as Record<string, string>;
  const back = storedToKeyValuesJson(fromDb, {});
  assert.deepEqual(
    back.map((kv) => [kv.key, kv.value]),
    [
      ['__proto__', { stringValue: 'v-__proto__' }],
      ['constructor', { stringValue: 'v-constructor' }],
      ['hasOwnProperty', { stringValue: 'v-hasOwnProperty' }],
      ['toString', { stringValue: 'v-toString' }],
    ],
  );
});

test('an OTLP/JSON parent span id that is not hex refuses its span, not read as "no parent"', () => {
  const { request, refused } = decodeExportRequest(
    'traces',
    Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: 'zz' },
                ],
              },
            ],
          },
        ],
      }),
    ),
    'json',
  );
  assert.equal(request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.length, 0);
  assert.deepEqual(refused, [{ reason: 'span: parent_span_id: must be a hex string, got "zz"', count: 1 }]);
});
