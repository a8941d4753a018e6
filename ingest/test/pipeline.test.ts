import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createClickHouse, migrate, type ClickHouseClient, type InsertTable } from '@telemetryflow/clickhouse';
import {
  encodeExportRequestObject,
  MalformedPayloadError,
  OverloadedError,
  type OtlpExport,
  type Signal,
} from '@telemetryflow/otlp';
import { encodeRowBinary } from '@telemetryflow/clickhouse';
import { traceRequestToRows } from '@telemetryflow/rows';
import {
  ClickHouseWriter,
  IngestPipeline,
  InsertBatcher,
  StorageUnavailableError,
  UnstorableDataError,
} from '../src/index.js';
import { decodeExportRequest } from '@telemetryflow/otlp';
import { metricsRequest, span, traceRequest } from '@telemetryflow/rows/test-fixtures';

let dir: string;
let ch: ClickHouseClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tf-ingest-'));
  ch = await createClickHouse({ dataDir: dir });
  await migrate(ch);
});

after(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

async function count(sql: string, params: Record<string, unknown> = {}): Promise<number> {
  const rs = await ch.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string }>();
  return Number(row?.n);
}

function spanId(i: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(i + 1, 4);
  return b;
}

test('concurrent requests are answered after their rows are in ClickHouse, in few inserts', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, batcher: { maxDelayMs: 50 } });
  const requests = Array.from({ length: 40 }, (_, r) =>
    encodeExportRequestObject(
      'traces',
      traceRequest(Array.from({ length: 50 }, (_, i) => span({ spanId: spanId(r * 50 + i) }))),
    ),
  );
  const outcomes = await Promise.all(
    requests.map((payload) =>
      pipeline.consume({
        tenantId: 'batching',
        signal: 'traces',
        encoding: 'protobuf',
        payload,
        receivedAtNs: 1n,
        notBeforeNs: 0n,
      }),
    ),
  );
  assert.ok(outcomes.every((o) => o.rejected === 0));
  // Every acknowledged span is readable right away.
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'batching'"), 2000);
  const parts = await count(
    "SELECT count() AS n FROM system.parts WHERE table = 'spans' AND active AND partition_id != '' AND database = currentDatabase()",
  );
  assert.ok(parts < 40, `2000 spans from 40 requests went into ${parts} parts`);
  await pipeline.close();
});

test('requests beyond the decoder queue are refused as overloaded (the client is throttled), the others stored', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, maxQueuedRequests: 2, batcher: { maxDelayMs: 20 } });
  const payload = (r: number) =>
    encodeExportRequestObject(
      'traces',
      traceRequest(Array.from({ length: 200 }, (_, i) => span({ spanId: spanId(100_000 + r * 200 + i) }))),
    );
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, r) =>
      pipeline.consume({
        tenantId: 'queue',
        signal: 'traces',
        encoding: 'protobuf',
        payload: payload(r),
        receivedAtNs: 1n,
        notBeforeNs: 0n,
      }),
    ),
  );
  const refused = results.filter((r) => r.status === 'rejected');
  const stored = results.filter((r) => r.status === 'fulfilled');
  assert.ok(refused.length > 0 && stored.length >= 2, `${stored.length} stored, ${refused.length} refused`);
  for (const r of refused) assert.ok((r as PromiseRejectedResult).reason instanceof OverloadedError);
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'queue'"), stored.length * 200);
  await pipeline.close();
});

test('an undecodable payload is a permanent error', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1 });
  await assert.rejects(
    pipeline.consume({
      tenantId: 't',
      signal: 'traces',
      encoding: 'protobuf',
      payload: Buffer.from([0x0a, 0xff]),
      receivedAtNs: 1n,
      notBeforeNs: 0n,
    }),
    MalformedPayloadError,
  );
  await pipeline.close();
});

test('retrying an insert with the same token stores it once', async () => {
  const writer = new ClickHouseWriter(ch);
  const batch = traceRequestToRows(
    'dedup',
    decodeExportRequest('traces', encodeExportRequestObject('traces', traceRequest([span()])), 'protobuf').request,
  );
  const data = encodeRowBinary('spans', batch.tables.spans!);
  await writer.insert('spans', data, 'batch-1-spans');
  await writer.insert('spans', data, 'batch-1-spans');
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'dedup'"), 1);
  await writer.insert('spans', data, 'batch-2-spans');
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'dedup'"), 2);
});

