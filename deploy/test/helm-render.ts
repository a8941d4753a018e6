// Renders deploy/helm/telemetryflow like `helm template`, with deploy/helm/render (Go's
// text/template + Sprig + Helm's own functions; see that file for what it covers). Neither npm nor
// Debian packages a helm binary; Debian packages Go, Sprig and sigs.k8s.io/yaml, which CI installs
// (.ci/run): golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { deployPath } from './deploy-files.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Rendered {
  objects: K8sObject[];
  notes: string;
}

const GOPATH = process.env.TF_TEST_GOPATH ?? '/usr/share/gocode';
const DEBIAN_PACKAGES = 'golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev';

let renderer: string | undefined;

/** Why the renderer cannot be built here, or undefined when it can. */
export function rendererMissing(): string | undefined {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) return `no Go toolchain: apt-get install ${DEBIAN_PACKAGES}`;
  return undefined;
}

function buildRenderer(): string {
  if (renderer) return renderer;
  const dir = mkdtempSync(join(tmpdir(), 'tf-helm-render-'));
  const out = join(dir, 'render');
  const build = spawnSync('go', ['build', '-o', out, '.'], {
    cwd: deployPath('helm/render'),
    encoding: 'utf8',
    env: { ...process.env, GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: join(tmpdir(), 'tf-go-build-cache') },
  });
  if (build.status !== 0)
    throw new Error(`building the chart renderer failed (apt-get install ${DEBIAN_PACKAGES}):\n${build.stderr}`);
  return (renderer = out);
}

/** Renders the chart with its values.yaml plus `extra` values (files or objects), like `helm template … -f`. */
export function renderChart(extra: (string | object)[] = [], release = 'tf', namespace = 'observability'): Rendered {
  const files = extra.map((v) => {
    if (typeof v === 'string') return deployPath(`helm/telemetryflow/${v}`);
    const file = join(mkdtempSync(join(tmpdir(), 'tf-values-')), 'values.json');
    writeFileSync(file, JSON.stringify(v));
    return file;
  });
  const run = spawnSync(buildRenderer(), [deployPath('helm/telemetryflow'), release, namespace, ...files], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr.trim());
  const { files: rendered, notes } = JSON.parse(run.stdout) as { files: Record<string, string>; notes: string };
  const objects: K8sObject[] = [];
  for (const [name, text] of Object.entries(rendered)) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value = doc.toJS() as K8sObject | null;
      if (value !== null) objects.push(value);
    }
  }
  return { objects, notes };
}
