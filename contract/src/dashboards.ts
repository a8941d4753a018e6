// Dashboards: the definition users save, export and import (the same JSON), the panels'
// queries, variables and the render result. The API validates with these schemas and the
// console builds and reads the same shapes.
import { z } from 'zod';
import {
  PanelQuerySchema,
  SEVERITY_LEVELS,
  TimeInputSchema,
  type QueryMeta,
  type QueryResult,
  type SeverityName,
} from './query.js';
import type { LogDto, TraceSummaryDto } from './api.js';

/** Panels that chart time series from the shared query DTO. */
export const SERIES_PANEL_TYPES = ['line', 'area', 'bar', 'stat', 'gauge', 'table', 'pie', 'heatmap'] as const;
export const PANEL_TYPES = [...SERIES_PANEL_TYPES, 'logs', 'traces'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

/** Grid position: 24 columns wide, rows of any height. */
export const PanelLayoutSchema = z
  .object({
    x: z.number().int().min(0).max(23),
    y: z.number().int().min(0).max(10_000),
    w: z.number().int().min(1).max(24),
    h: z.number().int().min(1).max(100),
  })
  .strict()
  .refine((l) => l.x + l.w <= 24, { message: 'x + w must be at most 24 (the grid width)', path: ['w'] });
export type PanelLayout = z.infer<typeof PanelLayoutSchema>;

const Text = (max: number) => z.string().max(max);
const SEVERITY_NAMES = Object.keys(SEVERITY_LEVELS) as [SeverityName, ...SeverityName[]];

/** `attr.<key>` (span or log attribute) or `resource.<key>` → the value it must equal. */
const AttributeFilters = z
  .record(
    z
      .string()
      .regex(/^(attr|resource)\..+$/, 'attr.<key> or resource.<key>')
      .max(256),
    Text(1024),
  )
  .refine((a) => Object.keys(a).length <= 20, 'at most 20 attribute filters');

/** A logs panel: the newest records matching the filters of the log search (`GET /api/v1/logs`). */
export const LogsPanelQuerySchema = z
  .object({
    /** Words, "quoted phrases" and prefix* terms the body must hold. */
    q: Text(1024).optional(),
    service: Text(256).optional(),
    minSeverity: z.union([z.number().int().min(1).max(24), z.enum(SEVERITY_NAMES)]).optional(),
    traceId: Text(64).optional(),
    attributes: AttributeFilters.optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type LogsPanelQuery = z.infer<typeof LogsPanelQuerySchema>;

/** A traces panel: traces matching the filters of the trace search (`GET /api/v1/traces`). */
export const TracesPanelQuerySchema = z
  .object({
    service: Text(256).optional(),
    operation: Text(1024).optional(),
    status: z.enum(['ok', 'error']).optional(),
    minDurationMs: z.number().min(0).optional(),
    maxDurationMs: z.number().min(0).optional(),
    attributes: AttributeFilters.optional(),
    sort: z.enum(['newest', 'slowest']).default('newest'),
    limit: z.number().int().min(1).max(1000).default(20),
  })
  .strict();
export type TracesPanelQuery = z.infer<typeof TracesPanelQuerySchema>;

/** Panel `options` are display settings: at most this deep (the object itself is level 1) … */
export const PANEL_OPTIONS_MAX_DEPTH = 16;
/** … and at most this many characters as JSON. */
export const PANEL_OPTIONS_MAX_CHARS = 64 * 1024;

/** How deeply `value` nests objects and arrays, counted without recursion and only up to `limit + 1`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const PanelOptionsSchema = z.record(z.string(), z.unknown()).superRefine((options, ctx) => {
  if (nestingDepth(options, PANEL_OPTIONS_MAX_DEPTH) > PANEL_OPTIONS_MAX_DEPTH) {
    ctx.addIssue({
      code: 'custom',
      message: `options may nest objects and arrays at most ${PANEL_OPTIONS_MAX_DEPTH} levels deep`,
    });
  } else if (JSON.stringify(options).length > PANEL_OPTIONS_MAX_CHARS) {
    ctx.addIssue({ code: 'custom', message: `options may be at most ${PANEL_OPTIONS_MAX_CHARS} characters of JSON` });
  }
});

/**
 * How a stat or gauge panel reduces its query to one number (`options.reducer`): `range` (the
 * default) evaluates the query over the whole time range as one bucket — the number the query API
 * gives for the same range; the others reduce the panel's series: the last non-null point, the
 * mean, sum, maximum or minimum of its points.
 */
export const PANEL_REDUCERS = ['range', 'last', 'mean', 'sum', 'max', 'min'] as const;
export type PanelReducer = (typeof PANEL_REDUCERS)[number];

/** The reducer of a stat or gauge panel's options; `range` when unset or unknown. */
export function panelReducer(options: Record<string, unknown> | undefined): PanelReducer {
  const r = options?.reducer;
  return typeof r === 'string' && (PANEL_REDUCERS as readonly string[]).includes(r) ? (r as PanelReducer) : 'range';
}

const PanelCommon = {
  title: z.string().min(1).max(256),
  layout: PanelLayoutSchema,
  /** Display options the console interprets (units, colours, thresholds …), bounded in depth and size. */
  options: PanelOptionsSchema.optional(),
};

export const PanelSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.enum(SERIES_PANEL_TYPES),
      query: PanelQuerySchema,
      step: z.number().int().min(1).max(86_400).optional(),
      ...PanelCommon,
    })
    .strict(),
  z.object({ type: z.literal('logs'), query: LogsPanelQuerySchema, ...PanelCommon }).strict(),
  z.object({ type: z.literal('traces'), query: TracesPanelQuerySchema, ...PanelCommon }).strict(),
]);
export type Panel = z.infer<typeof PanelSchema>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * A variable: `$name` (or `${name}`) in any text of a panel's query is replaced by its value.
 * Its choices are the values of a label: a metric label (of one metric, or of all), or a span / log
 * dimension (`service`, `operation`, `attr.<key>`, `resource.<key>`).
 */
