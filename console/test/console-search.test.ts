// Finding traces as an SRE does: the empty states (no traces at all, with this instance's own
// OTLP ports, versus filters that match nothing), service and operation pickers fed by what
// the range holds, a trace id that opens its trace, the duration fields' errors (saved searches:
// console-saved-searches.test.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TraceSummaryDto } from '@telemetryflow/contract';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { API_KEY, apiGet, eventually, screenshot, signIn, startRig, watchErrors, type Rig } from './browser-rig.js';
import { sendOtlp, shopTraces, SHOP_TRACES as TRACES } from './otlp-fixtures.js';

describe('finding traces in Chromium', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let traceIds: string[];
  // Looking up a trace id that names no trace is answered 404, which the browser logs.
  const expected404 = (msg: ConsoleMessage) =>
    msg.text().includes('status of 404') && /\/api\/v1\/(traces\/[0-9a-f]{32}|sso)$/.test(msg.location().url);

  const field = (name: string) =>
    page.locator('.n-form-item', { has: page.locator(`input[name=${name}]`) }).locator('.n-form-item-feedback');
  // Closed menus stay in the page, hidden: only the open one counts.
  const optionTexts = () => page.locator('.n-base-select-menu:visible .n-base-select-option').allInnerTexts();
  /** Waits for the open picker's options to be `expected`; says what it saw when they never are. */
  const expectOptions = async (expected: string[], sorted = false) => {
    let seen: string[] = [];
    try {
      await eventually(`options ${expected.join(', ')}`, async () => {
        seen = await optionTexts();
        const got = sorted ? [...seen].sort() : seen;
        return JSON.stringify(got) === JSON.stringify(expected) ? true : undefined;
      });
    } catch (err) {
      await screenshot(page, 'search-pickers-failed');
      throw new Error(`${(err as Error).message}: saw ${JSON.stringify(seen)}`);
    }
  };
  const query = () => new URL(page.url()).searchParams;

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    errors = watchErrors(page, expected404);
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('no traces at all: "No traces yet" with this instance’s own OTLP ports', async () => {
    const httpPort = new URL(rig.server.otlpHttpUrl).port;
    const grpcPort = rig.server.otlpGrpcAddress.split(':').pop()!;
    assert.notEqual(httpPort, '4318', 'the rig binds ports of its own');
    await page.goto(`${base}/traces`);
    const empty = page.locator('[data-test=empty-state]');
    await empty.waitFor();
    assert.match(await empty.innerText(), /No traces yet/);
    assert.equal(await page.locator('[data-test=otlp-http-endpoint]').innerText(), `http://127.0.0.1:${httpPort}`);
    assert.equal(await page.locator('[data-test=otlp-grpc-endpoint]').innerText(), `127.0.0.1:${grpcPort}`);
    assert.match(await empty.innerText(), new RegExp(`OTEL_EXPORTER_OTLP_ENDPOINT=http://127\\.0\\.0\\.1:${httpPort}`));
    assert.doesNotMatch(await empty.innerText(), /4317|4318/);
    await screenshot(page, 'search-no-traces-yet');

    // Filters on an empty tenant: still the set-up, since nothing arrived yet.
    await page.goto(`${base}/traces?service=storefront`);
    await empty.waitFor();
    assert.deepEqual(errors, []);
  });

  test('with traces: a filter that matches nothing says so and clears; an empty range is not "no traces yet"', async () => {
    const sent = shopTraces(Date.now());
    traceIds = sent.traceIds;
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, sent.body);
    await eventually('the traces to be searchable', async () =>
      (await apiGet<TraceSummaryDto[]>(base, '/traces?service=shipping&limit=100')).length === TRACES
        ? true
        : undefined,
    );

    await page.goto(`${base}/traces?service=storefront&minDurationMs=999999`);
    const none = page.locator('[data-test=no-match]');
    await none.waitFor();
    assert.match(await none.innerText(), /No traces match these filters/);
    assert.equal(await page.locator('[data-test=empty-state]').count(), 0);
    await screenshot(page, 'search-no-match');
    await none.locator('[data-test=clear-filters]').click();
    await page.waitForURL((u) => !u.searchParams.has('service') && !u.searchParams.has('minDurationMs'));
    await page.locator('[data-test=traces-table] [data-test=trace-link]').first().waitFor();
    assert.equal(await none.count(), 0);

    const from = Date.now() - 3 * 86_400_000;
    await page.goto(`${base}/traces?from=${from}&to=${from + 3_600_000}`);
    await page.locator('[data-test=no-traces-in-range]').waitFor();
    assert.equal(await page.locator('[data-test=empty-state]').count(), 0);
    assert.deepEqual(errors, []);
  });

  test('service and operation pickers: fed by the range, filtered by typing, the operations those of the service', async () => {
    await page.goto(`${base}/traces`);
    await page.locator('[data-test=traces-table] [data-test=trace-link]').first().waitFor();
    const operation = page.locator('[data-test=operation-picker]');
    assert.ok(await operation.locator('.n-base-selection--disabled').count(), 'no operations before a service');

    await page.locator('[data-test=service-picker]').click();
    await expectOptions(['inventory', 'shipping', 'storefront'], true);
    await page.keyboard.type('inv');
    await expectOptions(['inventory']);
    await page.locator('.n-base-select-option', { hasText: 'inventory' }).click();
    await page.locator('.n-base-select-menu:visible').waitFor({ state: 'detached' });

    await operation.click();
    await expectOptions(['GET /stock', 'compute stock', 'stock.changed publish']);
    await page.locator('.n-base-select-option', { hasText: 'compute stock' }).click();
    await page.locator('[data-test=search]').click();
    await page.waitForURL((u) => u.searchParams.get('operation') === 'compute stock');
    assert.equal(query().get('service'), 'inventory');
    const links = page.locator('[data-test=traces-table] [data-test=trace-link]');
    await links.first().waitFor();
    await screenshot(page, 'search-pickers');

    // Another service: the operation goes, and its list is that service's.
    await page.locator('[data-test=service-picker]').click();
    await page.keyboard.type('store');
    await page.locator('.n-base-select-option', { hasText: 'storefront' }).click();
    assert.match(await operation.innerText(), /any operation/);
    await page.locator('.n-base-select-menu:visible').waitFor({ state: 'detached' });
    await operation.click();
    await expectOptions(['GET /product', 'GET inventory']);
    await page.keyboard.press('Escape');
    assert.deepEqual(errors, []);
  });

  test('durations that are not numbers are marked on their field and nothing is sent', async () => {
    await page.goto(`${base}/traces?service=inventory`);
    await page.locator('[data-test=traces-table] [data-test=trace-link]').first().waitFor();
    const sent: string[] = [];
    const listen = (r: { url(): string }) => void sent.push(r.url());
    page.on('request', listen);
    await page.locator('input[name=minDurationMs]').fill('abc');
    await page.locator('[data-test=search]').click();
    assert.match(await field('minDurationMs').innerText(), /number of milliseconds/);
    await page.locator('input[name=minDurationMs]').fill('80');
    await page.locator('input[name=maxDurationMs]').fill('20');
    await page.locator('[data-test=search]').click();
    assert.match(await field('maxDurationMs').innerText(), /At least the min duration/);
    assert.equal(query().get('minDurationMs'), null);
    assert.ok(!sent.some((u) => u.includes('/api/v1/traces?') || u.includes('NaN')), sent.join('\n'));
    await screenshot(page, 'search-duration-errors');

    await page.locator('input[name=maxDurationMs]').fill('');
    await page.locator('[data-test=search]').click();
    await page.waitForURL((u) => u.searchParams.get('minDurationMs') === '80');
    assert.equal(await field('minDurationMs').count(), 0);
    page.off('request', listen);
    assert.deepEqual(errors, []);
  });

  test('a trace id opens its trace; one that is not an id, or names no trace, is said so on the field', async () => {
    await page.goto(`${base}/traces`);
    const box = page.locator('input[name=trace-id]');
    await box.fill('not-a-trace');
    await page.locator('[data-test=open-trace]').click();
    assert.match(await field('trace-id').innerText(), /32 hexadecimal characters/);
    const unknown = randomBytes(16).toString('hex');
    await box.fill(unknown);
    await page.locator('[data-test=open-trace]').click();
    await eventually('the not-found message', async () =>
      /No trace [0-9a-f]{32} in this tenant/.test(await field('trace-id').innerText()) ? true : undefined,
    );
    assert.equal(new URL(page.url()).pathname, '/traces');
    await screenshot(page, 'search-trace-id-unknown');
    await box.fill(` ${traceIds[3]!.toUpperCase()} `);
    await box.press('Enter');
    await page.waitForURL((u) => u.pathname === `/traces/${traceIds[3]}`);
    await page.locator('[data-test=trace-summary]', { hasText: '6 spans' }).waitFor();
    assert.deepEqual(errors, []);
  });
});
