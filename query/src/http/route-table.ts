import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { routeAccess, type Permission } from './access.js';
import { routeSpec, type RouteSpec } from './validation.js';

/** One HTTP route as declared by a controller's decorators. */
export interface RouteInfo {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path: `/api/v1/traces/{traceId}`. */
  path: string;
  access: Permission | 'public' | undefined;
  spec: RouteSpec | undefined;
  handler: string;
}

const METHODS: Partial<Record<RequestMethod, RouteInfo['method']>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

function joinPath(...parts: unknown[]): string {
  const segments = parts.flatMap((p) => (typeof p === 'string' ? p.split('/') : [])).filter((s) => s !== '');
  return '/' + segments.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/');
}

/** Every route of the given controllers, read from their decorator metadata. */
export function routeTable(controllers: readonly Type[]): RouteInfo[] {
  const reflector = new Reflector();
  const routes: RouteInfo[] = [];
  for (const controller of controllers) {
    const base = Reflect.getMetadata(PATH_METADATA, controller) as unknown;
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
      const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      if (path === undefined || method === undefined) continue;
      routes.push({
        method,
        path: joinPath(base, path),
        access: routeAccess(reflector, [handler, controller]),
        spec: routeSpec(handler),
        handler: `${controller.name}.${name}`,
      });
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
