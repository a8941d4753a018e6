// The API's structured request log: the requestId of an error body is on the JSON log line
// of that request, so an operator can go from a user's error message to the log.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { API_KEY, freshDataDir, removeDir } from './helpers.js';
import { killAll, launchMain } from './main-process.js';

const dataDir = freshDataDir();

after(() => {
  killAll();
  removeDir(dataDir);
});

interface LogLine {
  msg: string;
  component?: string;
  requestId?: string;
  method?: string;
  route?: string;
  status?: number;
  durationMs?: number;
  errorCode?: string;
}

test(
  'every API request has one JSON log line carrying the requestId of its error body',
  { timeout: 120_000 },
  async () => {
    const p = await launchMain([], dataDir);
    const bad = await fetch(`${p.apiUrl}/api/v1/traces/not-a-trace-id`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const badBody = (await bad.json()) as { error: { code: string; requestId: string } };
    assert.equal(bad.status, 400);
    const ok = await fetch(`${p.apiUrl}/api/v1/services`, {
      headers: { authorization: `Bearer ${API_KEY}`, 'x-request-id': 'client-chosen-id-1' },
    });
    assert.equal(ok.status, 200);

    const lines = (): LogLine[] =>
      p
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine)
        .filter((l) => l.msg === 'request');
    const deadline = Date.now() + 5000;
    while (lines().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const failed = lines().find((l) => l.requestId === badBody.error.requestId);
    assert.ok(failed, `no log line with requestId ${badBody.error.requestId}:\n${p.output()}`);
    assert.equal(failed.component, 'api');
    assert.equal(failed.method, 'GET');
    assert.equal(failed.route, '/api/v1/traces/:traceId');
    assert.equal(failed.status, 400);
    assert.equal(failed.errorCode, badBody.error.code);
    assert.ok(typeof failed.durationMs === 'number' && failed.durationMs >= 0);

    const served = lines().find((l) => l.requestId === 'client-chosen-id-1');
    assert.ok(served, 'the client-supplied X-Request-Id is the logged requestId');
    assert.equal(served.status, 200);
    assert.equal(served.errorCode, undefined);
    p.child.kill('SIGTERM');
    await p.exited;
  },
);
