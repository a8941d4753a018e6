// The first stage of a JetStream writer: batches of deliveries from a signal's durable pull
// consumer. A batch is as many messages as fill `maxBytes` or arrive within `maxDelayMs`,
// gathered over several pulls when a backlog waits (the client library asks for at most
// 100 messages per pull).
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { BusConnection } from '@telemetryflow/bus';

export interface BatchPullerConfig {
  /** Bytes of messages per batch. */
  maxBytes: number;
  /** A batch waits at most this long for maxBytes to arrive (at least 1 s). */
  maxDelayMs: number;
}

export class BatchPuller {
  constructor(
    private readonly bus: BusConnection,
    private readonly config: BatchPullerConfig,
    /** True once the writer stops: the batch under way ends after the pull in progress. */
    private readonly stopping: () => boolean,
  ) {}

  /**
   * One batch: pulls until maxBytes arrived, a pull found less than it asked for (nothing
   * more is waiting), or maxDelayMs passed. Under load a batch spans several pulls, since the
   * client library asks for at most 100 messages per pull.
   */
  async pullBatch(consumer: Consumer): Promise<JsMsg[]> {
    const deadline = performance.now() + Math.max(1000, this.config.maxDelayMs);
    const msgs: JsMsg[] = [];
    let bytes = 0;
    for (;;) {
      // A pull smaller than the largest possible message would stall on it.
      const maxBytes = Math.max(this.config.maxBytes - bytes, (this.bus.nc.info?.max_payload ?? 0) + 64 * 1024);
      const expires = Math.max(1000, Math.round(deadline - performance.now()));
      let pull: { msgs: JsMsg[]; complete: boolean };
      try {
        pull = await this.pull(consumer, maxBytes, expires);
      } catch (err) {
        if (msgs.length === 0) throw err;
        return msgs;
      }
      for (const m of pull.msgs) {
        msgs.push(m);
        bytes += m.data.byteLength;
      }
      if (!pull.complete || bytes >= this.config.maxBytes || performance.now() >= deadline || this.stopping())
        return msgs;
    }
  }

  /**
   * One pull request. `complete`: it got every message it asked for, so more may be waiting.
   * The pull runs to its end: messages already requested would otherwise sit unacked until
   * the ack wait runs out.
   */
  private async pull(
    consumer: Consumer,
    maxBytes: number,
    expires: number,
  ): Promise<{ msgs: JsMsg[]; complete: boolean }> {
    const iter = await consumer.fetch({ max_bytes: maxBytes, expires });
    // With a byte limit the library also asks for a number of messages; when all of them
    // arrived below the byte limit, the pull is over in the server, but the library waits
    // for the expiry and two missed heartbeats (1.5 s with a 1 s expiry) before it ends it.
    // The fetch's own notification says how many it asked for: stop once they are here.
    let asked: number | undefined;
    void (async () => {
      for await (const s of iter.status()) if (s.type === 'next') asked = s.options.batch;
    })();
    // While NATS is unreachable the library pauses its heartbeat check and nothing ends the
    // pull (nor stop(), which waits for it): end it when the server would have, after the
    // expiry and two missed heartbeats of expires / 2 each.
    const deadline = setTimeout(() => iter.stop(), 2 * expires + 1000);
    const msgs: JsMsg[] = [];
    try {
      for await (const m of iter) {
        msgs.push(m);
        if (msgs.length === asked) break;
      }
    } catch (err) {
      // The pull ended early (missed heartbeats, lost connection): what arrived is still ours.
      if (msgs.length === 0) throw err;
    } finally {
      clearTimeout(deadline);
    }
    return { msgs, complete: msgs.length === asked };
  }
}
