// `telemetryflow migrate`: applies the ClickHouse and Postgres migrations (and bootstraps the
// first tenant, key and admin) and creates the JetStream streams, then exits — for a
// deployment's migration job that runs before the roles roll out. Every role also does
// this at start; both are idempotent and safe to run concurrently.
import { createClickHouse, migrate } from '@telemetryflow/clickhouse';
import { connectBus, ensureTopology } from '@telemetryflow/bus';
import { openControlPlane } from '@telemetryflow/identity';
import { CONTROL_PLANE_FEATURES } from './control-plane-features.js';
import type { Config } from './config.js';

export async function migrateCommand(config: Config, out: (line: string) => void): Promise<number> {
  const clickhouse = await createClickHouse({
    url: config.clickhouseUrl,
    dataDir: config.dataDir,
    cluster: config.clickhouseCluster,
  });
  try {
    const { applied, alreadyApplied } = await migrate(clickhouse);
    out(
      `ClickHouse: ${applied.length} migration(s) applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${alreadyApplied.length} already in place`,
    );
  } finally {
    await clickhouse.close();
  }
  const controlPlane = await openControlPlane(
    {
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      bootstrap: config.bootstrap,
      auth: config.auth,
      features: CONTROL_PLANE_FEATURES,
    },
    out,
  );
  await controlPlane.close();
  out('Postgres: migrations applied, bootstrap done');
  if (config.natsUrl) {
    const bus = await connectBus(config.natsUrl, 'telemetryflow-migrate');
    try {
      await ensureTopology(bus.jsm, config.jetstream);
      out(
        `JetStream: streams ${config.jetstream.stream} and ${config.jetstream.deadLetterStream} and the writer consumers are in place`,
      );
    } finally {
      await bus.close();
    }
  }
  return 0;
}