export const VariableSchema = z
  .object({
    name: z.string().regex(VARIABLE_NAME, 'letters, digits and _ (not first)'),
    label: Text(256).optional(),
    source: z.discriminatedUnion('signal', [
      z
        .object({
          signal: z.literal('metrics'),
          metric: z.string().min(1).max(1024).optional(),
          label: z.string().min(1).max(256),
        })
        .strict(),
      z
        .object({ signal: z.literal('spans'), label: z.string().regex(/^(service|operation|attr\..+|resource\..+)$/) })
        .strict(),
      z.object({ signal: z.literal('logs'), label: z.string().regex(/^(service|attr\..+|resource\..+)$/) }).strict(),
    ]),
    /** Used when a render names no value. */
    default: z.union([Text(1024), z.array(Text(1024)).max(100)]).optional(),
    multi: z.boolean().default(false),
  })
  .strict();
export type Variable = z.infer<typeof VariableSchema>;

/** Default time range of a dashboard: the last `lastSeconds`, optionally with a fixed step. */
export const DashboardTimeRangeSchema = z
  .object({
    lastSeconds: z
      .number()
      .int()
      .min(60)
      .max(400 * 86_400)
      .default(3600),
    stepSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

/** What users save, export and import. */
export const DashboardDefinitionSchema = z
  .object({
    title: z.string().min(1).max(256),
    description: Text(4096).optional(),
    tags: z.array(z.string().min(1).max(64)).max(20).optional(),
    variables: z.array(VariableSchema).max(20).optional(),
    timeRange: DashboardTimeRangeSchema.optional(),
    panels: z.array(PanelSchema).max(50),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    for (const [i, v] of (d.variables ?? []).entries()) {
      if (seen.has(v.name))
        ctx.addIssue({
          code: 'custom',
          message: `variable ${v.name} is defined twice`,
          path: ['variables', i, 'name'],
        });
      seen.add(v.name);
    }
  });
export type DashboardDefinition = z.infer<typeof DashboardDefinitionSchema>;

export interface DashboardDto extends DashboardDefinition {
  id: string;
  version: number;
  /** The built-in template this dashboard came from, if any. */
  builtIn: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DashboardSummaryDto {
  id: string;
  title: string;
  description?: string;
  tags?: string[];
  version: number;
  builtIn: string | null;
  panelCount: number;
  updatedAt: string;
}

export interface DashboardVersionDto {
  version: number;
  title: string;
  createdAt: string;
  createdBy: string | null;
}

/** `PUT /api/v1/dashboards/{id}?version=n`: save only if the current version is still `n` (else 409). */
export const DashboardUpdateQuerySchema = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();

/** `POST /api/v1/dashboards/{id}/render`: range (default: the dashboard's) and variable values. */
export const RenderQuerySchema = z
  .object({
    from: TimeInputSchema.optional(),
    to: TimeInputSchema.optional(),
    step: z.coerce.number().int().min(1).max(86_400).optional(),
  })
  .strict();
export const RenderBodySchema = z
  .object({
    variables: z.record(z.string(), z.union([Text(1024), z.array(Text(1024)).max(100)])).optional(),
    /** Indexes of the panels to run (default: all), so a console can ask for the ones on screen first. */
    panels: z.array(z.number().int().min(0)).min(1).max(50).optional(),
  })
  .strict();
export type RenderBody = z.infer<typeof RenderBodySchema>;

export const VariableValuesQuerySchema = z
  .object({ from: TimeInputSchema.optional(), to: TimeInputSchema.optional() })
  .strict();

export type PanelResult =
  | { status: 'ok'; kind: 'series'; data: QueryResult; meta: QueryMeta }
  | { status: 'ok'; kind: 'logs'; data: LogDto[] }
  | { status: 'ok'; kind: 'traces'; data: TraceSummaryDto[] }
  | { status: 'error'; error: { code: string; message: string } };

export interface DashboardRenderDto {
  dashboardId: string;
  version: number;
  fromMs: number;
  toMs: number;
  /** Variable values the queries used. */
  variables: Record<string, string | string[]>;
  /** One per panel (of those asked for), in panel order; `title` with the variables substituted. */
  panels: (PanelResult & { index: number; title: string; durationMs: number })[];
}
