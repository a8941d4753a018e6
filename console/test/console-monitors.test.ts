// Uptime monitors in a real browser against the real all-in-one (probe role included): an HTTP
// monitor built in the form checks a server this test starts, goes up, goes down once the
// server is off (opening an incident on the status-page component bound to it), and its page
// shows the response-time chart, the uptime bars, the check log and the incident.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { AlertRuleDto } from '@telemetryflow/contract';
import type { MonitorDto } from '@telemetryflow/contract/monitors';
import type { BrowserContext, Page } from 'playwright-core';
import {
  API_KEY,
  apiGet,
  eventually,
  pick,
  screenshot,
  signIn,
  startRig,
  watchErrors,
  type Rig,
} from './browser-rig.js';

/** The monitored site: a health endpoint on 127.0.0.1 (allow-listed by the rig's TF_ALERTING_ALLOWED_CIDRS). */
async function startSite(): Promise<{ url: string; hits: () => number; stop(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    hits: () => hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('console monitors in Chromium', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let site: Awaited<ReturnType<typeof startSite>>;
  let monitorId: string;

  /** Presses the page's Refresh, as a person waiting for the next check would, until `check` holds. */
  async function refreshUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    await eventually(
      what,
      async () => {
        await page.getByRole('button', { name: 'Refresh', exact: true }).click();
        await page.waitForTimeout(300);
        return (await check()) ? true : undefined;
      },
      timeoutMs,
    );
  }
  const stateIs = (state: string) => async () =>
    (await page.locator('.page-header [data-test=monitor-state]').innerText()).trim() === state;

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    site = await startSite();
    context = await rig.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    errors = watchErrors(page);
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
    await site?.stop().catch(() => undefined);
  });

  test('an HTTP monitor built in the form goes up, then down when its server is off', async () => {
    await page.locator('[data-test=nav-monitors]').click();
    await page.locator('[data-test=no-monitors]').waitFor();
    await page.locator('[data-test=new-monitor]').click();

    // A wrong URL and a too-short interval are named on their fields by the shared schema.
    await page.locator('input[name=monitor-name]').fill('Health endpoint');
    await page.locator('input[name=monitor-url]').fill('ftp://127.0.0.1/health');
    await page.locator('input[name=monitor-interval]').fill('5s');
    await page.locator('[data-test=monitor-save]').click();
    await page.locator('[data-test=monitor-invalid]').waitFor();
    const feedback = async (label: string) =>
      page
        .locator('[data-test=monitor-form] .n-form-item', { has: page.getByText(label, { exact: true }) })
        .locator('.n-form-item-feedback__line')
        .allInnerTexts();
    assert.deepEqual(await feedback('URL'), ['an http or https URL']);
    assert.deepEqual(await feedback('Check every'), ['interval must be between 10s and 86400s']);
    await screenshot(page, 'monitor-form-errors');

    await page.locator('input[name=monitor-url]').fill(site.url);
    await page.locator('input[name=monitor-interval]').fill('10s');
    await page.locator('input[name=monitor-timeout]').fill('2s');
    await page.locator('input[name=monitor-keyword]').fill('ok');
    await page.locator('input[name=monitor-json-path]').fill('$.status');
    await page.locator('input[name=monitor-json-value]').fill('ok');
    // The marks go as the fields are put right (after their fade-out).
    await page
      .locator('[data-test=monitor-form] .n-form-item-feedback__line')
      .first()
      .waitFor({ state: 'detached', timeout: 2000 });
    await page.locator('[data-test=monitor-save]').click();
    await page.waitForURL((u) => /^\/monitors\/[0-9a-f-]{36}$/.test(u.pathname));
    monitorId = new URL(page.url()).pathname.split('/').pop()!;

    const saved = await apiGet<MonitorDto>(base, `/monitors/${monitorId}`);
    assert.deepEqual(saved.config, {
      name: 'Health endpoint',
      interval: '10s',
      timeout: '2s',
      retries: 0,
      check: {
        kind: 'http',
        url: site.url,
        method: 'GET',
        headers: {},
        maxRedirects: 5,
        ignoreTlsErrors: false,
        acceptedStatus: ['200-299'],
        keyword: { value: 'ok', present: true, caseSensitive: true },
        jsonPath: { path: '$.status', op: '==', value: 'ok' },
      },
    });
    assert.equal(
      await page.locator('[data-test=monitor-summary]').getByText(`GET ${site.url}`).count(),
      1,
      'the target is shown',
    );

    await refreshUntil('the monitor to be up', stateIs('up'), 20_000);
    assert.ok(site.hits() >= 1, 'the probe called the site');

    // An alert rule on the monitor, from its page: the rule form opens filled in for "down".
    await page.locator('[data-test=monitor-new-rule]').click();
    assert.equal(await page.locator('input[name=rule-name]').inputValue(), 'Health endpoint is down');
    await page.locator('[data-test=rule-save]').click();
    await page.locator('[data-test=monitor-rules]', { hasText: 'down for 1m' }).waitFor();
    const [rule] = await apiGet<AlertRuleDto[]>(base, '/alert-rules');
    assert.deepEqual(rule!.condition, { kind: 'monitor', monitorId, check: 'down', window: '5m' });

    // The list shows it up, with its uptime over the range.
    await page.locator('a', { hasText: 'Monitors' }).first().click();
    await page.locator('[data-test=monitors-table]', { hasText: 'Health endpoint' }).waitFor();
    assert.equal(await page.locator('[data-test=monitors-table] [data-test=monitor-state]').innerText(), 'up');
    await page.locator('[data-test=monitors-table] [data-test=monitor-uptime]', { hasText: '100.0%' }).waitFor();
    await page.locator('[data-test=state-filter]').getByText(/^down/).click();
    await page.locator('[data-test=monitors-table]', { hasText: 'No Data' }).waitFor();
    await page.locator('[data-test=state-filter]').getByText(/^up/).click();
    await page.locator('[data-test=monitors-table]', { hasText: 'Health endpoint' }).waitFor();
    await screenshot(page, 'monitors');

    // A status-page component bound to the monitor in the component form: outages open incidents there.
    const created = await fetch(`${base}/api/v1/status-pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'shop', title: 'Shop status' }),
    });
    assert.ok(created.ok, `status page: ${created.status}`);
    const statusPage = ((await created.json()) as { data: { id: string } }).data;
    await page.goto(`${base}/status-pages/${statusPage.id}`);
    await page.locator('[data-test=add-component]').click();
    await page.locator('input[name=component-name]').fill('Shop API');
    await pick(page, '[data-test=component-monitor]', 'Health endpoint');
    await page.locator('[data-test=save-component]').click();
    await page.locator('[data-test=components]', { hasText: 'monitor: Health endpoint' }).waitFor();

    // The site goes away: the next check (retries 0) makes the monitor down, with the reason.
    await site.stop();
    await page.goto(`${base}/monitors/${monitorId}`);
    await refreshUntil('the monitor to be down', stateIs('down'), 30_000);
    // The state changes with the check; its result is written a moment later.
    await refreshUntil(
      'the failed check to be the last',
      async () => (await page.locator('[data-test=last-error]').count()) === 1,
      5_000,
    );
    assert.equal(await page.locator('[data-test=last-error]').innerText(), 'connection refused');
  });

  test("the monitor's page shows the response-time chart, uptime bars and check log", async () => {
    await page.locator('[data-test=response-time-chart] canvas').waitFor();
    await page.locator('[data-test=uptime-bars] canvas').waitFor();
    const rows = page.locator('[data-test=check-log] tbody tr');
    await eventually('the check log to hold the up and the down check', async () =>
      (await rows.count()) >= 2 ? true : undefined,
    );
    const log = await rows.evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '')),
    );
    // Newest first: time, location, result, response time, status, error, certificate.
    const [newest] = log;
    const oldest = log[log.length - 1]!;
    assert.deepEqual([newest![1], newest![2], newest![4], newest![5]], ['local', 'down', '–', 'connection refused']);
    assert.deepEqual([oldest[1], oldest[2], oldest[4], oldest[5], oldest[6]], ['local', 'up', '200', '–', '–']);
    assert.match(oldest[3]!, /^\d+(\.\d+)? (ms|µs)$/);
    assert.match(await page.locator('[data-test=range-uptime]').innerText(), /^\d+(\.\d+)?%$/);
    // The outage opened an incident on the bound component, still open.
    const incident = page.locator('[data-test=monitor-incidents] tbody tr');
    await incident.first().waitFor();
    assert.equal(await incident.count(), 1);
    assert.match(await incident.innerText(), /investigating\s+Shop API: major outage\s+Shop status · Shop API/);
    await page.waitForTimeout(800); // the charts' drawing animation, for the screenshot
    await screenshot(page, 'monitor');
  });

  test('pause, resume, edit and delete (with confirmation)', async () => {
    await page.locator('[data-test=pause-monitor]').click();
    await page.locator('.page-header [data-test=monitor-state]', { hasText: 'paused' }).waitFor();
    await page.locator('[data-test=pause-monitor]', { hasText: 'Resume' }).click();
    await page.locator('[data-test=pause-monitor]', { hasText: 'Pause' }).waitFor();
    assert.equal((await apiGet<MonitorDto>(base, `/monitors/${monitorId}`)).enabled, true);

    await page.locator('[data-test=edit-monitor]').click();
    assert.equal(await page.locator('input[name=monitor-url]').inputValue(), site.url);
    await page.locator('input[name=monitor-name]').fill('Health (edited)');
    await page.locator('[data-test=monitor-save]').click();
    await page.locator('h2[data-test=monitor-name]', { hasText: 'Health (edited)' }).waitFor();
    assert.equal((await apiGet<MonitorDto>(base, `/monitors/${monitorId}`)).config.check.kind, 'http');

    await page.locator('[data-test=delete-monitor]').click();
    await page.locator('.n-popconfirm', { hasText: 'Delete the monitor "Health (edited)"' }).waitFor();
    await page.locator('.n-popconfirm').getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((u) => u.pathname === '/monitors');
    await page.locator('[data-test=no-monitors]').waitFor();
    assert.deepEqual(await apiGet<MonitorDto[]>(base, '/monitors'), []);
  });

  test('a heartbeat monitor built in the form shows its push URL, which a job can call', async () => {
    await page.locator('[data-test=new-monitor]').click();
    await page.locator('input[name=monitor-name]').fill('Nightly backup');
    await page.locator('[data-test=monitor-kind]').getByText('Heartbeat (push)').click();
    assert.equal(await page.locator('input[name=monitor-url]').count(), 0, 'no URL to check');
    await page.locator('input[name=monitor-interval]').fill('1d');
    await page.locator('input[name=monitor-grace]').fill('30m');
    await page.locator('[data-test=monitor-save]').click();
    await page.waitForURL((u) => /^\/monitors\/[0-9a-f-]{36}$/.test(u.pathname));
    const url = await page.locator('input[name=heartbeat-url]').inputValue();
    assert.match(url, new RegExp(`^${base}/api/v1/heartbeats/[\\w-]{16,}$`));
    assert.equal((await page.locator('.page-header [data-test=monitor-state]').innerText()).trim(), 'pending');

    const beat = await fetch(url, { method: 'POST' });
    assert.equal(beat.status, 202);
    // The probe reads the beat at the monitor's next run (a day here): the state is not waited for.
    await screenshot(page, 'monitor-heartbeat');
  });

  test('the browser logged no errors', () => {
    assert.deepEqual(errors, []);
  });
});
