// The same migrations on a ClickHouse cluster (TF_CLICKHOUSE_CLUSTER): every table becomes
// a Replicated*MergeTree `<name>_local` on each shard plus a Distributed `<name>` over them,
// so writers and queries keep using the plain names; materialized views run shard-locally,
// from local source to local target; every DDL statement is ON CLUSTER. A migration's data
// statements (INSERT … SELECT with distributed_foreground_insert, rebuilding rollup rows)
// run once, from the node that migrates, through the Distributed tables (their subqueries
// GLOBAL). Pure: SQL in, SQL out.

/** How rows of each table are spread over shards: whole traces, whole series, tenant + time. */
const SHARDING_KEYS: Record<string, string> = {
  spans: 'cityHash64(TenantId, TraceId)',
  trace_index: 'cityHash64(TenantId, TraceId)',
  logs: 'cityHash64(TenantId, toStartOfHour(Timestamp))',
  metric_series: 'cityHash64(TenantId, Fingerprint)',
  metrics_gauge: 'cityHash64(TenantId, Fingerprint)',
  metrics_sum: 'cityHash64(TenantId, Fingerprint)',
  metrics_histogram: 'cityHash64(TenantId, Fingerprint)',
  metrics_exp_histogram: 'cityHash64(TenantId, Fingerprint)',
  metrics_summary: 'cityHash64(TenantId, Fingerprint)',
};

/** Tables every node holds in full (small reference data read by dictionaries and the ledger). */
const EVERYWHERE = new Set(['schema_migrations', 'tenant_retention', 'rollup_watermarks']);

/**
 * The sharding key of a table: listed above, else the tenant (rollups and anything new
 * keep a tenant's rows of one key together; a new table should be listed here).
 */
export function shardingKey(table: string): string {
  return SHARDING_KEYS[table] ?? 'cityHash64(TenantId)';
}

const CREATE_TABLE =
  /^CREATE TABLE IF NOT EXISTS (\w+)(\s*\([\s\S]*\)\s*)ENGINE = (\w*MergeTree)(?:\(([^)]*)\))?([\s\S]*)$/;
const CREATE_VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+)( AS[\s\S]*)$/;
const ALTER_TABLE = /^ALTER TABLE (\w+) ([\s\S]*)$/;
const MODIFY_VIEW_QUERY = /^ALTER TABLE (\w+_mv) MODIFY QUERY\s([\s\S]*)$/;
const DROP_VIEW = /^DROP VIEW IF EXISTS (\w+)$/;
/** Data statements of a migration (a rebuild): they read and write the Distributed tables, once, from the node that migrates. */
const INSERT_SELECT =
  /^INSERT INTO \w+ \([^)]*\)\s+SETTINGS [\s\S]*\bdistributed_foreground_insert = 1\b[\s\S]*\bSELECT\b[\s\S]*$/;
/** A sorting-key change after the columns it adds: shards only, the Distributed table has no key. */
const SORTING_KEY_CHANGE = /,\s*MODIFY ORDER BY [\s\S]*$/;
const CREATE_DICTIONARY = /^CREATE DICTIONARY IF NOT EXISTS (\w+)([\s\S]*)$/;
const COLUMN_CHANGE = /^(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN\b/i;

export interface ClusterDdlOptions {
  cluster: string;
  /** Tables created by earlier migrations (their `_local` names are used in views and alters). */
  knownTables?: ReadonlySet<string>;
}

/** ` ON CLUSTER <name>` for DDL and mutations of a cluster node, '' on a single node. */
export function onCluster(cluster: string | undefined): string {
  return cluster ? ` ON CLUSTER ${identifier(cluster)}` : '';
}

function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
    throw new Error(`invalid ClickHouse cluster name ${JSON.stringify(name)}`);
  return name.includes('-') ? `\`${name}\`` : name;
}

/** Rewrites one migration's statements for the cluster; `tables` collects the tables created. */
export function clusterStatements(
  statements: readonly string[],
  options: ClusterDdlOptions & { tables?: Set<string> },
): string[] {
  const c = identifier(options.cluster);
  const tables = options.tables ?? new Set(options.knownTables ?? []);
  // Aliased to the plain name, so columns qualified by the table name (`metrics_histogram.Count`) still resolve.
  const local = (sql: string) =>
    sql.replace(/\b(FROM|JOIN)\s+(\w+)\b/g, (m, kw: string, t: string) =>
      tables.has(t) ? `${kw} ${t}_local AS ${t}` : m,
    );
  const out: string[] = [];
  for (const statement of statements) {
    let m: RegExpExecArray | null;
    if ((m = CREATE_TABLE.exec(statement))) {
      const [, name, columns, engine, args, rest] = m as unknown as [
        string,
        string,
        string,
        string,
        string | undefined,
        string,
      ];
      const shard = EVERYWHERE.has(name) ? 'all' : '{shard}';
      const engineArgs = [
        `'/clickhouse/tables/${shard}/{database}/${name}_local'`,
        `'{replica}'`,
        ...(args?.trim() ? [args.trim()] : []),
      ];
      out.push(
        `CREATE TABLE IF NOT EXISTS ${name}_local ON CLUSTER ${c}${columns}ENGINE = Replicated${engine}(${engineArgs.join(', ')})${rest}`,
      );
      out.push(
        `CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER ${c} AS ${name}_local ENGINE = Distributed(${c}, currentDatabase(), ${name}_local, ${EVERYWHERE.has(name) ? 'rand()' : shardingKey(name)})`,
      );
      tables.add(name);
    } else if ((m = CREATE_VIEW.exec(statement))) {
      const [, view, target, select] = m as unknown as [string, string, string, string];
      out.push(
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view} ON CLUSTER ${c} TO ${tables.has(target) ? `${target}_local` : target}${local(select)}`,
      );
    } else if ((m = MODIFY_VIEW_QUERY.exec(statement))) {
      const [, view, select] = m as unknown as [string, string, string];
      out.push(`ALTER TABLE ${view} ON CLUSTER ${c} MODIFY QUERY ${local(select)}`);
    } else if ((m = DROP_VIEW.exec(statement))) {
      out.push(`DROP VIEW IF EXISTS ${m[1]} ON CLUSTER ${c}`);
    } else if ((m = ALTER_TABLE.exec(statement))) {
      const [, table, change] = m as unknown as [string, string, string];
      if (!tables.has(table))
        throw new Error(`ALTER TABLE ${table}: not a table of the migrations, cannot place it on the cluster`);
      out.push(`ALTER TABLE ${table}_local ON CLUSTER ${c} ${change}`);
      // The Distributed table mirrors the columns; settings, TTL, indexes and keys live on the shards.
      if (COLUMN_CHANGE.test(change.trim()))
        out.push(`ALTER TABLE ${table} ON CLUSTER ${c} ${change.replace(SORTING_KEY_CHANGE, '')}`);
    } else if (INSERT_SELECT.test(statement)) {
      out.push(statement);
    } else if ((m = CREATE_DICTIONARY.exec(statement))) {
      out.push(`CREATE DICTIONARY IF NOT EXISTS ${m[1]} ON CLUSTER ${c}${m[2]}`);
    } else {
      throw new Error(`cannot place this migration statement on a cluster:\n${statement.slice(0, 200)}`);
    }
  }
  return out;
}
