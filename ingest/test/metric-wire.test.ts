import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRowBinary, type InsertTable } from '@telemetryflow/clickhouse';
import { decodeExportRequest, encodeExportRequestObject, encodeWriteRequest } from '@telemetryflow/otlp';
import {
  ANY_TIME,
  requestToRows,
  SeriesIdentities,
  TimeWindow,
  transcodeMetricsRequest,
  transcodeWriteRequest,
  type EncodedMetricTables,
} from '@telemetryflow/rows';
import { decodeAndEncode } from '../src/index.js';

import {
  double,
  doubleBytes,
  fixed64,
  kv,
  len,
  msg,
  str,
  UNKNOWN,
  varint,
  vint,
  word64,
  type Bytes,
} from './protobuf-bytes.js';

const T0 = 1_732_540_800_000_000_000n;
const MINUTE = 60_000_000_000n;

/** AnyValues of every kind and edge. */
const VALUES: Bytes[] = [
  str('GET'),
  str(''),
  str('ü€😀'),
  str(Buffer.from([0x61, 0xff, 0x62])),
  vint(3, 0),
  vint(3, 2 ** 28),
  vint(3, -1),
  vint(3, 2n ** 63n - 1n),
  vint(2, 1),
  vint(2, 0),
  double(4, -0.5),
  double(4, Number.NaN),
  double(4, Infinity),
  len(5, len(1, str('a'))),
  len(6, len(1, kv('a', str('b')))),
  len(7, Buffer.from([0, 255])),
  Buffer.alloc(0),
];

/** A point's attribute fields (tag `field`): series `i` of a metric, with a value of every kind across series. */
function attributes(field: number, i: number): Bytes[] {
  return [
    len(field, kv('host', str(`host-${i % 7}`))),
    len(field, kv('code', VALUES[i % VALUES.length]!)),
    ...(i % 5 === 0 ? [len(field, kv('none'))] : []),
    ...(i % 4 === 0 ? [len(field, kv('9lives', str('x')))] : []),
    ...(i % 6 === 0 ? [len(field, kv('host', str('again')))] : []),
  ];
}

const exemplar = (i: number): Bytes =>
  msg(
    fixed64(2, T0 + BigInt(i)),
    i % 2 ? double(3, 0.5 * i) : fixed64(6, BigInt(-i)),
    len(4, Buffer.alloc(8, i + 1)),
    len(5, Buffer.alloc(16, i + 1)),
    len(7, kv('user', str(`u${i}`))),
  );

function numberPoint(i: number, time: bigint, opts: { exemplars?: boolean } = {}): Bytes {
  const value = [
    double(4, i * 1.5),
    fixed64(6, BigInt(i) * 1_000_003n),
    fixed64(6, -(2n ** 63n) + BigInt(i)),
    double(4, -0),
    double(4, 1e308),
    Buffer.alloc(0),
  ][i % 6]!;
  return msg(
    ...attributes(7, i),
    fixed64(2, time - MINUTE),
    fixed64(3, time),
    value,
    ...(opts.exemplars ? [len(5, exemplar(i)), len(5, exemplar(i + 1))] : []),
    ...(i % 3 === 0 ? [vint(8, 1)] : []),
  );
}

function histogramPoint(i: number, time: bigint, opts: { exemplars?: boolean } = {}): Bytes {
  const bounds = Array.from({ length: 15 }, (_, b) => 0.005 * 2 ** b);
  const counts = Array.from({ length: 16 }, (_, b) => BigInt(i * b));
  return msg(
    ...attributes(9, i),
    fixed64(2, time - MINUTE),
    fixed64(3, time),
    fixed64(4, BigInt(i * 120)),
    ...(i % 4 === 1 ? [] : [double(5, i * 3.25)]),
    len(6, Buffer.concat(counts.map(word64))),
    len(7, Buffer.concat(bounds.map(doubleBytes))),
    ...(opts.exemplars ? [len(8, exemplar(i))] : []),
    ...(i % 2 === 0 ? [double(11, 0.001), double(12, i * 9.5)] : []),
    ...(i % 3 === 0 ? [vint(10, 1)] : []),
  );
}

interface MetricOpts {
  points: Bytes[];
  unknown?: boolean;
  temporality?: number;
  monotonic?: boolean;
  metadata?: boolean;
  unit?: string;
}

const gauge = (name: string, o: MetricOpts): Bytes =>
  msg(len(1, name), len(2, `${name} help`), len(3, o.unit ?? '1'), len(5, msg(...o.points.map((p) => len(1, p)))));
