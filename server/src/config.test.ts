import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('session settings: defaults, a JWT secret of at least 32 bytes, bounded token lifetimes', () => {
  const lockout = {
    account: { threshold: 10, baseSeconds: 30, maxSeconds: 900, forgetAfterSeconds: 86_400 },
    address: { threshold: 50, baseSeconds: 30, maxSeconds: 900, forgetAfterSeconds: 86_400 },
  };
  assert.deepEqual(loadConfig({}).auth, {
    jwtSecret: undefined,
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 14 * 24 * 3600,
    refreshReuseGraceSeconds: 10,
    publicUrl: 'http://localhost:8080',
    lockout,
  });
  const secret = 'k'.repeat(32);
  const auth = loadConfig({
    TF_JWT_SECRET: secret,
    TF_ACCESS_TOKEN_TTL_SECONDS: '300',
    TF_REFRESH_TOKEN_TTL_SECONDS: '3600',
    TF_REFRESH_REUSE_GRACE_SECONDS: '0',
  }).auth;
  assert.deepEqual(auth, {
    jwtSecret: secret,
    accessTokenTtlSeconds: 300,
    refreshTokenTtlSeconds: 3600,
    refreshReuseGraceSeconds: 0,
    publicUrl: 'http://localhost:8080',
    lockout,
  });
  assert.throws(
    () => loadConfig({ TF_JWT_SECRET: 'k'.repeat(31) }),
    (e) => e instanceof ConfigError && /TF_JWT_SECRET must be at least 32 bytes/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ TF_ACCESS_TOKEN_TTL_SECONDS: '10' }),
    /TF_ACCESS_TOKEN_TTL_SECONDS must be an integer from 60 to 86400/,
  );
  assert.throws(() => loadConfig({ TF_REFRESH_TOKEN_TTL_SECONDS: 'soon' }), /TF_REFRESH_TOKEN_TTL_SECONDS/);
  assert.throws(
    () => loadConfig({ TF_REFRESH_REUSE_GRACE_SECONDS: '300' }),
    /TF_REFRESH_REUSE_GRACE_SECONDS must be an integer from 0 to 60/,
  );
});

test('sign-in security: TF_SECRET_KEY (32 bytes, base64 or hex), TF_PUBLIC_URL, TF_LOGIN_LOCKOUT_*', () => {
  const key = Buffer.alloc(32, 7);
  assert.equal(loadConfig({ TF_SECRET_KEY: key.toString('base64') }).auth.secretKey, key.toString('base64'));
  assert.equal(loadConfig({ TF_SECRET_KEY: key.toString('hex') }).auth.secretKey, key.toString('hex'));
  assert.throws(
    () => loadConfig({ TF_SECRET_KEY: Buffer.alloc(16).toString('base64') }),
    (e) => e instanceof ConfigError && /TF_SECRET_KEY must be 32 bytes/.test(e.message),
  );
  assert.equal(loadConfig({ TF_HTTP_PORT: '9090' }).auth.publicUrl, 'http://localhost:9090');
  assert.equal(
    loadConfig({ TF_PUBLIC_URL: 'https://observe.example.com' }).auth.publicUrl,
    'https://observe.example.com',
  );
  assert.throws(() => loadConfig({ TF_PUBLIC_URL: 'ftp://x' }), /TF_PUBLIC_URL must use http: or https:/);
  const { lockout } = loadConfig({
    TF_LOGIN_LOCKOUT_ACCOUNT_FAILURES: '5',
    TF_LOGIN_LOCKOUT_ADDRESS_FAILURES: '20',
    TF_LOGIN_LOCKOUT_BASE_SECONDS: '60',
    TF_LOGIN_LOCKOUT_MAX_SECONDS: '3600',
  }).auth;
  assert.deepEqual(lockout.account, { threshold: 5, baseSeconds: 60, maxSeconds: 3600, forgetAfterSeconds: 86_400 });
  assert.equal(lockout.address.threshold, 20);
  assert.throws(
    () => loadConfig({ TF_LOGIN_LOCKOUT_BASE_SECONDS: '120', TF_LOGIN_LOCKOUT_MAX_SECONDS: '60' }),
    /TF_LOGIN_LOCKOUT_MAX_SECONDS/,
  );
});

