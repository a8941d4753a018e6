import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertColumns, type InsertTable } from '@telemetryflow/clickhouse';
import { decodeExportRequest, encodeExportRequestObject } from '@telemetryflow/otlp';
import {
  decodeToRows,
  LATEST_ROW_TIME_NS,
  logsRequestToRows,
  metricsRequestToRows,
  TimeWindow,
  traceRequestToRows,
  type RowBatch,
} from '../src/index.js';
import { logsRequest, metricsRequest, span, T0, traceRequest } from './fixtures.js';

/** Attribute maps have no prototype; compare them as plain objects. */
function plain(o: unknown): Record<string, unknown> {
  return { ...(o as Record<string, unknown>) };
}

/** Rows of one table as objects keyed by insert column name. */
function rowsOf(batch: RowBatch, table: InsertTable): Record<string, unknown>[] {
  const cols = insertColumns(table);
  return (batch.tables[table] ?? []).map((values) => {
    assert.equal(values.length, cols.length, `${table} row has one value per column`);
    return Object.fromEntries(cols.map((c, i) => [c, values[i]]));
  });
}

const decode = <S extends 'traces' | 'metrics' | 'logs'>(signal: S, req: Record<string, unknown>) =>
  decodeExportRequest(signal, encodeExportRequestObject(signal, req), 'protobuf').request;

test('a span becomes one row with typed attributes, events, links and exact times', () => {
  const batch = traceRequestToRows('acme', decode('traces', traceRequest([span()])));
  assert.equal(batch.accepted, 1);
  assert.equal(batch.rejected, 0);
  const [row] = rowsOf(batch, 'spans');
  assert.ok(row);
  assert.equal(row.TenantId, 'acme');
  assert.equal(row.TraceIdHex, '5b8efff798038103d269b633813fc60c');
  assert.equal(row.SpanIdHex, 'eee19b7ec3c1b174');
  assert.equal(row.ParentSpanIdHex, 'eee19b7ec3c1b173');
  assert.equal(row.ServiceName, 'checkout');
  assert.equal(row.Kind, 'SPAN_KIND_SERVER');
  assert.equal(row.StatusCode, 'STATUS_CODE_ERROR');
  assert.equal(row.StartTimeNs, T0);
  assert.equal(row.DurationNs, 1_500_000n);
  assert.deepEqual(plain(row.Attributes), {
    'http.status_code': '200',
    ok: 'true',
    ratio: '0.25',
    tags: '{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"2"}]}}',
  });
  assert.deepEqual(plain(row.AttributeTypes), {
    'http.status_code': 'int',
    ok: 'bool',
    ratio: 'double',
    tags: 'array',
  });
  assert.deepEqual(plain(row.ResourceAttributeTypes), { 'host.cpu': 'int' });
  assert.equal(row.ScopeName, 'lib');
  assert.deepEqual(row.EventNames, ['retry']);
  assert.deepEqual(row.EventTimesNs, [T0 + 10n]);
  assert.deepEqual(row.LinkSpanIdsHex, ['eee19b7ec3c1b173']);
  assert.deepEqual(row.LinkTraceStates, ['x=y']);
  assert.deepEqual(row.LinkFlags, [257]);
  assert.deepEqual(row.LinkDroppedAttributesCounts, [3]);
  assert.deepEqual(row.EventDroppedAttributesCounts, [2]);
  assert.equal(row.ResourceSchemaUrl, 'https://opentelemetry.io/schemas/1.26.0');
  assert.equal(row.ScopeSchemaUrl, 'https://example.com/scope');
  assert.equal(row.ScopeDroppedAttributesCount, 1);
});

