import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

type Fastify = ReturnType<NestFastifyApplication['getHttpAdapter']>['getInstance'] extends () => infer F ? F : never;

/** Paths never answered with the console's page: the API, the probes and missing assets. */
const NOT_PAGES = /^\/(api|health|ready|assets)(\/|$|\?)/;

/**
 * Serves the built console (a directory with index.html and hashed assets/) at `/`. Any other
 * GET that no route takes gets index.html, so the console's history-mode URLs open directly;
 * unknown API paths keep the API's 404 envelope.
 */
export async function serveConsole(fastify: Fastify, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`console directory ${dir} has no index.html (build it with: pnpm --filter @telemetryflow/console build)`);
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: false,
    setHeaders: (reply, path) => {
      // File names under assets/ carry a content hash: they never change.
      reply.header('cache-control', path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  fastify.get('/*', (req, reply) => {
    if (NOT_PAGES.test(req.url)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
