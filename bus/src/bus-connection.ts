import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/** One NATS connection with its JetStream handles, and whether it is connected right now. */
export interface BusConnection {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** False while the client is reconnecting: publishes would only wait for a timeout. */
  connected(): boolean;
  close(): Promise<void>;
}

export async function connectBus(url: string, name: string): Promise<BusConnection> {
  const nc = await connect({
    servers: url.split(',').map((s) => s.trim()),
    name,
    // A role outlives any NATS outage: it reconnects forever and refuses work meanwhile.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
  });
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') connected = false;
      else if (s.type === 'reconnect') connected = true;
    }
  })();
  const js = jetstream(nc, { timeout: 10_000 });
  const jsm = await jetstreamManager(nc, { timeout: 10_000 });
  return {
    nc,
    js,
    jsm,
    connected: () => connected && !nc.isClosed(),
    async close() {
      if (nc.isClosed()) return;
      await nc.drain().catch(() => nc.close());
    },
  };
}
