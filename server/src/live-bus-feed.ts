import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { decodeToRows, type LiveFeed } from '@telemetryflow/rows';
import { BUS_HEADERS, busSignalFilter, type Signal } from '@telemetryflow/otlp';

const LIVE_SIGNALS: readonly Signal[] = ['logs', 'traces'];

/**
 * The live tail's source in a distributed deployment: a plain (core NATS) subscription to
 * the subjects collectors publish to, next to the JetStream writers. Items show up once a
 * collector has published them, without waiting for ClickHouse. Payloads are decoded (with
 * the writers' row builders) only for tenants someone follows.
 */
export function followBusForLive(nc: NatsConnection, live: LiveFeed): { close(): void } {
  const subs: Subscription[] = LIVE_SIGNALS.map((signal) =>
    nc.subscribe(busSignalFilter(signal), {
      callback: (err, msg) => {
        if (err) return;
        // The subject's last token is the tenant the collector authenticated.
        const tenantId = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
        if (!live.wants(tenantId, signal)) return;
        const receivedAtNs = msg.headers?.get(BUS_HEADERS.receivedAtNs) || (BigInt(Date.now()) * 1_000_000n).toString();
        // The writers' checks, retention cutoff included: what shows live is what is stored.
        const notBeforeNs = msg.headers?.get(BUS_HEADERS.notBeforeNs) || '0';
        try {
          const decoded = decodeToRows({
            tenantId,
            signal,
            encoding: 'protobuf',
            payload: msg.data,
            receivedAtNs,
            notBeforeNs,
          });
          if (decoded.ok)
            live.publish(tenantId, { spans: decoded.batch.tables.spans, logs: decoded.batch.tables.logs });
        } catch {
          // A payload the writers will dead-letter: nothing to show live either.
        }
      },
    }),
  );
  return {
    close() {
      for (const s of subs) s.unsubscribe();
    },
  };
}
