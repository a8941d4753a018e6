// Single sign-on in Chromium against a real OpenID provider (npm oidc-provider) started here:
// the sign-in page offers "Sign in with SSO" for a tenant that has it, the button goes through
// the provider and back into the console, the role comes from the groups claim (and a changed
// group demotes at the next sign-in), and Settings → Single sign-on shows the stored settings
// without the secret.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MemberDto, SsoSettingsDto } from '@telemetryflow/contract';
import { startOidcProvider, type TestOidcProvider } from '@telemetryflow/identity/test-oidc-provider';
import type { Page } from 'playwright-core';
import { apiGet, API_KEY, screenshot, signIn, startRig, watchErrors, type Rig } from './browser-rig.js';

describe('single sign-on in Chromium', () => {
  let rig: Rig;
  let base: string;
  let idp: TestOidcProvider;

  before(async () => {
    rig = await startRig({ TF_SSO_ALLOW_HTTP_ISSUERS: 'true' });
    base = rig.server.apiUrl;
    idp = await startOidcProvider({ redirectUris: [`${base}/api/v1/auth/oidc/callback`] });
    idp.accounts.set('dana', { email: 'dana@example.com', groups: ['tf-editors'] });
    const res = await fetch(`${base}/api/v1/sso`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        scopes: ['openid', 'email', 'groups'],
        allowedEmailDomains: ['example.com'],
        roleClaim: 'groups',
        roleMapping: [
          { value: 'tf-editors', role: 'editor' },
          { value: 'tf-viewers', role: 'viewer' },
        ],
        jitMembership: true,
      }),
    });
    assert.equal(res.status, 200, await res.text());
  });

  after(async () => {
    await idp?.close();
    await rig?.close();
  });

  /** Signs in with the SSO button in a browser of its own; the page, landed in the console. */
  async function ssoSignIn(account: string): Promise<Page> {
    idp.signInAs = account;
    const context = await rig.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login?tenant=default`);
    const button = page.locator('[data-test=sso-button]');
    await page.waitForFunction(
      () => !document.querySelector<HTMLButtonElement>('[data-test=sso-button]')?.disabled,
      null,
      {
        timeout: 10_000,
      },
    );
    await button.click();
    await page.waitForURL((u) => u.pathname === '/services', { timeout: 15_000 });
    return page;
  }

  async function roleOf(email: string): Promise<string | undefined> {
    return (await apiGet<MemberDto[]>(base, '/tenants/default/members')).find((m) => m.email === email)?.role;
  }

  test('"Sign in with SSO" signs in through the provider; the groups claim gives the role, a changed group demotes', async () => {
    const page = await ssoSignIn('dana');
    const errors = watchErrors(page);
    await page.locator('[data-test=identity]', { hasText: 'dana@example.com' }).waitFor({ timeout: 10_000 });
    assert.equal(await roleOf('dana@example.com'), 'editor');
    await screenshot(page, 'sso-signed-in');
    // The session survives a reload: the console renews it from the cookie the callback set.
    await page.reload();
    await page.locator('[data-test=identity]', { hasText: 'dana@example.com' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    await page.context().close();

    idp.accounts.get('dana')!.groups = ['tf-viewers'];
    const again = await ssoSignIn('dana');
    assert.equal(await roleOf('dana@example.com'), 'viewer');
    await again.context().close();
  });

  test('a refused sign-in comes back to the sign-in page with the reason; a tenant without SSO has no button', async () => {
    idp.accounts.set('out', { email: 'out@elsewhere.org', groups: ['tf-editors'] });
    idp.signInAs = 'out';
    const context = await rig.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login?tenant=default`);
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-test=sso-button]')?.disabled);
    await page.locator('[data-test=sso-button]').click();
    await page.locator('[data-test=sso-error]', { hasText: 'e-mail domain' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'sso-refused');
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.locator('input[name=tenant]').fill('no-such-tenant');
    await page.getByText('Single sign-on is not set up for this tenant').waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('[data-test=sso-button]').isDisabled(), true);
    await context.close();
  });

  test('Settings → Single sign-on shows the stored settings, never the secret', async () => {
    const context = await rig.browser.newContext();
    const page = await context.newPage();
    await signIn(page, base);
    await page.goto(`${base}/settings?tab=sso`);
    const issuer = page.locator('input[name=sso-issuer]');
    await issuer.waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      (want) => document.querySelector<HTMLInputElement>('input[name=sso-issuer]')?.value === want,
      idp.issuer,
    );
    const secret = page.locator('input[name=sso-client-secret]');
    assert.equal(await secret.inputValue(), '');
    assert.equal(await secret.getAttribute('placeholder'), 'stored — leave empty to keep it');
    assert.equal(await page.locator('[data-test=sso-redirect-uri]').textContent(), `${base}/api/v1/auth/oidc/callback`);
    assert.ok(!(await page.content()).includes(idp.clientSecret));
    await screenshot(page, 'sso-settings');
    // Saved with the secret field left empty: the stored secret stays and sign-ins keep working.
    await page.locator('input[name=sso-role-claim]').fill('groups');
    await page.locator('[data-test=sso-save]').click();
    await page.getByText('Single sign-on saved').waitFor({ timeout: 10_000 });
    const saved = await apiGet<SsoSettingsDto>(base, '/sso');
    assert.equal(saved.clientSecretSet, true);
    assert.deepEqual(saved.roleMapping, [
      { value: 'tf-editors', role: 'editor' },
      { value: 'tf-viewers', role: 'viewer' },
    ]);
    await (await ssoSignIn('dana')).context().close();
    await context.close();
  });
});
