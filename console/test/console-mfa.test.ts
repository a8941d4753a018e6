// Second factors in a real browser against the real all-in-one: a passkey enrolled and used
// through Chromium's DevTools virtual authenticator (CDP WebAuthn), TOTP set up in Settings →
// Security with a code otplib computes from the secret the page shows, the sign-in's second
// step with each, an admin's password reset and the member's new password at sign-in, and the
// Sessions tab.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generate } from 'otplib';
import type { MfaStatusDto, SessionDto } from '@telemetryflow/contract';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  API_KEY,
  eventually,
  screenshot,
  startRig,
  watchErrors,
  type Rig,
} from './browser-rig.js';

/** A port free right now: the API must listen on a port known before start, for TF_PUBLIC_URL. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const MEMBER = 'member@example.com';

describe('second factors in Chromium', () => {
  let rig: Rig;
  // WebAuthn wants a host name, not an IP address: the console is opened as localhost.
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
    const res = await fetch(`${base}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${init.token ?? API_KEY}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    return ((await res.json()) as { data: T }).data;
  }

  async function signOut(): Promise<void> {
    await context.clearCookies();
    await page.evaluate(() => localStorage.clear());
  }

  async function password(email = ADMIN_EMAIL, pw = ADMIN_PASSWORD): Promise<void> {
    await page.goto(`${base}/login`);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill(pw);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  before(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    rig = await startRig({ TF_HTTP_PORT: String(port), TF_PUBLIC_URL: base });
    context = await rig.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    errors = watchErrors(page, (msg) => /status of 401/.test(msg.text()));
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('a passkey enrolled in Settings → Security signs in as the second factor', async () => {
    await password();
    await page.waitForURL((u) => u.pathname === '/services');
    await page.goto(`${base}/settings?tab=security`);
    await page.locator('input[name=passkey-name]').fill('Virtual key');
    await page.locator('[data-test=passkey-add]').click();
    const codes = page.locator('[data-test=recovery-codes] code');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10, 'the first factor comes with ten recovery codes');
    await page.locator('[data-test=recovery-codes-saved]').click();
    await page.locator('[data-test=passkeys]', { hasText: 'Virtual key' }).waitFor();
    await screenshot(page, 'mfa-security');

    await signOut();
    await password();
    await page.locator('[data-step=mfa]').waitFor();
    await page.locator('.n-tabs-tab', { hasText: 'Passkey' }).click();
    await page.locator('[data-test=sign-in-passkey]').click();
    await page.waitForURL((u) => u.pathname === '/services');
    const status = await api<MfaStatusDto>('/me/mfa', { token: await pageToken(page) });
    assert.equal(status.passkeys.length, 1);
    assert.ok(status.passkeys[0]!.lastUsedAt, 'the passkey signed in');
  });

  test('TOTP set up with the QR code page and a code from the shown secret; sign-in with a code', async () => {
    await page.goto(`${base}/settings?tab=security`);
    await page.locator('[data-test=totp-start]').click();
    const secret = (await page.locator('[data-test=totp-secret]').textContent())!.trim();
    assert.match((await page.locator('img[alt^="QR code"]').getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    await page.locator('input[name=totp-confirm]').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.locator('[data-test=totp-on]').waitFor();

    await signOut();
    await password();
    await page.locator('[data-step=mfa]').waitFor();
    // The code of the next 30-second step: the one of the enrolment is spent.
    await page
      .locator('input[name=totp-code]')
      .fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Verify' }).first().click();
    await page.waitForURL((u) => u.pathname === '/services');
  });

  test("an admin resets a member's password in Members; the member chooses a new one at sign-in; Sessions lists and ends sessions", async () => {
    await api('/tenants/default/invitations', {
      method: 'POST',
      body: { email: MEMBER, role: 'viewer', password: 'the first password' },
    });
    const invite = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: MEMBER, password: 'the first password' }),
    });
    const memberToken = ((await invite.json()) as { data: { accessToken: string } }).data.accessToken;
    const [received] = await api<{ id: string }[]>('/invitations', { token: memberToken });
    await api(`/invitations/${received!.id}/accept`, { method: 'POST', token: memberToken });

    await page.goto(`${base}/settings?tab=members`);
    await page.locator('[data-test=members] tr', { hasText: MEMBER }).locator('[data-test=reset-password]').click();
    await page.locator('input[name=temporary-password]').fill('a temporary password');
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.locator('[data-test=member-notice]', { hasText: 'must choose a new password' }).waitFor();
    const refused = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${memberToken}` } });
    assert.equal(refused.status, 401, "the member's session ended");

    await signOut();
    await password(MEMBER, 'a temporary password');
    await page.locator('[data-step=password_change]').waitFor();
    await page.locator('input[name=new-password]').fill('my very own password');
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/services');

    // A second session of the member, ended from the Sessions tab.
    const other = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'second-device' },
      body: JSON.stringify({ email: MEMBER, password: 'my very own password' }),
    });
    const otherToken = ((await other.json()) as { data: { accessToken: string } }).data.accessToken;
    await page.goto(`${base}/settings?tab=sessions`);
    const row = page.locator('[data-test=sessions] tr', { hasText: 'second-device' });
    await row.getByRole('button', { name: 'End' }).click();
    await page.locator('.n-popconfirm').getByRole('button', { name: 'Confirm' }).click();
    await eventually('the other session ended', async () => {
      const res = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${otherToken}` } });
      return res.status === 401 ? true : undefined;
    });
    const left = await api<SessionDto[]>('/me/sessions', { token: await pageToken(page) });
    assert.equal(left.length, 1);
    assert.deepEqual(errors, []);
  });
});

/** An access token of the page's signed-in user, from its session cookie (which the page keeps using). */
async function pageToken(page: Page): Promise<string> {
  const res = await page.evaluate(async () => {
    const r = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return (await r.json()) as { data: { accessToken: string } };
  });
  return res.data.accessToken;
}
