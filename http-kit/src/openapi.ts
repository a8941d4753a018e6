import { z } from 'zod';
import type { RouteInfo } from './route-table.js';

type JsonSchema = Record<string, unknown>;

/** Requests are described as they are accepted (`input`), answers as they are sent (`output`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ERROR_RESPONSE = {
  description: 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

function queryParameters(schema: z.ZodType): unknown[] {
  const js = jsonSchema(schema);
  const properties = (js.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

function pathParameters(route: RouteInfo): unknown[] {
  return [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
    ...(route.spec?.params?.[m[1]!] ? { description: route.spec.params[m[1]!] } : {}),
  }));
}

function operation(route: RouteInfo): Record<string, unknown> {
  const spec = route.spec;
  const successStatus = String(spec?.status ?? (route.method === 'post' ? 201 : 200));
  const security = route.access === 'public' ? [] : [{ bearer: [] }];
  const firstSegment =
    route.path
      .split('/')
      .filter(Boolean)
      .slice(route.path.startsWith('/api/v1/') ? 2 : 0)[0] ?? 'general';
  return {
    operationId: route.handler,
    summary: spec?.summary ?? route.handler,
    tags: spec?.tags ?? [firstSegment],
    security,
    ...(route.access && route.access !== 'public' ? { 'x-required-permission': route.access } : {}),
    parameters: [...pathParameters(route), ...(spec?.query ? queryParameters(spec.query) : [])],
    ...(spec?.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } }
      : {}),
    responses: {
      [successStatus]: {
        description: 'Success: `{ data, meta? }`',
        ...(spec?.response
          ? {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['data'],
                    properties: { data: jsonSchema(spec.response, 'output') },
                  },
                },
              },
            }
          : {}),
      },
      ...(route.access === 'public' ? {} : { '401': ERROR_RESPONSE, '403': ERROR_RESPONSE }),
      '400': ERROR_RESPONSE,
      ...(route.rateLimit
        ? { '429': { ...ERROR_RESPONSE, description: 'Rate limited: retry after the `Retry-After` header (seconds)' } }
        : {}),
      default: ERROR_RESPONSE,
    },
  };
}

/** The OpenAPI 3.1 document of the given routes; request shapes come from the routes' zod schemas. */
export function buildOpenApiDocument(routes: readonly RouteInfo[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'TelemetryFlow API',
      version,
      description:
        'Read and management API. Authenticate with `Authorization: Bearer <API key or access token>`; users pick a tenant with `X-Tenant`. ' +
        'Times accept RFC 3339 or epoch milliseconds; telemetry timestamps are nanosecond strings, ids lowercase hex.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key or access token' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'requestId'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: {},
                requestId: { type: 'string', description: 'Also in the JSON log line of the request.' },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
