import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportQuery } from './export-query.js';

const scope = { tenant: "t'1", fromNs: 1n, toNs: 2n };

test('every value is a bound parameter; the tenant and the range always filter', () => {
  const q = exportQuery({
    ...scope,
    signal: 'traces',
    filters: { service: "shop' OR 1=1", attributes: { "k'": 'v' }, resourceAttributes: { 'host.name': 'h' } },
  });
  assert.ok(!q.sql.includes("shop'"));
  assert.ok(!q.sql.includes("k'"));
  assert.match(q.sql, /TenantId = \{tenant:String\}/);
  assert.match(q.sql, /StartTime >= fromUnixTimestamp64Nano\(toInt64\(\{fromNs:UInt64\}\)\)/);
  assert.match(q.sql, /Attributes\[\{ak0:String\}\] = \{av0:String\}/);
  assert.match(q.sql, /ResourceAttributes\[\{rk0:String\}\] = \{rv0:String\}/);
  assert.deepEqual(q.params, {
    tenant: "t'1",
    fromNs: '1',
    toNs: '2',
    service: "shop' OR 1=1",
    ak0: "k'",
    av0: 'v',
    rk0: 'host.name',
    rv0: 'h',
  });
});

test('logs filter on their timestamp, metrics on the point time and the series tenant', () => {
  assert.match(exportQuery({ ...scope, signal: 'logs', filters: {} }).sql, /FROM logs WHERE .*Timestamp >= /);
  const m = exportQuery({ ...scope, signal: 'metrics', filters: { attributes: { a: 'b' } } }).sql;
  assert.match(m, /FROM metric_series WHERE TenantId = \{tenant:String\} AND Attributes\[\{ak0:String\}\]/);
  assert.match(m, /WHERE p\.TenantId = \{tenant:String\} AND p\.Time >= /);
});
