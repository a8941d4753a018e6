import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseSecretKey, SecretBox } from './secret-box.js';

test('sealed secrets open with the same key and owner only, and not once altered', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:user-a');
  assert.notEqual(box.seal('JBSWY3DPEHPK3PXP', 'totp:user-a'), sealed, 'a fresh IV each time');
  assert.equal(box.open(sealed, 'totp:user-a'), 'JBSWY3DPEHPK3PXP');
  assert.throws(() => box.open(sealed, 'totp:user-b'));
  assert.throws(() => new SecretBox(randomBytes(32)).open(sealed, 'totp:user-a'));
  const [v, iv, tag, data] = sealed.split('.');
  const flipped = Buffer.from(data!, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  assert.throws(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'), 'totp:user-a'));
  assert.throws(() => box.open('garbage', 'totp:user-a'), /not a sealed secret/);
});

test('TF_SECRET_KEY: 32 bytes as base64 or hex', () => {
  const key = randomBytes(32);
  assert.deepEqual(Buffer.from(parseSecretKey(key.toString('base64'))), key);
  assert.deepEqual(Buffer.from(parseSecretKey(key.toString('hex'))), key);
  assert.throws(() => parseSecretKey('too short'), /32 bytes/);
});
