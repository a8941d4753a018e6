// A load-generator child process (forked through generator-process.ts): encodes a pool of
// OTLP payloads, then keeps `concurrency` Export requests in flight over OTLP/HTTP or
// OTLP/gRPC — at most `itemsPerSecond` when given — for a fixed time or until told to stop,
// and reports acked items and latencies over IPC. Runs in its own process
// so that sending never competes with the server for the server's event loop.
import { performance } from 'node:perf_hooks';
import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { compressSync } from 'snappy';
import { Pool } from 'undici';
import { GRPC_SERVICE, decodeExportResponse, decodeStatus } from '@telemetryflow/otlp';
import { buildTemplates, stampPayload, type PayloadTemplate } from './payloads.js';
import { buildScrapeTemplates } from './scrape-payloads.js';
import type { ChildMessage, GeneratorConfig, GeneratorResult, ParentMessage } from './protocol.js';

/** Outcome of one Export call. */
interface Outcome {
  ok: boolean;
  /** Some items were rejected (partial success): the request is not counted as acked. */
  partial?: boolean;
  error?: string;
}

type Sender = (payload: Buffer) => Promise<Outcome>;

interface Transport {
  send: Sender;
  close(): Promise<void>;
}

const MAX_FAILURE_SAMPLES = 5;

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(msg, undefined, {}, () => resolve());
  });
}

function httpTransport(cfg: GeneratorConfig): Transport {
  const pool = new Pool(cfg.target, {
    connections: cfg.concurrency,
    pipelining: 1,
    headersTimeout: cfg.requestTimeoutMs,
    bodyTimeout: cfg.requestTimeoutMs,
  });
  const path = `/v1/${cfg.signal}`;
  const headers = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${cfg.apiKey}` };
  return {
    async send(payload) {
      const res = await pool.request({ path, method: 'POST', headers, body: payload });
      const body = new Uint8Array(await res.body.arrayBuffer());
      if (res.statusCode !== 200) {
        let detail = '';
        try {
          detail = decodeStatus(body, 'protobuf').message;
        } catch {
          detail = Buffer.from(body).toString('utf8').slice(0, 200);
        }
        return { ok: false, error: `HTTP ${res.statusCode}: ${detail}` };
      }
      const partial = decodeExportResponse(cfg.signal, body, 'protobuf');
      if (partial && partial.rejected > 0)
        return { ok: false, partial: true, error: `partial success: ${partial.errorMessage}` };
      return { ok: true };
    },
    close: () => pool.close(),
  };
}

/** Prometheus remote write 1.0: the WriteRequest snappy-compressed, 204 on success. */
function remoteWriteTransport(cfg: GeneratorConfig): Transport {
  const pool = new Pool(cfg.target, {
    connections: cfg.concurrency,
    pipelining: 1,
    headersTimeout: cfg.requestTimeoutMs,
    bodyTimeout: cfg.requestTimeoutMs,
  });
  const headers = {
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
    authorization: `Bearer ${cfg.apiKey}`,
  };
  return {
    async send(payload) {
      const res = await pool.request({ path: '/api/v1/push', method: 'POST', headers, body: compressSync(payload) });
      const body = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode !== 204)
        return { ok: false, error: `HTTP ${res.statusCode}: ${body.toString('utf8').slice(0, 200)}` };
      return { ok: true };
    },
    close: () => pool.close(),
  };
}

async function grpcTransport(cfg: GeneratorConfig): Promise<Transport> {
  const client = new Client(cfg.target, credentials.createInsecure(), {
    'grpc.max_send_message_length': 256 * 1024 * 1024,
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  });
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())),
  );
  const path = `/${GRPC_SERVICE[cfg.signal]}/Export`;
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${cfg.apiKey}`);
  const identity = (b: Buffer) => b;
  return {
    send(payload) {
      return new Promise<Outcome>((resolve) => {
        client.makeUnaryRequest<Buffer, Buffer>(
          path,
          identity,
          identity,
          payload,
          metadata,
          { deadline: Date.now() + cfg.requestTimeoutMs },
          (err: ServiceError | null, response?: Buffer) => {
            if (err) {
              resolve({ ok: false, error: `gRPC ${GrpcStatus[err.code] ?? err.code}: ${err.details}` });
              return;
            }
            const partial = response ? decodeExportResponse(cfg.signal, response, 'protobuf') : null;
            if (partial && partial.rejected > 0)
              resolve({ ok: false, partial: true, error: `partial success: ${partial.errorMessage}` });
            else resolve({ ok: true });
          },
        );
      });
    },
    close: async () => client.close(),
  };
}

/**
 * When the next request may leave, for a rate of `itemsPerSecond` shared by all lanes:
 * each request books the time its items take at that rate. Without a rate, at once.
 */
