import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { AlertRuleInputSchema, type AlertRuleInput } from '@telemetryflow/contract';

/** The rules-as-code document: every rule of a tenant, by name. */
export const RulesDocumentSchema = z.object({
  apiVersion: z.literal('telemetryflow/v1'),
  kind: z.literal('AlertRules'),
  rules: z.array(AlertRuleInputSchema).max(1000),
});

export class RulesDocumentError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** Rules as YAML, sorted by name, every default written out so the file says what runs. */
export function rulesToYaml(rules: readonly AlertRuleInput[]): string {
  const sorted = [...rules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return stringify(
    { apiVersion: 'telemetryflow/v1', kind: 'AlertRules', rules: sorted },
    { lineWidth: 0, sortMapEntries: false },
  );
}

/** Parses and validates a rules document; names must be unique. */
export function rulesFromYaml(text: string): AlertRuleInput[] {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new RulesDocumentError(
      `not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      'yaml',
    );
  }
  const result = RulesDocumentSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new RulesDocumentError(issue.message, issue.path.map(String).join('.'));
  }
  const seen = new Set<string>();
  result.data.rules.forEach((r, i) => {
    if (seen.has(r.name)) throw new RulesDocumentError(`rule name "${r.name}" appears twice`, `rules.${i}.name`);
    seen.add(r.name);
  });
  return result.data.rules;
}
