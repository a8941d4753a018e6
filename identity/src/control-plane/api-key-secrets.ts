import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Characters of a key kept in clear text (shown to users, used to find the row). */
export const API_KEY_PREFIX_LENGTH = 8;

/** `length` characters drawn uniformly from [A-Za-z0-9] with a CSPRNG. */
export function randomBase62(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += BASE62[randomInt(BASE62.length)];
  return s;
}

/** A new API key: `tf_` and 40 base62 characters (~238 bits). */
export function generateApiKey(): string {
  return `tf_${randomBase62(40)}`;
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX_LENGTH);
}

/** Hex sha256 of the key, as stored in `api_keys.key_hash`. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A caller-supplied key (TF_BOOTSTRAP_API_KEY) must be usable as a bearer token. */
export function validateSuppliedApiKey(key: string): void {
  if (key.length < API_KEY_PREFIX_LENGTH || key.length > 512 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new Error(`bootstrap API key must be ${API_KEY_PREFIX_LENGTH}-512 printable ASCII characters without spaces`);
  }
}
