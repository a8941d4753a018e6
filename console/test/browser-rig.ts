// The browser tests' rig: the real all-in-one serving the built console, and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadConfig, startAllInOne, type RunningAllInOne } from '@telemetryflow/server';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import type { LogDto, MetricDto, ServiceDto, TraceSummaryDto } from '@telemetryflow/contract';
import { logsRequest, metricsRequest, sendOtlp, traceRequest, type SentTrace } from './otlp-fixtures.js';

export const API_KEY = 'tf_console_e2e_key_0123456789abcdef';
export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery';

const CONSOLE_DIR = fileURLToPath(new URL('../web', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));
export const RESULTS_DIR = join(REPO_DIR, 'test-results', 'console');
export const CHROMIUM = process.env.TF_TEST_CHROMIUM ?? '/usr/bin/chromium';

export interface Rig {
  server: RunningAllInOne;
  browser: Browser;
  close(): Promise<void>;
}

/** `env`: settings a test adds to the all-in-one's. */
export async function startRig(env: Record<string, string> = {}): Promise<Rig> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set TF_TEST_CHROMIUM`,
    );
  if (!existsSync(join(CONSOLE_DIR, 'index.html')))
    throw new Error(`the console is not built in ${CONSOLE_DIR}: pnpm --filter @telemetryflow/console build`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tf-console-e2e-'));
  const server = await startAllInOne(
    loadConfig({
      TF_DATA_DIR: dataDir,
      TF_HTTP_PORT: '0',
      TF_METRICS_PORT: '0',
      TF_OTLP_HTTP_PORT: '0',
      TF_OTLP_GRPC_PORT: '0',
      TF_BOOTSTRAP_API_KEY: API_KEY,
      TF_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      TF_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TF_INGEST_BATCH_DELAY_MS: '20',
      // The tests click through searches far faster than a person would.
      TF_RATE_LIMIT_HEAVY_PER_MINUTE: '100000',
      // Notification channels under test deliver to a receiver the test starts on this machine.
      TF_ALERTING_ALLOWED_CIDRS: '127.0.0.1/32',
      TF_CONSOLE_DIR: CONSOLE_DIR,
      ...env,
    }),
    () => {},
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Console errors and uncaught exceptions of a page; `expected` filters deliberate failures. */
export function watchErrors(page: Page, expected: (msg: ConsoleMessage) => boolean = () => false): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expected(msg)) errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return errors;
}

/**
 * Content-Security-Policy violations on every page of a context, as the browser reports them
 * to the page (`securitypolicyviolation`), whether or not they also reach the console.
 */
export async function watchCspViolations(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.exposeBinding('tfReportCspViolation', (_source, text: string) => void violations.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      void (window as unknown as { tfReportCspViolation(text: string): Promise<void> }).tfReportCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  return violations;
}

/** An access token of the bootstrap admin from a login of its own (the page's session is left alone). */
export async function adminToken(apiUrl: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`admin login: ${res.status}`);
  return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true });
}

/** Gzipped bytes of the built console: everything, and the files one page load fetched. */
export function bundleSizes(fetchedPaths: Iterable<string>): { totalGzip: number; fetchedGzip: number; files: number } {
  const sizes = new Map<string, number>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else if (/\.(js|css|html)$/.test(name))
        sizes.set(`/${prefix}${name}`, gzipSync(readFileSync(path), { level: 9 }).length);
    }
  };
  walk(CONSOLE_DIR, '');
  let fetchedGzip = sizes.get('/index.html') ?? 0;
  for (const p of new Set(fetchedPaths)) if (p.startsWith('/assets/')) fetchedGzip += sizes.get(p) ?? 0;
  return { totalGzip: [...sizes.values()].reduce((a, b) => a + b, 0), fetchedGzip, files: sizes.size };
}

export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function apiGet<T>(apiUrl: string, path: string): Promise<T> {
  const res = await fetch(`${apiUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return ((await res.json()) as { data: T }).data;
}

/** The metric names the Prometheus API (`/prometheus`) knows, as a Prometheus client asks for them. */
export async function prometheusMetricNames(apiUrl: string): Promise<string[]> {
  const res = await fetch(`${apiUrl}/prometheus/api/v1/label/__name__/values`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  if (!res.ok) throw new Error(`label values: ${res.status}`);
  return ((await res.json()) as { data: string[] }).data;
}

export const SERVICE = 'checkout';
export const DOWNSTREAM = 'payments';
export const SPANS = 60;
export const METRIC = 'queue.depth';

/**
 * What the tests look at, sent over OTLP: a trace of SPANS spans and a short one (SERVICE calling
 * DOWNSTREAM), three log records, and METRIC on hosts h1 and h2; resolves once all are queryable.
 */
export async function sendTelemetry(rig: Rig): Promise<SentTrace> {
  const base = rig.server.apiUrl;
  const now = Date.now();
  const sent = traceRequest(SERVICE, DOWNSTREAM, SPANS, now - 5_000);
  await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, sent.body);
  await sendOtlp(rig.server.otlpHttpUrl, 'traces', API_KEY, traceRequest(SERVICE, DOWNSTREAM, 6, now - 60_000).body);
  await sendOtlp(rig.server.otlpHttpUrl, 'logs', API_KEY, logsRequest(SERVICE, sent.trace, now));
  await sendOtlp(rig.server.otlpHttpUrl, 'metrics', API_KEY, metricsRequest(SERVICE, METRIC, now, 20, sent.trace));
  await eventually('the data to be queryable', async () => {
    const [services, traces, logs, metrics] = await Promise.all([
      apiGet<ServiceDto[]>(base, '/services'),
      apiGet<TraceSummaryDto[]>(base, `/traces?service=${SERVICE}`),
      apiGet<LogDto[]>(base, `/logs?service=${SERVICE}`),
      apiGet<MetricDto[]>(base, '/metrics'),
    ]);
    return services.length === 2 && traces.length === 2 && logs.length === 3 && metrics.some((m) => m.name === METRIC)
      ? true
      : undefined;
  });
  return sent.trace;
}

/** Signs in on the sign-in page as the bootstrap admin. */
export async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.locator('input[name=email]').fill(ADMIN_EMAIL);
  await page.locator('input[name=password]').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/services');
}

/** Picks an option of a Naive UI select: opens it, types to filter when asked, clicks the option. */
export async function pick(page: Page, select: string, option: string | RegExp, search?: string): Promise<void> {
  await page.locator(select).click();
  if (search) await page.keyboard.type(search);
  await page.locator('.n-base-select-option', { hasText: option }).first().click();
}
