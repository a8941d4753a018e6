import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type INestApplicationContext } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { routeAccess, type RouteAccess } from './access.js';

export interface RouteEntry {
  method: string;
  /** Fastify form: `/api/v1/traces/:traceId`. */
  path: string;
  /** What the route declares; undefined when it declares nothing (the guard then refuses it). */
  access: RouteAccess | undefined;
}

function joinPath(...parts: (string | string[] | undefined)[]): string {
  const segments = parts.flatMap((p) => (Array.isArray(p) ? p.slice(0, 1) : p === undefined ? [] : [p]));
  const joined = segments.map((s) => s.replace(/^\/+|\/+$/g, '')).filter((s) => s !== '').join('/');
  return `/${joined}`;
}

/** Every controller route of the application with the access rule it declares, read from Nest's metadata. */
export function routeTable(app: INestApplicationContext): RouteEntry[] {
  const reflector = app.get(Reflector, { strict: false });
  const routes: RouteEntry[] = [];
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller || typeof controller !== 'function') continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        routes.push({ method: RequestMethod[method], path: joinPath(base, path), access: routeAccess(reflector, [handler, controller]) });
      }
    }
  }
  return routes;
}

interface RouteRegistry {
  addHook(name: 'onRoute', hook: (route: { method: string | string[]; url: string }) => void): unknown;
}

/**
 * Records every route the HTTP server registers (call before the app listens). `routes()`
 * then lists them with the access rule Nest's metadata declares: a route registered outside
 * a controller has none, and the enumerating access test fails on it.
 */
export function recordRoutes(server: RouteRegistry, app: INestApplicationContext): () => RouteEntry[] {
  const registered: { method: string; path: string }[] = [];
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD' && method !== 'OPTIONS') registered.push({ method, path: route.url });
  });
  return () => {
    const declared = routeTable(app);
    return registered.map((r) => declared.find((d) => d.method === r.method && d.path === r.path) ?? { ...r, access: undefined });
  };
}
