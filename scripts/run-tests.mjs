// Runs every compiled test file of the workspace with Node's test runner, one file per
// process (each file owns its embedded ClickHouse data directory). Only compiled tests whose
// TypeScript source still exists run: tsc never deletes the output of a deleted or moved test.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Paths are the repository's, whichever package's script runs this (`pnpm --filter query test`).
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

// Every workspace package, so a test moved into a new package runs without editing this list.
const workspace = readFileSync('pnpm-workspace.yaml', 'utf8').match(/^packages:\n((?: {2}- .*\n)+)/m)?.[1] ?? '';
const packages = [...workspace.matchAll(/^ {2}- (\S+)$/gm)].map((m) => m[1].replace(/^['"]|['"]$/g, ''));
const files = [];
function walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js')) files.push(path);
  }
}
// pkg/dist/<dir>/x.test.js is compiled from pkg/<dir>/x.test.ts (rootDir is the package, or
// console/test for the console's browser tests, whose outDir is console/dist/test).
function sourceOf(file) {
  const [pkg, , ...rest] = file.split(sep);
  return join(pkg, ...rest).replace(/\.js$/, '.ts');
}
const stale = [];
for (const pkg of packages) {
  walk(join(pkg, 'dist', 'src'));
  walk(join(pkg, 'dist', 'test'));
}
for (let i = files.length - 1; i >= 0; i--) {
  if (!existsSync(sourceOf(files[i]))) stale.push(...files.splice(i, 1));
}
if (stale.length > 0)
  console.error(`skipping ${stale.length} compiled test(s) without a source file: ${stale.join(', ')}`);
if (files.length === 0) {
  console.error('no test files found: did the build run?');
  process.exit(1);
}
const filter = process.argv[2];
const selected = filter ? files.filter((f) => f.includes(filter)) : files;
if (selected.length === 0) {
  // `node --test` with no file arguments would run every test file it finds under the cwd.
  console.error(`no test file matches ${filter}`);
  process.exit(1);
}
// Two files at a time: most of a file's time is spent waiting (servers starting, clocks,
// ClickHouse merges), and every file owns its data directory, Postgres database and ports.
// The console's browser tests run one at a time afterwards: two Chromiums driving two
// all-in-ones on two cores make their clicks race the pages' own updates.
const concurrency = process.env.TF_TEST_CONCURRENCY ?? '2';
const isBrowserTest = (f) => f.startsWith(join('console', 'dist', 'test') + sep);
const runs = [
  { files: selected.filter((f) => !isBrowserTest(f)), concurrency },
  { files: selected.filter(isBrowserTest), concurrency: '1' },
].filter((r) => r.files.length > 0);
let status = 0;
for (const run of runs) {
  const result = spawnSync(
    process.execPath,
    ['--test', `--test-concurrency=${run.concurrency}`, '--test-timeout=300000', ...run.files],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
