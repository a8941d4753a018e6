import 'reflect-metadata';
import { DataSource, type EntityManager } from 'typeorm';
import type { Authenticate, IngestQuota, Signal } from '@telemetryflow/otlp';
import type { TenantQuotas } from '@telemetryflow/contract';
import { AccessTokens, looksLikeJwt } from '../auth/access-tokens.js';
import { resolveJwtSecret } from '../auth/jwt-secret.js';
import { RevocationList, type Revocation, type RevocationKind } from '../auth/revocation-list.js';
import { Sessions } from '../auth/sessions.js';
import { LoginChallenges } from '../auth/login-challenges.js';
import { DEFAULT_LOGIN_LOCKOUT, LoginLockout, type LoginLockoutConfig } from '../auth/login-lockout.js';
import { SignIn } from '../auth/sign-in.js';
import { Passkeys } from '../mfa/passkeys.js';
import { SecondFactors } from '../mfa/second-factors.js';
import { resolveSecretBox, type SecretBox } from './secret-box.js';
import { ApiError, type Caller, type CallerResolver } from '@telemetryflow/http-kit';
import { keyPermissions, rolePermissions } from './permissions.js';
import { createApiKey, createTenant, createUser, hashPassword, revokeApiKey } from './accounts.js';
import { apiKeyPrefix, randomBase62, validateSuppliedApiKey } from './api-key-secrets.js';
import { ApiKeyAuthenticator, type ApiKeyStore } from './authenticator.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { CONTROL_PLANE_ENTITIES, TenantEntity, type ApiKeyScope, type Role } from './entities.js';
import { DEFAULT_RETENTION_DAYS } from './retention-policy.js';
import { CONTROL_PLANE_MIGRATIONS } from './migrations/index.js';
import { TenantQuotaStore } from './tenant-quotas.js';
import { subscribeTenantCreated, type ControlPlaneFeature } from './tenant-hooks.js';

export interface ControlPlaneConfig {
  /** `DATABASE_URL`; unset → embedded Postgres (PGlite) under `<dataDir>/postgres`. */
  databaseUrl?: string;
  dataDir: string;
  /** TF_BOOTSTRAP_API_KEY / _ADMIN_EMAIL / _ADMIN_PASSWORD. */
  bootstrap: { apiKey?: string; adminEmail?: string; adminPassword?: string };
  /**
   * Pool size with `databaseUrl` (default 10; at least 2: migrations hold one connection for
   * their lock and use another). The embedded database always has exactly one connection.
   */
  poolSize?: number;
  /** Longest wait for a pool connection before the query fails (default 10 s), so nothing waits forever. */
  poolWaitMs?: number;
  /**
   * API key cache TTL (default 10 s). A key revoked through `revokeApiKey` stops working on
   * every replica within the revocation bound all the same; one revoked behind the control
   * plane's back (a direct UPDATE) within this TTL.
   */
  authCacheTtlMs?: number;
  /**
   * How often each process re-reads the revocation list (default 2 s, at most 5 s): the bound
   * when notifications (server Postgres: LISTEN/NOTIFY) are lost.
   */
  revocationPollMs?: number;
  /** User sessions: `TF_JWT_SECRET`, `TF_ACCESS_TOKEN_TTL_SECONDS`, `TF_REFRESH_TOKEN_TTL_SECONDS`. */
  auth?: {
    jwtSecret?: string;
    accessTokenTtlSeconds?: number;
    refreshTokenTtlSeconds?: number;
    /**
     * `TF_REFRESH_REUSE_GRACE_SECONDS`: a used refresh token presented again this soon, its successor
     * still unused, gets another successor instead of ending the login (default 10; 0: never).
     */
    refreshReuseGraceSeconds?: number;
    /** `TF_SECRET_KEY`: the AES-256-GCM key of secrets at rest (TOTP); unset, one generated in Postgres. */
    secretKey?: string;
    /** `TF_PUBLIC_URL`: the console's public URL, the passkeys' RP ID and origin (default http://localhost:8080). */
    publicUrl?: string;
    /** Lockout after failed sign-ins (`TF_LOGIN_LOCKOUT_*`; defaults in login-lockout.ts). */
    lockout?: LoginLockoutConfig;
    /** Seconds a sign-in's challenge token (between password and tokens) stays valid (default 300). */
    challengeTtlSeconds?: number;
  };
  /**
   * Features outside this package that share the database (dashboards, alerting): their
   * entities, migrations and tenant hooks. Every process of a deployment passes the same list.
   */
  features?: readonly ControlPlaneFeature[];
}

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 14 * 24 * 3600;
export const DEFAULT_REFRESH_REUSE_GRACE_SECONDS = 10;
export const DEFAULT_POOL_WAIT_MS = 10_000;
export const DEFAULT_PUBLIC_URL = 'http://localhost:8080';

