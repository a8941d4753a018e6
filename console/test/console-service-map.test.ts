// The service map as an SRE reads it — databases, queues and external services as nodes of
// their own shape and colour, a legend, the same drawing on every load — and metric exemplars
// over a long range, each opening its trace.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ExemplarDto, ServiceMapDto, TraceDto } from '@telemetryflow/contract';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { API_KEY, apiGet, eventually, screenshot, signIn, startRig, watchErrors, type Rig } from './browser-rig.js';
import { sendOtlp } from './otlp-fixtures.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const nsOf = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);

/** Node colours of the map by type, and the exemplar colour of metric charts (as the console draws them). */
const COLOURS = {
  service: [0x20, 0x80, 0xf0],
  database: [0x8a, 0x5c, 0xf5],
  messaging: [0x0f, 0x9a, 0xa8],
  external: [0x6b, 0x77, 0x85],
} as const;
const EXEMPLAR = [0xf0, 0xa0, 0x20] as const;

interface Span {
  id: string;
  parent: string;
  service: string;
  name: string;
  kind: number;
  startMs: number;
  durMs: number;
  attributes?: ReturnType<typeof str>[];
  error?: boolean;
}

/** OTLP/JSON of spans of one trace, grouped by service. */
function traces(traceId: string, spans: Span[]) {
  const services = [...new Set(spans.map((s) => s.service))];
  return {
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
              kind: s.kind,
              startTimeUnixNano: nsOf(s.startMs),
              endTimeUnixNano: nsOf(s.startMs + s.durMs),
              attributes: s.attributes ?? [],
              status: s.error ? { code: 2, message: 'failed' } : { code: 0 },
            })),
        },
      ],
    })),
  };
}

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;

/**
 * A purchase: storefront calls checkout (both instrumented); checkout queries Postgres (one
 * query of four fails), charges Stripe over HTTPS and publishes to Kafka — none of which send spans.
 */
function purchase(t0: number, failing: boolean) {
  const traceId = hex(16);
  const [root, call, checkout] = [hex(8), hex(8), hex(8)];
  const spans: Span[] = [
    { id: root, parent: '', service: 'storefront', name: 'POST /buy', kind: SERVER, startMs: t0, durMs: 200 },
    {
      id: call,
      parent: root,
      service: 'storefront',
      name: 'POST /checkout',
      kind: CLIENT,
      startMs: t0 + 5,
      durMs: 180,
      attributes: [str('server.address', 'checkout.internal')],
    },
    { id: checkout, parent: call, service: 'checkout', name: 'checkout', kind: SERVER, startMs: t0 + 6, durMs: 170 },
    {
      id: hex(8),
      parent: checkout,
      service: 'checkout',
      name: 'SELECT orders',
      kind: CLIENT,
      startMs: t0 + 10,
      durMs: 30,
      error: failing,
      attributes: [str('db.system', 'postgresql'), str('db.name', 'orders'), str('server.address', 'pg-1')],
    },
    {
      id: hex(8),
      parent: checkout,
      service: 'checkout',
      name: 'POST',
      kind: CLIENT,
      startMs: t0 + 50,
      durMs: 90,
      attributes: [str('url.full', 'https://api.stripe.com/v1/charges')],
    },
    {
      id: hex(8),
      parent: checkout,
      service: 'checkout',
      name: 'orders publish',
      kind: PRODUCER,
      startMs: t0 + 150,
      durMs: 4,
      attributes: [str('messaging.system', 'kafka'), str('messaging.destination.name', 'orders')],
    },
  ];
  return { traceId, body: traces(traceId, spans) };
}

/** One span of `service`, the trace an exemplar points at. */
function single(service: string, atMs: number) {
  const traceId = hex(16);
  const spanId = hex(8);
  return {
    traceId,
    spanId,
    body: traces(traceId, [
      { id: spanId, parent: '', service, name: 'GET /quote', kind: SERVER, startMs: atMs, durMs: 120 },
    ]),
  };
}

const METRIC = 'quote.latency';

/**
 * A gauge every minute over the last six hours, an exemplar on the points of an hour and
 * three hours ago, and a busy last five minutes: a point every 5 s with five exemplars each.
 */
