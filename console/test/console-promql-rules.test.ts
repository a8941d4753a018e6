// What the server evaluates of PromQL, seen in a real browser against the real all-in-one: a
// dashboard's PromQL panel rendered with its legend, and the rule editor's PromQL condition (the
// PromQL editor, an optional threshold) previewed, saved and read back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AlertRuleDto, DashboardDto } from '@telemetryflow/contract';
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

const TRACE: SentTrace = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanIds: ['eee19b7ec3c1b174'],
  rootName: 'GET /',
};

describe('PromQL panels and alert rules in the console (Chromium)', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let cspViolations: string[];
  /** METRIC (`queue.depth`) under its Prometheus name. */
  let promName: string;

  const editor = () => page.locator('[data-test=promql-editor] .cm-content').first();

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
    errors = watchErrors(page);
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('dashboards: a PromQL panel renders through the dashboard render, its series named by the legend', async () => {
    const res = await fetch(`${base}/api/v1/dashboards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'PromQL render',
        panels: [
          {
            type: 'table',
            title: 'Queue depth',
            layout: { x: 0, y: 0, w: 12, h: 6 },
            query: { signal: 'promql', expr: `max by (host) (${promName})`, legend: 'host {{host}}' },
          },
        ],
      }),
    });
    assert.equal(res.status, 201);
    const { data: dashboard } = (await res.json()) as { data: DashboardDto };
    await page.goto(`${base}/dashboards/${dashboard.id}`);
    const panel = page.locator('[data-test=panel]', { hasText: 'Queue depth' });
    await panel.getByText('host h2').waitFor();
    assert.equal(await panel.locator('.panel-error').count(), 0);
    assert.match(await panel.innerText(), /host h1\s+1[0-4]/);
  });

  test('alerts: a rule on a PromQL expression with a threshold is previewed, saved and read back', async () => {
    await page.goto(`${base}/alerts`);
    await page.locator('[data-test=new-rule]').click();
    await page.locator('input[name=rule-name]').fill('queue deep (PromQL)');
    await page.locator('[data-test=rule-kind]').getByText('PromQL').click();
    // The expression groups: no "one alert per" choice, and no window.
    assert.equal(await page.locator('[data-test=rule-group-by]').count(), 0);
    assert.equal(await page.locator('input[name=rule-window]').count(), 0);
    await editor().click();
    await page.keyboard.type(`max by (host) (${promName}`);
    await page.locator('[data-test=rule-promql-threshold]').click();
    await page.locator('input[name=rule-threshold]').fill('15');
    // The preview replays the rule over the page's range: host h2 (values 20–24) is above 15.
    await page.locator('[data-test=preview-summary]', { hasText: 'evaluations' }).waitFor();
    await page.locator('[data-test=rule-preview-chart] canvas').waitFor();
    await page.waitForTimeout(1000); // the chart's drawing animation, for the screenshot
    await screenshot(page, 'promql-alert-rule');
    await page.locator('[data-test=rule-save]').click();
    await page.locator('[data-test=rules-table]', { hasText: 'queue deep (PromQL)' }).waitFor();

    const [rule] = await apiGet<AlertRuleDto[]>(base, '/alert-rules');
    assert.deepEqual(rule!.condition, {
      kind: 'promql',
      query: `max by (host) (${promName})`,
      threshold: { op: 'above', value: 15 },
    });
    assert.deepEqual(rule!.groupBy, []);
    // Opening it again shows the expression in the editor.
    await page.locator('[data-test=rules-table]').getByText('queue deep (PromQL)').click();
    await editor().waitFor();
    assert.equal(await editor().innerText(), `max by (host) (${promName})`);
    assert.equal(await page.locator('input[name=rule-threshold]').inputValue(), '15');
  });

  test('no console errors or CSP violations on the way', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(cspViolations, []);
  });
});
