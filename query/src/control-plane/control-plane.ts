import 'reflect-metadata';
import { DataSource, IsNull, type MigrationInterface } from 'typeorm';
import type { Authenticate } from '@telemetryflow/schemas';
import type { Caller } from '../http/access.js';
import { keyPermissions } from './permissions.js';
import { addMembership, createApiKey, createTenant, createUser } from './accounts.js';
import { randomBase62, validateSuppliedApiKey } from './api-key-secrets.js';
import { ApiKeyAuthenticator, type ApiKeyStore } from './authenticator.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { ApiKeyEntity, CONTROL_PLANE_ENTITIES, TenantEntity } from './entities.js';
import { CONTROL_PLANE_MIGRATIONS } from './migrations/index.js';

export interface ControlPlaneConfig {
  /** `DATABASE_URL`; unset → embedded Postgres (PGlite) under `<dataDir>/postgres`. */
  databaseUrl?: string;
  dataDir: string;
  /** TF_BOOTSTRAP_API_KEY / _ADMIN_EMAIL / _ADMIN_PASSWORD. */
  bootstrap: { apiKey?: string; adminEmail?: string; adminPassword?: string };
  /** `TF_PGLITE_PORT` for the embedded server; 0 (default) = any free port. */
  pglitePort?: number;
  /** TypeORM pool size (default 10; at least 2: migrations hold one connection for their lock and use another). */
  poolSize?: number;
  /** Authentication cache TTL (default 10 s). */
  authCacheTtlMs?: number;
  /** Entities and migrations of features outside this package that share the database (alerting). */
  extraEntities?: (new () => object)[];
  extraMigrations?: (new () => MigrationInterface)[];
}

export interface ControlPlane {
  dataSource: DataSource;
  /** API key → ingest credential (the collector's view). */
  authenticate: Authenticate;
  /** Bearer token → the API caller; `tenant` is the `X-Tenant` header (users only). Null when unknown. */
  resolveCaller(token: string, tenant?: string): Promise<Caller | null>;
  migrationsComplete(): Promise<boolean>;
  close(): Promise<void>;
}

export const BOOTSTRAP_TENANT_ID = 'default';
export const DEFAULT_ADMIN_EMAIL = 'admin@telemetryflow.local';
/** Serializes migrations and bootstrap across processes sharing one database ("tf_cp" in ASCII). */
const MIGRATION_LOCK_KEY = 0x74665f6370;

export async function openControlPlane(cfg: ControlPlaneConfig, log: (msg: string) => void = () => {}): Promise<ControlPlane> {
  if (cfg.bootstrap.apiKey !== undefined) validateSuppliedApiKey(cfg.bootstrap.apiKey);
  const poolSize = cfg.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2) throw new Error(`control plane poolSize must be an integer of at least 2, got ${poolSize}`);
  let embedded: EmbeddedPostgres | undefined;
  let url = cfg.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: cfg.dataDir, port: cfg.pglitePort ?? 0, maxConnections: poolSize + 4 });
    url = embedded.url;
    log(`embedded Postgres (PGlite) listening on 127.0.0.1:${embedded.port}`);
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: [...CONTROL_PLANE_ENTITIES, ...(cfg.extraEntities ?? [])],
    migrations: [...CONTROL_PLANE_MIGRATIONS, ...(cfg.extraMigrations ?? [])],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize },
  });
  try {
    await dataSource.initialize();
    await migrateAndBootstrap(dataSource, cfg.bootstrap, log);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }

  const store: ApiKeyStore = {
    async findActiveByPrefix(prefix) {
      return dataSource.getRepository(ApiKeyEntity).find({
        select: { id: true, tenantId: true, keyHash: true, scopes: true },
        where: { prefix, revokedAt: IsNull() },
      });
    },
    async touch(keyId, at) {
      await dataSource.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [keyId, at]);
    },
  };
  const authenticator = new ApiKeyAuthenticator(store, { ttlMs: cfg.authCacheTtlMs ?? 10_000, log });

  let closed = false;
  return {
    dataSource,
    authenticate: authenticator.authenticate,
    async resolveCaller(token) {
      const credential = await authenticator.authenticate(token);
      if (!credential) return null;
      return { tenantId: credential.tenantId, kind: 'key', permissions: keyPermissions(credential.scopes) };
    },
    async migrationsComplete() {
      return !(await dataSource.showMigrations());
    },
    async close() {
      if (closed) return;
      closed = true;
      await authenticator.drain();
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Runs pending migrations and the first-start bootstrap under a Postgres advisory lock. */
async function migrateAndBootstrap(dataSource: DataSource, bootstrap: ControlPlaneConfig['bootstrap'], log: (msg: string) => void): Promise<void> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) log(`control plane: applied migrations ${applied.map((m) => m.name).join(', ')}`);
      await bootstrapOnce(dataSource, bootstrap, log);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
  }
}

/**
 * First start only (no `default` tenant yet): the default tenant, an API key with every
 * scope and an owner. Values not supplied are generated and logged once, here.
 */
async function bootstrapOnce(dataSource: DataSource, bootstrap: ControlPlaneConfig['bootstrap'], log: (msg: string) => void): Promise<void> {
  const messages: string[] = [];
  await dataSource.transaction(async (em) => {
    if (await em.getRepository(TenantEntity).existsBy({ id: BOOTSTRAP_TENANT_ID })) return;
    await createTenant(em, { id: BOOTSTRAP_TENANT_ID, name: 'Default' });
    const key = await createApiKey(em, {
      tenantId: BOOTSTRAP_TENANT_ID,
      name: 'bootstrap',
      scopes: ['ingest', 'read', 'admin'],
      ...(bootstrap.apiKey !== undefined ? { key: bootstrap.apiKey } : {}),
    });
    const email = bootstrap.adminEmail ?? DEFAULT_ADMIN_EMAIL;
    const password = bootstrap.adminPassword ?? randomBase62(24);
    const user = await createUser(em, { email, password });
    await addMembership(em, { userId: user.id, tenantId: BOOTSTRAP_TENANT_ID, role: 'owner' });
    messages.push(
      bootstrap.apiKey !== undefined
        ? `bootstrap API key: (from TF_BOOTSTRAP_API_KEY, prefix ${key.prefix})`
        : `bootstrap API key: ${key.key}`,
      `bootstrap admin user: ${user.email}`,
      bootstrap.adminPassword !== undefined ? 'bootstrap admin password: (from TF_BOOTSTRAP_ADMIN_PASSWORD)' : `bootstrap admin password: ${password}`,
    );
  });
  // Printed only after the transaction committed, so a failed bootstrap prints nothing.
  for (const m of messages) log(m);
}