function pacer(itemsPerSecond: number | undefined, start: number): (items: number) => Promise<void> {
  if (!itemsPerSecond) return async () => undefined;
  let nextAt = start;
  return async (items) => {
    const at = Math.max(nextAt, performance.now());
    nextAt = at + (items / itemsPerSecond) * 1000;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
}

async function run(cfg: GeneratorConfig, waitForGo: Promise<void>, stopped: Promise<void>): Promise<GeneratorResult> {
  const templates: PayloadTemplate[] = cfg.scrape
    ? buildScrapeTemplates({
        ...cfg.scrape,
        itemsPerRequest: cfg.itemsPerRequest,
        seed: cfg.index + 1,
        format: cfg.transport === 'remote-write' ? 'remote-write' : 'otlp',
      })
    : buildTemplates(cfg.signal, {
        itemsPerRequest: cfg.itemsPerRequest,
        templates: cfg.templates,
        seed: cfg.index + 1,
      });
  const transport =
    cfg.transport === 'http'
      ? httpTransport(cfg)
      : cfg.transport === 'remote-write'
        ? remoteWriteTransport(cfg)
        : await grpcTransport(cfg);
  const totalBytes = templates.reduce((a, t) => a + t.bytes.length, 0);
  const totalItems = templates.reduce((a, t) => a + t.items, 0);
  await send({
    type: 'ready',
    index: cfg.index,
    requestBytes: Math.round(totalBytes / templates.length),
    bytesPerItem: Math.round(totalBytes / totalItems),
    itemsPerRequest: Math.round(totalItems / templates.length),
  });
  await waitForGo;

  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const cpuStart = process.cpuUsage();
  const result: GeneratorResult = {
    type: 'result',
    index: cfg.index,
    ackedItems: 0,
    okRequests: 0,
    failedRequests: 0,
    partialRequests: 0,
    failures: [],
    latenciesMs: [],
    elapsedMs: 0,
    bytesSent: 0,
    peakRssBytes: 0,
    cpuUserMs: 0,
    cpuSystemMs: 0,
  };
  // Stamps: generator index in the top byte, a per-send sequence below it (never zero).
  let seq = 0;
  let next = 0;
  const start = performance.now();
  let deadline = start + cfg.durationMs;
  // Hard stop: a stuck request cannot keep the generator alive past this.
  const hardDeadline = deadline + cfg.requestTimeoutMs + 5_000;
  void stopped.then(() => (deadline = Math.min(deadline, performance.now())));
  const pace = pacer(cfg.itemsPerSecond, start);

  let sentItems = 0;
  const lane = async () => {
    while (performance.now() < deadline && sentItems < (cfg.maxItems ?? Infinity)) {
      const template = templates[next++ % templates.length] as PayloadTemplate;
      sentItems += template.items;
      await pace(template.items);
      if (performance.now() >= deadline) break;
      seq = (seq + 1) & 0xffffff;
      const payload = stampPayload(template, (((cfg.index + 1) & 0xff) << 24) | seq);
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        outcome = await transport.send(payload);
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
      }
      result.latenciesMs.push(performance.now() - t0);
      result.bytesSent += payload.length;
      if (outcome.ok) {
        result.okRequests++;
        result.ackedItems += template.items;
      } else {
        result.failedRequests++;
        if (outcome.partial) result.partialRequests++;
        if (outcome.error && result.failures.length < MAX_FAILURE_SAMPLES && !result.failures.includes(outcome.error)) {
          result.failures.push(outcome.error.slice(0, 300));
        }
        // Back off a little so a refusing server is not hammered in a tight loop.
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  let hardTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(Array.from({ length: cfg.concurrency }, lane)),
    new Promise<void>((resolve) => {
      hardTimer = setTimeout(() => {
        result.failures.push('generator hit its hard deadline with requests still in flight');
        resolve();
      }, hardDeadline - performance.now());
    }),
  ]);
  clearTimeout(hardTimer);
  result.elapsedMs = performance.now() - start;
  clearInterval(rssTimer);
  const cpu = process.cpuUsage(cpuStart);
  result.cpuUserMs = cpu.user / 1000;
  result.cpuSystemMs = cpu.system / 1000;
  result.peakRssBytes = Math.max(peakRss, process.memoryUsage().rss);
  await Promise.race([transport.close(), new Promise((r) => setTimeout(r, 2_000))]);
  return result;
}

function main(): void {
  if (!process.send) {
    console.error('load-generator.js is started by a benchmark (child_process.fork), not directly');
    process.exit(2);
  }
  let go: () => void = () => undefined;
  const waitForGo = new Promise<void>((resolve) => (go = resolve));
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let index = -1;
  process.on('message', (msg: ParentMessage) => {
    if (msg.type === 'go') {
      go();
      return;
    }
    if (msg.type === 'stop') {
      stop();
      return;
    }
    index = msg.index;
    run(msg, waitForGo, stopped).then(
      async (result) => {
        await send(result);
        process.disconnect();
      },
      async (err: unknown) => {
        await send({ type: 'error', index, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        process.disconnect();
      },
    );
  });
  // The parent going away ends the generator.
  process.on('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
}

main();
