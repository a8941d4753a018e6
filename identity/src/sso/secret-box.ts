import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

const SECRET_NAME = 'secrets_aes256gcm';
export const MIN_SECRETS_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals small secrets (an OIDC client secret, a sign-in's flow state) with AES-256-GCM. The
 * associated data binds a sealed value to where it belongs (a tenant's row, the flow cookie),
 * so it cannot be moved elsewhere.
 */
export class SecretBox {
  constructor(private readonly key: Uint8Array) {
    if (key.byteLength !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  seal(plaintext: string, associated: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  /** The plaintext, or null when `sealed` is malformed, was sealed with another key or for other associated data. */
  open(sealed: string, associated: string): string | null {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return null;
    const iv = Buffer.from(parts[1]!, 'base64url');
    const body = Buffer.from(parts[2]!, 'base64url');
    const tag = Buffer.from(parts[3]!, 'base64url');
    if (iv.byteLength !== IV_BYTES || tag.byteLength !== TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associated, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}

/**
 * The key that seals secrets at rest: derived (HKDF-SHA256) from `TF_SECRETS_KEY` when set (at
 * least 32 bytes). Unset, a random key is generated once and kept in Postgres
 * (`instance_secrets`) so every replica shares it; whoever reads the database can then unseal,
 * hence the warning.
 */
export async function resolveSecretsKey(
  dataSource: DataSource,
  configured: string | undefined,
  warn: (msg: string) => void,
): Promise<Uint8Array> {
  if (configured !== undefined) {
    const bytes = Buffer.from(configured, 'utf8');
    if (bytes.byteLength < MIN_SECRETS_KEY_BYTES)
      throw new Error(`TF_SECRETS_KEY must be at least ${MIN_SECRETS_KEY_BYTES} bytes`);
    return new Uint8Array(hkdfSync('sha256', bytes, Buffer.alloc(0), 'telemetryflow secrets v1', 32));
  }
  await dataSource.query(`INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    SECRET_NAME,
    randomBytes(32).toString('base64url'),
  ]);
  const [row] = (await dataSource.query(`SELECT value FROM instance_secrets WHERE name = $1`, [SECRET_NAME])) as {
    value: string;
  }[];
  warn(
    'TF_SECRETS_KEY is not set: SSO client secrets are sealed with a generated key stored in Postgres (instance_secrets); set TF_SECRETS_KEY to keep the key out of the database',
  );
  return new Uint8Array(Buffer.from(row!.value, 'base64url'));
}