const sum = (name: string, o: MetricOpts): Bytes =>
  msg(
    len(1, name),
    len(
      7,
      msg(
        ...o.points.map((p) => len(1, p)),
        vint(2, o.temporality ?? 2),
        vint(3, o.monotonic === false ? 0 : 1),
        ...(o.unknown ? UNKNOWN : []),
      ),
    ),
    len(3, o.unit ?? 'By'),
    ...(o.metadata ? [len(12, kv('prometheus.type', str('counter'))), len(12, kv('n', vint(3, 3)))] : []),
  );
const histogram = (name: string, o: MetricOpts): Bytes =>
  msg(
    ...(o.unknown ? UNKNOWN : []),
    len(9, msg(vint(2, o.temporality ?? 2), ...o.points.map((p) => len(1, p)))),
    len(1, name),
    len(3, o.unit ?? 's'),
  );

function request(
  resources: { attrs: Bytes[]; scopes: { name: string; metrics: Bytes[]; attrs?: Bytes[] }[] }[],
  opts: { unknown?: boolean; resourceLast?: boolean } = {},
): Bytes {
  const extra = opts.unknown ? UNKNOWN : [];
  return msg(
    ...extra,
    ...resources.map((r) => {
      const res = len(1, msg(...r.attrs.map((a) => len(1, a)), vint(2, 1)));
      const scopes = r.scopes.map((s) =>
        len(
          2,
          msg(
            len(1, msg(len(1, s.name), len(2, '1.0'), ...(s.attrs ?? []).map((a) => len(3, a)))),
            ...s.metrics.map((m) => len(2, m)),
            ...extra,
            len(3, 'https://example.com/scope'),
          ),
        ),
      );
      return len(
        1,
        msg(
          ...(opts.resourceLast ? [] : [res]),
          ...scopes,
          ...extra,
          len(3, 'https://opentelemetry.io/schemas/1.26.0'),
          ...(opts.resourceLast ? [res] : []),
        ),
      );
    }),
  );
}

/** The object path: protobufjs decode, row building, encodeRowBinary. */
function viaObjects(payload: Uint8Array, window = ANY_TIME) {
  const batch = requestToRows('acme', 'metrics', decodeExportRequest('metrics', payload, 'protobuf').request, 0n, {
    window,
  });
  const tables: Record<string, { data: Buffer; rows: number }> = {};
  for (const [table, rows] of Object.entries(batch.tables) as [InsertTable, unknown[][]][])
    tables[table] = { data: encodeRowBinary(table, rows), rows: rows.length };
  return { tables, accepted: batch.accepted, rejected: batch.rejected, errorMessage: batch.errorMessage };
}

function plain(encoded: EncodedMetricTables) {
  const tables: Record<string, { data: Buffer; rows: number }> = {};
  for (const [table, t] of Object.entries(encoded.tables)) tables[table] = { data: Buffer.from(t.data), rows: t.rows };
  return { ...encoded, tables };
}

/**
 * The wire reader takes the payload (no fallback) and writes what the object path writes;
 * as a Buffer and as a plain Uint8Array, with a fresh and with a warm series cache.
 */
function assertWireSameAsObjects(payload: Uint8Array, window = ANY_TIME): EncodedMetricTables {
  let last: EncodedMetricTables | undefined;
  const warm = new SeriesIdentities();
  for (const form of [Buffer.from(payload), new Uint8Array(payload)]) {
    const expected = viaObjects(form, window);
    for (const identities of [new SeriesIdentities(), warm, warm, new SeriesIdentities(3)]) {
      const wire = transcodeMetricsRequest('acme', form, window, identities);
      assert.ok(wire, 'read off the wire');
      assertSameTables(plain(wire), expected);
      last = wire;
    }
  }
  return last!;
}

const RESOURCE_ATTRS = [
  kv('service.name', str('checkout')),
  kv('host.cpu', vint(3, 8)),
  kv('k8s', len(6, len(1, kv('pod', str('p-1'))))),
];

