// The API's client timeouts and its connection cap per address, against the real server:
// raw TCP clients that send nothing, trickle a request in a byte a second, hold a kept-alive
// connection, or open more connections than one address may hold.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { Controller, Get, Module } from '@nestjs/common';
import { Public } from '@telemetryflow/http-kit';
import { startTestApi, tempDir, type TestApi } from './helpers.js';

const KEY = 'tf_connection_limits_key_0123456789';
const dir = tempDir('tf-conn-limits-');
let api: TestApi;
let port: number;

/** A route that answers after 5 s, to see the request deadline. */
@Controller('slow')
@Public()
class SlowController {
  @Get()
  async slow(): Promise<{ data: string }> {
    await new Promise((r) => setTimeout(r, 5000));
    return { data: 'late' };
  }
}
@Module({ controllers: [SlowController] })
class SlowModule {}

const LIMITS = {
  headersTimeoutMs: 600,
  bodyTimeoutMs: 1500,
  requestTimeoutMs: 2500,
  idleTimeoutMs: 500,
  maxConnectionsPerAddress: 4,
};

before(async () => {
  api = await startTestApi(dir.path, KEY, async () => {}, { connections: LIMITS, modules: [{ module: SlowModule }] });
  port = api.server.port;
});

after(async () => {
  await api?.close();
  dir.remove();
});

interface Client {
  socket: Socket;
  received: () => string;
  /** Milliseconds from connecting until the server closed the connection. */
  closed: Promise<number>;
}

function open(): Promise<Client> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
    socket.once('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    setTimeout(() => reject(new Error('no connection within 5 s')), 5000).unref();
  });
}

/** Writes `text` one byte per second until the connection is closed. */
function trickle(socket: Socket, text: string): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) clearInterval(timer);
    else socket.write(text[i++]!);
  }, 1000);
}

/** Resolves with the close time, or rejects when the server keeps the connection longer than `withinMs`. */
async function closedWithin(c: Client, withinMs: number, what: string): Promise<number> {
  const ms = await Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), withinMs).unref())]);
  if (ms < 0) {
    c.socket.destroy();
    assert.fail(`${what}: still open after ${withinMs} ms`);
  }
  return ms;
}

test('a connection that sends nothing is closed after the headers timeout', async () => {
  const c = await open();
  const ms = await closedWithin(c, 3000, 'idle connection');
  assert.ok(ms >= LIMITS.headersTimeoutMs - 50, `closed after ${ms} ms, before the timeout`);
  assert.match(c.received(), /^(HTTP\/1\.1 408|$)/);
});

test('request headers trickling in a byte a second are cut off at the headers timeout', async () => {
  const c = await open();
  trickle(c.socket, `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\n\r\n`);
  await closedWithin(c, 3000, 'slow headers');
  assert.doesNotMatch(c.received(), /HTTP\/1\.1 200/);
});

test('a body trickling in a byte a second is cut off at the body timeout', async () => {
  const c = await open();
  c.socket.write(
    `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`,
  );
  trickle(c.socket, '{"email":"a@b.c","password":"' + 'x'.repeat(150) + '"}');
  const ms = await closedWithin(c, 4000, 'slow body');
  assert.ok(ms >= LIMITS.bodyTimeoutMs - 50, `closed after ${ms} ms, before the body timeout`);
});

test('a kept-alive connection without a request is closed after the idle timeout', async () => {
  const c = await open();
  c.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  const ms = await closedWithin(c, 4000, 'kept-alive connection');
  assert.match(c.received(), /^HTTP\/1\.1 200/);
  assert.ok(ms >= LIMITS.idleTimeoutMs - 50, `closed after ${ms} ms`);
});

test('a request not answered within the request timeout gets 503 request_timeout and its connection closed', async () => {
  const started = Date.now();
  const res = await fetch(`${api.server.url}/slow`);
  const body = (await res.json()) as { error: { code: string } };
  assert.equal(res.status, 503);
  assert.equal(body.error.code, 'request_timeout');
  assert.ok(Number(res.headers.get('retry-after')) > 0);
  assert.equal(res.headers.get('connection'), 'close');
  assert.ok(Date.now() - started < 4000, 'not the 5 s the handler takes');
});

test('one address holds at most maxConnectionsPerAddress connections; more are closed at once, and a freed slot serves again', async () => {
  const held = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerAddress }, () => open()));
  try {
    const extra = await open();
    const ms = await closedWithin(extra, 300, 'a connection beyond the cap');
    assert.equal(extra.received(), '', `refused without an answer (after ${ms} ms)`);
    for (const c of held) assert.equal(c.socket.destroyed, false, 'the connections within the cap stay open');
    held.pop()!.socket.destroy();
    // The slot is free once the server has seen that connection close: retried for up to 10 s.
    let again: Client;
    for (const deadline = Date.now() + 10_000; ;) {
      again = await open();
      again.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await closedWithin(again, 3000, 'a connection in the freed slot');
      if (again.received() !== '' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(again.received(), /^HTTP\/1\.1 200/);
  } finally {
    for (const c of held) c.socket.destroy();
  }
});
