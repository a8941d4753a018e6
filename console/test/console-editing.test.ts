// The console's editors in a real browser against the real all-in-one: alert rules, panel
// queries and variables built in forms, status pages with incidents, silences, channels,
// members and invitations, and the traces scatter chart.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { AlertRuleDto, ChannelDto, DashboardDto, MemberDto, SilenceDto } from '@telemetryflow/contract';
import type { BrowserContext, Page } from 'playwright-core';
import {
  adminToken,
  apiGet,
  eventually,
  METRIC,
  pick,
  screenshot,
  sendTelemetry,
  SERVICE,
  signIn,
  SPANS,
  startRig,
  watchCspViolations,
  watchErrors,
  type Rig,
} from './browser-rig.js';
import type { SentTrace } from './otlp-fixtures.js';

/** A webhook receiver on this machine: what the channel test delivers. */
async function startReceiver(): Promise<{
  url: string;
  received: { headers: IncomingHttpHeaders; body: unknown }[];
  server: Server;
}> {
  const received: { headers: IncomingHttpHeaders; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as unknown });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

describe('console editors in Chromium', () => {
  let rig: Rig;
  let base: string;
  let trace: SentTrace;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let cspViolations: string[];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  /** A request as the signed-in admin user, from a login of its own (member management needs a user, not a key). */
  async function asUser<T>(path: string): Promise<T> {
    const res = await fetch(`${base}/api/v1${path}`, {
      headers: { authorization: `Bearer ${await adminToken(base)}` },
    });
    assert.equal(res.status, 200, path);
    return ((await res.json()) as { data: T }).data;
  }

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    receiver = await startReceiver();
    trace = await sendTelemetry(rig);
    context = await rig.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    cspViolations = await watchCspViolations(context);
    page = await context.newPage();
    errors = watchErrors(page);
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
    receiver?.server.close();
  });

  test('channels: a webhook channel is added and "Send test" reaches the receiver', async () => {
    await page.goto(`${base}/alerts?tab=channels`);
    await page.locator('input[name=channel-name]').fill('e2e-hook');
    await page.locator('input[name=channel-url]').fill(receiver.url);
    await page.locator('input[name=channel-secret]').fill('a-signing-secret-of-24ch');
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.locator('[data-test=send-test-e2e-hook]').click();
    await page.getByText(/Test delivered to e2e-hook \(HTTP 200\)/).waitFor();
    assert.equal(receiver.received.length, 1);
    assert.ok(receiver.received[0]!.headers['content-type']?.startsWith('application/json'));
    await screenshot(page, 'alert-channels');
  });

  test('channels: an Opsgenie channel names its missing key under the field, then is added with the EU region', async () => {
    await page.goto(`${base}/alerts?tab=channels`);
    await pick(page, '[data-test=channel-type]', 'Opsgenie');
    await page.locator('input[name=channel-name]').fill('e2e-opsgenie');
    await page.getByRole('button', { name: 'Add channel' }).click();
    const feedback = page.locator('.n-form-item-feedback__line');
    await feedback.first().waitFor();
    assert.equal(await feedback.count(), 1, (await feedback.allInnerTexts()).join(' | '));
    await page.locator('input[name=channel-api-key]').fill('an-opsgenie-api-key');
    await pick(page, '[data-test=channel-region]', /^EU/);
    assert.equal(await feedback.count(), 0, 'the error goes once the key is there');
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.getByRole('cell', { name: 'https://api.eu.opsgenie.com' }).waitFor();
  });

  test('alerts: a rule built in the form (metric, aggregation, group-by, threshold, channel) is previewed, saved and listed', async () => {
    await page.goto(`${base}/alerts`);
    await page.locator('[data-test=new-rule]').click();
    // Saving the empty form names the fields that are missing, next to them.
    await page.locator('[data-test=rule-save]').click();
    await page.locator('[data-test=rule-invalid]').waitFor();
    const feedback = await page.locator('[data-test=rule-form] .n-form-item-feedback__line').allInnerTexts();
    assert.ok(
      feedback.some((f) => /expected number/.test(f)),
      `the threshold is named: ${feedback.join(' | ')}`,
    );
    assert.ok(feedback.length >= 2, 'the name is named too');

    await page.locator('input[name=rule-name]').fill('queue too deep');
    await page.locator('[data-test=rule-kind]').getByText('Query threshold').click();
    await pick(page, '[data-test=query-metric]', METRIC, 'queue');
    await pick(page, '[data-test=query-aggregation]', /^max$/);
    await page.locator('[data-test=query-group-by]').click();
    await page.keyboard.type('host');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.locator('input[name=rule-threshold]').fill('15');
    await page.locator('input[name=rule-window]').fill('30m');
    await pick(page, '[data-test=rule-channels]', 'e2e-hook');
    await page.keyboard.press('Escape');
    await pick(page, '[data-test=rule-severity]', /^critical$/);
    assert.equal(
      await page.locator('[data-test=rule-form] .n-form-item-feedback__line').count(),
      0,
      'no field is marked any more',
    );
    // The preview replays the valid rule by itself: host h2 (values 20–24) is above 15.
    await page.locator('[data-test=preview-summary]', { hasText: 'evaluations' }).waitFor();
    await page.locator('[data-test=rule-preview-chart] canvas').waitFor();
    await screenshot(page, 'alert-rule');
    await page.locator('[data-test=rule-save]').click();
    await page.locator('[data-test=rules-table]', { hasText: 'queue too deep' }).waitFor();

    const [rule] = await apiGet<AlertRuleDto[]>(base, '/alert-rules');
    const [channel] = await apiGet<ChannelDto[]>(base, '/notification-channels');
    assert.deepEqual(rule!.condition, {
      kind: 'metric_threshold',
      query: { signal: 'metrics', metric: METRIC, aggregation: 'max', groupBy: ['host'] },
      window: '30m',
      threshold: { op: 'above', value: 15 },
    });
    assert.deepEqual(rule!.channels, [channel!.id]);
    assert.equal(rule!.severity, 'critical');
    // Opening it again shows what was saved.
    await page.locator('[data-test=rules-table]').getByText('queue too deep').click();
    assert.equal(await page.locator('input[name=rule-name]').inputValue(), 'queue too deep');
    assert.equal(await page.locator('input[name=rule-window]').inputValue(), '30m');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await screenshot(page, 'alerts');
  });

  test('silences: a silence is created from the form and listed', async () => {
    await page.goto(`${base}/alerts?tab=silences`);
    await page.getByPlaceholder('checkout').fill(SERVICE);
    await page.locator('form').getByRole('textbox').last().fill('deploying');
    await page.getByRole('button', { name: 'Silence', exact: true }).click();
    await page.locator('.n-data-table', { hasText: `service = "${SERVICE}"` }).waitFor();
    const silences = await apiGet<SilenceDto[]>(base, '/silences');
    assert.deepEqual(
      silences.map((s) => [s.matchers, s.comment]),
      [[[{ label: 'service', op: '=', value: SERVICE }], 'deploying']],
    );
  });

  test('dashboards: a panel query built in the form previews live, and a variable is added', async () => {
    await page.goto(`${base}/dashboards`);
    await page.locator('input[name=dashboard-title]').fill('Forms board');
    await page.locator('[data-test=create-dashboard]').click();
    await page.waitForURL((u) => u.pathname.startsWith('/dashboards/'));
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator('[data-test=dashboard-edit]').click();
    await page.locator('[data-test=add-panel]').click();
    await page.locator('input[name=panel-title]').fill('Queue depth on h1');
    await page.locator('[data-test=query-signal]').getByText('Metrics').click();
    // A metrics query without its metric cannot be applied; the field says why.
    assert.equal(await page.locator('[data-test=panel-apply]').isDisabled(), true);
    assert.match(await page.locator('[data-test=panel-invalid]').innerText(), /^query\.metric: /);
    await pick(page, '[data-test=query-metric]', METRIC, 'queue');
    await pick(page, '[data-test=query-aggregation]', /^max$/);
    await page.locator('[data-test=query-group-by]').click();
    await page.keyboard.type('host');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.locator('[data-test=panel-preview] canvas').waitFor();
    await page.locator('[data-test=panel-preview-series]', { hasText: 'Preview: 2 series' }).waitFor();
    await page.locator('[data-test=add-query-filter]').click();
    await page.locator('input[name=filter-label-0]').fill('host');
    await page.locator('input[name=filter-value-0]').fill('h1');
    // The preview follows the form: the filter leaves host h1 alone.
    await page.locator('[data-test=panel-preview-series]', { hasText: 'Preview: 1 series' }).waitFor();
    await page.waitForTimeout(1000); // the chart's drawing animation, for the screenshot
    await screenshot(page, 'panel-editor');
    await page.locator('[data-test=panel-apply]').click();
    await page.locator('[data-test=panel-form]').waitFor({ state: 'detached' });

    // A variable: a wrong name is marked and blocks Apply; a right one is kept.
    await page.locator('[data-test=edit-variables]').click();
    await page.locator('[data-test=add-variable]').click();
    await page.locator('input[name=variable-name-0]').fill('1host');
    await page.getByText('letters, digits and _ (not first)').waitFor();
    assert.equal(await page.locator('[data-test=variables-apply]').isDisabled(), true);
    await page.locator('input[name=variable-name-0]').fill('host');
    await page.locator('input[name=variable-label-0]').fill('Host');
    await page.locator('[data-test=variable]').getByText('a metric label').click();
    await page.locator('input[name=variable-source-0]').fill('host');
    await screenshot(page, 'variables-editor');
    await page.locator('[data-test=variables-apply]').click();
    await page.locator('[data-test=dashboard-save]').click();
    await page.getByText('Saved as version 2').waitFor();

    const saved = await apiGet<DashboardDto>(base, `/dashboards/${id}`);
    assert.deepEqual(
      saved.panels.map((p) => [p.title, p.query]),
      [
        [
          'Queue depth on h1',
          {
            signal: 'metrics',
            metric: METRIC,
            aggregation: 'max',
            groupBy: ['host'],
            filters: [{ label: 'host', op: '=', value: 'h1' }],
          },
        ],
      ],
    );
    assert.deepEqual(saved.variables, [
      { name: 'host', label: 'Host', source: { signal: 'metrics', label: 'host' }, multi: false },
    ]);
    // The dashboard draws the panel and offers the variable's values.
    await page.locator('[data-test=panel] canvas').waitFor();
    await page.locator('.variables .n-select').click();
    await page.locator('.n-base-select-option', { hasText: 'h2' }).waitFor();
    await page.keyboard.press('Escape');
    await screenshot(page, 'dashboard-forms');
  });

  test('status pages: the page is edited, a component added, an incident opened and updated; the public page shows them; the page is deleted', async () => {
    await page.goto(`${base}/status-pages`);
    await page.locator('input[name=status-slug]').fill('Not A Slug');
    await page.locator('input[name=status-title]').fill('E2E');
    await page.locator('[data-test=create-status-page]').click();
    await page.getByText('lower-case letters, digits and dashes').waitFor();
    await page.locator('input[name=status-slug]').fill('e2e');
    await page.locator('[data-test=create-status-page]').click();
    await page.waitForURL((u) => /^\/status-pages\/[0-9a-f-]{36}$/.test(u.pathname));

    await page.locator('input[name=page-title]').fill('E2E service status');
    await page.locator('input[name=page-description]').fill('Checkout and payments');
    await page.locator('[data-test=save-status-page]').click();
    await page.getByText('Status page saved').waitFor();
    await page.locator('[data-test=status-page-title]', { hasText: 'E2E service status' }).waitFor();

    await page.locator('[data-test=add-component]').click();
    await page.locator('input[name=component-name]').fill('Checkout API');
    await page.locator('[data-test=save-component]').click();
    await page.locator('[data-test=components]', { hasText: 'Checkout API' }).waitFor();

    await page.locator('[data-test=open-incident]').click();
    await page.locator('input[name=incident-title]').fill('Slow checkouts');
    await pick(page, '[data-test=incident-component]', 'Checkout API');
    await page.locator('textarea[name=incident-message]').fill('We are looking into slow checkouts.');
    await page.locator('[data-test=save-incident]').click();
    const incident = page.locator('[data-test=incident]', { hasText: 'Slow checkouts' });
    await incident.waitFor();
    // The form closes once the page is reloaded; a person cannot type behind it before that.
    await page.locator('.n-modal').waitFor({ state: 'detached' });
    await incident.locator('input[name^=incident-update-]').fill('A slow query was found.');
    await incident.locator('.n-select').click();
    await page.locator('.n-base-select-option', { hasText: /^identified$/ }).click();
    await incident.locator('.n-select', { hasText: 'identified' }).waitFor();
    await page.locator('[data-test="post-update-Slow checkouts"]').click();
    await incident.locator('[data-test=incident-status]', { hasText: 'identified' }).waitFor();
    await page.locator('.statuses', { hasText: 'Checkout API: degraded' }).waitFor();
    await screenshot(page, 'status-page-edit');

    const publicLink = await page.locator('[data-test=public-link]').getAttribute('href');
    assert.equal(publicLink, '/status/e2e');
    const publicPage = await context.newPage();
    await publicPage.goto(`${base}${publicLink}`);
    const text = await publicPage.locator('body').innerText();
    for (const shown of [
      'E2E service status',
      'Checkout and payments',
      'Checkout API',
      'Slow checkouts',
      'A slow query was found.',
      'We are looking into slow checkouts.',
    ])
      assert.ok(text.includes(shown), `the public page shows "${shown}"`);
    await screenshot(publicPage, 'status-page-public');

    await page.locator('[data-test="resolve-Slow checkouts"]').click();
    await incident.locator('[data-test=incident-status]', { hasText: 'resolved' }).waitFor();
    await publicPage.reload();
    assert.match(await publicPage.locator('body').innerText(), /This incident has been resolved\./);
    await publicPage.close();

    await page.locator('[data-test=delete-status-page]').click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((u) => u.pathname === '/status-pages');
    assert.equal((await fetch(`${base}/status/e2e`)).status, 404);
  });

  test('settings: an invitation is pending until the invitee signs in and accepts it; then the member gets another role', async () => {
    await page.goto(`${base}/settings?tab=members`);
    await page.locator('input[name=member-email]').fill('dev@example.com');
    await page.locator('input[name=member-password]').fill('a long password 123');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.locator('[data-test=invitations] tr', { hasText: 'dev@example.com' }).waitFor();
    assert.equal(
      await page.locator('[data-test=members] tr', { hasText: 'dev@example.com' }).count(),
      0,
      'not a member before accepting',
    );
    await screenshot(page, 'invitations');

    const invitee = await rig.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const p = await invitee.newPage();
      await p.goto(`${base}/login`);
      await p.locator('input[name=email]').fill('dev@example.com');
      await p.locator('input[name=password]').fill('a long password 123');
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p
        .locator('[data-test=received-invitations]', { hasText: 'admin@example.com invited you to Default as viewer' })
        .waitFor();
      await screenshot(p, 'invitation-received');
      await p.locator('[data-test=accept-Default]').click();
      await p.locator('[data-test=tenant]', { hasText: 'default' }).waitFor();
      await p.locator('[data-test=received-invitations]').waitFor({ state: 'detached' });
    } finally {
      await invitee.close();
    }

    await page.reload();
    const row = page.locator('[data-test=members] tr', { hasText: 'dev@example.com' });
    await row.waitFor();
    assert.equal(await page.locator('[data-test=invitations]').count(), 0, 'no invitation is pending any more');
    await row.locator('.n-select').click();
    await page.locator('.n-base-select-option', { hasText: /^editor$/ }).click();
    const tenantId = await asUser<{ tenantId: string }>('/me').then((m) => m.tenantId);
    await eventually('the new role', async () =>
      (await asUser<MemberDto[]>(`/tenants/${tenantId}/members`)).find((m) => m.email === 'dev@example.com')?.role ===
      'editor'
        ? true
        : undefined,
    );
    await screenshot(page, 'members');
  });

  test('traces: clicking a trace in the duration scatter chart opens it', async () => {
    await page.goto(`${base}/traces?service=${SERVICE}&attr.step=${SPANS - 1}`);
    await page.locator('[data-test=trace-link]').first().waitFor();
    assert.equal(await page.locator('[data-test=trace-link]').count(), 1);
    const canvas = page.locator('.echart canvas').first();
    await page.waitForTimeout(1000); // the chart's drawing animation
    // The one dot: the centre of the pixels in the error colour (the trace's last span failed).
    const dot = await canvas.evaluate((el: HTMLCanvasElement) => {
      const ctx = el.getContext('2d')!;
      const { data, width, height } = ctx.getImageData(0, 0, el.width, el.height);
      let sx = 0,
        sy = 0,
        n = 0;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          if (
            Math.abs(data[i]! - 0xd0) < 12 &&
            Math.abs(data[i + 1]! - 0x30) < 12 &&
            Math.abs(data[i + 2]! - 0x50) < 12
          ) {
            sx += x;
            sy += y;
            n++;
          }
        }
      const scale = el.width / el.clientWidth;
      return n ? { x: sx / n / scale, y: sy / n / scale } : null;
    });
    assert.ok(dot, 'the trace is drawn as a dot');
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + dot.x, box.y + dot.y);
    await page.waitForURL((u) => u.pathname === `/traces/${trace.traceId}`);
    await page.locator('[data-test=trace-summary]', { hasText: `${SPANS} spans` }).waitFor();
  });

  test('the browser logged no errors, and the content security policy blocked nothing', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(cspViolations, []);
  });
});