test('gauges, sums and histograms of several resources and scopes are read off the wire as the object path writes them', () => {
  const n = 40;
  const t = (i: number) => T0 + BigInt(i % 3) * MINUTE;
  const payload = request([
    {
      attrs: RESOURCE_ATTRS,
      scopes: [
        {
          name: 'meter',
          attrs: [kv('scope.kind', str('sdk'))],
          metrics: [
            gauge('cpu.usage', { points: Array.from({ length: n }, (_, i) => numberPoint(i, t(i))) }),
            sum('requests', { points: Array.from({ length: n }, (_, i) => numberPoint(i, t(i))), metadata: true }),
            sum('delta.bytes', {
              points: Array.from({ length: 5 }, (_, i) => numberPoint(i, t(i))),
              temporality: 1,
              monotonic: false,
              unknown: true,
            }),
            histogram('latency', { points: Array.from({ length: n }, (_, i) => histogramPoint(i, t(i))) }),
            // The same series again in one request: one metric_series row, first and last seen across both.
            gauge('cpu.usage', { points: Array.from({ length: 10 }, (_, i) => numberPoint(i, T0 + 7n * MINUTE)) }),
            // A name under a second type: its series keep the first type's row.
            histogram('cpu.usage', { points: [histogramPoint(1, T0)] }),
            gauge('empty', { points: [] }),
          ],
        },
        { name: 'other', metrics: [gauge('cpu.usage', { points: [numberPoint(1, T0)] })] },
      ],
    },
    {
      attrs: [kv('service.name', str('billing'))],
      scopes: [{ name: 'meter', metrics: [sum('requests', { points: [numberPoint(2, T0)] })] }],
    },
    { attrs: [], scopes: [{ name: '', metrics: [gauge('up', { points: [msg(fixed64(3, T0))] })] }] },
  ]);
  const wire = assertWireSameAsObjects(payload);
  assert.equal(wire.accepted, 3 * n + 5 + 10 + 1 + 1 + 1 + 1);
  assert.deepEqual(
    Object.keys(wire.tables).sort(),
    ['metric_series', 'metrics_gauge', 'metrics_histogram', 'metrics_sum'],
    'every table written',
  );
  // Fields in other orders, unknown fields everywhere, a late resource.
  assertWireSameAsObjects(
    request([{ attrs: RESOURCE_ATTRS, scopes: [{ name: 'm', metrics: [] }] }], { unknown: true }),
  );
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const shuffle = (point: Bytes, attributeField: number): Bytes => {
    // Keep the attribute list one run (other orders of it are the object path's to take).
    const fields = splitFields(point);
    const attrs = fields.filter((f) => f[0]! >> 3 === attributeField);
    const rest = fields.filter((f) => f[0]! >> 3 !== attributeField);
    const all = [Buffer.concat(attrs), ...rest, ...UNKNOWN].map((f) => [random(), f] as const);
    return msg(...all.sort((a, b) => a[0] - b[0]).map(([, f]) => f));
  };
  assertWireSameAsObjects(
    request(
      [
        {
          attrs: RESOURCE_ATTRS,
          scopes: [
            {
              name: 'meter',
              metrics: [
                gauge('g', { points: Array.from({ length: 20 }, (_, i) => shuffle(numberPoint(i, T0), 7)) }),
                histogram('h', {
                  points: Array.from({ length: 20 }, (_, i) => shuffle(histogramPoint(i, T0), 9)),
                  unknown: true,
                }),
              ],
            },
          ],
        },
      ],
      { unknown: true, resourceLast: true },
    ),
  );
});

/** The top-level fields of a message (single-byte tags; enough for these points). */
function splitFields(m: Bytes): Bytes[] {
  const out: Bytes[] = [];
  let p = 0;
  while (p < m.length) {
    const start = p;
    const wire = m[p++]! & 7;
    if (wire === 0) while (m[p++]! >= 0x80);
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else {
      let n = 0;
      let shift = 0;
      let b: number;
      do {
        b = m[p++]!;
        n += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b >= 0x80);
      p += n;
    }
    out.push(m.subarray(start, p));
  }
  return out;
}

