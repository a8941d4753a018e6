import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiKeyPrefix, digestsEqual, generateApiKey, hashApiKey, validateSuppliedApiKey } from './api-key-secrets.js';

test('generated keys are tf_ + 40 base62 chars and unique', () => {
  const a = generateApiKey();
  const b = generateApiKey();
  assert.match(a, /^tf_[A-Za-z0-9]{40}$/);
  assert.notEqual(a, b);
  assert.equal(apiKeyPrefix(a), a.slice(0, 8));
});

test('hash is sha256 hex and comparison is exact', () => {
  assert.equal(hashApiKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(digestsEqual(hashApiKey('x'), hashApiKey('x')), true);
  assert.equal(digestsEqual(hashApiKey('x'), hashApiKey('y')), false);
  assert.equal(digestsEqual('', ''), false);
  assert.equal(digestsEqual('abcd', 'abcdef'), false);
});

test('supplied keys must be printable and long enough', () => {
  validateSuppliedApiKey('tf_devkey_123');
  assert.throws(() => validateSuppliedApiKey('short'));
  assert.throws(() => validateSuppliedApiKey('has space in it'));
});
