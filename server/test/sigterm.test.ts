// The real process (`node server/dist/src/main.js`): SIGTERM stops it cleanly (exit 0)
// and everything a client was told "accepted" is there after a restart.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, test } from 'node:test';
import {
  API_KEY,
  assertLogs,
  assertTrace,
  buildLogs,
  buildTrace,
  exportOk,
  exporters,
  freshDataDir,
  getTrace,
  hrToNs,
  removeDir,
  searchLogs,
} from './helpers.js';
import { killAll, launchMain, type MainProcess } from './main-process.js';

const dataDir = freshDataDir();

after(() => {
  killAll();
  removeDir(dataDir);
});

function launch(batchDelayMs = '20'): Promise<MainProcess> {
  return launchMain([], dataDir, { TF_INGEST_BATCH_DELAY_MS: batchDelayMs });
}

async function stop(p: MainProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  p.child.kill('SIGTERM');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no exit within 30 s of SIGTERM:\n${p.output()}`)), 30_000).unref(),
  );
  return Promise.race([p.exited, timeout]);
}

/**
 * A minimal OTLP/JSON trace with one span; resolves with the HTTP status (0 = connection failed).
 * It asks `Expect: 100-continue`, so `received` is called once the server has read its headers.
 */
async function postSpan(otlpHttpUrl: string, traceId: string, startNs: string, received: () => void): Promise<number> {
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'sigterm-burst' } }] },
        scopeSpans: [
          {
            scope: { name: 'burst' },
            spans: [
              {
                traceId,
                spanId: traceId.slice(0, 16),
                name: 'burst',
                kind: 1,
                startTimeUnixNano: startNs,
                endTimeUnixNano: startNs,
              },
            ],
          },
        ],
      },
    ],
  };
  // node:http rather than fetch: with fetch (Node 20's undici), requests cut off by the
  // exiting server were seen to stay pending forever instead of failing.
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      `${otlpHttpUrl}/v1/traces`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${API_KEY}`,
          expect: '100-continue',
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', () => resolve(0));
      },
    );
    req.once('error', () => resolve(0));
    req.once('continue', () => {
      received();
      req.end(payload);
    });
  });
}

test('SIGTERM exits 0 and every acknowledged export survives the restart', { timeout: 180_000 }, async () => {
  const first = await launch('5000');
  const trace = buildTrace('sigterm-svc');
  const logs = buildLogs('sigterm-svc');
  const ex = exporters(first, 'grpc', API_KEY);
  try {
    await exportOk(ex.traces, trace.spans, 'traces');
    await exportOk(ex.logs, logs.records, 'logs');
  } finally {
    await ex.shutdown();
  }

  // A burst of requests still waiting in the writer's batch (this process waits 5 s before an
  // insert) when SIGTERM arrives: shutdown must insert them and answer every one with 200.
  const startNs = hrToNs([Math.floor(Date.now() / 1000) - 30, 0]);
  const ids = Array.from({ length: 40 }, (_, i) => (i + 1).toString(16).padStart(32, 'c'));
  let received = 0;
  const burst = ids.map((id) => postSpan(first.otlpHttpUrl, id, startNs, () => received++));
  // SIGTERM once the server has every request of the burst (instead of after a second).
  for (const deadline = Date.now() + 30_000; received < ids.length;) {
    if (Date.now() > deadline) throw new Error(`the server read ${received} of ${ids.length} requests in 30 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const exit = await stop(first);
  const statuses = await Promise.all(burst);
  assert.deepEqual(exit, { code: 0, signal: null }, first.output());
  assert.match(first.output(), /SIGTERM: stopping/);
  assert.deepEqual(
    statuses,
    ids.map(() => 200),
    'every request waiting in the batch was inserted and acknowledged',
  );

  const second = await launch();
  try {
    const res = await getTrace(second.apiUrl, API_KEY, trace.traceId);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertTrace(res.body.data, trace);
    assertLogs(
      await searchLogs(second.apiUrl, API_KEY, { service: 'sigterm-svc', from: logs.fromMs, to: logs.toMs }),
      logs,
    );
    const acked = ids.filter((_, i) => statuses[i] === 200);
    for (const id of acked) {
      const r = await getTrace(second.apiUrl, API_KEY, id);
      assert.equal(r.status, 200, `trace ${id} was acknowledged before SIGTERM but is missing after the restart`);
    }
  } finally {
    const exit2 = await stop(second);
    assert.deepEqual(exit2, { code: 0, signal: null }, second.output());
  }
});