test('exemplars and what protobufjs writes (as the SDK exporters do) are read off the wire as the object path writes them', () => {
  assertWireSameAsObjects(
    request([
      {
        attrs: RESOURCE_ATTRS,
        scopes: [
          {
            name: 'meter',
            metrics: [
              gauge('g', { points: Array.from({ length: 6 }, (_, i) => numberPoint(i, T0, { exemplars: true })) }),
              histogram('h', {
                points: Array.from({ length: 6 }, (_, i) => histogramPoint(i, T0, { exemplars: true })),
              }),
            ],
          },
        ],
      },
    ]),
  );
  const point = (i: number) => ({
    attributes: [
      { key: 'route', value: { stringValue: `/r/${i}` } },
      { key: 'n', value: { intValue: i } },
    ],
    startTimeUnixNano: String(T0 - MINUTE),
    timeUnixNano: String(T0),
  });
  assertWireSameAsObjects(
    encodeExportRequestObject('metrics', {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeMetrics: [
            {
              scope: { name: 'meter' },
              metrics: [
                { name: 'g', gauge: { dataPoints: [0, 1, 2].map((i) => ({ ...point(i), asDouble: i / 3 })) } },
                {
                  name: 'c',
                  unit: '1',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [0, 1, 2].map((i) => ({ ...point(i), asInt: i * 10 })),
                  },
                },
                {
                  name: 'h',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [0, 1].map((i) => ({
                      ...point(i),
                      count: 6,
                      sum: 1.5,
                      bucketCounts: [1, 2, 3],
                      explicitBounds: [0.1, 1],
                      exemplars: [{ timeUnixNano: String(T0), asDouble: 0.2, filteredAttributes: [] }],
                    })),
                  },
                },
              ],
            },
          ],
        },
      ],
    }),
  );
});

test('shapes the wire reader leaves to the object path: the whole request is decoded as before', () => {
  const res = (metrics: Bytes[]) => request([{ attrs: RESOURCE_ATTRS, scopes: [{ name: 'meter', metrics }] }]);
  const ok = numberPoint(1, T0);
  const unusual: [string, Bytes][] = [
    ['exponential histogram', res([msg(len(1, 'e'), len(10, len(1, msg(fixed64(3, T0), fixed64(4, 1n)))))])],
    ['summary', res([msg(len(1, 's'), len(11, len(1, msg(fixed64(3, T0), fixed64(4, 1n), double(5, 2)))))])],
    ['no data', res([msg(len(1, 'nodata'))])],
    ['no name', res([gauge('', { points: [ok] })])],
    ['time before the window', res([gauge('g', { points: [numberPoint(1, T0 - 100n * MINUTE)] })])],
    ['start after time', res([gauge('g', { points: [msg(fixed64(2, T0 + 1n), fixed64(3, T0))] })])],
    ['time after 2096', res([gauge('g', { points: [msg(fixed64(3, 2n ** 62n))] })])],
    ['NaN value', res([gauge('g', { points: [msg(fixed64(3, T0), double(4, Number.NaN))] })])],
    ['two values', res([gauge('g', { points: [msg(fixed64(3, T0), double(4, 1), fixed64(6, 2n))] })])],
    ['repeated time', res([gauge('g', { points: [msg(fixed64(3, T0), fixed64(3, T0))] })])],
    [
      'split attributes',
      res([gauge('g', { points: [msg(len(7, kv('a', str('1'))), fixed64(3, T0), len(7, kv('b')))] })]),
    ],
    [
      'counts for other bounds',
      res([histogram('h', { points: [msg(fixed64(3, T0), len(6, word64(1n)), len(7, doubleBytes(1)))] })]),
    ],
    ['count ≥ 2⁶³', res([histogram('h', { points: [msg(fixed64(3, T0), fixed64(4, 2n ** 63n))] })])],
    ['unpacked counts', res([histogram('h', { points: [msg(fixed64(3, T0), fixed64(6, 1n))] })])],
    ['invalid exemplar', res([gauge('g', { points: [msg(fixed64(3, T0), len(5, len(4, Buffer.alloc(3))))] })])],
    ['a known field with another wire type', res([gauge('g', { points: [msg(vint(3, 5))] })])],
    ['truncated', res([gauge('g', { points: [ok] })]).subarray(0, 40)],
  ];
  const window = new TimeWindow(T0 - 10n * MINUTE);
  for (const [what, payload] of unusual) {
    assert.equal(transcodeMetricsRequest('acme', payload, window), undefined, what);
    // The decoder thread then takes the object path: its answer is the one clients got before.
    const task = {
      tenantId: 'acme',
      signal: 'metrics' as const,
      encoding: 'protobuf' as const,
      payload,
      receivedAtNs: String(T0),
      notBeforeNs: String(T0 - 10n * MINUTE),
    };
    const result = decodeAndEncode(task);
    let expected: unknown;
    try {
      const objects = viaObjects(payload, window);
      expected = { accepted: objects.accepted, rejected: objects.rejected, errorMessage: objects.errorMessage };
    } catch {
      expected = 'malformed';
    }
    assert.deepEqual(
      result.ok
        ? { accepted: result.batch.accepted, rejected: result.batch.rejected, errorMessage: result.batch.errorMessage }
        : 'malformed',
      expected,
      what,
    );
  }
});

