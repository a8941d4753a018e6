// The trace view as an SRE uses it to find a fault: colours per service, search within the
// trace, the keyboard, copy buttons, stack traces as written, a span's own logs; and the
// states around it (a panel edit is not thrown away by Escape, a key shown once can be copied).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LogDto, TraceDto } from '@telemetryflow/contract';
import type { BrowserContext, Locator, Page } from 'playwright-core';
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
import { sendOtlp, traceRequest, type SentTrace } from './otlp-fixtures.js';

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const STACK = 'Error: connection reset\n    at query (db.js:41:9)\n    at loadCart (cart.js:12:3)';

interface FixtureSpan {
  id: string;
  parent: string;
  service: string;
  name: string;
  startMs: number;
  endMs: number;
  attributes?: ReturnType<typeof str>[];
  error?: boolean;
}

/**
 * A request for a cart: frontend → cart → cart-db, the database call failing with a stack trace;
 * three log records, two of the root span and one of the failing call.
 */
function cartTrace(endMs: number) {
  const traceId = randomBytes(16).toString('hex');
  const id = () => randomBytes(8).toString('hex');
  const [root, render, get, query, cache] = [id(), id(), id(), id(), id()];
  const t0 = endMs - 120;
  const spans: FixtureSpan[] = [
    { id: root, parent: '', service: 'frontend', name: 'GET /cart', startMs: 0, endMs: 120 },
    {
      id: get,
      parent: root,
      service: 'cart',
      name: 'cart.get',
      startMs: 10,
      endMs: 90,
      attributes: [str('cart.id', 'c-77')],
    },
    { id: cache, parent: get, service: 'cart', name: 'cache lookup', startMs: 12, endMs: 20 },
    { id: query, parent: get, service: 'cart-db', name: 'SELECT carts', startMs: 25, endMs: 85, error: true },
    { id: render, parent: root, service: 'frontend', name: 'render cart', startMs: 95, endMs: 118 },
  ];
  const ns = (ms: number) => String(BigInt(t0) * 1_000_000n + BigInt(ms) * 1_000_000n);
  const services = [...new Set(spans.map((s) => s.service))];
  const traces = {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [str('service.name', service)] },
      scopeSpans: [
        {
          scope: { name: 'e2e' },
          spans: spans
            .filter((s) => s.service === service)
            .map((s) => ({
              traceId,
              spanId: s.id,
              parentSpanId: s.parent,
              name: s.name,
              kind: s.parent ? 3 : 2,
              startTimeUnixNano: ns(s.startMs),
              endTimeUnixNano: ns(s.endMs),
              attributes: s.attributes ?? [],
              events: s.error
                ? [
                    {
                      timeUnixNano: ns(s.endMs),
                      name: 'exception',
                      attributes: [
                        str('exception.type', 'Error'),
                        str('exception.message', 'connection reset'),
                        str('exception.stacktrace', STACK),
                      ],
                    },
                  ]
                : [],
              status: s.error ? { code: 2, message: 'connection reset' } : { code: 0 },
            })),
        },
      ],
    })),
  };
  const log = (spanId: string, ms: number, text: string, service: string) => ({
    resource: { attributes: [str('service.name', service)] },
    scopeLogs: [
      {
        scope: { name: 'e2e' },
        logRecords: [{ timeUnixNano: ns(ms), severityNumber: 9, body: { stringValue: text }, traceId, spanId }],
      },
    ],
  });
  const logs = {
    resourceLogs: [
      log(root, 5, 'cart page requested', 'frontend'),
      log(root, 119, 'cart page served with an error banner', 'frontend'),
      log(query, 84, 'cart query failed: connection reset', 'cart-db'),
    ],
  };
  return { traceId, traces, logs, ids: { root, render, get, query, cache } };
}

