import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  instantQuery,
  labelsFrom,
  MemorySeriesSource,
  QueryError,
  rangeQuery,
  type PushdownRequest,
  type QueryValue,
  type RawSeries,
  type SelectRequest,
  type SeriesSource,
} from '../src/index.js';

// Engine behaviour that does not need the reference server: staleness, lookback, limits and the
// source contract (including the push-down hook a ClickHouse source will use).

const up = labelsFrom({ __name__: 'up', job: 'a' });

function values(v: QueryValue): number[] {
  if (v.resultType === 'vector') return v.result.map((s) => s.v);
  if (v.resultType === 'matrix') return v.result.flatMap((s) => s.points.map((p) => p.v));
  return [];
}

test('a staleness marker ends a series at once; without one a sample stays visible for the 5 minute lookback', async () => {
  const src = new MemorySeriesSource();
  src.append(up, 0, 1);
  src.appendStale(up, 10_000);
  const other = labelsFrom({ __name__: 'up', job: 'b' });
  src.append(other, 0, 2);
  assert.deepEqual(values(await instantQuery(src, 'up{job="a"}', 9_999)), [1]);
  assert.deepEqual(values(await instantQuery(src, 'up{job="a"}', 10_000)), []);
  // The lookback window includes its left edge: a sample exactly 5 minutes old is seen, 1 ms older is not.
  assert.deepEqual(values(await instantQuery(src, 'up{job="b"}', 300_000)), [2]);
  assert.deepEqual(values(await instantQuery(src, 'up{job="b"}', 300_001)), []);
  // Range functions skip the marker instead of reading it as NaN.
  assert.deepEqual(values(await instantQuery(src, 'count_over_time(up{job="a"}[1m])', 20_000)), [1]);
});

test("the max-samples limit fails a query with Prometheus' execution error", async () => {
  const src = new MemorySeriesSource();
  for (let i = 0; i < 100; i++) src.append(up, i * 1000, i);
  const ok = await rangeQuery(src, 'up', 0, 99_000, 1000, { maxSamples: 100 });
  assert.equal(values(ok).length, 100);
  await assert.rejects(
    rangeQuery(src, 'up', 0, 99_000, 1000, { maxSamples: 99 }),
    (e: unknown) =>
      e instanceof QueryError &&
      e.type === 'execution' &&
      e.message === 'query processing would load too many samples into memory in query execution',
  );
  await assert.rejects(
    instantQuery(src, 'sum_over_time(up[2m])', 99_000, { maxSamples: 50 }),
    (e: unknown) => e instanceof QueryError && e.type === 'execution',
  );
});

/** A source whose reads take a while, like a remote store. */
function slowSource(ms: number): SeriesSource {
  const inner = new MemorySeriesSource();
  inner.append(up, 0, 1);
  return {
    async select(request: SelectRequest, signal: AbortSignal): Promise<RawSeries[]> {
      await new Promise((resolve) => setTimeout(resolve, ms));
      signal.throwIfAborted();
      return inner.select(request);
    },
  };
}

test("the query timeout and the caller's abort end a query with timeout and canceled errors", async () => {
  await assert.rejects(
    instantQuery(slowSource(200), 'up', 0, { timeoutMs: 20 }),
    (e: unknown) =>
      e instanceof QueryError && e.type === 'timeout' && e.message === 'query timed out in query execution',
  );
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(
    instantQuery(slowSource(200), 'up', 0, { signal: controller.signal }),
    (e: unknown) => e instanceof QueryError && e.type === 'canceled',
  );
  assert.deepEqual(values(await instantQuery(slowSource(5), 'up', 0, { timeoutMs: 5000 })), [1]);
});

test('a source may answer a range function per step itself; without an answer the engine reads raw samples', async () => {
  const raw = new MemorySeriesSource();
  for (let i = 0; i <= 120; i++) raw.append(labelsFrom({ __name__: 'requests_total', job: 'a' }), i * 15_000, i * 10);
  const requests: PushdownRequest[] = [];
  let answer = true;
  const source: SeriesSource = {
    select: (r) => raw.select(r),
    async evaluateRangeFunction(request) {
      requests.push(request);
      if (!answer) return undefined;
      const points = [];
      for (let t = request.start; t <= request.end; t += request.step) points.push({ t, v: t / 1e6 });
      return [{ labels: labelsFrom({ __name__: 'requests_total', job: 'a' }), points }];
    },
  };
  const pushed = await rangeQuery(source, 'sum by (job) (rate(requests_total[5m]))', 600_000, 1_200_000, 60_000);
  assert.equal(requests.length, 1);
  assert.deepEqual(
    { ...requests[0]!, matchers: undefined },
    {
      fn: 'rate',
      matchers: undefined,
      range: 300_000,
      offset: 0,
      start: 600_000,
      end: 1_200_000,
      step: 60_000,
      lookbackDelta: 300_000,
    },
  );
  assert.deepEqual(pushed.resultType === 'matrix' && pushed.result[0]!.metric, labelsFrom({ job: 'a' }));
  assert.deepEqual(values(pushed), [0.6, 0.66, 0.72, 0.78, 0.84, 0.9, 0.96, 1.02, 1.08, 1.14, 1.2]);

  answer = false;
  const computed = await rangeQuery(source, 'sum by (job) (rate(requests_total[5m]))', 600_000, 1_200_000, 60_000);
  assert.deepEqual(
    computed,
    await rangeQuery(raw, 'sum by (job) (rate(requests_total[5m]))', 600_000, 1_200_000, 60_000),
  );
  assert.ok(values(computed).every((v) => Math.abs(v - 10 / 15) < 1e-9));
  // Inside a subquery the steps are not the query's own, so the source is not asked.
  requests.length = 0;
  await rangeQuery(source, 'max_over_time(rate(requests_total[5m])[10m:1m])', 600_000, 1_200_000, 60_000);
  assert.equal(requests.length, 0);
});

test('selectors match with anchored RE2 semantics', async () => {
  const src = new MemorySeriesSource();
  src.append(labelsFrom({ __name__: 'm', path: '/api/foo' }), 0, 1);
  src.append(labelsFrom({ __name__: 'm', path: 'x/api/foo' }), 0, 2);
  src.append(labelsFrom({ __name__: 'm', path: '/API/FOO\nbar' }), 0, 3);
  src.append(labelsFrom({ __name__: 'm' }), 0, 4);
  assert.deepEqual(values(await instantQuery(src, 'm{path=~"/api/.*"}', 0)), [1]);
  assert.deepEqual(values(await instantQuery(src, 'm{path=~"(?i)/api/foo.*"}', 0)), [1]);
  assert.deepEqual(values(await instantQuery(src, 'm{path=~"(?is)/api/foo.*"}', 0)), [3, 1]);
  assert.deepEqual(values(await instantQuery(src, 'm{path=""}', 0)), [4]);
  // Without (?s), "." does not match a newline (Prometheus 2.42 compiles ^(?:re)$ with Go's regexp).
  assert.deepEqual(values(await instantQuery(src, 'm{path!~".+"}', 0)), [4, 3]);
});
