import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { MIN_JWT_SECRET_BYTES } from './access-tokens.js';

const SECRET_NAME = 'jwt_hs256';

/**
 * The HS256 signing secret: `TF_JWT_SECRET` when set (UTF-8 bytes, at least 32). Unset, a
 * random secret is generated once and kept in Postgres (`instance_secrets`) so every replica
 * signs and verifies with the same one; whoever can read the database can then mint tokens,
 * hence the warning.
 */
export async function resolveJwtSecret(
  dataSource: DataSource,
  configured: string | undefined,
  log: (msg: string) => void,
): Promise<Uint8Array> {
  if (configured !== undefined) {
    const bytes = Buffer.from(configured, 'utf8');
    if (bytes.byteLength < MIN_JWT_SECRET_BYTES)
      throw new Error(`TF_JWT_SECRET must be at least ${MIN_JWT_SECRET_BYTES} bytes`);
    return bytes;
  }
  await dataSource.query(`INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    SECRET_NAME,
    randomBytes(48).toString('base64url'),
  ]);
  const [row] = (await dataSource.query(`SELECT value FROM instance_secrets WHERE name = $1`, [SECRET_NAME])) as {
    value: string;
  }[];
  log(
    'TF_JWT_SECRET is not set: access tokens are signed with a generated secret stored in Postgres (instance_secrets); set TF_JWT_SECRET to keep signing keys out of the database',
  );
  return Buffer.from(row!.value, 'base64url');
}
