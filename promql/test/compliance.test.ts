import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { QueryError, rangeQuery, successBody } from '../src/index.js';
import { complianceCases, type ComplianceCase } from './reference/compliance-cases.js';
import { diffMatrices, type ApiSeries } from './reference/comparer.js';
import { QUERY_END, QUERY_START, QUERY_STEP, seconds, startReferenceFixture, type ReferenceFixture } from './reference/fixture.js';
import { prometheusApi, prometheusUnavailable } from './reference/prometheus-server.js';

// The PromQL compliance suite (prometheus/compliance, promql-test-queries.yml with its variants)
// as its tester runs it: range queries over the last 10 minutes at a 10 s step, against a real
// Prometheus 2.42 and against this engine holding the same remote-written data.

const skip = prometheusUnavailable();
let fixture: ReferenceFixture;

before(async () => {
  if (!skip) fixture = await startReferenceFixture();
}, { timeout: 120_000 });

after(async () => {
  await fixture?.prometheus.stop();
});

interface Outcome {
  readonly query: string;
  readonly passed: boolean;
  readonly detail: string;
}

async function compare(c: ComplianceCase): Promise<Outcome> {
  const ref = await prometheusApi(fixture.prometheus.url, '/api/v1/query_range', {
    query: c.query, start: seconds(QUERY_START), end: seconds(QUERY_END), step: String(QUERY_STEP / 1000),
  });
  const refFailed = ref.status !== 200;
  if (refFailed !== c.shouldFail) {
    throw new Error(`the reference ${refFailed ? 'failed' : 'succeeded'} on ${c.query}: ${ref.body}`);
  }
  let body: string;
  try {
    body = successBody(await rangeQuery(fixture.source, c.query, QUERY_START, QUERY_END, QUERY_STEP));
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    return { query: c.query, passed: c.shouldFail, detail: c.shouldFail ? '' : `unexpected failure: ${e.message}` };
  }
  if (c.shouldFail) return { query: c.query, passed: false, detail: 'unexpected success' };
  if (c.skipComparison) return { query: c.query, passed: true, detail: '' };
  const expected = (JSON.parse(ref.body) as { data: { result: ApiSeries[] } }).data.result;
  const actual = (JSON.parse(body) as { data: { result: ApiSeries[] } }).data.result;
  const diff = diffMatrices(expected, actual);
  return { query: c.query, passed: diff === null, detail: diff ?? '' };
}

test('the PromQL compliance queries give Prometheus 2.42\'s results (≥ 95% within the tester\'s tolerance)', { skip, timeout: 600_000 }, async (t) => {
  const cases = complianceCases();
  assert.ok(cases.length > 500, `expanded ${cases.length} cases`);
  const outcomes: Outcome[] = [];
  for (const c of cases) outcomes.push(await compare(c));
  const passed = outcomes.filter((o) => o.passed).length;
  const failures = outcomes.filter((o) => !o.passed);
  t.diagnostic(`compliance: ${passed} / ${outcomes.length} passed (${((100 * passed) / outcomes.length).toFixed(2)}%)`);
  for (const f of failures) t.diagnostic(`differs: ${f.query} — ${f.detail}`);
  assert.ok(passed / outcomes.length >= 0.95, `${passed} of ${outcomes.length} passed`);
});
