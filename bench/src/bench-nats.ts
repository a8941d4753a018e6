// The JetStream side of `pnpm bench:ingest --nats`: a nats-server of the benchmark's own
// (or BENCH_NATS_URL), and the writers' consumer lag.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { connectBus, DEFAULT_JETSTREAM_SETTINGS, writerConsumerName, type BusConnection } from '@telemetryflow/bus';
import type { Signal } from '@telemetryflow/schemas';

export interface BenchNats {
  url: string;
  /** Messages the writers of a signal have not acked yet. */
  lag(signal: Signal): Promise<number>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startBenchNats(dataDir: string): Promise<BenchNats> {
  let child: ChildProcess | undefined;
  let url = process.env.BENCH_NATS_URL;
  if (!url) {
    const binary = process.env.BENCH_NATS_SERVER ?? '/usr/sbin/nats-server';
    if (!existsSync(binary)) throw new Error(`--nats needs ${binary} (or BENCH_NATS_URL)`);
    const port = await freePort();
    child = spawn(binary, ['-js', '-sd', join(dataDir, 'nats'), '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await listening(port))) {
      if (Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    url = `nats://127.0.0.1:${port}`;
  }
  let bus: BusConnection | undefined;
  return {
    url,
    async lag(signal) {
      bus ??= await connectBus(url, 'telemetryflow-bench');
      const info = await bus.jsm.consumers.info(DEFAULT_JETSTREAM_SETTINGS.stream, writerConsumerName(signal));
      return info.num_pending + info.num_ack_pending;
    },
    async close() {
      await bus?.close();
      child?.kill('SIGTERM');
    },
  };
}