export interface ControlPlane extends CallerResolver {
  dataSource: DataSource;
  /** API key → ingest credential (the collector's view). */
  authenticate: Authenticate;
  /**
   * Bearer token (API key or user access token) → the API caller; null when unknown, expired
   * or revoked. `tenant` (users only) picks one of the user's tenants, default the first; a
   * tenant the user is not a member of is a 404, whether it exists or not.
   */
  resolveCaller(token: string, tenant?: string): Promise<Caller | null>;
  /** Refresh, logout; listing and ending sessions. */
  sessions: Sessions;
  /** Sign-in: password, second factor, forced password change and enrolment, lockout. */
  signIn: SignIn;
  /** The second factors of users (TOTP, recovery codes, passkeys). */
  factors: SecondFactors;
  /** Seals secrets at rest and sign-in flow state (TF_SECRET_KEY). */
  secretBox: SecretBox;
  /**
   * Calls `listener` for each session or API key revoked from now on, on whichever replica
   * (within 5 s); for connections that outlive a request (the live tail). Returns the unsubscribe.
   */
  onRevoked(listener: (revoked: { kind: RevocationKind; id: string }) => void): () => void;
  /**
   * Announces, in `em`'s transaction, that a user lost a membership: connections of theirs that
   * outlive a request check their access again on every replica (within 5 s). Call the function
   * returned once the transaction committed.
   */
  membershipEnded(em: EntityManager, userId: string): Promise<() => void>;
  /**
   * Revokes a key of `tenantId`, effective at once in this process and within 5 s on every
   * other; false when there is no such active key.
   */
  revokeApiKey(tenantId: string, keyId: string): Promise<boolean>;
  /** Tenants' quotas (set by instance administrators), cached per process for a few seconds. */
  quotas: TenantQuotaStore;
  migrationsComplete(): Promise<boolean>;
  close(): Promise<void>;
}

export const BOOTSTRAP_TENANT_ID = 'default';
export const DEFAULT_ADMIN_EMAIL = 'admin@telemetryflow.local';
/** Serializes migrations and bootstrap across processes sharing one database ("tf_cp" in ASCII). */
const MIGRATION_LOCK_KEY = 0x74665f6370;

