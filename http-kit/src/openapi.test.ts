import 'reflect-metadata';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Controller, Get, Post } from '@nestjs/common';
import { z } from 'zod';
import { Public, Requires } from './access.js';
import { ApiError } from './api-error.js';
import { buildOpenApiDocument } from './openapi.js';
import { routeTable } from './route-table.js';
import { ApiRoute, validate } from './validation.js';

const SearchQuery = z.object({
  service: z.string().max(200).describe('Service name'),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const CreateBody = z.object({ name: z.string().min(1), scopes: z.array(z.enum(['read', 'admin'])).min(1) });

@Controller('api/v1/widgets')
@Requires('read')
class WidgetsController {
  @Get()
  @ApiRoute({ summary: 'Search widgets', query: SearchQuery })
  search(): void {}

  @Get(':widgetId')
  @ApiRoute({
    summary: 'One widget',
    params: { widgetId: 'Widget id' },
    response: z.object({ id: z.string(), size: z.number() }),
  })
  one(): void {}

  @Post()
  @Requires('write')
  @ApiRoute({ summary: 'Create a widget', body: CreateBody })
  create(): void {}
}

@Controller()
@Public()
class OpenController {
  @Get('health')
  health(): void {}
}

test('the route table reads paths, methods, access and specs from the decorators', () => {
  const routes = routeTable([WidgetsController, OpenController]);
  assert.deepEqual(
    routes.map((r) => [r.method, r.path, r.access]),
    [
      ['get', '/api/v1/widgets', 'read'],
      ['post', '/api/v1/widgets', 'write'],
      ['get', '/api/v1/widgets/{widgetId}', 'read'],
      ['get', '/health', 'public'],
    ],
  );
});

test('the OpenAPI document describes parameters and bodies from the same zod schemas', () => {
  const doc = buildOpenApiDocument(routeTable([WidgetsController, OpenController]), '1.2.3') as {
    openapi: string;
    info: { version: string };
    paths: Record<
      string,
      Record<
        string,
        {
          security: unknown[];
          parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
          requestBody?: {
            content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }>;
          };
          'x-required-permission'?: string;
        }
      >
    >;
  };
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, '1.2.3');
  const search = doc.paths['/api/v1/widgets']!.get!;
  assert.deepEqual(search.security, [{ bearer: [] }]);
  assert.deepEqual(
    search.parameters.map((p) => [p.name, p.in, p.required]),
    [
      ['service', 'query', true],
      ['limit', 'query', false],
    ],
  );
  assert.equal(search.parameters[0]!.schema.maxLength, 200);
  const create = doc.paths['/api/v1/widgets']!.post!;
  assert.equal(create['x-required-permission'], 'write');
  assert.deepEqual(create.requestBody!.content['application/json']!.schema.required, ['name', 'scopes']);
  assert.deepEqual(
    doc.paths['/api/v1/widgets/{widgetId}']!.get!.parameters.map((p) => [p.name, p.in]),
    [['widgetId', 'path']],
  );
  assert.deepEqual(doc.paths['/health']!.get!.security, []);
});

test('validation failures name the offending field in a 400', () => {
  assert.deepEqual(validate(SearchQuery, { service: 'api', limit: '20' }, 'query'), { service: 'api', limit: 20 });
  assert.throws(
    () => validate(SearchQuery, { service: 'api', limit: '0' }, 'query'),
    (err: unknown) =>
      err instanceof ApiError &&
      err.status === 400 &&
      err.code === 'invalid_parameter' &&
      err.message.startsWith('limit:'),
  );
  assert.throws(
    () => validate(CreateBody, { name: 'k', scopes: ['root'] }, 'body'),
    (err: unknown) => err instanceof ApiError && err.status === 400 && err.message.startsWith('scopes.0:'),
  );
});

test('a route with a response schema documents the `data` of its success answer', () => {
  type Schema = { type?: string; required?: string[]; properties?: Record<string, Schema> };
  const doc = buildOpenApiDocument(routeTable([WidgetsController]), '1') as {
    paths: Record<
      string,
      Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
    >;
  };
  const schema = doc.paths['/api/v1/widgets/{widgetId}']!.get!.responses['200']!.content!['application/json']!.schema;
  assert.deepEqual(schema.required, ['data']);
  const data = schema.properties!.data!;
  assert.equal(data.type, 'object');
  assert.deepEqual(data.required, ['id', 'size']);
  assert.deepEqual(data.properties, { id: { type: 'string' }, size: { type: 'number' } });
  assert.equal(doc.paths['/api/v1/widgets']!.get!.responses['200']!.content, undefined, 'none without a schema');
});
