import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * PGlite with its data under `<dataDir>/postgres`, served on 127.0.0.1 so TypeORM's
 * ordinary `postgres` driver talks to it. `maxConnections` must be at least the
 * client's pool size (plus the migration lock connection), or extra connections are dropped.
 * One process owns a data directory; PGlite does not guard against a second one.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; maxConnections: number }): Promise<EmbeddedPostgres> {
  const dir = join(opts.dataDir, 'postgres');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: opts.port ?? 0, maxConnections: opts.maxConnections });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const port = Number(/:(\d+)$/.exec(server.getServerConn())?.[1]);
  if (!Number.isInteger(port) || port <= 0) {
    await server.stop();
    await db.close();
    throw new Error(`embedded Postgres: cannot tell the listening port from ${server.getServerConn()}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
