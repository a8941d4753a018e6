import { randomUUID } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import type { DataSource, EntityManager } from 'typeorm';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key-secrets.js';
import { API_KEY_SCOPES, ApiKeyEntity, MembershipEntity, ROLES, TenantEntity, UserEntity, type ApiKeyScope, type Role } from './entities.js';

type Db = DataSource | EntityManager;

export async function createTenant(db: Db, input: { id?: string; name: string }): Promise<TenantEntity> {
  const tenant = db.getRepository(TenantEntity).create({ id: input.id ?? randomUUID(), name: input.name });
  return db.getRepository(TenantEntity).save(tenant);
}

export interface CreatedApiKey {
  id: string;
  /** The secret; shown once, only its hash is stored. */
  key: string;
  prefix: string;
}

export async function createApiKey(
  db: Db,
  input: { tenantId: string; name: string; scopes: readonly ApiKeyScope[]; key?: string },
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
  });
  await db.getRepository(ApiKeyEntity).insert(row);
  return { id: row.id, key, prefix: row.prefix };
}

/** Marks a key revoked; authenticators that cached it stop accepting it within their TTL. */
export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const res = await db
    .getRepository(ApiKeyEntity)
    .createQueryBuilder()
    .update()
    .set({ revokedAt: () => 'now()' })
    .where('id = :id AND revoked_at IS NULL', { id })
    .execute();
  return (res.affected ?? 0) > 0;
}

export async function createUser(db: Db, input: { email: string; password: string }): Promise<UserEntity> {
  const user = db.getRepository(UserEntity).create({
    id: randomUUID(),
    email: input.email.trim().toLowerCase(),
    passwordHash: await argon2Hash(input.password),
  });
  await db.getRepository(UserEntity).insert(user);
  return user;
}

export async function addMembership(db: Db, input: { userId: string; tenantId: string; role: Role }): Promise<void> {
  if (!ROLES.includes(input.role)) throw new Error(`unknown role ${JSON.stringify(input.role)}`);
  await db.getRepository(MembershipEntity).insert({ userId: input.userId, tenantId: input.tenantId, role: input.role });
}

/** The user when the password matches (argon2 verification is constant-time), else null. */
export async function verifyUserPassword(db: Db, email: string, password: string): Promise<UserEntity | null> {
  const user = await db.getRepository(UserEntity).findOneBy({ email: email.trim().toLowerCase() });
  if (!user) return null;
  return (await argon2Verify(user.passwordHash, password)) ? user : null;
}
