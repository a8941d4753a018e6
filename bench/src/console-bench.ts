// `pnpm bench:console`: the console in Debian's Chromium (playwright-core, never a downloaded
// browser) against a loaded all-in-one. Loads generated traces (5 spans each over 20 services),
// logs and one trace of 1,000 spans straight into its ClickHouse (INSERT … SELECT, so
// trace_index and the rollup views fire as on ingest), then opens three views and reads the
// performance measures the console sets itself (console/src/layout/view-timing.ts) — not a
// stopwatch around the browser:
//   tf:services-table        navigation start → the services table's rows painted (target ≤ 1 s)
//   tf:trace-drawn           navigation start → the 1,000-span trace's rows painted (≤ 0.5 s)
//   tf:dashboard-first-chart navigation start → the first chart of the built-in "Service
//                            overview" finished drawing, ECharts' 'finished' event (≤ 1.5 s)
// Cold: a page load in a fresh browser context (empty HTTP cache). Warm: a navigation inside the
// console (the sidebar's Services link, then Back to the trace or dashboard). For each measure the
// view's main API request (resource timing) splits the time into until it was sent, the request and
// the drawing after it. Sizes: TF_BENCH_SPANS (default 3M), TF_BENCH_LOGS (1M) over TF_BENCH_HOURS
// (6); TF_BENCH_RUNS cold loads per view (10), each followed by 3 warm round trips; TF_BENCH_CALLS=1
// prints each measure's API requests with their start and end.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { envInt, hex16, loadRows, machineLine, mergesSettled, runWithAllInOne, timeNs } from './bench-store.js';
import { formatInt, formatMs, percentile, renderTable } from './stats.js';

const API_KEY = 'tf_bench_console_key_000000000000001';
const CHROMIUM = process.env.TF_TEST_CHROMIUM ?? '/usr/bin/chromium';
const CONSOLE_INDEX = fileURLToPath(new URL('../../../console/dist/web/index.html', import.meta.url));
const HOUR_MS = 3_600_000;
const SPANS_PER_TRACE = 5;
const SERVICES = 20;
const BIG_TRACE_SPANS = 1000;
const WARM_PER_PAGE = 3;

const SPANS = envInt('TF_BENCH_SPANS', 3_000_000);
const LOGS = envInt('TF_BENCH_LOGS', 1_000_000);
const HOURS = envInt('TF_BENCH_HOURS', 6);
const RUNS = envInt('TF_BENCH_RUNS', 10);

/** Trace `tr` = row / 5: a server span of svc-(tr % 20) calling the next four services; one in 50 fails. */
const SPANS_SQL = `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs,
    StatusCode, ResourceAttributes, Attributes)
  SETTINGS async_insert = 0
  SELECT 'default', concat(${hex16('cityHash64(tr, 1)')}, ${hex16('cityHash64(tr, 2)')}), ${hex16('row + 1')},
         if(idx = 0, '', ${hex16('row - idx + 1')}), svc, concat('op-', toString(tr % 10)), if(idx = 0, 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT'),
         t, t + d, d, if(tr % 50 = 0 AND idx = 4, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET'),
         map('service.name', svc), map('http.route', concat('/api/r', toString(tr % 50)))
  FROM (
    SELECT toUInt64({offset:UInt64}) + number AS row, intDiv(row, ${SPANS_PER_TRACE}) AS tr, row % ${SPANS_PER_TRACE} AS idx,
           concat('svc-', toString((tr + idx) % ${SERVICES})) AS svc,
           ${timeNs(`intDiv(row, ${SPANS_PER_TRACE}) * ${SPANS_PER_TRACE}`)} + idx * 1000000 AS t,
           toInt64(exp(randNormal(log(2e7), 1))) AS d
    FROM numbers({n:UInt64}))`;

const LOGS_SQL = `INSERT INTO logs (TenantId, TimestampNs, ObservedTimestampNs, TraceIdHex, SpanIdHex, SeverityText, SeverityNumber, ServiceName, Body)
  SETTINGS async_insert = 0
  SELECT 'default', t, t, '', '', ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'][row % 6 + 1], [9, 9, 9, 13, 17, 5][row % 6 + 1],
         concat('svc-', toString(row % ${SERVICES})), concat('request ', toString(row % 1000), ' handled in ', toString(row % 97), ' ms')
  FROM (SELECT toUInt64({offset:UInt64}) + number AS row, ${timeNs('row')} AS t FROM numbers({n:UInt64}))`;

/**
 * One trace of `n` spans, a tree of fan-out 4 over nine services (span i's parent is (i - 1) / 4),
 * each span starting 0.1 ms after its parent's previous child, ending within its parent.
 */
