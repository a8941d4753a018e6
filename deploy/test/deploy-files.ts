// Paths of the deploy/ files under test and the facts they must agree with (the README's
// configuration table, the metric names the server exports).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

/** Prometheus metrics TelemetryFlow exports (README "Distributed mode"), without suffixes. */
export const TF_METRICS = [
  'tf_otlp_requests_total',
  'tf_otlp_items_accepted_total',
  'tf_otlp_items_rejected_total',
  'tf_jetstream_publish_seconds',
  'tf_ingest_batch_rows',
  'tf_ingest_insert_seconds',
  'tf_ingest_consumer_pending_messages',
  'tf_ingest_redeliveries_total',
  'tf_ingest_dead_letters_total',
] as const;

/** Histograms among them: queried as _bucket, _sum, _count. */
export const TF_HISTOGRAMS = new Set(['tf_jetstream_publish_seconds', 'tf_ingest_batch_rows', 'tf_ingest_insert_seconds']);
