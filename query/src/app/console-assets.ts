import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

type Fastify = ReturnType<NestFastifyApplication['getHttpAdapter']>['getInstance'] extends () => infer F ? F : never;

/**
 * Headers of every console response. The built console loads only its own scripts (no inline
 * ones); Naive UI adds `<style>` elements at run time, hence inline styles; the favicon is a
 * `data:` URL, charts may export `blob:` images; the API and the live tail's WebSocket are
 * same-origin. No page may frame the console (clickjacking), no URL leaks in a Referer.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Paths never answered with the console's page: the API and the probes keep their 404s. */
const NOT_PAGES = /^\/(api|health|ready|assets)(\/|$|\?)/;

function filesUnder(dir: string): Set<string> {
  const files = new Set<string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.add(`/${relative(dir, path).split(sep).join('/')}`);
    }
  };
  walk(dir);
  return files;
}

function decodedPath(url: string): string {
  const raw = url.split('?')[0]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Serves the built console (index.html and hashed assets/) at `/` through one public GET
 * route: a file of the build by its path, any other page path index.html, so the console's
 * history-mode URLs open directly. Only files present at start are served (no path from the
 * request reaches the file system).
 */
export async function serveConsole(fastify: Fastify, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(
      `console directory ${dir} has no index.html (build it with: pnpm --filter @telemetryflow/console build)`,
    );
  const files = filesUnder(dir);
  // Cache headers are set per file below; the plugin's own would replace them.
  await fastify.register(fastifyStatic, { root: dir, serve: false, cacheControl: false });
  fastify.get('/*', (req, reply) => {
    const path = decodedPath(req.url);
    reply.headers(CONSOLE_SECURITY_HEADERS);
    if (files.has(path) && path !== '/index.html') {
      // File names under assets/ carry a content hash: they never change.
      return reply
        .header('cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
        .sendFile(path.slice(1));
    }
    if (NOT_PAGES.test(path)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
