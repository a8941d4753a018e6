import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRowBinary } from '@telemetryflow/clickhouse';
import { decodeExportRequest, encodeExportRequestObject } from '@telemetryflow/otlp';
import { ANY_TIME, LATEST_ROW_TIME_NS, requestToRows, TimeWindow, transcodeTraceRequest } from '@telemetryflow/rows';
import { PARENT_ID, SPAN_ID, span, T0, TRACE_ID, traceRequest } from '@telemetryflow/rows/test-fixtures';
import { decodeAndEncode } from '../src/index.js';

// Protobuf written by hand, so that fields can come in any order, repeat, or be unknown:
// what other SDKs and collectors may send, and what protobufjs never writes.
type Bytes = Buffer;
function varint(v: number | bigint): Bytes {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}
const len = (no: number, body: Bytes | string): Bytes => {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b]);
};
const vint = (no: number, v: number | bigint): Bytes => Buffer.concat([varint(no << 3), varint(v)]);
const fixed64 = (no: number, v: bigint): Bytes => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return Buffer.concat([varint((no << 3) | 1), b]);
};
const double = (no: number, v: number): Bytes => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Buffer.concat([varint((no << 3) | 1), b]);
};
const fixed32 = (no: number, v: number): Bytes => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return Buffer.concat([varint((no << 3) | 5), b]);
};
const msg = (...fields: Bytes[]): Bytes => Buffer.concat(fields);
/** An unknown field of every wire type. */
const UNKNOWN = [vint(99, 7), fixed64(98, 1n), len(97, 'x'), fixed32(96, 5)];

const kv = (key: string | Bytes, value?: Bytes): Bytes => msg(len(1, key), ...(value ? [len(2, value)] : []));
const str = (s: string | Bytes) => len(1, s);

/** The span fields of a usual span, one Buffer per field. */
function spanFields(i: number): Bytes[] {
  return [
    len(1, TRACE_ID),
    len(2, Buffer.from([i + 1, 2, 3, 4, 5, 6, 7, 8])),
    len(3, 'k=v'),
    len(4, PARENT_ID),
    len(5, `GET /item/${i} é`),
    vint(6, 2),
    fixed64(7, T0),
    fixed64(8, T0 + 1_500_000n),
    len(9, kv('http.route', str('/item/{id}'))),
    len(9, kv('http.status_code', vint(3, 200))),
    len(9, kv('ok', vint(2, 1))),
    len(9, kv('ratio', double(4, 0.25))),
    len(9, kv('tags', len(5, len(1, str('a'))))),
    len(9, kv('none')),
    len(9, kv('empty', Buffer.alloc(0))),
    vint(10, 3),
    vint(12, 1),
    vint(14, 2),
    len(15, msg(len(2, 'boom'), vint(3, 2))),
    fixed32(16, 0x301),
  ];
}

function request(spans: Bytes[], opts: { resourceLast?: boolean; scopeLast?: boolean; unknown?: boolean } = {}): Bytes {
  const extra = opts.unknown ? UNKNOWN : [];
  const scope = len(1, msg(len(1, 'lib'), len(2, '1.2.3')));
  const scopeSpans = msg(
    ...(opts.scopeLast ? [] : [scope]),
    ...spans.map((s) => len(2, s)),
    ...extra,
    len(3, 'https://example.com/scope'),
    ...(opts.scopeLast ? [scope] : []),
  );
  const res = len(1, msg(len(1, kv('service.name', str('checkout'))), len(1, kv('host.cpu', vint(3, 8)))));
  const resourceSpans = msg(
    ...(opts.resourceLast ? [] : [res]),
    len(2, scopeSpans),
    ...extra,
    len(3, 'https://opentelemetry.io/schemas/1.26.0'),
    ...(opts.resourceLast ? [res] : []),
  );
  return msg(...extra, len(1, resourceSpans));
}

/** The object path: protobufjs decode, row building, encodeRowBinary. */
function viaObjects(payload: Uint8Array, window = ANY_TIME) {
  const batch = requestToRows('acme', 'traces', decodeExportRequest('traces', payload, 'protobuf').request, 0n, {
    window,
  });
  const rows = batch.tables.spans ?? [];
  return {
    data: encodeRowBinary('spans', rows),
    rows: rows.length,
    accepted: batch.accepted,
    rejected: batch.rejected,
    errorMessage: batch.errorMessage,
  };
}

/**
 * The wire reader takes the payload itself (no fallback) and writes what the object path
 * writes; both as a Buffer and as the plain Uint8Array decoder threads receive (protobufjs
 * reads strings of the two differently).
 */