test('rows ClickHouse refuses fail only the request that carried them', async () => {
  const batcher = new InsertBatcher(new ClickHouseWriter(ch), {
    maxRows: 1000,
    maxBytes: 1 << 20,
    maxDelayMs: 20,
    quietMs: 20,
    maxPendingBytes: 1 << 24,
    maxInFlight: 1,
  });
  const rows = traceRequestToRows(
    'isolation',
    decodeExportRequest('traces', encodeExportRequestObject('traces', traceRequest([span()])), 'protobuf').request,
  );
  const good = { spans: { data: encodeRowBinary('spans', rows.tables.spans!), rows: 1 } };
  // A truncated row: ClickHouse cannot read it.
  const bad = { spans: { data: good.spans.data.subarray(0, 40), rows: 1 } };
  const [a, b, c] = await Promise.allSettled([batcher.add(good), batcher.add(bad), batcher.add(good)]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(c.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.ok((b as PromiseRejectedResult).reason instanceof UnstorableDataError);
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'isolation'"), 2);
});

class CountingWriter extends ClickHouseWriter {
  inserts = 0;
  override insert(...args: Parameters<ClickHouseWriter['insert']>): Promise<void> {
    this.inserts++;
    return super.insert(...args);
  }
}

/** The RowBinary of a one-span request, as a decoder thread hands it to the batcher. */
function oneSpanRequest(tenant: string, i: number) {
  const rows = traceRequestToRows(
    tenant,
    decodeExportRequest(
      'traces',
      encodeExportRequestObject('traces', traceRequest([span({ spanId: spanId(i) })])),
      'protobuf',
    ).request,
  );
  return { spans: { data: encodeRowBinary('spans', rows.tables.spans!), rows: 1 } };
}

test('a batch is inserted once requests stop arriving, without waiting out the longest delay', async () => {
  const writer = new CountingWriter(ch);
  // A minute of allowed delay: only the quiet gap can explain an answer within the test's time.
  const batcher = new InsertBatcher(writer, {
    maxRows: 100_000,
    maxBytes: 1 << 26,
    maxDelayMs: 60_000,
    quietMs: 30,
    maxPendingBytes: 1 << 28,
    maxInFlight: 1,
  });
  const request = (i: number) => oneSpanRequest('quiet', i);
  await Promise.all([0, 1, 2, 3].map((i) => batcher.add(request(i))));
  assert.equal(writer.inserts, 1, 'requests that arrived together went into one insert');
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'quiet'"), 4);
});

test('a batch is not quiet while requests are still on their way to it (being decoded)', async () => {
  const writer = new CountingWriter(ch);
  let decoding = 3;
  const batcher = new InsertBatcher(
    writer,
    { maxRows: 100_000, maxBytes: 1 << 26, maxDelayMs: 60_000, quietMs: 5, maxPendingBytes: 1 << 28, maxInFlight: 1 },
    () => decoding,
  );
  const request = (i: number) => oneSpanRequest('incoming', 500 + i);
  const added = [batcher.add(request(0))];
  // Each of the other three arrives well after a quiet gap, as if its decoding had queued.
  for (let i = 1; i <= 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(writer.inserts, 0, `still waiting for request ${i}`);
    decoding--;
    added.push(batcher.add(request(i)));
  }
  const lastAdded = Date.now();
  await Promise.all(added);
  assert.equal(writer.inserts, 1, 'the burst went into one insert');
  assert.ok(Date.now() - lastAdded < 30_000, 'inserted after a quiet gap, not after the one-minute longest delay');
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'incoming'"), 4);
});

test('the trace index knows each trace and its time bounds', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, batcher: { maxDelayMs: 10 } });
  const traceId = Buffer.from('00000000000000000000000000000abc', 'hex');
  const req = traceRequest([
    span({
      traceId,
      spanId: spanId(9001),
      startTimeUnixNano: '1732540800000000001',
      endTimeUnixNano: '1732540800000000500',
    }),
    span({
      traceId,
      spanId: spanId(9002),
      startTimeUnixNano: '1732540799000000000',
      endTimeUnixNano: '1732540800000000100',
    }),
  ]);
  await pipeline.consume({
    tenantId: 'index',
    signal: 'traces',
    encoding: 'protobuf',
    payload: encodeExportRequestObject('traces', req),
    receivedAtNs: 1n,
    notBeforeNs: 0n,
  });
  await pipeline.close();
  const rs = await ch.query({
    query: `SELECT toString(toUnixTimestamp64Nano(min(Start))) AS s, toString(toUnixTimestamp64Nano(max(End))) AS e
            FROM trace_index WHERE TenantId = {t:String} AND TraceId = unhex({id:String})`,
    query_params: { t: 'index', id: traceId.toString('hex') },
    format: 'JSONEachRow',
  });
  assert.deepEqual(await rs.json(), [{ s: '1732540799000000000', e: '1732540800000000500' }]);
});

