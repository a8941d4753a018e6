import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExportRequest, MalformedPayloadError, type Signal } from '../src/index.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const T = '1732540800123456789';

function decode<S extends Signal>(signal: S, body: unknown) {
  return decodeExportRequest(signal, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), 'json');
}

/** A traces request with one span per entry of `spans` (fields merged over a valid span). */
function traces(...spans: Record<string, unknown>[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            spans: spans.map((s, i) => ({
              traceId: TRACE_ID,
              spanId: `00000000000000${String(i + 1).padStart(2, '0')}`,
              name: `s${i}`,
              startTimeUnixNano: T,
              endTimeUnixNano: T,
              ...s,
            })),
          },
        ],
      },
    ],
  };
}

function spansOf(body: unknown) {
  const { request, refused } = decode('traces', body);
  return { spans: request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [], refused };
}

test('fixed64 times: decimal strings and exact integers in range, exponents and zero fractions as proto3 JSON allows', () => {
  const accepted: [unknown, string][] = [
    [T, T],
    [1732540800, '1732540800'],
    ['1e3', '1000'],
    ['1E3', '1000'],
    ['1.0', '1'],
    ['1.50e1', '15'],
    ['0', '0'],
    ['-0', '0'],
    ['00042', '42'],
    ['18446744073709551615', '18446744073709551615'],
    [1e19, '10000000000000000000'],
  ];
  const { spans, refused } = spansOf(traces(...accepted.map(([v]) => ({ startTimeUnixNano: v }))));
  assert.deepEqual(refused, []);
  assert.deepEqual(
    spans.map((s) => String(s.startTimeUnixNano)),
    accepted.map(([, want]) => want),
  );
});

test('values no proto3 JSON parser takes as a fixed64 refuse their span, naming the field and the value', () => {
  const refusedValues: unknown[] = [
    'abc',
    '1.5',
    '0x10',
    -5,
    '-5',
    18446744073709551616,
    '18446744073709551616',
    1e23,
    '',
    ' 1',
    '1 ',
    '+1',
    '1e41',
    '1e-1',
    'NaN',
  ];
  const body = traces({ name: 'kept' }, ...refusedValues.map((v) => ({ startTimeUnixNano: v })));
  const { spans, refused } = spansOf(body);
  assert.deepEqual(
    spans.map((s) => s.name),
    ['kept'],
  );
  assert.equal(
    refused.reduce((n, r) => n + r.count, 0),
    refusedValues.length,
  );
  assert.ok(
    refused.every((r) => r.reason.startsWith('span: start_time_unix_nano: ')),
    JSON.stringify(refused),
  );
  assert.ok(
    refused.some((r) => r.reason === 'span: start_time_unix_nano: "abc" is not a decimal integer'),
    JSON.stringify(refused),
  );
  assert.ok(
    refused.some((r) => r.reason === 'span: start_time_unix_nano: -5 is out of range'),
    JSON.stringify(refused),
  );
  assert.ok(
    refused.some((r) => r.reason === 'span: start_time_unix_nano: 1e+23 is out of range'),
    JSON.stringify(refused),
  );
});

test('ids that are strings but not hex of whole bytes refuse their span; empty optional ids stay empty', () => {
  const { spans, refused } = spansOf(
    traces({ parentSpanId: 'abc' }, { spanId: 'zz00000000000000' }, { name: 'root', parentSpanId: '' }),
  );
  assert.deepEqual(
    spans.map((s) => s.name),
    ['root'],
  );
  assert.equal(spans[0]!.parentSpanId?.length, 0);
  assert.deepEqual(refused.map((r) => r.reason).sort(), [
    'span: parent_span_id: must be a hex string, got "abc"',
    'span: span_id: must be a hex string, got "zz00000000000000"',
  ]);
});

