// Runs the Dockerfile's own steps that assemble the server image's /out tree (the build stage's
// copy step and the prod-server stage's install) on this machine, without Docker: the production
// tree must hold no embedded ClickHouse, and every module of the server must still load from it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DockerfileParser } from 'dockerfile-ast';
import { readDeployFile, REPO_DIR } from './deploy-files.js';

/** RUN commands of one stage of the Dockerfile, in order. */
function runsOf(stage: string): string[] {
  const runs: string[] = [];
  let current: string | undefined;
  for (const i of DockerfileParser.parse(readDeployFile('docker/Dockerfile')).getInstructions()) {
    if (i.getKeyword() === 'FROM') current = (i.getArgumentsContent() ?? '').split(/\s+/)[2];
    else if (i.getKeyword() === 'RUN' && current === stage) runs.push(i.getArgumentsContent() ?? '');
  }
  assert.ok(runs.length > 0, `stage ${stage} has RUN steps`);
  return runs;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): void {
  const run = spawnSync('bash', ['-o', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8' });
  assert.equal(run.status, 0, `${script}\n${run.stdout}\n${run.stderr}`);
}

function walk(dir: string, visit: (path: string) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    visit(path);
    if (entry.isDirectory() && !entry.isSymbolicLink()) walk(path, visit);
  }
}

describe('server image tree (Dockerfile steps run without Docker)', () => {
  // Inside the repository (ignored by git and Docker as .tf-test-*), so pnpm finds the same
  // package store the workspace was installed from and can install --offline, as the image does.
  const work = mkdtempSync(join(REPO_DIR, '.tf-test-image-'));
  const out = join(work, 'out');
  after(() => rmSync(work, { recursive: true, force: true }));

  test('assembles, installs production dependencies, leaves out chdb, and loads the server', () => {
    assert.ok(existsSync(join(REPO_DIR, 'server/dist/src/main.js')), 'the server is built (pnpm test builds it first)');
    // The image pins pnpm with `npm install -g pnpm@<version>`; here the same version runs through npx.
    const version = /npm install -g pnpm@(\S+)/.exec(runsOf('build').join('\n'))?.[1];
    assert.ok(version, 'the build stage pins pnpm');
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pnpm'), `#!/bin/sh\nexec npx -y pnpm@${version} "$@"\n`);
    chmodSync(join(bin, 'pnpm'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const atOut = (script: string) => script.replace(/\/out(?=[/\s"]|$)/g, out);

    // Build stage: the step after install + compile assembles /out from the built workspace.
    const assemble = runsOf('build').find((r) => r.includes('mkdir /out'));
    assert.ok(assemble, 'the build stage assembles /out');
    bash(atOut(assemble), REPO_DIR, env);
    // prod-server stage: production install, chdb removed, build fails if any is left.
    for (const run of runsOf('prod-server')) bash(atOut(run), out, env);

    const leftovers: string[] = [];
    walk(out, (path) => {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (/^(@?chdb|libchdb)/.test(name)) leftovers.push(path);
    });
    assert.deepEqual(leftovers, [], 'no chdb in the server image');
    assert.ok(!existsSync(join(out, 'node_modules/.pnpm/node_modules/typescript')), 'no dev dependencies');
    assert.ok(
      existsSync(join(out, 'otlp/proto')) && existsSync(join(out, 'clickhouse/migrations')),
      'runtime assets are copied',
    );

    // Every module of every role loads (chdb is imported only when CLICKHOUSE_URL is unset).
    const load = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "await import('./server/dist/src/node.js'); await import('./server/dist/src/config.js'); console.log('loaded')",
      ],
      { cwd: out, encoding: 'utf8' },
    );
    assert.equal(load.status, 0, load.stderr);
    assert.match(load.stdout, /loaded/);
    // Without CLICKHOUSE_URL this image cannot start a ClickHouse role, and says why.
    const query = spawnSync(process.execPath, ['server/dist/src/main.js', 'query'], {
      cwd: out,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, TF_METRICS_PORT: '0', TF_HTTP_PORT: '0', TF_DATA_DIR: join(work, 'data') },
      timeout: 60_000,
    });
    assert.notEqual(query.status, 0);
    assert.match(query.stderr, /chdb/);
  });
});
