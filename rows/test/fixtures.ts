// OTLP requests as plain objects, the way an SDK would send them.
export const TRACE_ID = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
export const SPAN_ID = Buffer.from('eee19b7ec3c1b174', 'hex');
export const PARENT_ID = Buffer.from('eee19b7ec3c1b173', 'hex');
export const T0 = 1732540800123456789n;

export const resource = {
  attributes: [
    { key: 'service.name', value: { stringValue: 'checkout' } },
    { key: 'host.cpu', value: { intValue: 8 } },
  ],
};

export function span(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: PARENT_ID,
    traceState: 'k=v',
    name: 'GET /cart',
    kind: 2,
    startTimeUnixNano: T0.toString(),
    endTimeUnixNano: (T0 + 1_500_000n).toString(),
    attributes: [
      { key: 'http.status_code', value: { intValue: 200 } },
      { key: 'ok', value: { boolValue: true } },
      { key: 'ratio', value: { doubleValue: 0.25 } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
    ],
    events: [
      {
        timeUnixNano: (T0 + 10n).toString(),
        name: 'retry',
        attributes: [{ key: 'n', value: { intValue: 1 } }],
        droppedAttributesCount: 2,
      },
    ],
    links: [
      {
        traceId: TRACE_ID,
        spanId: PARENT_ID,
        traceState: 'x=y',
        attributes: [],
        flags: 257,
        droppedAttributesCount: 3,
      },
    ],
    status: { code: 2, message: 'boom' },
    ...overrides,
  };
}

export function traceRequest(spans: Record<string, unknown>[]): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource,
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scopeSpans: [
          {
            scope: { name: 'lib', version: '1.2.3', droppedAttributesCount: 1 },
            schemaUrl: 'https://example.com/scope',
            spans,
          },
        ],
      },
    ],
  };
}

export function metricsRequest(metrics: Record<string, unknown>[]): Record<string, unknown> {
  return { resourceMetrics: [{ resource, scopeMetrics: [{ scope: { name: 'meter' }, metrics }] }] };
}

export function logsRequest(records: Record<string, unknown>[]): Record<string, unknown> {
  return { resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'logger' }, logRecords: records }] }] };
}

/** A small deterministic PRNG (mulberry32), so generated requests are the same on every run. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
