// The console in a real browser against the real all-in-one, with telemetry sent over OTLP:
// what a user does first — sign in, find a service, open a trace, search logs, chart a metric.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  adminToken,
  API_KEY,
  apiGet,
  bundleSizes,
  DOWNSTREAM,
  eventually,
  METRIC,
  screenshot,
  sendTelemetry,
  SERVICE,
  SPANS,
  startRig,
  watchCspViolations,
  watchErrors,
  type Rig,
} from './browser-rig.js';
import { logsRequest, sendOtlp, traceRequest, type SentTrace } from './otlp-fixtures.js';

describe('console in Chromium', () => {
  let rig: Rig;
  let base: string;
  let trace: SentTrace;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let cspViolations: string[];

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    trace = await sendTelemetry(rig);
    context = await rig.browser.newContext({ viewport: { width: 1400, height: 900 } });
    cspViolations = await watchCspViolations(context);
    page = await context.newPage();
    // Deliberate failures below (a wrong password, an expired token, an invalid trace id) log as resource errors.
    errors = watchErrors(page, (msg) => {
      const url = msg.location().url;
      return (
        (msg.text().includes('status of 401') && (url.includes('/api/v1/auth/login') || url.includes('/api/v1/'))) ||
        (msg.text().includes('status of 400') && url.includes('/api/v1/traces/not-a-trace-id'))
      );
    });
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('with a cold cache the initial route becomes interactive having fetched only part of the bundle (time and sizes reported)', async (t) => {
    const cold = await rig.browser.newContext();
    const p = await cold.newPage();
    const fetched: string[] = [];
    p.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    const started = Date.now();
    await p.goto(`${base}/services`);
    await p.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await p.locator('input[name=email]').fill('x');
    const interactiveMs = Date.now() - started;
    await cold.close();
    const sizes = bundleSizes(fetched);
    t.diagnostic(`time to interactive (cold cache, /services → sign-in form): ${interactiveMs} ms`);
    t.diagnostic(
      `bundle: ${(sizes.totalGzip / 1024).toFixed(1)} KiB gzip in ${sizes.files} files; the first page fetched ${(sizes.fetchedGzip / 1024).toFixed(1)} KiB gzip`,
    );
    assert.ok(
      sizes.fetchedGzip < sizes.totalGzip,
      'the first page loads only part of the bundle (route-level splitting)',
    );
  });

  test('a signed-out deep link signs in first (a wrong password shows the error), then lands on it', async () => {
    await page.goto(`${base}/traces?service=${SERVICE}&range=6h`);
    await page.waitForURL((u) => u.pathname === '/login');
    await screenshot(page, 'sign-in');
    await page.locator('input[name=email]').fill(ADMIN_EMAIL);
    await page.locator('input[name=password]').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('[data-test=request-id]').waitFor();
    await page.locator('input[name=password]').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/traces');
    assert.equal(new URL(page.url()).searchParams.get('service'), SERVICE);
    assert.equal(new URL(page.url()).searchParams.get('range'), '6h');
    await page.locator('[data-test=identity]', { hasText: ADMIN_EMAIL }).waitFor();
  });

  test('a signed-in user opening /services with a cold cache sees the table (time to interactive reported)', async (t) => {
    const session = await page.evaluate(() => localStorage.getItem('tf.session')!);
    const cold = await rig.browser.newContext();
    // A login of its own: its session cookie, not a copy of this page's (whose next use would count as a reuse).
    assert.equal(
      (
        await cold.request.post(`${base}/api/v1/auth/login`, { data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } })
      ).status(),
      200,
    );
    await cold.addInitScript((s) => localStorage.setItem('tf.session', s), session);
    const p = await cold.newPage();
    const started = Date.now();
    await p.goto(`${base}/services`);
    await p.locator('[data-test=service-link]', { hasText: SERVICE }).waitFor();
    const ms = Date.now() - started;
    await cold.close();
    t.diagnostic(`time to interactive (cold cache, signed in, /services with data): ${ms} ms`);
  });

  test('the console page is served with its security headers, and page scripts never hold a refresh token', async () => {
    const res = await page.goto(`${base}/services`);
    const headers = res!.headers();
    assert.match(headers['content-security-policy'] ?? '', /script-src 'self'; .*frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    await page.locator('[data-test=service-link]', { hasText: SERVICE }).waitFor();
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'tf_refresh');
    assert.ok(cookie, 'the refresh token is a cookie');
    assert.deepEqual(
      [cookie.httpOnly, cookie.sameSite, cookie.path, cookie.secure],
      [true, 'Strict', '/api/v1/auth', false],
    );
    const stored = await page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookies: document.cookie,
    }));
    for (const [where, text] of Object.entries(stored)) {
      assert.ok(
        !text.includes(cookie.value) && !/tfr_|refreshToken|accessToken/.test(text),
        `${where} holds a token: ${text}`,
      );
    }
  });

  test('a reload keeps the user signed in: the access token is renewed from the cookie, which rotates', async () => {
    const before = (await context.cookies()).find((c) => c.name === 'tf_refresh')!.value;
    await page.reload();
    await page.locator('[data-test=service-link]', { hasText: SERVICE }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/services');
    await page.locator('[data-test=identity]', { hasText: ADMIN_EMAIL }).waitFor();
    const after = (await context.cookies()).find((c) => c.name === 'tf_refresh')!.value;
    assert.notEqual(after, before, 'the refresh token rotated');
  });

  test('tabs that load at the same moment share the cookie: they renew in turn and all stay signed in', async () => {
    const tabs = await Promise.all([0, 1, 2].map(() => context.newPage()));
    try {
      await Promise.all(tabs.map((t) => t.goto(`${base}/services`)));
      for (const t of tabs) await t.locator('[data-test=service-link]', { hasText: SERVICE }).waitFor();
      await page.reload();
      await page.locator('[data-test=service-link]', { hasText: SERVICE }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/services', 'the first tab is still signed in');
    } finally {
      await Promise.all(tabs.map((t) => t.close()));
    }
  });

  test('services: both services with rate and errors; the service page shows its operations', async () => {
    await page.goto(`${base}/services`);
    const rows = page.locator('[data-test=services-table] tbody tr');
    await eventually('two service rows', async () => ((await rows.count()) === 2 ? true : undefined));
    const text = await page.locator('[data-test=services-table]').innerText();
    assert.match(text, new RegExp(SERVICE));
    assert.match(text, new RegExp(DOWNSTREAM));
    // The table says what its rate, error rate and p95 are over.
    assert.match(
      await page.locator('[data-test=red-definition]').innerText(),
      /entry spans: server and consumer spans, or root spans for services without them/,
    );
    await screenshot(page, 'services');
    await page.locator('[data-test=view-map]').click();
    await page.locator('[data-test=service-map] canvas').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('view'), 'map');
    await screenshot(page, 'service-map');
    await page.getByText('Table', { exact: true }).click();
    await page.locator('[data-test=service-link]', { hasText: SERVICE }).click();
    await page.waitForURL((u) => u.pathname === `/services/${SERVICE}`);
    await page.locator('[data-test=operations-table]', { hasText: 'GET /checkout' }).waitFor();
    await screenshot(page, 'service');
  });

  test('traces: search finds the trace; its waterfall has every span; a span shows its attributes', async () => {
    await page.goto(`${base}/traces?service=${SERVICE}`);
    const link = page.locator('[data-test=trace-link]', { hasText: 'GET /checkout' });
    await eventually('two traces', async () => ((await link.count()) === 2 ? true : undefined));
    await screenshot(page, 'traces');
    // An attribute filter (suggested keys come from the range): only the long trace has a step 59.
    await page.locator('[data-test=add-attribute]').click();
    await page.locator('input[name=attr-key-0]').fill('attr.step');
    await page.locator('input[name=attr-value-0]').fill(String(SPANS - 1));
    await page.locator('[data-test=search]').click();
    await page.waitForURL((u) => u.searchParams.get('attr.step') === String(SPANS - 1));
    await eventually('one trace', async () => ((await link.count()) === 1 ? true : undefined));
    await page.goto(`${base}/traces/${trace.traceId}`);
    await page.locator('[data-test=trace-summary]').waitFor();
    assert.match(await page.locator('[data-test=trace-summary]').innerText(), new RegExp(`^${SPANS} spans`));
    // The trace's own log record is listed under it.
    await page.locator('[data-test=log-row]', { hasText: 'card declined' }).waitFor();
    // Virtualized: fewer rows in the DOM than spans, all reachable by scrolling.
    const rendered = await page.locator('[data-test=span-row]').count();
    assert.ok(rendered > 10 && rendered < SPANS, `rendered ${rendered} of ${SPANS} rows`);
    await page.locator('[data-test=span-row]').first().click();
    await page.locator('[data-test=span-details]', { hasText: 'http.route' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('span'), trace.spanIds[0]);
    assert.equal(await page.locator('[data-test=span-flags]').innerText(), 'sampled, local parent');
    await page.locator('[data-test=span-details]').getByText('Scope (1)', { exact: true }).click();
    await page.locator('[data-test=span-details]', { hasText: 'library.mode' }).waitFor();
    await screenshot(page, 'trace');
    // Collapsing the root leaves one row.
    await page.locator('[data-test=span-row]').first().getByRole('button', { name: 'collapse' }).click();
    assert.equal(await page.locator('[data-test=span-row]').count(), 1);
    await page.locator('[data-test=flame-toggle]').click();
    await page.locator('[data-test=flame]').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('view'), 'flame');
  });

  test('a trace of 10,000 spans opens and scrolls (virtualized rows)', async (t) => {
    const big = traceRequest('bulk', 'bulk-db', 10_000, Date.now() - 2_000);
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, big.body);
    await eventually('the big trace', async () => {
      const res = await fetch(`${base}/api/v1/traces/${big.trace.traceId}`, {
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      return res.ok && ((await res.json()) as { data: { spans: unknown[] } }).data.spans.length === 10_000
        ? true
        : undefined;
    });
    const started = Date.now();
    await page.goto(`${base}/traces/${big.trace.traceId}`);
    await page.locator('[data-test=trace-summary]', { hasText: '10000 spans' }).waitFor();
    const openMs = Date.now() - started;
    const rendered = await page.locator('[data-test=span-row]').count();
    assert.ok(rendered < 100, `only the rows in view are in the DOM (${rendered})`);
    const scrollStarted = Date.now();
    await page.locator('[data-test=waterfall] .rows').evaluate((el) => (el.scrollTop = el.scrollHeight));
    // The window of rendered rows moved to the end: the root row left the DOM, the last span is drawn
    // (the last in tree order is 8190, the end of the rightmost branch; every fifth span is a downstream call).
    await eventually('the rows at the end', async () =>
      (await page.locator('[data-test=span-row]', { hasText: 'GET /checkout' }).count()) === 0 ? true : undefined,
    );
    const scrollMs = Date.now() - scrollStarted;
    assert.match(await page.locator('[data-test=span-row]').last().innerText(), /bulk-db\s+charge card/);
    assert.ok((await page.locator('[data-test=span-row]').count()) < 100);
    t.diagnostic(
      `10,000-span trace: fetched and drawn in ${openMs} ms, scrolled to the last span in ${scrollMs} ms, ${rendered} rows in the DOM`,
    );
  });

  test('logs: dragging across the volume histogram zooms the time range', async () => {
    await page.goto(`${base}/logs?range=15m`);
    const canvas = page.locator('.echart canvas').first();
    await canvas.waitFor();
    await page.waitForTimeout(500);
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL((u) => u.searchParams.has('from') && u.searchParams.has('to'));
    const url = new URL(page.url());
    const span = Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
    assert.ok(span > 60_000 && span < 15 * 60_000, `zoomed to ${span} ms of 15 min`);
    assert.equal(url.searchParams.get('range'), null);
  });

  test('logs: an attribute filter in a shared link finds the one record that has it', async () => {
    await page.goto(`${base}/logs?attr.payment.provider=acme`);
    await page.locator('[data-test=log-row]').first().waitFor();
    assert.equal(await page.locator('[data-test=log-row]').count(), 1);
    assert.equal(await page.locator('input[name=attr-key-0]').inputValue(), 'attr.payment.provider');
  });

  test('logs: a word search finds the record; it expands to pretty JSON and jumps to its trace', async () => {
    await page.goto(`${base}/logs`);
    await page.locator('[data-test=log-row]').first().waitFor();
    await page.keyboard.press('/'); // the search shortcut
    await page.keyboard.type('declined');
    assert.equal(await page.locator('input[name=q]').inputValue(), 'declined');
    await page.locator('[data-test=search]').click();
    await page.waitForURL((u) => u.searchParams.get('q') === 'declined');
    const row = page.locator('[data-test=log-row]');
    await eventually('one matching log', async () => ((await row.count()) === 1 ? true : undefined));
    await row.click();
    const detail = page.locator('[data-test=log-detail]');
    assert.match(await detail.innerText(), /"reason": "card declined"/);
    await screenshot(page, 'logs');
    await page.locator('[data-test=log-trace-link]').click();
    await page.waitForURL((u) => u.pathname === `/traces/${trace.traceId}`);
    await page.locator('[data-test=trace-summary]').waitFor();
  });

  test('logs: the live tail shows new records as they arrive, holds them while paused', async () => {
    await page.goto(`${base}/logs?live=1&service=tail-svc`);
    await page.locator('[data-test=live-status]', { hasText: 'live' }).waitFor();
    const line = (text: string) => ({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'tail-svc' } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  severityNumber: 9,
                  body: { stringValue: text },
                },
              ],
            },
          ],
        },
      ],
    });
    await sendOtlp(rig.server.otlpHttpUrl, 'logs', API_KEY, line('first live line'));
    await page.locator('[data-test=log-row]', { hasText: 'first live line' }).waitFor();
    await page.locator('[data-test=live-pause]').click();
    await sendOtlp(rig.server.otlpHttpUrl, 'logs', API_KEY, line('second live line'));
    await page.locator('[data-test=live-resume]', { hasText: '1 new' }).waitFor();
    assert.equal(await page.locator('[data-test=log-row]', { hasText: 'second live line' }).count(), 0);
    await screenshot(page, 'logs-live');
    await page.locator('[data-test=live-resume]').click();
    await page.locator('[data-test=log-row]', { hasText: 'second live line' }).waitFor();
    assert.equal(await page.locator('[data-test=log-row]').count(), 2);
  });

  test('metrics: picking a metric and grouping by host charts one series per host', async () => {
    await page.goto(`${base}/metrics?metric=${METRIC}&agg=max&groupBy=host`);
    await page.locator('[data-test=series-count]', { hasText: '2 series' }).waitFor();
    await page.getByText('exemplars: click one to open its trace').waitFor();
    await page.waitForTimeout(1500); // the chart's drawing animation, for the screenshot
    await screenshot(page, 'metrics');
    // A label filter with an operator leaves one host.
    await page.goto(`${base}/metrics?metric=${METRIC}&agg=max&groupBy=host&filters=${encodeURIComponent('host!=h2')}`);
    await page.locator('[data-test=series-count]', { hasText: '1 series' }).waitFor();
  });

  test('dashboards: a new dashboard with two panels is saved and renders them after a reload', async () => {
    await page.goto(`${base}/dashboards`);
    await page.locator('[data-test=dashboards-table]', { hasText: 'Service overview' }).waitFor();
    // A built-in dashboard renders every panel, with its $service variable set from the URL.
    await page.locator('[data-test=dashboard-link]', { hasText: 'Service overview' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/dashboards/'));
    await page.goto(`${page.url().split('?')[0]}?var-service=${SERVICE}`);
    await page.locator('[data-test=panel] canvas').first().waitFor();
    await eventually('every panel rendered', async () =>
      (await page.locator('[data-test=panel] .n-spin').count()) === 0 ? true : undefined,
    );
    assert.equal(await page.locator('[data-test=panel] .panel-error').count(), 0);
    await page.waitForTimeout(1000); // the charts' drawing animation, for the screenshot
    await screenshot(page, 'dashboard-built-in');
    // The logs overview draws its heatmap (services over time) and pie from the same data.
    await page.goto(`${base}/dashboards`);
    await page.locator('[data-test=dashboard-link]', { hasText: 'Logs overview' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/dashboards/'));
    await page.locator('[data-test=panel] canvas').first().waitFor();
    await eventually('every logs panel rendered', async () =>
      (await page.locator('[data-test=panel] .n-spin').count()) === 0 ? true : undefined,
    );
    assert.equal(await page.locator('[data-test=panel] .panel-error').count(), 0);
    assert.ok(
      (await page.locator('[data-test=panel]', { hasText: 'Errors by service over time' }).locator('canvas').count()) >
        0,
      'the heatmap is drawn',
    );
    await page.goto(`${base}/dashboards`);
    await page.locator('input[name=dashboard-title]').fill('E2E board');
    await page.locator('[data-test=create-dashboard]').click();
    await page.waitForURL((u) => u.pathname.startsWith('/dashboards/'));
    await page.locator('[data-test=dashboard-edit]').click();
    await page.locator('[data-test=add-panel]').click();
    await page.locator('input[name=panel-title]').fill('Span rate by service');
    await page.locator('[data-test=panel-apply]').click();
    await page.locator('[data-test=add-panel]').click();
    await page.locator('input[name=panel-title]').fill('Warnings and errors');
    await page.locator('[data-test=panel-type]').click();
    await page.getByText('logs', { exact: true }).click();
    await page.locator('[data-test=panel-apply]').click();
    // Resize the first panel from its corner: narrower by ~4 columns, taller by 2 rows.
    // The editor has closed (its mask would catch the drag).
    await page.locator('.n-modal-mask').waitFor({ state: 'detached' });
    const corner = (await page.locator('[data-test=panel-resize]').first().boundingBox())!;
    const columnPx = (await page.locator('.grid').boundingBox())!.width / 24;
    await page.mouse.move(corner.x + 5, corner.y + 5);
    await page.mouse.down();
    await page.mouse.move(corner.x + 5 - 4 * columnPx, corner.y + 5 + 72, { steps: 5 });
    await page.mouse.up();
    await page.locator('[data-test=dashboard-save]').click();
    await page.getByText('Saved as version 2').waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await apiGet<{ panels: { title: string; layout: { x: number; y: number; w: number; h: number } }[] }>(
      base,
      `/dashboards/${id}`,
    );
    assert.deepEqual(
      saved.panels.map((p) => p.title),
      ['Span rate by service', 'Warnings and errors'],
    );
    assert.deepEqual(saved.panels[0]!.layout, { x: 0, y: 0, w: 8, h: 10 });
    await page.reload();
    const panels = page.locator('[data-test=panel]');
    await panels.nth(1).locator('[data-test=log-row]', { hasText: 'card declined' }).waitFor();
    assert.equal(await panels.count(), 2);
    assert.match(await panels.nth(0).innerText(), /Span rate by service/);
    await panels.nth(0).locator('canvas').waitFor();
    await screenshot(page, 'dashboard');
    // Live mode: the server pushes fresh renders; a new warning shows up in the logs panel.
    await page.goto(`${page.url().split('?')[0]}?live=10`);
    await panels.nth(1).locator('[data-test=log-row]').first().waitFor();
    const warning = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  severityNumber: 13,
                  body: { stringValue: 'pushed by live mode' },
                },
              ],
            },
          ],
        },
      ],
    };
    await sendOtlp(rig.server.otlpHttpUrl, 'logs', API_KEY, warning);
    await panels.nth(1).locator('[data-test=log-row]', { hasText: 'pushed by live mode' }).waitFor({ timeout: 25_000 });

    // Export JSON, then import it as a new dashboard: the same definition comes back.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { title: string; panels: unknown[] };
    assert.equal(exported.title, 'E2E board');
    assert.equal(exported.panels.length, 2);
    await page.goto(`${base}/dashboards`);
    await page.getByRole('button', { name: 'Import JSON' }).click();
    await page
      .locator('textarea[name=dashboard-json]')
      .fill(JSON.stringify({ ...exported, title: 'E2E board (imported)' }));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('[data-test=dashboard-title]', { hasText: 'E2E board (imported)' }).waitFor();
    assert.equal(await page.locator('[data-test=panel]').count(), 2);

    // Versions: restoring version 1 (no panels yet) saves it again as version 3.
    await page.goto(`${base}/dashboards/${id}`);
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.locator('.n-list-item', { hasText: 'v1 ·' }).getByRole('button', { name: 'Restore' }).click();
    await page.getByText('Version 1 restored as version 3').waitFor();
    assert.equal(await page.locator('[data-test=panel]').count(), 0);
  });

  test('settings: retention is shown and saved', async () => {
    await page.goto(`${base}/settings?tab=retention`);
    const logsRaw = page.locator('[data-test=retention] tbody tr').nth(1).locator('input').first();
    await logsRaw.fill('7');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByText('Retention saved').waitFor();
    const retention = await apiGet<{ logs: { rawDays: number } }>(base, '/retention');
    assert.equal(retention.logs.rawDays, 7);
    await screenshot(page, 'settings');
  });

  test('settings: the audit log lists the retention change by the admin; a filter by action keeps only such events', async () => {
    await page.goto(`${base}/settings?tab=audit`);
    await page.getByPlaceholder('action (dashboard.update)').fill('retention.update');
    const rows = page.locator('[data-test=audit-events] tbody tr', { hasText: 'retention.update' });
    // The relay moves events to ClickHouse within about a second.
    await eventually('the retention change in the audit log', async () => {
      await page.locator('[data-test=audit-search]').click();
      await page.waitForTimeout(200);
      return (await rows.count()) > 0 ? true : undefined;
    });
    const texts = await page.locator('[data-test=audit-events] tbody tr').allInnerTexts();
    assert.ok(
      texts.every((t) => t.includes('retention.update')),
      texts.join('\n'),
    );
    assert.match(texts[0]!, new RegExp(`${ADMIN_EMAIL}[\\s\\S]*success 200`));
    await screenshot(page, 'audit-log');
  });

  test('an API error is shown with its request id; the dark theme sticks across reloads', async () => {
    await page.goto(`${base}/traces/not-a-trace-id`);
    const id = await page.locator('[data-test=request-id]').innerText();
    assert.match(id, /^[0-9a-f-]{36}$/);
    await page.locator('[data-test=theme-toggle]').click();
    const theme = await page.evaluate(() => localStorage.getItem('tf.theme'));
    await page.reload();
    await page.locator('[data-test=error]').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('tf.theme')), theme);
    await screenshot(page, `error-${theme}`);
  });

  test('settings: an API key is created (its secret shown once) and revoked', async () => {
    await page.goto(`${base}/settings`);
    await page.locator('input[name=key-name]').fill('e2e-collector');
    await page.locator('[data-test=create-key]').click();
    const secret = await page.locator('[data-test=created-secret]').innerText();
    assert.match(secret, /^tf_/);
    // The new key works for ingest.
    await sendOtlp(rig.server.otlpHttpUrl, 'logs', secret, logsRequest('via-new-key', trace, Date.now()));
    await page.locator('[data-test=api-keys]', { hasText: 'e2e-collector' }).waitFor();
    await screenshot(page, 'api-keys');
    await page.locator('[data-test=revoke-e2e-collector]').click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await eventually('the key to leave the list', async () =>
      (await page.locator('[data-test=api-keys]', { hasText: 'e2e-collector' }).count()) === 0 ? true : undefined,
    );
    await assert.rejects(
      sendOtlp(rig.server.otlpHttpUrl, 'logs', secret, logsRequest('via-new-key', trace, Date.now())),
      /401/,
    );
  });

  test('the tenant switcher shows another tenant, empty, with the OTLP set-up instructions', async () => {
    const res = await fetch(`${base}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await adminToken(base)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Staging' }),
    });
    assert.equal(res.status, 201);
    await page.goto(`${base}/services`);
    await page.locator('[data-test=service-link]', { hasText: SERVICE }).waitFor();
    await page.locator('[data-test=tenant-switcher]').click();
    await page.getByText('Staging (owner)').click();
    await page.locator('[data-test=empty-state]').waitFor();
    assert.match(await page.locator('[data-test=empty-state]').innerText(), /OTEL_EXPORTER_OTLP_ENDPOINT/);
    await screenshot(page, 'empty-tenant');
  });

  test('an API key signs in too', async () => {
    const keyContext = await rig.browser.newContext();
    const p = await keyContext.newPage();
    const keyErrors = watchErrors(p);
    await p.goto(`${base}/logs`);
    await p.getByText('API key', { exact: true }).click();
    await p.locator('input[name=api-key]').fill(API_KEY);
    await p.locator('[data-test=sign-in-key]').click();
    await p.waitForURL((u) => u.pathname === '/logs');
    await p.locator('[data-test=log-row]').first().waitFor();
    await keyContext.close();
    assert.deepEqual(keyErrors, []);
  });

  test('the browser logged no errors, and the content security policy blocked nothing', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(cspViolations, []);
  });
});
