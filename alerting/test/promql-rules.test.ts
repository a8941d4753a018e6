// PromQL alert rules in the rules service over a real Postgres (a throwaway database): what a
// user creating, changing or importing one is told.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertRuleInputSchema } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';
import { openControlPlane, type ControlPlane } from '@telemetryflow/identity';
import { createTestDatabase, tempDir, type TestDatabase } from '@telemetryflow/identity/test-helpers';
import { ALERTING_FEATURE } from '../src/index.js';
import { AlertRulesService } from '../src/rules/alert-rules.service.js';

const dir = tempDir('tf-promql-rules-');
let db: TestDatabase;
let cp: ControlPlane;
let rules: AlertRulesService;

before(async () => {
  db = await createTestDatabase();
  cp = await openControlPlane({
    databaseUrl: db.url,
    dataDir: dir.path,
    bootstrap: { apiKey: 'tf_promql_rules_test_key_0000001' },
    features: [ALERTING_FEATURE],
  });
  rules = new AlertRulesService(cp.dataSource, { maxExecutionSeconds: 10, maxSearchRangeDays: 31 });
});

after(async () => {
  await cp?.close();
  await db?.drop();
  dir.remove();
});

const input = (name: string, condition: object, over: object = {}) =>
  AlertRuleInputSchema.parse({ name, condition: { kind: 'promql', ...condition }, ...over });

async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  const err = await p.then(
    () => assert.fail('accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, String(err));
  return [err.status, err.message];
}

describe('PromQL alert rules', () => {
  it('are stored as written, with or without a threshold', async () => {
    const plain = await rules.create('default', input('targets down', { query: 'up{job="api"} == 0' }));
    assert.deepEqual(plain.condition, { kind: 'promql', query: 'up{job="api"} == 0' });
    const rated = await rules.create(
      'default',
      input('error ratio', {
        query: 'sum by (job) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m]))',
        threshold: { op: 'above', value: 0.05 },
      }),
    );
    assert.deepEqual((await rules.get('default', rated.id)).condition, rated.condition);
  });

  it("are refused with Prometheus' parse message at create, update and import", async () => {
    assert.deepEqual(await refusal(rules.create('default', input('bad', { query: 'rate(up[5m]' }))), [
      400,
      'condition.query: 1:12: parse error: unclosed left parenthesis',
    ]);
    const ok = await rules.create('default', input('to change', { query: 'up == 0' }));
    assert.deepEqual(await refusal(rules.update('default', ok.id, input('to change', { query: 'up[5m]' }))), [
      400,
      'condition.query: invalid expression type "range vector" for an alert rule, must be Scalar or instant Vector',
    ]);
    const yaml = `apiVersion: telemetryflow/v1\nkind: AlertRules\nrules:\n  - name: imported\n    condition: { kind: promql, query: 'sum(up) by' }\n`;
    assert.deepEqual(await refusal(rules.importYaml('default', yaml)), [
      400,
      'condition.query: 1:11: parse error: unexpected end of input',
    ]);
    assert.equal((await rules.list('default')).filter((r) => r.name === 'imported' || r.name === 'bad').length, 0);
  });

  it('take their groups from the expression, not from groupBy', async () => {
    assert.deepEqual(
      await refusal(rules.create('default', input('grouped', { query: 'up == 0' }, { groupBy: ['service'] }))),
      [
        400,
        "groupBy: a promql rule is grouped by its expression (one alert per series, e.g. sum by (job) (...)); leave the rule's groupBy empty",
      ],
    );
  });

  it('travel through the YAML export and import unchanged', async () => {
    await rules.create('default', input('yaml', { query: 'max_over_time(queue_depth[10m]) > 100' }));
    const yaml = await rules.exportYaml('default');
    assert.match(yaml, /query: max_over_time\(queue_depth\[10m\]\) > 100/);
    const before = await rules.list('default');
    assert.deepEqual(await rules.importYaml('default', yaml), { created: 0, updated: before.length });
    assert.deepEqual(
      (await rules.list('default')).map((r) => r.condition),
      before.map((r) => r.condition),
    );
  });
});
