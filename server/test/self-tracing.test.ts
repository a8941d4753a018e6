// TF_SELF_TRACING_ENDPOINT: TelemetryFlow's own spans, exported over OTLP to itself here,
// show API requests and ingest batches; OTLP requests only as sampled.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startSelfTracing, type SelfTracing } from '../src/index.js';
import {
  api,
  API_KEY,
  buildTrace,
  eventually,
  exportOk,
  exporters,
  freshDataDir,
  removeDir,
  startServer,
  type Started,
} from './helpers.js';

const dataDir = freshDataDir();
let server: Started | undefined;
let tracing: SelfTracing | undefined;

after(async () => {
  await tracing?.shutdown();
  await server?.running.close();
  removeDir(dataDir);
});

test('self-traces of API requests, OTLP exports and insert batches arrive through OTLP', async () => {
  server = await startServer(dataDir);
  const { running } = server;
  // Started after the server to learn its port: the HTTP instrumentation patches the
  // server prototype, so servers that already listen are traced too.
  tracing = startSelfTracing({
    endpoint: running.otlpHttpUrl,
    headers: { authorization: `Bearer ${API_KEY}` },
    requestRatio: 1,
    serviceName: 'telemetryflow-selftest',
  });

  assert.equal((await api(running.apiUrl, '/api/v1/services', API_KEY)).status, 200);
  const fixture = buildTrace('traced-app');
  await exportOk(exporters(running, 'proto', API_KEY).traces, fixture.spans, 'app spans');

  const names = await eventually(
    'self-trace spans in storage',
    async () => {
      await tracing!.flush();
      const rs = await running.clickhouse.query({
        query: "SELECT groupUniqArray(Name) AS names FROM spans WHERE ServiceName = 'telemetryflow-selftest'",
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ names: string[] }>();
      const got = row?.names ?? [];
      return ['otlp.export', 'ingest.insert', 'GET'].every((n) => got.includes(n)) ? got : undefined;
    },
    30_000,
  );
  assert.ok(names.includes('POST'), `the OTLP request's HTTP span (sampled at ratio 1 here): ${names.join(', ')}`);
});

test('the OTLP hot path is sampled at the request ratio; API requests and insert batches always', async () => {
  const { HotPathSampler } = await import('../src/self-tracing.js');
  const { ROOT_CONTEXT, SpanKind } = await import('@opentelemetry/api');
  const sampler = new HotPathSampler(0.1);
  const ids = Array.from({ length: 2000 }, (_, i) =>
    (i * 2654435761).toString(16).padStart(8, '0').repeat(4).slice(0, 32),
  );
  const sampled = (name: string, attributes = {}) =>
    ids.filter((id) => sampler.shouldSample(ROOT_CONTEXT, id, name, SpanKind.SERVER, attributes, []).decision !== 0)
      .length;
  const exports = sampled('otlp.export');
  assert.ok(exports > 100 && exports < 300, `about 10% of exports sampled: ${exports} of 2000`);
  const otlpHttp = sampled('POST', { 'url.path': '/v1/logs' });
  assert.ok(otlpHttp > 100 && otlpHttp < 300, `about 10% of OTLP HTTP requests sampled: ${otlpHttp}`);
  assert.equal(sampled('GET', { 'url.path': '/api/v1/traces' }), 2000);
  assert.equal(sampled('ingest.insert'), 2000);
});
