import { createHash } from 'node:crypto';
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiRoute, notFound, Public } from '@telemetryflow/http-kit';
import type { PublicStatusDto } from '@telemetryflow/contract';
import {
  renderIncidentFeed,
  renderIncidentRss,
  renderStatusNotFound,
  renderStatusPage,
} from '../status/status-page-html.js';
import { StatusPagesService } from '../status/status-pages.service.js';

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body?: string): void;
}

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  protocol?: string;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/;
const TAGS = ['status pages'];

/** The page's absolute address for feed links, from the request's Host when it looks like one. */
function pageUrl(req: RequestLike, slug: string): string {
  const host = typeof req.headers.host === 'string' && HOST.test(req.headers.host) ? req.headers.host : 'localhost';
  return `${req.protocol === 'https' ? 'https' : 'http'}://${host}/status/${slug}`;
}

/**
 * Public status pages: no credential, nothing but the page's own content, cacheable for
 * 30 s with an ETag over the content (so a conditional request costs a 304).
 */
@Controller('status')
@Public()
export class PublicStatusController {
  constructor(@Inject(StatusPagesService) private readonly pages: StatusPagesService) {}

  @Get(':slug')
  @ApiRoute({
    summary: 'Public status page (HTML, readable without JavaScript)',
    params: { slug: 'page slug' },
    tags: TAGS,
  })
  async page(@Param('slug') slug: string, @Req() req: RequestLike, @Res() reply: ReplyLike): Promise<void> {
    // People open this address in a browser: an unknown slug gets a page, not an API error.
    const view = SLUG.test(slug) ? await this.pages.publicStatus(slug, Date.now()) : null;
    if (!view) {
      reply
        .status(404)
        .header('content-type', 'text/html; charset=utf-8')
        .header('x-content-type-options', 'nosniff')
        .send(renderStatusNotFound(slug));
      return;
    }
    this.send(req, reply, view, 'text/html; charset=utf-8', () => renderStatusPage(view, slug));
  }

  @Get(':slug/api')
  @ApiRoute({ summary: 'Public status page as JSON', params: { slug: 'page slug' }, tags: TAGS })
  async json(@Param('slug') slug: string, @Req() req: RequestLike, @Res() reply: ReplyLike): Promise<void> {
    const view = await this.view(slug);
    this.send(req, reply, view, 'application/json; charset=utf-8', () => JSON.stringify({ data: view }));
  }

  @Get(':slug/feed.atom')
  @ApiRoute({ summary: 'Incidents of a status page as an Atom feed', params: { slug: 'page slug' }, tags: TAGS })
  async atom(@Param('slug') slug: string, @Req() req: RequestLike, @Res() reply: ReplyLike): Promise<void> {
    const view = await this.view(slug);
    this.send(req, reply, view, 'application/atom+xml; charset=utf-8', () =>
      renderIncidentFeed(view, pageUrl(req, slug)),
    );
  }

  @Get(':slug/feed.rss')
  @ApiRoute({ summary: 'Incidents of a status page as an RSS 2.0 feed', params: { slug: 'page slug' }, tags: TAGS })
  async rss(@Param('slug') slug: string, @Req() req: RequestLike, @Res() reply: ReplyLike): Promise<void> {
    const view = await this.view(slug);
    this.send(req, reply, view, 'application/rss+xml; charset=utf-8', () =>
      renderIncidentRss(view, pageUrl(req, slug)),
    );
  }

  private async view(slug: string): Promise<PublicStatusDto> {
    const view = SLUG.test(slug) ? await this.pages.publicStatus(slug, Date.now()) : null;
    if (!view) throw notFound(`no status page ${slug}`);
    return view;
  }

  private send(req: RequestLike, reply: ReplyLike, view: PublicStatusDto, type: string, render: () => string): void {
    const { generatedAt: _g, ...content } = view;
    const etag = `W/"${createHash('sha256').update(type).update(JSON.stringify(content)).digest('base64url').slice(0, 27)}"`;
    reply
      .header('cache-control', 'public, max-age=30')
      .header('etag', etag)
      .header('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === etag) {
      reply.status(304).send();
      return;
    }
    reply.status(200).header('content-type', type).send(render());
  }
}