test('spans with invalid ids or times are rejected one by one; the rest are kept', () => {
  const batch = traceRequestToRows(
    'acme',
    decode(
      'traces',
      traceRequest([
        span(),
        span({ traceId: Buffer.alloc(3) }),
        span({ spanId: Buffer.alloc(8) }),
        span({ startTimeUnixNano: '18446744073709551615' }),
      ]),
    ),
  );
  assert.equal(batch.accepted, 1);
  assert.equal(batch.rejected, 3);
  assert.match(batch.errorMessage, /trace_id must be 16 bytes/);
  assert.match(batch.errorMessage, /span_id must be 8 bytes and not all zero/);
  assert.match(
    batch.errorMessage,
    /start_time_unix_nano 2554-07-21T23:34:33\.709551615Z is after 2096-02-09T06:28:15\.000000000Z, the latest time that can be stored/,
  );
  assert.equal(rowsOf(batch, 'spans').length, 1);
});

test('a span without service.name is stored under unknown_service; a root span has an empty parent', () => {
  const req = {
    resourceSpans: [
      { resource: { attributes: [] }, scopeSpans: [{ spans: [span({ parentSpanId: Buffer.alloc(0) })] }] },
    ],
  };
  const [row] = rowsOf(traceRequestToRows('acme', decode('traces', req)), 'spans');
  assert.equal(row?.ServiceName, 'unknown_service');
  assert.equal(row?.ParentSpanIdHex, '');
});

test('invalid UTF-8 in names and attribute values is replaced, not fatal', () => {
  const raw = encodeExportRequestObject('traces', traceRequest([span({ name: 'NAME_MARKER' })]));
  const bytes = Buffer.from(raw);
  const at = bytes.indexOf('NAME_MARKER');
  bytes[at] = 0xff; // not valid UTF-8
  const result = decodeToRows({
    tenantId: 'acme',
    signal: 'traces',
    encoding: 'protobuf',
    payload: bytes,
    receivedAtNs: '1',
    notBeforeNs: '0',
  });
  assert.ok(result.ok);
  const [row] = rowsOf(result.batch, 'spans');
  assert.equal(typeof row?.Name, 'string');
  assert.ok((row?.Name as string).isWellFormed());
  assert.match(row?.Name as string, /AME_MARKER$/);
});

test('an undecodable payload is reported as malformed, not thrown', () => {
  const result = decodeToRows({
    tenantId: 'acme',
    signal: 'logs',
    encoding: 'protobuf',
    payload: Buffer.from([0x0a, 0xff, 0xff]),
    receivedAtNs: '1',
    notBeforeNs: '0',
  });
  assert.equal(result.ok, false);
  const json = decodeToRows({
    tenantId: 'acme',
    signal: 'logs',
    encoding: 'json',
    payload: Buffer.from('{"resourceLogs": ['),
    receivedAtNs: '1',
    notBeforeNs: '0',
  });
  assert.equal(json.ok, false);
});

test('OTLP/JSON: hex ids, enums as ints, int64 as strings, unknown fields ignored', () => {
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
                unknownField: { a: 1 },
                attributes: [{ key: 'big', value: { intValue: '9223372036854775807' } }],
              },
            ],
          },
        ],
      },
    ],
  });
  const result = decodeToRows({
    tenantId: 'acme',
    signal: 'traces',
    encoding: 'json',
    payload: Buffer.from(body),
    receivedAtNs: '1',
    notBeforeNs: '0',
  });
  assert.ok(result.ok);
  const [row] = rowsOf(result.batch, 'spans');
  assert.equal(row?.TraceIdHex, '5b8efff798038103d269b633813fc60c');
  assert.equal(row?.Kind, 'SPAN_KIND_CLIENT');
  assert.equal(row?.StartTimeNs, 1732540800123456789n);
  assert.deepEqual(plain(row?.Attributes), { big: '9223372036854775807' });
});

