// Live-tail test helpers: OTLP/JSON requests posted to the collector, and socket.io
// clients of the `/live` namespace that record what they receive.
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { LiveAck, LiveItems, LiveNotice, LiveSubscribe } from '@telemetryflow/contract';

export interface LogSpec {
  service: string;
  body: string;
  severityNumber: number;
  attributes?: Record<string, string>;
  traceId?: string;
}

export function otlpLogs(records: LogSpec[]): unknown {
  const nowNs = (BigInt(Date.now()) * 1_000_000n).toString();
  const byService = new Map<string, LogSpec[]>();
  for (const r of records) byService.set(r.service, [...(byService.get(r.service) ?? []), r]);
  return {
    resourceLogs: [...byService].map(([service, recs]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeLogs: [
        {
          scope: { name: 'live-test' },
          logRecords: recs.map((r) => ({
            timeUnixNano: nowNs,
            severityNumber: r.severityNumber,
            body: { stringValue: r.body },
            attributes: Object.entries(r.attributes ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } })),
            ...(r.traceId ? { traceId: r.traceId, spanId: randomBytes(8).toString('hex') } : {}),
          })),
        },
      ],
    })),
  };
}

export function otlpSpans(service: string, spans: { name: string; traceId: string }[]): unknown {
  const endNs = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'live-test' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: randomBytes(8).toString('hex'),
              name: s.name,
              kind: 2,
              startTimeUnixNano: (endNs - 5_000_000n).toString(),
              endTimeUnixNano: endNs.toString(),
            })),
          },
        ],
      },
    ],
  };
}

/** POSTs an OTLP/JSON request; resolves when the collector acknowledged it (200). */
export async function postOtlp(
  otlpHttpUrl: string,
  key: string,
  path: '/v1/logs' | '/v1/traces',
  body: unknown,
): Promise<void> {
  const res = await fetch(`${otlpHttpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`OTLP ${path} answered ${res.status}: ${await res.text()}`);
}

export interface LiveClient {
  socket: Socket;
  /** Every `items` delivery, with when it arrived. */
  deliveries: (LiveItems & { at: number })[];
  notices: LiveNotice[];
  subscribe(request: LiveSubscribe): Promise<string>;
  close(): void;
}

/** A `/live` client. `ack: false` makes it never acknowledge a delivery (a stalled reader). */
export async function connectLive(apiUrl: string, token: string, opts: { ack?: boolean } = {}): Promise<LiveClient> {
  const socket = io(`${apiUrl}/live`, { auth: { token }, transports: ['websocket'], reconnection: false });
  const deliveries: LiveClient['deliveries'] = [];
  const notices: LiveNotice[] = [];
  socket.on('items', (msg: LiveItems, ack: () => void) => {
    deliveries.push({ ...msg, at: Date.now() });
    if (opts.ack !== false) ack();
  });
  socket.on('notice', (n: LiveNotice) => notices.push(n));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return {
    socket,
    deliveries,
    notices,
    async subscribe(request) {
      const answer = (await socket.timeout(5000).emitWithAck('subscribe', request)) as LiveAck;
      if ('error' in answer) throw new Error(`${answer.error.code}: ${answer.error.message}`);
      return answer.data.subscription;
    },
    close: () => socket.close(),
  };
}

/** The connect error a token gets, or null when it connects. */
export async function connectError(apiUrl: string, token: string | undefined): Promise<Error | null> {
  const socket = io(`${apiUrl}/live`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
  });
  try {
    return await new Promise<Error | null>((resolve) => {
      socket.once('connect', () => resolve(null));
      socket.once('connect_error', resolve);
    });
  } finally {
    socket.close();
  }
}

export function traceId(): string {
  return randomBytes(16).toString('hex');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
