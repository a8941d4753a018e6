import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ERROR_STATUS, errorBody, instantQuery, QueryError, rangeQuery, successBody } from '../src/index.js';
import {
  DATA_END,
  QUERY_END,
  QUERY_START,
  seconds,
  startReferenceFixture,
  type ReferenceFixture,
} from './reference/fixture.js';
import { prometheusApi, prometheusUnavailable } from './reference/prometheus-server.js';

// Response bodies byte for byte as Prometheus 2.42 writes them, for results and for errors.

const skip = prometheusUnavailable();
let fixture: ReferenceFixture;

before(
  async () => {
    if (!skip) fixture = await startReferenceFixture(DATA_END - 40 * 60_000);
  },
  { timeout: 120_000 },
);

after(async () => {
  await fixture?.prometheus.stop();
});

async function ours(kind: 'instant' | 'range', query: string): Promise<{ status: number; body: string }> {
  try {
    const value =
      kind === 'instant'
        ? await instantQuery(fixture.source, query, QUERY_END)
        : await rangeQuery(fixture.source, query, QUERY_START, QUERY_END, 15_000);
    return { status: 200, body: successBody(value) };
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    // The instant API names the parameter in front of a parse error; the range API does not.
    const message = kind === 'instant' && e.type === 'bad_data' ? `invalid parameter "query": ${e.message}` : e.message;
    return { status: ERROR_STATUS[e.type], body: errorBody(e.type, message) };
  }
}

async function theirs(kind: 'instant' | 'range', query: string): Promise<{ status: number; body: string }> {
  return kind === 'instant'
    ? prometheusApi(fixture.prometheus.url, '/api/v1/query', { query, time: seconds(QUERY_END) })
    : prometheusApi(fixture.prometheus.url, '/api/v1/query_range', {
        query,
        start: seconds(QUERY_START),
        end: seconds(QUERY_END),
        step: '15',
      });
}

const RESULTS: ['instant' | 'range', string][] = [
  ['instant', 'demo_num_cpus'],
  ['instant', 'sort_desc(demo_memory_usage_bytes{type="free"})'],
  ['instant', 'demo_disk_usage_bytes[30s]'],
  ['instant', 'sum(demo_num_cpus) / 3'],
  ['instant', 'scalar(sum(demo_num_cpus))'],
  ['instant', '"a <string> & more"'],
  ['instant', 'vector(1e-9) or vector(2e21)'],
  ['instant', 'label_replace(vector(0.1), "x", "<&>", "", "")'],
  ['instant', 'rate(demo_cpu_usage_seconds_total{mode="user"}[1m])[3m:1m]'],
  ['instant', 'demo_num_cpus[1m] @ 1705318800'],
  ['instant', 'topk(2, demo_memory_usage_bytes)'],
  ['range', 'rate(demo_cpu_usage_seconds_total{mode="idle"}[1m])'],
  ['range', 'sum by (instance) (demo_memory_usage_bytes) / 1e9'],
  ['range', 'time()'],
  ['range', 'demo_intermittent_metric'],
  ['range', 'vector(-0.000001) * demo_num_cpus'],
];

for (const [kind, query] of RESULTS) {
  test(`${kind} query ${query}: the same response body as Prometheus`, { skip }, async () => {
    const expected = await theirs(kind, query);
    assert.equal(expected.status, 200, expected.body);
    assert.ok(expected.body.length > 60, 'Prometheus answered with data');
    const actual = await ours(kind, query);
    assert.equal(actual.status, expected.status);
    assert.equal(actual.body, expected.body);
  });
}

const ERRORS: ['instant' | 'range', string][] = [
  ['range', '1 +'],
  ['instant', '1 +'],
  ['range', 'sum(rate(demo_cpu_usage_seconds_total[5m])'],
  ['range', 'demo_num_cpus{instance="a"'],
  ['range', '{__name__=~".*"}'],
  ['range', 'rate(demo_num_cpus)'],
  ['range', 'demo_num_cpus[5m]'],
  ['range', 'demo_num_cpus offset 5m offset 1m'],
  ['range', 'sum(demo_num_cpus) by (instance) @ 10'],
  ['range', '1 > 2'],
  ['range', 'demo_num_cpus and 1'],
  ['range', 'foo(demo_num_cpus)'],
  ['range', 'round(demo_num_cpus, 1, 2)'],
  ['range', 'topk(demo_num_cpus)'],
  ['range', 'demo_num_cpus{a=~"(x"}'],
  ['range', 'demo_num_cpus[0s]'],
  ['range', 'demo_memory_usage_bytes + on(instance) demo_memory_usage_bytes'],
  ['range', 'demo_memory_usage_bytes + on(instance) group_left demo_memory_usage_bytes'],
  ['range', 'label_replace(demo_num_cpus, "instance", "", "", "")'],
  ['range', 'label_replace(demo_num_cpus, "job", "x", "instance", "(.*")'],
  ['range', 'holt_winters(demo_num_cpus[5m], 2, 0.5)'],
  ['range', 'topk(NaN, demo_num_cpus)'],
  ['instant', 'count_values("a-b", demo_num_cpus)'],
];

for (const [kind, query] of ERRORS) {
  test(`${kind} query ${query}: Prometheus' error type, status and message`, { skip }, async () => {
    const expected = await theirs(kind, query);
    assert.notEqual(expected.status, 200, expected.body);
    const actual = await ours(kind, query);
    assert.deepEqual(actual, expected);
  });
}
