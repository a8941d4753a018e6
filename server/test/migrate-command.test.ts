// `main.js migrate`: what a deployment's migration job runs before the roles start.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { connectBus, DEFAULT_JETSTREAM_SETTINGS } from '@telemetryflow/bus';
import { freshDataDir, removeDir, testEnv } from './helpers.js';
import { natsServerMissing, TestNatsServer } from './nats-server.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const skip = natsServerMissing();
const dataDir = freshDataDir('tf-migrate-');
let nats: TestNatsServer | undefined;

after(async () => {
  await nats?.stop();
  removeDir(dataDir);
});

test(
  'migrate applies every migration once, bootstraps, creates the JetStream streams and exits 0',
  { skip },
  async () => {
    nats = await TestNatsServer.start();
    const env = { ...process.env, ...testEnv(dataDir, { NATS_URL: nats.url }) };
    const run = () => promisify(execFile)(process.execPath, [MAIN, 'migrate'], { env, timeout: 120_000 });
    const first = await run();
    assert.match(first.stdout, /ClickHouse: [1-9]\d* migration\(s\) applied \(1, 2, .*\), 0 already in place/);
    assert.match(first.stdout, /Postgres: migrations applied, bootstrap done/);
    assert.match(first.stdout, /JetStream: streams TF_OTLP and TF_OTLP_DEAD_LETTERS/);
    const second = await run();
    assert.match(second.stdout, /ClickHouse: 0 migration\(s\) applied, [1-9]\d* already in place/);

    const bus = await connectBus(nats.url, 'test');
    try {
      const info = await bus.jsm.streams.info(DEFAULT_JETSTREAM_SETTINGS.stream);
      assert.deepEqual(info.config.subjects, ['tf.traces.*', 'tf.metrics.*', 'tf.logs.*']);
      assert.equal(info.config.retention, 'workqueue');
      const consumers = [];
      for await (const c of bus.jsm.consumers.list(DEFAULT_JETSTREAM_SETTINGS.stream)) consumers.push(c.name);
      assert.deepEqual(consumers.sort(), ['tf-writer-logs', 'tf-writer-metrics', 'tf-writer-traces']);
    } finally {
      await bus.close();
    }
  },
);
