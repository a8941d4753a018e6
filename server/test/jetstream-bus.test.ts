// The collector side of JetStream under faults: NATS down, the stream full, requests larger
// than a NATS message, and messages no writer can store (dead letters).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeExportResponse, type Signal } from '@telemetryflow/otlp';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { BUS_HEADERS, encodeExportRequestObject } from '@telemetryflow/otlp';
import { ensureTopology, listDeadLetters } from '@telemetryflow/bus';
import { loadConfig } from '../src/config.js';
import { deadLettersCommand } from '../src/dead-letters-command.js';
import { eventually } from './helpers.js';
import {
  exportWithRetry,
  JetStreamRig,
  keyOf,
  pendingMessages,
  postExport,
  request,
  settledStored,
  type ExportReply,
} from './jetstream-rig.js';
import { natsServerMissing } from './nats-server.js';

const skip = natsServerMissing();
const MAX_PAYLOAD = 256 * 1024;
let rig: JetStreamRig;

before(async () => {
  if (!skip) rig = await JetStreamRig.start({ maxPayload: MAX_PAYLOAD });
});
after(async () => {
  await rig?.close();
});

/** Exports requests one after another, each retried as told; `refusals` collects the 503s as they come. */
async function sendAll(
  tenant: string,
  signal: Signal,
  requests: number,
  perRequest: number,
  first = 0,
  refusals: ExportReply[] = [],
): Promise<number> {
  for (let r = 0; r < requests; r++) {
    await exportWithRetry(
      rig.otlpUrl,
      tenant,
      signal,
      request(signal, first + r * perRequest, perRequest),
      undefined,
      undefined,
      refusals,
    );
  }
  return requests * perRequest;
}

test(
  'nats-server killed and restarted: 503 with Retry-After while it is down, and a retrying client loses nothing',
  { skip },
  async () => {
    const writer = await rig.startWriter();
    try {
      let sent = await sendAll('natsdown', 'traces', 10, 50);
      await rig.nats.kill();
      const refused = await eventually('a refusal while NATS is down', async () => {
        const reply = await postExport(rig.otlpUrl, 'natsdown', 'traces', request('traces', 100_000, 5));
        return reply.status === 503 ? reply : undefined;
      });
      assert.ok(Number(refused.retryAfter) > 0, 'the refusal carries Retry-After');
      // A client keeps exporting through the outage, retrying as told: NATS comes back once
      // the client was refused and retries.
      const refusals: ExportReply[] = [];
      const during = sendAll('natsdown', 'traces', 10, 50, sent, refusals);
      await eventually('the client refused during the outage', async () => (refusals.length > 0 ? true : undefined));
      await rig.nats.restart();
      await during;
      sent += 500;
      assert.deepEqual(await settledStored(rig, 'natsdown', 'traces', sent, 90_000), { rows: sent, distinct: sent });
    } finally {
      await writer.stop();
    }
  },
);

test('stream full: 503 with Retry-After, then accepted once the writers drain it', { skip }, async () => {
  await ensureTopology(rig.publisherBus.jsm, { ...rig.settings, maxBytes: 256 * 1024 });
  try {
    const bodies: Buffer[] = [];
    let refusal;
    for (let r = 0; r < 100 && !refusal; r++) {
      const body = request('logs', r * 20, 20, 1000);
      const reply = await postExport(rig.otlpUrl, 'full', 'logs', body);
      if (reply.status === 503) refusal = reply;
      else assert.equal(reply.status, 200);
      bodies.push(body);
    }
    assert.ok(refusal, 'a publish into the full stream was refused');
    assert.ok(Number(refusal.retryAfter) > 0, 'with Retry-After');
    const writer = await rig.startWriter();
    try {
      // The refused request, retried, goes in once the writers made room.
      await exportWithRetry(rig.otlpUrl, 'full', 'logs', bodies[bodies.length - 1]!);
      const sent = bodies.length * 20;
      assert.deepEqual(await settledStored(rig, 'full', 'logs', sent), { rows: sent, distinct: sent });
    } finally {
      await writer.stop();
    }
  } finally {
    await ensureTopology(rig.publisherBus.jsm, rig.settings);
  }
});

