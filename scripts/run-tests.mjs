// Runs every compiled test file of the workspace with Node's test runner, one file per
// process (each file owns its embedded ClickHouse data directory).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const packages = ['schemas', 'clickhouse', 'bus', 'rows', 'worker-pool', 'ingest', 'collector', 'query', 'alerting', 'server', 'bench', 'deploy', 'console', 'promql', 'probe', 'abuse'];
const files = [];
function walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js')) files.push(path);
  }
}
for (const pkg of packages) {
  walk(join(pkg, 'dist', 'src'));
  walk(join(pkg, 'dist', 'test'));
}
if (files.length === 0) {
  console.error('no test files found: did the build run?');
  process.exit(1);
}
const filter = process.argv[2];
const selected = filter ? files.filter((f) => f.includes(filter)) : files;
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=300000', ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
