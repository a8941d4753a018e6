// Saved trace searches in Chromium: an editor saves the page's search (filters and a relative
// range) for the tenant, anyone applies it, a viewer can neither save nor delete, a taken name
// is marked on the name field, and a deletion asks first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SavedSearchDto, TraceSummaryDto } from '@telemetryflow/contract';
import { addMembership, createUser } from '@telemetryflow/identity';
import type { BrowserContext, Page } from 'playwright-core';
import {
  adminToken,
  API_KEY,
  apiGet,
  eventually,
  screenshot,
  signIn,
  startRig,
  watchErrors,
  type Rig,
} from './browser-rig.js';
import { sendOtlp, shopTraces, SHOP_TRACES as TRACES } from './otlp-fixtures.js';

const VIEWER_EMAIL = 'viewer@example.com';
const VIEWER_PASSWORD = 'correct horse battery viewer';

describe('saved trace searches in Chromium', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  const field = (name: string) =>
    page.locator('.n-form-item', { has: page.locator(`input[name=${name}]`) }).locator('.n-form-item-feedback');
  const pickerValue = async (picker: string) =>
    (await page.locator(`[data-test=${picker}] .n-base-selection`).innerText()).trim();
  const query = () => new URL(page.url()).searchParams;

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, shopTraces(Date.now()).body);
    await eventually('the traces to be searchable', async () =>
      (await apiGet<TraceSummaryDto[]>(base, '/traces?service=shipping&limit=100')).length === TRACES
        ? true
        : undefined,
    );
    context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    errors = watchErrors(page);
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('saved searches: saved for the tenant with their range, listed, applied, refused under a taken name, deleted', async () => {
    const token = await adminToken(base);
    const saved = async () => {
      const res = await fetch(`${base}/api/v1/saved-searches?signal=traces`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { data: SavedSearchDto[] }).data;
    };
    await page.goto(`${base}/traces?service=inventory&operation=compute+stock&status=error&range=6h`);
    await page.locator('[data-test=traces-table] [data-test=trace-link]').first().waitFor();
    await page.locator('[data-test=saved-search-save]').click();
    assert.match(
      await page.locator('[data-test=saved-search-summary]').innerText(),
      /service = inventory.*operation = compute stock.*status = error.*last 6 hours/,
    );
    await page.locator('input[name=saved-search-name]').fill('Inventory failures');
    await page.locator('[data-test=saved-search-confirm]').click();
    await eventually('the picker to show it', async () =>
      (await pickerValue('saved-search-picker')) === 'Inventory failures' ? true : undefined,
    );
    assert.deepEqual(
      (await saved()).map(({ name, filters, range }) => ({ name, filters, range })),
      [
        {
          name: 'Inventory failures',
          filters: { service: 'inventory', operation: 'compute stock', status: 'error' },
          range: '6h',
        },
      ],
    );

    // The same name again: refused on the name field.
    await page.locator('[data-test=saved-search-save]').click();
    await page.locator('input[name=saved-search-name]').fill('Inventory failures');
    await page.locator('[data-test=saved-search-confirm]').click();
    await eventually('the conflict on the name', async () =>
      /has this name already/.test(await field('saved-search-name').innerText()) ? true : undefined,
    );
    await screenshot(page, 'search-saved-conflict');
    await page.keyboard.press('Escape');

    // Applied from a plain page: its filters and its range.
    await page.goto(`${base}/traces`);
    await page.locator('[data-test=traces-table] [data-test=trace-link]').first().waitFor();
    await page.locator('[data-test=saved-search-picker]').click();
    await page.locator('.n-base-select-option', { hasText: 'Inventory failures' }).click();
    await page.waitForURL((u) => u.searchParams.get('status') === 'error');
    assert.deepEqual(
      [query().get('service'), query().get('operation'), query().get('range')],
      ['inventory', 'compute stock', '6h'],
    );
    assert.equal(await pickerValue('service-picker'), 'inventory');
    assert.equal(await pickerValue('operation-picker'), 'compute stock');
    const rows = page.locator('[data-test=traces-table] [data-test=trace-link]');
    await eventually('the failing traces', async () =>
      (await rows.count()) === Math.ceil(TRACES / 7) ? true : undefined,
    );
    await screenshot(page, 'search-saved-applied');

    // A viewer of the tenant applies it but can neither save nor delete.
    const { controlPlane } = rig.server;
    const viewer = await createUser(controlPlane.dataSource, { email: VIEWER_EMAIL, password: VIEWER_PASSWORD });
    await addMembership(controlPlane.dataSource, { userId: viewer.id, tenantId: 'default', role: 'viewer' });
    const viewerContext = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const viewerPage = await viewerContext.newPage();
    const viewerErrors = watchErrors(viewerPage);
    await viewerPage.goto(`${base}/login`);
    await viewerPage.locator('input[name=email]').fill(VIEWER_EMAIL);
    await viewerPage.locator('input[name=password]').fill(VIEWER_PASSWORD);
    await viewerPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await viewerPage.waitForURL((u) => u.pathname === '/services');
    await viewerPage.goto(`${base}/traces`);
    await viewerPage.locator('[data-test=saved-search-picker]').click();
    await viewerPage.locator('.n-base-select-option', { hasText: 'Inventory failures' }).click();
    await viewerPage.waitForURL((u) => u.searchParams.get('status') === 'error');
    assert.equal(await viewerPage.locator('[data-test=saved-search-save]').count(), 0);
    assert.equal(await viewerPage.locator('[data-test=saved-search-delete]').count(), 0);
    await viewerContext.close();
    assert.deepEqual(viewerErrors, []);

    // Deleted, after a confirmation.
    await page.locator('[data-test=saved-search-delete]').click();
    await page.getByText('Delete the saved search “Inventory failures” for everyone in this tenant?').waitFor();
    await page.locator('.n-popconfirm').getByRole('button', { name: 'Confirm' }).click();
    await eventually('the saved search to go', async () => ((await saved()).length === 0 ? true : undefined));
    await page.locator('[data-test=saved-search-delete]').waitFor({ state: 'detached' });
    assert.equal(await pickerValue('saved-search-picker'), 'Saved searches');
    assert.deepEqual(errors, []);
  });
});