const BIG_TRACE_SQL = `INSERT INTO spans (TenantId, TraceIdHex, SpanIdHex, ParentSpanIdHex, ServiceName, Name, Kind, StartTimeNs, EndTimeNs, DurationNs,
    StatusCode, ResourceAttributes, Attributes)
  SETTINGS async_insert = 0
  SELECT 'default', {trace:String}, ${hex16('number + 1')}, if(number = 0, '', ${hex16('intDiv(number - 1, 4) + 1')}), svc,
         concat('step-', toString(number)), if(number % 4 = 1, 'SPAN_KIND_SERVER', 'SPAN_KIND_INTERNAL'),
         t, t + d, d, if(number % 97 = 0, 'STATUS_CODE_ERROR', 'STATUS_CODE_UNSET'), map('service.name', svc), map('step', toString(number))
  FROM (SELECT number, concat('svc-', toString(number % 9)) AS svc,
               toUInt64({start:UInt64}) * 1000000 + toUInt64(floor(log2(number + 1) / 2)) * 1000000 + (number % 4) * 100000 AS t,
               toUInt64(greatest(200000, 400000000 - floor(log2(number + 1) / 2) * 40000000)) AS d
        FROM numbers({n:UInt64}))`;
const BIG_TRACE_ID = 'b16b16b16b16b16b16b16b16b16b1000';

interface Measure {
  name: string;
  durationMs: number;
  detail: Record<string, number>;
  /** The view's main API request: when it was sent (from the measure's start) and how long it took; null if not found. */
  sentMs: number | null;
  apiMs: number | null;
  /** The API requests sent during the measure, with their start and end. */
  calls: string[];
}

/** Waits for the console's measure `name`, with the timing of the request whose URL contains `api`. */
async function readMeasure(page: Page, name: string, api: string): Promise<Measure> {
  await page.waitForFunction((n) => performance.getEntriesByName(n, 'measure').length > 0, name, { timeout: 120_000 });
  return page.evaluate(
    ({ name, api }) => {
      // Typed by hand: the bench compiles without the DOM library.
      const m = performance.getEntriesByName(name, 'measure')[0] as unknown as {
        startTime: number;
        duration: number;
        detail: Record<string, number>;
      };
      const end = m.startTime + m.duration;
      const resources = performance.getEntriesByType('resource') as unknown as {
        name: string;
        startTime: number;
        responseEnd: number;
      }[];
      const request = resources
        .filter((r) => r.name.includes(api) && r.startTime >= m.startTime && r.responseEnd <= end)
        .at(-1);
      const calls = resources
        .filter((r) => r.name.includes('/api/') && r.startTime >= m.startTime && r.startTime <= end)
        .map(
          (r) =>
            `${new URL(r.name).pathname} ${(r.startTime - m.startTime).toFixed(0)}→${(r.responseEnd - m.startTime).toFixed(0)}`,
        );
      performance.clearMeasures();
      performance.clearResourceTimings();
      return {
        name,
        durationMs: m.duration,
        detail: m.detail,
        sentMs: request ? request.startTime - m.startTime : null,
        apiMs: request ? request.responseEnd - request.startTime : null,
        calls,
      };
    },
    { name, api },
  );
}

interface View {
  label: string;
  measure: string;
  path: string;
  /** The part of the main API request's URL that identifies it. */
  api: string;
  target: number;
}

const SERVICES_VIEW: View = {
  label: 'services table',
  measure: 'tf:services-table',
  path: '/services',
  api: '/api/v1/services?',
  target: 1000,
};