test('TF_TRUST_PROXY: off by default; true, a hop count or addresses/CIDRs; anything else refused', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ TF_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ TF_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ TF_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy, [
    '10.0.0.0/8',
    '127.0.0.1',
    '::1',
  ]);
  for (const bad of ['10.0.0.0/33', 'proxy.local', '10.0.0.1/8/2', '99']) {
    assert.throws(
      () => loadConfig({ TF_TRUST_PROXY: bad }),
      (e) => e instanceof ConfigError && /TF_TRUST_PROXY/.test(e.message),
      bad,
    );
  }
});

test('alerting: a role of its own and of all; allow-list and console URL validated at start', () => {
  assert.deepEqual([...loadConfig({}).roles].sort(), ['alerting', 'collector', 'ingest', 'probe', 'query']);
  assert.deepEqual([...loadConfig({}, 'alerting').roles], ['alerting']);
  const a = loadConfig({
    TF_ALERTING_ALLOWED_CIDRS: '10.20.0.0/16, 127.0.0.1',
    TF_CONSOLE_URL: 'https://tf.example.com',
    TF_ALERTING_POLL_MS: '500',
  }).alerting;
  assert.deepEqual(a, {
    allowedCidrs: '10.20.0.0/16, 127.0.0.1',
    consoleUrl: 'https://tf.example.com',
    pollMs: 500,
    smtp: undefined,
  });
  assert.deepEqual(loadConfig({}).alerting, { allowedCidrs: '', consoleUrl: undefined, pollMs: 1000, smtp: undefined });
  for (const [name, bad] of [
    ['TF_ALERTING_ALLOWED_CIDRS', '10.0.0.0/33'],
    ['TF_ALERTING_ALLOWED_CIDRS', 'intranet'],
    ['TF_CONSOLE_URL', 'ftp://x'],
    ['TF_ALERTING_POLL_MS', '10'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [name]: bad }),
      (e) => e instanceof ConfigError && e.message.includes(name),
      `${name}=${bad}`,
    );
  }
});

test('SMTP relay of e-mail channels: STARTTLS on 587 by default, implicit TLS on 465, a sender required', () => {
  assert.deepEqual(
    loadConfig({
      TF_SMTP_HOST: 'smtp.example.com',
      TF_SMTP_FROM: 'Alerts <alerts@example.com>',
      TF_SMTP_USER: 'alerts',
      TF_SMTP_PASSWORD: 'app-password',
    }).alerting.smtp,
    {
      host: 'smtp.example.com',
      port: 587,
      tls: 'starttls',
      auth: { user: 'alerts', pass: 'app-password' },
      from: 'Alerts <alerts@example.com>',
    },
  );
  const implicit = loadConfig({
    TF_SMTP_HOST: 'smtp.example.com',
    TF_SMTP_FROM: 'a@example.com',
    TF_SMTP_TLS: 'implicit',
  }).alerting.smtp;
  assert.deepEqual([implicit?.port, implicit?.tls, implicit?.auth], [465, 'implicit', undefined]);
  for (const [env, name] of [
    [{ TF_SMTP_HOST: 'smtp.example.com' }, 'TF_SMTP_FROM'],
    [{ TF_SMTP_HOST: 'smtp.example.com', TF_SMTP_FROM: 'a@example.com', TF_SMTP_TLS: 'maybe' }, 'TF_SMTP_TLS'],
    [{ TF_SMTP_HOST: 'smtp.example.com', TF_SMTP_FROM: 'a@example.com', TF_SMTP_PORT: '70000' }, 'TF_SMTP_PORT'],
  ] as const)
    assert.throws(
      () => loadConfig(env),
      (e) => e instanceof ConfigError && e.message.includes(name),
      name,
    );
});

