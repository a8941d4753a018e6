// Local HTTP servers that play Slack, PagerDuty and webhook receivers in tests.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only once this settles: a receiver that stalls. */
  after?: Promise<void>;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Replies for the next requests, in order; after them `fallback`. */
  script: Reply[];
  close(): Promise<void>;
}

export async function startReceiver(fallback: (r: Received) => Reply): Promise<Receiver> {
  const received: Received[] = [];
  const script: Reply[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const reply = script.shift() ?? fallback(r);
      void (reply.after ?? Promise.resolve()).then(() => {
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * PagerDuty Events API v2 as documented: 202 with the dedup key for a valid event, 400 for
 * an invalid one. `incidents` holds the open incident per dedup key.
 */
export async function startPagerDuty(): Promise<Receiver & { incidents: Map<string, 'triggered' | 'resolved'> }> {
  const incidents = new Map<string, 'triggered' | 'resolved'>();
  const receiver = await startReceiver((r) => {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(r.body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: '{"status":"invalid event","message":"Event object is invalid"}' };
    }
    const payload = e.payload as Record<string, unknown> | undefined;
    const valid =
      typeof e.routing_key === 'string' &&
      e.routing_key.length === 32 &&
      ['trigger', 'acknowledge', 'resolve'].includes(e.event_action as string) &&
      (e.event_action !== 'trigger' ||
        (typeof payload?.summary === 'string' &&
          typeof payload.source === 'string' &&
          ['critical', 'error', 'warning', 'info'].includes(payload.severity as string))) &&
      (e.event_action === 'trigger' || typeof e.dedup_key === 'string');
    if (!valid) return { status: 400, body: '{"status":"invalid event","message":"Event object is invalid"}' };
    const key = (e.dedup_key as string | undefined) ?? `generated-${incidents.size}`;
    if (e.event_action === 'trigger') incidents.set(key, 'triggered');
    if (e.event_action === 'resolve' && incidents.has(key)) incidents.set(key, 'resolved');
    return {
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: key }),
    };
  });
  return Object.assign(receiver, { incidents });
}

/** A Slack incoming webhook: `ok` for a message with text or blocks, `invalid_payload` otherwise. */
export function startSlack(): Promise<Receiver> {
  return startReceiver((r) => {
    try {
      const m = JSON.parse(r.body) as { text?: unknown; blocks?: unknown };
      if (typeof m.text === 'string' || Array.isArray(m.blocks)) return { status: 200, body: 'ok' };
    } catch {
      // falls through to invalid_payload
    }
    return { status: 400, body: 'invalid_payload' };
  });
}
