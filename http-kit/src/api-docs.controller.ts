import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { Public } from './access.js';
import { notFound } from './api-error.js';
import { OPENAPI_DOCUMENT } from './tokens.js';

/** The swagger-ui files the page needs; nothing else under the package is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>TelemetryFlow API</title><link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`;

interface RawReply {
  header(name: string, value: string): RawReply;
  send(body: unknown): void;
}

@Controller()
@Public()
export class ApiDocsController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: Record<string, unknown>) {}

  @Get('api/v1/openapi.json')
  openapi(): Record<string, unknown> {
    return this.document;
  }

  @Get('api/docs')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('api/docs/:asset')
  async asset(@Param('asset') asset: string, @Res() reply: RawReply): Promise<void> {
    if (asset === 'init.js') {
      reply.header('content-type', 'text/javascript; charset=utf-8').send(INIT);
      return;
    }
    const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (!type) throw notFound(`no such documentation asset: ${asset}`);
    const body = await readFile(join(getAbsoluteFSPath(), asset));
    reply.header('content-type', type).header('cache-control', 'public, max-age=86400').send(body);
  }
}
