// Paths of the deploy/ files under test and the facts they must agree with (the README's
// configuration table, the metric names the server exports).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAlertingMetrics } from '@telemetryflow/alerting';
import { createCollectorMetrics, registerInflightGauge } from '@telemetryflow/collector';
import { createIngestMetrics } from '@telemetryflow/ingest';
import { createQueryMetrics } from '@telemetryflow/query';
import { Registry } from 'prom-client';

/** deploy/ (tests run compiled from deploy/dist/test/). */
export const DEPLOY_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export function deployPath(relative: string): string {
  return DEPLOY_DIR + relative;
}

export function readDeployFile(relative: string): string {
  return readFileSync(deployPath(relative), 'utf8');
}

/** Environment variables a TelemetryFlow process reads: every row of the README's configuration table. */
export function knownSettings(): Set<string> {
  const readme = readFileSync(REPO_DIR + 'README.md', 'utf8');
  const names = new Set<string>();
  for (const match of readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)) names.add(match[1]!);
  return names;
}

/** Prometheus metrics TelemetryFlow's roles export (read from their own registries), without suffixes. */
const exported = await (async () => {
  const registry = new Registry();
  createCollectorMetrics(registry);
  registerInflightGauge(registry, () => 0);
  createIngestMetrics(registry);
  createQueryMetrics(registry);
  createAlertingMetrics(registry);
  return registry.getMetricsAsJSON();
})();
export const TF_METRICS: readonly string[] = exported.map((m) => m.name);

/** Histograms among them: queried as _bucket, _sum, _count. */
export const TF_HISTOGRAMS = new Set(exported.filter((m) => String(m.type) === 'histogram').map((m) => m.name));