test('logs keep severity, body type, trace context; missing times fall back to observed and receive time', () => {
  const batch = logsRequestToRows(
    'acme',
    decode(
      'logs',
      logsRequest([
        {
          timeUnixNano: T0.toString(),
          observedTimeUnixNano: (T0 + 1n).toString(),
          severityNumber: 17,
          severityText: 'ERROR',
          body: { stringValue: 'payment failed' },
          traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
          spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
        },
        { body: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }] } } },
        { severityNumber: 99 },
      ]),
    ),
    42n,
  );
  assert.equal(batch.accepted, 2);
  assert.equal(batch.rejected, 1);
  const [first, second] = rowsOf(batch, 'logs');
  assert.equal(first?.TimestampNs, T0);
  assert.equal(first?.SeverityNumber, 17);
  assert.equal(first?.Body, 'payment failed');
  assert.equal(first?.BodyType, '');
  assert.equal(first?.TraceIdHex, '5b8efff798038103d269b633813fc60c');
  assert.equal(second?.TimestampNs, 42n);
  assert.equal(second?.ObservedTimestampNs, 42n);
  assert.equal(second?.BodyType, 'kvlist');
  assert.deepEqual(JSON.parse(second?.Body as string), {
    kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] },
  });
  assert.equal(second?.TraceIdHex, '');
});

test('every metric type becomes rows of its table, with one series row per series', () => {
  const t = T0.toString();
  const exemplar = {
    timeUnixNano: t,
    asDouble: 0.7,
    traceId: Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'),
    spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
    filteredAttributes: [{ key: 'user', value: { stringValue: 'u1' } }],
  };
  const batch = metricsRequestToRows(
    'acme',
    decode(
      'metrics',
      metricsRequest([
        {
          name: 'temp',
          unit: 'Cel',
          gauge: {
            dataPoints: [
              { timeUnixNano: t, asDouble: 21.5, attributes: [{ key: 'room', value: { stringValue: 'a' } }] },
              { timeUnixNano: t, asInt: 20, attributes: [{ key: 'room', value: { stringValue: 'b' } }] },
            ],
          },
        },
        {
          name: 'requests',
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: [{ startTimeUnixNano: '1', timeUnixNano: t, asInt: '9007199254740993', exemplars: [exemplar] }],
          },
        },
        {
          name: 'latency',
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [
              {
                timeUnixNano: t,
                count: 6,
                sum: 3.5,
                min: 0.1,
                max: 2,
                bucketCounts: [1, 2, 3],
                explicitBounds: [0.5, 1],
                exemplars: [exemplar],
              },
            ],
          },
        },
        {
          name: 'size',
          exponentialHistogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                timeUnixNano: t,
                count: 5,
                sum: 10,
                scale: 3,
                zeroCount: 1,
                zeroThreshold: 0.001,
                positive: { offset: 2, bucketCounts: [1, 2] },
                negative: { offset: -1, bucketCounts: [1] },
              },
            ],
          },
        },
        {
          name: 'gc',
          metadata: [{ key: 'origin', value: { stringValue: 'runtime' } }],
          summary: {
            dataPoints: [
              {
                timeUnixNano: t,
                count: 4,
                sum: 8,
                quantileValues: [
                  { quantile: 0.5, value: 1.5 },
                  { quantile: 0.99, value: 3 },
                ],
              },
            ],
          },
        },
        {
          name: 'broken',
          histogram: { dataPoints: [{ timeUnixNano: t, count: 1, bucketCounts: [1, 0], explicitBounds: [1, 2, 3] }] },
        },
      ]),
    ),
  );
  assert.equal(batch.accepted, 6);
  assert.equal(batch.rejected, 1);
  assert.match(batch.errorMessage, /bucket counts/);
  const gauge = rowsOf(batch, 'metrics_gauge');
  assert.deepEqual(
    gauge.map((r) => [r.Value, r.IntValue]),
    [
      [21.5, null],
      [20, '20'],
    ],
  );
  assert.notEqual(gauge[0]?.Fingerprint, gauge[1]?.Fingerprint);
  const [sum] = rowsOf(batch, 'metrics_sum');
  assert.equal(sum?.IntValue, '9007199254740993');
  assert.equal(sum?.Temporality, 2);
  assert.equal(sum?.IsMonotonic, true);
  assert.deepEqual(sum?.ExemplarTraceIdsHex, ['5b8efff798038103d269b633813fc60c']);
  assert.deepEqual((sum?.ExemplarAttributes as object[]).map(plain), [{ user: 'u1' }]);
  const [hist] = rowsOf(batch, 'metrics_histogram');
  assert.deepEqual(
    [hist?.Count, hist?.Sum, hist?.Min, hist?.Max, hist?.BucketCounts, hist?.ExplicitBounds, hist?.Temporality],
    ['6', 3.5, 0.1, 2, ['1', '2', '3'], [0.5, 1], 1],
  );
  const [exp] = rowsOf(batch, 'metrics_exp_histogram');
  assert.deepEqual(
    [
      exp?.Scale,
      exp?.ZeroCount,
      exp?.PositiveOffset,
      exp?.PositiveBucketCounts,
      exp?.NegativeOffset,
      exp?.NegativeBucketCounts,
    ],
    [3, '1', 2, ['1', '2'], -1, ['1']],
  );
  const [summary] = rowsOf(batch, 'metrics_summary');
  assert.deepEqual(
    [summary?.Count, summary?.Sum, summary?.Quantiles, summary?.QuantileValues],
    ['4', 8, [0.5, 0.99], [1.5, 3]],
  );
  const series = rowsOf(batch, 'metric_series');
  assert.deepEqual(plain(series.find((s) => s.MetricName === 'gc')?.MetadataAttributes), { origin: 'runtime' });
  assert.deepEqual(series.map((s) => [s.MetricName, s.MetricType]).sort(), [
    ['gc', 'summary'],
    ['latency', 'histogram'],
    ['requests', 'sum'],
    ['size', 'exponential_histogram'],
    ['temp', 'gauge'],
    ['temp', 'gauge'],
  ]);
});

