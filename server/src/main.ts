// `telemetryflow [all | collector | ingest | query | role,role…]` starts roles (default all,
// or TF_ROLE); `telemetryflow migrate` applies migrations and exits; `telemetryflow
// dead-letters …` manages dead letters. `pnpm start` runs all.
import { ConfigError, loadConfig, type Config } from './config.js';
import { deadLettersCommand } from './dead-letters-command.js';
import { migrateCommand } from './migrate-command.js';
import { startNode } from './node.js';

function configOrExit(roleArgument?: string): Config {
  try {
    return loadConfig(process.env, roleArgument);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

async function serve(roleArgument: string | undefined): Promise<void> {
  const config = configOrExit(roleArgument);
  const running = await startNode(config);
  const roles = config.roles.size === 3 ? 'all-in-one' : [...config.roles].join(' + ');
  const storage = [config.clickhouseUrl && 'ClickHouse server', config.databaseUrl && 'Postgres server', config.natsUrl && 'NATS JetStream'].filter(Boolean);
  console.log(`TelemetryFlow ${roles} (data in ${config.dataDir}${storage.length ? `, ${storage.join(', ')}` : ''})`);
  if (running.apiUrl) console.log(`  API and console  ${running.apiUrl}  (health /health, ready /ready, API /api/v1)`);
  if (running.otlpHttpUrl) console.log(`  OTLP/HTTP        ${running.otlpHttpUrl}  (/v1/traces, /v1/metrics, /v1/logs)`);
  if (running.otlpGrpcAddress) console.log(`  OTLP/gRPC        ${running.otlpGrpcAddress}`);
  console.log(`  Metrics          ${running.metricsUrl}/metrics  (health /health, ready /ready)`);
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

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'dead-letters') {
    process.exit(await deadLettersCommand(configOrExit('all'), args, (line) => console.log(line)));
  }
  if (command === 'migrate') process.exit(await migrateCommand(configOrExit('all'), (line) => console.log(line)));
  await serve(command);
}

main().catch((err: unknown) => {
  console.error('TelemetryFlow failed to start:', err);
  process.exit(1);
});
