import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { routeAccess, type RouteAccess } from './access.js';
import { routeRateLimit, type RateLimitPolicy } from './rate-limit.js';
import { routeSpec, type RouteSpec } from './validation.js';

/** One HTTP route as declared by a controller's decorators. */
export interface RouteInfo {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path: `/api/v1/traces/{traceId}`. */
  path: string;
  /** What the route declares; undefined when it declares nothing (the guard then refuses it). */
  access: RouteAccess | undefined;
  spec: RouteSpec | undefined;
  /** Set when the route is rate limited (429 with Retry-After beyond the budget). */
  rateLimit: RateLimitPolicy | undefined;
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
        rateLimit: routeRateLimit(reflector, [handler, controller]),
        handler: `${controller.name}.${name}`,
      });
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** A route as the HTTP server registered it, with the access rule and rate limit its controller declares. */
export interface RouteEntry {
  /** Upper case: `GET`. */
  method: string;
  /** Fastify form: `/api/v1/traces/:traceId`. */
  path: string;
  access: RouteAccess | undefined;
  rateLimit: RateLimitPolicy | undefined;
}

interface RouteRegistry {
  addHook(name: 'onRoute', hook: (route: { method: string | string[]; url: string }) => void): unknown;
}

/**
 * Records every route the HTTP server registers (call before the app listens). The returned
 * function lists them with the access rule the controllers declare: a route registered outside
 * a controller has none, so a test over all routes fails on it instead of missing it.
 */
export function recordRoutes(server: RouteRegistry, controllers: readonly Type[]): () => RouteEntry[] {
  const registered: { method: string; path: string }[] = [];
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD' && method !== 'OPTIONS') registered.push({ method, path: route.url });
  });
  return () => {
    const declared = routeTable(controllers);
    return registered.map((r) => {
      const openApiPath = joinPath(r.path);
      const route = declared.find((d) => d.method === r.method.toLowerCase() && d.path === openApiPath);
      return { ...r, access: route?.access, rateLimit: route?.rateLimit };
    });
  };
}