function latencyMetric(now: number, oneHourAgo: { traceId: string; spanId: string }, threeHoursAgo: typeof oneHourAgo) {
  const point = (ms: number, value: number, exemplars: { traceId: string; spanId: string; value: number }[]) => ({
    timeUnixNano: nsOf(ms),
    asDouble: value,
    exemplars: exemplars.map((e) => ({
      timeUnixNano: nsOf(ms),
      asDouble: e.value,
      traceId: e.traceId,
      spanId: e.spanId,
    })),
  });
  const points = [];
  for (let ms = now - 6 * HOUR + MIN; ms < now - 5 * MIN; ms += MIN)
    if (Math.abs(ms - (now - 65 * MIN)) > 30_000 && Math.abs(ms - (now - 3 * HOUR)) > 30_000)
      points.push(point(ms, 100, []));
  points.push(point(now - 65 * MIN, 120, [{ ...oneHourAgo, value: 140 }]));
  points.push(point(now - 3 * HOUR, 120, [{ ...threeHoursAgo, value: 160 }]));
  for (let i = 0; i < 60; i++) {
    const ms = now - 5 * MIN + i * 5000;
    points.push(
      point(
        ms,
        100 + (i % 3),
        Array.from({ length: 5 }, (_, k) => ({ traceId: hex(16), spanId: hex(8), value: 90 + k * 5 })),
      ),
    );
  }
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', 'quotes')] },
        scopeMetrics: [
          { scope: { name: 'e2e' }, metrics: [{ name: METRIC, unit: 'ms', gauge: { dataPoints: points } }] },
        ],
      },
    ],
  };
}

interface Blob {
  x: number;
  y: number;
  n: number;
}

/** Where a colour is drawn on a chart's canvas: the pixels within 10 of it, as blobs of touching pixels (CSS pixels). */
async function blobsOf(canvas: Locator, rgb: readonly number[]): Promise<Blob[]> {
  return canvas.evaluate((el: HTMLCanvasElement, c: number[]) => {
    const { data, width, height } = el.getContext('2d')!.getImageData(0, 0, el.width, el.height);
    const scale = el.width / el.clientWidth;
    const hit = new Uint8Array(width * height);
    for (let p = 0; p < width * height; p++)
      hit[p] = Number(
        Math.abs(data[p * 4]! - c[0]!) <= 10 &&
          Math.abs(data[p * 4 + 1]! - c[1]!) <= 10 &&
          Math.abs(data[p * 4 + 2]! - c[2]!) <= 10,
      );
    const blobs: { x: number; y: number; n: number }[] = [];
    for (let start = 0; start < hit.length; start++) {
      if (hit[start] !== 1) continue;
      // Flood fill over the 8 neighbours.
      hit[start] = 2;
      const queue = [start];
      let sx = 0;
      let sy = 0;
      for (let q = 0; q < queue.length; q++) {
        const p = queue[q]!;
        const x = p % width;
        const y = (p - x) / width;
        sx += x;
        sy += y;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx;
            const ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
            const np = ny * width + nx;
            if (hit[np] === 1) {
              hit[np] = 2;
              queue.push(np);
            }
          }
      }
      const n = queue.length;
      blobs.push({
        x: Math.round((sx / n / scale) * 10) / 10,
        y: Math.round((sy / n / scale) * 10) / 10,
        n,
      });
    }
    return blobs;
  }, rgb as number[]);
}

/** The centre of all pixels of a colour (blobs weighted by their size), or null when none is drawn. */
function centreOf(blobs: Blob[]): { x: number; y: number } | null {
  const n = blobs.reduce((a, b) => a + b.n, 0);
  if (!n) return null;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    x: round(blobs.reduce((a, b) => a + b.x * b.n, 0) / n),
    y: round(blobs.reduce((a, b) => a + b.y * b.n, 0) / n),
  };
}

