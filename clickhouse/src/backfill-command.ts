// `pnpm rollups:backfill --from <time> --to <time> [--tenant <id>]`: rebuilds hourly and
// daily rollups of those days from raw data. Uses CLICKHOUSE_URL, or else the embedded
// engine under TF_DATA_DIR (default ./data), which must not be open in a running server.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createClickHouse } from './client.js';
import { migrate } from './migrations.js';
import { backfillRollups, type BackfillRequest } from './rollups.js';

const USAGE =
  'usage: pnpm rollups:backfill --from <RFC 3339 or epoch ms> --to <RFC 3339 or epoch ms> [--tenant <tenant id>]';

/** Pure: command-line arguments → backfill request; throws a message with the usage on bad input. */
export function parseBackfillArgs(argv: string[]): BackfillRequest {
  let values: { from?: string | undefined; to?: string | undefined; tenant?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, to: { type: 'string' }, tenant: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`);
  }
  const time = (name: 'from' | 'to'): number => {
    const v = values[name];
    if (v === undefined) throw new Error(`--${name} is required\n${USAGE}`);
    const ms = /^\d{1,15}$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms))
      throw new Error(`--${name} must be an RFC 3339 time or epoch milliseconds, got ${JSON.stringify(v)}\n${USAGE}`);
    return ms;
  };
  const req: BackfillRequest = { fromMs: time('from'), toMs: time('to') };
  if (req.toMs <= req.fromMs) throw new Error(`--to must be after --from\n${USAGE}`);
  if (values.tenant !== undefined) req.tenant = values.tenant;
  return req;
}

async function main(): Promise<void> {
  let req: BackfillRequest;
  try {
    req = parseBackfillArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const client = await createClickHouse({
    url: process.env.CLICKHOUSE_URL || undefined,
    dataDir: process.env.TF_DATA_DIR || './data',
    cluster: process.env.TF_CLICKHOUSE_CLUSTER || undefined,
  });
  try {
    await migrate(client);
    const started = Date.now();
    const days = await backfillRollups(client, req);
    console.log(
      `rebuilt rollups of ${new Date(days.fromMs).toISOString()} .. ${new Date(days.toMs).toISOString()}` +
        `${req.tenant !== undefined ? ` for tenant ${req.tenant}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await client.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
