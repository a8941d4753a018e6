import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError } from './api-error.js';

/**
 * What a route accepts, as zod schemas (shared from `@telemetryflow/contract` where the
 * console uses them too). The same schemas validate requests (`@ValidQuery()`,
 * `@ValidBody()`) and describe the route in the OpenAPI document.
 */
export interface RouteSpec {
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Path parameters, described by name. */
  params?: Record<string, string>;
  /** The `data` of a successful answer, for the OpenAPI document (not checked at run time). */
  response?: z.ZodType;
  /** HTTP status of success when it is not 200/201. */
  status?: number;
  tags?: string[];
}

export const ROUTE_SPEC_KEY = 'tf:routeSpec';

export const ApiRoute = (spec: RouteSpec) => SetMetadata(ROUTE_SPEC_KEY, spec);

export function routeSpec(handler: object): RouteSpec | undefined {
  return Reflect.getMetadata(ROUTE_SPEC_KEY, handler) as RouteSpec | undefined;
}

/** Parses `input` with `schema`; failures become one 400 naming the first offending field. */
export function validate<T extends z.ZodType>(schema: T, input: unknown, where: 'query' | 'body'): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const parameter = path === '' ? where : path;
  throw new ApiError(400, 'invalid_parameter', `${parameter}: ${issue.message}`, {
    parameter,
    issues: result.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}

function specSchema(ctx: ExecutionContext, part: 'query' | 'body'): z.ZodType {
  const schema = routeSpec(ctx.getHandler())?.[part];
  if (!schema)
    throw new Error(
      `route ${ctx.getClass().name}.${ctx.getHandler().name} uses @Valid${part === 'query' ? 'Query' : 'Body'}() without an @ApiRoute ${part} schema`,
    );
  return schema;
}

/** The query string, validated by the route's `@ApiRoute({ query })` schema. */
export const ValidQuery = createParamDecorator((_data: unknown, ctx: ExecutionContext): unknown =>
  validate(specSchema(ctx, 'query'), ctx.switchToHttp().getRequest<{ query: unknown }>().query ?? {}, 'query'),
);

/** The JSON body, validated by the route's `@ApiRoute({ body })` schema. */
export const ValidBody = createParamDecorator((_data: unknown, ctx: ExecutionContext): unknown =>
  validate(specSchema(ctx, 'body'), ctx.switchToHttp().getRequest<{ body: unknown }>().body ?? {}, 'body'),
);