test('a request larger than a NATS message is split along resources and scopes, not refused', { skip }, async () => {
  const writer = await rig.startWriter();
  try {
    // ~1.2 MB of spans against a 256 KiB message limit, sent as OTLP/JSON (re-encoded once).
    const spans = 3000;
    const protobuf = request('traces', 0, spans, 300);
    assert.ok(protobuf.byteLength > 4 * MAX_PAYLOAD);
    const res = await fetch(`${rig.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${keyOf('split')}` },
      body: protobuf,
    });
    assert.equal(res.status, 200);
    assert.equal(
      decodeExportResponse('traces', new Uint8Array(await res.arrayBuffer()), 'protobuf'),
      null,
      'no partial success: everything accepted',
    );
    assert.deepEqual(await settledStored(rig, 'split', 'traces', spans), { rows: spans, distinct: spans });

    // One log record alone above the limit cannot be carried: reported as rejected, the rest stored.
    const json = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { body: { stringValue: 'fits' }, timeUnixNano: String(Date.now() * 1e6) },
                { body: { stringValue: 'y'.repeat(MAX_PAYLOAD) }, timeUnixNano: String(Date.now() * 1e6) },
              ],
            },
          ],
        },
      ],
    };
    const partial = await fetch(`${rig.otlpUrl}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf('split')}` },
      body: JSON.stringify(json),
    });
    assert.equal(partial.status, 200);
    const outcome = (await partial.json()) as {
      partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string };
    };
    assert.equal(outcome.partialSuccess?.rejectedLogRecords, '1');
    assert.match(outcome.partialSuccess?.errorMessage ?? '', /larger than the \d+-byte message limit/);
    assert.deepEqual(await settledStored(rig, 'split', 'logs', 1), { rows: 1, distinct: 1 });
  } finally {
    await writer.stop();
  }
});

test(
  'a message no writer can decode becomes a dead letter with its reason; the command lists and replays it',
  { skip },
  async () => {
    const writer = await rig.startWriter();
    try {
      const h = natsHeaders();
      h.set(BUS_HEADERS.tenant, 'poison');
      h.set(BUS_HEADERS.receivedAtNs, String(Date.now() * 1e6));
      await rig.publisherBus.js.publish('tf.traces.poison', Buffer.from('this is not protobuf'), { headers: h });
      // A good message behind it is not held up.
      await rig.publisherBus.js.publish(
        'tf.traces.poison',
        encodeExportRequestObject('traces', { resourceSpans: [] }),
        { headers: h },
      );
      await sendAll('poison', 'traces', 1, 10);
      assert.deepEqual(await settledStored(rig, 'poison', 'traces', 10), { rows: 10, distinct: 10 });

      const [letter] = await eventually('the dead letter', async () => {
        const letters = await listDeadLetters(rig.publisherBus, rig.settings);
        return letters.length > 0 ? letters : undefined;
      });
      assert.equal(letter!.signal, 'traces');
      assert.equal(letter!.tenantId, 'poison');
      assert.match(letter!.reason, /undecodable OTLP payload/);

      const config = loadConfig({ NATS_URL: rig.nats.url, TF_DATA_DIR: '/nonexistent' });
      const lines: string[] = [];
      assert.equal(await deadLettersCommand(config, ['list'], (l) => lines.push(l)), 0);
      assert.equal(lines[0], '1 dead letter(s)');
      assert.match(lines[1]!, new RegExp(`^${letter!.seq}\\t.*\\ttraces\\ttenant=poison\\t.*undecodable`));

      // Replayed, it goes back to the writers (who dead-letter it again: it is still poison).
      lines.length = 0;
      assert.equal(await deadLettersCommand(config, ['replay', String(letter!.seq)], (l) => lines.push(l)), 0);
      assert.equal(lines[0], `replayed 1 of 1: ${letter!.seq}`);
      const again = await eventually('the replayed letter back in the dead-letter stream', async () => {
        const letters = await listDeadLetters(rig.publisherBus, rig.settings);
        return letters.length === 1 && letters[0]!.seq !== letter!.seq ? letters[0] : undefined;
      });
      assert.match(again.reason, /undecodable/);
      // The writer acks the message after it published the letter.
      await eventually('the replayed message acked', async () =>
        (await pendingMessages(rig, 'traces')) === 0 ? true : undefined,
      );
    } finally {
      await writer.stop();
    }
  },
);
