import type { AlertRuleInput, PromqlCondition } from '@telemetryflow/contract';
import type { GroupSample } from '../evaluation/evaluate-rule.js';
import type { ReadLimits } from './query-reads.js';

/** DI token of the ConditionReader in the API (preview). */
export const CONDITION_READER = Symbol('ConditionReader');

/** Reads what a rule's condition measures at one instant, per group. */
export interface ConditionReader {
  /** The query limits its reads run under (and rules and previews are checked against). */
  readonly limits: ReadLimits;
  read(tenant: string, rule: AlertRuleInput, atMs: number): Promise<GroupSample[]>;
  /**
   * A PromQL condition's groups at each of `times` (ascending, one step apart) from one range
   * query, as a preview replays it: what `read` would have returned at each of them.
   */
  readPromqlEvaluations(
    tenant: string,
    condition: PromqlCondition,
    times: readonly number[],
    signal?: AbortSignal,
  ): Promise<GroupSample[][]>;
}