test('a value of a JSON type its field never takes is not OTLP/JSON: the whole request is malformed (400), inside items too', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ traceId: { length: 16 } }, /spans\.trace_id: must be a hex string, got an object/],
    [{ spanId: 12 }, /spans\.span_id: must be a hex string, got 12/],
    [{ parentSpanId: {} }, /spans\.parent_span_id: must be a hex string, got an object/],
    [
      { links: [{ traceId: [1, 2], spanId: 'b7ad6b7169203331' }] },
      /links\[0\]\.trace_id: must be a hex string, got an array/,
    ],
    [
      { startTimeUnixNano: true },
      /start_time_unix_nano: must be an integer \(a JSON number or a decimal string\), got true/,
    ],
    [{ startTimeUnixNano: {} }, /start_time_unix_nano: must be an integer .*got an object/],
    [{ attributes: [{ key: 'b', value: { boolValue: 'true' } }] }, /bool_value: must be true or false, got "true"/],
    [{ name: 7 }, /spans\.name: must be a string, got 7/],
  ];
  for (const [span, message] of cases) {
    assert.throws(
      () => decode('traces', traces({ name: 'kept' }, span)),
      (err: unknown) => err instanceof MalformedPayloadError && message.test(err.message),
      JSON.stringify(span),
    );
  }
  const metric = {
    resourceMetrics: [
      { scopeMetrics: [{ metrics: [{ name: 7, sum: { dataPoints: [{ timeUnixNano: T, asInt: 1 }] } }] }] },
    ],
  };
  assert.throws(
    () => decode('metrics', metric),
    (err: unknown) =>
      err instanceof MalformedPayloadError && /metrics\.name: must be a string, got 7/.test(err.message),
  );
});

test('every signal: a bad value inside an item refuses that item only (events, observed time, start time, exemplars)', () => {
  const events = spansOf(
    traces({ name: 'ok', events: [{ timeUnixNano: T, name: 'e' }] }, { events: [{ timeUnixNano: 'soon' }] }),
  );
  assert.deepEqual(
    events.spans.map((s) => s.name),
    ['ok'],
  );
  assert.deepEqual(events.refused, [
    { reason: 'span: events[0].time_unix_nano: "soon" is not a decimal integer', count: 1 },
  ]);

  const logs = decode('logs', {
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: [
              { timeUnixNano: T, body: { stringValue: 'kept' } },
              { timeUnixNano: T, observedTimeUnixNano: '1.5' },
              { severityNumber: 'SEVERITY_NUMBER_INFO', body: { stringValue: 'named severity' } },
              { severityNumber: 'LOUD' },
              { severityNumber: 9.5 },
              { body: { stringValue: 'a', intValue: '1' } },
            ],
          },
        ],
      },
    ],
  });
  const records = logs.request.resourceLogs![0]!.scopeLogs![0]!.logRecords!;
  assert.deepEqual(
    records.map((r) => r.body?.stringValue),
    ['kept', 'named severity'],
  );
  assert.equal(records[1]!.severityNumber, 9);
  assert.deepEqual(
    logs.refused.map((r) => r.reason),
    [
      'log record: observed_time_unix_nano: "1.5" is not an integer',
      'log record: severity_number: "LOUD" is not a value of SeverityNumber',
      'log record: severity_number: 9.5 is not an integer',
      'log record: body.int_value: is set together with stringValue (one of value)',
    ],
  );

  const metrics = decode('metrics', {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'm',
                gauge: {
                  dataPoints: [
                    { timeUnixNano: T, asDouble: 1 },
                    { timeUnixNano: T, startTimeUnixNano: 'yesterday', asDouble: 2 },
                    { timeUnixNano: T, asInt: '9223372036854775808' },
                    { timeUnixNano: T, asDouble: 'NaN' },
                    { timeUnixNano: T, asDouble: 1, exemplars: [{ timeUnixNano: -1 }] },
                  ],
                },
              },
              { name: 'h', histogram: { aggregationTemporality: 'SIDEWAYS', dataPoints: [{ timeUnixNano: T }] } },
            ],
          },
        ],
      },
    ],
  });
  const kept = metrics.request.resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
  assert.deepEqual(
    kept.map((m) => m.name),
    ['m'],
  );
  assert.equal(kept[0]!.gauge!.dataPoints!.length, 2, 'the valid point and the NaN one');
  assert.ok(Number.isNaN(kept[0]!.gauge!.dataPoints![1]!.asDouble));
  assert.deepEqual(metrics.refused, [
    { reason: 'data point of "m": start_time_unix_nano: "yesterday" is not a decimal integer', count: 1 },
    { reason: 'data point of "m": as_int: "9223372036854775808" is out of range', count: 1 },
    { reason: 'data point of "m": exemplars[0].time_unix_nano: -1 is out of range', count: 1 },
    {
      reason: 'metric "h": histogram.aggregation_temporality: "SIDEWAYS" is not a value of AggregationTemporality',
      count: 1,
    },
  ]);
});

