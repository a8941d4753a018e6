import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { instantQuery, QueryError, rangeQuery, successBody } from '../src/index.js';
import { complianceCases, extraCases, type ComplianceCase } from './reference/compliance-cases.js';
import { diffInstant, diffMatrices, type ApiSeries } from './reference/comparer.js';
import {
  QUERY_END,
  QUERY_START,
  QUERY_STEP,
  seconds,
  startReferenceFixture,
  type ReferenceFixture,
} from './reference/fixture.js';
import { prometheusApi, prometheusUnavailable } from './reference/prometheus-server.js';

// The PromQL compliance suite (prometheus/compliance, promql-test-queries.yml with its variants)
// as its tester runs it: range queries over the last 10 minutes at a 10 s step, against a real
// Prometheus 2.42 and against this engine holding the same remote-written data. Then our own
// queries for what the suite leaves out, and every query again as an instant query.

const skip = prometheusUnavailable();
let fixture: ReferenceFixture;

before(
  async () => {
    if (!skip) fixture = await startReferenceFixture();
  },
  { timeout: 180_000 },
);

after(async () => {
  await fixture?.prometheus.stop();
});

interface Outcome {
  readonly query: string;
  readonly passed: boolean;
  readonly detail: string;
  /** The reference answered with at least one series or sample. */
  readonly hasData: boolean;
}

type Kind = 'range' | 'instant';

async function compare(c: ComplianceCase, kind: Kind, clientSort: boolean): Promise<Outcome> {
  const ref =
    kind === 'range'
      ? await prometheusApi(fixture.prometheus.url, '/api/v1/query_range', {
          query: c.query,
          start: seconds(QUERY_START),
          end: seconds(QUERY_END),
          step: String(QUERY_STEP / 1000),
        })
      : await prometheusApi(fixture.prometheus.url, '/api/v1/query', { query: c.query, time: seconds(QUERY_END) });
  const refFailed = ref.status !== 200;
  if (kind === 'range' && refFailed !== c.shouldFail)
    throw new Error(`the reference ${refFailed ? 'failed' : 'succeeded'} on ${c.query}: ${ref.body}`);
  const outcome = (passed: boolean, detail: string, hasData = false): Outcome => ({
    query: c.query,
    passed,
    detail,
    hasData,
  });
  let body: string;
  try {
    body = successBody(
      kind === 'range'
        ? await rangeQuery(fixture.source, c.query, QUERY_START, QUERY_END, QUERY_STEP)
        : await instantQuery(fixture.source, c.query, QUERY_END),
    );
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    return outcome(refFailed, refFailed ? '' : `unexpected failure: ${e.message}`);
  }
  if (refFailed) return outcome(false, `unexpected success; Prometheus: ${ref.body}`);
  if (c.skipComparison) return outcome(true, '');
  const expected = (JSON.parse(ref.body) as { data: { resultType: string; result: unknown } }).data;
  const actual = (JSON.parse(body) as { data: { resultType: string; result: unknown } }).data;
  const diff =
    kind === 'range'
      ? diffMatrices(expected.result as ApiSeries[], actual.result as ApiSeries[], clientSort)
      : diffInstant(expected, actual);
  const hasData =
    !Array.isArray(expected.result) || typeof expected.result[0] === 'number' || expected.result.length > 0;
  return outcome(diff === null, diff ?? '', hasData);
}

async function run(
  cases: readonly ComplianceCase[],
  kind: Kind,
  t: { diagnostic(message: string): void },
  label: string,
  clientSort = true,
) {
  const outcomes: Outcome[] = [];
  for (const c of cases) outcomes.push(await compare(c, kind, clientSort));
  const passed = outcomes.filter((o) => o.passed).length;
  t.diagnostic(
    `${label}: ${passed} / ${outcomes.length} identical (${((100 * passed) / outcomes.length).toFixed(2)}%)`,
  );
  for (const f of outcomes.filter((o) => !o.passed)) t.diagnostic(`differs: ${f.query} — ${f.detail}`);
  return { outcomes, passed };
}

test(
  "the PromQL compliance queries give Prometheus 2.42's results (≥ 95% within the tester's tolerance)",
  { skip, timeout: 600_000 },
  async (t) => {
    const cases = complianceCases();
    assert.ok(cases.length > 500, `expanded ${cases.length} cases`);
    const { outcomes, passed } = await run(cases, 'range', t, 'compliance suite, range queries');
    // The comparison means something only if the reference holds the data: most queries return some.
    assert.ok(outcomes.filter((o) => o.hasData).length > 0.85 * cases.filter((c) => !c.shouldFail).length);
    assert.ok(passed / outcomes.length >= 0.95, `${passed} of ${outcomes.length} identical`);
  },
);

test(
  "functions, aggregations, matching and modifiers beyond the suite give Prometheus 2.42's results",
  { skip, timeout: 300_000 },
  async (t) => {
    const cases = extraCases();
    // Compared in Prometheus' own series order (the tester's re-sort puts shorter label sets first).
    const { outcomes, passed } = await run(cases, 'range', t, 'extra queries, range queries', false);
    assert.ok(outcomes.filter((o) => o.hasData).length > 0.9 * cases.length);
    assert.equal(passed, outcomes.length);
  },
);

test("the same queries as instant queries give Prometheus 2.42's results", { skip, timeout: 600_000 }, async (t) => {
  const cases = [...complianceCases(), ...extraCases()];
  const { outcomes, passed } = await run(cases, 'instant', t, 'compliance suite and extra queries, instant queries');
  assert.ok(passed / outcomes.length >= 0.95, `${passed} of ${outcomes.length} identical`);
});