test('data points before the retention cutoff, after the latest storable time, or starting after their time are refused', () => {
  const t = (d: bigint) => (T0 + d).toString();
  const points = [
    { timeUnixNano: t(0n), asDouble: 1 },
    { timeUnixNano: t(-1n), asDouble: 2 },
    { timeUnixNano: t(5n), startTimeUnixNano: t(6n), asDouble: 3 },
    { timeUnixNano: t(5n), startTimeUnixNano: t(5n), asDouble: 4 },
    { timeUnixNano: t(5n), startTimeUnixNano: '1', asDouble: 5 },
    { timeUnixNano: (LATEST_ROW_TIME_NS + 1n).toString(), asDouble: 6 },
  ];
  const batch = metricsRequestToRows(
    'acme',
    decode('metrics', metricsRequest([{ name: 'q', gauge: { dataPoints: points } }])),
    { window: new TimeWindow(T0) },
  );
  assert.deepEqual(
    rowsOf(batch, 'metrics_gauge').map((r) => r.Value),
    [1, 4, 5],
  );
  assert.equal(batch.rejected, 3);
  assert.match(
    batch.errorMessage,
    /data point of "q": time_unix_nano 2024-11-25T13:20:00\.123456788Z is older than this tenant's retention/,
  );
  assert.match(
    batch.errorMessage,
    /data point of "q": start_time_unix_nano 2024-11-25T13:20:00\.123456795Z is after time_unix_nano 2024-11-25T13:20:00\.123456794Z/,
  );
  assert.match(batch.errorMessage, /is after 2096-02-09T06:28:15\.000000000Z, the latest time that can be stored/);
  assert.deepEqual(
    rowsOf(batch, 'metric_series').map((s) => s.FirstSeenNs),
    [T0],
  );
});

test('the same series gets the same fingerprint in every request; other attributes, another one', () => {
  const mk = (room: string) =>
    metricsRequestToRows(
      'acme',
      decode(
        'metrics',
        metricsRequest([
          {
            name: 'temp',
            gauge: {
              dataPoints: [
                { timeUnixNano: '5', asDouble: 1, attributes: [{ key: 'room', value: { stringValue: room } }] },
              ],
            },
          },
        ]),
      ),
    );
  const fp = (b: RowBatch) => rowsOf(b, 'metrics_gauge')[0]?.Fingerprint;
  assert.equal(fp(mk('a')), fp(mk('a')));
  assert.notEqual(fp(mk('a')), fp(mk('b')));
});
