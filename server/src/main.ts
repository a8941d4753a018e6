// `telemetryflow [all | collector | ingest | query | role,role…]` starts roles (default all,
// or TF_ROLE); `telemetryflow migrate` applies migrations and exits; `telemetryflow
// dead-letters …` manages dead letters. `pnpm start` runs all.
import { ConfigError, loadConfig, type Config } from './config.js';
import { deadLettersCommand } from './dead-letters-command.js';
import { createLogger, nodeLogOf } from './logger.js';
import { migrateCommand } from './migrate-command.js';
import { startNode } from './node.js';
import { startSelfTracing } from './self-tracing.js';

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
  const logger = createLogger(config.logLevel);
  // Before any server starts, so that their HTTP modules are instrumented.
  const tracing =
    config.selfTracing &&
    startSelfTracing({ ...config.selfTracing, serviceName: `telemetryflow-${[...config.roles].join('-')}` });
  const running = await startNode(config, nodeLogOf(logger));
  logger.info(
    {
      roles: [...config.roles],
      dataDir: config.dataDir,
      clickhouse: config.clickhouseUrl ? 'server' : 'embedded',
      postgres: config.databaseUrl ? 'server' : 'embedded',
      bus: config.natsUrl ? 'jetstream' : 'in-process',
      api: running.apiUrl,
      otlpHttp: running.otlpHttpUrl,
      otlpGrpc: running.otlpGrpcAddress,
      metrics: `${running.metricsUrl}/metrics`,
    },
    'TelemetryFlow started',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping — no new requests, flushing batches`);
    running
      .close()
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
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
