import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditTarget, outcomeOf, redactSecrets } from './audit.js';

test('the action and resource of a call come from its route pattern', () => {
  const id = '7f0c1a52-0000-4000-8000-000000000001';
  assert.deepEqual(auditTarget('PUT', '/api/v1/dashboards/:id', { id }), {
    action: 'dashboard.update',
    type: 'dashboard',
    id,
  });
  assert.deepEqual(auditTarget('POST', '/api/v1/api-keys', {}), { action: 'apiKey.create', type: 'apiKey', id: '' });
  assert.deepEqual(auditTarget('DELETE', '/api/v1/notification-channels/:id', { id }), {
    action: 'notificationChannel.delete',
    type: 'notificationChannel',
    id,
  });
  assert.deepEqual(auditTarget('POST', '/api/v1/monitors/:id/pause', { id }), {
    action: 'monitor.pause',
    type: 'monitor',
    id,
  });
  assert.deepEqual(auditTarget('PATCH', '/api/v1/tenants/:tenantId/members/:userId', { tenantId: 't', userId: 'u' }), {
    action: 'member.update',
    type: 'member',
    id: 'u',
  });
  assert.deepEqual(auditTarget('POST', '/api/v1/auth/mfa/totp/enrol', {}), {
    action: 'auth.mfa_totp_enrol',
    type: 'session',
    id: '',
  });
  assert.equal(auditTarget('PUT', '/api/v1/retention', {}).action, 'retention.update');
  assert.equal(auditTarget('POST', '/api/v1/silences', {}).action, 'silence.create');
  assert.equal(auditTarget('POST', '/api/v1/alert-policies', {}).action, 'alertPolicy.create');
  assert.equal(auditTarget('POST', '/api/v1/saved-searches', {}).action, 'savedSearch.create');
});

test('secrets are redacted by key name and from URLs; identifiers stay', () => {
  assert.deepEqual(
    redactSecrets({
      name: 'pager',
      config: {
        routingKey: 'R0ut1ng',
        apiKey: 'k',
        password: 'p',
        clientSecret: 's',
        token: 't',
        url: 'https://user:pa55@hooks.example.com/x?y=1',
        headers: [
          { name: 'Authorization', value: 'Bearer x' },
          { name: 'X-Team', value: 'ops' },
        ],
        emptySecret: '',
      },
      keyId: 'abc',
      prefix: 'tf_abcd',
    }),
    {
      name: 'pager',
      config: {
        routingKey: '[redacted]',
        apiKey: '[redacted]',
        password: '[redacted]',
        clientSecret: '[redacted]',
        token: '[redacted]',
        url: 'https://[redacted]@hooks.example.com/x?y=1',
        headers: [
          { name: 'Authorization', value: '[redacted]' },
          { name: 'X-Team', value: 'ops' },
        ],
        emptySecret: '',
      },
      keyId: 'abc',
      prefix: 'tf_abcd',
    },
  );
});

test('outcomes: 2xx/3xx success, 401/403/429 denied, other errors error', () => {
  assert.deepEqual([200, 201, 204, 302, 400, 401, 403, 404, 409, 429, 500, 503].map(outcomeOf), [
    'success',
    'success',
    'success',
    'success',
    'error',
    'denied',
    'denied',
    'error',
    'error',
    'denied',
    'error',
    'error',
  ]);
});
