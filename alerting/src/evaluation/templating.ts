/** What annotation templates can refer to. */
export interface TemplateData {
  value: number | null;
  labels: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*\$(value|labels\.([A-Za-z_][A-Za-z0-9_]*))\s*\}\}/g;

/** A value as people read it: integers as is, others to 4 significant digits; no data as "no data". */
export function formatValue(value: number | null): string {
  if (value === null) return 'no data';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/**
 * Replaces `{{ $value }}` and `{{ $labels.name }}`; an unknown label renders empty. Nothing
 * else is interpreted, so a template can never run code or read other data.
 */
export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(PLACEHOLDER, (_m, what: string, label: string | undefined) =>
    label !== undefined ? (data.labels[label] ?? '') : formatValue(data.value),
  );
}

export function renderAnnotations(annotations: Record<string, string>, data: TemplateData): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, renderTemplate(v, data)]));
}
