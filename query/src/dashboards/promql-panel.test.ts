import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { instantQuery, MemorySeriesSource, QueryError, rangeQuery } from '@telemetryflow/promql';
import { legendName, promqlPanelError, promqlPanelResult, substitutePromqlVariables } from './promql-panel.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;

function source(): MemorySeriesSource {
  const s = new MemorySeriesSource();
  for (let t = T0; t <= T0 + 10 * MIN; t += 15_000) {
    s.append({ __name__: 'http_requests_total', job: 'api', code: '200' }, t, (t - T0) / 1000);
    // Scraped from minute 4 on only.
    if (t >= T0 + 4 * MIN) s.append({ __name__: 'http_requests_total', job: 'api', code: '500' }, t, (t - T0) / 5000);
  }
  return s;
}

describe('PromQL panel variables', () => {
  const values = { job: 'api', code: ['200', '5xx.*'], env: null, path: ['/a.b'] };

  test('are put in as Grafana does: one value as is, several regex-escaped as (a|b), none as .*', () => {
    assert.equal(
      substitutePromqlVariables('sum(rate(x{job="$job", code=~"${code}", env=~"$env"}[5m]))', values),
      'sum(rate(x{job="api", code=~"(200|5xx\\\\.\\\\*)", env=~".*"}[5m]))',
    );
    assert.equal(substitutePromqlVariables('x{path=~"$path"}', values), 'x{path=~"/a\\\\.b"}');
    assert.equal(substitutePromqlVariables('x{a="$other"} $__rate_interval', values), 'x{a="$other"} $__rate_interval');
  });

  test('a value cannot end the string literal it is put in', async () => {
    const expr = substitutePromqlVariables('up{job="$job"}', { job: 'a"} or vector(1) or up{job="' });
    assert.equal(expr, 'up{job="a\\"} or vector(1) or up{job=\\""}');
    const v = await instantQuery(source(), expr, T0);
    assert.deepEqual(v, { resultType: 'vector', result: [] }, 'one selector with an odd job, not three expressions');
  });

  test('several values select exactly those series', async () => {
    const expr = substitutePromqlVariables('http_requests_total{code=~"$code"}', { code: ['500', '2.0'] });
    const v = await instantQuery(source(), expr, T0 + 5 * MIN);
    assert.equal(v.resultType, 'vector');
    assert.deepEqual(
      v.resultType === 'vector' && v.result.map((s) => s.metric.find((l) => l.name === 'code')?.value),
      ['500'],
      '2.0 is a literal value, not a regex matching 200',
    );
  });
});

describe('PromQL panel series', () => {
  const range = { startMs: T0 + 2 * MIN, endMs: T0 + 6 * MIN, stepMs: MIN };
  const run = (expr: string) => rangeQuery(source(), expr, range.startMs, range.endMs, range.stepMs);

  test('one series per PromQL series, a point at every step, named like Prometheus prints it', async () => {
    const out = promqlPanelResult(await run('http_requests_total'), range, 'http_requests_total');
    assert.deepEqual(out.meta, { resolution: 'raw', step: 60 });
    assert.deepEqual(
      out.data.series.map((s) => s.name),
      ['http_requests_total{code="200", job="api"}', 'http_requests_total{code="500", job="api"}'],
    );
    assert.deepEqual(out.data.series[0]!.labels, { __name__: 'http_requests_total', code: '200', job: 'api' });
    assert.deepEqual(out.data.series[1]!.points, [
      [T0 + 2 * MIN, null],
      [T0 + 3 * MIN, null],
      [T0 + 4 * MIN, 48],
      [T0 + 5 * MIN, 60],
      [T0 + 6 * MIN, 72],
    ]);
  });

  test('legends name series from their labels; a series without labels is named by its query', async () => {
    const byCode = promqlPanelResult(
      await run('sum by (code) (rate(http_requests_total[2m]))'),
      range,
      'e',
      'HTTP {{ code }} {{job}}',
    );
    assert.deepEqual(
      byCode.data.series.map((s) => s.name),
      ['HTTP 200 job', 'HTTP 500 job'],
    );
    assert.equal(byCode.data.series[0]!.points[0]![1], 1);
    const total = promqlPanelResult(await run('sum(rate(http_requests_total[2m]))'), range, 'sum(rate(x[2m]))');
    assert.equal(total.data.series[0]!.name, 'sum(rate(x[2m]))');
    assert.equal(legendName('{{a}}-{{ b }}-{{ {c} }}', { a: '1', b: '2' }), '1-2-{{ {c} }}');
  });

  test('scalars chart as one series; NaN and infinities are gaps', async () => {
    const out = promqlPanelResult(await run('1 / (time() - time())'), range, '1/0');
    assert.deepEqual(
      out.data.series.map((s) => [s.name, s.points.map((p) => p[1])]),
      [['1/0', [null, null, null, null, null]]],
    );
    const scalar = promqlPanelResult({ resultType: 'scalar', result: { t: T0 + 3 * MIN, v: 2 } }, range, '2');
    assert.deepEqual(scalar.data.series[0]!.points[1], [T0 + 3 * MIN, 2]);
  });

  test('PromQL errors are the panel’s error: bad data is a 400 with Prometheus’ message', async () => {
    const parse = await run('rate(x[5m]').catch((e: unknown) => e);
    assert.ok(parse instanceof QueryError);
    const e = promqlPanelError(parse);
    assert.deepEqual(
      [e.status, e.code, e.message],
      [400, 'invalid_parameter', '1:11: parse error: unclosed left parenthesis'],
    );
    const exec = promqlPanelError(
      new QueryError('execution', 'query processing would load too many samples into memory in query execution'),
    );
    assert.deepEqual([exec.status, exec.code], [422, 'execution']);
    assert.deepEqual([promqlPanelError(new QueryError('timeout', 'query timed out in query execution')).status], [503]);
  });
});
