// Odd values in every field of OTLP/JSON requests, and mutated protobuf: every request is
// either converted (each item stored or refused with a reason) or malformed. Nothing throws,
// so nothing reaches the client as a transient failure it would retry forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeExportRequestObject, type Signal } from '@telemetryflow/otlp';
import { decodeToRows } from '@telemetryflow/rows';
import { prng } from '@telemetryflow/rows/test-fixtures';
import { decodeAndEncode, type DecodeTask } from '../src/index.js';

const T = '1732540800123456789';
const ID16 = '5b8efff798038103d269b633813fc60c';
const ID8 = 'eee19b7ec3c1b174';
const attrs = () => [
  { key: 's', value: { stringValue: 'x' } },
  { key: 'i', value: { intValue: '5' } },
  {
    key: 'a',
    value: {
      arrayValue: {
        values: [{ doubleValue: 1.5 }, { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }],
      },
    },
  },
  { key: 'b', value: { bytesValue: 'AQID' } },
];
const envelope = { resource: { attributes: attrs(), droppedAttributesCount: 1 }, schemaUrl: 'r' };
const scope = { name: 'lib', version: '1', attributes: attrs(), droppedAttributesCount: 0 };

const TEMPLATES: Record<Signal, { body: Record<string, unknown>; items: number }> = {
  traces: {
    items: 2,
    body: {
      resourceSpans: [
        {
          ...envelope,
          scopeSpans: [
            {
              scope,
              schemaUrl: 's',
              spans: [0, 1].map((i) => ({
                traceId: ID16,
                spanId: `eee19b7ec3c1b17${i}`,
                parentSpanId: ID8,
                traceState: 'a=b',
                flags: 1,
                name: 'op',
                kind: 2,
                startTimeUnixNano: T,
                endTimeUnixNano: T,
                attributes: attrs(),
                droppedAttributesCount: 0,
                events: [{ timeUnixNano: T, name: 'e', attributes: attrs(), droppedAttributesCount: 0 }],
                droppedEventsCount: 0,
                links: [
                  {
                    traceId: ID16,
                    spanId: ID8,
                    traceState: '',
                    attributes: attrs(),
                    droppedAttributesCount: 0,
                    flags: 0,
                  },
                ],
                droppedLinksCount: 0,
                status: { code: 2, message: 'm' },
              })),
            },
          ],
        },
      ],
    },
  },
  logs: {
    items: 2,
    body: {
      resourceLogs: [
        {
          ...envelope,
          scopeLogs: [
            {
              scope,
              schemaUrl: 's',
              logRecords: [0, 1].map(() => ({
                timeUnixNano: T,
                observedTimeUnixNano: T,
                severityNumber: 9,
                severityText: 'INFO',
                body: { stringValue: 'hello' },
                attributes: attrs(),
                droppedAttributesCount: 0,
                flags: 1,
                traceId: ID16,
                spanId: ID8,
                eventName: 'ev',
              })),
            },
          ],
        },
      ],
    },
  },
  metrics: {
    items: 6,
    body: {
      resourceMetrics: [
        {
          ...envelope,
          scopeMetrics: [
            {
              scope,
              schemaUrl: 's',
              metrics: [
                {
                  name: 'g',
                  unit: '1',
                  description: 'd',
                  metadata: attrs(),
                  gauge: {
                    dataPoints: [
                      {
                        attributes: attrs(),
                        startTimeUnixNano: T,
                        timeUnixNano: T,
                        asDouble: 1,
                        flags: 0,
                        exemplars: [
                          { filteredAttributes: attrs(), timeUnixNano: T, asInt: '3', spanId: ID8, traceId: ID16 },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 's',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      { timeUnixNano: T, asInt: '7' },
                      { timeUnixNano: T, asDouble: 2 },
                    ],
                  },
                },
                {
                  name: 'h',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        timeUnixNano: T,
                        count: '3',
                        sum: 2,
                        bucketCounts: ['1', '2'],
                        explicitBounds: [1],
                        min: 0,
                        max: 2,
                      },
                    ],
                  },
                },
                {
                  name: 'e',
                  exponentialHistogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        timeUnixNano: T,
                        count: '3',
                        scale: 2,
                        zeroCount: '1',
                        zeroThreshold: 0,
                        positive: { offset: -1, bucketCounts: ['1', '1'] },
                        negative: { offset: 0, bucketCounts: [] },
                      },
                    ],
                  },
                },
                {
                  name: 'q',
                  summary: {
                    dataPoints: [
                      { timeUnixNano: T, count: '2', sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }] },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  },
};

const ODD: unknown[] = [
  { length: 16 },
  [1, 2],
  [],
  {},
  null,
  'abc',
  '',
  '1.5',
  '0x10',
  '1e3',
  -5,
  1.5,
  2 ** 64,
  1e23,
  -1e308,
  true,
  false,
  0,
  '-1',
  '\u0000',
  'NaN',
  '9'.repeat(500),
  [null],
  [{}],
  { stringValue: {} },
  { '': 1 },
  { __proto__: { x: 1 } },
  '\ud800',
];

type Path = (string | number)[];

/** Every place a value sits in the template: object properties and array elements. */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const out: Path[] = [];
  for (const [k, v] of Object.entries(value)) {
    const at = [...prefix, Array.isArray(value) ? Number(k) : k];
    out.push(at, ...paths(v, at));
  }
  return out;
}

function withValue(body: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

/**
 * Whether a change is to an item (a span, a log record, a data point) or within one: then
 * the request still holds all of its items. Changed lists above them hold others.
 */
function withinItem(signal: Signal, path: Path): boolean {
  return path.length >= (signal === 'metrics' ? 9 : 6);
}

function assertConverted(task: DecodeTask, items: number | undefined, what: string): 'ok' | 'malformed' {
  // The fused writers, and rows encoded by encodeRowBinary (what the live feed and metrics take).
  const fused = decodeAndEncode(task);
  const rows = decodeAndEncode({ ...task, keepRows: true });
  assert.equal(fused.ok, rows.ok, what);
  if (!fused.ok || !rows.ok) {
    const message = (fused as { malformed: string }).malformed;
    assert.doesNotMatch(message, /could not be converted/, `${what}: the conversion threw`);
    assert.match(
      message,
      /^(invalid (OTLP\/JSON|protobuf) Export\w+ServiceRequest: |request body must be a JSON object)/,
      what,
    );
    return 'malformed';
  }
  assert.deepEqual(
    { accepted: fused.batch.accepted, rejected: fused.batch.rejected, errorMessage: fused.batch.errorMessage },
    { accepted: rows.batch.accepted, rejected: rows.batch.rejected, errorMessage: rows.batch.errorMessage },
    what,
  );
  if (items !== undefined)
    assert.equal(fused.batch.accepted + fused.batch.rejected, items, `${what}: every item stored or refused`);
  if (fused.batch.rejected > 0) assert.match(fused.batch.errorMessage, /^rejected \d+ item\(s\): .+/, what);
  return 'ok';
}

test('odd values in every field of OTLP/JSON requests: each item stored or refused with a reason, or the request malformed, never a throw', () => {
  const r = prng(11);
  const seen = { ok: 0, malformed: 0 };
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    const { body, items } = TEMPLATES[signal];
    const task = (b: unknown): DecodeTask => ({
      tenantId: 'fuzz',
      signal,
      encoding: 'json',
      payload: Buffer.from(JSON.stringify(b)),
      receivedAtNs: T,
      notBeforeNs: '0',
    });
    assert.equal(assertConverted(task(body), items, `${signal} template`), 'ok');
    const all = paths(body);
    // Every path with a rotating seventh of the odd values (each value reaches every kind of
    // field), then random pairs of changes.
    for (const [i, path] of all.entries()) {
      for (const odd of ODD.filter((_, j) => (i + j) % 7 === 0)) {
        const what = `${signal} ${path.join('.')} = ${JSON.stringify(odd)}`;
        seen[assertConverted(task(withValue(body, path, odd)), withinItem(signal, path) ? items : undefined, what)]++;
      }
    }
    for (let n = 0; n < 200; n++) {
      const a = all[Math.floor(r() * all.length)]!;
      const b = all[Math.floor(r() * all.length)]!;
      let mutated: unknown;
      try {
        mutated = withValue(
          withValue(body, a, ODD[Math.floor(r() * ODD.length)]),
          b,
          ODD[Math.floor(r() * ODD.length)],
        );
      } catch {
        continue; // the second path went away with the first change
      }
      assertConverted(task(mutated), undefined, `${signal} ${a.join('.')} and ${b.join('.')}`);
    }
  }
  assert.ok(seen.ok > 300 && seen.malformed > 30, JSON.stringify(seen));
});

test('mutated protobuf requests of every signal: converted or malformed, never a throw', () => {
  const r = prng(3);
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    const { body } = TEMPLATES[signal];
    const task = (payload: Uint8Array): DecodeTask => ({
      tenantId: 'fuzz',
      signal,
      encoding: 'protobuf',
      payload,
      receivedAtNs: T,
      notBeforeNs: '0',
    });
    // The JSON template as protobuf: encode what the JSON decoder made of it.
    const decoded = decodeToRows({
      ...task(new Uint8Array()),
      encoding: 'json',
      payload: Buffer.from(JSON.stringify(body)),
    });
    assert.ok(decoded.ok);
    const base = [
      ...encodeExportRequestObject(
        signal,
        JSON.parse(JSON.stringify(body), (k, v: unknown) =>
          typeof v === 'string' && /^(trace|span|parentSpan)Id$/.test(k) ? Buffer.from(v, 'hex') : v,
        ) as Record<string, unknown>,
      ),
    ];
    for (let n = 0; n < 500; n++) {
      const bytes = [...base];
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) {
        const at = Math.floor(r() * bytes.length);
        const op = Math.floor(r() * 4);
        if (op === 0) bytes[at] = Math.floor(r() * 256);
        else if (op === 1) bytes.splice(at, 0, Math.floor(r() * 256));
        else if (op === 2) bytes.splice(at, 1);
        else bytes.length = Math.max(at, 1);
      }
      assertConverted(task(new Uint8Array(bytes)), undefined, `${signal} mutation ${n}`);
    }
  }
});