test('the decoder thread writes metrics requests off the wire: the same tables as the object path', () => {
  const payload = request([
    {
      attrs: RESOURCE_ATTRS,
      scopes: [
        {
          name: 'meter',
          metrics: [
            gauge('g', { points: Array.from({ length: 8 }, (_, i) => numberPoint(i, T0)) }),
            histogram('h', { points: Array.from({ length: 8 }, (_, i) => histogramPoint(i, T0)) }),
          ],
        },
      ],
    },
  ]);
  const result = decodeAndEncode({
    tenantId: 'acme',
    signal: 'metrics',
    encoding: 'protobuf',
    payload: new Uint8Array(payload),
    receivedAtNs: String(T0),
    notBeforeNs: '0',
  });
  assert.ok(result.ok);
  const tables: Record<string, { data: Buffer; rows: number }> = {};
  for (const [table, t] of Object.entries(result.batch.tables))
    tables[table] = { data: Buffer.from(t.data), rows: t.rows };
  assert.deepEqual({ ...result.batch, tables }, viaObjects(new Uint8Array(payload)));
});

/** Table by table, with the first differing byte named (a whole-buffer diff is unreadable). */
function assertSameTables(wire: ReturnType<typeof plain>, expected: ReturnType<typeof viaObjects>): void {
  assert.deepEqual(Object.keys(wire.tables).sort(), Object.keys(expected.tables).sort());
  for (const [table, t] of Object.entries(expected.tables)) {
    const got = wire.tables[table]!;
    const at = got.data.findIndex((b, i) => b !== t.data[i]);
    assert.deepEqual(
      { rows: got.rows, length: got.data.length, firstDifference: at },
      { rows: t.rows, length: t.data.length, firstDifference: -1 },
      `${table}: wire ${got.data.subarray(Math.max(0, at - 16), at + 16).toString('hex')} / objects ${t.data.subarray(Math.max(0, at - 16), at + 16).toString('hex')}`,
    );
  }
  assert.deepEqual(
    { accepted: wire.accepted, rejected: wire.rejected, errorMessage: wire.errorMessage },
    { accepted: expected.accepted, rejected: expected.rejected, errorMessage: expected.errorMessage },
  );
}

// ---------------------------------------------------------------- Prometheus remote write

/** The object path of a remote-write request: decodeWriteRequest's OTLP objects, rows, encodeRowBinary. */
function remoteWriteViaObjects(payload: Uint8Array, window = ANY_TIME) {
  const { request, refused } = decodeExportRequest('metrics', payload, 'remote-write');
  const batch = requestToRows('acme', 'metrics', request, 0n, { window, refused });
  const tables: Record<string, { data: Buffer; rows: number }> = {};
  for (const [table, rows] of Object.entries(batch.tables) as [InsertTable, unknown[][]][])
    tables[table] = { data: encodeRowBinary(table, rows), rows: rows.length };
  return { tables, accepted: batch.accepted, rejected: batch.rejected, errorMessage: batch.errorMessage };
}

function assertRemoteWriteSameAsObjects(payload: Uint8Array, window = ANY_TIME): EncodedMetricTables {
  let last: EncodedMetricTables | undefined;
  const warm = new SeriesIdentities();
  for (const form of [Buffer.from(payload), new Uint8Array(payload)]) {
    const expected = remoteWriteViaObjects(form, window);
    for (const identities of [new SeriesIdentities(), warm, warm, new SeriesIdentities(2)]) {
      const wire = transcodeWriteRequest('acme', form, window, identities);
      assert.ok(wire, 'read off the wire');
      assertSameTables(plain(wire), expected);
      last = wire;
    }
  }
  return last!;
}

const MS0 = Number(T0 / 1_000_000n);
const label = (name: string | Bytes, value: string | Bytes) => len(1, msg(len(1, name), len(2, value)));
const sample = (value: Bytes | undefined, ms: number | bigint | undefined, ...extra: Bytes[]) =>
  len(2, msg(...(value ? [value] : []), ...(ms === undefined ? [] : [vint(2, ms)]), ...extra));
const STALE_NAN = Buffer.concat([varint((1 << 3) | 1), Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f])]);

