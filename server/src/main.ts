// The all-in-one process: `pnpm start`.
import { startAllInOne } from './all-in-one.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const running = await startAllInOne(config);
  console.log(`TelemetryFlow all-in-one (data in ${config.dataDir}${config.clickhouseUrl ? ', ClickHouse server' : ''}${config.databaseUrl ? ', Postgres server' : ''})`);
  console.log(`  API and console  ${running.apiUrl}  (health /health, ready /ready, API /api/v1)`);
  console.log(`  OTLP/HTTP        ${running.otlpHttpUrl}  (/v1/traces, /v1/metrics, /v1/logs)`);
  console.log(`  OTLP/gRPC        ${running.otlpGrpcAddress}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping — no new requests, flushing batches`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('TelemetryFlow failed to start:', err);
  process.exit(1);
});