runWithAllInOne('tf-bench-console-', API_KEY, async (server) => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  if (!existsSync(CONSOLE_INDEX))
    throw new Error('the console is not built: pnpm --filter @telemetryflow/console build');
  const loadStart = loadavg();
  const ch = server.clickhouse;
  const now = Date.now();
  const window = { start: now - HOURS * HOUR_MS, end: now - 60_000 };
  await loadRows(ch, 'spans', SPANS, SPANS_SQL, window);
  await loadRows(ch, 'logs', LOGS, LOGS_SQL, window);
  await ch.command({
    query: BIG_TRACE_SQL,
    query_params: { trace: BIG_TRACE_ID, n: BIG_TRACE_SPANS, start: now - 5 * 60_000 },
  });
  await mergesSettled(ch);

  const base = server.apiUrl;
  const auth = { authorization: `Bearer ${API_KEY}` };
  const trace = (await (await fetch(`${base}/api/v1/traces/${BIG_TRACE_ID}`, { headers: auth })).json()) as {
    data: { spans: unknown[] };
  };
  if (trace.data.spans.length !== BIG_TRACE_SPANS)
    throw new Error(`the big trace has ${trace.data.spans.length} spans, not ${BIG_TRACE_SPANS}`);
  const dashboards = (await (await fetch(`${base}/api/v1/dashboards`, { headers: auth })).json()) as {
    data: { id: string; title: string }[];
  };
  const overview = dashboards.data.find((d) => d.title === 'Service overview');
  if (!overview) throw new Error('no built-in "Service overview" dashboard');
  const services = (await (await fetch(`${base}/api/v1/services`, { headers: auth })).json()) as { data: unknown[] };

  const views: View[] = [
    SERVICES_VIEW,
    {
      label: `trace of ${BIG_TRACE_SPANS} spans`,
      measure: 'tf:trace-drawn',
      path: `/traces/${BIG_TRACE_ID}`,
      api: `/api/v1/traces/${BIG_TRACE_ID}`,
      target: 500,
    },
    {
      label: 'dashboard, first chart',
      measure: 'tf:dashboard-first-chart',
      path: `/dashboards/${overview.id}`,
      api: '/render',
      target: 1500,
    },
  ];

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const samples = new Map<string, Measure[]>();
  const add = (key: string, m: Measure) => samples.set(key, [...(samples.get(key) ?? []), m]);
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const view of views) {
        const { cold, warm } = await openView(browser, base, view);
        add(`${view.label}|cold`, cold);
        for (const [label, m] of warm) add(`${label}|warm`, m);
      }
    }
  } finally {
    await browser.close();
  }
  const chromiumVersion = browser.version();
  const loadEnd = loadavg();

  const avg = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
  console.log(`\n${await machineLine(ch)}, Chromium ${chromiumVersion} (headless)`);
  console.log(`load average (1 / 5 / 15 min): at start ${avg(loadStart)}, at end ${avg(loadEnd)}`);
  console.log(
    `${formatInt(SPANS)} spans (${formatInt(SPANS / SPANS_PER_TRACE)} traces, ${SERVICES} services; the console's default last hour holds ${formatInt(SPANS / HOURS)}), ${formatInt(LOGS)} logs over ${HOURS} h; services table rows: ${services.data.length}; one trace of ${BIG_TRACE_SPANS} spans`,
  );
  console.log(`${RUNS} cold loads per view, each followed by ${WARM_PER_PAGE} warm round trips\n`);
  const rows: string[][] = [];
  for (const view of views)
    for (const kind of ['cold', 'warm']) {
      const ms = samples.get(`${view.label}|${kind}`) ?? [];
      const total = ms.map((m) => m.durationMs);
      const split = ms.flatMap((m) => (m.sentMs === null || m.apiMs === null ? [] : [m]));
      rows.push([
        `${view.label}, ${kind}`,
        String(ms.length),
        formatMs(percentile(total, 50)),
        formatMs(percentile(total, 95)),
        formatMs(Math.max(...total)),
        formatMs(
          percentile(
            split.map((m) => m.sentMs!),
            50,
          ),
        ),
        formatMs(
          percentile(
            split.map((m) => m.apiMs!),
            50,
          ),
        ),
        formatMs(
          percentile(
            split.map((m) => m.durationMs - m.sentMs! - m.apiMs!),
            50,
          ),
        ),
        `≤ ${view.target}`,
      ]);
    }
  console.log(
    renderTable(
      ['measure', 'n', 'p50 ms', 'p95 ms', 'max ms', 'to request p50', 'request p50', 'after p50', 'target ms'],
      rows,
    ),
  );
  console.log(
    "\n'to request': from the navigation's start until the view sent its main API request (script loading and earlier requests); 'request': that request until its last byte; 'after': from then until painted.",
  );
  if (process.env.TF_BENCH_CALLS)
    for (const [key, ms] of samples)
      for (const m of ms) console.log(`${key} ${formatMs(m.durationMs)} ms: ${m.calls.join(', ')}`);
  const detail = (key: string) => JSON.stringify(samples.get(key)?.[0]?.detail);
  console.log(
    `\nmeasure details: services ${detail(`${SERVICES_VIEW.label}|cold`)}, trace ${detail(`${views[1]!.label}|cold`)}`,
  );
});

/**
 * A cold page load of `view` in a fresh context signed in with the API key, then WARM_PER_PAGE
 * round trips: the sidebar's Services link (a warm services table) and Back (the view again).
 */
async function openView(
  browser: Browser,
  base: string,
  view: View,
): Promise<{ cold: Measure; warm: [string, Measure][] }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    storageState: {
      cookies: [],
      origins: [
        {
          origin: base,
          localStorage: [
            {
              name: 'tf.session',
              value: JSON.stringify({ kind: 'key', apiKey: API_KEY, identity: 'bench', tenant: null }),
            },
          ],
        },
      ],
    },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  try {
    await page.goto(`${base}${view.path}`);
    const cold = await readMeasure(page, view.measure, view.api);
    // The services table's warm loads come from the other two views.
    const warm: [string, Measure][] = [];
    for (let i = 0; i < (view === SERVICES_VIEW ? 0 : WARM_PER_PAGE); i++) {
      await page.locator('[data-test=nav-services]').click();
      warm.push([SERVICES_VIEW.label, await readMeasure(page, SERVICES_VIEW.measure, SERVICES_VIEW.api)]);
      await page.goBack();
      warm.push([view.label, await readMeasure(page, view.measure, view.api)]);
    }
    if (errors.length > 0) throw new Error(`console errors on ${view.path}: ${errors.join('; ')}`);
    return { cold, warm };
  } finally {
    await context.close();
  }
}
