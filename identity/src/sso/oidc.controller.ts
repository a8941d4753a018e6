import { Controller, Get, Inject, Optional, Param, Query, Req, Res } from '@nestjs/common';
import { SsoAvailabilitySchema, type ApiSuccess, type SsoAvailabilityDto } from '@telemetryflow/contract';
import { ApiRoute, AUDIT_SINK, Public, type AuditSink } from '@telemetryflow/http-kit';
import { refreshCookie } from '../auth/refresh-cookie.js';
import { clearedFlowCookie, safeReturnPath } from './oidc-flow-cookie.js';
import { requestOrigin, type OriginRequest } from './request-origin.js';
import { SsoService } from './sso.service.js';

interface ClientRequest extends OriginRequest {
  id?: unknown;
  ip: string;
  url: string;
}

interface Reply {
  code(status: number): Reply;
  header(name: string, value: string | string[]): Reply;
  send(body?: unknown): unknown;
}

const TENANT_PARAMS = { tenantSlug: 'the tenant id (its slug in sign-in links)' };
const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The browser's side of OIDC single sign-on. Public: the provider's signed answer is the
 * credential. Nothing here answers an error body: failures send the browser back to the
 * console's sign-in page with a short code (`?sso_error=`), details go to the log.
 */
@Controller('api/v1/auth/oidc')
@Public()
export class OidcController {
  constructor(
    @Inject(SsoService) private readonly sso: SsoService,
    @Optional() @Inject(AUDIT_SINK) private readonly audit?: AuditSink,
  ) {}

  @Get('callback')
  @ApiRoute({
    summary:
      "The identity provider's redirect after a sign-in: checks state, exchanges the code with the PKCE verifier, verifies the ID token (signature by the provider's JWKS, iss, aud, exp, nonce), the email domain and the role the claims map to, starts a session (the refresh token set as the HttpOnly session cookie) and redirects (302) to the console, which takes its access token from the cookie; on failure 302 to the sign-in page with ?sso_error=<code>",
    status: 302,
    tags: ['auth', 'sso'],
  })
  async callback(@Req() req: ClientRequest, @Res() reply: Reply): Promise<void> {
    const origin = requestOrigin(req);
    const secure = req.protocol === 'https';
    const cookie = typeof req.headers.cookie === 'string' ? req.headers.cookie : undefined;
    const query = new URL(req.url, 'http://x').searchParams;
    const userAgent = req.headers['user-agent'];
    const result = await this.sso.finish(cookie, query, {
      address: req.ip,
      ...(typeof userAgent === 'string' ? { userAgent } : {}),
    });
    // A GET with its own outcome (a redirect either way): recorded here, before the answer.
    await this.audit?.record({
      tenantId: result.tenantId,
      actor: result.ok ? { type: 'user', id: result.userId, email: result.email } : { type: 'anonymous', id: '' },
      clientAddress: req.ip,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : '',
      action: 'auth.sso',
      resource: { type: 'session', id: '', name: '' },
      outcome: result.ok ? 'success' : 'denied',
      status: 302,
      requestId: String(req.id ?? ''),
      before: null,
      after: result.ok ? null : { refusal: result.code },
    });
    const consoleOrigin = this.sso.consoleOrigin(origin);
    const cookies = [clearedFlowCookie(secure)];
    let location: string;
    if (result.ok) {
      cookies.push(refreshCookie(result.tokens.refreshToken, this.sso.refreshTtlSeconds(), secure));
      location = `${consoleOrigin}/sso?${new URLSearchParams({ tenant: result.tenantId, redirect: result.returnTo })}`;
    } else {
      location = `${consoleOrigin}/login?${new URLSearchParams({ sso_error: result.code })}`;
    }
    reply
      .code(302)
      .header('set-cookie', cookies)
      .header('cache-control', 'no-store')
      .header('location', location)
      .send();
  }

  @Get(':tenantSlug')
  @ApiRoute({
    summary:
      'Whether a tenant signs in with OIDC single sign-on (the console shows "Sign in with SSO"); unknown tenants answer false',
    params: TENANT_PARAMS,
    response: SsoAvailabilitySchema,
    tags: ['auth', 'sso'],
  })
  async availability(@Param('tenantSlug') tenantSlug: string): Promise<ApiSuccess<SsoAvailabilityDto>> {
    return { data: TENANT.test(tenantSlug) ? await this.sso.availability(tenantSlug) : { enabled: false } };
  }

  @Get(':tenantSlug/login')
  @ApiRoute({
    summary:
      'Start a single sign-on into a tenant: 302 to its identity provider (authorization code flow with PKCE S256, state and nonce kept in a sealed HttpOnly cookie for 10 minutes); ?redirect=<console path> is where the console goes afterwards. Without SSO: 302 to the sign-in page with ?sso_error=sso_unavailable',
    params: TENANT_PARAMS,
    status: 302,
    tags: ['auth', 'sso'],
  })
  async login(
    @Param('tenantSlug') tenantSlug: string,
    @Query('redirect') redirect: unknown,
    @Req() req: ClientRequest,
    @Res() reply: Reply,
  ): Promise<void> {
    const origin = requestOrigin(req);
    const secure = req.protocol === 'https';
    const started = TENANT.test(tenantSlug)
      ? await this.sso.start(tenantSlug, origin, safeReturnPath(redirect), secure)
      : ({ ok: false, code: 'sso_unavailable' } as const);
    reply.code(302).header('cache-control', 'no-store');
    if (!started.ok) {
      reply
        .header(
          'location',
          `${this.sso.consoleOrigin(origin)}/login?${new URLSearchParams({ sso_error: started.code })}`,
        )
        .send();
      return;
    }
    reply.header('set-cookie', started.cookie).header('location', started.url).send();
  }
}
