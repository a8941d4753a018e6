import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const SECRET_NAME = 'secret_box_aes256';

/**
 * Encrypts secrets kept in the database (TOTP secrets, OIDC client secrets) and sign-in flow cookies with AES-256-GCM: `v1.<iv>.<tag>.<data>`
 * in base64url. `aad` binds a ciphertext to its owner, so one user's secret copied onto another
 * row does not decrypt.
 */
export class SecretBox {
  constructor(private readonly key: Uint8Array) {
    if (key.byteLength !== KEY_BYTES) throw new Error(`the secret key must be ${KEY_BYTES} bytes`);
  }

  seal(plain: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** The plain text; throws when the ciphertext was altered, belongs to another `aad` or another key. */
  open(sealed: string, aad: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || data === undefined)
      throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The plain text, or null for what `open` refuses (a cookie or a row sealed with an earlier key). */
  openOrNull(sealed: string, aad: string): string | null {
    try {
      return this.open(sealed, aad);
    } catch {
      return null;
    }
  }
}

/** `TF_SECRET_KEY`: 32 bytes as base64 or 64 hex digits. */
export function parseSecretKey(configured: string): Uint8Array {
  const hex = /^[0-9a-fA-F]{64}$/.test(configured) ? Buffer.from(configured, 'hex') : undefined;
  const bytes = hex ?? Buffer.from(configured, 'base64');
  if (bytes.byteLength !== KEY_BYTES)
    throw new Error(`TF_SECRET_KEY must be ${KEY_BYTES} bytes as base64 or 64 hex digits (openssl rand -base64 32)`);
  return bytes;
}

/**
 * The key of the secret box: `TF_SECRET_KEY` when set. Unset, a random key is generated once and
 * kept in Postgres (`instance_secrets`) so every replica shares it; whoever reads the database
 * can then decrypt, hence the warning (as for TF_JWT_SECRET).
 */
export async function resolveSecretBox(
  dataSource: DataSource,
  configured: string | undefined,
  warn: (msg: string) => void,
): Promise<SecretBox> {
  if (configured !== undefined) return new SecretBox(parseSecretKey(configured));
  await dataSource.query(`INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    SECRET_NAME,
    randomBytes(KEY_BYTES).toString('base64url'),
  ]);
  const [row] = (await dataSource.query(`SELECT value FROM instance_secrets WHERE name = $1`, [SECRET_NAME])) as {
    value: string;
  }[];
  warn(
    'TF_SECRET_KEY is not set: TOTP and OIDC client secrets are encrypted with a generated key stored in Postgres (instance_secrets); set TF_SECRET_KEY to keep the key out of the database',
  );
  return new SecretBox(Buffer.from(row!.value, 'base64url'));
}
