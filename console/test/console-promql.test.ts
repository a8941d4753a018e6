// PromQL in the console, in a real browser against the real all-in-one: a metric sent over OTLP is
// found by completion in the metrics explorer's PromQL editor and charted; errors are Prometheus'
// own; a dashboard panel's query is written in PromQL (alert rules: console-promql-rules.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DashboardDto } from '@telemetryflow/contract';
import type { BrowserContext, Page } from 'playwright-core';
import {
  API_KEY,
  apiGet,
  eventually,
  METRIC,
  prometheusMetricNames,
  screenshot,
  SERVICE,
  signIn,
  startRig,
  watchCspViolations,
  watchErrors,
  type Rig,
} from './browser-rig.js';
import { metricsRequest, sendOtlp, type SentTrace } from './otlp-fixtures.js';

/** The trace the metric's exemplar points at (the explorer does not follow it here). */
const TRACE: SentTrace = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanIds: ['eee19b7ec3c1b174'],
  rootName: 'GET /',
};

describe('PromQL in the console (Chromium)', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let cspViolations: string[];
  /** METRIC (`queue.depth`) under its Prometheus name. */
  let promName: string;

  const editor = () => page.locator('[data-test=promql-editor] .cm-content').first();

  /** Replaces the editor's text by typing, as a person does (completion may open while typing). */
  async function typeQuery(text: string): Promise<void> {
    await editor().click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text);
  }

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    await sendOtlp(rig.server.otlpHttpUrl, 'metrics', API_KEY, metricsRequest(SERVICE, METRIC, Date.now(), 20, TRACE));
    promName = await eventually('the metric under its Prometheus name', async () =>
      (await prometheusMetricNames(base)).find((n) => n.startsWith('queue_depth')),
    );
    context = await rig.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    cspViolations = await watchCspViolations(context);
    page = await context.newPage();
    // The deliberate bad query below is answered 400 (bad_data), which the browser logs as a resource error.
    errors = watchErrors(
      page,
      (msg) => msg.text().includes('status of 400') && msg.location().url.includes('/prometheus/api/v1/query'),
    );
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('explorer: a metric name is completed in the PromQL editor, Enter runs the query and the chart shows a series per host', async () => {
    await page.goto(`${base}/metrics`);
    await page.locator('[data-test=explorer-mode]').getByText('PromQL').click();
    await page.waitForURL((u) => u.searchParams.get('mode') === 'promql');
    await editor().waitFor();
    // Brackets close themselves: typing `(` gives `()`, and typing `)` steps over the closing one.
    await typeQuery('max by (host) (queue_d');
    const completion = page.locator('.cm-tooltip-autocomplete');
    await completion.getByText(promName, { exact: true }).waitFor();
    // CodeMirror ignores Enter on a list shown less than 75 ms ago (a keystroke meant for what was there before).
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter'); // accepts the completion, does not run
    assert.equal(await editor().innerText(), `max by (host) (${promName})`);
    assert.equal(await page.locator('[data-test=promql-chart]').count(), 0, 'nothing ran yet');
    await page.keyboard.press('Enter'); // runs
    await page.waitForURL((u) => u.searchParams.get('expr') === `max by (host) (${promName})`);
    await page.locator('[data-test=promql-chart] canvas').waitFor();
    await page.locator('[data-test=series-count]', { hasText: /^2 series · step \d+[smh]$/ }).waitFor();
    await page.waitForTimeout(1000); // the chart's drawing animation, for the screenshot
    await screenshot(page, 'promql-explorer');

    // The table view evaluates once, at the range's end; the legend names the series.
    await page.locator('input[name=promql-legend]').fill('host {{host}}');
    await page.locator('input[name=promql-legend]').press('Enter');
    await page.getByText('Table (at the range').click();
    await page.locator('[data-test=series-count]', { hasText: 'vector · 2 rows' }).waitFor();
    const table = await page.locator('[data-test=promql-table]').innerText();
    assert.match(table, /host h1\s+1[0-4]\b/);
    assert.match(table, /host h2\s+2[0-4]\b/);

    // The state is in the URL: a reload shows the same.
    await page.reload();
    await page.locator('[data-test=series-count]', { hasText: 'vector · 2 rows' }).waitFor();
    assert.equal(await editor().innerText(), `max by (host) (${promName})`);
    assert.equal(await page.locator('input[name=promql-legend]').inputValue(), 'host {{host}}');
  });

  test('explorer: the editor underlines a syntax error, and Prometheus’ error message shows in place', async () => {
    await page.goto(`${base}/metrics?mode=promql`);
    await editor().waitFor();
    await typeQuery('sum(');
    await page.keyboard.press('Delete'); // the `)` that closed itself: the expression is now incomplete
    await page.locator('.cm-lintRange-error').first().waitFor();
    // Shift+Enter adds a line rather than running.
    await page.keyboard.press('Shift+Enter');
    assert.equal(await page.locator('[data-test=promql-editor] .cm-line').count(), 2);
    await typeQuery(`rate(${promName})`);
    await page.locator('[data-test=promql-run]').click();
    const error = page.locator('[data-test=error]');
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /expected type range vector in call to function "rate", got instant vector/);
    assert.match(text, /400 bad_data/);
    assert.equal(await page.locator('[data-test=promql-chart]').count(), 0, 'no chart of a failed query');
    // A valid query that matches nothing says so, and the error is gone.
    await typeQuery(`${promName} > 1000`);
    await page.locator('[data-test=promql-run]').click();
    await page.locator('[data-test=promql-empty]').waitFor();
    assert.equal(await error.count(), 0);
  });

  test('dashboards: a series panel written in PromQL previews, and is saved as {signal: promql, expr, legend}', async () => {
    await page.goto(`${base}/dashboards`);
    await page.locator('input[name=dashboard-title]').fill('PromQL board');
    await page.locator('[data-test=create-dashboard]').click();
    await page.waitForURL((u) => u.pathname.startsWith('/dashboards/'));
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator('[data-test=dashboard-edit]').click();
    await page.locator('[data-test=add-panel]').click();
    await page.locator('input[name=panel-title]').fill('Queue depth by host');
    await page.locator('[data-test=panel-query-language]').getByText('PromQL').click();
    // An empty expression cannot be applied.
    assert.equal(await page.locator('[data-test=panel-apply]').isDisabled(), true);
    await editor().click();
    await page.keyboard.type(`avg by (host) (${promName}`);
    await page.locator('input[name=panel-legend]').fill('{{host}}');
    // Leaving the editor closes its completion list, even one whose names arrive afterwards.
    await page.locator('.cm-tooltip-autocomplete').waitFor({ state: 'detached' });
    await page.locator('[data-test=panel-preview] canvas').waitFor();
    await page.locator('[data-test=panel-preview-series]', { hasText: 'Preview: 2 series' }).waitFor();
    await page.waitForTimeout(1000); // the chart's drawing animation, for the screenshot
    await screenshot(page, 'promql-panel-editor');
    await page.locator('[data-test=panel-apply]').click();
    await page.locator('[data-test=panel-form]').waitFor({ state: 'detached' });
    await page.locator('[data-test=dashboard-save]').click();
    await page.getByText('Saved as version 2').waitFor();

    const saved = await apiGet<DashboardDto>(base, `/dashboards/${id}`);
    assert.deepEqual(
      saved.panels.map((p) => [p.title, p.query]),
      [['Queue depth by host', { signal: 'promql', expr: `avg by (host) (${promName})`, legend: '{{host}}' }]],
    );
  });

  test('no console errors or CSP violations on the way', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(cspViolations, []);
  });
});
