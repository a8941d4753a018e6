// Typed rows, derived from INSERT_COLUMNS (clickhouse/src/tables.ts), the one insert contract:
// a row is its table's column values in that order, and each table's column writer
// (span-columns.ts, log-columns.ts, metric-columns.ts) is checked against it when it loads.
import {
  INSERT_TABLES,
  insertColumns,
  type INSERT_COLUMNS,
  type InsertColumnType,
  type InsertTable,
} from '@telemetryflow/clickhouse';

/** The value a row holds for a column of each insert type (what RowBinaryWriter.value takes). */
export interface ColumnValues {
  String: string;
  UInt8: number;
  UInt32: number;
  Int32: number;
  UInt64: bigint | string;
  Int64: bigint | string;
  Float64: number;
  Bool: boolean;
  'Nullable(Float64)': number | null;
  'Nullable(Int64)': string | null;
  'Map(String, String)': Record<string, string>;
  'Array(String)': readonly string[];
  'Array(UInt32)': readonly number[];
  'Array(UInt64)': readonly (bigint | string)[];
  'Array(Float64)': readonly number[];
  'Array(Nullable(Int64))': readonly (string | null)[];
  'Array(Map(String, String))': readonly Record<string, string>[];
}

type TableColumns<T extends InsertTable> = (typeof INSERT_COLUMNS)[T];
type ValueOf<E> = E extends readonly [string, infer V extends InsertColumnType] ? ColumnValues[V] : never;
type ValuesOf<C> = { -readonly [K in keyof C]: ValueOf<C[K]> };
type ByName<C extends readonly (readonly [string, InsertColumnType])[]> = {
  [E in C[number] as E[0]]: ColumnValues[E[1]];
};

/** One row of `table`: the values of its insert columns, in INSERT_COLUMNS order. */
export type InsertRow<T extends InsertTable> = ValuesOf<TableColumns<T>>;
/** The names of `table`'s insert columns. */
export type ColumnName<T extends InsertTable> = TableColumns<T>[number][0];
/** One row of `table` by column name: what readers such as the live tail look at. */
export type NamedRow<T extends InsertTable> = ByName<TableColumns<T>>;

export type SpanRow = InsertRow<'spans'>;
export type LogRow = InsertRow<'logs'>;
export type NamedSpanRow = NamedRow<'spans'>;
export type NamedLogRow = NamedRow<'logs'>;

const COLUMN_NAMES = Object.fromEntries(INSERT_TABLES.map((table) => [table, insertColumns(table)])) as Record<
  InsertTable,
  readonly string[]
>;

/** A row of `table` by column name. */
export function namedRow<T extends InsertTable>(table: T, row: InsertRow<T>): NamedRow<T> {
  const names = COLUMN_NAMES[table];
  const values = row as readonly unknown[];
  const named: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) named[names[i]!] = values[i];
  return named as NamedRow<T>;
}

/**
 * A table's column writer: for each group of consecutive columns (named in `groups`), how one
 * encoder writes it into its sink W (a row array, or RowBinary bytes) from its source S.
 */
export type ColumnWriter<Group extends string, W, S> = { readonly [G in Group]: (w: W, s: S) => void };

/** Groups of consecutive columns: [group, its columns]. */
export type ColumnGroups = readonly (readonly [string, readonly string[]])[];

/**
 * Checks, once when a table's writer module loads, that `writeRow` writes the groups whose
 * columns are exactly `table`'s insert columns in order. A writer that skips, repeats or
 * reorders a group fails the start of every process that imports it, not a later insert.
 */
export function checkColumnOrder<G extends ColumnGroups>(
  table: InsertTable,
  groups: G,
  writeRow: (w: string[], writer: ColumnWriter<G[number][0], string[], undefined>, s: undefined) => void,
): void {
  const recorder = Object.fromEntries(
    groups.map(([group, columns]) => [group, (w: string[]) => void w.push(...columns)]),
  );
  const written: string[] = [];
  writeRow(written, recorder as unknown as ColumnWriter<G[number][0], string[], undefined>, undefined);
  const expected = insertColumns(table);
  if (written.join() !== expected.join()) {
    throw new Error(
      `the ${table} column writer writes ${written.join(', ')}; INSERT_COLUMNS.${table} is ${expected.join(', ')}`,
    );
  }
}

/**
 * A row of `table` from its values by name, in INSERT_COLUMNS order: the column writer of
 * tables with one encoder (the metrics tables), whose order is INSERT_COLUMNS' own.
 */
export function rowOf<T extends InsertTable>(table: T, named: NamedRow<T>): InsertRow<T> {
  const names = COLUMN_NAMES[table];
  const values = named as Record<string, unknown>;
  const row: unknown[] = [];
  for (let i = 0; i < names.length; i++) row.push(values[names[i]!]);
  return row as InsertRow<T>;
}
