import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPERATION_SPAN_TABLES, SERVICE_SPAN_TABLES } from '../planner/plan-sql.js';
import { filterCondition, metricLabelFilter } from './filter-sql.js';
import { logFilter, logsNeedRaw, severityFloor } from './log-series.js';
import { assembleSeries } from './series.js';
import { normalizeSpanValue, spanFilter, spanMeasureValue, spanTables } from './span-series.js';

test('filter operators become bound conditions; values never enter the SQL', () => {
  assert.deepEqual(filterCondition('ServiceName', '=', "x' OR 1", 'v0'), {
    sql: 'ServiceName = {v0:String}',
    params: { v0: "x' OR 1" },
  });
  assert.deepEqual(filterCondition('e', '!~', '^a', 'v1'), { sql: 'NOT match(e, {v1:String})', params: { v1: '^a' } });
  assert.deepEqual(filterCondition('e', 'in', ['a', 'b'], 'v2'), {
    sql: 'e IN {v2:Array(String)}',
    params: { v2: ['a', 'b'] },
  });
  const m = metricLabelFilter({ label: 'host.name', op: '=~', value: 'h[12]' }, 3);
  assert.equal(
    m.sql,
    'match(if(mapContains(Attributes, {k3:String}), Attributes[{k3:String}], ResourceAttributes[{k3:String}]), {v3:String})',
  );
  assert.deepEqual(m.params, { k3: 'host.name', v3: 'h[12]' });
});

test('span labels: rollups only for service, operation and kind; short kind and status names', () => {
  assert.deepEqual(spanTables({ signal: 'spans', measure: 'count', groupBy: ['service'] }), {
    tables: SERVICE_SPAN_TABLES,
    rawOnly: false,
  });
  assert.deepEqual(
    spanTables({ signal: 'spans', measure: 'p95', filters: [{ label: 'kind', op: '=', value: 'server' }] }),
    { tables: OPERATION_SPAN_TABLES, rawOnly: false },
  );
  assert.equal(spanTables({ signal: 'spans', measure: 'count', groupBy: ['attr.http.route'] }).rawOnly, true);
  assert.equal(
    spanTables({ signal: 'spans', measure: 'count', filters: [{ label: 'status', op: '=', value: 'error' }] }).rawOnly,
    true,
  );
  assert.equal(normalizeSpanValue('kind', 'server'), 'SPAN_KIND_SERVER');
  assert.equal(normalizeSpanValue('status', 'STATUS_CODE_OK'), 'STATUS_CODE_OK');
  assert.equal(normalizeSpanValue('service', 'Api'), 'Api');
  assert.deepEqual(
    spanFilter({ label: 'operation', op: 'in', value: ['a'] }, 0, 'hourly').sql,
    'SpanName IN {fv0:Array(String)}',
  );
  assert.deepEqual(spanFilter({ label: 'attr.http.route', op: '=', value: '/a' }, 1, 'raw'), {
    sql: 'Attributes[{fk1:String}] = {fv1:String}',
    params: { fk1: 'http.route', fv1: '/a' },
  });
});

test('span measures from step aggregates', () => {
  const r = { n: 10, errors: 2, dsum: 50_000_000, q: [1e6, 2e6, 3e6, 4e6] };
  assert.equal(spanMeasureValue('rate', r, 5000), 2);
  assert.equal(spanMeasureValue('error_rate', r, 1000), 0.2);
  assert.equal(spanMeasureValue('avg', r, 1000), 5);
  assert.equal(spanMeasureValue('p95', r, 1000), 3);
  assert.equal(spanMeasureValue('error_rate', { n: 0, errors: 0, dsum: 0 }, 1000), null);
});

test('log labels and severity floor; rollups without text or attributes', () => {
  assert.equal(severityFloor('WARN'), 13);
  assert.equal(severityFloor(22), 22);
  assert.equal(severityFloor(undefined), undefined);
  assert.equal(logsNeedRaw({ signal: 'logs', measure: 'count', groupBy: ['severity'], minSeverity: 'ERROR' }), false);
  assert.equal(logsNeedRaw({ signal: 'logs', measure: 'count', search: 'x' }), true);
  assert.equal(
    logsNeedRaw({ signal: 'logs', measure: 'count', filters: [{ label: 'resource.k', op: '=', value: 'v' }] }),
    true,
  );
  assert.deepEqual(logFilter({ label: 'severity', op: 'in', value: ['error', 'warn'] }, 0).params, {
    fv0: ['ERROR', 'WARN'],
  });
});

test('series assembly: a point per step, sorted groups, empty values, one series without groupBy', () => {
  const rows = [
    { bucket: 60, keys: ['b'], value: 3 },
    { bucket: 0, keys: ['a'], value: 1 },
  ];
  assert.deepEqual(assembleSeries(['svc'], rows, [0, 60], 0), [
    {
      labels: { svc: 'a' },
      points: [
        [0, 1],
        [60, 0],
      ],
    },
    {
      labels: { svc: 'b' },
      points: [
        [0, 0],
        [60, 3],
      ],
    },
  ]);
  assert.deepEqual(assembleSeries([], [], [0, 60], null), [
    {
      labels: {},
      points: [
        [0, null],
        [60, null],
      ],
    },
  ]);
  assert.deepEqual(assembleSeries(['svc'], [], [0], 0), []);
});
