/** What a zod `safeParse` failure holds (structurally, so the console needs no zod import). */
export interface SchemaIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** Error messages by field path (`condition.threshold.value`), the first message per path. */
export type FieldErrors = Record<string, string>;

export function fieldErrors(issues: readonly SchemaIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    out[path] ??= issue.message;
  }
  return out;
}

/** The message for a field: its own, else the first one of anything inside it. */
export function errorAt(errors: FieldErrors, path: string): string | undefined {
  if (errors[path] !== undefined) return errors[path];
  const inside = Object.keys(errors).find((p) => p.startsWith(`${path}.`));
  return inside === undefined ? undefined : errors[inside];
}

/** Props of a Naive UI form item that show the field's error under it (none when valid). */
export function feedbackAt(errors: FieldErrors, path: string): { feedback?: string; validationStatus?: 'error' } {
  const message = errorAt(errors, path);
  return message === undefined ? {} : { feedback: message, validationStatus: 'error' };
}
