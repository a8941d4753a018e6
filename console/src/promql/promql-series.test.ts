import { describe, expect, it } from 'vitest';
import { instantRows, legendName, matrixSeries, promSeriesName } from './promql-series.js';

describe('PromQL series names', () => {
  it('are the metric name and labels, as Prometheus shows them', () => {
    expect(promSeriesName({ __name__: 'up', job: 'api', instance: 'h1:9090' })).toBe(
      'up{job="api", instance="h1:9090"}',
    );
    expect(promSeriesName({ __name__: 'up' })).toBe('up');
    expect(promSeriesName({ code: '500' })).toBe('{code="500"}');
    expect(promSeriesName({})).toBe('{}');
    expect(promSeriesName({ path: 'say "hi"\\' })).toBe('{path="say \\"hi\\"\\\\"}');
  });

  it('follow a legend template, Grafana style', () => {
    const labels = { __name__: 'up', job: 'api', instance: 'h1:9090' };
    expect(legendName('{{job}} on {{ instance }}', labels)).toBe('api on h1:9090');
    expect(legendName('{{job}}/{{missing}}', labels)).toBe('api/');
    expect(legendName('  ', labels)).toBe('up{job="api", instance="h1:9090"}');
    expect(legendName(undefined, { job: 'x' })).toBe('{job="x"}');
  });
});

describe('a query_range matrix as chart series', () => {
  const window = { start: 1_000_000, end: 1_060_000, step: 15 };

  it('puts a point at every step, null where Prometheus has no sample or a non-finite one', () => {
    const [s] = matrixSeries(
      [
        {
          metric: { __name__: 'queue_depth', host: 'h1' },
          values: [
            [1000, '1'],
            [1015, '2.5'],
            [1045, 'NaN'],
            [1060, '+Inf'],
          ],
        },
      ],
      window,
    );
    expect(s).toEqual({
      name: 'queue_depth{host="h1"}',
      labels: { __name__: 'queue_depth', host: 'h1' },
      points: [
        [1_000_000, 1],
        [1_015_000, 2.5],
        [1_030_000, null],
        [1_045_000, null],
        [1_060_000, null],
      ],
    });
  });

  it('names each series by the legend and keeps samples off the step grid', () => {
    const series = matrixSeries(
      [
        { metric: { host: 'h1' }, values: [[1007.5, '3']] },
        { metric: { host: 'h2' }, values: [] },
      ],
      window,
      'host {{host}}',
    );
    expect(series.map((s) => s.name)).toEqual(['host h1', 'host h2']);
    expect(series[0]!.points.find(([t]) => t === 1_007_500)).toEqual([1_007_500, 3]);
    expect(series[0]!.points).toHaveLength(6);
    expect(series[1]!.points.every(([, v]) => v === null)).toBe(true);
  });
});

describe('an instant query as table rows', () => {
  it('lists a vector by series, a scalar and a string as one row, a range vector as value @ time lines', () => {
    expect(
      instantRows({
        resultType: 'vector',
        result: [{ metric: { __name__: 'up', job: 'a' }, value: [1, '1'] }],
      }),
    ).toEqual([{ name: 'up{job="a"}', value: '1' }]);
    expect(instantRows({ resultType: 'scalar', result: [1, '42'] })).toEqual([{ name: 'scalar', value: '42' }]);
    expect(instantRows({ resultType: 'string', result: [1, 'hello'] })).toEqual([{ name: 'string', value: 'hello' }]);
    expect(
      instantRows(
        {
          resultType: 'matrix',
          result: [
            {
              metric: { job: 'a' },
              values: [
                [1, '1'],
                [2, '3'],
              ],
            },
          ],
        },
        '{{job}}',
      ),
    ).toEqual([{ name: 'a', value: '1 @1\n3 @2' }]);
  });
});