function assertWireSameAsObjects(payload: Uint8Array, window = ANY_TIME): { accepted: number; rejected: number } {
  let result = { accepted: 0, rejected: 0 };
  for (const form of [Buffer.from(payload), new Uint8Array(payload)]) {
    const wire = transcodeTraceRequest('acme', form, 64, window);
    assert.ok(wire, 'read off the wire');
    assertSame(wire, viaObjects(form, window));
    result = { accepted: wire.accepted, rejected: wire.rejected };
  }
  return result;
}

type Encoded = ReturnType<typeof viaObjects>;
function assertSame(wire: NonNullable<ReturnType<typeof transcodeTraceRequest>>, expected: Encoded): void {
  assert.equal(wire.rows, expected.rows);
  assert.equal(wire.accepted, expected.accepted);
  assert.equal(wire.rejected, expected.rejected);
  assert.equal(wire.errorMessage, expected.errorMessage);
  assert.deepEqual(Buffer.from(wire.data), expected.data);
}

/** The object path's answer, or its error. */
function objectsOrError(payload: Uint8Array, window = ANY_TIME): Encoded | Error {
  try {
    return viaObjects(payload, window);
  } catch (err) {
    return err as Error;
  }
}

test('spans with fields in any order, unknown fields and a late resource and scope are read off the wire as the object path writes them', () => {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const shuffled = (fields: Bytes[]) =>
    fields
      .map((f) => [random(), f] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, f]) => f);
  const spans = Array.from({ length: 30 }, (_, i) =>
    msg(...shuffled([...spanFields(i), ...(i % 3 === 0 ? UNKNOWN : [])])),
  );
  assert.deepEqual(assertWireSameAsObjects(request(spans)), { accepted: 30, rejected: 0 });
  assert.deepEqual(assertWireSameAsObjects(request(spans, { resourceLast: true, scopeLast: true, unknown: true })), {
    accepted: 30,
    rejected: 0,
  });
  // What protobufjs writes, as the SDKs' exporters do.
  assertWireSameAsObjects(
    encodeExportRequestObject(
      'traces',
      traceRequest([span({ events: [], links: [] }), span({ events: [], links: [], attributes: [] })]),
    ),
  );
});

test('attribute values of every kind and edge: the wire reader agrees with protobufjs', () => {
  const values: Bytes[] = [
    vint(3, 0),
    vint(3, 1),
    vint(3, 2 ** 28 - 1),
    vint(3, 2 ** 28),
    vint(3, 2 ** 31),
    vint(3, -1),
    vint(3, 2n ** 63n - 1n),
    Buffer.from([0x18, 0x80, 0x00]), // 0 written in two bytes
    vint(2, 0),
    vint(2, 1),
    vint(2, 2),
    double(4, 0),
    double(4, -0.5),
    double(4, Number.NaN),
    double(4, Infinity),
    double(4, 1e300),
    str(''),
    str('ü€😀'),
    str(Buffer.from([0x61, 0xff, 0x62])),
    str(Buffer.from([0xed, 0xa0, 0x80])),
    msg(str('first'), str('second')),
    msg(vint(3, 5), str('then a string')),
    msg(str('x'), ...UNKNOWN),
    len(7, Buffer.from([0, 255])),
    len(6, len(1, kv('a', str('b')))),
    len(5, Buffer.alloc(0)),
    Buffer.alloc(0),
  ];
  const spans = values.map((v, i) => msg(...spanFields(i).slice(0, 8), len(9, kv(`k${i}`, v)), len(9, kv('same', v))));
  assert.deepEqual(assertWireSameAsObjects(request(spans)), { accepted: values.length, rejected: 0 });
});

test('spans outside the usual shape are decoded by protobufjs, with the same rows and refusals', () => {
  const base = spanFields(0);
  // The field number is the first byte's top bits (16's two-byte tag starts with 0x85: 16 too).
  const without = (...numbers: number[]) => base.filter((f) => !numbers.includes(f[0]! >> 3));
  const spans = [
    msg(...base, len(5, 'the last name wins')),
    msg(...base, len(1, SPAN_ID)), // trace id repeated, now 8 bytes: refused
    msg(...without(1)), // no trace id: refused
    msg(...without(1), len(1, Buffer.alloc(16))), // all-zero trace id: refused
    msg(...without(4), len(4, Buffer.alloc(3))), // short parent: refused
    msg(...without(4), len(4, Buffer.alloc(0))), // empty parent: a root span
    msg(...without(7), fixed64(7, 2n ** 63n)), // start out of range: refused
    msg(...without(8), fixed64(8, T0 - 5n)), // ends before it starts: refused
    msg(...base, len(11, msg(fixed64(1, T0), len(2, 'retry')))), // an event
    msg(...base, len(13, msg(len(1, TRACE_ID), len(2, SPAN_ID)))), // a link
    msg(...base, len(15, msg(vint(3, 1)))), // status repeated
    msg(...base, len(9, kv('http.route', str('again')))), // key repeated
    msg(...base, len(9, kv('7', str('digit first')))),
    msg(...base, len(9, kv(Buffer.from([0x6b, 0xff]), str('bad key')))),
    msg(...base, len(9, msg(len(1, 'k'), len(1, 'k2'), len(2, str('key given twice'))))),
    msg(...without(5), len(5, Buffer.from([0x6e, 0xc3]))), // name: invalid UTF-8
    msg(...without(3), len(3, Buffer.from([0xff]))),
    msg(...without(15), len(15, msg(len(2, Buffer.from([0xff])), vint(3, 9)))),
    msg(...without(6, 15), vint(6, -3)), // an unknown kind, no status
    msg(...Array.from({ length: 70 }, (_, i) => len(9, kv(`many${i}`, str('v')))), ...without(9)),
    msg(...without(9, 10, 12, 14, 16)),
    msg(...UNKNOWN),
  ];
  const { accepted, rejected } = assertWireSameAsObjects(request(spans));
  assert.equal(rejected, 7);
  assert.equal(accepted, spans.length - 7);
});