/** `log` gets start-up facts (migrations, bootstrap values), `warn` what an operator should act on. */
export async function openControlPlane(
  cfg: ControlPlaneConfig,
  log: (msg: string) => void = () => {},
  warn: (msg: string) => void = log,
): Promise<ControlPlane> {
  if (cfg.bootstrap.apiKey !== undefined) validateSuppliedApiKey(cfg.bootstrap.apiKey);
  const poolSize = cfg.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2)
    throw new Error(`control plane poolSize must be an integer of at least 2, got ${poolSize}`);
  const poolWaitMs = cfg.poolWaitMs ?? DEFAULT_POOL_WAIT_MS;
  if (!Number.isInteger(poolWaitMs) || poolWaitMs < 1)
    throw new Error(`control plane poolWaitMs must be a positive integer, got ${poolWaitMs}`);
  const features = cfg.features ?? [];
  let embedded: EmbeddedPostgres | undefined;
  let connection: { url: string } | { host: string; port: number; username: string; database: string };
  if (cfg.databaseUrl) {
    connection = { url: cfg.databaseUrl };
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: cfg.dataDir });
    connection = { host: embedded.socketDir, port: embedded.port, username: 'postgres', database: 'postgres' };
    log(`embedded Postgres (PGlite) on the Unix socket in ${embedded.socketDir}`);
  }
  const dataSource = new DataSource({
    type: 'postgres',
    ...connection,
    entities: [...CONTROL_PLANE_ENTITIES, ...features.flatMap((f) => f.entities ?? [])],
    migrations: [...CONTROL_PLANE_MIGRATIONS, ...features.flatMap((f) => f.migrations ?? [])],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // Embedded: the one connection stays open for the life of the process (ADR 0014).
    extra: embedded
      ? { max: 1, idleTimeoutMillis: 0, connectionTimeoutMillis: poolWaitMs }
      : { max: poolSize, connectionTimeoutMillis: poolWaitMs },
  });
  subscribeTenantCreated(dataSource, features);
  let accessTokens: AccessTokens;
  let secretBox: SecretBox;
  try {
    await dataSource.initialize();
    await migrateAndBootstrap(dataSource, cfg.bootstrap, features, log, { shared: embedded === undefined });
    const secret = await resolveJwtSecret(dataSource, cfg.auth?.jwtSecret, warn);
    accessTokens = new AccessTokens(secret, cfg.auth?.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS);
    secretBox = await resolveSecretBox(dataSource, cfg.auth?.secretKey, warn);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }

  const store: ApiKeyStore = {
    async findActiveByPrefix(prefix) {
      // With the tenant's raw retention per signal: the collector refuses items older than it.
      const rows: {
        id: string;
        tenant_id: string;
        key_hash: string;
        scopes: ApiKeyScope[];
        raw_days: Record<string, number> | null;
        quotas: TenantQuotas | null;
      }[] = await dataSource.query(
        `SELECT k.id, k.tenant_id, k.key_hash, k.scopes,
                (SELECT json_object_agg(r.signal, r.raw_days) FROM retention_policies r WHERE r.tenant_id = k.tenant_id) AS raw_days,
                (SELECT q.quotas FROM tenant_quotas q WHERE q.tenant_id = k.tenant_id) AS quotas
           FROM api_keys k WHERE k.prefix = $1 AND k.revoked_at IS NULL`,
        [prefix],
      );
      return rows.map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
        keyHash: r.key_hash,
        scopes: r.scopes,
        rawRetentionDays: rawRetentionDays(r.raw_days),
        ...(r.quotas ? { ingestQuota: ingestQuota(r.quotas) } : {}),
      }));
    },
    async touch(keyId, at) {
      await dataSource.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [keyId, at]);
    },
  };
  const authCacheTtlMs = cfg.authCacheTtlMs ?? 10_000;
  const authenticator = new ApiKeyAuthenticator(store, { ttlMs: authCacheTtlMs, log });
  // Sessions and keys ended on any replica: in memory here, current within the poll interval.
  const revocations = new RevocationList(dataSource, {
    ...(cfg.revocationPollMs !== undefined ? { pollMs: cfg.revocationPollMs } : {}),
    ...(cfg.databaseUrl ? { listenUrl: cfg.databaseUrl } : {}),
    onKeyRevoked: (keyId) => authenticator.invalidate(keyId),
    log: warn,
  });
  try {
    await revocations.start();
  } catch (err) {
    await revocations.close();
    await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  const sessions = new Sessions(
    dataSource,
    accessTokens,
    cfg.auth?.refreshTokenTtlSeconds ?? DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
    cfg.auth?.refreshReuseGraceSeconds ?? DEFAULT_REFRESH_REUSE_GRACE_SECONDS,
    revocations,
    Date.now,
    warn,
  );

  const factors = new SecondFactors(
    dataSource,
    secretBox,
    new Passkeys(dataSource, { publicUrl: cfg.auth?.publicUrl ?? DEFAULT_PUBLIC_URL }),
  );
  const signIn = new SignIn(
    dataSource,
    sessions,
    factors,
    new LoginChallenges(dataSource, cfg.auth?.challengeTtlSeconds),
    new LoginLockout(dataSource, cfg.auth?.lockout ?? DEFAULT_LOGIN_LOCKOUT),
  );

  let closed = false;
  return {
    dataSource,
    authenticate: authenticator.authenticate,
    sessions,
    signIn,
    factors,
    secretBox,
    onRevoked: (listener) => revocations.subscribe((r) => listener({ kind: r.kind, id: r.id })),
    async membershipEnded(em, userId) {
      // Kept as long as a live connection could go without its periodic check.
      const recorded = await revocations.record(em, 'membership', [userId], 120_000);
      return () => revocations.apply(recorded);
    },
    async resolveCaller(token, tenant) {
      if (looksLikeJwt(token)) {
        const claims = await accessTokens.verify(token);
        if (claims !== null) {
          // An ended session's tokens are refused: one map look-up, no query.
          if (sessions.isRevoked(claims.sessionId)) return null;
          const caller = await userCaller(dataSource, claims.userId, tenant);
          if (caller) sessions.touch(claims.sessionId);
          return caller && { ...caller, sessionId: claims.sessionId };
        }
      }
      const key = await authenticator.resolveKey(token);
      if (!key || revocations.isKeyRevoked(key.keyId)) return null;
      return {
        tenantId: key.tenantId,
        kind: 'key',
        keyId: key.keyId,
        scopes: [...key.scopes],
        permissions: keyPermissions(key.scopes),
        label: apiKeyPrefix(token),
      };
    },
    async revokeApiKey(tenantId, keyId) {
      let recorded: Revocation[] = [];
      const revoked = await dataSource.transaction(async (em) => {
        if (!(await revokeApiKey(em, keyId, tenantId))) return false;
        // Other replicas drop the key from their cache when they learn of it; after the cache TTL nothing holds it.
        recorded = await revocations.record(em, 'api_key', [keyId], authCacheTtlMs + 60_000);
        return true;
      });
      revocations.apply(recorded);
      if (revoked) authenticator.invalidate(keyId);
      return revoked;
    },
    quotas: new TenantQuotaStore(dataSource, { ttlMs: authCacheTtlMs }),
    async migrationsComplete() {
      return !(await dataSource.showMigrations());
    },
    async close() {
      if (closed) return;
      closed = true;
      await revocations.close();
      await authenticator.drain();
      await sessions.drain();
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/**
 * A user's caller for one request. Memberships are read on every request (one indexed
 * query, no cache), so a removed member or a changed role takes effect at once.
 */
async function userCaller(dataSource: DataSource, userId: string, tenant: string | undefined): Promise<Caller | null> {
  const rows = (await dataSource.query(
    `SELECT m.tenant_id, m.role, u.instance_admin, u.email FROM users u
       LEFT JOIN memberships m ON m.user_id = u.id AND ($2::text IS NULL OR m.tenant_id = $2)
      WHERE u.id = $1
      ORDER BY m.created_at, m.tenant_id
      LIMIT 1`,
    [userId, tenant ?? null],
  )) as { tenant_id: string | null; role: Role | null; instance_admin: boolean; email: string }[];
  const row = rows[0];
  if (!row) return null;
  const instance = row.instance_admin ? { instanceAdmin: true } : {};
  if (row.tenant_id === null || row.role === null) {
    if (tenant !== undefined)
      throw new ApiError(404, 'tenant_not_found', `no tenant ${JSON.stringify(tenant)} among this user's memberships`);
    return { tenantId: '', kind: 'user', userId, permissions: new Set(), label: row.email, ...instance };
  }
  return {
    tenantId: row.tenant_id,
    kind: 'user',
    userId,
    role: row.role,
    permissions: rolePermissions(row.role),
    label: row.email,
    ...instance,
  };
}

/**
 * Runs pending migrations and the first-start bootstrap; on a database that several
 * processes share, under a Postgres advisory lock. The embedded database belongs to one
 * process and has one connection, which the lock would hold while migrations waited for it.
 */
async function migrateAndBootstrap(
  dataSource: DataSource,
  bootstrap: ControlPlaneConfig['bootstrap'],
  features: readonly ControlPlaneFeature[],
  log: (msg: string) => void,
  opts: { shared: boolean },
): Promise<void> {
  const run = async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) log(`control plane: applied migrations ${applied.map((m) => m.name).join(', ')}`);
    await bootstrapOnce(dataSource, bootstrap, log);
    for (const f of features) await f.afterMigrations?.(dataSource, log);
  };
  if (!opts.shared) return run();
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await run();
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
async function bootstrapOnce(
  dataSource: DataSource,
  bootstrap: ControlPlaneConfig['bootstrap'],
  log: (msg: string) => void,
): Promise<void> {
  const messages: string[] = [];
  if (await dataSource.getRepository(TenantEntity).existsBy({ id: BOOTSTRAP_TENANT_ID })) return;
  const email = bootstrap.adminEmail ?? DEFAULT_ADMIN_EMAIL;
  const password = bootstrap.adminPassword ?? randomBase62(24);
  const passwordHash = await hashPassword(password);
  await dataSource.transaction(async (em) => {
    if (await em.getRepository(TenantEntity).existsBy({ id: BOOTSTRAP_TENANT_ID })) return;
    const user = await createUser(em, { email, passwordHash });
    // The bootstrap admin administers the instance (sets tenants' quotas).
    await em.query('UPDATE users SET instance_admin = true WHERE id = $1', [user.id]);
    await createTenant(em, { id: BOOTSTRAP_TENANT_ID, name: 'Default', ownerUserId: user.id });
    const key = await createApiKey(em, {
      tenantId: BOOTSTRAP_TENANT_ID,
      name: 'bootstrap',
      scopes: ['ingest', 'read', 'admin'],
      ...(bootstrap.apiKey !== undefined ? { key: bootstrap.apiKey } : {}),
    });
    messages.push(
      bootstrap.apiKey !== undefined
        ? `bootstrap API key: (from TF_BOOTSTRAP_API_KEY, prefix ${key.prefix})`
        : `bootstrap API key: ${key.key}`,
      `bootstrap admin user: ${user.email}`,
      bootstrap.adminPassword !== undefined
        ? 'bootstrap admin password: (from TF_BOOTSTRAP_ADMIN_PASSWORD)'
        : `bootstrap admin password: ${password}`,
    );
  });
  // Printed only after the transaction committed, so a failed bootstrap prints nothing.
  for (const m of messages) log(m);
}

/** What the collector enforces of a tenant's quotas (cached with the key, like the retention). */
function ingestQuota(quotas: TenantQuotas): IngestQuota {
  return {
    ...(quotas.ingestItemsPerSecond ? { itemsPerSecond: { ...quotas.ingestItemsPerSecond } } : {}),
    ...(quotas.dailyItems ? { dailyItems: { ...quotas.dailyItems } } : {}),
    ...(quotas.maxActiveSeries ? { activeSeries: quotas.maxActiveSeries } : {}),
  };
}

/** A tenant's `retention_policies` raw days by signal name as the collector's signals, defaults filled in. */
function rawRetentionDays(bySignal: Record<string, number> | null): Record<Signal, number> {
  const days = (signal: string) => bySignal?.[signal] ?? DEFAULT_RETENTION_DAYS.rawDays;
  return { traces: days('spans'), logs: days('logs'), metrics: days('metrics') };
}
