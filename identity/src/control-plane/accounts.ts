import { randomUUID } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { DataSource, type EntityManager } from 'typeorm';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key-secrets.js';
import { publishTenantCreated } from './tenant-hooks.js';
import {
  API_KEY_SCOPES,
  ApiKeyEntity,
  MembershipEntity,
  ROLES,
  TenantEntity,
  UserEntity,
  type ApiKeyScope,
  type Role,
} from './entities.js';

type Db = DataSource | EntityManager;

/**
 * The one way a tenant comes to exist (bootstrap, `POST /api/v1/tenants`, tests): the tenant
 * and, when given, its first owner, in one transaction. Features set up their per-tenant
 * state in the same transaction through `ControlPlaneFeature.onTenantCreated`.
 */
export async function createTenant(
  db: Db,
  input: { id?: string; name: string; ownerUserId?: string },
): Promise<TenantEntity> {
  const run = async (em: EntityManager): Promise<TenantEntity> => {
    const tenant = await em
      .getRepository(TenantEntity)
      .save(em.getRepository(TenantEntity).create({ id: input.id ?? randomUUID(), name: input.name }));
    if (input.ownerUserId !== undefined)
      await addMembership(em, { userId: input.ownerUserId, tenantId: tenant.id, role: 'owner' });
    await publishTenantCreated(em, tenant.id);
    return tenant;
  };
  return db instanceof DataSource ? db.transaction(run) : run(db);
}

export interface CreatedApiKey {
  id: string;
  /** The secret; shown once, only its hash is stored. */
  key: string;
  prefix: string;
}

export async function createApiKey(
  db: Db,
  input: {
    tenantId: string;
    name: string;
    scopes: readonly ApiKeyScope[];
    key?: string;
    createdBy?: { userId?: string; keyId?: string };
  },
): Promise<CreatedApiKey> {
  for (const s of input.scopes) {
    if (!API_KEY_SCOPES.includes(s)) throw new Error(`unknown API key scope ${JSON.stringify(s)}`);
  }
  const key = input.key ?? generateApiKey();
  const row = db.getRepository(ApiKeyEntity).create({
    id: randomUUID(),
    tenantId: input.tenantId,
    name: input.name,
    prefix: apiKeyPrefix(key),
    keyHash: hashApiKey(key),
    scopes: [...new Set(input.scopes)],
    lastUsedAt: null,
    revokedAt: null,
    createdByUserId: input.createdBy?.userId ?? null,
    createdByKeyId: input.createdBy?.keyId ?? null,
  });
  await db.getRepository(ApiKeyEntity).insert(row);
  return { id: row.id, key, prefix: row.prefix };
}

/**
 * Marks a key revoked (only within `tenantId` when given); authenticators that cached it stop
 * accepting it within their TTL (`ControlPlane.revokeApiKey` also clears this process's cache).
 */
export async function revokeApiKey(db: Db, id: string, tenantId?: string): Promise<boolean> {
  const query = db
    .getRepository(ApiKeyEntity)
    .createQueryBuilder()
    .update()
    .set({ revokedAt: () => 'now()' })
    .where('id = :id AND revoked_at IS NULL', { id });
  if (tenantId !== undefined) query.andWhere('tenant_id = :tenantId', { tenantId });
  const res = await query.execute();
  return (res.affected ?? 0) > 0;
}

/** argon2id of a password: slow on purpose, so hash before a transaction rather than inside one. */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

export async function createUser(
  db: Db,
  input: { email: string } & ({ password: string } | { passwordHash: string }),
): Promise<UserEntity> {
  const user = db.getRepository(UserEntity).create({
    id: randomUUID(),
    email: input.email.trim().toLowerCase(),
    passwordHash: 'passwordHash' in input ? input.passwordHash : await hashPassword(input.password),
  });
  await db.getRepository(UserEntity).insert(user);
  return user;
}

/**
 * Creates an account unless one has this email. One statement whether or not it exists, so
 * neither the answer nor its time tells which.
 */
export async function createUserUnlessExists(db: Db, input: { email: string; passwordHash: string }): Promise<void> {
  await db
    .getRepository(UserEntity)
    .createQueryBuilder()
    .insert()
    .values({ id: randomUUID(), email: input.email.trim().toLowerCase(), passwordHash: input.passwordHash })
    .orIgnore()
    .execute();
}

export async function addMembership(db: Db, input: { userId: string; tenantId: string; role: Role }): Promise<void> {
  if (!ROLES.includes(input.role)) throw new Error(`unknown role ${JSON.stringify(input.role)}`);
  await db.getRepository(MembershipEntity).insert({ userId: input.userId, tenantId: input.tenantId, role: input.role });
}

let dummyHash: Promise<string> | undefined;

/**
 * The user when the password matches, else null. An unknown email still costs one argon2
 * verification, so response times do not tell which emails have accounts.
 */
export async function verifyUserPassword(db: Db, email: string, password: string): Promise<UserEntity | null> {
  const user = await db.getRepository(UserEntity).findOneBy({ email: email.trim().toLowerCase() });
  if (!user) {
    dummyHash ??= hashPassword(randomUUID());
    await argon2Verify(await dummyHash, password);
    return null;
  }
  return (await argon2Verify(user.passwordHash, password)) ? user : null;
}
