// Real ClickHouse refusals for the failure tests, made on the engine the test process
// holds: no wrapper around the client, the engine itself answers with the error.
//  - "Too many parts" (TOO_MANY_PARTS), what ClickHouse answers while merges fall behind
//    the inserts: transient, every insert into the table fails until it clears.
//  - A CHECK constraint: the rows it matches are refused as data (VIOLATED_CONSTRAINT),
//    every other row goes in.
import type { ClickHouseClient, InsertTable } from '@telemetryflow/clickhouse';

/** From now on every insert into `tables` fails with TOO_MANY_PARTS (each must hold a part already). */
export async function refuseInserts(client: ClickHouseClient, tables: readonly InsertTable[]): Promise<void> {
  for (const table of tables) {
    const rs = await client.query({
      query:
        'SELECT count() AS parts FROM system.parts WHERE database = currentDatabase() AND table = {table:String} AND active',
      query_params: { table },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ parts: string }>();
    // The limit counts existing parts: a table without any would still take inserts.
    if (Number(row?.parts ?? 0) === 0)
      throw new Error(`${table} holds no part yet: store some rows in it before refusing inserts`);
    await client.command({
      query: 'ALTER TABLE {table:Identifier} MODIFY SETTING parts_to_throw_insert = 1',
      query_params: { table },
    });
  }
}

/** Inserts into `tables` work again. */
export async function acceptInserts(client: ClickHouseClient, tables: readonly InsertTable[]): Promise<void> {
  for (const table of tables) {
    await client.command({
      query: 'ALTER TABLE {table:Identifier} RESET SETTING parts_to_throw_insert',
      query_params: { table },
    });
  }
}

/** Rows of `table` whose `column` starts with `prefix` are refused as data until `drop()`. */
export async function refuseRowsStartingWith(
  client: ClickHouseClient,
  table: InsertTable,
  column: string,
  prefix: string,
): Promise<{ drop(): Promise<void> }> {
  // A constraint's name cannot be a query parameter; one refusal per table at a time.
  await client.command({
    query:
      'ALTER TABLE {table:Identifier} ADD CONSTRAINT tf_test_refused_rows CHECK NOT startsWith({column:Identifier}, {prefix:String})',
    query_params: { table, column, prefix },
  });
  return {
    async drop() {
      await client.command({
        query: 'ALTER TABLE {table:Identifier} DROP CONSTRAINT tf_test_refused_rows',
        query_params: { table },
      });
    },
  };
}
