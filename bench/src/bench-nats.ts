// The JetStream side of `pnpm bench:ingest --nats`: a nats-server of the benchmark's own
// (or BENCH_NATS_URL; told `-p -1`, so the OS picks its port), and the writers' consumer lag.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectBus, DEFAULT_JETSTREAM_SETTINGS, writerConsumerName, type BusConnection } from '@telemetryflow/bus';
import type { Signal } from '@telemetryflow/otlp';
import { natsReadyPort } from '@telemetryflow/server/test-helpers';

export interface BenchNats {
  url: string;
  /** Messages the writers of a signal have not acked yet. */
  lag(signal: Signal): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchNats(dataDir: string): Promise<BenchNats> {
  let child: ChildProcess | undefined;
  let url = process.env.BENCH_NATS_URL;
  if (!url) {
    const binary = process.env.BENCH_NATS_SERVER ?? '/usr/sbin/nats-server';
    if (!existsSync(binary)) throw new Error(`--nats needs ${binary} (or BENCH_NATS_URL)`);
    child = spawn(binary, ['-js', '-sd', join(dataDir, 'nats'), '-a', '127.0.0.1', '-p', '-1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const started = child;
    url = `nats://127.0.0.1:${await natsReadyPort(started).catch((err: unknown) => {
      started.kill('SIGKILL');
      throw err;
    })}`;
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
