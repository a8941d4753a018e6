// What OpenTelemetry clients read back: telemetry sent with the real OTel JS SDK exporters
// (or OTLP/JSON where the SDK cannot express it) to the all-in-one, read through the API.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan, type SpanLimits } from '@opentelemetry/sdk-trace';
import type { TraceSummaryDto } from '@telemetryflow/schemas';
import { api, API_KEY, exportOk, exporters, freshDataDir, removeDir, startServer, type Started } from './helpers.js';

let server: Started;
let dataDir: string;

before(async () => {
  dataDir = freshDataDir();
  server = await startServer(dataDir);
});

after(async () => {
  await server?.running.close();
  if (dataDir) removeDir(dataDir);
});

const get = <T>(path: string) => api<{ data: T; meta: Record<string, unknown> }>(server.running.apiUrl, path, API_KEY);

/** Spans recorded by an SDK tracer of one service, exported as the SDK would. */
function recorder(service: string, options: { idGenerator?: { generateTraceId(): string; generateSpanId(): string }; spanLimits?: SpanLimits } = {}) {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
    ...options,
  });
  return { tracer: provider.getTracer('read-answers', '1.0.0'), spans: (): ReadableSpan[] => memory.getFinishedSpans() };
}

async function exportSpans(spans: ReadableSpan[]): Promise<void> {
  const ex = exporters(server.running, 'proto', API_KEY);
  try {
    await exportOk(ex.traces, spans, 'traces');
  } finally {
    await ex.shutdown();
  }
}

describe('trace search', () => {
  /** 501 one-span traces; a third of the ids end in a zero byte, a third in four. */
  const sent = new Set<string>();
  let fromMs = 0;
  before(async () => {
    let i = 0;
    const ids = {
      generateTraceId(): string {
        const id = `${randomBytes(8).toString('hex')}${(i++).toString(16).padStart(8, '0')}${i % 3 === 0 ? `${randomBytes(3).toString('hex')}00` : i % 3 === 1 ? '00000000' : 'ab'.repeat(4)}`;
        sent.add(id);
        return id;
      },
      generateSpanId: () => randomBytes(8).toString('hex'),
    };
    const { tracer, spans } = recorder('catalog', { idGenerator: ids });
    fromMs = Date.now() - 30 * 60_000;
    for (let k = 0; k < 501; k++) {
      const start = fromMs + k * 1000;
      tracer.startSpan('GET /item', { kind: SpanKind.SERVER, startTime: start }, ROOT_CONTEXT).end(start + (k % 50) + 1);
    }
    await exportSpans(spans());
  });

  for (const sort of ['newest', 'slowest'] as const) {
    test(`every trace once, ids ending in zero bytes included, paging 501 traces by 100 (${sort} first)`, async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await get<TraceSummaryDto[]>(`/api/v1/traces?service=catalog&from=${fromMs - 60_000}&to=${Date.now()}&limit=100&sort=${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(...res.body.data.map((t) => t.traceId));
        cursor = res.body.meta.nextCursor as string | undefined;
        pages++;
      } while (cursor !== undefined && pages < 10);
      assert.equal(pages, 6);
      assert.equal(seen.length, 501);
      assert.deepEqual(new Set(seen), sent);
      assert.equal(seen.filter((id) => id.endsWith('00')).length, 334);
    });
  }
});