test('outside items a bad value makes the request malformed (400), naming where', () => {
  const cases: [unknown, RegExp][] = [
    [{ resourceSpans: {} }, /resource_spans: must be a JSON array, got an object/],
    [
      { resourceSpans: [{ resource: { attributes: [{ key: 'k', value: { intValue: 'x' } }] } }] },
      /resource_spans\[0\]\.resource\.attributes\[0\]\.value\.int_value: "x" is not a decimal integer/,
    ],
    [
      { resourceSpans: [{ resource: { attributes: [null] } }] },
      /attributes\[0\]: null is not allowed in a repeated field/,
    ],
    [
      { resourceSpans: [{ scopeSpans: [{ scope: { name: 5 } }] }] },
      /scope_spans\[0\]\.scope\.name: must be a string, got 5/,
    ],
    [{ resourceSpans: [null] }, /resource_spans\[0\]: null is not allowed/],
    [{ resourceSpans: [{ schemaUrl: ['x'] }] }, /schema_url: must be a string, got an array/],
  ];
  for (const [body, message] of cases) {
    assert.throws(
      () => decode('traces', body),
      (err: unknown) => err instanceof MalformedPayloadError && message.test(err.message),
      JSON.stringify(body),
    );
  }
});

test('null leaves a field unset, unknown fields are ignored, snake_case and enum names are read', () => {
  const { spans, refused } = spansOf(
    traces({
      name: null,
      kind: 'SPAN_KIND_SERVER',
      status: { code: 'STATUS_CODE_ERROR', message: 'x' },
      futureField: { a: 1 },
      dropped_attributes_count: '3',
      flags: 1e2,
    }),
  );
  assert.deepEqual(refused, []);
  assert.equal(spans[0]!.name, '');
  assert.equal(spans[0]!.kind, 2);
  assert.equal(spans[0]!.status?.code, 2);
  assert.equal(spans[0]!.droppedAttributesCount, 3);
  assert.equal(spans[0]!.flags, 100);
});

test('numbers: doubles as numbers or the special strings, 32-bit counts in range, base64 bytes', () => {
  const { spans, refused } = spansOf(
    traces(
      {
        name: 'values',
        attributes: [
          { key: 'inf', value: { doubleValue: 'Infinity' } },
          { key: 'exp', value: { doubleValue: '2.5e-3' } },
          { key: 'bytes', value: { bytesValue: 'AQID' } },
          { key: 'urlsafe', value: { bytesValue: '-_8' } },
        ],
      },
      { attributes: [{ key: 'd', value: { doubleValue: '1e400' } }] },
      { attributes: [{ key: 'b', value: { bytesValue: 'not base64!' } }] },
      { droppedAttributesCount: 4294967296 },
    ),
  );
  assert.deepEqual(
    spans.map((s) => s.name),
    ['values'],
  );
  const attrs = Object.fromEntries((spans[0]!.attributes ?? []).map((kv) => [kv.key, kv.value]));
  assert.equal(attrs.inf?.doubleValue, Infinity);
  assert.equal(attrs.exp?.doubleValue, 0.0025);
  assert.deepEqual([...attrs.bytes!.bytesValue!], [1, 2, 3]);
  assert.deepEqual([...attrs.urlsafe!.bytesValue!], [0xfb, 0xff]);
  assert.equal(refused.length, 3, JSON.stringify(refused));
});

test("AnyValues nested past the protobuf decoder's limit refuse their item, however deep, without exhausting the stack", () => {
  // Written as text: JSON.stringify itself cannot go 10,000 levels deep.
  const nested = (depth: number) =>
    `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"leaf"}${']}}'.repeat(depth)}`;
  const withDeep = (depth: number) =>
    JSON.stringify(traces({ name: 'flat' }, { name: 'deep', attributes: [{ key: 'a', value: 'DEEP' }] })).replace(
      '"DEEP"',
      nested(depth),
    );
  for (const depth of [40, 60, 10_000]) {
    const { spans, refused } = spansOf(withDeep(depth));
    if (depth === 40) {
      assert.deepEqual(refused, []);
      assert.equal(spans.length, 2);
    } else {
      assert.deepEqual(
        spans.map((s) => s.name),
        ['flat'],
        `depth ${depth}`,
      );
      assert.equal(refused.length, 1);
      assert.match(refused[0]!.reason, /nested deeper than 100 messages/);
    }
  }
  const deepResource = `{"resourceSpans":[{"resource":{"attributes":[{"key":"a","value":${nested(10_000)}}]}}]}`;
  assert.throws(() => decode('traces', deepResource), MalformedPayloadError);
});