test('the V8 heap growing percent defaults to 100, 0 leaves it to V8, and nonsense is refused', () => {
  assert.equal(loadConfig({}).heapGrowingPercent, 100);
  assert.equal(loadConfig({ TF_V8_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent, 0);
  assert.throws(() => loadConfig({ TF_V8_HEAP_GROWING_PERCENT: '-5' }), ConfigError);
  assert.throws(() => loadConfig({ TF_V8_HEAP_GROWING_PERCENT: 'lots' }), ConfigError);
});

test('TF_PGLITE_PORT is retired: set, it stops the process with the reason instead of being ignored', () => {
  assert.throws(
    () => loadConfig({ TF_PGLITE_PORT: '5433' }),
    (e) => e instanceof ConfigError && /TF_PGLITE_PORT is no longer supported: .*Unix socket/.test(e.message),
  );
  assert.doesNotThrow(() => loadConfig({ TF_PGLITE_PORT: '' }));
});

test('rate limits per credential: raw-row reads and attribute suggestions, each with its own budget', () => {
  assert.deepEqual([loadConfig({}).heavyQueriesPerMinute, loadConfig({}).suggestionsPerMinute], [120, 600]);
  assert.equal(loadConfig({ TF_RATE_LIMIT_SUGGESTIONS_PER_MINUTE: '60' }).suggestionsPerMinute, 60);
  assert.throws(
    () => loadConfig({ TF_RATE_LIMIT_SUGGESTIONS_PER_MINUTE: '0' }),
    (e) => e instanceof ConfigError && /TF_RATE_LIMIT_SUGGESTIONS_PER_MINUTE/.test(e.message),
  );
});

test('API connections: client timeouts that nest, and a cap per address that is off behind a proxy', () => {
  assert.deepEqual(loadConfig({}).httpConnections, {
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 30_000,
    requestTimeoutMs: 120_000,
    idleTimeoutMs: 5_000,
    maxConnectionsPerAddress: 64,
  });
  assert.equal(loadConfig({ TF_TRUST_PROXY: 'true' }).httpConnections.maxConnectionsPerAddress, 0);
  assert.equal(
    loadConfig({ TF_TRUST_PROXY: 'true', TF_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '500' }).httpConnections
      .maxConnectionsPerAddress,
    500,
  );
  const c = loadConfig({
    TF_HTTP_HEADERS_TIMEOUT_MS: '2000',
    TF_HTTP_BODY_TIMEOUT_MS: '4000',
    TF_HTTP_REQUEST_TIMEOUT_MS: '8000',
    TF_HTTP_IDLE_TIMEOUT_MS: '1000',
  }).httpConnections;
  assert.deepEqual(
    [c.headersTimeoutMs, c.bodyTimeoutMs, c.requestTimeoutMs, c.idleTimeoutMs],
    [2000, 4000, 8000, 1000],
  );
  assert.throws(
    () => loadConfig({ TF_HTTP_HEADERS_TIMEOUT_MS: '40000' }),
    (e) =>
      e instanceof ConfigError && /TF_HTTP_HEADERS_TIMEOUT_MS must not exceed TF_HTTP_BODY_TIMEOUT_MS/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ TF_HTTP_BODY_TIMEOUT_MS: '200000' }),
    (e) =>
      e instanceof ConfigError && /TF_HTTP_BODY_TIMEOUT_MS must not exceed TF_HTTP_REQUEST_TIMEOUT_MS/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ TF_HTTP_IDLE_TIMEOUT_MS: 'never' }),
    (e) => e instanceof ConfigError && /TF_HTTP_IDLE_TIMEOUT_MS/.test(e.message),
  );
});

