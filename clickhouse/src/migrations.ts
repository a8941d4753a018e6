import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { clusterOf } from './client.js';
import { clusterStatements } from './cluster-ddl.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Splits a migration file into statements; `--` comments are dropped first. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function parseMigration(fileName: string, sql: string): Migration {
  const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(fileName);
  if (!m) throw new Error(`migration file name must look like 0001_name.sql: ${fileName}`);
  return {
    version: Number(m[1]),
    name: m[2]!,
    checksum: createHash('sha256').update(sql).digest('hex'),
    statements: splitStatements(sql),
  };
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseMigration(f, readFileSync(dir + f, 'utf8')));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version} at ${i + 1}`);
  });
  return migrations;
}

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3) DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version`;

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
}

/**
 * Applies pending migrations in order. Every statement is idempotent (`IF NOT EXISTS`),
 * so two processes migrating at once both succeed and the ledger converges; a changed
 * file of an applied migration is refused, since migrations are immutable.
 */
export async function migrate(client: ClickHouseClient, migrations = loadMigrations()): Promise<MigrationReport> {
  const cluster = clusterOf(client);
  // On a cluster every statement is rendered ON CLUSTER; `tables` carries the tables of
  // earlier migrations so later views and alters find their local twins.
  const tables = new Set<string>();
  const place = (statements: readonly string[]) =>
    cluster ? clusterStatements(statements, { cluster, tables }) : [...statements];
  for (const query of place([LEDGER_DDL])) await client.command({ query });
  const rs = await client.query({
    query: 'SELECT version, any(checksum) AS checksum FROM schema_migrations GROUP BY version',
    format: 'JSONEachRow',
  });
  const done = new Map(
    (await rs.json<{ version: number; checksum: string }>()).map((r) => [Number(r.version), r.checksum]),
  );
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    const recorded = done.get(m.version);
    if (recorded !== undefined) {
      if (recorded !== m.checksum) {
        throw new Error(
          `ClickHouse migration ${m.version}_${m.name} was changed after it was applied (checksum mismatch)`,
        );
      }
      report.alreadyApplied.push(m.version);
      place(m.statements);
      continue;
    }
    for (const statement of place(m.statements)) await client.command({ query: statement });
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: m.version, name: m.name, checksum: m.checksum }],
      format: 'JSONEachRow',
    });
    report.applied.push(m.version);
  }
  return report;
}

/** True when every known migration is recorded as applied (used by readiness). */
export async function migrationsComplete(client: ClickHouseClient, migrations = loadMigrations()): Promise<boolean> {
  const rs = await client.query({
    query: 'SELECT uniqExact(version) AS n FROM schema_migrations',
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row?.n ?? 0) >= migrations.length;
}
