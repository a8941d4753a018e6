// Telemetry the browser tests send through OTLP/HTTP (JSON mapping), built by hand so that
// each test knows exactly what the console must show.
import { randomBytes } from 'node:crypto';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

export interface SentTrace {
  traceId: string;
  spanIds: string[];
  rootName: string;
}

/**
 * One trace of `spanCount` spans: a server root in `service`, then a chain of children where
 * every fifth span is a call into `downstream`; the last span fails.
 */
export function traceRequest(
  service: string,
  downstream: string,
  spanCount: number,
  endMs: number,
): { body: unknown; trace: SentTrace } {
  const traceId = hex(16);
  const spanIds = Array.from({ length: spanCount }, () => hex(8));
  const totalMs = 400;
  const startNs = BigInt(endMs - totalMs) * 1_000_000n;
  const bySvc = new Map<string, unknown[]>();
  spanIds.forEach((spanId, i) => {
    const svc = i > 0 && i % 5 === 0 ? downstream : service;
    const begin = startNs + BigInt(i) * 5_000_000n;
    const end = i === 0 ? startNs + BigInt(totalMs) * 1_000_000n : begin + BigInt(20 + (i % 7) * 3) * 1_000_000n;
    const span = {
      traceId,
      spanId,
      parentSpanId: i === 0 ? '' : spanIds[Math.floor((i - 1) / 2)],
      name: i === 0 ? 'GET /checkout' : svc === downstream ? 'charge card' : `step ${i}`,
      kind: i === 0 ? 2 : 1,
      // Sampled; whether the parent is remote is known: it is not.
      flags: 0x101,
      startTimeUnixNano: String(begin),
      endTimeUnixNano: String(end),
      attributes: [str('http.route', '/checkout'), { key: 'step', value: { intValue: String(i) } }],
      status: i === spanCount - 1 ? { code: 2, message: 'card declined' } : { code: 0 },
    };
    (bySvc.get(svc) ?? bySvc.set(svc, []).get(svc)!).push(span);
  });
  return {
    body: {
      resourceSpans: [...bySvc].map(([svc, spans]) => ({
        resource: { attributes: [str('service.name', svc), str('host.name', 'web-1')] },
        scopeSpans: [{ scope: { name: 'e2e', version: '1.0', attributes: [str('library.mode', 'fast')] }, spans }],
      })),
    },
    trace: { traceId, spanIds, rootName: 'GET /checkout' },
  };
}

/** Log records of `service`: plain lines, and one JSON error body tied to the trace. */
export function logsRequest(service: string, trace: SentTrace, endMs: number): unknown {
  const at = (msAgo: number) => String(BigInt(endMs - msAgo) * 1_000_000n);
  const records = [
    {
      timeUnixNano: at(3000),
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: 'order accepted for checkout' },
    },
    {
      timeUnixNano: at(2000),
      severityNumber: 13,
      severityText: 'WARN',
      body: { stringValue: 'inventory low for sku-7' },
    },
    {
      timeUnixNano: at(1000),
      severityNumber: 17,
      severityText: 'ERROR',
      body: { stringValue: '{"order":42,"reason":"card declined","retry":false}' },
      traceId: trace.traceId,
      spanId: trace.spanIds[trace.spanIds.length - 1],
      attributes: [str('payment.provider', 'acme')],
    },
  ];
  return {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', service)] },
        scopeLogs: [{ scope: { name: 'e2e' }, logRecords: records }],
      },
    ],
  };
}

/** A gauge on two hosts, one point a minute over the last `minutes`; the newest point of h1 has an exemplar of `trace`. */
export function metricsRequest(
  service: string,
  metric: string,
  endMs: number,
  minutes: number,
  trace: SentTrace,
): unknown {
  const points = (host: string, base: number) =>
    Array.from({ length: minutes }, (_, i) => {
      const timeUnixNano = String(BigInt(endMs - (minutes - 1 - i) * 60_000) * 1_000_000n);
      const exemplar =
        host === 'h1' && i === minutes - 1
          ? {
              exemplars: [{ timeUnixNano, asDouble: base + (i % 5), traceId: trace.traceId, spanId: trace.spanIds[0] }],
            }
          : {};
      return { attributes: [str('host', host)], timeUnixNano, asDouble: base + (i % 5), ...exemplar };
    });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', service)] },
        scopeMetrics: [
          {
            scope: { name: 'e2e' },
            metrics: [
              {
                name: metric,
                unit: '1',
                description: 'jobs waiting',
                gauge: { dataPoints: [...points('h1', 10), ...points('h2', 20)] },
              },
            ],
          },
        ],
      },
    ],
  };
}

export async function sendOtlp(
  otlpHttpUrl: string,
  signal: 'traces' | 'logs' | 'metrics',
  key: string,
  body: unknown,
): Promise<void> {
  const res = await fetch(`${otlpHttpUrl}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const partial =
    res.status === 200 && text
      ? (JSON.parse(text) as { partialSuccess?: Record<string, unknown> }).partialSuccess
      : undefined;
  const rejected = Object.entries(partial ?? {}).some(([k, v]) => k.startsWith('rejected') && Number(v) > 0);
  if (res.status !== 200 || rejected) throw new Error(`OTLP ${signal}: ${res.status} ${text}`);
}

/** How many requests shopTraces sends. */
export const SHOP_TRACES = 40;

/**
 * SHOP_TRACES requests over the last 50 minutes, each through all five span kinds: storefront
 * (server, client) → inventory (server, internal, producer) → shipping (consumer); every
 * seventh fails in inventory.
 */
export function shopTraces(nowMs: number): { body: unknown; traceIds: string[] } {
  const bySvc = new Map<string, unknown[]>();
  const traceIds: string[] = [];
  for (let t = 0; t < SHOP_TRACES; t++) {
    const traceId = randomBytes(16).toString('hex');
    traceIds.push(traceId);
    const t0 = nowMs - 60_000 - t * 75_000;
    const ns = (ms: number) => String(BigInt(t0 + ms) * 1_000_000n);
    const id = () => randomBytes(8).toString('hex');
    const [root, call, stock, compute, publish, consume] = [id(), id(), id(), id(), id(), id()];
    const fails = t % 7 === 0;
    const slow = 40 + (t % 5) * 30;
    const spans = [
      ['storefront', root, '', 'GET /product', 2, 0, slow + 60],
      ['storefront', call, root, 'GET inventory', 3, 5, slow + 50],
      ['inventory', stock, call, 'GET /stock', 2, 8, slow + 45],
      ['inventory', compute, stock, 'compute stock', 1, 10, slow + 20],
      ['inventory', publish, stock, 'stock.changed publish', 4, slow + 22, slow + 30],
      ['shipping', consume, publish, 'stock.changed process', 5, slow + 35, slow + 55],
    ] as const;
    for (const [service, spanId, parent, name, kind, start, end] of spans) {
      const error = fails && name === 'compute stock';
      (bySvc.get(service) ?? bySvc.set(service, []).get(service)!).push({
        traceId,
        spanId,
        parentSpanId: parent,
        name,
        kind,
        startTimeUnixNano: ns(start),
        endTimeUnixNano: ns(end),
        attributes: [str('shop.region', t % 2 ? 'eu' : 'us')],
        status: error ? { code: 2, message: 'stock store unavailable' } : { code: 0 },
      });
    }
  }
  return {
    body: {
      resourceSpans: [...bySvc].map(([service, spans]) => ({
        resource: { attributes: [str('service.name', service)] },
        scopeSpans: [{ scope: { name: 'e2e' }, spans }],
      })),
    },
    traceIds,
  };
}