test('one request whose spans cover a year of days is stored, not refused for its partitions', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, batcher: { maxDelayMs: 10 } });
  const day = 86_400_000_000_000n;
  const spans = Array.from({ length: 150 }, (_, i) => {
    const start = 1732540800000000000n - BigInt(i) * day;
    return span({
      spanId: spanId(20_000 + i),
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 1000n).toString(),
    });
  });
  const outcome = await pipeline.consume({
    tenantId: 'days',
    signal: 'traces',
    encoding: 'protobuf',
    payload: encodeExportRequestObject('traces', traceRequest(spans)),
    receivedAtNs: 1n,
    notBeforeNs: 0n,
  });
  await pipeline.close();
  assert.equal(outcome.rejected, 0);
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'days'"), 150);
});

test('when a batch is split after one table landed, that table is not inserted again', async () => {
  const batcher = new InsertBatcher(new ClickHouseWriter(ch), {
    maxRows: 1000,
    maxBytes: 1 << 20,
    maxDelayMs: 20,
    quietMs: 20,
    maxPendingBytes: 1 << 24,
    maxInFlight: 1,
  });
  const rows = traceRequestToRows(
    'split',
    decodeExportRequest(
      'traces',
      encodeExportRequestObject('traces', traceRequest([span({ spanId: spanId(30_000) })])),
      'protobuf',
    ).request,
  );
  const spansOnly = { spans: { data: encodeRowBinary('spans', rows.tables.spans!), rows: 1 } };
  // Spans are inserted first (they land), then the logs of the second request are refused.
  const badLogs = { logs: { data: Buffer.from([1, 2, 3]), rows: 1 } };
  const [a, b] = await Promise.allSettled([batcher.add(spansOnly), batcher.add(badLogs)]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.equal(await count("SELECT count() AS n FROM spans WHERE TenantId = 'split'"), 1);
});

test('the live feed gets the rows of a stored request only while it wants that tenant and signal, after the insert', async () => {
  const published: { tenantId: string; spans: number; storedWhenPublished: number }[] = [];
  let wanted = new Set(['live-a']);
  const storedSpans = (tenant: string) =>
    count('SELECT count() AS n FROM spans WHERE TenantId = {t:String}', { t: tenant });
  const pending: Promise<void>[] = [];
  const live = {
    wants: (tenantId: string, signal: string) => signal === 'traces' && wanted.has(tenantId),
    publish: (tenantId: string, rows: { spans?: unknown[][] }) => {
      // Called on the writer's path: record what ClickHouse holds at that moment.
      pending.push(
        storedSpans(tenantId).then(
          (n) => void published.push({ tenantId, spans: rows.spans?.length ?? 0, storedWhenPublished: n }),
        ),
      );
    },
  };
  const pipeline = new IngestPipeline(ch, { workers: 1, batcher: { maxDelayMs: 10 }, live });
  const send = (tenantId: string, first: number) =>
    pipeline.consume({
      tenantId,
      signal: 'traces',
      encoding: 'protobuf',
      receivedAtNs: 1n,
      notBeforeNs: 0n,
      payload: encodeExportRequestObject(
        'traces',
        traceRequest([0, 1, 2].map((i) => span({ spanId: spanId(first + i) }))),
      ),
    });
  await send('live-a', 0);
  await send('live-b', 10);
  wanted = new Set();
  await send('live-a', 20);
  await Promise.all(pending);
  assert.deepEqual(published, [{ tenantId: 'live-a', spans: 3, storedWhenPublished: 3 }]);
  await pipeline.close();
});

// ---------------------------------------------------------------------------------------
// A client's retries: each row stored once within the ledger's window (ADR 0017)

const NOW_NS = BigInt(Date.now()) * 1_000_000n;

function rows(table: InsertTable, tenant: string): Promise<number> {
  return count('SELECT count() AS n FROM {table:Identifier} WHERE TenantId = {tenant:String}', { table, tenant });
}

function exportOf(tenantId: string, signal: Signal, body: Record<string, unknown>): OtlpExport {
  return {
    tenantId,
    signal,
    encoding: 'protobuf',
    payload: encodeExportRequestObject(signal, body),
    receivedAtNs: NOW_NS,
    notBeforeNs: 0n,
  };
}

function traces(tenant: string, ...ids: number[]): OtlpExport {
  return exportOf(
    tenant,
    'traces',
    traceRequest(
      ids.map((i) =>
        span({ spanId: spanId(i), startTimeUnixNano: NOW_NS.toString(), endTimeUnixNano: (NOW_NS + 1000n).toString() }),
      ),
    ),
  );
}

/** A gauge, a sum and a histogram point: three tables besides the series. */
function metrics(tenant: string, atNs = NOW_NS): OtlpExport {
  const t = { startTimeUnixNano: (NOW_NS - 1_000_000_000n).toString(), timeUnixNano: atNs.toString() };
  return exportOf(
    tenant,
    'metrics',
    metricsRequest([
      { name: 'retry.gauge', gauge: { dataPoints: [{ ...t, asDouble: 1.5 }] } },
      { name: 'retry.sum', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ ...t, asInt: 7 }] } },
      {
        name: 'retry.latency',
        histogram: {
          aggregationTemporality: 2,
          dataPoints: [{ ...t, count: 3, sum: 6, bucketCounts: [1, 2], explicitBounds: [2] }],
        },
      },
    ]),
  );
}