test('a start before the retention cutoff or after the latest storable time, and an end before the start, are refused off the wire as through objects', () => {
  const cutoff = T0 - 1_000_000n;
  const window = new TimeWindow(cutoff);
  const base = spanFields(0).filter((f) => f[0] !== ((7 << 3) | 1) && f[0] !== ((8 << 3) | 1));
  const timed = (start: bigint, end: bigint) => msg(...base, fixed64(7, start), fixed64(8, end));
  const lowWordMax = ((T0 >> 32n) << 32n) + 0xffffffffn;
  const cases: [bigint, bigint, boolean][] = [
    [cutoff, cutoff, true],
    [cutoff - 1n, T0, false],
    [cutoff + 1n, cutoff, false],
    [T0, T0 - 1n, false],
    [T0, T0 + 1n, true],
    // Times that differ only in their high or low 32-bit word.
    [(T0 >> 32n) << 32n, T0, false],
    [lowWordMax, lowWordMax + 1n, true],
    [lowWordMax + 1n, lowWordMax, false],
    [LATEST_ROW_TIME_NS, LATEST_ROW_TIME_NS, true],
    [LATEST_ROW_TIME_NS + 1n, LATEST_ROW_TIME_NS + 1n, false],
    [LATEST_ROW_TIME_NS, 2n ** 63n - 1n, true],
    [0n, 0n, false],
  ];
  const { accepted, rejected } = assertWireSameAsObjects(
    request(cases.map(([start, end]) => timed(start, end))),
    window,
  );
  assert.equal(accepted, cases.filter((c) => c[2]).length);
  assert.equal(rejected, cases.filter((c) => !c[2]).length);
  const reason = (start: bigint, end: bigint) => viaObjects(request([timed(start, end)]), window).errorMessage;
  assert.equal(
    reason(cutoff - 1n, T0),
    "rejected 1 item(s): span: start_time_unix_nano 2024-11-25T13:20:00.122456788Z is older than this tenant's retention (nothing before 2024-11-25T13:20:00.122456789Z is kept)",
  );
  assert.equal(
    reason(T0, T0 - 1n),
    'rejected 1 item(s): span: end_time_unix_nano 2024-11-25T13:20:00.123456788Z is before start_time_unix_nano 2024-11-25T13:20:00.123456789Z',
  );
  assert.equal(
    reason(LATEST_ROW_TIME_NS + 1n, LATEST_ROW_TIME_NS + 1n),
    'rejected 1 item(s): span: start_time_unix_nano 2096-02-09T06:28:15.000000001Z is after 2096-02-09T06:28:15.000000000Z, the latest time that can be stored',
  );
  // Without a cutoff a start of 0 is only old, not invalid.
  assert.deepEqual(assertWireSameAsObjects(request([timed(0n, 0n)])), { accepted: 1, rejected: 0 });
});

