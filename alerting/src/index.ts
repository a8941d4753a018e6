export { evaluateRule, groupKey, observe, type GroupSample, type RuleEvaluation } from './evaluation/evaluate-rule.js';
export { nextState, initialState, type InstanceState, type Observation, type Transition } from './evaluation/state-machine.js';
export { renderTemplate, renderAnnotations, formatValue } from './evaluation/templating.js';
