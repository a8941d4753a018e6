// The tenant configuration document (`GET /api/v1/tenant-config/export`, `POST …/import`): the
// shape, and the pure steps that take secrets out of channels and monitors on the way out.
import { z } from 'zod';
import {
  AlertRuleInputSchema,
  DashboardDefinitionSchema,
  SilenceInputSchema,
  StatusComponentInputSchema,
  StatusPageInputSchema,
  type ChannelInput,
  type DashboardDefinition,
} from '@telemetryflow/contract';
import type { MonitorInput } from '@telemetryflow/contract/monitors';

export const TENANT_CONFIG_FORMAT = 'telemetryflow.tenant-config/v1';

/** An object's id in the tenant it was exported from: references inside the document use it. */
const Ref = z.string().uuid();
const Secrets = z.array(z.string().min(1).max(300)).max(60).default([]);

/**
 * Loosely typed on purpose: a channel or monitor whose secrets were taken out is not a valid
 * input until they are filled in again; the import validates each once it knows which.
 */
const Settings = z.record(z.string(), z.unknown());

export const TenantConfigDocumentSchema = z
  .object({
    format: z.literal(TENANT_CONFIG_FORMAT),
    exportedAt: z.string().max(64).optional(),
    /** Where it came from (informational). */
    tenantId: z.string().max(200).optional(),
    notificationChannels: z
      .array(z.object({ ref: Ref, channel: Settings, secretFields: Secrets }).strict())
      .max(1000)
      .default([]),
    monitors: z
      .array(
        z.object({ ref: Ref, enabled: z.boolean().default(true), monitor: Settings, secretFields: Secrets }).strict(),
      )
      .max(5000)
      .default([]),
    /** `rule.channels` and a monitor condition's `monitorId` are refs of this document. */
    alertRules: z
      .array(z.object({ ref: Ref, rule: AlertRuleInputSchema }).strict())
      .max(5000)
      .default([]),
    /** Receivers name channels of this document by name. */
    notificationPolicy: z.record(z.string(), z.unknown()).nullable().default(null),
    /** Silences and maintenance windows that had not ended when the document was made. */
    silences: z.array(SilenceInputSchema).max(1000).default([]),
    /** A component's `ruleIds` and `monitorId` are refs of this document. */
    statusPages: z
      .array(
        StatusPageInputSchema.extend({ components: z.array(StatusComponentInputSchema).max(200).default([]) }).strict(),
      )
      .max(200)
      .default([]),
    /** `builtIn` names the template a built-in dashboard came from (matched by it, not by title). */
    dashboards: z
      .array(
        z.object({
          builtIn: z.string().min(1).max(200).nullable().default(null),
          definition: DashboardDefinitionSchema,
        }),
      )
      .max(1000)
      .default([]),
  })
  .strict();
export type TenantConfigDocument = z.output<typeof TenantConfigDocumentSchema>;

/** Which settings of each channel type authenticate (a URL of Slack or Teams is its token). */
export const CHANNEL_SECRET_FIELDS: Record<ChannelInput['type'], readonly string[]> = {
  slack: ['url'],
  msteams: ['url'],
  webhook: ['url', 'secret'],
  pagerduty: ['routingKey'],
  opsgenie: ['apiKey'],
  email: [],
};

/** A channel as exported: its secret settings null, named in `secretFields`. */
export function exportChannel(input: ChannelInput): { channel: Record<string, unknown>; secretFields: string[] } {
  const secretFields = [...CHANNEL_SECRET_FIELDS[input.type]];
  const channel: Record<string, unknown> = { ...input };
  for (const f of secretFields) channel[f] = null;
  return { channel, secretFields };
}

const SECRET_HEADER = /authorization|cookie|token|secret|password|credential|api[-_]?key|^x-.*key$/i;
const URL_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/i;

/**
 * A monitor as exported: values of headers that authenticate and a URL with credentials are
 * null, their paths (`check.headers.Authorization`, `check.url`) in `secretFields`.
 */
export function exportMonitor(input: MonitorInput): { monitor: Record<string, unknown>; secretFields: string[] } {
  const secretFields: string[] = [];
  const check: Record<string, unknown> = { ...input.check };
  if (input.check.kind === 'http') {
    const headers: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(input.check.headers)) {
      const secret = SECRET_HEADER.test(name);
      headers[name] = secret ? null : value;
      if (secret) secretFields.push(`check.headers.${name}`);
    }
    check.headers = headers;
    if (URL_USERINFO.test(input.check.url)) {
      check.url = null;
      secretFields.push('check.url');
    }
  }
  return { monitor: { ...input, check }, secretFields };
}

/** The value at a dotted path (`check.headers.Authorization`), undefined when absent. */
export function valueAt(obj: Record<string, unknown>, path: string): unknown {
  const [head, ...rest] = splitPath(path);
  let cur: unknown = obj[head!];
  for (const key of rest) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** `check.headers.X-Api.Key` names the header `X-Api.Key`: headers are the last step and may hold dots. */
function splitPath(path: string): string[] {
  const m = /^check\.headers\.(.+)$/.exec(path);
  return m ? ['check', 'headers', m[1]!] : path.split('.');
}

/** The secret fields still null (not filled in since the export). */
export function missingSecrets(settings: Record<string, unknown>, secretFields: readonly string[]): string[] {
  return secretFields.filter((f) => {
    const v = valueAt(settings, f);
    return v === null || v === undefined || v === '';
  });
}

/** What a dashboard is matched by: its built-in template, else its title. */
export function dashboardKey(d: { builtIn: string | null; definition: Pick<DashboardDefinition, 'title'> }): string {
  return d.builtIn !== null ? `builtIn:${d.builtIn}` : `title:${d.definition.title}`;
}
