import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// The PromQL compliance suite's test queries with their variants expanded the way its tester
// does (testcases.ExpandTestCases): each variant dimension in the listed order, values in the
// listed order, {{.name}} replaced.

export interface ComplianceCase {
  readonly query: string;
  readonly shouldFail: boolean;
  readonly skipComparison: boolean;
}

const QUERIES = fileURLToPath(new URL('../../../test/queries/promql-test-queries.yml', import.meta.url));

const VARIANT_ARGS: Record<string, string[]> = {
  range: ['1s', '15s', '1m', '5m', '15m', '1h'],
  offset: ['1m', '5m', '10m'],
  simpleAggrOp: ['sum', 'avg', 'max', 'min', 'count', 'stddev', 'stdvar'],
  simpleTimeAggrOp: ['sum', 'avg', 'max', 'min', 'count', 'stddev', 'stdvar', 'absent', 'last'],
  topBottomOp: ['topk', 'bottomk'],
  quantile: ['-0.5', '0.1', '0.5', '0.75', '0.95', '0.90', '0.99', '1', '1.5'],
  arithBinOp: ['+', '-', '*', '/', '%', '^'],
  compBinOp: ['==', '!=', '<', '>', '<=', '>='],
  binOp: ['+', '-', '*', '/', '%', '^', '==', '!=', '<', '>', '<=', '>='],
  simpleMathFunc: ['abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'round'],
  extrapolatedRateFunc: ['delta', 'rate', 'increase'],
  clampFunc: ['clamp_min', 'clamp_max'],
  instantRateFunc: ['idelta', 'irate'],
  dateFunc: ['day_of_month', 'day_of_week', 'days_in_month', 'hour', 'minute', 'month', 'year'],
  smoothingFactor: ['0.1', '0.5', '0.8'],
  trendFactor: ['0.1', '0.5', '0.8'],
};

interface RawCase {
  query: string;
  variant_args?: string[];
  should_fail?: boolean;
  skip_comparison?: boolean;
}

function variants(query: string, remaining: readonly string[], args: Record<string, string>): string[] {
  if (remaining.length === 0)
    return [query.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, name: string) => args[name] ?? '<no value>')];
  const [arg, ...rest] = remaining;
  const values = VARIANT_ARGS[arg!];
  if (!values) throw new Error(`unknown variant arg ${arg}`);
  return values.flatMap((value) => variants(query, rest, { ...args, [arg!]: value }));
}

export function complianceCases(): ComplianceCase[] {
  const doc = parse(readFileSync(QUERIES, 'utf8')) as { test_cases: RawCase[] };
  return doc.test_cases.flatMap((c) =>
    variants(c.query, c.variant_args ?? [], {}).map((query) => ({
      query,
      shouldFail: c.should_fail ?? false,
      skipComparison: c.skip_comparison ?? false,
    })),
  );
}

const EXTRA = fileURLToPath(new URL('../../../test/queries/extra-queries.txt', import.meta.url));

/** Queries of our own beyond the suite (functions and modifiers it leaves out), one per line; "!" marks one that must fail. */
export function extraCases(): ComplianceCase[] {
  return readFileSync(EXTRA, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => ({ query: line.replace(/^!\s*/, ''), shouldFail: line.startsWith('!'), skipComparison: false }));
}
