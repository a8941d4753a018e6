import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertColumns } from '@telemetryflow/clickhouse';
import {
  checkColumnOrder,
  namedRow,
  SPAN_COLUMN_GROUPS,
  traceRequestToRows,
  writeSpanColumns,
  type SpanColumnWriter,
} from '../src/index.js';
import { span, traceRequest } from './fixtures.js';

test('a column writer that writes its groups out of INSERT_COLUMNS order is refused when it is checked', () => {
  const swapped = <W, S>(w: W, c: SpanColumnWriter<W, S>, s: S) => {
    writeSpanColumns(w, { ...c, traceId: c.spanId, spanId: c.traceId }, s);
  };
  assert.throws(
    () => checkColumnOrder('spans', SPAN_COLUMN_GROUPS, swapped),
    /the spans column writer writes TenantId, SpanIdHex, TraceIdHex/,
  );
  const skipping = <W, S>(w: W, c: SpanColumnWriter<W, S>, s: S) => {
    writeSpanColumns(w, { ...c, kind: () => {} }, s);
  };
  assert.throws(() => checkColumnOrder('spans', SPAN_COLUMN_GROUPS, skipping), /INSERT_COLUMNS\.spans is/);
  assert.doesNotThrow(() => checkColumnOrder('spans', SPAN_COLUMN_GROUPS, writeSpanColumns));
});

test('rows have one value per insert column, readable by column name', () => {
  const row = traceRequestToRows('acme', traceRequest([span()])).tables.spans![0]!;
  assert.equal(row.length, insertColumns('spans').length);
  const named = namedRow('spans', row);
  assert.deepEqual(Object.keys(named), insertColumns('spans'));
  assert.equal(named.TenantId, 'acme');
  assert.equal(named.Name, 'GET /cart');
  assert.equal(named.StatusMessage, 'boom');
  assert.deepEqual(named.EventNames, ['retry']);
});
