import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grantableScopes, keyPermissions, roleChangeRefusal, rolePermissions } from './permissions.js';
import type { ApiKeyScope, Role } from './entities.js';

const user = (role: Role) => ({ kind: 'user' as const, permissions: rolePermissions(role) });
const key = (scopes: ApiKeyScope[]) => ({ kind: 'key' as const, scopes, permissions: keyPermissions(scopes) });

test('the scopes a user may grant follow the role', () => {
  assert.deepEqual(grantableScopes(user('viewer')), ['read']);
  assert.deepEqual(grantableScopes(user('editor')), ['ingest', 'read']);
  assert.deepEqual(grantableScopes(user('admin')), ['ingest', 'read', 'admin']);
  assert.deepEqual(grantableScopes(user('owner')), ['ingest', 'read', 'admin']);
});

test('a key grants only what it holds (admin implies read; ingest only with ingest)', () => {
  assert.deepEqual(grantableScopes(key(['admin'])), ['read', 'admin']);
  assert.deepEqual(grantableScopes(key(['ingest', 'read', 'admin'])), ['ingest', 'read', 'admin']);
  assert.deepEqual(grantableScopes(key(['read'])), ['read']);
  assert.deepEqual(grantableScopes(key(['ingest'])), ['ingest']);
});

test('only owners grant owner or touch an owner; admins manage the rest', () => {
  const admin = rolePermissions('admin');
  const owner = rolePermissions('owner');
  assert.equal(roleChangeRefusal(admin, null, 'editor'), null);
  assert.equal(roleChangeRefusal(admin, 'viewer', 'admin'), null);
  assert.equal(roleChangeRefusal(admin, 'editor', null), null);
  assert.match(roleChangeRefusal(admin, null, 'owner')!, /only an owner can grant/);
  assert.match(roleChangeRefusal(admin, 'viewer', 'owner')!, /only an owner can grant/);
  assert.match(roleChangeRefusal(admin, 'owner', 'viewer')!, /only an owner can change or remove/);
  assert.match(roleChangeRefusal(admin, 'owner', null)!, /only an owner can change or remove/);
  assert.equal(roleChangeRefusal(owner, 'owner', 'viewer'), null);
  assert.equal(roleChangeRefusal(owner, null, 'owner'), null);
  assert.match(roleChangeRefusal(rolePermissions('editor'), null, 'viewer')!, /needs the admin role/);
  assert.match(roleChangeRefusal(keyPermissions(['read']), null, 'viewer')!, /needs the admin role/);
  assert.equal(roleChangeRefusal(keyPermissions(['admin']), null, 'editor'), null);
  assert.notEqual(roleChangeRefusal(keyPermissions(['admin']), null, 'owner'), null, 'no key is an owner');
});