test('a retry of a stored request is answered with the first outcome, partial success included, and stores nothing', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, batcher: { maxDelayMs: 20 } });
  const request = exportOf(
    'again',
    'traces',
    traceRequest([
      span({ spanId: spanId(1), startTimeUnixNano: NOW_NS.toString(), endTimeUnixNano: (NOW_NS + 1000n).toString() }),
      // Ends before it starts: refused by name in partial_success.
      span({ spanId: spanId(2), startTimeUnixNano: NOW_NS.toString(), endTimeUnixNano: (NOW_NS - 1000n).toString() }),
    ]),
  );
  const first = await pipeline.consume(request);
  assert.equal(first.accepted, 1);
  assert.equal(first.rejected, 1);
  assert.match(first.errorMessage, /end/);
  // The answer was lost; the client sends the same bytes again, later.
  const retry = await pipeline.consume({ ...request, receivedAtNs: NOW_NS + 5_000_000_000n });
  assert.deepEqual(retry, first);
  assert.equal(await rows('spans', 'again'), 1);
  await pipeline.close();
});

test('two identical requests in flight at once are stored once; both are answered with its outcome', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, batcher: { maxDelayMs: 50 } });
  const request = traces('twice', 10, 11, 12);
  const [a, b] = await Promise.all([
    pipeline.consume(request),
    pipeline.consume({ ...request, payload: new Uint8Array(request.payload) }),
  ]);
  assert.deepEqual(a, { accepted: 3, rejected: 0, errorMessage: '' });
  assert.deepEqual(b, a);
  assert.equal(await rows('spans', 'twice'), 3);
  await pipeline.close();
});

