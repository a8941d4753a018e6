import type { AlertRuleInput, PromqlCondition } from '@telemetryflow/contract';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import { assertRuleWithinLimits } from '../rules/rule-limits.js';
import type { ConditionReader } from './condition-reader.js';
import { instantGroups, rangeGroups } from './promql-groups.js';
import type { PromqlReads } from './promql-reads.js';
import type { ReadLimits } from './query-reads.js';

/**
 * PromQL conditions, read as Prometheus' rule manager reads an alerting rule: an instant query
 * at the evaluation time; a preview replays them with one range query at the rule's interval.
 * Every query may take at most the query limits' execution time. Other kinds are not its to read.
 */
export class PromqlConditionReader implements ConditionReader {
  constructor(
    private readonly promql: PromqlReads,
    readonly limits: ReadLimits,
  ) {}

  async read(tenant: string, rule: AlertRuleInput, atMs: number): Promise<GroupSample[]> {
    const c = rule.condition;
    if (c.kind !== 'promql') throw new Error(`a ${c.kind} condition is not PromQL`);
    assertRuleWithinLimits(rule, this.limits);
    return instantGroups(await this.promql.instant(tenant, c.query, atMs, this.timeout()));
  }

  async readPromqlEvaluations(
    tenant: string,
    condition: PromqlCondition,
    times: readonly number[],
    signal?: AbortSignal,
  ): Promise<GroupSample[][]> {
    if (times.length === 0) return [];
    assertRuleWithinLimits({ condition }, this.limits);
    const first = times[0]!;
    const last = times[times.length - 1]!;
    // One time needs a step all the same; any positive one evaluates just `first`.
    const stepMs = times.length > 1 ? times[1]! - first : 1000;
    const stop = signal ? AbortSignal.any([signal, this.timeout()]) : this.timeout();
    return rangeGroups(await this.promql.range(tenant, condition.query, first, last, stepMs, stop), times);
  }

  private timeout(): AbortSignal {
    return AbortSignal.timeout(this.limits.maxExecutionSeconds * 1000);
  }
}
