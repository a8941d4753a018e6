// The numbers an SRE reads in the console, checked against the query API for the same range:
// dashboard stats, the log histogram, time zones and the time range shared by every page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  DashboardSummaryDto,
  LogDto,
  MetricDto,
  QueryRequest,
  QueryResult,
  TraceSummaryDto,
} from '@telemetryflow/contract';
import type { BrowserContext, Page } from 'playwright-core';
import {
  adminToken,
  API_KEY,
  apiGet,
  eventually,
  pick,
  screenshot,
  sendTelemetry,
  signIn,
  startRig,
  watchErrors,
  SERVICE,
  type Rig,
} from './browser-rig.js';
import { sendOtlp, traceRequest, type SentTrace } from './otlp-fixtures.js';

/** A service of 100 requests over the last 40 minutes: 7 fail; every one takes 400 ms. */
const SHOP = 'shop';
const SHOP_REQUESTS = 100;
const SHOP_FAILED = 7;
const YEAR_MS = 31_536_000_000;

async function apiQuery(base: string, body: QueryRequest): Promise<QueryResult> {
  const res = await fetch(`${base}/api/v1/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`query: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { data: QueryResult }).data;
}

describe('console numbers in Chromium', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let trace: SentTrace;
  const now = Date.now();
  // One bucket of a one-year step of the query API holds the whole range.
  const from = Math.max(now - 3_600_000, Math.floor(now / YEAR_MS) * YEAR_MS);
  const to = now + 60_000;

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    trace = await sendTelemetry(rig);
    const resourceSpans = Array.from({ length: SHOP_REQUESTS }, (_, i) => {
      // A one-span trace is a failing server root; two spans, a root that succeeded.
      const failed = i % 14 === 0 && i < 14 * SHOP_FAILED;
      const { body } = traceRequest(SHOP, 'db', failed ? 1 : 2, now - 40 * 60_000 + i * 24_000);
      return (body as { resourceSpans: unknown[] }).resourceSpans;
    }).flat();
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, { resourceSpans });
    await eventually('the shop traces to be queryable', async () =>
      (await apiGet<TraceSummaryDto[]>(base, `/traces?service=${SHOP}&limit=1000&from=${from}&to=${to}`)).length ===
      SHOP_REQUESTS
        ? true
        : undefined,
    );
    // Not the browser's zone: local time and UTC differ on every chart and list.
    context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'Asia/Kolkata' });
    page = await context.newPage();
    // The status page test opens an unknown slug on purpose: its 404 is the answer under test.
    errors = watchErrors(page, (msg) => msg.location().url.endsWith('/status/no-such-page'));
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('Service overview: its stats equal the query API over the same range, in their units', async () => {
    const shop = [{ label: 'service', op: '=' as const, value: SHOP }];
    const api = async (measure: 'count' | 'error_rate' | 'p95' | 'p99') => {
      const r = await apiQuery(base, {
        query: { signal: 'spans', measure, spans: 'entry', filters: shop },
        from,
        to,
        step: YEAR_MS / 1000,
      });
      const values = r.series.flatMap((s) => s.points.map((p) => p[1]).filter((v) => v !== null));
      assert.equal(values.length, 1, `${measure}: one value over the range`);
      return values[0]!;
    };
    assert.equal(await api('count'), SHOP_REQUESTS);
    assert.equal(await api('error_rate'), SHOP_FAILED / SHOP_REQUESTS);
    // Quantiles are estimated (t-digest): within 1% of the 400 ms every request took.
    const p95 = await api('p95');
    const p99 = await api('p99');
    for (const q of [p95, p99]) assert.ok(Math.abs(q - 400) < 4, `quantile ${q}`);
    const ms = (v: number) => `${Number(v.toPrecision(4))} ms`;

    const dashboards = await apiGet<DashboardSummaryDto[]>(base, '/dashboards');
    const overview = dashboards.find((d) => d.title === 'Service overview');
    assert.ok(overview);
    await page.goto(`${base}/dashboards/${overview.id}?var-service=${SHOP}&from=${from}&to=${to}`);
    const stat = (title: string) =>
      page.locator('[data-test=panel]', { hasText: title }).locator('[data-test=stat-value]');
    await eventually('the stats', async () =>
      (await stat('Requests').textContent())?.trim() === '100' ? true : undefined,
    );
    assert.equal((await stat('Error rate').textContent())?.trim(), '7.00%');
    assert.equal((await stat('p99 latency').textContent())?.trim(), ms(p99));
    // Past the 5% threshold the error rate turns red.
    assert.equal(await stat('Error rate').evaluate((el) => getComputedStyle(el).color), 'rgb(208, 48, 80)');
    // The gauge's number is on a canvas; its chart label carries the same text.
    const gauge = page.locator('[data-test=panel]', { hasText: 'p95 latency' }).locator('[aria-label]').first();
    const label = (await gauge.getAttribute('aria-label')) ?? '';
    assert.ok(label.includes(ms(p95)), label);
    for (const title of ['Latency p50 by service', 'Latency p95 by service'])
      await page.locator('[data-test=panel]', { hasText: title }).locator('canvas').first().waitFor();
    assert.equal(await page.locator('[data-test=panel] .panel-error').count(), 0);
    await page.waitForTimeout(800); // the charts' drawing animation, for the screenshot
    await screenshot(page, 'numbers-service-overview');

    await page.goto(`${base}/dashboards`);
    const row = page.locator('tr', { hasText: 'Service overview' });
    await row.waitFor();
    assert.equal(await row.locator('.n-tag', { hasText: 'built-in' }).count(), 1, 'the built-in tag shows once');
    assert.deepEqual(errors, []);
  });

  test('the log histogram charts exactly the search the list shows: text, severity and trace id', async () => {
    const count = page.locator('[data-test=log-count]');
    const expect = async (query: string, n: number) => {
      await page.goto(`${base}/logs?service=${SERVICE}${query}`);
      await page.locator('[data-test=log-row]').first().waitFor();
      await eventually(`${query}: ${n} of ${n}`, async () =>
        (await count.textContent())?.includes(`${n} records shown of ${n} matching`) ? true : undefined,
      );
      assert.equal(await page.locator('[data-test=log-row]').count(), n);
    };
    await expect('', 3);
    await expect('&q=declined', 1);
    await expect('&minSeverity=WARN', 2);
    await expect(`&traceId=${trace.traceId}`, 1);
    await page.waitForTimeout(500); // the chart's drawing animation, for the screenshot
    await screenshot(page, 'numbers-log-histogram');
    assert.deepEqual(errors, []);
  });

  test('one time zone for lists and charts: local by default, UTC when chosen, 24-hour', async () => {
    const logs = await apiGet<LogDto[]>(base, `/logs?service=${SERVICE}&minSeverity=ERROR`);
    const ms = Number(BigInt(logs[0]!.timeUnixNano) / 1_000_000n);
    const iso = (t: number) => new Date(t).toISOString().replace('T', ' ');
    // Asia/Kolkata is UTC+05:30 all year.
    const local = iso(ms + 5.5 * 3_600_000).replace('Z', '');
    const utc = iso(ms);
    await page.goto(`${base}/logs?service=${SERVICE}&minSeverity=ERROR`);
    const time = page.locator('[data-test=log-row] .time').first();
    await eventually('local time', async () => ((await time.textContent()) === local ? true : undefined));
    await pick(page, '[data-test=time-zone]', 'UTC');
    await eventually('UTC', async () => ((await time.textContent()) === utc ? true : undefined));
    await page.waitForTimeout(500);
    await screenshot(page, 'numbers-time-zone-utc');
    // The choice is kept in this browser.
    await page.reload();
    await eventually('UTC after a reload', async () => ((await time.textContent()) === utc ? true : undefined));
    // A custom range's picker shows the same zone as the lists.
    const from = Math.floor(ms / 1000) * 1000 - 60_000;
    await page.goto(`${base}/logs?service=${SERVICE}&minSeverity=ERROR&from=${from}&to=${from + 120_000}`);
    await eventually('UTC in the picker', async () =>
      (await page.locator('[data-test=custom-range] input').first().inputValue()) === iso(from).slice(0, 19)
        ? true
        : undefined,
    );
    await pick(page, '[data-test=time-zone]', 'Local time');
    await eventually('local time again', async () => ((await time.textContent()) === local ? true : undefined));
    assert.deepEqual(errors, []);
  });

  test('one time range for the whole console: it survives the sidebar, and a drag across a chart sets it', async () => {
    await page.goto(`${base}/logs`);
    await pick(page, '[data-test=range]', 'Last 6 hours');
    await page.waitForURL((u) => u.searchParams.get('range') === '6h');
    for (const section of ['traces', 'services', 'metrics', 'dashboards', 'logs']) {
      await page.locator(`[data-test=nav-${section}]`).click();
      await page.waitForURL((u) => u.pathname === `/${section}`);
      assert.equal(new URL(page.url()).searchParams.get('range'), '6h', section);
    }
    await page.locator('[data-test=range]', { hasText: 'Last 6 hours' }).waitFor();

    // Drag across the service's request chart: the range becomes the dragged span, and stays.
    await page.goto(`${base}/services/${SHOP}?range=1h`);
    const chart = page.locator('.n-card', { hasText: 'Requests' }).locator('[data-zoom]');
    await chart.locator('canvas').first().waitFor();
    // The series arrive after the chart is drawn empty; a redraw mid-drag would drop the drag.
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL((u) => u.searchParams.has('from') && u.searchParams.has('to'));
    const zoomed = new URL(page.url()).searchParams;
    const span = Number(zoomed.get('to')) - Number(zoomed.get('from'));
    assert.ok(span > 5 * 60_000 && span < 20 * 60_000, `about a fifth of the hour: ${span} ms`);
    await page.locator('[data-test=range]', { hasText: 'Custom range' }).waitFor();
    await page.locator('[data-test=nav-traces]').click();
    await page.waitForURL((u) => u.pathname === '/traces');
    assert.equal(new URL(page.url()).searchParams.get('from'), zoomed.get('from'));
    assert.equal(new URL(page.url()).searchParams.get('to'), zoomed.get('to'));
    await screenshot(page, 'numbers-range-carried');
    assert.deepEqual(errors, []);
  });

  test('metrics: values in the metric unit on axis and tooltip, rounded; short legends; the toolbar fits 1440 px', async () => {
    // A gauge in milliseconds on three hosts, one point a minute, values with long fractions.
    const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const dataPoints = ['h1', 'h2', 'h3'].flatMap((host, h) =>
      Array.from({ length: 10 }, (_, i) => ({
        attributes: [str('host', host), str('region', 'eu-1')],
        timeUnixNano: String(BigInt(now - (9 - i) * 60_000) * 1_000_000n),
        asDouble: 277 + 1 / 12 + h * 100 + i / 3,
      })),
    );
    await sendOtlp(rig.server.otlpHttpUrl, 'metrics', API_KEY, {
      resourceMetrics: [
        {
          resource: { attributes: [str('service.name', SHOP)] },
          scopeMetrics: [
            { scope: { name: 'e2e' }, metrics: [{ name: 'job.latency', unit: 'ms', gauge: { dataPoints } }] },
          ],
        },
      ],
    });
    await eventually('the metric', async () =>
      (await apiGet<MetricDto[]>(base, '/metrics')).some((m) => m.name === 'job.latency') ? true : undefined,
    );
    await page.goto(`${base}/metrics?metric=job.latency&agg=avg&groupBy=host,region&range=15m`);
    await page.locator('[data-test=series-count]', { hasText: '3 series' }).waitFor();
    const chart = page.locator('[data-test=metric-chart]');
    await chart.locator('canvas').first().waitFor();
    await page.waitForTimeout(800); // the drawing animation
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height * 0.5);
    const tooltip = await eventually('the tooltip', async () => {
      const text = await chart.innerText();
      return text.includes('host=h1') ? text : undefined;
    });
    // Legend names are the labels that differ (host), not {service.name="…", host="…", region="…"}.
    assert.doesNotMatch(tooltip, /region|service\.name|\{/);
    assert.match(tooltip, /host=h3\s+\d{3}(\.\d)? ms/);
    assert.doesNotMatch(tooltip, /\d\.\d{5,}/, 'values are rounded');
    await screenshot(page, 'numbers-metrics');
    // Nothing sticks out sideways at 1440 px.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page wider than the window by ${overflow} px`);
    const form = (await page.locator('form.toolbar').boundingBox())!;
    assert.ok(form.x + form.width <= 1440, `toolbar ends at ${form.x + form.width}`);
    assert.deepEqual(errors, []);
  });

  test('traces: the chart covers the whole range — a heatmap past one page — and a dragged rectangle filters the list', async () => {
    // 102 traces in the range, 100 on the first page: every one of them is on the heatmap.
    await page.goto(`${base}/traces?range=1h`);
    const note = page.locator('[data-test=trace-chart-note]');
    await note.filter({ hasText: 'All 102 traces of the range by start and duration' }).waitFor();
    const heat = page.locator('[data-test=trace-heatmap]');
    await heat.locator('canvas').first().waitFor();
    await page.waitForTimeout(500);
    const hb = (await heat.boundingBox())!;
    // The shop traces fill the last 40 minutes of the hour, in one duration band.
    await page.mouse.move(hb.x + hb.width * 0.8, hb.y + hb.height * 0.4);
    const tip = await eventually('the heatmap tooltip', async () => {
      const text = await heat.innerText();
      return /\d+ traces/.test(text) ? text : undefined;
    });
    assert.match(tip, /256 ms – 512 ms: \d+ traces/);
    assert.doesNotMatch(tip, /undefined/);
    await screenshot(page, 'numbers-trace-heatmap');

    // One service's 100 traces fit the list: dots; a rectangle over part of them lists just those.
    await page.goto(`${base}/traces?range=1h&service=${SHOP}`);
    await note.filter({ hasText: `All ${SHOP_REQUESTS} traces of the range;` }).waitFor();
    const dots = page.locator('[data-test=trace-scatter]');
    await dots.locator('canvas').first().waitFor();
    await page.waitForTimeout(500);
    const db = (await dots.boundingBox())!;
    await page.mouse.move(db.x + db.width * 0.55, db.y + db.height * 0.12);
    await page.mouse.down();
    await page.mouse.move(db.x + db.width * 0.8, db.y + db.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL((u) => u.searchParams.has('from') && u.searchParams.has('maxDurationMs'));
    const url = new URL(page.url());
    const [selFrom, selTo] = [Number(url.searchParams.get('from')), Number(url.searchParams.get('to'))];
    const listed = await eventually('the narrowed list', async () => {
      const text = await note.textContent();
      const m = /All (\d+) traces/.exec(text ?? '');
      const n = m ? Number(m[1]) : 0;
      return n > 0 && n < SHOP_REQUESTS ? n : undefined;
    });
    const rows = page.locator('[data-test=traces-table] tbody tr');
    await eventually('the rows', async () => ((await rows.count()) === listed ? true : undefined));
    const api = await apiGet<TraceSummaryDto[]>(
      base,
      `/traces?service=${SHOP}&limit=1000&from=${selFrom}&to=${selTo}&minDurationMs=${url.searchParams.get('minDurationMs')}&maxDurationMs=${url.searchParams.get('maxDurationMs')}`,
    );
    assert.equal(api.length, listed, 'the list is the search of the rectangle');
    await screenshot(page, 'numbers-trace-brushed');
    assert.deepEqual(errors, []);
  });

  test('status page: no data is not uptime, a degraded component never reads 100% uptime, an unknown slug is an HTML 404', async () => {
    const token = await adminToken(base);
    const post = async <T>(path: string, body: unknown): Promise<T> => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { data: T }).data;
    };
    const statusPage = await post<{ id: string }>('/status-pages', { slug: 'shop-status', title: 'Shop' });
    const checkout = await post<{ id: string }>(`/status-pages/${statusPage.id}/components`, { name: 'Checkout' });
    await post(`/status-pages/${statusPage.id}/components`, { name: 'Website' });
    await post(`/status-pages/${statusPage.id}/incidents`, {
      title: 'Slow checkout',
      impact: 'degraded',
      message: 'Looking into it',
      componentId: checkout.id,
    });
    await page.goto(`${base}/status/shop-status`);
    const legend = (name: string) =>
      page.locator('section.component', { hasText: name }).locator('[data-uptime]').textContent();
    // Created today: one day of data out of the 90 bars.
    assert.equal(await legend('Checkout'), 'Degraded performance now · no outage recorded over 1 day with data');
    assert.equal(await legend('Website'), '100% uptime over 1 day with data');
    assert.equal((await page.locator('body').innerText()).includes('100% uptime over 90'), false);
    await screenshot(page, 'numbers-status-page');

    const missing = await page.goto(`${base}/status/no-such-page`);
    assert.equal(missing?.status(), 404);
    assert.match(missing?.headers()['content-type'] ?? '', /^text\/html/);
    assert.equal(await page.locator('h1').textContent(), 'Status page not found');
    assert.deepEqual(errors, []);
  });

  test('one click between signals: a service row opens its traces and logs, a log row its trace; forms say what they take', async () => {
    await page.goto(`${base}/services?range=1h`);
    const row = page.locator('tr', { hasText: SERVICE }).filter({ has: page.locator('[data-test=service-traces]') });
    await row.locator('[data-test=service-traces]').click();
    await page.waitForURL((u) => u.pathname === '/traces' && u.searchParams.get('service') === SERVICE);
    await page.locator('[data-test=traces-table] [data-test=trace-link]').first().waitFor();
    await page.goto(`${base}/services?range=1h`);
    await page.locator('tr', { hasText: SERVICE }).locator('[data-test=service-logs]').click();
    await page.waitForURL((u) => u.pathname === '/logs' && u.searchParams.get('service') === SERVICE);
    // The error record carries its trace: one click, without expanding the row.
    const open = page.locator('[data-test=log-row] [data-test=log-open-trace]');
    await open.first().waitFor();
    assert.equal(await open.count(), 1, 'only the record with a trace id links one');
    await open.click();
    await page.waitForURL((u) => u.pathname === `/traces/${trace.traceId}`);

    // A duration in a shared link that is not a number is left out, never sent as NaN.
    const sent: string[] = [];
    page.on('request', (r) => sent.push(r.url()));
    await page.goto(`${base}/traces?minDurationMs=abc&service=${SERVICE}`);
    await page.locator('[data-test=traces-table] [data-test=trace-link]').first().waitFor();
    assert.ok(!sent.some((u) => u.includes('NaN')), sent.join('\n'));
    assert.equal(await page.locator('input[name=minDurationMs]').getAttribute('placeholder'), 'any');
    assert.equal(await page.getByPlaceholder('Please Input').count(), 0);
    assert.equal(await page.getByPlaceholder('Please Select').count(), 0);
    await screenshot(page, 'numbers-traces-form');
    assert.deepEqual(errors, []);
  });

  test('a dashboard can be deleted from the list, after a confirmation', async () => {
    const token = await adminToken(base);
    const res = await fetch(`${base}/api/v1/dashboards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Throwaway board', panels: [] }),
    });
    const { id } = ((await res.json()) as { data: { id: string } }).data;
    await page.goto(`${base}/dashboards`);
    const row = page.locator('tr', { hasText: 'Throwaway board' });
    await row.locator('[data-test=dashboard-delete]').click();
    await page.getByText('Delete “Throwaway board” and all its versions?').waitFor();
    await page.locator('.n-popconfirm').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    const gone = await fetch(`${base}/api/v1/dashboards/${id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(gone.status, 404);
    assert.deepEqual(errors, []);
  });
});