test("a request whose tables all landed succeeds though another table of its batch failed; the failed request's retry inserts only the rest", async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, writer: { attempts: 1 }, batcher: { maxDelayMs: 50 } });
  await pipeline.consume(metrics('warm-up'));
  // "Too many parts" for histograms only (a transient refusal); the table must hold a part for it.
  await ch.command({ query: 'ALTER TABLE metrics_histogram MODIFY SETTING parts_to_throw_insert = 1' });
  try {
    // One batch: the spans and the metric series, sums and gauges land, the histogram insert fails.
    const [spans, points] = await Promise.allSettled([
      pipeline.consume(traces('mixed', 20)),
      pipeline.consume(metrics('mixed')),
    ]);
    assert.equal(spans.status, 'fulfilled', 'every table of the trace request landed');
    assert.equal(points.status, 'rejected');
    assert.ok(
      (points as PromiseRejectedResult).reason instanceof StorageUnavailableError,
      'the client is told to retry',
    );
    assert.deepEqual(
      [
        await rows('spans', 'mixed'),
        await rows('metrics_gauge', 'mixed'),
        await rows('metrics_sum', 'mixed'),
        await rows('metrics_histogram', 'mixed'),
      ],
      [1, 1, 1, 0],
    );
  } finally {
    await ch.command({ query: 'ALTER TABLE metrics_histogram RESET SETTING parts_to_throw_insert' });
  }
  assert.deepEqual(await pipeline.consume(metrics('mixed')), { accepted: 3, rejected: 0, errorMessage: '' });
  assert.deepEqual(
    [
      await rows('metrics_gauge', 'mixed'),
      await rows('metrics_sum', 'mixed'),
      await rows('metrics_histogram', 'mixed'),
    ],
    [1, 1, 1],
    'each point once',
  );
  await pipeline.close();
});

test('the ledger remembers at most maxRequests: a retry of a forgotten request is stored again, of a remembered one not', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, batcher: { maxDelayMs: 20 }, ledger: { maxRequests: 2 } });
  const requests = [traces('cap', 30), traces('cap', 31), traces('cap', 32)];
  for (const r of requests) await pipeline.consume(r);
  await pipeline.consume(requests[2]!);
  await pipeline.consume(requests[0]!);
  const rs = await ch.query({
    query: "SELECT SpanId, count() AS n FROM spans WHERE TenantId = 'cap' GROUP BY SpanId ORDER BY SpanId",
    format: 'JSONEachRow',
  });
  const perSpan = (await rs.json<{ n: string }>()).map((r) => Number(r.n));
  assert.deepEqual(perSpan, [2, 1, 1], 'the oldest request was forgotten when the third was stored');
  await pipeline.close();
});

test('series catalog rows are written once per series, and again by every request after a failed insert', async () => {
  const pipeline = new IngestPipeline(ch, { workers: 1, writer: { attempts: 1 }, batcher: { maxDelayMs: 20 } });
  await ch.command({ query: 'SYSTEM STOP MERGES metric_series' });
  try {
    const second = (n: number) => NOW_NS + BigInt(n) * 1_000_000_000n;
    await pipeline.consume(metrics('catalog', second(1)));
    await pipeline.consume(metrics('catalog', second(2)));
    assert.equal(await rows('metric_series', 'catalog'), 3, 'three series, written by the first request only');
    // "Too many parts" for the catalog: the request is refused, its series rows did not land.
    await ch.command({ query: 'ALTER TABLE metric_series MODIFY SETTING parts_to_throw_insert = 1' });
    try {
      await assert.rejects(pipeline.consume(metrics('catalog-failed', second(3))), StorageUnavailableError);
    } finally {
      await ch.command({ query: 'ALTER TABLE metric_series RESET SETTING parts_to_throw_insert' });
    }
    // A later request of the same series (same 10-minute bucket) writes their rows.
    await pipeline.consume(metrics('catalog-failed', second(4)));
    assert.equal(await rows('metric_series', 'catalog-failed'), 3);
    assert.equal(await rows('metrics_gauge', 'catalog-failed'), 1);
  } finally {
    await ch.command({ query: 'SYSTEM START MERGES metric_series' });
  }
  await pipeline.close();
});
