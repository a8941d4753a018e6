import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** The port in the socket's file name (`.s.PGSQL.<port>`), which is how the `pg` driver names it. */
export const EMBEDDED_POSTGRES_PORT = 5432;

/** Longest Unix socket path the kernel accepts (sun_path is 108 bytes on Linux, 104 on macOS), less the NUL. */
const MAX_SOCKET_PATH = 103;

export interface EmbeddedPostgres {
  /** The directory of the socket: the `host` the `pg` driver is given (a path means a Unix socket). */
  socketDir: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * PGlite with its data under `<dataDir>/postgres`, served on the Unix socket
 * `<dataDir>/postgres-socket/.s.PGSQL.5432` so TypeORM's ordinary `postgres` driver talks to
 * it, and nothing else can: no TCP listener, the directory is 0700 and the socket 0600.
 *
 * One connection only: pglite-socket keeps one connection's protocol messages together
 * only inside an explicit transaction, so two connections interleave their statements
 * (ADR 0014). PGlite is single-threaded, so more connections would not be faster anyway.
 * A second process on the same data directory is refused while the first one serves it.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string }): Promise<EmbeddedPostgres> {
  const dir = join(opts.dataDir, 'postgres');
  const socketDir = join(opts.dataDir, 'postgres-socket');
  const socketPath = join(socketDir, `.s.PGSQL.${EMBEDDED_POSTGRES_PORT}`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new Error(
      `embedded Postgres: the socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes, the limit of Unix sockets: choose a shorter TF_DATA_DIR`,
    );
  }
  mkdirSync(dir, { recursive: true });
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask and ignored for a directory that exists.
  chmodSync(socketDir, 0o700);
  await removeStaleSocket(socketPath);
  const db = await PGlite.create({ dataDir: dir });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
  try {
    await server.start();
    chmodSync(socketPath, 0o600);
  } catch (err) {
    await server.stop().catch(() => undefined);
    await db.close();
    throw err;
  }
  return {
    socketDir,
    port: EMBEDDED_POSTGRES_PORT,
    async stop() {
      await server.stop();
      await db.close();
      if (existsSync(socketPath)) unlinkSync(socketPath);
    },
  };
}

/** A socket file left by a process that died is removed; one that still answers means the directory is in use. */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new Error(`embedded Postgres: ${path} exists and is not a socket`);
  const answers = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (answers) throw new Error(`embedded Postgres: another process serves ${path}; one process owns a data directory`);
  unlinkSync(path);
}
