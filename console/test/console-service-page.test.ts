// A service's page as an SRE reads it: span kinds as words, RED charts whose labels never
// overlap at 1440 or 1024 px, a clear message for a service that sent nothing; no form of the
// console with a "Please Input" placeholder; and a page load that cuts a session renewal short
// never signs the user out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TraceSummaryDto } from '@telemetryflow/contract';
import type { BrowserContext, Page } from 'playwright-core';
import { API_KEY, apiGet, eventually, screenshot, signIn, startRig, watchErrors, type Rig } from './browser-rig.js';
import { overlaps, recordCanvasText, settledText } from './canvas-text.js';
import { sendOtlp, shopTraces, SHOP_TRACES } from './otlp-fixtures.js';

describe('a service’s page in Chromium', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, shopTraces(Date.now()).body);
    await eventually('the traces to be searchable', async () =>
      (await apiGet<TraceSummaryDto[]>(base, '/traces?service=shipping&limit=100')).length === SHOP_TRACES
        ? true
        : undefined,
    );
    context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    await recordCanvasText(context);
    page = await context.newPage();
    // Single sign-on is not set up here: the settings page's GET /sso answers 404, which it expects.
    errors = watchErrors(
      page,
      (msg) => msg.text().includes('status of 404') && msg.location().url.endsWith('/api/v1/sso'),
    );
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('a service’s page: kinds as words, chart labels that never overlap at 1440 or 1024 px, and an unknown service said so', async () => {
    await page.goto(`${base}/services/inventory`);
    const table = page.locator('[data-test=operations-table]');
    await table.locator('tr', { hasText: 'compute stock' }).waitFor();
    const kindOf = async (operation: string) =>
      (await table.locator('tr', { hasText: operation }).locator('td').nth(1).innerText()).trim();
    assert.equal(await kindOf('GET /stock'), 'server');
    assert.equal(await kindOf('compute stock'), 'internal');
    assert.equal(await kindOf('stock.changed publish'), 'producer');
    assert.doesNotMatch(await table.innerText(), /SPAN_KIND|\b[0-5]\b\s*\n/);
    await page.goto(`${base}/services/storefront`);
    await page.locator('[data-test=operations-table] tr', { hasText: 'GET inventory' }).waitFor();
    assert.equal(
      (
        await page
          .locator('[data-test=operations-table] tr', { hasText: 'GET inventory' })
          .locator('td')
          .nth(1)
          .innerText()
      ).trim(),
      'client',
    );
    await page.goto(`${base}/services/shipping`);
    await page.locator('[data-test=operations-table] tr', { hasText: 'stock.changed process' }).waitFor();
    assert.match(await page.locator('[data-test=operations-table]').innerText(), /consumer/);

    await page.goto(`${base}/services/inventory`);
    await page.locator('[data-test=operations-table] tr', { hasText: 'compute stock' }).waitFor();
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      for (const title of ['Requests', 'Errors', 'Duration']) {
        const chart = page
          .locator('.n-card', { hasText: title })
          .filter({ has: page.locator('canvas') })
          .first();
        const boxes = await settledText(chart);
        assert.ok(boxes.length >= 4, `${title} at ${width} px drew its labels: ${boxes.map((b) => b.text).join(', ')}`);
        assert.deepEqual(overlaps(boxes), [], `${title} at ${width} px`);
        if (title === 'Requests') {
          // The rate axis in one unit: "0.18/min" beside "0.01/s" compares nothing.
          const units = new Set(boxes.flatMap((b) => /\/(s|min)$/.exec(b.text)?.[1] ?? []));
          assert.equal(units.size, 1, boxes.map((b) => b.text).join(', '));
        }
      }
      await screenshot(page, `search-service-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.goto(`${base}/services/no-such-service`);
    const unknown = page.locator('[data-test=unknown-service]');
    await unknown.waitFor();
    assert.match(await unknown.innerText(), /No spans from a service named “no-such-service” in last 1 hour/);
    assert.equal(await page.locator('[data-test=error]').count(), 0);
    assert.equal(await page.locator('.n-message--error-type').count(), 0);
    assert.equal(await page.locator('[data-test=operations-table]').count(), 0);
    await screenshot(page, 'search-unknown-service');
    assert.deepEqual(errors, []);
  });

  test('no form of the console shows a "Please Input" or "Please Select" placeholder', async () => {
    for (const path of [
      '/traces',
      '/logs',
      '/metrics',
      '/dashboards',
      '/alerts',
      '/monitors',
      '/status-pages',
      '/settings',
    ]) {
      await page.goto(`${base}${path}`);
      await page.locator('main, section').first().waitFor();
      await page.waitForLoadState('networkidle');
      for (const text of ['Please Input', 'Please Select'])
        assert.equal(await page.getByPlaceholder(text).count(), 0, `${text} on ${path}`);
      assert.equal(await page.getByText(/Please (Input|Select)/).count(), 0, path);
    }
    assert.deepEqual(errors, []);
  });

  test('a page load that cuts a session renewal short (the server rotated, the answer never arrived) leaves the user signed in', async () => {
    const refreshCookie = async () => (await context.cookies()).find((c) => c.name === 'tf_refresh')?.value;
    await page.goto('about:blank'); // no console page left to renew the session meanwhile
    const before = await refreshCookie();
    let rotated!: () => void;
    let rotatedStatus = 0;
    const serverRotated = new Promise<void>((resolve) => (rotated = resolve));
    // The renewal reaches the server, which rotates the refresh token; the page that asked is gone
    // before the answer arrives, so the browser keeps the cookie it had.
    await page.route(
      '**/api/v1/auth/refresh',
      async (route) => {
        // Sent from here, not through the browser context, so the answer's Set-Cookie reaches no cookie jar.
        const request = route.request();
        const headers = await request.allHeaders();
        const answer = await fetch(request.url(), {
          method: 'POST',
          headers: { cookie: headers.cookie ?? '', 'content-type': 'application/json' },
          body: request.postData() ?? '{}',
        });
        rotatedStatus = answer.status;
        rotated();
        await new Promise<void>((resolve) => page.once('framenavigated', () => resolve()));
        await route.abort().catch(() => undefined);
      },
      { times: 1 },
    );
    await page.goto(`${base}/alerts`, { waitUntil: 'commit' });
    await serverRotated;
    assert.equal(rotatedStatus, 200, 'the server rotated the refresh token');
    assert.equal(await refreshCookie(), before, 'the browser kept the old cookie');
    await page.goto(`${base}/monitors`);
    await page.locator('[data-test=no-monitors]').waitFor();
    assert.equal(new URL(page.url()).pathname, '/monitors', 'still signed in');
    const after = await refreshCookie();
    assert.ok(after && after !== before, 'the renewal with the old cookie set a new one');
    await page.goto(`${base}/alerts`);
    await page.locator('main, section').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(new URL(page.url()).pathname, '/alerts', 'and the login goes on');
    assert.deepEqual(errors, []);
  });
});