describe('trace view and console states in Chromium', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let cart: ReturnType<typeof cartTrace>;
  let long: SentTrace;

  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const rowOf = (name: string) => page.locator('[data-test=span-row]', { hasText: name });

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    cart = cartTrace(Date.now() - 2_000);
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, cart.traces);
    await sendOtlp(rig.server.otlpHttpUrl, 'logs', API_KEY, cart.logs);
    const longRequest = traceRequest('checkout', 'payments', 400, Date.now() - 4_000);
    long = longRequest.trace;
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, longRequest.body);
    await eventually('the trace and its logs', async () => {
      const t = await apiGet<TraceDto & { logs: LogDto[] }>(base, `/traces/${cart.traceId}?include=logs`);
      const l = await apiGet<TraceDto>(base, `/traces/${long.traceId}`);
      return t.spans.length === 5 && t.logs.length === 3 && l.spans.length === 400 ? true : undefined;
    });
    context = await rig.browser.newContext({
      viewport: { width: 1440, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
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

  test('trace view: a colour per service with its legend, search, keyboard, copy buttons, stack traces, the whole axis', async () => {
    await page.goto(`${base}/traces/${cart.traceId}`);
    await page.locator('[data-test=trace-summary]', { hasText: '5 spans' }).waitFor();

    // Every service has one colour, in the legend and on its bars; the three differ.
    const legend = page.locator('[data-test=legend-item]');
    assert.deepEqual(await legend.allInnerTexts(), ['cart (2)', 'frontend (2)', 'cart-db (1)']);
    const bg = (l: Locator) => l.evaluate((el) => getComputedStyle(el).backgroundColor);
    const colours = new Map<string, string>();
    for (const item of await legend.all()) {
      const service = (await item.innerText()).replace(/ \(\d+\)$/, '');
      colours.set(service, await bg(item.locator('.swatch')));
    }
    assert.equal(new Set(colours.values()).size, 3, [...colours].join(' '));
    const barColour = (name: string) => bg(rowOf(name).locator('[data-test=span-bar]'));
    assert.equal(await barColour('GET /cart'), colours.get('frontend'));
    assert.equal(await barColour('render cart'), colours.get('frontend'));
    assert.equal(await barColour('cart.get'), colours.get('cart'));
    assert.equal(await barColour('cache lookup'), colours.get('cart'));
    assert.equal(await barColour('SELECT carts'), colours.get('cart-db'));

    // The axis ends with the trace's duration, inside the view.
    const ticks = page.locator('[data-test=axis-tick]');
    assert.equal(await ticks.last().innerText(), '120 ms');
    const last = (await ticks.last().boundingBox())!;
    const view = (await page.locator('[data-test=waterfall]').boundingBox())!;
    assert.ok(
      last.x + last.width <= view.x + view.width,
      `tick ends at ${last.x + last.width}, view at ${view.x + view.width}`,
    );
    assert.ok((await ticks.first().boundingBox())!.x >= view.x);

    // Search within the trace: an attribute value finds its span; Enter opens it.
    await page.locator('input[name=trace-find]').fill('c-77');
    await page.locator('[data-test=trace-find-count]', { hasText: '1 of 5 spans match' }).waitFor();
    const found = page.locator('[data-test=span-row].match');
    assert.equal(await found.count(), 1);
    assert.equal(await found.getAttribute('data-span-id'), cart.ids.get);
    await page.locator('input[name=trace-find]').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('span') === cart.ids.get);
    await page.locator('[data-test=span-details] h3', { hasText: 'cart: cart.get' }).waitFor();
    await page.locator('input[name=trace-find]').fill('frontend');
    await page.locator('[data-test=trace-find-count]', { hasText: '2 of 5 spans match' }).waitFor();
    await page.locator('input[name=trace-find]').fill('');

    // The keyboard: j/k and arrows move the cursor through the rows, Enter opens the span.
    await rowOf('GET /cart').click();
    await page.waitForURL((u) => u.searchParams.get('span') === cart.ids.root);
    await page.locator('[data-test=waterfall]').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    assert.equal(await page.locator('[data-test=span-row].cursor').getAttribute('data-span-id'), cart.ids.cache);
    assert.equal(new URL(page.url()).searchParams.get('span'), cart.ids.root, 'moving alone opens nothing');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('span') === cart.ids.cache);
    await page.locator('[data-test=span-details] h3', { hasText: 'cart: cache lookup' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('span') === cart.ids.query);

    // Copy buttons: the trace id, the span id, an attribute's value.
    await page.getByRole('button', { name: 'Copy trace id' }).click();
    assert.equal(await clipboard(), cart.traceId);
    await page.getByRole('button', { name: 'Copy span id', exact: true }).click();
    assert.equal(await clipboard(), cart.ids.query);

    // The failing call's stack trace keeps its lines.
    const details = page.locator('[data-test=span-details]');
    await details.getByText('Events (1)', { exact: true }).click();
    const stack = details.locator('[data-test=attribute]', { hasText: 'exception.stacktrace' });
    const value = stack.locator('[data-test=attribute-value]');
    assert.equal(await value.innerText(), STACK);
    const oneLine = (await details
      .locator('[data-test=attribute]', { hasText: 'exception.type' })
      .locator('[data-test=attribute-value]')
      .boundingBox())!.height;
    const height = (await value.boundingBox())!.height;
    assert.ok(height >= 2.5 * oneLine, `three lines tall: ${height} px, one line ${oneLine} px`);
    await stack.getByRole('button', { name: 'Copy value of exception.stacktrace' }).click();
    assert.equal(await clipboard(), STACK);
    await page.locator('input[name=trace-find]').fill('frontend');
    await screenshot(page, 'traces-trace-view');

    // The flame graph: the same colours, names on the bars, the failing call marked.
    await page.locator('[data-test=flame-toggle]').click();
    const frame = (name: string) => page.locator('[data-test=flame] .frame', { hasText: name });
    await frame('GET /cart').waitFor();
    assert.equal(await bg(frame('GET /cart')), colours.get('frontend'));
    assert.equal(await bg(frame('cart.get')), colours.get('cart'));
    assert.equal(await frame('SELECT carts').innerText(), 'SELECT carts');
    assert.equal(await frame('SELECT carts').evaluate((el) => getComputedStyle(el).borderTopColor), 'rgb(208, 48, 80)');
    await screenshot(page, 'traces-flame');
    assert.deepEqual(errors, []);
  });

  test('trace view: a long trace has a minimap of all its spans; a click there scrolls the waterfall', async () => {
    await page.goto(`${base}/traces/${cart.traceId}`);
    await page.locator('[data-test=trace-summary]', { hasText: '5 spans' }).waitFor();
    assert.equal(await page.locator('[data-test=trace-minimap]').count(), 0, 'a short trace needs none');

    await page.goto(`${base}/traces/${long.traceId}`);
    const minimap = page.locator('[data-test=trace-minimap]');
    await minimap.waitFor();
    const scroller = page.locator('[data-test=waterfall] .rows');
    assert.equal(await scroller.evaluate((el) => el.scrollTop), 0);
    const frame = page.locator('[data-test=minimap-view]');
    const box = (await minimap.boundingBox())!;
    const before = (await frame.boundingBox())!;
    assert.ok(before.y - box.y < 2 && before.height < box.height / 4, 'the frame shows the first rows in view');
    await minimap.click({ position: { x: box.width / 2, y: box.height * 0.95 } });
    await eventually('the waterfall to scroll', async () =>
      (await scroller.evaluate((el) => el.scrollTop / (el.scrollHeight - el.clientHeight))) > 0.85 ? true : undefined,
    );
    const after = (await frame.boundingBox())!;
    assert.ok(after.y - box.y > box.height * 0.75, `the frame follows: ${after.y - box.y} of ${box.height}`);
    await screenshot(page, 'traces-minimap');
    assert.deepEqual(errors, []);
  });

  test('trace view: selecting a span lists its own logs, and a switch shows the whole trace’s', async () => {
    await page.goto(`${base}/traces/${cart.traceId}`);
    const rows = page.locator('[data-test=log-row]');
    const title = page.locator('[data-test=trace-logs-title]');
    await title.filter({ hasText: 'Logs of this trace (3)' }).waitFor();
    assert.equal(await rows.count(), 3);

    await rowOf('SELECT carts').click();
    await title.filter({ hasText: 'Logs of span SELECT carts (1 of 3 in the trace)' }).waitFor();
    assert.deepEqual(
      (await rows.allInnerTexts()).map((t) => t.includes('cart query failed: connection reset')),
      [true],
    );
    await rowOf('GET /cart').click();
    await title.filter({ hasText: 'Logs of span GET /cart (2 of 3 in the trace)' }).waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal((await rows.allInnerTexts()).filter((t) => t.includes('cart page')).length, 2);
    await rowOf('render cart').click();
    await title.filter({ hasText: 'Logs of span render cart (0 of 3 in the trace)' }).waitFor();
    await page.getByText('No log records match.').waitFor();

    await page.locator('[data-test=span-logs-only]').click();
    await title.filter({ hasText: 'Logs of this trace (3)' }).waitFor();
    assert.equal(await rows.count(), 3);
    await screenshot(page, 'traces-span-logs');
    assert.deepEqual(errors, []);
  });

  test('an edited panel is not discarded by Escape without asking; an API key shown once has a copy button; invitation and single sign-on errors are on their fields', async () => {
    const token = await adminToken(base);
    const res = await fetch(`${base}/api/v1/dashboards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Escape board', panels: [] }),
    });
    const { id } = ((await res.json()) as { data: { id: string } }).data;
    await page.goto(`${base}/dashboards/${id}`);
    await page.locator('[data-test=dashboard-edit]').click();
    const form = page.locator('[data-test=panel-form]');
    const question = page.getByText('Discard the changes to this panel?');

    // Nothing edited: Escape closes at once.
    await page.locator('[data-test=add-panel]').click();
    await form.waitFor();
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });

    // Edited: Escape asks; "Keep editing" keeps the edit, "Discard" drops it.
    await page.locator('[data-test=add-panel]').click();
    await page.locator('input[name=panel-title]').fill('Checkout errors');
    await page.locator('input[name=panel-title]').press('Escape');
    await question.waitFor();
    await screenshot(page, 'traces-panel-discard');
    await page.getByRole('button', { name: 'Keep editing' }).click();
    await question.waitFor({ state: 'detached' });
    assert.equal(await page.locator('input[name=panel-title]').inputValue(), 'Checkout errors');
    await page.locator('[data-test=panel-cancel]').click();
    await question.waitFor();
    await page.getByRole('button', { name: 'Discard' }).click();
    await form.waitFor({ state: 'detached' });

    await page.goto(`${base}/settings?tab=api-keys`);
    await page.locator('input[name=key-name]').fill('ci-reader');
    await page.locator('.n-checkbox', { hasText: 'read' }).click();
    await page.locator('[data-test=create-key]').click();
    const secret = await page.locator('[data-test=created-secret]').innerText();
    assert.match(secret, /^tf_/);
    await page.locator('[data-test=created-key]').getByRole('button', { name: 'Copy API key' }).click();
    assert.equal(await clipboard(), secret);
    await page.getByText('API key copied').waitFor();
    await screenshot(page, 'traces-api-key-copy');

    // An invitation's wrong email and short password are marked on their fields, and nothing is sent.
    const invites: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().includes('/invitations') && invites.push(r.url()));
    await page.goto(`${base}/settings?tab=members`);
    await page.locator('input[name=member-email]').fill('not-an-email');
    await page.locator('input[name=member-password]').fill('short');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const field = (name: string) =>
      page.locator('.n-form-item', { has: page.locator(`input[name=${name}]`) }).locator('.n-form-item-feedback');
    assert.match(await field('member-email').innerText(), /email/i);
    assert.match(await field('member-password').innerText(), /12/);
    assert.equal(await page.locator('.n-alert', { hasText: /email/i }).count(), 0, 'not in a notice elsewhere');
    await page.locator('input[name=member-email]').fill('ops@example.com');
    await page.locator('input[name=member-password]').fill('');
    await eventually('the marks to go', async () =>
      (await field('member-email').count()) + (await field('member-password').count()) === 0 ? true : undefined,
    );
    assert.deepEqual(invites, []);
    await screenshot(page, 'traces-invite-fields');

    // So are single sign-on settings the API would refuse.
    const puts: string[] = [];
    page.on('request', (r) => r.method() === 'PUT' && r.url().includes('/api/v1/sso') && puts.push(r.url()));
    await page.goto(`${base}/settings?tab=sso`);
    await page.locator('input[name=sso-issuer]').fill('not a url');
    await page.locator('input[name=sso-role-claim]').fill('');
    await page.locator('[data-test=sso-save]').click();
    assert.match(await field('sso-issuer').innerText(), /url/i);
    assert.ok((await field('sso-client-id').innerText()).length > 0, 'the missing client id is marked');
    await page.locator('input[name=sso-issuer]').fill('https://idp.example.com');
    await eventually('the issuer mark to go', async () =>
      (await field('sso-issuer').count()) === 0 ? true : undefined,
    );
    assert.deepEqual(puts, []);
    assert.deepEqual(errors, []);
  });
});