describe('service map and exemplars in Chromium', () => {
  let rig: Rig;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let hourAgo: ReturnType<typeof single>;
  let threeHoursAgo: ReturnType<typeof single>;

  before(async () => {
    rig = await startRig();
    base = rig.server.apiUrl;
    const now = Date.now();
    for (let i = 0; i < 4; i++)
      await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, purchase(now - (i + 1) * 20_000, i === 0).body);
    // Just over an hour ago, so that the last hour's service map does not have it.
    hourAgo = single('quotes', now - 65 * MIN);
    threeHoursAgo = single('quotes', now - 3 * HOUR);
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, hourAgo.body);
    await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, threeHoursAgo.body);
    await sendOtlp(rig.server.otlpHttpUrl, 'metrics', API_KEY, latencyMetric(now, hourAgo, threeHoursAgo));
    const from = now - 6 * HOUR - MIN;
    await eventually('the map and the exemplars to be queryable', async () => {
      const [map, exemplars, trace] = await Promise.all([
        apiGet<ServiceMapDto>(base, '/service-map'),
        apiGet<ExemplarDto[]>(base, `/metrics/exemplars?metric=${METRIC}&from=${from}&to=${Date.now()}&limit=200`),
        apiGet<TraceDto>(base, `/traces/${threeHoursAgo.traceId}`),
      ]);
      return map.nodes.length === 5 && map.edges.length === 4 && exemplars.length === 200 && trace.spans.length === 1
        ? true
        : undefined;
    });
    context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    errors = watchErrors(page);
    await signIn(page, base);
  });

  after(async () => {
    await context?.close();
    await rig?.close();
  });

  test('service map: a database, a queue and an external service beside the services, a legend, the same drawing on every load', async () => {
    const chart = page.locator('[data-test=service-map]');
    const canvas = chart.locator('canvas');
    /** Opens the map and measures where each type of node is drawn (the mouse kept off it). */
    const measure = async () => {
      await page.mouse.move(0, 0);
      await canvas.waitFor();
      await page.waitForTimeout(300); // a frame for the drawing
      const at: Record<string, { x: number; y: number } | null> = {};
      for (const [type, rgb] of Object.entries(COLOURS)) at[type] = centreOf(await blobsOf(canvas, rgb));
      return at;
    };

    await page.goto(`${base}/services?view=map`);
    const legend = page.locator('[data-test=service-map-legend]');
    await legend.waitFor();
    const legendText = await legend.innerText();
    for (const words of [
      'Service (sends spans)',
      'Database (db.system)',
      'Messaging (messaging.system)',
      'External service (peer.service, host)',
      'Arrows and rings:',
      'under 1% errors',
      '1–5% errors',
      '5% errors or more',
    ])
      assert.ok(legendText.includes(words), `the legend says "${words}": ${legendText}`);
    // Screen readers are told what is drawn.
    await eventually('the map described', async () =>
      (await chart.getAttribute('aria-label'))?.includes('kafka orders') ? true : undefined,
    );
    const described = (await chart.getAttribute('aria-label'))!;
    assert.match(described, /2 services, 1 database, 1 messaging system, 1 external service/);
    for (const node of [
      'storefront (service)',
      'checkout (service)',
      'postgresql orders (database)',
      'kafka orders (messaging)',
      'api.stripe.com (external)',
    ])
      assert.ok(described.includes(node), `${node} in: ${described}`);

    const first = await measure();
    for (const [type, at] of Object.entries(first)) assert.ok(at, `a ${type} node is drawn`);
    // Callers on the left: storefront → checkout → the peers, which share the rightmost layer.
    assert.ok(first.database!.x > first.service!.x + 100, JSON.stringify(first));
    assert.ok(Math.abs(first.database!.x - first.external!.x) < 30, JSON.stringify(first));
    assert.ok(Math.abs(first.database!.x - first.messaging!.x) < 30, JSON.stringify(first));
    await screenshot(page, 'service-map-peers');

    // The database node's tooltip names it, its system and the calls' errors (one of four failed).
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + first.database!.x, box.y + first.database!.y);
    await page.getByText('postgresql orders (database, postgresql)').waitFor();
    await page.getByText(/4 calls \(.+\) · 25\.0% errors · p95 \d+ ms/).waitFor();

    for (let reload = 0; reload < 2; reload++) {
      await page.reload();
      await legend.waitFor();
      assert.deepEqual(await measure(), first, `reload ${reload + 1} draws every node where it was`);
    }
  });

  test('metrics: exemplars of an hour and three hours ago are drawn on a six-hour chart, and one opens its trace', async () => {
    await page.goto(`${base}/metrics?metric=${METRIC}&agg=max&range=6h`);
    await page.getByText('exemplars: click one to open its trace').waitFor();
    const canvas = page.locator('[data-test=metric-chart] canvas');
    await canvas.waitFor();
    await page.waitForTimeout(1500); // the chart's drawing animation
    await page.mouse.move(0, 0);
    // The dots below the chart's legend (whose own exemplar icon is in the first 40 pixels).
    const blobs = (await blobsOf(canvas, EXEMPLAR)).filter((b) => b.y > 40);
    const width = (await canvas.boundingBox())!.width;
    const near = (fraction: number) => blobs.filter((b) => Math.abs(b.x / width - fraction) < 0.1);
    // The chart's time axis spans six hours: three hours ago is near its middle, an hour ago near five sixths.
    assert.equal(near(0.5).length, 1, `one exemplar three hours ago: ${JSON.stringify(blobs)}`);
    assert.equal(near(0.8).length, 1, `one exemplar an hour ago: ${JSON.stringify(blobs)}`);
    assert.ok(
      blobs.some((b) => b.x / width > 0.9),
      `exemplars of the last five minutes: ${JSON.stringify(blobs)}`,
    );
    await screenshot(page, 'metrics-exemplars-6h');

    const dot = near(0.5)[0]!;
    const box = (await canvas.boundingBox())!;
    await page.mouse.click(box.x + dot.x, box.y + dot.y);
    await page.waitForURL((u) => u.pathname === `/traces/${threeHoursAgo.traceId}`);
    await page.locator('[data-test=trace-summary]', { hasText: '1 span' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('span'), threeHoursAgo.spanId);
  });

  test('the browser logged no errors', () => {
    assert.deepEqual(errors, []);
  });
});