test('payloads the wire reader does not take fall back to the object path, errors included', () => {
  const good = request([msg(...spanFields(0))]);
  const oddlyTyped = request([msg(...spanFields(0), vint(5, 1))]); // name as a varint
  const truncated = good.subarray(0, good.length - 3);
  const overlong = msg(len(1, msg(len(2, msg(Buffer.from([0x12, 0x7f]), len(2, 'x'))))));
  for (const payload of [oddlyTyped, truncated, overlong, Buffer.from([0x0a]), Buffer.from([0x0f])]) {
    assert.equal(transcodeTraceRequest('acme', payload, 64), undefined);
  }
  const task = (payload: Uint8Array) =>
    decodeAndEncode({
      tenantId: 'acme',
      signal: 'traces',
      encoding: 'protobuf',
      payload,
      receivedAtNs: '0',
      notBeforeNs: '0',
    });
  const truncatedResult = task(truncated);
  assert.equal(truncatedResult.ok, false);
  assert.match((truncatedResult as { malformed: string }).malformed, /invalid protobuf ExportTraceServiceRequest/);
  // The same answer as before the wire reader existed: whatever protobufjs makes of it.
  const expected = objectsOrError(oddlyTyped);
  const got = task(oddlyTyped);
  if (expected instanceof Error) assert.equal(got.ok, false);
  else {
    assert.ok(got.ok);
    const { accepted, rejected, errorMessage, tables } = got.batch;
    assert.deepEqual(
      { accepted, rejected, errorMessage },
      { accepted: expected.accepted, rejected: expected.rejected, errorMessage: expected.errorMessage },
    );
    assert.deepEqual(Buffer.from(tables.spans?.data ?? []), expected.data);
  }
  // Each was once stored by the wire reader while protobufjs refuses it (found by fuzzing):
  // an int tag without its value; a broken first copy of a repeated resource or scope; nesting
  // deeper than protobufjs allows, counted from the whole request.
  const nestedArrays = (depth: number): Bytes => (depth === 0 ? str('x') : len(5, len(1, nestedArrays(depth - 1))));
  const nestedGroups = (depth: number): Bytes =>
    Buffer.concat([
      ...Array.from({ length: depth }, () => Buffer.from([0xa3, 0x06])),
      ...Array.from({ length: depth }, () => Buffer.from([0xa4, 0x06])),
    ]);
  for (const refused of [
    Buffer.from('0a2a122812260a100102030405060708090a0b0c0d0e0f10120811121314151617184a060a01611201185005', 'hex'),
    Buffer.from('0a270a030a05010a00121e121c0a100102030405060708090a0b0c0d0e0f1012081112131415161718', 'hex'),
    Buffer.from('0a2712250a030a05010a00121c0a100102030405060708090a0b0c0d0e0f1012081112131415161718', 'hex'),
    request([msg(...spanFields(0), len(9, kv('deep', nestedArrays(48))))]),
    request([msg(...spanFields(0), nestedGroups(99))]),
  ]) {
    // As decoder threads receive it (a Buffer's reader cuts an overlong string short instead).
    const form = new Uint8Array(refused);
    assert.ok(objectsOrError(form) instanceof Error, 'protobufjs refuses it');
    assert.equal(transcodeTraceRequest('acme', form, 64), undefined);
    assert.equal(task(form).ok, false);
    assert.equal(transcodeTraceRequest('acme', Buffer.from(refused), 64), undefined);
  }
  // Empty requests: nothing to store, nothing refused.
  assert.deepEqual(assertWireSameAsObjects(Buffer.alloc(0)), { accepted: 0, rejected: 0 });
  assert.deepEqual(assertWireSameAsObjects(msg(len(1, msg(len(1, Buffer.alloc(0)))))), { accepted: 0, rejected: 0 });
});

test('mutated payloads: whatever the wire reader takes, it writes as the object path does, and it takes nothing protobufjs refuses', () => {
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = (n: number) => Math.floor(random() * n);
  const bases = [
    request(
      Array.from({ length: 3 }, (_, i) => msg(...spanFields(i))),
      { unknown: true },
    ),
    encodeExportRequestObject(
      'traces',
      traceRequest([span({ events: [], links: [] }), span({ events: [], links: [], status: { code: 1 } })]),
    ),
  ];
  let taken = 0;
  const cases = 3000;
  for (let n = 0; n < cases; n++) {
    const bytes = [...bases[n % bases.length]!];
    for (let k = 1 + pick(3); k > 0; k--) {
      const at = pick(bytes.length);
      const op = pick(4);
      if (op === 0) bytes[at] = pick(256);
      else if (op === 1) bytes.splice(at, 0, pick(256));
      else if (op === 2) bytes.splice(at, 1);
      else bytes.length = at;
    }
    const payload = new Uint8Array(bytes);
    // Half the cases with a retention cutoff near the spans' start.
    const window = n % 2 ? ANY_TIME : new TimeWindow(T0 - 1_000_000n + BigInt(pick(3_000_000)));
    const wire = transcodeTraceRequest('acme', payload, 64, window);
    if (!wire) continue;
    taken++;
    const expected = objectsOrError(payload, window);
    assert.ok(
      !(expected instanceof Error),
      `protobufjs refuses ${Buffer.from(payload).toString('hex')}, the wire reader took it`,
    );
    assertSame(wire, expected);
  }
  assert.ok(taken > cases / 50, `the wire reader took ${taken} of ${cases} mutated payloads`);
});
