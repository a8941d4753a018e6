import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startAllInOne, type RunningAllInOne } from '@telemetryflow/server';

/** Runs `bench` against an all-in-one on a fresh temporary data directory, removed afterwards. */
export async function withBenchServer(prefix: string, apiKey: string, bench: (server: RunningAllInOne) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const server = await startAllInOne(
    loadConfig({ TF_HOST: '127.0.0.1', TF_DATA_DIR: dataDir, TF_HTTP_PORT: '0', TF_OTLP_HTTP_PORT: '0', TF_OTLP_GRPC_PORT: '0', TF_PGLITE_PORT: '0', TF_BOOTSTRAP_API_KEY: apiKey }),
    () => {},
  );
  try {
    await bench(server);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The entry point of a benchmark script: a failure prints and exits non-zero. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