test('remote-write series and samples of every kind are read off the wire as the object path writes them', () => {
  const series = (i: number): Bytes =>
    msg(
      label('__name__', ['http_requests_total', 'up', 'rpc_duration_seconds_bucket', 'ü_metric'][i % 4]!),
      label('instance', `host-${i % 3}:9100`),
      label('job', 'node'),
      ...(i % 2 ? [label('le', String(0.5 * i))] : [label('empty', '')]),
      ...(i % 5 === 0 ? [label('9lives', 'x'), label('__proto__', 'y')] : []),
      ...(i % 7 === 0 ? [label(Buffer.from([0x61, 0xff]), Buffer.from([0xed, 0xa0, 0x80]))] : []),
      sample(double(1, i * 1.25), MS0 + i * 15_000),
      sample(double(1, [-0, Infinity, -Infinity, 1e308][i % 4]!), MS0 - 60_000),
      ...(i % 3 === 0 ? [sample(STALE_NAN, MS0 + 30_000)] : []),
      ...(i % 4 === 0 ? [sample(undefined, MS0), sample(double(1, 2), undefined)] : []),
      ...(i % 6 === 0 ? [len(3, msg(label('trace_id', 'abc'), double(2, 1), vint(3, MS0)))] : []),
      ...(i % 4 === 1 ? UNKNOWN : []),
    );
  const timeseries = Array.from({ length: 30 }, (_, i) => len(1, series(i)));
  // The same series again, and a series without samples (skipped whatever its labels).
  const payload = msg(...timeseries, len(1, series(2)), len(1, msg(label('job', 'no name, no samples'))), ...UNKNOWN);
  const wire = assertRemoteWriteSameAsObjects(payload);
  assert.ok(wire.accepted > 60);
  assert.deepEqual(Object.keys(wire.tables).sort(), ['metric_series', 'metrics_gauge']);
  // What the load generators and tests encode with protobufjs.
  assertRemoteWriteSameAsObjects(
    encodeWriteRequest({
      timeseries: [0, 1, 2].map((i) => ({
        labels: [
          { name: '__name__', value: 'node_cpu_seconds_total' },
          { name: 'cpu', value: String(i) },
        ],
        samples: [{ value: i, timestamp: MS0 }],
      })),
    }),
  );
  assertRemoteWriteSameAsObjects(Buffer.alloc(0));
});

test('remote-write shapes the wire reader leaves to the object path: the whole request is decoded as before', () => {
  const ok = (...extra: Bytes[]) => len(1, msg(label('__name__', 'up'), label('job', 'a'), ...extra));
  const cases: [string, Bytes][] = [
    ['metadata', msg(ok(sample(double(1, 1), MS0)), len(3, msg(vint(1, 1), len(2, 'up'))))],
    ['native histogram', msg(ok(sample(double(1, 1), MS0), len(4, vint(1, 1))))],
    ['no __name__', msg(len(1, msg(label('job', 'a'), sample(double(1, 1), MS0))))],
    ['a label twice', msg(ok(label('job', 'b'), sample(double(1, 1), MS0)))],
    ['split labels', msg(len(1, msg(label('__name__', 'up'), sample(double(1, 1), MS0), label('job', 'a'))))],
    ['NaN', msg(ok(sample(double(1, Number.NaN), MS0)))],
    ['negative time', msg(ok(sample(double(1, 1), -5)))],
    ['time before the window', msg(ok(sample(double(1, 1), MS0 - 3_600_000)))],
    ['time after 2096', msg(ok(sample(double(1, 1), 4_000_000_000_000)))],
    ['truncated', msg(ok(sample(double(1, 1), MS0))).subarray(0, 12)],
  ];
  const window = new TimeWindow(T0 - 10n * MINUTE);
  for (const [what, payload] of cases) {
    assert.equal(transcodeWriteRequest('acme', payload, window), undefined, what);
    const result = decodeAndEncode({
      tenantId: 'acme',
      signal: 'metrics',
      encoding: 'remote-write',
      payload,
      receivedAtNs: String(T0),
      notBeforeNs: String(T0 - 10n * MINUTE),
    });
    let expected: unknown;
    try {
      const objects = remoteWriteViaObjects(payload, window);
      expected = { accepted: objects.accepted, rejected: objects.rejected, errorMessage: objects.errorMessage };
    } catch {
      expected = 'malformed';
    }
    assert.deepEqual(
      result.ok
        ? { accepted: result.batch.accepted, rejected: result.batch.rejected, errorMessage: result.batch.errorMessage }
        : 'malformed',
      expected,
      what,
    );
  }
});