test('OTLP listeners: timeouts, connections per address and bytes in flight, with defaults and bounds', () => {
  const d = loadConfig({});
  assert.deepEqual(d.otlpConnections, {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    idleTimeoutMs: 120_000,
    unauthenticatedTimeoutMs: 10_000,
    grpcMaxConnectionAgeMs: 1_800_000,
    maxPerAddress: 256,
  });
  assert.deepEqual(d.otlpAdmission, { maxBytes: 256 * 1024 * 1024, maxTenantBytes: 128 * 1024 * 1024 });
  const c = loadConfig({
    TF_OTLP_REQUEST_TIMEOUT_MS: '5000',
    TF_OTLP_MAX_CONNECTIONS_PER_ADDRESS: '8',
    TF_OTLP_MAX_INFLIGHT_BYTES: '67108864',
  });
  assert.equal(c.otlpConnections.requestTimeoutMs, 5000);
  assert.equal(c.otlpConnections.maxPerAddress, 8);
  assert.deepEqual(
    c.otlpAdmission,
    { maxBytes: 64 * 1024 * 1024, maxTenantBytes: 64 * 1024 * 1024 },
    'the tenant share defaults to at most the whole',
  );
  for (const [name, bad] of [
    ['TF_OTLP_HEADERS_TIMEOUT_MS', '0'],
    ['TF_OTLP_IDLE_TIMEOUT_MS', 'soon'],
    ['TF_OTLP_MAX_CONNECTIONS_PER_ADDRESS', '0'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [name]: bad }),
      (e) => e instanceof ConfigError && e.message.includes(name),
      `${name}=${bad}`,
    );
  }
  // The budget must hold one largest request.
  assert.throws(
    () => loadConfig({ TF_OTLP_MAX_INFLIGHT_BYTES: String(16 * 1024 * 1024) }),
    /TF_OTLP_MAX_INFLIGHT_BYTES must be an integer from 20975616/,
  );
  assert.throws(
    () => loadConfig({ TF_OTLP_MAX_TENANT_INFLIGHT_BYTES: String(512 * 1024 * 1024) }),
    /TF_OTLP_MAX_TENANT_INFLIGHT_BYTES/,
  );
});

test('the all-in-one duplicate window: 600 s and 100,000 requests by default, bounded', () => {
  assert.deepEqual(loadConfig({}).ingestDuplicateWindow, { seconds: 600, requests: 100_000 });
  const w = loadConfig({
    TF_INGEST_DUPLICATE_WINDOW_SECONDS: '60',
    TF_INGEST_DUPLICATE_WINDOW_REQUESTS: '5000',
  }).ingestDuplicateWindow;
  assert.deepEqual(w, { seconds: 60, requests: 5000 });
  for (const [name, bad] of [
    ['TF_INGEST_DUPLICATE_WINDOW_SECONDS', '0'],
    ['TF_INGEST_DUPLICATE_WINDOW_SECONDS', '90000'],
    ['TF_INGEST_DUPLICATE_WINDOW_REQUESTS', '10'],
    ['TF_INGEST_DUPLICATE_WINDOW_REQUESTS', 'many'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [name]: bad }),
      (e) => e instanceof ConfigError && e.message.includes(name),
      `${name}=${bad}`,
    );
  }
});

test('single sign-on settings: the public origin, http issuers (client secrets are sealed with TF_SECRET_KEY)', () => {
  assert.deepEqual(loadConfig({}).sso, { allowHttpIssuers: false });
  assert.deepEqual(loadConfig({ TF_PUBLIC_URL: 'https://tf.example.com/', TF_SSO_ALLOW_HTTP_ISSUERS: 'true' }).sso, {
    publicUrl: 'https://tf.example.com',
    allowHttpIssuers: true,
  });
  assert.throws(
    () => loadConfig({ TF_PUBLIC_URL: 'https://tf.example.com/console' }),
    /TF_PUBLIC_URL must be an origin/,
  );
  assert.throws(() => loadConfig({ TF_PUBLIC_URL: 'ftp://x' }), /TF_PUBLIC_URL must use/);
  assert.throws(() => loadConfig({ TF_SSO_ALLOW_HTTP_ISSUERS: 'yes' }), /TF_SSO_ALLOW_HTTP_ISSUERS must be one of/);
});
