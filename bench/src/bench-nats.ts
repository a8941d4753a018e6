// The JetStream side of `pnpm bench:ingest --nats`: a nats-server of the benchmark's own
// (or BENCH_NATS_URL), and the writers' consumer lag.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectBus, DEFAULT_JETSTREAM_SETTINGS, writerConsumerName, type BusConnection } from '@telemetryflow/bus';
import type { Signal } from '@telemetryflow/otlp';

export interface BenchNats {
  url: string;
  /** Messages the writers of a signal have not acked yet. */
  lag(signal: Signal): Promise<number>;
  close(): Promise<void>;
}

/** The client port nats-server logged it listens on (it was told `-p -1`: the OS picks), once it is ready. */
function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = '';
    let settled = false;
    const settle = (err: Error | undefined, port = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(port);
    };
    const timer = setTimeout(() => settle(new Error(`nats-server did not start within 10 s:\n${log}`)), 10_000);
    // Read to the end even after start-up, so the server never blocks on a full pipe.
    child.stderr!.on('data', (d: Buffer) => {
      if (settled) return;
      log += d.toString();
      const port = /Listening for client connections on [^\s]*:(\d+)/.exec(log)?.[1];
      if (port && log.includes('Server is ready')) settle(undefined, Number(port));
    });
    child.once('exit', (code) => settle(new Error(`nats-server exited with ${code}:\n${log}`)));
  });
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
    url = `nats://127.0.0.1:${await readyPort(started).catch((err: unknown) => {
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
