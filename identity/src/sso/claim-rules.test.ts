import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimValues, emailDomainAllowed, mappedRole, verifiedEmail } from './claim-rules.js';

const rules = {
  roleClaim: 'groups',
  roleMapping: [
    { value: 'tf-admins', role: 'admin' as const },
    { value: 'tf-editors', role: 'editor' as const },
  ],
  defaultRole: null,
};

test('the strongest mapped role wins; no match falls back to the default role, or none', () => {
  assert.equal(mappedRole({ groups: ['tf-editors', 'tf-admins', 'x'] }, rules), 'admin');
  assert.equal(mappedRole({ groups: 'tf-editors' }, rules), 'editor');
  assert.equal(mappedRole({ groups: ['x'] }, rules), null);
  assert.equal(mappedRole({}, rules), null);
  assert.equal(mappedRole({ groups: ['x'] }, { ...rules, defaultRole: 'viewer' }), 'viewer');
  assert.equal(mappedRole({ groups: ['tf-admins'] }, { ...rules, roleClaim: null, defaultRole: 'viewer' }), 'viewer');
});

test('claim values: strings of an array, a single string, nested by a dotted name', () => {
  assert.deepEqual(claimValues({ groups: ['a', 1, 'b', null] }, 'groups'), ['a', 'b']);
  assert.deepEqual(claimValues({ realm_access: { roles: ['admin'] } }, 'realm_access.roles'), ['admin']);
  assert.deepEqual(claimValues({ 'a.b': 'top' }, 'a.b'), ['top']);
  assert.deepEqual(claimValues({ groups: { nested: true } }, 'groups'), []);
});

test('an e-mail counts unless the provider says it is unverified; domains match exactly', () => {
  assert.equal(verifiedEmail({ email: 'Ann@Example.com', email_verified: true }), 'ann@example.com');
  assert.equal(verifiedEmail({ email: 'ann@example.com' }), 'ann@example.com');
  assert.equal(verifiedEmail({ email: 'ann@example.com', email_verified: false }), null);
  assert.equal(verifiedEmail({ email: 'not an email' }), null);
  assert.equal(verifiedEmail({}), null);
  assert.equal(emailDomainAllowed('ann@example.com', ['example.com']), true);
  assert.equal(emailDomainAllowed('ann@sub.example.com', ['example.com']), false);
  assert.equal(emailDomainAllowed('ann@evil-example.com', ['example.com']), false);
  assert.equal(emailDomainAllowed('ann@anything.org', []), true);
});
